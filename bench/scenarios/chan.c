/* SPDX-License-Identifier: MIT */
/* The chan family: channel throughput and latency, run against every channel impl through
 * struct chan_ops (ops.h): libgoc and the naive peer (bench/peers/naive.c); on the buffered
 * rows of spsc, mpsc and mpmc (cap > 0) also Concurrency Kit's ck_ring (bench/peers/ck.c,
 * when built with libck: a non-blocking ring behind a spin-then-yield wait, so its rows are
 * no blocking channel's, and its impl note says so); and, except chan/idle, against the Go
 * and crossbeam executors (executor.h), which run the same shapes in their own programs
 * (bench/peers/go, bench/peers/crossbeam). Each scenario
 * checks that every message arrived exactly once and in order, and fails the run otherwise.
 * Add impls to chan_impls, values to the grids.
 *
 *   chan/spsc/cap=C/size=S/impl=I                 1 producer, 1 consumer
 *   chan/mpsc/prod=P/cap=C/size=S/impl=I          P producers, 1 consumer
 *   chan/mpmc/prod=P/cons=Q/cap=C/size=S/impl=I   P producers, Q consumers (each up to 2x PUs)
 *   chan/pingpong/cap=C/impl=I                    round trips over two channels; latency
 *   chan/paced/pause=P/cap=C/impl=I               a pause before each send; send->recv latency
 *   chan/idle/wait=W/cap=C/impl=I                 a receiver blocked for W: the CPU it burns
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <goc/goc.h>

#include "ck_peer.h"
#include "goc_ops.h"
#include "harness.h"
#include "ops.h"

/* ---- impls ------------------------------------------------------------------------------ */

static const struct bench_impl chan_impls[] = {
    BENCH_IMPL("goc", &peer_goc_chan),
    BENCH_IMPL("naive", &peer_naive_chan),
    BENCH_EXECUTOR("go"),
    BENCH_EXECUTOR("crossbeam"),
    BENCH_IMPLS_END,
};

/* ck_ring is a bounded non-blocking ring: only the buffered rows (buffered_valid), with its
 * SPSC calls on spsc and its MPMC calls on mpsc and mpmc. Without libck, impl=ck is still
 * known, and skipped with the reason when --impl names it. */
#if CHANBENCH_HAVE_CK
#define CK_RING(ops, calls)                                                                        \
    BENCH_IMPL_NOTE("ck", ops,                                                                     \
                    "ck_ring (" calls " calls) with a spin-then-yield wait: not a blocking "       \
                    "channel; buffered rows only")
#else
#define CK_RING(ops, calls) BENCH_IMPL_MISSING("ck", CHANBENCH_CK_MISSING)
#endif

static const struct bench_impl spsc_impls[] = {
    BENCH_IMPL("goc", &peer_goc_chan),   BENCH_IMPL("naive", &peer_naive_chan),
    CK_RING(&peer_ck_ring_spsc, "SPSC"), BENCH_EXECUTOR("go"),
    BENCH_EXECUTOR("crossbeam"),         BENCH_IMPLS_END,
};

static const struct bench_impl mp_impls[] = {
    BENCH_IMPL("goc", &peer_goc_chan),   BENCH_IMPL("naive", &peer_naive_chan),
    CK_RING(&peer_ck_ring_mpmc, "MPMC"), BENCH_EXECUTOR("go"),
    BENCH_EXECUTOR("crossbeam"),         BENCH_IMPLS_END,
};

/* ck has no unbuffered channel: no ck row at cap=0. */
static bool
buffered_valid(const struct bench_instance *inst) {
    return bench_param_int(inst, "cap") > 0 || strcmp(bench_impl_name(inst), "ck") != 0;
}

/* chan/idle has no executor counterpart: it measures libgoc's parking. */
static const struct bench_impl idle_impls[] = {
    BENCH_IMPL("goc", &peer_goc_chan),
    BENCH_IMPL("naive", &peer_naive_chan),
    BENCH_IMPLS_END,
};

/* Team sizes, in the thread order of docs/results-format.md ("Scenarios an executor runs"). */
static int
two_threads(const struct bench_instance *inst) {
    (void)inst;
    return 2;
}

static int
mpsc_threads(const struct bench_instance *inst) {
    return (int)bench_param_int(inst, "prod") + 1;
}

