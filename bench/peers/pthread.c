/* SPDX-License-Identifier: MIT */
/* The pthread peer of the lock family: pthread_mutex_t and pthread_rwlock_t with their
 * default attributes (what a user gets without tuning; glibc's default rwlock prefers readers,
 * so writers can starve under a steady stream of readers), behind struct lock_ops. The mutex
 * maps rlock to lock; the rwlock maps lock to wrlock. */
#include <pthread.h>
#include <stdlib.h>

#include "ops.h"

/* Each lock on its own cache lines, so that neighbouring data does not share them. */
#define PEER_ALIGN 128

static void *
mutex_make(void) {
    size_t size = (sizeof(pthread_mutex_t) + PEER_ALIGN - 1) / PEER_ALIGN * PEER_ALIGN;
    pthread_mutex_t *m = aligned_alloc(PEER_ALIGN, size);
    if (m != NULL)
        pthread_mutex_init(m, NULL);
    return m;
}

static void
mutex_lock(void *l) {
    pthread_mutex_lock(l);
}

static void
mutex_unlock(void *l) {
    pthread_mutex_unlock(l);
}

static void
mutex_free(void *l) {
    if (l != NULL)
        pthread_mutex_destroy(l);
    free(l);
}

const struct lock_ops peer_pthread_mutex = {
    .make = mutex_make,
    .lock = mutex_lock,
    .unlock = mutex_unlock,
    .rlock = mutex_lock,
    .runlock = mutex_unlock,
    .free = mutex_free,
};

static void *
rwlock_make(void) {
    size_t size = (sizeof(pthread_rwlock_t) + PEER_ALIGN - 1) / PEER_ALIGN * PEER_ALIGN;
    pthread_rwlock_t *rw = aligned_alloc(PEER_ALIGN, size);
    if (rw != NULL)
        pthread_rwlock_init(rw, NULL);
    return rw;
}

static void
rwlock_wrlock(void *l) {
    pthread_rwlock_wrlock(l);
}

static void
rwlock_rdlock(void *l) {
    pthread_rwlock_rdlock(l);
}

static void
rwlock_unlock(void *l) {
    pthread_rwlock_unlock(l);
}

static void
rwlock_free(void *l) {
    if (l != NULL)
        pthread_rwlock_destroy(l);
    free(l);
}

const struct lock_ops peer_pthread_rwlock = {
    .make = rwlock_make,
    .lock = rwlock_wrlock,
    .unlock = rwlock_unlock,
    .rlock = rwlock_rdlock,
    .runlock = rwlock_unlock,
    .free = rwlock_free,
};
