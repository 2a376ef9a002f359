/* SPDX-License-Identifier: MIT */
/* `chanbench compare`'s paired part (compare.h): does goc/go, measured as a paired ratio in
 * each file's interleaved rounds, differ between the files? */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "mwu.h"
#include "textable.h"

#define MODE_MATCH 1.35 /* two modes are the same when their floors are within this factor */

/* One entry of a file's context.chanbench.paired. */
struct pentry {
    const char *benchmark, *denominator, *mode;
    double floor_ns; /* the mode's floor; NAN for "all" */
    double ratio, lo, hi;
    bool ci_ok;
    size_t n;
    double *v; /* per-round ratios (owned) */
};

struct pfile {
    struct pentry *e;
    size_t n;
};

static double
mode_floor(const struct result_file *f, const char *label) {
    json_t *modes = json_object_get(json_object_get(f->chanbench, "modes"), "modes");
    size_t i;
    json_t *m;
    json_array_foreach(modes, i, m) {
        const char *l = json_string_value(json_object_get(m, "label"));
        if (l != NULL && strcmp(l, label) == 0)
            return json_number_value(json_object_get(m, "floor_ns"));
    }
    return NAN;
}

static void
load(const struct result_file *f, const char *metric, struct pfile *out) {
    json_t *pa = json_object_get(f->chanbench, "paired");
    out->e = calloc(json_array_size(pa) + 1, sizeof *out->e);
    out->n = 0;
    if (out->e == NULL)
        return;
    size_t i;
    json_t *p;
    json_array_foreach(pa, i, p) {
        const char *b = json_string_value(json_object_get(p, "benchmark"));
        const char *d = json_string_value(json_object_get(p, "denominator"));
        const char *mo = json_string_value(json_object_get(p, "mode"));
        const char *me = json_string_value(json_object_get(p, "metric"));
        json_t *pr = json_object_get(p, "per_round"), *ci = json_object_get(p, "ci");
        if (b == NULL || d == NULL || mo == NULL || me == NULL || strcmp(me, metric) != 0 ||
            !json_is_array(pr) || json_array_size(pr) == 0)
            continue;
        struct pentry *e = &out->e[out->n];
        e->v = malloc(json_array_size(pr) * sizeof *e->v);
        if (e->v == NULL)
            continue;
        size_t k;
        json_t *x;
        json_array_foreach(pr, k, x) {
            if (json_is_number(x) && json_number_value(x) > 0)
                e->v[e->n++] = json_number_value(x);
        }
        if (e->n == 0) {
            free(e->v);
            continue;
        }
        e->benchmark = b;
        e->denominator = d;
        e->mode = mo;
        e->floor_ns = strcmp(mo, "all") == 0 ? NAN : mode_floor(f, mo);
        e->ratio = json_number_value(json_object_get(p, "ratio"));
        e->lo = json_number_value(json_array_get(ci, 0));
        e->hi = json_number_value(json_array_get(ci, 1));
        e->ci_ok = json_is_true(json_object_get(p, "ci_ok"));
        out->n++;
    }
}

/* The entry of f matching a (same benchmark and comparison; "all" with "all", a mode with the
 * mode of the nearest floor within MODE_MATCH), or NULL. */
static const struct pentry *
match(const struct pfile *f, const struct pentry *a) {
    const struct pentry *best = NULL;
    double bestd = INFINITY;
    for (size_t i = 0; i < f->n; i++) {
        const struct pentry *e = &f->e[i];
        if (strcmp(e->benchmark, a->benchmark) != 0 || strcmp(e->denominator, a->denominator) != 0)
            continue;
        bool all_a = strcmp(a->mode, "all") == 0, all_e = strcmp(e->mode, "all") == 0;
        if (all_a || all_e) {
            if (all_a && all_e)
                return e;
            continue;
        }
        double d = fabs(log(e->floor_ns / a->floor_ns));
        if (isfinite(d) && d <= log(MODE_MATCH) && d < bestd) {
            best = e;
            bestd = d;
        }
    }
    return best;
}

static char *
fmt_entry(const struct pentry *e) {
    return tx_fmt("%.3g [%.3g-%.3g]%s", e->ratio, e->lo, e->hi, e->ci_ok ? "" : "?");
}

