/* SPDX-License-Identifier: MIT */
/* `chanbench topology [--json]`: its arguments and exit status. What it prints is
 * output/topology_report.c's; the topology itself is measure/topology.c's. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "commands.h"
#include "topology.h"
#include "topology_report.h"

static void
topology_usage(FILE *out) {
    fprintf(out, "usage: chanbench topology [--json]\n"
                 "  The machine as hwloc sees it (packages, NUMA nodes, caches, cores, PUs), the\n"
                 "  CPUs this process may use, and where each pin policy puts threads.\n"
                 "  --json   print the context.chanbench.topology object of a results file\n");
}

int
cmd_topology(int argc, char **argv) {
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    bool as_json = false;
    optind = 0; /* glibc: reinitialise, argv[0] is the subcommand */
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (c) {
        case 'j':
            as_json = true;
            break;
        case 'h':
            topology_usage(stdout);
            return 0;
        default:
            fprintf(stderr, "chanbench topology: unknown option '%s' (try --help)\n",
                    argv[optind - 1]);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "chanbench topology: unexpected argument '%s' (try --help)\n",
                argv[optind]);
        return 2;
    }
    char err[512];
    if (topo_init(err, sizeof err) < 0) {
        fprintf(stderr, "chanbench topology: %s\n", err);
        return 1;
    }
    if (as_json) {
        json_t *o = topo_json();
        json_object_set_new(o, "cpu_model", json_string(topo_cpu_model()));
        json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', stdout);
        json_decref(o);
        return 0;
    }
    topo_print(stdout);
    return 0;
}
