/* SPDX-License-Identifier: MIT */
/* The results document of a run (docs/results-format.md): Google Benchmark's schema, with
 * context.chanbench (machine, build, options, rounds, modes, paired ratios) and one iteration
 * row per chunk followed by the aggregate rows. */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "engine.h"
#include "floor_report.h"
#include "topology.h"
#include "topology_report.h"

#define SCHEMA_VERSION 1

static json_t *
jreal(double x) {
    return isfinite(x) ? json_real(x) : json_null();
}

static json_t *
jstr(const char *s) {
    return json_string(s != NULL ? s : "");
}

static json_t *
params_json(const struct bench_instance *inst) {
    json_t *o = json_object();
    for (int i = 0; i < inst->nparams; i++) {
        const struct bench_kv *kv = &inst->params[i];
        if (kv->kind == BENCH_PARAM_INT || kv->kind == BENCH_PARAM_THREADS)
            json_object_set_new(o, kv->key, json_integer(atoll(kv->value)));
        else
            json_object_set_new(o, kv->key, json_string(kv->value));
    }
    return o;
}

static json_t *
iteration_row(const struct run_info *info, const struct bench_result *r, size_t i) {
    const struct rep_result *p = &r->reps[i];
    const struct bench_instance *inst = r->inst;
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(r->name));
    json_object_set_new(o, "run_name", json_string(r->name));
    json_object_set_new(o, "run_type", json_string("iteration"));
    json_object_set_new(o, "repetitions", json_integer((json_int_t)r->nreps));
    json_object_set_new(o, "repetition_index", json_integer((json_int_t)i));
    json_object_set_new(o, "threads", json_integer(p->nthreads));
    json_object_set_new(o, "iterations", json_integer((json_int_t)p->ops));
    json_object_set_new(o, "real_time", jreal(p->real_ns));
    json_object_set_new(o, "cpu_time", jreal(p->cpu_ns));
    json_object_set_new(o, "time_unit", json_string("ns"));
    json_object_set_new(o, "items_per_second", jreal(p->items_per_second));
    json_object_set_new(o, "family", json_string(inst->family->name));
    json_object_set_new(o, "impl", json_string(r->impl));
    if (inst->impl->note != NULL && strcmp(r->impl, inst->impl->name) == 0)
        json_object_set_new(o, "impl_note", json_string(inst->impl->note));
    json_object_set_new(o, "params", params_json(inst));
    json_object_set_new(o, "op", json_string(r->op));
    json_object_set_new(o, "voluntary_ctx_switches", json_integer(p->vcsw));
    json_object_set_new(o, "involuntary_ctx_switches", json_integer(p->ivcsw));
    if (p->pu_requested != NULL) {
        json_t *pl = json_array();
        for (int t = 0; t < p->nthreads; t++) {
            json_t *e = json_object();
            json_object_set_new(e, "thread", json_integer(t));
            json_object_set_new(e, "pu_requested", json_integer(p->pu_requested[t]));
            json_object_set_new(e, "pu_observed", json_integer(p->pu_observed[t]));
            json_array_append_new(pl, e);
        }
        json_object_set_new(o, "placement", pl);
    }
    json_object_set_new(o, "relation", jstr(p->relation));
    if (p->has_latency) {
        json_t *l = json_object();
        json_object_set_new(l, "count", json_integer((json_int_t)p->lat.count));
        json_object_set_new(l, "min", json_integer(p->lat.min));
        json_object_set_new(l, "p50", json_integer(p->lat.p50));
        json_object_set_new(l, "p90", json_integer(p->lat.p90));
        json_object_set_new(l, "p99", json_integer(p->lat.p99));
        json_object_set_new(l, "p999", json_integer(p->lat.p999));
        json_object_set_new(l, "max", json_integer(p->lat.max));
        json_object_set_new(o, "latency_ns", l);
    }
    if (p->nextra > 0) {
        json_t *x = json_object();
        for (int k = 0; k < p->nextra; k++)
            json_object_set_new(x, p->extra[k].key, jreal(p->extra[k].value));
        json_object_set_new(o, "extra", x);
    }
    json_object_set_new(o, "round", json_integer(p->round));
    json_object_set_new(o, "position", json_integer(p->position));
    json_object_set_new(o, "started_s", jreal(p->started_s));
    json_t *pr = json_object();
    json_object_set_new(pr, "before", jreal(p->before.c2c_ns));
    json_object_set_new(pr, "after", jreal(p->after.c2c_ns));
    json_object_set_new(o, "probe_ns", pr);
    pr = json_object();
    json_object_set_new(pr, "before", jreal(p->before.ring_ns));
    json_object_set_new(pr, "after", jreal(p->after.ring_ns));
    json_object_set_new(o, "probe_ring_ns", pr);
    if (info != NULL && info->engine != NULL)
        json_object_set_new(o, "mode", json_string(modes_tag_label(&info->engine->modes, p->mode)));
    json_object_set_new(o, "verified", json_true());
    return o;
}

