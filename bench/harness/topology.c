/* SPDX-License-Identifier: MIT */
/* The machine as hwloc sees it, the pin policies (compact, scatter, smt, none, a PU list),
 * pinning and checking where a thread ran, and `chanbench topology`. What the harness does with
 * a placement (recording it per benchmark) is in the run code; this file only answers where. */
#define _GNU_SOURCE /* sched_getaffinity, sched_getcpu, CPU_SET */
#include "topology.h"
#include "commands.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hwloc.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

/* The loaded topology and everything derived from it.
 * Invariants: once `loaded` is true (release; pairs with the acquire in ensure()), no field
 * changes until topo_fini() or topo_init_synthetic(), which only single-threaded callers (tests)
 * use; so readers need no lock. compact/scatter hold every allowed PU exactly once; smt holds
 * the allowed PUs of one core, or is empty. */
static struct {
    atomic_bool loaded;
    bool synthetic; /* loaded from a synthetic description: pinning is impossible */
    hwloc_topology_t topo;
    hwloc_bitmap_t machine; /* every PU of the machine, allowed or not */
    hwloc_bitmap_t allowed; /* PUs this process may use: cgroup cpuset and affinity */
    int *compact;           /* allowed PUs (OS indexes) in compact order */
    int *scatter;           /* allowed PUs in scatter order */
    int nallowed;           /* length of compact and scatter */
    int *smt;               /* allowed PUs of the first core that has two or more */
    int nsmt;
    bool machine_smt;    /* some core of the machine has two or more PUs */
    int llc_level;       /* level of the last-level data/unified cache, 0 if none */
    bool virtualized;    /* hypervisor flag, or a hypervisor named by cpuid or DMI */
    char hypervisor[64]; /* its name when known, else "" */
    bool container;      /* /.dockerenv or /run/.containerenv exists */
    char cpu_model[128]; /* hwloc CPUModel, else /proc/cpuinfo model name */
    char allowed_str[256];
    char machine_str[256];
} T;

static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;

/* ---- loading ---------------------------------------------------------------------------- */

static void
free_loaded(void) {
    if (T.topo)
        hwloc_topology_destroy(T.topo);
    hwloc_bitmap_free(T.machine);
    hwloc_bitmap_free(T.allowed);
    free(T.compact);
    free(T.scatter);
    free(T.smt);
    memset(&T, 0, sizeof T);
}

/* Scatter order of the allowed PUs below obj: the children's orders interleaved round-robin,
 * so that consecutive threads land under different children at the highest level that has
 * several (packages, then caches, then cores, then SMT siblings). Appends to out[*n]. */
static int
scatter_order(hwloc_obj_t obj, int *out, int *n) {
    if (obj->type == HWLOC_OBJ_PU) {
        if (hwloc_bitmap_isset(T.allowed, obj->os_index))
            out[(*n)++] = (int)obj->os_index;
        return 0;
    }
    unsigned k = obj->arity;
    if (k == 0)
        return 0;
    if (k == 1)
        return scatter_order(obj->children[0], out, n);
    int *buf = malloc(sizeof(int) * (size_t)T.nallowed);
    int *len = calloc(k, sizeof(int));
    int *off = calloc(k, sizeof(int));
    int *pos = calloc(k, sizeof(int));
    if (!buf || !len || !off || !pos) {
        free(buf);
        free(len);
        free(off);
        free(pos);
        return -1;
    }
    int used = 0;
    for (unsigned i = 0; i < k; i++) {
        off[i] = used;
        if (scatter_order(obj->children[i], buf, &used) < 0) {
            free(buf);
            free(len);
            free(off);
            free(pos);
            return -1;
        }
        len[i] = used - off[i];
    }
    for (int taken = 0; taken < used;) {
        for (unsigned i = 0; i < k; i++) {
            if (pos[i] < len[i]) {
                out[(*n)++] = buf[off[i] + pos[i]++];
                taken++;
            }
        }
    }
    free(buf);
    free(len);
    free(off);
    free(pos);
    return 0;
}

static void
detect_virtualization(void) {
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f) {
        char line[4096];
        while (fgets(line, sizeof line, f)) {
            if (strncmp(line, "flags", 5) == 0) {
                if (strstr(line, " hypervisor"))
                    T.virtualized = true;
                break;
            }
        }
        fclose(f);
    }
#if defined(__x86_64__) || defined(__i386__)
    unsigned a, b, c, d;
    if (__get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 31))) {
        T.virtualized = true;
        __cpuid(0x40000000, a, b, c, d);
        char sig[13];
        memcpy(sig, &b, 4);
        memcpy(sig + 4, &c, 4);
        memcpy(sig + 8, &d, 4);
        sig[12] = '\0';
        static const struct {
            const char *sig, *name;
        } known[] = {{"KVMKVMKVM", "KVM"},         {"Microsoft Hv", "Hyper-V"},
                     {"VMwareVMware", "VMware"},   {"XenVMMXenVMM", "Xen"},
                     {"TCGTCGTCGTCG", "QEMU TCG"}, {"ACRNACRNACRN", "ACRN"},
                     {" lrpepyh vr", "Parallels"}, {"bhyve bhyve ", "bhyve"},
                     {"QNXQVMBSQG", "QNX"},        {"VBoxVBoxVBox", "VirtualBox"}};
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
            if (strncmp(sig, known[i].sig, strlen(known[i].sig)) == 0) {
                snprintf(T.hypervisor, sizeof T.hypervisor, "%s", known[i].name);
                break;
            }
        }
    }
