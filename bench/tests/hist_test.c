/* SPDX-License-Identifier: MIT */
/* Latency histogram percentiles against a sorted-array reference: each percentile must be the
 * reference value rounded up by at most the histogram's precision (1/1024 of the value), the
 * min and max exact; merging equals recording everything in one. */
#include <stdint.h>
#include <stdlib.h>

#include "harness.h"
#include "check.h"

static uint64_t
rnd(uint64_t *s) {
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}

static int
cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Reference: the value of rank ceil(permille/1000 * n), in exact integer arithmetic. */
static int64_t
reference(const int64_t *sorted, size_t n, unsigned permille) {
    uint64_t rank = ((uint64_t)n * permille + 999) / 1000;
    if (rank < 1)
        rank = 1;
    return sorted[rank - 1];
}

static void
check_against(const struct bench_hist *h, const int64_t *sorted, size_t n) {
    const unsigned pm[] = {1, 100, 250, 500, 900, 990, 999, 1000};
    const double p[] = {0.1, 10, 25, 50, 90, 99, 99.9, 100};
    for (size_t k = 0; k < sizeof pm / sizeof pm[0]; k++) {
        int64_t want = reference(sorted, n, pm[k]);
        int64_t got = bench_hist_percentile(h, p[k]);
        if (!(got >= want && got - want <= want / 1024)) {
            fprintf(stderr, "p%g: histogram %lld, sorted reference %lld (n %zu)\n", p[k],
                    (long long)got, (long long)want, n);
            check_failures++;
        }
    }
    struct bench_latency l;
    bench_hist_summary(h, &l);
    CHECK(l.count == n);
    CHECK(l.min == sorted[0]);
    CHECK(l.max == sorted[n - 1]);
    CHECK(l.p50 == bench_hist_percentile(h, 50));
    CHECK(l.p999 == bench_hist_percentile(h, 99.9));
    CHECK(l.p50 <= l.p90 && l.p90 <= l.p99 && l.p99 <= l.p999 && l.p999 <= l.max);
}

int
main(void) {
    struct bench_hist *h = bench_hist_new();
    CHECK(h != NULL);
    CHECK(bench_hist_count(h) == 0);
    CHECK(bench_hist_percentile(h, 50) == 0);

    /* Small exact values: 0..2047 are kept exactly. */
    for (int64_t v = 1; v <= 1000; v++)
        bench_hist_record(h, v);
    CHECK(bench_hist_percentile(h, 50) == 500);
    CHECK(bench_hist_percentile(h, 99) == 990);
    CHECK(bench_hist_percentile(h, 99.9) == 999);
    CHECK(bench_hist_percentile(h, 100) == 1000);

    /* Log-uniform values over 1 ns .. 1 s, several sizes. */
    const size_t sizes[] = {1, 7, 1000, 100000};
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        size_t n = sizes[si];
        int64_t *v = malloc(n * sizeof *v);
        bench_hist_reset(h);
        for (size_t i = 0; i < n; i++) {
            int mag = (int)(rnd(&seed) % 30);
            v[i] = (int64_t)((rnd(&seed) % ((uint64_t)1 << mag)) + ((uint64_t)1 << mag));
            bench_hist_record(h, v[i]);
        }
        qsort(v, n, sizeof *v, cmp_i64);
        check_against(h, v, n);

        /* The same values spread over four histograms and merged give the same answers. */
        struct bench_hist *part[4], *merged = bench_hist_new();
        for (int k = 0; k < 4; k++)
            part[k] = bench_hist_new();
        for (size_t i = 0; i < n; i++)
            bench_hist_record(part[rnd(&seed) % 4], v[i]);
        for (int k = 0; k < 4; k++) {
            bench_hist_merge(merged, part[k]);
            bench_hist_free(part[k]);
        }
        check_against(merged, v, n);
        for (double p = 1; p < 100; p += 7.5)
            CHECK(bench_hist_percentile(merged, p) == bench_hist_percentile(h, p));
        bench_hist_free(merged);
        free(v);
    }

    /* Out-of-range values: negatives count as 0, huge ones as the largest trackable. */
    bench_hist_reset(h);
    bench_hist_record(h, -5);
    bench_hist_record_n(h, INT64_MAX, 3);
    CHECK(bench_hist_count(h) == 4);
    CHECK(bench_hist_percentile(h, 10) == 0);
    CHECK(bench_hist_percentile(h, 100) > ((int64_t)1 << 39));

    bench_hist_free(h);
    return check_result("hist_test");
}
