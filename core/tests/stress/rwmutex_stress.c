/* SPDX-License-Identifier: MIT */
/* goc_rwmutex under load: oversubscribed readers and writers. Checks exclusion (no reader
 * inside with a writer, one writer at a time, readers see consistent data), exact write
 * counts, that writers finish while readers keep the lock busy without pause (writer
 * preference), bounded by reader iterations rather than time, and that read locks released
 * on another CPU than the one that took them release cleanly. */
#define _GNU_SOURCE /* sched_getcpu, pthread_setaffinity_np */
#include "testutil.h"

#include <sched.h>
#include <unistd.h>

struct shared {
    goc_rwmutex rw;
    long a, b; /* protected by rw; plain, so TSan checks the exclusion */
    atomic_int writers_inside, readers_inside, max_readers_inside;
    atomic_int writers_done;
    atomic_long reads;
    atomic_long moved; /* read locks released on another CPU than the one that took them */
    cpu_set_t all;     /* the CPUs the test may run on */
    int nwriters;
    long writes_each;
    long read_bound; /* reads allowed (all readers together) before the writers must be done */
};

static void *
writer(void *arg) {
    struct shared *s = arg;
    for (long i = 0; i < s->writes_each; i++) {
        goc_rwmutex_lock(&s->rw);
        /* relaxed: only the values matter. */
        CHECK_EQ(atomic_fetch_add_explicit(&s->writers_inside, 1, memory_order_relaxed), 0);
        CHECK_EQ(atomic_load_explicit(&s->readers_inside, memory_order_relaxed), 0);
        long a = s->a;
        if (i % 16 == 0)
            test_yield(); /* be preempted inside now and then */
        s->a = a + 1;
        s->b++;
        atomic_fetch_sub_explicit(&s->writers_inside, 1, memory_order_relaxed);
        CHECK_STATUS(goc_rwmutex_unlock(&s->rw), GOC_OK);
    }
    atomic_fetch_add_explicit(&s->writers_done, 1, memory_order_relaxed);
    return NULL;
}

static void *
reader(void *arg) {
    struct shared *s = arg;
    uint64_t rng = (uint64_t)(uintptr_t)&rng | 1;
    /* Read until every writer is done: without writer preference, overlapping readers could
     * keep the lock forever and this loop would hit the bound. */
    while (atomic_load_explicit(&s->writers_done, memory_order_relaxed) < s->nwriters) {
        CHECK(atomic_fetch_add_explicit(&s->reads, 1, memory_order_relaxed) < s->read_bound);
        goc_rwmutex_rlock(&s->rw);
        int cpu = sched_getcpu();
        int in = atomic_fetch_add_explicit(&s->readers_inside, 1, memory_order_relaxed) + 1;
        int max = atomic_load_explicit(&s->max_readers_inside, memory_order_relaxed);
        while (in > max &&
               !atomic_compare_exchange_weak_explicit(&s->max_readers_inside, &max, in,
                                                      memory_order_relaxed, memory_order_relaxed))
            ;
        CHECK_EQ(atomic_load_explicit(&s->writers_inside, memory_order_relaxed), 0);
        CHECK_EQ(s->a, s->b);
        uint64_t r = test_rand(&rng);
        bool pinned = false;
        if (r % 32 == 0) {
            test_yield(); /* hold the read lock across a yield: readers overlap */
        } else if (r % 32 == 1 && CPU_COUNT(&s->all) > 1) {
            /* Move to a CPU chosen at random while holding the read lock. */
            int k = (int)(r / 32 % (uint64_t)CPU_COUNT(&s->all)), c = 0;
            while (!CPU_ISSET(c, &s->all) || k-- > 0)
                c++;
            cpu_set_t one;
            CPU_ZERO(&one);
            CPU_SET(c, &one);
            CHECK_EQ(pthread_setaffinity_np(pthread_self(), sizeof one, &one), 0);
            pinned = true;
        }
        atomic_fetch_sub_explicit(&s->readers_inside, 1, memory_order_relaxed);
        /* A move leaves one reader slot high and another low (rwmutex.c): runlock must still
         * say GOC_OK. How often it happened is printed, not checked (the scheduler decides). */
        if (sched_getcpu() != cpu)
            atomic_fetch_add_explicit(&s->moved, 1, memory_order_relaxed);
        CHECK_STATUS(goc_rwmutex_runlock(&s->rw), GOC_OK);
        if (pinned)
            CHECK_EQ(pthread_setaffinity_np(pthread_self(), sizeof s->all, &s->all), 0);
    }
    return NULL;
}

int
main(void) {
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    int cpus = (int)(ncpu < 1 ? 1 : ncpu > 8 ? 8 : ncpu);
    static struct shared s;
    CHECK_EQ(sched_getaffinity(0, sizeof s.all, &s.all), 0);
    s.nwriters = cpus;
    s.writes_each = TEST_SCALE(20000, 4);
    s.read_bound = 1000L * s.writes_each * s.nwriters;
    int nreaders = 3 * cpus;
    pthread_t t[64];
    int n = 0;
    for (int i = 0; i < nreaders; i++)
        t[n++] = test_spawn(reader, &s);
    for (int i = 0; i < s.nwriters; i++)
        t[n++] = test_spawn(writer, &s);
    for (int i = 0; i < n; i++)
        test_join(t[i]);
    CHECK_EQ(s.a, s.nwriters * s.writes_each);
    CHECK_EQ(s.b, s.nwriters * s.writes_each);
    CHECK_EQ(test_rw_counted(&s.rw), 0);
    CHECK(!test_rw_writer(&s.rw));
    printf("rwmutex_stress: %d readers, %d writers x %ld writes; %ld reads (%ld released on "
           "another CPU), up to %d readers inside at once\n",
           nreaders, s.nwriters, s.writes_each, atomic_load(&s.reads), atomic_load(&s.moved),
           atomic_load(&s.max_readers_inside));
    return check_result("rwmutex_stress");
}
