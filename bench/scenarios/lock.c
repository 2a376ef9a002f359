/* SPDX-License-Identifier: MIT */
/* The lock family: goc_mutex and goc_rwmutex against pthread_mutex_t / pthread_rwlock_t and a
 * test-and-test-and-set spinlock (bench/peers/), and (mutex, rw) against Go's sync.Mutex and
 * sync.RWMutex and Rust's std::sync::Mutex and RwLock in the executors, under T threads; and,
 * when built with libck, Concurrency Kit's spinning locks (bench/peers/ck.c): impl=ck is
 * ck_spinlock_mcs on mutex, ck_rwlock on rw (both on counter), impl=ck.br ck_brlock on rw.
 *
 *   lock/mutex/threads=T/cs=N/impl=I           every operation takes the lock
 *   lock/rw/threads=T/read=R/cs=N/impl=I       R % of operations take the read lock
 *   lock/counter/threads=T/read=R/lock=L/impl=I
 *       the map-backed counter of Go's sync examples (SafeCounter: a string-keyed map of
 *       counts behind a mutex, L=mutex, or a reader/writer lock, L=rw): R % of operations
 *       read a count, the rest increment one
 *
 * One operation is a lock+unlock pair with N ns of calibrated CPU work inside (work.h: the Go
 * peer's multiply-add chain, 0/100/1000 ns as in docs/results-format.md) and LOCK_OUTSIDE_NS
 * of work outside, so a released lock is not always retaken by the thread that released it.
 * Threads take operations from a shared counter in batches of LOCK_GRAIN, so they all finish
 * together (an even split would leave the slowest running alone at the end). The spin impl is
 * exclusive: its read lock is its lock, which is the baseline a reader/writer lock must beat.
 *
 * Every thread times one lock acquisition in LOCK_SAMPLE_EVERY (two clock reads, about
 * 3 ns per operation on average): those waits are the row's latency_ns, and the longest is
 * extra.max_wait_ns (starvation). extra.share_min / share_max are the smallest and largest
 * fraction of the operations one thread did (1/T each when fair). Checks: the guarded counter
 * equals the operations done (mutex); readers never see a half-done write and the write count
 * matches (rw); the map's counts equal the increments every thread made (counter). */
#define _GNU_SOURCE
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <goc/goc.h>

#include "ck_peer.h"
#include "harness.h"
#include "ops.h"
#include "work.h"

#define LOCK_GRAIN 64
#define LOCK_OUTSIDE_NS 50
#define LOCK_SAMPLE_EVERY 16
#define LOCK_ALIGN 128

/* ---- goc behind struct lock_ops --------------------------------------------------------- */

/* Room for either goc lock (a goc_rwmutex holds a goc_mutex, so it is the larger), rounded up
 * to LOCK_ALIGN (aligned_alloc wants a multiple). */
#define GOC_LOCK_SIZE ((sizeof(goc_rwmutex) + LOCK_ALIGN - 1) / LOCK_ALIGN * LOCK_ALIGN)

static void *
goc_lock_make(void) {
    /* goc_mutex and goc_rwmutex are ready when zero-filled, as in Go. */
    void *p = aligned_alloc(LOCK_ALIGN, GOC_LOCK_SIZE);
    if (p != NULL)
        memset(p, 0, GOC_LOCK_SIZE);
    return p;
}

static void
goc_lock_free(void *l) {
    free(l);
}

static void
goc_mutex_lock_op(void *l) {
    goc_mutex_lock(l);
}

static void
goc_mutex_unlock_op(void *l) {
    goc_mutex_unlock(l);
}

static void
goc_rw_lock_op(void *l) {
    goc_rwmutex_lock(l);
}

static void
goc_rw_unlock_op(void *l) {
    goc_rwmutex_unlock(l);
}

static void
goc_rw_rlock_op(void *l) {
    goc_rwmutex_rlock(l);
}

static void
goc_rw_runlock_op(void *l) {
    goc_rwmutex_runlock(l);
}

static const struct lock_ops goc_mutex_ops = {
    .make = goc_lock_make,
    .lock = goc_mutex_lock_op,
    .unlock = goc_mutex_unlock_op,
    .rlock = goc_mutex_lock_op,
    .runlock = goc_mutex_unlock_op,
    .free = goc_lock_free,
};

