/* SPDX-License-Identifier: MIT */
/* The results store: an SQLite file (results/chanbench.sqlite by default), or a PostgreSQL
 * database (a postgresql:// URL) that many machines record into, that keeps every imported
 * run's results file byte for byte, with its machine, its iteration rows and its paired
 * ratios in tables that queries read without parsing JSON (docs/design.md, "Results store").
 * Reading a results file is model/results.c's; this layer only files it, through store/db.h.
 *
 * Every function that can fail returns 0, or an exit status with err set to one line: 2 for
 * bad input (a results file that does not load, an unknown run id, a store that is not a
 * chanbench store, is corrupt or has a newer schema, a URL that cannot be used), 1 for a
 * failure of the system (SQLite, the server, the disk, memory). A store that is refused is
 * never written to. Error lines name a store by its path, or its URL without the password. */
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

/* The store's path or URL: $CHANBENCH_STORE when set and not empty, else
 * results/chanbench.sqlite. */
const char *store_default_path(void);

/* Open the store at path: an SQLite file, or a PostgreSQL URL (db_is_postgresql). With
 * create, a missing file is created (its folder must exist), and the tables are made in an
 * empty database; without, a missing file or an empty database is an error (2). The schema is
 * created or migrated forward in a transaction; a newer schema, a file that is not an SQLite
 * database, or a database that holds other tables but not a chanbench store is refused (2)
 * and left as it is. */
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

/* What compare and plot read: a results file, or, with a leading '@', a stored run
 * (store_load_ref) of the store at store_path, opened into *s on first use (the caller closes
 * *s with store_close; NULL until then). 0, or an exit status with err set to one line (2 for
 * a file that does not load). */
int store_load_arg(struct store **s, const char *store_path, const char *arg,
                   struct result_file *out, char *err, size_t errlen);

/* --- chanbench store machines ----------------------------------------------------------- */

/* A machine and its latest run. */
struct store_mcol {
    char *label; /* host, or host/id when two machines share a host name */
    char *mid, *run, *cpu;
    double c2c, ring; /* the run's floor, NAN without a limit section */
};

/* The machines side by side: one column per machine (its latest run, by start date), in host
 * order; one row per chan/ and select/ benchmark with a floor (names_floor_kind: chan/pingpong
 * by c2c_round_trip_ns, other chan/ and select/ by ring_ns_per_msg, as compare --normalize
 * limit); one row per paired ratio goc/go and goc/crossbeam (real_time, all rounds). */
struct store_machines {
    struct store_mcol *cols;
    size_t ncols;
    char **benches; /* full names, with /impl= */
    size_t nbenches;
    size_t nofloor; /* benchmarks left out for want of a floor */
    double *median; /* nbenches x ncols: median real ns of the run's rows, NAN: no rows */
    char **pairs;   /* "BENCH goc/go", "BENCH goc/crossbeam" */
    size_t npairs;
    double *ratio, *lo, *hi; /* npairs x ncols: the ratio and its 95 % interval, NAN: none */
};

/* Fill m from one snapshot of the store. 0, or an exit status with err set (2: no runs).
 * store_machines_free frees m, whatever this returned. */
int store_machines_load(struct store *s, struct store_machines *m, char *err, size_t errlen);
void store_machines_free(struct store_machines *m);

/* The machines, then a table of the median time per operation in multiples of each machine's
 * floor, then a table of the paired ratios. */
void store_machines_print(const struct store_machines *m, FILE *out);

/* load, print and free, for `chanbench store machines`. */
int store_machines(struct store *s, FILE *out, char *err, size_t errlen);

/* The data of scripts/machines.gp, malloc'd: a "# counts: BENCHES MACHINES RATIOS" line; block
 * 0, a line of quoted names ("benchmark", then "LABEL (CPU)" per machine) and a line per
 * benchmark, its quoted name and each machine's time over its floor ('?' for none); two empty
 * lines; block 1, a line of names and a line per paired ratio, its quoted name and, per
 * machine, the ratio and its interval's low and high ('? ? ?' for none). And its subtitle. */
char *store_machines_data(const struct store_machines *m);
char *store_machines_subtitle(const struct store_machines *m);

