/* SPDX-License-Identifier: MIT */
/* `--format csv`: Google Benchmark's CSV columns and chanbench's, one line per chunk and per
 * aggregate. */
#include "report.h"

#include <math.h>

#include "aggregate.h"

static void
csv_num(FILE *out, double x) {
    if (isfinite(x))
        fprintf(out, ",%.10g", x);
    else
        fputs(",", out);
}

void
report_csv(FILE *out, const struct bench_result *const *res, size_t n) {
    fputs("name,iterations,real_time,cpu_time,time_unit,bytes_per_second,items_per_second,"
          "label,error_occurred,error_message,run_type,aggregate_name,repetition_index,op,"
          "threads,voluntary_ctx_switches,involuntary_ctx_switches,p50_ns,p90_ns,p99_ns,"
          "p999_ns,max_ns\n",
          out);
    for (size_t b = 0; b < n; b++) {
        const struct bench_result *r = res[b];
        for (size_t i = 0; i < r->nreps; i++) {
            const struct rep_result *p = &r->reps[i];
            fprintf(out, "\"%s\",%llu", r->name, (unsigned long long)p->ops);
            csv_num(out, p->real_ns);
            csv_num(out, p->cpu_ns);
            fputs(",ns,", out);
            csv_num(out, p->items_per_second);
            fprintf(out, ",,,,iteration,,%zu,%s,%d,%ld,%ld", i, r->op, p->nthreads, p->vcsw,
                    p->ivcsw);
            if (p->has_latency)
                fprintf(out, ",%lld,%lld,%lld,%lld,%lld\n", (long long)p->lat.p50,
                        (long long)p->lat.p90, (long long)p->lat.p99, (long long)p->lat.p999,
                        (long long)p->lat.max);
            else
                fputs(",,,,,\n", out);
        }
        struct aggr a;
        report_aggregate(r, &a);
        for (int k = 0; k < REPORT_NAGGREGATES; k++) {
            const char *which = report_aggregate_names[k];
            fprintf(out, "\"%s_%s\",%zu", r->name, which, r->nreps);
            csv_num(out, report_aggregate_value(&a.real, which));
            csv_num(out, report_aggregate_value(&a.cpu, which));
            fputs(",ns,", out);
            csv_num(out, report_aggregate_value(&a.rate, which));
            fprintf(out, ",,,,aggregate,%s,,%s,%d,,,,,,,\n", which, r->op,
                    r->nreps ? r->reps[0].nthreads : 0);
        }
    }
}
