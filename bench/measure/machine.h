/* SPDX-License-Identifier: MIT */
/* The machine and build a run happens on, for the results' context (output/json.c), and the two
 * facts topology.c reads while loading: whether the machine is virtualised and its CPU model
 * (read them through topology.h). Harness-internal. */
#ifndef BENCH_MACHINE_H
#define BENCH_MACHINE_H

#include <stdbool.h>
#include <stddef.h>

#include <hwloc.h>

/* libgoc's spin policy, CHANBENCH_SPIN_POLICY: a copy of GOCI_SPIN_POLICY from
 * core/src/internal/spin.h that bench/CMakeLists.txt generates (the harness may not include
 * libgoc's internals). */
#include "spin_policy.h"

struct machine_info {
    char host[256];                 /* gethostname */
    char kernel[512];               /* uname: "Linux 6.1.0-18-amd64 #1 SMP ... x86_64" */
    char executable[1024];          /* /proc/self/exe */
    const char *compiler;           /* "gcc 12.2.0" / "clang 14.0.6" */
    const char *cflags;             /* CHANBENCH_C_FLAGS */
    const char *build_type;         /* CHANBENCH_BUILD_TYPE ("" when CMake had none) */
    const char *library_build_type; /* "release" (NDEBUG) or "debug", Google's key */
    const char *sanitizer;          /* "none", "thread", "address" */
    char git_commit[64];            /* the commit built from, "-dirty" if changed, or "unknown" */
    const char *hwloc_version;      /* HWLOC_VERSION of the headers built against */
    char hwloc_api[16];             /* hwloc_get_api_version() of the library loaded: "2.8.0" */
    const char *allocator;      /* "jemalloc" when malloc resolves into libjemalloc, else "libc" */
    char jemalloc_version[128]; /* mallctl("version"), "" without jemalloc */
    const char *spin_policy;    /* CHANBENCH_SPIN_POLICY */
    int cacheline;              /* GOC_CACHELINE */
    int num_cpus;               /* online CPUs */
    double mhz_per_cpu;         /* /proc/cpuinfo "cpu MHz" or cpufreq; 0 unknown */
    bool cpu_scaling_enabled;   /* a cpufreq governor other than "performance" */
    double load_avg[3];
};

/* Fill m. Runs `git` once (popen); call before starting benchmark threads. Never fails:
 * what cannot be found is "unknown" or 0. */
void machine_collect(struct machine_info *m);

/* True when the build is sanitized (CHANBENCH_SANITIZER non-empty), and its name ("none"
 * otherwise). */
bool machine_sanitized(void);
const char *machine_sanitizer(void);

/* Whether the machine runs under a hypervisor or in a container, as far as can be told. */
struct machine_virt {
    bool virtualized;    /* hypervisor flag, or a hypervisor named by cpuid or DMI */
    char hypervisor[64]; /* its name when known, else "" */
    bool container;      /* /.dockerenv or /run/.containerenv exists */
};

/* Fill v from the hypervisor flag of /proc/cpuinfo, cpuid (x86: the flag and the vendor
 * signature) and the DMI strings hwloc copied into topo's root (topo may be NULL: no DMI). */
void machine_virtualization(hwloc_topology_t topo, struct machine_virt *v);

/* The CPU model into buf: hwloc's CPUModel of topo's first package, else (unless synthetic,
 * where /proc/cpuinfo is not this topology's) /proc/cpuinfo's model name, else "unknown". */
void machine_cpu_model(hwloc_topology_t topo, bool synthetic, char *buf, size_t len);

#endif