static int
mpmc_threads(const struct bench_instance *inst) {
    return (int)(bench_param_int(inst, "prod") + bench_param_int(inst, "cons"));
}

/* ---- spsc: one producer, one consumer, a buffered channel ------------------------------- */

/* Messages carry their sequence number in the first 8 bytes; the rest is filler. */
struct spsc {
    const struct chan_ops *ops;
    void *ch;
    size_t size;
    uint64_t n;
    /* Written by the consumer only, read after the team has joined. */
    uint64_t received;
    uint64_t out_of_order;
};

static void
spsc_producer(struct bench_thread *t) {
    struct spsc *s = t->arg;
    unsigned char buf[4096];
    memset(buf, 0xa5, s->size);
    for (uint64_t i = 0; i < s->n; i++) {
        memcpy(buf, &i, sizeof i);
        if (s->ops->send(s->ch, buf) != GOC_OK) {
            bench_fail(t->run, "send %llu of %llu was refused", (unsigned long long)i + 1,
                       (unsigned long long)s->n);
            break;
        }
    }
    s->ops->close(s->ch);
}

static void
spsc_consumer(struct bench_thread *t) {
    struct spsc *s = t->arg;
    unsigned char buf[4096];
    uint64_t expect = 0, bad = 0;
    while (s->ops->recv(s->ch, buf) == GOC_OK) {
        uint64_t seq;
        memcpy(&seq, buf, sizeof seq);
        bad += seq != expect;
        expect++;
    }
    s->received = expect;
    s->out_of_order = bad;
}

static int
spsc_run(struct bench_run *r) {
    long long cap = bench_param_int(r->inst, "cap");
    long long size = bench_param_int(r->inst, "size");
    if (size < 8 || size > 4096)
        return bench_fail(r, "size=%lld: this scenario carries 8 to 4096 bytes", size);
    struct spsc s = {.ops = r->ops, .size = (size_t)size, .n = r->iters};
    s.ch = s.ops->make(s.size, (size_t)cap);
    if (s.ch == NULL)
        return bench_fail(r, "cannot make a channel (cap=%lld, size=%lld)", cap, size);
    struct bench_role roles[] = {{spsc_producer, &s, 1}, {spsc_consumer, &s, 1}};
    int rc = bench_team_run(r, roles, 2);
    s.ops->free(s.ch);
    if (rc != 0)
        return rc;
    if (s.received != s.n || s.out_of_order != 0)
        return bench_fail(r, "sent %llu messages, received %llu, %llu out of order",
                          (unsigned long long)s.n, (unsigned long long)s.received,
                          (unsigned long long)s.out_of_order);
    return 0;
}

static const struct bench_param spsc_params[] = {
    {"cap", BENCH_PARAM_INT, BENCH_VALUES("0", "1", "16", "64", "1024"), BENCH_VALUES("0", "1024")},
    {"size", BENCH_PARAM_INT, BENCH_VALUES("8", "64", "512"), BENCH_VALUES("8")},
    BENCH_PARAMS_END,
};

/* ---- pingpong: round trips over two channels, latency of each -------------------------- */

struct pingpong {
    const struct chan_ops *ops;
    void *ping, *pong;
    uint64_t n;
    uint64_t bad;    /* replies that were not request + 1 (pinger only) */
    uint64_t served; /* requests answered (ponger only) */
};

static void
pinger(struct bench_thread *t) {
    struct pingpong *p = t->arg;
    uint64_t bad = 0;
    int64_t prev = bench_now_ns();
    for (uint64_t i = 0; i < p->n; i++) {
        uint64_t reply = 0;
        if (p->ops->send(p->ping, &i) != GOC_OK || p->ops->recv(p->pong, &reply) != GOC_OK) {
            bench_fail(t->run, "round trip %llu of %llu: channel closed", (unsigned long long)i + 1,
                       (unsigned long long)p->n);
            break;
        }
        bad += reply != i + 1;
        /* One clock read per round trip: each sample is the time since the previous one. */
        int64_t now = bench_now_ns();
        bench_hist_record(t->hist, now - prev);
        prev = now;
    }
    p->bad = bad;
    p->ops->close(p->ping);
}

