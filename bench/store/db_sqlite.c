/* SPDX-License-Identifier: MIT */
/* The SQLite backend of the database layer (db.h): a thin wrapper, since db.h is SQLite's
 * interface cut to what the store uses. */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "db_impl.h"
#include "util.h"

struct sq {
    struct db base;
    sqlite3 *db;
    char msg[512]; /* the last failure, kept: a later finalize may change sqlite3_errmsg */
};

struct sq_stmt {
    struct db_stmt base;
    sqlite3_stmt *st;
};

static struct sq *
sq_of(const struct db *db) {
    return (struct sq *)db;
}

static sqlite3_stmt *
st_of(struct db_stmt *st) {
    return ((struct sq_stmt *)st)->st;
}

/* An SQLite status as a db_rc; a failure keeps the connection's message. */
static int
sq_rc(struct sq *s, int rc) {
    switch (rc) {
    case SQLITE_OK:
        return DB_OK;
    case SQLITE_ROW:
        return DB_ROW;
    case SQLITE_DONE:
        return DB_DONE;
    default:
        break;
    }
    db_one_line(s->msg, sizeof s->msg, sqlite3_errmsg(s->db));
    if (s->msg[0] == '\0')
        db_one_line(s->msg, sizeof s->msg, sqlite3_errstr(rc));
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return DB_BUSY;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
        return DB_DAMAGED;
    case SQLITE_CONSTRAINT:
        return rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE ? DB_DUPLICATE
                                                                                    : DB_ERROR;
    default:
        return DB_ERROR;
    }
}

static void
sq_close(struct db *db) {
    struct sq *s = sq_of(db);
    sqlite3_close(s->db);
    free(s);
}

static const char *
sq_errmsg(const struct db *db) {
    return sq_of(db)->msg;
}

static int
sq_busy_timeout(struct db *db, int ms) {
    struct sq *s = sq_of(db);
    return sq_rc(s, sqlite3_busy_timeout(s->db, ms));
}

static int
sq_exec(struct db *db, const char *sql) {
    struct sq *s = sq_of(db);
    return sq_rc(s, sqlite3_exec(s->db, sql, NULL, NULL, NULL));
}

static bool
sq_in_transaction(struct db *db) {
    return !sqlite3_get_autocommit(sq_of(db)->db);
}