static const struct lock_ops goc_rwmutex_ops = {
    .make = goc_lock_make,
    .lock = goc_rw_lock_op,
    .unlock = goc_rw_unlock_op,
    .rlock = goc_rw_rlock_op,
    .runlock = goc_rw_runlock_op,
    .free = goc_lock_free,
};

/* ck's locks spin and never sleep; without libck, impl=ck and ck.br are still known, and
 * skipped with the reason when --impl names them. */
#if CHANBENCH_HAVE_CK
#define CK_LOCK(name, ops, note) BENCH_IMPL_NOTE(name, ops, note)
#else
#define CK_LOCK(name, ops, note) BENCH_IMPL_MISSING(name, CHANBENCH_CK_MISSING)
#endif
#define CK_MCS_NOTE                                                                                \
    "ck_spinlock_mcs: a FIFO queue spinlock, spins and never sleeps; at most one thread per PU"
#define CK_RW_NOTE "ck_rwlock: spins and never sleeps"

static const struct bench_impl mutex_impls[] = {
    BENCH_IMPL("goc", &goc_mutex_ops),
    BENCH_IMPL("pthread", &peer_pthread_mutex),
    BENCH_IMPL("spin", &peer_spin_lock),
    CK_LOCK("ck", &peer_ck_mcs, CK_MCS_NOTE),
    BENCH_EXECUTOR("go"),
    BENCH_EXECUTOR("crossbeam"),
    BENCH_IMPLS_END,
};

static const struct bench_impl rw_impls[] = {
    BENCH_IMPL("goc", &goc_rwmutex_ops),
    BENCH_IMPL("pthread", &peer_pthread_rwlock),
    BENCH_IMPL("spin", &peer_spin_lock),
    CK_LOCK("ck", &peer_ck_rwlock, CK_RW_NOTE),
    CK_LOCK("ck.br", &peer_ck_brlock,
            "ck_brlock: a big-reader lock (a counter per reader thread), spins and never sleeps"),
    BENCH_EXECUTOR("go"),
    BENCH_EXECUTOR("crossbeam"),
    BENCH_IMPLS_END,
};

/* counter: the impl's exclusive lock and its reader/writer lock; lock=L picks one. */
struct lock_pair {
    const struct lock_ops *mutex, *rw;
};

static const struct lock_pair goc_pair = {&goc_mutex_ops, &goc_rwmutex_ops};
static const struct lock_pair pthread_pair = {&peer_pthread_mutex, &peer_pthread_rwlock};
static const struct lock_pair spin_pair = {&peer_spin_lock, NULL};
#if CHANBENCH_HAVE_CK
static const struct lock_pair ck_pair = {&peer_ck_mcs, &peer_ck_rwlock};
#endif

static const struct bench_impl counter_impls[] = {
    BENCH_IMPL("goc", &goc_pair),
    BENCH_IMPL("pthread", &pthread_pair),
    BENCH_IMPL("spin", &spin_pair),
    CK_LOCK("ck", &ck_pair, "lock=mutex: " CK_MCS_NOTE "; lock=rw: " CK_RW_NOTE),
    BENCH_IMPLS_END,
};

/* ---- shared machinery ------------------------------------------------------------------- */

/* One thread's tallies, on its own cache lines. */
struct lock_worker {
    uint64_t ops, reads, writes;
    uint64_t x; /* the work chain's result, kept so the work is not dead code */
    uint64_t bad;
    uint64_t rng;
    int64_t max_wait;   /* longest sampled acquisition, ns */
    uint64_t *key_incs; /* counter: increments per key */
    uint64_t *key_seen; /* counter: the last count read per key */
} __attribute__((aligned(LOCK_ALIGN)));

struct lock_bench {
    const struct lock_ops *ops;
    void *lock;
    int threads;
    int read_pct; /* 0..100; the mutex scenario uses 0 */
    uint64_t cs_iters, out_iters;
    uint64_t n;
    struct lock_worker *w;
    struct safe_counter *map;                       /* counter scenario */
    _Alignas(LOCK_ALIGN) atomic_uint_fast64_t next; /* next unclaimed operation */
    /* Guarded by lock. */
    _Alignas(LOCK_ALIGN) uint64_t counter;
    uint64_t a, b;
};

/* Claim the next batch of operations: [*s, *e); false when none are left. */
static bool
claim(struct lock_bench *lb, uint64_t *s, uint64_t *e) {
    uint64_t start = atomic_fetch_add_explicit(&lb->next, LOCK_GRAIN, memory_order_relaxed);
    if (start >= lb->n)
        return false;
    *s = start;
    *e = start + LOCK_GRAIN < lb->n ? start + LOCK_GRAIN : lb->n;
    return true;
}

