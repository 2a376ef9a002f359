/* SPDX-License-Identifier: MIT */
/* Reading chanbench results files (docs/results-format.md) for compare, plot and tests.
 * Writing is output/json.c. */
#ifndef BENCH_RESULTS_H
#define BENCH_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* One benchmark of a file: its iteration rows' values, in file (repetition) order. Aggregate
 * rows are not read: every statistic is recomputed from the repetitions. Rows with
 * error_occurred, or with a null real_time or cpu_time (a figure the writer could not measure),
 * are skipped. */
struct result_bench {
    const char *name; /* run_name, e.g. chan/spsc/cap=1024/size=8/impl=goc (borrowed) */
    size_t nreps;
    double *real_time; /* ns per op, one per repetition (owned) */
    double *cpu_time;  /* ns per op, one per repetition (owned) */
    json_t *first_row; /* the first iteration row (borrowed), for params, latency_ns, extra */
    json_t *params;    /* first_row.params, or NULL (borrowed) */
    json_t **rows;     /* every iteration row, one per repetition (array owned, rows borrowed) */
};

struct result_file {
    char *path;
    json_t *root;      /* the whole document (owned) */
    json_t *context;   /* root.context (borrowed) */
    json_t *chanbench; /* root.context.chanbench (borrowed) */
    bool complete;     /* false when context.chanbench.complete is false (interrupted run) */
    struct result_bench *benches; /* in order of first appearance */
    size_t nbenches;
    json_t *index; /* name -> position in benches (owned) */
};

/* Load and validate a results file. Returns 0, or -1 with err set to one line naming the file:
 *   "FILE: No such file or directory" (any open error, with strerror's text),
 *   "FILE:LINE:COL: message" for malformed or truncated JSON (jansson's position),
 *   "FILE: not a chanbench results file (...)" for JSON without context.chanbench.schema_version
 *   or without a benchmarks array or without any iteration row,
 *   "FILE: is a folder, not a results file; ..." for a folder,
 *   "FILE: benchmarks[I] (NAME) has real_time 0, not a positive finite time; ..." for a row
 *   whose real_time or cpu_time is zero, negative or (after unit conversion) infinite,
 *   "FILE: ..." for an unsupported schema_version or a row without name or numeric times.
 * Times in another time_unit (us, ms, s) are converted to ns. On failure out is left empty
 * (results_free on it is harmless). */
int results_load(const char *path, struct result_file *out, char *err, size_t errlen);

/* The same from a file's bytes held in memory (a run kept in the results store): name stands
 * for the path in f->path and in every error line. */
int results_load_bytes(const char *name, const char *buf, size_t len, struct result_file *out,
                       char *err, size_t errlen);
void results_free(struct result_file *f);

/* The benchmark named name in f, or NULL. */
const struct result_bench *results_find(const struct result_file *f, const char *name);

/* A string from the file's context: context.chanbench.KEY if present, else context.KEY;
 * NULL when absent or not a string. */
const char *results_context_str(const struct result_file *f, const char *key);

/* Whether a and b hold the same run: the same context.host_name and context.date (the second
 * the run started) and the same context.chanbench.seed (or neither has one). A copy of a file,
 * or an interrupted file and its resumed one, are the same run. */
bool results_same_run(const struct result_file *a, const struct result_file *b);

/* A number from a benchmark's params (params.KEY), or NAN when absent or not a number. */
double results_param(const struct result_bench *b, const char *key);

#endif
