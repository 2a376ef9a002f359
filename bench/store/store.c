/* SPDX-License-Identifier: MIT */
/* The results store (store.h) on SQLite or PostgreSQL, through store/db.h: opening and
 * migrating it, importing results files, and the queries of `chanbench store`. Its SQL is
 * written once, in what both read; the schema is written per backend (migrations below). */
#include "store.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "compare.h"
#include "db.h"
#include "db_impl.h" /* db_url_redact */
#include "mwu.h"
#include "names.h"
#include "plot_draw.h"
#include "stats.h"
#include "textable.h"
#include "util.h"

/* How long a write waits for another process's transaction before giving up. An import takes
 * well under a second; a run recording while another imports a folder of files waits. */
#define STORE_BUSY_MS 60000

struct store {
    struct db *db;
    char *path; /* for messages: the file, or the URL without its password */
};

/* Migrations: migrations[backend][v] brings a store of schema v to v + 1, in the transaction
 * that also sets meta.schema_version. Schema 0 is an empty database. A new schema appends one
 * entry to each backend's list and raises STORE_SCHEMA_VERSION; entries are never edited once
 * released. The two lists hold the same tables, columns and indexes in each backend's types:
 * PostgreSQL's REAL is single precision, so doubles are DOUBLE PRECISION; blobs are BYTEA;
 * text compares byte by byte (COLLATE "C"), as in SQLite, whatever the database's locale, so
 * that lists sort alike and id prefixes are ranges; and rows and ratios have the rowid that
 * SQLite gives every table (the order of insertion, which queries sort by). */
static const char *const sqlite_migrations[STORE_SCHEMA_VERSION] = {
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value NOT NULL);"
    /* id: store.c's fingerprint hash of the other columns. */
    "CREATE TABLE machines(id TEXT PRIMARY KEY, host TEXT NOT NULL, cpu_model TEXT NOT NULL,"
    " packages INTEGER, cores INTEGER, pus INTEGER, kernel TEXT NOT NULL, virtualized INTEGER);"
    /* bytes: the results file as imported, for export; the rest is read from it once. */
    "CREATE TABLE runs(id TEXT PRIMARY KEY, machine_id TEXT NOT NULL REFERENCES machines(id),"
    " git_commit TEXT, date TEXT NOT NULL, seed TEXT, complete INTEGER NOT NULL, command TEXT,"
    " options TEXT, build_type TEXT, pin_policy TEXT, c2c_round_trip_ns REAL,"
    " ring_ns_per_msg REAL, source TEXT, imported TEXT NOT NULL, bytes BLOB NOT NULL);"
    "CREATE INDEX runs_machine ON runs(machine_id, date);"
    /* One row per iteration row (repetition) of the file, times in ns per operation. */
    "CREATE TABLE rows(run_id TEXT NOT NULL REFERENCES runs(id), name TEXT NOT NULL,"
    " benchmark TEXT NOT NULL, impl TEXT NOT NULL, repetition INTEGER NOT NULL, round INTEGER,"
    " mode TEXT, real_ns REAL NOT NULL, cpu_ns REAL NOT NULL);"
    "CREATE INDEX rows_run ON rows(run_id, name);"
    "CREATE TABLE ratios(run_id TEXT NOT NULL REFERENCES runs(id), benchmark TEXT NOT NULL,"
    " numerator TEXT NOT NULL, denominator TEXT NOT NULL, metric TEXT NOT NULL,"
    " mode TEXT NOT NULL, ratio REAL, ci_low REAL, ci_high REAL, rounds INTEGER);"
    "CREATE INDEX ratios_run ON ratios(run_id);",
};

#define PG_TEXT "TEXT COLLATE \"C\""
static const char *const pg_migrations[STORE_SCHEMA_VERSION] = {
    "CREATE TABLE meta(key " PG_TEXT " PRIMARY KEY, value " PG_TEXT " NOT NULL);"
    "CREATE TABLE machines(id " PG_TEXT " PRIMARY KEY, host " PG_TEXT " NOT NULL,"
    " cpu_model " PG_TEXT " NOT NULL, packages BIGINT, cores BIGINT, pus BIGINT,"
    " kernel " PG_TEXT " NOT NULL, virtualized BIGINT);"
    "CREATE TABLE runs(id " PG_TEXT " PRIMARY KEY,"
    " machine_id " PG_TEXT " NOT NULL REFERENCES machines(id), git_commit " PG_TEXT ","
    " date " PG_TEXT " NOT NULL, seed " PG_TEXT ", complete BIGINT NOT NULL,"
    " command " PG_TEXT ", options " PG_TEXT ", build_type " PG_TEXT ", pin_policy " PG_TEXT ","
    " c2c_round_trip_ns DOUBLE PRECISION, ring_ns_per_msg DOUBLE PRECISION,"
    " source " PG_TEXT ", imported " PG_TEXT " NOT NULL, bytes BYTEA NOT NULL);"
    "CREATE INDEX runs_machine ON runs(machine_id, date);"
    "CREATE TABLE rows(run_id " PG_TEXT " NOT NULL REFERENCES runs(id), name " PG_TEXT " NOT NULL,"
    " benchmark " PG_TEXT " NOT NULL, impl " PG_TEXT " NOT NULL, repetition BIGINT NOT NULL,"
    " round BIGINT, mode " PG_TEXT ", real_ns DOUBLE PRECISION NOT NULL,"
    " cpu_ns DOUBLE PRECISION NOT NULL, rowid BIGINT GENERATED ALWAYS AS IDENTITY);"
    "CREATE INDEX rows_run ON rows(run_id, name);"
    "CREATE TABLE ratios(run_id " PG_TEXT " NOT NULL REFERENCES runs(id),"
    " benchmark " PG_TEXT " NOT NULL, numerator " PG_TEXT " NOT NULL,"
    " denominator " PG_TEXT " NOT NULL, metric " PG_TEXT " NOT NULL, mode " PG_TEXT " NOT NULL,"
    " ratio DOUBLE PRECISION, ci_low DOUBLE PRECISION, ci_high DOUBLE PRECISION, rounds BIGINT,"
    " rowid BIGINT GENERATED ALWAYS AS IDENTITY);"
    "CREATE INDEX ratios_run ON ratios(run_id);",
};

const char *
store_default_path(void) {
    const char *env = getenv("CHANBENCH_STORE");
    return env != NULL && env[0] != '\0' ? env : "results/chanbench.sqlite";
}

static bool
is_pg(const struct store *s) {
    return db_backend(s->db) == DB_POSTGRESQL;
}

/* --- errors ---------------------------------------------------------------------------- */

/* After a failed database call: err set to one line about what failed, and the exit status.
 * A damaged file is bad input (2), left as it is; the rest is the system's (1). */
static int
db_fail(struct store *s, int rc, const char *what, char *err, size_t errlen) {
    if (rc == DB_DAMAGED) {
        bench_seterr(err, errlen,
                     "%s: not a usable results store (%s); it is left as it is: move it away, "
                     "restore it from a copy, or choose another with --store PATH",
                     s->path, db_errmsg(s->db));
        return 2;
    }
    if (rc == DB_BUSY) {
        bench_seterr(err, errlen,
                     "%s: %s: another process kept the store locked for over %d s; try again",
                     s->path, what, STORE_BUSY_MS / 1000);
        return 1;
    }
    bench_seterr(err, errlen, "%s: %s: %s", s->path, what, db_errmsg(s->db));
    return 1;
}

static int
exec(struct store *s, const char *sql) {
    return db_exec(s->db, sql);
}

/* Roll back whatever is open; the error being reported matters more than this one. */
static void
rollback(struct store *s) {
    db_rollback(s->db);
}

/* --- opening and migrating ---------------------------------------------------------------- */

/* The store's schema version into *version: 0 for an empty database (SQLite) or schema
 * (PostgreSQL), -1 for one that holds tables but no chanbench meta. A db_rc. */
