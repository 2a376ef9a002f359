/* SPDX-License-Identifier: MIT */
/* Thread teams and the outcome of one scenario call: pinning before the start gate, the
 * per-thread wall/CPU/rusage measurement, latency histograms, bench_fail/skip/extra. The
 * driver that calls scenarios is run.c. */
#define _GNU_SOURCE /* RUSAGE_THREAD */
#include "trial.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/resource.h>
#include <time.h>

#include "topology.h"
#include "util.h"

/* ---- trial ------------------------------------------------------------------------------ */

void
trial_init(struct bench_trial *t, const char *pin, bool latency) {
    memset(t, 0, sizeof *t);
    pthread_mutex_init(&t->lock, NULL);
    t->pin = pin;
    t->latency = latency;
    t->status = TRIAL_OK;
    t->relation = "unpinned";
}

void
trial_destroy(struct bench_trial *t) {
    pthread_mutex_destroy(&t->lock);
    free(t->pu_requested);
    free(t->pu_observed);
    bench_hist_free(t->lat);
    t->pu_requested = t->pu_observed = NULL;
    t->lat = NULL;
}

static void
set_status(struct bench_trial *t, enum trial_status st, const char *fmt, va_list ap) {
    pthread_mutex_lock(&t->lock);
    if (t->status == TRIAL_OK) {
        t->status = st;
        vsnprintf(t->msg, sizeof t->msg, fmt, ap);
    }
    pthread_mutex_unlock(&t->lock);
}

