/* SPDX-License-Identifier: MIT */
/* Reading and validating chanbench results files with jansson (results.h). */
#include "results.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define RESULTS_SCHEMA_VERSION 1

/* ns per unit of Google Benchmark's time_unit, or 0 for an unknown unit. */
static double
unit_scale(const char *unit) {
    if (unit == NULL || strcmp(unit, "ns") == 0)
        return 1.0;
    if (strcmp(unit, "us") == 0)
        return 1e3;
    if (strcmp(unit, "ms") == 0)
        return 1e6;
    if (strcmp(unit, "s") == 0)
        return 1e9;
    return 0.0;
}

/* Append one repetition to b. 0, or -1 without memory. */
static int
bench_push(struct result_bench *b, json_t *row, double real, double cpu) {
    json_t **rs = realloc(b->rows, (b->nreps + 1) * sizeof *rs);
    if (rs == NULL)
        return -1;
    b->rows = rs;
    b->rows[b->nreps] = row;
    double *r = realloc(b->real_time, (b->nreps + 1) * sizeof *r);
    if (r == NULL)
        return -1;
    b->real_time = r;
    double *c = realloc(b->cpu_time, (b->nreps + 1) * sizeof *c);
    if (c == NULL)
        return -1;
    b->cpu_time = c;
    b->real_time[b->nreps] = real;
    b->cpu_time[b->nreps] = cpu;
    b->nreps++;
    return 0;
}

/* Read the benchmarks array into f. 0, or -1 with err set. */
static int
load_rows(struct result_file *f, json_t *rows, char *err, size_t errlen) {
    size_t i;
    json_t *row;
    size_t cap = 0;

    json_array_foreach(rows, i, row) {
        if (!json_is_object(row)) {
            bench_seterr(err, errlen, "%s: benchmarks[%zu] is not an object", f->path, i);
            return -1;
        }
        const char *type = json_string_value(json_object_get(row, "run_type"));
        if (type != NULL && strcmp(type, "iteration") != 0)
            continue; /* aggregates are recomputed from the repetitions */
        if (json_is_true(json_object_get(row, "error_occurred")))
            continue;
        const char *name = json_string_value(json_object_get(row, "run_name"));
        if (name == NULL)
            name = json_string_value(json_object_get(row, "name"));
        if (name == NULL || name[0] == '\0') {
            bench_seterr(err, errlen, "%s: benchmarks[%zu] has no name", f->path, i);
            return -1;
        }
        json_t *jr = json_object_get(row, "real_time"), *jc = json_object_get(row, "cpu_time");
        if (json_is_null(jr) || json_is_null(jc))
            continue; /* not measured (the writer's NaN) */
        if (!json_is_number(jr) || !json_is_number(jc)) {
            bench_seterr(err, errlen, "%s: benchmarks[%zu] (%s) has no numeric %s", f->path, i,
                         name, json_is_number(jr) ? "cpu_time" : "real_time");
            return -1;
        }
        const char *unit = json_string_value(json_object_get(row, "time_unit"));
        double scale = unit_scale(unit);
        if (scale == 0.0) {
            bench_seterr(err, errlen, "%s: benchmarks[%zu] (%s) has unknown time_unit \"%s\"",
                         f->path, i, name, unit);
            return -1;
        }
        double real = json_number_value(jr) * scale, cpu = json_number_value(jc) * scale;
        /* A measured time is positive and finite (an unmeasured one is null, skipped above);
         * anything else would turn into 0x, nanx or a chart gnuplot cannot draw. */
        if (!(isfinite(real) && real > 0) || !(isfinite(cpu) && cpu > 0)) {
            bool bad_real = !(isfinite(real) && real > 0);
            bench_seterr(err, errlen,
                         "%s: benchmarks[%zu] (%s) has %s %g, not a positive finite time; the "
                         "file is damaged: re-run that benchmark, or delete its rows",
                         f->path, i, name, bad_real ? "real_time" : "cpu_time",
                         json_number_value(bad_real ? jr : jc));
            return -1;
        }

        struct result_bench *b;
        json_t *pos = json_object_get(f->index, name);
        if (pos != NULL) {
            b = &f->benches[json_integer_value(pos)];
        } else {
            if (f->nbenches == cap) {
                size_t ncap = cap ? 2 * cap : 16;
                struct result_bench *nb = realloc(f->benches, ncap * sizeof *nb);
                if (nb == NULL)
                    goto nomem;
                f->benches = nb;
                cap = ncap;
            }
            b = &f->benches[f->nbenches];
            memset(b, 0, sizeof *b);
            if (json_object_set_new(f->index, name, json_integer((json_int_t)f->nbenches)) != 0)
                goto nomem;
            /* The index owns a copy of the key, but the row's string lives as long as root. */
            b->name = name;
            b->first_row = row;
            b->params = json_object_get(row, "params");
            if (!json_is_object(b->params))
                b->params = NULL;
            f->nbenches++;
        }
        if (bench_push(b, row, real, cpu) != 0)
            goto nomem;
    }
    return 0;
nomem:
    bench_seterr(err, errlen, "%s: out of memory", f->path);
    return -1;
}

