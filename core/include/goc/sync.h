/* SPDX-License-Identifier: MIT */
/* Go's sync.Mutex, sync.RWMutex and sync.WaitGroup. A zero-filled value of each is ready to
 * use, as in Go. None of them may be copied once used. Contexts are in context.h. */
#ifndef GOC_SYNC_H
#define GOC_SYNC_H

#include <stdatomic.h>
#include <stdint.h>

#include <goc/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A mutual-exclusion lock, Go's sync.Mutex: 8 bytes, no destroy call needed. Fair in the
 * bounded sense Go's is: a waiter that has waited more than about a millisecond switches the
 * mutex to handoff mode, where each unlock passes ownership straight to the longest waiter
 * and newcomers queue behind it. The fields are private. */
typedef struct goc_mutex {
    _Atomic uint32_t goc_private_state; /* locked, woken, starving bits; waiter count */
    _Atomic uint32_t goc_private_sema;  /* wake-up tokens for queued waiters */
} goc_mutex;

#define GOC_MUTEX_INIT                                                                             \
    { 0 }

/* Block until the caller holds the lock. Not recursive: locking a mutex the caller already
 * holds deadlocks, as in Go. Any thread may call it; NULL is ignored. */
void goc_mutex_lock(goc_mutex *m);
/* Release the lock. Any thread may unlock a locked mutex, as in Go, not only the one that
 * locked it. Returns GOC_OK, or GOC_EINVAL for NULL or for a mutex that is not locked.
 * Unlocking an unlocked mutex is a bug (Go: fatal error "sync: unlock of unlocked mutex"):
 * a libgoc built with assertions (debug and sanitizer builds) prints that message and aborts;
 * a release build returns GOC_EINVAL with the mutex unchanged, provided no other thread uses
 * the mutex at that moment (otherwise the behaviour is undefined). */
int goc_mutex_unlock(goc_mutex *m);
/* Take the lock if it is free and no starving waiter is queued for it. Never blocks.
 * Returns GOC_OK (the caller holds the lock), GOC_WOULDBLOCK, or GOC_EINVAL for NULL. */
int goc_mutex_trylock(goc_mutex *m);

/* A reader/writer lock, Go's sync.RWMutex: any number of readers, or one writer. A writer that
 * is waiting stops new readers (they queue behind it), so writers never starve; readers that
 * arrived during a write all enter when it ends. Not recursive for readers either: a reader
 * that takes rlock again while a writer waits deadlocks, as in Go. At most 2^31 - 1 readers
 * at once and 65535 threads blocked at once. The fields are private.
 *
 * Unlike Go's (24 bytes), it is 64 + 64 x GOC_RWMUTEX_SLOTS bytes: readers count themselves
 * in one of GOC_RWMUTEX_SLOTS counters, each on its own cache line with its own copy of the
 * writer flag, chosen by the CPU they run on, so readers on different cores do not pass one
 * line back and forth and never touch the line writers use; a writer flags and sums them.
 * GOC_RWMUTEX_SLOTS is fixed when libgoc is built: it is part of the ABI. */
#define GOC_RWMUTEX_SLOTS 4

typedef struct goc_rwmutex {
    goc_mutex goc_private_w;            /* serialises writers */
    _Atomic uint32_t goc_private_state; /* writer bit, sleepers bit, generation, queued readers */
    _Atomic uint32_t goc_private_wseq;  /* futex word a waiting writer sleeps on */
    unsigned char goc_private_pad[64 - 16];
    struct {
        /* read locks taken minus released here (low 32 bits), and a change count (high 32) */
        _Atomic uint64_t goc_private_n;
        _Atomic uint32_t goc_private_writer; /* a writer holds the lock or waits for it */
        unsigned char goc_private_pad[64 - 12];
    } goc_private_slot[GOC_RWMUTEX_SLOTS];
} goc_rwmutex;

#define GOC_RWMUTEX_INIT                                                                           \
    { 0 }

/* Take a read lock: blocks while a writer holds the lock or waits for it. Any thread; NULL is
 * ignored. */
void goc_rwmutex_rlock(goc_rwmutex *rw);
/* Release a read lock. Returns GOC_OK, or GOC_EINVAL for NULL or when no read lock is held.
 * Releasing a read lock that is not held is a bug (Go: fatal error "sync: RUnlock of unlocked
 * RWMutex"): with assertions libgoc prints that message and aborts; a release build returns
 * GOC_EINVAL with the lock unchanged, provided no other thread uses it at that moment
 * (otherwise the behaviour is undefined). */
int goc_rwmutex_runlock(goc_rwmutex *rw);
/* Take the write lock: blocks until no reader and no other writer holds it. From the moment
 * it starts waiting, new readers block. Any thread; NULL is ignored. */
void goc_rwmutex_lock(goc_rwmutex *rw);
/* Release the write lock and let in every reader that queued during the write. Returns
 * GOC_OK, or GOC_EINVAL for NULL or when the write lock is not held. Misuse (Go: fatal error
 * "sync: Unlock of unlocked RWMutex") as for goc_rwmutex_runlock: abort with assertions,
 * GOC_EINVAL with the lock unchanged in a release build. */
int goc_rwmutex_unlock(goc_rwmutex *rw);

/* Waits for a collection of tasks to finish. The fields are private. */
typedef struct goc_waitgroup {
    _Atomic uint64_t goc_private_state; /* counter in the high 32 bits, waiters in the low 32 */
    _Atomic uint32_t goc_private_seq;   /* futex word waiters sleep on; bumped at each zero */
} goc_waitgroup;

#define GOC_WAITGROUP_INIT                                                                         \
    { 0 }

/* Add delta (may be negative) to the counter; when it reaches zero every waiter is released.
 * Never blocks; any thread. Returns GOC_OK, or GOC_EINVAL, leaving the counter unchanged, when
 * wg is NULL or the counter would go below zero or above INT32_MAX. Going below zero is a bug
 * (Go panics: "sync: negative WaitGroup counter"): a libgoc built with assertions (debug and
 * sanitizer builds) prints that message and aborts; a release build returns GOC_EINVAL. */
int goc_waitgroup_add(goc_waitgroup *wg, int64_t delta);
/* goc_waitgroup_add(wg, -1). */
int goc_waitgroup_done(goc_waitgroup *wg);
/* Block until the counter is zero; returns at once if it is zero now. Any number of threads
 * may wait. A waiter released by a zero returns even if the counter is raised again before it
 * runs. NULL is ignored. */
void goc_waitgroup_wait(goc_waitgroup *wg);

#ifdef __cplusplus
}
#endif

#endif
