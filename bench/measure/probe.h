/* SPDX-License-Identifier: MIT */
/* The floor probe: a short core-to-core round trip taken right before and after every chunk
 * of a run, so that each sample carries the state the machine was in when it was taken (on a
 * virtual machine the host moves the vCPUs several times a second, and the round trip jumps
 * between modes such as ~75 and ~450 ns). The full floor measurement, with its matrix and
 * ring, is floor.c; this is its one-millisecond reading. Harness-internal. */
#ifndef BENCH_PROBE_H
#define BENCH_PROBE_H

#include <stddef.h>
#include <stdint.h>

/* How long one probe bounces its cache line (the two threads' start and join come on top). */
#define PROBE_BUDGET_NS 1000000

/* What one probe read. */
struct probe_reading {
    double c2c_ns;  /* round trip of one cache line */
    double ring_ns; /* ns per message through a minimal SPSC ring (limit.c's floor, small) */
};

/* Read the floor between PU a and PU b: two threads pinned there bounce a counter for about
 * budget_ns in batches of a few dozen round trips, then stream a few thousand messages
 * through a 256-slot ring in batches; each figure is its median batch (so that a batch during
 * which a vCPU was descheduled does not set it). Blocks for about budget_ns plus the ring
 * (well under a millisecond) and two thread starts; spins both PUs flat out meanwhile, so
 * call it with no benchmark running. 0, or -1 (both figures NAN) with err set to one line
 * when a thread cannot be started or pinned, or the partner answers nothing for 100 ms (its
 * vCPU descheduled for that long). */
int probe_take(int a, int b, int64_t budget_ns, struct probe_reading *out, char *err,
               size_t errlen);

#endif
