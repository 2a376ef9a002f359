/* SPDX-License-Identifier: MIT */
/* The loaded topology written out (topology_report.h): the results files' topology and caches
 * JSON, and the text of `chanbench topology`. It only reads the topology through topology.h;
 * loading, policies and pinning are measure/topology.c's, the command commands/topology.c's. */
#include "topology_report.h"
#include "topology.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <hwloc.h>

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

/* The kinds of cache of topo (loaded), data and unified ones and, with with_instruction,
 * instruction caches too: at most max into out. Returns how many. */
static int
cache_kinds(hwloc_topology_t topo, struct cache_kind *out, int max, bool with_instruction) {
    int n = 0;
    for (int d = hwloc_topology_get_depth(topo) - 1; d >= 0; d--) {
        int nb = hwloc_get_nbobjs_by_depth(topo, d);
        for (int i = 0; i < nb; i++) {
            hwloc_obj_t o = hwloc_get_obj_by_depth(topo, d, i);
            if (!hwloc_obj_type_is_dcache(o->type) &&
                !(with_instruction && o->type >= HWLOC_OBJ_L1ICACHE &&
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
    hwloc_topology_t topo = topo_hwloc();
    if (!topo)
        return json_object();
    json_t *o = json_object();
    json_object_set_new(o, "packages", json_integer(topo_num_packages()));
    json_object_set_new(o, "numa_nodes", json_integer(topo_num_numa_nodes()));
    json_object_set_new(o, "cores", json_integer(topo_num_cores()));
    json_object_set_new(o, "pus", json_integer(topo_num_pus()));
    json_object_set_new(o, "smt", json_boolean(topo_machine_smt()));
    json_t *caches = json_array();
    struct cache_kind k[32];
    int nk = cache_kinds(topo, k, 32, false);
    for (int i = 0; i < nk; i++) {
        json_t *c = json_object();
        json_object_set_new(c, "level", json_integer(k[i].level));
        json_object_set_new(c, "size", json_integer((json_int_t)k[i].size));
        json_object_set_new(c, "count", json_integer(k[i].count));
        json_array_append_new(caches, c);
    }
    json_object_set_new(o, "caches", caches);
    json_object_set_new(o, "allowed_cpus", json_string(topo_allowed_list()));
    json_object_set_new(o, "machine_cpus", json_string(topo_machine_list()));
    json_object_set_new(o, "virtualized", json_boolean(topo_is_virtualized()));
    if (topo_hypervisor()[0])
        json_object_set_new(o, "hypervisor", json_string(topo_hypervisor()));
    return o;
}

json_t *
topo_google_caches_json(void) {
    json_t *a = json_array();
    hwloc_topology_t topo = topo_hwloc();
    if (!topo)
        return a;
    struct cache_kind k[32];
    int nk = cache_kinds(topo, k, 32, true);
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

/* The PUs of set as a list, with those outside the allowed set marked. The topology is
 * loaded. */
static void
print_pus(FILE *out, hwloc_const_bitmap_t set) {
    hwloc_const_bitmap_t allowed = topo_allowed_set();
    char s[256];
    hwloc_bitmap_list_snprintf(s, sizeof s, set);
    fprintf(out, "PU%s %s", hwloc_bitmap_weight(set) == 1 ? "" : "s", s);
    if (!hwloc_bitmap_isincluded(set, allowed)) {
        hwloc_bitmap_t na = hwloc_bitmap_alloc();
        if (na) {
            hwloc_bitmap_andnot(na, set, allowed);
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
 * (packages, groups, dies, shared caches, NUMA nodes) is printed as a tree. o is an object of
 * topo, the loaded topology. */
static void
print_tree(FILE *out, hwloc_topology_t topo, hwloc_obj_t o, int depth) {
    char buf[64], sz[32];
    hwloc_obj_t core = NULL;
    if (o->type == HWLOC_OBJ_CORE)
        core = o;
    else if (hwloc_obj_type_is_dcache(o->type) ||
             (o->type >= HWLOC_OBJ_L1ICACHE && o->type <= HWLOC_OBJ_L3ICACHE)) {
        core = hwloc_get_next_obj_inside_cpuset_by_type(topo, o->cpuset, HWLOC_OBJ_CORE, NULL);
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
        if (hwloc_obj_type_is_dcache(o->type))
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
        print_tree(out, topo, o->children[i], next);
}

/* One line of the policy listing: "N=3   0 1 0" into line, and the relation into rel. The
 * topology is loaded. */
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
    snprintf(rel, rlen, "%s%s", topo_relation(pus, n),
             n > topo_num_allowed() ? ", oversubscribed" : "");
    free(pus);
}

void
topo_print(FILE *out) {
    char err[512];
    if (topo_init(err, sizeof err) < 0) {
        fprintf(out, "%s\n", err);
        return;
    }
    hwloc_topology_t topo = topo_hwloc();
    hwloc_obj_t root = hwloc_get_root_obj(topo);
    const char *os = hwloc_obj_get_info_by_name(root, "OSRelease");
    const char *arch = hwloc_obj_get_info_by_name(root, "Architecture");
    fprintf(out, "machine: %s%s%s%s%s (hwloc %s%s)\n", topo_cpu_model(), arch ? ", " : "",
            arch ? arch : "", os ? ", Linux " : "", os ? os : "", topo_hwloc_version(),
            topo_is_synthetic() ? ", synthetic" : "");
    int npkg = topo_num_packages(), nnuma = topo_num_numa_nodes();
    fprintf(out, "  %d package%s, %d NUMA node%s, %d core%s, %d PU%s (%s)\n", npkg,
            npkg == 1 ? "" : "s", nnuma, nnuma == 1 ? "" : "s", topo_num_cores(),
            topo_num_cores() == 1 ? "" : "s", topo_num_pus(), topo_num_pus() == 1 ? "" : "s",
            topo_machine_smt() ? "SMT" : "no SMT");
    const char *hv = topo_hypervisor();
    if (topo_is_virtualized())
        fprintf(out,
                "virtualised: yes%s%s%s; the caches, sharing and PU numbering below are what the "
                "hypervisor reports and may be the host's, not what the vCPUs really share\n",
                hv[0] ? " (" : "", hv, hv[0] ? ")" : "");
    if (topo_in_container())
        fprintf(out, "container: yes; hwloc may show the host's numbering and caches\n");
    const char *allowed = topo_allowed_list();
    if (hwloc_bitmap_isequal(topo_allowed_set(), topo_machine_set()))
        fprintf(out, "allowed CPUs: %s (all of the machine's PUs)\n", allowed);
    else
        fprintf(out,
                "allowed CPUs: %s of the machine's %s: this process is restricted (taskset or "
                "cgroup cpuset); pin policies use only the allowed PUs\n",
                allowed, topo_machine_list());

    fprintf(out, "\ntopology (OS indexes, as taskset numbers them):\n");
    print_tree(out, topo, root, 1);

    fprintf(out, "\ncaches:\n");
    struct cache_kind k[32];
    int nk = cache_kinds(topo, k, 32, true);
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
    int a = topo_num_allowed(), nsmt = topo_smt_size(), ns[64], nn = 0;
    if (a <= 8) {
        for (int n = 1; n <= 2 * a; n++)
            ns[nn++] = n;
    } else {
        for (int n = 1; n < a && nn < 60; n *= 2)
            ns[nn++] = n;
        if (a > 1 && nsmt > 2 && nsmt < a)
            ns[nn++] = nsmt;
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
        if (p == 2 && nsmt < 2) {
            int one = 0;
            topo_plan("smt", 1, &one, err, sizeof err);
            fprintf(out, "  refused: %s\n", err);
            continue;
        }
        char lines[64][600], rels[64][64];
        int width = 0, m = 0;
        for (int i = 0; i < nn; i++) {
            if (p == 2 && ns[i] > nsmt)
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
    int first[2]; /* the first two allowed PUs in compact order (the first twice when a is 1) */
    topo_plan("compact", 2, first, err, sizeof err);
    if (a > 1)
        fprintf(out,
                "list: an explicit list such as --pin %d,%d or --pin %s; thread i takes the i-th "
                "PU; PUs outside %s are refused\n",
                first[0], first[1], allowed, allowed);
    else
        fprintf(out, "list: --pin %d is the only list possible here; other PUs are refused\n",
                first[0]);
}
