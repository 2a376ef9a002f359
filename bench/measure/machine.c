/* SPDX-License-Identifier: MIT */
/* Collecting the machine and build description recorded in every results file, and telling
 * a virtualised machine and the CPU model (for topology.c, which loads the topology). */
#define _GNU_SOURCE
#include "machine.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <hwloc.h>

#include "git_commit.h"
#if defined(CHANBENCH_HAVE_JEMALLOC)
#include <jemalloc/jemalloc.h>
#endif
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#ifndef CHANBENCH_BUILD_TYPE
#define CHANBENCH_BUILD_TYPE ""
#endif
#ifndef CHANBENCH_SANITIZER
#define CHANBENCH_SANITIZER ""
#endif
#ifndef CHANBENCH_C_FLAGS
#define CHANBENCH_C_FLAGS ""
#endif
#ifndef GOC_CACHELINE
#define GOC_CACHELINE 64
#endif

bool
machine_sanitized(void) {
    return CHANBENCH_SANITIZER[0] != '\0';
}

const char *
machine_sanitizer(void) {
    return machine_sanitized() ? CHANBENCH_SANITIZER : "none";
}

static void
chomp(char *s) {
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
        s[--n] = '\0';
}

/* First line of a file into buf; 0, or -1 when it cannot be read. */
static int
read_line(const char *path, char *buf, size_t len) {
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    char *ok = fgets(buf, (int)len, f);
    fclose(f);
    if (ok == NULL)
        return -1;
    chomp(buf);
    return 0;
}

static double
cpu_mhz(void) {
    char line[256];
    if (read_line("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", line, sizeof line) == 0)
        return atof(line) / 1000.0; /* kHz */
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f == NULL)
        return 0;
    double mhz = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "cpu MHz", 7) == 0) {
            const char *colon = strchr(line, ':');
            if (colon != NULL)
                mhz = atof(colon + 1);
            break;
        }
    }
    fclose(f);
    return mhz;
}

static const char *
compiler(void) {
#if defined(__clang__)
    return "clang " __clang_version__;
#elif defined(__GNUC__)
    return "gcc " __VERSION__;
#else
    return __VERSION__;
#endif
}

static const char *
allocator(void) {
    Dl_info info;
    void *(*m)(size_t) = malloc;
    void *sym;
    memcpy(&sym, &m, sizeof sym);
    if (dladdr(sym, &info) != 0 && info.dli_fname != NULL && strstr(info.dli_fname, "jemalloc"))
        return "jemalloc";
    return "libc";
}

void
machine_collect(struct machine_info *m) {
    memset(m, 0, sizeof *m);
    if (gethostname(m->host, sizeof m->host - 1) != 0 || m->host[0] == '\0')
        snprintf(m->host, sizeof m->host, "unknown");

    struct utsname u;
    if (uname(&u) == 0)
        snprintf(m->kernel, sizeof m->kernel, "%s %s %s %s", u.sysname, u.release, u.version,
                 u.machine);
    else
        snprintf(m->kernel, sizeof m->kernel, "unknown");

    ssize_t n = readlink("/proc/self/exe", m->executable, sizeof m->executable - 1);
    if (n <= 0)
        snprintf(m->executable, sizeof m->executable, "chanbench");

    m->compiler = compiler();
    m->cflags = CHANBENCH_C_FLAGS;
    while (*m->cflags == ' ')
        m->cflags++; /* CMake joins empty CMAKE_C_FLAGS and per-type flags with a space */
    m->build_type = CHANBENCH_BUILD_TYPE;
#if defined(NDEBUG)
    m->library_build_type = "release";
#else
    m->library_build_type = "debug";
#endif
    m->sanitizer = machine_sanitizer();
    snprintf(m->git_commit, sizeof m->git_commit, "%s", CHANBENCH_GIT_COMMIT);

    m->hwloc_version = HWLOC_VERSION;
    unsigned api = hwloc_get_api_version();
    snprintf(m->hwloc_api, sizeof m->hwloc_api, "%u.%u.%u", api >> 16, (api >> 8) & 0xff,
             api & 0xff);

    m->allocator = allocator();
#if defined(CHANBENCH_HAVE_JEMALLOC)
    const char *v = NULL;
    size_t vlen = sizeof v;
    if (mallctl("version", &v, &vlen, NULL, 0) == 0 && v != NULL)
        snprintf(m->jemalloc_version, sizeof m->jemalloc_version, "%s", v);
#endif
    m->spin_policy = CHANBENCH_SPIN_POLICY;
    m->cacheline = GOC_CACHELINE;

    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    m->num_cpus = ncpu > 0 ? (int)ncpu : 1;
    m->mhz_per_cpu = cpu_mhz();
    char gov[64];
    m->cpu_scaling_enabled =
        read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", gov, sizeof gov) == 0 &&
        strcmp(gov, "performance") != 0;
    if (getloadavg(m->load_avg, 3) != 3)
        m->load_avg[0] = m->load_avg[1] = m->load_avg[2] = 0;
}

