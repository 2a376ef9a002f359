/* SPDX-License-Identifier: MIT */
/* The select family: fan-in through goc_select.
 *
 *   select/fanin/k=K/cap=C/impl=goc
 *       K producers, each on its own channel of capacity C, one consumer in a goc_select over
 *       the K receive cases (docs/results-format.md's shared name; the Go peer runs the same)
 *   select/fanin_ctx/k=K/cap=C/impl=goc
 *       the same as real services write it: the consumer's select also has a context's done
 *       case and a timeout (FANIN_CTX_TIMEOUT_NS, counted in extra.timeouts when it fires),
 *       and each producer sends through a select with the done case, so cancelling the
 *       context is what stops everyone
 *
 * One operation is a message taken by the consumer; the timed region is the consumer's first
 * r->iters messages. A message carries its producer's sequence number and, in one message of
 * SELECT_SAMPLE_EVERY, the send time: the consumer records send-to-receive latency for those.
 * extra.share_min / share_max are the smallest and largest fraction of the timed messages one
 * input delivered (1/K each when fair). After the timed messages the producers stop and close
 * their channels, and the consumer drains them, disabling each closed input with a nil case
 * (Go's idiom); the check covers every message sent: each input's numbers arrive once, in
 * order, none missing.
 *
 * The naive peer has no select, so the family runs goc only; a single shared channel, which
 * is what one would write without select, is chan/mpsc/prod=K (chan family). */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <goc/goc.h>

#include "harness.h"

#define SELECT_SAMPLE_EVERY 16
#define SELECT_MAX_K 64
#define FANIN_CTX_TIMEOUT_NS 1000000000 /* 1 s: a service's "nothing arrived" tick */

struct stamped {
    uint64_t seq;
    int64_t ts; /* send time in ns, 0 when not sampled */
};

struct fanin {
    int k;
    bool with_ctx;
    uint64_t n;
    goc_chan *ch[SELECT_MAX_K];
    goc_ctx *ctx;
    uint64_t sent[SELECT_MAX_K];   /* written by each producer at its end */
    uint64_t next[SELECT_MAX_K];   /* consumer: next sequence number expected per input */
    uint64_t counts[SELECT_MAX_K]; /* consumer: timed messages per input */
    uint64_t got, bad, timeouts;
    int64_t elapsed_ns;            /* consumer: start to the n-th message */
    _Alignas(128) atomic_int stop; /* plain fan-in: set by the consumer after n messages */
    char pad[128 - sizeof(atomic_int)];
};

static void
fanin_producer(struct bench_thread *t) {
    struct fanin *f = t->arg;
    int j = t->role_index;
    goc_chan *ch = f->ch[j];
    goc_chan *done = f->with_ctx ? goc_ctx_done(f->ctx) : NULL;
    struct stamped m;
    uint64_t seq = 0;
    for (;;) {
        if (!f->with_ctx && atomic_load_explicit(&f->stop, memory_order_relaxed))
            break;
        m.seq = seq;
        m.ts = seq % SELECT_SAMPLE_EVERY == 0 ? bench_now_ns() : 0;
        if (f->with_ctx) {
            goc_case cs[2] = {GOC_SEND(ch, &m), GOC_RECV(done, NULL)};
            int i = goc_select(cs, 2, -1);
            if (i != 0 || !cs[0].ok)
                break; /* cancelled: this value was not sent */
        } else if (goc_chan_send(ch, &m) != GOC_OK) {
            bench_fail(t->run, "input %d: send refused", j);
            break;
        }
        seq++;
    }
    f->sent[j] = seq;
    goc_chan_close(ch);
}

/* Account for one message received from input j: sequence check; for the timed ones, the
 * input's share and the sampled latency. */
static inline void
take(struct fanin *f, struct bench_thread *t, int j, const struct stamped *m, bool timed) {
    if (m->seq != f->next[j])
        f->bad++;
    f->next[j] = m->seq + 1;
    if (timed) {
        f->counts[j]++;
        if (m->ts != 0)
            bench_hist_record(t->hist, bench_now_ns() - m->ts);
    }
}

static void
fanin_consumer(struct bench_thread *t) {
    struct fanin *f = t->arg;
    int k = f->k;
    goc_case cs[SELECT_MAX_K + 1];
    struct stamped m;
    for (int j = 0; j < k; j++)
        cs[j] = GOC_RECV(f->ch[j], &m);
    int ncases = k;
    int64_t timeout = -1;
    if (f->with_ctx) {
        cs[k] = GOC_RECV(goc_ctx_done(f->ctx), NULL);
        ncases = k + 1;
        timeout = FANIN_CTX_TIMEOUT_NS;
    }
    int64_t t0 = bench_now_ns();
    while (f->got < f->n) {
        int i = goc_select(cs, (size_t)ncases, timeout);
        if (i == GOC_TIMEDOUT) {
            f->timeouts++;
            continue;
        }
        if (i < 0 || i >= k || !cs[i].ok) {
            bench_fail(t->run, "select returned %d (ok %d) after %llu of %llu messages", i,
                       i >= 0 && i < ncases ? (int)cs[i].ok : -1, (unsigned long long)f->got,
                       (unsigned long long)f->n);
            break;
        }
        take(f, t, i, &m, true);
        f->got++;
    }
    f->elapsed_ns = bench_now_ns() - t0;
    /* Stop the producers, then drain until every input is closed. */
    if (f->with_ctx)
        goc_ctx_cancel(f->ctx);
    else
        atomic_store_explicit(&f->stop, 1, memory_order_relaxed);
    for (int open = k; open > 0;) {
        int i = goc_select(cs, (size_t)k, -1);
        if (i < 0 || i >= k) {
            bench_fail(t->run, "drain: select returned %d", i);
            break;
        }
        if (!cs[i].ok) {
            cs[i].ch = NULL; /* closed and drained: a nil case is never ready */
            open--;
            continue;
        }
        take(f, t, i, &m, false);
    }
}

