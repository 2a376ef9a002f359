/* SPDX-License-Identifier: MIT */
/* One pair of the hardware floor (floor_pair.h): two pinned threads that bounce a cache line,
 * timestamp one-way trips and stream a ring, in steps the initiator starts with a handshake.
 * Choosing pairs and summarising them is floor.c. The busy loops are deliberate: they measure
 * the hardware, so they spin on purpose and do not go through libgoc's spin policy. */
#define _GNU_SOURCE /* RUSAGE_THREAD */
#include "floor_pair.h"

#include <errno.h>
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

#include "stats.h"
#include "topology.h"
#include "util.h"

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

int
floor_measure_pair(const struct limit_opts *o, int runs, double run_s, bool do_ring, int slots,
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
