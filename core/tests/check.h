/* SPDX-License-Identifier: MIT */
/* The one set of checks for libgoc's tests (core/tests) and chanbench's (bench/tests).
 *
 * A failed check prints file:line and what was wrong to stderr, counts the failure, and lets
 * the test go on; main ends with `return check_result("name");`, which reports the count and
 * gives the exit status. Every check is also an expression that is true when it passed, so
 * code that must not run after a failure says so where it is:
 *     if (!CHECK(rc >= 0 && rc < n))
 *         continue;              (or break, or return)
 *     CHECK_OR_RETURN(p != NULL);          (return from the function; a value may follow:
 *     CHECK_OR_RETURN(p != NULL, NULL);     the thread function's result)
 *
 * The failure count is atomic: checks may run on any thread of a test. Header-only;
 * CHECK_STATUS needs libgoc (goc_strstatus), the others nothing. */
#ifndef GOC_TESTS_CHECK_H
#define GOC_TESTS_CHECK_H

#include <math.h> /* not used here: for the callers of CHECK_NEAR (sqrt, NAN, ...) */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <goc/status.h>

/* Checks failed so far in this test program. */
static atomic_int check_failures;

/* cond must hold. */
#define CHECK(cond) check_true_((cond) != 0, __FILE__, __LINE__, #cond)

/* cond must hold; if it does not, count the failure and return from the calling function
 * (with the value given after cond, if any). */
#define CHECK_OR_RETURN(cond, ...)                                                                 \
    do {                                                                                           \
        if (!check_true_((cond) != 0, __FILE__, __LINE__, #cond))                                  \
            return __VA_ARGS__;                                                                    \
    } while (0)

/* cond must hold, or nothing after it makes sense (a file that did not load, a NULL result):
 * if it does not, report and end the test program with status 1 at once. */
#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!check_true_((cond) != 0, __FILE__, __LINE__, #cond))                                  \
            exit(1);                                                                               \
    } while (0)

/* Two integer expressions must be equal; prints both values otherwise. */
#define CHECK_EQ(a, b) check_eq_((long long)(a), (long long)(b), __FILE__, __LINE__, #a, #b)

/* A floating-point value within tol of want. */
#define CHECK_NEAR(got, want, tol)                                                                 \
    check_near_((double)(got), (double)(want), (double)(tol), __FILE__, __LINE__, #got)

/* A string equal to want (got may be NULL, which fails). */
#define CHECK_STR(got, want) check_str_((got), (want), __FILE__, __LINE__, #got)

/* A libgoc call that must return status want; prints goc_strstatus of both otherwise. */
#define CHECK_STATUS(call, want) check_status_((call), (want), __FILE__, __LINE__, #call)

/* The end of main: report and return the exit status (0 when every check passed). */
static inline int
check_result(const char *test) {
    int failures = atomic_load(&check_failures);
    if (failures)
        fprintf(stderr, "%s: %d check(s) failed\n", test, failures);
    else
        printf("%s: ok\n", test);
    return failures ? 1 : 0;
}

/* ---- What the macros call ---------------------------------------------------------------- */

static inline bool
check_true_(bool ok, const char *file, int line, const char *cond) {
    if (!ok) {
        fprintf(stderr, "%s:%d: CHECK failed: %s\n", file, line, cond);
        atomic_fetch_add(&check_failures, 1);
    }
    return ok;
}

static inline bool
check_eq_(long long a, long long b, const char *file, int line, const char *as, const char *bs) {
    if (a != b) {
        fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %s (%lld != %lld)\n", file, line, as, bs, a,
                b);
        atomic_fetch_add(&check_failures, 1);
    }
    return a == b;
}

static inline bool
check_near_(double got, double want, double tol, const char *file, int line, const char *gots) {
    double d = got > want ? got - want : want - got;
    bool ok = d <= tol; /* false for NaN */
    if (!ok) {
        fprintf(stderr, "%s:%d: %s is %.10g, want %.10g (+-%g)\n", file, line, gots, got, want,
                tol);
        atomic_fetch_add(&check_failures, 1);
    }
    return ok;
}

static inline bool
check_str_(const char *got, const char *want, const char *file, int line, const char *gots) {
    bool ok = got != NULL && strcmp(got, want) == 0;
    if (!ok) {
        fprintf(stderr, "%s:%d: %s is '%s', want '%s'\n", file, line, gots, got ? got : "(null)",
                want);
        atomic_fetch_add(&check_failures, 1);
    }
    return ok;
}

static inline bool
check_status_(int rc, int want, const char *file, int line, const char *call) {
    if (rc != want) {
        fprintf(stderr, "%s:%d: %s returned %d (%s), want %d (%s)\n", file, line, call, rc,
                goc_strstatus(rc), want, goc_strstatus(want));
        atomic_fetch_add(&check_failures, 1);
    }
    return rc == want;
}

#endif
