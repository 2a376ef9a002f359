/* SPDX-License-Identifier: MIT */
/* Summary statistics of repetitions: median, mean, min, max, sample stddev, CV. */
#include "stats.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void
stats_compute(const double *v, size_t n, struct stats *out) {
    memset(out, 0, sizeof *out);
    out->n = n;
    if (n == 0)
        return;
    double sorted_small[64];
    /* Out of memory for a sorted copy (never with the harness's repetition counts): the
     * median falls back to the mean. */
    double *s = n <= 64 ? sorted_small : malloc(n * sizeof *s);
    double sum = 0, lo = v[0], hi = v[0];
    for (size_t i = 0; i < n; i++) {
        sum += v[i];
        lo = v[i] < lo ? v[i] : lo;
        hi = v[i] > hi ? v[i] : hi;
    }
    out->mean = sum / (double)n;
    out->min = lo;
    out->max = hi;
    if (s != NULL) {
        memcpy(s, v, n * sizeof *s);
        qsort(s, n, sizeof *s, bench_cmp_double);
        out->median = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        if (s != sorted_small)
            free(s);
    } else {
        out->median = out->mean;
    }
    if (n >= 2) {
        double ss = 0;
        for (size_t i = 0; i < n; i++)
            ss += (v[i] - out->mean) * (v[i] - out->mean);
        out->stddev = sqrt(ss / (double)(n - 1));
    }
    out->cv = out->mean != 0 ? out->stddev / out->mean : 0;
}

double
stats_median(const double *v, size_t n) {
    if (n == 0)
        return NAN;
    struct stats st;
    stats_compute(v, n, &st);
    return st.median;
}
