/* SPDX-License-Identifier: MIT */
/* Results in memory and their writers: the JSON document of docs/results-format.md (jansson),
 * CSV, Go's benchmark text format, the console table; the atomic file write and the output
 * folder check. Reading results files is results.c. Harness-internal. */
#ifndef BENCH_REPORT_H
#define BENCH_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <jansson.h>

#include "cli.h"
#include "harness.h"
#include "machine.h"
#include "registry.h"
#include "trial.h"

struct limit_result;

/* One repetition of one benchmark (an iteration row). */
struct rep_result {
    uint64_t ops;            /* operations done (Google's iterations) */
    double real_ns;          /* wall ns per operation */
    double cpu_ns;           /* CPU ns per operation, summed over threads */
    double items_per_second; /* operations per wall second */
    long vcsw, ivcsw;        /* context switches, summed over threads */
    int nthreads;
    int *pu_requested; /* nthreads entries (owned) */
    int *pu_observed;  /* nthreads entries (owned) */
    const char *relation;
    bool has_latency;
    struct bench_latency lat;
    int nextra;
    struct trial_extra extra[TRIAL_MAX_EXTRA];
};

/* One finished benchmark: all its repetitions. In-process benchmarks have inst; an
 * out-of-process peer's (extpeer.h) have rows instead: the iteration rows as the peer wrote
 * them, written out as they are, with their figures copied into reps (placement left empty)
 * for the aggregates, the table and the other formats. */
struct bench_result {
    const struct bench_instance *inst; /* NULL for a peer's benchmark */
    const char *name;                  /* the run name (inst->name, or the peer's) */
    const char *op;                    /* msg, roundtrip, lockop, ... */
    json_t *rows;                      /* a peer's iteration rows, one per rep (owned); else NULL */
    size_t nreps;
    struct rep_result *reps; /* owned */
};

void bench_result_free(struct bench_result *r);

/* Everything the context needs besides the machine. */
struct run_info {
    const struct machine_info *machine;
    const struct run_options *opts;
    const char *command; /* the command line */
    time_t started;      /* for context.date */
    double clock_overhead_ns;
    bool complete;                    /* false when interrupted */
    const struct limit_result *limit; /* the hardware floor measured in this run, or NULL */
    json_t *peers;                    /* context.chanbench.peers (array, borrowed), or NULL */
};

/* The whole document: {"context": ..., "benchmarks": [...]} (new reference). With info->limit,
 * the floor goes in too (limit_add_to_document: context.chanbench.limit, the limit/ rows,
 * extra.ratio_to_floor on chan/ and select/ rows). */
json_t *report_document(const struct run_info *info, const struct bench_result *res, size_t n);

/* Write text to path through a temporary file in the same folder and a rename. 0, or -1 with
 * a one-line err (the temporary file is removed). */
int report_write_file(const char *path, const char *text, char *err, size_t errlen);

/* Check, before anything runs, that path's folder exists, is a folder, and is writable (a
 * probe file is created and removed; a folder without any write permission bit counts as
 * read-only even for root). 0, or -1 with a one-line err. */
int report_check_folder(const char *path, char *err, size_t errlen);

/* results/<host>-<UTC YYYYMMDDTHHMMSSZ>.json, host reduced to [A-Za-z0-9._-]. */
void report_default_path(char *buf, size_t len, const char *host, time_t t);

/* The other stdout formats, from the same results. */
void report_csv(FILE *out, const struct bench_result *res, size_t n);
void report_gobench(FILE *out, const struct run_info *info, const struct bench_result *res,
                    size_t n);

/* The console table: a header (machine, options, where the file goes, the floor when
 * info->limit), then one row per finished benchmark, printed as each finishes. With a floor,
 * chan/ and select/ rows end with their median's ratio to it (/floor; "-" for chan/paced and
 * chan/idle, which measure pauses). */
void report_console_header(FILE *out, const struct run_info *info, const char *path, size_t nbench,
                           int namewidth);
void report_console_row(FILE *out, const struct run_info *info, const struct bench_result *r,
                        int namewidth);

/* The side-by-side tables of a run with more than one impl: one row per benchmark name
 * without its impl, one column per impl (impls[0..nimpls-1] first, in that order, then any
 * other impl of res in order of appearance) with the median, and the ratios base/<other>
 * (base: goc when present, else the first impl), plus base/floor with info->limit; for wall
 * time, CPU time per operation and p99 latency. Prints nothing when res has fewer than two
 * impls. */
void report_side_by_side(FILE *out, const struct run_info *info, const struct bench_result *res,
                         size_t n, char *const *impls, int nimpls);

/* The impl of a result ("goc", "go"): inst's, or what follows the last "/impl=" of its name. */
const char *report_result_impl(const struct bench_result *r);

#endif
