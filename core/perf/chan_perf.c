/* SPDX-License-Identifier: MIT */
/* Quick channel timings for libgoc alone: ns per message of single-producer single-consumer
 * transfer of 8-byte elements (buffered, capacity 1024, and unbuffered) and the round trip of an
 * unbuffered ping-pong. Threads are pinned to CPUs 0 and 1; each figure is the median of 5 runs
 * of at least 0.2 s. The full, comparative measurements are chanbench's (bench/). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <goc/goc.h>

#define RUNS 5
#define MIN_RUN_NS ((int64_t)200 * 1000 * 1000)

static int64_t
now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
die(const char *what, int err) {
    fprintf(stderr, "chan_perf: %s: %s\n", what, strerror(err));
    exit(1);
}

/* Pin the calling thread to one CPU. */
static void
pin_self(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    int rc = pthread_setaffinity_np(pthread_self(), sizeof set, &set);
    if (rc != 0)
        die("pthread_setaffinity_np", rc);
}

/* One timed run: two threads, pinned to cpu[0] (side 0) and cpu[1] (side 1), start together at
 * a barrier; side 1 measures from the barrier to its last operation. */
struct run {
    goc_chan *a, *b; /* spsc: a only; ping-pong: a = ping, b = pong */
    int64_t iters;
    int cpu[2];
    pthread_barrier_t start;
    int64_t elapsed_ns;
    uint64_t checksum;
};

enum kind { SPSC, PINGPONG };

struct side {
    struct run *r;
    enum kind kind;
    int which;
};

static void
check_ok(int rc, const char *what) {
    if (rc != GOC_OK) {
        fprintf(stderr, "chan_perf: %s: %s\n", what, goc_strstatus(rc));
        exit(1);
    }
}

static void *
side_thread(void *arg) {
    struct side *sd = arg;
    struct run *r = sd->r;
    pin_self(r->cpu[sd->which]);
    pthread_barrier_wait(&r->start);
    int64_t t0 = now_ns();
    uint64_t sum = 0;
    if (sd->kind == SPSC) {
        if (sd->which == 0) {
            for (uint64_t i = 0; i < (uint64_t)r->iters; i++)
                check_ok(goc_chan_send(r->a, &i), "send");
        } else {
            for (int64_t i = 0; i < r->iters; i++) {
                uint64_t v;
                check_ok(goc_chan_recv(r->a, &v), "recv");
                sum += v;
            }
        }
    } else {
        if (sd->which == 0) {
            for (uint64_t i = 0; i < (uint64_t)r->iters; i++) {
                uint64_t v;
                check_ok(goc_chan_send(r->a, &i), "ping");
                check_ok(goc_chan_recv(r->b, &v), "pong");
                sum += v;
            }
        } else {
            for (int64_t i = 0; i < r->iters; i++) {
                uint64_t v;
                check_ok(goc_chan_recv(r->a, &v), "ping");
                check_ok(goc_chan_send(r->b, &v), "pong");
            }
        }
    }
    if (sd->which == (sd->kind == SPSC ? 1 : 0)) {
        r->elapsed_ns = now_ns() - t0;
        r->checksum = sum;
    }
    return NULL;
}

/* Run iters messages (or round trips); returns the elapsed ns. */
static int64_t
run_once(enum kind kind, size_t cap, int64_t iters, const int cpu[2]) {
    struct run r = {.iters = iters, .cpu = {cpu[0], cpu[1]}};
    r.a = goc_chan_make(sizeof(uint64_t), cap);
    r.b = kind == PINGPONG ? goc_chan_make(sizeof(uint64_t), 0) : NULL;
    if (r.a == NULL || (kind == PINGPONG && r.b == NULL))
        die("goc_chan_make", errno);
    int rc = pthread_barrier_init(&r.start, NULL, 2);
    if (rc != 0)
        die("pthread_barrier_init", rc);
    struct side sides[2] = {{&r, kind, 0}, {&r, kind, 1}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++) {
        rc = pthread_create(&t[i], NULL, side_thread, &sides[i]);
        if (rc != 0)
            die("pthread_create", rc);
    }
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&r.start);
    uint64_t n = (uint64_t)iters;
    if (r.checksum != n * (n - 1) / 2) {
        fprintf(stderr, "chan_perf: checksum mismatch: values lost or corrupted\n");
        exit(1);
    }
    goc_chan_free(r.a);
    goc_chan_free(r.b);
    return r.elapsed_ns;
}

static int
cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

struct result {
    double median, min, max;
    int64_t iters;
};

/* Calibrate the iteration count to a run of at least MIN_RUN_NS (this also warms up), then
 * take RUNS runs, redoing any that came in under MIN_RUN_NS with more iterations. */
static struct result
measure(enum kind kind, size_t cap, const int cpu[2]) {
    int64_t iters = 1000, ns;
    while ((ns = run_once(kind, cap, iters, cpu)) < MIN_RUN_NS) {
        double scale = ns > 0 ? 1.3 * (double)MIN_RUN_NS / (double)ns : 10;
        iters = (int64_t)((double)iters * (scale < 10 ? (scale > 1.5 ? scale : 1.5) : 10));
    }
    double per[RUNS];
    for (int i = 0; i < RUNS; i++) {
        while ((ns = run_once(kind, cap, iters, cpu)) < MIN_RUN_NS)
            iters = iters * 3 / 2;
        per[i] = (double)ns / (double)iters;
    }
    qsort(per, RUNS, sizeof per[0], cmp_double);
    struct result res = {per[RUNS / 2], per[0], per[RUNS - 1], iters};
    return res;
}

int
main(void) {
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0)
        die("sched_getaffinity", errno);
    int cpu[2] = {0, 1};
    if (!CPU_ISSET(0, &allowed) || !CPU_ISSET(1, &allowed)) {
        fprintf(stderr, "chan_perf: CPUs 0 and 1 must both be available\n");
        return 1;
    }

    static const struct {
        const char *name;
        enum kind kind;
        size_t cap;
        const char *unit;
    } benches[] = {
        {"spsc buffered cap=1024", SPSC, 1024, "ns/msg"},
        {"spsc unbuffered", SPSC, 0, "ns/msg"},
        {"ping-pong unbuffered", PINGPONG, 0, "ns/round trip"},
    };
    printf("chan_perf: libgoc %d.%d.%d, 8-byte elements, threads pinned to CPUs %d and %d,\n"
           "median of %d runs of >= %.1f s each\n\n",
           GOC_VERSION_MAJOR, GOC_VERSION_MINOR, GOC_VERSION_PATCH, cpu[0], cpu[1], RUNS,
           (double)MIN_RUN_NS / 1e9);
    printf("%-24s %10s %10s %10s %12s  %s\n", "benchmark", "median", "min", "max", "iters/run",
           "unit");
    for (size_t i = 0; i < sizeof benches / sizeof benches[0]; i++) {
        struct result r = measure(benches[i].kind, benches[i].cap, cpu);
        printf("%-24s %10.1f %10.1f %10.1f %12lld  %s\n", benches[i].name, r.median, r.min, r.max,
               (long long)r.iters, benches[i].unit);
        fflush(stdout);
    }
    return 0;
}
