/* SPDX-License-Identifier: MIT */
/* `--format gobench`: Go's benchmark text format, which benchstat reads. */
#include "report.h"

#include <string.h>
#include <sys/utsname.h>

#include "topology.h"

static const char *
rate_unit(const char *op) {
    if (strcmp(op, "msg") == 0)
        return "msgs/s";
    if (strcmp(op, "item") == 0)
        return "items/s";
    return "ops/s";
}

void
report_gobench(FILE *out, const struct run_info *info, const struct bench_result *const *res,
               size_t n) {
    const struct machine_info *m = info->machine;
    struct utsname u;
    const char *arch = "unknown";
    if (uname(&u) == 0)
        arch = strcmp(u.machine, "x86_64") == 0    ? "amd64"
               : strcmp(u.machine, "aarch64") == 0 ? "arm64"
                                                   : u.machine;
    /* Configuration lines: "key: value", keys lower case without spaces (benchfmt). */
    fprintf(out, "goos: linux\ngoarch: %s\npkg: chanbench\ncpu: %s\n", arch, topo_cpu_model());
    fprintf(out, "host: %s\ncommit: %s\ncompiler: %s\nbuild-type: %s\nsanitizer: %s\n", m->host,
            m->git_commit, m->compiler, m->build_type[0] ? m->build_type : "none", m->sanitizer);
    fprintf(out, "allocator: %s\npin: %s\nspin-policy: %s\ncomplete: %s\n", m->allocator,
            info->opts->pin, m->spin_policy, info->complete ? "true" : "false");
    for (size_t b = 0; b < n; b++) {
        const struct bench_result *r = res[b];
        for (size_t i = 0; i < r->nreps; i++) {
            const struct rep_result *p = &r->reps[i];
            fprintf(out, "Benchmark%s\t%llu\t%.4g ns/op\t%.4g cpu-ns/op\t%.6g %s", r->name,
                    (unsigned long long)p->ops, p->real_ns, p->cpu_ns, p->items_per_second,
                    rate_unit(r->op));
            if (p->has_latency)
                fprintf(out, "\t%lld p50-ns\t%lld p99-ns\t%lld p99.9-ns", (long long)p->lat.p50,
                        (long long)p->lat.p99, (long long)p->lat.p999);
            fprintf(out, "\t%.4g ctxsw/op\n",
                    p->ops ? (double)(p->vcsw + p->ivcsw) / (double)p->ops : 0.0);
        }
    }
}