static inline uint64_t
xorshift(uint64_t *s) {
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *s = x;
    return x;
}

/* True for a read operation: read_pct % of them. */
static inline bool
is_read(struct lock_worker *w, int read_pct) {
    if (read_pct <= 0)
        return false;
    if (read_pct >= 100)
        return true;
    return (int)(((xorshift(&w->rng) >> 32) * 100) >> 32) < read_pct;
}

/* Take the lock (read or write), timing one acquisition in LOCK_SAMPLE_EVERY into the
 * thread's histogram and its longest wait. */
static inline void
acquire(const struct lock_ops *ops, void *l, bool read, uint64_t k, struct bench_thread *t,
        struct lock_worker *w) {
    if (k % LOCK_SAMPLE_EVERY == 0) {
        int64_t t0 = bench_now_ns();
        (read ? ops->rlock : ops->lock)(l);
        int64_t d = bench_now_ns() - t0;
        bench_hist_record(t->hist, d);
        w->max_wait = d > w->max_wait ? d : w->max_wait;
    } else {
        (read ? ops->rlock : ops->lock)(l);
    }
}

/* Fill in the thread counts and work sizes; make the lock. */
static int
lock_setup(struct bench_run *r, struct lock_bench *lb, const struct lock_ops *ops, int threads,
           int read_pct, int64_t cs_ns) {
    work_calibrate();
    memset(lb, 0, sizeof *lb);
    lb->ops = ops;
    lb->threads = threads;
    lb->read_pct = read_pct;
    lb->cs_iters = work_iters(cs_ns);
    lb->out_iters = work_iters(LOCK_OUTSIDE_NS);
    lb->n = r->iters;
    atomic_init(&lb->next, 0);
    lb->w = aligned_alloc(LOCK_ALIGN, (size_t)threads * sizeof *lb->w);
    lb->lock = ops->make();
    if (lb->w == NULL || lb->lock == NULL) {
        free(lb->w);
        if (lb->lock != NULL)
            ops->free(lb->lock);
        return bench_fail(r, "out of memory for %d threads", threads);
    }
    memset(lb->w, 0, (size_t)threads * sizeof *lb->w);
    for (int i = 0; i < threads; i++) {
        lb->w[i].x = 1;
        lb->w[i].rng = 0x9E3779B97F4A7C15ull * (uint64_t)(i + 1);
    }
    return 0;
}

static void
lock_teardown(struct lock_bench *lb) {
    lb->ops->free(lb->lock);
    free(lb->w);
}

/* The extras every scenario of the family reports; after the team. */
static void
lock_extras(struct bench_run *r, struct lock_bench *lb) {
    uint64_t min = UINT64_MAX, max = 0;
    int64_t max_wait = 0;
    for (int i = 0; i < lb->threads; i++) {
        min = lb->w[i].ops < min ? lb->w[i].ops : min;
        max = lb->w[i].ops > max ? lb->w[i].ops : max;
        max_wait = lb->w[i].max_wait > max_wait ? lb->w[i].max_wait : max_wait;
    }
    bench_extra(r, "share_min", (double)min / (double)lb->n);
    bench_extra(r, "share_max", (double)max / (double)lb->n);
    bench_extra(r, "max_wait_ns", (double)max_wait);
    bench_extra(r, "cs_iters", (double)lb->cs_iters);
    bench_extra(r, "outside_ns", LOCK_OUTSIDE_NS);
    bench_extra(r, "latency_sample_every", LOCK_SAMPLE_EVERY);
}

static bool
threads_valid(const struct bench_instance *inst) {
    return bench_threads_fit(inst, "threads");
}

/* ck's MCS lock hands the lock to the next waiter in line, which spins and never yields:
 * with more threads than PUs that waiter is often not running, and every handoff waits for
 * the scheduler (a 4-thread row on 2 PUs did not finish calibrating in a minute). So
 * impl=ck's exclusive lock has no rows beyond the PUs; its rw locks (no queue) keep theirs. */
static bool
ck_mcs_fits(const struct bench_instance *inst) {
    return strcmp(bench_impl_name(inst), "ck") != 0 ||
           bench_param_int(inst, "threads") <= bench_allowed_pus();
}

static bool
mutex_valid(const struct bench_instance *inst) {
    return threads_valid(inst) && ck_mcs_fits(inst);
}

