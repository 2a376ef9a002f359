/* SPDX-License-Identifier: MIT */
/* The page of `chanbench plot`: DIR/index.html, one self-contained file with every chart the
 * command drew (its SVG inline), each results file's machine and run, and its paired ratios.
 * The charts are plot_draw.h's; the command commands/plot.c. Harness-internal. */
#ifndef BENCH_PLOT_HTML_H
#define BENCH_PLOT_HTML_H

#include <stddef.h>

#include "plot_draw.h"
#include "results.h"

/* Write st->dir/index.html for files[0..nf-1] and the charts st drew (forest charts first,
 * then the others in drawing order), through a temporary file and a rename. Every string from
 * the files is HTML-escaped. 0, or -1 after printing one line saying why. */
int plot_html_write(const struct plot_state *st, const struct result_file *files, size_t nf);

#endif
