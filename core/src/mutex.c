/* SPDX-License-Identifier: MIT */
/* goc_mutex: Go's sync.Mutex (sync/mutex.go, Go 1.19) with its normal and starvation modes, on
 * a FIFO wait queue of futex-parked threads (Go's sema.go semaphore table). */
#include <goc/sync.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal/api.h"
#include "internal/assert.h"
#include "internal/cacheline.h"
#include "internal/clock.h"
#include "internal/futex.h"
#include "internal/lock.h"
#include "internal/spin.h"

/* ---- The semaphore table: Go's semaRoot, one FIFO queue per bucket of addresses ----------- */

/* A thread waiting in sema_acquire. Lives on that thread's stack. */
struct sema_waiter {
    _Atomic uint32_t *addr;          /* the semaphore waited on; immutable while queued */
    struct sema_waiter *next, *prev; /* circular list; protected by the bucket lock */
    _Atomic uint32_t wake;           /* WAKE_*; written by the waker, futex word */
};

enum {
    WAKE_NONE = 0,     /* queued, spinning */
    WAKE_SLEEPING = 1, /* queued, in (or entering) futex wait: the waker must make a syscall */
    WAKE_PLAIN = 2,    /* dequeued: compete for a token */
    WAKE_HANDOFF = 3,  /* dequeued with the token already taken for it (Go's ticket) */
};

/* Invariants: nwait >= number of waiters queued in this bucket (it also counts a waiter
 * between its increment and its enqueue); every queued waiter has wake == WAKE_NONE or
 * WAKE_SLEEPING. */
struct sema_bucket {
    GOCI_CACHELINE_ALIGNED goci_lock lock;
    _Atomic uint32_t nwait;   /* waiters in or entering the queue; seq_cst, see sema_release */
    struct sema_waiter *head; /* oldest waiter first; protected by lock */
};

/* Semaphores share buckets by address hash, as Go's semtable does (251 roots). Collisions only
 * lengthen one queue scan; they never wake the wrong waiter. 64 x 64 bytes of static data. */
#define SEMA_BUCKET_BITS 6
static struct sema_bucket sema_table[1 << SEMA_BUCKET_BITS];

static struct sema_bucket *
bucket_of(_Atomic uint32_t *addr) {
    uintptr_t a = (uintptr_t)addr;
    /* Fibonacci hashing of the address: the top bits of the product. */
    return &sema_table[(uint64_t)(a >> 2) * UINT64_C(0x9E3779B97F4A7C15) >>
                       (64 - SEMA_BUCKET_BITS)];
}

/* Take a token if there is one. seq_cst load: the waiter's half of the store-load handshake
 * with sema_release (nwait increment then token load, against token add then nwait load). */
static bool
can_acquire(_Atomic uint32_t *addr) {
    uint32_t v = atomic_load_explicit(addr, memory_order_seq_cst);
    while (v != 0) {
        /* acquire; pairs with the seq_cst (release) add in sema_release. */
        if (atomic_compare_exchange_weak_explicit(addr, &v, v - 1, memory_order_acquire,
                                                  memory_order_relaxed))
            return true;
    }
    return false;
}

/* Caller holds b->lock. lifo puts w at the head (a waiter that was woken and lost the race
 * goes back to the front, as Go's queueLifo). */
static void
enqueue(struct sema_bucket *b, struct sema_waiter *w, bool lifo) {
    if (b->head == NULL) {
        w->next = w->prev = w;
        b->head = w;
        return;
    }
    struct sema_waiter *h = b->head;
    w->next = h;
    w->prev = h->prev;
    h->prev->next = w;
    h->prev = w;
    if (lifo)
        b->head = w;
}

/* Caller holds b->lock. Remove and return the oldest waiter for addr, or NULL. */
static struct sema_waiter *
dequeue(struct sema_bucket *b, _Atomic uint32_t *addr) {
    struct sema_waiter *w = b->head;
    if (w == NULL)
        return NULL;
    do {
        /* The list is circular and consistent, and a queued waiter has not been woken. */
        GOCI_ASSERT(w->next->prev == w && w->prev->next == w);
        if (w->addr == addr) {
            GOCI_ASSERT(atomic_load_explicit(&w->wake, memory_order_relaxed) == WAKE_NONE ||
                        atomic_load_explicit(&w->wake, memory_order_relaxed) == WAKE_SLEEPING);
            if (w->next == w) {
                b->head = NULL;
            } else {
                w->prev->next = w->next;
                w->next->prev = w->prev;
                if (b->head == w)
                    b->head = w->next;
            }
            return w;
        }
        w = w->next;
    } while (w != b->head);
    return NULL;
}

