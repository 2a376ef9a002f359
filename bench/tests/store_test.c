/* SPDX-License-Identifier: MIT */
/* The results store (store/store.c): the schema made and migrated from empty, import and
 * export byte for byte, duplicates, an interrupted run replaced by its complete file (or a
 * larger part of it), stores that are corrupt, foreign or of a newer schema refused and left
 * byte for byte as they were, several processes importing at once, what list and machines
 * print, recording for chanbench run, a benchmark's history and the check of a run against a
 * baseline.
 *
 *   bench_store_test                    on SQLite, each store a file in a scratch folder
 *   bench_store_test --postgresql DB    the same on PostgreSQL: database DB of the ctest
 *                                       fixture's scratch server (tests/pg_fixture.h), each
 *                                       store a schema of its own; skipped (77) without one
 *
 * What only a file can be (an empty file, pages overwritten, a journal beside it) is checked
 * on SQLite alone; what only a server can be (an empty database standing for a missing file)
 * on PostgreSQL alone. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "db.h"
#include "pg_fixture.h"
#include "results.h"
#include "stats.h"
#include "store.h"

#define DATA CHANBENCH_SOURCE_DIR "/bench/tests/data/"
#define REF CHANBENCH_SOURCE_DIR "/results/reference/vm-2vcpu-epyc/"

static char dir[64];

/* The fixture database's URL on PostgreSQL; NULL on SQLite. */
static const char *pg_url;

/* A path in the test's scratch folder (one of a few static buffers). */
static const char *
scratch(const char *name) {
    static char bufs[8][128];
    static int next;
    char *b = bufs[next++ % 8];
    snprintf(b, sizeof bufs[0], "%s/%s", dir, name);
    return b;
}

/* The whole file (NUL-terminated, malloc'd), its length in *len. */
static char *
slurp(const char *path, size_t *len) {
    FILE *fp = fopen(path, "rb");
    REQUIRE(fp != NULL);
    REQUIRE(fseek(fp, 0, SEEK_END) == 0);
    long n = ftell(fp);
    REQUIRE(n >= 0);
    rewind(fp);
    char *b = malloc((size_t)n + 1);
    REQUIRE(b != NULL);
    REQUIRE(fread(b, 1, (size_t)n, fp) == (size_t)n);
    fclose(fp);
    b[n] = '\0';
    *len = (size_t)n;
    return b;
}

static void
spit(const char *path, const char *bytes, size_t len) {
    FILE *fp = fopen(path, "wb");
    REQUIRE(fp != NULL);
    REQUIRE(fwrite(bytes, 1, len, fp) == len);
    REQUIRE(fclose(fp) == 0);
}

/* A connection to a store's database, beside the store's own (store/db.h). */
static struct db *
raw_open(const char *target) {
    struct db *db;
    char err[1024];
    int code = db_open(target, true, &db, err, sizeof err);
    if (code != 0)
        fprintf(stderr, "%s\n", err);
    REQUIRE(code == 0);
    return db;
}

/* One integer from a query on the store, beside it. */
static long long
query_int(const char *target, const char *sql) {
    struct db *db = raw_open(target);
    struct db_stmt *st;
    REQUIRE(db_prepare(db, sql, &st) == DB_OK);
    int rc = db_step(st);
    if (rc != DB_ROW)
        fprintf(stderr, "%s: %s\n", sql, db_errmsg(db));
    REQUIRE(rc == DB_ROW);
    long long v = db_column_int64(st, 0);
    db_finalize(st);
    db_close(db);
    return v;
}

static void
exec_sql(const char *target, const char *sql) {
    struct db *db = raw_open(target);
    int rc = db_exec(db, sql);
    if (rc != DB_OK)
        fprintf(stderr, "%s: %s\n", sql, db_errmsg(db));
    REQUIRE(rc == DB_OK);
    db_close(db);
}

/* How many objects the store's namespace holds, and whether table is one. */
static int64_t
catalog(const char *target, const char *table, bool *has) {
    struct db *db = raw_open(target);
    int64_t n;
    bool h;
    REQUIRE(db_catalog(db, table, &n, &h) == DB_OK);
    db_close(db);
    if (has != NULL)
        *has = h;
    return n;
}

/* A new, empty store called name: on SQLite the file name in the scratch folder (not made);
 * on PostgreSQL the schema made from name ('/' and '.' as '_', ".sqlite" dropped), emptied,
 * in the URL as the schema unqualified names go to. */
static const char *
store_at(const char *name) {
    if (pg_url == NULL)
        return scratch(name);
    static char urls[8][1024];
    static int next;
    char schema[64];
    size_t k = 0;
    for (const char *p = name; *p != '\0' && strcmp(p, ".sqlite") != 0 && k + 1 < sizeof schema;
         p++)
        schema[k++] = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ? *p : '_';
    schema[k] = '\0';
    char sql[256];
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS \"%s\" CASCADE; CREATE SCHEMA \"%s\"", schema,
             schema);
    exec_sql(pg_url, sql);
    char *u = urls[next++ % 8];
    snprintf(u, sizeof urls[0], "%s&options=-csearch_path%%3D%s", pg_url, schema);
    return u;
}

