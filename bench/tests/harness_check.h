/* SPDX-License-Identifier: MIT */
/* Checks shared by the harness's own tests (stats, hist, cli, registry, measure, interrupt):
 * failures are counted and reported with file:line, and main returns non-zero. */
#ifndef BENCH_HARNESS_CHECK_H
#define BENCH_HARNESS_CHECK_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int check_failures;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
            check_failures++;                                                                      \
        }                                                                                          \
    } while (0)

#define CHECK_NEAR(got, want, tol)                                                                 \
    do {                                                                                           \
        double g_ = (got), w_ = (want);                                                            \
        if (!(fabs(g_ - w_) <= (tol))) {                                                           \
            fprintf(stderr, "%s:%d: %s is %.10g, want %.10g (+-%g)\n", __FILE__, __LINE__, #got,   \
                    g_, w_, (double)(tol));                                                        \
            check_failures++;                                                                      \
        }                                                                                          \
    } while (0)

#define CHECK_STR(got, want)                                                                       \
    do {                                                                                           \
        const char *g_ = (got), *w_ = (want);                                                      \
        if (g_ == NULL || strcmp(g_, w_) != 0) {                                                   \
            fprintf(stderr, "%s:%d: %s is '%s', want '%s'\n", __FILE__, __LINE__, #got,            \
                    g_ ? g_ : "(null)", w_);                                                       \
            check_failures++;                                                                      \
        }                                                                                          \
    } while (0)

static inline int
check_result(const char *test) {
    if (check_failures)
        fprintf(stderr, "%s: %d check(s) failed\n", test, check_failures);
    else
        printf("%s: ok\n", test);
    return check_failures ? 1 : 0;
}

#endif