#endif
    /* hwloc copies DMI strings into the root's info attrs when /sys/class/dmi is readable. */
    if (!T.hypervisor[0] && T.topo) {
        hwloc_obj_t root = hwloc_get_root_obj(T.topo);
        const char *names[] = {"DMISysVendor", "DMIProductName", "DMIBoardVendor"};
        for (size_t i = 0; i < sizeof names / sizeof names[0] && !T.hypervisor[0]; i++) {
            const char *v = hwloc_obj_get_info_by_name(root, names[i]);
            if (!v)
                continue;
            const char *vm[] = {"QEMU",   "KVM",       "VMware",    "VirtualBox",
                                "Xen",    "Bochs",     "Parallels", "Microsoft Corporation Virtual",
                                "Google", "Amazon EC2"};
            for (size_t j = 0; j < sizeof vm / sizeof vm[0]; j++) {
                if (strstr(v, vm[j])) {
                    T.virtualized = true;
                    snprintf(T.hypervisor, sizeof T.hypervisor, "%s", v);
                    break;
                }
            }
        }
    }
    T.container = access("/.dockerenv", F_OK) == 0 || access("/run/.containerenv", F_OK) == 0;
}

static void
detect_cpu_model(void) {
    hwloc_obj_t pkg = hwloc_get_next_obj_by_type(T.topo, HWLOC_OBJ_PACKAGE, NULL);
    const char *m = pkg ? hwloc_obj_get_info_by_name(pkg, "CPUModel") : NULL;
    if (m && *m) {
        snprintf(T.cpu_model, sizeof T.cpu_model, "%s", m);
        return;
    }
    snprintf(T.cpu_model, sizeof T.cpu_model, "unknown");
    if (T.synthetic)
        return;
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) == 0 || strncmp(line, "Model", 5) == 0) {
            char *v = strchr(line, ':');
            if (!v)
                continue;
            v++;
            while (*v == ' ' || *v == '\t')
                v++;
            v[strcspn(v, "\n")] = '\0';
            if (*v) {
                snprintf(T.cpu_model, sizeof T.cpu_model, "%s", v);
                break;
            }
        }
    }
    fclose(f);
}

/* The allowed set of the real machine: what hwloc allows (cgroup cpuset, offline PUs removed)
 * intersected with the process's binding (taskset, sched_setaffinity). */
static int
read_allowed(char *err, size_t errlen) {
    hwloc_bitmap_copy(T.allowed, hwloc_topology_get_allowed_cpuset(T.topo));
    hwloc_bitmap_and(T.allowed, T.allowed, T.machine);
    hwloc_bitmap_t bind = hwloc_bitmap_alloc();
    if (!bind) {
        bench_seterr(err, errlen, "topology: out of memory");
        return -1;
    }
    if (hwloc_get_cpubind(T.topo, bind, HWLOC_CPUBIND_PROCESS) < 0) {
        cpu_set_t cs;
        CPU_ZERO(&cs);
        if (sched_getaffinity(0, sizeof cs, &cs) < 0) {
            bench_seterr(err, errlen, "topology: cannot read this process's CPU affinity: %s",
                         strerror(errno));
            hwloc_bitmap_free(bind);
            return -1;
        }
        hwloc_bitmap_zero(bind);
        for (int i = 0; i < CPU_SETSIZE; i++)
            if (CPU_ISSET(i, &cs))
                hwloc_bitmap_set(bind, (unsigned)i);
    }
    hwloc_bitmap_and(T.allowed, T.allowed, bind);
    hwloc_bitmap_free(bind);
    return 0;
}

/* Everything after hwloc_topology_load: the allowed set (given, or read from the process),
 * the policy orders, the cache levels, and the notes. Caller holds init_lock. */
