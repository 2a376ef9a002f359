/* SPDX-License-Identifier: MIT */
/* Data of the forest and drift charts (plot_rounds.h). */
#define _GNU_SOURCE /* open_memstream */
#include "plot_rounds.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot_table.h"
#include "stats.h"
#include "textable.h"

void
plot_text_free(struct plot_text *t) {
    free(t->data);
    free(t->subtitle);
    free(t->columns);
    memset(t, 0, sizeof *t);
}

/* Close the memory stream o and return its text (*buf, which fclose sets). */
static char *
finish(FILE *o, char **buf) {
    if (fclose(o) != 0) {
        free(*buf);
        fprintf(stderr, "chanbench: out of memory\n");
        exit(1);
    }
    return *buf;
}

bool
plot_forest_data(const struct result_file *f, struct plot_text *out, const char **why) {
    memset(out, 0, sizeof *out);
    json_t *pa = json_object_get(f->chanbench, "paired");
    size_t n = 0, i;
    json_t *p;
    char *buf = NULL;
    size_t len = 0;
    FILE *o = open_memstream(&buf, &len);
    if (o == NULL) {
        *why = "out of memory";
        return false;
    }
    fputs("\"comparison\" \"ratio\" \"low\" \"high\" \"class\"\n", o);
    /* class: 0 goc faster, 1 no difference, 2 goc slower, 3 the A/A control */
    json_array_foreach(pa, i, p) {
        const char *metric = json_string_value(json_object_get(p, "metric"));
        const char *mode = json_string_value(json_object_get(p, "mode"));
        const char *b = json_string_value(json_object_get(p, "benchmark"));
        const char *d = json_string_value(json_object_get(p, "denominator"));
        json_t *ci = json_object_get(p, "ci");
        double r = json_number_value(json_object_get(p, "ratio"));
        double lo = json_number_value(json_array_get(ci, 0)),
               hi = json_number_value(json_array_get(ci, 1));
        if (metric == NULL || strcmp(metric, "real_time") != 0 || mode == NULL ||
            strcmp(mode, "all") != 0 || b == NULL || d == NULL || !(r > 0) || !(lo > 0) ||
            !(hi > 0))
            continue;
        bool signif = json_is_true(json_object_get(p, "significant"));
        int cls = strstr(d, ".control") != NULL ? 3 : !signif ? 1 : hi < 1 ? 0 : 2;
        char label[600];
        snprintf(label, sizeof label, "%s  goc/%s", b, d);
        plot_put_quoted(o, label);
        fprintf(o, " %.6g %.6g %.6g %d\n", r, lo, hi, cls);
        n++;
    }
    out->data = finish(o, &buf);
    if (n == 0) {
        plot_text_free(out);
        *why = "no paired ratios (a run with one implementation, or from before rounds)";
        return false;
    }
    json_t *rounds = json_object_get(f->chanbench, "rounds");
    out->subtitle =
        tx_fmt("median per-round ratio of wall time with its 95%% interval, %lld "
               "%s rounds, seed %lld; below 1: goc is faster",
               (long long)json_integer_value(json_object_get(rounds, "completed")),
               json_is_false(json_object_get(rounds, "interleaved")) ? "blocked" : "interleaved",
               (long long)json_integer_value(json_object_get(f->chanbench, "seed")));
    out->columns = tx_strdup("benchmark and comparison, paired ratio, interval low and high, "
                             "class (0 goc faster, 1 no difference, 2 goc slower, 3 control)");
    return true;
}

/* The chunks of one arm, for the relative times. */
static double
arm_median(const struct result_bench *b) {
    return stats_median(b->real_time, b->nreps);
}

bool
plot_drift_data(const struct result_file *f, struct plot_text *out, const char **why) {
    memset(out, 0, sizeof *out);
    json_t *modes = json_object_get(json_object_get(f->chanbench, "modes"), "modes");
    size_t nmodes = json_array_size(modes);
    /* Blocks: one per mode, then "straddling", then "unprobed". */
    size_t nblocks = nmodes + 2, points = 0;
    char *buf = NULL;
    size_t len = 0;
    FILE *o = open_memstream(&buf, &len);
    if (o == NULL) {
        *why = "out of memory";
        return false;
    }
    for (size_t k = 0; k < nblocks; k++) {
        const char *label =
            k < nmodes    ? json_string_value(json_object_get(json_array_get(modes, k), "label"))
            : k == nmodes ? "straddling"
                          : "unprobed";
        if (k > 0)
            fputs("\n\n", o);
        char title[96];
        if (k < nmodes)
            snprintf(title, sizeof title, "mode %s", label ? label : "?");
        else
            snprintf(title, sizeof title, "%s", label);
        fputs("\"seconds\" ", o);
        plot_put_quoted(o, title);
        fputs(" \"probe ns\"\n", o);
        size_t in_block = 0;
        for (size_t b = 0; b < f->nbenches; b++) {
            const struct result_bench *rb = &f->benches[b];
            double med = arm_median(rb);
            if (!(med > 0))
                continue;
            for (size_t i = 0; i < rb->nreps; i++) {
                json_t *row = rb->rows[i];
                json_t *t = json_object_get(row, "started_s");
                const char *mode = json_string_value(json_object_get(row, "mode"));
                if (!json_is_number(t) || mode == NULL || label == NULL || strcmp(mode, label) != 0)
                    continue;
                json_t *pr = json_object_get(row, "probe_ns");
                json_t *before = json_object_get(pr, "before");
                fprintf(o, "%.4f %.4g ", json_number_value(t), rb->real_time[i] / med);
                if (json_is_number(before))
                    fprintf(o, "%.4g\n", json_number_value(before));
                else
                    fputs("?\n", o);
                in_block++;
            }
        }
        if (in_block == 0) /* gnuplot needs a point per block: one off the chart */
            fputs("-1 ? ?\n", o);
        points += in_block;
    }
    out->data = finish(o, &buf);
    if (points == 0) {
        plot_text_free(out);
        *why = "no chunks with round times (a file from before rounds)";
        return false;
    }
    out->subtitle = tx_fmt("%zu chunks; top: wall time per operation over the arm's median; "
                           "bottom: the core-to-core probe taken before each chunk",
                           points);
    out->columns = tx_strdup("one block per machine mode, then straddling and unprobed chunks: "
                             "seconds since the first chunk, time over the arm's median, probe "
                             "round trip in ns");
    return true;
}
