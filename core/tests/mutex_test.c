/* SPDX-License-Identifier: MIT */
/* Unit tests for goc_mutex: zero value, trylock, blocking, unlock from another thread, a small
 * hammer with exact counts, and starvation mode shown deterministically. The big
 * oversubscribed hammer and the starvation bound under load are in stress/mutex_stress.c;
 * unlocking an unlocked mutex (misuse: an abort with assertions) is in misuse_test.c. */
#include "testutil.h"

#define MS ((int64_t)1000 * 1000)

/* White-box: mutex.c's state layout (Go's): bit 2 starving, bits 3.. waiter count. */
#define STATE(m) atomic_load_explicit(&(m)->goc_private_state, memory_order_relaxed)
#define WOKEN 2u
#define STARVING 4u
#define WAITERS(m) (STATE(m) >> 3)

static void
test_zero_value(void) {
    goc_mutex zero;
    memset(&zero, 0, sizeof zero);
    goc_mutex init = GOC_MUTEX_INIT;
    goc_mutex *ms[] = {&zero, &init};
    for (int i = 0; i < 2; i++) {
        goc_mutex *m = ms[i];
        goc_mutex_lock(m);
        CHECK_STATUS(goc_mutex_trylock(m), GOC_WOULDBLOCK);
        CHECK_STATUS(goc_mutex_unlock(m), GOC_OK);
        CHECK_STATUS(goc_mutex_trylock(m), GOC_OK);
        CHECK_STATUS(goc_mutex_trylock(m), GOC_WOULDBLOCK);
        CHECK_STATUS(goc_mutex_unlock(m), GOC_OK);
        CHECK_EQ(STATE(m), 0);
    }
    CHECK_STATUS(goc_mutex_trylock(NULL), GOC_EINVAL);
    goc_mutex_lock(NULL);
    CHECK_STATUS(goc_mutex_unlock(NULL), GOC_EINVAL);
}

struct blocker {
    goc_mutex *m;
    atomic_int started, locked;
    int trylock_rc;
};

static void *
lock_thread(void *arg) {
    struct blocker *b = arg;
    atomic_store_explicit(&b->started, 1, memory_order_release);
    goc_mutex_lock(b->m);
    atomic_store_explicit(&b->locked, 1, memory_order_release);
    CHECK_STATUS(goc_mutex_unlock(b->m), GOC_OK);
    return NULL;
}

static void *
trylock_thread(void *arg) {
    struct blocker *b = arg;
    b->trylock_rc = goc_mutex_trylock(b->m);
    return NULL;
}

/* lock blocks while another thread holds the mutex; trylock from another thread returns
 * GOC_WOULDBLOCK at once. */
static void
test_blocks(void) {
    goc_mutex m = GOC_MUTEX_INIT;
    struct blocker b = {.m = &m};
    goc_mutex_lock(&m);
    pthread_t t = test_spawn(trylock_thread, &b);
    test_join(t);
    CHECK_STATUS(b.trylock_rc, GOC_WOULDBLOCK);

    t = test_spawn(lock_thread, &b);
    test_wait_flag(&b.started);
    test_sleep_ns(20 * MS); /* time to block; a correct mutex never lets it in here */
    CHECK(!atomic_load_explicit(&b.locked, memory_order_acquire));
    CHECK_STATUS(goc_mutex_unlock(&m), GOC_OK);
    test_join(t);
    CHECK(atomic_load_explicit(&b.locked, memory_order_acquire));
    CHECK_EQ(STATE(&m), 0);
}

static void *
unlock_thread(void *arg) {
    CHECK_STATUS(goc_mutex_unlock(arg), GOC_OK);
    return NULL;
}

/* As in Go, a mutex locked by one thread may be unlocked by another. */
static void
test_unlock_other_thread(void) {
    goc_mutex m = GOC_MUTEX_INIT;
    goc_mutex_lock(&m);
    test_join(test_spawn(unlock_thread, &m));
    CHECK_STATUS(goc_mutex_trylock(&m), GOC_OK);
    CHECK_STATUS(goc_mutex_unlock(&m), GOC_OK);
}

/* Exclusion and exact counts: a plain counter and an "inside" flag, from 4 threads mixing lock
 * and trylock. */
struct hammer {
    goc_mutex m;
    atomic_int inside;
    long counter; /* protected by m; deliberately not atomic (TSan checks it) */
    long iters;
    atomic_long trylock_ok;
};

static void *
hammer_thread(void *arg) {
    struct hammer *h = arg;
    uint64_t rng = (uint64_t)(uintptr_t)&rng | 1;
    for (long i = 0; i < h->iters; i++) {
        if (test_rand(&rng) % 4 == 0) {
            while (goc_mutex_trylock(&h->m) != GOC_OK)
                test_yield();
            atomic_fetch_add_explicit(&h->trylock_ok, 1, memory_order_relaxed);
        } else {
            goc_mutex_lock(&h->m);
        }
        /* relaxed: only its value matters; a second thread inside sees 1. */
        CHECK_EQ(atomic_exchange_explicit(&h->inside, 1, memory_order_relaxed), 0);
        h->counter++;
        atomic_store_explicit(&h->inside, 0, memory_order_relaxed);
        CHECK_STATUS(goc_mutex_unlock(&h->m), GOC_OK);
    }
    return NULL;
}

