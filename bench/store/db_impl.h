/* SPDX-License-Identifier: MIT */
/* Inside db.h: what each backend provides (struct db_ops) and the text helpers they share
 * (db_text.c). db.c dispatches; a backend never calls db.c, so the objects stay layered. */
#ifndef BENCH_STORE_DB_IMPL_H
#define BENCH_STORE_DB_IMPL_H

#include "db.h"

struct db_ops {
    void (*close)(struct db *db);
    const char *(*errmsg)(const struct db *db);
    int (*busy_timeout)(struct db *db, int ms);
    int (*exec)(struct db *db, const char *sql);
    int (*begin)(struct db *db, enum db_txn kind);
    int (*commit)(struct db *db);
    void (*rollback)(struct db *db);
    bool (*in_transaction)(struct db *db);
    int (*catalog)(struct db *db, const char *table, int64_t *nobjects, bool *has_table);
    int (*prepare)(struct db *db, const char *sql, struct db_stmt **out);
    void (*bind_text)(struct db_stmt *st, int i, const char *v);
    void (*bind_int64)(struct db_stmt *st, int i, int64_t v);
    void (*bind_double)(struct db_stmt *st, int i, double v);
    void (*bind_null)(struct db_stmt *st, int i);
    void (*bind_blob)(struct db_stmt *st, int i, const void *v, size_t len);
    int (*step)(struct db_stmt *st);
    void (*reset)(struct db_stmt *st);
    void (*clear_bindings)(struct db_stmt *st);
    void (*finalize)(struct db_stmt *st);
    enum db_type (*column_type)(struct db_stmt *st, int i);
    const char *(*column_text)(struct db_stmt *st, int i);
    int64_t (*column_int64)(struct db_stmt *st, int i);
    double (*column_double)(struct db_stmt *st, int i);
    const void *(*column_blob)(struct db_stmt *st, int i, size_t *len);
};

/* The head of every backend's connection and statement. */
struct db {
    const struct db_ops *ops;
    enum db_backend backend;
    char *name; /* db_name(): owned by db.c */
};

struct db_stmt {
    struct db *db;
};

/* The backends' openers: 0 with *out, or an exit status with err set (db_open). name is the
 * target as messages show it. */
int db_sqlite_open(const char *path, bool create, const char *name, struct db **out, char *err,
                   size_t errlen);
int db_pg_open(const char *url, const char *name, struct db **out, char *err, size_t errlen);

/* --- db_text.c -------------------------------------------------------------------------- */

/* url without its password (the one after USER: and a password=... parameter), malloc'd. */
char *db_url_redact(const char *url);

/* sql with SQLite's placeholders (`?`, numbered after the highest so far, and `?NNN`) written
 * as PostgreSQL's `$N`, outside string literals, quoted identifiers and comments; *nparams gets
 * the highest number. malloc'd; NULL when out of memory or a number is out of range (over
 * 32766, PostgreSQL's limit). */
char *db_sql_dollar(const char *sql, int *nparams);

/* msg on one line, at most n - 1 bytes: runs of white space (newlines, tabs) become one space,
 * and trailing ones go. Into buf. */
void db_one_line(char *buf, size_t n, const char *msg);

#endif
