/* SPDX-License-Identifier: MIT */
/* The spin peer of the lock family: a test-and-test-and-set spinlock with exponential backoff,
 * the lock every benchmark article warns about. Waiters spin on a plain load (no cache-line
 * ping-pong while the lock is held), try the exchange when it looks free, and after each
 * exchange lost to another thread pause before looking again, doubling the pause up to
 * SPIN_MAX_PAUSES. It never yields and never sleeps: when threads outnumber cores, a waiter
 * burns its whole time slice while the holder waits for a core. Exclusive only: rlock is
 * lock. */
#include <stdatomic.h>
#include <stdlib.h>

#include "ops.h"
#include "util.h"

#define SPIN_ALIGN 128
#define SPIN_MAX_PAUSES 256

struct spin_lock {
    atomic_int locked; /* 0 free, 1 held; acquire on taking, release on giving back */
    char pad[SPIN_ALIGN - sizeof(atomic_int)];
};

static void *
spin_make(void) {
    struct spin_lock *l = aligned_alloc(SPIN_ALIGN, sizeof *l);
    if (l != NULL)
        atomic_init(&l->locked, 0);
    return l;
}

static void
spin_lock(void *p) {
    struct spin_lock *l = p;
    unsigned pauses = 1;
    for (;;) {
        while (atomic_load_explicit(&l->locked, memory_order_relaxed))
            bench_cpu_relax();
        if (!atomic_exchange_explicit(&l->locked, 1, memory_order_acquire))
            return;
        /* Lost the race for a free lock: back off before looking again. */
        for (unsigned i = 0; i < pauses; i++)
            bench_cpu_relax();
        if (pauses < SPIN_MAX_PAUSES)
            pauses *= 2;
    }
}

static void
spin_unlock(void *p) {
    struct spin_lock *l = p;
    atomic_store_explicit(&l->locked, 0, memory_order_release);
}

static void
spin_free(void *p) {
    free(p);
}

const struct lock_ops peer_spin_lock = {
    .make = spin_make,
    .lock = spin_lock,
    .unlock = spin_unlock,
    .rlock = spin_lock,
    .runlock = spin_unlock,
    .free = spin_free,
};