static void
test_hammer(void) {
    static struct hammer h; /* zero-filled: the mutex too */
    h.iters = TEST_SCALE(200000, 4);
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        t[i] = test_spawn(hammer_thread, &h);
    for (int i = 0; i < 4; i++)
        test_join(t[i]);
    CHECK_EQ(h.counter, 4 * h.iters);
    CHECK(atomic_load(&h.trylock_ok) > 0);
    CHECK_EQ(STATE(&h.m), 0);
}

/* Starvation mode, step by step. V queues while main holds the lock for more than the 1 ms
 * threshold; main unlocks and at once takes the lock back with trylock (V is still waking up),
 * so V finds it taken after waiting too long and switches the mutex to starvation mode. A
 * newcomer N must now queue behind V, and main's unlock must hand the lock to V first. */
struct starve {
    goc_mutex m;
    goc_mutex log_lock;
    char log[8];
    int nlog;
    atomic_int started;
    atomic_int victim_done;
};

static void
starve_log(struct starve *s, char who) {
    goc_mutex_lock(&s->log_lock);
    s->log[s->nlog++] = who;
    CHECK_STATUS(goc_mutex_unlock(&s->log_lock), GOC_OK);
}

static void *
starve_victim(void *arg) {
    struct starve *s = arg;
    goc_mutex_lock(&s->m);
    starve_log(s, 'V');
    CHECK_STATUS(goc_mutex_unlock(&s->m), GOC_OK);
    atomic_store_explicit(&s->victim_done, 1, memory_order_release);
    return NULL;
}

static void *
starve_newcomer(void *arg) {
    struct starve *s = arg;
    atomic_store_explicit(&s->started, 1, memory_order_release);
    goc_mutex_lock(&s->m);
    starve_log(s, 'N');
    CHECK_STATUS(goc_mutex_unlock(&s->m), GOC_OK);
    return NULL;
}

/* V is queued (its waiter count is in) and not awake, or the mutex is starving. */
static bool
victim_queued_or_starving(goc_mutex *m) {
    uint32_t st = STATE(m);
    return (st & STARVING) || ((st >> 3) == 1 && !(st & WOKEN));
}

static void
test_starvation_handoff(void) {
    static struct starve s;
    pthread_t v;
    int attempts = 0;
restart:
    CHECK_OR_RETURN(++attempts <= 50);
    memset(&s, 0, sizeof s);
    goc_mutex_lock(&s.m);
    v = test_spawn(starve_victim, &s);
    /* Each cycle: V waits in the queue for 5 ms, main unlocks (waking V) and at once takes the
     * lock back with trylock, before V runs. V then finds the lock taken; once its total wait
     * (measured by V from its first queueing, which may start a little after its waiter count
     * shows) exceeds the threshold, it switches the mutex to starvation mode; otherwise it
     * queues again and the cycle repeats. */
    for (;;) {
        TEST_WAIT_UNTIL(victim_queued_or_starving(&s.m) ||
                        atomic_load_explicit(&s.victim_done, memory_order_acquire));
        if (atomic_load_explicit(&s.victim_done, memory_order_acquire)) {
            /* V took and released the lock between our unlock and trylock (we were
             * preempted there): not the case under test; start over. */
            CHECK_STATUS(goc_mutex_unlock(&s.m), GOC_OK);
            test_join(v);
            goto restart;
        }
        if (STATE(&s.m) & STARVING)
            break;
        test_sleep_ns(5 * MS);
        CHECK_STATUS(goc_mutex_unlock(&s.m), GOC_OK);
        if (goc_mutex_trylock(&s.m) != GOC_OK) {
            /* V was quicker than our trylock (rare): not the case under test; start over. */
            test_join(v);
            goto restart;
        }
    }
    pthread_t n = test_spawn(starve_newcomer, &s);
    test_wait_flag(&s.started);
    /* In starvation mode the newcomer does not spin or take the lock: it queues. */
    TEST_WAIT_UNTIL(WAITERS(&s.m) == 2);
    test_sleep_ns(20 * MS); /* time for both to be asleep in the queue */
    goc_mutex_lock(&s.log_lock);
    CHECK_EQ(s.nlog, 0);
    CHECK_STATUS(goc_mutex_unlock(&s.log_lock), GOC_OK);
    CHECK_STATUS(goc_mutex_unlock(&s.m), GOC_OK);
    test_join(n);
    test_join(v);
    CHECK_EQ(s.nlog, 2);
    CHECK_EQ(s.log[0], 'V');
    CHECK_EQ(s.log[1], 'N');
    /* Back in normal mode once the queue drained. */
    CHECK_EQ(STATE(&s.m), 0);
}

int
main(void) {
    test_zero_value();
    test_blocks();
    test_unlock_other_thread();
    test_hammer();
    test_starvation_handoff();
    return check_result("mutex_test");
}
