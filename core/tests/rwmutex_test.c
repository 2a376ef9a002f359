/* SPDX-License-Identifier: MIT */
/* Unit tests for goc_rwmutex: zero value, readers sharing, writer exclusion, writer
 * preference shown with an ordering log, readers queued during a write entering together,
 * read locks released on another CPU or by another thread, and a small hammer. The
 * oversubscribed hammer is in stress/rwmutex_stress.c; unlocking what is not locked (misuse:
 * an abort with assertions) is in misuse_test.c. */
#define _GNU_SOURCE /* pthread_setaffinity_np, CPU_SET */
#include "testutil.h"

#include <sched.h>

#define MS ((int64_t)1000 * 1000)

/* White-box (testutil.h): the read locks counted, the writer bit, the readers queued. */
#define IDLE(rw) (test_rw_counted(rw) == 0 && !test_rw_writer(rw) && test_rw_queued(rw) == 0)

static void
test_zero_value(void) {
    goc_rwmutex zero;
    memset(&zero, 0, sizeof zero);
    goc_rwmutex init = GOC_RWMUTEX_INIT;
    goc_rwmutex *rws[] = {&zero, &init};
    for (int i = 0; i < 2; i++) {
        goc_rwmutex *rw = rws[i];
        goc_rwmutex_rlock(rw);
        goc_rwmutex_rlock(rw); /* two read locks at once, no writer waiting */
        CHECK_EQ(test_rw_counted(rw), 2);
        CHECK(!test_rw_writer(rw));
        CHECK_STATUS(goc_rwmutex_runlock(rw), GOC_OK);
        CHECK_STATUS(goc_rwmutex_runlock(rw), GOC_OK);
        goc_rwmutex_lock(rw);
        CHECK(test_rw_writer(rw));
        CHECK_EQ(test_rw_counted(rw), 0);
        CHECK_STATUS(goc_rwmutex_unlock(rw), GOC_OK);
        CHECK(IDLE(rw));
    }
    goc_rwmutex_rlock(NULL);
    CHECK_STATUS(goc_rwmutex_runlock(NULL), GOC_EINVAL);
    goc_rwmutex_lock(NULL);
    CHECK_STATUS(goc_rwmutex_unlock(NULL), GOC_EINVAL);
}

/* An ordering log shared by the threads of one test. */
struct order {
    goc_rwmutex rw;
    goc_mutex log_lock;
    char log[16];
    int nlog;
    atomic_int started;
    atomic_int in_readers; /* readers inside right now */
    int want_together;     /* readers that must be inside at the same time */
};

static void
order_log(struct order *o, char who) {
    goc_mutex_lock(&o->log_lock);
    o->log[o->nlog++] = who;
    CHECK_STATUS(goc_mutex_unlock(&o->log_lock), GOC_OK);
}

static int
order_len(struct order *o) {
    goc_mutex_lock(&o->log_lock);
    int n = o->nlog;
    CHECK_STATUS(goc_mutex_unlock(&o->log_lock), GOC_OK);
    return n;
}

static void *
writer_thread(void *arg) {
    struct order *o = arg;
    atomic_store_explicit(&o->started, 1, memory_order_release);
    goc_rwmutex_lock(&o->rw);
    order_log(o, 'W');
    CHECK_STATUS(goc_rwmutex_unlock(&o->rw), GOC_OK);
    return NULL;
}

static void *
reader_thread(void *arg) {
    struct order *o = arg;
    goc_rwmutex_rlock(&o->rw);
    order_log(o, 'R');
    /* Stay inside until want_together readers are in at once: proves they share the lock. */
    atomic_fetch_add_explicit(&o->in_readers, 1, memory_order_relaxed);
    TEST_WAIT_UNTIL(atomic_load_explicit(&o->in_readers, memory_order_relaxed) >= o->want_together);
    CHECK_STATUS(goc_rwmutex_runlock(&o->rw), GOC_OK);
    return NULL;
}

/* Readers share: while one reader holds the lock another gets it (each waits inside for the
 * other, so exclusive readers would never finish). */
static void
test_readers_share(void) {
    static struct order o;
    memset(&o, 0, sizeof o);
    o.want_together = 3;
    pthread_t t[3];
    for (int i = 0; i < 3; i++)
        t[i] = test_spawn(reader_thread, &o);
    for (int i = 0; i < 3; i++)
        test_join(t[i]);
    CHECK_EQ(o.nlog, 3);
    CHECK(IDLE(&o.rw));
}

