/* SPDX-License-Identifier: MIT */
/* goc_mutex under load: an oversubscribed hammer (4 threads per CPU, lock and trylock mixed)
 * checking exclusion and exact counts, then the starvation bound: a thread that wants the lock
 * while others hammer it gets it, each time, within a bounded number of their iterations. */
#include "testutil.h"

#include <unistd.h>

/* ---- Oversubscribed hammer --------------------------------------------------------------- */

struct hammer {
    goc_mutex m;
    atomic_int inside;
    long counter; /* protected by m; plain on purpose (TSan checks the exclusion) */
    long iters;
};

static void *
hammer_thread(void *arg) {
    struct hammer *h = arg;
    uint64_t rng = (uint64_t)(uintptr_t)&rng | 1;
    for (long i = 0; i < h->iters; i++) {
        uint64_t r = test_rand(&rng);
        if (r % 8 == 0) {
            if (goc_mutex_trylock(&h->m) != GOC_OK) {
                i--;
                continue;
            }
        } else {
            goc_mutex_lock(&h->m);
        }
        /* relaxed: only the value matters; a second thread inside reads 1. */
        CHECK_EQ(atomic_exchange_explicit(&h->inside, 1, memory_order_relaxed), 0);
        long c = h->counter;
        if (r % 64 == 1)
            test_yield(); /* now and then, be preempted inside the critical section */
        h->counter = c + 1;
        atomic_store_explicit(&h->inside, 0, memory_order_relaxed);
        CHECK_STATUS(goc_mutex_unlock(&h->m), GOC_OK);
    }
    return NULL;
}

static void
stress_hammer(int nthreads) {
    static struct hammer h;
    h.iters = TEST_SCALE(100000, 5);
    pthread_t t[64];
    for (int i = 0; i < nthreads; i++)
        t[i] = test_spawn(hammer_thread, &h);
    for (int i = 0; i < nthreads; i++)
        test_join(t[i]);
    CHECK_EQ(h.counter, nthreads * h.iters);
    CHECK_EQ(atomic_load(&h.m.goc_private_state), 0);
    printf("mutex_stress: %d threads x %ld lock/unlock, count exact\n", nthreads, h.iters);
}

/* ---- Starvation bound -------------------------------------------------------------------- */

/* Hammer threads take and release the lock back to back; the victim takes it ROUNDS times and
 * must get it each time within ROUND_BOUND hammer acquisitions. With Go's starvation mode it
 * waits about a millisecond plus a few handoffs: a few thousand acquisitions on a 2-CPU VM.
 * The bound is generous on purpose (no timing assertion a loaded machine could miss); it
 * catches a mutex that lets the victim starve indefinitely. Note that on a small machine OS
 * preemption of the hammers also rescues a victim, so a mutex without starvation mode can pass
 * this check; mutex_test.c shows the handoff itself deterministically. */
#define ROUNDS 20
#define HAMMERS 3
#define ROUND_BOUND (5L * 1000 * 1000)
#define CS_WORK 1000 /* steps of work inside the lock: the hammers hold it most of the time */

struct starve {
    goc_mutex m;
    long work;              /* protected by m */
    atomic_long hammer_its; /* total hammer acquisitions */
    atomic_int stop;
};

static void *
starve_hammer(void *arg) {
    struct starve *s = arg;
    while (!atomic_load_explicit(&s->stop, memory_order_relaxed)) {
        goc_mutex_lock(&s->m);
        for (int i = 0; i < CS_WORK; i++) {
            s->work++;
            __asm__ __volatile__("" ::: "memory"); /* keep the work: one add per step */
        }
        CHECK_STATUS(goc_mutex_unlock(&s->m), GOC_OK);
        /* Past every round's bound the victim has starved: stop, main reports it. */
        if (atomic_fetch_add_explicit(&s->hammer_its, 1, memory_order_relaxed) >
            ROUNDS * ROUND_BOUND)
            break;
    }
    return NULL;
}

static void
stress_starvation(void) {
    static struct starve s;
    pthread_t t[HAMMERS];
    for (int i = 0; i < HAMMERS; i++)
        t[i] = test_spawn(starve_hammer, &s);
    /* Let the hammers get going. */
    TEST_WAIT_UNTIL(atomic_load_explicit(&s.hammer_its, memory_order_relaxed) > 1000);
    long worst = 0, sum = 0;
    for (int round = 0; round < ROUNDS; round++) {
        long before = atomic_load_explicit(&s.hammer_its, memory_order_relaxed);
        goc_mutex_lock(&s.m);
        long waited = atomic_load_explicit(&s.hammer_its, memory_order_relaxed) - before;
        s.work++;
        CHECK_STATUS(goc_mutex_unlock(&s.m), GOC_OK);
        worst = waited > worst ? waited : worst;
        sum += waited;
    }
    atomic_store_explicit(&s.stop, 1, memory_order_relaxed);
    for (int i = 0; i < HAMMERS; i++)
        test_join(t[i]);
    printf("mutex_stress: victim took the lock %d times against %d hammers; waited %ld hammer "
           "acquisitions on average, %ld at worst (bound %ld)\n",
           ROUNDS, HAMMERS, sum / ROUNDS, worst, ROUND_BOUND);
    CHECK(worst <= ROUND_BOUND);
    CHECK_EQ(s.work, atomic_load(&s.hammer_its) * CS_WORK + ROUNDS);
}

int
main(void) {
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    int n = (int)(ncpu < 1 ? 1 : ncpu > 16 ? 16 : ncpu) * 4;
    stress_hammer(n);
    stress_starvation();
    return check_result("mutex_stress");
}
