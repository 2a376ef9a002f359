/* SPDX-License-Identifier: MIT */
/* The results store: an SQLite file (results/chanbench.sqlite by default) that keeps every
 * imported run's results file byte for byte, with its machine, its iteration rows and its
 * paired ratios in tables that queries read without parsing JSON (docs/design.md, "Results
 * store"). Reading a results file is model/results.c's; this layer only files it.
 *
 * Every function that can fail returns 0, or an exit status with err set to one line: 2 for
 * bad input (a results file that does not load, an unknown run id, a store file that is not a
 * chanbench store, is corrupt or has a newer schema), 1 for a failure of the system (SQLite,
 * the disk, memory). A store that is refused is never written to. */
#ifndef BENCH_STORE_H
#define BENCH_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "results.h"

/* The schema this chanbench writes; older stores are migrated forward when opened. */
#define STORE_SCHEMA_VERSION 1

/* A run id: 16 lower-case hex digits (store.c, run_id_of), plus its NUL. */
#define STORE_ID_LEN 17

struct store;

/* The store's path: $CHANBENCH_STORE when set and not empty, else results/chanbench.sqlite. */
const char *store_default_path(void);

/* Open the store at path. With create, a missing file is created (its folder must exist);
 * without, a missing file is an error (2). The schema is created or migrated forward in a
 * transaction; a newer schema, a file that is not an SQLite database or one that is not a
 * chanbench store is refused (2) and left as it is. */
int store_open(const char *path, bool create, struct store **out, char *err, size_t errlen);
void store_close(struct store *s);

/* What store_import did with a file. */
enum store_import {
    STORE_IMPORTED,  /* a new run */
    STORE_REPLACED,  /* the same run, complete, replaced its interrupted copy */
    STORE_DUPLICATE, /* the run is already there: nothing written, err says so */
};

/* Import one results file in one transaction. 0 with *what (and id, STORE_ID_LEN bytes, the
 * run id) set, or an exit status with err set: 2 when the file does not load, 1 when the store
 * cannot be written (nothing of the file is then in it). */
int store_import(struct store *s, const char *path, enum store_import *what, char *id, char *err,
                 size_t errlen);

/* The machines, then the runs (id, machine, commit, date, rows), oldest first. */
int store_list(struct store *s, FILE *out, char *err, size_t errlen);

/* The exact bytes of the run whose id is or starts with ref (at least 4 hex digits, one run):
 * *buf (malloc'd, NUL-terminated) and *len. */
int store_run_bytes(struct store *s, const char *ref, char **buf, size_t *len, char *id, char *err,
                    size_t errlen);

/* A stored run loaded as a results file (model/results.c, from its stored bytes), for the
 * commands that read results files. ref, after its '@':
 *   HOST        the latest run (by start date) of the machines with that host name,
 *   RUNID       the run whose id is or starts with these 4 to 16 hex digits,
 *   commit:SHA  the latest run built from a commit that starts with SHA (4+ characters).
 * A host name wins over a run id that reads the same. The file's path, in out and in error
 * lines, is "@REF (run ID)". */
int store_load_ref(struct store *s, const char *ref, struct result_file *out, char *err,
                   size_t errlen);

/* One row per benchmark, one column per machine (its latest run): the median time per
 * operation in multiples of that machine's floor (names_floor_kind: chan/pingpong by
 * c2c_round_trip_ns, other chan/ and select/ by ring_ns_per_msg, as compare --normalize
 * limit); then the paired ratios goc/go and goc/crossbeam (real_time, all rounds) per
 * machine. */
int store_machines(struct store *s, FILE *out, char *err, size_t errlen);

/* For `chanbench run`: import the results file just written into the store at store_path
 * (NULL: store_default_path()), creating the store when missing. 0 when the run is in the
 * store (imported now, or already there), else an exit status with err set to one line. */
int store_record_file(const char *store_path, const char *results_path, char *err, size_t errlen);

#endif