/* A writer waits for a reader to leave, and readers wait for a writer. */
static void
test_writer_excludes(void) {
    static struct order o;
    memset(&o, 0, sizeof o);
    o.want_together = 1;
    goc_rwmutex_rlock(&o.rw);
    pthread_t w = test_spawn(writer_thread, &o);
    test_wait_flag(&o.started);
    test_sleep_ns(20 * MS); /* time to block; a correct lock never lets the writer in here */
    CHECK_EQ(order_len(&o), 0);
    CHECK_STATUS(goc_rwmutex_runlock(&o.rw), GOC_OK);
    test_join(w);
    CHECK_EQ(o.nlog, 1);

    goc_rwmutex_lock(&o.rw);
    pthread_t r = test_spawn(reader_thread, &o);
    TEST_WAIT_UNTIL(test_rw_queued(&o.rw) == 1); /* it arrived and queued */
    test_sleep_ns(20 * MS);
    CHECK_EQ(order_len(&o), 1);
    CHECK_STATUS(goc_rwmutex_unlock(&o.rw), GOC_OK);
    test_join(r);
    CHECK_EQ(o.nlog, 2);
    CHECK_EQ(o.log[1], 'R');
}

/* Writer preference: main holds a read lock; a writer W starts waiting; a new reader R2 then
 * asks for a read lock. R2 must not get it while W waits, even though only readers hold the
 * lock: the log must read main's release, W, R2. */
static void
test_writer_preference(void) {
    static struct order o;
    memset(&o, 0, sizeof o);
    o.want_together = 1;
    goc_rwmutex_rlock(&o.rw);
    pthread_t w = test_spawn(writer_thread, &o);
    /* W has announced itself. */
    TEST_WAIT_UNTIL(test_rw_writer(&o.rw));
    pthread_t r2 = test_spawn(reader_thread, &o);
    /* R2 has arrived and queued behind W. */
    TEST_WAIT_UNTIL(test_rw_queued(&o.rw) == 1);
    CHECK_EQ(test_rw_counted(&o.rw), 2); /* main's read lock and R2's */
    test_sleep_ns(20 * MS);              /* time for a wrongly admitted R2 to log */
    CHECK_EQ(order_len(&o), 0);
    order_log(&o, 'M');
    CHECK_STATUS(goc_rwmutex_runlock(&o.rw), GOC_OK);
    test_join(w);
    test_join(r2);
    CHECK_EQ(o.nlog, 3);
    CHECK_EQ(o.log[0], 'M');
    CHECK_EQ(o.log[1], 'W');
    CHECK_EQ(o.log[2], 'R');
    CHECK(IDLE(&o.rw));
}

/* Readers that queued during a write all enter together when it ends (one unlock releases
 * them all; each waits inside until all are in). */
static void
test_queued_readers_enter_together(void) {
    static struct order o;
    memset(&o, 0, sizeof o);
    o.want_together = 4;
    goc_rwmutex_lock(&o.rw);
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        t[i] = test_spawn(reader_thread, &o);
    TEST_WAIT_UNTIL(test_rw_queued(&o.rw) == 4);
    CHECK_EQ(order_len(&o), 0);
    CHECK_STATUS(goc_rwmutex_unlock(&o.rw), GOC_OK);
    for (int i = 0; i < 4; i++)
        test_join(t[i]);
    CHECK_EQ(o.nlog, 4);
    CHECK(IDLE(&o.rw));
}

/* Hammer: 2 writers keep a == b (plain fields) and count writes, 2 readers check a == b and
 * that no writer is inside. */
struct hammer {
    goc_rwmutex rw;
    long a, b; /* protected by rw; plain, so TSan checks the exclusion */
    atomic_int writer_inside, readers_inside;
    long iters;
};

static void *
hammer_writer(void *arg) {
    struct hammer *h = arg;
    for (long i = 0; i < h->iters; i++) {
        goc_rwmutex_lock(&h->rw);
        /* relaxed: only the values matter. */
        CHECK_EQ(atomic_exchange_explicit(&h->writer_inside, 1, memory_order_relaxed), 0);
        CHECK_EQ(atomic_load_explicit(&h->readers_inside, memory_order_relaxed), 0);
        h->a++;
        h->b++;
        atomic_store_explicit(&h->writer_inside, 0, memory_order_relaxed);
        CHECK_STATUS(goc_rwmutex_unlock(&h->rw), GOC_OK);
    }
    return NULL;
}

