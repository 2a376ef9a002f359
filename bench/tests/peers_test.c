/* SPDX-License-Identifier: MIT */
/* The lock peers (bench/peers/pthread.c, spin.c) behind struct lock_ops: mutual exclusion
 * under contention (a guarded plain counter, and a count of holders that a writer must find
 * empty), readers that share the pthread rwlock, and the exclusive impls' read lock being
 * their lock. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "check.h"
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
test_exclusion(const char *name, const struct lock_ops *ops, int read_every) {
    struct shared s = {.ops = ops, .lock = ops->make(), .read_every = read_every};
    atomic_init(&s.writers, 0);
    atomic_init(&s.readers, 0);
    atomic_init(&s.violations, 0);
    CHECK(s.lock != NULL);
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&th[i], NULL, hammer, &s);
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    uint64_t reads = read_every > 0 ? (uint64_t)((OPS + read_every - 1) / read_every) : 0;
    uint64_t want = (uint64_t)THREADS * (OPS - reads);
    if (s.counter != want || atomic_load(&s.violations) != 0)
        fprintf(stderr, "%s (read every %d): counter %llu, want %llu; %d violations\n", name,
                read_every, (unsigned long long)s.counter, (unsigned long long)want,
                atomic_load(&s.violations));
    CHECK(s.counter == want);
    CHECK(atomic_load(&s.violations) == 0);
    ops->free(s.lock);
}

/* ---- shared readers --------------------------------------------------------------------- */

struct reader_probe {
    const struct lock_ops *ops;
    void *lock;
    atomic_int got;
};

static void *
second_reader(void *p) {
    struct reader_probe *r = p;
    r->ops->rlock(r->lock);
    atomic_store(&r->got, 1);
    r->ops->runlock(r->lock);
    return NULL;
}

/* With the read lock held here, can another thread take it within 200 ms? */
static bool
readers_share(const struct lock_ops *ops) {
    struct reader_probe r = {.ops = ops, .lock = ops->make()};
    atomic_init(&r.got, 0);
    ops->rlock(r.lock);
    pthread_t th;
    pthread_create(&th, NULL, second_reader, &r);
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
    return check_result("peers_test");
}
