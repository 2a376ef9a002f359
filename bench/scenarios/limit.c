/* SPDX-License-Identifier: MIT */
/* The hardware floor: a cache line bounced between two pinned threads (round trip and one-way
 * latency) and a minimal SPSC ring (ns per message), for pairs of PUs; `chanbench limit`.
 * The busy loops here are deliberate: they measure the hardware, so they spin on purpose and
 * do not go through libgoc's spin policy. Pinning and relations come from topology.c. */
#define _GNU_SOURCE /* RUSAGE_THREAD, gethostname */
#include "limit.h"
#include "commands.h"
#include "report.h"
#include "topology.h"
#include "stats.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* Separation between independently written fields: two lines, so that the adjacent-line
 * prefetcher of x86 does not pair them. */
#define LIMIT_LINE 128

/* A waiting thread polls this many times between two pause instructions: the pause keeps a
 * spinning SMT sibling from starving its partner, and polling in between keeps the pause's own
 * length (up to ~140 cycles on recent Intel cores) out of the latency we measure. */
#define LIMIT_POLLS 16

/* A timed run is split into batches of about this many ns (four times this for the ring), and
 * its figure is the median over its batches: on a virtual or loaded machine a thread is
 * preempted now and then, and a preempted batch must not set the floor. */
#define LIMIT_BATCH_NS 50000.0
#define LIMIT_MAX_BATCHES 1000

static inline int64_t
now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Median of v[0..n-1] (NAN for n <= 0); v is left unchanged. */
static double
median(const double *v, int n) {
    return stats_median(v, n > 0 ? (size_t)n : 0);
}

/* ---- one pair ----------------------------------------------------------------------------- */

enum step_kind { STEP_C2C, STEP_STAMP, STEP_RING, STEP_STOP };

/* What thread 0 (the initiator, on PU a) tells thread 1 (the responder, on PU b) to do next. */
struct step {
    enum step_kind kind;
    uint64_t count; /* round trips, stamps or messages */
    int slot;       /* where the responder records its side (run index), -1 for warm-up */
};

/* Per-thread accounting of one step. */
struct side {
    int64_t cpu_ns;
    long vcs, ivcs;
};

/* The shared state of one measured pair.
 * Invariants: ball is even when the responder has answered every ping; each of ball, stamp,
 * ack, head, tail is written by one role only (noted below). `step` is written by the
 * initiator before it publishes `go` and read by the responder after it sees `go`, so the
 * release/acquire on `go` orders it. Results in resp[] and samples[] are written by the
 * responder and read by the initiator after the next handshake, or by the caller after join. */
struct pair_ctx {
    alignas(LIMIT_LINE) _Atomic uint64_t ball;  /* the bounced line: odd from initiator, even
                                                 * from responder */
    alignas(LIMIT_LINE) _Atomic int64_t stamp;  /* initiator's clock, strictly increasing */
    alignas(LIMIT_LINE) _Atomic uint64_t ack;   /* responder: stamps seen */
    alignas(LIMIT_LINE) _Atomic uint64_t head;  /* ring: written by the initiator (producer) */
    alignas(LIMIT_LINE) _Atomic uint64_t tail;  /* ring: written by the responder (consumer) */
    alignas(LIMIT_LINE) _Atomic uint64_t go;    /* handshake: initiator's step number */
    alignas(LIMIT_LINE) _Atomic uint64_t ready; /* handshake: responder's echo */
    alignas(LIMIT_LINE) struct step step;
    uint64_t *slots; /* ring of ring_slots 8-byte slots */
    uint64_t mask;
    int pu[2];
    int observed[2];
    int runs;
    double run_s;
    bool do_ring;
    int64_t *samples; /* timestamped one-way samples, written by the responder */
    uint64_t nsamples;
    struct side resp[LIMIT_MAX_RUNS * 2 + 2]; /* responder's side per step slot */
    double batch_ns[LIMIT_MAX_BATCHES];       /* initiator's scratch: one run's batches */
    bool ring_bad;                            /* responder: a ring sum did not match */
    pthread_barrier_t start;
    atomic_bool failed;
    char err[256]; /* first failure; written by the thread that sets failed first */
    struct limit_pair *out;
};

static void pair_fail(struct pair_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
pair_fail(struct pair_ctx *c, const char *fmt, ...) {
    bool expected = false;
    /* acq_rel: the winner's err is written after this; readers read it after join. */
    if (atomic_compare_exchange_strong_explicit(&c->failed, &expected, true, memory_order_acq_rel,
                                                memory_order_acquire)) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->err, sizeof c->err, fmt, ap);
        va_end(ap);
    }
}

/* Spin until *p == want. acquire: pairs with the partner's release store of want, so what the
 * partner wrote before (step, ring slots) is visible. */
static inline void
wait_eq(_Atomic uint64_t *p, uint64_t want) {
    for (;;) {
        for (int k = 0; k < LIMIT_POLLS; k++)
            if (atomic_load_explicit(p, memory_order_acquire) == want)
                return;
        bench_cpu_relax();
    }
}

static void
side_begin(struct side *s) {
    struct rusage ru;
    getrusage(RUSAGE_THREAD, &ru);
    s->vcs = ru.ru_nvcsw;
    s->ivcs = ru.ru_nivcsw;
    s->cpu_ns = bench_thread_cpu_ns();
}

static void
side_end(struct side *s) {
    s->cpu_ns = bench_thread_cpu_ns() - s->cpu_ns;
    struct rusage ru;
    getrusage(RUSAGE_THREAD, &ru);
    s->vcs = ru.ru_nvcsw - s->vcs;
    s->ivcs = ru.ru_nivcsw - s->ivcs;
}

/* Initiator side of the handshake that starts step k: publish the step, wait for the echo. */
static void
handshake_init(struct pair_ctx *c, uint64_t k, enum step_kind kind, uint64_t count, int slot) {
    c->step.kind = kind;
    c->step.count = count;
    c->step.slot = slot;
    atomic_store_explicit(&c->go, k, memory_order_release); /* pairs with wait_eq in resp */
    wait_eq(&c->ready, k);
}

/* Responder: answer count pings. Its local ball value m persists across steps. */
static void
resp_c2c(struct pair_ctx *c, uint64_t count, uint64_t *m) {
    uint64_t v = *m;
    for (uint64_t i = 0; i < count; i++) {
        wait_eq(&c->ball, v + 1);
        v += 2;
        atomic_store_explicit(&c->ball, v, memory_order_release); /* pairs with init_c2c */
    }
    *m = v;
}

