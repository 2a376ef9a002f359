/* SPDX-License-Identifier: MIT */
/* The chanbench subcommands. main.c parses the first word and calls one of these with the
 * remaining arguments (argv[0] is the subcommand name). Each returns the process exit status:
 * 0 success, 1 a benchmark or check failed, 2 bad usage or bad input. */
#ifndef BENCH_COMMANDS_H
#define BENCH_COMMANDS_H

int cmd_list(int argc, char **argv);     /* run.c */
int cmd_run(int argc, char **argv);      /* run.c */
int cmd_topology(int argc, char **argv); /* topology.c */
int cmd_limit(int argc, char **argv);    /* limit.c */
int cmd_compare(int argc, char **argv);  /* compare.c */
int cmd_plot(int argc, char **argv);     /* plot.c */
int cmd_store(int argc, char **argv);    /* store.c */

/* Every scenario family of the program, ended by NULL (families.c). */
struct bench_family;
extern const struct bench_family *const bench_families[];

#endif
