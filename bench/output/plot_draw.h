/* SPDX-License-Identifier: MIT */
/* Writing `chanbench plot`'s charts out: DIR/STEM.dat, and gnuplot on scripts/SCRIPT.gp for
 * DIR/STEM.png and .svg, with the paths that takes (output folder, gnuplot, scripts, labels).
 * What a chart holds is plot_charts.h's. Harness-internal. */
#ifndef BENCH_PLOT_DRAW_H
#define BENCH_PLOT_DRAW_H

#include <stdbool.h>
#include <stddef.h>

#include "plot_charts.h"

/* A chart that was drawn, for the page of them all (plot_html.h). */
struct plot_drawn {
    const char *script; /* scripts/<script>.gp (not copied) */
    char *stem, *machine, *subtitle, *source;
};

/* Where charts go and what came of them. */
struct plot_state {
    const char *dir; /* the output folder */
    char *scripts;   /* the folder of the .gp scripts (plot_find_scripts) */
    char *gnuplot;   /* the program, or NULL: data files only */
    size_t drawn, skipped, failed, written;
    struct plot_drawn *charts; /* the drawn charts in drawing order, drawn of them (owned) */
};

/* Write c's data and draw it (or say why not, have false: skipped for lack of data, what
 * naming the file or machine), printing a line of stdout for it and counting it in st; takes
 * ownership of c. Without gnuplot (st->gnuplot NULL) only the data is written. */
void plot_emit(struct plot_state *st, struct chart *c, bool have, const char *why,
               const char *what);

/* Free what st owns (scripts, gnuplot, charts). */
void plot_state_free(struct plot_state *st);

/* From here on, SIGINT, SIGTERM, SIGHUP and SIGPIPE stop plot after removing the temporary
 * files of the chart being drawn (and its gnuplot), then end it as the signal would. */
void plot_guard_signals(void);

/* mkdir -p. 0, or -1 with errno set. */
int plot_mkdirs(const char *dir);

/* The full path of prog on PATH, or NULL (owned by the caller). */
char *plot_find_on_path(const char *prog);

/* Where the .gp scripts are: $CHANBENCH_SCRIPTS, PREFIX/share/chanbench beside an installed
 * PREFIX/bin/chanbench, the source tree's scripts/, ./scripts (owned by the caller). */
char *plot_find_scripts(void);

/* A file's label: its name without folders and .json, in [A-Za-z0-9._-] (owned). */
char *plot_label_for(const char *path);

#endif
