/* SPDX-License-Identifier: MIT */
/* The scenario API of chanbench: what a scenario family file (bench/scenarios/<family>.c)
 * declares and calls. The machinery behind it (grid expansion, iteration choice, statistics,
 * writers, the command line) lives in the other harness files and is not for scenarios.
 *
 * How a family plugs in
 * ---------------------
 * A family file exports exactly one `const struct bench_family bench_<family>` and adds it,
 * by hand, to the array in bench/commands/families.c (no constructors, nothing dropped by the
 * linker). A family has scenarios; each scenario declares its parameter grid as data and one
 * run function:
 *
 *     static const struct bench_param spsc_params[] = {
 *         {"cap", BENCH_PARAM_INT, BENCH_VALUES("0", "1", "16", "64", "1024"),
 *          BENCH_VALUES("1024")},
 *         {"size", BENCH_PARAM_INT, BENCH_VALUES("8", "64", "512"), BENCH_VALUES("8")},
 *         BENCH_PARAMS_END,
 *     };
 *     static const struct bench_scenario chan_scenarios[] = {
 *         {.name = "spsc", .op = "msg", .params = spsc_params, .impls = chan_impls,
 *          .run = spsc_run},
 *         BENCH_SCENARIOS_END,
 *     };
 *     const struct bench_family bench_chan = {.name = "chan", .scenarios = chan_scenarios};
 *
 * The harness expands the grid (cartesian product, first parameter slowest, impl fastest)
 * into benchmark names `family/scenario/key=value/.../impl=NAME` (docs/results-format.md),
 * keeps the names that --filter, --impl, --threads and --quick select, and for each one:
 * calls run() with growing iteration counts until one call lasts --min-time (the warm-up and
 * calibration), then once per round with that count, each call one chunk; the chunks of all
 * benchmarks and impls are interleaved in a fresh random order each round (schedule.h).
 *
 * What run() does
 * ---------------
 * run(r) performs exactly r->iters operations (messages, round trips, lock+unlock pairs...;
 * the scenario's `op`) with threads started through bench_team_run(), checks its own result
 * (every message received once, sums match) and returns 0; or calls bench_fail() and returns
 * -1. Setup (make channels) and teardown (free them) happen in run() around the team, outside
 * the timed region. A failed self-check fails the whole run loudly (exit status 1) and that
 * benchmark is never written as a result. A benchmark the machine cannot run as asked (the pin
 * policy cannot place its threads) is skipped with a message: bench_team_run() does that by
 * itself; a scenario may also call bench_skip().
 *
 * Timing, CPU time, context switches, placement and latency are all collected by
 * bench_team_run(): the scenario never reads a clock for the main measurement. Each worker is
 * pinned (per --pin) before the start barrier; all workers leave the barrier together; the
 * wall time of the repetition runs from the first worker leaving the barrier to the last
 * worker returning; CPU time and voluntary/involuntary context switches are per-thread
 * (CLOCK_THREAD_CPUTIME_ID, getrusage(RUSAGE_THREAD)) over the same region, summed over the
 * team. Scenarios with `.latency = true` get one histogram per worker (t->hist) and record
 * what they measure into it with bench_hist_record(); the harness merges them.
 *
 * Threads: all functions here may be called from run(); those marked "any thread" may also
 * be called from workers. */
#ifndef BENCH_HARNESS_H
#define BENCH_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "hist.h" /* the latency histograms workers record into */

/* ---- declaring families ------------------------------------------------------------------ */

/* How a parameter's values are read and which options touch it. */
enum bench_param_kind {
    BENCH_PARAM_INT,      /* an integer: "0", "1024" (written as a number in params) */
    BENCH_PARAM_THREADS,  /* a thread count: an integer, or "pus", "2pus", "cores", "4cores"
                           * (this process's allowed PUs, or cores with an allowed PU,
                           * times k), resolved when the grid is expanded, duplicates
                           * dropped; --threads LIST replaces the values of every parameter
                           * of this kind */
    BENCH_PARAM_DURATION, /* a time: "0", "500ns", "1us", "100us", "2ms", "1s" (kept as text
                           * in the name and params; bench_param_ns() reads it) */
    BENCH_PARAM_TEXT,     /* anything else, e.g. "read" policies; written as a string */
};

