/* SPDX-License-Identifier: MIT */
/* `--format gobench`: Go's benchmark text format, which benchstat reads: a line per iteration
 * row of the results document (report_rows), the floor's limit/ rows included. */
#include "report.h"

#include <ctype.h>
#include <math.h>
#include <string.h>
#include <sys/utsname.h>

#include "topology.h"

static const char *
rate_unit(const char *op) {
    if (op == NULL)
        return "ops/s";
    if (strcmp(op, "msg") == 0)
        return "msgs/s";
    if (strcmp(op, "item") == 0)
        return "items/s";
    return "ops/s";
}

/* One "value unit" pair, the value with the JSON's 10 significant digits; nothing for a null
 * or absent figure (Go's format has no empty value). */
static void
gobench_num(FILE *out, json_t *v, const char *unit) {
    if (json_is_integer(v))
        fprintf(out, "\t%lld %s", (long long)json_integer_value(v), unit);
    else if (json_is_real(v) && isfinite(json_real_value(v)))
        fprintf(out, "\t%.10g %s", json_real_value(v), unit);
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
    json_t *rows = report_rows(info, res, n);
    if (rows == NULL) {
        fprintf(stderr, "chanbench: out of memory for the benchmark lines\n");
        return;
    }
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        const char *type = json_string_value(json_object_get(row, "run_type"));
        const char *name = json_string_value(json_object_get(row, "name"));
        if (type == NULL || strcmp(type, "iteration") != 0 || name == NULL || name[0] == '\0')
            continue;
        json_int_t ops = json_integer_value(json_object_get(row, "iterations"));
        /* Go's rule: Benchmark, then an upper-case letter. */
        fprintf(out, "Benchmark%c%s\t%lld", toupper((unsigned char)name[0]), name + 1,
                (long long)ops);
        gobench_num(out, json_object_get(row, "real_time"), "ns/op");
        gobench_num(out, json_object_get(row, "cpu_time"), "cpu-ns/op");
        gobench_num(out, json_object_get(row, "items_per_second"),
                    rate_unit(json_string_value(json_object_get(row, "op"))));
        json_t *lat = json_object_get(row, "latency_ns");
        gobench_num(out, json_object_get(lat, "p50"), "p50-ns");
        gobench_num(out, json_object_get(lat, "p99"), "p99-ns");
        gobench_num(out, json_object_get(lat, "p999"), "p99.9-ns");
        json_int_t csw = json_integer_value(json_object_get(row, "voluntary_ctx_switches")) +
                         json_integer_value(json_object_get(row, "involuntary_ctx_switches"));
        fprintf(out, "\t%.10g ctxsw/op\n", ops > 0 ? (double)csw / (double)ops : 0.0);
    }
    json_decref(rows);
}
