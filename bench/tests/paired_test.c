/* SPDX-License-Identifier: MIT */
/* Paired ratios (model/paired.c) on synthetic data: the per-round ratio cancels a machine
 * that changes between rounds; the median and its distribution-free interval (order
 * statistics of the binomial); too few rounds for an interval; an interval that holds 1;
 * rounds kept by a mask; outliers; two clusters of rounds, and unimodal samples that are not. */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "paired.h"

static void
check_machine_cancels(void) {
    /* Arm B is always 2x arm A, but the machine's speed jumps 6x between rounds: the paired
     * ratio is exactly 0.5 with a zero-width interval, while the arms' own medians say
     * little. */
    double a[20], b[20], r[20];
    for (int i = 0; i < 20; i++) {
        double machine = i % 3 == 0 ? 6 : 1;
        a[i] = 50 * machine;
        b[i] = 100 * machine;
    }
    size_t n = paired_ratios(a, b, NULL, 20, r);
    CHECK(n == 20);
    struct paired_stat st;
    paired_summarize(r, n, &st);
    CHECK(st.rounds == 20 && st.ci_ok && st.differs);
    CHECK_NEAR(st.ratio, 0.5, 1e-12);
    CHECK_NEAR(st.lo, 0.5, 1e-12);
    CHECK_NEAR(st.hi, 0.5, 1e-12);
    CHECK_NEAR(st.spread, 0, 1e-12);
    CHECK(st.outliers == 0);
}

static void
check_interval(void) {
    /* Ratios 0.91, 0.92, ..., 1.10 (20 rounds): median 1.005 (the geometric mean of the
     * middle two), and at 95 % the interval is [x(6), x(15)] (binomial(20, 1/2): P(6 <= B <=
     * 14) = 0.9586, the narrowest at or above 0.95) = [0.96, 1.05]: it holds 1. */
    double r[20];
    for (int i = 0; i < 20; i++)
        r[19 - i] = 0.91 + 0.01 * i; /* given in descending order: summarize sorts */
    struct paired_stat st;
    paired_summarize(r, 20, &st);
    CHECK(st.ci_ok && !st.differs);
    CHECK_NEAR(st.ratio, sqrt(1.00 * 1.01), 1e-12);
    CHECK_NEAR(st.lo, 0.96, 1e-12);
    CHECK_NEAR(st.hi, 1.05, 1e-12);
    CHECK_NEAR(r[0], 1.10, 1e-12); /* the input is left as it was */

    /* Five rounds: no 95 % interval; the range instead, and no verdict. */
    paired_summarize(r, 5, &st);
    CHECK(!st.ci_ok && !st.differs && st.rounds == 5);
    CHECK_NEAR(st.lo, 1.06, 1e-12);
    CHECK_NEAR(st.hi, 1.10, 1e-12);

    /* Nothing: NAN. */
    paired_summarize(r, 0, &st);
    CHECK(st.rounds == 0 && isnan(st.ratio) && !st.ci_ok);
}

static void
check_mask_and_gaps(void) {
    double a[6] = {10, 20, NAN, 40, 50, 60}, b[6] = {20, 20, 20, 0, 25, 30}, r[6];
    bool keep[6] = {true, true, true, true, false, true};
    /* Round 2 has no A, round 3 a zero B, round 4 is masked out. */
    CHECK(paired_ratios(a, b, keep, 6, r) == 3);
    CHECK_NEAR(r[0], 0.5, 0);
    CHECK_NEAR(r[1], 1, 0);
    CHECK_NEAR(r[2], 2, 0);
}

static void
check_outliers(void) {
    double r[30];
    for (int i = 0; i < 30; i++)
        r[i] = 1 + 0.001 * (i % 10);
    r[7] = 40; /* a round in which one arm was descheduled */
    struct paired_stat st;
    paired_summarize(r, 30, &st);
    CHECK(st.outliers == 1);
    CHECK(st.ratio < 1.01); /* the median does not move */
}

static void
check_two_clusters(void) {
    /* A peer that runs a whole chunk fast or slow: 18 rounds near 0.25, 12 near 0.45. */
    double r[30];
    for (int i = 0; i < 30; i++)
        r[i] = (i % 5 < 3 ? 0.25 : 0.45) * (1 + 0.02 * (i % 3 - 1));
    struct paired_stat st;
    paired_summarize(r, 30, &st);
    CHECK(st.bimodal);
    CHECK_NEAR(st.cluster[0], 0.25, 0.01);
    CHECK_NEAR(st.cluster[1], 0.45, 0.01);
    CHECK_NEAR(st.cluster_share, 0.4, 1e-12);
    /* The same with fewer than 12 rounds is too little to tell. */
    paired_summarize(r, 10, &st);
    CHECK(!st.bimodal);
}

static void
check_one_cluster(void) {
    struct paired_stat st;
    /* Unimodal: logistic quantiles around 1 (a bell with heavier tails than a normal). */
    double r[40];
    for (int i = 0; i < 40; i++) {
        double p = (i + 0.5) / 40;
        r[i] = exp2(0.05 * log(p / (1 - p)));
    }
    paired_summarize(r, 40, &st);
    CHECK(!st.bimodal);
    /* Flat: evenly spread from 0.8 to 1.25, a split of which has D of about 3.5. */
    for (int i = 0; i < 40; i++)
        r[i] = 0.8 * pow(1.25 / 0.8, i / 39.0);
    paired_summarize(r, 40, &st);
    CHECK(!st.bimodal);
    /* Two tight clusters, but only 1.1x apart: not a difference worth a warning. */
    for (int i = 0; i < 40; i++)
        r[i] = (i % 2 ? 1.05 : 0.955) * (1 + 0.001 * (i % 3));
    paired_summarize(r, 40, &st);
    CHECK(!st.bimodal);
    /* A few outlier rounds are outliers, not a cluster (under 20 % of the rounds). */
    for (int i = 0; i < 40; i++)
        r[i] = i < 5 ? 3.0 : 1 + 0.001 * (i % 7);
    paired_summarize(r, 40, &st);
    CHECK(!st.bimodal);
}

int
main(void) {
    check_machine_cancels();
    check_interval();
    check_mask_and_gaps();
    check_outliers();
    check_two_clusters();
    check_one_cluster();
    return check_result("paired_test");
}