/* Go's semacquire1: take a token from *addr, queueing (at the front when lifo) and sleeping
 * until one is released. Returns owning one token, or, after a handoff release, owning the
 * token that the releaser took on its behalf. */
static void
sema_acquire(_Atomic uint32_t *addr, bool lifo) {
    if (can_acquire(addr))
        return;
    struct sema_bucket *b = bucket_of(addr);
    struct sema_waiter w;
    w.addr = addr;
    for (;;) {
        goci_lock_acquire(&b->lock);
        /* seq_cst: see can_acquire. */
        atomic_fetch_add_explicit(&b->nwait, 1, memory_order_seq_cst);
        if (can_acquire(addr)) {
            uint32_t was = atomic_fetch_sub_explicit(&b->nwait, 1, memory_order_relaxed);
            GOCI_ASSERT(was > 0); /* counts never go negative */
            goci_lock_release(&b->lock);
            return;
        }
        /* relaxed: w is not visible to other threads until enqueued under the lock. */
        atomic_store_explicit(&w.wake, WAKE_NONE, memory_order_relaxed);
        enqueue(b, &w, lifo);
        goci_lock_release(&b->lock);

        /* Wait for a waker: spin briefly (a handoff in starvation mode often comes within
         * microseconds), then announce that we sleep so the waker knows to make a syscall. */
        struct goci_spinwait sw = GOCI_SPINWAIT_INIT;
        uint32_t wk;
        /* acquire; pairs with the release exchange in sema_release. */
        while ((wk = atomic_load_explicit(&w.wake, memory_order_acquire)) == WAKE_NONE &&
               !goci_spinwait_done(&sw))
            goci_spinwait_step(&sw);
        if (wk == WAKE_NONE) {
            uint32_t expected = WAKE_NONE;
            /* acquire (needed on failure, when the waker's value is read); pairs with the
             * release exchange in sema_release. */
            if (atomic_compare_exchange_strong_explicit(&w.wake, &expected, WAKE_SLEEPING,
                                                        memory_order_acquire,
                                                        memory_order_acquire)) {
                while ((wk = atomic_load_explicit(&w.wake, memory_order_acquire)) == WAKE_SLEEPING)
                    goci_futex_wait(&w.wake, WAKE_SLEEPING, INT64_MAX);
            } else {
                wk = expected;
            }
        }
        /* Dequeued: the waker said how (it never leaves a dequeued waiter NONE or SLEEPING). */
        GOCI_ASSERT(wk == WAKE_PLAIN || wk == WAKE_HANDOFF);
        if (wk == WAKE_HANDOFF || can_acquire(addr))
            return;
    }
}

/* Go's semrelease1: add a token to *addr and wake the oldest waiter for it, if any. With
 * handoff the token is taken for that waiter before it runs, so no other thread can take it. */
static void
sema_release(_Atomic uint32_t *addr, bool handoff) {
    struct sema_bucket *b = bucket_of(addr);
    /* seq_cst: the releaser's half of the store-load handshake with sema_acquire; either the
     * waiter sees this token, or this load sees the waiter's nwait increment. */
    atomic_fetch_add_explicit(addr, 1, memory_order_seq_cst);
    if (atomic_load_explicit(&b->nwait, memory_order_seq_cst) == 0)
        return;
    goci_lock_acquire(&b->lock);
    /* relaxed: nwait changes only under the lock, which we hold. */
    if (atomic_load_explicit(&b->nwait, memory_order_relaxed) == 0) {
        goci_lock_release(&b->lock);
        return;
    }
    struct sema_waiter *w = dequeue(b, addr);
    if (w != NULL) {
        uint32_t was = atomic_fetch_sub_explicit(&b->nwait, 1, memory_order_relaxed);
        GOCI_ASSERT(was > 0); /* nwait counts w: it never goes negative */
    }
    goci_lock_release(&b->lock);
    if (w == NULL)
        return;
    uint32_t how = handoff && can_acquire(addr) ? WAKE_HANDOFF : WAKE_PLAIN;
    /* release; pairs with the acquire loads in sema_acquire. After this exchange w may be gone
     * (its thread may return); a FUTEX_WAKE on its stale address is harmless, since every
     * futex wait in libgoc re-checks its condition. */
    if (atomic_exchange_explicit(&w->wake, how, memory_order_release) == WAKE_SLEEPING)
        goci_futex_wake(&w->wake, 1);
}

/* ---- goc_mutex ---------------------------------------------------------------------------- */

