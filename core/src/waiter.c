/* SPDX-License-Identifier: MIT */
/* The per-thread waiter (see internal/waiter.h for its states): the thread-local waiter itself,
 * and goci_wait, which spins on its state with spin.h's policy and then parks on the futex.
 * Claiming and finishing a waiter are inline in waiter.h; linking waiters into channel queues
 * is the channel flavours' job (buffered.c, unbuffered.c); registering cases and waiting for
 * one of them is case.c's. */
#include "internal/waiter.h"

#include "internal/assert.h"
#include "internal/clock.h"
#include "internal/futex.h"
#include "internal/spin.h"

static _Thread_local struct goci_waiter self_waiter;

struct goci_waiter *
goci_self(void) {
    return &self_waiter;
}

uint32_t
goci_wait(struct goci_waiter *w, int64_t deadline_ns) {
    struct goci_spinwait sw;
    goci_spinwait_init(&sw);
    for (;;) {
        /* acquire; pairs with the release in goci_waiter_finish / the CAS in goci_waiter_claim,
         * so a value a partner copied into our buffer is visible. */
        uint32_t s = atomic_load_explicit(&w->state, memory_order_acquire);
        uint32_t code = s & GOCI_W_CODE_MASK;
        if (code == GOCI_W_DONE || code == GOCI_W_WOKEN || code == GOCI_W_ABORTED) {
            goci_spinwait_finish(&sw);
            return s;
        }
        if (code == GOCI_W_CLAIMED) {
            /* A partner is copying: moments away. Spin, then yield while it finishes (it may
             * have been preempted); never park, since nobody would wake us for this. */
            goci_spinwait_step(&sw);
            continue;
        }
        if (deadline_ns != INT64_MAX && goci_now_ns() >= deadline_ns) {
            if (goci_abort(w)) {
                goci_spinwait_finish(&sw);
                return GOCI_W_ABORTED;
            }
            continue;
        }
        if (!goci_spinwait_done(&sw)) {
            goci_spinwait_step(&sw);
            continue;
        }
        /* Every other code was handled above: a state word holds no undefined code. */
        GOCI_ASSERT(code == GOCI_W_WAITING);
        if (!(s & GOCI_W_PARKED)) {
            /* relaxed is enough: the CAS only announces that we sleep; claimers read it with
             * acq_rel as part of their own CAS. */
            if (!atomic_compare_exchange_strong_explicit(
                    &w->state, &s, s | GOCI_W_PARKED, memory_order_relaxed, memory_order_relaxed))
                continue;
            s |= GOCI_W_PARKED;
        }
        goci_futex_wait(&w->state, s, deadline_ns);
    }
}
