/* SPDX-License-Identifier: MIT */
/* Latency histograms: HdrHistogram's log-linear layout with 3 significant digits, fixed range
 * 0 .. 2^40 - 1 ns (about 1100 s), one flat array of counts. The API is in hist.h. */
#include "hist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* 3 significant digits need 2 * 10^3 values of single-unit resolution: 2048 sub-buckets per
 * bucket (the lower half of each bucket after the first repeats the previous one, so each
 * bucket adds 1024 counts). Bucket b (b >= 1) covers [1024 << b, 2048 << b) in steps of
 * 1 << b; bucket 0 covers [0, 2048) in steps of 1. */
#define SUB_HALF_MAG 10
#define SUB_HALF (1 << SUB_HALF_MAG) /* 1024 */
#define SUB_MASK ((int64_t)(2 * SUB_HALF - 1))
#define MAX_MAG 40
#define MAX_VALUE (((int64_t)1 << MAX_MAG) - 1)
#define BUCKETS (MAX_MAG - SUB_HALF_MAG - 1 + 1) /* buckets 0..29 */
#define NCOUNTS ((BUCKETS + 1) * SUB_HALF)
_Static_assert(NCOUNTS == BENCH_HIST_NCOUNTS, "hist.h's layout size is hist.c's");

struct bench_hist {
    uint64_t total;
    int64_t min, max; /* exact; min is INT64_MAX while empty */
    uint64_t counts[NCOUNTS];
};

static int
bucket_of(int64_t v) {
    int pow2ceiling = 64 - __builtin_clzll((unsigned long long)(v | SUB_MASK));
    return pow2ceiling - (SUB_HALF_MAG + 1);
}

static size_t
index_of(int64_t v) {
    int b = bucket_of(v);
    int64_t sub = v >> b;
    return ((size_t)(b + 1) << SUB_HALF_MAG) + (size_t)(sub - SUB_HALF);
}

/* The lowest value counted at index i, and the size of the range of values counted there. */
static int64_t
lowest_at(size_t i, int64_t *range) {
    int b = (int)(i >> SUB_HALF_MAG) - 1;
    int64_t sub = (int64_t)(i & (SUB_HALF - 1)) + SUB_HALF;
    if (b < 0) {
        sub -= SUB_HALF;
        b = 0;
    }
    *range = (int64_t)1 << b;
    return sub << b;
}

size_t
bench_hist_index(int64_t ns) {
    return index_of(ns < 0 ? 0 : ns > MAX_VALUE ? MAX_VALUE : ns);
}

bool
bench_hist_add_at(struct bench_hist *h, size_t idx, uint64_t count) {
    if (idx >= NCOUNTS)
        return false;
    h->counts[idx] += count;
    h->total += count;
    return true;
}

void
bench_hist_set_extremes(struct bench_hist *h, int64_t min, int64_t max) {
    h->min = min;
    h->max = max;
}

struct bench_hist *
bench_hist_new(void) {
    struct bench_hist *h = malloc(sizeof *h);
    if (h != NULL)
        bench_hist_reset(h); /* touches every page now, not inside a timed region */
    return h;
}

void
bench_hist_free(struct bench_hist *h) {
    free(h);
}

void
bench_hist_reset(struct bench_hist *h) {
    memset(h, 0, sizeof *h);
    h->min = INT64_MAX;
}

void
bench_hist_record_n(struct bench_hist *h, int64_t ns, uint64_t n) {
    if (n == 0)
        return;
    if (ns < 0)
        ns = 0;
    if (ns > MAX_VALUE)
        ns = MAX_VALUE;
    h->counts[index_of(ns)] += n;
    h->total += n;
    if (ns < h->min)
        h->min = ns;
    if (ns > h->max)
        h->max = ns;
}

void
bench_hist_record(struct bench_hist *h, int64_t ns) {
    bench_hist_record_n(h, ns, 1);
}

void
bench_hist_merge(struct bench_hist *dst, const struct bench_hist *src) {
    if (src->total == 0)
        return;
    for (size_t i = 0; i < NCOUNTS; i++)
        dst->counts[i] += src->counts[i];
    dst->total += src->total;
    if (src->min < dst->min)
        dst->min = src->min;
    if (src->max > dst->max)
        dst->max = src->max;
}

uint64_t
bench_hist_count(const struct bench_hist *h) {
    return h->total;
}

int64_t
bench_hist_percentile(const struct bench_hist *h, double p) {
    if (h->total == 0)
        return 0;
    if (p <= 0)
        return h->min;
    if (p >= 100)
        return h->max;
    /* ceil(p/100 * total), without letting 99.9's binary rounding push an exact rank up */
    double r = ceil(p * (double)h->total / 100.0 - 1e-7);
    uint64_t rank = r < 1 ? 1 : (uint64_t)r;
    uint64_t seen = 0;
    for (size_t i = 0; i < NCOUNTS; i++) {
        seen += h->counts[i];
        if (seen >= rank) {
            int64_t range;
            int64_t highest = lowest_at(i, &range) + range - 1;
            if (highest > h->max)
                highest = h->max;
            if (highest < h->min)
                highest = h->min;
            return highest;
        }
    }
    return h->max;
}

void
bench_hist_summary(const struct bench_hist *h, struct bench_latency *out) {
    out->count = h->total;
    out->min = h->total ? h->min : 0;
    out->p50 = bench_hist_percentile(h, 50);
    out->p90 = bench_hist_percentile(h, 90);
    out->p99 = bench_hist_percentile(h, 99);
    out->p999 = bench_hist_percentile(h, 99.9);
    out->max = h->total ? h->max : 0;
}
