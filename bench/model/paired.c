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

/* The two-cluster test described in paired.h, on sorted log ratios l[0..n-1]. */
static void
find_clusters(const double *l, size_t n, struct paired_stat *out) {
    if (n < PAIRED_CLUSTER_MIN_ROUNDS)
        return;
    size_t min = (size_t)ceil(PAIRED_CLUSTER_MIN_SHARE * (double)n);
    /* Prefix sums of l and l^2: each split's means and variances in O(1). */
    double sum = 0, sq = 0;
    for (size_t i = 0; i < n; i++) {
        sum += l[i];
        sq += l[i] * l[i];
    }
    double ls = 0, lq = 0, best = -1, m1 = 0, m2 = 0, v1 = 0, v2 = 0;
    size_t split = 0;
    for (size_t k = 1; k < n; k++) {
        ls += l[k - 1];
        lq += l[k - 1] * l[k - 1];
        if (k < min || n - k < min)
            continue;
        double a = (double)k, b = (double)(n - k);
        double ma = ls / a, mb = (sum - ls) / b;
        double between = a * b * (mb - ma) * (mb - ma);
        if (between > best) {
            best = between;
            split = k;
            m1 = ma;
            m2 = mb;
            v1 = fmax(lq / a - ma * ma, 0);
            v2 = fmax((sq - lq) / b - mb * mb, 0);
        }
    }
    if (split == 0 || m2 - m1 < log2(PAIRED_CLUSTER_RATIO))
        return;
    if (v1 + v2 > 0 && sqrt(2) * (m2 - m1) / sqrt(v1 + v2) < PAIRED_CLUSTER_D)
        return;
    out->bimodal = true;
    out->cluster[0] = exp2(m1);
    out->cluster[1] = exp2(m2);
    out->cluster_share = (double)(n - split) / (double)n;
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
    find_clusters(l, n, out);
    free(l);
}
