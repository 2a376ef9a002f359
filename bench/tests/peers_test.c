/* SPDX-License-Identifier: MIT */
/* The lock peers (bench/peers/pthread.c, spin.c, and ck.c when built with libck) behind struct
 * lock_ops: mutual exclusion under contention (a guarded plain counter, and a count of holders
 * that a writer must find empty), readers that share the reader/writer locks, and the
 * exclusive impls' read lock being their lock. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "check.h"
#include "ck_peer.h"
#include "ops.h"

#define THREADS 4
#define OPS 20000

struct shared {
    const struct lock_ops *ops;
    void *lock;
    uint64_t counter; /* guarded by lock */
    atomic_int writers, readers;
    atomic_int violations;
    int read_every; /* 0: writes only; k: one in k operations reads */
};

static void *
hammer(void *p) {
    struct shared *s = p;
    for (int i = 0; i < OPS; i++) {
        bool read = s->read_every > 0 && i % s->read_every == 0;
        if (read) {
            s->ops->rlock(s->lock);
            atomic_fetch_add(&s->readers, 1);
            if (atomic_load(&s->writers) != 0)
                atomic_fetch_add(&s->violations, 1);
            (void)*(volatile uint64_t *)&s->counter;
            atomic_fetch_sub(&s->readers, 1);
            s->ops->runlock(s->lock);
        } else {
            s->ops->lock(s->lock);
            if (atomic_fetch_add(&s->writers, 1) != 0 || atomic_load(&s->readers) != 0)
                atomic_fetch_add(&s->violations, 1);
            s->counter++;
            atomic_fetch_sub(&s->writers, 1);
            s->ops->unlock(s->lock);
        }
    }
    return NULL;
}

static void
test_exclusion_n(const char *name, const struct lock_ops *ops, int read_every, int threads) {
    struct shared s = {.ops = ops, .lock = ops->make(), .read_every = read_every};
    atomic_init(&s.writers, 0);
    atomic_init(&s.readers, 0);
    atomic_init(&s.violations, 0);
    CHECK(s.lock != NULL);
    pthread_t th[THREADS];
    for (int i = 0; i < threads; i++)
        pthread_create(&th[i], NULL, hammer, &s);
    for (int i = 0; i < threads; i++)
        pthread_join(th[i], NULL);
    uint64_t reads = read_every > 0 ? (uint64_t)((OPS + read_every - 1) / read_every) : 0;
    uint64_t want = (uint64_t)threads * (OPS - reads);
    if (s.counter != want || atomic_load(&s.violations) != 0)
        fprintf(stderr, "%s (read every %d): counter %llu, want %llu; %d violations\n", name,
                read_every, (unsigned long long)s.counter, (unsigned long long)want,
                atomic_load(&s.violations));
    CHECK(s.counter == want);
    CHECK(atomic_load(&s.violations) == 0);
    ops->free(s.lock);
}

static void
test_exclusion(const char *name, const struct lock_ops *ops, int read_every) {
    test_exclusion_n(name, ops, read_every, THREADS);
}

/* ---- shared readers --------------------------------------------------------------------- */

struct reader_probe {
    const struct lock_ops *ops;
    void *lock;
    bool warm;
    atomic_int got, ready, go;
};

static void
wait_flag(atomic_int *f) {
    while (!atomic_load(f)) {
        struct timespec ts = {0, 100000};
        nanosleep(&ts, NULL);
    }
}

static void *
second_reader(void *p) {
    struct reader_probe *r = p;
    if (r->warm) {
        /* ck_brlock registers a thread's reader record on its first read lock, under the
         * write lock, so a reader's first read waits for those held: read once before. */
        r->ops->rlock(r->lock);
        r->ops->runlock(r->lock);
        atomic_store(&r->ready, 1);
        wait_flag(&r->go);
    }
    r->ops->rlock(r->lock);
    atomic_store(&r->got, 1);
    r->ops->runlock(r->lock);
    return NULL;
}

