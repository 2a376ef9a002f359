/* SPDX-License-Identifier: MIT */
/* One call of a scenario's run(): what bench_team_run() and the bench_* outcome functions
 * record (team.c), read by the engine (engine.c). Harness-internal. */
#ifndef BENCH_TRIAL_H
#define BENCH_TRIAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "harness.h"

#define TRIAL_MAX_EXTRA 8

enum trial_status { TRIAL_OK, TRIAL_FAILED, TRIAL_SKIPPED };

struct trial_extra {
    const char *key;
    double value;
};

struct bench_trial {
    /* Set by the driver before run(). */
    const char *pin; /* --pin policy for topo_plan */
    bool latency;    /* the scenario wants per-thread histograms */

    /* Outcome. Protected by lock (workers may call bench_fail). */
    pthread_mutex_t lock;
    enum trial_status status;
    char msg[256];

    /* Measurement, written by bench_team_run on the run() thread. */
    int teams;         /* bench_team_run calls that ran */
    int64_t wall_ns;   /* first start to last end, summed over teams */
    int64_t cpu_ns;    /* thread CPU time, summed over workers */
    long vcsw, ivcsw;  /* voluntary / involuntary context switches, summed over workers */
    int nthreads;      /* team size (of the last team) */
    int *pu_requested; /* nthreads entries, -1 unpinned (owned) */
    int *pu_observed;  /* nthreads entries, -1 unknown (owned) */
    const char *relation;
    struct bench_hist *lat; /* merged over workers when latency (owned) */

    /* Overrides from run(). */
    bool ops_set, elapsed_set;
    uint64_t ops;
    int64_t elapsed_ns;

    int nextra;
    struct trial_extra extra[TRIAL_MAX_EXTRA];
};

void trial_init(struct bench_trial *t, const char *pin, bool latency);
void trial_destroy(struct bench_trial *t);

#endif
