/* SPDX-License-Identifier: MIT */
/* Writing results: the JSON document (Google Benchmark's schema plus context.chanbench, see
 * docs/results-format.md), CSV, Go's benchmark format, the console table, and the atomic
 * file write. */
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "engine.h"
#include "scenarios/limit.h"
#include "stats.h"
#include "topology.h"

#define SCHEMA_VERSION 1

/* ---- aggregates ------------------------------------------------------------------------- */

struct aggr {
    struct stats real, cpu, rate;
    double p99_median; /* median over repetitions of p99; NAN without latency */
    double csw_per_op; /* median over repetitions of (vcsw + ivcsw) / ops */
};

static void
aggregate(const struct bench_result *r, struct aggr *a) {
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

/* ---- JSON ------------------------------------------------------------------------------- */

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

static json_t *
aggregate_row(const struct bench_result *r, const char *which, double real, double cpu, double rate,
              bool percentage) {
    char name[1100];
    snprintf(name, sizeof name, "%s_%s", r->name, which);
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(name));
    json_object_set_new(o, "run_name", json_string(r->name));
    json_object_set_new(o, "run_type", json_string("aggregate"));
    json_object_set_new(o, "repetitions", json_integer((json_int_t)r->nreps));
    json_object_set_new(o, "threads", json_integer(r->nreps ? r->reps[0].nthreads : 0));
    json_object_set_new(o, "aggregate_name", json_string(which));
    if (percentage)
        json_object_set_new(o, "aggregate_unit", json_string("percentage"));
    json_object_set_new(o, "iterations", json_integer((json_int_t)r->nreps));
    json_object_set_new(o, "real_time", jreal(real));
    json_object_set_new(o, "cpu_time", jreal(cpu));
    json_object_set_new(o, "time_unit", json_string("ns"));
    json_object_set_new(o, "items_per_second", jreal(rate));
    return o;
}

static void
append_benchmark(const struct run_info *info, json_t *rows, const struct bench_result *r) {
    for (size_t i = 0; i < r->nreps; i++)
        json_array_append_new(rows, iteration_row(info, r, i));
    struct aggr a;
    aggregate(r, &a);
    json_array_append_new(
        rows, aggregate_row(r, "median", a.real.median, a.cpu.median, a.rate.median, false));
    json_array_append_new(rows,
                          aggregate_row(r, "mean", a.real.mean, a.cpu.mean, a.rate.mean, false));
    json_array_append_new(
        rows, aggregate_row(r, "stddev", a.real.stddev, a.cpu.stddev, a.rate.stddev, false));
    json_array_append_new(rows, aggregate_row(r, "cv", a.real.cv, a.cpu.cv, a.rate.cv, true));
    json_array_append_new(rows, aggregate_row(r, "min", a.real.min, a.cpu.min, a.rate.min, false));
    json_array_append_new(rows, aggregate_row(r, "max", a.real.max, a.cpu.max, a.rate.max, false));
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
    return doc;
}

/* ---- files ------------------------------------------------------------------------------ */

static void
folder_of(const char *path, char *buf, size_t len) {
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    snprintf(buf, len, "%s", dirname(tmp));
}

int
report_check_folder(const char *path, char *err, size_t errlen) {
    char dir[4096];
    folder_of(path, dir, sizeof dir);
    struct stat st;
    if (stat(dir, &st) != 0) {
        snprintf(err, errlen,
                 "output folder '%s' does not exist (%s): create it, run from the repository "
                 "root, or give --out FILE",
                 dir, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "output folder '%s' is not a folder: give --out FILE", dir);
        return -1;
    }
    if ((st.st_mode & 0222) == 0 || access(dir, W_OK) != 0) {
        snprintf(err, errlen,
                 "output folder '%s' is read-only: make it writable or give --out FILE "
                 "elsewhere",
                 dir);
        return -1;
    }
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "--out '%s' is a folder: give a file name", path);
        return -1;
    }
    char probe[4200];
    snprintf(probe, sizeof probe, "%s/.chanbench-probe.tmpXXXXXX", dir);
    int fd = mkstemp(probe);
    if (fd < 0) {
        snprintf(err, errlen, "cannot write in output folder '%s' (%s): give --out FILE", dir,
                 strerror(errno));
        return -1;
    }
    close(fd);
    unlink(probe);
    return 0;
}

int
report_write_file(const char *path, const char *text, char *err, size_t errlen) {
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmpXXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create a temporary file next to '%s': %s", path,
                 strerror(errno));
        return -1;
    }
    size_t len = strlen(text), done = 0;
    while (done < len) {
        ssize_t w = write(fd, text + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            snprintf(err, errlen, "cannot write '%s': %s", tmp, strerror(errno));
            goto fail;
        }
        done += (size_t)w;
    }
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0 || fsync(fd) != 0) {
        snprintf(err, errlen, "cannot finish '%s': %s", tmp, strerror(errno));
        goto fail;
    }
    if (close(fd) != 0) {
        fd = -1;
        snprintf(err, errlen, "cannot finish '%s': %s", tmp, strerror(errno));
        goto fail;
    }
    fd = -1;
    if (rename(tmp, path) != 0) {
        snprintf(err, errlen, "cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
        goto fail;
    }
    return 0;
fail:
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    return -1;
}

