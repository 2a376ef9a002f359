/* SPDX-License-Identifier: MIT */
/* Distribution-free statistics for comparing repetitions: the Mann-Whitney U test and the
 * order-statistic confidence interval of the median (what benchstat reports). Used by
 * `chanbench compare` (output/compare_table.c, compare_paired.c); descriptive statistics of one
 * sample (median, mean, stddev) are stats.h's. */
#ifndef BENCH_MWU_H
#define BENCH_MWU_H

#include <stdbool.h>
#include <stddef.h>

/* Mann-Whitney U test (Wilcoxon rank-sum), two-sided, of samples a (na values) and b (nb).
 * u is U of sample a: the number of pairs (a_i, b_j) with a_i > b_j, ties counting 1/2.
 * Small samples (na + nb <= MWU_EXACT_MAX) use the exact permutation distribution of the
 * rank sum, ties included (midranks); larger ones the normal approximation with tie and
 * continuity corrections. Returns the p-value in [0, 1]; 1 when either sample is empty. */
#define MWU_EXACT_MAX 50
double mwu_test(const double *a, size_t na, const double *b, size_t nb, double *u);

/* The two methods, for tests. */
double mwu_p_exact(const double *a, size_t na, const double *b, size_t nb);
double mwu_p_normal(const double *a, size_t na, const double *b, size_t nb);

/* The smallest two-sided p-value the exact test can give for sample sizes na and nb
 * (2 / C(na + nb, na)): when it is not below alpha, no difference can ever be significant. */
double mwu_min_p(size_t na, size_t nb);

/* The test every command that says "significant" uses (compare, store history and check): *p
 * is mwu_test's two-sided p of b against a, *few whether the samples are too small for any p to
 * fall below alpha (mwu_min_p). Returns whether the difference is significant: not few, and p
 * below alpha. */
bool mwu_verdict(const double *a, size_t na, const double *b, size_t nb, double alpha, double *p,
                 bool *few);

/* Distribution-free confidence interval of the median at level conf (e.g. 0.95): the
 * narrowest [x_(k), x_(n+1-k)] of order statistics whose binomial coverage
 * P(k <= B <= n-k), B ~ Binomial(n, 1/2), is at least conf. Returns false (and lo = min,
 * hi = max) when even [min, max] does not reach conf: n < 6 at 95%. */
bool mwu_median_ci(const double *x, size_t n, double conf, double *lo, double *hi);

#endif
