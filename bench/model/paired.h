/* SPDX-License-Identifier: MIT */
/* Paired ratios: how two arms of one benchmark compare when both were measured in the same
 * rounds. Round r gives one ratio, arm A's chunk of round r over arm B's; the figure is the
 * median of those per-round ratios with its distribution-free confidence interval, so a
 * machine that changes between rounds moves both arms of a round together and cancels out.
 * Harness-internal; pure functions (tests feed them synthetic data). */
#ifndef BENCH_PAIRED_H
#define BENCH_PAIRED_H

#include <stdbool.h>
#include <stddef.h>

#define PAIRED_CONF 0.95
#define PAIRED_MIN_ROUNDS 6 /* fewer rounds give no 95 % interval of a median */

struct paired_stat {
    size_t rounds;   /* rounds with both arms measured (and in the mode asked for) */
    double ratio;    /* median of the per-round ratios; NAN when rounds is 0 */
    double lo, hi;   /* its 95 % confidence interval; the whole range when !ci_ok */
    bool ci_ok;      /* rounds >= PAIRED_MIN_ROUNDS */
    bool differs;    /* ci_ok and the interval excludes 1: a real difference */
    double spread;   /* interquartile range of log2(ratio) over the rounds: their agreement */
    size_t outliers; /* rounds whose log ratio is beyond 3 interquartile ranges of the quartiles */
    bool bimodal;    /* the rounds fall into two clusters (see below): the median is the
                      * middle of a mixture, and moves with the mix from one run to the next */
    double cluster[2];    /* when bimodal: each cluster's centre (geometric mean), low first */
    double cluster_share; /* when bimodal: the share of the rounds in the high cluster */
};

/* Two clusters: the split of the sorted log ratios that maximises the variance between the two
 * sides (Otsu's method), with each side at least PAIRED_CLUSTER_MIN_SHARE of the rounds, is a
 * real one when the sides' centres are at least PAIRED_CLUSTER_RATIO apart and Ashman's D,
 * sqrt(2) |m1 - m2| / sqrt(s1^2 + s2^2), is at least PAIRED_CLUSTER_D. Splitting a unimodal
 * sample gives D of about 2.7 (normal) to 3.5 (uniform); the two regimes seen on the 2-vCPU VM
 * (crossbeam's SPSC ring fast or slow for a whole chunk, a mode the probes missed) give 4.6 to
 * 20. Needs PAIRED_CLUSTER_MIN_ROUNDS rounds. */
#define PAIRED_CLUSTER_MIN_ROUNDS 12
#define PAIRED_CLUSTER_MIN_SHARE 0.2
#define PAIRED_CLUSTER_RATIO 1.2
#define PAIRED_CLUSTER_D 4.5

/* The per-round ratios num[i] / den[i] for i < n where both are finite and positive and
 * keep[i] is true (keep NULL: every i), into out (room for n). Returns how many. */
size_t paired_ratios(const double *num, const double *den, const bool *keep, size_t n, double *out);

/* Summarize ratios r[0..n-1] (r is not modified). */
void paired_summarize(const double *r, size_t n, struct paired_stat *out);

#endif
