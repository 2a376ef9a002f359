/* SPDX-License-Identifier: MIT */
/* The layout family: concurrent decomposition against parallel replication, for one service of
 * S stages that each do W of CPU work per item (work.h: calibrated CPU work, so a thread that
 * loses its core does not get its work done for free). The Go and crossbeam executors run all
 * three layouts too (impl=go: goroutines and Go channels; impl=crossbeam: threads and
 * crossbeam_channel::bounded), with the same shape, work chain, checks and thread order.
 *
 *   layout/pipeline/stages=S/work=W/impl=I
 *       a thread per stage, channels of capacity LAYOUT_CAP between stages; stage 0 makes the
 *       items, the last stage checks them (S threads; S=1 is one thread, no channel)
 *   layout/replicated/stages=S/work=W/threads=N/impl=goc
 *       N threads each run all S stages on their share of the items; no channel at all, so
 *       impl is only the name's key (the parallel baseline)
 *   layout/pool/stages=S/work=W/threads=T/impl=I
 *       a source thread sends the items on one channel of capacity LAYOUT_CAP; T workers pull
 *       them and run all S stages (many tasks over few threads when T exceeds the PUs)
 *
 * One operation is an item. Latency is per item, from its creation (stage 0 or the source)
 * to the end of its last stage, queueing included, for every item (two clock reads per item,
 * ~50 ns on virtual machines, small against S x W). Checks: every item arrives once, passes
 * every stage once (a per-item stage sum), and the pipeline keeps order. */
#include <stdlib.h>
#include <string.h>

#include <goc/goc.h>

#include "harness.h"
#include "ops.h"
#include "goc_ops.h"
#include "work.h"

/* The executors (bench/peers/go/layout.go, crossbeam/src/layout.rs) hold the same two. */
#define LAYOUT_CAP 16
#define LAYOUT_MAX_STAGES 16

struct item {
    uint64_t seq;
    int64_t t0;      /* creation time */
    uint64_t acc;    /* the work chain, carried from stage to stage */
    uint64_t stages; /* sum of (stage + 1) over the stages done */
};

/* One thread's tallies, on its own cache lines. */
struct layout_tally {
    uint64_t items, seq_sum, bad;
} __attribute__((aligned(128)));

struct layout {
    const struct chan_ops *ops;
    int stages, threads;
    uint64_t iters; /* work per stage */
    uint64_t n;
    void *ch[LAYOUT_MAX_STAGES]; /* pipeline: ch[s] from stage s to s+1; pool: ch[0] */
    struct layout_tally *tally;  /* one per thread */
};

static inline void
stage(const struct layout *L, struct item *it, int s) {
    it->acc = work_run(it->acc, L->iters);
    it->stages += (uint64_t)s + 1;
}

/* The end of an item: check it, count it, record its latency. */
static inline void
finish(const struct layout *L, struct item *it, struct layout_tally *ta, struct bench_thread *t) {
    bench_hist_record(t->hist, bench_now_ns() - it->t0);
    uint64_t want = (uint64_t)L->stages * (uint64_t)(L->stages + 1) / 2;
    ta->bad += it->stages != want;
    ta->items++;
    ta->seq_sum += it->seq;
}

static int
layout_setup(struct bench_run *r, struct layout *L, const struct chan_ops *ops, int threads) {
    work_calibrate();
    memset(L, 0, sizeof *L);
    L->ops = ops;
    L->stages = (int)bench_param_int(r->inst, "stages");
    L->iters = work_iters(bench_param_ns(r->inst, "work"));
    L->threads = threads;
    L->n = r->iters;
    if (L->stages < 1 || L->stages > LAYOUT_MAX_STAGES)
        return bench_fail(r, "stages=%d: 1 to %d", L->stages, LAYOUT_MAX_STAGES);
    L->tally = aligned_alloc(128, (size_t)threads * sizeof *L->tally);
    if (L->tally == NULL)
        return bench_fail(r, "out of memory");
    memset(L->tally, 0, (size_t)threads * sizeof *L->tally);
    return 0;
}

/* Check the tallies of all threads: n items, seq 0..n-1 once each (by their sum), no bad
 * item. */
