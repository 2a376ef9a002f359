/* SPDX-License-Identifier: MIT */
/* Helpers shared by libgoc's tests; see testutil.h. */
#include "testutil.h"

#include <errno.h>
#include <time.h>

pthread_t
test_spawn(void *(*fn)(void *), void *arg) {
    pthread_t t;
    int rc = pthread_create(&t, NULL, fn, arg);
    if (rc != 0) {
        fprintf(stderr, "pthread_create: %s\n", strerror(rc));
        exit(1);
    }
    return t;
}

void *
test_join(pthread_t t) {
    void *res = NULL;
    int rc = pthread_join(t, &res);
    if (rc != 0) {
        fprintf(stderr, "pthread_join: %s\n", strerror(rc));
        exit(1);
    }
    return res;
}

static void *
alloc_or_die(void *p, size_t n) {
    if (p == NULL && n != 0) {
        fprintf(stderr, "out of memory allocating %zu bytes\n", n);
        exit(1);
    }
    return p;
}

void *
test_malloc(size_t n) {
    return alloc_or_die(malloc(n), n);
}

void *
test_calloc(size_t n, size_t size) {
    return alloc_or_die(calloc(n, size), n * size);
}

void *
test_realloc(void *p, size_t n) {
    return alloc_or_die(realloc(p, n), n);
}

int64_t
test_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void
test_sleep_ns(int64_t ns) {
    struct timespec ts = {.tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

uint64_t
test_rand(uint64_t *state) {
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

#include <sched.h>

void
test_wait_flag(atomic_int *flag) {
    while (atomic_load_explicit(flag, memory_order_acquire) == 0)
        sched_yield();
}

void
test_yield(void) {
    sched_yield();
}