/* With the read lock held here, can another thread take it within 200 ms? warm: that
 * thread has read the lock once before. */
static bool
readers_share_as(const struct lock_ops *ops, bool warm) {
    struct reader_probe r = {.ops = ops, .lock = ops->make(), .warm = warm};
    atomic_init(&r.got, 0);
    atomic_init(&r.ready, 0);
    atomic_init(&r.go, 0);
    pthread_t th;
    if (warm) {
        pthread_create(&th, NULL, second_reader, &r);
        wait_flag(&r.ready);
        ops->rlock(r.lock);
        atomic_store(&r.go, 1);
    } else {
        ops->rlock(r.lock);
        pthread_create(&th, NULL, second_reader, &r);
    }
    for (int i = 0; i < 200 && !atomic_load(&r.got); i++) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    bool shared = atomic_load(&r.got) != 0;
    ops->runlock(r.lock);
    pthread_join(th, NULL);
    ops->free(r.lock);
    return shared;
}

static bool
readers_share(const struct lock_ops *ops) {
    return readers_share_as(ops, false);
}

#if CHANBENCH_HAVE_CK
/* One thread reading more brlocks in turn than it remembers registrations for (ck.c's
 * BR_CACHE): each read lock must be released on the lock it was taken on, so that every
 * writer afterwards finds no reader (a reader count left behind would hang it). */
static void
test_brlock_many(void) {
    enum { LOCKS = 6 };
    const struct lock_ops *ops = &peer_ck_brlock;
    void *l[LOCKS];
    for (int i = 0; i < LOCKS; i++)
        CHECK_OR_RETURN((l[i] = ops->make()) != NULL);
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < LOCKS; i++) {
            ops->rlock(l[i]);
            ops->rlock(l[(i + 1) % LOCKS]);
            ops->runlock(l[(i + 1) % LOCKS]);
            ops->runlock(l[i]);
        }
    for (int i = 0; i < LOCKS; i++) {
        ops->lock(l[i]);
        ops->unlock(l[i]);
        ops->free(l[i]);
    }
}
#endif

int
main(void) {
    test_exclusion("pthread mutex", &peer_pthread_mutex, 0);
    test_exclusion("pthread mutex", &peer_pthread_mutex, 4);
    test_exclusion("pthread rwlock", &peer_pthread_rwlock, 0);
    test_exclusion("pthread rwlock", &peer_pthread_rwlock, 2);
    test_exclusion("spin", &peer_spin_lock, 0);
    test_exclusion("spin", &peer_spin_lock, 4);
    CHECK(readers_share(&peer_pthread_rwlock));
    CHECK(!readers_share(&peer_pthread_mutex));
    CHECK(!readers_share(&peer_spin_lock));
#if CHANBENCH_HAVE_CK
    /* A FIFO spinlock with more threads than PUs hands the lock to waiters that are not
     * running (lock.c gives it no such rows): at most one thread per PU here. */
    cpu_set_t set;
    int pus = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
    int mcs_threads = pus < 1 ? 1 : pus < THREADS ? pus : THREADS;
    test_exclusion_n("ck mcs", &peer_ck_mcs, 0, mcs_threads);
    test_exclusion_n("ck mcs", &peer_ck_mcs, 4, mcs_threads);
    test_exclusion("ck rwlock", &peer_ck_rwlock, 0);
    test_exclusion("ck rwlock", &peer_ck_rwlock, 2);
    /* Each test makes a fresh lock: its threads register with it on their first read. */
    test_exclusion("ck brlock", &peer_ck_brlock, 0);
    test_exclusion("ck brlock", &peer_ck_brlock, 2);
    test_exclusion("ck brlock", &peer_ck_brlock, 7);
    CHECK(readers_share(&peer_ck_rwlock));
    CHECK(readers_share_as(&peer_ck_brlock, true));
    CHECK(!readers_share(&peer_ck_mcs));
    test_brlock_many();
#endif
    return check_result("peers_test");
}