static int
read_version(struct store *s, int *version) {
    int64_t nobj;
    bool has_meta;
    int rc = db_catalog(s->db, "meta", &nobj, &has_meta);
    if (rc != DB_OK)
        return rc;
    if (!has_meta) {
        *version = nobj == 0 ? 0 : -1;
        return DB_OK;
    }
    struct db_stmt *st;
    rc = db_prepare(s->db, "SELECT value FROM meta WHERE key = 'schema_version'", &st);
    if (rc != DB_OK)
        return rc;
    rc = db_step(st);
    *version = -1;
    /* An integer in SQLite (older chanbench read nothing else), text in PostgreSQL. */
    int64_t v = -1;
    if (rc == DB_ROW && db_column_type(st, 0) == DB_INTEGER) {
        v = db_column_int64(st, 0);
    } else if (rc == DB_ROW && db_column_type(st, 0) == DB_TEXT) {
        const char *t = db_column_text(st, 0);
        if (t[0] != '\0' && strlen(t) < 10 && strspn(t, "0123456789") == strlen(t))
            v = strtoll(t, NULL, 10);
    }
    *version = v >= 1 && v <= INT32_MAX ? (int)v : -1;
    db_finalize(st);
    return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

/* Refuse a version this chanbench cannot use. 0, or 2 with err set. */
static int
check_version(struct store *s, int version, char *err, size_t errlen) {
    if (version < 0 && is_pg(s)) {
        bench_seterr(err, errlen,
                     "%s: a PostgreSQL database that holds other tables but not a chanbench "
                     "results store (no meta.schema_version); it is left as it is: give an "
                     "empty database, or another schema (the URL's parameter "
                     "options=-csearch_path%%3DSCHEMA), or choose another with --store",
                     s->path);
        return 2;
    }
    if (version < 0) {
        bench_seterr(err, errlen,
                     "%s: an SQLite database but not a chanbench results store (no "
                     "meta.schema_version); it is left as it is: choose another with --store "
                     "PATH",
                     s->path);
        return 2;
    }
    if (version > STORE_SCHEMA_VERSION) {
        bench_seterr(err, errlen,
                     "%s: store schema %d is newer than this chanbench's (%d); it is left as it "
                     "is: use a newer chanbench, or choose another with --store PATH",
                     s->path, version, STORE_SCHEMA_VERSION);
        return 2;
    }
    return 0;
}

/* Bring the store to STORE_SCHEMA_VERSION. Reads first, so that a current store is opened
 * without taking a write lock; migrates in one DB_WRITE transaction, re-reading the version
 * inside it (another process may have migrated or created it meanwhile). An empty store is
 * only made with make_empty (without it: 2, nothing written). */
static int
migrate(struct store *s, bool make_empty, char *err, size_t errlen) {
    int version, rc = read_version(s, &version);
    if (rc != DB_OK)
        return db_fail(s, rc, "cannot read the schema version", err, errlen);
    int code = check_version(s, version, err, errlen);
    if (code != 0 || version == STORE_SCHEMA_VERSION)
        return code;
    if (version == 0 && !make_empty) {
        bench_seterr(err, errlen,
                     "%s: no results store there (the database is empty); import results with "
                     "'chanbench store import FILE...', or choose another with --store",
                     s->path);
        return 2;
    }

    rc = db_begin(s->db, DB_WRITE);
    if (rc != DB_OK)
        return db_fail(s, rc, "cannot start the schema's transaction", err, errlen);
    struct db_stmt *set = NULL;
    rc = read_version(s, &version);
    if (rc != DB_OK) {
        code = db_fail(s, rc, "cannot read the schema version", err, errlen);
        goto fail;
    }
    if ((code = check_version(s, version, err, errlen)) != 0)
        goto fail;
    rc = DB_OK;
    for (int v = version; v < STORE_SCHEMA_VERSION && rc == DB_OK; v++) {
        rc = exec(s, (is_pg(s) ? pg_migrations : sqlite_migrations)[v]);
        /* Prepared once meta is there: SQLite checks the tables of a statement up front. */
        if (rc == DB_OK && set == NULL)
            rc = db_prepare(s->db,
                            "INSERT INTO meta(key, value) VALUES('schema_version', ?1)"
                            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                            &set);
        if (rc != DB_OK)
            break;
        /* The version was an integer in SQLite from the start; PostgreSQL's meta is text. */
        char num[16];
        snprintf(num, sizeof num, "%d", v + 1);
        if (is_pg(s))
            db_bind_text(set, 1, num);
        else
            db_bind_int64(set, 1, v + 1);
        rc = db_step(set);
        rc = rc == DB_DONE ? DB_OK : rc;
        db_reset(set);
    }
    if (rc != DB_OK) {
        code = db_fail(s, rc, "cannot migrate the schema", err, errlen);
        goto fail;
    }
    db_finalize(set);
    set = NULL;
    if ((rc = db_commit(s->db)) != DB_OK) {
        code = db_fail(s, rc, "cannot commit the schema", err, errlen);
        goto fail;
    }
    return 0;
fail:
    db_finalize(set);
    rollback(s);
    return code;
}

int
store_open(const char *path, bool create, struct store **out, char *err, size_t errlen) {
    *out = NULL;
    bool pg = db_is_postgresql(path);
    struct stat st;
    if (pg) {
        /* A server's database: db_open says what is wrong with it. */
    } else if (stat(path, &st) != 0) {
        if (errno != ENOENT) {
            bench_seterr(err, errlen, "%s: %s", path, strerror(errno));
            return 1;
        }
        if (!create) {
            bench_seterr(err, errlen,
                         "%s: no results store there; import results with 'chanbench store "
                         "import FILE...', or choose another with --store PATH",
                         path);
            return 2;
        }
    } else if (!S_ISREG(st.st_mode)) {
        bench_seterr(err, errlen,
                     "%s: not a regular file; give the path of a store file with --store PATH",
                     path);
        return 2;
    }

    struct store *s = calloc(1, sizeof *s);
    if (s == NULL) {
        bench_seterr(err, errlen, "out of memory");
        return 1;
    }
    int code = db_open(path, create, &s->db, err, errlen);
    if (code != 0) {
        free(s);
        return code;
    }
    if ((s->path = strdup(db_name(s->db))) == NULL) {
        store_close(s);
        bench_seterr(err, errlen, "out of memory");
        return 1;
    }
    int rc = db_busy_timeout(s->db, STORE_BUSY_MS);
    /* An empty SQLite file is a store of schema 0, as a missing one is with create; an empty
     * PostgreSQL database stands for the missing file. */
    code = rc != DB_OK ? db_fail(s, rc, "cannot set the busy timeout", err, errlen)
                       : migrate(s, create || !pg, err, errlen);
    if (code != 0) {
        store_close(s);
        return code;
    }
    *out = s;
    return 0;
}

void
store_close(struct store *s) {
    if (s == NULL)
        return;
    db_close(s->db);
    free(s->path);
    free(s);
}

/* --- identities ------------------------------------------------------------------------ */

/* FNV-1a, 64 bits: ids need to be stable and short, not secret. */
static uint64_t
fnv1a(uint64_t h, const char *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static uint64_t
fnv1a_str(uint64_t h, const char *s) {
    h = fnv1a(h, s, strlen(s));
    return fnv1a(h, "\n", 1);
}

#define FNV_SEED 0xcbf29ce484222325ULL

/* A string of the file's context (context.chanbench.KEY, else context.KEY), or "". */
static const char *
ctx_str(const struct result_file *f, const char *key) {
    const char *v = results_context_str(f, key);
    return v != NULL ? v : "";
}

static int64_t
topo_int(const struct result_file *f, const char *key) {
    json_t *v = json_object_get(json_object_get(f->chanbench, "topology"), key);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
}

/* The machine's fingerprint, as chanbench run records it (measure/machine.c). */
struct machine {
    const char *host, *kernel;
    char cpu[256]; /* cpu_model without the padding some CPUs report */
    int64_t packages, cores, pus;
    int virtualized; /* 1, 0, or -1 unknown */
    char id[STORE_ID_LEN];
};

static void
machine_of(const struct result_file *f, struct machine *m) {
    m->host = ctx_str(f, "host_name");
    m->kernel = ctx_str(f, "kernel");
    snprintf(m->cpu, sizeof m->cpu, "%s", ctx_str(f, "cpu_model"));
    for (size_t n = strlen(m->cpu); n > 0 && m->cpu[n - 1] == ' '; n--)
        m->cpu[n - 1] = '\0';
    m->packages = topo_int(f, "packages");
    m->cores = topo_int(f, "cores");
    m->pus = topo_int(f, "pus");
    json_t *v = json_object_get(json_object_get(f->chanbench, "topology"), "virtualized");
    m->virtualized = json_is_boolean(v) ? json_is_true(v) : -1;
    char topo[96];
    snprintf(topo, sizeof topo, "%lld/%lld/%lld/%d", (long long)m->packages, (long long)m->cores,
             (long long)m->pus, m->virtualized);
    uint64_t h = FNV_SEED;
    h = fnv1a_str(h, m->host);
    h = fnv1a_str(h, m->cpu);
    h = fnv1a_str(h, topo);
    h = fnv1a_str(h, m->kernel);
    snprintf(m->id, sizeof m->id, "%016llx", (unsigned long long)h);
}

/* The run id: the hash of the host name, the start date and the seed — the identity of a run
 * that results_same_run uses — so a copy of a file, or a resumed run's file and its
 * interrupted one, have one id. A file without host or date gets the hash of its bytes. */
static void
run_id_of(const struct result_file *f, const char *bytes, size_t len, char *id) {
    const char *host = json_string_value(json_object_get(f->context, "host_name"));
    const char *date = json_string_value(json_object_get(f->context, "date"));
    uint64_t h = FNV_SEED;
    if (host == NULL || date == NULL) {
        h = fnv1a(h, bytes, len);
    } else {
        char *seed = json_dumps(json_object_get(f->chanbench, "seed"), JSON_ENCODE_ANY);
        h = fnv1a_str(h, host);
        h = fnv1a_str(h, date);
        h = fnv1a_str(h, seed != NULL ? seed : "");
        free(seed);
    }
    snprintf(id, STORE_ID_LEN, "%016llx", (unsigned long long)h);
}

/* --- import ---------------------------------------------------------------------------- */

/* The whole file into *buf (NUL-terminated). 0, or 2 with err set. */
static int
read_file(const char *path, char **buf, size_t *len, char *err, size_t errlen) {
    *buf = NULL;
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        bench_seterr(err, errlen, "%s: %s", path, strerror(errno));
        return 2;
    }
    struct stat st;
    if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(fp);
        bench_seterr(err, errlen, "%s: is a folder, not a results file; give the .json files in it",
                     path);
        return 2;
    }
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    while (b != NULL) {
        n += fread(b + n, 1, cap - n - 1, fp);
        if (n < cap - 1)
            break;
        char *nb = realloc(b, cap * 2);
        if (nb == NULL)
            free(b);
        b = nb;
        cap *= 2;
    }
    int bad = ferror(fp);
    fclose(fp);
    if (b == NULL) {
        bench_seterr(err, errlen, "%s: out of memory", path);
        return 1;
    }
    if (bad) {
        free(b);
        bench_seterr(err, errlen, "%s: read error; check the file and its disk", path);
        return 2;
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
    return 0;
}

static void
bind_text_or_null(struct db_stmt *st, int i, const char *v) {
    if (v != NULL && v[0] != '\0')
        db_bind_text(st, i, v);
    else
        db_bind_null(st, i);
}

static void
bind_num_or_null(struct db_stmt *st, int i, json_t *v) {
    if (json_is_number(v) && isfinite(json_number_value(v)))
        db_bind_double(st, i, json_number_value(v));
    else
        db_bind_null(st, i);
}

static void
bind_int_or_null(struct db_stmt *st, int i, int64_t v) {
    if (v >= 0)
        db_bind_int64(st, i, v);
    else
        db_bind_null(st, i);
}

/* Run a bound statement that returns no row, and reset it. */
static int
step_done(struct db_stmt *st) {
    int rc = db_step(st);
    db_reset(st);
    db_clear_bindings(st);
    return rc == DB_DONE ? DB_OK : rc;
}

/* The machine, the run, its rows and its ratios, inside the caller's transaction. */
static int
insert_run(struct store *s, const struct result_file *f, const struct machine *m, const char *id,
           const char *source, const char *bytes, size_t len) {
    struct db_stmt *st = NULL;
    int rc = db_prepare(s->db,
                        "INSERT INTO machines VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
                        " ON CONFLICT DO NOTHING",
                        &st);
    if (rc != DB_OK)
        return rc;
    db_bind_text(st, 1, m->id);
    db_bind_text(st, 2, m->host);
    db_bind_text(st, 3, m->cpu);
    bind_int_or_null(st, 4, m->packages);
    bind_int_or_null(st, 5, m->cores);
    bind_int_or_null(st, 6, m->pus);
    db_bind_text(st, 7, m->kernel);
    bind_int_or_null(st, 8, m->virtualized);
    rc = step_done(st);
    db_finalize(st);
    if (rc != DB_OK)
        return rc;

    rc = db_prepare(s->db,
                    "INSERT INTO runs VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                    "?11, ?12, ?13, ?14, ?15)",
                    &st);
    if (rc != DB_OK)
        return rc;
    char *seed = NULL, *options = NULL;
    json_t *jseed = json_object_get(f->chanbench, "seed");
    if (jseed != NULL)
        seed = json_dumps(jseed, JSON_ENCODE_ANY);
    json_t *jopt = json_object_get(f->chanbench, "options");
    if (jopt != NULL)
        options = json_dumps(jopt, JSON_COMPACT | JSON_ENCODE_ANY);
    json_t *lim = json_object_get(f->chanbench, "limit");
    char now[32];
    time_t t = time(NULL);
    struct tm tm;
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
    db_bind_text(st, 1, id);
    db_bind_text(st, 2, m->id);
    bind_text_or_null(st, 3, results_context_str(f, "git_commit"));
    db_bind_text(st, 4, ctx_str(f, "date"));
    bind_text_or_null(st, 5, seed);
    db_bind_int64(st, 6, f->complete);
    bind_text_or_null(st, 7, results_context_str(f, "command"));
    bind_text_or_null(st, 8, options);
    bind_text_or_null(st, 9, results_context_str(f, "build_type"));
    bind_text_or_null(st, 10, results_context_str(f, "pin_policy"));
    bind_num_or_null(st, 11, json_object_get(lim, "c2c_round_trip_ns"));
    bind_num_or_null(st, 12, json_object_get(lim, "ring_ns_per_msg"));
    bind_text_or_null(st, 13, source);
    db_bind_text(st, 14, now);
    db_bind_blob(st, 15, bytes, len);
    rc = step_done(st);
    db_finalize(st);
    free(seed);
    free(options);
    if (rc != DB_OK)
        return rc;

    rc = db_prepare(s->db, "INSERT INTO rows VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", &st);
    if (rc != DB_OK)
        return rc;
    for (size_t b = 0; b < f->nbenches && rc == DB_OK; b++) {
        const struct result_bench *rb = &f->benches[b];
        char bench[512];
        names_strip_impl(rb->name, bench, sizeof bench);
        for (size_t i = 0; i < rb->nreps && rc == DB_OK; i++) {
            json_t *row = rb->rows[i];
            const char *impl = json_string_value(json_object_get(row, "impl"));
            json_t *rep = json_object_get(row, "repetition_index");
            json_t *round = json_object_get(row, "round");
            db_bind_text(st, 1, id);
            db_bind_text(st, 2, rb->name);
            db_bind_text(st, 3, bench);
            db_bind_text(st, 4, impl != NULL ? impl : names_impl(rb->name));
            db_bind_int64(st, 5, json_is_integer(rep) ? json_integer_value(rep) : (int64_t)i);
            if (json_is_integer(round))
                db_bind_int64(st, 6, json_integer_value(round));
            else
                db_bind_null(st, 6);
            bind_text_or_null(st, 7, json_string_value(json_object_get(row, "mode")));
            db_bind_double(st, 8, rb->real_time[i]);
            db_bind_double(st, 9, rb->cpu_time[i]);
            rc = step_done(st);
        }
    }
    db_finalize(st);
    if (rc != DB_OK)
        return rc;

    json_t *paired = json_object_get(f->chanbench, "paired");
    if (!json_is_array(paired))
        return DB_OK;
    rc = db_prepare(s->db, "INSERT INTO ratios VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                    &st);
    if (rc != DB_OK)
        return rc;
    size_t i;
    json_t *p;
    json_array_foreach(paired, i, p) {
        const char *bench = json_string_value(json_object_get(p, "benchmark"));
        const char *num = json_string_value(json_object_get(p, "numerator"));
        const char *den = json_string_value(json_object_get(p, "denominator"));
        const char *metric = json_string_value(json_object_get(p, "metric"));
        const char *mode = json_string_value(json_object_get(p, "mode"));
        if (bench == NULL || num == NULL || den == NULL)
            continue; /* not a ratio this chanbench wrote; the bytes still keep it */
        json_t *ci = json_object_get(p, "ci"), *rounds = json_object_get(p, "rounds");
        db_bind_text(st, 1, id);
        db_bind_text(st, 2, bench);
        db_bind_text(st, 3, num);
        db_bind_text(st, 4, den);
        db_bind_text(st, 5, metric != NULL ? metric : "real_time");
        db_bind_text(st, 6, mode != NULL ? mode : "all");
        bind_num_or_null(st, 7, json_object_get(p, "ratio"));
        bind_num_or_null(st, 8, json_array_get(ci, 0));
        bind_num_or_null(st, 9, json_array_get(ci, 1));
        if (json_is_integer(rounds))
            db_bind_int64(st, 10, json_integer_value(rounds));
        else
            db_bind_null(st, 10);
        if ((rc = step_done(st)) != DB_OK)
            break;
    }
    db_finalize(st);
    return rc;
}

/* Whether run id is stored: 1 with *complete and *nrows (its rows), 0, or a negative SQLite
 * status. */
static int
run_exists(struct store *s, const char *id, int *complete, int64_t *nrows) {
    struct db_stmt *st;
    int rc = db_prepare(s->db,
                        "SELECT complete, (SELECT count(*) FROM rows WHERE run_id = ?1)"
                        " FROM runs WHERE id = ?1",
                        &st);
    if (rc != DB_OK)
        return -rc;
    db_bind_text(st, 1, id);
    rc = db_step(st);
    int found = rc == DB_ROW;
    if (found) {
        *complete = (int)db_column_int64(st, 0);
        *nrows = db_column_int64(st, 1);
    }
    db_finalize(st);
    return rc == DB_ROW || rc == DB_DONE ? found : -rc;
}

int
store_import(struct store *s, const char *path, enum store_import *what, char *id, char *err,
             size_t errlen) {
    char *bytes;
    size_t len;
    int code = read_file(path, &bytes, &len, err, errlen);
    if (code != 0)
        return code;
    struct result_file f;
    if (results_load_bytes(path, bytes, len, &f, err, errlen) != 0) {
        free(bytes);
        return 2;
    }
    struct machine m;
    machine_of(&f, &m);
    run_id_of(&f, bytes, len, id);
    *what = STORE_IMPORTED;

    int rc = db_begin(s->db, DB_WRITE);
    if (rc != DB_OK) {
        code = db_fail(s, rc, "cannot start a transaction", err, errlen);
        goto out;
    }
    int complete = 0;
    int64_t stored_rows = 0, rows = 0;
    int found = run_exists(s, id, &complete, &stored_rows);
    if (found < 0) {
        code = db_fail(s, -found, "cannot look the run up", err, errlen);
        goto out;
    }
    for (size_t b = 0; b < f.nbenches; b++)
        rows += (int64_t)f.benches[b].nreps;
    /* A stored interrupted run gives way to more of itself: its complete file, or the file of
     * a --resume that was interrupted again (it holds more rows). */
    if (found && !(complete == 0 && (f.complete || rows > stored_rows))) {
        bench_seterr(err, errlen, "%s: run %s (%s, %s) is already in the store; skipped", path, id,
                     m.host, ctx_str(&f, "date"));
        *what = STORE_DUPLICATE;
        goto out;
    }
    if (found) {
        /* The resumed run's file takes its interrupted copy's place. */
        static const char *const del[] = {"DELETE FROM rows WHERE run_id = ?1",
                                          "DELETE FROM ratios WHERE run_id = ?1",
                                          "DELETE FROM runs WHERE id = ?1"};
        for (size_t k = 0; k < 3; k++) {
            struct db_stmt *st;
            rc = db_prepare(s->db, del[k], &st);
            if (rc == DB_OK) {
                db_bind_text(st, 1, id);
                rc = step_done(st);
                db_finalize(st);
            }
            if (rc != DB_OK) {
                code = db_fail(s, rc, "cannot replace the interrupted run", err, errlen);
                goto out;
            }
        }
        *what = STORE_REPLACED;
    }
    rc = insert_run(s, &f, &m, id, path, bytes, len);
    if (rc == DB_OK)
        rc = db_commit(s->db);
    if (rc != DB_OK)
        code = db_fail(s, rc, "cannot store the run", err, errlen);
out:
    rollback(s);
    results_free(&f);
    free(bytes);
    return code;
}

char *
store_display_name(const char *store_path) {
    return db_is_postgresql(store_path) ? db_url_redact(store_path) : strdup(store_path);
}

int
store_record_file(const char *store_path, const char *results_path, enum store_import *what,
                  char *id, char *err, size_t errlen) {
    const char *path = store_path != NULL ? store_path : store_default_path();
    /* `chanbench run` in a folder without results/ (its --out elsewhere) still records. A
     * server's database has no folder. */
    const char *slash = db_is_postgresql(path) ? NULL : strrchr(path, '/');
    if (slash != NULL && slash != path) {
        char *dir = tx_fmt("%.*s", (int)(slash - path), path);
        struct stat st;
        if (stat(dir, &st) != 0 && plot_mkdirs(dir) != 0) {
            bench_seterr(err, errlen, "cannot create the store's folder %s: %s", dir,
                         strerror(errno));
            free(dir);
            return 1;
        }
        free(dir);
    }
    struct store *s;
    int code = store_open(path, true, &s, err, errlen);
    if (code != 0)
        return code;
    enum store_import w;
    char rid[STORE_ID_LEN];
    code = store_import(s, results_path, &w, rid, err, errlen);
    store_close(s);
    if (code == 0 && what != NULL)
        *what = w;
    if (code == 0 && id != NULL)
        snprintf(id, STORE_ID_LEN, "%s", rid);
    return code;
}

/* --- queries --------------------------------------------------------------------------- */

static char *
col_str(struct db_stmt *st, int i) {
    const char *v = db_column_text(st, i);
    return tx_strdup(v != NULL ? v : "-");
}

static char *
col_int(struct db_stmt *st, int i) {
    if (db_column_type(st, i) == DB_NULL)
        return tx_strdup("?");
    return tx_fmt("%lld", (long long)db_column_int64(st, i));
}

/* Print the rows of a query whose columns are all printed as they are, under header. */
static int
print_query(struct store *s, FILE *out, const char *sql, const char *const *header, size_t ncols,
            char *err, size_t errlen) {
    struct db_stmt *st;
    int rc = db_prepare(s->db, sql, &st);
    if (rc != DB_OK)
        return db_fail(s, rc, "cannot query the store", err, errlen);
    struct table t = {.ncols = ncols};
    char **cells = calloc(ncols, sizeof *cells);
    if (cells == NULL) {
        db_finalize(st);
        bench_seterr(err, errlen, "out of memory");
        return 1;
    }
    for (size_t c = 0; c < ncols; c++)
        cells[c] = tx_strdup(header[c]);
    table_add(&t, cells);
    while ((rc = db_step(st)) == DB_ROW) {
        for (size_t c = 0; c < ncols; c++)
            cells[c] = db_column_type(st, (int)c) == DB_INTEGER ? col_int(st, (int)c)
                                                                : col_str(st, (int)c);
        table_add(&t, cells);
    }
    db_finalize(st);
    free(cells);
    if (rc != DB_DONE) {
        table_free(&t);
        return db_fail(s, rc, "cannot query the store", err, errlen);
    }
    table_print(&t, out, false);
    table_free(&t);
    return 0;
}

int
store_list(struct store *s, FILE *out, char *err, size_t errlen) {
    static const char *const mh[] = {"machine", "host",        "cpu", "packages/cores/pus",
                                     "kernel",  "virtualized", "runs"};
    fprintf(out, "machines:\n");
    int code = print_query(s, out,
                           "SELECT m.id, m.host, m.cpu_model,"
                           " coalesce(CAST(m.packages AS TEXT), '?') || '/' ||"
                           " coalesce(CAST(m.cores AS TEXT), '?') || '/' ||"
                           " coalesce(CAST(m.pus AS TEXT), '?'), m.kernel,"
                           " CASE m.virtualized WHEN 1 THEN 'yes' WHEN 0 THEN 'no' ELSE '?' END,"
                           " (SELECT count(*) FROM runs r WHERE r.machine_id = m.id)"
                           " FROM machines m ORDER BY m.host, m.id",
                           mh, 7, err, errlen);
    if (code != 0)
        return code;
    static const char *const rh[] = {"run",  "machine", "host",    "commit",
                                     "date", "rows",    "complete"};
    fprintf(out, "\nruns:\n");
    return print_query(s, out,
                       "SELECT r.id, r.machine_id, m.host, r.git_commit, r.date,"
                       " (SELECT count(*) FROM rows w WHERE w.run_id = r.id),"
                       " CASE r.complete WHEN 1 THEN 'yes' ELSE 'no' END"
                       " FROM runs r JOIN machines m ON m.id = r.machine_id"
                       " ORDER BY r.date, r.id",
                       rh, 7, err, errlen);
}

int
store_run_bytes(struct store *s, const char *ref, char **buf, size_t *len, char *id, char *err,
                size_t errlen) {
    *buf = NULL;
    size_t n = strlen(ref);
    if (n < 4 || n > STORE_ID_LEN - 1 || strspn(ref, "0123456789abcdef") != n) {
        bench_seterr(err, errlen,
                     "'%s' is not a run id: give 4 to 16 of its hex digits, as 'chanbench "
                     "store list' shows them",
                     ref);
        return 2;
    }
    struct db_stmt *st;
    /* ids are hex, so a prefix is a range: no LIKE escaping to get wrong. */
    int rc = db_prepare(s->db,
                        "SELECT id, bytes FROM runs WHERE id >= ?1 AND id < ?1 || 'g'"
                        " ORDER BY id LIMIT 2",
                        &st);
    if (rc != DB_OK)
        return db_fail(s, rc, "cannot query the store", err, errlen);
    db_bind_text(st, 1, ref);
    int code = 0;
    rc = db_step(st);
    if (rc == DB_ROW) {
        snprintf(id, STORE_ID_LEN, "%s", db_column_text(st, 0));
        size_t blen;
        const void *b = db_column_blob(st, 1, &blen);
        char *copy = malloc(blen + 1);
        if (copy == NULL) {
            bench_seterr(err, errlen, "out of memory");
            code = 1;
        } else {
            if (blen > 0)
                memcpy(copy, b, blen);
            copy[blen] = '\0';
            *buf = copy;
            *len = blen;
            if ((rc = db_step(st)) == DB_ROW) {
                bench_seterr(err, errlen,
                             "'%s' names more than one run; give more of its digits "
                             "(chanbench store list)",
                             ref);
                code = 2;
            } else if (rc != DB_DONE) {
                code = db_fail(s, rc, "cannot read the run", err, errlen);
            }
        }
    } else if (rc == DB_DONE) {
        bench_seterr(err, errlen, "%s: no run %s in the store; 'chanbench store list' shows them",
                     s->path, ref);
        code = 2;
    } else {
        code = db_fail(s, rc, "cannot read the run", err, errlen);
    }
    db_finalize(st);
    if (code != 0) {
        free(*buf);
        *buf = NULL;
    }
    return code;
}

/* The id of the latest run that sql (one text parameter) selects into id: 1, 0 when none,
 * or an exit status with err set. */
static int
latest_of(struct store *s, const char *sql, const char *arg, char *id, char *err, size_t errlen) {
    struct db_stmt *st;
    int rc = db_prepare(s->db, sql, &st);
    if (rc != DB_OK)
        return -db_fail(s, rc, "cannot query the store", err, errlen);
    db_bind_text(st, 1, arg);
    rc = db_step(st);
    int found = rc == DB_ROW;
    if (found)
        snprintf(id, STORE_ID_LEN, "%s", db_column_text(st, 0));
    db_finalize(st);
    if (rc != DB_ROW && rc != DB_DONE)
        return -db_fail(s, rc, "cannot query the store", err, errlen);
    return found;
}

int
store_load_ref(struct store *s, const char *ref, struct result_file *out, char *err,
               size_t errlen) {
    memset(out, 0, sizeof *out);
    char id[STORE_ID_LEN] = "";
    int found;
    if (strncmp(ref, "commit:", 7) == 0) {
        const char *sha = ref + 7;
        if (strlen(sha) < 4) {
            bench_seterr(err, errlen, "@%s: give at least 4 characters of the commit", ref);
            return 2;
        }
        found = latest_of(s,
                          "SELECT id FROM runs WHERE substr(git_commit, 1, length(?1)) = ?1"
                          " ORDER BY date DESC, imported DESC, id DESC LIMIT 1",
                          sha, id, err, errlen);
        if (found == 0) {
            bench_seterr(err, errlen,
                         "@%s: no run of that commit in %s; 'chanbench store list' shows the "
                         "runs",
                         ref, s->path);
            return 2;
        }
    } else {
        found = latest_of(s,
                          "SELECT r.id FROM runs r JOIN machines m ON m.id = r.machine_id"
                          " WHERE m.host = ?1 ORDER BY r.date DESC, r.imported DESC, r.id DESC"
                          " LIMIT 1",
                          ref, id, err, errlen);
        if (found == 0 && strspn(ref, "0123456789abcdef") != strlen(ref)) {
            bench_seterr(err, errlen,
                         "@%s: no machine of that host name in %s, nor a run id; 'chanbench "
                         "store list' shows both",
                         ref, s->path);
            return 2;
        }
    }
    if (found < 0)
        return -found;
    char *bytes, full[STORE_ID_LEN];
    size_t len;
    int code = store_run_bytes(s, found ? id : ref, &bytes, &len, full, err, errlen);
    if (code != 0)
        return code;
    char *name = tx_fmt("@%s (run %s)", ref, full);
    if (results_load_bytes(name, bytes, len, out, err, errlen) != 0)
        code = 2;
    free(name);
    free(bytes);
    return code;
}

int
store_load_arg(struct store **s, const char *store_path, const char *arg, struct result_file *out,
               char *err, size_t errlen) {
    if (arg[0] != '@')
        return results_load(arg, out, err, errlen) != 0 ? 2 : 0;
    int code = *s == NULL ? store_open(store_path, false, s, err, errlen) : 0;
    return code != 0 ? code : store_load_ref(*s, arg + 1, out, err, errlen);
}

/* --- machines against each other --------------------------------------------------------- */

static double
col_num(struct db_stmt *st, int i) {
    return db_column_type(st, i) == DB_NULL ? NAN : db_column_double(st, i);
}

/* Each machine with its latest run (by start date), in host order. */
static int
latest_runs(struct store *s, struct store_mcol **out, size_t *n, char *err, size_t errlen) {
    struct db_stmt *st;
    int rc = db_prepare(s->db,
                        "SELECT m.id, m.host, r.id, r.c2c_round_trip_ns,"
                        " r.ring_ns_per_msg, m.cpu_model FROM machines m JOIN runs r ON r.id ="
                        " (SELECT id FROM runs WHERE machine_id = m.id"
                        "  ORDER BY date DESC, imported DESC, id DESC LIMIT 1)"
                        " ORDER BY m.host, m.id",
                        &st);
    if (rc != DB_OK)
        return db_fail(s, rc, "cannot query the store", err, errlen);
    struct store_mcol *c = NULL;
    size_t k = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        struct store_mcol *nc = realloc(c, (k + 1) * sizeof *c);
        if (nc == NULL) {
            fprintf(stderr, "chanbench: out of memory\n");
            exit(1);
        }
        c = nc;
        c[k].mid = col_str(st, 0);
        c[k].label = col_str(st, 1);
        c[k].run = col_str(st, 2);
        c[k].c2c = col_num(st, 3);
        c[k].ring = col_num(st, 4);
        c[k].cpu = col_str(st, 5);
        k++;
    }
    db_finalize(st);
    for (size_t i = 0; i < k; i++) {
        bool shared = (i > 0 && strcmp(c[i].label, c[i - 1].label) == 0) ||
                      (i + 1 < k && strcmp(c[i].label, c[i + 1].label) == 0);
        if (shared) {
            char *l = tx_fmt("%s/%.6s", c[i].label, c[i].mid);
            free(c[i].label);
            c[i].label = l;
        }
    }
    *out = c;
    *n = k;
    if (rc != DB_DONE)
        return db_fail(s, rc, "cannot query the store", err, errlen);
    return 0;
}

