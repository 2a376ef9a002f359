/* SPDX-License-Identifier: MIT */
/* goc_waitgroup: Go's sync.WaitGroup. Counter and waiter count share one 64-bit word (as in
 * Go); waiters sleep on a separate 32-bit futex word that is bumped each time the counter
 * reaches zero with waiters present. */
#include <goc/sync.h>

#include <limits.h>
#include <stdint.h>

#include "internal/api.h"
#include "internal/assert.h"
#include "internal/futex.h"

/* state: counter (0..INT32_MAX) in the high 32 bits, waiters in the low 32.
 * seq: generation, bumped (then futex-woken) when the counter drops to zero with waiters.
 * Invariants: waiters > 0 only while counter > 0 (the add that brings the counter to zero
 * resets the waiter count in the same CAS); a waiter that registered in generation g returns
 * once seq != g. */
#define WG_COUNTER(s) ((uint32_t)((s) >> 32))
#define WG_WAITERS(s) ((uint32_t)(s))
#define WG_ONE_COUNT (UINT64_C(1) << 32)

GOC_API int
goc_waitgroup_add(goc_waitgroup *wg, int64_t delta) {
    if (wg == NULL || delta > INT32_MAX)
        return GOC_EINVAL;
    /* Below this bound the counter (0..INT32_MAX) would go negative whatever it is. A counter
     * going below zero is misuse (Go panics): assertion builds stop here; release builds leave
     * the counter unchanged and report GOC_EINVAL. */
    if (delta < -(int64_t)INT32_MAX) {
        GOCI_ASSERT_MSG(delta >= -(int64_t)INT32_MAX, "sync: negative WaitGroup counter");
        return GOC_EINVAL;
    }
    /* relaxed: the CAS below orders. */
    uint64_t old = atomic_load_explicit(&wg->goc_private_state, memory_order_relaxed);
    uint64_t new;
    for (;;) {
        int64_t c = (int64_t)WG_COUNTER(old) + delta;
        if (c < 0) {
            GOCI_ASSERT_MSG(c >= 0, "sync: negative WaitGroup counter"); /* as above */
            return GOC_EINVAL;
        }
        if (c > INT32_MAX)
            return GOC_EINVAL;
        /* Reaching zero releases the waiters: reset their count with the same CAS. */
        new = c == 0 ? 0 : ((uint64_t)c << 32) | WG_WAITERS(old);
        /* acq_rel: release so a waiter that sees the zero also sees what the tasks wrote
         * before done (pairs with the acquire loads in goc_waitgroup_wait); acquire so the
         * thread that releases the waiters has seen their registration. */
        if (atomic_compare_exchange_weak_explicit(&wg->goc_private_state, &old, new,
                                                  memory_order_acq_rel, memory_order_relaxed))
            break;
    }
    /* Waiters only while the counter is above zero: a waiter registers only then, and the add
     * that reaches zero resets their count. */
    GOCI_ASSERT(WG_COUNTER(old) != 0 || WG_WAITERS(old) == 0);
    if (new == 0 && WG_WAITERS(old) != 0) {
        /* release; pairs with the acquire load of seq in goc_waitgroup_wait. */
        atomic_fetch_add_explicit(&wg->goc_private_seq, 1, memory_order_release);
        goci_futex_wake(&wg->goc_private_seq, INT_MAX);
    }
    return GOC_OK;
}

GOC_API int
goc_waitgroup_done(goc_waitgroup *wg) {
    return goc_waitgroup_add(wg, -1);
}

GOC_API void
goc_waitgroup_wait(goc_waitgroup *wg) {
    if (wg == NULL)
        return;
    /* acquire; pairs with the release CAS in goc_waitgroup_add that brought the counter to 0. */
    uint64_t s = atomic_load_explicit(&wg->goc_private_state, memory_order_acquire);
    uint32_t gen;
    for (;;) {
        if (WG_COUNTER(s) == 0)
            return;
        /* Read the generation before registering. The add that releases us bumps seq only
         * after its CAS, which reads ours (acq_rel on both), so this read cannot see that
         * bump. */
        gen = atomic_load_explicit(&wg->goc_private_seq, memory_order_relaxed);
        /* acq_rel; pairs with the CAS in goc_waitgroup_add. */
        if (atomic_compare_exchange_weak_explicit(&wg->goc_private_state, &s, s + 1,
                                                  memory_order_acq_rel, memory_order_acquire))
            break;
    }
    /* Sleep until the generation moves. No spinning: a wait group usually waits for whole
     * tasks, far longer than a park costs. acquire; pairs with the release bump in
     * goc_waitgroup_add, so the tasks' writes are visible when we return. */
    while (atomic_load_explicit(&wg->goc_private_seq, memory_order_acquire) == gen)
        goci_futex_wait(&wg->goc_private_seq, gen, INT64_MAX);
}
