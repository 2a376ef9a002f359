/* SPDX-License-Identifier: MIT */
/* goc_rwmutex: Go's sync.RWMutex (sync/rwmutex.go, Go 1.19) on futex semaphores
 * (internal/sema.h). Writers serialise on a goc_mutex (mutex.c). */
#include <goc/sync.h>

#include <stdint.h>

#include "internal/api.h"
#include "internal/assert.h"
#include "internal/sema.h"

/* Fields (see the struct in sync.h):
 *   readers:   +1 per reader holding or queued for the lock. A writer subtracts MAX_READERS
 *              when it starts waiting, so a negative value tells arriving readers to queue on
 *              reader_sem; the writer adds it back on unlock. atomic; every reader and writer.
 *   departing: readers that held the lock when the writer announced itself and have not yet
 *              left; the last one to leave posts writer_sem. atomic; the waiting writer and
 *              those readers.
 * Invariants: readers + MAX_READERS (while a writer is in) counts readers queued on
 * reader_sem; at most one writer at a time touches departing and writer_sem (it holds w).
 *
 * Cost: rlock and runlock are one atomic add each on readers when no writer is involved; only
 * readers that meet a writer touch departing or the semaphores. */
#define MAX_READERS (INT32_C(1) << 30)

GOC_API void
goc_rwmutex_rlock(goc_rwmutex *rw) {
    if (rw == NULL)
        return;
    /* acquire; pairs with the release add in goc_rwmutex_unlock (the writer's data). */
    if (atomic_fetch_add_explicit(&rw->goc_private_readers, 1, memory_order_acquire) + 1 < 0) {
        /* A writer holds or waits: queue until its unlock posts one token per queued reader.
         * The semaphore's acquire pairs with that post's release. */
        goci_sema_down(&rw->goc_private_reader_sem);
    }
}

/* r: readers after our decrement, negative: a writer waits or holds. GOC_OK, or GOC_EINVAL
 * when no reader held the lock. */
static int
runlock_slow(goc_rwmutex *rw, int32_t r) {
    if (r + 1 == 0 || r + 1 == -MAX_READERS) {
        /* No reader held the lock (Go: fatal error). Assertion builds stop here; release
         * builds undo our decrement and report the misuse. */
        GOCI_ASSERT_MSG(r + 1 != 0 && r + 1 != -MAX_READERS, "sync: RUnlock of unlocked RWMutex");
        atomic_fetch_add_explicit(&rw->goc_private_readers, 1, memory_order_relaxed);
        return GOC_EINVAL;
    }
    /* A writer waits for us: the last departing reader wakes it. acq_rel: each reader's
     * release joins the chain the writer acquires through writer_sem (or through its own add
     * to departing, when the readers leave first). */
    if (atomic_fetch_sub_explicit(&rw->goc_private_departing, 1, memory_order_acq_rel) - 1 == 0)
        goci_sema_up(&rw->goc_private_writer_sem, 1);
    return GOC_OK;
}

GOC_API int
goc_rwmutex_runlock(goc_rwmutex *rw) {
    if (rw == NULL)
        return GOC_EINVAL;
    /* release; pairs with the acquire add in goc_rwmutex_lock (reads done before the write). */
    int32_t r = atomic_fetch_sub_explicit(&rw->goc_private_readers, 1, memory_order_release) - 1;
    if (r < 0)
        return runlock_slow(rw, r);
    return GOC_OK;
}

GOC_API void
goc_rwmutex_lock(goc_rwmutex *rw) {
    if (rw == NULL)
        return;
    /* First exclude other writers. */
    goc_mutex_lock(&rw->goc_private_w);
    /* Announce ourselves to readers: from here on new readers queue. r is the number of
     * readers inside. acq_rel: acquire pairs with the release in goc_rwmutex_runlock of readers
     * that already left; release so readers that meet our bias see a consistent count. */
    int32_t r =
        atomic_fetch_sub_explicit(&rw->goc_private_readers, MAX_READERS, memory_order_acq_rel);
    /* We hold w, so no other writer's bias is in the count: it is the readers inside. */
    GOCI_ASSERT(r >= 0 && r < MAX_READERS);
    /* Wait for the readers inside to leave. acq_rel; pairs with runlock_slow. */
    if (r != 0 &&
        atomic_fetch_add_explicit(&rw->goc_private_departing, r, memory_order_acq_rel) + r != 0)
        goci_sema_down(&rw->goc_private_writer_sem);
}

GOC_API int
goc_rwmutex_unlock(goc_rwmutex *rw) {
    if (rw == NULL)
        return GOC_EINVAL;
    /* Let readers in again. r is the number of readers that queued during the write. release;
     * pairs with the acquire add in goc_rwmutex_rlock. */
    int32_t r =
        atomic_fetch_add_explicit(&rw->goc_private_readers, MAX_READERS, memory_order_release) +
        MAX_READERS;
    if (r >= MAX_READERS) {
        /* No writer held the lock (Go: fatal error). Assertion builds stop here; release
         * builds undo our add and report the misuse. */
        GOCI_ASSERT_MSG(r < MAX_READERS, "sync: Unlock of unlocked RWMutex");
        atomic_fetch_sub_explicit(&rw->goc_private_readers, MAX_READERS, memory_order_relaxed);
        return GOC_EINVAL;
    }
    /* Wake the queued readers: one token each (release; pairs with goci_sema_down). */
    goci_sema_up(&rw->goc_private_reader_sem, (uint32_t)r);
    /* Let the next writer in. We hold w (a writer held the lock), so this cannot fail. */
    int rc = goc_mutex_unlock(&rw->goc_private_w);
    GOCI_ASSERT(rc == GOC_OK);
    return GOC_OK;
}
