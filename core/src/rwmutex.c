/* SPDX-License-Identifier: MIT */
/* goc_rwmutex: Go's sync.RWMutex semantics (sync/rwmutex.go, Go 1.19) with the reader count
 * spread over per-CPU slots, so that readers on different cores touch different cache lines.
 * Writers serialise on a goc_mutex (mutex.c). */
#define _GNU_SOURCE /* sched_getcpu */
#include <goc/sync.h>

#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>

#include "internal/api.h"
#include "internal/assert.h"
#include "internal/futex.h"
#include "internal/spin.h"

/* Fields (see the struct in sync.h):
 *   slot[i].n: read locks taken minus read locks released by threads running on a CPU that
 *              maps to slot i (low 32 bits, two's complement), plus a count of changes (high
 *              32 bits: every change adds 2^32 +- 1, so a value does not come back until 2^32
 *              changes later). A thread that moved CPU between rlock and runlock, or another
 *              thread's runlock, leaves one slot high and another negative: only the sum means
 *              anything. A reader that queued behind a writer stays counted in its slot.
 *   slot[i].writer: 1 while a writer holds the lock or waits for it: the copy of WRITER that
 *              the readers of slot i read, on their own line.
 *   state:     WRITER, set by a writer before it flags the slots and cleared after it clears
 *              them; SLEEPERS while some queued reader sleeps on the futex; a generation,
 *              advanced by every writer's unlock; the number of readers queued behind the
 *              current writer.
 *   wseq:      a counter (in steps of 2) that readers bump when they may have let a waiting
 *              writer in; bit 0 set while the writer sleeps on it.
 * Invariant: while WRITER is set, the readers inside are the sum of the slots minus the queued
 * readers; once the slots are flagged no reader enters, since a reader that counts itself and
 * then sees its slot flagged queues.
 *
 * Cost: rlock is one atomic add on the reader's slot and a load of the flag beside it; runlock
 * the same; neither touches the line the writers use. A writer flags, counts and unflags every
 * slot. The handshake between them is store-then-load on both sides (reader: add to its slot,
 * load the slot's flag; writer: flag every slot, fence, load the slots), seq_cst, so at least
 * one sees the other. */
#define WRITER UINT32_C(0x80000000)
#define SLEEPERS UINT32_C(0x40000000)
#define GEN_ONE (UINT32_C(1) << 16)
#define GEN_MASK (UINT32_C(0x3fff) << 16)
#define QUEUED_MASK UINT32_C(0xffff)

#define SLOT_INC ((UINT64_C(1) << 32) + 1)
#define SLOT_DEC ((UINT64_C(1) << 32) - 1)

static inline int32_t
slot_count(uint64_t v) {
    return (int32_t)(uint32_t)v;
}

/* The slot of the CPU we run on (glibc reads the CPU from the rseq area: a load). */
static inline unsigned
my_slot(void) {
    int cpu = sched_getcpu();
    return cpu < 0 ? 0 : (unsigned)cpu % GOC_RWMUTEX_SLOTS;
}

/* Slots are summed here and in slots_snapshot modulo 2^32, their low halves as unsigned: a
 * slot that only ever gains (read locks taken on one CPU, released on another) wraps after
 * 2^31, but the sum, the number of read locks held, does not.
 *
 * The sum of the slots, read one at a time, after the queued count: an upper bound on the
 * readers inside at the end of the pass, once the slots are flagged. A reader admitted before
 * the flags has its increment in some slot, which the pass sees; its decrement may be missed,
 * which only over-counts. A reader that queued is subtracted only if its queueing was seen,
 * and then its increment, made before it, is seen too. seq_cst loads: acquire, so a departed
 * reader's critical section happens before the write. */
static int32_t
readers_inside(goc_rwmutex *rw) {
    uint32_t q = atomic_load_explicit(&rw->goc_private_state, memory_order_seq_cst) & QUEUED_MASK;
    uint32_t sum = 0;
    for (int i = 0; i < GOC_RWMUTEX_SLOTS; i++)
        sum += (uint32_t)atomic_load_explicit(&rw->goc_private_slot[i].goc_private_n,
                                              memory_order_seq_cst);
    return (int32_t)(sum - q);
}

/* The sum of the slots at one moment: two passes that read the same values (the change
 * counts rule out a slot that changed and came back) bracket a moment at which every slot
 * held them. False if the slots kept changing for a few tries. */
static bool
slots_snapshot(goc_rwmutex *rw, int32_t *sum) {
    uint64_t a[GOC_RWMUTEX_SLOTS];
    for (int tries = 0; tries < 4; tries++) {
        for (int i = 0; i < GOC_RWMUTEX_SLOTS; i++)
            a[i] =
                atomic_load_explicit(&rw->goc_private_slot[i].goc_private_n, memory_order_seq_cst);
        uint32_t s = 0;
        int i = 0;
        for (; i < GOC_RWMUTEX_SLOTS; i++) {
            if (atomic_load_explicit(&rw->goc_private_slot[i].goc_private_n,
                                     memory_order_seq_cst) != a[i])
                break;
            s += (uint32_t)a[i];
        }
        if (i == GOC_RWMUTEX_SLOTS) {
            *sum = (int32_t)s;
            return true;
        }
    }
    return false;
}

