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
#include "measurement.h"

struct limit_result;
struct engine;

/* Everything the context needs besides the machine. */
struct run_info {
    const struct machine_info *machine;
    const struct run_options *opts;
    const char *command; /* the command line */
    time_t started;      /* for context.date */
    double clock_overhead_ns;
    bool complete;                    /* false when interrupted */
    int resumed;                      /* times the run was resumed from its journal */
    const struct limit_result *limit; /* the hardware floor measured in this run, or NULL */
    json_t *peers;                    /* context.chanbench.peers (array, borrowed), or NULL */
    const struct engine *engine;      /* the rounds: seed, modes, paired ratios; NULL for a
                                       * document without benchmarks (chanbench limit) */
};

/* The whole document: {"context": ..., "benchmarks": [...]} (new reference). With info->limit,
 * the floor goes in too (limit_add_to_document: context.chanbench.limit, the limit/ rows,
 * extra.ratio_to_floor on chan/ and select/ rows). */
json_t *report_document(const struct run_info *info, const struct bench_result *const *res,
                        size_t n);

/* The document's "benchmarks" array alone (new reference), which the text formats print:
 * report_document's with info, or without info the rows of res only (no floor). */
json_t *report_rows(const struct run_info *info, const struct bench_result *const *res, size_t n);

/* Write text to path through a temporary file in the target's folder and a rename: a symlink
 * is followed and its target replaced; an existing file keeps its mode (and, as root, its
 * owner); a device, FIFO, socket or folder is refused. 0, or -1 with a one-line err (the
 * temporary file is removed). */
int report_write_file(const char *path, const char *text, char *err, size_t errlen);

/* Check, before anything runs, that path (--out) may be written: what it names, through its
 * symlinks, is a regular file or nothing yet (a device, FIFO, socket or folder is refused), and
 * that file's folder exists, is a folder, and is writable (a probe file is created and
 * removed; a folder without any write permission bit counts as read-only even for root).
 * target (may be NULL) gets the file a write will replace, absolute when its folder exists.
 * 0, or -1 with a one-line err. */
int report_check_folder(const char *path, char *target, size_t tlen, char *err, size_t errlen);

/* The free space a run wants in its output folder: REPORT_SPACE_BASE plus REPORT_SPACE_CHUNK
 * per chunk it will measure (the results file, its temporary copy and the journal). */
#define REPORT_SPACE_BASE ((uint64_t)1 << 20)
#define REPORT_SPACE_CHUNK ((uint64_t)4 << 10)
#define REPORT_SPACE_RULE "1 MiB plus 4 KiB per chunk"

/* Check that path's folder has need bytes free (statvfs; a folder statvfs cannot read
 * passes). 0, or -1 with a one-line err. */
int report_check_space(const char *path, uint64_t need, char *err, size_t errlen);

/* results/<host>-<UTC YYYYMMDDTHHMMSSZ>.json, host reduced to [A-Za-z0-9._-]. */
void report_default_path(char *buf, size_t len, const char *host, time_t t);

/* The other stdout formats, printed from report_rows, so that they hold the JSON's rows.
 * CSV: Google Benchmark's columns, then chanbench's; a line per row, iteration and aggregate.
 * With info->limit, the limit/ rows are there too (info may be NULL: no floor rows). Go's
 * benchmark format: configuration lines, then a line per iteration row (benchstat computes
 * its own summaries), named Benchmark + the name with its first letter upper case. */
void report_csv(FILE *out, const struct run_info *info, const struct bench_result *const *res,
                size_t n);
void report_gobench(FILE *out, const struct run_info *info, const struct bench_result *const *res,
                    size_t n);

/* The console: a header (machine, options, seed, where the file goes, the floor when
 * info->limit), then, after the rounds, one row per benchmark and implementation (medians
 * over its chunks). With a floor, chan/ and select/ rows end with their median's ratio to it
 * (/floor; "-" for chan/paced and chan/idle, which measure pauses). */
void report_console_header(FILE *out, const struct run_info *info, const char *path, size_t nbench,
                           int namewidth);
void report_console_row(FILE *out, const struct run_info *info, const struct bench_result *r,
                        int namewidth);

/* After the rows: the notes of the impls that have rows (bench_impl.note, each once), the
 * machine modes the run's probes found, and the paired-ratio tables (info->engine): for
 * wall time, CPU time and p99 latency, one row per benchmark and one column per comparison
 * (goc/<impl>, the control included), the median per-round ratio with its 95 % interval,
 * overall and then per mode; stability warnings below. Prints nothing without comparisons. */
void report_paired(FILE *out, const struct run_info *info);

#endif