/* Import path; returns what happened (the call must succeed). */
static enum store_import
import_ok(struct store *s, const char *path) {
    enum store_import what;
    char id[STORE_ID_LEN], err[1024] = "";
    int code = store_import(s, path, &what, id, err, sizeof err);
    if (code != 0)
        fprintf(stderr, "import %s: %s\n", path, err);
    REQUIRE(code == 0);
    return what;
}

/* store_open(path) must be refused with status 2 and a one-line error holding want, and the
 * store left as it was: on SQLite the file byte for byte, with no journal left beside it; on
 * PostgreSQL the objects of its schema, and what meta says. */
static void
expect_refused(const char *path, bool create, const char *want) {
    size_t n0 = 0, n1 = 0;
    char *before = NULL, *after = NULL;
    bool has_meta = false;
    int64_t nobj = 0;
    long long version = 0;
    if (pg_url == NULL) {
        before = slurp(path, &n0);
    } else {
        nobj = catalog(path, "meta", &has_meta);
        if (has_meta)
            version = query_int(path, "SELECT CAST(value AS BIGINT) FROM meta");
    }
    struct store *s = (struct store *)1;
    char err[1024] = "";
    CHECK_EQ(store_open(path, create, &s, err, sizeof err), 2);
    CHECK(s == NULL);
    if (strstr(err, want) == NULL || strchr(err, '\n') != NULL)
        fprintf(stderr, "refusal of %s: \"%s\", want \"%s\"\n", path, err, want);
    CHECK(strstr(err, want) != NULL && strchr(err, '\n') == NULL);
    if (pg_url != NULL) {
        bool has_now;
        CHECK_EQ(catalog(path, "meta", &has_now), nobj);
        CHECK(has_now == has_meta);
        if (has_meta)
            CHECK_EQ(query_int(path, "SELECT CAST(value AS BIGINT) FROM meta"), version);
        return;
    }
    after = slurp(path, &n1);
    CHECK(n0 == n1 && memcmp(before, after, n0) == 0);
    char journal[256];
    snprintf(journal, sizeof journal, "%s-journal", path);
    CHECK(access(journal, F_OK) != 0);
    free(before);
    free(after);
}

/* The tables of a store. */
static void
check_tables(const char *db) {
    static const char *const tables[] = {"meta", "machines", "runs", "rows", "ratios"};
    for (size_t i = 0; i < 5; i++) {
        bool has;
        catalog(db, tables[i], &has);
        if (!has)
            fprintf(stderr, "no table %s in %s\n", tables[i], db);
        CHECK(has);
    }
}

static void
test_schema(void) {
    const char *db = store_at("schema.sqlite");
    struct store *s;
    char err[1024];
    /* Without create a missing store is refused, and not made; on a server an empty database
     * (here: schema) stands for the missing file. */
    CHECK_EQ(store_open(db, false, &s, err, sizeof err), 2);
    CHECK(strstr(err, "no results store there") != NULL);
    if (pg_url == NULL)
        CHECK(access(db, F_OK) != 0);
    else
        CHECK_EQ(catalog(db, "meta", NULL), 0);
    REQUIRE(store_open(db, true, &s, err, sizeof err) == 0);
    store_close(s);
    CHECK_EQ(query_int(db, "SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'schema_version'"),
             STORE_SCHEMA_VERSION);
    if (pg_url == NULL) /* an integer, as every chanbench before wrote and reads it */
        CHECK_EQ(query_int(db, "SELECT typeof(value) = 'integer' FROM meta"), 1);
    check_tables(db);
    /* Opened again: nothing to migrate, the version stays. */
    REQUIRE(store_open(db, false, &s, err, sizeof err) == 0);
    store_close(s);
    CHECK_EQ(query_int(db, "SELECT count(*) FROM meta"), 1);
    if (pg_url != NULL)
        return;

    /* Schema 0 is an empty database, as an empty file or a header without tables: migrated. */
    const char *empty = scratch("empty.sqlite");
    spit(empty, "", 0);
    REQUIRE(store_open(empty, false, &s, err, sizeof err) == 0);
    store_close(s);
    CHECK_EQ(query_int(empty, "SELECT value FROM meta WHERE key = 'schema_version'"),
             STORE_SCHEMA_VERSION);
    const char *bare = scratch("bare.sqlite");
    exec_sql(bare, "PRAGMA user_version = 7");
    REQUIRE(store_open(bare, false, &s, err, sizeof err) == 0);
    store_close(s);
    CHECK_EQ(query_int(bare, "SELECT value FROM meta WHERE key = 'schema_version'"),
             STORE_SCHEMA_VERSION);
}

