/* SPDX-License-Identifier: MIT */
/* The pitfall family: peeking at a channel by receiving and sending the value back, against a
 * lookahead the consumer keeps itself.
 *
 *   pitfall/resend/prod=P/cap=C/impl=I
 *   pitfall/lookahead/prod=P/cap=C/impl=I
 *
 * P producers keep a channel of capacity C full with numbered messages; one consumer groups
 * them into batches (consecutive messages of one producer with the same seq / PITFALL_BATCH)
 * and must see the message after a batch to know that the batch has ended. The pitfall
 * ("resend") puts that message back with a send on the same channel: it goes to the back of
 * the queue, so it is handled after messages its producer sent later (out of order), and when
 * the producers keep the buffer full there is no room for it: the consumer is the only
 * receiver, so a blocking resend would deadlock. Here it is a bounded wait: try_send, then
 * retries with yields for PITFALL_WAIT_NS, then the message is handled on the spot (a
 * timeout). The fix ("lookahead") keeps the peeked message in a local variable as the first
 * of the next batch: never out of order, never a stall.
 *
 * One operation is a message handled. extra: out_of_order (fraction of messages handled after
 * a later message of the same producer), resends (put-backs per message), stalls (fraction of
 * put-backs that found the buffer full), timeouts (fraction of put-backs that gave up).
 * Checks: every message handled exactly once (count, sum and sum of squares of the sequence
 * numbers per producer), and the lookahead never out of order. */
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <goc/goc.h>

#include "harness.h"
#include "ops.h"
#include "goc_ops.h"

#define PITFALL_BATCH 4
#define PITFALL_WAIT_NS 20000 /* 20 us */
#define PITFALL_MAX_PROD 64

struct pmsg {
    uint64_t prod, seq;
};

struct pitfall {
    const struct chan_ops *ops;
    void *ch;
    int prod;
    bool resend;
    uint64_t n;
    /* Consumer's tallies, read after the team. */
    uint64_t count, sum, sumsq, out_of_order, resends, stalls, timeouts;
    int64_t high[PITFALL_MAX_PROD]; /* highest seq handled per producer */
    _Alignas(128) atomic_int producers_left;
};

static void
pitfall_producer(struct bench_thread *t) {
    struct pitfall *pf = t->arg;
    int p = t->role_index;
    uint64_t np = bench_share(pf->n, pf->prod, p);
    for (uint64_t k = 0; k < np; k++) {
        struct pmsg m = {(uint64_t)p, k};
        if (pf->ops->send(pf->ch, &m) != GOC_OK) {
            bench_fail(t->run, "producer %d: send refused", p);
            break;
        }
    }
    if (atomic_fetch_sub_explicit(&pf->producers_left, 1, memory_order_acq_rel) == 1)
        pf->ops->close(pf->ch);
}

static void
handle(struct pitfall *pf, const struct pmsg *m) {
    if (m->prod >= (uint64_t)pf->prod) {
        pf->out_of_order++; /* counted; the sums will not match either */
        return;
    }
    if ((int64_t)m->seq < pf->high[m->prod])
        pf->out_of_order++;
    else
        pf->high[m->prod] = (int64_t)m->seq;
    pf->count++;
    pf->sum += m->seq;
    pf->sumsq += m->seq * m->seq;
}

static inline bool
same_batch(const struct pmsg *a, const struct pmsg *b) {
    return a->prod == b->prod && a->seq / PITFALL_BATCH == b->seq / PITFALL_BATCH;
}

/* The pitfall's put-back: 0 when the message went back into the channel, -1 when it could not
 * (full for PITFALL_WAIT_NS, or closed) and the caller must handle it now. */
static int
put_back(struct pitfall *pf, const struct pmsg *m) {
    pf->resends++;
    int rc = pf->ops->try_send(pf->ch, m);
    if (rc == GOC_OK)
        return 0;
    if (rc == GOC_WOULDBLOCK) {
        pf->stalls++;
        int64_t deadline = bench_now_ns() + PITFALL_WAIT_NS;
        do {
            sched_yield();
            rc = pf->ops->try_send(pf->ch, m);
        } while (rc == GOC_WOULDBLOCK && bench_now_ns() < deadline);
        if (rc == GOC_OK)
            return 0;
    }
    pf->timeouts++;
    return -1;
}

