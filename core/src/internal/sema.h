/* SPDX-License-Identifier: MIT */
/* A counting semaphore on one futex word: Go's runtime_Semacquire/Semrelease for goc_rwmutex's
 * reader and writer semaphores. goc_mutex needs FIFO order, front re-queueing and direct
 * handoff, which a bare futex cannot give, so it has its own wait queue in mutex.c.
 *
 * Word layout: tokens in the low 16 bits, threads asleep in the high 16, so a release makes a
 * wake-up system call only when some thread really sleeps. A zero word is a semaphore with no
 * tokens. Invariants: tokens <= 65535 and sleepers <= 65535 (callers keep them below: a token
 * is only ever released for a thread that has committed to take it). */
#ifndef GOCI_SEMA_H
#define GOCI_SEMA_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "assert.h"
#include "futex.h"
#include "spin.h"

#define GOCI_SEMA_SLEEPER (UINT32_C(1) << 16)
#define GOCI_SEMA_TOKENS(v) ((v)&UINT32_C(0xffff))
#define GOCI_SEMA_SLEEPERS(v) ((v) >> 16)

/* Take a token if one is there. Never blocks. */
static inline bool
goci_sema_trydown(_Atomic uint32_t *s) {
    /* relaxed: only a successful CAS below publishes anything. */
    uint32_t v = atomic_load_explicit(s, memory_order_relaxed);
    while (GOCI_SEMA_TOKENS(v) != 0) {
        /* acquire; pairs with the release in goci_sema_up, so what the releaser wrote before
         * releasing is visible to the taker. */
        if (atomic_compare_exchange_weak_explicit(s, &v, v - 1, memory_order_acquire,
                                                  memory_order_relaxed))
            return true;
    }
    return false;
}

/* Take a token, blocking until one is released: spin briefly (spin.h), then sleep. */
static inline void
goci_sema_down(_Atomic uint32_t *s) {
    /* Spin with the full, fixed budget (GOCI_SPINWAIT_INIT), not the thread's adaptive one:
     * see mutex_lock_slow in mutex.c for why. */
    struct goci_spinwait w = GOCI_SPINWAIT_INIT;
    while (!goci_spinwait_done(&w)) {
        if (goci_sema_trydown(s))
            return;
        goci_spinwait_step(&w);
    }
    /* Register as a sleeper, unless a token has arrived meanwhile. */
    uint32_t v = atomic_load_explicit(s, memory_order_relaxed);
    for (;;) {
        if (GOCI_SEMA_TOKENS(v) != 0) {
            /* acquire; pairs with the release in goci_sema_up. */
            if (atomic_compare_exchange_weak_explicit(s, &v, v - 1, memory_order_acquire,
                                                      memory_order_relaxed))
                return;
        } else if (atomic_compare_exchange_weak_explicit(
                       s, &v, v + GOCI_SEMA_SLEEPER, memory_order_relaxed, memory_order_relaxed)) {
            /* relaxed: registering publishes nothing; the release in goci_sema_up orders the
             * data, and the futex compares the whole word, so a token added after this CAS
             * makes the wait below return at once. */
            v += GOCI_SEMA_SLEEPER;
            /* The sleepers stayed within their 16 bits (see the invariants above). */
            GOCI_ASSERT(GOCI_SEMA_SLEEPERS(v) != 0);
            break;
        }
    }
    /* Asleep: leave by taking a token and dropping the sleeper mark in one CAS. */
    for (;;) {
        if (GOCI_SEMA_TOKENS(v) == 0) {
            goci_futex_wait(s, v, INT64_MAX);
            v = atomic_load_explicit(s, memory_order_relaxed);
            continue;
        }
        /* acquire; pairs with the release in goci_sema_up. */
        if (atomic_compare_exchange_weak_explicit(s, &v, v - GOCI_SEMA_SLEEPER - 1,
                                                  memory_order_acquire, memory_order_relaxed))
            return;
    }
}

/* Release n tokens and wake up to n sleepers. Never blocks. */
static inline void
goci_sema_up(_Atomic uint32_t *s, uint32_t n) {
    if (n == 0)
        return;
    /* release; pairs with the acquire CASes in goci_sema_trydown / goci_sema_down. */
    uint32_t old = atomic_fetch_add_explicit(s, n, memory_order_release);
    /* The tokens stayed within their 16 bits (see the invariants above). */
    GOCI_ASSERT(GOCI_SEMA_TOKENS(old) + n <= 0xffff);
    uint32_t sleepers = GOCI_SEMA_SLEEPERS(old);
    /* A sleeper that registered after this add sees the new tokens through the futex word
     * compare, so waking only those counted in old loses nobody. */
    if (sleepers != 0)
        goci_futex_wake(s, (int)(sleepers < n ? sleepers : n));
}

#endif
