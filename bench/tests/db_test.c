/* SPDX-License-Identifier: MIT */
/* The database layer under the results store (store/db.h), the same checks on each backend:
 * placeholders (`?`, `?NNN`, none inside literals and comments), every type and NULL through
 * bindings and back, blobs with NUL bytes byte for byte, statements reset and bound again,
 * transactions rolled back and committed, duplicate keys told apart from other errors, the
 * catalog, writers taking turns across processes, a writer giving up after the busy timeout.
 *
 *   bench_db_test                      SQLite, in a scratch file; and the text helpers
 *   bench_db_test --postgresql DB      PostgreSQL: database DB of the ctest fixture's scratch
 *                                      server (tests/pg_fixture.h), skipped (77) without one */
#include <float.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "db.h"
#include "db_impl.h"
#include "pg_fixture.h"

static bool pg; /* the backend under test */

static struct db *
open_ok(const char *target) {
    struct db *db = NULL;
    char err[1024] = "";
    int code = db_open(target, true, &db, err, sizeof err);
    if (code != 0)
        fprintf(stderr, "db_open %s: %s\n", target, err);
    REQUIRE(code == 0 && db != NULL);
    REQUIRE(db_busy_timeout(db, 60000) == DB_OK);
    return db;
}

/* Run sql (no parameters) and print the backend's message when it fails. */
static int
exec_ok(struct db *db, const char *sql) {
    int rc = db_exec(db, sql);
    if (rc != DB_OK)
        fprintf(stderr, "%s: %s\n", sql, db_errmsg(db));
    return rc;
}

static struct db_stmt *
prep(struct db *db, const char *sql) {
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, sql, &st);
    if (rc != DB_OK)
        fprintf(stderr, "prepare %s: %s\n", sql, db_errmsg(db));
    REQUIRE(rc == DB_OK && st != NULL);
    return st;
}

/* One integer from a query with one text parameter (NULL: none). */
static int64_t
query_int(struct db *db, const char *sql, const char *arg) {
    struct db_stmt *st = prep(db, sql);
    if (arg != NULL)
        db_bind_text(st, 1, arg);
    int rc = db_step(st);
    if (rc != DB_ROW)
        fprintf(stderr, "%s: %s\n", sql, db_errmsg(db));
    REQUIRE(rc == DB_ROW);
    int64_t v = db_column_int64(st, 0);
    CHECK_EQ(db_step(st), DB_DONE);
    db_finalize(st);
    return v;
}

static bool
one_line(const char *msg) {
    return msg != NULL && msg[0] != '\0' && strchr(msg, '\n') == NULL;
}

/* The table of most checks, in each backend's words (the schema is per backend in store.c
 * too: BLOB and REAL are SQLite's, BYTEA and DOUBLE PRECISION PostgreSQL's). */
static void
make_table(struct db *db) {
    REQUIRE(exec_ok(db, pg ? "CREATE TABLE t(id TEXT PRIMARY KEY, n BIGINT, x DOUBLE PRECISION,"
                             " b BYTEA, s TEXT)"
                           : "CREATE TABLE t(id TEXT PRIMARY KEY, n INTEGER, x REAL, b BLOB,"
                             " s TEXT)") == DB_OK);
}

static void
test_catalog(struct db *db) {
    int64_t n = -1;
    bool has = true;
    REQUIRE(db_catalog(db, "t", &n, &has) == DB_OK);
    CHECK_EQ(n, 0);
    CHECK(!has);
    make_table(db);
    REQUIRE(db_catalog(db, "t", &n, &has) == DB_OK);
    CHECK_EQ(n, 2); /* the table and its primary key's index */
    CHECK(has);
    REQUIRE(db_catalog(db, "nothere", &n, &has) == DB_OK);
    CHECK(!has);
}

