/* SPDX-License-Identifier: MIT */
/* Summaries of one benchmark's chunks that several writers print (JSON aggregate rows, CSV,
 * the console), and Google Benchmark's aggregate rows themselves. Output-internal. */
#ifndef BENCH_AGGREGATE_H
#define BENCH_AGGREGATE_H

#include <stddef.h>

#include <jansson.h>

#include "measurement.h"
#include "stats.h"

struct aggr {
    struct stats real, cpu, rate;
    double p99_median; /* median over chunks of p99; NAN without latency */
    double csw_per_op; /* median over chunks of (vcsw + ivcsw) / ops */
};

/* The statistics of r's chunks. */
void report_aggregate(const struct bench_result *r, struct aggr *a);

/* The names of Google Benchmark's aggregates, in the order it writes them (mean, median,
 * stddev, cv), then min and max; REPORT_NAGGREGATES of them. */
#define REPORT_NAGGREGATES 6
extern const char *const report_aggregate_names[REPORT_NAGGREGATES];

/* A statistic of s by its aggregate name (a REPORT_NAGGREGATES name); cv as a fraction. */
double report_aggregate_value(const struct stats *s, const char *which);

/* Google's aggregate_unit of an aggregate: "percentage" for cv (a fraction, which Google's
 * tools print as a percentage), "time" for the others. */
const char *report_aggregate_unit(const char *which);

/* Append Google Benchmark's aggregate rows of one benchmark to rows: name RUN_NAME_<aggregate>,
 * run_type aggregate, aggregate_name, aggregate_unit (report_aggregate_unit), repetitions and
 * iterations n, threads, real_time and cpu_time (and items_per_second when rate is not
 * NULL) from the statistics of its n chunks. real and cpu are ns per operation. */
void report_aggregate_rows(json_t *rows, const char *run_name, int threads, size_t n,
                           const struct stats *real, const struct stats *cpu,
                           const struct stats *rate);

#endif
