/* SPDX-License-Identifier: MIT */
/* libgoc's one spin policy: how long a blocked operation spins, when it yields, and when it
 * gives up and parks on a futex. Every busy loop in libgoc goes through this file, and every
 * constant that tunes how long something spins, retries or waits is defined here; no other
 * file holds one. (Sizes that only choose between stack and heap, or a table's size, such as
 * select.c's SMALL_SELECT, stay with their code.)
 *
 * Why spin at all: on the virtual machines chanbench targets, parking on a futex and being
 * woken costs 15-50 us while a cache line crosses cores in ~30 ns, so a partner that answers
 * within a few microseconds is far cheaper to wait for on the CPU. Why yield: when threads
 * outnumber cores, the partner we wait for may need our core, and a pure spin would burn the
 * rest of our time slice. */
#ifndef GOCI_SPIN_H
#define GOCI_SPIN_H

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>

/* One CPU relax hint. */
static inline void
goci_spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield" ::: "memory");
#else
    __asm__ __volatile__("" ::: "memory");
#endif
}

/* Exponential backoff for retrying a contended atomic: step k spins 2^k pauses up to
 * 2^GOCI_SPIN_LIMIT, then (snooze only) yields once per step; after GOCI_YIELD_LIMIT steps
 * the caller should park. */
#define GOCI_SPIN_LIMIT 6
#define GOCI_YIELD_LIMIT 10

/* Waiting for a partner: check the condition after every pause for up to GOCI_WAIT_PAUSES
 * pauses (about 3-10 us: a partner that is running answers well within it), then yield the
 * CPU GOCI_WAIT_YIELDS times (a partner that shares our core gets to run), then park on the
 * futex. Checking after every pause, rather than after exponentially growing spins, keeps
 * the answer latency of a spinning waiter at one pause.
 *
 * The pause budget adapts per thread, as glibc's adaptive mutexes and Linux's adaptive
 * spinning do: a wait that ends while spinning doubles the thread's budget (up to
 * GOCI_WAIT_PAUSES), one that has to park halves it (down to GOCI_WAIT_PAUSES_MIN). Two
 * threads on two cores keep spinning; threads that outnumber the cores, whose partners are
 * not running, stop burning the cores those partners need. */
#define GOCI_WAIT_PAUSES 256
#define GOCI_WAIT_PAUSES_MIN 8
#define GOCI_WAIT_YIELDS 4

/* Waiting for a lock whose holder is running (goc_mutex): look at the lock word after 1, 2,
 * 4, ... up to GOCI_LOCK_SPIN_CAP pauses, GOCI_LOCK_SPIN_PAUSES pauses in all, then yield
 * GOCI_WAIT_YIELDS times, then park. Not the wait above, which looks after every pause: there
 * the waiter reads a line the partner writes once, but a lock's holder writes the lock word at
 * every lock and unlock, and each look pulls that line away so the holder's next atomic waits
 * for it to come back. Measured on the 2-vCPU VM (paired ratios over 10 interleaved rounds,
 * runs mostly in the 390-445 ns mode), two threads taking a lock with nothing between: a look
 * after every pause read 1.06-1.34x pthread_mutex and 1.8-2.4x Go's sync.Mutex (six runs);
 * these values, 0.69-0.87x and 1.30-1.46x (three runs); a holder that keeps the lock 1 us read
 * the same either way. A goc_rwmutex writer waiting for readers to leave spins the same way
 * (each look reads the readers' slot lines); that use was not measured on its own. */
#define GOCI_LOCK_SPIN_PAUSES 512
#define GOCI_LOCK_SPIN_CAP 64

