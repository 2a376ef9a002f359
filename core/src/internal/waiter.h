/* SPDX-License-Identifier: MIT */
/* The per-thread waiter (waiter.c): what a blocked channel operation or select waits on, and
 * the state machine partners use to claim it. It knows nothing about channels: the queues that
 * entries are linked into are the channel's (chan_impl.h), and registering cases and waiting
 * for one is case.c's job.
 *
 * Each thread has one waiter (thread-local). An operation, or a select with several cases,
 * links one entry per case into the queues of its channels, all pointing at the same waiter.
 * The first partner that moves the waiter's state away from WAITING owns it; every other
 * partner sees the CAS fail and skips (and unlinks) that entry. The waiter spins a little on
 * its state (spin.h's policy), then parks on it with a futex. */
#ifndef GOCI_WAITER_H
#define GOCI_WAITER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "assert.h"
#include "cacheline.h"
#include "futex.h"

/* Waiter states (low 4 bits of the state word; the case index sits above them).
 *   WAITING  linked into queues, nobody has claimed it yet; PARKED may be or-ed in once the
 *            owner sleeps on the futex, so that partners know a futex wake is needed.
 *   CLAIMED  an unbuffered partner owns it and is copying the value (owner keeps waiting).
 *   DONE     the partner finished an unbuffered transfer for case `index`.
 *   WOKEN    a partner made case `index` ready (buffered space or data, or a close): retry it.
 *   ABORTED  the owner gave up (timeout, or it saw a case become ready while registering).
 * Only WAITING -> anything is contended (by CAS); all later transitions have one writer. */
enum {
    GOCI_W_WAITING = 0,
    GOCI_W_CLAIMED = 1,
    GOCI_W_DONE = 2,
    GOCI_W_WOKEN = 3,
    GOCI_W_ABORTED = 4,
    GOCI_W_PARKED = 8,
    GOCI_W_CODE_MASK = 7,
    GOCI_W_INDEX_SHIFT = 4,
};

struct goci_waiter;

/* One case of one waiting operation, linked into a channel queue. Lives on the waiting
 * thread's stack, or inside its waiter for single-case operations.
 * Invariants: linked is true exactly while the entry is in its channel's queue.
 * Protected by: the channel lock (next, prev, linked); the rest is written by the owner
 * before linking and read-only while linked. */
struct goci_entry {
    struct goci_entry *next, *prev;
    struct goci_waiter *w;
    void *elem;     /* send: the value; receive: the out buffer (NULL discards) */
    uint32_t index; /* case index reported to the owner */
    bool linked;
};

/* Unbuffered single-case operations on elements up to this size stage the value inside the
 * waiter, so that a partner reads the entry, claims the waiter, copies the value and
 * publishes DONE on one cache line. */
#define GOCI_WAITER_INLINE 16

/* A thread's waiter: the state word, the entry used by single-case operations, and the
 * staging buffer, on one cache line.
 * Protected by: state is atomic (see the states above); entry as for any entry; buf is
 * written by the owner before linking (send) or by the one partner that claimed the waiter
 * (receive), and read by the other side after DONE (release/acquire on state). */
struct goci_waiter {
    GOCI_CACHELINE_ALIGNED _Atomic uint32_t state; /* futex word */
    struct goci_entry entry;
    unsigned char buf[GOCI_WAITER_INLINE];
};

/* The calling thread's waiter. */
struct goci_waiter *goci_self(void);

/* Spin, then park, until the waiter leaves WAITING/CLAIMED or the deadline (absolute
 * CLOCK_MONOTONIC ns; INT64_MAX = never) passes, in which case it aborts itself. Returns the
 * final state word (DONE, WOKEN or ABORTED with the case index above GOCI_W_INDEX_SHIFT). */
uint32_t goci_wait(struct goci_waiter *w, int64_t deadline_ns);

/* A state word: code with the case index above it. */
static inline uint32_t
goci_state_of(uint32_t code, uint32_t index) {
    return code | (index << GOCI_W_INDEX_SHIFT);
}

/* Move waiter w from WAITING to `to` (with the case index). Returns false when another partner
 * or the owner got there first. *parked tells whether the owner sleeps on the futex.
 * acq_rel: acquire pairs with the owner's release of its entry (via the channel lock, and its
 * PARKED CAS); release publishes nothing yet (the DONE store does). */
static inline bool
goci_waiter_claim(struct goci_waiter *w, uint32_t to, bool *parked) {
    /* Only WAITING -> anything is contended; nobody moves a waiter back to WAITING (its owner
     * does, alone, before linking it again). */
    GOCI_ASSERT((to & GOCI_W_CODE_MASK) != GOCI_W_WAITING && !(to & GOCI_W_PARKED));
    /* Try the CAS straight away rather than loading first: a load would fetch the line
     * shared and the CAS would then need a second transfer to own it. */
    uint32_t s = GOCI_W_WAITING;
    for (;;) {
        if (atomic_compare_exchange_weak_explicit(&w->state, &s, to, memory_order_acq_rel,
                                                  memory_order_relaxed)) {
            *parked = (s & GOCI_W_PARKED) != 0;
            return true;
        }
        if ((s & GOCI_W_CODE_MASK) != GOCI_W_WAITING)
            return false;
    }
}

/* Finish a claimed waiter: publish the final state and wake it if it sleeps. release; pairs
 * with the acquire load in goci_wait, so the owner sees the copied value. */
static inline void
goci_waiter_finish(struct goci_waiter *w, uint32_t final, bool parked) {
    /* CLAIMED has one writer, the claimer (us): nobody else can have moved it. */
    GOCI_ASSERT((atomic_load_explicit(&w->state, memory_order_relaxed) & GOCI_W_CODE_MASK) ==
                GOCI_W_CLAIMED);
    GOCI_ASSERT((final & GOCI_W_CODE_MASK) == GOCI_W_DONE);
    atomic_store_explicit(&w->state, final, memory_order_release);
    if (parked)
        goci_futex_wake(&w->state, 1);
}

/* Try to abort a waiter that found a ready case while registering: true when it was still
 * WAITING. False means a partner claimed it first; the caller must goci_wait for the result. */
static inline bool
goci_abort(struct goci_waiter *w) {
    bool parked;
    return goci_waiter_claim(w, GOCI_W_ABORTED, &parked);
}

#endif
