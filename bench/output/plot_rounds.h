/* SPDX-License-Identifier: MIT */
/* The data of `chanbench plot`'s two charts about a run's rounds: the forest plot of its
 * paired ratios and the drift of its chunks and probes over the run's time (plot_rounds.c;
 * drawn by scripts/forest.gp and scripts/drift.gp). Harness-internal. */
#ifndef BENCH_PLOT_ROUNDS_H
#define BENCH_PLOT_ROUNDS_H

#include <stdbool.h>

#include "results.h"

/* What a builder gives: the data file's text (after the "# ..." header plot writes), the
 * chart's subtitle and the columns note (each owned). */
struct plot_text {
    char *data;
    char *subtitle;
    char *columns;
};

/* forest: one line per benchmark and comparison (goc/<impl>, the control included), its paired
 * ratio of wall time over all rounds with the 95 % interval. false (why set) when the file has
 * no paired ratios. */
bool plot_forest_data(const struct result_file *f, struct plot_text *out, const char **why);

/* drift: every chunk's wall time per operation relative to its arm's median, and the probes
 * before it, against seconds since the run's first chunk, one block per machine mode. false
 * (why set) when the chunks carry no round times (a file from before rounds). */
bool plot_drift_data(const struct result_file *f, struct plot_text *out, const char **why);

void plot_text_free(struct plot_text *t);

#endif