static void
pitfall_consumer(struct bench_thread *t) {
    struct pitfall *pf = t->arg;
    struct pmsg cur, next;
    bool have = false; /* lookahead: next holds the first message of the next batch */
    for (;;) {
        if (have)
            cur = next;
        else if (pf->ops->recv(pf->ch, &cur) != GOC_OK)
            break;
        have = false;
        handle(pf, &cur);
        /* Peek: take messages while they belong to cur's batch. */
        for (;;) {
            if (pf->ops->recv(pf->ch, &next) != GOC_OK)
                return; /* closed and drained */
            if (same_batch(&cur, &next)) {
                handle(pf, &next);
                continue;
            }
            if (!pf->resend)
                have = true;
            else if (put_back(pf, &next) != 0)
                handle(pf, &next);
            break;
        }
    }
    (void)t;
}

static int
pitfall_common(struct bench_run *r, bool resend) {
    int prod = (int)bench_param_int(r->inst, "prod");
    long long cap = bench_param_int(r->inst, "cap");
    if (prod < 1 || prod > PITFALL_MAX_PROD)
        return bench_fail(r, "prod=%d: 1 to %d producers", prod, PITFALL_MAX_PROD);
    const struct chan_ops *ops = r->ops;
    if (ops->try_send == NULL)
        return bench_skip(r, "impl %s has no try_send", bench_impl_name(r->inst));
    struct pitfall *pf = aligned_alloc(128, sizeof *pf);
    if (pf == NULL)
        return bench_fail(r, "out of memory");
    memset(pf, 0, sizeof *pf);
    pf->ops = ops;
    pf->prod = prod;
    pf->resend = resend;
    pf->n = r->iters;
    for (int p = 0; p < prod; p++)
        pf->high[p] = -1;
    atomic_init(&pf->producers_left, prod);
    int rc = 0;
    if ((pf->ch = ops->make(sizeof(struct pmsg), (size_t)cap)) == NULL)
        rc = bench_fail(r, "cannot make a channel (cap=%lld)", cap);
    if (rc == 0) {
        struct bench_role roles[] = {{pitfall_consumer, pf, 1}, {pitfall_producer, pf, prod}};
        rc = bench_team_run(r, roles, 2);
    }
    if (rc == 0) {
        uint64_t want_sum = 0, want_sq = 0;
        for (int p = 0; p < prod; p++) {
            uint64_t np = bench_share(pf->n, prod, p);
            for (uint64_t k = 0; k < np; k++) {
                want_sum += k;
                want_sq += k * k;
            }
        }
        if (pf->count != pf->n || pf->sum != want_sum || pf->sumsq != want_sq ||
            (!resend && pf->out_of_order != 0)) {
            rc = bench_fail(r,
                            "%llu of %llu messages handled (sum %llu, expected %llu), %llu "
                            "out of order",
                            (unsigned long long)pf->count, (unsigned long long)pf->n,
                            (unsigned long long)pf->sum, (unsigned long long)want_sum,
                            (unsigned long long)pf->out_of_order);
        } else {
            double n = (double)pf->n, puts = pf->resends > 0 ? (double)pf->resends : 1;
            bench_extra(r, "out_of_order", (double)pf->out_of_order / n);
            bench_extra(r, "resends", (double)pf->resends / n);
            bench_extra(r, "stalls", (double)pf->stalls / puts);
            bench_extra(r, "timeouts", (double)pf->timeouts / puts);
        }
    }
    if (pf->ch != NULL)
        ops->free(pf->ch);
    free(pf);
    return rc;
}

static int
resend_run(struct bench_run *r) {
    return pitfall_common(r, true);
}

static int
lookahead_run(struct bench_run *r) {
    return pitfall_common(r, false);
}

static const struct bench_impl pitfall_impls[] = {
    BENCH_IMPL("goc", &peer_goc_chan),
    BENCH_IMPL("naive", &peer_naive_chan),
    BENCH_IMPLS_END,
};

static const struct bench_param pitfall_params[] = {
    {"prod", BENCH_PARAM_THREADS, BENCH_VALUES("1", "2", "pus"), BENCH_VALUES("pus")},
    {"cap", BENCH_PARAM_INT, BENCH_VALUES("16", "256"), BENCH_VALUES("16")},
    BENCH_PARAMS_END,
};

static const struct bench_scenario pitfall_scenarios[] = {
    {.name = "resend",
     .op = "msg",
     .params = pitfall_params,
     .impls = pitfall_impls,
     .run = resend_run,
     .min_iters = 256},
    {.name = "lookahead",
     .op = "msg",
     .params = pitfall_params,
     .impls = pitfall_impls,
     .run = lookahead_run,
     .min_iters = 256},
    BENCH_SCENARIOS_END,
};

const struct bench_family bench_pitfall = {
    .name = "pitfall",
    .summary = "peek by receive-and-resend (out of order, stalls) vs a consumer-owned lookahead",
    .scenarios = pitfall_scenarios,
};
