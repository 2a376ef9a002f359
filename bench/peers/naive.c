/* SPDX-License-Identifier: MIT */
/* The naive peer: the channel a user writes from a textbook. One pthread mutex guards
 * everything; receivers sleep on not_empty, senders on not_full. Buffered channels are a ring;
 * an unbuffered channel is a one-value handoff slot whose sender waits until a receiver has
 * taken its value. Correct (bench/tests/naive_test.c) and deliberately simple: no spinning, no
 * lock-free paths, every blocked thread parks in the kernel. The baseline libgoc must beat.
 *
 * Invariants (under mu):
 *   buffered:   0 <= count <= cap; the values are buf[head], buf[head+1], ... (mod cap).
 *   unbuffered: slot_full means buf holds the value of the sender whose ticket is put_seq;
 *               taken_seq counts values taken; a sender with ticket t is done when
 *               taken_seq >= t. After close no value is taken from the slot: its sender takes
 *               it back and returns GOC_CLOSED (Go's send on a closed channel).
 *   recv_waiting: receivers asleep in recv, so try_send on an unbuffered channel succeeds
 *               only when a receiver is there to take the value (Go's select default). */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <goc/status.h>

#include "ops.h"

struct naive_chan {
    pthread_mutex_t mu;
    pthread_cond_t not_empty; /* receivers wait here */
    pthread_cond_t not_full;  /* senders wait here: for room, or for their value to be taken */
    size_t elem_size, cap;
    size_t head, count; /* buffered */
    bool slot_full;     /* unbuffered */
    uint64_t put_seq, taken_seq;
    uint64_t recv_waiting;
    bool closed;
    unsigned char *buf; /* cap elements, or one for the slot */
};

static void *
naive_make(size_t elem_size, size_t cap) {
    if (elem_size > 65536)
        return NULL;
    size_t slots = cap > 0 ? cap : 1;
    if (elem_size > 0 && slots > SIZE_MAX / elem_size)
        return NULL;
    struct naive_chan *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->buf = malloc(slots * elem_size + 1);
    if (c->buf == NULL) {
        free(c);
        return NULL;
    }
    c->elem_size = elem_size;
    c->cap = cap;
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->not_empty, NULL);
    pthread_cond_init(&c->not_full, NULL);
    return c;
}

static void
naive_free(void *ch) {
    struct naive_chan *c = ch;
    if (c == NULL)
        return;
    pthread_cond_destroy(&c->not_full);
    pthread_cond_destroy(&c->not_empty);
    pthread_mutex_destroy(&c->mu);
    free(c->buf);
    free(c);
}

static void
copy_in(struct naive_chan *c, size_t i, const void *elem) {
    if (c->elem_size > 0)
        memcpy(c->buf + i * c->elem_size, elem, c->elem_size);
}

static void
copy_out(struct naive_chan *c, size_t i, void *out) {
    if (out != NULL && c->elem_size > 0)
        memcpy(out, c->buf + i * c->elem_size, c->elem_size);
}

static void
zero_out(struct naive_chan *c, void *out) {
    if (out != NULL && c->elem_size > 0)
        memset(out, 0, c->elem_size);
}

/* Unbuffered send, mu held, slot empty and channel open: put the value in the slot and wait
 * until it is taken or the channel closes. */
static int
handoff(struct naive_chan *c, const void *elem) {
    copy_in(c, 0, elem);
    c->slot_full = true;
    uint64_t ticket = ++c->put_seq;
    pthread_cond_signal(&c->not_empty);
    while (c->taken_seq < ticket && !c->closed)
        pthread_cond_wait(&c->not_full, &c->mu);
    if (c->taken_seq < ticket) { /* closed before anyone took it: take it back */
        c->slot_full = false;
        pthread_cond_broadcast(&c->not_full);
        return GOC_CLOSED;
    }
    return GOC_OK;
}

static int
naive_send_impl(void *ch, const void *elem, bool block) {
    struct naive_chan *c = ch;
    if (c == NULL)
        return GOC_EINVAL;
    int rc = GOC_OK;
    pthread_mutex_lock(&c->mu);
    if (c->cap == 0) {
        while (block && c->slot_full && !c->closed)
            pthread_cond_wait(&c->not_full, &c->mu);
        if (c->closed)
            rc = GOC_CLOSED;
        else if (!block && (c->slot_full || c->recv_waiting == 0))
            rc = GOC_WOULDBLOCK;
        else
            rc = handoff(c, elem); /* a try_send waits only for a receiver already waiting */
    } else {
        while (block && c->count == c->cap && !c->closed)
            pthread_cond_wait(&c->not_full, &c->mu);
        if (c->closed) {
            rc = GOC_CLOSED;
        } else if (c->count == c->cap) {
            rc = GOC_WOULDBLOCK;
        } else {
            copy_in(c, (c->head + c->count) % c->cap, elem);
            c->count++;
            pthread_cond_signal(&c->not_empty);
        }
    }
    pthread_mutex_unlock(&c->mu);
    return rc;
}

static int
naive_recv_impl(void *ch, void *out, bool block) {
    struct naive_chan *c = ch;
    if (c == NULL)
        return GOC_EINVAL;
    int rc = GOC_OK;
    pthread_mutex_lock(&c->mu);
    if (c->cap == 0) {
        while (block && !c->slot_full && !c->closed) {
            c->recv_waiting++;
            pthread_cond_wait(&c->not_empty, &c->mu);
            c->recv_waiting--;
        }
        if (c->closed) {
            rc = GOC_CLOSED;
        } else if (!c->slot_full) {
            rc = GOC_WOULDBLOCK;
        } else {
            copy_out(c, 0, out);
            c->slot_full = false;
            c->taken_seq++;
            /* The waiting sender and the senders queued for the slot share not_full. */
            pthread_cond_broadcast(&c->not_full);
        }
    } else {
        while (block && c->count == 0 && !c->closed)
            pthread_cond_wait(&c->not_empty, &c->mu);
        if (c->count > 0) {
            copy_out(c, c->head, out);
            c->head = (c->head + 1) % c->cap;
            c->count--;
            pthread_cond_signal(&c->not_full);
        } else {
            rc = c->closed ? GOC_CLOSED : GOC_WOULDBLOCK;
        }
    }
    pthread_mutex_unlock(&c->mu);
    if (rc != GOC_OK)
        zero_out(c, out);
    return rc;
}

static int
naive_send(void *ch, const void *elem) {
    return naive_send_impl(ch, elem, true);
}

static int
naive_try_send(void *ch, const void *elem) {
    return naive_send_impl(ch, elem, false);
}

static int
naive_recv(void *ch, void *out) {
    return naive_recv_impl(ch, out, true);
}

static int
naive_try_recv(void *ch, void *out) {
    return naive_recv_impl(ch, out, false);
}

static int
naive_close(void *ch) {
    struct naive_chan *c = ch;
    if (c == NULL)
        return GOC_EINVAL;
    pthread_mutex_lock(&c->mu);
    bool was = c->closed;
    c->closed = true;
    pthread_cond_broadcast(&c->not_empty);
    pthread_cond_broadcast(&c->not_full);
    pthread_mutex_unlock(&c->mu);
    return was ? GOC_CLOSED : GOC_OK;
}

const struct chan_ops peer_naive_chan = {
    .make = naive_make,
    .send = naive_send,
    .recv = naive_recv,
    .try_send = naive_try_send,
    .try_recv = naive_try_recv,
    .close = naive_close,
    .free = naive_free,
};