static void
test_roundtrip(void) {
    const char *db = store_at("trip.sqlite");
    struct store *s;
    char err[1024];
    REQUIRE(store_open(db, true, &s, err, sizeof err) == 0);
    const char *files[] = {DATA "alpha-base.json", DATA "beta.json", REF "run-a.json"};
    for (size_t i = 0; i < 3; i++)
        CHECK_EQ(import_ok(s, files[i]), STORE_IMPORTED);
    /* The same run again, and a copy of it under another name: one run, refused. */
    CHECK_EQ(import_ok(s, DATA "alpha-base.json"), STORE_DUPLICATE);
    size_t n;
    char *bytes = slurp(DATA "alpha-base.json", &n);
    spit(scratch("copy.json"), bytes, n);
    enum store_import what;
    char id[STORE_ID_LEN];
    CHECK_EQ(store_import(s, scratch("copy.json"), &what, id, err, sizeof err), 0);
    CHECK_EQ(what, STORE_DUPLICATE);
    CHECK(strstr(err, "already in the store; skipped") != NULL);
    free(bytes);
    CHECK_EQ(query_int(db, "SELECT count(*) FROM runs"), 3);

    /* A file that does not load is bad input (2) and leaves nothing behind. */
    CHECK_EQ(store_import(s, DATA "truncated.json", &what, id, err, sizeof err), 2);
    CHECK(strstr(err, "truncated.json") != NULL);
    CHECK_EQ(store_import(s, DATA, &what, id, err, sizeof err), 2);
    CHECK(strstr(err, "is a folder") != NULL);
    CHECK_EQ(query_int(db, "SELECT count(*) FROM runs"), 3);

    /* Every iteration row the loader reads is a row of the table. */
    for (size_t i = 0; i < 3; i++) {
        struct result_file f;
        REQUIRE(results_load(files[i], &f, err, sizeof err) == 0);
        size_t nrows = 0;
        for (size_t b = 0; b < f.nbenches; b++)
            nrows += f.benches[b].nreps;
        char sql[512];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM rows r JOIN runs u ON u.id = r.run_id"
                 " JOIN machines m ON m.id = u.machine_id WHERE m.host = '%s' AND u.date = '%s'",
                 results_context_str(&f, "host_name"), results_context_str(&f, "date"));
        CHECK_EQ(query_int(db, sql), nrows);
        results_free(&f);
    }
    CHECK_EQ(query_int(db, "SELECT count(*) FROM machines"), 3);
    CHECK_EQ(query_int(db, "SELECT count(*) FROM rows WHERE impl = 'goc' AND benchmark ="
                           " 'chan/spsc/cap=1024/size=8' AND real_ns > 0"),
             query_int(db, "SELECT count(*) FROM rows WHERE name ="
                           " 'chan/spsc/cap=1024/size=8/impl=goc'"));

    /* Export gives back the exact bytes, by full id or a prefix. */
    for (size_t i = 0; i < 3; i++) {
        struct store *t;
        REQUIRE(store_open(db, false, &t, err, sizeof err) == 0);
        REQUIRE(store_import(t, files[i], &what, id, err, sizeof err) == 0);
        CHECK_EQ(what, STORE_DUPLICATE);
        char *got, prefix[8], full[STORE_ID_LEN];
        size_t glen, wlen;
        snprintf(prefix, sizeof prefix, "%.6s", id);
        REQUIRE(store_run_bytes(t, i == 0 ? id : prefix, &got, &glen, full, err, sizeof err) == 0);
        CHECK_STR(full, id);
        char *want = slurp(files[i], &wlen);
        CHECK(glen == wlen && memcmp(got, want, wlen) == 0);
        free(got);
        free(want);
        store_close(t);
    }
    /* References, as compare takes them after '@': the run loads as its file does. */
    static const char *const refs[] = {"alpha", "commit:a1b2c3d4", "vm", "beta"};
    static const char *const want_of[] = {DATA "alpha-base.json", DATA "alpha-base.json",
                                          REF "run-a.json", DATA "beta.json"};
    for (size_t i = 0; i < 4; i++) {
        struct result_file a, b;
        if (store_load_ref(s, refs[i], &a, err, sizeof err) != 0)
            fprintf(stderr, "@%s: %s\n", refs[i], err);
        REQUIRE(results_load(want_of[i], &b, err, sizeof err) == 0);
        CHECK(a.root != NULL && json_equal(a.root, b.root));
        CHECK_EQ(a.nbenches, b.nbenches);
        CHECK(a.path != NULL && strncmp(a.path, "@", 1) == 0);
        results_free(&a);
        results_free(&b);
    }
    struct result_file none;
    CHECK_EQ(store_load_ref(s, "gamma", &none, err, sizeof err), 2);
    CHECK(strstr(err, "@gamma: no machine of that host name") != NULL);
    CHECK_EQ(store_load_ref(s, "commit:ffff", &none, err, sizeof err), 2);
    results_free(&none);

    char *got;
    size_t glen;
    CHECK_EQ(store_run_bytes(s, "0000000000000000", &got, &glen, id, err, sizeof err), 2);
    CHECK(strstr(err, "no run 0000000000000000") != NULL);
    CHECK_EQ(store_run_bytes(s, "xyz", &got, &glen, id, err, sizeof err), 2);
    CHECK(strstr(err, "is not a run id") != NULL);
    store_close(s);
}