static void
ponger(struct bench_thread *t) {
    struct pingpong *p = t->arg;
    uint64_t v, served = 0;
    while (p->ops->recv(p->ping, &v) == GOC_OK) {
        v++;
        if (p->ops->send(p->pong, &v) != GOC_OK)
            break;
        served++;
    }
    p->served = served;
}

static int
pingpong_run(struct bench_run *r) {
    long long cap = bench_param_int(r->inst, "cap");
    struct pingpong p = {.ops = r->ops, .n = r->iters};
    p.ping = p.ops->make(sizeof(uint64_t), (size_t)cap);
    p.pong = p.ops->make(sizeof(uint64_t), (size_t)cap);
    if (p.ping == NULL || p.pong == NULL) {
        if (p.ping != NULL)
            p.ops->free(p.ping);
        if (p.pong != NULL)
            p.ops->free(p.pong);
        return bench_fail(r, "cannot make two channels (cap=%lld)", cap);
    }
    struct bench_role roles[] = {{pinger, &p, 1}, {ponger, &p, 1}};
    int rc = bench_team_run(r, roles, 2);
    p.ops->free(p.ping);
    p.ops->free(p.pong);
    if (rc != 0)
        return rc;
    if (p.served != p.n || p.bad != 0)
        return bench_fail(r, "%llu round trips asked, %llu answered, %llu wrong replies",
                          (unsigned long long)p.n, (unsigned long long)p.served,
                          (unsigned long long)p.bad);
    return 0;
}

static const struct bench_param pingpong_params[] = {
    {"cap", BENCH_PARAM_INT, BENCH_VALUES("0", "1"), BENCH_VALUES("0")},
    BENCH_PARAMS_END,
};

/* ---- mpsc / mpmc: P producers, Q consumers on one channel ------------------------------- */

/* Producer p sends its numbers k = 0..n_p-1 tagged with p in the top byte (the first 8 bytes
 * of each message; the rest is filler). Consumers drain until the last producer closes the
 * channel. Check: each consumer sees each producer's numbers in increasing order, and count,
 * sum and sum of squares over all consumers match what was sent. */
#define MP_SHIFT 56
#define MP_MAX 256

struct mp_tally {
    uint64_t count, sum, sumsq, disorder;
} __attribute__((aligned(128)));

struct mp {
    const struct chan_ops *ops;
    void *ch;
    size_t size;
    int prod, cons;
    uint64_t n;
    struct mp_tally *tally;                  /* one per consumer */
    _Alignas(128) atomic_int producers_left; /* the last producer to finish closes ch */
};

static void
mp_producer(struct bench_thread *t) {
    struct mp *m = t->arg;
    int p = t->role_index;
    uint64_t np = bench_share(m->n, m->prod, p), tag = (uint64_t)p << MP_SHIFT;
    unsigned char buf[4096];
    memset(buf, 0xa5, m->size);
    for (uint64_t k = 0; k < np; k++) {
        uint64_t v = tag | k;
        memcpy(buf, &v, sizeof v);
        if (m->ops->send(m->ch, buf) != GOC_OK) {
            bench_fail(t->run, "producer %d: send %llu refused", p, (unsigned long long)k);
            break;
        }
    }
    if (atomic_fetch_sub_explicit(&m->producers_left, 1, memory_order_acq_rel) == 1)
        m->ops->close(m->ch);
}

static void
mp_consumer(struct bench_thread *t) {
    struct mp *m = t->arg;
    struct mp_tally *ta = &m->tally[t->role_index];
    int64_t last[MP_MAX];
    for (int i = 0; i < m->prod; i++)
        last[i] = -1;
    unsigned char buf[4096];
    while (m->ops->recv(m->ch, buf) == GOC_OK) {
        uint64_t v;
        memcpy(&v, buf, sizeof v);
        uint64_t p = v >> MP_SHIFT, k = v & ((1ull << MP_SHIFT) - 1);
        if (p >= (uint64_t)m->prod || (int64_t)k <= last[p]) {
            ta->disorder++;
        } else {
            last[p] = (int64_t)k;
        }
        ta->count++;
        ta->sum += k;
        ta->sumsq += k * k;
    }
}

