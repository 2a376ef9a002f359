/* SPDX-License-Identifier: MIT */
/* Statistics of repetitions on known inputs: median (odd and even counts), mean, min, max,
 * sample standard deviation, coefficient of variation. */
#include "stats.h"

#include "check.h"

int
main(void) {
    struct stats s;

    /* 2, 4, 4, 4, 5, 5, 7, 9: mean 5, population sd 2, sample sd sqrt(32/7). */
    const double a[] = {9, 4, 2, 5, 4, 7, 4, 5};
    stats_compute(a, 8, &s);
    CHECK(s.n == 8);
    CHECK_NEAR(s.mean, 5, 1e-12);
    CHECK_NEAR(s.median, 4.5, 1e-12);
    CHECK_NEAR(s.min, 2, 0);
    CHECK_NEAR(s.max, 9, 0);
    CHECK_NEAR(s.stddev, sqrt(32.0 / 7.0), 1e-12);
    CHECK_NEAR(s.cv, sqrt(32.0 / 7.0) / 5, 1e-12);
    CHECK_NEAR(a[0], 9, 0); /* input untouched */

    const double b[] = {3, 1, 2};
    stats_compute(b, 3, &s);
    CHECK_NEAR(s.median, 2, 0);
    CHECK_NEAR(s.mean, 2, 1e-12);
    CHECK_NEAR(s.stddev, 1, 1e-12);
    CHECK_NEAR(s.cv, 0.5, 1e-12);

    const double one[] = {42};
    stats_compute(one, 1, &s);
    CHECK_NEAR(s.median, 42, 0);
    CHECK_NEAR(s.stddev, 0, 0);
    CHECK_NEAR(s.cv, 0, 0);

    const double zeros[] = {0, 0, 0, 0};
    stats_compute(zeros, 4, &s);
    CHECK_NEAR(s.cv, 0, 0);

    stats_compute(NULL, 0, &s);
    CHECK(s.n == 0 && s.mean == 0 && s.median == 0);

    /* More values than the on-stack copy holds: 1..101, median 51, mean 51. */
    double many[101];
    for (int i = 0; i < 101; i++)
        many[i] = 101 - i;
    stats_compute(many, 101, &s);
    CHECK_NEAR(s.median, 51, 0);
    CHECK_NEAR(s.mean, 51, 1e-12);
    CHECK_NEAR(s.min, 1, 0);
    CHECK_NEAR(s.max, 101, 0);
    /* Sample variance of 1..n is n(n+1)/12. */
    CHECK_NEAR(s.stddev, sqrt(101.0 * 102.0 / 12.0), 1e-9);

    return check_result("stats_test");
}
