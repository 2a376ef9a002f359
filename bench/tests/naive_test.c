/* SPDX-License-Identifier: MIT */
/* The naive peer (bench/peers/naive.c) keeps Go's channel semantics: FIFO, close (receivers
 * drain then see GOC_CLOSED with a zeroed value; senders get GOC_CLOSED), try operations, an
 * unbuffered send that completes only when a receiver has the value, and no message lost or
 * duplicated among several producers and consumers. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <goc/status.h>

#include "check.h"
#include "ops.h"

static const struct chan_ops *ops = &peer_naive_chan;

static void
sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

static void
test_buffered_fifo_and_close(void) {
    void *ch = ops->make(sizeof(uint64_t), 4);
    CHECK(ch != NULL);
    for (uint64_t i = 0; i < 4; i++)
        CHECK(ops->send(ch, &i) == GOC_OK);
    uint64_t v = 99;
    CHECK(ops->try_send(ch, &v) == GOC_WOULDBLOCK);
    for (uint64_t i = 0; i < 2; i++) {
        CHECK(ops->recv(ch, &v) == GOC_OK);
        CHECK(v == i);
    }
    v = 4;
    CHECK(ops->try_send(ch, &v) == GOC_OK);
    CHECK(ops->close(ch) == GOC_OK);
    CHECK(ops->close(ch) == GOC_CLOSED);
    CHECK(ops->send(ch, &v) == GOC_CLOSED);
    CHECK(ops->try_send(ch, &v) == GOC_CLOSED);
    for (uint64_t i = 2; i < 5; i++) { /* drained in order after close */
        CHECK(ops->recv(ch, &v) == GOC_OK);
        CHECK(v == i);
    }
    v = 7;
    CHECK(ops->recv(ch, &v) == GOC_CLOSED);
    CHECK(v == 0); /* zero value */
    v = 7;
    CHECK(ops->try_recv(ch, &v) == GOC_CLOSED);
    CHECK(v == 0);
    CHECK(ops->recv(ch, NULL) == GOC_CLOSED);
    ops->free(ch);

    ch = ops->make(sizeof(uint64_t), 2);
    CHECK(ops->try_recv(ch, &v) == GOC_WOULDBLOCK);
    ops->free(ch);
    CHECK(ops->send(NULL, &v) == GOC_EINVAL);
    CHECK(ops->recv(NULL, &v) == GOC_EINVAL);
    CHECK(ops->close(NULL) == GOC_EINVAL);
    ops->free(NULL);
}

/* ---- unbuffered ------------------------------------------------------------------------- */

struct handoff {
    void *ch;
    atomic_int sent; /* the sender's send returned */
    int rc;
};

static void *
sender_main(void *p) {
    struct handoff *h = p;
    uint64_t v = 42;
    h->rc = ops->send(h->ch, &v);
    atomic_store(&h->sent, 1);
    return NULL;
}

static void *
receiver_main(void *p) {
    struct handoff *h = p;
    uint64_t v = 0;
    h->rc = ops->recv(h->ch, &v);
    if (h->rc == GOC_OK && v != 42)
        h->rc = -1000;
    atomic_store(&h->sent, 1);
    return NULL;
}

static void
test_unbuffered(void) {
    struct handoff h = {.ch = ops->make(sizeof(uint64_t), 0)};
    atomic_init(&h.sent, 0);
    uint64_t v = 1;
    CHECK(ops->try_send(h.ch, &v) == GOC_WOULDBLOCK); /* no receiver */
    CHECK(ops->try_recv(h.ch, &v) == GOC_WOULDBLOCK); /* no sender */

    /* The send does not complete until the value is taken. */
    pthread_t th;
    pthread_create(&th, NULL, sender_main, &h);
    sleep_ms(20);
    CHECK(atomic_load(&h.sent) == 0);
    v = 0;
    CHECK(ops->recv(h.ch, &v) == GOC_OK);
    CHECK(v == 42);
    pthread_join(th, NULL);
    CHECK(h.rc == GOC_OK && atomic_load(&h.sent) == 1);

    /* try_recv takes a waiting sender's value. */
    atomic_store(&h.sent, 0);
    pthread_create(&th, NULL, sender_main, &h);
    int rc;
    while ((rc = ops->try_recv(h.ch, &v)) == GOC_WOULDBLOCK)
        sleep_ms(1);
    CHECK(rc == GOC_OK && v == 42);
    pthread_join(th, NULL);
    CHECK(h.rc == GOC_OK);

    /* try_send succeeds while a receiver waits. */
    atomic_store(&h.sent, 0);
    pthread_create(&th, NULL, receiver_main, &h);
    v = 42;
    while ((rc = ops->try_send(h.ch, &v)) == GOC_WOULDBLOCK)
        sleep_ms(1);
    CHECK(rc == GOC_OK);
    pthread_join(th, NULL);
    CHECK(h.rc == GOC_OK);

    /* Close wakes a blocked sender with GOC_CLOSED; its value is never received. */
    atomic_store(&h.sent, 0);
    pthread_create(&th, NULL, sender_main, &h);
    sleep_ms(20);
    CHECK(ops->close(h.ch) == GOC_OK);
    pthread_join(th, NULL);
    CHECK(h.rc == GOC_CLOSED);
    v = 5;
    CHECK(ops->recv(h.ch, &v) == GOC_CLOSED && v == 0);
    ops->free(h.ch);

    /* Close wakes a blocked receiver with GOC_CLOSED. */
    h.ch = ops->make(sizeof(uint64_t), 0);
    atomic_store(&h.sent, 0);
    pthread_create(&th, NULL, receiver_main, &h);
    sleep_ms(20);
    CHECK(atomic_load(&h.sent) == 0);
    CHECK(ops->close(h.ch) == GOC_OK);
    pthread_join(th, NULL);
    CHECK(h.rc == GOC_CLOSED);
    ops->free(h.ch);

    /* Element size 0: a signal channel. */
    void *sig = ops->make(0, 0);
    CHECK(sig != NULL);
    CHECK(ops->close(sig) == GOC_OK);
    CHECK(ops->recv(sig, NULL) == GOC_CLOSED);
    ops->free(sig);
}

