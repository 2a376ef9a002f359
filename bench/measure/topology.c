/* SPDX-License-Identifier: MIT */
/* The machine as hwloc sees it, the pin policies (compact, scatter, smt, none, a PU list),
 * pinning and checking where a thread ran. What the harness does with a placement (recording it
 * per benchmark) is in the run code; this file only answers where. Virtualisation and CPU model
 * detection are in machine.c; the topology's JSON and text in output/topology_report.c. */
#define _GNU_SOURCE /* sched_getaffinity, sched_getcpu, CPU_SET */
#include "topology.h"
#include "machine.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <hwloc.h>

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
    bool machine_smt;         /* some core of the machine has two or more PUs */
    int llc_level;            /* level of the last-level data/unified cache, 0 if none */
    struct machine_virt virt; /* hypervisor and container (machine.c); zero when synthetic */
    char cpu_model[128];      /* hwloc CPUModel, else /proc/cpuinfo model name (machine.c) */
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
        machine_virtualization(T.topo, &T.virt);
    machine_cpu_model(T.topo, T.synthetic, T.cpu_model, sizeof T.cpu_model);
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
    return ensure() && T.virt.virtualized;
}

const char *
topo_hypervisor(void) {
    return ensure() ? T.virt.hypervisor : "";
}

bool
topo_in_container(void) {
    return ensure() && T.virt.container;
}

hwloc_topology_t
topo_hwloc(void) {
    return ensure() ? T.topo : NULL;
}

hwloc_const_bitmap_t
topo_allowed_set(void) {
    return ensure() ? T.allowed : NULL;
}

hwloc_const_bitmap_t
topo_machine_set(void) {
    return ensure() ? T.machine : NULL;
}

int
topo_num_numa_nodes(void) {
    return count(HWLOC_OBJ_NUMANODE);
}

bool
topo_machine_smt(void) {
    return ensure() && T.machine_smt;
}

int
topo_smt_size(void) {
    return ensure() ? T.nsmt : 0;
}

bool
topo_is_synthetic(void) {
    return ensure() && T.synthetic;
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
    bench_seterr(err, errlen, "'%s' is not a pin policy; use " TOPO_PIN_POLICIES " (allowed: %s)",
                 policy, T.allowed_str);
    return -1;
}

bool
topo_policy_syntax_ok(const char *policy) {
    if (strcmp(policy, "compact") == 0 || strcmp(policy, "scatter") == 0 ||
        strcmp(policy, "smt") == 0 || strcmp(policy, "none") == 0)
        return true;
    const char *p = policy;
    for (;;) {
        char *end;
        if (!isdigit((unsigned char)*p))
            return false;
        errno = 0;
        long lo = strtol(p, &end, 10);
        if (errno)
            return false;
        p = end;
        if (*p == '-') {
            p++;
            if (!isdigit((unsigned char)*p))
                return false;
            long hi = strtol(p, &end, 10);
            if (errno || hi < lo)
                return false;
            p = end;
        }
        if (*p == '\0')
            return true;
        if (*p != ',')
            return false;
        p++;
    }
}

int
topo_plan(const char *policy, int n, int *pus, char *err, size_t errlen) {
    char lerr[256];
    if (topo_init(lerr, sizeof lerr) < 0) {
        bench_seterr(err, errlen, "%s", lerr);
        return -1;
    }
    if (!policy || !*policy) {
        bench_seterr(err, errlen, "empty pin policy; use " TOPO_PIN_POLICIES " (allowed: %s)",
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

static const char *const relations[TOPO_NRELATIONS] = {"same-core", "same-l3", "same-numa", "none"};

const char *
topo_relation_name(int rank) {
    return rank >= 0 && rank < TOPO_NRELATIONS ? relations[rank] : "none";
}

int
topo_relation_rank(const char *relation) {
    for (int i = 0; i < TOPO_NRELATIONS; i++)
        if (strcmp(relation, relations[i]) == 0)
            return i;
    return TOPO_NRELATIONS - 1;
}