static int
derive(const char *allowed_list, char *err, size_t errlen) {
    T.machine = hwloc_bitmap_dup(hwloc_topology_get_topology_cpuset(T.topo));
    T.allowed = hwloc_bitmap_alloc();
    if (!T.machine || !T.allowed) {
        bench_seterr(err, errlen, "topology: out of memory");
        return -1;
    }
    if (allowed_list) {
        if (hwloc_bitmap_list_sscanf(T.allowed, allowed_list) < 0) {
            bench_seterr(err, errlen, "topology: bad allowed set '%s'", allowed_list);
            return -1;
        }
        hwloc_bitmap_and(T.allowed, T.allowed, T.machine);
    } else if (T.synthetic) {
        hwloc_bitmap_copy(T.allowed, T.machine);
    } else if (read_allowed(err, errlen) < 0) {
        return -1;
    }
    if (hwloc_bitmap_iszero(T.allowed)) {
        bench_seterr(err, errlen, "topology: this process may run on none of the machine's PUs");
        return -1;
    }
    hwloc_bitmap_list_snprintf(T.allowed_str, sizeof T.allowed_str, T.allowed);
    hwloc_bitmap_list_snprintf(T.machine_str, sizeof T.machine_str, T.machine);

    int npus = hwloc_get_nbobjs_by_type(T.topo, HWLOC_OBJ_PU);
    T.compact = malloc(sizeof(int) * (size_t)(npus > 0 ? npus : 1));
    T.scatter = malloc(sizeof(int) * (size_t)(npus > 0 ? npus : 1));
    T.smt = malloc(sizeof(int) * (size_t)(npus > 0 ? npus : 1));
    if (!T.compact || !T.scatter || !T.smt) {
        bench_seterr(err, errlen, "topology: out of memory");
        return -1;
    }
    /* hwloc's logical order walks the tree depth first: a core's PUs are consecutive, then the
     * next core under the same cache, and so on. That is the compact order. */
    T.nallowed = 0;
    for (hwloc_obj_t pu = NULL; (pu = hwloc_get_next_obj_by_type(T.topo, HWLOC_OBJ_PU, pu));)
        if (hwloc_bitmap_isset(T.allowed, pu->os_index))
            T.compact[T.nallowed++] = (int)pu->os_index;
    int ns = 0;
    if (scatter_order(hwloc_get_root_obj(T.topo), T.scatter, &ns) < 0 || ns != T.nallowed) {
        bench_seterr(err, errlen, "topology: cannot build the scatter order");
        return -1;
    }
    T.nsmt = 0;
    for (hwloc_obj_t core = NULL;
         (core = hwloc_get_next_obj_by_type(T.topo, HWLOC_OBJ_CORE, core));) {
        if (hwloc_bitmap_weight(core->cpuset) > 1)
            T.machine_smt = true;
        if (T.nsmt == 0 && hwloc_bitmap_weight(core->cpuset) > 1) {
            int n = 0;
            for (hwloc_obj_t pu = NULL; (pu = hwloc_get_next_obj_inside_cpuset_by_type(
                                             T.topo, core->cpuset, HWLOC_OBJ_PU, pu));)
                if (hwloc_bitmap_isset(T.allowed, pu->os_index))
                    T.smt[n++] = (int)pu->os_index;
            if (n >= 2)
                T.nsmt = n;
        }
    }
    T.llc_level = 0;
    for (int d = 0; d < hwloc_topology_get_depth(T.topo); d++) {
        hwloc_obj_t o = hwloc_get_obj_by_depth(T.topo, d, 0);
        if (o && (o->type >= HWLOC_OBJ_L1CACHE && o->type <= HWLOC_OBJ_L5CACHE) &&
            (int)o->attr->cache.depth > T.llc_level)
            T.llc_level = (int)o->attr->cache.depth;
    }
    if (!T.synthetic)
        detect_virtualization();
    detect_cpu_model();
    return 0;
}

/* Load a topology: the real machine (desc NULL) or a synthetic description. Caller holds
 * init_lock and T is empty. */
static int
load(const char *desc, const char *allowed_list, char *err, size_t errlen) {
    if (hwloc_topology_init(&T.topo) < 0) {
        bench_seterr(err, errlen, "topology: hwloc_topology_init failed: %s", strerror(errno));
        T.topo = NULL;
        return -1;
    }
    T.synthetic = desc != NULL;
    if (desc && hwloc_topology_set_synthetic(T.topo, desc) < 0) {
        bench_seterr(err, errlen, "topology: bad synthetic description '%s'", desc);
        goto fail;
    }
    /* See the whole machine, PUs outside our cgroup included, so that `topology` can say how
     * the allowed set differs; policies only ever use T.allowed. */
    hwloc_topology_set_flags(T.topo, HWLOC_TOPOLOGY_FLAG_INCLUDE_DISALLOWED);
    hwloc_topology_set_io_types_filter(T.topo, HWLOC_TYPE_FILTER_KEEP_NONE);
    if (hwloc_topology_load(T.topo) < 0) {
        bench_seterr(err, errlen, "topology: hwloc_topology_load failed: %s", strerror(errno));
        goto fail;
    }
    if (derive(allowed_list, err, errlen) < 0)
        goto fail;
    atomic_store_explicit(&T.loaded, true, memory_order_release);
    return 0;
fail:
    free_loaded();
    return -1;
}

int
topo_init(char *err, size_t errlen) {
    /* acquire; pairs with the release store in load(): T is complete once loaded is seen. */
    if (atomic_load_explicit(&T.loaded, memory_order_acquire))
        return 0;
    pthread_mutex_lock(&init_lock);
    int rc = 0;
    if (!atomic_load_explicit(&T.loaded, memory_order_relaxed)) /* relaxed: under init_lock */
        rc = load(NULL, NULL, err, errlen);
    pthread_mutex_unlock(&init_lock);
    return rc;
}

int
topo_init_synthetic(const char *desc, const char *allowed, char *err, size_t errlen) {
    if (!desc) {
        bench_seterr(err, errlen, "topology: no synthetic description");
        return -1;
    }
    pthread_mutex_lock(&init_lock);
    free_loaded();
    int rc = load(desc, allowed, err, errlen);
    pthread_mutex_unlock(&init_lock);
    return rc;
}

int
topo_init_allowed(const char *allowed, char *err, size_t errlen) {
    pthread_mutex_lock(&init_lock);
    free_loaded();
    int rc = load(NULL, allowed, err, errlen);
    pthread_mutex_unlock(&init_lock);
    return rc;
}

