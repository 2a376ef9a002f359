/* SPDX-License-Identifier: MIT */
/* Helpers shared by libgoc's tests: thread start/join, clocks, a deterministic PRNG, sanitizer
 * scaling and bounded waits. The checks themselves (CHECK, CHECK_EQ, CHECK_STATUS, ...; count
 * and continue, main returns check_result) are check.h's, included here. */
#ifndef GOC_TESTUTIL_H
#define GOC_TESTUTIL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <goc/goc.h>

#include "check.h"

/* Start a thread or die. */
pthread_t test_spawn(void *(*fn)(void *), void *arg);
/* Join a thread or die; returns its result. */
void *test_join(pthread_t t);

/* Allocate (zeroed, for test_calloc) or die: a test that cannot get its scratch memory has
 * nothing to check. test_realloc(NULL, n) allocates. */
void *test_malloc(size_t n);
void *test_calloc(size_t n, size_t size);
void *test_realloc(void *p, size_t n);

/* Monotonic nanoseconds. */
int64_t test_now_ns(void);
/* Sleep for ns nanoseconds (used only to give another thread time to block; never to assert a
 * timing). */
void test_sleep_ns(int64_t ns);

/* xorshift64*: deterministic per seed. */
uint64_t test_rand(uint64_t *state);

/* Sanitizer builds run much slower: tests scale their iteration counts with TEST_SCALE.
 * TEST_TSAN / TEST_ASAN are 1 under ThreadSanitizer / AddressSanitizer, 0 otherwise. */
#if defined(__SANITIZE_THREAD__)
#define TEST_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TEST_TSAN 1
#endif
#endif
#ifndef TEST_TSAN
#define TEST_TSAN 0
#endif
#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif
#ifndef TEST_ASAN
#define TEST_ASAN 0
#endif

/* n in a plain build, n / div under TSan or ASan (at least 1). */
#define TEST_SCALE(n, div) ((TEST_TSAN || TEST_ASAN) ? ((n) / (div) > 0 ? (n) / (div) : 1) : (n))

#include <stdatomic.h>

/* Wait (yielding) until *flag is non-zero; acquire, pairs with the release store of the
 * thread that sets it. Used to know that a thread has started before checking it blocks. */
void test_wait_flag(atomic_int *flag);

/* Wait (yielding) until cond holds, or fail the test after 30 s. For conditions a correct
 * libgoc reaches in microseconds (a thread has queued, a flag is set): the bound only turns a
 * hang into a failure, it asserts no timing. */
#define TEST_WAIT_UNTIL(cond)                                                                      \
    do {                                                                                           \
        int64_t test_wait_t0_ = test_now_ns();                                                     \
        while (!(cond)) {                                                                          \
            if (test_now_ns() - test_wait_t0_ > (int64_t)30 * 1000 * 1000 * 1000) {                \
                fprintf(stderr, "%s:%d: gave up waiting for %s\n", __FILE__, __LINE__, #cond);     \
                exit(1);                                                                           \
            }                                                                                      \
            test_yield();                                                                          \
        }                                                                                          \
    } while (0)

/* Give up the CPU once (sched_yield). */
void test_yield(void);

/* White-box views of a goc_rwmutex (rwmutex.c's fields): the read locks counted in its slots
 * (readers inside plus readers queued behind a writer), whether a writer holds the lock or
 * waits for it, and how many readers are queued behind that writer. Read field by field: for
 * waiting until a state shows, or checking a lock no thread is changing. */
static inline long
test_rw_counted(goc_rwmutex *rw) {
    uint32_t sum = 0; /* modulo 2^32, as rwmutex.c sums them */
    for (int i = 0; i < GOC_RWMUTEX_SLOTS; i++)
        sum += (uint32_t)atomic_load(&rw->goc_private_slot[i].goc_private_n);
    return (int32_t)sum;
}
static inline bool
test_rw_writer(goc_rwmutex *rw) {
    return atomic_load(&rw->goc_private_state) >> 31;
}
static inline long
test_rw_queued(goc_rwmutex *rw) {
    return atomic_load(&rw->goc_private_state) & 0xffff;
}

#endif