static int
lock_threads(const struct bench_instance *inst) {
    return (int)bench_param_int(inst, "threads");
}

/* ---- mutex ------------------------------------------------------------------------------ */

static void
mutex_worker(struct bench_thread *t) {
    struct lock_bench *lb = t->arg;
    struct lock_worker *w = &lb->w[t->index];
    const struct lock_ops *ops = lb->ops;
    uint64_t x = w->x, ops_done = 0, s, e;
    while (claim(lb, &s, &e)) {
        for (uint64_t i = s; i < e; i++) {
            acquire(ops, lb->lock, false, ops_done, t, w);
            lb->counter++;
            x = work_run(x, lb->cs_iters);
            ops->unlock(lb->lock);
            x = work_run(x, lb->out_iters);
            ops_done++;
        }
    }
    w->x = x;
    w->ops = ops_done;
}

static int
mutex_run(struct bench_run *r) {
    int threads = (int)bench_param_int(r->inst, "threads");
    int64_t cs = bench_param_int(r->inst, "cs");
    struct lock_bench lb;
    if (lock_setup(r, &lb, r->ops, threads, 0, cs) != 0)
        return -1;
    int rc = bench_team_run_n(r, threads, mutex_worker, &lb);
    if (rc == 0) {
        uint64_t total = 0;
        for (int i = 0; i < threads; i++)
            total += lb.w[i].ops;
        if (lb.counter != lb.n || total != lb.n)
            rc = bench_fail(r,
                            "counter %llu and %llu operations counted by threads after %llu "
                            "lock operations",
                            (unsigned long long)lb.counter, (unsigned long long)total,
                            (unsigned long long)lb.n);
        else
            lock_extras(r, &lb);
    }
    lock_teardown(&lb);
    return rc;
}

static const struct bench_param mutex_params[] = {
    {"threads", BENCH_PARAM_THREADS, BENCH_VALUES("1", "2", "4", "8", "16", "32", "pus", "2pus"),
     BENCH_VALUES("pus", "2pus")},
    {"cs", BENCH_PARAM_INT, BENCH_VALUES("0", "100", "1000"), BENCH_VALUES("0", "1000")},
    BENCH_PARAMS_END,
};

/* ---- rw --------------------------------------------------------------------------------- */

static void
rw_worker(struct bench_thread *t) {
    struct lock_bench *lb = t->arg;
    struct lock_worker *w = &lb->w[t->index];
    const struct lock_ops *ops = lb->ops;
    uint64_t x = w->x, ops_done = 0, reads = 0, writes = 0, bad = 0, s, e;
    while (claim(lb, &s, &e)) {
        for (uint64_t i = s; i < e; i++) {
            if (is_read(w, lb->read_pct)) {
                acquire(ops, lb->lock, true, ops_done, t, w);
                bad += lb->a != lb->b;
                x = work_run(x, lb->cs_iters);
                ops->runlock(lb->lock);
                reads++;
            } else {
                acquire(ops, lb->lock, false, ops_done, t, w);
                lb->a++;
                x = work_run(x, lb->cs_iters);
                lb->b++;
                ops->unlock(lb->lock);
                writes++;
            }
            x = work_run(x, lb->out_iters);
            ops_done++;
        }
    }
    w->x = x;
    w->ops = ops_done;
    w->reads = reads;
    w->writes = writes;
    w->bad = bad;
}

static int
rw_run(struct bench_run *r) {
    int threads = (int)bench_param_int(r->inst, "threads");
    int read = (int)bench_param_int(r->inst, "read");
    int64_t cs = bench_param_int(r->inst, "cs");
    struct lock_bench lb;
    if (lock_setup(r, &lb, r->ops, threads, read, cs) != 0)
        return -1;
    int rc = bench_team_run_n(r, threads, rw_worker, &lb);
    if (rc == 0) {
        uint64_t reads = 0, writes = 0, bad = 0;
        for (int i = 0; i < threads; i++) {
            reads += lb.w[i].reads;
            writes += lb.w[i].writes;
            bad += lb.w[i].bad;
        }
        if (bad != 0 || reads + writes != lb.n || lb.a != writes || lb.b != writes)
            rc = bench_fail(r,
                            "%llu reads + %llu writes for %llu operations, a=%llu b=%llu, "
                            "%llu reads saw a write half done",
                            (unsigned long long)reads, (unsigned long long)writes,
                            (unsigned long long)lb.n, (unsigned long long)lb.a,
                            (unsigned long long)lb.b, (unsigned long long)bad);
        else {
            lock_extras(r, &lb);
            bench_extra(r, "read_fraction", (double)reads / (double)lb.n);
        }
    }
    lock_teardown(&lb);
    return rc;
}

