/* SPDX-License-Identifier: MIT */
/* The PostgreSQL backend of the database layer (db.h), over libpq.
 *
 * A statement is SQLite-style SQL whose `?` placeholders become `$N` (db_sql_dollar); it runs
 * with PQexecParams on its first db_step, with text parameters as text and integers, doubles
 * and blobs in binary (exact: no printing and parsing of numbers), and its whole result comes
 * back at once, in text, which the column calls read (bytea decoded by PQunescapeBytea).
 *
 * Concurrency (docs/design.md, "Results store"): the store's code relies on SQLite's single
 * writer, e.g. import checks whether a run is there and then inserts it. DB_WRITE transactions
 * therefore take one transaction-scoped advisory lock, the same key for every chanbench, so
 * writers to one database take turns exactly as on SQLite, and wait for each other up to the
 * busy timeout (lock_timeout). The alternative, SERIALIZABLE with retries, would retry whole
 * imports of megabytes on conflicts that a queue avoids; an import takes well under a second.
 * A writer's transaction is READ COMMITTED, so that its statements after the lock see what the
 * writer before it committed. Readers take no lock: DB_READ is a REPEATABLE READ snapshot. */
#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "db_impl.h"
#include "util.h"

/* The few type OIDs this file reads (PostgreSQL's catalog/pg_type_d.h, fixed since 8.x). */
enum {
    OID_BOOL = 16,
    OID_BYTEA = 17,
    OID_INT8 = 20,
    OID_INT2 = 21,
    OID_INT4 = 23,
    OID_TEXT = 25,
    OID_OID = 26,
    OID_FLOAT4 = 700,
    OID_FLOAT8 = 701,
    OID_NUMERIC = 1700,
};

/* The advisory lock of DB_WRITE: the bigint whose bytes spell "chanbenc". */
#define PG_WRITE_LOCK "7163082334057885283"

/* ON CONFLICT and identity columns: PostgreSQL 10 or newer. */
#define PG_MIN_VERSION 100000

struct pg {
    struct db base;
    PGconn *conn;
    char msg[512];
};

struct pg_stmt {
    struct db_stmt base;
    char *sql; /* with $N */
    /* The parameters as PQexecParams takes them: a NULL value is NULL (type 0: the server
     * infers it); format 0 text, 1 binary. */
    int nparams;
    Oid *types;
    char **values;
    int *lens, *formats;
    bool lost; /* a value could not be copied (out of memory): the next step fails */
    PGresult *res;
    int row; /* the current row, -1 before the first */
    bool ran;
    int ncols;
    unsigned char **blobs; /* each bytea column of the current row, decoded on demand */
    size_t *blob_len;
};

static struct pg *
pg_of(const struct db *db) {
    return (struct pg *)db;
}

static struct pg_stmt *
ps_of(struct db_stmt *st) {
    return (struct pg_stmt *)st;
}

/* After a failed call (res may be NULL): the message kept, and its db_rc by SQLSTATE. */
static int
pg_fail(struct pg *p, const PGresult *res) {
    const char *primary = res != NULL ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    char line[400];
    db_one_line(line, sizeof line, primary != NULL ? primary : PQerrorMessage(p->conn));
    if (PQstatus(p->conn) != CONNECTION_OK)
        snprintf(p->msg, sizeof p->msg, "the connection to the server was lost (%s)", line);
    else
        snprintf(p->msg, sizeof p->msg, "%s", line[0] != '\0' ? line : "unknown error");
    if (state == NULL)
        return DB_ERROR;
    if (strcmp(state, "23505") == 0) /* unique_violation */
        return DB_DUPLICATE;
    /* lock_not_available (lock_timeout), deadlock_detected, serialization_failure */
    if (strcmp(state, "55P03") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "40001") == 0)
        return DB_BUSY;
    if (strcmp(state, "XX001") == 0 || strcmp(state, "XX002") == 0) /* data or index corrupted */
        return DB_DAMAGED;
    return DB_ERROR;
}

/* Run SQL without parameters; DB_OK, or the failure. */
static int
pg_run(struct pg *p, const char *sql) {
    PGresult *res = PQexec(p->conn, sql);
    ExecStatusType s = PQresultStatus(res);
    int rc = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK ? DB_OK : pg_fail(p, res);
    PQclear(res);
    return rc;
}