void
report_default_path(char *buf, size_t len, const char *host, time_t t) {
    char h[256];
    size_t i = 0;
    for (; host[i] != '\0' && i < sizeof h - 1; i++) {
        char c = host[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        h[i] = ok ? c : '_';
    }
    h[i] = '\0';
    struct tm tm;
    gmtime_r(&t, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    snprintf(buf, len, "results/%s-%s.json", h[0] ? h : "host", stamp);
}

/* ---- CSV -------------------------------------------------------------------------------- */

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
        aggregate(r, &a);
        struct {
            const char *name;
            double real, cpu, rate;
        } rows[] = {
            {"median", a.real.median, a.cpu.median, a.rate.median},
            {"mean", a.real.mean, a.cpu.mean, a.rate.mean},
            {"stddev", a.real.stddev, a.cpu.stddev, a.rate.stddev},
            {"cv", a.real.cv, a.cpu.cv, a.rate.cv},
            {"min", a.real.min, a.cpu.min, a.rate.min},
            {"max", a.real.max, a.cpu.max, a.rate.max},
        };
        for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
            fprintf(out, "\"%s_%s\",%zu", r->name, rows[k].name, r->nreps);
            csv_num(out, rows[k].real);
            csv_num(out, rows[k].cpu);
            fputs(",ns,", out);
            csv_num(out, rows[k].rate);
            fprintf(out, ",,,,aggregate,%s,,%s,%d,,,,,,,\n", rows[k].name, r->op,
                    r->nreps ? r->reps[0].nthreads : 0);
        }
    }
}

/* ---- Go benchmark format ---------------------------------------------------------------- */

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

/* ---- console ---------------------------------------------------------------------------- */

static void
fmt_ns(char *buf, size_t len, double ns) {
    if (!isfinite(ns))
        snprintf(buf, len, "-");
    else if (ns < 10)
        snprintf(buf, len, "%.2f", ns);
    else if (ns < 1000)
        snprintf(buf, len, "%.1f", ns);
    else
        snprintf(buf, len, "%.0f", ns);
}

static void
fmt_si(char *buf, size_t len, double x) {
    const char *suffix[] = {"", "k", "M", "G", "T"};
    int k = 0;
    while (fabs(x) >= 1000 && k < 4) {
        x /= 1000;
        k++;
    }
    snprintf(buf, len, x < 10 ? "%.2f%s" : x < 100 ? "%.1f%s" : "%.0f%s", x, suffix[k]);
}

/* The floor a chan/ or select/ result is compared with on the console (the round trip for a
 * ping-pong, the ring's ns per message otherwise, for its first repetition's placement:
 * limit_floor_for), or NAN. Not for chan/paced and chan/idle, whose time is their pauses: the
 * file has their ratio_to_floor (limit_add_to_document gives every chan/ row one), the table
 * leaves out a number that says nothing. */
static double
result_floor(const struct run_info *info, const struct bench_result *r) {
    if (info == NULL || info->limit == NULL || r->name == NULL ||
        (strncmp(r->name, "chan/", 5) != 0 && strncmp(r->name, "select/", 7) != 0) ||
        strncmp(r->name, "chan/paced/", 11) == 0 || strncmp(r->name, "chan/idle/", 10) == 0)
        return NAN;
    const int *pus = NULL;
    int n = 0;
    if (r->nreps > 0 && r->reps[0].pu_requested != NULL) {
        pus = r->reps[0].pu_requested;
        n = r->reps[0].nthreads;
    }
    double c2c = NAN, ring = NAN;
    if (!limit_floor_for(info->limit, pus, n, &c2c, &ring))
        return NAN;
    double f = strncmp(r->name, "chan/pingpong/", 14) == 0 ? c2c : ring;
    return f > 0 ? f : NAN;
}

static void
fmt_ratio(char *buf, size_t len, double x) {
    if (!isfinite(x))
        snprintf(buf, len, "-");
    else if (x < 10)
        snprintf(buf, len, "%.2f", x);
    else if (x < 1000)
        snprintf(buf, len, "%.1f", x);
    else
        snprintf(buf, len, "%.0f", x);
}