static void
mcols_free(struct store_mcol *c, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(c[i].label);
        free(c[i].mid);
        free(c[i].run);
        free(c[i].cpu);
    }
    free(c);
}

/* Every distinct value of column 0 of sql (bound to each machine's run) into a JSON object
 * used as an ordered set: in order of first appearance, machine by machine. */
static int
collect_names(struct store *s, const struct store_mcol *c, size_t n, const char *sql, json_t *set) {
    struct db_stmt *st;
    int rc = db_prepare(s->db, sql, &st);
    if (rc != DB_OK)
        return rc;
    for (size_t i = 0; i < n; i++) {
        db_bind_text(st, 1, c[i].run);
        while ((rc = db_step(st)) == DB_ROW)
            json_object_set_new(set, db_column_text(st, 0), json_true());
        db_reset(st);
        if (rc != DB_DONE)
            break;
    }
    db_finalize(st);
    return rc == DB_DONE || n == 0 ? DB_OK : rc;
}

/* One machine's cell of a benchmark: its median over the floor the benchmark is measured
 * against, NAN when the run has no rows of it, INFINITY when it has rows but no floor. */
static double
norm_cell(const struct store_machines *m, size_t b, size_t i) {
    double med = m->median[b * m->ncols + i];
    const struct store_mcol *c = &m->cols[i];
    double floor = names_floor_kind(m->benches[b]) == FLOOR_C2C ? c->c2c : c->ring;
    if (isnan(med))
        return NAN;
    return floor > 0 ? med / floor : INFINITY;
}

