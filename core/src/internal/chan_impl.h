/* SPDX-License-Identifier: MIT */
/* The channel's insides, shared by chan.c (send, receive, close) and select.c. Nothing outside
 * core/src includes this.
 *
 * A buffered channel is a bounded lock-free ring in the style of Vyukov's MPMC queue (as
 * crossbeam's array flavour): each slot carries a stamp saying whose turn it is, producers
 * claim slots by CAS on tail, consumers by CAS on head, and neither takes a lock. Blocked
 * threads wait in two intrusive queues (sendq, recvq) under the channel's small lock; the fast
 * path reads one counter per queue to see whether anyone needs waking.
 *
 * An unbuffered channel has no ring: every operation takes the channel lock, and either finds
 * a waiting partner in the opposite queue and hands the value over directly (copying to or from
 * the partner's own buffer), or queues itself and waits.
 *
 * Waiting: each thread has one waiter (thread-local). An operation, or a select with several
 * cases, links one entry per case into the queues of its channels, all pointing at the same
 * waiter. The first partner that moves the waiter's state away from WAITING owns it; every
 * other partner sees the CAS fail and skips (and unlinks) that entry. The waiter spins a little
 * on its state, then parks on it with a futex.
 */
#ifndef GOCI_CHAN_IMPL_H
#define GOCI_CHAN_IMPL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <goc/chan.h>
#include <goc/select.h>

#include "cacheline.h"
#include "lock.h"

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

/* The calling thread's waiter. */
struct goci_waiter *goci_self(void);

/* Try one case without blocking: GOC_OK, GOC_CLOSED (a receive zeroes its out) or
 * GOC_WOULDBLOCK. */
int goci_try_case(goc_case *c);

/* What goci_register found. */
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

/* Link entry e (already filled: w, elem, index) for case c into its channel's queue, or, on
 * an unbuffered channel with a waiting partner, complete the case at once. */
enum goci_reg goci_register(goc_case *c, struct goci_entry *e, int *rc);

/* Unlink e from case c's channel if it is still linked. */
void goci_unregister(goc_case *c, struct goci_entry *e);

/* Spin, then park, until the waiter leaves WAITING/CLAIMED or the deadline (absolute
 * CLOCK_MONOTONIC ns; INT64_MAX = never) passes, in which case it aborts itself. Returns the
 * final state word (DONE, WOKEN or ABORTED with the case index above GOCI_W_INDEX_SHIFT). */
uint32_t goci_wait(struct goci_waiter *w, int64_t deadline_ns);

/* Try to abort a waiter that found a ready case while registering: true when it was still
 * WAITING. False means a partner claimed it first; the caller must goci_wait for the result. */
bool goci_abort(struct goci_waiter *w);

/* A snapshot of what decides case c's readiness (ring positions, or the queue version and
 * closed flag): equal snapshots taken before and after a poll that found the case not ready
 * mean it was not ready at any moment in between. */
struct goci_snap {
    size_t a, b;
};
struct goci_snap goci_snapshot(const goc_case *c);

/* A per-thread pseudo-random number (select's fair choice). */
uint32_t goci_rand(void);

#endif