void
report_console_header(FILE *out, const struct run_info *info, const char *path, size_t nbench,
                      int namewidth) {
    const struct machine_info *m = info->machine;
    const struct run_options *o = info->opts;
    int npk = topo_num_packages();
    fprintf(out, "chanbench on %s: %s, %d PUs allowed of %d (%d cores, %d package%s)%s\n", m->host,
            topo_cpu_model(), topo_num_allowed(), topo_num_pus(), topo_num_cores(), npk,
            npk == 1 ? "" : "s", topo_is_virtualized() ? ", virtualized" : "");
    fprintf(out, "build %s %s, commit %s, allocator %s%s%s, sanitizer %s\n",
            m->build_type[0] ? m->build_type : "(no build type)", m->compiler, m->git_commit,
            m->allocator, m->jemalloc_version[0] ? " " : "", m->jemalloc_version, m->sanitizer);
    fprintf(out,
            "%zu benchmark arms%s, pin %s, %d %s rounds of one >= %g s chunk each, seed %llu, "
            "clock %.0f ns, load %.2f; results to %s\n",
            nbench, o->quick ? " (quick)" : "", o->pin, o->rounds,
            o->interleave ? "interleaved" : "blocked (--no-interleave)", o->min_time_s,
            info->engine != NULL ? (unsigned long long)info->engine->seed : 0ULL,
            info->clock_overhead_ns, m->load_avg[0], path);
    if (info->limit != NULL)
        fprintf(out,
                "floor: core-to-core round trip %.1f ns (one way %.1f ns), SPSC ring %.2f "
                "ns/msg; medians over %d PU pair%s (chanbench limit)\n",
                info->limit->c2c_round_trip_ns, info->limit->one_way_ns,
                info->limit->ring_ns_per_msg, info->limit->npairs,
                info->limit->npairs == 1 ? "" : "s");
    int w = namewidth + 76 + (info->limit != NULL ? 9 : 0);
    for (int i = 0; i < w; i++)
        fputc('-', out);
    fputc('\n', out);
    /* "±" is two bytes in UTF-8 and one column: its fields get one more byte of width. */
    fprintf(out, "%-*s %10s %8s %10s %18s %9s %8s", namewidth, "benchmark", "ns/op", "±cv",
            "cpu ns/op", "rate", "p99 ns", "csw/op");
    if (info->limit != NULL)
        fprintf(out, " %8s", "/floor");
    fputc('\n', out);
    for (int i = 0; i < w; i++)
        fputc('-', out);
    fputc('\n', out);
    fflush(out);
}

void
report_console_row(FILE *out, const struct run_info *info, const struct bench_result *r,
                   int namewidth) {
    struct aggr a;
    aggregate(r, &a);
    char ns[32], cpu[32], rate[32], p99[32], cv[32], rate_col[48];
    fmt_ns(ns, sizeof ns, a.real.median);
    fmt_ns(cpu, sizeof cpu, a.cpu.median);
    fmt_si(rate, sizeof rate, a.rate.median);
    snprintf(rate_col, sizeof rate_col, "%s %s/s", rate, r->op);
    snprintf(cv, sizeof cv, "±%.1f%%", a.real.cv * 100);
    if (isfinite(a.p99_median))
        fmt_ns(p99, sizeof p99, a.p99_median);
    else
        snprintf(p99, sizeof p99, "-");
    fprintf(out, "%-*s %10s %8s %10s %18s %9s %8.3g", namewidth, r->name, ns, cv, cpu, rate_col,
            p99, a.csw_per_op);
    if (info != NULL && info->limit != NULL) {
        char ratio[32];
        fmt_ratio(ratio, sizeof ratio, a.real.median / result_floor(info, r));
        fprintf(out, " %8s", ratio);
    }
    fputc('\n', out);
    fflush(out);
}

/* ---- paired ratios ---------------------------------------------------------------------- */

/* "0.64 [0.61-0.66]", then "~" when the interval contains 1 and "?" when there are too few
 * rounds for an interval (the range is shown instead). */
static void
fmt_paired(char *buf, size_t len, const struct paired_stat *st) {
    char r[16], lo[16], hi[16];
    fmt_ratio(r, sizeof r, st->ratio);
    fmt_ratio(lo, sizeof lo, st->lo);
    fmt_ratio(hi, sizeof hi, st->hi);
    snprintf(buf, len, "%s [%s-%s]%s", r, lo, hi, !st->ci_ok ? "?" : st->differs ? "" : "~");
}