/* One key of a scenario's grid. values and quick are NULL-terminated lists of texts; write
 * them with BENCH_VALUES(...). quick is the --quick grid: NULL means "values[0] only", an
 * empty list (BENCH_VALUES_NONE) leaves the scenario out of --quick altogether. Keys are lower
 * case, in the order they appear in names; "impl" is not a parameter (see bench_impl). */
struct bench_param {
    const char *key;
    enum bench_param_kind kind;
    const char *const *values;
    const char *const *quick;
};

#define BENCH_VALUES(...) ((const char *const[]){__VA_ARGS__, NULL})
#define BENCH_VALUES_NONE ((const char *const[]){NULL})
#define BENCH_PARAMS_END                                                                           \
    { NULL, BENCH_PARAM_INT, NULL, NULL }

/* An implementation a scenario runs against: the `impl=` key. ops points to an ops table
 * whose type the family and its peers agree on (struct chan_ops in ops.h for channels);
 * the harness only passes it through as r->ops. An executor impl (BENCH_EXECUTOR: the Go and
 * crossbeam programs, executor.h) has no ops: the harness sends the benchmark's name to that
 * program instead of calling run(), and the scenario must say its team size (.threads).
 * Executor impls, and in-process impls this chanbench was built without (BENCH_IMPL_MISSING),
 * run only when --impl names them; all others run by default. */
struct bench_impl {
    const char *name; /* "goc", "naive", "pthread", "spin", "ck", "ck.br", "go", "crossbeam" */
    const void *ops;
    bool executor;
    /* What a reader of its rows must know that the name does not say (one line, e.g. "ck_ring,
     * spin-then-yield wait (not blocking)"): printed under the run's table and written as the
     * rows' impl_note. NULL for none. */
    const char *note;
    /* An in-process impl this chanbench was built without (ops NULL): why, one line. It is
     * left out of the default selection, and skipped with this line when --impl names it. */
    const char *missing;
};

#define BENCH_IMPL(name, ops)                                                                      \
    { name, ops, false, NULL, NULL }
#define BENCH_IMPL_NOTE(name, ops, note)                                                           \
    { name, ops, false, note, NULL }
#define BENCH_IMPL_MISSING(name, why)                                                              \
    { name, NULL, false, NULL, why }
#define BENCH_EXECUTOR(name)                                                                       \
    { name, NULL, true, NULL, NULL }
#define BENCH_EXECUTOR_NOTE(name, note)                                                            \
    { name, NULL, true, note, NULL }
#define BENCH_IMPLS_END                                                                            \
    { NULL, NULL, false, NULL, NULL }

struct bench_run;
struct bench_instance;

struct bench_scenario {
    const char *name;                 /* "spsc": the second part of the name */
    const char *op;                   /* what one operation is: "msg", "roundtrip", "lockop",
                                       * "item", "cancel" (the row's op key; msgs/s etc.) */
    const struct bench_param *params; /* the grid, ended by BENCH_PARAMS_END; may be NULL */
    const struct bench_impl *impls;   /* ended by BENCH_IMPLS_END; at least one */
    int (*run)(struct bench_run *r);  /* one repetition; see above */
    /* Optional: false drops a combination of the grid (e.g. consumers > producers). Called
     * at expansion, with only the bench_param_*() accessors usable on inst. */
    bool (*valid)(const struct bench_instance *inst);
    /* The number of threads run() starts for inst (bench_team_run's team). Required when
     * impls has an executor impl: the harness places an executor's threads itself. */
    int (*threads)(const struct bench_instance *inst);
    bool latency;       /* give each worker a latency histogram (t->hist) */
    uint64_t min_iters; /* iterations of the first warm-up call (0: 16); a multiple of it is
                         * not guaranteed, so split work with bench_share() */
    uint64_t max_iters; /* cap on iterations (0: none), for very slow operations */
};

#define BENCH_SCENARIOS_END                                                                        \
    { .name = NULL }

struct bench_family {
    const char *name;                       /* "chan": the first part of the name */
    const char *summary;                    /* one line for `chanbench list --help` */
    const struct bench_scenario *scenarios; /* ended by BENCH_SCENARIOS_END */
};

/* ---- one benchmark and its parameters ---------------------------------------------------- */

/* A benchmark instance (one name). Opaque; read it with these. The strings live as long as
 * the program. */
const char *bench_name(const struct bench_instance *inst);
const char *bench_impl_name(const struct bench_instance *inst);

/* The value of parameter key. Asking for a key the scenario did not declare is a programming
 * error: the harness prints it and aborts. bench_param_int reads INT and THREADS values,
 * bench_param_ns reads DURATION values in nanoseconds, bench_param_str any value's text. */