static void
test_values(struct db *db) {
    static const char text[] = "µs «quoted» 'single' \"double\" back\\slash ?1 -- $1";
    static const int64_t ints[] = {INT64_MIN, -1, 0, 1, INT64_MAX};
    static const double dbls[] = {0.1, -1e-300, DBL_MAX, 5e-324, 1.0 / 3.0};
    struct db_stmt *ins = prep(db, "INSERT INTO t(id, n, x, s) VALUES(?, ?, ?3, ?4)");
    for (size_t i = 0; i < 5; i++) {
        char id[16];
        snprintf(id, sizeof id, "v%zu", i);
        db_bind_text(ins, 1, id);
        db_bind_int64(ins, 2, ints[i]);
        db_bind_double(ins, 3, dbls[i]);
        db_bind_text(ins, 4, text);
        CHECK_EQ(db_step(ins), DB_DONE);
        db_clear_bindings(ins);
    }
    db_finalize(ins);

    /* ?1 twice, a ? in a literal, in a quoted identifier and in comments: two parameters. */
    struct db_stmt *sel = prep(db, "SELECT n AS \"n?\", x, s, b, id = ?1 /* ?7 */ AND s <> '?3'"
                                   " FROM t WHERE id = ?1 -- ?5\n"
                                   " AND (? IS NULL OR s = ?2)");
    for (size_t i = 0; i < 5; i++) {
        char id[16];
        snprintf(id, sizeof id, "v%zu", i);
        db_bind_text(sel, 1, id);
        db_bind_text(sel, 2, text);
        db_bind_text(sel, 9, "past the parameters: ignored");
        if (!CHECK(db_step(sel) == DB_ROW)) {
            fprintf(stderr, "%s\n", db_errmsg(db));
            break;
        }
        CHECK_EQ(db_column_type(sel, 0), DB_INTEGER);
        CHECK_EQ(db_column_int64(sel, 0), ints[i]);
        CHECK_EQ(db_column_type(sel, 1), DB_FLOAT);
        CHECK(db_column_double(sel, 1) == dbls[i]); /* exactly */
        CHECK_EQ(db_column_type(sel, 2), DB_TEXT);
        CHECK_STR(db_column_text(sel, 2), text);
        CHECK_EQ(db_column_type(sel, 3), DB_NULL);
        CHECK(db_column_text(sel, 3) == NULL);
        size_t len = 99;
        CHECK(db_column_blob(sel, 3, &len) == NULL && len == 0);
        CHECK_EQ(db_column_int64(sel, 3), 0);
        CHECK_EQ(db_column_int64(sel, 4), 1); /* a boolean reads as 1 or 0, as in SQLite */
        CHECK_STR(db_column_text(sel, 4), "1");
        CHECK_EQ(db_step(sel), DB_DONE);
        db_reset(sel); /* bindings kept: the same row again */
        CHECK_EQ(db_step(sel), DB_ROW);
        CHECK_EQ(db_column_int64(sel, 0), ints[i]);
        db_reset(sel);
    }
    db_finalize(sel);

    /* NULL three ways: bound, bound as a NULL string, never bound. */
    struct db_stmt *st = prep(db, "INSERT INTO t(id, n, x, s) VALUES(?1, ?2, ?3, ?4)");
    db_bind_text(st, 1, "nulls");
    db_bind_null(st, 2);
    db_bind_text(st, 4, NULL);
    CHECK_EQ(db_step(st), DB_DONE);
    db_finalize(st);
    st = prep(db, "SELECT n, x, s, b FROM t WHERE id = ?1");
    db_bind_text(st, 1, "nulls");
    REQUIRE(db_step(st) == DB_ROW);
    for (int c = 0; c < 4; c++) {
        CHECK_EQ(db_column_type(st, c), DB_NULL);
        CHECK(db_column_text(st, c) == NULL);
    }
    db_finalize(st);
    CHECK_EQ(query_int(db, "SELECT count(*) FROM t WHERE n IS NULL AND s IS NULL", NULL), 1);
    CHECK_EQ(query_int(db, "SELECT count(*) FROM t WHERE id = ?1", NULL), 0); /* unbound */
}

static void
test_blobs(struct db *db) {
    size_t big = (size_t)1 << 20;
    unsigned char *b = malloc(big);
    REQUIRE(b != NULL);
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (size_t i = 0; i < big; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        b[i] = i < 512 ? (unsigned char)i : (unsigned char)(x % 5 == 0 ? 0 : x); /* many NULs */
    }
    static const size_t sizes[] = {0, 1, 256, 512, (size_t)1 << 20};
    struct db_stmt *ins = prep(db, "INSERT INTO t(id, b) VALUES(?1, ?2)");
    for (size_t k = 0; k < 5; k++) {
        char id[16];
        snprintf(id, sizeof id, "b%zu", k);
        db_bind_text(ins, 1, id);
        db_bind_blob(ins, 2, b, sizes[k]);
        CHECK_EQ(db_step(ins), DB_DONE);
        db_reset(ins);
    }
    db_finalize(ins);
    struct db_stmt *sel = prep(db, "SELECT b, length(b) FROM t WHERE id = ?1");
    for (size_t k = 0; k < 5; k++) {
        char id[16];
        snprintf(id, sizeof id, "b%zu", k);
        db_bind_text(sel, 1, id);
        REQUIRE(db_step(sel) == DB_ROW);
        CHECK_EQ(db_column_type(sel, 0), DB_BLOB); /* the empty one too: not NULL */
        size_t len = 99;
        const void *p = db_column_blob(sel, 0, &len);
        CHECK_EQ(len, sizes[k]);
        CHECK(len == 0 || (p != NULL && memcmp(p, b, len) == 0));
        CHECK_EQ(db_column_int64(sel, 1), (int64_t)sizes[k]);
        db_reset(sel);
    }
    db_finalize(sel);
    free(b);
}