/* A copy of alpha-base.json with context.chanbench changed by set (complete, paired). */
static const char *
variant(const char *name, json_t *complete, json_t *paired) {
    json_error_t je;
    json_t *root = json_load_file(DATA "alpha-base.json", 0, &je);
    REQUIRE(root != NULL);
    json_t *cb = json_object_get(json_object_get(root, "context"), "chanbench");
    if (complete != NULL)
        json_object_set_new(cb, "complete", complete);
    if (paired != NULL)
        json_object_set_new(cb, "paired", paired);
    const char *path = scratch(name);
    REQUIRE(json_dump_file(root, path, JSON_INDENT(2)) == 0);
    json_decref(root);
    return path;
}

static void
test_interrupted_then_resumed(void) {
    const char *db = store_at("resume.sqlite");
    struct store *s;
    char err[1024];
    REQUIRE(store_open(db, true, &s, err, sizeof err) == 0);
    const char *partial = variant("partial.json", json_false(), NULL);
    CHECK_EQ(import_ok(s, partial), STORE_IMPORTED);
    CHECK_EQ(import_ok(s, partial), STORE_DUPLICATE);
    CHECK_EQ(query_int(db, "SELECT complete FROM runs"), 0);
    /* The complete file of the same run replaces it; then it is a duplicate like any. */
    CHECK_EQ(import_ok(s, DATA "alpha-base.json"), STORE_REPLACED);
    CHECK_EQ(import_ok(s, partial), STORE_DUPLICATE);
    CHECK_EQ(query_int(db, "SELECT count(*) FROM runs WHERE complete = 1"), 1);
    CHECK_EQ(query_int(db, "SELECT count(*) FROM runs"), 1);
    store_close(s);
}

/* list and machines into a string. */
static char *
print_to_string(struct store *s, int (*fn)(struct store *, FILE *, char *, size_t)) {
    char *text = NULL, err[1024];
    size_t len = 0;
    FILE *o = open_memstream(&text, &len);
    REQUIRE(o != NULL);
    int code = fn(s, o, err, sizeof err);
    fclose(o);
    if (code != 0)
        fprintf(stderr, "%s\n", err);
    CHECK_EQ(code, 0);
    return text;
}

static void
require_text(const char *text, const char *want) {
    if (strstr(text, want) == NULL)
        fprintf(stderr, "want \"%s\" in:\n%s\n", want, text);
    CHECK(strstr(text, want) != NULL);
}

static void
test_list_and_machines(void) {
    const char *db = store_at("print.sqlite");
    struct store *s;
    char err[1024];
    REQUIRE(store_open(db, true, &s, err, sizeof err) == 0);
    CHECK_EQ(store_machines(s, stdout, err, sizeof err), 2);
    CHECK(strstr(err, "no runs in the store") != NULL);

    json_t *paired = json_pack(
        "[{s:s, s:s, s:s, s:s, s:s, s:f, s:[f, f], s:i},"
        " {s:s, s:s, s:s, s:s, s:s, s:f, s:[f, f], s:i}]",
        "benchmark", "chan/spsc/cap=1024/size=8", "numerator", "goc", "denominator", "go", "metric",
        "real_time", "mode", "all", "ratio", 0.375, "ci", 0.25, 0.5, "rounds", 8, "benchmark",
        "chan/spsc/cap=1024/size=8", "numerator", "goc", "denominator", "go", "metric", "cpu_time",
        "mode", "all", "ratio", 9.0, "ci", 8.0, 10.0, "rounds", 8);
    REQUIRE(paired != NULL);
    CHECK_EQ(import_ok(s, variant("paired.json", NULL, paired)), STORE_IMPORTED);
    CHECK_EQ(import_ok(s, DATA "beta.json"), STORE_IMPORTED);
    CHECK_EQ(query_int(db, "SELECT count(*) FROM ratios"), 2);

    char *text = print_to_string(s, store_list);
    require_text(text, "machines:");
    require_text(text, "runs:");
    require_text(text, "Intel(R) Xeon(R) CPU @ 2.20GHz");
    require_text(text, "AMD EPYC 7B13 64-Core Processor");
    require_text(text, "1/8/16");
    require_text(text, "a1b2c3d4e5f6");
    require_text(text, "2024-06-02T12:00:00Z");
    CHECK(strstr(text, "machines:") < strstr(text, "runs:"));
    free(text);

    text = print_to_string(s, store_machines);
    require_text(text, "alpha");
    require_text(text, "beta");
    /* A benchmark's cell is its median over the machine's floor (chan/ by the ring's
     * 9 ns, chan/pingpong by the 60 ns round trip on alpha), as compare --normalize does. */
    struct result_file f;
    REQUIRE(results_load(DATA "alpha-base.json", &f, err, sizeof err) == 0);
    static const char *const names[] = {"chan/spsc/cap=1024/size=8/impl=goc",
                                        "chan/pingpong/cap=0/impl=goc"};
    static const double floors[] = {9.0, 60.0};
    for (size_t k = 0; k < 2; k++) {
        const struct result_bench *b = results_find(&f, names[k]);
        REQUIRE(b != NULL);
        char want[128];
        snprintf(want, sizeof want, " %.3g ", stats_median(b->real_time, b->nreps) / floors[k]);
        const char *line = strstr(text, names[k]);
        REQUIRE(line != NULL);
        size_t len = strcspn(line, "\n");
        char row[512];
        snprintf(row, sizeof row, "%.*s", (int)len, line);
        if (strstr(row, want) == NULL)
            fprintf(stderr, "want \"%s\" in \"%s\"\n", want, row);
        CHECK(strstr(row, want) != NULL);
    }
    results_free(&f);
    /* lock/ rows have no floor: left out, and counted. */
    CHECK(strstr(text, "\nlock/mutex/") == NULL);
    require_text(text, "have no floor");
    /* The wall-time ratio against go, with its interval; not the cpu_time one. */
    require_text(text, "chan/spsc/cap=1024/size=8 goc/go");
    require_text(text, "0.375 [0.25, 0.5]");
    CHECK(strstr(text, "9 [8, 10]") == NULL);
    free(text);
    store_close(s);
}