static void *
grow(void *p, size_t n, size_t size) {
    void *q = realloc(p, n * size);
    if (q == NULL) {
        fprintf(stderr, "chanbench: out of memory\n");
        exit(1);
    }
    return q;
}

/* The medians of the benchmarks with a floor: one row per benchmark. */
static int
load_normalised(struct store *s, struct store_machines *m, char *err, size_t errlen) {
    json_t *names = json_object();
    int rc = collect_names(s, m->cols, m->ncols,
                           "SELECT name FROM rows WHERE run_id = ?1 GROUP BY name"
                           " ORDER BY min(rowid)",
                           names);
    struct db_stmt *st = NULL;
    if (rc == DB_OK)
        rc = db_prepare(s->db, "SELECT real_ns FROM rows WHERE run_id = ?1 AND name = ?2", &st);
    if (rc != DB_OK) {
        json_decref(names);
        return db_fail(s, rc, "cannot query the store", err, errlen);
    }
    double *v = NULL;
    size_t vcap = 0;
    const char *name;
    json_t *unused;
    json_object_foreach(names, name, unused) {
        if (names_floor_kind(name) == FLOOR_NONE) {
            m->nofloor++;
            continue;
        }
        size_t b = m->nbenches++;
        m->benches = grow(m->benches, m->nbenches, sizeof *m->benches);
        m->median = grow(m->median, m->nbenches * m->ncols, sizeof *m->median);
        m->benches[b] = tx_strdup(name);
        for (size_t i = 0; i < m->ncols; i++) {
            size_t k = 0;
            m->median[b * m->ncols + i] = NAN;
            if (rc != DB_OK)
                continue;
            db_bind_text(st, 1, m->cols[i].run);
            db_bind_text(st, 2, name);
            while ((rc = db_step(st)) == DB_ROW) {
                if (k == vcap) {
                    vcap = vcap ? 2 * vcap : 64;
                    v = grow(v, vcap, sizeof *v);
                }
                v[k++] = db_column_double(st, 0);
            }
            db_reset(st);
            rc = rc == DB_DONE ? DB_OK : rc;
            if (k > 0)
                m->median[b * m->ncols + i] = stats_median(v, k);
        }
    }
    db_finalize(st);
    free(v);
    json_decref(names);
    if (rc != DB_OK)
        return db_fail(s, rc, "cannot query the store", err, errlen);
    return 0;
}

