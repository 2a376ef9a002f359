/* SPDX-License-Identifier: MIT */
/* Text for the commands that print tables (compare, plot): strings that end the program on
 * running out of memory, and aligned tables printed as text or Markdown. Harness-internal. */
#ifndef BENCH_TEXTABLE_H
#define BENCH_TEXTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* strdup and a printf into a new string; on running out of memory they print "chanbench: out
 * of memory" and exit 1. */
char *tx_strdup(const char *s);
char *tx_fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

/* Write s as one CSV field: as it is, or quoted (quotes doubled) when it holds , " or a
 * newline. */
void tx_csv(FILE *o, const char *s);

/* Display width of a UTF-8 string (code points; our strings have no wide characters). */
size_t tx_width(const char *s);

/* A table of ncols columns; row 0 is the header. */
struct table {
    size_t ncols;
    size_t nrows;
    char **cell; /* nrows * ncols, owned */
};

/* Append a row: cells[0..ncols-1], taken over (owned by the table from now on). */
void table_add(struct table *t, char **cells);

/* Print: the first column left-aligned, the others right-aligned, two spaces between; or, with
 * md, a Markdown table (header row, then a separator). */
void table_print(const struct table *t, FILE *o, bool md);
void table_free(struct table *t);

#endif