long long bench_param_int(const struct bench_instance *inst, const char *key);
int64_t bench_param_ns(const struct bench_instance *inst, const char *key);
const char *bench_param_str(const struct bench_instance *inst, const char *key);

/* Whether thread-count parameter key suits this machine: at most twice the PUs this process
 * may use (oversubscription shows without the grid exploding on small machines), or any
 * count when --threads (or a profile) asked for it. For the scenarios' valid(). */
bool bench_threads_fit(const struct bench_instance *inst, const char *key);

/* The PUs this process may use (at least 1). */
long bench_allowed_pus(void);

/* What run() receives for one call (one warm-up trial or one repetition). */
struct bench_run {
    const struct bench_instance *inst; /* which benchmark: name, params, impl */
    const void *ops;                   /* the impl's ops table (bench_impl.ops) */
    uint64_t iters;                    /* operations to perform in this call, >= 1 */
    bool warmup;                       /* true for the calls that choose the iteration count */
    struct bench_trial *trial;         /* harness-private */
};

/* The share of total items that worker i of n does: total/n, the first total%n get one more.
 * The shares add up to total. */
uint64_t bench_share(uint64_t total, int n, int i);

/* ---- threads ---------------------------------------------------------------------------- */

/* One worker of a team, as its function sees it. */
struct bench_thread {
    int index;               /* 0..nthreads-1 over the whole team (also its place in --pin) */
    int role_index;          /* 0..count-1 within its role */
    int nthreads;            /* team size */
    void *arg;               /* the role's arg */
    struct bench_hist *hist; /* this worker's latency histogram; NULL unless .latency */
    struct bench_run *run;   /* for bench_fail() */
};

typedef void (*bench_worker_fn)(struct bench_thread *t);

/* A group of identical workers: count threads running fn(t) with t->arg = arg. */
struct bench_role {
    bench_worker_fn fn;
    void *arg;
    int count;
};

/* Start a team, run it once, wait for every worker, and record the measurement of this call.
 * Threads are numbered in role order (role 0's workers first); thread i is pinned to the i-th
 * PU of the --pin plan for the team size before the start barrier; SIGINT and SIGTERM are
 * blocked in workers (the harness handles them between repetitions). Returns 0; or -1 when the
 * team could not run: the plan cannot place this many threads (the benchmark is skipped, with
 * the reason), pinning or thread creation failed (the run fails). On -1 no worker has run;
 * run() cleans up and returns -1. Call it once per run() call (a second call in the same
 * run() adds its time, CPU time and counts to the first). */
int bench_team_run(struct bench_run *r, const struct bench_role *roles, int nroles);

/* The same for n workers of one role. */
int bench_team_run_n(struct bench_run *r, int n, bench_worker_fn fn, void *arg);

/* ---- outcome ---------------------------------------------------------------------------- */

/* The scenario's own check failed (a message lost or duplicated, a sum that does not match):
 * records the message (printf-style, one line, without the benchmark name, which the harness
 * adds) for the run to report loudly. The first message wins. Any thread. Returns -1 so that
 * run() can `return bench_fail(r, ...)`. */
int bench_fail(struct bench_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* This benchmark cannot run here (say why, one line): it is skipped with that message, and
 * the run goes on. Call from run() before any work. Returns -1. */
int bench_skip(struct bench_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A scenario-specific number for this repetition's `extra` object ("share_min": 0.24). At
 * most 8 keys; key must be a string literal or otherwise outlive the run. From run() only. */
void bench_extra(struct bench_run *r, const char *key, double value);

/* Overrides, from run() after the team has finished: the number of operations actually done
 * (when the scenario cannot do exactly r->iters), and the elapsed wall time in ns (when the
 * scenario times a narrower region itself, e.g. from a cancel to the last worker's return). */
void bench_set_ops(struct bench_run *r, uint64_t ops);
void bench_set_elapsed_ns(struct bench_run *r, int64_t ns);

/* ---- clock ------------------------------------------------------------------------------ */

/* CLOCK_MONOTONIC in nanoseconds. Its cost is measured once per run and recorded
 * (context.chanbench.clock_overhead_ns). Any thread. */
static inline int64_t
bench_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Busy-wait for about ns nanoseconds of work (a critical section, a stage's work), reading the
 * clock; 0 returns at once. Any thread. */
void bench_spin_ns(int64_t ns);

#endif