void
topo_fini(void) {
    pthread_mutex_lock(&init_lock);
    free_loaded();
    pthread_mutex_unlock(&init_lock);
}

/* Load on first use; true when a topology is there. */
static bool
ensure(void) {
    return topo_init(NULL, 0) == 0;
}

/* ---- counts ----------------------------------------------------------------------------- */

static int
count(hwloc_obj_type_t type) {
    if (!ensure())
        return 0;
    int n = hwloc_get_nbobjs_by_type(T.topo, type);
    return n < 0 ? 0 : n;
}

int
topo_num_pus(void) {
    return ensure() ? hwloc_bitmap_weight(T.machine) : 0;
}

int
topo_num_allowed(void) {
    return ensure() ? T.nallowed : 0;
}

int
topo_num_cores(void) {
    return count(HWLOC_OBJ_CORE);
}

int
topo_num_packages(void) {
    return count(HWLOC_OBJ_PACKAGE);
}

int
topo_num_allowed_cores(void) {
    if (!ensure())
        return 0;
    int n = 0;
    for (hwloc_obj_t c = NULL; (c = hwloc_get_next_obj_by_type(T.topo, HWLOC_OBJ_CORE, c));)
        if (hwloc_bitmap_intersects(c->cpuset, T.allowed))
            n++;
    return n;
}

bool
topo_has_smt(void) {
    return ensure() && T.nsmt >= 2;
}

const char *
topo_allowed_list(void) {
    return ensure() ? T.allowed_str : "";
}

const char *
topo_machine_list(void) {
    return ensure() ? T.machine_str : "";
}

bool
topo_is_allowed(int pu) {
    return ensure() && pu >= 0 && hwloc_bitmap_isset(T.allowed, (unsigned)pu);
}

bool
topo_is_virtualized(void) {
    return ensure() && T.virtualized;
}

const char *
topo_hwloc_version(void) {
    const char *v =
        ensure() ? hwloc_obj_get_info_by_name(hwloc_get_root_obj(T.topo), "hwlocVersion") : NULL;
    return v ? v : HWLOC_VERSION;
}

const char *
topo_cpu_model(void) {
    return ensure() ? T.cpu_model : "unknown";
}

/* ---- policies --------------------------------------------------------------------------- */

/* Check that pu exists and is allowed; -1 with a one-line err saying what to do if not. */
static int
check_pu(long pu, char *err, size_t errlen) {
    if (pu < 0 || pu > INT_MAX || !hwloc_bitmap_isset(T.machine, (unsigned)pu)) {
        bench_seterr(err, errlen,
                     "PU %ld does not exist on this machine (PUs %s; this process may use %s); "
                     "pick PUs from %s (see `chanbench topology`)",
                     pu, T.machine_str, T.allowed_str, T.allowed_str);
        return -1;
    }
    if (!hwloc_bitmap_isset(T.allowed, (unsigned)pu)) {
        bench_seterr(err, errlen,
                     "PU %ld is outside this process's allowed CPUs %s (cgroup cpuset or taskset); "
                     "pick PUs from %s or widen the affinity",
                     pu, T.allowed_str, T.allowed_str);
        return -1;
    }
    return 0;
}

/* Parse an explicit list ("0,2,4", "0-3", "0,4-5") into up to n PUs. */
static int
plan_list(const char *policy, int n, int *pus, char *err, size_t errlen) {
    int got = 0;
    const char *p = policy;
    for (;;) {
        char *end;
        if (!isdigit((unsigned char)*p))
            goto bad;
        errno = 0;
        long lo = strtol(p, &end, 10);
        long hi = lo;
        if (errno)
            goto bad;
        p = end;
        if (*p == '-') {
            p++;
            if (!isdigit((unsigned char)*p))
                goto bad;
            hi = strtol(p, &end, 10);
            if (errno || hi < lo)
                goto bad;
            p = end;
        }
        for (long pu = lo; pu <= hi; pu++) {
            if (check_pu(pu, err, errlen) < 0)
                return -1;
            if (got < n)
                pus[got] = (int)pu;
            got++;
            if (got > 4096 * 64) /* a range no machine has; check_pu refuses it first */
                goto bad;
        }
        if (*p == '\0')
            break;
        if (*p != ',')
            goto bad;
        p++;
    }
    if (got < n) {
        bench_seterr(
            err, errlen,
            "pin list '%s' names %d PU%s for %d threads; name at least %d (allowed: %s), or "
            "use compact or scatter, which wrap round",
            policy, got, got == 1 ? "" : "s", n, n, T.allowed_str);
        return -1;
    }
    return 0;
bad:
    bench_seterr(err, errlen,
                 "bad pin policy '%s': expected compact, scatter, smt, none, or a PU list such as "
                 "0,2,4 or 0-3 (allowed: %s)",
                 policy, T.allowed_str);
    return -1;
}

