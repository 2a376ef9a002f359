/* SPDX-License-Identifier: MIT */
/* The machine as hwloc sees it, pin policies, and pinning threads to PUs. The topology is
 * loaded once per process. Errors are one-line messages written into err (never printed here)
 * so the caller decides how to report them. PU numbers are OS indexes (what taskset uses).
 * The topology as JSON and as text is in output/topology_report.h. */
#ifndef BENCH_TOPOLOGY_H
#define BENCH_TOPOLOGY_H

#include <stdbool.h>
#include <stddef.h>

#include <hwloc.h>

/* Load the topology and the process's allowed CPU set (once; later calls return at once).
 * The allowed set is hwloc's allowed set (cgroup cpuset) intersected with the process's
 * binding (taskset), read at this call: call it from main before any thread pins itself.
 * Thread-safe; the other functions load on first use too. 0, or -1 with err set. */
int topo_init(char *err, size_t errlen);

/* For tests: replace the loaded topology with a synthetic one (hwloc_topology_set_synthetic,
 * e.g. "pack:2 l3:2 core:4 pu:2"), with allowed given as a PU list ("0-7") or NULL for all PUs.
 * Pinning is refused on a synthetic topology. topo_init_allowed does the same for the real
 * machine with an explicit allowed set (NULL: read it from the process again). topo_fini frees
 * whatever is loaded. None of these may run while another thread uses the topology. */
int topo_init_synthetic(const char *desc, const char *allowed, char *err, size_t errlen);
int topo_init_allowed(const char *allowed, char *err, size_t errlen);
void topo_fini(void);

int topo_num_pus(void);     /* PUs of the machine */
int topo_num_allowed(void); /* PUs this process may run on (cpuset, taskset) */
int topo_num_cores(void);
int topo_num_packages(void);
int topo_num_allowed_cores(void); /* cores with at least one allowed PU */
bool topo_has_smt(void);          /* some core has two allowed PUs: policy "smt" works */
bool topo_is_allowed(int pu);
bool topo_is_virtualized(void);      /* hypervisor flag in /proc/cpuinfo, cpuid or DMI */
const char *topo_hypervisor(void);   /* the hypervisor's name when known, else "" */
bool topo_in_container(void);        /* /.dockerenv or /run/.containerenv exists */
const char *topo_allowed_list(void); /* the allowed PUs as a list, "0-3,8" (for peers' --cpus) */
const char *topo_machine_list(void); /* every PU of the machine, allowed or not */

/* Where threads 0..n-1 go under a policy: "compact", "scatter", "smt", "none", or an explicit
 * comma list of PU numbers ("0,2,4"; ranges "0-3" too). Writes n PU numbers into pus (-1 for
 * "none": not pinned). Returns 0, or -1 with a one-line err that says what is wrong and what to
 * do (a PU that does not exist, a PU outside the allowed set, naming the set; "smt" on a machine
 * without SMT; more threads than allowed PUs for a list that is too short). For compact and
 * scatter, n above the allowed PUs wraps round (oversubscription is a valid experiment); "smt"
 * places at most the PUs of one core and refuses more. A plan is prefix-stable: thread i gets
 * the same PU whatever n is. Thread-safe. */
int topo_plan(const char *policy, int n, int *pus, char *err, size_t errlen);

/* The policies a user may give, for the one-line error of any bad --pin. */
#define TOPO_PIN_POLICIES "compact, scatter, smt, none or a PU list such as 0,2 or 0-3"

/* Whether policy is one of the names or a syntactically valid PU list (N or N-M items, N <= M,
 * comma-separated, no spaces): what topo_plan accepts before it asks whether the PUs exist.
 * Needs no topology. */
bool topo_policy_syntax_ok(const char *policy);

/* Pin the calling thread to one PU (hwloc_set_cpubind with HWLOC_CPUBIND_THREAD on a
 * singlified set); pu < 0 does nothing. A PU that does not exist or is not allowed is refused
 * before hwloc is asked. Thread-safe. 0, or -1 with err set (never ignored). */
int topo_pin_self(int pu, char *err, size_t errlen);

/* The PU the calling thread last ran on (hwloc_get_last_cpu_location with
 * HWLOC_CPUBIND_THREAD, else sched_getcpu), -1 if unknown. Thread-safe. */
int topo_last_pu(void);

/* How a set of PUs relates: "same-core", "same-l3" (same last-level cache), "same-numa",
 * "none" (different NUMA nodes or packages), or "unpinned" when any is -1 or n is 0. The
 * tightest level shared by all; one PU (or the same PU twice) is "same-core". */
const char *topo_relation(const int *pus, int n);

/* The relations topo_relation gives, from nearest to farthest: "same-core", "same-l3",
 * "same-numa", "none". Rank i's name, and the rank of a name (unknown: the farthest). */
#define TOPO_NRELATIONS 4
const char *topo_relation_name(int rank);
int topo_relation_rank(const char *relation);

const char *topo_cpu_model(void);     /* hwloc's CPUModel, else /proc/cpuinfo's, or "unknown" */
const char *topo_hwloc_version(void); /* of the library loaded at run time, e.g. "2.9.0" */

/* Read access for the reports (output/topology_report.c). The hwloc topology is NULL, and the
 * sets NULL, when none can be loaded; they are read only (never modify or destroy them) and
 * valid until topo_fini or topo_init_synthetic/topo_init_allowed. */
hwloc_topology_t topo_hwloc(void);
hwloc_const_bitmap_t topo_allowed_set(void); /* the PUs of topo_allowed_list */
hwloc_const_bitmap_t topo_machine_set(void); /* the PUs of topo_machine_list */
int topo_num_numa_nodes(void);
bool topo_machine_smt(void); /* some core of the machine has two PUs, allowed or not */
int topo_smt_size(void);     /* PUs policy "smt" places threads on (one core's), 0 if none */
bool topo_is_synthetic(void);

#endif
