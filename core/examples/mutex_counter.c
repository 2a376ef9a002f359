/* SPDX-License-Identifier: MIT */
/* Example 1: a counter that guards itself. The mutex lives inside the struct next to the value
 * it protects, and callers only use the getter and setter functions, never the lock: Go's
 * "mutex hat" pattern. Then the same with an rwmutex, so many readers run at once while one
 * writer changes the value. */
#include <goc/goc.h>

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

/* ---- Part 1: a counter guarded by a mutex ------------------------------------------------ */

struct counter {
    goc_mutex mu; /* guards value; a zero-filled mutex is ready to use */
    long value;
};

static long
counter_get(struct counter *c) {
    goc_mutex_lock(&c->mu);
    long v = c->value;
    goc_mutex_unlock(&c->mu); /* returns GOC_EINVAL only for an unlocked mutex: a bug */
    return v;
}

static void
counter_set(struct counter *c, long v) {
    goc_mutex_lock(&c->mu);
    c->value = v;
    goc_mutex_unlock(&c->mu);
}

static void
counter_add(struct counter *c, long d) {
    goc_mutex_lock(&c->mu); /* read-modify-write under one lock: get()+set() would race */
    c->value += d;
    goc_mutex_unlock(&c->mu);
}

#define THREADS 4
#define INCREMENTS 100000

static void *
incrementer(void *arg) {
    for (int i = 0; i < INCREMENTS; i++)
        counter_add(arg, 1);
    return NULL;
}

/* ---- Part 2: a read-mostly value guarded by an rwmutex ----------------------------------- */

struct config {
    goc_rwmutex mu; /* readers share it; a writer holds it alone */
    long version;
    atomic_int readers_inside; /* only to show that readers overlap */
};

static long
config_get(struct config *c, int stay_until_inside) {
    goc_rwmutex_rlock(&c->mu);
    long v = c->version;
    /* Stay inside until `stay_until_inside` readers hold the read lock at once (or give up
     * after 5 s): with a plain mutex they could never all be inside together. */
    atomic_fetch_add(&c->readers_inside, 1);
    time_t give_up = time(NULL) + 5;
    while (atomic_load(&c->readers_inside) < stay_until_inside && time(NULL) < give_up)
        sched_yield();
    goc_rwmutex_runlock(&c->mu);
    return v;
}

static void
config_set(struct config *c, long version) {
    goc_rwmutex_lock(&c->mu);
    c->version = version;
    goc_rwmutex_unlock(&c->mu);
}

#define READERS 4
#define READS 20000
#define WRITES 1000

struct reader_arg {
    struct config *cfg;
    long seen;
    long backwards; /* times a read saw an older version than the read before it */
};

static void *
reader(void *arg) {
    struct reader_arg *r = arg;
    r->seen = config_get(r->cfg, READERS);
    return NULL;
}

static void *
busy_reader(void *arg) {
    struct reader_arg *r = arg;
    long last = 0;
    for (int i = 0; i < READS; i++) {
        long v = config_get(r->cfg, 0);
        if (v < last)
            r->backwards++;
        last = v;
    }
    r->seen = last;
    return NULL;
}

static void *
writer(void *arg) {
    struct config *cfg = arg;
    for (long v = 3; v < 3 + WRITES; v++)
        config_set(cfg, v);
    return NULL;
}

int
main(void) {
    int failed = 0;

    printf("Part 1: a counter with its mutex inside the struct.\n");
    static struct counter c; /* zero-filled: value 0, mutex unlocked */
    counter_set(&c, 0);
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, incrementer, &c);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    long got = counter_get(&c);
    printf("  %d threads each called counter_add(&c, 1) %d times; counter_get says %ld "
           "(expected %d).\n",
           THREADS, INCREMENTS, got, THREADS * INCREMENTS);
    if (got != THREADS * INCREMENTS) {
        printf("  FAILED: increments were lost.\n");
        failed = 1;
    }

    printf("\nPart 2: a read-mostly value behind an rwmutex.\n");
    static struct config cfg;
    config_set(&cfg, 1);
    struct reader_arg ra[READERS];
    pthread_t rt[READERS];
    for (int i = 0; i < READERS; i++) {
        ra[i] = (struct reader_arg){.cfg = &cfg};
        pthread_create(&rt[i], NULL, reader, &ra[i]);
    }
    for (int i = 0; i < READERS; i++)
        pthread_join(rt[i], NULL);
    int together = atomic_load(&cfg.readers_inside);
    printf("  %d readers called config_get and all held the read lock at the same time "
           "(%d were inside together); each saw version %ld.\n",
           READERS, together, ra[0].seen);
    if (together < READERS) {
        printf("  FAILED: readers did not share the lock.\n");
        failed = 1;
    }
    config_set(&cfg, 2);
    atomic_store(&cfg.readers_inside, 0);
    long after = config_get(&cfg, 1);
    printf("  A writer called config_set(&cfg, 2) alone; the next reader sees version %ld.\n",
           after);
    if (after != 2)
        failed = 1;

    pthread_t wt;
    for (int i = 0; i < READERS; i++) {
        ra[i] = (struct reader_arg){.cfg = &cfg};
        pthread_create(&rt[i], NULL, busy_reader, &ra[i]);
    }
    pthread_create(&wt, NULL, writer, &cfg);
    long backwards = 0;
    for (int i = 0; i < READERS; i++) {
        pthread_join(rt[i], NULL);
        backwards += ra[i].backwards;
    }
    pthread_join(wt, NULL);
    printf("  Then %d readers read %d times each while one writer set versions 3..%d; a "
           "reader saw the version go backwards %ld times (expected 0); the final version is "
           "%ld.\n",
           READERS, READS, 2 + WRITES, backwards, config_get(&cfg, 0));
    if (backwards != 0 || config_get(&cfg, 0) != 2 + WRITES)
        failed = 1;

    printf("\n%s\n", failed ? "Something above did not behave as described."
                            : "Callers never touch the locks: the struct keeps its own rules.");
    return failed;
}