static int
layout_check(struct bench_run *r, const struct layout *L) {
    uint64_t items = 0, sum = 0, bad = 0;
    for (int i = 0; i < L->threads; i++) {
        items += L->tally[i].items;
        sum += L->tally[i].seq_sum;
        bad += L->tally[i].bad;
    }
    uint64_t want = L->n * (L->n - 1) / 2;
    if (items != L->n || sum != want || bad != 0)
        return bench_fail(r,
                          "%llu of %llu items done (sequence sum %llu, expected %llu), %llu "
                          "with a stage missed or out of order",
                          (unsigned long long)items, (unsigned long long)L->n,
                          (unsigned long long)sum, (unsigned long long)want,
                          (unsigned long long)bad);
    bench_extra(r, "work_iters", (double)L->iters);
    return 0;
}

static void
layout_teardown(struct layout *L) {
    for (int s = 0; s < LAYOUT_MAX_STAGES; s++)
        if (L->ch[s] != NULL)
            L->ops->free(L->ch[s]);
    free(L->tally);
}

/* ---- pipeline --------------------------------------------------------------------------- */

static void
pipeline_stage(struct bench_thread *t) {
    struct layout *L = t->arg;
    int s = t->index, last = L->stages - 1;
    struct layout_tally *ta = &L->tally[s];
    struct item it;
    if (s == 0) {
        for (uint64_t i = 0; i < L->n; i++) {
            it = (struct item){.seq = i, .t0 = bench_now_ns(), .acc = i};
            stage(L, &it, 0);
            if (last == 0)
                finish(L, &it, ta, t);
            else if (L->ops->send(L->ch[0], &it) != GOC_OK)
                break;
        }
        if (last > 0)
            L->ops->close(L->ch[0]);
        return;
    }
    uint64_t expect = 0;
    while (L->ops->recv(L->ch[s - 1], &it) == GOC_OK) {
        stage(L, &it, s);
        if (s == last) {
            ta->bad += it.seq != expect;
            expect = it.seq + 1;
            finish(L, &it, ta, t);
        } else if (L->ops->send(L->ch[s], &it) != GOC_OK) {
            break;
        }
    }
    if (s < last)
        L->ops->close(L->ch[s]);
}

static int
pipeline_run(struct bench_run *r) {
    struct layout L;
    int stages = (int)bench_param_int(r->inst, "stages");
    if (layout_setup(r, &L, r->ops, stages) != 0)
        return -1;
    int rc = 0;
    for (int s = 0; s + 1 < L.stages && rc == 0; s++)
        if ((L.ch[s] = L.ops->make(sizeof(struct item), LAYOUT_CAP)) == NULL)
            rc = bench_fail(r, "cannot make channel %d", s);
    if (rc == 0)
        rc = bench_team_run_n(r, L.stages, pipeline_stage, &L);
    if (rc == 0)
        rc = layout_check(r, &L);
    layout_teardown(&L);
    return rc;
}

/* ---- replicated ------------------------------------------------------------------------- */

static void
replicated_worker(struct bench_thread *t) {
    struct layout *L = t->arg;
    struct layout_tally *ta = &L->tally[t->index];
    /* Thread i takes the items i, i+N, i+2N, ...: its share, in order. */
    for (uint64_t i = (uint64_t)t->index; i < L->n; i += (uint64_t)L->threads) {
        struct item it = {.seq = i, .t0 = bench_now_ns(), .acc = i};
        for (int s = 0; s < L->stages; s++)
            stage(L, &it, s);
        finish(L, &it, ta, t);
    }
}

static int
replicated_run(struct bench_run *r) {
    struct layout L;
    int threads = (int)bench_param_int(r->inst, "threads");
    if (layout_setup(r, &L, NULL, threads) != 0)
        return -1;
    int rc = bench_team_run_n(r, threads, replicated_worker, &L);
    if (rc == 0)
        rc = layout_check(r, &L);
    free(L.tally);
    return rc;
}

/* ---- pool ------------------------------------------------------------------------------- */

static void
pool_source(struct bench_thread *t) {
    struct layout *L = t->arg;
    for (uint64_t i = 0; i < L->n; i++) {
        struct item it = {.seq = i, .t0 = bench_now_ns(), .acc = i};
        if (L->ops->send(L->ch[0], &it) != GOC_OK)
            break;
    }
    L->ops->close(L->ch[0]);
}

static void
pool_worker(struct bench_thread *t) {
    struct layout *L = t->arg;
    struct layout_tally *ta = &L->tally[t->role_index];
    struct item it;
    while (L->ops->recv(L->ch[0], &it) == GOC_OK) {
        for (int s = 0; s < L->stages; s++)
            stage(L, &it, s);
        finish(L, &it, ta, t);
    }
}