/* ---- mpmc: no loss, no duplicate, per-producer order -------------------------------------- */

#define PRODUCERS 4
#define CONSUMERS 3
#define PER_PRODUCER 20000

struct mpmc {
    void *ch;
    atomic_int producers_left;
    uint64_t seen[PRODUCERS][PER_PRODUCER / 64 + 1]; /* bitmaps, under mu */
    pthread_mutex_t mu;
    uint64_t dup, disorder, bad;
    int next_id;
};

static void *
producer_main(void *p) {
    struct mpmc *m = p;
    pthread_mutex_lock(&m->mu);
    uint64_t id = (uint64_t)m->next_id++;
    pthread_mutex_unlock(&m->mu);
    for (uint64_t k = 0; k < PER_PRODUCER; k++) {
        uint64_t v = id << 32 | k;
        if (ops->send(m->ch, &v) != GOC_OK)
            break;
    }
    if (atomic_fetch_sub(&m->producers_left, 1) == 1)
        ops->close(m->ch);
    return NULL;
}

static void *
consumer_main(void *p) {
    struct mpmc *m = p;
    int64_t last[PRODUCERS];
    for (int i = 0; i < PRODUCERS; i++)
        last[i] = -1;
    uint64_t v;
    uint64_t disorder = 0;
    while (ops->recv(m->ch, &v) == GOC_OK) {
        uint64_t id = v >> 32, k = v & 0xffffffffu;
        pthread_mutex_lock(&m->mu);
        if (id >= PRODUCERS || k >= PER_PRODUCER) {
            m->bad++;
        } else {
            if (m->seen[id][k / 64] & (1ull << (k % 64)))
                m->dup++;
            m->seen[id][k / 64] |= 1ull << (k % 64);
        }
        pthread_mutex_unlock(&m->mu);
        if (id < PRODUCERS) {
            disorder += (int64_t)k <= last[id];
            last[id] = (int64_t)k;
        }
    }
    pthread_mutex_lock(&m->mu);
    m->disorder += disorder;
    pthread_mutex_unlock(&m->mu);
    return NULL;
}

static void
test_mpmc(size_t cap) {
    struct mpmc *m = calloc(1, sizeof *m);
    m->ch = ops->make(sizeof(uint64_t), cap);
    atomic_init(&m->producers_left, PRODUCERS);
    pthread_mutex_init(&m->mu, NULL);
    pthread_t th[PRODUCERS + CONSUMERS];
    for (int i = 0; i < CONSUMERS; i++)
        pthread_create(&th[i], NULL, consumer_main, m);
    for (int i = 0; i < PRODUCERS; i++)
        pthread_create(&th[CONSUMERS + i], NULL, producer_main, m);
    for (int i = 0; i < PRODUCERS + CONSUMERS; i++)
        pthread_join(th[i], NULL);
    uint64_t missing = 0;
    for (int id = 0; id < PRODUCERS; id++)
        for (uint64_t k = 0; k < PER_PRODUCER; k++)
            missing += !(m->seen[id][k / 64] & (1ull << (k % 64)));
    if (missing || m->dup || m->bad || m->disorder)
        fprintf(stderr, "cap %zu: missing %llu dup %llu bad %llu disorder %llu\n", cap,
                (unsigned long long)missing, (unsigned long long)m->dup, (unsigned long long)m->bad,
                (unsigned long long)m->disorder);
    CHECK(missing == 0);
    CHECK(m->dup == 0);
    CHECK(m->bad == 0);
    CHECK(m->disorder == 0); /* each consumer sees each producer's values in order */
    pthread_mutex_destroy(&m->mu);
    ops->free(m->ch);
    free(m);
}

int
main(void) {
    test_buffered_fifo_and_close();
    test_unbuffered();
    test_mpmc(0);
    test_mpmc(1);
    test_mpmc(16);
    return check_result("naive_test");
}