/* Initiator: count round trips; returns ns for all of them. */
static int64_t
init_c2c(struct pair_ctx *c, uint64_t count, uint64_t *n) {
    uint64_t v = *n;
    int64_t t0 = now_ns();
    for (uint64_t i = 0; i < count; i++) {
        atomic_store_explicit(&c->ball, v + 1, memory_order_release); /* pairs with resp_c2c */
        v += 2;
        wait_eq(&c->ball, v);
    }
    int64_t t = now_ns() - t0;
    *n = v;
    return t;
}

static void
resp_stamp(struct pair_ctx *c, uint64_t count, uint64_t *acked) {
    int64_t prev = atomic_load_explicit(&c->stamp, memory_order_relaxed); /* own last view */
    for (uint64_t i = 0; i < count; i++) {
        int64_t s;
        for (;;) {
            /* acquire: pairs with the release store in init_stamp. */
            s = atomic_load_explicit(&c->stamp, memory_order_acquire);
            if (s != prev)
                break;
            bench_cpu_relax();
        }
        int64_t t = now_ns();
        if (i < c->nsamples)
            c->samples[i] = t - s;
        prev = s;
        ++*acked;
        atomic_store_explicit(&c->ack, *acked, memory_order_release); /* pairs with init */
    }
}

static void
init_stamp(struct pair_ctx *c, uint64_t count, uint64_t *acked) {
    int64_t prev = atomic_load_explicit(&c->stamp, memory_order_relaxed); /* only writer */
    for (uint64_t i = 0; i < count; i++) {
        int64_t t = now_ns();
        if (t <= prev) /* a coarse clock: keep stamps distinct so the responder sees each */
            t = prev + 1;
        prev = t;
        atomic_store_explicit(&c->stamp, t, memory_order_release); /* pairs with resp_stamp */
        ++*acked;
        wait_eq(&c->ack, *acked);
    }
}

/* Ring producer: count messages; message number h carries h + 1, so that the consumer can
 * check what it got. head and the cached tail are local across steps. */
static void
ring_produce(struct pair_ctx *c, uint64_t count, uint64_t *head, uint64_t *tail_cache) {
    uint64_t h = *head, tc = *tail_cache, cap = c->mask + 1;
    for (uint64_t i = 0; i < count; i++) {
        while (h - tc == cap) {
            /* acquire: pairs with the consumer's release of tail; its slot reads are done. */
            tc = atomic_load_explicit(&c->tail, memory_order_acquire);
            if (h - tc == cap)
                bench_cpu_relax();
        }
        c->slots[h & c->mask] = h + 1;
        h++;
        atomic_store_explicit(&c->head, h, memory_order_release); /* publishes the slot */
    }
    *head = h;
    *tail_cache = tc;
}

/* Ring consumer: count messages; returns their sum. */
static uint64_t
ring_consume(struct pair_ctx *c, uint64_t count, uint64_t *tail, uint64_t *head_cache) {
    uint64_t t = *tail, hc = *head_cache, sum = 0;
    for (uint64_t i = 0; i < count; i++) {
        while (t == hc) {
            /* acquire: pairs with the producer's release of head; the slot is written. */
            hc = atomic_load_explicit(&c->head, memory_order_acquire);
            if (t == hc)
                bench_cpu_relax();
        }
        sum += c->slots[t & c->mask];
        t++;
        atomic_store_explicit(&c->tail, t, memory_order_release); /* frees the slot */
    }
    *tail = t;
    *head_cache = hc;
    return sum;
}

static bool
pin_role(struct pair_ctx *c, int role) {
    char err[256];
    if (topo_pin_self(c->pu[role], err, sizeof err) < 0) {
        pair_fail(c, "limit: %s", err);
        return false;
    }
    int seen = topo_last_pu();
    for (int i = 0; i < 100 && seen != c->pu[role]; i++) {
        sched_yield();
        seen = topo_last_pu();
    }
    c->observed[role] = seen;
    if (seen >= 0 && seen != c->pu[role]) {
        pair_fail(c, "limit: thread pinned to PU %d runs on PU %d", c->pu[role], seen);
        return false;
    }
    return true;
}

static void *
responder(void *arg) {
    struct pair_ctx *c = arg;
    bool ok = pin_role(c, 1);
    pthread_barrier_wait(&c->start);
    if (!ok || atomic_load_explicit(&c->failed, memory_order_acquire))
        return NULL;
    uint64_t m = 0, acked = 0, tail = 0, head_cache = 0;
    for (uint64_t k = 1;; k++) {
        wait_eq(&c->go, k);
        struct step s = c->step;
        struct side side;
        side_begin(&side);
        atomic_store_explicit(&c->ready, k, memory_order_release); /* pairs with handshake */
        switch (s.kind) {
        case STEP_C2C:
            resp_c2c(c, s.count, &m);
            break;
        case STEP_STAMP:
            resp_stamp(c, s.count, &acked);
            break;
        case STEP_RING: {
            uint64_t first = tail + 1; /* the value of this step's first message */
            uint64_t sum = ring_consume(c, s.count, &tail, &head_cache);
            if (sum != s.count * (2 * first + s.count - 1) / 2)
                c->ring_bad = true;
            break;
        }
        case STEP_STOP:
            return NULL;
        }
        side_end(&side);
        if (s.slot >= 0)
            c->resp[s.slot] = side;
    }
}

/* The initiator's whole program for one pair: calibrate and time the c2c runs, the stamps,
 * and the ring runs. Results go to c->out. */
/* Time nb batches of batch round trips (or ring messages); the run's figure is the median over
 * its batches, in ns per operation. */
static double
c2c_batches(struct pair_ctx *c, uint64_t batch, int nb, uint64_t *n) {
    for (int b = 0; b < nb; b++)
        c->batch_ns[b] = (double)init_c2c(c, batch, n) / (double)batch;
    return median(c->batch_ns, nb);
}

static double
ring_batches(struct pair_ctx *c, uint64_t batch, int nb, uint64_t *head, uint64_t *tail_cache) {
    for (int b = 0; b < nb; b++) {
        int64_t t0 = now_ns();
        ring_produce(c, batch, head, tail_cache);
        c->batch_ns[b] = (double)(now_ns() - t0) / (double)batch;
    }
    return median(c->batch_ns, nb);
}

/* The number of operations that one batch of about LIMIT_BATCH_NS takes, found by doubling
 * (median of three tries, so that one preempted try does not stop the growth). */
