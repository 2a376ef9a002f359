/* SPDX-License-Identifier: MIT */
/* Example 4: who owns a channel. The owner makes it, is the only one that sends and closes
 * it, and (in C) frees it once nobody uses it. Two shapes:
 *   - a generator that makes its channel, returns only the receiving side, and closes it when
 *     it runs out: the consumer just ranges until close;
 *   - a worker that is handed channels by its caller: it never closes the input (the caller
 *     owns it and closes it to say "no more work") and reports back on a second channel. */
#include <goc/goc.h>

#include <pthread.h>
#include <stdio.h>

/* ---- A generator: owns its channel -------------------------------------------------------- */

struct generator {
    goc_chan *ch; /* made, written and closed by the generator thread's code only */
    pthread_t thread;
    int n;
};

static void *
generator_main(void *arg) {
    struct generator *g = arg;
    goc_sender out = goc_chan_sender(g->ch);
    for (int i = 0; i < g->n; i++) {
        int sq = i * i;
        goc_send(out, &sq);
    }
    goc_close(out); /* the owner says: no more values */
    return NULL;
}

/* Start a generator of the first n squares; the caller gets only a receive handle. */
static goc_receiver
squares_start(struct generator *g, int n) {
    g->ch = goc_chan_make(sizeof(int), 4);
    g->n = n;
    pthread_create(&g->thread, NULL, generator_main, g);
    return goc_chan_receiver(g->ch);
}

/* Once the consumer has seen the close: the generator is done, free its channel. */
static void
squares_finish(struct generator *g) {
    pthread_join(g->thread, NULL);
    goc_chan_free(g->ch);
}

/* ---- A worker: handed its channels -------------------------------------------------------- */

struct report {
    int jobs;
    long total;
};

struct worker {
    goc_receiver jobs;  /* owned by the caller, who closes it */
    goc_sender reports; /* owned by the caller; the worker sends one report */
    pthread_t thread;
};

static void *
worker_main(void *arg) {
    struct worker *w = arg;
    struct report r = {0, 0};
    int job;
    GOC_RANGE(w->jobs, &job) {
        r.jobs++;
        r.total += job;
    }
    goc_send(w->reports, &r); /* report back; the caller closes nothing of ours */
    return NULL;
}

int
main(void) {
    int failed = 0;

    printf("1. A generator owns its channel: it makes, sends, closes; we only receive.\n  ");
    struct generator g;
    goc_receiver squares = squares_start(&g, 8);
    int v, count = 0;
    long sum = 0;
    GOC_RANGE(squares, &v) {
        printf("%d ", v);
        sum += v;
        count++;
    }
    squares_finish(&g);
    printf("\n  %d values, sum %ld, then the generator's close ended our loop.\n\n", count, sum);
    if (count != 8 || sum != 140)
        failed = 1;

    printf("2. A worker is handed channels: we own the jobs channel and close it when the\n"
           "   work is all sent; the worker answers on a second channel we also own.\n");
    goc_chan *jobs = goc_chan_make(sizeof(int), 16);
    goc_chan *reports = goc_chan_make(sizeof(struct report), 0);
    struct worker w = {.jobs = goc_chan_receiver(jobs), .reports = goc_chan_sender(reports)};
    pthread_create(&w.thread, NULL, worker_main, &w);
    for (int i = 1; i <= 10; i++)
        goc_chan_send(jobs, &i);
    goc_chan_close(jobs); /* our channel, our close: "no more jobs" */
    struct report r;
    goc_chan_recv(reports, &r);
    pthread_join(w.thread, NULL);
    printf("  the worker reports %d jobs, total %ld (expected 10 and 55).\n", r.jobs, r.total);
    if (r.jobs != 10 || r.total != 55)
        failed = 1;
    goc_chan_free(jobs);
    goc_chan_free(reports);

    printf("\n%s\n", failed ? "Something above did not behave as described."
                            : "Rule: only the owner closes, and the owner is whoever made the "
                              "channel.");
    return failed;
}