int
topo_plan(const char *policy, int n, int *pus, char *err, size_t errlen) {
    char lerr[256];
    if (topo_init(lerr, sizeof lerr) < 0) {
        bench_seterr(err, errlen, "%s", lerr);
        return -1;
    }
    if (!policy || !*policy) {
        bench_seterr(err, errlen,
                     "empty pin policy: expected compact, scatter, smt, none, or a PU list such as "
                     "0,2,4 (allowed: %s)",
                     T.allowed_str);
        return -1;
    }
    if (n < 0 || (n > 0 && !pus)) {
        bench_seterr(err, errlen, "pin: bad thread count %d", n);
        return -1;
    }
    if (strcmp(policy, "none") == 0) {
        for (int i = 0; i < n; i++)
            pus[i] = -1;
        return 0;
    }
    if (strcmp(policy, "compact") == 0 || strcmp(policy, "scatter") == 0) {
        const int *order = policy[0] == 'c' ? T.compact : T.scatter;
        for (int i = 0; i < n; i++)
            pus[i] = order[i % T.nallowed];
        return 0;
    }
    if (strcmp(policy, "smt") == 0) {
        if (!T.machine_smt) {
            bench_seterr(
                err, errlen,
                "pin policy smt: this machine has no SMT (one PU per core), so no two threads "
                "can share a core; use compact or scatter");
            return -1;
        }
        if (T.nsmt < 2) {
            bench_seterr(err, errlen,
                         "pin policy smt: no core has two PUs in this process's allowed CPUs %s; "
                         "widen the affinity (taskset, cpuset) or use compact",
                         T.allowed_str);
            return -1;
        }
        if (n > T.nsmt) {
            bench_seterr(
                err, errlen,
                "pin policy smt: %d threads but a core has %d PUs (%d..); smt places at most "
                "%d threads, use compact for more",
                n, T.nsmt, T.smt[0], T.nsmt);
            return -1;
        }
        for (int i = 0; i < n; i++)
            pus[i] = T.smt[i];
        return 0;
    }
    return plan_list(policy, n, pus, err, errlen);
}

/* ---- pinning ---------------------------------------------------------------------------- */

int
topo_pin_self(int pu, char *err, size_t errlen) {
    if (pu < 0)
        return 0;
    char lerr[256];
    if (topo_init(lerr, sizeof lerr) < 0) {
        bench_seterr(err, errlen, "%s", lerr);
        return -1;
    }
    if (check_pu(pu, err, errlen) < 0)
        return -1;
    if (T.synthetic) {
        bench_seterr(err, errlen, "cannot pin to PU %d: the loaded topology is synthetic", pu);
        return -1;
    }
    hwloc_obj_t obj = hwloc_get_pu_obj_by_os_index(T.topo, (unsigned)pu);
    hwloc_bitmap_t set = obj ? hwloc_bitmap_dup(obj->cpuset) : NULL;
    if (!set) {
        bench_seterr(err, errlen, "cannot pin to PU %d: out of memory", pu);
        return -1;
    }
    hwloc_bitmap_singlify(set);
    int rc = hwloc_set_cpubind(T.topo, set, HWLOC_CPUBIND_THREAD);
    int e = errno;
    hwloc_bitmap_free(set);
    if (rc < 0) {
        bench_seterr(err, errlen, "cannot pin thread to PU %d (allowed: %s): %s", pu, T.allowed_str,
                     strerror(e));
        return -1;
    }
    return 0;
}

int
topo_last_pu(void) {
    if (!ensure() || T.synthetic)
        return -1;
    hwloc_bitmap_t set = hwloc_bitmap_alloc();
    if (!set)
        return -1;
    int pu = -1;
    if (hwloc_get_last_cpu_location(T.topo, set, HWLOC_CPUBIND_THREAD) == 0)
        pu = hwloc_bitmap_first(set);
    hwloc_bitmap_free(set);
    if (pu < 0)
        pu = sched_getcpu();
    return pu < 0 ? -1 : pu;
}

/* ---- relations -------------------------------------------------------------------------- */

static bool
is_cache(hwloc_obj_t o) {
    return o->type >= HWLOC_OBJ_L1CACHE && o->type <= HWLOC_OBJ_L5CACHE;
}

const char *
topo_relation(const int *pus, int n) {
    if (n <= 0 || !pus)
        return "unpinned";
    for (int i = 0; i < n; i++)
        if (pus[i] < 0)
            return "unpinned";
    if (!ensure())
        return "none";
    hwloc_obj_t anc = NULL;
    for (int i = 0; i < n; i++) {
        hwloc_obj_t pu = hwloc_get_pu_obj_by_os_index(T.topo, (unsigned)pus[i]);
        if (!pu)
            return "none";
        anc = anc ? hwloc_get_common_ancestor_obj(T.topo, anc, pu) : pu;
    }
    if (anc->type == HWLOC_OBJ_PU || anc->type == HWLOC_OBJ_CORE ||
        hwloc_get_ancestor_obj_by_type(T.topo, HWLOC_OBJ_CORE, anc))
        return "same-core";
    /* Below the last-level cache (L3 where there is one): some ancestor-or-self is that cache. */
    for (hwloc_obj_t o = anc; o; o = o->parent)
        if (is_cache(o) &&
            ((int)o->attr->cache.depth >= 3 || (int)o->attr->cache.depth == T.llc_level))
            return "same-l3";
    bool in_package = anc->type == HWLOC_OBJ_PACKAGE ||
                      hwloc_get_ancestor_obj_by_type(T.topo, HWLOC_OBJ_PACKAGE, anc) ||
                      hwloc_get_nbobjs_by_type(T.topo, HWLOC_OBJ_PACKAGE) <= 1;
    if (in_package && anc->nodeset && hwloc_bitmap_weight(anc->nodeset) == 1)
        return "same-numa";
    return "none";
}

