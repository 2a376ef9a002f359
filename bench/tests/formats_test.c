/* SPDX-License-Identifier: MIT */
/* The results writers as Google's and Go's tools read them: the JSON's family_index and
 * per_family_instance_index (compare.py's sort groups each benchmark's aggregates under its
 * repetitions), the aggregates in Google's order with aggregate_unit; every JSON row in the
 * CSV and every iteration row in the gobench text, the floor's limit/ rows included; gobench
 * names Benchmark + an upper-case letter; numbers with the JSON's 10 significant digits. */
#include "registry.h"
#include "report.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "floor.h"
#include "topology.h"

static int
dummy_run(struct bench_run *r) {
    (void)r;
    return 0;
}

static const struct bench_param spsc_grid[] = {
    {"cap", BENCH_PARAM_INT, BENCH_VALUES("0", "16"), NULL},
    {"size", BENCH_PARAM_INT, BENCH_VALUES("8"), NULL},
    BENCH_PARAMS_END,
};
static const struct bench_impl impls[] = {BENCH_IMPL("goc", NULL), BENCH_IMPL("naive", NULL),
                                          BENCH_IMPLS_END};
static const struct bench_scenario scenarios[] = {
    {.name = "spsc", .op = "msg", .params = spsc_grid, .impls = impls, .run = dummy_run},
    BENCH_SCENARIOS_END,
};
static const struct bench_family fam = {.name = "chan", .summary = "test", .scenarios = scenarios};
static const struct bench_family *const families[] = {&fam, NULL};

#define NREPS 3

/* The fixture: the four chan/spsc arms plus goc's control arm, NREPS chunks each, with times
 * of more than 10 significant digits (a writer that rounds them shows); the first arm has
 * latency. And a floor of two pairs, (0,1) with the ring and (1,0) without. */
struct fixture {
    struct bench_instance *v;
    size_t nv;
    struct bench_result res[5];
    const struct bench_result *rp[5];
    size_t n;
    struct limit_pair pairs[2];
    int pus[2];
    struct limit_result limit;
    struct machine_info m;
    struct run_options o;
    struct run_info info;
};