void
compare_paired(FILE *out, const struct result_file *files, size_t nf, enum cmp_format fmt,
               bool cpu) {
    struct pfile *pf = calloc(nf, sizeof *pf);
    if (pf == NULL)
        return;
    for (size_t f = 0; f < nf; f++)
        load(&files[f], cpu ? "cpu_time" : "real_time", &pf[f]);
    bool md = fmt == FMT_MARKDOWN, csv = fmt == FMT_CSV;
    struct table t = {.ncols = 3 + 3 * (nf - 1)};
    char **cells = calloc(t.ncols, sizeof *cells);
    size_t rows = 0;
    if (cells == NULL)
        goto out;
    size_t k = 0;
    cells[k++] = tx_strdup("paired ratio");
    cells[k++] = tx_strdup("mode");
    cells[k++] = tx_strdup("A");
    for (size_t f = 1; f < nf; f++) {
        cells[k++] = tx_fmt("%c", (char)('A' + f));
        cells[k++] = tx_fmt("%c/A", (char)('A' + f));
        cells[k++] = tx_strdup("p");
    }
    table_add(&t, cells);
    if (csv)
        fprintf(out, "\nbenchmark,comparison,mode,label,file,ratio,ci_low,ci_high,rounds,"
                     "ratio_to_base,p_value,significant\n");
    for (size_t i = 0; i < pf[0].n; i++) {
        const struct pentry *a = &pf[0].e[i];
        const struct pentry *m[26] = {a};
        bool any = false;
        for (size_t f = 1; f < nf && f < 26; f++)
            any |= (m[f] = match(&pf[f], a)) != NULL;
        if (!any)
            continue;
        rows++;
        char *what = tx_fmt("%s goc/%s", a->benchmark, a->denominator);
        char *mode = strcmp(a->mode, "all") == 0 ? tx_strdup("all") : tx_strdup(a->mode);
        for (size_t f = 1; f < nf && f < 26; f++)
            if (m[f] != NULL && strcmp(m[f]->mode, a->mode) != 0) {
                char *mm = tx_fmt("%s~%s", mode, m[f]->mode);
                free(mode);
                mode = mm;
            }
        if (csv) {
            for (size_t f = 0; f < nf && f < 26; f++) {
                if (m[f] == NULL)
                    continue;
                tx_csv(out, a->benchmark);
                fprintf(out, ",goc/");
                tx_csv(out, a->denominator);
                fprintf(out, ",%s,%c,", m[f]->mode, (char)('A' + f));
                tx_csv(out, files[f].path);
                fprintf(out, ",%.6g,%.6g,%.6g,%zu,", m[f]->ratio, m[f]->lo, m[f]->hi, m[f]->n);
                if (f == 0) {
                    fprintf(out, ",,\n");
                } else {
                    double p;
                    bool few, sig = mwu_verdict(a->v, a->n, m[f]->v, m[f]->n, CMP_ALPHA, &p, &few);
                    fprintf(out, "%.6g,%.6g,%s\n", m[f]->ratio / a->ratio, p,
                            sig ? "true" : "false");
                }
            }
            free(what);
            free(mode);
            continue;
        }
        k = 0;
        cells[k++] = md ? tx_fmt("`%s`", what) : tx_strdup(what);
        cells[k++] = mode;
        cells[k++] = fmt_entry(a);
        for (size_t f = 1; f < nf; f++) {
            const struct pentry *b = f < 26 ? m[f] : NULL;
            if (b == NULL) {
                cells[k++] = tx_strdup("-");
                cells[k++] = tx_strdup("-");
                cells[k++] = tx_strdup("-");
                continue;
            }
            double p;
            bool few, sig = mwu_verdict(a->v, a->n, b->v, b->n, CMP_ALPHA, &p, &few);
            cells[k++] = fmt_entry(b);
            cells[k++] =
                sig ? tx_fmt("%.3fx", b->ratio / a->ratio) : tx_fmt("%.3fx ~", b->ratio / a->ratio);
            cells[k++] = tx_fmt("p=%.3f n=%zu+%zu", p, a->n, b->n);
        }
        free(what);
        table_add(&t, cells);
    }
    if (rows > 0 && !csv) {
        fprintf(out,
                "\n%spaired ratios goc/<impl> of %s: each file's median per-round ratio [95%% "
                "interval] from its interleaved rounds; X/A is the ratio of the two ratios; p: "
                "two-sided Mann-Whitney U over the per-round ratios; ~: no significant "
                "difference (p >= %.2f); modes are matched across files by a floor within "
                "%.2fx\n\n",
                md ? "" : "compare: ", cpu ? "cpu_time" : "real_time", CMP_ALPHA, MODE_MATCH);
        table_print(&t, out, md);
    }
    table_free(&t);
out:
    free(cells);
    for (size_t f = 0; f < nf; f++) {
        for (size_t i = 0; i < pf[f].n; i++)
            free(pf[f].e[i].v);
        free(pf[f].e);
    }
    free(pf);
}