/* ---- JSON ------------------------------------------------------------------------------- */

/* One entry per distinct (level, type, size) of data/unified caches (instruction caches are
 * left out of the chanbench form): count of such caches, and the PUs one of them serves. */
struct cache_kind {
    int level;
    hwloc_obj_cache_type_t type;
    hwloc_uint64_t size;
    int count;
    int sharing; /* PUs under the first one */
};

static int
cache_kinds(struct cache_kind *out, int max, bool with_instruction) {
    int n = 0;
    for (int d = hwloc_topology_get_depth(T.topo) - 1; d >= 0; d--) {
        int nb = hwloc_get_nbobjs_by_depth(T.topo, d);
        for (int i = 0; i < nb; i++) {
            hwloc_obj_t o = hwloc_get_obj_by_depth(T.topo, d, i);
            if (!is_cache(o) && !(with_instruction && o->type >= HWLOC_OBJ_L1ICACHE &&
                                  o->type <= HWLOC_OBJ_L3ICACHE))
                continue;
            int k;
            for (k = 0; k < n; k++)
                if (out[k].level == (int)o->attr->cache.depth &&
                    out[k].type == o->attr->cache.type && out[k].size == o->attr->cache.size)
                    break;
            if (k == n) {
                if (n == max)
                    continue;
                out[n].level = (int)o->attr->cache.depth;
                out[n].type = o->attr->cache.type;
                out[n].size = o->attr->cache.size;
                out[n].count = 0;
                out[n].sharing = hwloc_bitmap_weight(o->cpuset);
                n++;
            }
            out[k].count++;
        }
    }
    return n;
}

json_t *
topo_json(void) {
    if (!ensure())
        return json_object();
    json_t *o = json_object();
    json_object_set_new(o, "packages", json_integer(topo_num_packages()));
    json_object_set_new(o, "numa_nodes", json_integer(count(HWLOC_OBJ_NUMANODE)));
    json_object_set_new(o, "cores", json_integer(topo_num_cores()));
    json_object_set_new(o, "pus", json_integer(topo_num_pus()));
    json_object_set_new(o, "smt", json_boolean(T.machine_smt));
    json_t *caches = json_array();
    struct cache_kind k[32];
    int nk = cache_kinds(k, 32, false);
    for (int i = 0; i < nk; i++) {
        json_t *c = json_object();
        json_object_set_new(c, "level", json_integer(k[i].level));
        json_object_set_new(c, "size", json_integer((json_int_t)k[i].size));
        json_object_set_new(c, "count", json_integer(k[i].count));
        json_array_append_new(caches, c);
    }
    json_object_set_new(o, "caches", caches);
    json_object_set_new(o, "allowed_cpus", json_string(T.allowed_str));
    json_object_set_new(o, "machine_cpus", json_string(T.machine_str));
    json_object_set_new(o, "virtualized", json_boolean(T.virtualized));
    if (T.hypervisor[0])
        json_object_set_new(o, "hypervisor", json_string(T.hypervisor));
    return o;
}

json_t *
topo_google_caches_json(void) {
    json_t *a = json_array();
    if (!ensure())
        return a;
    struct cache_kind k[32];
    int nk = cache_kinds(k, 32, true);
    for (int i = 0; i < nk; i++) {
        json_t *c = json_object();
        const char *type = k[i].type == HWLOC_OBJ_CACHE_DATA          ? "Data"
                           : k[i].type == HWLOC_OBJ_CACHE_INSTRUCTION ? "Instruction"
                                                                      : "Unified";
        json_object_set_new(c, "type", json_string(type));
        json_object_set_new(c, "level", json_integer(k[i].level));
        json_object_set_new(c, "size", json_integer((json_int_t)k[i].size));
        json_object_set_new(c, "num_sharing", json_integer(k[i].sharing));
        json_array_append_new(a, c);
    }
    return a;
}

/* ---- printing --------------------------------------------------------------------------- */

static const char *
human_size(hwloc_uint64_t bytes, char *buf, size_t len) {
    if (bytes >= (1ull << 30) && bytes % (1ull << 30) == 0)
        snprintf(buf, len, "%llu GiB", (unsigned long long)(bytes >> 30));
    else if (bytes >= (1ull << 30))
        snprintf(buf, len, "%.1f GiB", (double)bytes / (double)(1ull << 30));
    else if (bytes >= (1ull << 20))
        snprintf(buf, len, "%llu MiB", (unsigned long long)(bytes >> 20));
    else if (bytes >= (1ull << 10))
        snprintf(buf, len, "%llu KiB", (unsigned long long)(bytes >> 10));
    else
        snprintf(buf, len, "%llu B", (unsigned long long)bytes);
    return buf;
}

static const char *
cache_name(hwloc_obj_t o, char *buf, size_t len) {
    const char *t = o->attr->cache.type == HWLOC_OBJ_CACHE_DATA          ? "d"
                    : o->attr->cache.type == HWLOC_OBJ_CACHE_INSTRUCTION ? "i"
                                                                         : "";
    snprintf(buf, len, "L%u%s", o->attr->cache.depth, t);
    return buf;
}

