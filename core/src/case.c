/* SPDX-License-Identifier: MIT */
/* Cases: trying, registering and waiting on channel operations whatever their flavour (see
 * internal/case.h). A blocking goc_chan_send or goc_chan_recv (chan.c) and goc_select
 * (select.c) both wait through goci_wait_cases; the flavours it dispatches to are buffered.c
 * and unbuffered.c, and the waiter it waits on is waiter.c's. */
#include "internal/case.h"

#include <string.h>

#include "internal/assert.h"
#include "internal/chan_impl.h"
#include "internal/clock.h"
#include "internal/spin.h"
#include "internal/waiter.h"

/* ---- One case, dispatched to its flavour --------------------------------------------------- */

int
goci_try_case(goc_case *k) {
    struct goc_chan *c = k->ch;
    if (k->dir == GOC_CASE_SEND)
        return c->cap ? goci_buffered_send(c, k->elem)
                      : goci_unbuffered_try(c, true, (void *)k->elem);
    return c->cap ? goci_buffered_recv(c, k->out) : goci_unbuffered_try(c, false, k->out);
}

/* Link entry e (already filled: w, elem, index) for case k into its channel's queue, or, on
 * an unbuffered channel with a waiting partner, complete the case at once. */
static enum goci_reg
register_case(goc_case *k, struct goci_entry *e, int *rc) {
    struct goc_chan *c = k->ch;
    bool send = k->dir == GOC_CASE_SEND;
    GOCI_ASSERT(!e->linked && e->w == goci_self());
    if (c->cap == 0)
        return goci_unbuffered_register(c, send, e, rc);
    return goci_buffered_register(c, send, e);
}

/* Unlink e from case k's channel if it is still linked. */
static void
unregister_case(goc_case *k, struct goci_entry *e) {
    struct goc_chan *c = k->ch;
    bool send = k->dir == GOC_CASE_SEND;
    goci_lock_acquire(&c->lock);
    if (e->linked) {
        goci_queue_unlink(c, send ? &c->sendq : &c->recvq, e);
        if (c->cap)
            goci_count_drop(send ? &c->nsendq : &c->nrecvq);
    }
    goci_lock_release(&c->lock);
}

struct goci_snap
goci_snapshot(const goc_case *k) {
    struct goc_chan *c = k->ch;
    struct goci_snap snap;
    if (c->cap) {
        /* seq_cst, as the readiness checks of ring_push/ring_pop (buffered.c) and
         * goci_buffered_register. */
        snap.a = atomic_load_explicit(&c->tail, memory_order_seq_cst);
        snap.b = atomic_load_explicit(&c->head, memory_order_seq_cst);
    } else {
        /* acquire; pairs with the release in goci_bump_version. closed is covered by
         * version. */
        snap.a = atomic_load_explicit(&c->version, memory_order_acquire);
        snap.b = 0;
    }
    return snap;
}

/* ---- Polling --------------------------------------------------------------------------------- */

int
goci_poll_cases(goc_case *cases, const uint32_t *order, size_t m, bool buffered_only) {
    for (size_t k = 0; k < m; k++) {
        goc_case *c = &cases[order[k]];
        if (buffered_only && c->ch->cap == 0)
            continue;
        int rc = goci_try_case(c);
        if (rc != GOC_WOULDBLOCK)
            return goci_finish_case(cases, order[k], rc);
    }
    return -1;
}

/* The slip's look at the ring (spin.h) for the single case arg. */
static bool
case_ready(void *arg, bool ahead) {
    goc_case *k = arg;
    return goci_buffered_ready(k->ch, k->dir == GOC_CASE_SEND, ahead);
}