static void
sq_rollback(struct db *db) {
    struct sq *s = sq_of(db);
    if (!sqlite3_get_autocommit(s->db))
        (void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

static int
sq_begin(struct db *db, enum db_txn kind) {
    int rc = sq_exec(db, kind == DB_WRITE ? "BEGIN IMMEDIATE" : "BEGIN");
    if (rc != DB_OK)
        sq_rollback(db);
    return rc;
}

static int
sq_commit(struct db *db) {
    return sq_exec(db, "COMMIT");
}

static int
sq_prepare(struct db *db, const char *sql, struct db_stmt **out) {
    struct sq *s = sq_of(db);
    struct sq_stmt *st = calloc(1, sizeof *st);
    if (st == NULL) {
        snprintf(s->msg, sizeof s->msg, "out of memory");
        return DB_ERROR;
    }
    int rc = sq_rc(s, sqlite3_prepare_v2(s->db, sql, -1, &st->st, NULL));
    if (rc != DB_OK) {
        sqlite3_finalize(st->st);
        free(st);
        return rc;
    }
    st->base.db = db;
    *out = &st->base;
    return DB_OK;
}

static void sq_finalize(struct db_stmt *st);

static int
sq_catalog(struct db *db, const char *table, int64_t *nobjects, bool *has_table) {
    struct db_stmt *st;
    int rc = sq_prepare(db,
                        "SELECT (SELECT count(*) FROM sqlite_master),"
                        " (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1)",
                        &st);
    if (rc != DB_OK)
        return rc;
    sqlite3_bind_text(st_of(st), 1, table, -1, SQLITE_TRANSIENT);
    rc = sq_rc(sq_of(db), sqlite3_step(st_of(st)));
    if (rc == DB_ROW) {
        *nobjects = sqlite3_column_int64(st_of(st), 0);
        *has_table = sqlite3_column_int64(st_of(st), 1) > 0;
        rc = DB_OK;
    } else if (rc == DB_DONE) {
        rc = DB_ERROR; /* count(*) always gives a row */
    }
    sq_finalize(st);
    return rc;
}

/* Bindings: SQLite copies (TRANSIENT); an index past the statement's parameters is its
 * SQLITE_RANGE, ignored as db.h says. */
static void
sq_bind_text(struct db_stmt *st, int i, const char *v) {
    sqlite3_bind_text(st_of(st), i, v, -1, SQLITE_TRANSIENT);
}

static void
sq_bind_int64(struct db_stmt *st, int i, int64_t v) {
    sqlite3_bind_int64(st_of(st), i, v);
}

static void
sq_bind_double(struct db_stmt *st, int i, double v) {
    sqlite3_bind_double(st_of(st), i, v);
}

static void
sq_bind_null(struct db_stmt *st, int i) {
    sqlite3_bind_null(st_of(st), i);
}

static void
sq_bind_blob(struct db_stmt *st, int i, const void *v, size_t len) {
    /* sqlite3_bind_blob with a NULL pointer binds NULL: an empty blob is a zeroblob. */
    if (len == 0)
        sqlite3_bind_zeroblob(st_of(st), i, 0);
    else
        sqlite3_bind_blob64(st_of(st), i, v, len, SQLITE_TRANSIENT);
}

static int
sq_step(struct db_stmt *st) {
    return sq_rc(sq_of(st->db), sqlite3_step(st_of(st)));
}

static void
sq_reset(struct db_stmt *st) {
    sqlite3_reset(st_of(st));
}

static void
sq_clear_bindings(struct db_stmt *st) {
    sqlite3_reset(st_of(st));
    sqlite3_clear_bindings(st_of(st));
}

static void
sq_finalize(struct db_stmt *st) {
    sqlite3_finalize(st_of(st));
    free(st);
}

static enum db_type
sq_column_type(struct db_stmt *st, int i) {
    switch (sqlite3_column_type(st_of(st), i)) {
    case SQLITE_INTEGER:
        return DB_INTEGER;
    case SQLITE_FLOAT:
        return DB_FLOAT;
    case SQLITE_TEXT:
        return DB_TEXT;
    case SQLITE_BLOB:
        return DB_BLOB;
    default:
        return DB_NULL;
    }
}

static const char *
sq_column_text(struct db_stmt *st, int i) {
    return (const char *)sqlite3_column_text(st_of(st), i);
}

static int64_t
sq_column_int64(struct db_stmt *st, int i) {
    return sqlite3_column_int64(st_of(st), i);
}

static double
sq_column_double(struct db_stmt *st, int i) {
    return sqlite3_column_double(st_of(st), i);
}

static const void *
sq_column_blob(struct db_stmt *st, int i, size_t *len) {
    /* The blob first, then its size: asking the size first may convert the value. */
    const void *p = sqlite3_column_blob(st_of(st), i);
    *len = (size_t)sqlite3_column_bytes(st_of(st), i);
    return p;
}

static const struct db_ops sq_ops = {
    .close = sq_close,
    .errmsg = sq_errmsg,
    .busy_timeout = sq_busy_timeout,
    .exec = sq_exec,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .in_transaction = sq_in_transaction,
    .catalog = sq_catalog,
    .prepare = sq_prepare,
    .bind_text = sq_bind_text,
    .bind_int64 = sq_bind_int64,
    .bind_double = sq_bind_double,
    .bind_null = sq_bind_null,
    .bind_blob = sq_bind_blob,
    .step = sq_step,
    .reset = sq_reset,
    .clear_bindings = sq_clear_bindings,
    .finalize = sq_finalize,
    .column_type = sq_column_type,
    .column_text = sq_column_text,
    .column_int64 = sq_column_int64,
    .column_double = sq_column_double,
    .column_blob = sq_column_blob,
};

int
db_sqlite_open(const char *path, bool create, const char *name, struct db **out, char *err,
               size_t errlen) {
    struct sq *s = calloc(1, sizeof *s);
    if (s == NULL) {
        bench_seterr(err, errlen, "%s: out of memory", name);
        return 1;
    }
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(path, &s->db, flags, NULL);
    if (rc != SQLITE_OK) {
        bench_seterr(err, errlen,
                     "%s: cannot open the store (%s); check that its folder exists and is "
                     "writable",
                     name, s->db != NULL ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
        sqlite3_close(s->db);
        free(s);
        return 1;
    }
    sqlite3_extended_result_codes(s->db, 1);
    s->base.ops = &sq_ops;
    *out = &s->base;
    return 0;
}