static void
test_transactions(struct db *db) {
    CHECK(!db_in_transaction(db));
    REQUIRE(db_begin(db, DB_WRITE) == DB_OK);
    CHECK(db_in_transaction(db));
    CHECK_EQ(exec_ok(db, "INSERT INTO t(id) VALUES('rolled back')"), DB_OK);
    db_rollback(db);
    CHECK(!db_in_transaction(db));
    CHECK_EQ(query_int(db, "SELECT count(*) FROM t WHERE id = ?1", "rolled back"), 0);

    REQUIRE(db_begin(db, DB_WRITE) == DB_OK);
    CHECK_EQ(exec_ok(db, "INSERT INTO t(id) VALUES('committed')"), DB_OK);
    CHECK_EQ(db_commit(db), DB_OK);
    CHECK(!db_in_transaction(db));
    CHECK_EQ(query_int(db, "SELECT count(*) FROM t WHERE id = ?1", "committed"), 1);

    /* A duplicate key is DB_DUPLICATE, in a transaction or not; the transaction is then rolled
     * back and the connection goes on. */
    struct db_stmt *st = prep(db, "INSERT INTO t(id) VALUES(?1)");
    db_bind_text(st, 1, "committed");
    CHECK_EQ(db_step(st), DB_DUPLICATE);
    CHECK(one_line(db_errmsg(db)));
    db_reset(st);
    REQUIRE(db_begin(db, DB_WRITE) == DB_OK);
    db_bind_text(st, 1, "in the transaction");
    CHECK_EQ(db_step(st), DB_DONE);
    db_reset(st);
    db_bind_text(st, 1, "committed");
    CHECK_EQ(db_step(st), DB_DUPLICATE);
    db_finalize(st);
    db_rollback(db);
    CHECK(!db_in_transaction(db));
    CHECK_EQ(query_int(db, "SELECT count(*) FROM t WHERE id = ?1", "in the transaction"), 0);
    /* What store.c writes for an insert that may be there: no error on either backend. */
    CHECK_EQ(exec_ok(db, "INSERT INTO t(id) VALUES('committed') ON CONFLICT DO NOTHING"), DB_OK);

    /* Other errors are DB_ERROR with one line, wherever they show (PostgreSQL: at the step). */
    st = NULL;
    int rc = db_prepare(db, "SELEC nonsense FROM t", &st);
    if (rc == DB_OK)
        rc = db_step(st);
    db_finalize(st);
    CHECK_EQ(rc, DB_ERROR);
    CHECK(one_line(db_errmsg(db)));
    CHECK_EQ(db_exec(db, "INSERT INTO nothere VALUES(1)"), DB_ERROR);
    CHECK(one_line(db_errmsg(db)));

    /* A read transaction and a script of several statements. */
    REQUIRE(db_begin(db, DB_READ) == DB_OK);
    CHECK_EQ(query_int(db, "SELECT count(*) FROM t WHERE id = ?1", "committed"), 1);
    CHECK_EQ(db_commit(db), DB_OK);
    CHECK_EQ(exec_ok(db, "CREATE TABLE u(a TEXT); INSERT INTO u VALUES('x');"
                         " INSERT INTO u VALUES('y')"),
             DB_OK);
    CHECK_EQ(query_int(db, "SELECT count(*) FROM u", NULL), 2);
}

/* Two processes, each adding 1 to a counter 20 times by reading it and writing it back a
 * moment later, in DB_WRITE transactions: writers take turns, so no addition is lost. */