int
goci_poll_spin(goc_case *cases, const uint32_t *order, size_t m, bool slip_first) {
    bool any_buffered = false;
    for (size_t k = 0; k < m; k++)
        any_buffered |= cases[order[k]].ch->cap != 0;
    /* Poll every case, unless all are unbuffered: the caller is about to block, and
     * registration checks each channel for a partner under its lock anyway, in the same
     * (random) order, so polling first would only take every lock twice. */
    if (!any_buffered)
        return -1;
    if (slip_first && m == 1 && cases[order[0]].ch->cap >= 2)
        goci_slip(case_ready, &cases[order[0]]);
    int r = goci_poll_cases(cases, order, m, false);
    if (r >= 0)
        return r;
    /* Buffered cases become ready without a partner queueing, so spin on them for a while
     * before paying for registration and a possible futex sleep. */
    struct goci_spinwait sw;
    goci_spinwait_init(&sw);
    while (!goci_spinwait_done(&sw)) {
        goci_spinwait_step(&sw);
        r = goci_poll_cases(cases, order, m, true);
        if (r >= 0) {
            goci_spinwait_finish(&sw);
            return r;
        }
    }
    return -1;
}

/* ---- Waiting --------------------------------------------------------------------------------- */

int
goci_wait_cases(goc_case *cases, const uint32_t *order, size_t m, struct goci_entry *entries,
                int64_t deadline, long *hint) {
    struct goci_waiter *self = goci_self();
    *hint = -1;
    /* A partner that claimed the waiter in an earlier step has finished with it: CLAIMED is
     * always waited out (goci_wait), and nobody claims a waiter that is not WAITING. */
    GOCI_ASSERT((atomic_load_explicit(&self->state, memory_order_relaxed) & GOCI_W_CODE_MASK) !=
                GOCI_W_CLAIMED);
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
        reg = register_case(&cases[i], e, &rc);
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
    GOCI_ASSERT(code == GOCI_W_DONE || code == GOCI_W_WOKEN || code == GOCI_W_ABORTED);
    /* The partner that woke or completed us unlinked that entry already; every other
     * linked entry is ours to remove. */
    bool claimed = code == GOCI_W_DONE || code == GOCI_W_WOKEN;
    /* A partner that claimed us through an earlier case finished with DONE or WOKEN. */
    GOCI_ASSERT(reg != GOCI_REG_CLAIMED || claimed);
    bool found = false;
    for (size_t k = 0; k < linked; k++) {
        if (claimed && ents[k].index == index)
            found = true;
        else
            unregister_case(&cases[ents[k].index], &ents[k]);
        /* Unlinked by the partner before its claim, or by us just now. */
        GOCI_ASSERT(!ents[k].linked);
    }
    /* The case a partner claimed us for is one of the cases we linked. */
    GOCI_ASSERT(!claimed || found);
    if (reg == GOCI_REG_DONE || code == GOCI_W_DONE) {
        uint32_t i = reg == GOCI_REG_DONE ? now_index : index;
        /* A staged receive (or its zeroing by close) landed in the waiter's buffer. */
        if (staged && cases[i].dir == GOC_CASE_RECV && cases[i].ch->elem_size != 0)
            memcpy(cases[i].out, self->buf, cases[i].ch->elem_size);
        return goci_finish_case(cases, i, reg == GOCI_REG_DONE ? rc : GOC_OK);
    }
    if (code == GOCI_W_WOKEN)
        *hint = (long)index;
    else if (reg == GOCI_REG_LINKED && deadline != INT64_MAX && goci_now_ns() >= deadline)
        return GOC_TIMEDOUT;
    return GOC_WOULDBLOCK;
}

int
goci_block_case(goc_case *k) {
    /* goc_select's loop (select.c) for one case and no timeout: the order is the case itself,
     * there is nothing to choose at random, and no default. */
    const uint32_t order[1] = {0};
    long hint = -1;
    /* A wait right after a streak of operations that did not wait: let the stream get ahead. */
    unsigned *streak = &goci_streak[k->dir == GOC_CASE_SEND ? GOCI_STREAK_SEND : GOCI_STREAK_RECV];
    bool slip_first = *streak >= GOCI_SLIP_STREAK;
    *streak = 0;
    for (;;) {
        /* A wake-up for our case goes first, as in goc_select. */
        if (hint >= 0) {
            int rc = goci_try_case(k);
            if (rc != GOC_WOULDBLOCK)
                return rc;
        }
        int r = goci_poll_spin(k, order, 1, slip_first);
        slip_first = false;
        if (r < 0)
            r = goci_wait_cases(k, order, 1, NULL, INT64_MAX, &hint);
        if (r >= 0)
            return k->ok ? GOC_OK : GOC_CLOSED;
    }
}