static void *
hammer_reader(void *arg) {
    struct hammer *h = arg;
    for (long i = 0; i < 10 * h->iters; i++) {
        goc_rwmutex_rlock(&h->rw);
        atomic_fetch_add_explicit(&h->readers_inside, 1, memory_order_relaxed);
        CHECK_EQ(atomic_load_explicit(&h->writer_inside, memory_order_relaxed), 0);
        CHECK_EQ(h->a, h->b);
        atomic_fetch_sub_explicit(&h->readers_inside, 1, memory_order_relaxed);
        CHECK_STATUS(goc_rwmutex_runlock(&h->rw), GOC_OK);
    }
    return NULL;
}

static void
test_hammer(void) {
    static struct hammer h;
    h.iters = TEST_SCALE(20000, 4);
    pthread_t t[4];
    t[0] = test_spawn(hammer_writer, &h);
    t[1] = test_spawn(hammer_reader, &h);
    t[2] = test_spawn(hammer_writer, &h);
    t[3] = test_spawn(hammer_reader, &h);
    for (int i = 0; i < 4; i++)
        test_join(t[i]);
    CHECK_EQ(h.a, 2 * h.iters);
    CHECK_EQ(h.b, 2 * h.iters);
    CHECK(IDLE(&h.rw));
}

/* Run the calling thread on cpu only (-1: on every CPU in all). */
static void
pin_to(int cpu, const cpu_set_t *all) {
    cpu_set_t set;
    if (cpu < 0) {
        set = *all;
    } else {
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
    }
    CHECK_EQ(pthread_setaffinity_np(pthread_self(), sizeof set, &set), 0);
}

struct elsewhere {
    goc_rwmutex rw;
    atomic_int written;
};

static void *
elsewhere_writer(void *arg) {
    struct elsewhere *e = arg;
    goc_rwmutex_lock(&e->rw);
    atomic_store(&e->written, 1);
    CHECK_STATUS(goc_rwmutex_unlock(&e->rw), GOC_OK);
    return NULL;
}

static void *
elsewhere_release(void *arg) {
    struct elsewhere *e = arg;
    CHECK_STATUS(goc_rwmutex_runlock(&e->rw), GOC_OK);
    return NULL;
}

/* Read locks released on another CPU, or by another thread, than the one that took them: the
 * reader slots (one per CPU, rwmutex.c) then disagree, one high and one negative. runlock must
 * not take that for misuse, and a writer must wait for such a reader and then get in. */
static void
test_release_elsewhere(void) {
    static struct elsewhere e;
    memset(&e, 0, sizeof e);
    /* Two CPUs we may run on whose slots differ. */
    cpu_set_t all;
    CHECK_EQ(sched_getaffinity(0, sizeof all, &all), 0);
    int c0 = -1, c1 = -1;
    for (int c = 0; c < CPU_SETSIZE && c1 < 0; c++) {
        if (!CPU_ISSET(c, &all))
            continue;
        if (c0 < 0)
            c0 = c;
        else if (c % GOC_RWMUTEX_SLOTS != c0 % GOC_RWMUTEX_SLOTS)
            c1 = c;
    }
    if (c1 >= 0) {
        pin_to(c0, &all);
        for (int i = 0; i < 3; i++)
            goc_rwmutex_rlock(&e.rw);
        pin_to(c1, &all);
        for (int i = 0; i < 3; i++)
            CHECK_STATUS(goc_rwmutex_runlock(&e.rw), GOC_OK);
        CHECK(IDLE(&e.rw));

        /* A writer waits for a read lock taken on c0 until it is released on c1. */
        pin_to(c0, &all);
        goc_rwmutex_rlock(&e.rw);
        pthread_t w = test_spawn(elsewhere_writer, &e);
        TEST_WAIT_UNTIL(test_rw_writer(&e.rw));
        test_sleep_ns(20 * MS); /* time for a wrongly admitted writer to write */
        CHECK_EQ(atomic_load(&e.written), 0);
        pin_to(c1, &all);
        CHECK_STATUS(goc_rwmutex_runlock(&e.rw), GOC_OK);
        test_join(w);
        CHECK_EQ(atomic_load(&e.written), 1);
        pin_to(-1, &all);
    } else {
        printf("rwmutex_test: one reader slot among the CPUs allowed; no release on another CPU\n");
    }
    /* Released by another thread. */
    goc_rwmutex_rlock(&e.rw);
    test_join(test_spawn(elsewhere_release, &e));
    CHECK(IDLE(&e.rw));
    goc_rwmutex_lock(&e.rw);
    CHECK_STATUS(goc_rwmutex_unlock(&e.rw), GOC_OK);
    CHECK(IDLE(&e.rw));
}

int
main(void) {
    test_zero_value();
    test_readers_share();
    test_writer_excludes();
    test_writer_preference();
    test_queued_readers_enter_together();
    test_release_elsewhere();
    test_hammer();
    return check_result("rwmutex_test");
}