/* Notices ("table already exists, skipping") are not the user's business. */
static void
pg_quiet(void *arg, const char *message) {
    (void)arg;
    (void)message;
}

static void
pg_close(struct db *db) {
    struct pg *p = pg_of(db);
    PQfinish(p->conn);
    free(p);
}

static const char *
pg_errmsg(const struct db *db) {
    return pg_of(db)->msg;
}

static int
pg_busy_timeout(struct db *db, int ms) {
    char sql[64];
    snprintf(sql, sizeof sql, "SET lock_timeout = %d", ms > 0 ? ms : 0);
    return pg_run(pg_of(db), sql);
}

static int
pg_exec(struct db *db, const char *sql) {
    return pg_run(pg_of(db), sql);
}

static bool
pg_in_transaction(struct db *db) {
    PGTransactionStatusType t = PQtransactionStatus(pg_of(db)->conn);
    return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

static void
pg_rollback(struct db *db) {
    struct pg *p = pg_of(db);
    PGTransactionStatusType t = PQtransactionStatus(p->conn);
    if (t == PQTRANS_INTRANS || t == PQTRANS_INERROR)
        PQclear(PQexec(p->conn, "ROLLBACK"));
}

static int
pg_begin(struct db *db, enum db_txn kind) {
    /* One round trip: BEGIN, then (for a writer) the lock, waiting up to lock_timeout. */
    int rc = pg_run(pg_of(db), kind == DB_WRITE ? "BEGIN ISOLATION LEVEL READ COMMITTED;"
                                                  " SELECT pg_advisory_xact_lock(" PG_WRITE_LOCK ")"
                                                : "BEGIN ISOLATION LEVEL REPEATABLE READ");
    if (rc != DB_OK)
        pg_rollback(db);
    return rc;
}

static int
pg_commit(struct db *db) {
    struct pg *p = pg_of(db);
    /* COMMIT of a failed transaction rolls it back and reports success: say so instead. */
    if (PQtransactionStatus(p->conn) == PQTRANS_INERROR) {
        snprintf(p->msg, sizeof p->msg,
                 "the transaction failed earlier and was rolled back; nothing of it was written");
        pg_rollback(db);
        return DB_ERROR;
    }
    PGresult *res = PQexec(p->conn, "COMMIT");
    int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? DB_OK : pg_fail(p, res);
    if (rc == DB_OK && strcmp(PQcmdStatus(res), "COMMIT") != 0) {
        snprintf(p->msg, sizeof p->msg, "the transaction was rolled back, not committed");
        rc = DB_ERROR;
    }
    PQclear(res);
    return rc;
}

static int
pg_catalog(struct db *db, const char *table, int64_t *nobjects, bool *has_table) {
    struct pg *p = pg_of(db);
    /* Relations of every kind (tables, indexes, sequences, views, ...) in the schema that
     * unqualified names go to, the store's. */
    const char *params[1] = {table};
    PGresult *res = PQexecParams(p->conn,
                                 "SELECT count(*), count(*) FILTER (WHERE c.relname = $1"
                                 "  AND c.relkind IN ('r', 'p'))"
                                 " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n"
                                 "  ON n.oid = c.relnamespace WHERE n.nspname = current_schema()",
                                 1, NULL, params, NULL, NULL, 0);
    int rc;
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
        *nobjects = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        *has_table = strtoll(PQgetvalue(res, 0, 1), NULL, 10) > 0;
        rc = DB_OK;
    } else {
        rc = pg_fail(p, res);
    }
    PQclear(res);
    return rc;
}

/* --- statements ------------------------------------------------------------------------- */

/* A statement's memory (NULL: nothing), its bindings already cleared. */
static void
stmt_free(struct pg_stmt *st) {
    if (st == NULL)
        return;
    free(st->blobs);
    free(st->blob_len);
    free(st->types);
    free(st->values);
    free(st->lens);
    free(st->formats);
    free(st->sql);
    free(st);
}

