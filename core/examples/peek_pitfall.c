/* SPDX-License-Identifier: MIT */
/* Example 7: the peek pitfall. Channels have no peek. "Peeking" by receiving a value and
 * sending it back (a) moves it from the head to the tail, reordering the stream, and (b) when
 * producers keep the buffer full, the send-back finds the freed slot already taken and blocks
 * for ever: the consumer is the only one who would make room. We show (b) with a select
 * timeout instead of a hang. The fix (c): the consumer keeps a one-element lookahead of its
 * own and never sends back. */
#include <goc/goc.h>

#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#define MS ((int64_t)1000 * 1000)

static int failed;

/* Drain ch into out[], return how many. */
static int
drain(goc_chan *ch, int *out, int max) {
    int n = 0, v;
    while (n < max && goc_chan_try_recv(ch, &v) == GOC_OK)
        out[n++] = v;
    return n;
}

/* ---- (b) producers keep the buffer full ---------------------------------------------------- */

struct producer {
    goc_chan *ch;
    goc_ctx *ctx; /* cancelled to stop it */
    pthread_t thread;
};

static void *
producer_main(void *arg) {
    struct producer *p = arg;
    for (int v = 1;; v++) {
        goc_case cases[] = {GOC_SEND(p->ch, &v), GOC_RECV(goc_ctx_done(p->ctx), NULL)};
        if (goc_select(cases, 2, -1) == 1)
            return NULL;
    }
}

/* Wait (up to 10 s) until ch is full again. */
static bool
wait_full(goc_chan *ch) {
    time_t give_up = time(NULL) + 10;
    while (goc_chan_len(ch) < goc_chan_cap(ch)) {
        if (time(NULL) > give_up)
            return false;
        sched_yield();
    }
    return true;
}

/* ---- (c) a lookahead owned by the consumer ------------------------------------------------- */

struct peeker {
    goc_receiver in;
    bool has; /* next holds a value taken from the channel but not yet consumed */
    int next;
};

/* Look at the next value without consuming it: GOC_OK, or GOC_CLOSED at the end. */
static int
peek(struct peeker *p, int *v) {
    if (!p->has) {
        int rc = goc_recv(p->in, &p->next);
        if (rc != GOC_OK)
            return rc;
        p->has = true;
    }
    *v = p->next;
    return GOC_OK;
}

/* Consume the next value: the peeked one if there is one. */
static int
take(struct peeker *p, int *v) {
    if (p->has) {
        p->has = false;
        *v = p->next;
        return GOC_OK;
    }
    return goc_recv(p->in, v);
}

struct counter_src {
    goc_chan *ch;
    int n;
};

static void *
count_to(void *arg) {
    struct counter_src *s = arg;
    for (int v = 1; v <= s->n; v++)
        goc_chan_send(s->ch, &v);
    goc_chan_close(s->ch);
    return NULL;
}

int
main(void) {
    int v, out[16], n;

    printf("(a) Peek by receive-and-send-back reorders the channel.\n");
    goc_chan *ch = goc_chan_make(sizeof(int), 4);
    for (int i = 1; i <= 3; i++)
        goc_chan_send(ch, &i);
    printf("  channel holds 1 2 3; we receive the head to look at it, then send it back.\n");
    goc_chan_recv(ch, &v);
    goc_chan_send(ch, &v);
    n = drain(ch, out, 16);
    printf("  the channel now yields:");
    for (int i = 0; i < n; i++)
        printf(" %d", out[i]);
    printf("  (the peeked 1 moved to the tail)\n\n");
    if (n != 3 || out[0] != 2 || out[1] != 3 || out[2] != 1)
        failed = 1;
    goc_chan_free(ch);

    printf("(b) With producers keeping the buffer full, the send-back blocks.\n");
    struct producer p = {.ch = goc_chan_make(sizeof(int), 3),
                         .ctx = goc_ctx_with_cancel(goc_ctx_background())};
    pthread_create(&p.thread, NULL, producer_main, &p);
    if (!wait_full(p.ch))
        failed = 1;
    goc_chan_recv(p.ch, &v);
    printf("  buffer full (cap 3); we receive %d to peek at it...\n", v);
    if (!wait_full(p.ch)) /* the blocked producer takes the slot we freed */
        failed = 1;
    printf("  ...and the producer fills the freed slot at once (len %zu of %zu).\n",
           goc_chan_len(p.ch), goc_chan_cap(p.ch));
    goc_case put_back[] = {GOC_SEND(p.ch, &v)};
    int rc = goc_select(put_back, 1, 200 * MS);
    printf("  sending %d back with a 200 ms timeout -> %s\n", v, goc_strstatus(rc));
    printf("  A plain goc_chan_send would wait for ever: only this consumer makes room.\n\n");
    if (rc != GOC_TIMEDOUT)
        failed = 1;
    goc_ctx_cancel(p.ctx);
    pthread_join(p.thread, NULL);
    goc_ctx_free(p.ctx);
    goc_chan_free(p.ch);

    printf("(c) The fix: a one-element lookahead owned by the consumer.\n");
    struct counter_src src = {goc_chan_make(sizeof(int), 3), 6};
    pthread_t t;
    pthread_create(&t, NULL, count_to, &src);
    struct peeker pk = {.in = goc_chan_receiver(src.ch)};
    int last = 0, taken = 0;
    printf("  peek/take:");
    while (peek(&pk, &v) == GOC_OK) {
        int again;
        peek(&pk, &again); /* peeking twice shows the same value */
        take(&pk, &v);
        printf(" %d%s", v, again == v ? "" : "(!)");
        if (v != last + 1 || again != v)
            failed = 1;
        last = v;
        taken++;
    }
    printf("\n  %d values in their original order; nothing was ever sent back.\n", taken);
    if (taken != 6)
        failed = 1;
    pthread_join(t, NULL);
    goc_chan_free(src.ch);

    printf("\n%s\n", failed ? "Something above did not behave as described."
                            : "Never put a value back into a channel: keep it yourself.");
    return failed;
}
