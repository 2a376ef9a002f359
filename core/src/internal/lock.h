/* SPDX-License-Identifier: MIT */
/* The small internal lock that guards a channel's wait queues (and an unbuffered channel's
 * handoff). Critical sections are a few dozen instructions, so it spins first; a holder that
 * was preempted (threads outnumbering cores) makes waiters park on the futex instead of
 * burning their slice. Three states, as in Drepper's "Futexes Are Tricky": 0 free, 1 held,
 * 2 held with sleepers. The public goc_mutex (mutex.c) is a separate, fairer lock. */
#ifndef GOCI_LOCK_H
#define GOCI_LOCK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "assert.h"
#include "futex.h"
#include "spin.h"

typedef struct goci_lock {
    _Atomic uint32_t state;
} goci_lock;

static inline void
goci_lock_slow(goci_lock *l) {
    struct goci_backoff b = GOCI_BACKOFF_INIT;
    uint32_t expected;
    /* Spin while the lock is held but nobody sleeps: the holder is about to release it. */
    while (!goci_backoff_is_completed(&b)) {
        expected = 0;
        /* acquire; pairs with the release in goci_lock_release. */
        if (atomic_load_explicit(&l->state, memory_order_relaxed) == 0 &&
            atomic_compare_exchange_weak_explicit(&l->state, &expected, 1, memory_order_acquire,
                                                  memory_order_relaxed))
            return;
        goci_backoff_snooze(&b);
    }
    /* Announce a sleeper (2) and sleep until we take the lock from 0 to 2. acquire; pairs with
     * the release in goci_lock_release. */
    while (atomic_exchange_explicit(&l->state, 2, memory_order_acquire) != 0)
        goci_futex_wait(&l->state, 2, INT64_MAX);
}

static inline void
goci_lock_acquire(goci_lock *l) {
    uint32_t expected = 0;
    /* acquire; pairs with the release in goci_lock_release. */
    if (!atomic_compare_exchange_strong_explicit(&l->state, &expected, 1, memory_order_acquire,
                                                 memory_order_relaxed))
        goci_lock_slow(l);
}

static inline void
goci_lock_release(goci_lock *l) {
    /* release; pairs with the acquires above. Only a state of 2 can have sleepers. */
    uint32_t old = atomic_exchange_explicit(&l->state, 0, memory_order_release);
    /* Released only by its holder: the lock was held (1 or 2), never free. */
    GOCI_ASSERT(old == 1 || old == 2);
    if (old == 2)
        goci_futex_wake(&l->state, 1);
}

/* True when some thread holds l. It cannot tell which one: assertions use it to check "the
 * caller holds the lock" as far as the lock word can say. */
static inline bool
goci_lock_is_held(goci_lock *l) {
    return atomic_load_explicit(&l->state, memory_order_relaxed) != 0;
}

#endif