/* State word, as Go's: bit 0 locked, bit 1 a woken (or spinning) waiter exists so unlock need
 * not wake another, bit 2 starvation mode, bits 3.. the number of waiters queued or about to
 * queue on the semaphore.
 *
 * Normal mode: waiters queue FIFO, but a woken waiter competes with newly arriving threads
 * (which usually win: they are on the CPU). A waiter that fails to get the lock for more than
 * GOCI_MUTEX_STARVATION_NS switches the mutex to starvation mode. Starvation mode: unlock
 * hands the lock to the waiter at the head of the queue; newcomers neither take the lock nor
 * spin, they queue at the tail. A woken waiter that lost the race re-queues at the head. The
 * waiter that receives a handoff switches back to normal mode if it is the last waiter or
 * waited less than the threshold.
 *
 * Invariants: in starvation mode the locked bit is clear only while ownership is in transit to
 * a woken waiter (which then sets it); the waiter count covers every thread between its
 * increment CAS and its return from sema_acquire. */
#define MUTEX_LOCKED UINT32_C(1)
#define MUTEX_WOKEN UINT32_C(2)
#define MUTEX_STARVING UINT32_C(4)
#define MUTEX_WAITER_SHIFT 3
#define MUTEX_WAITER (UINT32_C(1) << MUTEX_WAITER_SHIFT)

static void
mutex_lock_slow(goc_mutex *m) {
    int64_t wait_start = 0;
    bool starving = false, awoke = false;
    /* spin.h's lock spin: fixed, not the thread's adaptive wait budget, since a lock holder is
     * running and about to release, so spinning on it pays even when threads outnumber cores
     * (the spin yields before it parks). Measured on the 2-CPU VM with the oversubscribed
     * stress tests, an earlier policy that let only one thread spin at a time left the mutex
     * hammer unchanged and made rwmutex_stress about 2.5x slower (more futex parks). */
    struct goci_lockspin sw = GOCI_LOCKSPIN_INIT;
    /* relaxed: the CAS that takes the lock below is the acquire. */
    uint32_t old = atomic_load_explicit(&m->goc_private_state, memory_order_relaxed);
    for (;;) {
        /* Spin only while the lock is held in normal mode: in starvation mode ownership goes
         * to the queue head, so spinning cannot win. */
        if ((old & (MUTEX_LOCKED | MUTEX_STARVING)) == MUTEX_LOCKED && !goci_lockspin_done(&sw)) {
            /* Set the woken bit so unlock does not wake a sleeper while we spin for it.
             * relaxed: a hint, it orders nothing. */
            if (!awoke && !(old & MUTEX_WOKEN) && (old >> MUTEX_WAITER_SHIFT) != 0 &&
                atomic_compare_exchange_weak_explicit(&m->goc_private_state, &old,
                                                      old | MUTEX_WOKEN, memory_order_relaxed,
                                                      memory_order_relaxed))
                awoke = true;
            goci_lockspin_step(&sw);
            old = atomic_load_explicit(&m->goc_private_state, memory_order_relaxed);
            continue;
        }
        uint32_t new = old;
        if (!(old & MUTEX_STARVING))
            new |= MUTEX_LOCKED; /* newcomers do not take a starving mutex */
        if (old & (MUTEX_LOCKED | MUTEX_STARVING))
            new += MUTEX_WAITER;
        /* Switch to starvation mode, unless the lock has just been released. */
        if (starving && (old & MUTEX_LOCKED))
            new |= MUTEX_STARVING;
        if (awoke) {
            /* Only the awoke thread clears the bit (Go: "sync: inconsistent mutex state"). */
            GOCI_ASSERT_MSG(old & MUTEX_WOKEN, "sync: inconsistent mutex state");
            new &= ~MUTEX_WOKEN; /* we set it, or the unlock that woke us did */
        }
        /* acquire; pairs with the release in goc_mutex_unlock when this CAS takes the lock. */
        if (atomic_compare_exchange_weak_explicit(&m->goc_private_state, &old, new,
                                                  memory_order_acquire, memory_order_relaxed)) {
            if (!(old & (MUTEX_LOCKED | MUTEX_STARVING)))
                return; /* took the lock */
            bool lifo = wait_start != 0;
            if (wait_start == 0)
                wait_start = goci_now_ns();
            sema_acquire(&m->goc_private_sema, lifo);
            starving = starving || goci_now_ns() - wait_start > GOCI_MUTEX_STARVATION_NS;
            old = atomic_load_explicit(&m->goc_private_state, memory_order_relaxed);
            if (old & MUTEX_STARVING) {
                /* In transit to us: the locked and woken bits are clear and our count is still
                 * there (Go: "sync: inconsistent mutex state"). */
                GOCI_ASSERT_MSG(!(old & (MUTEX_LOCKED | MUTEX_WOKEN)) &&
                                    (old >> MUTEX_WAITER_SHIFT) != 0,
                                "sync: inconsistent mutex state");
                /* Handed off: we own the lock. Set locked, drop our waiter count, and leave
                 * starvation mode if we are the last waiter or did not wait long (Go: staying
                 * in it needlessly costs a handoff per unlock). acquire; pairs with the release
                 * in goc_mutex_unlock (this add continues its release sequence). */
                uint32_t delta = MUTEX_LOCKED - MUTEX_WAITER;
                if (!starving || (old >> MUTEX_WAITER_SHIFT) == 1)
                    delta -= MUTEX_STARVING;
                atomic_fetch_add_explicit(&m->goc_private_state, delta, memory_order_acquire);
                return;
            }
            awoke = true;
            sw = (struct goci_lockspin)GOCI_LOCKSPIN_INIT;
        }
        /* A failed CAS reloaded old. */
    }
}