static int
mp_common(struct bench_run *r, int prod, int cons) {
    long long cap = bench_param_int(r->inst, "cap");
    long long size = bench_param_int(r->inst, "size");
    if (size < 8 || size > 4096)
        return bench_fail(r, "size=%lld: this scenario carries 8 to 4096 bytes", size);
    if (prod < 1 || prod > MP_MAX || cons < 1 || cons > MP_MAX)
        return bench_fail(r, "1 to %d producers and consumers", MP_MAX);
    struct mp *m = aligned_alloc(128, sizeof *m);
    if (m == NULL)
        return bench_fail(r, "out of memory");
    memset(m, 0, sizeof *m);
    m->ops = r->ops;
    m->size = (size_t)size;
    m->prod = prod;
    m->cons = cons;
    m->n = r->iters;
    atomic_init(&m->producers_left, prod);
    m->tally = aligned_alloc(128, (size_t)cons * sizeof *m->tally);
    m->ch = m->ops->make(m->size, (size_t)cap);
    int rc = 0;
    if (m->tally == NULL || m->ch == NULL)
        rc = bench_fail(r, "cannot make a channel (cap=%lld, size=%lld)", cap, size);
    if (rc == 0) {
        memset(m->tally, 0, (size_t)cons * sizeof *m->tally);
        struct bench_role roles[] = {{mp_producer, m, prod}, {mp_consumer, m, cons}};
        rc = bench_team_run(r, roles, 2);
    }
    if (rc == 0) {
        uint64_t count = 0, sum = 0, sumsq = 0, disorder = 0, want_sum = 0, want_sq = 0;
        for (int c = 0; c < cons; c++) {
            count += m->tally[c].count;
            sum += m->tally[c].sum;
            sumsq += m->tally[c].sumsq;
            disorder += m->tally[c].disorder;
        }
        for (int p = 0; p < prod; p++) {
            uint64_t np = bench_share(m->n, prod, p);
            for (uint64_t k = 0; k < np; k++) {
                want_sum += k;
                want_sq += k * k;
            }
        }
        if (count != m->n || sum != want_sum || sumsq != want_sq || disorder != 0)
            rc = bench_fail(r,
                            "received %llu of %llu messages (sum %llu, expected %llu), "
                            "%llu out of order",
                            (unsigned long long)count, (unsigned long long)m->n,
                            (unsigned long long)sum, (unsigned long long)want_sum,
                            (unsigned long long)disorder);
    }
    if (m->ch != NULL)
        m->ops->free(m->ch);
    free(m->tally);
    free(m);
    return rc;
}

static int
mpsc_run(struct bench_run *r) {
    return mp_common(r, (int)bench_param_int(r->inst, "prod"), 1);
}

static int
mpmc_run(struct bench_run *r) {
    return mp_common(r, (int)bench_param_int(r->inst, "prod"),
                     (int)bench_param_int(r->inst, "cons"));
}

/* ck's MPMC ring waits inside its own CAS loops: a producer preempted between reserving a
 * slot and publishing it stalls every other producer, and so does a consumer for consumers.
 * Past twice the PUs that turns into minutes per chunk (4x4 on 2 PUs did not calibrate in a
 * minute), so impl=ck has no such rows, asked for or not. */
static bool
ck_ring_fits(const struct bench_instance *inst, long long threads) {
    return strcmp(bench_impl_name(inst), "ck") != 0 || threads <= 2 * bench_allowed_pus();
}

static bool
mpsc_valid(const struct bench_instance *inst) {
    return buffered_valid(inst) && bench_threads_fit(inst, "prod") &&
           ck_ring_fits(inst, bench_param_int(inst, "prod") + 1);
}

static bool
mpmc_valid(const struct bench_instance *inst) {
    return buffered_valid(inst) && bench_threads_fit(inst, "prod") &&
           bench_threads_fit(inst, "cons") &&
           ck_ring_fits(inst, bench_param_int(inst, "prod") + bench_param_int(inst, "cons"));
}

static const struct bench_param mpsc_params[] = {
    {"prod", BENCH_PARAM_THREADS, BENCH_VALUES("2", "4", "8", "16", "pus", "2pus"),
     BENCH_VALUES_NONE},
    {"cap", BENCH_PARAM_INT, BENCH_VALUES("0", "1", "16", "64", "1024"), NULL},
    {"size", BENCH_PARAM_INT, BENCH_VALUES("8", "64", "512"), NULL},
    BENCH_PARAMS_END,
};