static int
pg_prepare(struct db *db, const char *sql, struct db_stmt **out) {
    struct pg *p = pg_of(db);
    struct pg_stmt *st = calloc(1, sizeof *st);
    if (st != NULL)
        st->sql = db_sql_dollar(sql, &st->nparams);
    bool ok = st != NULL && st->sql != NULL;
    if (ok && st->nparams > 0) {
        size_t n = (size_t)st->nparams;
        st->types = calloc(n, sizeof *st->types);
        st->values = calloc(n, sizeof *st->values);
        st->lens = calloc(n, sizeof *st->lens);
        st->formats = calloc(n, sizeof *st->formats);
        ok = st->types != NULL && st->values != NULL && st->lens != NULL && st->formats != NULL;
    }
    if (!ok) {
        stmt_free(st);
        snprintf(p->msg, sizeof p->msg,
                 "out of memory, or a placeholder ?NNN past 32766 in the statement");
        return DB_ERROR;
    }
    st->base.db = db;
    st->row = -1;
    *out = &st->base;
    return DB_OK;
}

/* Drop the decoded blobs of the current row. */
static void
drop_blobs(struct pg_stmt *st) {
    for (int c = 0; st->blobs != NULL && c < st->ncols; c++) {
        if (st->blobs[c] != NULL)
            PQfreemem(st->blobs[c]);
        st->blobs[c] = NULL;
    }
}

/* Parameter i (from 1) set to NULL, for a new value: its index from 0, or -1 past the
 * statement's parameters. */
static int
param(struct db_stmt *s, int i) {
    struct pg_stmt *st = ps_of(s);
    if (i < 1 || i > st->nparams)
        return -1;
    free(st->values[i - 1]);
    st->values[i - 1] = NULL;
    st->types[i - 1] = 0;
    st->lens[i - 1] = 0;
    st->formats[i - 1] = 0;
    return i - 1;
}

/* Parameter i: a copy of the n bytes at v, of type and format. A value that cannot be copied
 * fails the next db_step rather than go in as NULL. */
static void
set_param(struct db_stmt *s, int i, Oid type, int format, const void *v, size_t n) {
    struct pg_stmt *st = ps_of(s);
    int k = param(s, i);
    if (k < 0)
        return;
    if (n > (size_t)INT32_MAX || (st->values[k] = malloc(n + 1)) == NULL) {
        st->lost = true;
        return;
    }
    if (n > 0)
        memcpy(st->values[k], v, n);
    st->values[k][n] = '\0';
    st->types[k] = type;
    st->formats[k] = format;
    st->lens[k] = (int)n;
}

static void
pg_bind_text(struct db_stmt *st, int i, const char *v) {
    set_param(st, i, OID_TEXT, 0, v, strlen(v));
}

static void
pg_bind_int64(struct db_stmt *st, int i, int64_t v) {
    uint64_t be = htobe64((uint64_t)v);
    set_param(st, i, OID_INT8, 1, &be, sizeof be);
}

static void
pg_bind_double(struct db_stmt *st, int i, double v) {
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    bits = htobe64(bits);
    set_param(st, i, OID_FLOAT8, 1, &bits, sizeof bits);
}

static void
pg_bind_null(struct db_stmt *st, int i) {
    (void)param(st, i);
}

static void
pg_bind_blob(struct db_stmt *st, int i, const void *v, size_t len) {
    set_param(st, i, OID_BYTEA, 1, v, len);
}

static void
pg_reset(struct db_stmt *s) {
    struct pg_stmt *st = ps_of(s);
    drop_blobs(st);
    PQclear(st->res);
    st->res = NULL;
    st->ran = false;
    st->row = -1;
}

static void
pg_clear_bindings(struct db_stmt *s) {
    struct pg_stmt *st = ps_of(s);
    pg_reset(s);
    for (int i = 1; i <= st->nparams; i++)
        (void)param(s, i);
    st->lost = false;
}

static void
pg_finalize(struct db_stmt *s) {
    pg_clear_bindings(s);
    stmt_free(ps_of(s));
}

