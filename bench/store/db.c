/* SPDX-License-Identifier: MIT */
/* The database layer (db.h): choosing the backend from the target, then handing every call to
 * it (db_impl.h). */
#include <stdlib.h>
#include <string.h>

#include "db_impl.h"
#include "util.h"

bool
db_is_postgresql(const char *target) {
    return strncmp(target, "postgresql://", 13) == 0 || strncmp(target, "postgres://", 11) == 0;
}

bool
db_postgresql_built(void) {
#ifdef CHANBENCH_HAVE_POSTGRESQL
    return true;
#else
    return false;
#endif
}

int
db_open(const char *target, bool create, struct db **out, char *err, size_t errlen) {
    *out = NULL;
    bool pg = db_is_postgresql(target);
    char *name = pg ? db_url_redact(target) : strdup(target);
    if (name == NULL) {
        bench_seterr(err, errlen, "out of memory");
        return 1;
    }
    int code;
#ifdef CHANBENCH_HAVE_POSTGRESQL
    code = pg ? db_pg_open(target, name, out, err, errlen)
              : db_sqlite_open(target, create, name, out, err, errlen);
#else
    if (pg) {
        bench_seterr(err, errlen,
                     "%s: this chanbench was built without PostgreSQL; install libpq-dev "
                     "(Debian) and build it again, or give an SQLite store (--store PATH)",
                     name);
        code = 2;
    } else {
        code = db_sqlite_open(target, create, name, out, err, errlen);
    }
#endif
    if (code != 0) {
        free(name);
        return code;
    }
    (*out)->backend = pg ? DB_POSTGRESQL : DB_SQLITE;
    (*out)->name = name;
    return 0;
}

void
db_close(struct db *db) {
    if (db == NULL)
        return;
    char *name = db->name;
    db->ops->close(db);
    free(name);
}

enum db_backend
db_backend(const struct db *db) {
    return db->backend;
}

const char *
db_name(const struct db *db) {
    return db->name;
}

const char *
db_errmsg(const struct db *db) {
    return db->ops->errmsg(db);
}

int
db_busy_timeout(struct db *db, int ms) {
    return db->ops->busy_timeout(db, ms);
}

int
db_exec(struct db *db, const char *sql) {
    return db->ops->exec(db, sql);
}

int
db_begin(struct db *db, enum db_txn kind) {
    return db->ops->begin(db, kind);
}

int
db_commit(struct db *db) {
    return db->ops->commit(db);
}

void
db_rollback(struct db *db) {
    db->ops->rollback(db);
}

bool
db_in_transaction(struct db *db) {
    return db->ops->in_transaction(db);
}

int
db_catalog(struct db *db, const char *table, int64_t *nobjects, bool *has_table) {
    return db->ops->catalog(db, table, nobjects, has_table);
}

int
db_prepare(struct db *db, const char *sql, struct db_stmt **out) {
    *out = NULL;
    return db->ops->prepare(db, sql, out);
}

void
db_bind_text(struct db_stmt *st, int i, const char *v) {
    if (v == NULL)
        st->db->ops->bind_null(st, i);
    else
        st->db->ops->bind_text(st, i, v);
}

void
db_bind_int64(struct db_stmt *st, int i, int64_t v) {
    st->db->ops->bind_int64(st, i, v);
}

void
db_bind_double(struct db_stmt *st, int i, double v) {
    st->db->ops->bind_double(st, i, v);
}

void
db_bind_null(struct db_stmt *st, int i) {
    st->db->ops->bind_null(st, i);
}

void
db_bind_blob(struct db_stmt *st, int i, const void *v, size_t len) {
    st->db->ops->bind_blob(st, i, v, len);
}

int
db_step(struct db_stmt *st) {
    return st->db->ops->step(st);
}

void
db_reset(struct db_stmt *st) {
    st->db->ops->reset(st);
}

void
db_clear_bindings(struct db_stmt *st) {
    st->db->ops->clear_bindings(st);
}

void
db_finalize(struct db_stmt *st) {
    if (st != NULL)
        st->db->ops->finalize(st);
}

enum db_type
db_column_type(struct db_stmt *st, int i) {
    return st->db->ops->column_type(st, i);
}

const char *
db_column_text(struct db_stmt *st, int i) {
    return st->db->ops->column_text(st, i);
}

int64_t
db_column_int64(struct db_stmt *st, int i) {
    return st->db->ops->column_int64(st, i);
}

double
db_column_double(struct db_stmt *st, int i) {
    return st->db->ops->column_double(st, i);
}

const void *
db_column_blob(struct db_stmt *st, int i, size_t *len) {
    return st->db->ops->column_blob(st, i, len);
}
