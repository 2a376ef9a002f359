/* SPDX-License-Identifier: MIT */
/* The series table of `chanbench plot` (plot_table.h): x categories by series, written in
 * gnuplot's wide format. Which rows go into a chart is plot_charts.c's; files, paths and
 * gnuplot are plot_draw.c's. */
#include "plot_table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textable.h"

void
plot_oom(void) {
    fprintf(stderr, "chanbench plot: out of memory\n");
    exit(1);
}

struct stab *
stab_new(size_t nv) {
    struct stab *t = calloc(1, sizeof *t);
    if (t == NULL)
        plot_oom();
    t->nv = nv;
    t->numeric_x = true;
    for (size_t x = 0; x < PLOT_MAXX; x++)
        for (size_t s = 0; s < PLOT_MAXS; s++)
            for (size_t v = 0; v < PLOT_MAXV; v++)
                t->val[x][s][v] = NAN;
    return t;
}

void
stab_free(struct stab *t) {
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->nx; i++)
        free(t->xlab[i]);
    for (size_t i = 0; i < t->ns; i++)
        free(t->sname[i]);
    free(t);
}

/* Index of x category (numeric key, or NAN with a label), added if new; -1 when full. */
long
stab_x(struct stab *t, double key, const char *label) {
    char buf[64];
    if (label == NULL) {
        snprintf(buf, sizeof buf, "%g", key);
        label = buf;
    }
    for (size_t i = 0; i < t->nx; i++)
        if (strcmp(t->xlab[i], label) == 0)
            return (long)i;
    if (t->nx == PLOT_MAXX) {
        t->full = true;
        return -1;
    }
    if (isnan(key))
        t->numeric_x = false;
    t->xkey[t->nx] = key;
    t->xlab[t->nx] = tx_strdup(label);
    return (long)t->nx++;
}

long
stab_s(struct stab *t, const char *name) {
    for (size_t i = 0; i < t->ns; i++)
        if (strcmp(t->sname[i], name) == 0)
            return (long)i;
    if (t->ns == PLOT_MAXS) {
        t->full = true;
        return -1;
    }
    t->sname[t->ns] = tx_strdup(name);
    return (long)t->ns++;
}

void
stab_set(struct stab *t, double xkey, const char *xlabel, const char *series, const double *v) {
    long x = stab_x(t, xkey, xlabel), s = stab_s(t, series);
    if (x < 0 || s < 0)
        return;
    for (size_t i = 0; i < t->nv; i++)
        t->val[x][s][i] = v[i];
}

size_t
stab_points(const struct stab *t) {
    size_t n = 0;
    for (size_t x = 0; x < t->nx; x++)
        for (size_t s = 0; s < t->ns; s++)
            n += !isnan(t->val[x][s][0]);
    return n;
}

void
plot_put_quoted(FILE *o, const char *s) {
    fputc('"', o);
    for (; *s; s++)
        fputc(*s == '"' ? '\'' : *s, o);
    fputc('"', o);
}

/* One data block: a header line of quoted column names, then a row per x in order. Series
 * with nv values get columns "NAME", "NAME min", "NAME max". Missing values are '?'. */
void
stab_write(const struct stab *t, FILE *o, const char *xname) {
    size_t order[PLOT_MAXX];
    for (size_t i = 0; i < t->nx; i++)
        order[i] = i;
    if (t->numeric_x) /* insertion sort by key: a few dozen points */
        for (size_t i = 1; i < t->nx; i++)
            for (size_t j = i; j > 0 && t->xkey[order[j]] < t->xkey[order[j - 1]]; j--) {
                size_t tmp = order[j];
                order[j] = order[j - 1];
                order[j - 1] = tmp;
            }
    plot_put_quoted(o, xname);
    static const char *const suffix[PLOT_MAXV] = {"", " min", " max"};
    for (size_t s = 0; s < t->ns; s++)
        for (size_t v = 0; v < t->nv; v++) {
            char buf[256];
            snprintf(buf, sizeof buf, "%s%s", t->sname[s], suffix[v]);
            fputc(' ', o);
            plot_put_quoted(o, buf);
        }
    fputc('\n', o);
    for (size_t i = 0; i < t->nx; i++) {
        size_t x = order[i];
        plot_put_quoted(o, t->xlab[x]);
        for (size_t s = 0; s < t->ns; s++)
            for (size_t v = 0; v < t->nv; v++) {
                double d = t->val[x][s][v];
                if (isnan(d))
                    fputs(" ?", o);
                else
                    fprintf(o, " %.6g", d);
            }
        fputc('\n', o);
    }
}