static int
pool_run(struct bench_run *r) {
    struct layout L;
    int threads = (int)bench_param_int(r->inst, "threads");
    if (layout_setup(r, &L, r->ops, threads) != 0)
        return -1;
    int rc = 0;
    if ((L.ch[0] = L.ops->make(sizeof(struct item), LAYOUT_CAP)) == NULL)
        rc = bench_fail(r, "cannot make the channel");
    if (rc == 0) {
        struct bench_role roles[] = {{pool_source, &L, 1}, {pool_worker, &L, threads}};
        rc = bench_team_run(r, roles, 2);
    }
    if (rc == 0)
        rc = layout_check(r, &L);
    layout_teardown(&L);
    return rc;
}

/* ---- the family ------------------------------------------------------------------------- */

static const struct bench_impl chan_impls[] = {
    BENCH_IMPL("goc", &peer_goc_chan),
    BENCH_IMPL("naive", &peer_naive_chan),
    BENCH_EXECUTOR("go"),
    BENCH_EXECUTOR("crossbeam"),
    BENCH_IMPLS_END,
};

/* No channel: goc is the parallel baseline in C; go and crossbeam are each language's own
 * (goroutines on GOMAXPROCS threads; std threads), the line their pipeline and pool compare
 * with. */
static const struct bench_impl replicated_impls[] = {
    BENCH_IMPL("goc", NULL),
    BENCH_EXECUTOR("go"),
    BENCH_EXECUTOR("crossbeam"),
    BENCH_IMPLS_END,
};

/* Team sizes, in the thread order of run() (an executor is sent one PU per thread). */
static int
pipeline_threads(const struct bench_instance *inst) {
    return (int)bench_param_int(inst, "stages"); /* stage 0 first */
}

static int
replicated_threads(const struct bench_instance *inst) {
    return (int)bench_param_int(inst, "threads");
}

static int
pool_threads(const struct bench_instance *inst) {
    return (int)bench_param_int(inst, "threads") + 1; /* the source, then the workers */
}

static const struct bench_param pipeline_params[] = {
    {"stages", BENCH_PARAM_INT, BENCH_VALUES("1", "2", "4", "8"), BENCH_VALUES("4")},
    {"work", BENCH_PARAM_DURATION, BENCH_VALUES("100ns", "1us", "10us"), BENCH_VALUES("1us")},
    BENCH_PARAMS_END,
};

static const struct bench_param replicated_params[] = {
    {"stages", BENCH_PARAM_INT, BENCH_VALUES("1", "2", "4", "8"), BENCH_VALUES("4")},
    {"work", BENCH_PARAM_DURATION, BENCH_VALUES("100ns", "1us", "10us"), BENCH_VALUES("1us")},
    {"threads", BENCH_PARAM_THREADS, BENCH_VALUES("1", "2", "4", "pus", "2pus"),
     BENCH_VALUES("pus")},
    BENCH_PARAMS_END,
};

static const struct bench_param pool_params[] = {
    {"stages", BENCH_PARAM_INT, BENCH_VALUES("1", "2", "4", "8"), BENCH_VALUES("4")},
    {"work", BENCH_PARAM_DURATION, BENCH_VALUES("100ns", "1us", "10us"), BENCH_VALUES("1us")},
    {"threads", BENCH_PARAM_THREADS, BENCH_VALUES("1", "2", "4", "8", "pus", "2pus", "4pus"),
     BENCH_VALUES("pus", "4pus")},
    BENCH_PARAMS_END,
};

static const struct bench_scenario layout_scenarios[] = {
    {.name = "pipeline",
     .op = "item",
     .params = pipeline_params,
     .impls = chan_impls,
     .run = pipeline_run,
     .threads = pipeline_threads,
     .latency = true,
     .min_iters = 64},
    {.name = "replicated",
     .op = "item",
     .params = replicated_params,
     .impls = replicated_impls,
     .run = replicated_run,
     .threads = replicated_threads,
     .latency = true,
     .min_iters = 64},
    {.name = "pool",
     .op = "item",
     .params = pool_params,
     .impls = chan_impls,
     .run = pool_run,
     .threads = pool_threads,
     .latency = true,
     .min_iters = 64},
    BENCH_SCENARIOS_END,
};

const struct bench_family bench_layout = {
    .name = "layout",
    .summary = "pipeline (thread per stage) vs replicated (thread per share) vs worker pool",
    .scenarios = layout_scenarios,
};