static void
fixture_init(struct fixture *f) {
    memset(f, 0, sizeof *f);
    struct bench_select sel = {0};
    char err[256];
    REQUIRE(registry_expand(families, &sel, &f->v, &f->nv, err, sizeof err) == 0);
    REQUIRE(f->nv == 4);
    for (size_t b = 0; b <= f->nv; b++) {
        struct bench_result *r = &f->res[b];
        r->inst = &f->v[b < f->nv ? b : 0];
        r->name = r->inst->name;
        r->impl = bench_impl_name(r->inst);
        r->op = "msg";
        if (b == f->nv) { /* goc.control of the first benchmark, last as the engine adds it */
            size_t len = strlen(r->name) + 16;
            r->name_owned = malloc(len);
            REQUIRE(r->name_owned != NULL);
            snprintf(r->name_owned, len, "%s.control", f->v[0].name);
            r->name = r->name_owned;
            r->impl = "goc.control";
        }
        r->nreps = NREPS;
        r->reps = calloc(NREPS, sizeof *r->reps);
        REQUIRE(r->reps != NULL);
        for (size_t i = 0; i < NREPS; i++) {
            struct rep_result *p = &r->reps[i];
            p->ops = 1000 + 7 * i;
            p->real_ns = 12.34567891234 * (double)(b + 1) + 0.01010101 * (double)i;
            p->cpu_ns = p->real_ns * 1.987654321987;
            p->items_per_second = 1e9 / p->real_ns;
            p->vcsw = (long)i;
            p->ivcsw = 1;
            p->nthreads = 2;
            p->relation = "same-core";
            p->round = (int)i;
            p->before.c2c_ns = p->after.c2c_ns = p->before.ring_ns = p->after.ring_ns = NAN;
            if (b == 0) {
                p->has_latency = true;
                p->lat = (struct bench_latency){.count = 1000,
                                                .min = 10,
                                                .p50 = 20,
                                                .p90 = 30,
                                                .p99 = 40 + (int64_t)i,
                                                .p999 = 50,
                                                .max = 60};
            }
        }
        f->rp[b] = r;
    }
    f->n = f->nv + 1;

    f->pus[0] = 0;
    f->pus[1] = 1;
    for (int k = 0; k < 2; k++) {
        struct limit_pair *p = &f->pairs[k];
        p->a = k;
        p->b = 1 - k;
        p->a_observed = p->a;
        p->b_observed = p->b;
        p->relation = "same-core";
        p->nruns = NREPS;
        p->ring = k == 0;
        for (int i = 0; i < NREPS; i++) {
            p->c2c_ns[i] = 100.123456 + i + k;
            p->c2c_cpu_ns[i] = 200.5 + i;
            p->c2c_iters[i] = 5000;
            p->ring_ns[i] = 9.87654321 + i;
            p->ring_cpu_ns[i] = 19.5 + i;
            p->ring_msgs[i] = 100000;
        }
        p->c2c_median_ns = p->c2c_ns[1];
        p->ring_median_ns = p->ring_ns[1];
        p->one_way_ts_ns = 55;
    }
    f->limit = (struct limit_result){.pus = f->pus,
                                     .npus = 2,
                                     .pairs = f->pairs,
                                     .npairs = 2,
                                     .ring_slots = 64,
                                     .runs = NREPS,
                                     .c2c_round_trip_ns = 101.123456,
                                     .one_way_ns = 50.561728,
                                     .one_way_ts_ns = 55,
                                     .ring_ns_per_msg = 10.87654321};

    snprintf(f->m.host, sizeof f->m.host, "testhost");
    snprintf(f->m.kernel, sizeof f->m.kernel, "Linux test");
    snprintf(f->m.executable, sizeof f->m.executable, "/bin/chanbench");
    snprintf(f->m.git_commit, sizeof f->m.git_commit, "abc1234");
    f->m.compiler = "gcc 12";
    f->m.cflags = "-O2";
    f->m.build_type = "Release";
    f->m.library_build_type = "release";
    f->m.sanitizer = "none";
    f->m.hwloc_version = "2";
    f->m.allocator = "libc";
    f->m.spin_policy = "test";
    f->m.cacheline = 64;
    f->m.num_cpus = 2;
    f->o.pin = "compact";
    f->o.rounds = NREPS;
    f->o.min_time_s = 0.01;
    f->info = (struct run_info){.machine = &f->m,
                                .opts = &f->o,
                                .command = "chanbench run",
                                .complete = true,
                                .limit = &f->limit};
}

static void
fixture_free(struct fixture *f) {
    for (size_t b = 0; b < f->n; b++)
        bench_result_free(&f->res[b]);
    registry_free(f->v, f->nv);
}

/* What a writer printed (owned). */
typedef void (*writer)(FILE *out, const struct fixture *f);

static char *
capture(writer w, const struct fixture *f) {
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    REQUIRE(out != NULL);
    w(out, f);
    REQUIRE(fclose(out) == 0);
    return buf;
}

static void
write_csv_run(FILE *out, const struct fixture *f) {
    report_csv(out, &f->info, f->rp, f->n);
}

static void
write_csv(FILE *out, const struct fixture *f) {
    report_csv(out, NULL, f->rp, f->n);
}

static void
write_gobench(FILE *out, const struct fixture *f) {
    report_gobench(out, &f->info, f->rp, f->n);
}

static const char *
str(json_t *row, const char *key) {
    const char *s = json_string_value(json_object_get(row, key));
    return s != NULL ? s : "";
}

static bool
is_aggregate(json_t *row) {
    return strcmp(str(row, "run_type"), "aggregate") == 0;
}

/* The family a run name should have: the name without "/impl=...". */
static void
family_of(const char *name, char *buf, size_t len) {
    const char *impl = strstr(name, "/impl=");
    snprintf(buf, len, "%.*s", (int)(impl ? (size_t)(impl - name) : strlen(name)), name);
}

/* compare.py's sort key (gbench/util.py sort_benchmark_results): family_index, then
 * per_family_instance_index, then iterations before aggregates, then repetition_index. */