static void
append_benchmark(const struct run_info *info, json_t *rows, const struct bench_result *r) {
    for (size_t i = 0; i < r->nreps; i++)
        json_array_append_new(rows, iteration_row(info, r, i));
    struct aggr a;
    report_aggregate(r, &a);
    report_aggregate_rows(rows, r->name, r->nreps ? r->reps[0].nthreads : 0, r->nreps, &a.real,
                          &a.cpu, &a.rate);
}

static void
iso_date(time_t t, char *buf, size_t len) {
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static json_t *
options_json(const struct run_options *o) {
    json_t *j = json_object();
    json_object_set_new(j, "rounds", json_integer(o->rounds));
    json_object_set_new(j, "min_time_s", json_real(o->min_time_s));
    json_object_set_new(j, "interleave", json_boolean(o->interleave));
    json_object_set_new(j, "control", json_boolean(o->control));
    json_object_set_new(j, "quick", json_boolean(o->quick));
    json_object_set_new(j, "filter", o->filter ? json_string(o->filter) : json_null());
    if (o->nthreads > 0) {
        json_t *a = json_array();
        for (int i = 0; i < o->nthreads; i++)
            json_array_append_new(a, json_integer(o->threads[i]));
        json_object_set_new(j, "threads", a);
    } else {
        json_object_set_new(j, "threads", json_null());
    }
    if (o->nimpls > 0) {
        json_t *a = json_array();
        for (int i = 0; i < o->nimpls; i++)
            json_array_append_new(a, json_string(o->impls[i]));
        json_object_set_new(j, "impl", a);
    } else {
        json_object_set_new(j, "impl", json_null());
    }
    return j;
}

static const char *const metric_names[] = {"real_time", "cpu_time", "p99"};

/* context.chanbench's seed, rounds, modes and paired (docs/results-format.md). */
static void
rounds_context(const struct engine *e, json_t *cb) {
    json_object_set_new(cb, "seed", json_integer((json_int_t)e->seed));
    json_t *r = json_object();
    json_object_set_new(r, "asked", json_integer(e->rounds));
    json_object_set_new(r, "completed", json_integer(e->rounds_done));
    json_object_set_new(r, "interleaved", json_boolean(e->opts->interleave));
    json_object_set_new(r, "chunks", json_integer((json_int_t)e->chunks_done));
    json_object_set_new(r, "steal_ms", jreal(e->steal_ms));
    json_t *per = json_array();
    for (int i = 0; i < e->rounds; i++) {
        const struct round_info *ri = &e->round[i];
        if (ri->chunks == 0)
            continue;
        json_t *o = json_object();
        json_object_set_new(o, "round", json_integer(i));
        json_object_set_new(o, "started_s", jreal(ri->started_s));
        json_object_set_new(o, "duration_s", jreal(ri->duration_s));
        json_object_set_new(o, "steal_ms", jreal(ri->steal_ms));
        json_object_set_new(o, "chunks", json_integer(ri->chunks));
        json_array_append_new(per, o);
    }
    json_object_set_new(r, "per_round", per);
    json_object_set_new(cb, "rounds", r);

    json_t *m = json_object();
    json_object_set_new(m, "probes", json_integer((json_int_t)e->modes.total));
    json_object_set_new(m, "straddling", json_integer((json_int_t)e->straddling));
    json_object_set_new(m, "unprobed", json_integer((json_int_t)e->unprobed));
    json_t *list = json_array();
    for (int k = 0; k < e->modes.n; k++) {
        const struct mode *md = &e->modes.m[k];
        json_t *o = json_object();
        json_object_set_new(o, "label", json_string(md->label));
        json_object_set_new(o, "floor_ns", jreal(md->floor_ns));
        json_object_set_new(o, "lo_ns", jreal(md->lo_ns));
        json_object_set_new(o, "hi_ns", jreal(md->hi_ns));
        json_object_set_new(o, "probes", json_integer((json_int_t)md->count));
        json_object_set_new(o, "share", jreal(md->share));
        json_array_append_new(list, o);
    }
    json_object_set_new(m, "modes", list);
    json_object_set_new(cb, "modes", m);

    json_t *pa = json_array();
    for (size_t i = 0; i < e->npaired; i++) {
        const struct paired_row *p = &e->paired[i];
        json_t *o = json_object();
        json_object_set_new(o, "benchmark", json_string(e->groups[p->group]));
        json_object_set_new(o, "numerator", json_string(p->numerator));
        json_object_set_new(o, "denominator", json_string(p->denominator));
        json_object_set_new(o, "metric", json_string(metric_names[p->metric]));
        json_object_set_new(o, "mode",
                            json_string(p->mode < 0 ? "all" : e->modes.m[p->mode].label));
        json_object_set_new(o, "ratio", jreal(p->st.ratio));
        json_t *ci = json_array();
        json_array_append_new(ci, jreal(p->st.lo));
        json_array_append_new(ci, jreal(p->st.hi));
        json_object_set_new(o, "ci", ci);
        json_object_set_new(o, "ci_ok", json_boolean(p->st.ci_ok));
        json_object_set_new(o, "significant", json_boolean(p->st.differs));
        json_object_set_new(o, "rounds", json_integer((json_int_t)p->st.rounds));
        json_object_set_new(o, "outliers", json_integer((json_int_t)p->st.outliers));
        if (p->st.bimodal) {
            json_t *cl = json_array();
            json_array_append_new(cl, jreal(p->st.cluster[0]));
            json_array_append_new(cl, jreal(p->st.cluster[1]));
            json_object_set_new(o, "clusters", cl);
            json_object_set_new(o, "cluster_share", jreal(p->st.cluster_share));
        }
        json_t *pr = json_array();
        for (size_t k = 0; k < p->st.rounds; k++)
            json_array_append_new(pr, jreal(p->per_round[k]));
        json_object_set_new(o, "per_round", pr);
        json_object_set_new(o, "warnings", json_string(p->warn));
        json_array_append_new(pa, o);
    }
    json_object_set_new(cb, "paired", pa);
}

static json_t *
context_json(const struct run_info *info) {
    const struct machine_info *m = info->machine;
    json_t *c = json_object();
    char date[40];
    iso_date(info->started, date, sizeof date);
    json_object_set_new(c, "date", json_string(date));
    json_object_set_new(c, "host_name", json_string(m->host));
    json_object_set_new(c, "executable", json_string(m->executable));
    json_object_set_new(c, "num_cpus", json_integer(m->num_cpus));
    json_object_set_new(c, "mhz_per_cpu", json_integer((json_int_t)(m->mhz_per_cpu + 0.5)));
    json_object_set_new(c, "cpu_scaling_enabled", json_boolean(m->cpu_scaling_enabled));
    json_object_set_new(c, "caches", topo_google_caches_json());
    json_t *load = json_array();
    for (int i = 0; i < 3; i++)
        json_array_append_new(load, json_real(m->load_avg[i]));
    json_object_set_new(c, "load_avg", load);
    json_object_set_new(c, "library_build_type", json_string(m->library_build_type));

    json_t *cb = json_object();
    json_object_set_new(cb, "schema_version", json_integer(SCHEMA_VERSION));
    json_object_set_new(cb, "complete", json_boolean(info->complete));
    if (info->resumed > 0)
        json_object_set_new(cb, "resumed", json_integer(info->resumed));
    json_object_set_new(cb, "command", jstr(info->command));
    json_object_set_new(cb, "cpu_model", jstr(topo_cpu_model()));
    json_object_set_new(cb, "kernel", json_string(m->kernel));
    json_object_set_new(cb, "compiler", jstr(m->compiler));
    json_object_set_new(cb, "cflags", jstr(m->cflags));
    json_object_set_new(cb, "build_type", jstr(m->build_type));
    json_object_set_new(cb, "sanitizer", jstr(m->sanitizer));
    json_object_set_new(cb, "git_commit", json_string(m->git_commit));
    json_object_set_new(cb, "hwloc_version", jstr(m->hwloc_version));
    json_object_set_new(cb, "allocator", jstr(m->allocator));
    json_object_set_new(cb, "jemalloc_version",
                        m->jemalloc_version[0] ? json_string(m->jemalloc_version) : json_null());
    json_object_set_new(cb, "spin_policy", jstr(m->spin_policy));
    json_object_set_new(cb, "cacheline", json_integer(m->cacheline));
    json_object_set_new(cb, "topology", topo_json());
    json_object_set_new(cb, "pin_policy", jstr(info->opts->pin));
    json_object_set_new(cb, "clock_overhead_ns", jreal(info->clock_overhead_ns));
    json_object_set_new(cb, "options", options_json(info->opts));
    if (info->peers != NULL)
        json_object_set_new(cb, "peers", json_deep_copy(info->peers));
    if (info->engine != NULL)
        rounds_context(info->engine, cb);
    json_object_set_new(c, "chanbench", cb);
    return c;
}

/* The family of a run name: the name without its "/impl=..." part, so that a benchmark's
 * implementations (the control included) are the instances of one family. */
static void
family_of(const char *run_name, char *buf, size_t len) {
    const char *impl = strstr(run_name, "/impl=");
    size_t n = impl != NULL ? (size_t)(impl - run_name) : strlen(run_name);
    snprintf(buf, len, "%.*s", (int)n, run_name);
}

/* Give every row Google's family_index and per_family_instance_index, in order of first
 * appearance, right after its name (where Google writes them). compare.py sorts on them: rows
 * without them sort every benchmark's repetitions before all the aggregates. */
static int
add_family_indices(json_t *rows) {
    json_t *families = json_object(); /* family -> [its index, {run_name: instance index}] */
    if (families == NULL)
        return -1;
    int rc = 0;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        const char *run_name = json_string_value(json_object_get(row, "run_name"));
        if (run_name == NULL)
            run_name = json_string_value(json_object_get(row, "name"));
        if (run_name == NULL)
            continue;
        char fam[1100];
        family_of(run_name, fam, sizeof fam);
        json_t *f = json_object_get(families, fam);
        if (f == NULL) {
            f = json_pack("[io]", (json_int_t)json_object_size(families), json_object());
            if (f == NULL || json_object_set_new(families, fam, f) < 0) {
                rc = -1;
                break;
            }
        }
        json_t *inst = json_array_get(f, 1);
        json_t *k = json_object_get(inst, run_name);
        if (k == NULL &&
            json_object_set_new(inst, run_name, k = json_integer(json_object_size(inst))) < 0) {
            rc = -1;
            break;
        }
        json_t *o = json_object();
        if (o == NULL) {
            rc = -1;
            break;
        }
        json_object_set(o, "name", json_object_get(row, "name"));
        json_object_set(o, "family_index", json_array_get(f, 0));
        json_object_set(o, "per_family_instance_index", k);
        const char *key;
        json_t *v;
        json_object_foreach(row, key, v) {
            if (strcmp(key, "family_index") != 0 && strcmp(key, "per_family_instance_index") != 0)
                json_object_set(o, key, v);
        }
        json_array_set_new(rows, i, o);
    }
    json_decref(families);
    return rc;
}

json_t *
report_document(const struct run_info *info, const struct bench_result *const *res, size_t n) {
    json_t *doc = json_object();
    json_object_set_new(doc, "context", context_json(info));
    json_t *rows = json_array();
    for (size_t i = 0; i < n; i++)
        append_benchmark(info, rows, res[i]);
    json_object_set_new(doc, "benchmarks", rows);
    if (info->limit != NULL && limit_add_to_document(doc, info->limit) != 0)
        fprintf(stderr, "chanbench: could not add the hardware floor to the results (out of "
                        "memory)\n");
    if (add_family_indices(rows) != 0)
        fprintf(stderr, "chanbench: could not add the family indexes to the results (out of "
                        "memory)\n");
    return doc;
}

json_t *
report_rows(const struct run_info *info, const struct bench_result *const *res, size_t n) {
    if (info != NULL) {
        json_t *doc = report_document(info, res, n);
        json_t *rows = json_incref(json_object_get(doc, "benchmarks"));
        json_decref(doc);
        return rows;
    }
    json_t *rows = json_array();
    for (size_t i = 0; i < n; i++)
        append_benchmark(NULL, rows, res[i]);
    add_family_indices(rows);
    return rows;
}