static void
test_writers_take_turns(const char *target) {
    struct db *db = open_ok(target);
    REQUIRE(exec_ok(db, "CREATE TABLE counter(k TEXT PRIMARY KEY, v BIGINT);"
                        " INSERT INTO counter VALUES('n', 0)") == DB_OK);
    db_close(db);
    pid_t kids[2];
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        REQUIRE(kids[k] >= 0);
        if (kids[k] > 0)
            continue;
        struct db *c = open_ok(target);
        int bad = 0;
        for (int i = 0; i < 20 && !bad; i++) {
            if (db_begin(c, DB_WRITE) != DB_OK) {
                bad = 1;
                break;
            }
            struct db_stmt *st;
            bad = db_prepare(c, "SELECT v FROM counter WHERE k = 'n'", &st) != DB_OK ||
                  db_step(st) != DB_ROW;
            int64_t v = bad ? 0 : db_column_int64(st, 0);
            db_finalize(st);
            usleep(2000);
            bad = bad || db_prepare(c, "UPDATE counter SET v = ?1 WHERE k = 'n'", &st) != DB_OK;
            if (!bad) {
                db_bind_int64(st, 1, v + 1);
                bad = db_step(st) != DB_DONE;
                db_finalize(st);
            }
            bad = bad || db_commit(c) != DB_OK;
        }
        if (bad)
            fprintf(stderr, "writer %d: %s\n", k, db_errmsg(c));
        db_close(c);
        _exit(bad);
    }
    for (int k = 0; k < 2; k++) {
        int status;
        REQUIRE(waitpid(kids[k], &status, 0) == kids[k]);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    db = open_ok(target);
    CHECK_EQ(query_int(db, "SELECT v FROM counter WHERE k = 'n'", NULL), 40);
    db_close(db);
}

static double
now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A writer that holds its transaction: another gives up after its busy timeout with DB_BUSY,
 * and gets through once the first is done. */