static bool
sorts_before(json_t *a, json_t *b) {
    json_int_t ka[4] = {
        json_integer_value(json_object_get(a, "family_index")),
        json_integer_value(json_object_get(a, "per_family_instance_index")), is_aggregate(a),
        is_aggregate(a) ? -1 : json_integer_value(json_object_get(a, "repetition_index"))};
    json_int_t kb[4] = {
        json_integer_value(json_object_get(b, "family_index")),
        json_integer_value(json_object_get(b, "per_family_instance_index")), is_aggregate(b),
        is_aggregate(b) ? -1 : json_integer_value(json_object_get(b, "repetition_index"))};
    for (int k = 0; k < 4; k++)
        if (ka[k] != kb[k])
            return ka[k] < kb[k];
    return false;
}

static void
test_json(const struct fixture *f) {
    json_t *doc = report_document(&f->info, f->rp, f->n);
    REQUIRE(doc != NULL);
    json_t *rows = json_object_get(doc, "benchmarks");
    size_t n = json_array_size(rows);
    CHECK_EQ(n, (f->n + 3) * (NREPS + 6)); /* 5 arms and 3 limit/ rows: chunks and aggregates */

    /* Both indexes on every row, right after the name, as Google writes them; one (family,
     * instance) pair per run name, one family per name without its impl. */
    for (size_t i = 0; i < n; i++) {
        json_t *row = json_array_get(rows, i);
        void *it = json_object_iter(row);
        CHECK_STR(json_object_iter_key(it), "name");
        it = json_object_iter_next(row, it);
        CHECK_STR(json_object_iter_key(it), "family_index");
        CHECK(json_is_integer(json_object_iter_value(it)));
        it = json_object_iter_next(row, it);
        CHECK_STR(json_object_iter_key(it), "per_family_instance_index");
        CHECK(json_is_integer(json_object_iter_value(it)));
        for (size_t j = 0; j < i; j++) {
            json_t *other = json_array_get(rows, j);
            char fa[256], fb[256];
            family_of(str(row, "run_name"), fa, sizeof fa);
            family_of(str(other, "run_name"), fb, sizeof fb);
            bool same_family = json_equal(json_object_get(row, "family_index"),
                                          json_object_get(other, "family_index"));
            bool same_instance =
                same_family && json_equal(json_object_get(row, "per_family_instance_index"),
                                          json_object_get(other, "per_family_instance_index"));
            CHECK(same_family == (strcmp(fa, fb) == 0));
            CHECK(same_instance == (strcmp(str(row, "run_name"), str(other, "run_name")) == 0));
        }
    }

    /* compare.py's sort (stable) leaves each benchmark's rows together, its repetitions first
     * and then its aggregates. */
    json_t **sorted = calloc(n, sizeof *sorted);
    REQUIRE(sorted != NULL);
    for (size_t i = 0; i < n; i++) {
        json_t *row = json_array_get(rows, i);
        size_t j = i;
        for (; j > 0 && sorts_before(row, sorted[j - 1]); j--)
            sorted[j] = sorted[j - 1];
        sorted[j] = row;
    }
    for (size_t i = 0; i < n; i += NREPS + 6) {
        const char *run_name = str(sorted[i], "run_name");
        for (size_t k = 0; k < NREPS + 6; k++) {
            CHECK_STR(str(sorted[i + k], "run_name"), run_name);
            CHECK(is_aggregate(sorted[i + k]) == (k >= NREPS));
        }
    }
    free(sorted);

    /* Google's aggregates in its order, each with its unit; then chanbench's min and max. */
    static const char *const order[] = {"mean", "median", "stddev", "cv", "min", "max"};
    int limit_rows = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *row = json_array_get(rows, i);
        if (strncmp(str(row, "name"), "limit/", 6) == 0 && !is_aggregate(row))
            limit_rows++;
        if (!is_aggregate(row) || (i > 0 && is_aggregate(json_array_get(rows, i - 1))))
            continue;
        for (size_t k = 0; k < 6; k++) {
            json_t *a = json_array_get(rows, i + k);
            char want[300];
            snprintf(want, sizeof want, "%s_%s", str(a, "run_name"), order[k]);
            CHECK_STR(str(a, "aggregate_name"), order[k]);
            CHECK_STR(str(a, "name"), want);
            CHECK_STR(str(a, "aggregate_unit"),
                      strcmp(order[k], "cv") == 0 ? "percentage" : "time");
        }
    }
    CHECK_EQ(limit_rows, 3 * NREPS); /* limit/c2c/pu=0,1, limit/c2c/pu=1,0, limit/ring/pu=0,1 */
    json_decref(doc);
}

