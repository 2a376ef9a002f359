/* SPDX-License-Identifier: MIT */
/* What the harness, beyond harness.h's scenario API, does with latency histograms: load the
 * bucket counts an executor sends (docs/results-format.md, "Histogram layout"). */
#ifndef BENCH_HIST_H
#define BENCH_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness.h"

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
