/* SPDX-License-Identifier: MIT */
/* The comparison of `chanbench compare` (compare_table.h): the rows (medians, verdicts, floor
 * normalisation) and their printing. Arguments and loading are in commands/compare.c, paired
 * ratios in compare_paired.c, the statistics in mwu.c. */
#include "compare_table.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mwu.h"
#include "names.h"
#include "stats.h"
#include "textable.h"

#define CMP_CONF 0.95 /* confidence level of the median's interval */

/* One benchmark in one file. */
struct cmp_cell {
    bool present;
    size_t n;
    double *v; /* the chosen metric, normalized if asked (owned) */
    double med, lo, hi;
    bool ci_ok; /* false: too few repetitions for CMP_CONF; lo/hi are min/max */
};

/* One new file against the base, for one benchmark. */
struct cmp_verdict {
    bool valid; /* both present */
    double ratio, p;
    bool signif;
    bool few; /* too few repetitions for any p to fall below CMP_ALPHA */
};

/* One benchmark of the base that some NEW file has. */
struct cmp_row {
    const char *name;
    struct cmp_cell *cells; /* one per file */
    struct cmp_verdict *vs; /* one per file; vs[0] unused */
    bool in_all;
};

static char
label_of(size_t i) {
    return (char)('A' + i);
}

/* A value with its unit: ns scaled to ns/µs/ms/s with 4 significant digits, or a multiple of
 * the floor under --normalize. */
static void
fmt_value(char *buf, size_t len, double v, bool normalized) {
    if (normalized)
        snprintf(buf, len, "%.4gx", v);
    else if (v < 1e3)
        snprintf(buf, len, "%.4g ns", v);
    else if (v < 1e6)
        snprintf(buf, len, "%.4g µs", v / 1e3);
    else if (v < 1e9)
        snprintf(buf, len, "%.4g ms", v / 1e6);
    else
        snprintf(buf, len, "%.4g s", v / 1e9);
}

/* --- the rows: statistics and normalisation ------------------------------------------- */

/* The floor the row named name is divided by under --normalize limit, or 0 when the row has
 * none (names_floor_kind, the one rule). *which names the key; -1 when f lacks it. */
static double
floor_of(const struct result_file *f, const char *name, const char **which) {
    enum floor_kind kind = names_floor_kind(name);
    if (kind == FLOOR_NONE)
        return 0;
    *which = kind == FLOOR_C2C ? "c2c_round_trip_ns" : "ring_ns_per_msg";
    json_t *v = json_object_get(json_object_get(f->chanbench, "limit"), *which);
    return json_is_number(v) ? json_number_value(v) : -1;
}