static int
fanin_common(struct bench_run *r, bool with_ctx) {
    int k = (int)bench_param_int(r->inst, "k");
    long long cap = bench_param_int(r->inst, "cap");
    if (k < 1 || k > SELECT_MAX_K)
        return bench_fail(r, "k=%d: 1 to %d inputs", k, SELECT_MAX_K);
    struct fanin *f = aligned_alloc(128, sizeof *f);
    if (f == NULL)
        return bench_fail(r, "out of memory");
    memset(f, 0, sizeof *f);
    f->k = k;
    f->with_ctx = with_ctx;
    f->n = r->iters;
    atomic_init(&f->stop, 0);
    int rc = 0;
    for (int j = 0; j < k && rc == 0; j++)
        if ((f->ch[j] = goc_chan_make(sizeof(struct stamped), (size_t)cap)) == NULL)
            rc = bench_fail(r, "cannot make channel %d (cap=%lld)", j, cap);
    if (rc == 0 && with_ctx && (f->ctx = goc_ctx_with_cancel(goc_ctx_background())) == NULL)
        rc = bench_fail(r, "cannot make a context");
    if (rc == 0) {
        struct bench_role roles[] = {{fanin_consumer, f, 1}, {fanin_producer, f, k}};
        rc = bench_team_run(r, roles, 2);
    }
    if (rc == 0) {
        uint64_t missing = 0;
        for (int j = 0; j < k; j++)
            missing += f->next[j] != f->sent[j];
        if (f->got != f->n || f->bad != 0 || missing != 0) {
            rc = bench_fail(r,
                            "%llu of %llu timed messages, %llu out of sequence, %llu inputs "
                            "whose count sent differs from received",
                            (unsigned long long)f->got, (unsigned long long)f->n,
                            (unsigned long long)f->bad, (unsigned long long)missing);
        } else {
            double smin = 1, smax = 0;
            for (int j = 0; j < k; j++) {
                double s = (double)f->counts[j] / (double)f->n;
                smin = s < smin ? s : smin;
                smax = s > smax ? s : smax;
            }
            bench_set_elapsed_ns(r, f->elapsed_ns);
            bench_extra(r, "share_min", smin);
            bench_extra(r, "share_max", smax);
            bench_extra(r, "latency_sample_every", SELECT_SAMPLE_EVERY);
            if (with_ctx)
                bench_extra(r, "timeouts", (double)f->timeouts);
        }
    }
    goc_ctx_free(f->ctx);
    for (int j = 0; j < k; j++)
        goc_chan_free(f->ch[j]);
    free(f);
    return rc;
}

static int
fanin_run(struct bench_run *r) {
    return fanin_common(r, false);
}

static int
fanin_ctx_run(struct bench_run *r) {
    return fanin_common(r, true);
}

static const struct bench_impl fanin_impls[] = {
    BENCH_IMPL("goc", NULL),
    BENCH_EXECUTOR("go"),
    BENCH_EXECUTOR("crossbeam"),
    BENCH_IMPLS_END,
};

/* fanin_ctx has no executor counterpart (its context case is libgoc's goc_ctx_done). */
static const struct bench_impl fanin_ctx_impls[] = {
    BENCH_IMPL("goc", NULL),
    BENCH_IMPLS_END,
};

/* The consumer and k producers (the executors' thread order too). */
static int
fanin_threads(const struct bench_instance *inst) {
    return (int)bench_param_int(inst, "k") + 1;
}

static const struct bench_param fanin_params[] = {
    {"k", BENCH_PARAM_INT, BENCH_VALUES("2", "4", "8", "16"), BENCH_VALUES("4", "16")},
    {"cap", BENCH_PARAM_INT, BENCH_VALUES("0", "64"), BENCH_VALUES("0", "64")},
    BENCH_PARAMS_END,
};

static const struct bench_param fanin_ctx_params[] = {
    {"k", BENCH_PARAM_INT, BENCH_VALUES("2", "4", "8", "16"), BENCH_VALUES("4")},
    {"cap", BENCH_PARAM_INT, BENCH_VALUES("0", "64"), BENCH_VALUES("0")},
    BENCH_PARAMS_END,
};

static const struct bench_scenario select_scenarios[] = {
    {.name = "fanin",
     .op = "msg",
     .params = fanin_params,
     .impls = fanin_impls,
     .run = fanin_run,
     .threads = fanin_threads,
     .latency = true,
     .min_iters = 256},
    {.name = "fanin_ctx",
     .op = "msg",
     .params = fanin_ctx_params,
     .impls = fanin_ctx_impls,
     .run = fanin_ctx_run,
     .latency = true,
     .min_iters = 256},
    BENCH_SCENARIOS_END,
};

const struct bench_family bench_select = {
    .name = "select",
    .summary = "fan-in through goc_select, Go's select and crossbeam's Select (naive has none)",
    .scenarios = select_scenarios,
};