/* Letting a stream get ahead: the slip. A blocking buffered send or receive that has to wait
 * right after at least GOCI_SLIP_STREAK operations in a row that did not wait (goci_streak
 * counts them per thread and direction) has caught up with a partner that streams as fast as
 * it does. Polling the ring at once would read the very cache line the partner is writing: the
 * partner's next compare-and-swap then waits for that line to come back, every message costs
 * a core-to-core round trip, and the two threads stay in that lockstep. Measured on the 2-vCPU
 * VM (core-to-core round trip ~460 ns): 80-270 ns per message on a 1024-slot channel where a
 * bare ring needs 15-30. So the waiter first leaves the ring alone: up to GOCI_SLIP_PAUSES
 * pauses, looking every GOCI_SLIP_CHECK pauses only at the slot half a ring ahead, and polls
 * as soon as that slot is ready for it (the partner is half a ring ahead). After
 * GOCI_SLIP_LOOK pauses it also looks at its own slot: if even that is not ready, the partner
 * is not streaming right now, most likely because it is not running (threads outnumber cores,
 * as a pipeline's stages do), so the waiter yields its core once and polls. A waiter whose
 * slot is ready keeps leaving the ring alone: with many waiters on one ring (a worker pool), a
 * yield would pass the core around idle workers while the producer waits for it. The slip is
 * not part of the wait budget below. A wait that follows a wait (ping-pong, a paced producer,
 * a select) never slips, so latency-bound use is unchanged; a slip delays only a message that
 * arrives during it. */
#define GOCI_SLIP_STREAK 2
#define GOCI_SLIP_PAUSES 256
#define GOCI_SLIP_LOOK 64
#define GOCI_SLIP_CHECK 8

/* goc_select with default (select.c's poll_default): after this many polls that saw a channel
 * move, answer GOC_WOULDBLOCK anyway rather than keep spinning. */
#define GOCI_SELECT_DEFAULT_RETRIES 64

/* goc_mutex: a waiter that has waited longer than this (ns) switches the mutex to starvation
 * mode, where unlock hands ownership straight to the longest waiter (Go's
 * starvationThresholdNs, 1 ms). Shorter bounds cost throughput (every handoff is a futex
 * wake-up), longer ones let a waiter starve longer. */
#define GOCI_MUTEX_STARVATION_NS 1000000

/* Name of the policy, recorded by the harness in each run's header. */
#define GOCI_SPIN_POLICY                                                                           \
    "adaptive wait 8..256 pauses, 4 yields, futex; "                                               \
    "stream slip 256 pauses, yield at 64; cas backoff 2^0..2^6; "                                  \
    "lock spin 512 pauses, looks 1..64 apart"

struct goci_backoff {
    unsigned step;
};

#define GOCI_BACKOFF_INIT                                                                          \
    { 0 }

/* Spin for a short while, for retrying a contended atomic (never yields). */
static inline void
goci_backoff_spin(struct goci_backoff *b) {
    unsigned n = 1u << (b->step < GOCI_SPIN_LIMIT ? b->step : GOCI_SPIN_LIMIT);
    for (unsigned i = 0; i < n; i++)
        goci_spin_pause();
    if (b->step <= GOCI_SPIN_LIMIT)
        b->step++;
}

/* Wait for another thread to make progress: spin, then yield. */
static inline void
goci_backoff_snooze(struct goci_backoff *b) {
    if (b->step <= GOCI_SPIN_LIMIT) {
        for (unsigned i = 0; i < (1u << b->step); i++)
            goci_spin_pause();
    } else {
        sched_yield();
    }
    if (b->step <= GOCI_YIELD_LIMIT)
        b->step++;
}

/* True once snoozing has gone on long enough that the caller should park instead. */
static inline bool
goci_backoff_is_completed(const struct goci_backoff *b) {
    return b->step > GOCI_YIELD_LIMIT;
}

/* The calling thread's current pause budget; 0 until its first adaptive wait. */
extern _Thread_local unsigned goci_wait_budget;

/* The calling thread's blocking buffered sends ([GOCI_STREAK_SEND]) and receives
 * ([GOCI_STREAK_RECV]) that completed without waiting since its last wait in that direction
 * (see the slip above). */
