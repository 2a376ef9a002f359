/* SPDX-License-Identifier: MIT */
/* What `chanbench compare`'s parts share: the significance level and the output formats; and
 * its paired-ratio part (compare_paired.c). The main table is compare_table.h's, the command
 * commands/compare.c. Harness-internal. */
#ifndef BENCH_COMPARE_H
#define BENCH_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "results.h"

#define CMP_ALPHA 0.05 /* significance level of the two-sided test (mwu_verdict) */

enum cmp_format { FMT_CONSOLE, FMT_MARKDOWN, FMT_CSV };

/* The paired ratios of files[0..nf-1] (context.chanbench.paired, metric real_time or, with
 * cpu, cpu_time), file against the base: for each benchmark and comparison (goc/go, goc/naive,
 * ...) both files have, overall and per machine mode (matched across the files by a floor
 * within 1.35x), the two ratios with their intervals, the ratio of the ratios, and a
 * Mann-Whitney U test of the two files' per-round ratios. Prints nothing when no two files
 * share a paired ratio (files from before rounds have none). */
void compare_paired(FILE *out, const struct result_file *files, size_t nf, enum cmp_format fmt,
                    bool cpu);

#endif