/* Tell a waiting writer that the readers inside may have dropped to zero. seq_cst: the
 * reader's half of the handshake with wait_readers (bump, against set-sleeping then re-count). */
static void
writer_notify(goc_rwmutex *rw) {
    if (atomic_fetch_add_explicit(&rw->goc_private_wseq, 2, memory_order_seq_cst) & 1)
        goci_futex_wake(&rw->goc_private_wseq, 1);
}

/* Our slot was flagged: queue behind the writer and wait for its unlock. */
static void
rlock_slow(goc_rwmutex *rw) {
    /* acquire: the flag we saw was stored (release) after the writer set WRITER, so this sees
     * WRITER unless that writer has since unlocked; then it pairs with the unlock's release. */
    uint32_t s = atomic_load_explicit(&rw->goc_private_state, memory_order_acquire);
    for (;;) {
        if (!(s & WRITER))
            return; /* it unlocked before we queued: we are in */
        /* Within 65535 blocked threads (sync.h). */
        GOCI_ASSERT((s & QUEUED_MASK) != QUEUED_MASK);
        /* seq_cst: the writer counts after this, and must see us queued; acquire on failure
         * pairs with the release CAS in goc_rwmutex_unlock. */
        if (atomic_compare_exchange_weak_explicit(&rw->goc_private_state, &s, s + 1,
                                                  memory_order_seq_cst, memory_order_acquire))
            break;
    }
    /* We no longer count as inside: the writer may have been waiting only for us. */
    writer_notify(rw);
    /* Wait for the generation to move. It moves by one at most while we wait: the next writer
     * counts us as inside once it has moved, and waits for us. */
    uint32_t gen = s & GEN_MASK;
    struct goci_spinwait w = GOCI_SPINWAIT_INIT;
    for (;;) {
        /* acquire; pairs with the release CAS in goc_rwmutex_unlock. */
        s = atomic_load_explicit(&rw->goc_private_state, memory_order_acquire);
        if ((s & GEN_MASK) != gen)
            return;
        if (!goci_spinwait_done(&w)) {
            goci_spinwait_step(&w);
            continue;
        }
        /* Mark that a reader sleeps, so the unlock makes the wake-up call. relaxed: the futex
         * compares the whole word, so an unlock after this CAS makes the wait return. */
        if (!(s & SLEEPERS) &&
            !atomic_compare_exchange_weak_explicit(&rw->goc_private_state, &s, s | SLEEPERS,
                                                   memory_order_relaxed, memory_order_relaxed))
            continue;
        goci_futex_wait(&rw->goc_private_state, s | SLEEPERS, INT64_MAX);
    }
}

GOC_API void
goc_rwmutex_rlock(goc_rwmutex *rw) {
    if (rw == NULL)
        return;
    unsigned i = my_slot();
    /* seq_cst add then seq_cst load: the reader's half of the handshake (see the top). The
     * load is also the acquire that pairs with the release store of the last writer's unlock. */
    atomic_fetch_add_explicit(&rw->goc_private_slot[i].goc_private_n, SLOT_INC,
                              memory_order_seq_cst);
    if (atomic_load_explicit(&rw->goc_private_slot[i].goc_private_writer, memory_order_seq_cst))
        rlock_slow(rw);
}

/* Our decrement left our slot negative: normal when the read lock was taken on another CPU,
 * misuse when the sum of all slots is negative. True (misuse, decrement undone) or false. */
static bool
runlock_misuse(goc_rwmutex *rw, unsigned i) {
    /* A read lock that is held has its increment in some slot, made before the release that
     * decremented ours, so at any one moment the sum is not negative; when the slots change too
     * fast to read one moment, other threads are using the lock and we cannot tell. */
    int32_t sum;
    if (!slots_snapshot(rw, &sum) || sum >= 0)
        return false;
    /* No reader held the lock (Go: fatal error). Assertion builds stop here; release builds
     * undo our decrement and report the misuse. */
    GOCI_ASSERT_MSG(sum >= 0, "sync: RUnlock of unlocked RWMutex");
    atomic_fetch_add_explicit(&rw->goc_private_slot[i].goc_private_n, SLOT_INC,
                              memory_order_relaxed);
    return true;
}