static const struct bench_param rw_params[] = {
    {"threads", BENCH_PARAM_THREADS, BENCH_VALUES("1", "2", "4", "8", "16", "32", "pus", "2pus"),
     BENCH_VALUES("pus")},
    {"read", BENCH_PARAM_INT, BENCH_VALUES("0", "50", "90", "99", "100"), BENCH_VALUES("50", "99")},
    {"cs", BENCH_PARAM_INT, BENCH_VALUES("0", "100", "1000"), BENCH_VALUES("0", "1000")},
    BENCH_PARAMS_END,
};

/* ---- counter: Go's SafeCounter ---------------------------------------------------------- */

/* A string-keyed map of counts: open addressing over COUNTER_SLOTS slots, FNV-1a hashing.
 * COUNTER_KEYS keys ("key-0".."key-63") are looked up by name on every operation, as
 * c.v[key]++ does in Go; the first increment of a key inserts it. Guarded by the lock. */
#define COUNTER_KEYS 64
#define COUNTER_SLOTS 128

struct counter_slot {
    char key[16];
    uint64_t value;
    bool used;
};

struct safe_counter {
    struct counter_slot slot[COUNTER_SLOTS];
    char names[COUNTER_KEYS][16]; /* read-only after setup */
};

static uint32_t
fnv1a(const char *s) {
    uint32_t h = 2166136261u;
    for (; *s != '\0'; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h;
}

/* The slot of key, inserting it when insert is set; NULL when absent (and not inserted). */
static struct counter_slot *
counter_find(struct safe_counter *m, const char *key, bool insert) {
    for (uint32_t i = fnv1a(key) % COUNTER_SLOTS, k = 0; k < COUNTER_SLOTS;
         i = (i + 1) % COUNTER_SLOTS, k++) {
        struct counter_slot *s = &m->slot[i];
        if (!s->used) {
            if (!insert)
                return NULL;
            s->used = true;
            strcpy(s->key, key);
            s->value = 0;
            return s;
        }
        if (strcmp(s->key, key) == 0)
            return s;
    }
    return NULL;
}

static void
counter_worker(struct bench_thread *t) {
    struct lock_bench *lb = t->arg;
    struct lock_worker *w = &lb->w[t->index];
    const struct lock_ops *ops = lb->ops;
    struct safe_counter *m = lb->map;
    uint64_t ops_done = 0, reads = 0, writes = 0, bad = 0, s, e;
    while (claim(lb, &s, &e)) {
        for (uint64_t i = s; i < e; i++) {
            bool read = is_read(w, lb->read_pct);
            int k = (int)(((xorshift(&w->rng) >> 32) * COUNTER_KEYS) >> 32);
            const char *key = m->names[k];
            if (read) { /* c.Value(key) */
                acquire(ops, lb->lock, true, ops_done, t, w);
                struct counter_slot *sl = counter_find(m, key, false);
                uint64_t v = sl != NULL ? sl->value : 0;
                ops->runlock(lb->lock);
                /* Counts only grow, and include this thread's own increments. */
                bad += v < w->key_seen[k] || v < w->key_incs[k];
                w->key_seen[k] = v;
                reads++;
            } else { /* c.Inc(key) */
                acquire(ops, lb->lock, false, ops_done, t, w);
                struct counter_slot *sl = counter_find(m, key, true);
                uint64_t v = sl != NULL ? ++sl->value : 0;
                ops->unlock(lb->lock);
                bad += sl == NULL || v <= w->key_seen[k];
                w->key_seen[k] = v;
                w->key_incs[k]++;
                writes++;
            }
            ops_done++;
        }
    }
    w->ops = ops_done;
    w->reads = reads;
    w->writes = writes;
    w->bad = bad;
}

static bool
counter_valid(const struct bench_instance *inst) {
    /* The spin peer has no reader/writer lock: lock=rw would repeat lock=mutex. */
    if (strcmp(bench_param_str(inst, "lock"), "rw") == 0 &&
        strcmp(bench_impl_name(inst), "spin") == 0)
        return false;
    if (strcmp(bench_param_str(inst, "lock"), "mutex") == 0 && !ck_mcs_fits(inst))
        return false;
    return threads_valid(inst);
}

static int
counter_run(struct bench_run *r) {
    int threads = (int)bench_param_int(r->inst, "threads");
    int read = (int)bench_param_int(r->inst, "read");
    const char *which = bench_param_str(r->inst, "lock");
    const struct lock_pair *pair = r->ops;
    const struct lock_ops *ops = strcmp(which, "rw") == 0 ? pair->rw : pair->mutex;
    if (ops == NULL)
        return bench_skip(r, "impl %s has no lock=%s", bench_impl_name(r->inst), which);
    struct lock_bench lb;
    if (lock_setup(r, &lb, ops, threads, read, 0) != 0)
        return -1;
    lb.map = calloc(1, sizeof *lb.map);
    uint64_t *tallies = calloc((size_t)threads * 2 * COUNTER_KEYS, sizeof *tallies);
    if (lb.map == NULL || tallies == NULL) {
        free(lb.map);
        free(tallies);
        lock_teardown(&lb);
        return bench_fail(r, "out of memory for the map");
    }
    for (int k = 0; k < COUNTER_KEYS; k++)
        snprintf(lb.map->names[k], sizeof lb.map->names[k], "key-%d", k);
    for (int i = 0; i < threads; i++) {
        lb.w[i].key_incs = tallies + (size_t)i * 2 * COUNTER_KEYS;
        lb.w[i].key_seen = lb.w[i].key_incs + COUNTER_KEYS;
    }
    int rc = bench_team_run_n(r, threads, counter_worker, &lb);
    if (rc == 0) {
        uint64_t reads = 0, writes = 0, bad = 0, mismatched = 0;
        for (int i = 0; i < threads; i++) {
            reads += lb.w[i].reads;
            writes += lb.w[i].writes;
            bad += lb.w[i].bad;
        }
        for (int k = 0; k < COUNTER_KEYS; k++) {
            uint64_t want = 0;
            for (int i = 0; i < threads; i++)
                want += lb.w[i].key_incs[k];
            struct counter_slot *sl = counter_find(lb.map, lb.map->names[k], false);
            mismatched += (sl != NULL ? sl->value : 0) != want;
        }
        if (bad != 0 || mismatched != 0 || reads + writes != lb.n)
            rc = bench_fail(r,
                            "%llu reads + %llu writes for %llu operations; %llu keys with "
                            "a wrong count, %llu reads went backwards",
                            (unsigned long long)reads, (unsigned long long)writes,
                            (unsigned long long)lb.n, (unsigned long long)mismatched,
                            (unsigned long long)bad);
        else {
            lock_extras(r, &lb);
            bench_extra(r, "read_fraction", (double)reads / (double)lb.n);
        }
    }
    free(lb.map);
    free(tallies);
    lock_teardown(&lb);
    return rc;
}

static const struct bench_param counter_params[] = {
    {"threads", BENCH_PARAM_THREADS, BENCH_VALUES("1", "2", "4", "8", "pus", "2pus"),
     BENCH_VALUES("pus")},
    {"read", BENCH_PARAM_INT, BENCH_VALUES("0", "50", "90", "99"), BENCH_VALUES("90")},
    {"lock", BENCH_PARAM_TEXT, BENCH_VALUES("mutex", "rw"), BENCH_VALUES("mutex", "rw")},
    BENCH_PARAMS_END,
};

/* ---- the family ------------------------------------------------------------------------- */

static const struct bench_scenario lock_scenarios[] = {
    {.name = "mutex",
     .op = "lockop",
     .params = mutex_params,
     .impls = mutex_impls,
     .run = mutex_run,
     .valid = mutex_valid,
     .threads = lock_threads,
     .latency = true,
     .min_iters = 256},
    {.name = "rw",
     .op = "lockop",
     .params = rw_params,
     .impls = rw_impls,
     .run = rw_run,
     .valid = threads_valid,
     .threads = lock_threads,
     .latency = true,
     .min_iters = 256},
    {.name = "counter",
     .op = "lockop",
     .params = counter_params,
     .impls = counter_impls,
     .run = counter_run,
     .valid = counter_valid,
     .latency = true,
     .min_iters = 256},
    BENCH_SCENARIOS_END,
};

const struct bench_family bench_lock = {
    .name = "lock",
    .summary = "goc_mutex/goc_rwmutex vs pthread vs spinlock vs ck: throughput, fairness, longest "
               "wait",
    .scenarios = lock_scenarios,
};
