/* SPDX-License-Identifier: MIT */
/* Executors: the Go and crossbeam peer programs (bench/peers/go, bench/peers/crossbeam), which
 * run scenarios with other implementations for chanbench. One is started per implementation
 * and run, kept alive, and given work orders — a benchmark, its thread placement, an
 * iteration count — over protocol 2 (docs/results-format.md, "Executors"); it answers with the
 * raw figures of one timed run, which become a chunk like any in-process one. Everything
 * else (the grid, iteration counts, order, statistics, percentiles) is chanbench's.
 * Harness-internal. */
#ifndef BENCH_EXECUTOR_H
#define BENCH_EXECUTOR_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "trial.h"

#define EXECUTOR_PROTOCOL 2

/* True for the impl names that executors provide ("go", "crossbeam"). */
bool executor_known(const char *impl);

/* The executors' impl names, comma-separated, into buf (for messages). */
void executor_names(char *buf, size_t len);

/* The program to run for impl: $CHANBENCH_PEER_GO / $CHANBENCH_PEER_CROSSBEAM when set and not
 * empty, else the one installed beside chanbench (PREFIX/libexec/chanbench/, found from
 * /proc/self/exe), else the path the build put it at (compiled in). NULL when there is none to
 * run, with
 * why set to one line saying why and what to do, e.g. "go not found at build time; install
 * golang-go (scripts/setup.sh) and rebuild". */
const char *executor_program(const char *impl, char *why, size_t len);

/* A running executor. Fields are the module's; read impl, info and dead. */
struct executor {
    const char *impl;
    const char *program;
    pid_t pid;
    int fd; /* the socket that is the child's stdin and stdout, when open */
    bool open;
    double timeout_s; /* the base of every deadline */
    uint64_t next_id; /* the id of the next run order */
    char *buf;        /* bytes read and not yet consumed as lines */
    size_t len, cap;
    json_t *info;  /* the hello answer (owned): impl, version, library_version, ... */
    bool dead;     /* killed or exited: every later order fails at once with why */
    bool missing;  /* there was no program to start (not built): its arms are skipped */
    char why[512]; /* what ended it */
};

/* Start program with --serve and greet it (hello protocol=EXECUTOR_PROTOCOL). The child gets
 * its own process group (a Ctrl-C for chanbench does not kill it mid-chunk: chanbench stops
 * after the chunk and quits it) and dies with chanbench (PR_SET_PDEATHSIG). 0, or -1 with err
 * set to one line ("cannot run PATH: REASON", "exited with status 2 before answering hello",
 * "speaks protocol 1, this chanbench speaks 2", "answered hello with ...") and the child
 * gone. */
int executor_start(struct executor *e, const char *impl, const char *program, double timeout_s,
                   char *err, size_t errlen);

/* What one run order gave. */
struct executor_figures {
    uint64_t ops;
    int64_t wall_ns, cpu_ns; /* cpu_ns: the executor's whole process (its cpu_time_scope) */
    long vcsw, ivcsw;
    int threads;
    struct bench_hist *hist; /* latency, in hist.c's layout (owned); NULL when not measured */
    int nextra;
    struct trial_extra extra[TRIAL_MAX_EXTRA]; /* keys interned: they live as long as the
                                                * program */
    char affinity[128];
    int gomaxprocs; /* -1 when null */
};

void executor_figures_free(struct executor_figures *f);

enum executor_status {
    EXEC_OK,      /* figures filled in */
    EXEC_REFUSED, /* it answered ok: false with "error" (an unknown benchmark, a parameter it
                   * cannot run): this benchmark fails, the executor goes on */
    EXEC_FAILED,  /* the run's own check failed ("failed"): the executor exits */
    EXEC_BROKEN,  /* no valid answer: it died, missed its deadline, answered garbage, another
                   * id or another protocol; it has been killed and is dead from now on */
};

/* Run bench (a name without /impl=) once with iters operations, threads placed on
 * pus[0..npus-1] (npus 0: "pus=none", unpinned). The answer's deadline is timeout_s plus ten
 * times expect_s (the chunk's expected length; 0 when unknown). Signals arriving meanwhile do
 * not cut it short (the run stops after the chunk). Returns the status; for anything but
 * EXEC_OK, msg holds one line saying what happened. */
enum executor_status executor_run(struct executor *e, const char *bench, const int *pus, int npus,
                                  uint64_t iters, double expect_s, struct executor_figures *out,
                                  char *msg, size_t msglen);

/* Say quit, give it a moment to exit, then kill it; free what e holds. Safe on a dead or
 * never-started executor (zero-filled). */
void executor_stop(struct executor *e);

/* Parse one answer line (without its newline) to a run order with id want_id: the status, and
 * for EXEC_OK the figures; msg says what is wrong otherwise. Exposed for tests. */
enum executor_status executor_parse_answer(const char *line, uint64_t want_id,
                                           struct executor_figures *out, char *msg, size_t msglen);

/* Check the answer line to hello (without its newline) of an executor of impl: the info
 * object (owned by the caller), or NULL with msg saying what is wrong ("speaks protocol 1, this
 * chanbench speaks 2", ...). Exposed for the protocol fuzzer (bench/fuzz/). */
json_t *executor_parse_hello(const char *line, const char *impl, char *msg, size_t msglen);

#endif