static uint64_t
size_batch(struct pair_ctx *c, uint64_t *k, bool ring, uint64_t start, uint64_t *n, uint64_t *head,
           uint64_t *tail_cache) {
    uint64_t batch = start;
    for (; batch < (1u << 26); batch *= 2) {
        double t[3];
        for (int i = 0; i < 3; i++) {
            handshake_init(c, ++*k, ring ? STEP_RING : STEP_C2C, batch, -1);
            int64_t t0 = now_ns();
            if (ring)
                ring_produce(c, batch, head, tail_cache);
            else
                init_c2c(c, batch, n);
            t[i] = (double)(now_ns() - t0);
        }
        if (median(t, 3) >= (ring ? 4.0 : 1.0) * LIMIT_BATCH_NS)
            break;
    }
    return batch;
}

/* The initiator's whole program for one pair: size the batches, time the c2c runs, the
 * stamps, and the ring runs. Results go to c->out. */
static void *
initiator(void *arg) {
    struct pair_ctx *c = arg;
    struct limit_pair *p = c->out;
    bool ok = pin_role(c, 0);
    pthread_barrier_wait(&c->start);
    if (!ok || atomic_load_explicit(&c->failed, memory_order_acquire))
        return NULL;
    uint64_t k = 0, n = 0, acked = 0, head = 0, tail_cache = 0;
    double per_run = c->run_s * 1e9 / LIMIT_BATCH_NS;
    int nb = per_run < 5 ? 5 : per_run > LIMIT_MAX_BATCHES ? LIMIT_MAX_BATCHES : (int)per_run;

    uint64_t batch = size_batch(c, &k, false, 16, &n, NULL, NULL);
    handshake_init(c, ++k, STEP_C2C, batch * (uint64_t)nb, -1); /* warm-up run, not kept */
    c2c_batches(c, batch, nb, &n);
    p->nruns = c->runs;
    for (int r = 0; r < c->runs; r++) {
        struct side side;
        side_begin(&side);
        handshake_init(c, ++k, STEP_C2C, batch * (uint64_t)nb, r);
        p->c2c_ns[r] = c2c_batches(c, batch, nb, &n);
        side_end(&side);
        p->c2c_iters[r] = batch * (uint64_t)nb;
        p->c2c_cpu_ns[r] = (double)side.cpu_ns / (double)p->c2c_iters[r]; /* + responder's */
        p->c2c_vcs[r] = side.vcs;
        p->c2c_ivcs[r] = side.ivcs;
    }

    handshake_init(c, ++k, STEP_STAMP, c->nsamples, -1);
    init_stamp(c, c->nsamples, &acked);

    if (c->do_ring) {
        uint64_t slots = c->mask + 1;
        batch = size_batch(c, &k, true, 4 * slots, NULL, &head, &tail_cache);
        int rnb = nb / 4 < 5 ? 5 : nb / 4;
        for (int r = 0; r < c->runs; r++) {
            struct side side;
            side_begin(&side);
            /* One more batch than timed: the first fills an empty ring without waiting. */
            handshake_init(c, ++k, STEP_RING, batch * (uint64_t)(rnb + 1), LIMIT_MAX_RUNS + r);
            ring_produce(c, batch, &head, &tail_cache);
            p->ring_ns[r] = ring_batches(c, batch, rnb, &head, &tail_cache);
            side_end(&side);
            /* The next handshake waits for the consumer, whose record of this run is then
             * visible (it writes it before it answers). */
            handshake_init(c, ++k, STEP_C2C, 0, -1);
            p->ring_msgs[r] = batch * (uint64_t)(rnb + 1);
            p->ring_cpu_ns[r] = (double)side.cpu_ns / (double)p->ring_msgs[r];
            p->ring_vcs[r] = side.vcs;
            p->ring_ivcs[r] = side.ivcs;
        }
    }
    handshake_init(c, ++k, STEP_STOP, 0, -1);
    /* relaxed: the responder's last store to ball came before its echo of a later handshake,
     * which we acquired. The self-check: every ping was answered exactly once. */
    uint64_t ball = atomic_load_explicit(&c->ball, memory_order_relaxed);
    if (ball != n)
        pair_fail(c, "limit: PUs %d,%d: the bounced counter is %llu, expected %llu", c->pu[0],
                  c->pu[1], (unsigned long long)ball, (unsigned long long)n);
    return NULL;
}

static int
measure_pair(const struct limit_opts *o, int runs, double run_s, bool do_ring, int slots,
             struct limit_pair *p, char *err, size_t errlen) {
    struct pair_ctx *c =
        aligned_alloc(LIMIT_LINE, (sizeof *c + LIMIT_LINE - 1) / LIMIT_LINE * LIMIT_LINE);
    if (!c) {
        bench_seterr(err, errlen, "limit: out of memory");
        return -1;
    }
    memset(c, 0, sizeof *c);
    c->pu[0] = p->a;
    c->pu[1] = p->b;
    c->observed[0] = c->observed[1] = -1;
    c->runs = runs;
    c->run_s = run_s;
    c->do_ring = do_ring;
    c->out = p;
    c->nsamples = o->quick ? 500 : 2000;
    c->samples = calloc(c->nsamples, sizeof(int64_t));
    c->mask = (uint64_t)slots - 1;
    c->slots = aligned_alloc(LIMIT_LINE, (size_t)slots * sizeof(uint64_t) < LIMIT_LINE
                                             ? LIMIT_LINE
                                             : (size_t)slots * sizeof(uint64_t));
    atomic_init(&c->failed, false);
    if (!c->samples || !c->slots || pthread_barrier_init(&c->start, NULL, 2) != 0) {
        bench_seterr(err, errlen, "limit: out of memory");
        free(c->samples);
        free(c->slots);
        free(c);
        return -1;
    }
    pthread_t th[2];
    int rc = pthread_create(&th[1], NULL, responder, c);
    if (rc == 0 && (rc = pthread_create(&th[0], NULL, initiator, c)) != 0) {
        /* The responder waits at the barrier for the initiator: take its place, with failed
         * set so that the responder leaves at once. */
        pair_fail(c, "limit: cannot start a thread: %s", strerror(rc));
        pthread_barrier_wait(&c->start);
        pthread_join(th[1], NULL);
    } else if (rc == 0) {
        pthread_join(th[0], NULL);
        pthread_join(th[1], NULL);
    }
    int ret = 0;
    if (rc != 0) {
        bench_seterr(err, errlen, "limit: cannot start a thread: %s", strerror(rc));
        ret = -1;
    } else if (atomic_load_explicit(&c->failed, memory_order_acquire)) {
        bench_seterr(err, errlen, "%s", c->err);
        ret = -1;
    } else if (c->ring_bad) {
        bench_seterr(err, errlen, "limit: PUs %d,%d: the ring lost or corrupted messages", p->a,
                     p->b);
        ret = -1;
    }
    if (ret == 0) {
        p->a_observed = c->observed[0];
        p->b_observed = c->observed[1];
        for (int r = 0; r < p->nruns; r++) {
            p->c2c_cpu_ns[r] += (double)c->resp[r].cpu_ns / (double)p->c2c_iters[r];
            p->c2c_vcs[r] += c->resp[r].vcs;
            p->c2c_ivcs[r] += c->resp[r].ivcs;
        }
        p->c2c_median_ns = median(p->c2c_ns, p->nruns);
        double *s = malloc(sizeof(double) * c->nsamples);
        if (s) {
            for (uint64_t i = 0; i < c->nsamples; i++)
                s[i] = (double)c->samples[i];
            p->one_way_ts_ns = median(s, (int)c->nsamples);
            free(s);
        } else {
            p->one_way_ts_ns = NAN;
        }
        p->ring = do_ring;
        p->ring_median_ns = NAN;
        if (do_ring) {
            for (int r = 0; r < p->nruns; r++) {
                const struct side *sd = &c->resp[LIMIT_MAX_RUNS + r];
                p->ring_cpu_ns[r] += (double)sd->cpu_ns / (double)p->ring_msgs[r];
                p->ring_vcs[r] += sd->vcs;
                p->ring_ivcs[r] += sd->ivcs;
            }
            p->ring_median_ns = median(p->ring_ns, p->nruns);
        }
    }
    pthread_barrier_destroy(&c->start);
    free(c->samples);
    free(c->slots);
    free(c);
    return ret;
}