static void
test_busy(const char *target) {
    int locked[2], done[2];
    REQUIRE(pipe(locked) == 0 && pipe(done) == 0);
    pid_t kid = fork();
    REQUIRE(kid >= 0);
    if (kid == 0) {
        struct db *c = open_ok(target);
        int bad = db_begin(c, DB_WRITE) != DB_OK ||
                  db_exec(c, "UPDATE counter SET v = v + 1 WHERE k = 'n'") != DB_OK;
        char byte = 'x';
        bad |= write(locked[1], &byte, 1) != 1;
        bad |= read(done[0], &byte, 1) != 1;
        db_rollback(c);
        db_close(c);
        _exit(bad);
    }
    char byte;
    REQUIRE(read(locked[0], &byte, 1) == 1);
    struct db *db = open_ok(target);
    REQUIRE(db_busy_timeout(db, 300) == DB_OK);
    double t0 = now_s();
    CHECK_EQ(db_begin(db, DB_WRITE), DB_BUSY);
    double waited = now_s() - t0;
    CHECK(waited > 0.2 && waited < 30);
    CHECK(one_line(db_errmsg(db)));
    CHECK(!db_in_transaction(db));
    REQUIRE(write(done[1], "x", 1) == 1);
    int status;
    REQUIRE(waitpid(kid, &status, 0) == kid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    REQUIRE(db_busy_timeout(db, 60000) == DB_OK);
    CHECK_EQ(db_begin(db, DB_WRITE), DB_OK);
    db_rollback(db);
    db_close(db);
    close(locked[0]);
    close(locked[1]);
    close(done[0]);
    close(done[1]);
}

static void
suite(const char *target) {
    struct db *db = open_ok(target);
    CHECK_EQ(db_backend(db), pg ? DB_POSTGRESQL : DB_SQLITE);
    CHECK(strstr(db_name(db), "postgresql://") != NULL || !pg);
    if (pg) /* the fixture's database is made once per ctest run: empty it */
        REQUIRE(exec_ok(db, "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public") == DB_OK);
    test_catalog(db);
    test_values(db);
    test_blobs(db);
    test_transactions(db);
    db_close(db);
    test_writers_take_turns(target);
    test_busy(target);
}

/* --- the text helpers and what needs no server ------------------------------------------ */

static void
check_dollar(const char *sql, const char *want, int want_n) {
    int n = -1;
    char *got = db_sql_dollar(sql, &n);
    if (!CHECK(got != NULL))
        return;
    if (strcmp(got, want) != 0 || n != want_n)
        fprintf(stderr, "db_sql_dollar(%s) = %s (%d), want %s (%d)\n", sql, got, n, want, want_n);
    CHECK(strcmp(got, want) == 0 && n == want_n);
    free(got);
}

static void
check_redact(const char *url, const char *want) {
    char *got = db_url_redact(url);
    if (!CHECK(got != NULL))
        return;
    if (strcmp(got, want) != 0)
        fprintf(stderr, "db_url_redact(%s) = %s, want %s\n", url, got, want);
    CHECK_STR(got, want);
    free(got);
}

static void
test_text(void) {
    check_dollar("SELECT 1", "SELECT 1", 0);
    check_dollar("VALUES(?, ?, ?)", "VALUES($1, $2, $3)", 3);
    check_dollar("a = ?2 AND b = ? AND c = ?1", "a = $2 AND b = $3 AND c = $1", 3);
    check_dollar("x = ?12", "x = $12", 12);
    check_dollar("'it''s ?' || ? || \"a?\"\"b\" -- ?\n?", "'it''s ?' || $1 || \"a?\"\"b\" -- ?\n$2",
                 2);
    check_dollar("/* ? */ ? /* unterminated ?", "/* ? */ $1 /* unterminated ?", 1);
    int n;
    CHECK(db_sql_dollar("x = ?40000", &n) == NULL);

    check_redact("postgresql://u:secret@host:5432/db", "postgresql://u@host:5432/db");
    check_redact("postgres://u@host/db", "postgres://u@host/db");
    check_redact("postgresql:///db?host=%2Ftmp&password=secret&user=u",
                 "postgresql:///db?host=%2Ftmp&user=u");
    check_redact("postgresql://u:s@h/db?password=secret", "postgresql://u@h/db");
    check_redact("postgresql://h/db?a=1&password=x", "postgresql://h/db?a=1");
    check_redact("postgresql://h/db?x=@:y", "postgresql://h/db?x=@:y");

    char line[32];
    db_one_line(line, sizeof line, "  ERROR:\n\tsomething\n  went wrong \n");
    CHECK_STR(line, "ERROR: something went wrong");
    db_one_line(line, 8, "abcdefghijk");
    CHECK_STR(line, "abcdefg");

    CHECK(db_is_postgresql("postgresql://h/db") && db_is_postgresql("postgres:///db"));
    CHECK(!db_is_postgresql("results/chanbench.sqlite") && !db_is_postgresql("postgresql:x"));
}

/* A server that is not there, a URL libpq cannot read, or no PostgreSQL in this build: one
 * line, the password never in it. */
static void
test_cannot_connect(const char *scratch) {
    char url[512], err[1024] = "";
    snprintf(url, sizeof url,
             "postgresql://alice:s3cret@/store?host=%s/nosuchdir&password=other&connect_timeout=5",
             scratch);
    struct db *db = (struct db *)1;
    int code = db_open(url, true, &db, err, sizeof err);
    CHECK(db == NULL);
    CHECK(one_line(err));
    CHECK(strstr(err, "s3cret") == NULL && strstr(err, "other") == NULL);
    CHECK(strstr(err, "postgresql://alice@/store") != NULL);
    if (db_postgresql_built()) {
        CHECK_EQ(code, 1);
        CHECK(strstr(err, "cannot connect to PostgreSQL") != NULL);
        CHECK(strstr(err, "start the server") != NULL);
        code = db_open("postgresql://h/db?nonsense_parameter=1", true, &db, err, sizeof err);
        CHECK_EQ(code, 2);
        CHECK(one_line(err) && strstr(err, "not a PostgreSQL URL") != NULL);
    } else {
        CHECK_EQ(code, 2);
        CHECK(strstr(err, "built without PostgreSQL") != NULL);
    }
    if (strstr(err, "\n") != NULL || err[0] == '\0')
        fprintf(stderr, "error: %s\n", err);
}

/* A file that is not an SQLite database: opened (SQLite reads lazily), then DB_DAMAGED. */
static void
test_not_a_database(const char *scratch) {
    char path[256];
    snprintf(path, sizeof path, "%s/garbage.sqlite", scratch);
    FILE *fp = fopen(path, "wb");
    REQUIRE(fp != NULL);
    for (int i = 0; i < 256; i++)
        fputs("this is not a database ", fp);
    REQUIRE(fclose(fp) == 0);
    struct db *db = open_ok(path);
    int64_t n;
    bool has;
    CHECK_EQ(db_catalog(db, "meta", &n, &has), DB_DAMAGED);
    CHECK(one_line(db_errmsg(db)));
    db_close(db);
}

int
main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--postgresql") == 0) {
        char url[1024];
        int code = pg_fixture_url("db_test", argv[2], url, sizeof url);
        if (code != 0)
            return code;
        pg = true;
        printf("db_test: PostgreSQL, %s\n", url);
        suite(url);
        return check_result("db_test (PostgreSQL)");
    }
    if (argc != 1) {
        fprintf(stderr, "usage: bench_db_test [--postgresql DATABASE]\n");
        return 2;
    }
    char dir[] = "/tmp/db_test_XXXXXX", path[256];
    REQUIRE(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/db.sqlite", dir);
    test_text();
    test_cannot_connect(dir);
    test_not_a_database(dir);
    suite(path);
    int rc = check_result("db_test (SQLite)");
    if (rc == 0) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "db_test: could not remove %s\n", dir);
    }
    return rc;
}
