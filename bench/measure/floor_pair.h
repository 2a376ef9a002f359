/* SPDX-License-Identifier: MIT */
/* Measuring one pair of PUs for the hardware floor (floor_pair.c): the round trip, the
 * timestamped one-way trips and the ring, in runs of about run_s each. floor.c chooses the
 * pairs and summarises them. Harness-internal. */
#ifndef BENCH_FLOOR_PAIR_H
#define BENCH_FLOOR_PAIR_H

#include <stdbool.h>
#include <stddef.h>

#include "floor.h"

/* Measure p (its a, b and relation set): runs timed runs of the round trip (and, with do_ring,
 * of a ring of slots 8-byte slots) of about run_s seconds each, with two threads pinned to
 * p->a and p->b; fills p's per-run figures and medians. 0, or -1 with a one-line err
 * ("limit: ..."). */
int floor_measure_pair(const struct limit_opts *o, int runs, double run_s, bool do_ring, int slots,
                       struct limit_pair *p, char *err, size_t errlen);

#endif
