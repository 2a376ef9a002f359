/* SPDX-License-Identifier: MIT */
/* goc_select: poll the cases in random order; if none is ready, register one entry per case
 * on its channel (all sharing this thread's waiter), wait for the first partner to claim the
 * waiter, then unregister the rest. The channel side of it lives in chan.c. */
#include <stdlib.h>
#include <string.h>

#include "internal/api.h"
#include "internal/chan_impl.h"
#include "internal/clock.h"
#include "internal/spin.h"

/* Cases handled without a heap allocation; larger selects allocate their scratch space. */
#define SMALL_SELECT 16

/* Run case i's outcome rc (GOC_OK or GOC_CLOSED) into the caller's result. */
static int
finish(goc_case *cases, uint32_t i, int rc) {
    cases[i].ok = rc == GOC_OK;
    return (int)i;
}

/* A uniformly random permutation of the non-NULL cases (Fisher-Yates): taking the first ready
 * case in this order chooses uniformly among the ready ones. Returns how many there are. */
static size_t
shuffle(const goc_case *cases, size_t n, uint32_t *order) {
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (cases[i].ch == NULL)
            continue;
        size_t j = m == 0 ? 0 : goci_rand() % (uint32_t)(m + 1);
        order[m] = order[j];
        order[j] = (uint32_t)i;
        m++;
    }
    return m;
}

/* One pass over the cases in order; the index of the case that ran, or -1. */
static int
poll_pass(goc_case *cases, const uint32_t *order, size_t m, bool buffered_only) {
    for (size_t k = 0; k < m; k++) {
        goc_case *c = &cases[order[k]];
        if (buffered_only && c->ch->cap == 0)
            continue;
        int rc = goci_try_case(c);
        if (rc != GOC_WOULDBLOCK)
            return finish(cases, order[k], rc);
    }
    return -1;
}

/* A select with default must not answer GOC_WOULDBLOCK unless at one moment no case was
 * ready (Go's TestNonblockSelectRace: with values moving between two channels, one of them
 * always holds one). Polling case by case is not atomic, so take a snapshot of every case's
 * channel before the poll and compare after: if nothing moved, the instant after the poll
 * saw every channel as the poll did. If something moved, poll again; after
 * DEFAULT_SELECT_RETRIES busy rounds, answer GOC_WOULDBLOCK anyway rather than spin. */
#define DEFAULT_SELECT_RETRIES 64

static int
poll_default(goc_case *cases, const uint32_t *order, size_t m, struct goci_snap *snaps) {
    for (int round = 0;; round++) {
        if (m > 1) {
            for (size_t k = 0; k < m; k++)
                snaps[k] = goci_snapshot(&cases[order[k]]);
        }
        int r = poll_pass(cases, order, m, false);
        if (r >= 0)
            return r;
        if (m <= 1 || round == DEFAULT_SELECT_RETRIES)
            return GOC_WOULDBLOCK;
        bool moved = false;
        for (size_t k = 0; k < m && !moved; k++) {
            struct goci_snap now = goci_snapshot(&cases[order[k]]);
            moved = now.a != snaps[k].a || now.b != snaps[k].b;
        }
        if (!moved)
            return GOC_WOULDBLOCK;
    }
}