static const struct bench_param mpmc_params[] = {
    {"prod", BENCH_PARAM_THREADS, BENCH_VALUES("1", "2", "4", "8", "16", "pus", "2pus"),
     BENCH_VALUES("4")},
    {"cons", BENCH_PARAM_THREADS, BENCH_VALUES("1", "2", "4", "8", "16", "pus", "2pus"),
     BENCH_VALUES("4")},
    {"cap", BENCH_PARAM_INT, BENCH_VALUES("0", "1", "16", "64", "1024"), BENCH_VALUES("1024")},
    /* 8 bytes only, as the Go peer: sizes are spsc's and mpsc's question, and P x Q x sizes
     * would triple the longest part of the sweep. */
    {"size", BENCH_PARAM_INT, BENCH_VALUES("8"), BENCH_VALUES("8")},
    BENCH_PARAMS_END,
};

/* ---- paced: sparse messages, send-to-receive latency ------------------------------------ */

/* The producer pauses before each send (under 10 us: a busy wait on the clock, as a producer
 * doing work would; otherwise nanosleep, which does not spin) and stamps every message; the
 * consumer records send-to-receive latency. Shows what spinning costs when messages are
 * sparse: the cpu ns/op column is the CPU each message costs both threads. */
#define PACED_SLEEP_NS 10000

struct paced_msg {
    uint64_t seq;
    int64_t ts;
};

struct paced {
    const struct chan_ops *ops;
    void *ch;
    int64_t pause_ns;
    uint64_t n;
    uint64_t received, bad; /* consumer */
};

static void
paced_producer(struct bench_thread *t) {
    struct paced *p = t->arg;
    for (uint64_t i = 0; i < p->n; i++) {
        if (p->pause_ns >= PACED_SLEEP_NS) {
            struct timespec ts = {p->pause_ns / 1000000000, p->pause_ns % 1000000000};
            nanosleep(&ts, NULL);
        } else {
            bench_spin_ns(p->pause_ns);
        }
        struct paced_msg m = {i, bench_now_ns()};
        if (p->ops->send(p->ch, &m) != GOC_OK) {
            bench_fail(t->run, "send %llu refused", (unsigned long long)i);
            break;
        }
    }
    p->ops->close(p->ch);
}

static void
paced_consumer(struct bench_thread *t) {
    struct paced *p = t->arg;
    struct paced_msg m;
    uint64_t expect = 0, bad = 0;
    while (p->ops->recv(p->ch, &m) == GOC_OK) {
        bench_hist_record(t->hist, bench_now_ns() - m.ts);
        bad += m.seq != expect;
        expect++;
    }
    p->received = expect;
    p->bad = bad;
}

static int
paced_run(struct bench_run *r) {
    long long cap = bench_param_int(r->inst, "cap");
    struct paced p = {.ops = r->ops, .pause_ns = bench_param_ns(r->inst, "pause"), .n = r->iters};
    if ((p.ch = p.ops->make(sizeof(struct paced_msg), (size_t)cap)) == NULL)
        return bench_fail(r, "cannot make a channel (cap=%lld)", cap);
    struct bench_role roles[] = {{paced_producer, &p, 1}, {paced_consumer, &p, 1}};
    int rc = bench_team_run(r, roles, 2);
    p.ops->free(p.ch);
    if (rc != 0)
        return rc;
    if (p.received != p.n || p.bad != 0)
        return bench_fail(r, "sent %llu messages, received %llu, %llu out of order",
                          (unsigned long long)p.n, (unsigned long long)p.received,
                          (unsigned long long)p.bad);
    bench_extra(r, "pause_ns", (double)p.pause_ns);
    return 0;
}

static const struct bench_param paced_params[] = {
    {"pause", BENCH_PARAM_DURATION, BENCH_VALUES("0", "1us", "100us"), BENCH_VALUES("100us")},
    {"cap", BENCH_PARAM_INT, BENCH_VALUES("0"), BENCH_VALUES("0")},
    BENCH_PARAMS_END,
};

/* ---- idle: a receiver blocked on a channel nobody sends on ----------------------------- */

