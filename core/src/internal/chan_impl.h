/* SPDX-License-Identifier: MIT */
/* The channel's insides: struct goc_chan, its wait queues, and the two flavours that
 * implement it. Nothing outside core/src includes this.
 *
 * A buffered channel (buffered.c) is a bounded lock-free ring in the style of Vyukov's MPMC
 * queue (as crossbeam's array flavour): each slot carries a stamp saying whose turn it is,
 * producers claim slots by CAS on tail, consumers by CAS on head, and neither takes a lock.
 * Blocked threads wait in two intrusive queues (sendq, recvq) under the channel's small lock;
 * the fast path reads one counter per queue to see whether anyone needs waking.
 *
 * An unbuffered channel (unbuffered.c, as crossbeam's zero flavour) has no ring: every
 * operation takes the channel lock, and either finds a waiting partner in the opposite queue
 * and hands the value over directly (copying to or from the partner's own buffer), or queues
 * itself and waits.
 *
 * Elsewhere: the waiter that queue entries point at is waiter.h's; trying, registering and
 * waiting on a case, whatever its flavour, is case.c's (internal/case.h); the public API that
 * dispatches to the flavours is chan.c. */
#ifndef GOCI_CHAN_IMPL_H
#define GOCI_CHAN_IMPL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <goc/chan.h>
#include <goc/select.h>

#include "assert.h"
#include "cacheline.h"
#include "futex.h"
#include "lock.h"
#include "waiter.h"

struct goci_queue {
    struct goci_entry *head, *tail;
};

/* A ring slot: stamp, then the element bytes. */
struct goci_slot {
    _Atomic size_t stamp;
    unsigned char data[];
};

/* Invariants:
 *  - Buffered (cap > 0): head and tail are positions `lap | index` (lap a multiple of one_lap,
 *    index < cap); tail may have mark_bit set, meaning closed. Slot i's stamp equals the tail
 *    position that may write it next, or that position + 1 once written; a consumer frees it by
 *    storing head + one_lap.
 *  - Unbuffered (cap == 0): sendq and recvq are never both non-empty with WAITING entries of
 *    different threads (a newcomer pairs with the waiter instead of queueing), except for a
 *    select's own send and receive cases on the same channel.
 *  - nsendq/nrecvq count linked entries of the buffered queues.
 * Field groups on separate cache lines: read-only shape; consumer's head; producer's tail;
 * the slow path (lock, queues, counts, closed). */
struct goc_chan {
    size_t elem_size;
    size_t cap;
    size_t slot_size; /* bytes per slot, a multiple of alignof(size_t) */
    size_t mark_bit;  /* buffered: the "closed" bit of tail, a power of two > cap */
    size_t one_lap;   /* buffered: 2 * mark_bit */

    GOCI_CACHELINE_ALIGNED _Atomic size_t head; /* buffered: written by consumers only */
    GOCI_CACHELINE_ALIGNED _Atomic size_t tail; /* buffered: written by producers and close */

    GOCI_CACHELINE_ALIGNED goci_lock lock;
    _Atomic uint32_t nsendq;  /* buffered: waiting senders; written under lock, read by consumers */
    _Atomic uint32_t nrecvq;  /* buffered: waiting receivers; read by producers */
    _Atomic uint32_t version; /* bumped under lock at every queue change and at close, so a
                                 default select can check that nothing moved while it polled */
    _Atomic bool closed;      /* unbuffered: written under lock; read lock-free by len/try fast
                                 paths. Buffered channels use tail's mark bit instead. */
    struct goci_queue sendq;  /* Protected by: lock */
    struct goci_queue recvq;  /* Protected by: lock */

    GOCI_CACHELINE_ALIGNED unsigned char slots[]; /* cap slots of slot_size bytes */
};

/* What registering a case found (goci_buffered_register, goci_unbuffered_register). */
enum goci_reg {
    GOCI_REG_LINKED,  /* e is linked; wait */
    GOCI_REG_READY,   /* e is linked, but the case is ready (buffered data or space, close):
                         abort the waiter and retry instead of waiting */
    GOCI_REG_RETRY,   /* e is not linked; the waiter is already aborted; retry */
    GOCI_REG_CLAIMED, /* e is not linked; a partner claimed the waiter through an earlier
                         case: wait for the result */
    GOCI_REG_DONE,    /* e is not linked; the case ran during registration (an unbuffered
                         partner was waiting, or the channel is closed) with status *rc; the
                         waiter is aborted */
};

/* ---- The buffered flavour (buffered.c) ------------------------------------------------- */

/* Set up the ring of a channel with cap > 0 (mark_bit, one_lap, every slot's stamp). */
void goci_buffered_init(struct goc_chan *c);
/* Elements in the ring now (a consistent snapshot of head and tail). */
size_t goci_buffered_len(struct goc_chan *c);
/* One attempt, never blocking: GOC_OK, GOC_CLOSED (a receive zeroes out) or GOC_WOULDBLOCK
 * (full, or empty). Wakes one waiting partner when the operation made room or data. */
int goci_buffered_send(struct goc_chan *c, const void *elem);
int goci_buffered_recv(struct goc_chan *c, void *out);
/* Link entry e (already filled: w, elem, index) into sendq (send) or recvq: LINKED, or READY
 * when the case became ready meanwhile. */