static void
test_refused_stores(void) {
    /* Someone else's database (PostgreSQL: schema) with tables of its own. */
    const char *foreign = store_at("foreign.sqlite");
    exec_sql(foreign, "CREATE TABLE t(x BIGINT); INSERT INTO t VALUES(1)");
    expect_refused(foreign, true, "not a chanbench results store");

    /* A store of a newer schema. */
    const char *newer = store_at("newer.sqlite");
    struct store *s;
    char err[1024];
    REQUIRE(store_open(newer, true, &s, err, sizeof err) == 0);
    REQUIRE(import_ok(s, DATA "alpha-few.json") == STORE_IMPORTED);
    store_close(s);
    exec_sql(newer, pg_url != NULL ? "UPDATE meta SET value = '99' WHERE key = 'schema_version'"
                                   : "UPDATE meta SET value = 99 WHERE key = 'schema_version'");
    expect_refused(newer, true, "store schema 99 is newer");
    if (pg_url != NULL)
        return;

    /* Not a database at all. */
    const char *junk = scratch("junk.sqlite");
    char text[8192];
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = (char)('a' + i % 26);
    spit(junk, text, sizeof text);
    expect_refused(junk, true, "not a usable results store");
    expect_refused(junk, false, "not a usable results store");

    /* A store whose pages past the first are overwritten: it opens (the schema is on page
     * one), but every query and import is refused with 2 and the file stays as it is. */
    const char *broken = scratch("broken.sqlite");
    REQUIRE(store_open(broken, true, &s, err, sizeof err) == 0);
    REQUIRE(import_ok(s, DATA "alpha-few.json") == STORE_IMPORTED);
    store_close(s);
    size_t n0, n1;
    char *bytes = slurp(broken, &n0);
    long long page = query_int(broken, "PRAGMA page_size");
    REQUIRE((size_t)page < n0);
    memset(bytes + page, 0xa5, n0 - (size_t)page);
    spit(broken, bytes, n0);
    if (store_open(broken, false, &s, err, sizeof err) == 0) {
        CHECK_EQ(store_list(s, stdout, err, sizeof err), 2);
        CHECK(strstr(err, "not a usable results store") != NULL);
        enum store_import what;
        char id[STORE_ID_LEN];
        CHECK_EQ(store_import(s, DATA "beta.json", &what, id, err, sizeof err), 2);
        store_close(s);
    } else {
        CHECK(strstr(err, "not a usable results store") != NULL);
    }
    char *after = slurp(broken, &n1);
    CHECK(n0 == n1 && memcmp(bytes, after, n0) == 0);
    free(bytes);
    free(after);
}

/* Several processes import different files into one store at the same moment (released
 * together through a pipe): every run lands. Without the busy timeout all but one fail. */