/* The PUs of set as a list, with those outside the allowed set marked. */
static void
print_pus(FILE *out, hwloc_const_bitmap_t set) {
    char s[256];
    hwloc_bitmap_list_snprintf(s, sizeof s, set);
    fprintf(out, "PU%s %s", hwloc_bitmap_weight(set) == 1 ? "" : "s", s);
    if (!hwloc_bitmap_isincluded(set, T.allowed)) {
        hwloc_bitmap_t na = hwloc_bitmap_alloc();
        if (na) {
            hwloc_bitmap_andnot(na, set, T.allowed);
            hwloc_bitmap_list_snprintf(s, sizeof s, na);
            if (hwloc_bitmap_isequal(na, set))
                fprintf(out, " (not allowed)");
            else
                fprintf(out, " (not allowed: %s)", s);
            hwloc_bitmap_free(na);
        }
    }
}

/* Caches that serve exactly one core are folded into that core's line; the rest of the tree
 * (packages, groups, dies, shared caches, NUMA nodes) is printed as a tree. */
static void
print_tree(FILE *out, hwloc_obj_t o, int depth) {
    char buf[64], sz[32];
    hwloc_obj_t core = NULL;
    if (o->type == HWLOC_OBJ_CORE)
        core = o;
    else if (is_cache(o) || (o->type >= HWLOC_OBJ_L1ICACHE && o->type <= HWLOC_OBJ_L3ICACHE)) {
        core = hwloc_get_next_obj_inside_cpuset_by_type(T.topo, o->cpuset, HWLOC_OBJ_CORE, NULL);
        if (core && !hwloc_bitmap_isequal(core->cpuset, o->cpuset))
            core = NULL;
    }
    if (core) {
        fprintf(out, "%*sCore P#%u", depth * 2, "", core->os_index);
        const char *sep = " [";
        for (hwloc_obj_t c = o; c && c != core; c = c->arity ? c->children[0] : NULL) {
            if (c->type == HWLOC_OBJ_CORE)
                break;
            fprintf(out, "%s%s %s", sep, cache_name(c, buf, sizeof buf),
                    human_size(c->attr->cache.size, sz, sizeof sz));
            sep = ", ";
        }
        if (sep[0] == ',')
            fprintf(out, "]");
        fprintf(out, ": ");
        print_pus(out, core->cpuset);
        fprintf(out, "\n");
        return;
    }
    if (o->type == HWLOC_OBJ_PU) {
        fprintf(out, "%*sPU P#%u (no core)\n", depth * 2, "", o->os_index);
        return;
    }
    int next = depth + 1;
    if (o->type == HWLOC_OBJ_MACHINE) {
        next = depth;
    } else {
        hwloc_obj_type_snprintf(buf, sizeof buf, o, 0);
        if (is_cache(o))
            fprintf(out, "%*s%s %s, shared by ", depth * 2, "", cache_name(o, buf, sizeof buf),
                    human_size(o->attr->cache.size, sz, sizeof sz));
        else if (o->os_index != HWLOC_UNKNOWN_INDEX)
            fprintf(out, "%*s%s P#%u: ", depth * 2, "", buf, o->os_index);
        else
            fprintf(out, "%*s%s L#%u: ", depth * 2, "", buf, o->logical_index);
        print_pus(out, o->cpuset);
        fprintf(out, "\n");
    }
    for (hwloc_obj_t m = o->memory_first_child; m; m = m->next_sibling) {
        if (m->type != HWLOC_OBJ_NUMANODE)
            continue;
        fprintf(out, "%*sNUMA node P#%u", next * 2, "", m->os_index);
        if (m->attr->numanode.local_memory)
            fprintf(out, " (%s)", human_size(m->attr->numanode.local_memory, sz, sizeof sz));
        fprintf(out, ": ");
        print_pus(out, m->cpuset);
        fprintf(out, "\n");
    }
    for (unsigned i = 0; i < o->arity; i++)
        print_tree(out, o->children[i], next);
}

/* One line of the policy listing: "N=3   0 1 0" into line, and the relation into rel. */
static void
plan_line(const char *policy, int n, char *line, size_t len, char *rel, size_t rlen) {
    int *pus = malloc(sizeof(int) * (size_t)n);
    char err[512];
    if (!pus) {
        snprintf(line, len, "N=%-3d (out of memory)", n);
        rel[0] = '\0';
        return;
    }
    if (topo_plan(policy, n, pus, err, sizeof err) < 0) {
        snprintf(line, len, "N=%-3d refused: %s", n, err);
        rel[0] = '\0';
        free(pus);
        return;
    }
    int used = snprintf(line, len, "N=%-3d", n), shown = n < 32 ? n : 32;
    for (int i = 0; i < shown && used < (int)len - 16; i++)
        used += snprintf(line + used, len - (size_t)used, " %d", pus[i]);
    if (shown < n)
        snprintf(line + used, len - (size_t)used, " ...(+%d)", n - shown);
    snprintf(rel, rlen, "%s%s", topo_relation(pus, n), n > T.nallowed ? ", oversubscribed" : "");
    free(pus);
}

