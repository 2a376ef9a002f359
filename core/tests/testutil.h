/* SPDX-License-Identifier: MIT */
/* Helpers shared by libgoc's tests: checks that report file:line and exit non-zero, thread
 * start/join, and a deterministic PRNG. */
#ifndef GOC_TESTUTIL_H
#define GOC_TESTUTIL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <goc/goc.h>

/* Fail the test (exit 1) with a message unless cond holds. */
#define CHECK(cond)                                                                               \
    do {                                                                                          \
        if (!(cond)) {                                                                            \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);              \
            exit(1);                                                                              \
        }                                                                                         \
    } while (0)

/* Compare two integer expressions, printing both values on failure. */
#define CHECK_EQ(a, b)                                                                            \
    do {                                                                                          \
        long long check_a_ = (long long)(a), check_b_ = (long long)(b);                           \
        if (check_a_ != check_b_) {                                                               \
            fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %s (%lld != %lld)\n", __FILE__,        \
                    __LINE__, #a, #b, check_a_, check_b_);                                        \
            exit(1);                                                                              \
        }                                                                                         \
    } while (0)

/* A libgoc call that must return status want; prints goc_strstatus of both otherwise. */
#define CHECK_STATUS(call, want)                                                                  \
    do {                                                                                          \
        int check_rc_ = (call), check_want_ = (want);                                             \
        if (check_rc_ != check_want_) {                                                           \
            fprintf(stderr, "%s:%d: %s returned %d (%s), want %d (%s)\n", __FILE__, __LINE__,     \
                    #call, check_rc_, goc_strstatus(check_rc_), check_want_,                      \
                    goc_strstatus(check_want_));                                                  \
            exit(1);                                                                              \
        }                                                                                         \
    } while (0)

/* Start a thread or die. */
pthread_t test_spawn(void *(*fn)(void *), void *arg);
/* Join a thread or die; returns its result. */
void *test_join(pthread_t t);

/* Monotonic nanoseconds. */
int64_t test_now_ns(void);
/* Sleep for ns nanoseconds (used only to give another thread time to block; never to assert a
 * timing). */
void test_sleep_ns(int64_t ns);

/* xorshift64*: deterministic per seed. */
uint64_t test_rand(uint64_t *state);

#endif
