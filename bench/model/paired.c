/* SPDX-License-Identifier: MIT */
/* Paired ratios and their confidence interval (paired.h). */
#include "paired.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mwu.h"
#include "stats.h"
#include "util.h"

size_t
paired_ratios(const double *num, const double *den, const bool *keep, size_t n, double *out) {
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if ((keep == NULL || keep[i]) && isfinite(num[i]) && isfinite(den[i]) && num[i] > 0 &&
            den[i] > 0)
            out[m++] = num[i] / den[i];
    return m;
}

/* The q-quantile (0..1) of sorted v[0..n-1], linear between order statistics. */
static double
quantile(const double *v, size_t n, double q) {
    double pos = q * (double)(n - 1);
    size_t i = (size_t)pos;
    double f = pos - (double)i;
    return i + 1 < n ? v[i] * (1 - f) + v[i + 1] * f : v[n - 1];
}

void
paired_summarize(const double *r, size_t n, struct paired_stat *out) {
    memset(out, 0, sizeof *out);
    out->rounds = n;
    out->ratio = out->lo = out->hi = NAN;
    if (n == 0)
        return;
    double *l = malloc(n * sizeof *l);
    if (l == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        l[i] = log2(r[i]);
    qsort(l, n, sizeof *l, bench_cmp_double);
    /* The median and its interval in log space are those of the ratios themselves (log is
     * monotonic, and the interval is made of order statistics); logs give the spread. */
    double lo, hi;
    out->ci_ok = mwu_median_ci(l, n, PAIRED_CONF, &lo, &hi);
    out->ratio = exp2(stats_median(l, n));
    out->lo = exp2(lo);
    out->hi = exp2(hi);
    out->differs = out->ci_ok && (out->lo > 1 || out->hi < 1);
    double q1 = quantile(l, n, 0.25), q3 = quantile(l, n, 0.75);
    out->spread = q3 - q1;
    for (size_t i = 0; i < n; i++)
        out->outliers += l[i] < q1 - 3 * out->spread || l[i] > q3 + 3 * out->spread;
    free(l);
}