/* The paired ratios goc/go and goc/crossbeam, real_time over all rounds. */
static int
load_ratios(struct store *s, struct store_machines *m, char *err, size_t errlen) {
    static const char sel[] = " FROM ratios WHERE run_id = ?1 AND numerator = 'goc'"
                              " AND denominator IN ('go', 'crossbeam')"
                              " AND metric = 'real_time' AND mode = 'all'";
    json_t *keys = json_object();
    char *sql = tx_fmt("SELECT benchmark || ' goc/' || denominator%s ORDER BY rowid", sel);
    int rc = collect_names(s, m->cols, m->ncols, sql, keys);
    free(sql);
    struct db_stmt *st = NULL;
    sql =
        tx_fmt("SELECT ratio, ci_low, ci_high%s AND benchmark || ' goc/' || denominator = ?2", sel);
    if (rc == DB_OK)
        rc = db_prepare(s->db, sql, &st);
    free(sql);
    const char *key;
    json_t *unused;
    json_object_foreach(keys, key, unused) {
        if (rc != DB_OK)
            break;
        size_t p = m->npairs++, n = m->npairs * m->ncols;
        m->pairs = grow(m->pairs, m->npairs, sizeof *m->pairs);
        m->ratio = grow(m->ratio, n, sizeof *m->ratio);
        m->lo = grow(m->lo, n, sizeof *m->lo);
        m->hi = grow(m->hi, n, sizeof *m->hi);
        m->pairs[p] = tx_strdup(key);
        for (size_t i = 0; i < m->ncols; i++) {
            size_t at = p * m->ncols + i;
            m->ratio[at] = m->lo[at] = m->hi[at] = NAN;
            db_bind_text(st, 1, m->cols[i].run);
            db_bind_text(st, 2, key);
            rc = db_step(st);
            if (rc == DB_ROW && db_column_type(st, 0) != DB_NULL) {
                m->ratio[at] = db_column_double(st, 0);
                m->lo[at] = col_num(st, 1);
                m->hi[at] = col_num(st, 2);
            }
            if (rc == DB_ROW || rc == DB_DONE)
                rc = DB_OK;
            db_reset(st);
        }
    }
    db_finalize(st);
    json_decref(keys);
    if (rc != DB_OK)
        return db_fail(s, rc, "cannot query the store", err, errlen);
    return 0;
}