enum goci_reg goci_buffered_register(struct goc_chan *c, bool send, struct goci_entry *e);
/* Close: GOC_OK, or GOC_CLOSED when it already was. Wakes every waiter. */
int goci_buffered_close(struct goc_chan *c);
/* A hint for the slip (spin.h): true when the waiting side's next slot, or with ahead the slot
 * half a ring past it, is ready for it (written, for a receiver; freed, for a sender), or the
 * channel is closed to senders. Reads only that slot and the waiting side's own position. */
bool goci_buffered_ready(struct goc_chan *c, bool send, bool ahead);

/* ---- The unbuffered flavour (unbuffered.c) ---------------------------------------------- */

/* One attempt at a send (send true) or receive: GOC_OK after a handoff, GOC_CLOSED (a receive
 * zeroes buf), or GOC_WOULDBLOCK when no partner waits. */
int goci_unbuffered_try(struct goc_chan *c, bool send, void *buf);
/* Pair entry e with a waiting partner at once if there is one, else link it (see enum
 * goci_reg for the outcomes; *rc is set with GOCI_REG_DONE). */
enum goci_reg goci_unbuffered_register(struct goc_chan *c, bool send, struct goci_entry *e,
                                       int *rc);
/* Close: GOC_OK, or GOC_CLOSED when it already was. Wakes every waiter. */
int goci_unbuffered_close(struct goc_chan *c);

/* ---- Element copies, shared by both flavours -------------------------------------------- */

static inline void
goci_copy_elem(void *dst, const void *src, size_t n) {
    /* The common sizes as fixed-size copies, so the compiler inlines them. */
    if (n == 8)
        memcpy(dst, src, 8);
    else if (n != 0)
        memcpy(dst, src, n);
}

/* Copy to a receiver's out, which may be NULL (discard). */
static inline void
goci_deliver(void *out, const void *src, size_t n) {
    if (out != NULL)
        goci_copy_elem(out, src, n);
}

/* A receive on a closed channel zeroes its out. */
static inline void
goci_zero_out(void *out, size_t n) {
    if (out != NULL && n != 0)
        memset(out, 0, n);
}

/* ---- Wait queues (caller holds c->lock), shared by both flavours ------------------------- */

/* Every queue change bumps the channel's version (see goci_snapshot). relaxed load, release
 * store: the lock orders writers; lock-free readers pair their acquire loads with this. */
static inline void
goci_bump_version(struct goc_chan *c) {
    atomic_store_explicit(&c->version, atomic_load_explicit(&c->version, memory_order_relaxed) + 1,
                          memory_order_release);
}

static inline void
goci_queue_push(struct goc_chan *c, struct goci_queue *q, struct goci_entry *e) {
    GOCI_ASSERT(goci_lock_is_held(&c->lock));
    GOCI_ASSERT(!e->linked);
    GOCI_ASSERT((q->head == NULL) == (q->tail == NULL));
    goci_bump_version(c);
    e->next = NULL;
    e->prev = q->tail;
    if (q->tail)
        q->tail->next = e;
    else
        q->head = e;
    q->tail = e;
    e->linked = true;
}

static inline void
goci_queue_unlink(struct goc_chan *c, struct goci_queue *q, struct goci_entry *e) {
    GOCI_ASSERT(goci_lock_is_held(&c->lock));
    /* linked is true exactly while the entry is in its queue: its neighbours point back. */
    GOCI_ASSERT(e->linked);
    GOCI_ASSERT(e->prev ? e->prev->next == e : q->head == e);
    GOCI_ASSERT(e->next ? e->next->prev == e : q->tail == e);
    goci_bump_version(c);
    if (e->prev)
        e->prev->next = e->next;
    else
        q->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        q->tail = e->prev;
    e->next = e->prev = NULL;
    e->linked = false;
}

/* Take one off a buffered queue's count of linked entries (never below zero). relaxed: the
 * count only changes under the lock; readers outside it use seq_cst loads whose partner is the
 * seq_cst increment in goci_buffered_register. */
static inline void
goci_count_drop(_Atomic uint32_t *count) {
    uint32_t old = atomic_fetch_sub_explicit(count, 1, memory_order_relaxed);
    GOCI_ASSERT(old > 0);
}

/* Wake every entry of q (close). count is the buffered queue's count, NULL for an unbuffered
 * channel. Caller holds the lock. */
static inline void
goci_queue_wake_all(struct goc_chan *c, struct goci_queue *q, _Atomic uint32_t *count) {
    while (q->head != NULL) {
        struct goci_entry *e = q->head;
        struct goci_waiter *w = e->w; /* read before the claim frees the entry for reuse */
        uint32_t woken_state = goci_state_of(GOCI_W_WOKEN, e->index);
        bool parked = false;
        goci_queue_unlink(c, q, e);
        if (count)
            goci_count_drop(count);
        if (goci_waiter_claim(w, woken_state, &parked) && parked)
            goci_futex_wake(&w->state, 1);
    }
    GOCI_ASSERT(count == NULL || atomic_load_explicit(count, memory_order_relaxed) == 0);
}

#endif