/* ---- choosing pairs ----------------------------------------------------------------------- */

static const char *const relations[] = {"same-core", "same-l3", "same-numa", "none"};
#define NREL 4

static int
rel_index(const char *rel) {
    for (int i = 0; i < NREL; i++)
        if (strcmp(rel, relations[i]) == 0)
            return i;
    return NREL - 1;
}

static bool
have_pair(const struct limit_pair *p, int n, int a, int b) {
    for (int i = 0; i < n; i++)
        if ((p[i].a == a && p[i].b == b) || (p[i].a == b && p[i].b == a))
            return true;
    return false;
}

static void
add_pair(struct limit_pair *p, int *n, int a, int b) {
    memset(&p[*n], 0, sizeof p[*n]);
    p[*n].a = a;
    p[*n].b = b;
    int ab[2] = {a, b};
    p[*n].relation = topo_relation(ab, 2);
    p[*n].one_way_ts_ns = NAN;
    p[*n].ring_median_ns = NAN;
    ++*n;
}

/* A deterministic pseudo-random number (64-bit LCG, Knuth's constants): fixed seeds, so that
 * two runs on one machine measure the same pairs. */
static uint32_t
lcg_next(uint64_t *x) {
    *x = *x * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(*x >> 33);
}

/* All ordered pairs when they fit in max; otherwise a sample of unordered ones, stratified by
 * relation: the candidates (every pair, or 40000 pseudo-random ones on huge machines) are put
 * in one bucket per relation, each bucket is shuffled but for its first pair in PU order, and
 * the buckets are taken from in turn. So each relation present gets a pair before any gets a
 * second, and the relations share the budget evenly. */
int
limit_choose_pairs(const int *pus, int k, int max, struct limit_pair *out) {
    int n = 0;
    if (k * (k - 1) <= max) {
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
                if (i != j)
                    add_pair(out, &n, pus[i], pus[j]);
        return n;
    }
    long long total = (long long)k * (k - 1) / 2;
    int ncand = total <= 40000 ? (int)total : 40000;
    int *cand = malloc(sizeof(int) * 2 * (size_t)ncand);
    int *bucket[NREL];
    int len[NREL] = {0}, pos[NREL] = {0};
    for (int r = 0; r < NREL; r++)
        bucket[r] = malloc(sizeof(int) * (size_t)ncand);
    bool ok = cand != NULL;
    for (int r = 0; r < NREL; r++)
        ok = ok && bucket[r] != NULL;
    if (!ok)
        goto out;
    uint64_t x = 0x9e3779b97f4a7c15ull;
    if (total <= 40000) {
        int c = 0;
        for (int i = 0; i < k; i++)
            for (int j = i + 1; j < k; j++) {
                cand[2 * c] = pus[i];
                cand[2 * c + 1] = pus[j];
                c++;
            }
    } else {
        for (int c = 0; c < ncand;) {
            int i = (int)(lcg_next(&x) % (uint32_t)k), j = (int)(lcg_next(&x) % (uint32_t)k);
            if (i == j)
                continue;
            cand[2 * c] = pus[i < j ? i : j];
            cand[2 * c + 1] = pus[i < j ? j : i];
            c++;
        }
    }
    for (int c = 0; c < ncand; c++) {
        int r = rel_index(topo_relation(&cand[2 * c], 2));
        bucket[r][len[r]++] = c;
    }
    for (int r = 0; r < NREL; r++) /* Fisher-Yates over [1, len) */
        for (int i = len[r] - 1; i > 1; i--) {
            int j = 1 + (int)(lcg_next(&x) % (uint32_t)i);
            int t = bucket[r][i];
            bucket[r][i] = bucket[r][j];
            bucket[r][j] = t;
        }
    for (bool more = true; more && n < max;) {
        more = false;
        for (int r = 0; r < NREL && n < max; r++) {
            while (pos[r] < len[r]) {
                const int *ab = &cand[2 * bucket[r][pos[r]++]];
                if (!have_pair(out, n, ab[0], ab[1])) {
                    add_pair(out, &n, ab[0], ab[1]);
                    more = true;
                    break;
                }
            }
            more = more || pos[r] < len[r];
        }
    }
out:
    free(cand);
    for (int r = 0; r < NREL; r++)
        free(bucket[r]);
    return n;
}

/* ---- measuring ---------------------------------------------------------------------------- */

static double
clock_overhead(void) {
    double v[5];
    for (int r = 0; r < 5; r++) {
        int64_t t0 = now_ns(), t = t0;
        for (int i = 0; i < 10000; i++)
            t = now_ns();
        v[r] = (double)(t - t0) / 10000.0;
    }
    return median(v, 5);
}