int
store_machines_load(struct store *s, struct store_machines *m, char *err, size_t errlen) {
    memset(m, 0, sizeof *m);
    int rc = db_begin(s->db, DB_READ); /* one snapshot for every query */
    if (rc != DB_OK)
        return db_fail(s, rc, "cannot read the store", err, errlen);
    int code = latest_runs(s, &m->cols, &m->ncols, err, errlen);
    if (code == 0 && m->ncols == 0) {
        bench_seterr(err, errlen,
                     "%s: no runs in the store; import results with 'chanbench store import "
                     "FILE...'",
                     s->path);
        code = 2;
    }
    if (code == 0)
        code = load_normalised(s, m, err, errlen);
    if (code == 0)
        code = load_ratios(s, m, err, errlen);
    rollback(s);
    return code;
}

void
store_machines_free(struct store_machines *m) {
    mcols_free(m->cols, m->ncols);
    for (size_t b = 0; b < m->nbenches; b++)
        free(m->benches[b]);
    for (size_t p = 0; p < m->npairs; p++)
        free(m->pairs[p]);
    free(m->benches);
    free(m->median);
    free(m->pairs);
    free(m->ratio);
    free(m->lo);
    free(m->hi);
    memset(m, 0, sizeof *m);
}

void
store_machines_print(const struct store_machines *m, FILE *out) {
    const struct store_mcol *c = m->cols;
    size_t n = m->ncols;
    fprintf(out, "machines (the latest run of each):\n");
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "  %s  machine %s  run %s  ", c[i].label, c[i].mid, c[i].run);
        if (c[i].c2c > 0 && c[i].ring > 0)
            fprintf(out, "floor: c2c_round_trip_ns %.4g, ring_ns_per_msg %.4g\n", c[i].c2c,
                    c[i].ring);
        else
            fprintf(out, "no floor (the run has no limit section)\n");
    }
    struct table t = {.ncols = n + 1};
    char **cells = calloc(n + 1, sizeof *cells);
    if (cells == NULL) {
        fprintf(stderr, "chanbench: out of memory\n");
        exit(1);
    }
    cells[0] = tx_strdup("benchmark (median time / floor)");
    for (size_t i = 0; i < n; i++)
        cells[i + 1] = tx_strdup(c[i].label);
    table_add(&t, cells);
    for (size_t b = 0; b < m->nbenches; b++) {
        cells[0] = tx_strdup(m->benches[b]);
        for (size_t i = 0; i < n; i++) {
            double v = norm_cell(m, b, i);
            cells[i + 1] = isnan(v)   ? tx_strdup("")
                           : isinf(v) ? tx_strdup("no floor")
                                      : tx_fmt("%.3g", v);
        }
        table_add(&t, cells);
    }
    fprintf(out, "\ntime per operation in multiples of each machine's floor (median of the "
                 "repetitions; chan/pingpong by c2c_round_trip_ns, other chan/ and select/ rows by "
                 "ring_ns_per_msg, as compare --normalize limit):\n");
    if (t.nrows > 1)
        table_print(&t, out, false);
    else
        fprintf(out, "  (no chan/ or select/ benchmark with a floor)\n");
    if (m->nofloor > 0)
        fprintf(out,
                "  %zu benchmarks have no floor (chan/paced, chan/idle, other families) "
                "and are left out\n",
                m->nofloor);
    table_free(&t);

    fprintf(out, "\npaired ratios (wall time, all rounds; median of the per-round ratios "
                 "[95%% interval]):\n");
    if (m->npairs == 0) {
        fprintf(out, "  (no run holds a paired ratio of goc against go or crossbeam)\n");
        free(cells);
        return;
    }
    t = (struct table){.ncols = n + 1};
    cells[0] = tx_strdup("benchmark ratio");
    for (size_t i = 0; i < n; i++)
        cells[i + 1] = tx_strdup(c[i].label);
    table_add(&t, cells);
    for (size_t p = 0; p < m->npairs; p++) {
        cells[0] = tx_strdup(m->pairs[p]);
        for (size_t i = 0; i < n; i++) {
            size_t at = p * n + i;
            cells[i + 1] = isnan(m->ratio[at])
                               ? tx_strdup("")
                               : tx_fmt("%.3g [%.3g, %.3g]", m->ratio[at], m->lo[at], m->hi[at]);
        }
        table_add(&t, cells);
    }
    free(cells);
    table_print(&t, out, false);
    table_free(&t);
}

int
store_machines(struct store *s, FILE *out, char *err, size_t errlen) {
    struct store_machines m;
    int code = store_machines_load(s, &m, err, errlen);
    if (code == 0)
        store_machines_print(&m, out);
    store_machines_free(&m);
    return code;
}

/* A string as a gnuplot data column: quoted, its quotes and backslashes made '_'. */
static char *
gp_field(const char *s) {
    char *q = tx_fmt("\"%s\"", s);
    for (char *p = q + 1; p[1] != '\0'; p++)
        if (*p == '"' || *p == '\\')
            *p = '_';
    return q;
}

/* Append to *text what fmt makes (tx_fmt's). */
static void
append(char **text, const char *add) {
    char *t = tx_fmt("%s%s", *text, add);
    free(*text);
    *text = t;
}

char *
store_machines_data(const struct store_machines *m) {
    size_t n = m->ncols;
    char *text = tx_fmt("# counts: %zu %zu %zu\n", m->nbenches, n, m->npairs);
    /* Block 0: the quoted names (benchmark, then each machine), then a line per benchmark. */
    char *f = gp_field("benchmark");
    append(&text, f);
    free(f);
    for (size_t i = 0; i < n; i++) {
        char *name = tx_fmt("%s (%s)", m->cols[i].label, m->cols[i].cpu);
        char *q = gp_field(name);
        f = tx_fmt(" %s", q);
        append(&text, f);
        free(q);
        free(f);
        free(name);
    }
    append(&text, "\n");
    for (size_t b = 0; b < m->nbenches; b++) {
        f = gp_field(m->benches[b]);
        append(&text, f);
        free(f);
        for (size_t i = 0; i < n; i++) {
            double v = norm_cell(m, b, i);
            f = isfinite(v) ? tx_fmt(" %.6g", v) : tx_strdup(" ?");
            append(&text, f);
            free(f);
        }
        append(&text, "\n");
    }
    /* Block 1 (gnuplot's index 1): a line per benchmark and ratio, three columns per machine. */
    append(&text, "\n\n");
    f = gp_field("benchmark ratio");
    append(&text, f);
    free(f);
    for (size_t i = 0; i < n; i++) {
        char *q = gp_field(m->cols[i].label);
        f = tx_fmt(" %s ratio low high", q);
        append(&text, f);
        free(q);
        free(f);
    }
    append(&text, "\n");
    for (size_t p = 0; p < m->npairs; p++) {
        f = gp_field(m->pairs[p]);
        append(&text, f);
        free(f);
        for (size_t i = 0; i < n; i++) {
            size_t at = p * n + i;
            f = isnan(m->ratio[at]) || isnan(m->lo[at]) || isnan(m->hi[at])
                    ? tx_strdup(" ? ? ?")
                    : tx_fmt(" %.6g %.6g %.6g", m->ratio[at], m->lo[at], m->hi[at]);
            append(&text, f);
            free(f);
        }
        append(&text, "\n");
    }
    return text;
}

char *
store_machines_subtitle(const struct store_machines *m) {
    return tx_fmt("%zu machine%s (the latest run of each), %zu chan/ and select/ benchmarks "
                  "over each machine's floor; %zu paired ratios goc/go and goc/crossbeam",
                  m->ncols, m->ncols == 1 ? "" : "s", m->nbenches, m->npairs);
}

int
store_latest_run(struct store *s, char *id, char *err, size_t errlen) {
    /* latest_of binds one parameter; this query needs none, so it compares it with itself. */
    int found = latest_of(s,
                          "SELECT id FROM runs WHERE ?1 = ?1"
                          " ORDER BY date DESC, imported DESC, id DESC LIMIT 1",
                          "", id, err, errlen);
    if (found < 0)
        return -found;
    if (found == 0) {
        bench_seterr(err, errlen,
                     "%s: no runs in the store; record one with 'chanbench run' or import "
                     "results with 'chanbench store import FILE...'",
                     s->path);
        return 2;
    }
    return 0;
}

/* --- the same test as compare's ---------------------------------------------------------- */

/* --- history ---------------------------------------------------------------------------- */

/* Up to max distinct values of column 0 of sql (text parameters ?1 and ?2) joined by ", ", with
 * " and N more" when there are more; *count gets how many there are. NULL on an SQLite error,
 * whose status is in *rc. */
