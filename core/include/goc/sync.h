/* SPDX-License-Identifier: MIT */
/* Go's sync.Mutex, sync.RWMutex and sync.WaitGroup. A zero-filled value of each is ready to
 * use, as in Go. None of them may be copied once used. */
#ifndef GOC_SYNC_H
#define GOC_SYNC_H

#include <stdatomic.h>
#include <stdint.h>

#include <goc/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A mutual-exclusion lock. The fields are private. */
typedef struct goc_mutex {
    _Atomic uint32_t goc_private_state;
    _Atomic uint32_t goc_private_waiters;
} goc_mutex;

#define GOC_MUTEX_INIT {0}

/* Lock: blocks until the lock is held by the caller. Not recursive. */
void goc_mutex_lock(goc_mutex *m);
/* Unlock a mutex held by the caller (any thread may unlock, as in Go). */
void goc_mutex_unlock(goc_mutex *m);
/* Take the lock if free: GOC_OK, else GOC_WOULDBLOCK. Never blocks. */
int goc_mutex_trylock(goc_mutex *m);

/* A reader/writer lock: readers share it, a writer holds it alone; a blocked writer stops new
 * readers, so writers never starve. The fields are private. */
typedef struct goc_rwmutex {
    goc_mutex goc_private_w;                  /* serialises writers */
    _Atomic int32_t goc_private_readers;      /* active readers, minus a bias while a writer waits */
    _Atomic int32_t goc_private_departing;    /* readers a waiting writer still waits for */
    _Atomic uint32_t goc_private_writer_sem;  /* futex word the writer sleeps on */
    _Atomic uint32_t goc_private_reader_sem;  /* futex word blocked readers sleep on */
} goc_rwmutex;

#define GOC_RWMUTEX_INIT {0}

void goc_rwmutex_rlock(goc_rwmutex *rw);
void goc_rwmutex_runlock(goc_rwmutex *rw);
void goc_rwmutex_lock(goc_rwmutex *rw);
void goc_rwmutex_unlock(goc_rwmutex *rw);

/* Waits for a collection of tasks to finish. The fields are private. */
typedef struct goc_waitgroup {
    _Atomic int64_t goc_private_count;
    _Atomic uint32_t goc_private_seq; /* futex word waiters sleep on */
} goc_waitgroup;

#define GOC_WAITGROUP_INIT {0}

/* Add delta (may be negative) to the counter; when it reaches zero every waiter is released.
 * Returns GOC_OK, or GOC_EINVAL (and leaves the counter unchanged) when the counter would go
 * below zero — Go panics there. */
int goc_waitgroup_add(goc_waitgroup *wg, int64_t delta);
/* goc_waitgroup_add(wg, -1). */
int goc_waitgroup_done(goc_waitgroup *wg);
/* Block until the counter is zero. */
void goc_waitgroup_wait(goc_waitgroup *wg);

#ifdef __cplusplus
}
#endif

#endif