static void
test_concurrent_imports(void) {
    const char *db = store_at("concurrent.sqlite");
    static const char *const files[] = {DATA "alpha-base.json", DATA "beta.json", REF "run-a.json",
                                        REF "run-b.json"};
    enum { N = sizeof files / sizeof files[0] };
    int go[2];
    REQUIRE(pipe(go) == 0);
    pid_t pids[N];
    for (int i = 0; i < N; i++) {
        pids[i] = fork();
        REQUIRE(pids[i] >= 0);
        if (pids[i] == 0) {
            close(go[1]);
            char c;
            if (read(go[0], &c, 1) != 0) /* EOF: the parent released everyone */
                _exit(3);
            char err[1024];
            int code = store_record_file(db, files[i], NULL, NULL, err, sizeof err);
            if (code != 0)
                fprintf(stderr, "child %d: %s\n", i, err);
            _exit(code);
        }
    }
    close(go[0]);
    close(go[1]);
    for (int i = 0; i < N; i++) {
        int status;
        REQUIRE(waitpid(pids[i], &status, 0) == pids[i]);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    CHECK_EQ(query_int(db, "SELECT count(*) FROM runs"), N);
    CHECK_EQ(query_int(db, "SELECT count(*) FROM meta"), 1);
    /* Recording a run that is there already is not an error. */
    char err[1024];
    CHECK_EQ(store_record_file(db, files[0], NULL, NULL, err, sizeof err), 0);
    CHECK_EQ(query_int(db, "SELECT count(*) FROM runs"), N);
}

/* alpha-base.json as another run (start date date): every row's times multiplied by scale, its
 * benchmarks cut to the first keep rows (0: all), complete or not. */
static const char *
rerun(const char *name, const char *date, double scale, size_t keep, bool complete) {
    json_error_t je;
    json_t *root = json_load_file(DATA "alpha-base.json", 0, &je);
    REQUIRE(root != NULL);
    json_t *ctx = json_object_get(root, "context");
    json_object_set_new(ctx, "date", json_string(date));
    json_object_set_new(json_object_get(ctx, "chanbench"), "complete", json_boolean(complete));
    json_t *rows = json_object_get(root, "benchmarks");
    if (keep > 0)
        while (json_array_size(rows) > keep)
            json_array_remove(rows, json_array_size(rows) - 1);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        static const char *const keys[] = {"real_time", "cpu_time"};
        for (size_t k = 0; k < 2; k++) {
            json_t *v = json_object_get(row, keys[k]);
            if (json_is_number(v))
                json_object_set_new(row, keys[k], json_real(json_number_value(v) * scale));
        }
    }
    const char *path = scratch(name);
    REQUIRE(json_dump_file(root, path, JSON_COMPACT) == 0);
    json_decref(root);
    return path;
}

/* What chanbench run uses: the store and its folder made, the run's id given back, a run
 * recorded twice is there once, and a store whose folder cannot be made is an error (1). */
static void
test_record_file(void) {
    const char *db = store_at("made/for/the/store/runs.sqlite");
    char err[1024], id[STORE_ID_LEN] = "", again[STORE_ID_LEN] = "";
    enum store_import what;
    CHECK_EQ(store_record_file(db, DATA "alpha-base.json", &what, id, err, sizeof err), 0);
    CHECK_EQ(what, STORE_IMPORTED);
    CHECK_EQ(strlen(id), STORE_ID_LEN - 1);
    CHECK_EQ(strspn(id, "0123456789abcdef"), STORE_ID_LEN - 1);
    CHECK_EQ(store_record_file(db, DATA "alpha-base.json", &what, again, err, sizeof err), 0);
    CHECK_EQ(what, STORE_DUPLICATE);
    CHECK_STR(again, id);
    CHECK_EQ(query_int(db, "SELECT count(*) FROM runs"), 1);
    /* Under a regular file no folder can be made. */
    const char *file = scratch("a-file");
    spit(file, "x", 1);
    char under[256];
    snprintf(under, sizeof under, "%s/store/runs.sqlite", file);
    CHECK_EQ(store_record_file(under, DATA "alpha-base.json", NULL, NULL, err, sizeof err), 1);
    CHECK(strstr(err, "cannot create the store's folder") != NULL);
    /* A results file that does not load is bad input, and the store is left as it was. */
    CHECK_EQ(store_record_file(db, DATA "truncated.json", NULL, NULL, err, sizeof err), 2);
    CHECK_EQ(query_int(db, "SELECT count(*) FROM runs"), 1);
}

/* An interrupted run recorded by chanbench run gives way to more of itself: the file of a
 * --resume interrupted again (more rows), then the complete file; never to less. */