void
machine_virtualization(hwloc_topology_t topo, struct machine_virt *v) {
    memset(v, 0, sizeof *v);
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f) {
        char line[4096];
        while (fgets(line, sizeof line, f)) {
            if (strncmp(line, "flags", 5) == 0) {
                if (strstr(line, " hypervisor"))
                    v->virtualized = true;
                break;
            }
        }
        fclose(f);
    }
#if defined(__x86_64__) || defined(__i386__)
    unsigned a, b, c, d;
    if (__get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 31))) {
        v->virtualized = true;
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
                snprintf(v->hypervisor, sizeof v->hypervisor, "%s", known[i].name);
                break;
            }
        }
    }
#endif
    /* hwloc copies DMI strings into the root's info attrs when /sys/class/dmi is readable. */
    if (!v->hypervisor[0] && topo) {
        hwloc_obj_t root = hwloc_get_root_obj(topo);
        const char *names[] = {"DMISysVendor", "DMIProductName", "DMIBoardVendor"};
        for (size_t i = 0; i < sizeof names / sizeof names[0] && !v->hypervisor[0]; i++) {
            const char *s = hwloc_obj_get_info_by_name(root, names[i]);
            if (!s)
                continue;
            const char *vm[] = {"QEMU",   "KVM",       "VMware",    "VirtualBox",
                                "Xen",    "Bochs",     "Parallels", "Microsoft Corporation Virtual",
                                "Google", "Amazon EC2"};
            for (size_t j = 0; j < sizeof vm / sizeof vm[0]; j++) {
                if (strstr(s, vm[j])) {
                    v->virtualized = true;
                    snprintf(v->hypervisor, sizeof v->hypervisor, "%s", s);
                    break;
                }
            }
        }
    }
    v->container = access("/.dockerenv", F_OK) == 0 || access("/run/.containerenv", F_OK) == 0;
}

static void
cpu_model_raw(hwloc_topology_t topo, bool synthetic, char *buf, size_t len) {
    hwloc_obj_t pkg = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_PACKAGE, NULL);
    const char *m = pkg ? hwloc_obj_get_info_by_name(pkg, "CPUModel") : NULL;
    if (m && *m) {
        snprintf(buf, len, "%s", m);
        return;
    }
    snprintf(buf, len, "unknown");
    if (synthetic)
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
                snprintf(buf, len, "%s", v);
                break;
            }
        }
    }
    fclose(f);
}

/* Some hypervisors pad the model string with blanks ("...Processor             "): they
 * would end up inside chart titles and benchstat's cpu: line. */
static void
trim_right(char *s) {
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
}

void
machine_cpu_model(hwloc_topology_t topo, bool synthetic, char *buf, size_t len) {
    cpu_model_raw(topo, synthetic, buf, len);
    trim_right(buf);
}
