/* SPDX-License-Identifier: MIT */
/* Mann-Whitney U test and the order-statistic confidence interval of the median (mwu.h). */
#include "mwu.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The pooled sample, sorted, with each value's origin. */
struct pooled {
    double v;
    int from_a;
};

static int
cmp_pooled(const void *pa, const void *pb) {
    const struct pooled *a = pa, *b = pb;
    return (a->v > b->v) - (a->v < b->v);
}

/* Pool and sort a and b, and give each element its doubled midrank (an integer: tied values
 * at 1-based positions i..j all get i + j). Returns the array of n = na + nb elements and
 * sets *r2out to their doubled ranks (both for the caller to free), or NULL when either
 * sample is empty or memory runs out. */
static struct pooled *
pool_ranks(const double *a, size_t na, const double *b, size_t nb, long **r2out) {
    size_t n = na + nb;
    if (na == 0 || nb == 0)
        return NULL;
    struct pooled *p = malloc(n * sizeof *p);
    long *r2 = malloc(n * sizeof *r2);
    if (p == NULL || r2 == NULL) {
        free(p);
        free(r2);
        return NULL;
    }
    *r2out = r2;
    for (size_t i = 0; i < na; i++)
        p[i] = (struct pooled){a[i], 1};
    for (size_t i = 0; i < nb; i++)
        p[na + i] = (struct pooled){b[i], 0};
    qsort(p, n, sizeof *p, cmp_pooled);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && p[j + 1].v == p[i].v)
            j++;
        for (size_t k = i; k <= j; k++)
            r2[k] = (long)(i + 1) + (long)(j + 1);
        i = j + 1;
    }
    return p;
}

double
mwu_p_exact(const double *a, size_t na, const double *b, size_t nb) {
    size_t n = na + nb;
    long *r2;
    struct pooled *p = pool_ranks(a, na, b, nb, &r2);
    if (p == NULL)
        return 1.0;
    long w2 = 0, total = 0;
    for (size_t i = 0; i < n; i++) {
        total += r2[i];
        if (p[i].from_a)
            w2 += r2[i];
    }
    /* cnt[k][s]: number of k-subsets of the pooled elements seen so far whose doubled ranks
     * sum to s. Every count is an integer below C(50, 25) < 2^53, so doubles hold it exactly. */
    size_t width = (size_t)total + 1;
    double *cnt = calloc((na + 1) * width, sizeof *cnt);
    if (cnt == NULL) {
        free(p);
        free(r2);
        return 1.0;
    }
    cnt[0] = 1.0;
    for (size_t i = 0; i < n; i++) {
        size_t r = (size_t)r2[i];
        size_t kmax = i + 1 < na ? i + 1 : na;
        for (size_t k = kmax; k >= 1; k--) {
            double *dst = cnt + k * width, *src = cnt + (k - 1) * width;
            for (size_t s = width - 1; s >= r; s--) {
                dst[s] += src[s - r];
                if (s == r)
                    break;
            }
        }
    }
    double all = 0, le = 0, ge = 0;
    const double *row = cnt + na * width;
    for (size_t s = 0; s < width; s++) {
        all += row[s];
        if ((long)s <= w2)
            le += row[s];
        if ((long)s >= w2)
            ge += row[s];
    }
    free(cnt);
    free(p);
    free(r2);
    double pv = 2.0 * (le < ge ? le : ge) / all;
    return pv > 1.0 ? 1.0 : pv;
}

double
mwu_p_normal(const double *a, size_t na, const double *b, size_t nb) {
    size_t n = na + nb;
    long *r2;
    struct pooled *p = pool_ranks(a, na, b, nb, &r2);
    if (p == NULL)
        return 1.0;
    double w = 0, ties = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && p[j + 1].v == p[i].v)
            j++;
        double t = (double)(j - i + 1);
        ties += t * t * t - t;
        i = j + 1;
    }
    for (size_t i = 0; i < n; i++)
        if (p[i].from_a)
            w += (double)r2[i] / 2.0;
    free(p);
    free(r2);
    double dna = (double)na, dnb = (double)nb, dn = (double)n;
    double u = w - dna * (dna + 1) / 2;
    double mean = dna * dnb / 2;
    double var = dna * dnb / 12.0 * ((dn + 1) - ties / (dn * (dn - 1)));
    if (var <= 0)
        return 1.0;
    double z = (fabs(u - mean) - 0.5) / sqrt(var);
    if (z < 0)
        z = 0;
    return erfc(z / sqrt(2.0));
}

double
mwu_test(const double *a, size_t na, const double *b, size_t nb, double *u) {
    if (u != NULL) {
        double s = 0;
        for (size_t i = 0; i < na; i++)
            for (size_t j = 0; j < nb; j++)
                s += a[i] > b[j] ? 1.0 : a[i] == b[j] ? 0.5 : 0.0;
        *u = s;
    }
    if (na + nb <= MWU_EXACT_MAX)
        return mwu_p_exact(a, na, b, nb);
    return mwu_p_normal(a, na, b, nb);
}

double
mwu_min_p(size_t na, size_t nb) {
    if (na == 0 || nb == 0)
        return 1.0;
    /* C(na + nb, na) in logs; 2 / C is below any useful alpha long before it underflows. */
    double lc = lgamma((double)(na + nb) + 1) - lgamma((double)na + 1) - lgamma((double)nb + 1);
    double pv = 2.0 * exp(-lc);
    return pv > 1.0 ? 1.0 : pv;
}

/* P(k <= B <= n - k) for B ~ Binomial(n, 1/2). */
static double
binom_coverage(size_t n, size_t k) {
    double c = 0;
    double ln2n = (double)n * log(2.0);
    for (size_t b = k; b + k <= n; b++)
        c +=
            exp(lgamma((double)n + 1) - lgamma((double)b + 1) - lgamma((double)(n - b) + 1) - ln2n);
    return c;
}

bool
mwu_median_ci(const double *x, size_t n, double conf, double *lo, double *hi) {
    *lo = *hi = NAN;
    if (n == 0)
        return false;
    double *s = malloc(n * sizeof *s);
    if (s == NULL)
        return false;
    memcpy(s, x, n * sizeof *s);
    qsort(s, n, sizeof *s, bench_cmp_double);
    *lo = s[0];
    *hi = s[n - 1];
    bool ok = false;
    /* Coverage falls as k rises: take the largest k (1-based) that still reaches conf. */
    for (size_t k = 1; 2 * k <= n; k++) {
        if (binom_coverage(n, k) < conf)
            break;
        *lo = s[k - 1];
        *hi = s[n - k];
        ok = true;
    }
    free(s);
    return ok;
}

bool
mwu_verdict(const double *a, size_t na, const double *b, size_t nb, double alpha, double *p,
            bool *few) {
    *p = mwu_test(a, na, b, nb, NULL);
    *few = mwu_min_p(na, nb) >= alpha;
    return !*few && *p < alpha;
}