/* Split one CSV line into fields (quotes as Google's CsvEscape writes them); returns the count. */
static int
csv_split(const char *line, char fields[][128], int max) {
    int n = 0;
    const char *p = line;
    for (;;) {
        REQUIRE(n < max);
        size_t len = 0;
        if (*p == '"') {
            for (p++; *p && !(*p == '"' && p[1] != '"'); p++) {
                if (*p == '"')
                    p++;
                if (len < 127)
                    fields[n][len++] = *p;
            }
            if (*p == '"')
                p++;
        } else {
            for (; *p && *p != ',' && *p != '\n'; p++)
                if (len < 127)
                    fields[n][len++] = *p;
        }
        fields[n++][len] = '\0';
        if (*p != ',')
            return n;
        p++;
    }
}

/* How many significant digits a printed number has. */
static int
sig_digits(const char *s) {
    int n = 0;
    bool leading = true;
    for (; *s && *s != 'e' && *s != 'E'; s++) {
        if (!isdigit((unsigned char)*s))
            continue;
        if (*s == '0' && leading)
            continue;
        leading = false;
        n++;
    }
    return n;
}

/* The JSON number as the text formats must print it. */
static void
as_text(json_t *v, char *buf, size_t len) {
    if (json_is_integer(v))
        snprintf(buf, len, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(buf, len, "%.10g", json_real_value(v));
    else
        buf[0] = '\0';
}

static int
column(char header[][128], int ncol, const char *name) {
    for (int i = 0; i < ncol; i++)
        if (strcmp(header[i], name) == 0)
            return i;
    fprintf(stderr, "no CSV column %s\n", name);
    exit(1);
}

static void
test_csv(const struct fixture *f) {
    json_t *doc = report_document(&f->info, f->rp, f->n);
    json_t *rows = json_object_get(doc, "benchmarks");
    char *text = capture(write_csv_run, f);
    static char header[32][128], fl[32][128];
    char *save = NULL;
    char *line = strtok_r(text, "\n", &save);
    REQUIRE(line != NULL);
    int ncol = csv_split(line, header, 32);
    int c_name = column(header, ncol, "name"), c_real = column(header, ncol, "real_time"),
        c_cpu = column(header, ncol, "cpu_time"), c_unit = column(header, ncol, "time_unit"),
        c_type = column(header, ncol, "run_type"), c_iter = column(header, ncol, "iterations");
    CHECK_EQ(c_name, 0); /* Google's first five columns, in its order */
    CHECK_EQ(c_iter, 1);
    CHECK_EQ(c_real, 2);
    CHECK_EQ(c_cpu, 3);
    CHECK_EQ(c_unit, 4);

    /* Every JSON row, in the JSON's order, with its figures as the JSON has them. */
    size_t i = 0, tenth = 0;
    for (line = strtok_r(NULL, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save), i++) {
        CHECK_EQ(csv_split(line, fl, 32), ncol);
        json_t *row = json_array_get(rows, i);
        REQUIRE(row != NULL);
        CHECK_STR(fl[c_name], str(row, "name"));
        CHECK_STR(fl[c_type], str(row, "run_type"));
        char want[64];
        as_text(json_object_get(row, "real_time"), want, sizeof want);
        CHECK_STR(fl[c_real], want);
        as_text(json_object_get(row, "cpu_time"), want, sizeof want);
        CHECK_STR(fl[c_cpu], want);
        as_text(json_object_get(row, "iterations"), want, sizeof want);
        CHECK_STR(fl[c_iter], want);
        /* Google leaves the unit of a percentage (cv) empty. */
        CHECK_STR(fl[c_unit], strcmp(str(row, "aggregate_name"), "cv") == 0 ? "" : "ns");
        if (strncmp(str(row, "name"), "chan/", 5) == 0 && !is_aggregate(row))
            tenth += sig_digits(fl[c_real]) == 10;
    }
    CHECK_EQ(i, json_array_size(rows));
    CHECK(tenth > 0); /* the fixture's times need all 10 digits */
    free(text);

    /* Without the run's info, the results' rows alone. */
    text = capture(write_csv, f);
    size_t lines = 0;
    for (const char *p = text; *p; p++)
        lines += *p == '\n';
    CHECK_EQ(lines, 1 + f->n * (NREPS + 6));
    CHECK(strstr(text, "limit/") == NULL);
    free(text);
    json_decref(doc);
}

static void
test_gobench(const struct fixture *f) {
    json_t *doc = report_document(&f->info, f->rp, f->n);
    json_t *rows = json_object_get(doc, "benchmarks");
    char *text = capture(write_gobench, f);
    CHECK(strstr(text, "\nBenchmarkLimit/c2c/pu=0,1\t") != NULL);
    CHECK(strstr(text, "\nBenchmarkLimit/c2c/pu=1,0\t") != NULL);
    CHECK(strstr(text, "\nBenchmarkLimit/ring/pu=0,1\t") != NULL);
    char *save = NULL;
    size_t row = 0, lines = 0, tenth = 0;
    bool config = true;
    for (char *line = strtok_r(text, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "Benchmark", 9) != 0) {
            /* Configuration lines ("key: value", the key lower case) come first. */
            CHECK(config && islower((unsigned char)line[0]) && strstr(line, ": ") != NULL);
            CHECK(strchr(line, ':') < strchr(line, ' '));
            continue;
        }
        config = false;
        lines++;
        /* Go's rule: Benchmark, then an upper-case letter. */
        CHECK(isupper((unsigned char)line[9]));
        while (row < json_array_size(rows) && is_aggregate(json_array_get(rows, row)))
            row++;
        json_t *r = json_array_get(rows, row++);
        REQUIRE(r != NULL);
        char want[300];
        const char *name = str(r, "name");
        snprintf(want, sizeof want, "Benchmark%c%s\t", toupper((unsigned char)name[0]), name + 1);
        CHECK(strncmp(line, want, strlen(want)) == 0);

        /* "N\tV ns/op\tV cpu-ns/op...": the numbers as the JSON has them. */
        char *f2 = NULL;
        char *tok = strtok_r(line + strlen(want), "\t", &f2);
        as_text(json_object_get(r, "iterations"), want, sizeof want);
        CHECK_STR(tok, want);
        static const struct {
            const char *unit, *key;
        } metrics[] = {{" ns/op", "real_time"}, {" cpu-ns/op", "cpu_time"}};
        for (size_t k = 0; k < 2; k++) {
            tok = strtok_r(NULL, "\t", &f2);
            REQUIRE(tok != NULL);
            char *sp = strchr(tok, ' ');
            REQUIRE(sp != NULL);
            CHECK_STR(sp, metrics[k].unit);
            *sp = '\0';
            as_text(json_object_get(r, metrics[k].key), want, sizeof want);
            CHECK_STR(tok, want);
            if (k == 0 && strncmp(name, "chan/", 5) == 0)
                tenth += sig_digits(tok) == 10;
        }
        const char *rest = f2 != NULL ? f2 : "";
        CHECK((strstr(rest, " p99-ns") != NULL) == (json_object_get(r, "latency_ns") != NULL));
    }
    /* Every iteration row of the JSON, limit/ rows included. */
    size_t want_lines = 0;
    for (size_t i = 0; i < json_array_size(rows); i++)
        want_lines += !is_aggregate(json_array_get(rows, i));
    CHECK_EQ(lines, want_lines);
    CHECK(tenth > 0);
    free(text);
    json_decref(doc);
}

int
main(void) {
    char err[256];
    if (topo_init(err, sizeof err) < 0) {
        fprintf(stderr, "topo_init: %s\n", err);
        return 1;
    }
    struct fixture f;
    fixture_init(&f);
    test_json(&f);
    test_csv(&f);
    test_gobench(&f);
    fixture_free(&f);
    return check_result("formats_test");
}