static char *
list_of(struct store *s, const char *sql, const char *a1, const char *a2, size_t max, size_t *count,
        int *rc) {
    struct db_stmt *st;
    *count = 0;
    *rc = db_prepare(s->db, sql, &st);
    if (*rc != DB_OK)
        return NULL;
    db_bind_text(st, 1, a1 != NULL ? a1 : "");
    db_bind_text(st, 2, a2 != NULL ? a2 : "");
    char *text = tx_strdup("");
    while ((*rc = db_step(st)) == DB_ROW) {
        const char *v = db_column_text(st, 0);
        if (*count < max) {
            char *t = tx_fmt("%s%s%s", text, *count > 0 ? ", " : "", v != NULL ? v : "?");
            free(text);
            text = t;
        }
        (*count)++;
    }
    db_finalize(st);
    if (*rc != DB_DONE) {
        free(text);
        return NULL;
    }
    *rc = DB_OK;
    if (*count > max) {
        char *t = tx_fmt("%s and %zu more", text, *count - max);
        free(text);
        text = t;
    }
    return text;
}

/* What the store holds near an unknown benchmark or impl: err set to one line, and 2 (or the
 * exit status of a failed query). */
static int
unknown_bench(struct store *s, const char *bench, const char *impl, char *err, size_t errlen) {
    size_t n;
    int rc;
    /* The benchmark with other impls? */
    char *impls = list_of(s, "SELECT DISTINCT impl FROM rows WHERE benchmark = ?1 ORDER BY impl",
                          bench, NULL, 16, &n, &rc);
    if (impls == NULL)
        return db_fail(s, rc, "cannot query the store", err, errlen);
    if (n > 0) {
        bench_seterr(err, errlen,
                     "%s: no impl=%s rows of %s; its implementations there: %s (--impl NAME)",
                     s->path, impl, bench, impls);
        free(impls);
        return 2;
    }
    free(impls);
    /* Its scenario's benchmarks, else the families. */
    char family[128] = "", scenario[128] = "";
    names_segment(bench, 0, family, sizeof family);
    names_segment(bench, 1, scenario, sizeof scenario);
    char *prefix = tx_fmt("%s/%s/", family, scenario);
    char *near = list_of(s,
                         "SELECT DISTINCT benchmark FROM rows"
                         " WHERE substr(benchmark, 1, length(?1)) = ?1 ORDER BY benchmark",
                         prefix, NULL, 12, &n, &rc);
    if (near != NULL && n > 0) {
        bench_seterr(err, errlen,
                     "%s: no benchmark %s; those of %s/%s there: %s (names without /impl=, as "
                     "'chanbench list' prints them)",
                     s->path, bench, family, scenario, near);
        free(near);
        free(prefix);
        return 2;
    }
    free(near);
    free(prefix);
    /* The position of '/': SQLite's instr is PostgreSQL's strpos, arguments alike. */
    char *sql = tx_fmt("SELECT DISTINCT substr(benchmark, 1, %s(benchmark || '/', '/') - 1)"
                       " AS f FROM rows ORDER BY f",
                       is_pg(s) ? "strpos" : "instr");
    char *families = list_of(s, sql, NULL, NULL, 16, &n, &rc);
    free(sql);
    if (families == NULL)
        return db_fail(s, rc, "cannot query the store", err, errlen);
    if (n == 0)
        bench_seterr(err, errlen,
                     "%s: no runs in the store; record one with 'chanbench run' or import "
                     "results with 'chanbench store import FILE...'",
                     s->path);
    else
        bench_seterr(err, errlen,
                     "%s: no benchmark %s; the families there: %s (give a name as 'chanbench "
                     "list' prints it, without /impl=)",
                     s->path, bench, families);
    free(families);
    return 2;
}

/* The machine of the history into h (id, host, cpu): by --machine, or by the default rule.
 * 0, or an exit status with err set. */
static int
history_machine(struct store *s, const char *bench, const char *impl, const char *machine,
                const char *this_host, struct store_history *h, char *err, size_t errlen) {
    /* Machines with runs of the benchmark, the most runs first, the latest run breaking ties;
     * ?3 and ?4 narrow them to a host or an id prefix. */
    static const char pick[] =
        "SELECT m.id, m.host, m.cpu_model, count(DISTINCT r.id) AS n, max(r.date) AS last"
        " FROM machines m JOIN runs r ON r.machine_id = m.id"
        " WHERE EXISTS (SELECT 1 FROM rows w WHERE w.run_id = r.id AND w.benchmark = ?1"
        "  AND w.impl = ?2) AND %s GROUP BY m.id ORDER BY n DESC, last DESC, m.id LIMIT 1";
    const char *where = "TRUE";
    const char *arg = NULL;
    size_t n;
    int rc;
    if (machine != NULL) {
        /* A host name wins over an id that reads the same. */
        size_t nhost = 0, nid = 0, len = strlen(machine);
        char *ids =
            list_of(s, "SELECT id FROM machines WHERE host = ?1", machine, NULL, 4, &nhost, &rc);
        bool ok = ids != NULL;
        free(ids);
        if (ok && nhost == 0 && len >= 4 && len < STORE_ID_LEN &&
            strspn(machine, "0123456789abcdef") == len) {
            ids = list_of(s, "SELECT id FROM machines WHERE id >= ?1 AND id < ?1 || 'g'", machine,
                          NULL, 4, &nid, &rc);
            ok = ids != NULL;
            free(ids);
        }
        if (!ok)
            return db_fail(s, rc, "cannot query the store", err, errlen);
        if (nhost > 0) {
            where = "m.host = ?3";
            h->why = nhost == 1 ? tx_fmt("--machine %s", machine)
                                : tx_fmt("--machine %s: of its %zu machines (kernel or CPU "
                                         "differ), the one with the most runs of it",
                                         machine, nhost);
        } else if (nid == 1) {
            where = "m.id >= ?3 AND m.id < ?3 || 'g'";
            h->why = tx_fmt("--machine %s", machine);
        } else if (nid > 1) {
            bench_seterr(err, errlen,
                         "%s: --machine %s names %zu machines; give more of its digits "
                         "('chanbench store list' shows them)",
                         s->path, machine, nid);
            return 2;
        } else {
            char *all = list_of(s,
                                "SELECT host || ' (' || substr(id, 1, 8) || ')' FROM machines"
                                " ORDER BY host, id",
                                NULL, NULL, 12, &n, &rc);
            if (all == NULL)
                return db_fail(s, rc, "cannot query the store", err, errlen);
            bench_seterr(err, errlen,
                         "%s: no machine '%s' (a host name or 4+ hex digits of a machine id); "
                         "machines there: %s",
                         s->path, machine, n > 0 ? all : "none");
            free(all);
            return 2;
        }
        arg = machine;
    } else {
        where = "m.host = ?3";
        arg = this_host;
    }
    for (int attempt = 0; attempt < 2; attempt++) {
        char *sql = tx_fmt(pick, where);
        struct db_stmt *st;
        rc = db_prepare(s->db, sql, &st);
        free(sql);
        if (rc != DB_OK)
            return db_fail(s, rc, "cannot query the store", err, errlen);
        db_bind_text(st, 1, bench);
        db_bind_text(st, 2, impl);
        db_bind_text(st, 3, arg != NULL ? arg : "");
        rc = db_step(st);
        if (rc == DB_ROW) {
            snprintf(h->machine, sizeof h->machine, "%s", db_column_text(st, 0));
            h->host = col_str(st, 1);
            h->cpu = col_str(st, 2);
            if (h->why == NULL)
                h->why = tx_strdup(attempt == 0 ? "this host's machine"
                                                : "the machine with the most runs of it");
        }
        db_finalize(st);
        if (rc == DB_ROW)
            return 0;
        if (rc != DB_DONE)
            return db_fail(s, rc, "cannot query the store", err, errlen);
        if (machine != NULL)
            break;
        /* No run of it on this host: the machine with the most runs of it. */
        where = "TRUE";
    }
    /* Nothing: the benchmark is unknown, or this machine never ran it. */
    char *have = list_of(s,
                         "SELECT m.host || ' (' || substr(m.id, 1, 8) || ')' FROM machines m"
                         " WHERE EXISTS (SELECT 1 FROM runs r JOIN rows w ON w.run_id = r.id"
                         "  WHERE r.machine_id = m.id AND w.benchmark = ?1 AND w.impl = ?2)"
                         " ORDER BY m.host, m.id",
                         bench, impl, 12, &n, &rc);
    if (have == NULL)
        return db_fail(s, rc, "cannot query the store", err, errlen);
    if (n == 0) {
        free(have);
        return unknown_bench(s, bench, impl, err, errlen);
    }
    bench_seterr(err, errlen,
                 "%s: machine %s has no runs of %s/impl=%s; the machines that have: %s "
                 "(--machine HOST)",
                 s->path, machine != NULL ? machine : "?", bench, impl, have);
    free(have);
    return 2;
}

