/* SPDX-License-Identifier: MIT */
/* The results reader (results.c): good files, and the one-line errors for missing, truncated,
 * malformed and foreign files. Fixtures: bench/tests/data (gen_fixtures.py). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "results.h"

#define DATA CHANBENCH_SOURCE_DIR "/bench/tests/data/"

/* Load path expecting failure; the error must be one line and contain want. */
static void
expect_error(const char *path, const char *want) {
    struct result_file f;
    char err[1024] = "";
    REQUIRE(results_load(path, &f, err, sizeof err) == -1);
    if (strstr(err, want) == NULL || strchr(err, '\n') != NULL) {
        fprintf(stderr, "error for %s: \"%s\", want it to contain \"%s\"\n", path, err, want);
        exit(1);
    }
    REQUIRE(strncmp(err, path, strlen(path)) == 0); /* names the file first */
    results_free(&f);                               /* harmless on a failed load */
}

/* Write text to a temporary file; returns its path (static buffer). */
static const char *
temp_file(const char *text) {
    static char path[64];
    strcpy(path, "/tmp/results_test_XXXXXX");
    int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    REQUIRE(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void
test_good_file(void) {
    struct result_file f;
    char err[1024];
    if (results_load(DATA "alpha-base.json", &f, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    REQUIRE(f.complete);
    REQUIRE(f.nbenches > 100);
    REQUIRE(strcmp(results_context_str(&f, "host_name"), "alpha") == 0); /* context */
    REQUIRE(strcmp(results_context_str(&f, "cpu_model"), "Intel(R) Xeon(R) CPU @ 2.20GHz") == 0);
    REQUIRE(results_context_str(&f, "no_such_key") == NULL);

    const struct result_bench *b = results_find(&f, "chan/spsc/cap=1024/size=8/impl=goc");
    REQUIRE(b != NULL);
    REQUIRE(b->nreps == 8); /* 8 iteration rows; the _median aggregate row is not a repetition */
    REQUIRE(b->first_row != NULL && b->rows[0] == b->first_row && b->rows[7] != NULL);
    for (size_t i = 0; i < b->nreps; i++) {
        REQUIRE(b->real_time[i] > 10 && b->real_time[i] < 20);
        REQUIRE(b->cpu_time[i] > 0);
    }
    REQUIRE(results_param(b, "cap") == 1024);
    REQUIRE(isnan(results_param(b, "nope")));
    REQUIRE(results_find(&f, "chan/spsc/cap=1024/size=8/impl=goc_median") == NULL);
    REQUIRE(results_find(&f, "no/such/benchmark") == NULL);
    /* file order */
    REQUIRE(strcmp(f.benches[0].name, "chan/spsc/cap=0/size=8/impl=goc") == 0);
    results_free(&f);
}

static void
test_errors(void) {
    expect_error(DATA "no-such-file.json", ": No such file or directory");
    /* truncated: jansson's line and column */
    expect_error(DATA "truncated.json", "truncated.json:122:");
    expect_error(DATA "foreign.json",
                 "not a chanbench results file (no context.chanbench.schema_version)");

    char want[256];
    const char *p = temp_file("{\"context\": {\"chanbench\": {\"schema_version\": 1}},\n"
                              "  \"benchmarks\": [1, 2,]}\n");
    snprintf(want, sizeof want, "%s:2:", p);
    expect_error(p, want); /* malformed: a trailing comma */
    unlink(p);

    p = temp_file("[1, 2, 3]");
    expect_error(p, "not a chanbench results file (the top level is not an object)");
    unlink(p);

    p = temp_file("{\"context\": {\"chanbench\": {\"schema_version\": 1}}}");
    expect_error(p, "not a chanbench results file (no benchmarks array)");
    unlink(p);

    p = temp_file("{\"context\": {\"chanbench\": {\"schema_version\": 1}}, \"benchmarks\": []}");
    expect_error(p, "not a chanbench results file (no iteration rows in benchmarks)");
    unlink(p);

    p = temp_file("{\"context\": {\"chanbench\": {\"schema_version\": 1, \"complete\": false}}, "
                  "\"benchmarks\": []}");
    expect_error(p, "interrupted before any benchmark finished");
    unlink(p);

    p = temp_file("{\"context\": {\"chanbench\": {\"schema_version\": 7}}, \"benchmarks\": []}");
    expect_error(p, "schema_version 7 is not supported");
    unlink(p);

    p = temp_file("{\"context\": {\"chanbench\": {\"schema_version\": 1}}, \"benchmarks\": "
                  "[{\"name\": \"a/b\", \"run_type\": \"iteration\", \"cpu_time\": 1}]}");
    expect_error(p, "benchmarks[0] (a/b) has no numeric real_time");
    unlink(p);

    p = temp_file("");
    expect_error(p, ":1:0:"); /* empty file */
    unlink(p);

    /* a folder: fopen opens it, reading it fails */
    expect_error(DATA, "data/: is a folder, not a results file; give one of the .json files");
}

/* A file whose one benchmark x/a has a second row with these times (JSON text). */
static const char *
row_file(const char *real, const char *cpu, const char *unit) {
    static char text[1024];
    snprintf(text, sizeof text,
             "{\"context\": {\"chanbench\": {\"schema_version\": 1}}, \"benchmarks\": [\n"
             "  {\"name\": \"x/a\", \"run_type\": \"iteration\", \"real_time\": 5, "
             "\"cpu_time\": 5},\n"
             "  {\"name\": \"x/a\", \"run_type\": \"iteration\", \"real_time\": %s, "
             "\"cpu_time\": %s, \"time_unit\": \"%s\"}]}\n",
             real, cpu, unit);
    return temp_file(text);
}

static void
test_bad_times(void) {
    /* Zero, negative and infinite times (a huge value in seconds overflows to inf in ns) name the
     * file, the row and the benchmark, and say what to do. */
    const struct {
        const char *real, *cpu, *unit, *want;
    } cases[] = {
        {"0", "5", "ns",
         "benchmarks[1] (x/a) has real_time 0, not a positive finite time; the "
         "file is damaged: re-run that benchmark, or delete its rows"},
        {"0.0", "0.0", "ns", "benchmarks[1] (x/a) has real_time 0, not a positive finite time"},
        {"5", "0", "ns", "benchmarks[1] (x/a) has cpu_time 0, not a positive finite time"},
        {"-3", "5", "ns", "benchmarks[1] (x/a) has real_time -3, not a positive finite time"},
        {"5", "-1e-9", "us", "(x/a) has cpu_time -1e-09, not a positive finite time"},
        {"1e300", "5", "s", "(x/a) has real_time 1e+300, not a positive finite time"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *p = row_file(cases[i].real, cases[i].cpu, cases[i].unit);
        expect_error(p, cases[i].want);
        unlink(p);
    }
    /* the smallest positive times are fine */
    const char *p = row_file("1e-300", "4.9e-324", "ns");
    struct result_file f;
    char err[1024];
    REQUIRE(results_load(p, &f, err, sizeof err) == 0);
    REQUIRE(results_find(&f, "x/a")->nreps == 2);
    results_free(&f);
    unlink(p);
}

static void
test_units_and_grouping(void) {
    /* Google Benchmark's other time units are converted to ns; rows group by run_name;
     * aggregate, errored and unmeasured (null) rows are skipped. */
    const char *p = temp_file(
        "{\"context\": {\"chanbench\": {\"schema_version\": 1, \"complete\": false}},\n"
        " \"benchmarks\": [\n"
        "  {\"name\": \"x/a\", \"run_name\": \"x/a\", \"run_type\": \"iteration\",\n"
        "   \"real_time\": 1.5, \"cpu_time\": 2, \"time_unit\": \"us\"},\n"
        "  {\"name\": \"x/b\", \"run_type\": \"iteration\", \"real_time\": 3, \"cpu_time\": 3},\n"
        "  {\"name\": \"x/a\", \"run_name\": \"x/a\", \"run_type\": \"iteration\",\n"
        "   \"real_time\": 0.002, \"cpu_time\": 0.001, \"time_unit\": \"ms\"},\n"
        "  {\"name\": \"x/a\", \"run_name\": \"x/a\", \"run_type\": \"iteration\",\n"
        "   \"error_occurred\": true, \"real_time\": 0, \"cpu_time\": 0},\n"
        "  {\"name\": \"x/a\", \"run_name\": \"x/a\", \"run_type\": \"iteration\",\n"
        "   \"real_time\": null, \"cpu_time\": 5},\n"
        "  {\"name\": \"x/a_median\", \"run_name\": \"x/a\", \"run_type\": \"aggregate\",\n"
        "   \"aggregate_name\": \"median\", \"real_time\": 9, \"cpu_time\": 9}\n"
        " ]}\n");
    struct result_file f;
    char err[1024];
    REQUIRE(results_load(p, &f, err, sizeof err) == 0);
    unlink(p);
    REQUIRE(!f.complete);
    REQUIRE(f.nbenches == 2);
    const struct result_bench *a = results_find(&f, "x/a");
    REQUIRE(a != NULL && a->nreps == 2);
    REQUIRE(a->real_time[0] == 1500 && a->cpu_time[0] == 2000);
    REQUIRE(a->real_time[1] == 2000 && a->cpu_time[1] == 1000);
    REQUIRE(results_find(&f, "x/b")->nreps == 1);
    results_free(&f);
}

int
main(void) {
    test_good_file();
    test_errors();
    test_bad_times();
    test_units_and_grouping();
    return check_result("results_test");
}