static void set_statusf(struct bench_trial *t, enum trial_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
set_statusf(struct bench_trial *t, enum trial_status st, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    set_status(t, st, fmt, ap);
    va_end(ap);
}

int
bench_fail(struct bench_run *r, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    set_status(r->trial, TRIAL_FAILED, fmt, ap);
    va_end(ap);
    return -1;
}

int
bench_skip(struct bench_run *r, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    set_status(r->trial, TRIAL_SKIPPED, fmt, ap);
    va_end(ap);
    return -1;
}

void
bench_extra(struct bench_run *r, const char *key, double value) {
    struct bench_trial *t = r->trial;
    for (int i = 0; i < t->nextra; i++)
        if (strcmp(t->extra[i].key, key) == 0) {
            t->extra[i].value = value;
            return;
        }
    if (t->nextra < TRIAL_MAX_EXTRA)
        t->extra[t->nextra++] = (struct trial_extra){key, value};
}

void
bench_set_ops(struct bench_run *r, uint64_t ops) {
    r->trial->ops_set = true;
    r->trial->ops = ops;
}

void
bench_set_elapsed_ns(struct bench_run *r, int64_t ns) {
    r->trial->elapsed_set = true;
    r->trial->elapsed_ns = ns;
}

uint64_t
bench_share(uint64_t total, int n, int i) {
    if (n <= 0)
        return 0;
    uint64_t un = (uint64_t)n;
    return total / un + ((uint64_t)i < total % un ? 1 : 0);
}

void
bench_spin_ns(int64_t ns) {
    if (ns <= 0)
        return;
    int64_t until = bench_now_ns() + ns;
    while (bench_now_ns() < until) {
    }
}

/* ---- teams ------------------------------------------------------------------------------ */

/* One worker's slot. Each sits on its own cache lines: the measurement fields are written by
 * their worker at its start and end, and false sharing would cost the neighbours. */
struct worker {
    struct bench_thread t;
    bench_worker_fn fn;
    struct team *team;
    pthread_t tid;
    int pu;
    int pu_observed;
    int64_t start_ns, end_ns;
    int64_t cpu0_ns, cpu1_ns;
    struct rusage ru0, ru1;
} __attribute__((aligned(128)));

struct team {
    struct worker *w;
    int n;
    /* The start gate. arrived: atomic RMW by each worker after pinning (acq_rel: the last
     * arriver thereby sees every earlier worker's pin_failed). go: release store by the last
     * arriver, acquire loads by the others, so after the gate every worker sees pin_failed.
     * abort: release store by the coordinator when the team cannot start; acquire loads. */
    atomic_int arrived;
    atomic_int go;
    atomic_int abort;
    atomic_int pin_failed; /* relaxed: published through arrived/go as above */
    struct bench_trial *trial;
};

static void *
worker_main(void *p) {
    struct worker *w = p;
    struct team *tm = w->team;
    if (w->pu >= 0) {
        char err[256];
        if (topo_pin_self(w->pu, err, sizeof err) != 0) {
            set_statusf(tm->trial, TRIAL_FAILED, "thread %d: %s", w->t.index, err);
            atomic_store_explicit(&tm->pin_failed, 1, memory_order_relaxed);
        }
    }
    int arrived = atomic_fetch_add_explicit(&tm->arrived, 1, memory_order_acq_rel) + 1;
    if (arrived == tm->n) {
        atomic_store_explicit(&tm->go, 1, memory_order_release);
    } else {
        while (!atomic_load_explicit(&tm->go, memory_order_acquire)) {
            if (atomic_load_explicit(&tm->abort, memory_order_acquire))
                return NULL;
            sched_yield(); /* threads may outnumber PUs: let the late ones get started */
        }
    }
    if (atomic_load_explicit(&tm->pin_failed, memory_order_relaxed))
        return NULL;

    getrusage(RUSAGE_THREAD, &w->ru0);
    w->cpu0_ns = bench_thread_cpu_ns();
    w->start_ns = bench_now_ns();
    w->fn(&w->t);
    w->end_ns = bench_now_ns();
    w->cpu1_ns = bench_thread_cpu_ns();
    getrusage(RUSAGE_THREAD, &w->ru1);
    w->pu_observed = topo_last_pu();
    return NULL;
}

int
bench_team_run(struct bench_run *r, const struct bench_role *roles, int nroles) {
    struct bench_trial *tr = r->trial;
    int n = 0;
    for (int i = 0; i < nroles; i++)
        n += roles[i].count > 0 ? roles[i].count : 0;
    if (n < 1)
        return bench_fail(r, "bench_team_run: a team needs at least one thread");

    int *plan = malloc((size_t)n * sizeof *plan);
    int *observed = malloc((size_t)n * sizeof *observed);
    struct worker *w = aligned_alloc(128, (size_t)n * sizeof *w);
    struct team tm = {.w = w, .n = n, .trial = tr};
    if (plan == NULL || observed == NULL || w == NULL) {
        free(plan);
        free(observed);
        free(w);
        return bench_fail(r, "out of memory for a team of %d threads", n);
    }
    atomic_init(&tm.arrived, 0);
    atomic_init(&tm.go, 0);
    atomic_init(&tm.abort, 0);
    atomic_init(&tm.pin_failed, 0);

    char err[256];
    if (topo_plan(tr->pin, n, plan, err, sizeof err) != 0) {
        free(plan);
        free(observed);
        free(w);
        return bench_skip(r, "--pin %s cannot place %d threads: %s", tr->pin, n, err);
    }

    memset(w, 0, (size_t)n * sizeof *w);
    int rc = 0;
    for (int ri = 0, idx = 0; ri < nroles; ri++) {
        for (int k = 0; k < roles[ri].count; k++, idx++) {
            w[idx].t = (struct bench_thread){.index = idx,
                                             .role_index = k,
                                             .nthreads = n,
                                             .arg = roles[ri].arg,
                                             .hist = NULL,
                                             .run = r};
            w[idx].fn = roles[ri].fn;
            w[idx].team = &tm;
            w[idx].pu = plan[idx];
            w[idx].pu_observed = -1;
            if (tr->latency && (w[idx].t.hist = bench_hist_new()) == NULL)
                rc = -1;
        }
    }
    if (rc != 0) {
        for (int i = 0; i < n; i++)
            bench_hist_free(w[i].t.hist);
        free(plan);
        free(observed);
        free(w);
        return bench_fail(r, "out of memory for %d latency histograms", n);
    }

    /* Workers start with SIGINT/SIGTERM blocked: the run() thread takes them, and the driver
     * stops between repetitions. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    int started = 0;
    for (; started < n; started++) {
        int e = pthread_create(&w[started].tid, NULL, worker_main, &w[started]);
        if (e != 0) {
            set_statusf(tr, TRIAL_FAILED, "cannot start thread %d of %d: %s", started + 1, n,
                        strerror(e));
            atomic_store_explicit(&tm.abort, 1, memory_order_release);
            rc = -1;
            break;
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    for (int i = 0; i < started; i++)
        pthread_join(w[i].tid, NULL);
    if (rc == 0 && atomic_load_explicit(&tm.pin_failed, memory_order_relaxed))
        rc = -1;

    if (rc == 0) {
        int64_t first = w[0].start_ns, last = w[0].end_ns;
        for (int i = 0; i < n; i++) {
            first = w[i].start_ns < first ? w[i].start_ns : first;
            last = w[i].end_ns > last ? w[i].end_ns : last;
            tr->cpu_ns += w[i].cpu1_ns - w[i].cpu0_ns;
            tr->vcsw += w[i].ru1.ru_nvcsw - w[i].ru0.ru_nvcsw;
            tr->ivcsw += w[i].ru1.ru_nivcsw - w[i].ru0.ru_nivcsw;
            observed[i] = w[i].pu_observed;
            if (w[i].t.hist != NULL) {
                if (tr->lat == NULL)
                    tr->lat = bench_hist_new();
                if (tr->lat != NULL)
                    bench_hist_merge(tr->lat, w[i].t.hist);
            }
        }
        tr->wall_ns += last - first;
        tr->teams++;
        free(tr->pu_requested);
        free(tr->pu_observed);
        tr->nthreads = n;
        tr->pu_requested = plan;
        tr->pu_observed = observed;
        tr->relation = topo_relation(plan, n);
        plan = observed = NULL;
    }
    for (int i = 0; i < n; i++)
        bench_hist_free(w[i].t.hist);
    free(plan);
    free(observed);
    free(w);
    return rc;
}

int
bench_team_run_n(struct bench_run *r, int n, bench_worker_fn fn, void *arg) {
    struct bench_role role = {fn, arg, n};
    return bench_team_run(r, &role, 1);
}
