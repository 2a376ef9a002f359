/* SPDX-License-Identifier: MIT */
/* The series table of `chanbench plot`: values at x categories (numeric or labelled) for
 * named series (the lines of a chart), written as gnuplot's wide format. What goes into one
 * is plot_charts.h's; writing the .dat file and drawing plot_draw.h's. Harness-internal. */
#ifndef BENCH_PLOT_TABLE_H
#define BENCH_PLOT_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define PLOT_MAXX 128 /* points along x of one chart */
#define PLOT_MAXS 64  /* series (lines) of one chart */
#define PLOT_MAXV 3   /* values per point: median, min, max */

/* Print "chanbench plot: out of memory" and exit 1. */
void plot_oom(void) __attribute__((noreturn));

/* A table: nx x categories by ns series, nv values each (NAN: none). */
struct stab {
    size_t nx, ns, nv;
    bool numeric_x; /* every x has a numeric key: sort by it */
    double xkey[PLOT_MAXX];
    char *xlab[PLOT_MAXX];
    char *sname[PLOT_MAXS];
    double val[PLOT_MAXX][PLOT_MAXS][PLOT_MAXV];
    bool full; /* a point or series was dropped for lack of room */
};

/* A table of nv values per point (1, or 3: median, min, max), every value NAN; ends the
 * program on running out of memory. stab_free takes NULL. */
struct stab *stab_new(size_t nv);
void stab_free(struct stab *t);

/* Index of x category (numeric key, or NAN with a label), added if new; -1 when full. */
long stab_x(struct stab *t, double key, const char *label);

/* Index of the series called name, added if new; -1 when full. */
long stab_s(struct stab *t, const char *name);

/* Set the nv values v of series at x (xlabel NULL: the x is numeric, labelled "%g" of xkey);
 * dropped (full set) when there is no room. */
void stab_set(struct stab *t, double xkey, const char *xlabel, const char *series, const double *v);

/* Points that have a value. */
size_t stab_points(const struct stab *t);

/* s as a gnuplot column name or label: in double quotes, its own double quotes made single. */
void plot_put_quoted(FILE *o, const char *s);

/* One data block: a header line of quoted column names (xname first), then a row per x in
 * order (numeric x sorted). Series with nv values get columns "NAME", "NAME min", "NAME max".
 * Missing values are '?'. */
void stab_write(const struct stab *t, FILE *o, const char *xname);

#endif