void
topo_print(FILE *out) {
    char err[512];
    if (topo_init(err, sizeof err) < 0) {
        fprintf(out, "%s\n", err);
        return;
    }
    hwloc_obj_t root = hwloc_get_root_obj(T.topo);
    const char *os = hwloc_obj_get_info_by_name(root, "OSRelease");
    const char *arch = hwloc_obj_get_info_by_name(root, "Architecture");
    fprintf(out, "machine: %s%s%s%s%s (hwloc %s%s)\n", T.cpu_model, arch ? ", " : "",
            arch ? arch : "", os ? ", Linux " : "", os ? os : "", topo_hwloc_version(),
            T.synthetic ? ", synthetic" : "");
    int npkg = topo_num_packages(), nnuma = count(HWLOC_OBJ_NUMANODE);
    fprintf(out, "  %d package%s, %d NUMA node%s, %d core%s, %d PU%s (%s)\n", npkg,
            npkg == 1 ? "" : "s", nnuma, nnuma == 1 ? "" : "s", topo_num_cores(),
            topo_num_cores() == 1 ? "" : "s", topo_num_pus(), topo_num_pus() == 1 ? "" : "s",
            T.machine_smt ? "SMT" : "no SMT");
    if (T.virtualized)
        fprintf(out,
                "virtualised: yes%s%s%s; the caches, sharing and PU numbering below are what the "
                "hypervisor reports and may be the host's, not what the vCPUs really share\n",
                T.hypervisor[0] ? " (" : "", T.hypervisor, T.hypervisor[0] ? ")" : "");
    if (T.container)
        fprintf(out, "container: yes; hwloc may show the host's numbering and caches\n");
    if (hwloc_bitmap_isequal(T.allowed, T.machine))
        fprintf(out, "allowed CPUs: %s (all of the machine's PUs)\n", T.allowed_str);
    else
        fprintf(out,
                "allowed CPUs: %s of the machine's %s: this process is restricted (taskset or "
                "cgroup cpuset); pin policies use only the allowed PUs\n",
                T.allowed_str, T.machine_str);

    fprintf(out, "\ntopology (OS indexes, as taskset numbers them):\n");
    print_tree(out, root, 1);

    fprintf(out, "\ncaches:\n");
    struct cache_kind k[32];
    int nk = cache_kinds(k, 32, true);
    for (int i = 0; i < nk; i++) {
        char sz[32];
        const char *t = k[i].type == HWLOC_OBJ_CACHE_DATA          ? "d"
                        : k[i].type == HWLOC_OBJ_CACHE_INSTRUCTION ? "i"
                                                                   : "";
        fprintf(out, "  L%d%-2s %8s  x%d, each shared by %d PU%s\n", k[i].level, t,
                human_size(k[i].size, sz, sizeof sz), k[i].count, k[i].sharing,
                k[i].sharing == 1 ? "" : "s");
    }
    if (nk == 0)
        fprintf(out, "  none reported\n");

    fprintf(out, "\nwhere threads 0..N-1 go (PU OS indexes; relation of the threads' PUs):\n");
    int a = T.nallowed, ns[64], nn = 0;
    if (a <= 8) {
        for (int n = 1; n <= 2 * a; n++)
            ns[nn++] = n;
    } else {
        for (int n = 1; n < a && nn < 60; n *= 2)
            ns[nn++] = n;
        if (a > 1 && T.nsmt > 2 && T.nsmt < a)
            ns[nn++] = T.nsmt;
        ns[nn++] = a;
        ns[nn++] = a + 1;
        ns[nn++] = 2 * a;
    }
    static const struct {
        const char *name, *what;
    } pol[] = {{"compact", "fill a core's PUs, then the next core sharing a cache"},
               {"scatter", "spread over packages, then caches, then cores"},
               {"smt", "the sibling PUs of one core"}};
    for (size_t p = 0; p < sizeof pol / sizeof pol[0]; p++) {
        fprintf(out, "%s: %s\n", pol[p].name, pol[p].what);
        if (p == 2 && T.nsmt < 2) {
            int one = 0;
            topo_plan("smt", 1, &one, err, sizeof err);
            fprintf(out, "  refused: %s\n", err);
            continue;
        }
        char lines[64][600], rels[64][64];
        int width = 0, m = 0;
        for (int i = 0; i < nn; i++) {
            if (p == 2 && ns[i] > T.nsmt)
                break;
            plan_line(pol[p].name, ns[i], lines[m], sizeof lines[m], rels[m], sizeof rels[m]);
            if ((int)strlen(lines[m]) > width)
                width = (int)strlen(lines[m]);
            m++;
        }
        for (int i = 0; i < m; i++)
            fprintf(out, "  %-*s  %s\n", width, lines[i], rels[i]);
    }
    fprintf(out, "none: threads are not pinned (PU -1); the kernel places them (relation "
                 "unpinned)\n");
    if (a > 1)
        fprintf(out,
                "list: an explicit list such as --pin %d,%d or --pin %s; thread i takes the i-th "
                "PU; PUs outside %s are refused\n",
                T.compact[0], T.compact[1], T.allowed_str, T.allowed_str);
    else
        fprintf(out, "list: --pin %d is the only list possible here; other PUs are refused\n",
                T.compact[0]);
}

/* ---- the command ------------------------------------------------------------------------ */

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
        json_object_set_new(o, "cpu_model", json_string(T.cpu_model));
        json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', stdout);
        json_decref(o);
        return 0;
    }
    topo_print(stdout);
    return 0;
}
