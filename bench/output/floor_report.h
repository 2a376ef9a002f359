/* SPDX-License-Identifier: MIT */
/* The hardware floor (measure/floor.h) written out: in a results file (context.chanbench.limit,
 * the limit/ rows, extra.ratio_to_floor; docs/results-format.md) and on the console. */
#ifndef BENCH_FLOOR_REPORT_H
#define BENCH_FLOOR_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "floor.h"

/* {c2c_round_trip_ns, one_way_ns, ring_ns_per_msg} for context.chanbench.limit, plus
 * one_way_timestamped_ns, ring_slots and pairs (how many were measured). New reference. */
json_t *limit_context_json(const struct limit_result *r);

/* Append the iteration rows (one per run) of every measured pair to the benchmarks array:
 * limit/c2c/pu=A,B (op roundtrip) and limit/ring/pu=A,B (op msg), with params {pu: "A,B"},
 * placement, relation, CPU time, context switches, extra.one_way_ns and verified, as
 * docs/results-format.md; then, when aggregates is true, Google's aggregate rows (_mean,
 * _median, _stddev, _cv, _min, _max) for them. A run's real_time is the median over its batches
 * of about 50 us (so that a preempted batch does not set the floor); iterations is all the
 * operations of the run; cpu_time is both threads' CPU time over the run per operation.
 * 0, or -1 when out of memory. */
int limit_append_rows(const struct limit_result *r, json_t *benchmarks, bool aggregates);

/* Include the floor in a run's results document (the one report_document() builds, before it
 * is written): sets context.chanbench.limit, appends the limit/ rows with their aggregates, and
 * gives every chan/ and select/ iteration row extra.ratio_to_floor = real_time / floor, the
 * floor being the round trip for chan/pingpong rows and the ring's ns per message for the
 * others, taken for the row's placement (limit_floor_for on placement[].pu_requested). 0, or
 * -1 when doc is not a results document or memory ran out. */
int limit_add_to_document(json_t *doc, const struct limit_result *r);

/* The matrix (rows = initiating PU, columns = answering PU) or, with many PUs, the pairs by
 * relation; the per-relation medians; and the summary. */
void limit_print(FILE *out, const struct limit_result *r);

#endif
