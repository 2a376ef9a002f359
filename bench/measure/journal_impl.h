/* SPDX-License-Identifier: MIT */
/* The journal's state, shared by its two halves: journal.c (writing, accessors, close) and
 * journal_restore.c (opening a journal and putting it into an engine for --resume). Private:
 * included by those two files only; everything else goes through journal.h. */
#ifndef BENCH_JOURNAL_IMPL_H
#define BENCH_JOURNAL_IMPL_H

#include <sys/types.h>

#include <jansson.h>

struct journal {
    char path[4096];
    int fd;
    off_t good;       /* the file's length after the last whole record */
    char broken[600]; /* why appending stopped for good; "" while it works */
    void (*say)(const char *line);
    json_t *header;  /* owned */
    json_t *records; /* an opened journal's records (owned), NULL for a new one */
    json_t *pool;    /* interned strings of restored chunks (extra keys), owned */
};

#endif
