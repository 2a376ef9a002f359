/* SPDX-License-Identifier: MIT */
/* Reading chanbench results files (docs/results-format.md) for compare, plot and tests.
 * Writing is in report.c. */
#ifndef BENCH_RESULTS_H
#define BENCH_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* One benchmark of a file: its iteration rows' values, in repetition order. */
struct result_bench {
    const char *name;    /* run_name, e.g. chan/spsc/cap=1024/size=8/impl=goc */
    size_t nreps;
    double *real_time;   /* ns per op, one per repetition */
    double *cpu_time;    /* ns per op, one per repetition */
    json_t *first_row;   /* the first iteration row (borrowed), for params, latency_ns, extra */
};

struct result_file {
    char *path;
    json_t *root;          /* the whole document (owned) */
    json_t *context;       /* root.context (borrowed) */
    json_t *chanbench;     /* root.context.chanbench (borrowed) */
    bool complete;
    struct result_bench *benches; /* in file order */
    size_t nbenches;
};

/* Load and validate a results file. Returns 0, or -1 with err set to one line naming the file
 * and, for JSON errors, the line and column ("results/x.json:12:5: unexpected end of file");
 * a file without context.chanbench.schema_version, or with no iteration rows, is refused. */
int results_load(const char *path, struct result_file *out, char *err, size_t errlen);
void results_free(struct result_file *f);

/* The benchmark named name in f, or NULL. */
const struct result_bench *results_find(const struct result_file *f, const char *name);

#endif