static int
pg_step(struct db_stmt *s) {
    struct pg_stmt *st = ps_of(s);
    struct pg *p = pg_of(s->db);
    drop_blobs(st);
    if (!st->ran && st->lost) {
        snprintf(p->msg, sizeof p->msg, "out of memory for a parameter of the statement");
        return DB_ERROR;
    }
    if (!st->ran) {
        PGresult *res = PQexecParams(p->conn, st->sql, st->nparams, st->types,
                                     (const char *const *)st->values, st->lens, st->formats, 0);
        ExecStatusType status = PQresultStatus(res);
        if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
            int rc = pg_fail(p, res);
            PQclear(res);
            return rc;
        }
        st->res = res;
        st->ran = true;
        st->row = -1;
        int ncols = PQnfields(res);
        if (ncols > st->ncols) {
            unsigned char **b = realloc(st->blobs, (size_t)ncols * sizeof *b);
            if (b != NULL)
                st->blobs = b;
            size_t *l = b != NULL ? realloc(st->blob_len, (size_t)ncols * sizeof *l) : NULL;
            if (l == NULL) {
                snprintf(p->msg, sizeof p->msg, "out of memory");
                pg_reset(s);
                return DB_ERROR;
            }
            st->blob_len = l;
            for (int c = st->ncols; c < ncols; c++)
                st->blobs[c] = NULL;
            st->ncols = ncols;
        }
    }
    if (st->res == NULL || st->row + 1 >= PQntuples(st->res))
        return DB_DONE;
    st->row++;
    return DB_ROW;
}

/* Whether column i of the current row exists and is not NULL. */
static bool
has_value(struct pg_stmt *st, int i) {
    return st->res != NULL && st->row >= 0 && st->row < PQntuples(st->res) && i >= 0 &&
           i < PQnfields(st->res) && !PQgetisnull(st->res, st->row, i);
}

static enum db_type
pg_column_type(struct db_stmt *s, int i) {
    struct pg_stmt *st = ps_of(s);
    if (!has_value(st, i))
        return DB_NULL;
    switch (PQftype(st->res, i)) {
    case OID_BOOL:
    case OID_INT2:
    case OID_INT4:
    case OID_INT8:
    case OID_OID:
        return DB_INTEGER;
    case OID_FLOAT4:
    case OID_FLOAT8:
    case OID_NUMERIC:
        return DB_FLOAT;
    case OID_BYTEA:
        return DB_BLOB;
    default:
        return DB_TEXT;
    }
}

static const char *
pg_column_text(struct db_stmt *s, int i) {
    struct pg_stmt *st = ps_of(s);
    if (!has_value(st, i))
        return NULL;
    const char *v = PQgetvalue(st->res, st->row, i);
    if (PQftype(st->res, i) == OID_BOOL) /* as SQLite, which has no booleans, would say */
        return v[0] == 't' ? "1" : "0";
    return v;
}

static int64_t
pg_column_int64(struct db_stmt *s, int i) {
    struct pg_stmt *st = ps_of(s);
    const char *v = pg_column_text(s, i);
    if (v == NULL)
        return 0;
    Oid t = PQftype(st->res, i);
    if (t == OID_FLOAT4 || t == OID_FLOAT8 || t == OID_NUMERIC)
        return (int64_t)strtod(v, NULL);
    return strtoll(v, NULL, 10);
}

static double
pg_column_double(struct db_stmt *s, int i) {
    const char *v = pg_column_text(s, i);
    return v != NULL ? strtod(v, NULL) : 0.0;
}

static const void *
pg_column_blob(struct db_stmt *s, int i, size_t *len) {
    struct pg_stmt *st = ps_of(s);
    *len = 0;
    if (!has_value(st, i))
        return NULL;
    if (PQftype(st->res, i) != OID_BYTEA) {
        *len = (size_t)PQgetlength(st->res, st->row, i);
        return PQgetvalue(st->res, st->row, i);
    }
    if (st->blobs[i] == NULL) {
        st->blobs[i] = PQunescapeBytea((const unsigned char *)PQgetvalue(st->res, st->row, i),
                                       &st->blob_len[i]);
        if (st->blobs[i] == NULL)
            return NULL; /* out of memory */
    }
    *len = st->blob_len[i];
    return st->blobs[i];
}

static const struct db_ops pg_ops = {
    .close = pg_close,
    .errmsg = pg_errmsg,
    .busy_timeout = pg_busy_timeout,
    .exec = pg_exec,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .in_transaction = pg_in_transaction,
    .catalog = pg_catalog,
    .prepare = pg_prepare,
    .bind_text = pg_bind_text,
    .bind_int64 = pg_bind_int64,
    .bind_double = pg_bind_double,
    .bind_null = pg_bind_null,
    .bind_blob = pg_bind_blob,
    .step = pg_step,
    .reset = pg_reset,
    .clear_bindings = pg_clear_bindings,
    .finalize = pg_finalize,
    .column_type = pg_column_type,
    .column_text = pg_column_text,
    .column_int64 = pg_column_int64,
    .column_double = pg_column_double,
    .column_blob = pg_column_blob,
};