static void
test_interrupted_grows(void) {
    const char *db = store_at("grows.sqlite");
    const char *date = "2024-07-01T10:00:00Z";
    const char *part1 = rerun("part1.json", date, 1.0, 100, false);
    const char *part2 = rerun("part2.json", date, 1.0, 300, false);
    const char *whole = rerun("whole.json", date, 1.0, 0, true);
    struct store *s;
    char err[1024];
    REQUIRE(store_open(db, true, &s, err, sizeof err) == 0);
    CHECK_EQ(import_ok(s, part2), STORE_IMPORTED);
    CHECK_EQ(import_ok(s, part1), STORE_DUPLICATE);
    long long rows2 = query_int(db, "SELECT count(*) FROM rows");
    CHECK(rows2 > 0);
    store_close(s);
    REQUIRE(store_open(db, false, &s, err, sizeof err) == 0);
    CHECK_EQ(import_ok(s, whole), STORE_REPLACED);
    CHECK(query_int(db, "SELECT count(*) FROM rows") > rows2);
    CHECK_EQ(import_ok(s, part2), STORE_DUPLICATE);
    CHECK_EQ(query_int(db, "SELECT count(*) FROM runs WHERE complete = 1"), 1);
    CHECK_EQ(query_int(db, "SELECT count(*) FROM runs"), 1);
    store_close(s);
    /* Part 1 first, then part 2: the larger part replaces the smaller. */
    const char *db2 = store_at("grows2.sqlite");
    REQUIRE(store_open(db2, true, &s, err, sizeof err) == 0);
    CHECK_EQ(import_ok(s, part1), STORE_IMPORTED);
    CHECK_EQ(import_ok(s, part2), STORE_REPLACED);
    CHECK_EQ(query_int(db2, "SELECT count(*) FROM rows"), rows2);
    store_close(s);
}

static void
test_history(void) {
    const char *db = store_at("history.sqlite");
    struct store *s;
    char err[1024];
    REQUIRE(store_open(db, true, &s, err, sizeof err) == 0);
    /* Out of date order: the history sorts by start date. */
    static const char *const files[] = {DATA "alpha-few.json", DATA "alpha-base.json",
                                        DATA "beta.json", DATA "alpha-new.json"};
    for (size_t i = 0; i < 4; i++)
        CHECK_EQ(import_ok(s, files[i]), STORE_IMPORTED);
    const char *bench = "chan/spsc/cap=0/size=8";

    /* No run of it on this host: the machine with the most runs of it, alpha. */
    struct store_history h;
    REQUIRE(store_history(s, bench, "goc", NULL, "no-such-host", &h, err, sizeof err) == 0);
    CHECK_STR(h.host, "alpha");
    CHECK(strstr(h.why, "most runs") != NULL);
    REQUIRE(h.nruns == 3);
    CHECK_STR(h.runs[0].date, "2024-06-01T10:00:00Z");
    CHECK_STR(h.runs[1].date, "2024-06-02T10:00:00Z");
    CHECK_STR(h.runs[2].date, "2024-06-03T10:00:00Z");
    CHECK_STR(h.runs[0].commit, "a1b2c3d4e5f6");
    /* Each median is the median of the file's rows; alpha-new is significantly faster (about
     * 15 %), alpha-few's 3 rounds against 8 can still be tested and are not different. */
    struct result_file f;
    REQUIRE(results_load(DATA "alpha-base.json", &f, err, sizeof err) == 0);
    const struct result_bench *b = results_find(&f, "chan/spsc/cap=0/size=8/impl=goc");
    REQUIRE(b != NULL);
    CHECK_EQ(h.runs[0].n, b->nreps);
    CHECK(h.runs[0].median == stats_median(b->real_time, b->nreps));
    results_free(&f);
    CHECK(h.runs[1].significant && h.runs[1].change_pct < -10 && h.runs[1].change_pct > -20);
    CHECK_EQ(h.runs[2].n, 3);
    CHECK(!h.runs[2].few && !h.runs[2].significant);
    char *data = store_history_data(&h);
    size_t lines = 0;
    for (const char *p = data; *p; p++)
        lines += *p == '\n';
    CHECK_EQ(lines, 3);
    CHECK(strstr(data, "\n1 ") != NULL && strstr(data, " 2 -1") != NULL); /* class 2: faster */
    free(data);
    char *text = NULL;
    size_t len = 0;
    FILE *o = open_memstream(&text, &len);
    REQUIRE(o != NULL);
    store_history_print(&h, o);
    fclose(o);
    require_text(text, "history of chan/spsc/cap=0/size=8/impl=goc on alpha");
    require_text(text, "* f6e5d4c3b2a1");
    require_text(text, "faster");
    free(text);
    store_history_free(&h);

    /* This host's machine wins when it ran the benchmark, even with fewer runs. */
    REQUIRE(store_history(s, bench, "goc", NULL, "beta", &h, err, sizeof err) == 0);
    CHECK_STR(h.host, "beta");
    CHECK_EQ(h.nruns, 1);
    CHECK(strstr(h.why, "this host") != NULL);
    store_history_free(&h);
    REQUIRE(store_history(s, bench, "naive", "alpha", "beta", &h, err, sizeof err) == 0);
    CHECK_STR(h.host, "alpha");
    CHECK_EQ(h.nruns, 3);
    char prefix[8];
    snprintf(prefix, sizeof prefix, "%.6s", h.machine);
    store_history_free(&h);
    REQUIRE(store_history(s, bench, "goc", prefix, NULL, &h, err, sizeof err) == 0);
    CHECK_STR(h.host, "alpha");
    store_history_free(&h);

    /* Unknown names: 2, and a line that lists what there is. */
    CHECK_EQ(store_history(s, "chan/spsc/cap=3/size=8", "goc", NULL, NULL, &h, err, sizeof err), 2);
    CHECK(strstr(err, "chan/spsc/cap=0/size=8") != NULL && strchr(err, '\n') == NULL);
    store_history_free(&h);
    CHECK_EQ(store_history(s, bench, "nope", NULL, NULL, &h, err, sizeof err), 2);
    CHECK(strstr(err, "goc") != NULL && strstr(err, "naive") != NULL);
    store_history_free(&h);
    CHECK_EQ(store_history(s, bench, "goc", "gamma", NULL, &h, err, sizeof err), 2);
    CHECK(strstr(err, "alpha (") != NULL && strstr(err, "beta (") != NULL);
    store_history_free(&h);
    store_close(s);
}