GOC_API void
goc_mutex_lock(goc_mutex *m) {
    if (m == NULL)
        return;
    uint32_t expected = 0;
    /* acquire; pairs with the release in goc_mutex_unlock. */
    if (atomic_compare_exchange_strong_explicit(&m->goc_private_state, &expected, MUTEX_LOCKED,
                                                memory_order_acquire, memory_order_relaxed))
        return;
    mutex_lock_slow(m);
}

/* new: the state just after our unlock cleared the locked bit; not zero. GOC_OK, or
 * GOC_EINVAL when the mutex was not locked. */
static int
mutex_unlock_slow(goc_mutex *m, uint32_t new) {
    if (!((new + MUTEX_LOCKED) & MUTEX_LOCKED)) {
        /* The mutex was not locked (Go: fatal error). Assertion builds stop here; release
         * builds undo our subtraction and report the misuse. */
        GOCI_ASSERT_MSG((new + MUTEX_LOCKED) & MUTEX_LOCKED, "sync: unlock of unlocked mutex");
        atomic_fetch_add_explicit(&m->goc_private_state, MUTEX_LOCKED, memory_order_relaxed);
        return GOC_EINVAL;
    }
    if (new &MUTEX_STARVING) {
        /* Hand the lock to the queue head: the locked bit stays clear, but newcomers see the
         * starving bit and queue, and the head sets locked when it runs. A starving mutex
         * has a waiter to hand it to (the count covers it until it takes the lock). */
        GOCI_ASSERT((new >> MUTEX_WAITER_SHIFT) != 0);
        sema_release(&m->goc_private_sema, true);
        return GOC_OK;
    }
    uint32_t old = new;
    for (;;) {
        /* Nobody to wake, or somebody already took the lock, is awake or spinning, or the mutex
         * turned starving (then the waker is whoever unlocks next). */
        if ((old >> MUTEX_WAITER_SHIFT) == 0 ||
            (old & (MUTEX_LOCKED | MUTEX_WOKEN | MUTEX_STARVING)))
            return GOC_OK;
        /* Take one waiter off the count and wake it (it then competes for the lock).
         * relaxed: bookkeeping only; ownership moves through the locked bit. */
        if (atomic_compare_exchange_weak_explicit(&m->goc_private_state, &old,
                                                  (old - MUTEX_WAITER) | MUTEX_WOKEN,
                                                  memory_order_relaxed, memory_order_relaxed)) {
            sema_release(&m->goc_private_sema, false);
            return GOC_OK;
        }
    }
}

GOC_API int
goc_mutex_unlock(goc_mutex *m) {
    if (m == NULL)
        return GOC_EINVAL;
    /* release; pairs with the acquires in goc_mutex_lock, goc_mutex_trylock and
     * mutex_lock_slow. */
    uint32_t new =
        atomic_fetch_sub_explicit(&m->goc_private_state, MUTEX_LOCKED, memory_order_release) -
        MUTEX_LOCKED;
    if (new != 0)
        return mutex_unlock_slow(m, new);
    return GOC_OK;
}

GOC_API int
goc_mutex_trylock(goc_mutex *m) {
    if (m == NULL)
        return GOC_EINVAL;
    uint32_t old = atomic_load_explicit(&m->goc_private_state, memory_order_relaxed);
    /* Retry only while the lock looks free: a failure because waiter bits changed is not a
     * reason to report GOC_WOULDBLOCK. Lock-free: each retry means another thread made
     * progress. */
    while (!(old & (MUTEX_LOCKED | MUTEX_STARVING))) {
        /* acquire; pairs with the release in goc_mutex_unlock. */
        if (atomic_compare_exchange_weak_explicit(&m->goc_private_state, &old, old | MUTEX_LOCKED,
                                                  memory_order_acquire, memory_order_relaxed))
            return GOC_OK;
    }
    return GOC_WOULDBLOCK;
}