GOC_API int
goc_rwmutex_runlock(goc_rwmutex *rw) {
    if (rw == NULL)
        return GOC_EINVAL;
    unsigned i = my_slot();
    /* seq_cst: release for our reads, and the reader's half of the handshake with a writer
     * that counts (it must see this decrement, or we must see its flag). */
    uint64_t v = atomic_fetch_add_explicit(&rw->goc_private_slot[i].goc_private_n, SLOT_DEC,
                                           memory_order_seq_cst) +
                 SLOT_DEC;
    if (slot_count(v) < 0 && runlock_misuse(rw, i))
        return GOC_EINVAL;
    if (atomic_load_explicit(&rw->goc_private_slot[i].goc_private_writer, memory_order_seq_cst))
        writer_notify(rw);
    return GOC_OK;
}

/* The slots are flagged: wait until no reader is inside. Spin first, with spin.h's lock spin
 * (a reader inside is running and about to leave, and each look pulls its slot's line away
 * from it), then sleep on wseq. */
static void
wait_readers(goc_rwmutex *rw) {
    struct goci_lockspin w = GOCI_LOCKSPIN_INIT;
    bool slept = false;
    while (readers_inside(rw) > 0) {
        if (!goci_lockspin_done(&w)) {
            goci_lockspin_step(&w);
            continue;
        }
        /* Say we sleep, then count again: a reader that leaves after the count bumps wseq
         * after our mark, so it sees the mark and wakes us, and the futex sees the bump.
         * seq_cst: our half of the handshake with writer_notify. */
        uint32_t seq = atomic_fetch_or_explicit(&rw->goc_private_wseq, 1, memory_order_seq_cst) | 1;
        slept = true;
        if (readers_inside(rw) <= 0)
            break;
        goci_futex_wait(&rw->goc_private_wseq, seq, INT64_MAX);
    }
    if (slept) /* relaxed: the mark only asks readers for a wake-up call */
        atomic_fetch_and_explicit(&rw->goc_private_wseq, ~UINT32_C(1), memory_order_relaxed);
}

GOC_API void
goc_rwmutex_lock(goc_rwmutex *rw) {
    if (rw == NULL)
        return;
    /* First exclude other writers. */
    goc_mutex_lock(&rw->goc_private_w);
    /* Announce ourselves: WRITER first, for the readers that see a flag and look at state,
     * then the flags, from which on arriving readers queue. relaxed: the flags' release
     * stores publish it. */
    uint32_t s = atomic_fetch_or_explicit(&rw->goc_private_state, WRITER, memory_order_relaxed);
    /* We hold w, so no other writer is in, and the last one's unlock emptied the queue. */
    GOCI_ASSERT(!(s & (WRITER | SLEEPERS)) && (s & QUEUED_MASK) == 0);
    (void)s;
    for (int i = 0; i < GOC_RWMUTEX_SLOTS; i++)
        atomic_store_explicit(&rw->goc_private_slot[i].goc_private_writer, 1, memory_order_release);
    /* The writer's half of the handshake: the flags, a seq_cst fence, then (readers_inside)
     * the counts. One fence rather than a seq_cst exchange per slot. */
    atomic_thread_fence(memory_order_seq_cst);
    wait_readers(rw);
}

GOC_API int
goc_rwmutex_unlock(goc_rwmutex *rw) {
    if (rw == NULL)
        return GOC_EINVAL;
    /* relaxed: the stores and the CAS below are the release. */
    uint32_t s = atomic_load_explicit(&rw->goc_private_state, memory_order_relaxed);
    if (!(s & WRITER)) {
        /* No writer held the lock (Go: fatal error). Assertion builds stop here; release
         * builds leave the lock as it is and report the misuse. */
        GOCI_ASSERT_MSG(s & WRITER, "sync: Unlock of unlocked RWMutex");
        return GOC_EINVAL;
    }
    /* Unflag the slots. release; pairs with the acquire loads in goc_rwmutex_rlock: a reader
     * that sees its flag cleared enters; one that saw it set queues (state still has WRITER)
     * and is let in by the CAS below. */
    for (int i = 0; i < GOC_RWMUTEX_SLOTS; i++)
        atomic_store_explicit(&rw->goc_private_slot[i].goc_private_writer, 0, memory_order_release);
    /* Next generation: WRITER, SLEEPERS and the queue cleared. The queued readers are already
     * counted in their slots, so from here on they are inside. release; pairs with the acquire
     * loads in rlock_slow. Readers may add themselves to the queue meanwhile: retry. */
    while (!atomic_compare_exchange_weak_explicit(&rw->goc_private_state, &s,
                                                  (s + GEN_ONE) & GEN_MASK, memory_order_release,
                                                  memory_order_relaxed))
        ;
    if (s & SLEEPERS)
        goci_futex_wake(&rw->goc_private_state, INT_MAX);
    /* Let the next writer in. We hold w (a writer held the lock), so this cannot fail. */
    int rc = goc_mutex_unlock(&rw->goc_private_w);
    GOCI_ASSERT(rc == GOC_OK);
    (void)rc;
    return GOC_OK;
}