/* check: alpha-base against itself as another run (nothing differs), times 1.05 (within the
 * threshold), times 2 (a regression wherever there are enough rounds). */
static void
test_check(void) {
    struct result_file base, same, near, twice;
    char err[1024];
    REQUIRE(results_load(DATA "alpha-base.json", &base, err, sizeof err) == 0);
    REQUIRE(results_load(rerun("same.json", "2024-08-01T00:00:00Z", 1.0, 0, true), &same, err,
                         sizeof err) == 0);
    REQUIRE(results_load(rerun("near.json", "2024-08-02T00:00:00Z", 1.05, 0, true), &near, err,
                         sizeof err) == 0);
    REQUIRE(results_load(rerun("twice.json", "2024-08-03T00:00:00Z", 2.0, 0, true), &twice, err,
                         sizeof err) == 0);
    char *text = NULL;
    size_t len = 0;
    FILE *o = open_memstream(&text, &len);
    REQUIRE(o != NULL);
    struct store_check_result r;
    /* Every row but the limit/ ones (the machine's floor, not the code) is checked. */
    size_t code_rows = 0;
    for (size_t i = 0; i < base.nbenches; i++)
        code_rows += strncmp(base.benches[i].name, "limit/", 6) != 0;
    CHECK(code_rows > 0 && code_rows < base.nbenches);
    store_check(&base, &same, 10, NULL, o, &r);
    CHECK_EQ(r.common, code_rows);
    CHECK(r.few < r.common);
    CHECK_EQ(r.regressions, 0);
    CHECK_EQ(r.slower, 0);
    CHECK_EQ(r.faster, 0);
    store_check(&base, &near, 10, NULL, o, &r);
    CHECK_EQ(r.regressions, 0);
    fflush(o);
    CHECK_EQ(len, 0);
    store_check(&base, &twice, 10, NULL, o, &r);
    CHECK_EQ(r.regressions, r.common - r.few);
    fflush(o);
    require_text(text, "REGRESSION chan/spsc/cap=0/size=8/impl=goc: ");
    require_text(text, "(+100.0%");
    CHECK(strstr(text, "REGRESSION limit/") == NULL);
    store_check(&base, &twice, 150, NULL, o, &r);
    CHECK_EQ(r.regressions, 0);
    CHECK_EQ(r.slower, r.common - r.few);
    store_check(&twice, &base, 10, "goc", o, &r);
    CHECK_EQ(r.regressions, 0);
    CHECK(r.faster > 0 && r.faster == r.common - r.few);
    fclose(o);
    free(text);
    results_free(&base);
    results_free(&same);
    results_free(&near);
    results_free(&twice);
}

int
main(int argc, char **argv) {
    char url[1024];
    if (argc == 3 && strcmp(argv[1], "--postgresql") == 0) {
        int code = pg_fixture_url("store_test", argv[2], url, sizeof url);
        if (code != 0)
            return code;
        pg_url = url;
        printf("store_test: PostgreSQL, %s\n", url);
    } else if (argc != 1) {
        fprintf(stderr, "usage: bench_store_test [--postgresql DATABASE]\n");
        return 2;
    }
    strcpy(dir, "/tmp/store_test_XXXXXX");
    REQUIRE(mkdtemp(dir) != NULL);
    test_schema();
    test_roundtrip();
    test_interrupted_then_resumed();
    test_list_and_machines();
    test_refused_stores();
    test_concurrent_imports();
    test_record_file();
    test_interrupted_grows();
    test_history();
    if (pg_url == NULL) /* files against files: no store */
        test_check();
    int rc = check_result(pg_url != NULL ? "store_test (PostgreSQL)" : "store_test");
    if (rc == 0) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", dir);
    }
    return rc;
}