/* A channel left idle must use no CPU: the receiver blocks in recv while the sender sleeps for
 * W (nanosleep), then sends one message. One operation is one such idle period and its
 * message; the figure is cpu ns/op, the CPU time both threads spent over the whole period
 * (a receiver that spins through it burns about W; one that parks, a few microseconds), so
 * cpu_time / real_time is the share of a core the idle channel took. */
struct idle {
    const struct chan_ops *ops;
    void *ch;
    int64_t wait_ns;
    uint64_t n;
    uint64_t received, bad; /* receiver */
};

static void
idle_sender(struct bench_thread *t) {
    struct idle *p = t->arg;
    for (uint64_t i = 0; i < p->n; i++) {
        struct timespec ts = {p->wait_ns / 1000000000, p->wait_ns % 1000000000};
        while (nanosleep(&ts, &ts) != 0)
            ;
        if (p->ops->send(p->ch, &i) != GOC_OK) {
            bench_fail(t->run, "send %llu refused", (unsigned long long)i);
            break;
        }
    }
    p->ops->close(p->ch);
}

static void
idle_receiver(struct bench_thread *t) {
    struct idle *p = t->arg;
    uint64_t v, expect = 0, bad = 0;
    while (p->ops->recv(p->ch, &v) == GOC_OK) {
        bad += v != expect;
        expect++;
    }
    p->received = expect;
    p->bad = bad;
}

static int
idle_run(struct bench_run *r) {
    long long cap = bench_param_int(r->inst, "cap");
    struct idle p = {.ops = r->ops, .wait_ns = bench_param_ns(r->inst, "wait"), .n = r->iters};
    if ((p.ch = p.ops->make(sizeof(uint64_t), (size_t)cap)) == NULL)
        return bench_fail(r, "cannot make a channel (cap=%lld)", cap);
    /* The receiver first, so that it is blocked before the sender's first sleep ends. */
    struct bench_role roles[] = {{idle_receiver, &p, 1}, {idle_sender, &p, 1}};
    int rc = bench_team_run(r, roles, 2);
    p.ops->free(p.ch);
    if (rc != 0)
        return rc;
    if (p.received != p.n || p.bad != 0)
        return bench_fail(r, "sent %llu messages, received %llu, %llu out of order",
                          (unsigned long long)p.n, (unsigned long long)p.received,
                          (unsigned long long)p.bad);
    bench_extra(r, "wait_ns", (double)p.wait_ns);
    return 0;
}

static const struct bench_param idle_params[] = {
    {"wait", BENCH_PARAM_DURATION, BENCH_VALUES("1s"), BENCH_VALUES("100ms")},
    {"cap", BENCH_PARAM_INT, BENCH_VALUES("0", "1024"), BENCH_VALUES("0")},
    BENCH_PARAMS_END,
};

/* ---- the family ------------------------------------------------------------------------- */

static const struct bench_scenario chan_scenarios[] = {
    {.name = "spsc",
     .op = "msg",
     .params = spsc_params,
     .impls = spsc_impls,
     .run = spsc_run,
     .valid = buffered_valid,
     .threads = two_threads},
    {.name = "mpsc",
     .op = "msg",
     .params = mpsc_params,
     .impls = mp_impls,
     .run = mpsc_run,
     .valid = mpsc_valid,
     .threads = mpsc_threads},
    {.name = "mpmc",
     .op = "msg",
     .params = mpmc_params,
     .impls = mp_impls,
     .run = mpmc_run,
     .valid = mpmc_valid,
     .threads = mpmc_threads},
    {.name = "pingpong",
     .op = "roundtrip",
     .params = pingpong_params,
     .impls = chan_impls,
     .run = pingpong_run,
     .threads = two_threads,
     .latency = true},
    {.name = "paced",
     .op = "msg",
     .params = paced_params,
     .impls = chan_impls,
     .run = paced_run,
     .threads = two_threads,
     .latency = true,
     .min_iters = 4},
    {.name = "idle",
     .op = "msg",
     .params = idle_params,
     .impls = idle_impls,
     .run = idle_run,
     .min_iters = 1},
    BENCH_SCENARIOS_END,
};

const struct bench_family bench_chan = {
    .name = "chan",
    .summary =
        "channel throughput (spsc, mpsc, mpmc), round trips (pingpong), sparse sends (paced), "
        "idle channels (idle)",
    .scenarios = chan_scenarios,
};
