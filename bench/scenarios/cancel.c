/* SPDX-License-Identifier: MIT */
/* The cancel family: how long a cancellation takes to reach blocked workers.
 *
 *   cancel/done/workers=N/impl=I
 *       N workers block in a goc_select over their own (idle) work channel and a context's
 *       done case, as a worker goroutine does; one operation is a cancel round: the time from
 *       goc_ctx_cancel until the last of the N workers has returned through its done case
 *
 * impl=pthread is the kernel's floor for waking N blocked threads at once: the workers block
 * in pthread_cond_wait on one condition variable instead of a select, and the cancel is one
 * pthread_cond_broadcast (glibc wakes them all with one futex call). No library that parks
 * threads can wake N of them faster; its rows' impl_note says what it is.
 *
 * The executors run the same rounds (bench/peers/go/cancel.go, crossbeam/src/cancel.rs): Go
 * cancels a context.WithCancel whose Done channel N goroutines wait on in a select beside their
 * idle channel; crossbeam, which has no context, drops the one Sender of a done channel N
 * threads wait on in select! (the disconnection wakes them all); its rows' impl_note says so.
 *
 * A round: the coordinator makes a context, releases the workers (a condition variable,
 * outside the timed part), waits until all N have announced they are about to block, lets
 * them settle for CANCEL_SETTLE_NS so they have parked rather than spin, then reads the clock
 * and cancels. Each worker, back from its select, counts itself; the last one reads the clock.
 * The row's time is the sum of those cancel-to-last-return intervals (bench_set_elapsed_ns),
 * so ns/op is the mean round, and every round is a sample of latency_ns. CPU time and context
 * switches cover the whole team run, set-up of the rounds included. Checks: every worker
 * returns from every round, through the done case, which reports its channel closed. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <goc/goc.h>

#include "harness.h"

#define CANCEL_SETTLE_NS 50000 /* 50 us: well past libgoc's spin-then-park window (~10 us) */

/* What a worker blocks in and the coordinator cancels (the impl's ops). */
enum cancel_kind {
    CANCEL_GOC,     /* a goc_select over the idle channel and the context's done channel */
    CANCEL_CONDVAR, /* pthread_cond_wait on done_cv until done_gen reaches the round */
};
static const enum cancel_kind kind_goc = CANCEL_GOC, kind_condvar = CANCEL_CONDVAR;

struct cancel_bench {
    enum cancel_kind kind;
    int workers;
    uint64_t rounds;
    goc_chan *idle; /* nothing is ever sent on it: the worker's work channel */
    /* The current round, published under mu. */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint64_t gen; /* round number, 0 before the first */
    bool stop;
    goc_ctx *ctx;
    /* CANCEL_CONDVAR: the last round cancelled, under done_mu. */
    pthread_mutex_t done_mu;
    pthread_cond_t done_cv;
    uint64_t done_gen;
    /* Per round; reset by the coordinator before it publishes the round. */
    _Alignas(128) atomic_int armed;    /* workers about to block in their select */
    _Alignas(128) atomic_int returned; /* workers back through their done case */
    _Alignas(128) atomic_llong end_ns; /* the last worker's return time */
    atomic_ullong wrong;               /* selects that returned anything but a closed done */
    int64_t total_ns;                  /* coordinator: sum of the rounds */
};

static void
settle(int64_t ns) {
    struct timespec ts = {.tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000};
    nanosleep(&ts, NULL);
}

static void
cancel_coordinator(struct bench_thread *t) {
    struct cancel_bench *cb = t->arg;
    for (uint64_t r = 0; r < cb->rounds; r++) {
        /* The condvar arm has no context: its workers never look at one. */
        goc_ctx *ctx = NULL;
        if (cb->kind == CANCEL_GOC && (ctx = goc_ctx_with_cancel(goc_ctx_background())) == NULL) {
            bench_fail(t->run, "round %llu: cannot make a context", (unsigned long long)r);
            break;
        }
        atomic_store_explicit(&cb->armed, 0, memory_order_relaxed);
        atomic_store_explicit(&cb->returned, 0, memory_order_relaxed);
        atomic_store_explicit(&cb->end_ns, 0, memory_order_relaxed);
        pthread_mutex_lock(&cb->mu);
        cb->ctx = ctx;
        cb->gen++;
        pthread_cond_broadcast(&cb->cv);
        pthread_mutex_unlock(&cb->mu);
        while (atomic_load_explicit(&cb->armed, memory_order_acquire) < cb->workers)
            sched_yield(); /* workers may outnumber PUs: let them run */
        settle(CANCEL_SETTLE_NS);
        int64_t t0 = bench_now_ns();
        if (cb->kind == CANCEL_GOC) {
            goc_ctx_cancel(ctx);
        } else {
            pthread_mutex_lock(&cb->done_mu);
            cb->done_gen = r + 1; /* the round's gen */
            pthread_cond_broadcast(&cb->done_cv);
            pthread_mutex_unlock(&cb->done_mu);
        }
        while (atomic_load_explicit(&cb->returned, memory_order_acquire) < cb->workers)
            sched_yield();
        int64_t d = atomic_load_explicit(&cb->end_ns, memory_order_relaxed) - t0;
        bench_hist_record(t->hist, d);
        cb->total_ns += d;
        if (ctx != NULL)
            goc_ctx_free(ctx); /* every worker is done with it */
    }
    pthread_mutex_lock(&cb->mu);
    cb->stop = true;
    pthread_cond_broadcast(&cb->cv);
    pthread_mutex_unlock(&cb->mu);
}

