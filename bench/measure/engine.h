/* SPDX-License-Identifier: MIT */
/* The measurement engine behind `chanbench run`: arms, calibration, interleaved rounds with a
 * floor probe around every chunk, and the analysis of what they gave (machine modes, paired
 * ratios). One engine times every implementation — libgoc, the in-process peers and the
 * executors — with the same iteration rule, warm-up, order and estimators. Selecting the
 * benchmarks, the floor, the console and the files are run.c's. Harness-internal. */
#ifndef BENCH_ENGINE_H
#define BENCH_ENGINE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cli.h"
#include "executor.h"
#include "modes.h"
#include "paired.h"
#include "registry.h"
#include "report.h"
#include "schedule.h"

#define ENGINE_CONTROL "goc.control" /* the A/A control arm's impl label */

enum arm_state { ARM_ACTIVE, ARM_FAILED, ARM_SKIPPED };

/* One (benchmark, implementation) pair, measured once per round. */
struct arm {
    const struct bench_instance *inst;
    const char *impl; /* inst's impl name, or ENGINE_CONTROL */
    bool control;
    int group;           /* its benchmark: index into engine.groups */
    uint64_t iters;      /* per chunk, from calibration */
    double chunk_s;      /* the last chunk's length, for executor deadlines */
    int probe_pu[2];     /* the PU pair its probes use; -1 when it runs on one PU only */
    struct executor *ex; /* for an executor impl */
    enum arm_state state;
    struct bench_result res; /* its chunks, one per round it completed */
};

/* What one round gave, beside its chunks. */
struct round_info {
    double started_s; /* since the run's first chunk */
    double duration_s;
    double steal_ms; /* CPU time the hypervisor stole from the run's PUs during the round */
    int chunks;      /* chunks it completed */
};

/* One paired ratio: goc against another arm of the same benchmark, over all rounds or over
 * the rounds whose two chunks were both in one mode. */
enum paired_metric { PAIRED_REAL, PAIRED_CPU, PAIRED_P99 };

struct paired_row {
    int group;
    const char *numerator;   /* "goc" */
    const char *denominator; /* the other arm's impl: "go", "naive", "goc.control", ... */
    enum paired_metric metric;
    int mode; /* -1: every round ("all"); else a mode index */
    struct paired_stat st;
    double *per_round; /* the ratios, in round order (owned) */
    char warn[384];    /* stability warnings, "" when none */
};

/* What engine_run tells its recorder (the journal, measure/journal.h) as it happens. */
enum engine_event_kind {
    ENGINE_CHUNK, /* arm finished chunk rep; e->probes[probe_from..e->nprobes) are the probe
                   * readings taken since the last chunk event */
    ENGINE_ROUND, /* a stretch of round `round` ended: e->round[round] holds its figures */
    ENGINE_ARM,   /* arm failed or was skipped (arm->state), its chunks dropped */
};

struct engine_event {
    enum engine_event_kind kind;
    const struct arm *arm;
    const struct rep_result *rep;
    int round;
    size_t probe_from;
    double elapsed_s; /* since the run's first chunk (a resumed run's included) */
};

struct engine {
    const struct run_options *opts;
    /* Called with every event (NULL: none); set after engine_init. */
    void (*record)(void *ctx, const struct engine *e, const struct engine_event *ev);
    void *record_ctx;
    size_t probes_recorded; /* e->probes up to here went out with a chunk event */
    /* A resumed run (journal_restore): the chunks it restored, and how long the run had
     * lasted, so that started_s continues where it stopped. */
    size_t chunks_restored;
    double elapsed_restored_s;
    struct arm *arms;
    int narms;
    char **groups; /* benchmark names without impl, one per group (owned) */
    int ngroups;
    struct executor ex[CLI_MAX_IMPLS];
    int nex;
    uint64_t seed;
    int rounds;               /* rounds asked for */
    struct round_info *round; /* rounds entries */
    int rounds_done;          /* complete rounds (interleaved) */
    size_t chunks_done, chunks_total;
    int64_t t0_ns;                /* the first chunk's start */
    struct probe_reading *probes; /* every probe reading of the rounds, in order (a reading
                                   * between two chunks serves both) */
    size_t nprobes, capprobes;
    int failed;        /* arms and executors that failed (the run's exit status is 1) */
    int skipped_impls; /* executors skipped because they were not built */
    /* Analysis (engine_analyse). */
    struct mode_set modes;
    size_t straddling, unprobed; /* chunks tagged so */
    struct paired_row *paired;
    size_t npaired;
    double steal_ms; /* the whole run's */
};

/* Build the arms of v[0..n-1] (grouped by benchmark; a goc.control arm beside goc in every
 * group that has another impl, unless --no-control), start the executors they need (an
 * executor that cannot start is one line and its arms are skipped), and size the round
 * table. Returns 0, or -1 when out of memory. say(line) prints a progress-safe line. */
int engine_init(struct engine *e, const struct run_options *o, struct bench_instance *v, size_t n,
                void (*say)(const char *line));

/* Calibrate every arm (its warm-up calls, grown until one lasts --min-time), then run the
 * rounds in the order schedule_run gives, probing the floor before and after each chunk. A
 * chunk an arm already holds for its round (restored from a journal) is not run again, and an
 * arm that holds all its rounds is not calibrated.
 * Stops after the current chunk when *stop becomes non-zero. progress(e, arm, what) is called
 * before each call. Lines about failures and skips go through say(). */
void engine_run(struct engine *e, volatile sig_atomic_t *stop,
                void (*progress)(const struct engine *e, const struct arm *a, const char *what),
                void (*say)(const char *line));

/* Group the probes into modes, tag every chunk, and compute the paired ratios. 0, or -1 when
 * out of memory. */
int engine_analyse(struct engine *e);

/* Stop the executors, free everything. */
void engine_free(struct engine *e);

/* The finished arms' results (arms that completed at least one chunk), in arm order, as an
 * array of pointers into the arms (owned array, borrowed results). */
const struct bench_result **engine_results(const struct engine *e, size_t *n);

/* The executors' hello answers with program and protocol, for context.chanbench.peers (new
 * reference; an empty array when none ran). */
json_t *engine_peers_json(const struct engine *e);

#endif