/* The paired rows of one metric and mode, as a table: benchmarks down, denominators across. */
static void
paired_table(FILE *out, const struct engine *e, enum paired_metric metric, int mode,
             const char *title) {
    const char *cols[CLI_MAX_IMPLS * 2];
    int ncols = 0, keyw = 9;
    bool any = false;
    for (int pass = 0; pass < 2; pass++) /* the control last */
        for (size_t i = 0; i < e->npaired; i++) {
            const struct paired_row *p = &e->paired[i];
            if (p->metric != metric || p->mode != mode ||
                (strcmp(p->denominator, ENGINE_CONTROL) == 0) != (pass == 1))
                continue;
            any = true;
            int l = (int)strlen(e->groups[p->group]);
            keyw = l > keyw ? l : keyw;
            bool seen = false;
            for (int c = 0; c < ncols && !seen; c++)
                seen = strcmp(cols[c], p->denominator) == 0;
            if (!seen && ncols < CLI_MAX_IMPLS * 2)
                cols[ncols++] = p->denominator;
        }
    if (!any)
        return;
    const int cw = 20;
    fprintf(out, "\n%s\n", title);
    int w = keyw + ncols * (cw + 1);
    for (int i = 0; i < w; i++)
        fputc('-', out);
    fprintf(out, "\n%-*s", keyw, "benchmark");
    for (int c = 0; c < ncols; c++) {
        char h[64];
        snprintf(h, sizeof h, "goc/%s", cols[c]);
        fprintf(out, " %-*s", cw, h);
    }
    fputc('\n', out);
    for (int i = 0; i < w; i++)
        fputc('-', out);
    fputc('\n', out);
    for (int g = 0; g < e->ngroups; g++) {
        const struct paired_row *cell[CLI_MAX_IMPLS * 2] = {NULL};
        bool have = false;
        for (size_t i = 0; i < e->npaired; i++) {
            const struct paired_row *p = &e->paired[i];
            if (p->group != g || p->metric != metric || p->mode != mode)
                continue;
            for (int c = 0; c < ncols; c++)
                if (strcmp(cols[c], p->denominator) == 0) {
                    cell[c] = p;
                    have = true;
                }
        }
        if (!have)
            continue;
        fprintf(out, "%-*s", keyw, e->groups[g]);
        for (int c = 0; c < ncols; c++) {
            char buf[64] = "-";
            if (cell[c] != NULL)
                fmt_paired(buf, sizeof buf, &cell[c]->st);
            fprintf(out, " %-*s", cw, buf);
        }
        fputc('\n', out);
    }
}

void
report_paired(FILE *out, const struct run_info *info) {
    const struct engine *e = info->engine;
    if (e == NULL)
        return;
    const struct mode_set *ms = &e->modes;
    if (ms->n > 0) {
        fprintf(out,
                "\nmachine modes: %d, from %zu core-to-core probes of ~1 ms around the chunks "
                "(%zu chunk%s straddled two modes, %zu unprobed); steal %.0f ms over the run\n",
                ms->n, ms->total, e->straddling, e->straddling == 1 ? "" : "s", e->unprobed,
                e->steal_ms);
        for (int k = 0; k < ms->n; k++)
            fprintf(out, "  mode %-8s round trip %7.1f ns, %4.1f%% of the probes\n", ms->m[k].label,
                    ms->m[k].floor_ns, ms->m[k].share * 100);
    }
    if (e->npaired == 0)
        return;
    static const char *const what[] = {"wall time per operation", "CPU time per operation",
                                       "p99 latency"};
    for (int m = PAIRED_REAL; m <= PAIRED_P99; m++) {
        char title[400];
        snprintf(title, sizeof title,
                 "paired ratios of %s, all rounds: median of the per-round ratios goc/<impl> "
                 "[95%% interval]; below 1: goc is faster; ~ no difference (the interval holds "
                 "1); ? too few rounds for an interval (range shown)",
                 what[m]);
        paired_table(out, e, (enum paired_metric)m, -1, title);
        if (m != PAIRED_REAL)
            continue;
        for (int k = 0; k < ms->n && ms->n > 1; k++) {
            snprintf(title, sizeof title,
                     "paired ratios of wall time, rounds whose two chunks were both in mode %s "
                     "(round trip %.0f ns)",
                     ms->m[k].label, ms->m[k].floor_ns);
            paired_table(out, e, PAIRED_REAL, k, title);
        }
    }
    if (e->rounds < PAIRED_MIN_ROUNDS)
        fprintf(out,
                "\n%d rounds give no 95%% interval of a median (it needs %d): the brackets show "
                "the range; run with --rounds %d or more\n",
                e->rounds, PAIRED_MIN_ROUNDS, PAIRED_MIN_ROUNDS * 2);
    bool header = false;
    for (size_t i = 0; i < e->npaired; i++) {
        const struct paired_row *p = &e->paired[i];
        if (p->metric != PAIRED_REAL || p->warn[0] == '\0')
            continue;
        if (!header)
            fprintf(out, "\nstability warnings (wall time):\n");
        header = true;
        fprintf(out, "  %s goc/%s%s%s: %s\n", e->groups[p->group], p->denominator,
                p->mode >= 0 ? " in mode " : "", p->mode >= 0 ? ms->m[p->mode].label : "", p->warn);
    }
    fflush(out);
}