static void
cell_fill(struct cmp_cell *c, const struct result_bench *b, bool cpu, double divisor) {
    c->present = true;
    c->n = b->nreps;
    c->v = malloc(b->nreps * sizeof *c->v);
    if (c->v == NULL) {
        fprintf(stderr, "chanbench compare: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < b->nreps; i++)
        c->v[i] = (cpu ? b->cpu_time[i] : b->real_time[i]) / divisor;
    c->med = stats_median(c->v, c->n);
    c->ci_ok = mwu_median_ci(c->v, c->n, CMP_CONF, &c->lo, &c->hi);
}

/* The ± of a cell, as a percentage of its median (the larger side, as benchstat shows it). */
static double
cell_pm(const struct cmp_cell *c) {
    if (c->med == 0)
        return 0;
    double d = fmax(c->med - c->lo, c->hi - c->med);
    return 100.0 * d / c->med;
}

int
compare_build(struct compare *cmp) {
    const struct result_file *base = &cmp->files[0];
    cmp->rows = calloc(base->nbenches, sizeof *cmp->rows);
    cmp->excluded = calloc(base->nbenches + 1, sizeof *cmp->excluded);
    if (cmp->rows == NULL || cmp->excluded == NULL) {
        fprintf(stderr, "chanbench compare: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < base->nbenches; i++) {
        const char *name = base->benches[i].name;
        size_t present = 0;
        for (size_t f = 1; f < cmp->nf; f++)
            present += results_find(&cmp->files[f], name) != NULL;
        if (present == 0)
            continue; /* only in the base: listed later */
        if (cmp->normalize) {
            const char *which = NULL;
            if (floor_of(base, name, &which) == 0) {
                cmp->excluded[cmp->nexcluded++] = name;
                continue;
            }
        }
        struct cmp_row *r = &cmp->rows[cmp->nrows++];
        r->name = name;
        r->cells = calloc(cmp->nf, sizeof *r->cells);
        r->vs = calloc(cmp->nf, sizeof *r->vs);
        if (r->cells == NULL || r->vs == NULL) {
            fprintf(stderr, "chanbench compare: out of memory\n");
            exit(1);
        }
        r->in_all = true;
        for (size_t f = 0; f < cmp->nf; f++) {
            const struct result_bench *b = results_find(&cmp->files[f], name);
            if (b == NULL) {
                r->in_all = false;
                continue;
            }
            double divisor = 1.0;
            if (cmp->normalize) {
                const char *which = NULL;
                divisor = floor_of(&cmp->files[f], name, &which);
                if (divisor <= 0) {
                    fprintf(stderr,
                            "%s: context.chanbench.limit.%s is missing or not positive; "
                            "cannot normalize %s\n",
                            cmp->files[f].path, which, name);
                    return -1;
                }
            }
            cell_fill(&r->cells[f], b, cmp->cpu, divisor);
        }
        for (size_t f = 1; f < cmp->nf; f++) {
            struct cmp_cell *a = &r->cells[0], *c = &r->cells[f];
            struct cmp_verdict *v = &r->vs[f];
            if (!c->present)
                continue;
            v->valid = true;
            v->ratio = a->med > 0 ? c->med / a->med : NAN;
            v->signif = mwu_verdict(a->v, a->n, c->v, c->n, CMP_ALPHA, &v->p, &v->few);
        }
    }
    return 0;
}

/* --- the header: which machine each file comes from --------------------------------------- */

static const char *
ctx_or(const struct result_file *f, const char *key, const char *dflt) {
    const char *s = results_context_str(f, key);
    return s != NULL && s[0] != '\0' ? s : dflt;
}

static long long
topo_int(const struct result_file *f, const char *key) {
    json_t *v = json_object_get(json_object_get(f->chanbench, "topology"), key);
    return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

static const char *
topo_str(const struct result_file *f, const char *key) {
    const char *s =
        json_string_value(json_object_get(json_object_get(f->chanbench, "topology"), key));
    return s != NULL ? s : "?";
}

/* One line describing the machine and build of f. */
static char *
machine_line(const struct result_file *f) {
    /* A full hash shortened to 12 digits, keeping a "-dirty" (or other) suffix whole. */
    const char *commit = ctx_or(f, "git_commit", "?");
    size_t hex = strspn(commit, "0123456789abcdef");
    int keep = (int)(hex > 12 ? 12 : hex);
    char alloc[128];
    const char *jv = results_context_str(f, "jemalloc_version");
    snprintf(alloc, sizeof alloc, "%s%s%s", ctx_or(f, "allocator", "?"), jv ? " " : "",
             jv ? jv : "");
    return tx_fmt(
        "host %s, %s, %lld cores / %lld PUs, allowed CPUs %s, kernel %s, %s, commit %.*s%s, "
        "%s, pin %s, allocator %s",
        ctx_or(f, "host_name", "?"), ctx_or(f, "cpu_model", "?"), topo_int(f, "cores"),
        topo_int(f, "pus"), topo_str(f, "allowed_cpus"), ctx_or(f, "kernel", "?"),
        ctx_or(f, "compiler", "?"), keep, commit, commit + hex, ctx_or(f, "date", "?"),
        ctx_or(f, "pin_policy", "?"), alloc);
}

static bool
str_differs(const char *a, const char *b) {
    if (a == NULL || b == NULL)
        return a != b;
    return strcmp(a, b) != 0;
}

static void
note_line(struct compare *cmp, const char *prefix, const char *text) {
    if (cmp->format == FMT_MARKDOWN)
        fprintf(cmp->note, "> **%s** %s\n>\n", prefix, text);
    else
        fprintf(cmp->note, "%s %s\n", prefix, text);
}

static void
print_header(struct compare *cmp) {
    FILE *o = cmp->note;
    bool md = cmp->format == FMT_MARKDOWN;
    fprintf(o,
            "%s%s in %s per operation (lower is better); median %s 95%% confidence interval; "
            "p: two-sided Mann-Whitney U over the repetitions; ~: no significant difference "
            "(p >= %.2f)%s\n\n",
            md ? "" : "compare: ", cmp->cpu ? "cpu_time" : "real_time",
            cmp->normalize ? "multiples of each machine's hardware floor" : "ns", "±", CMP_ALPHA,
            cmp->normalize ? "; normalized by --normalize limit: chan/pingpong rows by "
                             "c2c_round_trip_ns, other chan/ and select/ rows by ring_ns_per_msg"
                           : "");
    for (size_t i = 0; i < cmp->nf; i++) {
        const struct result_file *f = &cmp->files[i];
        char *m = machine_line(f);
        if (md)
            fprintf(o, "- **%c** `%s`%s: %s\n", label_of(i), f->path, i == 0 ? " (base)" : "", m);
        else
            fprintf(o, "%c  %s%s\n   %s\n", label_of(i), f->path, i == 0 ? " (base)" : "", m);
        if (cmp->normalize) {
            json_t *lim = json_object_get(f->chanbench, "limit");
            fprintf(o, "%s   floor: c2c_round_trip_ns %.4g, ring_ns_per_msg %.4g\n", md ? "  " : "",
                    json_number_value(json_object_get(lim, "c2c_round_trip_ns")),
                    json_number_value(json_object_get(lim, "ring_ns_per_msg")));
        }
        free(m);
    }
    fputc('\n', o);

    const struct result_file *base = &cmp->files[0];
    for (size_t i = 0; i < cmp->nf; i++) {
        const struct result_file *f = &cmp->files[i];
        char text[1024];
        if (!f->complete) {
            snprintf(text, sizeof text,
                     "%c (%s) is from an interrupted run (complete: false): only the benchmarks "
                     "that finished are there.",
                     label_of(i), f->path);
            note_line(cmp, "NOTE:", text);
        }
        const char *san = results_context_str(f, "sanitizer");
        if (san != NULL && san[0] != '\0' && strcmp(san, "none") != 0) {
            snprintf(text, sizeof text,
                     "%c (%s) was built with sanitizer %s: its timings are not measurements.",
                     label_of(i), f->path, san);
            note_line(cmp, "WARNING:", text);
        }
        if (i == 0)
            continue;
        /* Different machines: host, CPU model or PU count. */
        char what[768] = "";
        size_t len = 0;
        const char *h0 = results_context_str(base, "host_name"),
                   *h1 = results_context_str(f, "host_name");
        const char *c0 = results_context_str(base, "cpu_model"),
                   *c1 = results_context_str(f, "cpu_model");
        if (str_differs(h0, h1))
            len += (size_t)snprintf(what + len, sizeof what - len, "%shost %s vs %s",
                                    len ? "; " : "", h0 ? h0 : "?", h1 ? h1 : "?");
        if (str_differs(c0, c1) && len < sizeof what)
            len += (size_t)snprintf(what + len, sizeof what - len, "%sCPU %s vs %s",
                                    len ? "; " : "", c0 ? c0 : "?", c1 ? c1 : "?");
        if (topo_int(base, "pus") != topo_int(f, "pus") && len < sizeof what)
            len += (size_t)snprintf(what + len, sizeof what - len, "%s%lld vs %lld PUs",
                                    len ? "; " : "", topo_int(base, "pus"), topo_int(f, "pus"));
        if (len > 0) {
            snprintf(text, sizeof text,
                     "A and %c come from DIFFERENT MACHINES (%s). The differences below include "
                     "the hardware, not only the code; each file's repetitions are tested as "
                     "their own sample, never pooled.",
                     label_of(i), what);
            note_line(cmp, "WARNING:", text);
            continue;
        }
        /* Same machine: say what else differs, so the reader knows what is being compared. */
        static const char *const keys[] = {"git_commit", "compiler",   "cflags",     "build_type",
                                           "allocator",  "pin_policy", "spin_policy"};
        len = 0;
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
            if (str_differs(results_context_str(base, keys[k]), results_context_str(f, keys[k])) &&
                len < sizeof what)
                len += (size_t)snprintf(what + len, sizeof what - len, "%s%s", len ? ", " : "",
                                        keys[k]);
        if (str_differs(topo_str(base, "allowed_cpus"), topo_str(f, "allowed_cpus")) &&
            len < sizeof what)
            len +=
                (size_t)snprintf(what + len, sizeof what - len, "%sallowed CPUs", len ? ", " : "");
        snprintf(text, sizeof text, "A and %c: same machine; %s%s.", label_of(i),
                 len ? "they differ in " : "no difference in build or settings recorded", what);
        note_line(cmp, "NOTE:", text);
    }
    fputc('\n', o);
}

/* "35.2 ns ± 3%" with a footnote mark when there are too few repetitions for the interval. */
static char *
fmt_cell(const struct compare *cmp, const struct cmp_cell *c, bool *ci_missing) {
    char v[64];
    if (!c->present)
        return tx_strdup("-");
    fmt_value(v, sizeof v, c->med, cmp->normalize);
    if (!c->ci_ok) {
        *ci_missing = true;
        return tx_fmt("%s ± ∞ ¹", v);
    }
    return tx_fmt("%s ± %.0f%%", v, cell_pm(c));
}

static void
print_console(struct compare *cmp) {
    bool md = cmp->format == FMT_MARKDOWN;
    struct table t = {.ncols = 1 + cmp->nf + 3 * (cmp->nf - 1)};
    char **cells = calloc(t.ncols, sizeof *cells);
    bool ci_missing = false, few = false;
    if (cells == NULL)
        exit(1);

    size_t k = 0;
    cells[k++] = tx_strdup("benchmark");
    cells[k++] = tx_strdup("A");
    for (size_t f = 1; f < cmp->nf; f++) {
        cells[k++] = tx_fmt("%c", label_of(f));
        cells[k++] = tx_fmt("%c/A", label_of(f));
        cells[k++] = tx_strdup("delta");
        cells[k++] = tx_strdup("p");
    }
    table_add(&t, cells);

    for (size_t r = 0; r < cmp->nrows; r++) {
        const struct cmp_row *row = &cmp->rows[r];
        k = 0;
        cells[k++] = md ? tx_fmt("`%s`", row->name) : tx_strdup(row->name);
        cells[k++] = fmt_cell(cmp, &row->cells[0], &ci_missing);
        for (size_t f = 1; f < cmp->nf; f++) {
            const struct cmp_verdict *v = &row->vs[f];
            cells[k++] = fmt_cell(cmp, &row->cells[f], &ci_missing);
            if (!v->valid) {
                cells[k++] = tx_strdup("-");
                cells[k++] = tx_strdup("-");
                cells[k++] = tx_strdup("-");
                continue;
            }
            cells[k++] = tx_fmt("%.3fx", v->ratio);
            cells[k++] = v->signif ? tx_fmt("%+.1f%%", 100.0 * (v->ratio - 1)) : tx_strdup("~");
            few |= v->few;
            cells[k++] = tx_fmt("p=%.3f n=%zu+%zu%s", v->p, row->cells[0].n, row->cells[f].n,
                                v->few ? " ²" : "");
        }
        table_add(&t, cells);
    }

    /* Geometric mean over the rows present in every file. */
    size_t nall = 0;
    double *lg = calloc(cmp->nf, sizeof *lg);
    if (lg == NULL)
        exit(1);
    for (size_t r = 0; r < cmp->nrows; r++) {
        if (!cmp->rows[r].in_all)
            continue;
        bool positive = true;
        for (size_t f = 0; f < cmp->nf; f++)
            positive &= cmp->rows[r].cells[f].med > 0;
        if (!positive)
            continue;
        nall++;
        for (size_t f = 0; f < cmp->nf; f++)
            lg[f] += log(cmp->rows[r].cells[f].med);
    }
    if (nall > 0) {
        char v[64];
        k = 0;
        cells[k++] = md ? tx_fmt("**geomean** (%zu)", nall) : tx_fmt("geomean (%zu)", nall);
        fmt_value(v, sizeof v, exp(lg[0] / (double)nall), cmp->normalize);
        cells[k++] = tx_strdup(v);
        for (size_t f = 1; f < cmp->nf; f++) {
            double g = exp(lg[f] / (double)nall);
            fmt_value(v, sizeof v, g, cmp->normalize);
            cells[k++] = tx_strdup(v);
            cells[k++] = tx_fmt("%.3fx", exp((lg[f] - lg[0]) / (double)nall));
            cells[k++] = tx_fmt("%+.1f%%", 100.0 * (exp((lg[f] - lg[0]) / (double)nall) - 1));
            cells[k++] = tx_strdup("");
        }
        table_add(&t, cells);
    }
    free(lg);

    table_print(&t, cmp->out, md);
    table_free(&t);
    free(cells);

    if (ci_missing || few)
        fputc('\n', cmp->out);
    if (ci_missing)
        fprintf(cmp->out,
                "¹ need >= 6 repetitions for a 95%% confidence interval of the median\n%s",
                md ? "\n" : "");
    if (few)
        fprintf(cmp->out,
                "² too few repetitions to detect any difference at p < %.2f: need >= 4 on "
                "each side\n%s",
                CMP_ALPHA, md ? "\n" : "");
}

static void
print_csv(struct compare *cmp) {
    FILE *o = cmp->out;
    fprintf(o, "benchmark,label,file,metric,unit,n,median,ci_low,ci_high,ci_ok,ratio_to_base,"
               "p_value,significant\n");
    const char *metric = cmp->cpu ? "cpu_time" : "real_time";
    const char *unit = cmp->normalize ? "x_floor" : "ns";
    for (size_t r = 0; r < cmp->nrows; r++) {
        const struct cmp_row *row = &cmp->rows[r];
        for (size_t f = 0; f < cmp->nf; f++) {
            const struct cmp_cell *c = &row->cells[f];
            if (!c->present)
                continue;
            tx_csv(o, row->name);
            fprintf(o, ",%c,", label_of(f));
            tx_csv(o, cmp->files[f].path);
            fprintf(o, ",%s,%s,%zu,%.6g,%.6g,%.6g,%s,", metric, unit, c->n, c->med, c->lo, c->hi,
                    c->ci_ok ? "true" : "false");
            if (f == 0)
                fprintf(o, ",,\n");
            else
                fprintf(o, "%.6g,%.6g,%s\n", row->vs[f].ratio, row->vs[f].p,
                        row->vs[f].signif ? "true" : "false");
        }
    }
}

/* Print name as part of a list wrapped at 100 columns; col is the current column, returned
 * updated. Markdown gets code spans separated by commas. */
static size_t
list_name(FILE *o, bool md, const char *name, size_t col) {
    size_t w = strlen(name) + (md ? 4 : 2);
    if (col > 0 && col + w > 100) {
        fputc('\n', o);
        col = 0;
    }
    if (md)
        fprintf(o, "%s`%s`", col ? ", " : "", name);
    else
        fprintf(o, "  %s", name);
    return col + w;
}

/* Benchmarks in one file only (or, for the base, in no other file), listed not dropped; and
 * those left out for want of a floor. */
static void
print_one_sided(const struct compare *cmp) {
    FILE *o = cmp->note;
    bool md = cmp->format == FMT_MARKDOWN;
    size_t col = 0;
    for (size_t f = 0; f < cmp->nf; f++) {
        const struct result_file *file = &cmp->files[f];
        size_t count = 0;
        for (size_t i = 0; i < file->nbenches; i++) {
            const char *name = file->benches[i].name;
            bool elsewhere = false;
            if (f == 0) {
                for (size_t g = 1; g < cmp->nf && !elsewhere; g++)
                    elsewhere = results_find(&cmp->files[g], name) != NULL;
            } else {
                elsewhere = results_find(&cmp->files[0], name) != NULL;
            }
            if (elsewhere)
                continue;
            if (count++ == 0) {
                fprintf(o, "\n%s %c (%s), not compared:\n",
                        f == 0 ? "Only in" : "Not in the base, only in", label_of(f), file->path);
                col = 0;
            }
            col = list_name(o, md, name, col);
        }
        if (count > 0)
            fputc('\n', o);
    }
    if (cmp->nexcluded > 0) {
        fprintf(o,
                "\n%zu benchmarks have no hardware floor (only chan/ and select/ rows other than "
                "chan/paced and chan/idle are normalized) and are left out:\n",
                cmp->nexcluded);
        col = 0;
        for (size_t i = 0; i < cmp->nexcluded; i++)
            col = list_name(o, md, cmp->excluded[i], col);
        fputc('\n', o);
    }
}

static void
warn_few(struct compare *cmp) {
    size_t few = 0, total = 0, minn = SIZE_MAX;
    for (size_t r = 0; r < cmp->nrows; r++)
        for (size_t f = 1; f < cmp->nf; f++) {
            const struct cmp_verdict *v = &cmp->rows[r].vs[f];
            if (!v->valid)
                continue;
            total++;
            if (v->few) {
                few++;
                size_t n = cmp->rows[r].cells[0].n < cmp->rows[r].cells[f].n
                               ? cmp->rows[r].cells[0].n
                               : cmp->rows[r].cells[f].n;
                minn = n < minn ? n : minn;
            }
        }
    if (few == 0)
        return;
    char text[512];
    snprintf(text, sizeof text,
             "%zu of %zu comparisons have too few repetitions to say anything (as few as %zu on "
             "a side: the smallest possible p-value is then >= %.2f, so every difference shows "
             "as ~). Run with --repetitions 6 or more (4 to detect a difference, 6 for a 95%% "
             "confidence interval).",
             few, total, minn, CMP_ALPHA);
    fputc('\n', cmp->note);
    note_line(cmp, "WARNING:", text);
}

void
compare_print(struct compare *cmp) {
    print_header(cmp);
    if (cmp->format == FMT_CSV)
        print_csv(cmp);
    else
        print_console(cmp);
    if (!cmp->normalize)
        compare_paired(cmp->out, cmp->files, cmp->nf, cmp->format, cmp->cpu);
    print_one_sided(cmp);
    warn_few(cmp);
}

void
compare_free(struct compare *cmp) {
    for (size_t r = 0; r < cmp->nrows; r++) {
        for (size_t f = 0; f < cmp->nf; f++)
            free(cmp->rows[r].cells[f].v);
        free(cmp->rows[r].cells);
        free(cmp->rows[r].vs);
    }
    free(cmp->rows);
    free(cmp->excluded);
    cmp->rows = NULL;
    cmp->nrows = 0;
    cmp->excluded = NULL;
    cmp->nexcluded = 0;
}