/* --- connecting ------------------------------------------------------------------------- */

/* Whether text holds every one of the words (lower case). */
static bool
says(const char *text, const char *a, const char *b) {
    return strstr(text, a) != NULL && (b == NULL || strstr(text, b) != NULL);
}

int
db_pg_open(const char *url, const char *name, struct db **out, char *err, size_t errlen) {
    char *perr = NULL;
    PQconninfoOption *opts = PQconninfoParse(url, &perr);
    if (opts == NULL) {
        char why[256];
        db_one_line(why, sizeof why, perr != NULL ? perr : "out of memory");
        PQfreemem(perr);
        bench_seterr(err, errlen,
                     "%s: not a PostgreSQL URL libpq can read (%s); the form is "
                     "postgresql://[USER[:PASSWORD]@][HOST][:PORT]/DATABASE[?PARAM=VALUE&...]",
                     name, why);
        return 2;
    }
    PQconninfoFree(opts);

    /* Ours before the URL's (connect_timeout), or after it where chanbench needs it. */
    static const char *const keys[] = {"connect_timeout", "fallback_application_name", "dbname",
                                       "client_encoding", NULL};
    const char *vals[] = {"10", "chanbench", url, "UTF8", NULL};
    PGconn *conn = PQconnectdbParams(keys, vals, 1);
    if (conn == NULL) {
        bench_seterr(err, errlen, "%s: out of memory", name);
        return 1;
    }
    if (PQstatus(conn) != CONNECTION_OK) {
        /* libpq's first line names the server and the reason; the rest are hints. */
        char first[300], low[300];
        const char *m = PQerrorMessage(conn);
        size_t n = strcspn(m, "\n");
        snprintf(low, sizeof low, "%.*s", (int)n, m);
        db_one_line(first, sizeof first, low);
        for (char *c = low; *c != '\0'; c++)
            *c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
        const char *todo;
        int code = 2;
        if (says(low, "database", "does not exist"))
            todo = "create the database (createdb NAME, or CREATE DATABASE NAME) or name "
                   "another in the URL";
        else if (says(low, "role", "does not exist"))
            todo = "give a user the server knows in the URL (postgresql://USER@HOST/DATABASE)";
        else if (says(low, "password", NULL) || says(low, "authentication", NULL))
            todo = "check the user and its password (in the URL, ~/.pgpass or $PGPASSWORD) and "
                   "the server's pg_hba.conf";
        else {
            todo = "start the server, or check the URL's host and port";
            code = 1;
        }
        bench_seterr(err, errlen, "%s: cannot connect to PostgreSQL (%s); %s", name, first, todo);
        PQfinish(conn);
        return code;
    }
    PQsetNoticeProcessor(conn, pg_quiet, NULL);
    if (PQserverVersion(conn) < PG_MIN_VERSION) {
        bench_seterr(err, errlen,
                     "%s: the server is PostgreSQL %d.%d; chanbench needs 10 or newer: "
                     "upgrade it, or give another server",
                     name, PQserverVersion(conn) / 10000, PQserverVersion(conn) / 100 % 100);
        PQfinish(conn);
        return 2;
    }
    struct pg *p = calloc(1, sizeof *p);
    if (p == NULL) {
        PQfinish(conn);
        bench_seterr(err, errlen, "%s: out of memory", name);
        return 1;
    }
    p->conn = conn;
    p->base.ops = &pg_ops;
    /* Doubles read back exactly (the default from PostgreSQL 12 on, not before); blobs in
     * hex; backslashes in literals as in SQLite's SQL, not escapes. */
    if (pg_run(p, "SET extra_float_digits = 3; SET bytea_output = 'hex';"
                  " SET standard_conforming_strings = on") != DB_OK) {
        bench_seterr(err, errlen, "%s: cannot set up the session: %s", name, p->msg);
        pg_close(&p->base);
        return 1;
    }
    *out = &p->base;
    return 0;
}