/* For `chanbench run`: import the results file just written into the store at store_path
 * (NULL: store_default_path()), creating the store, and its folder (mkdir -p; not for a URL),
 * when missing.
 * 0 when the run is in the store, with *what saying how (imported now, replaced its
 * interrupted copy, or already there) and id its run id (STORE_ID_LEN bytes); either may be
 * NULL. Else an exit status with err set to one line; the results file is never touched. */
int store_record_file(const char *store_path, const char *results_path, enum store_import *what,
                      char *id, char *err, size_t errlen);

/* The store's name for messages (malloc'd; NULL when out of memory): a PostgreSQL URL without
 * its password, a file's path as given. */
char *store_display_name(const char *store_path);

/* The id of the latest run (by start date, then import) into id. 0, or 2 with err set when the
 * store holds no run. */
int store_latest_run(struct store *s, char *id, char *err, size_t errlen);

/* --- chanbench store history ------------------------------------------------------------ */

/* One run of a benchmark's history. */
struct store_hist_run {
    char id[STORE_ID_LEN];
    char *commit; /* "-" when the file has none */
    char *date;
    bool complete;
    size_t n;        /* rows of the run: one per round (repetition) */
    double *real_ns; /* wall ns per operation of each */
    double median;
    double lo, hi; /* the median's 95 % interval; min and max when too few rounds (ci_ok) */
    bool ci_ok;
    /* Against the run before it (not for the first): the same test as compare's. */
    double change_pct; /* 100 (median / previous median - 1) */
    double p;          /* two-sided Mann-Whitney U over the two runs' rounds */
    bool few;          /* too few rounds on a side for any p below CMP_ALPHA */
    bool significant;  /* !few and p < CMP_ALPHA */
};

struct store_history {
    char *bench, *impl;
    char machine[STORE_ID_LEN];
    char *host, *cpu;
    char *why;                   /* how the machine was chosen, for the header */
    struct store_hist_run *runs; /* in date order */
    size_t nruns;
};

/* The history of benchmark bench (its name without /impl=) of implementation impl on one
 * machine: every run of that machine holding rows of it, oldest first, each with the median of
 * its rows' real_ns and, from the second on, the change from the run before and whether it is
 * significant. machine is a host name or 4+ hex digits of a machine id (a host name wins; a
 * host with several machines, e.g. across a kernel update, gives the one with the most runs of
 * the benchmark), or NULL: this_host's machine with the most runs of it when it has any, else
 * the machine with the most runs of it (the latest run breaks ties). 0, or 2 with err set to
 * one line listing what the store has: for an unknown benchmark its scenario's benchmarks (or
 * the families), for an unknown impl the benchmark's impls, for an unknown machine the
 * machines (or those that ran the benchmark). store_history_free frees h. */
int store_history(struct store *s, const char *bench, const char *impl, const char *machine,
                  const char *this_host, struct store_history *h, char *err, size_t errlen);
void store_history_free(struct store_history *h);

/* The history as a table (commit, date, run, rounds, median and interval, change, p, verdict)
 * with a header line and a legend. */
void store_history_print(const struct store_history *h, FILE *out);

/* The history as the data of scripts/history.gp (one line per run: position, median, interval
 * low and high, class, change in per cent, label), malloc'd; and its subtitle. */
char *store_history_data(const struct store_history *h);
char *store_history_subtitle(const struct store_history *h);

/* --- chanbench store check -------------------------------------------------------------- */

/* What store_check found. */
struct store_check_result {
    size_t common;      /* benchmarks (full names, with impl) in both files */
    size_t regressions; /* significantly slower by more than the threshold */
    size_t slower;      /* significantly slower, within the threshold */
    size_t faster;      /* significantly faster */
    size_t few;         /* too few rounds on a side to test */
};

/* run against base, benchmark by benchmark over the names both hold (only impl's when impl is
 * not NULL): median real ns of each, and the Mann-Whitney test compare uses over their rows.
 * Prints one line per regression (significantly slower, and the median more than threshold_pct
 * per cent above the base's) to out, and fills r. */
void store_check(const struct result_file *base, const struct result_file *run,
                 double threshold_pct, const char *impl, FILE *out, struct store_check_result *r);

#endif