int
store_history(struct store *s, const char *bench, const char *impl, const char *machine,
              const char *this_host, struct store_history *h, char *err, size_t errlen) {
    memset(h, 0, sizeof *h);
    h->bench = tx_strdup(bench);
    h->impl = tx_strdup(impl);
    int rc = db_begin(s->db, DB_READ); /* one snapshot for every query */
    if (rc != DB_OK)
        return db_fail(s, rc, "cannot read the store", err, errlen);
    int code = history_machine(s, bench, impl, machine, this_host, h, err, errlen);
    struct db_stmt *runs = NULL, *rows = NULL;
    if (code != 0)
        goto out;
    rc = db_prepare(s->db,
                    "SELECT r.id, r.git_commit, r.date, r.complete FROM runs r"
                    " WHERE r.machine_id = ?1 AND EXISTS (SELECT 1 FROM rows w"
                    "  WHERE w.run_id = r.id AND w.benchmark = ?2 AND w.impl = ?3)"
                    " ORDER BY r.date, r.imported, r.id",
                    &runs);
    if (rc == DB_OK)
        rc = db_prepare(s->db,
                        "SELECT real_ns FROM rows WHERE run_id = ?1 AND benchmark = ?2"
                        " AND impl = ?3 ORDER BY repetition, rowid",
                        &rows);
    if (rc != DB_OK) {
        code = db_fail(s, rc, "cannot query the store", err, errlen);
        goto out;
    }
    db_bind_text(runs, 1, h->machine);
    db_bind_text(runs, 2, bench);
    db_bind_text(runs, 3, impl);
    while ((rc = db_step(runs)) == DB_ROW) {
        struct store_hist_run *nr = realloc(h->runs, (h->nruns + 1) * sizeof *nr);
        if (nr == NULL) {
            fprintf(stderr, "chanbench: out of memory\n");
            exit(1);
        }
        h->runs = nr;
        struct store_hist_run *r = &h->runs[h->nruns++];
        memset(r, 0, sizeof *r);
        snprintf(r->id, sizeof r->id, "%s", db_column_text(runs, 0));
        r->commit = col_str(runs, 1);
        r->date = col_str(runs, 2);
        r->complete = (int)db_column_int64(runs, 3) != 0;
        size_t cap = 0;
        db_bind_text(rows, 1, r->id);
        db_bind_text(rows, 2, bench);
        db_bind_text(rows, 3, impl);
        while ((rc = db_step(rows)) == DB_ROW) {
            if (r->n == cap) {
                cap = cap ? 2 * cap : 16;
                double *nv = realloc(r->real_ns, cap * sizeof *nv);
                if (nv == NULL) {
                    fprintf(stderr, "chanbench: out of memory\n");
                    exit(1);
                }
                r->real_ns = nv;
            }
            r->real_ns[r->n++] = db_column_double(rows, 0);
        }
        db_reset(rows);
        if (rc != DB_DONE)
            break;
        r->median = stats_median(r->real_ns, r->n);
        r->ci_ok = mwu_median_ci(r->real_ns, r->n, 0.95, &r->lo, &r->hi);
        if (h->nruns > 1) {
            const struct store_hist_run *prev = &h->runs[h->nruns - 2];
            r->change_pct = prev->median > 0 ? 100.0 * (r->median / prev->median - 1.0) : NAN;
            r->significant =
                mwu_verdict(prev->real_ns, prev->n, r->real_ns, r->n, CMP_ALPHA, &r->p, &r->few);
        }
    }
    if (rc != DB_DONE)
        code = db_fail(s, rc, "cannot query the store", err, errlen);
out:
    db_finalize(runs);
    db_finalize(rows);
    rollback(s);
    return code;
}

void
store_history_free(struct store_history *h) {
    for (size_t i = 0; i < h->nruns; i++) {
        free(h->runs[i].commit);
        free(h->runs[i].date);
        free(h->runs[i].real_ns);
    }
    free(h->runs);
    free(h->bench);
    free(h->impl);
    free(h->host);
    free(h->cpu);
    free(h->why);
    memset(h, 0, sizeof *h);
}

/* ns with 4 significant digits, as compare prints a time. */
static char *
fmt_ns(double v) {
    if (v < 1e3)
        return tx_fmt("%.4g ns", v);
    if (v < 1e6)
        return tx_fmt("%.4g µs", v / 1e3);
    if (v < 1e9)
        return tx_fmt("%.4g ms", v / 1e6);
    return tx_fmt("%.4g s", v / 1e9);
}

void
store_history_print(const struct store_history *h, FILE *out) {
    fprintf(out, "history of %s/impl=%s on %s (machine %s, %s; %s): %zu run%s, oldest first\n\n",
            h->bench, h->impl, h->host, h->machine, h->cpu, h->why, h->nruns,
            h->nruns == 1 ? "" : "s");
    static const char *const head[] = {"commit",       "date",   "run", "rounds", "median",
                                       "95% interval", "change", "p",   "verdict"};
    enum { NCOL = sizeof head / sizeof head[0] };
    struct table t = {.ncols = NCOL};
    char *cells[NCOL];
    for (size_t c = 0; c < NCOL; c++)
        cells[c] = tx_strdup(head[c]);
    table_add(&t, cells);
    size_t nsig = 0;
    for (size_t i = 0; i < h->nruns; i++) {
        const struct store_hist_run *r = &h->runs[i];
        char *lo = fmt_ns(r->lo), *hi = fmt_ns(r->hi);
        /* A full hash shortened to 12 digits; a "-dirty" suffix kept whole. */
        size_t hex = strspn(r->commit, "0123456789abcdef");
        cells[0] = tx_fmt("%s%.*s%s", r->significant ? "* " : "  ", (int)(hex > 12 ? 12 : hex),
                          r->commit, r->commit + hex);
        cells[1] = tx_strdup(r->date);
        cells[2] = tx_fmt("%s%s", r->id, r->complete ? "" : " (interrupted)");
        cells[3] = tx_fmt("%zu", r->n);
        cells[4] = fmt_ns(r->median);
        cells[5] = r->ci_ok ? tx_fmt("[%s, %s]", lo, hi) : tx_strdup("(too few rounds)");
        free(lo);
        free(hi);
        if (i == 0) {
            cells[6] = tx_strdup("");
            cells[7] = tx_strdup("");
            cells[8] = tx_strdup("");
        } else {
            cells[6] = tx_fmt("%+.1f%%", r->change_pct);
            cells[7] = tx_fmt("%.3g", r->p);
            cells[8] = tx_strdup(r->few              ? "too few rounds"
                                 : !r->significant   ? "~"
                                 : r->change_pct > 0 ? "slower"
                                                     : "faster");
        }
        nsig += r->significant;
        table_add(&t, cells);
    }
    table_print(&t, out, false);
    table_free(&t);
    fprintf(out,
            "\nmedian: of the run's rows (one per round), wall time per operation; change: "
            "against the run above; p: two-sided Mann-Whitney U over the two runs' rounds, as "
            "compare; * and slower/faster: a significant change (p < %.2f), ~: none; too few "
            "rounds: under 4 on a side, no p can fall below %.2f. %zu significant change%s.\n",
            CMP_ALPHA, CMP_ALPHA, nsig, nsig == 1 ? "" : "s");
}

char *
store_history_data(const struct store_history *h) {
    char *text = tx_strdup("");
    for (size_t i = 0; i < h->nruns; i++) {
        const struct store_hist_run *r = &h->runs[i];
        /* class: 0 the first run or no significant change, 1 significantly slower,
         * 2 significantly faster, 3 too few rounds to test */
        int cls = i == 0 ? 0 : r->few ? 3 : !r->significant ? 0 : r->change_pct > 0 ? 1 : 2;
        char label[64];
        snprintf(label, sizeof label, "%.8s %.10s", r->commit, r->date);
        for (char *p = label; *p; p++)
            if (*p == '"' || *p == '\\')
                *p = '_';
        char *t = tx_fmt("%s%zu %.6g %.6g %.6g %d %.4g \"%s\"\n", text, i, r->median, r->lo, r->hi,
                         cls, i == 0 || !isfinite(r->change_pct) ? 0.0 : r->change_pct, label);
        free(text);
        text = t;
    }
    return text;
}

char *
store_history_subtitle(const struct store_history *h) {
    size_t nsig = 0;
    for (size_t i = 1; i < h->nruns; i++)
        nsig += h->runs[i].significant;
    return tx_fmt("%s/impl=%s: median wall time per operation of each run with its 95%% "
                  "interval, %zu runs, %zu significant change%s (Mann-Whitney U, p < %.2f)",
                  h->bench, h->impl, h->nruns, nsig, nsig == 1 ? "" : "s", CMP_ALPHA);
}

/* --- check ------------------------------------------------------------------------------ */

void
store_check(const struct result_file *base, const struct result_file *run, double threshold_pct,
            const char *impl, FILE *out, struct store_check_result *r) {
    memset(r, 0, sizeof *r);
    for (size_t i = 0; i < run->nbenches; i++) {
        const struct result_bench *b = &run->benches[i];
        const struct result_bench *a = results_find(base, b->name);
        /* limit/ rows are the machine's floor, not the code under test: not checked. */
        if (a == NULL || strncmp(b->name, "limit/", 6) == 0 ||
            (impl != NULL && strcmp(names_impl(b->name), impl) != 0))
            continue;
        r->common++;
        double p;
        bool few;
        bool significant =
            mwu_verdict(a->real_time, a->nreps, b->real_time, b->nreps, CMP_ALPHA, &p, &few);
        double ma = stats_median(a->real_time, a->nreps);
        double mb = stats_median(b->real_time, b->nreps);
        double change = ma > 0 ? 100.0 * (mb / ma - 1.0) : 0;
        if (few) {
            r->few++;
        } else if (significant && change < 0) {
            r->faster++;
        } else if (significant && change > threshold_pct) {
            r->regressions++;
            char *sa = fmt_ns(ma), *sb = fmt_ns(mb);
            fprintf(out, "REGRESSION %s: %s -> %s (%+.1f%%, p=%.3g, rounds %zu and %zu)\n", b->name,
                    sa, sb, change, p, a->nreps, b->nreps);
            free(sa);
            free(sb);
        } else if (significant && change > 0) {
            r->slower++;
        }
    }
}