static int
select_loop(goc_case *cases, size_t n, int64_t timeout_ns, uint32_t *order,
            struct goci_entry *entries, struct goci_snap *snaps) {
    int64_t deadline = timeout_ns > 0 ? goci_deadline_after(timeout_ns) : INT64_MAX;
    struct goci_waiter *self = goci_self();
    long hint = -1;
    for (;;) {
        /* A case a partner woke us for goes first, so that its wake-up is not lost on a case
         * that then sits unserved while we take another. */
        if (hint >= 0) {
            int rc = goci_try_case(&cases[hint]);
            if (rc != GOC_WOULDBLOCK)
                return finish(cases, (uint32_t)hint, rc);
            hint = -1;
        }
        size_t m = shuffle(cases, n, order);
        bool any_buffered = false;
        for (size_t k = 0; k < m; k++)
            any_buffered |= cases[order[k]].ch->cap != 0;

        /* Poll every case, unless all are unbuffered and we may block: then registration
         * below checks each channel for a partner under its lock anyway, in the same random
         * order, and polling first would only take every lock twice. */
        if (timeout_ns == 0)
            return poll_default(cases, order, m, snaps);
        if (any_buffered) {
            int r = poll_pass(cases, order, m, false);
            if (r >= 0)
                return r;
            /* Buffered cases become ready without a partner queueing, so spin on them for a
             * while before paying for registration and a possible futex sleep. */
            struct goci_spinwait sw;
            goci_spinwait_init(&sw);
            while (!goci_spinwait_done(&sw)) {
                goci_spinwait_step(&sw);
                r = poll_pass(cases, order, m, true);
                if (r >= 0) {
                    goci_spinwait_finish(&sw);
                    return r;
                }
            }
        }
        if (deadline != INT64_MAX && goci_now_ns() >= deadline)
            return GOC_TIMEDOUT;

        /* relaxed: no partner can see the waiter until an entry is linked under a channel
         * lock, whose release publishes this store. */
        atomic_store_explicit(&self->state, GOCI_W_WAITING, memory_order_relaxed);
        /* A single unbuffered case with a small element waits in the waiter's own entry
         * and stages its value in the waiter's buffer: one cache line for the partner. */
        struct goci_entry *ents = entries;
        bool staged = false;
        if (m == 1) {
            goc_case *only = &cases[order[0]];
            ents = &self->entry;
            staged = only->ch->cap == 0 && only->ch->elem_size <= GOCI_WAITER_INLINE &&
                     (only->dir == GOC_CASE_SEND || only->out != NULL);
            if (staged && only->dir == GOC_CASE_SEND && only->ch->elem_size != 0)
                memcpy(self->buf, only->elem, only->ch->elem_size);
        }
        size_t linked = 0; /* ents[0..linked) are (or were) linked */
        enum goci_reg reg = GOCI_REG_LINKED;
        int rc = GOC_OK;
        uint32_t now_index = 0;
        for (size_t k = 0; k < m && reg == GOCI_REG_LINKED; k++) {
            uint32_t i = order[k];
            struct goci_entry *e = &ents[linked];
            e->w = self;
            e->elem = cases[i].dir == GOC_CASE_SEND ? (void *)cases[i].elem : cases[i].out;
            if (staged)
                e->elem = self->buf;
            e->index = i;
            e->linked = false;
            reg = goci_register(&cases[i], e, &rc);
            if (reg == GOCI_REG_LINKED || reg == GOCI_REG_READY)
                linked++;
            now_index = i;
        }
        uint32_t s;
        if (reg == GOCI_REG_DONE || reg == GOCI_REG_RETRY)
            s = GOCI_W_ABORTED; /* register aborted our waiter itself */
        else if (reg == GOCI_REG_READY && goci_abort(self))
            s = GOCI_W_ABORTED;
        else
            s = goci_wait(self, deadline);

        uint32_t code = s & GOCI_W_CODE_MASK;
        uint32_t index = s >> GOCI_W_INDEX_SHIFT;
        /* The partner that woke or completed us unlinked that entry already; every other
         * linked entry is ours to remove. */
        bool claimed = code == GOCI_W_DONE || code == GOCI_W_WOKEN;
        for (size_t k = 0; k < linked; k++) {
            if (!(claimed && ents[k].index == index))
                goci_unregister(&cases[ents[k].index], &ents[k]);
        }
        if (reg == GOCI_REG_DONE || code == GOCI_W_DONE) {
            uint32_t i = reg == GOCI_REG_DONE ? now_index : index;
            /* A staged receive (or its zeroing by close) landed in the waiter's buffer. */
            if (staged && cases[i].dir == GOC_CASE_RECV && cases[i].ch->elem_size != 0)
                memcpy(cases[i].out, self->buf, cases[i].ch->elem_size);
            return finish(cases, i, reg == GOCI_REG_DONE ? rc : GOC_OK);
        }
        if (code == GOCI_W_WOKEN)
            hint = (long)index;
        else if (reg == GOCI_REG_LINKED && deadline != INT64_MAX && goci_now_ns() >= deadline)
            return GOC_TIMEDOUT;
    }
}

GOC_API int
goc_select(goc_case *cases, size_t n, int64_t timeout_ns) {
    if (cases == NULL && n > 0)
        return GOC_EINVAL;
    if (n > (size_t)INT32_MAX >> GOCI_W_INDEX_SHIFT)
        return GOC_EINVAL;
    for (size_t i = 0; i < n; i++) {
        if (cases[i].dir != GOC_CASE_SEND && cases[i].dir != GOC_CASE_RECV)
            return GOC_EINVAL;
        /* A send of a non-empty element needs the element. */
        if (cases[i].dir == GOC_CASE_SEND && cases[i].ch != NULL && cases[i].elem == NULL &&
            cases[i].ch->elem_size != 0)
            return GOC_EINVAL;
    }
    if (n <= SMALL_SELECT) {
        uint32_t order[SMALL_SELECT];
        struct goci_entry entries[SMALL_SELECT];
        struct goci_snap snaps[SMALL_SELECT];
        return select_loop(cases, n, timeout_ns, order, entries, snaps);
    }
    uint32_t *order = malloc(n * sizeof(*order));
    struct goci_entry *entries = malloc(n * sizeof(*entries));
    struct goci_snap *snaps = malloc(n * sizeof(*snaps));
    int rc = GOC_ENOMEM;
    if (order != NULL && entries != NULL && snaps != NULL)
        rc = select_loop(cases, n, timeout_ns, order, entries, snaps);
    free(order);
    free(entries);
    free(snaps);
    return rc;
}
