/* SPDX-License-Identifier: MIT */
/* The database under the results store: one small interface, shaped after SQLite's, over two
 * backends, SQLite (db_sqlite.c, a file) and PostgreSQL (db_pg.c, libpq, a server that many
 * machines push to). store.c writes its SQL once for both: `?` and `?NNN` placeholders, and
 * what SQLite and PostgreSQL both read (ON CONFLICT DO NOTHING, TRUE, CAST(x AS TEXT), ||,
 * substr, length); what differs (schema text, the catalog) goes by db_backend() or through
 * db_catalog().
 *
 * A target is a PostgreSQL URL (postgresql://... or postgres://..., db_is_postgresql) or else
 * the path of an SQLite file. Calls that can fail return a db_rc; db_errmsg() then says what
 * failed, in one line. Writers are serialised as SQLite does it (db_begin(DB_WRITE)): on
 * PostgreSQL by a transaction-scoped advisory lock (docs/design.md, "Results store"). */
#ifndef BENCH_STORE_DB_H
#define BENCH_STORE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum db_backend { DB_SQLITE, DB_POSTGRESQL };

/* What a call did. */
enum db_rc {
    DB_OK = 0,
    DB_ROW,       /* db_step: a row is ready for the db_column_ calls */
    DB_DONE,      /* db_step: the statement has run, no (more) rows */
    DB_ERROR,     /* anything else: db_errmsg says what */
    DB_BUSY,      /* another writer kept its lock past the busy timeout (db_busy_timeout) */
    DB_DUPLICATE, /* a primary key or unique constraint already holds the value */
    DB_DAMAGED,   /* not a database, or a damaged one (SQLite's NOTADB and CORRUPT) */
};

/* The type of a value in a row. */
enum db_type { DB_NULL, DB_INTEGER, DB_FLOAT, DB_TEXT, DB_BLOB };

/* The kind of a transaction. DB_READ: one consistent snapshot for several queries (SQLite's
 * BEGIN; PostgreSQL's REPEATABLE READ). DB_WRITE: the one writer of the database until commit
 * or rollback (SQLite's BEGIN IMMEDIATE; PostgreSQL's READ COMMITTED with a
 * pg_advisory_xact_lock), waiting up to the busy timeout for another. */
enum db_txn { DB_READ, DB_WRITE };

struct db;
struct db_stmt;

/* Whether target names a PostgreSQL database: it starts with postgresql:// or postgres://. */
bool db_is_postgresql(const char *target);

/* Whether this chanbench was built with PostgreSQL (libpq). */
bool db_postgresql_built(void);

/* Open target: a PostgreSQL URL, or an SQLite file (created when missing with create; its
 * folder must exist). 0, or an exit status with err set to one line: 2 for a target that
 * cannot be used as given (a malformed URL, a PostgreSQL URL in a chanbench built without
 * libpq), 1 for a failure of the system (the file cannot be opened, the server does not
 * answer or refuses the connection). Error lines never hold the URL's password. */
int db_open(const char *target, bool create, struct db **out, char *err, size_t errlen);
void db_close(struct db *db);

enum db_backend db_backend(const struct db *db);

/* The target for messages: the path, or the URL without its password. */
const char *db_name(const struct db *db);

/* The last failure, one line (the backend's message). */
const char *db_errmsg(const struct db *db);

/* How long a write waits for another writer's lock before DB_BUSY: SQLite's busy timeout,
 * PostgreSQL's lock_timeout. */
int db_busy_timeout(struct db *db, int ms);

/* Run SQL text of one or more statements without parameters or rows (a schema, SET, PRAGMA). */
int db_exec(struct db *db, const char *sql);

/* Transactions (enum db_txn). db_begin leaves no transaction open when it fails. db_rollback
 * rolls back the open transaction, if any (and one that failed), and never fails: the error
 * being reported matters more. */
int db_begin(struct db *db, enum db_txn kind);
int db_commit(struct db *db);
void db_rollback(struct db *db);
bool db_in_transaction(struct db *db);

/* The store's namespace (the SQLite file; PostgreSQL's current schema): *nobjects, how many
 * tables, indexes, views and sequences it holds, and *has_table, whether one of them is the
 * table named table. */
int db_catalog(struct db *db, const char *table, int64_t *nobjects, bool *has_table);

/* One statement with `?` (numbered after the highest so far) and `?NNN` placeholders, as in
 * SQLite. On PostgreSQL the statement runs on its first db_step, so errors in the SQL show
 * there. A parameter left unbound is NULL; a binding past the statement's parameters is
 * ignored. Bound values are copied. */
int db_prepare(struct db *db, const char *sql, struct db_stmt **out);
void db_bind_text(struct db_stmt *st, int i, const char *v); /* NULL binds NULL */
void db_bind_int64(struct db_stmt *st, int i, int64_t v);
void db_bind_double(struct db_stmt *st, int i, double v);
void db_bind_null(struct db_stmt *st, int i);
void db_bind_blob(struct db_stmt *st, int i, const void *v, size_t len);

/* DB_ROW, DB_DONE, or a failure. */
int db_step(struct db_stmt *st);

/* Ready to run again: db_reset keeps the bindings, db_clear_bindings sets them to NULL. */
void db_reset(struct db_stmt *st);
void db_clear_bindings(struct db_stmt *st);
void db_finalize(struct db_stmt *st); /* NULL is fine */

/* The current row's column i (from 0). Pointers stay valid until the next db_step, db_reset or
 * db_finalize. db_column_text is NULL for NULL; db_column_blob sets *len (0 for NULL). */
enum db_type db_column_type(struct db_stmt *st, int i);
const char *db_column_text(struct db_stmt *st, int i);
int64_t db_column_int64(struct db_stmt *st, int i);
double db_column_double(struct db_stmt *st, int i);
const void *db_column_blob(struct db_stmt *st, int i, size_t *len);

#endif