int
limit_measure(const struct limit_opts *opts, struct limit_result *out, char *err, size_t errlen) {
    struct limit_opts o = {0};
    if (opts)
        o = *opts;
    memset(out, 0, sizeof *out);
    char lerr[512];
    if (topo_init(lerr, sizeof lerr) < 0) {
        bench_seterr(err, errlen, "limit: %s", lerr);
        return -1;
    }
    int maxp = o.max_pairs > 0 ? o.max_pairs : 64;
    int runs = o.runs > 0 ? o.runs : (o.quick ? 3 : 7);
    if (runs > LIMIT_MAX_RUNS)
        runs = LIMIT_MAX_RUNS;
    int slots = o.ring_slots > 0 ? o.ring_slots : 1024;
    if (slots & (slots - 1)) {
        bench_seterr(err, errlen, "limit: ring size %d is not a power of two", slots);
        return -1;
    }
    int ring_pairs = o.ring_pairs > 0 ? o.ring_pairs : 4;

    /* The PUs: a list (validated by the planner) or every allowed PU in compact order. */
    int k = 0;
    int *pus = NULL;
    if (o.pus) {
        int want = topo_num_pus();
        pus = malloc(sizeof(int) * (size_t)(want > 0 ? want : 1));
        if (!pus) {
            bench_seterr(err, errlen, "limit: out of memory");
            return -1;
        }
        /* Plan one PU at a time until the list runs out: the planner refuses a short list. */
        for (k = want; k > 0; k--)
            if (topo_plan(o.pus, k, pus, NULL, 0) == 0)
                break;
        if (k == 0 && topo_plan(o.pus, 1, pus, lerr, sizeof lerr) < 0) {
            bench_seterr(err, errlen, "limit: %s", lerr);
            free(pus);
            return -1;
        }
        for (int i = 0; i < k; i++)
            for (int j = i + 1; j < k; j++)
                if (pus[i] == pus[j]) {
                    bench_seterr(err, errlen, "limit: PU %d is listed twice in '%s'", pus[i],
                                 o.pus);
                    free(pus);
                    return -1;
                }
    } else {
        k = topo_num_allowed();
        pus = malloc(sizeof(int) * (size_t)(k > 0 ? k : 1));
        if (!pus || topo_plan("compact", k, pus, lerr, sizeof lerr) < 0) {
            bench_seterr(err, errlen, "limit: %s", pus ? lerr : "out of memory");
            free(pus);
            return -1;
        }
    }
    if (k < 2) {
        bench_seterr(
            err, errlen,
            "limit: needs two PUs to bounce a cache line between, and this process's allowed "
            "CPUs are %s; widen the affinity (taskset, cpuset) or pass --pus with two PUs",
            topo_allowed_list());
        free(pus);
        return -1;
    }
    struct limit_pair *pairs = calloc((size_t)maxp, sizeof *pairs);
    if (!pairs) {
        free(pus);
        bench_seterr(err, errlen, "limit: out of memory");
        return -1;
    }
    int np = limit_choose_pairs(pus, k, maxp, pairs);
    double run_s = o.run_s > 0 ? o.run_s : (o.quick ? 0.002 : (np <= 8 ? 0.02 : 0.005));

    out->pus = pus;
    out->npus = k;
    out->pairs = pairs;
    out->npairs = np;
    out->ring_slots = slots;
    out->runs = runs;
    out->run_s = run_s;
    out->clock_overhead_ns = clock_overhead();

    /* The ring on the first pair of each relation present, up to ring_pairs. */
    bool ring_rel[NREL] = {false};
    int rings = 0;
    for (int i = 0; i < np; i++) {
        int r = rel_index(pairs[i].relation);
        bool ring = !ring_rel[r] && rings < ring_pairs;
        if (ring) {
            ring_rel[r] = true;
            rings++;
        }
        if (o.verbose)
            fprintf(stderr, "limit: pair %d of %d: PUs %d,%d (%s)%s\n", i + 1, np, pairs[i].a,
                    pairs[i].b, pairs[i].relation, ring ? ", with the ring" : "");
        if (measure_pair(&o, runs, run_s, ring, slots, &pairs[i], lerr, sizeof lerr) < 0) {
            bench_seterr(err, errlen, "%s", lerr);
            limit_result_free(out);
            return -1;
        }
    }

    double *v = malloc(sizeof(double) * (size_t)np);
    if (!v) {
        bench_seterr(err, errlen, "limit: out of memory");
        limit_result_free(out);
        return -1;
    }
    int nv = 0;
    for (int i = 0; i < np; i++)
        v[nv++] = pairs[i].c2c_median_ns;
    out->c2c_round_trip_ns = median(v, nv);
    out->one_way_ns = out->c2c_round_trip_ns / 2;
    nv = 0;
    for (int i = 0; i < np; i++)
        if (!isnan(pairs[i].one_way_ts_ns))
            v[nv++] = pairs[i].one_way_ts_ns;
    out->one_way_ts_ns = median(v, nv);
    nv = 0;
    for (int i = 0; i < np; i++)
        if (pairs[i].ring)
            v[nv++] = pairs[i].ring_median_ns;
    out->ring_ns_per_msg = median(v, nv);
    free(v);
    return 0;
}

void
limit_result_free(struct limit_result *r) {
    if (!r)
        return;
    free(r->pus);
    free(r->pairs);
    memset(r, 0, sizeof *r);
}

/* ---- results ------------------------------------------------------------------------------ */

static json_t *
num(double v) {
    return isfinite(v) ? json_real(round(v * 1000) / 1000) : json_null();
}

json_t *
limit_context_json(const struct limit_result *r) {
    json_t *o = json_object();
    json_object_set_new(o, "c2c_round_trip_ns", num(r->c2c_round_trip_ns));
    json_object_set_new(o, "one_way_ns", num(r->one_way_ns));
    json_object_set_new(o, "ring_ns_per_msg", num(r->ring_ns_per_msg));
    json_object_set_new(o, "one_way_timestamped_ns", num(r->one_way_ts_ns));
    json_object_set_new(o, "ring_slots", json_integer(r->ring_slots));
    json_object_set_new(o, "pairs", json_integer(r->npairs));
    return o;
}

