/* SPDX-License-Identifier: MIT */
/* The machine as hwloc sees it, pin policies, and pinning threads to PUs. The topology is
 * loaded once per process. Errors are one-line messages written into err (never printed here)
 * so the caller decides how to report them. PU numbers are OS indexes (what taskset uses). */
#ifndef BENCH_TOPOLOGY_H
#define BENCH_TOPOLOGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/* Load the topology and the process's allowed CPU set (once; later calls return at once).
 * 0, or -1 with err set. */
int topo_init(char *err, size_t errlen);

int topo_num_pus(void);     /* PUs of the machine */
int topo_num_allowed(void); /* PUs this process may run on (cpuset, taskset) */
int topo_num_cores(void);

/* Where threads 0..n-1 go under a policy: "compact", "scatter", "smt", "none", or an explicit
 * comma list of PU numbers ("0,2,4"; ranges "0-3" too). Writes n PU numbers into pus (-1 for
 * "none": not pinned). Returns 0, or -1 with a one-line err that says what is wrong and what to
 * do (a PU that does not exist, a PU outside the allowed set, naming the set; "smt" on a machine
 * without SMT; more threads than allowed PUs for a list that is too short). For compact and
 * scatter, n above the allowed PUs wraps round (oversubscription is a valid experiment). */
int topo_plan(const char *policy, int n, int *pus, char *err, size_t errlen);

/* Pin the calling thread to one PU (hwloc_set_cpubind with HWLOC_CPUBIND_THREAD on a
 * singlified set); pu < 0 does nothing. 0, or -1 with err set. */
int topo_pin_self(int pu, char *err, size_t errlen);

/* The PU the calling thread last ran on (hwloc_get_last_cpu_location), -1 if unknown. */
int topo_last_pu(void);

/* How a set of PUs relates: "same-core", "same-l3", "same-numa", "none" (different NUMA
 * nodes or packages), or "unpinned" when any is -1. The tightest level shared by all. */
const char *topo_relation(const int *pus, int n);

/* The context.chanbench.topology object of docs/results-format.md, and cpu_model. */
json_t *topo_json(void);
const char *topo_cpu_model(void);

/* `chanbench topology`: packages, NUMA nodes, caches, cores, PUs, the allowed set (and a note
 * when it differs from the machine, or when running virtualised), and for each policy where
 * threads 0..N-1 go. */
void topo_print(FILE *out);

#endif
