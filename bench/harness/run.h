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

/* Record the program's whole command line for context.chanbench.command (main.c calls it;
 * without it the command is rebuilt from the subcommand's arguments). */
void harness_set_command(int argc, char **argv);

/* The cost of one bench_now_ns() call in ns: the minimum over a few batches of back-to-back
 * calls. */
double harness_clock_overhead_ns(void);

#endif