static json_t *
row(const struct limit_pair *p, const char *kind, int rep, uint64_t iters, double real, double cpu,
    long vcs, long ivcs, const char *op) {
    char name[64], pu[32];
    snprintf(pu, sizeof pu, "%d,%d", p->a, p->b);
    snprintf(name, sizeof name, "limit/%s/pu=%s", kind, pu);
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(name));
    json_object_set_new(o, "run_name", json_string(name));
    json_object_set_new(o, "run_type", json_string("iteration"));
    json_object_set_new(o, "repetitions", json_integer(p->nruns));
    json_object_set_new(o, "repetition_index", json_integer(rep));
    json_object_set_new(o, "threads", json_integer(2));
    json_object_set_new(o, "iterations", json_integer((json_int_t)iters));
    json_object_set_new(o, "real_time", num(real));
    json_object_set_new(o, "cpu_time", num(cpu));
    json_object_set_new(o, "time_unit", json_string("ns"));
    json_object_set_new(o, "items_per_second", num(real > 0 ? 1e9 / real : NAN));
    json_object_set_new(o, "family", json_string("limit"));
    json_object_set_new(o, "impl", json_string(""));
    json_object_set_new(o, "params", json_pack("{s:s}", "pu", pu));
    json_object_set_new(o, "op", json_string(op));
    json_object_set_new(o, "voluntary_ctx_switches", json_integer(vcs));
    json_object_set_new(o, "involuntary_ctx_switches", json_integer(ivcs));
    json_object_set_new(o, "placement",
                        json_pack("[{s:i,s:i,s:i},{s:i,s:i,s:i}]", "thread", 0, "pu_requested",
                                  p->a, "pu_observed", p->a_observed, "thread", 1, "pu_requested",
                                  p->b, "pu_observed", p->b_observed));
    json_object_set_new(o, "relation", json_string(p->relation));
    json_t *extra = json_object();
    if (strcmp(kind, "c2c") == 0) {
        json_object_set_new(extra, "one_way_ns", num(real / 2));
        json_object_set_new(extra, "one_way_timestamped_ns", num(p->one_way_ts_ns));
    }
    json_object_set_new(o, "extra", extra);
    json_object_set_new(o, "verified", json_true());
    return o;
}

/* Google Benchmark's aggregate rows (mean, median, stddev, cv, min, max of real_time and
 * cpu_time) for each run_name among benchmarks[from..]. */
static void
append_aggregates(json_t *benchmarks, size_t from) {
    size_t nrows = json_array_size(benchmarks);
    json_t *done = json_object();
    for (size_t i = from; i < nrows; i++) {
        json_t *first = json_array_get(benchmarks, i);
        const char *rn = json_string_value(json_object_get(first, "run_name"));
        if (!rn || json_object_get(done, rn))
            continue;
        json_object_set_new(done, rn, json_true());
        double rt[LIMIT_MAX_RUNS], ct[LIMIT_MAX_RUNS];
        int n = 0;
        for (size_t j = i; j < nrows && n < LIMIT_MAX_RUNS; j++) {
            json_t *x = json_array_get(benchmarks, j);
            if (strcmp(json_string_value(json_object_get(x, "run_name")), rn) != 0)
                continue;
            rt[n] = json_number_value(json_object_get(x, "real_time"));
            ct[n] = json_number_value(json_object_get(x, "cpu_time"));
            n++;
        }
        const char *names[] = {"mean", "median", "stddev", "cv", "min", "max"};
        for (int a = 0; a < 6; a++) {
            double v[2];
            for (int w = 0; w < 2; w++) {
                const double *x = w ? ct : rt;
                double mean = 0, sd = 0, mn = x[0], mx = x[0];
                for (int k = 0; k < n; k++) {
                    mean += x[k] / n;
                    mn = x[k] < mn ? x[k] : mn;
                    mx = x[k] > mx ? x[k] : mx;
                }
                for (int k = 0; k < n; k++)
                    sd += (x[k] - mean) * (x[k] - mean);
                sd = n > 1 ? sqrt(sd / (n - 1)) : 0;
                v[w] = a == 0   ? mean
                       : a == 1 ? median(x, n)
                       : a == 2 ? sd
                       : a == 3 ? (mean > 0 ? sd / mean : 0)
                       : a == 4 ? mn
                                : mx;
            }
            char name[160];
            snprintf(name, sizeof name, "%s_%s", rn, names[a]);
            json_t *o = json_object();
            json_object_set_new(o, "name", json_string(name));
            json_object_set_new(o, "run_name", json_string(rn));
            json_object_set_new(o, "run_type", json_string("aggregate"));
            json_object_set_new(o, "repetitions", json_integer(n));
            json_object_set_new(o, "threads", json_integer(2));
            json_object_set_new(o, "aggregate_name", json_string(names[a]));
            if (a == 3)
                json_object_set_new(o, "aggregate_unit", json_string("percentage"));
            json_object_set_new(o, "iterations", json_integer(n));
            json_object_set_new(o, "real_time", num(v[0]));
            json_object_set_new(o, "cpu_time", num(v[1]));
            json_object_set_new(o, "time_unit", json_string("ns"));
            json_array_append_new(benchmarks, o);
        }
    }
    json_decref(done);
}

int
limit_append_rows(const struct limit_result *r, json_t *benchmarks, bool aggregates) {
    size_t first = json_array_size(benchmarks);
    for (int i = 0; i < r->npairs; i++) {
        const struct limit_pair *p = &r->pairs[i];
        for (int k = 0; k < p->nruns; k++) {
            json_t *o = row(p, "c2c", k, p->c2c_iters[k], p->c2c_ns[k], p->c2c_cpu_ns[k],
                            p->c2c_vcs[k], p->c2c_ivcs[k], "roundtrip");
            if (!o || json_array_append_new(benchmarks, o) < 0)
                return -1;
        }
    }
    for (int i = 0; i < r->npairs; i++) {
        const struct limit_pair *p = &r->pairs[i];
        if (!p->ring)
            continue;
        for (int k = 0; k < p->nruns; k++) {
            json_t *o = row(p, "ring", k, p->ring_msgs[k], p->ring_ns[k], p->ring_cpu_ns[k],
                            p->ring_vcs[k], p->ring_ivcs[k], "msg");
            if (!o || json_array_append_new(benchmarks, o) < 0)
                return -1;
        }
    }
    if (aggregates)
        append_aggregates(benchmarks, first);
    return 0;
}

/* Median c2c and ring figures over the pairs that match: exact (a,b in either order) when
 * exact is true, else the same relation. Returns how many pairs matched. */
static int
floor_of(const struct limit_result *r, const int *ab, const char *rel, bool exact, double *c2c,
         double *ring) {
    double *v = malloc(sizeof(double) * (size_t)r->npairs);
    double *w = malloc(sizeof(double) * (size_t)r->npairs);
    int nv = 0, nw = 0;
    for (int i = 0; v && w && i < r->npairs; i++) {
        const struct limit_pair *p = &r->pairs[i];
        bool match = exact ? ((p->a == ab[0] && p->b == ab[1]) || (p->a == ab[1] && p->b == ab[0]))
                           : strcmp(p->relation, rel) == 0;
        if (!match)
            continue;
        v[nv++] = p->c2c_median_ns;
        if (p->ring)
            w[nw++] = p->ring_median_ns;
    }
    if (nv)
        *c2c = median(v, nv);
    if (nw)
        *ring = median(w, nw);
    free(v);
    free(w);
    return nv;
}

