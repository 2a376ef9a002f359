/* SPDX-License-Identifier: MIT */
/* Chunk summaries and Google Benchmark's aggregate rows (aggregate.h). */
#include "aggregate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
report_aggregate(const struct bench_result *r, struct aggr *a) {
    size_t n = r->nreps;
    double *v = calloc((n ? n : 1) * 3, sizeof *v);
    if (v == NULL) {
        memset(a, 0, sizeof *a);
        a->p99_median = NAN;
        return;
    }
    double *w = v + n, *x = v + 2 * n;
    for (size_t i = 0; i < n; i++) {
        v[i] = r->reps[i].real_ns;
        w[i] = r->reps[i].cpu_ns;
        x[i] = r->reps[i].items_per_second;
    }
    stats_compute(v, n, &a->real);
    stats_compute(w, n, &a->cpu);
    stats_compute(x, n, &a->rate);
    size_t nl = 0;
    for (size_t i = 0; i < n; i++)
        if (r->reps[i].has_latency)
            v[nl++] = (double)r->reps[i].lat.p99;
    struct stats s;
    stats_compute(v, nl, &s);
    a->p99_median = nl ? s.median : NAN;
    for (size_t i = 0; i < n; i++)
        v[i] = r->reps[i].ops
                   ? (double)(r->reps[i].vcsw + r->reps[i].ivcsw) / (double)r->reps[i].ops
                   : 0;
    stats_compute(v, n, &s);
    a->csw_per_op = s.median;
    free(v);
}

const char *const report_aggregate_names[REPORT_NAGGREGATES] = {"mean", "median", "stddev",
                                                                "cv",   "min",    "max"};

double
report_aggregate_value(const struct stats *s, const char *which) {
    if (strcmp(which, "mean") == 0)
        return s->mean;
    if (strcmp(which, "median") == 0)
        return s->median;
    if (strcmp(which, "stddev") == 0)
        return s->stddev;
    if (strcmp(which, "cv") == 0)
        return s->cv;
    if (strcmp(which, "min") == 0)
        return s->min;
    return s->max;
}

const char *
report_aggregate_unit(const char *which) {
    return strcmp(which, "cv") == 0 ? "percentage" : "time";
}

static json_t *
jreal(double x) {
    return isfinite(x) ? json_real(x) : json_null();
}

void
report_aggregate_rows(json_t *rows, const char *run_name, int threads, size_t n,
                      const struct stats *real, const struct stats *cpu, const struct stats *rate) {
    for (int k = 0; k < REPORT_NAGGREGATES; k++) {
        const char *which = report_aggregate_names[k];
        char name[1100];
        snprintf(name, sizeof name, "%s_%s", run_name, which);
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(name));
        json_object_set_new(o, "run_name", json_string(run_name));
        json_object_set_new(o, "run_type", json_string("aggregate"));
        json_object_set_new(o, "repetitions", json_integer((json_int_t)n));
        json_object_set_new(o, "threads", json_integer(threads));
        json_object_set_new(o, "aggregate_name", json_string(which));
        json_object_set_new(o, "aggregate_unit", json_string(report_aggregate_unit(which)));
        json_object_set_new(o, "iterations", json_integer((json_int_t)n));
        json_object_set_new(o, "real_time", jreal(report_aggregate_value(real, which)));
        json_object_set_new(o, "cpu_time", jreal(report_aggregate_value(cpu, which)));
        json_object_set_new(o, "time_unit", json_string("ns"));
        if (rate != NULL)
            json_object_set_new(o, "items_per_second", jreal(report_aggregate_value(rate, which)));
        json_array_append_new(rows, o);
    }
}
