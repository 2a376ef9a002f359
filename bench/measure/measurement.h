/* SPDX-License-Identifier: MIT */
/* What a run measured, in memory: the chunks of each benchmark and implementation. The engine
 * (engine.c) fills it in, the writers (output/) write it out. Harness-internal. */
#ifndef BENCH_MEASUREMENT_H
#define BENCH_MEASUREMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness.h"
#include "probe.h"
#include "registry.h"
#include "trial.h"

/* One chunk of one benchmark and implementation (an iteration row of the results). */
struct rep_result {
    uint64_t ops;            /* operations done (Google's iterations) */
    double real_ns;          /* wall ns per operation */
    double cpu_ns;           /* CPU ns per operation, summed over threads (an executor's: its
                              * whole process) */
    double items_per_second; /* operations per wall second */
    long vcsw, ivcsw;        /* context switches, summed over threads */
    int nthreads;
    int *pu_requested; /* nthreads entries, -1 unpinned (owned; NULL when unknown) */
    int *pu_observed;  /* nthreads entries, -1 unknown (owned; NULL when unknown) */
    const char *relation;
    bool has_latency;
    struct bench_latency lat;
    int nextra;
    struct trial_extra extra[TRIAL_MAX_EXTRA];
    /* When and in what state of the machine it ran. */
    int round;                          /* its round */
    int position;                       /* its place in the round (blocked: in the run) */
    double started_s;                   /* since the run's first chunk */
    struct probe_reading before, after; /* floor probe readings; NAN when not probed */
    int mode; /* modes.h tag: a mode index, MODE_STRADDLE or MODE_UNPROBED */
};

/* One benchmark and implementation (an arm) with its chunks, one per round it finished. */
struct bench_result {
    const struct bench_instance *inst;
    const char *name; /* the run name: inst->name, or name_owned */
    const char *impl; /* inst's impl, or the control arm's "goc.control" */
    const char *op;   /* msg, roundtrip, lockop, ... */
    char *name_owned; /* the control arm's name (owned), else NULL */
    size_t nreps;
    struct rep_result *reps; /* owned */
};

void bench_result_free(struct bench_result *r);

#endif