bool
limit_floor_for(const struct limit_result *r, const int *pus, int n, double *c2c_ns,
                double *ring_ns) {
    if (!r || r->npairs == 0)
        return false;
    double c2c = r->c2c_round_trip_ns, ring = r->ring_ns_per_msg;
    if (pus && n >= 2 && pus[0] >= 0 && pus[1] >= 0) {
        const char *rel = topo_relation(pus, 2);
        double rc2c = c2c, rring = ring;
        floor_of(r, pus, rel, false, &rc2c, &rring); /* the relation's figures */
        c2c = rc2c;
        ring = rring;
        floor_of(r, pus, rel, true, &c2c, &ring); /* the pair's own, where measured */
    }
    if (c2c_ns)
        *c2c_ns = c2c;
    if (ring_ns)
        *ring_ns = ring;
    return true;
}

/* The floor a chan/ or select/ row is compared with: the round trip for a ping-pong (its
 * operation is a round trip), the ring's ns per message for the rest; 0 for other rows. The
 * same mapping as `chanbench compare --normalize limit`. */
static double
row_floor(const struct limit_result *r, json_t *row) {
    const char *name = json_string_value(json_object_get(row, "name"));
    if (!name || (strncmp(name, "chan/", 5) != 0 && strncmp(name, "select/", 7) != 0))
        return 0;
    json_t *pl = json_object_get(row, "placement");
    int pus[2] = {-1, -1}, n = 0;
    size_t i;
    json_t *t;
    json_array_foreach(pl, i, t) {
        if (n < 2)
            pus[n++] = (int)json_integer_value(json_object_get(t, "pu_requested"));
    }
    double c2c = 0, ring = 0;
    if (!limit_floor_for(r, pus, n, &c2c, &ring))
        return 0;
    return strncmp(name, "chan/pingpong/", 14) == 0 ? c2c : ring;
}

int
limit_add_to_document(json_t *doc, const struct limit_result *r) {
    json_t *cb = json_object_get(json_object_get(doc, "context"), "chanbench");
    json_t *rows = json_object_get(doc, "benchmarks");
    if (!json_is_object(cb) || !json_is_array(rows))
        return -1;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        const char *type = json_string_value(json_object_get(row, "run_type"));
        if (!type || strcmp(type, "iteration") != 0)
            continue;
        double floor = row_floor(r, row);
        double real = json_number_value(json_object_get(row, "real_time"));
        if (!(floor > 0) || !isfinite(floor) || !(real > 0))
            continue;
        json_t *extra = json_object_get(row, "extra");
        if (!json_is_object(extra)) {
            extra = json_object();
            json_object_set_new(row, "extra", extra);
        }
        json_object_set_new(extra, "ratio_to_floor", num(real / floor));
    }
    if (json_object_set_new(cb, "limit", limit_context_json(r)) < 0)
        return -1;
    return limit_append_rows(r, rows, true);
}

/* ---- printing ----------------------------------------------------------------------------- */

static const struct limit_pair *
find_pair(const struct limit_result *r, int a, int b) {
    for (int i = 0; i < r->npairs; i++)
        if (r->pairs[i].a == a && r->pairs[i].b == b)
            return &r->pairs[i];
    return NULL;
}

void
limit_print(FILE *out, const struct limit_result *r) {
    bool matrix = r->npus <= 16;
    bool all = r->npairs == r->npus * (r->npus - 1);
    fprintf(out,
            "core-to-core round trip of one cache line, ns (median of %d runs per pair; "
            "row: the PU that starts each round trip, column: the PU that answers)\n",
            r->npairs ? r->pairs[0].nruns : 0);
    if (matrix) {
        fprintf(out, "%6s", "");
        for (int j = 0; j < r->npus; j++)
            fprintf(out, " %6d", r->pus[j]);
        fprintf(out, "\n");
        for (int i = 0; i < r->npus; i++) {
            fprintf(out, "%6d", r->pus[i]);
            for (int j = 0; j < r->npus; j++) {
                const struct limit_pair *p = find_pair(r, r->pus[i], r->pus[j]);
                if (i == j)
                    fprintf(out, " %6s", "-");
                else if (p)
                    fprintf(out, " %6.1f", p->c2c_median_ns);
                else
                    fprintf(out, " %6s", ".");
            }
            fprintf(out, "\n");
        }
        if (!all)
            fprintf(out,
                    "(. = not measured: %d of the %d ordered pairs were measured; a pair measured "
                    "one way stands for both)\n",
                    r->npairs, r->npus * (r->npus - 1));
    } else {
        fprintf(out, "%d PUs: %d pairs sampled\n", r->npus, r->npairs);
        for (int rel = 0; rel < NREL; rel++) {
            int shown = 0;
            for (int i = 0; i < r->npairs; i++) {
                const struct limit_pair *p = &r->pairs[i];
                if (rel_index(p->relation) != rel)
                    continue;
                if (shown == 0)
                    fprintf(out, "  %-9s", relations[rel]);
                else if (shown % 6 == 0)
                    fprintf(out, "\n  %-9s", "");
                fprintf(out, "  %d,%d:%.1f", p->a, p->b, p->c2c_median_ns);
                shown++;
            }
            if (shown)
                fprintf(out, "\n");
        }
    }

    fprintf(out, "\nby relation (median over pairs):\n");
    for (int rel = 0; rel < NREL; rel++) {
        double v[1024], w[1024], t[1024];
        int nv = 0, nw = 0, nt = 0;
        for (int i = 0; i < r->npairs && nv < 1024; i++) {
            const struct limit_pair *p = &r->pairs[i];
            if (rel_index(p->relation) != rel)
                continue;
            v[nv++] = p->c2c_median_ns;
            if (!isnan(p->one_way_ts_ns))
                t[nt++] = p->one_way_ts_ns;
            if (p->ring)
                w[nw++] = p->ring_median_ns;
        }
        if (nv == 0)
            continue;
        fprintf(out, "  %-9s  %3d pair%s  round trip %7.1f ns  one-way %6.1f ns", relations[rel],
                nv, nv == 1 ? " " : "s", median(v, nv), median(v, nv) / 2);
        if (nt)
            fprintf(out, " (timestamped %.1f)", median(t, nt));
        if (nw)
            fprintf(out, "  ring %.2f ns/msg", median(w, nw));
        fprintf(out, "\n");
    }

    fprintf(out, "\nfloor (medians over the measured pairs):\n");
    fprintf(out, "  c2c_round_trip_ns  %8.1f   one cache line A -> B -> A\n", r->c2c_round_trip_ns);
    fprintf(out, "  one_way_ns         %8.1f   round trip / 2", r->one_way_ns);
    if (!isnan(r->one_way_ts_ns))
        fprintf(out, "; timestamped %.1f (includes one clock read, %.1f ns)", r->one_way_ts_ns,
                r->clock_overhead_ns);
    fprintf(out, "\n");
    fprintf(out, "  ring_ns_per_msg    %8.2f   SPSC ring of %d 8-byte slots, cached indexes\n",
            r->ring_ns_per_msg, r->ring_slots);
    if (topo_is_virtualized())
        fprintf(out, "note: virtualised machine; a vCPU pair may share a physical core or be "
                     "descheduled, so these figures can move between runs\n");
}

