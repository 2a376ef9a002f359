/* SPDX-License-Identifier: MIT */
/* Quick numbers for goc_mutex and goc_rwmutex against pthreads: uncontended lock+unlock, and
 * a 2-thread read-mostly rwlock loop (each thread: 99 rlock/runlock pairs, then one
 * lock/unlock), threads pinned to CPUs 0 and 1. Each figure is the median of 5 runs. Run it
 * from a release build; chanbench's lock scenarios are the full, comparative version. */
#define _GNU_SOURCE /* pthread_setaffinity_np, CPU_SET */
#include <goc/sync.h>

#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RUNS 5
#define UNCONTENDED_ITERS 20000000L
#define RW_ROUNDS 40000L /* per thread; each round is 100 lock/unlock pairs */
#define RW_READS 99      /* read lock/unlock pairs per write lock/unlock pair */

static int64_t
now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double
median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return v[n / 2];
}

static void
pin(pthread_t t, int cpu) {
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(ncpu > 0 ? cpu % (int)ncpu : 0, &set);
    int rc = pthread_setaffinity_np(t, sizeof set, &set);
    if (rc != 0)
        fprintf(stderr, "sync_perf: pthread_setaffinity_np(cpu %d): %s\n", cpu, strerror(rc));
}

/* ---- Uncontended lock+unlock ------------------------------------------------------------- */

static double
uncontended_goc(void) {
    static goc_mutex m;
    int64_t t0 = now_ns();
    for (long i = 0; i < UNCONTENDED_ITERS; i++) {
        goc_mutex_lock(&m);
        goc_mutex_unlock(&m);
    }
    return (double)(now_ns() - t0) / UNCONTENDED_ITERS;
}

static double
uncontended_pthread(void) {
    static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    int64_t t0 = now_ns();
    for (long i = 0; i < UNCONTENDED_ITERS; i++) {
        pthread_mutex_lock(&m);
        pthread_mutex_unlock(&m);
    }
    return (double)(now_ns() - t0) / UNCONTENDED_ITERS;
}

/* ---- 2-thread read-mostly rwlock --------------------------------------------------------- */

struct rw_ops {
    void *lock;
    void (*rlock)(void *), (*runlock)(void *), (*wlock)(void *), (*wunlock)(void *);
};

static void
goc_r(void *l) {
    goc_rwmutex_rlock(l);
}
static void
goc_ru(void *l) {
    goc_rwmutex_runlock(l);
}
static void
goc_w(void *l) {
    goc_rwmutex_lock(l);
}
static void
goc_wu(void *l) {
    goc_rwmutex_unlock(l);
}
static void
pt_r(void *l) {
    pthread_rwlock_rdlock(l);
}
static void
pt_ru(void *l) {
    pthread_rwlock_unlock(l);
}
static void
pt_w(void *l) {
    pthread_rwlock_wrlock(l);
}
static void
pt_wu(void *l) {
    pthread_rwlock_unlock(l);
}

struct rw_run {
    const struct rw_ops *ops;
    pthread_barrier_t start;
    int64_t t_end[2];
};

struct rw_arg {
    struct rw_run *run;
    int id;
};

static void *
rw_thread(void *arg) {
    struct rw_arg *a = arg;
    const struct rw_ops *o = a->run->ops;
    pthread_barrier_wait(&a->run->start);
    for (long r = 0; r < RW_ROUNDS; r++) {
        for (int i = 0; i < RW_READS; i++) {
            o->rlock(o->lock);
            o->runlock(o->lock);
        }
        o->wlock(o->lock);
        o->wunlock(o->lock);
    }
    a->run->t_end[a->id] = now_ns();
    return NULL;
}

/* Wall time from the start barrier to the last thread's end, per operation of one thread
 * (an operation is one lock/unlock or rlock/runlock pair). */
static double
rw_once(const struct rw_ops *ops) {
    struct rw_run run = {.ops = ops};
    pthread_barrier_init(&run.start, NULL, 3);
    struct rw_arg args[2] = {{&run, 0}, {&run, 1}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++) {
        pthread_create(&t[i], NULL, rw_thread, &args[i]);
        pin(t[i], i);
    }
    pthread_barrier_wait(&run.start);
    int64_t t0 = now_ns();
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&run.start);
    int64_t end = run.t_end[0] > run.t_end[1] ? run.t_end[0] : run.t_end[1];
    return (double)(end - t0) / (RW_ROUNDS * (RW_READS + 1));
}

int
main(void) {
    static goc_rwmutex grw;
    static pthread_rwlock_t prw = PTHREAD_RWLOCK_INITIALIZER;
    const struct rw_ops goc_ops = {&grw, goc_r, goc_ru, goc_w, goc_wu};
    const struct rw_ops pt_ops = {&prw, pt_r, pt_ru, pt_w, pt_wu};
    double g[RUNS], p[RUNS];

    pin(pthread_self(), 0);
    uncontended_goc(); /* warm up */
    uncontended_pthread();
    for (int i = 0; i < RUNS; i++) {
        g[i] = uncontended_goc();
        p[i] = uncontended_pthread();
    }
    printf("uncontended lock+unlock, 1 thread on cpu 0, median of %d x %ld:\n", RUNS,
           UNCONTENDED_ITERS);
    printf("  goc_mutex      %6.2f ns/op\n", median(g, RUNS));
    printf("  pthread_mutex  %6.2f ns/op\n", median(p, RUNS));

    rw_once(&goc_ops); /* warm up */
    rw_once(&pt_ops);
    for (int i = 0; i < RUNS; i++) {
        g[i] = rw_once(&goc_ops);
        p[i] = rw_once(&pt_ops);
    }
    printf("read-mostly rwlock, 2 threads on cpus 0 and 1, each %ld x (%d rlock/runlock + 1 "
           "lock/unlock),\nwall time per operation of one thread, median of %d:\n",
           RW_ROUNDS, RW_READS, RUNS);
    printf("  goc_rwmutex     %6.2f ns/op\n", median(g, RUNS));
    printf("  pthread_rwlock  %6.2f ns/op\n", median(p, RUNS));
    return 0;
}
