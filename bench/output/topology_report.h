/* SPDX-License-Identifier: MIT */
/* The loaded topology (measure/topology.h) written out: as the results files' JSON and as the
 * text of `chanbench topology`. Loading, policies and pinning stay in measure/topology.c; the
 * command's arguments are in commands/topology.c. Harness-internal. */
#ifndef BENCH_TOPOLOGY_REPORT_H
#define BENCH_TOPOLOGY_REPORT_H

#include <stdio.h>

#include <jansson.h>

/* The context.chanbench.topology object of docs/results-format.md (new reference; it also
 * carries "hypervisor" when one is named). */
json_t *topo_json(void);

/* Google Benchmark's context.caches list: [{type, level, size, num_sharing}], one entry per
 * kind of cache (new reference). */
json_t *topo_google_caches_json(void);

/* `chanbench topology`: packages, NUMA nodes, caches, cores, PUs, the allowed set (and a note
 * when it differs from the machine, or when running virtualised), and for each policy where
 * threads 0..N-1 go. */
void topo_print(FILE *out);

#endif
