/* SPDX-License-Identifier: MIT */
/* Example 5: a worker cannot be killed from outside. A thread blocked in a channel receive
 * stays blocked until something it waits on happens, so every worker also waits on its
 * context's done channel in a select, and leaves when the context is cancelled or times out.
 * Cancelling a parent context reaches every worker's child context. */
#include <goc/goc.h>

#include <pthread.h>
#include <stdio.h>

#define MS ((int64_t)1000 * 1000)
#define WORKERS 3

struct worker {
    int id;
    goc_ctx *ctx;      /* this worker's own context, a child of the pool's */
    goc_chan *jobs;    /* shared; nobody closes it: the workers cannot learn "stop" from it */
    goc_waitgroup *wg; /* done when the worker leaves */
    int handled;
    int why; /* goc_ctx_err when it left */
    pthread_t thread;
};

static void *
worker_main(void *arg) {
    struct worker *w = arg;
    int job;
    for (;;) {
        goc_case cases[] = {GOC_RECV(w->jobs, &job), GOC_RECV(goc_ctx_done(w->ctx), NULL)};
        if (goc_select(cases, 2, -1) == 1)
            break; /* done is closed: cancelled, or past the deadline */
        w->handled++;
    }
    w->why = goc_ctx_err(w->ctx);
    goc_waitgroup_done(w->wg);
    return NULL;
}

struct waiter {
    goc_waitgroup *wg;
    goc_chan *finished;
};

static void *
waiter_main(void *arg) {
    struct waiter *a = arg;
    goc_waitgroup_wait(a->wg);
    goc_chan_close(a->finished);
    return NULL;
}

/* Wait until every worker has left, but never hang the example: give up after 10 s. */
static int
wait_workers(goc_waitgroup *wg) {
    struct waiter a = {wg, goc_chan_make(0, 0)};
    pthread_t t;
    pthread_create(&t, NULL, waiter_main, &a);
    goc_case c[] = {GOC_RECV(a.finished, NULL)};
    int rc = goc_select(c, 1, 10000 * MS);
    if (rc != 0)
        return rc; /* the helper thread and channel are left behind: we exit anyway */
    pthread_join(t, NULL);
    goc_chan_free(a.finished);
    return GOC_OK;
}

/* Start WORKERS workers, each with a child context of parent. */
static void
start(struct worker *w, goc_ctx *parent, goc_chan *jobs, goc_waitgroup *wg) {
    goc_waitgroup_add(wg, WORKERS);
    for (int i = 0; i < WORKERS; i++) {
        w[i] = (struct worker){.id = i, .ctx = goc_ctx_with_cancel(parent), .jobs = jobs, .wg = wg};
        pthread_create(&w[i].thread, NULL, worker_main, &w[i]);
    }
}

static int
finish(struct worker *w, int want) {
    int failed = 0;
    for (int i = 0; i < WORKERS; i++) {
        pthread_join(w[i].thread, NULL);
        printf("  worker %d handled %d jobs and left because: %s\n", w[i].id, w[i].handled,
               goc_strstatus(w[i].why));
        if (w[i].why != want)
            failed = 1;
        goc_ctx_free(w[i].ctx);
    }
    return failed;
}

int
main(void) {
    int failed = 0;
    goc_chan *jobs = goc_chan_make(sizeof(int), 0);
    goc_waitgroup wg = GOC_WAITGROUP_INIT;
    struct worker w[WORKERS];

    printf("1. Cancel: %d workers wait for jobs; we send 6, then cancel the pool's context.\n",
           WORKERS);
    goc_ctx *pool = goc_ctx_with_cancel(goc_ctx_background());
    start(w, pool, jobs, &wg);
    for (int i = 0; i < 6; i++)
        goc_chan_send(jobs, &i);
    printf("  All jobs taken; the workers now block in select with nothing to do.\n");
    goc_ctx_cancel(pool); /* closes pool's done and every child's */
    if (wait_workers(&wg) != GOC_OK) {
        printf("  FAILED: the workers did not leave.\n");
        return 1;
    }
    int handled = 0;
    for (int i = 0; i < WORKERS; i++)
        handled += w[i].handled;
    failed |= finish(w, GOC_CANCELED);
    printf("  %d jobs handled in all (expected 6).\n", handled);
    failed |= handled != 6;
    goc_ctx_free(pool);

    printf("\n2. Timeout: the same pool under a context with a 50 ms timeout; no jobs at all.\n");
    goc_ctx *timed = goc_ctx_with_timeout(goc_ctx_background(), 50 * MS);
    start(w, timed, jobs, &wg);
    if (wait_workers(&wg) != GOC_OK) {
        printf("  FAILED: the workers did not leave.\n");
        return 1;
    }
    failed |= finish(w, GOC_DEADLINE);
    goc_ctx_free(timed);
    goc_chan_free(jobs);

    printf("\n%s\n", failed ? "Something above did not behave as described."
                            : "No worker was killed: each one left by itself through its done "
                              "channel.");
    return failed;
}
