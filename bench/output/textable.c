/* SPDX-License-Identifier: MIT */
/* Strings and aligned tables for the commands' output (textable.h). */
#define _GNU_SOURCE /* vasprintf */
#include "textable.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static void
oom(void) {
    fprintf(stderr, "chanbench: out of memory\n");
    exit(1);
}

char *
tx_strdup(const char *s) {
    char *d = strdup(s);
    if (d == NULL)
        oom();
    return d;
}

char *
tx_fmt(const char *f, ...) {
    va_list ap;
    va_start(ap, f);
    char *s = NULL;
    if (vasprintf(&s, f, ap) < 0)
        oom();
    va_end(ap);
    return s;
}

void
tx_csv(FILE *o, const char *s) {
    if (strpbrk(s, ",\"\n") == NULL) {
        fputs(s, o);
        return;
    }
    fputc('"', o);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', o);
        fputc(*s, o);
    }
    fputc('"', o);
}

size_t
tx_width(const char *s) {
    size_t w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            w++;
    return w;
}

void
table_add(struct table *t, char **cells) {
    char **nc = realloc(t->cell, (t->nrows + 1) * t->ncols * sizeof *nc);
    if (nc == NULL)
        oom();
    t->cell = nc;
    memcpy(t->cell + t->nrows * t->ncols, cells, t->ncols * sizeof *cells);
    t->nrows++;
}

void
table_print(const struct table *t, FILE *o, bool md) {
    size_t *w = calloc(t->ncols, sizeof *w);
    if (w == NULL)
        return;
    for (size_t r = 0; r < t->nrows; r++)
        for (size_t c = 0; c < t->ncols; c++) {
            size_t cw = tx_width(t->cell[r * t->ncols + c]);
            w[c] = w[c] > cw ? w[c] : cw;
        }
    for (size_t r = 0; r < t->nrows; r++) {
        if (md)
            fputs("|", o);
        for (size_t c = 0; c < t->ncols; c++) {
            const char *s = t->cell[r * t->ncols + c];
            size_t pad = w[c] - tx_width(s);
            if (md)
                fprintf(o, " %s%*s |", s, (int)pad, "");
            else if (c == 0)
                fprintf(o, "%s%*s", s, (int)pad, "");
            else
                fprintf(o, "  %*s%s", (int)pad, "", s);
        }
        fputc('\n', o);
        if (md && r == 0) {
            fputs("|", o);
            for (size_t c = 0; c < t->ncols; c++) {
                fputs(c == 0 ? " :" : " ", o);
                for (size_t k = 1; k < w[c]; k++)
                    fputc('-', o);
                fputs(c == 0 ? " |" : ": |", o);
            }
            fputc('\n', o);
        }
    }
    free(w);
}

void
table_free(struct table *t) {
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cell[i]);
    free(t->cell);
    t->cell = NULL;
    t->nrows = 0;
}