static void
cancel_worker(struct bench_thread *t) {
    struct cancel_bench *cb = t->arg;
    uint64_t seen = 0;
    uint64_t v;
    for (;;) {
        pthread_mutex_lock(&cb->mu);
        while (cb->gen == seen && !cb->stop)
            pthread_cond_wait(&cb->cv, &cb->mu);
        if (cb->stop) {
            pthread_mutex_unlock(&cb->mu);
            break;
        }
        seen = cb->gen;
        goc_ctx *ctx = cb->ctx;
        pthread_mutex_unlock(&cb->mu);

        if (cb->kind == CANCEL_GOC) {
            goc_case cs[2] = {GOC_RECV(cb->idle, &v), GOC_RECV(goc_ctx_done(ctx), NULL)};
            atomic_fetch_add_explicit(&cb->armed, 1, memory_order_release);
            int i = goc_select(cs, 2, -1);
            if (i != 1 || cs[1].ok)
                atomic_fetch_add_explicit(&cb->wrong, 1, memory_order_relaxed);
        } else {
            pthread_mutex_lock(&cb->done_mu);
            atomic_fetch_add_explicit(&cb->armed, 1, memory_order_release);
            while (cb->done_gen < seen)
                pthread_cond_wait(&cb->done_cv, &cb->done_mu);
            if (cb->done_gen != seen) /* a later round's cancel: rounds got mixed up */
                atomic_fetch_add_explicit(&cb->wrong, 1, memory_order_relaxed);
            pthread_mutex_unlock(&cb->done_mu);
        }
        /* end_ns becomes the latest return time (a max, since the worker that counts itself
         * last need not be the last to read the clock); published by the release below. */
        long long now = bench_now_ns();
        long long prev = atomic_load_explicit(&cb->end_ns, memory_order_relaxed);
        while (now > prev &&
               !atomic_compare_exchange_weak_explicit(&cb->end_ns, &prev, now, memory_order_relaxed,
                                                      memory_order_relaxed)) {
        }
        atomic_fetch_add_explicit(&cb->returned, 1, memory_order_release);
    }
}

static int
cancel_run(struct bench_run *r) {
    int workers = (int)bench_param_int(r->inst, "workers");
    struct cancel_bench *cb = aligned_alloc(128, sizeof *cb);
    if (cb == NULL)
        return bench_fail(r, "out of memory");
    memset(cb, 0, sizeof *cb);
    cb->kind = *(const enum cancel_kind *)r->ops;
    cb->workers = workers;
    cb->rounds = r->iters;
    pthread_mutex_init(&cb->mu, NULL);
    pthread_cond_init(&cb->cv, NULL);
    pthread_mutex_init(&cb->done_mu, NULL);
    pthread_cond_init(&cb->done_cv, NULL);
    atomic_init(&cb->armed, 0);
    atomic_init(&cb->returned, 0);
    atomic_init(&cb->end_ns, 0);
    atomic_init(&cb->wrong, 0);
    int rc = 0;
    if ((cb->idle = goc_chan_make(sizeof(uint64_t), 0)) == NULL)
        rc = bench_fail(r, "cannot make a channel");
    if (rc == 0) {
        struct bench_role roles[] = {{cancel_coordinator, cb, 1}, {cancel_worker, cb, workers}};
        rc = bench_team_run(r, roles, 2);
    }
    if (rc == 0) {
        uint64_t wrong = atomic_load(&cb->wrong);
        if (wrong != 0)
            rc = bench_fail(r,
                            "%llu of %llu worker wake-ups did not come through a closed "
                            "done case (or, pthread, this round's broadcast)",
                            (unsigned long long)wrong, (unsigned long long)(r->iters * workers));
        else
            bench_set_elapsed_ns(r, cb->total_ns > 0 ? cb->total_ns : 1);
    }
    goc_chan_free(cb->idle);
    pthread_cond_destroy(&cb->cv);
    pthread_mutex_destroy(&cb->mu);
    pthread_cond_destroy(&cb->done_cv);
    pthread_mutex_destroy(&cb->done_mu);
    free(cb);
    return rc;
}

static const struct bench_impl cancel_impls[] = {
    BENCH_IMPL("goc", &kind_goc),
    BENCH_IMPL_NOTE("pthread", &kind_condvar,
                    "the kernel's floor: the workers wait on one pthread_cond_t (no select, no "
                    "idle channel), cancel is one pthread_cond_broadcast"),
    BENCH_EXECUTOR("go"),
    BENCH_EXECUTOR_NOTE("crossbeam",
                        "no context in Rust: cancel is dropping the Sender of a done channel "
                        "(crossbeam_channel::bounded(0)) the workers wait on in select!"),
    BENCH_IMPLS_END,
};

/* The coordinator, then the workers (an executor is sent one PU per thread, in this order). */
static int
cancel_threads(const struct bench_instance *inst) {
    return (int)bench_param_int(inst, "workers") + 1;
}

static const struct bench_param cancel_params[] = {
    {"workers", BENCH_PARAM_INT, BENCH_VALUES("1", "2", "4", "8", "16", "32", "64"),
     BENCH_VALUES("1", "8", "64")},
    BENCH_PARAMS_END,
};

static const struct bench_scenario cancel_scenarios[] = {
    {.name = "done",
     .op = "cancel",
     .params = cancel_params,
     .impls = cancel_impls,
     .run = cancel_run,
     .threads = cancel_threads,
     .latency = true,
     .min_iters = 1,
     .max_iters = 500},
    BENCH_SCENARIOS_END,
};

const struct bench_family bench_cancel = {
    .name = "cancel",
    .summary = "goc_ctx_cancel until N workers blocked in a select have returned",
    .scenarios = cancel_scenarios,
};
