/* SPDX-License-Identifier: MIT */
/* The order in which a run's chunks are measured. A run has arms — one (benchmark,
 * implementation) pair each, grouped by benchmark — and R rounds; every arm runs one chunk per
 * round. Interleaved (the default): in each round the benchmarks come in a fresh random order,
 * and each benchmark's arms run back to back in a fresh random order, so the two arms of a
 * ratio are at most one chunk apart in time, whatever the machine does meanwhile (randomized
 * multiple interleaved trials, Abedi & Brecht, ICPE 2017). Blocked (--no-interleave, for
 * comparison): arm after arm, each with all its rounds back to back, arms in rank order —
 * what chanbench did before rounds existed. Harness-internal; pure functions of their inputs
 * and the seed, so that a seed repeats an order and tests can check the properties. */
#ifndef BENCH_SCHEDULE_H
#define BENCH_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One arm as the scheduler sees it. */
struct sched_arm {
    int group; /* its benchmark: arms of one group are compared with each other */
    int rank;  /* blocked order: arms run in increasing rank, ties in array order */
};

/* One chunk to measure. */
struct sched_slot {
    int arm;      /* index into the arms array */
    int round;    /* 0..rounds-1 */
    int position; /* place within its round (interleaved) or within the run (blocked) */
};

/* The whole run's order: narms * rounds slots into out (room for that many), round by round
 * when interleaved. Returns the number written. */
size_t schedule_run(const struct sched_arm *arms, int narms, int rounds, uint64_t seed,
                    bool interleave, struct sched_slot *out);

/* A seed from the clock and the process id, for runs without --seed. */
uint64_t schedule_seed(void);

/* splitmix64: the generator behind the orders (exposed for tests and for the CI's
 * reproducibility). Advances *state and returns the next value. */
uint64_t schedule_next(uint64_t *state);

#endif