static int load_root(const char *path, json_t *root, struct result_file *out, char *err,
                     size_t errlen);

int
results_load(const char *path, struct result_file *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        bench_seterr(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    /* fopen opens a folder for reading; reading it fails only with EISDIR ("read error"). */
    struct stat st;
    if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(fp);
        bench_seterr(err, errlen,
                     "%s: is a folder, not a results file; give one of the .json files in it",
                     path);
        return -1;
    }
    json_error_t je;
    errno = 0;
    json_t *root = json_loadf(fp, 0, &je);
    int rerr = ferror(fp), rerr_errno = errno;
    fclose(fp);
    if (root == NULL) {
        if (rerr)
            bench_seterr(err, errlen, "%s: read error%s%s; check the file and its disk", path,
                         rerr_errno ? ": " : "", rerr_errno ? strerror(rerr_errno) : "");
        else
            bench_seterr(err, errlen, "%s:%d:%d: %s", path, je.line, je.column, je.text);
        return -1;
    }
    return load_root(path, root, out, err, errlen);
}

int
results_load_bytes(const char *name, const char *buf, size_t len, struct result_file *out,
                   char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    json_error_t je;
    json_t *root = json_loadb(buf, len, 0, &je);
    if (root == NULL) {
        bench_seterr(err, errlen, "%s:%d:%d: %s", name, je.line, je.column, je.text);
        return -1;
    }
    return load_root(name, root, out, err, errlen);
}

/* Validate a parsed document (owned: freed on failure) into out. */
static int
load_root(const char *path, json_t *root, struct result_file *out, char *err, size_t errlen) {
    out->root = root;
    out->path = strdup(path);
    out->index = json_object();
    if (out->path == NULL || out->index == NULL) {
        bench_seterr(err, errlen, "%s: out of memory", path);
        goto fail;
    }
    if (!json_is_object(root)) {
        bench_seterr(err, errlen,
                     "%s: not a chanbench results file (the top level is not an object)", path);
        goto fail;
    }
    out->context = json_object_get(root, "context");
    out->chanbench = json_object_get(out->context, "chanbench");
    json_t *sv = json_object_get(out->chanbench, "schema_version");
    if (!json_is_object(out->context) || !json_is_object(out->chanbench) || !json_is_integer(sv)) {
        bench_seterr(err, errlen,
                     "%s: not a chanbench results file (no context.chanbench.schema_version)",
                     path);
        goto fail;
    }
    if (json_integer_value(sv) != RESULTS_SCHEMA_VERSION) {
        bench_seterr(err, errlen,
                     "%s: schema_version %lld is not supported (this chanbench reads %d)", path,
                     (long long)json_integer_value(sv), RESULTS_SCHEMA_VERSION);
        goto fail;
    }
    out->complete = !json_is_false(json_object_get(out->chanbench, "complete"));
    json_t *rows = json_object_get(root, "benchmarks");
    if (!json_is_array(rows)) {
        bench_seterr(err, errlen, "%s: not a chanbench results file (no benchmarks array)", path);
        goto fail;
    }
    if (load_rows(out, rows, err, errlen) != 0)
        goto fail;
    if (out->nbenches == 0) {
        if (!out->complete)
            bench_seterr(err, errlen,
                         "%s: no benchmark results (the run was interrupted before any "
                         "benchmark finished)",
                         path);
        else
            bench_seterr(err, errlen,
                         "%s: not a chanbench results file (no iteration rows in benchmarks)",
                         path);
        goto fail;
    }
    return 0;
fail:
    results_free(out);
    return -1;
}

void
results_free(struct result_file *f) {
    if (f == NULL)
        return;
    for (size_t i = 0; i < f->nbenches; i++) {
        free(f->benches[i].real_time);
        free(f->benches[i].cpu_time);
        free(f->benches[i].rows);
    }
    free(f->benches);
    json_decref(f->index);
    json_decref(f->root);
    free(f->path);
    memset(f, 0, sizeof *f);
}

const struct result_bench *
results_find(const struct result_file *f, const char *name) {
    json_t *pos = json_object_get(f->index, name);
    if (pos == NULL)
        return NULL;
    return &f->benches[json_integer_value(pos)];
}

const char *
results_context_str(const struct result_file *f, const char *key) {
    json_t *v = json_object_get(f->chanbench, key);
    if (v == NULL)
        v = json_object_get(f->context, key);
    return json_string_value(v);
}

double
results_param(const struct result_bench *b, const char *key) {
    json_t *v = json_object_get(b->params, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

bool
results_same_run(const struct result_file *a, const struct result_file *b) {
    const char *ha = json_string_value(json_object_get(a->context, "host_name"));
    const char *hb = json_string_value(json_object_get(b->context, "host_name"));
    const char *da = json_string_value(json_object_get(a->context, "date"));
    const char *db = json_string_value(json_object_get(b->context, "date"));
    if (ha == NULL || hb == NULL || da == NULL || db == NULL || strcmp(ha, hb) != 0 ||
        strcmp(da, db) != 0)
        return false;
    json_t *sa = json_object_get(a->chanbench, "seed"), *sb = json_object_get(b->chanbench, "seed");
    return (sa == NULL && sb == NULL) || json_equal(sa, sb);
}
