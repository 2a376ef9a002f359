/* SPDX-License-Identifier: MIT */
/* Summary statistics over the repetitions of one benchmark (the aggregate rows). */
#ifndef BENCH_STATS_H
#define BENCH_STATS_H

#include <stddef.h>

struct stats {
    size_t n;
    double median; /* middle value; the mean of the two middle values when n is even */
    double mean;
    double min, max;
    double stddev; /* sample standard deviation (n - 1), 0 when n < 2, as Google Benchmark */
    double cv;     /* stddev / mean, a fraction (0.012 is 1.2 %); 0 when the mean is 0 */
};

/* Statistics of v[0..n-1] (v is not modified). n 0 gives all zeros. */
void stats_compute(const double *v, size_t n, struct stats *out);

/* The median of v[0..n-1] (v is not modified); NAN for n 0. */
double stats_median(const double *v, size_t n);

#endif