/* ---- `chanbench limit` -------------------------------------------------------------------- */

static void
limit_usage(FILE *out) {
    fprintf(out,
            "usage: chanbench limit [--pus LIST] [--max-pairs N] [--runs N] [--quick]\n"
            "                       [--out FILE] [--verbose]\n"
            "  The hardware floor: core-to-core round trip of one cache line for pairs of PUs\n"
            "  (a matrix), one-way latency, and a minimal SPSC ring's cost per message.\n"
            "  --pus LIST      measure among these PUs (default: every allowed PU)\n"
            "  --max-pairs N   sample at most N pairs (default 64)\n"
            "  --runs N        timed runs per pair, medians reported (default 7, --quick 3)\n"
            "  --quick         fewer, shorter runs\n"
            "  --out FILE      also write a results file (docs/results-format.md)\n"
            "  --verbose       a line per pair on stderr\n");
}

static bool
parse_int(const char *s, int lo, int hi, int *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return false;
    *out = (int)v;
    return true;
}

/* The results file of `chanbench limit --out`: the harness's context (report.c, so that the
 * machine and build are stamped exactly as in a run) with the limit section, and the limit
 * rows with their aggregates. */
static json_t *
limit_document(const struct limit_result *r, const struct limit_opts *lo, const char *command,
               time_t started) {
    struct machine_info m;
    machine_collect(&m);
    struct run_options ro;
    memset(&ro, 0, sizeof ro);
    ro.rounds = r->runs;
    ro.min_time_s = r->run_s;
    ro.quick = lo->quick;
    ro.pin = lo->pus ? lo->pus : topo_allowed_list();
    ro.format = 0;
    struct run_info info = {.machine = &m,
                            .opts = &ro,
                            .command = command,
                            .started = started,
                            .clock_overhead_ns = r->clock_overhead_ns,
                            .complete = true};
    json_t *doc = report_document(&info, NULL, 0);
    limit_add_to_document(doc, r);
    return doc;
}

int
cmd_limit(int argc, char **argv) {
    static const struct option opts[] = {
        {"pus", required_argument, NULL, 'p'},  {"max-pairs", required_argument, NULL, 'm'},
        {"runs", required_argument, NULL, 'r'}, {"quick", no_argument, NULL, 'q'},
        {"out", required_argument, NULL, 'o'},  {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0}};
    struct limit_opts lo = {0};
    const char *out_path = NULL;
    optind = 0; /* glibc: reinitialise, argv[0] is the subcommand */
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
        switch (c) {
        case 'p':
            lo.pus = optarg;
            break;
        case 'm':
            if (!parse_int(optarg, 1, 100000, &lo.max_pairs)) {
                fprintf(stderr, "chanbench limit: --max-pairs wants a number from 1, not '%s'\n",
                        optarg);
                return 2;
            }
            break;
        case 'r':
            if (!parse_int(optarg, 1, LIMIT_MAX_RUNS, &lo.runs)) {
                fprintf(stderr, "chanbench limit: --runs wants a number from 1 to %d, not '%s'\n",
                        LIMIT_MAX_RUNS, optarg);
                return 2;
            }
            break;
        case 'q':
            lo.quick = true;
            break;
        case 'o':
            out_path = optarg;
            break;
        case 'v':
            lo.verbose = true;
            break;
        case 'h':
            limit_usage(stdout);
            return 0;
        case ':':
            fprintf(stderr, "chanbench limit: %s needs a value (try --help)\n", argv[optind - 1]);
            return 2;
        default:
            fprintf(stderr, "chanbench limit: unknown option '%s' (try --help)\n",
                    argv[optind - 1]);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "chanbench limit: unexpected argument '%s' (try --help)\n", argv[optind]);
        return 2;
    }
    char err[512];
    if (out_path && report_check_folder(out_path, err, sizeof err) < 0) {
        fprintf(stderr, "chanbench limit: %s\n", err);
        return 2;
    }
    if (topo_init(err, sizeof err) < 0) {
        fprintf(stderr, "chanbench limit: %s\n", err);
        return 1;
    }
    if (lo.pus) {
        int one;
        if (!lo.pus[0] || strspn(lo.pus, "0123456789,-") != strlen(lo.pus)) {
            fprintf(stderr,
                    "chanbench limit: --pus wants a PU list such as 0-3 or 0,2 (allowed: "
                    "%s), not '%s'\n",
                    topo_allowed_list(), lo.pus);
            return 2;
        }
        if (topo_plan(lo.pus, 1, &one, err, sizeof err) < 0) {
            fprintf(stderr, "chanbench limit: --pus: %s\n", err);
            return 2;
        }
    }
    time_t started = time(NULL);
    struct limit_result r;
    if (limit_measure(&lo, &r, err, sizeof err) < 0) {
        fprintf(stderr, "chanbench %s\n", err); /* err starts "limit: " */
        return 1;
    }
    limit_print(stdout, &r);
    int rc = 0;
    if (out_path) {
        char command[1024];
        size_t used = (size_t)snprintf(command, sizeof command, "chanbench");
        for (int i = 0; i < argc && used < sizeof command; i++)
            used += (size_t)snprintf(command + used, sizeof command - used, " %s", argv[i]);
        json_t *doc = limit_document(&r, &lo, command, started);
        char *text = json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
        if (!text || report_write_file(out_path, text, err, sizeof err) < 0) {
            fprintf(stderr, "chanbench limit: %s\n", text ? err : "out of memory");
            rc = 1;
        } else {
            printf("wrote %s\n", out_path);
        }
        free(text);
        json_decref(doc);
    }
    limit_result_free(&r);
    return rc;
}
