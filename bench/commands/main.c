/* SPDX-License-Identifier: MIT */
/* chanbench: dispatch the first word of the command line to a subcommand (commands.h). */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "run.h"

#define CHANBENCH_VERSION "0.2.0"

struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"list", cmd_list, "print every benchmark name (family/scenario/key=value/.../impl=NAME)"},
    {"run", cmd_run, "run benchmarks, print a table, write machine-stamped JSON results"},
    {"topology", cmd_topology,
     "the machine as hwloc sees it, and where each --pin policy puts "
     "threads"},
    {"limit", cmd_limit, "core-to-core latency matrix: the hardware floor"},
    {"compare", cmd_compare, "significance-tested differences between results files"},
    {"plot", cmd_plot, "PNG and SVG plots of results files through gnuplot"},
    {"store", cmd_store, "the results store: import, list, export runs; machines side by side"},
};

static void
usage(FILE *out) {
    fprintf(out, "usage: chanbench <command> [options]\n"
                 "What Go-style channels, select and locks cost on this machine, against other\n"
                 "implementations and the hardware's own limit.\n\n"
                 "commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'chanbench <command> --help' describes a command's options.\n"
                 "Start with: chanbench run --quick\n");
}

int
main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("chanbench %s\n", CHANBENCH_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(cmd, commands[i].name) == 0) {
            harness_set_command(argc, argv);
            return commands[i].fn(argc - 1, argv + 1);
        }
    }
    if (cmd[0] == '-')
        fprintf(stderr,
                "chanbench: unknown option '%s' before the command; run 'chanbench "
                "--help' for the commands\n",
                cmd);
    else
        fprintf(stderr, "chanbench: unknown command '%s'; run 'chanbench --help' for the list\n",
                cmd);
    return 2;
}