enum { GOCI_STREAK_SEND, GOCI_STREAK_RECV };
extern _Thread_local unsigned goci_streak[2];

/* The waiting policy above, one step at a time. A zero-filled goci_spinwait (or
 * GOCI_SPINWAIT_INIT) spins the full budget and does not adapt. goci_spinwait_init starts from
 * the thread's adaptive budget; goci_spinwait_done records a wait that has to park, and
 * goci_spinwait_finish, called when the wait is over, records one that ended while spinning. */
struct goci_spinwait {
    unsigned count;
    unsigned budget; /* pauses before yielding; 0 means GOCI_WAIT_PAUSES, not adaptive */
    bool parked;     /* goci_spinwait_done has said "park" */
};

#define GOCI_SPINWAIT_INIT                                                                         \
    { 0, 0, false }

static inline void
goci_spinwait_init(struct goci_spinwait *w) {
    w->count = 0;
    w->budget = goci_wait_budget ? goci_wait_budget : GOCI_WAIT_PAUSES;
    w->parked = false;
}

/* The wait is over. If it never had to park, spin longer next time. */
static inline void
goci_spinwait_finish(struct goci_spinwait *w) {
    if (w->budget != 0 && !w->parked && w->budget < GOCI_WAIT_PAUSES)
        goci_wait_budget = w->budget * 2 < GOCI_WAIT_PAUSES ? w->budget * 2 : GOCI_WAIT_PAUSES;
}

/* One step of waiting: a pause, or a yield once the pauses are spent. */
static inline void
goci_spinwait_step(struct goci_spinwait *w) {
    if (w->count < (w->budget ? w->budget : GOCI_WAIT_PAUSES))
        goci_spin_pause();
    else
        sched_yield();
    w->count++;
}

/* True once the caller should park rather than keep spinning; the first time, an adaptive
 * wait halves the thread's budget. */
static inline bool
goci_spinwait_done(struct goci_spinwait *w) {
    if (w->count < (w->budget ? w->budget : GOCI_WAIT_PAUSES) + GOCI_WAIT_YIELDS)
        return false;
    if (w->budget != 0 && !w->parked) {
        w->parked = true;
        goci_wait_budget =
            w->budget / 2 > GOCI_WAIT_PAUSES_MIN ? w->budget / 2 : GOCI_WAIT_PAUSES_MIN;
    }
    return true;
}

/* The lock spin described above, one look at a time. */
struct goci_lockspin {
    unsigned spun;   /* pauses so far */
    unsigned step;   /* pauses before the next look */
    unsigned yields; /* yields so far, once the pauses are spent */
};

#define GOCI_LOCKSPIN_INIT                                                                         \
    { 0, 1, 0 }

/* Wait until the next look: some pauses, or a yield once they are spent. */
static inline void
goci_lockspin_step(struct goci_lockspin *s) {
    if (s->spun < GOCI_LOCK_SPIN_PAUSES) {
        for (unsigned i = 0; i < s->step; i++)
            goci_spin_pause();
        s->spun += s->step;
        if (s->step < GOCI_LOCK_SPIN_CAP)
            s->step *= 2;
    } else {
        sched_yield();
        s->yields++;
    }
}

/* True once the caller should park. */
static inline bool
goci_lockspin_done(const struct goci_lockspin *s) {
    return s->spun >= GOCI_LOCK_SPIN_PAUSES && s->yields >= GOCI_WAIT_YIELDS;
}

/* The slip described above. ready(arg, true) says the partner is half a ring ahead,
 * ready(arg, false) that the waiter's own slot is ready. */
static inline void
goci_slip(bool (*ready)(void *, bool ahead), void *arg) {
    for (unsigned i = 1; i <= GOCI_SLIP_PAUSES; i++) {
        goci_spin_pause();
        if (i % GOCI_SLIP_CHECK == 0 && ready(arg, true))
            return;
        if (i == GOCI_SLIP_LOOK && !ready(arg, false)) {
            sched_yield();
            return;
        }
    }
}

#endif
