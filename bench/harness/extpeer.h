/* SPDX-License-Identifier: MIT */
/* Out-of-process peers (docs/results-format.md, "Out-of-process peers"): the Go and crossbeam
 * programs of bench/peers/go and bench/peers/crossbeam, which `chanbench run --impl go,crossbeam`
 * runs beside the in-process implementations. Where each program is, how to list its
 * benchmarks and run a selection of them, and how its JSON becomes results of the run (rows
 * validated, then kept as the peer wrote them; aggregates are the harness's, report.c).
 * Harness-internal. */
#ifndef BENCH_EXTPEER_H
#define BENCH_EXTPEER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "report.h"

/* True for the impl names of out-of-process peers ("go", "crossbeam"). */
bool extpeer_known(const char *impl);

/* The peers' impl names, comma-separated, into buf (for messages). */
void extpeer_names(char *buf, size_t len);

/* The program to run for impl: $CHANBENCH_PEER_GO / $CHANBENCH_PEER_CROSSBEAM when set and not
 * empty, else the path the build put it at (a compile-time define). NULL when there is none to
 * run, with why set to one line saying why and what to do (no "skipping" prefix), e.g. "go not
 * found at build time; install golang-go (scripts/setup.sh) and rebuild". */
const char *extpeer_program(const char *impl, char *why, size_t len);

/* Run argv[0] with argv (NULL-terminated), stdout captured into *out (NUL-terminated, owned,
 * *outlen bytes), stderr passed through. Returns 0 when it exited with status 0; otherwise -1
 * with err set to one line: "exited with status N", "was killed by signal N (NAME)", "cannot
 * run PATH: REASON". When *stop becomes non-zero while it runs (the harness's SIGINT/SIGTERM
 * flag; the signal must interrupt read(), i.e. no SA_RESTART) the child gets SIGTERM. *out is
 * set (possibly empty) even on failure; free it. */
int extpeer_exec(char *const *argv, char **out, size_t *outlen, volatile sig_atomic_t *stop,
                 char *err, size_t errlen);

/* PROGRAM --list --cpus CPUS [--quick]: the names it offers, owned (extpeer_free_names). 0, or -1
 * with a one-line err. */
int extpeer_list(const char *program, const char *cpus, bool quick, char ***names, size_t *n,
                 char *err, size_t errlen);
void extpeer_free_names(char **names, size_t n);

/* A regular expression that matches exactly names[0..n-1] in every dialect the peers accept
 * (RE2, the crossbeam peer's matcher, POSIX ERE): ^(a|b|...)$ with metacharacters escaped.
 * Owned; NULL when out of memory. */
char *extpeer_exact_filter(char *const *names, size_t n);

/* The number of threads the benchmark named name runs: threads=T, prod+cons, prod+1 (mpsc),
 * k+1 (fan-in), else 2 (spsc, pingpong, paced). */
int extpeer_team_size(const char *name);

/* The CPUs to pass as --cpus for benchmarks of at most team threads under pin policy pin: the
 * PUs topo_plan gives the first min(team, allowed) threads, sorted and without duplicates, in
 * the kernel's list form ("0-1", "0,2"); the allowed set for --pin none or when the plan
 * refuses. Needs topo_init. */
void extpeer_cpus(const char *pin, int team, char *buf, size_t len);

/* What a peer's run gave. */
struct extpeer_output {
    json_t *info;             /* the document's "peer" object (owned reference) */
    struct bench_result *res; /* one per benchmark, in order of first appearance (owned) */
    size_t nres;
};

/* Parse and validate a peer's stdout (text, len bytes) for impl: a JSON document
 * {"peer": {impl, version, library_version, gomaxprocs, affinity, ...}, "benchmarks": [...]}
 * whose rows are iteration rows of docs/results-format.md named .../impl=IMPL (every key but
 * placement), each among want[0..nwant-1] when want is not NULL. Rows of one name become one
 * bench_result (repetitions in repetition_index order) that keeps the rows themselves (r->rows)
 * and their figures (r->reps) for the aggregates and the table. 0, or -1 with err set to one
 * line saying what is wrong (invalid JSON with its line and column, a missing or mistyped key
 * with the row). */
int extpeer_parse(const char *impl, const char *text, size_t len, char *const *want, size_t nwant,
                  struct extpeer_output *out, char *err, size_t errlen);
void extpeer_output_free(struct extpeer_output *o);

#endif
