/* SPDX-License-Identifier: MIT */
/* The charts of `chanbench plot`: one chart's data and the builders that fill it from results
 * files (plot_charts.c for one file, plot_cross.c across files). The series table is in
 * plot_table.h, writing and drawing in plot_draw.h, the command in commands/plot.c. */
#ifndef BENCH_PLOT_CHARTS_H
#define BENCH_PLOT_CHARTS_H

#include <stdbool.h>
#include <stddef.h>

#include "plot_table.h"
#include "results.h"

/* One chart: what its .dat file holds and the titles gnuplot gets. */
struct chart {
    const char *script; /* scripts/<script>.gp */
    char *stem;         /* output name without extension */
    char *machine;      /* for the title */
    char *subtitle;
    char *source;      /* the results files it comes from */
    char *columns;     /* what the columns are, for a reader of the .dat */
    struct stab *t[2]; /* one or two blocks */
    char *raw;         /* or the data as text, when the chart is not x-by-series */
    const char *xname[2];
    /* the heatmap instead of tables: */
    size_t npu;
    int pu[PLOT_MAXX];
    double c2c[PLOT_MAXX][PLOT_MAXX];
};

/* A chart drawn by scripts/<script>.gp (script is not copied), everything else empty; ends the
 * program on running out of memory. plot_chart_free frees what the chart owns; takes NULL. */
struct chart *plot_chart_new(const char *script);
void plot_chart_free(struct chart *c);

/* A builder fills c's tables (or heatmap, or raw text), subtitle and columns from the rows of
 * f; false with *why set when f has none of the rows the chart needs. */
typedef bool (*plot_build_fn)(struct chart *c, const struct result_file *f, const char **why);

bool plot_build_capacity(struct chart *c, const struct result_file *f, const char **why);
bool plot_build_select(struct chart *c, const struct result_file *f, const char **why);
bool plot_build_locks(struct chart *c, const struct result_file *f, const char **why);
bool plot_build_layout(struct chart *c, const struct result_file *f, const char **why);
bool plot_build_cancel(struct chart *c, const struct result_file *f, const char **why);
bool plot_build_c2c(struct chart *c, const struct result_file *f, const char **why);
bool plot_build_forest(struct chart *c, const struct result_file *f, const char **why);
bool plot_build_drift(struct chart *c, const struct result_file *f, const char **why);

/* scaling: the n files files[idx[0..n-1]] (one machine), a line per implementation and pin
 * policy; labels[i] names files[i] where two files have the same pin policy. */
bool plot_build_scaling(struct chart *c, struct result_file *files, const size_t *idx, size_t n,
                        const char **labels, const char **why);

/* cross_machine: per family/scenario and implementation, the geometric mean over the common
 * benchmarks of each of files[1..nf-1]'s median divided by files[0]'s. */
bool plot_build_cross(struct chart *c, struct result_file *files, size_t nf, const char **labels,
                      const char **why);

/* "host (CPU model)" of a file, into buf; returns buf. */
const char *plot_machine_of(const struct result_file *f, char *buf, size_t len);

/* For the builders: reading rows. */

/* A numeric parameter: params.KEY, else key=NUMBER in the name; NAN when absent. */
double plot_param(const struct result_bench *b, const char *key);

/* The implementation of a row: its impl field, else impl= of its name (into buf), else "?". */
const char *plot_impl_of(const struct result_bench *b, char *buf, size_t len);

/* The median of a row's real_time over its repetitions. */
double plot_med_real(const struct result_bench *b);

/* Pick a value among the candidates seen: want if present, else the smallest (prefer_max
 * false) or the largest. */
struct plot_pick {
    bool any, has_want;
    double want, lo, hi;
};

void plot_pick_see(struct plot_pick *p, double v);
double plot_pick_get(const struct plot_pick *p, bool prefer_max);

#endif
