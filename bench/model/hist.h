/* SPDX-License-Identifier: MIT */
/* Latency histograms: what a scenario's workers record into (through harness.h, which
 * includes this), and what the harness does beyond that: load the bucket counts an executor
 * sends (docs/results-format.md, "Histogram layout"). */
#ifndef BENCH_HIST_H
#define BENCH_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A log-linear histogram of non-negative nanosecond values (HdrHistogram's layout: 2048
 * linear sub-buckets per power of two, so any value is kept to 3 significant digits; values
 * from 0 to about 1100 s, larger ones are counted as the largest). Not thread-safe: one per
 * thread, merged afterwards. */
struct bench_hist;

struct bench_latency {
    uint64_t count;
    int64_t min, p50, p90, p99, p999, max; /* ns; min and max exact, percentiles to 3 digits */
};

struct bench_hist *bench_hist_new(void); /* NULL when out of memory */
void bench_hist_free(struct bench_hist *h);
void bench_hist_reset(struct bench_hist *h);
/* Count one value (negative values count as 0). Any thread, on its own histogram. */
void bench_hist_record(struct bench_hist *h, int64_t ns);
void bench_hist_record_n(struct bench_hist *h, int64_t ns, uint64_t n);
/* Add src's counts into dst. */
void bench_hist_merge(struct bench_hist *dst, const struct bench_hist *src);
uint64_t bench_hist_count(const struct bench_hist *h);
/* The value at percentile p (0..100): the highest value equivalent (within the histogram's
 * precision) to the value with rank ceil(p/100 * count), capped at the exact max; 0 when the
 * histogram is empty. */
int64_t bench_hist_percentile(const struct bench_hist *h, double p);
void bench_hist_summary(const struct bench_hist *h, struct bench_latency *out);

/* The number of buckets of the layout (indexes 0 .. BENCH_HIST_NCOUNTS - 1). */
#define BENCH_HIST_NCOUNTS ((size_t)31 * 1024)

/* The bucket index of value ns (clamped to 0 .. 2^40 - 1), as bench_hist_record counts it. */
size_t bench_hist_index(int64_t ns);

/* Add count values at bucket index idx; false (nothing added) for an index outside the
 * layout. */
bool bench_hist_add_at(struct bench_hist *h, size_t idx, uint64_t count);

/* Set the exact extremes, which bucket counts do not carry (after the counts are loaded). */
void bench_hist_set_extremes(struct bench_hist *h, int64_t min, int64_t max);

#endif
