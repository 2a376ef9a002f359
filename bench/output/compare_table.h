/* SPDX-License-Identifier: MIT */
/* The comparison `chanbench compare` prints: per benchmark, each file's median with its
 * interval and each NEW file's ratio and Mann-Whitney U verdict against the base, and its
 * printing. Arguments and loading the files are commands/compare.c's. Harness-internal. */
#ifndef BENCH_COMPARE_TABLE_H
#define BENCH_COMPARE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "compare.h"
#include "results.h"

struct cmp_row; /* one benchmark: a cell per file, a verdict per NEW file (compare_table.c) */

struct compare {
    /* Set by the caller: */
    struct result_file *files; /* files[0] is the base (A), the others NEW (B, C, ...) */
    size_t nf;
    enum cmp_format format;
    bool cpu;       /* cpu_time, else real_time */
    bool normalize; /* --normalize limit: every file has a limit section */
    FILE *out;      /* the table */
    FILE *note;     /* header and warnings: out, or stderr for csv */
    /* Filled by compare_build: */
    struct cmp_row *rows;
    size_t nrows;
    const char **excluded; /* base benchmarks without a floor under normalize (not compared) */
    size_t nexcluded;
};

/* The rows: every benchmark of the base that some NEW file has, in the base's order; under
 * normalize only those with a floor (names_floor_kind), the others going to excluded. 0, or -1
 * after a one-line error on stderr (a file lacks the floor a row needs). Ends the program on
 * running out of memory. */
int compare_build(struct compare *cmp);

/* The header (what is compared, each file's machine, notes and warnings about the files), the
 * table (console, markdown or csv), the paired ratios (compare_paired; not when normalized),
 * the benchmarks of one side only, and the warning when there are too few repetitions. */
void compare_print(struct compare *cmp);

/* Free what compare_build made (not the files). */
void compare_free(struct compare *cmp);

#endif
