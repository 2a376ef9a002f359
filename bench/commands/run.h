/* SPDX-License-Identifier: MIT */
/* The driver behind `chanbench run` and `chanbench list` (run.c), callable with any family
 * list so that tests can run their own families through the real machinery.
 * Harness-internal. */
#ifndef BENCH_RUN_H
#define BENCH_RUN_H

#include "harness.h"

/* `chanbench run` / `chanbench list` over families (NULL-terminated). argv[0] is the
 * subcommand. Return the exit status (commands.h). */
int harness_run(int argc, char **argv, const struct bench_family *const *families);
int harness_list(int argc, char **argv, const struct bench_family *const *families);

/* What `chanbench run` adds to the families' benchmarks (cmd_run passes it; harness_run,
 * which tests call with their own families, does not):
 *   HARNESS_RUN_FLOOR  the hardware floor (measure/floor.h), measured once before the
 *                      benchmarks when there is no --filter or it matches a limit/ name, and
 *                      written into the results (context.chanbench.limit, limit/ rows,
 *                      extra.ratio_to_floor) and the table. */
#define HARNESS_RUN_FLOOR 1u
/*   HARNESS_RUN_STORE  once the results file is written, the run is recorded in the results
 *                      store (store.h; --store, --no-store), a failure being a warning. */
#define HARNESS_RUN_STORE 2u
int harness_run_with(int argc, char **argv, const struct bench_family *const *families,
                     unsigned extras);

/* Record the program's whole command line for context.chanbench.command (main.c calls it;
 * without it the command is rebuilt from the subcommand's arguments). */
void harness_set_command(int argc, char **argv);

/* The cost of one bench_now_ns() call in ns: the minimum over a few batches of back-to-back
 * calls. */
double harness_clock_overhead_ns(void);

#endif
