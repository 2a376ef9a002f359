/* SPDX-License-Identifier: MIT */
/* The measuring machinery end to end, through the real `run` driver with test families: CPU
 * time and context switches are present and plausible (a sleeping benchmark uses far less CPU
 * than wall time; CPU never exceeds wall x threads), latency and extra keys land in the rows,
 * a failed self-check fails the run and is not written, a skip is not a failure, and the file
 * reads back (results_load and jansson) with the same numbers and Google's aggregate rows. */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "check.h"
#include "registry.h"
#include "results.h"
#include "run.h"
#include "stats.h"

/* ---- test families ---------------------------------------------------------------------- */

static void
sleeper(struct bench_thread *t) {
    uint64_t n = bench_share(t->run->iters, t->nthreads, t->index);
    struct timespec ts = {0, 200000};
    for (uint64_t i = 0; i < n; i++)
        nanosleep(&ts, NULL);
}

static int
sleep_run(struct bench_run *r) {
    return bench_team_run_n(r, 1, sleeper, NULL);
}

static void
spinner(struct bench_thread *t) {
    uint64_t n = bench_share(t->run->iters, t->nthreads, t->index);
    for (uint64_t i = 0; i < n; i++)
        bench_spin_ns(1000);
}

static int
busy_run(struct bench_run *r) {
    return bench_team_run_n(r, (int)bench_param_int(r->inst, "threads"), spinner, NULL);
}

static void
recorder(struct bench_thread *t) {
    uint64_t n = bench_share(t->run->iters, t->nthreads, t->index);
    for (uint64_t i = 0; i < n; i++)
        bench_hist_record(t->hist, (int64_t)(i % 1000) + 1);
}

static int
lat_run(struct bench_run *r) {
    return bench_team_run_n(r, 2, recorder, NULL);
}

static void
nothing(struct bench_thread *t) {
    (void)t;
}

static int
extra_run(struct bench_run *r) {
    if (bench_team_run_n(r, 1, nothing, NULL) != 0)
        return -1;
    bench_spin_ns(1000); /* outside the team: not timed */
    bench_set_elapsed_ns(r, (int64_t)r->iters * 100);
    bench_extra(r, "share_min", 0.25);
    bench_extra(r, "share_max", 0.75);
    return 0;
}

static int
fail_run(struct bench_run *r) {
    if (bench_team_run_n(r, 1, nothing, NULL) != 0)
        return -1;
    bench_set_elapsed_ns(r, (int64_t)r->iters * 1000000);
    if (!r->warmup)
        return bench_fail(r, "lost %d of %llu messages", 3, (unsigned long long)r->iters);
    return 0;
}

static int
skip_run(struct bench_run *r) {
    return bench_skip(r, "needs a machine with %d packages", 64);
}

static const struct bench_impl impl_x[] = {BENCH_IMPL("x", NULL), BENCH_IMPLS_END};
static const struct bench_param busy_params[] = {
    {"threads", BENCH_PARAM_THREADS, BENCH_VALUES("2"), NULL},
    BENCH_PARAMS_END,
};

static const struct bench_scenario scenarios[] = {
    {.name = "sleep", .op = "item", .impls = impl_x, .run = sleep_run, .min_iters = 4},
    {.name = "busy", .op = "msg", .params = busy_params, .impls = impl_x, .run = busy_run},
    {.name = "lat", .op = "roundtrip", .impls = impl_x, .run = lat_run, .latency = true},
    {.name = "extra", .op = "item", .impls = impl_x, .run = extra_run},
    {.name = "fail", .op = "msg", .impls = impl_x, .run = fail_run},
    {.name = "skip", .op = "msg", .impls = impl_x, .run = skip_run},
    BENCH_SCENARIOS_END,
};

static const struct bench_family fam = {.name = "m", .scenarios = scenarios};
static const struct bench_family *const families[] = {&fam, NULL};

/* ---- helpers ---------------------------------------------------------------------------- */

static int
run(const char *filter, const char *out) {
    char *argv[] = {"run",           "--filter", (char *)filter, "--min-time", "0.02",
                    "--repetitions", "3",        "--out",        (char *)out,  NULL};
    return harness_run(9, argv, families);
}

static json_t *
row(json_t *doc, const char *name) {
    json_t *rows = json_object_get(doc, "benchmarks"), *r;
    size_t i;
    json_array_foreach(rows, i, r) {
        if (strcmp(json_string_value(json_object_get(r, "name")), name) == 0)
            return r;
    }
    return NULL;
}

static double
num(json_t *o, const char *key) {
    json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* ---- checks ----------------------------------------------------------------------------- */

static void
check_context(json_t *doc) {
    json_t *ctx = json_object_get(doc, "context");
    const char *google[] = {"date",     "host_name",   "executable",
                            "num_cpus", "mhz_per_cpu", "cpu_scaling_enabled",
                            "caches",   "load_avg",    "library_build_type"};
    for (size_t i = 0; i < sizeof google / sizeof google[0]; i++)
        if (json_object_get(ctx, google[i]) == NULL) {
            fprintf(stderr, "context.%s missing\n", google[i]);
            check_failures++;
        }
    json_t *cb = json_object_get(ctx, "chanbench");
    const char *ours[] = {"schema_version",
                          "complete",
                          "command",
                          "cpu_model",
                          "kernel",
                          "compiler",
                          "cflags",
                          "build_type",
                          "sanitizer",
                          "git_commit",
                          "hwloc_version",
                          "allocator",
                          "jemalloc_version",
                          "spin_policy",
                          "cacheline",
                          "topology",
                          "pin_policy",
                          "clock_overhead_ns",
                          "options",
                          "seed",
                          "rounds",
                          "modes",
                          "paired"};
    for (size_t i = 0; i < sizeof ours / sizeof ours[0]; i++)
        if (json_object_get(cb, ours[i]) == NULL) {
            fprintf(stderr, "context.chanbench.%s missing\n", ours[i]);
            check_failures++;
        }
    CHECK(json_integer_value(json_object_get(cb, "schema_version")) == 1);
    CHECK(json_is_true(json_object_get(cb, "complete")));
    CHECK(num(cb, "clock_overhead_ns") > 0);
    CHECK_STR(json_string_value(json_object_get(cb, "pin_policy")), "compact");
    json_t *topo = json_object_get(cb, "topology");
    CHECK(json_integer_value(json_object_get(topo, "pus")) >= 1);
    json_t *opts = json_object_get(cb, "options");
    CHECK(json_integer_value(json_object_get(opts, "rounds")) == 3);
    CHECK_NEAR(num(opts, "min_time_s"), 0.02, 1e-12);
#if defined(CHANBENCH_HAVE_JEMALLOC)
    CHECK_STR(json_string_value(json_object_get(cb, "allocator")), "jemalloc");
    CHECK(json_is_string(json_object_get(cb, "jemalloc_version")));
#endif
}

/* Google's aggregate rows for name, consistent with its iteration rows. */
static void
check_aggregates(json_t *doc, const char *name) {
    double real[3], cpu[3];
    char key[256];
    for (int i = 0; i < 3; i++) {
        json_t *rows = json_object_get(doc, "benchmarks"), *r;
        size_t k;
        int seen = 0;
        json_array_foreach(rows, k, r) {
            if (strcmp(json_string_value(json_object_get(r, "name")), name) == 0 &&
                json_integer_value(json_object_get(r, "repetition_index")) == i) {
                real[i] = num(r, "real_time");
                cpu[i] = num(r, "cpu_time");
                CHECK_STR(json_string_value(json_object_get(r, "run_type")), "iteration");
                seen++;
            }
        }
        CHECK(seen == 1);
    }
    struct stats sr, sc;
    stats_compute(real, 3, &sr);
    stats_compute(cpu, 3, &sc);
    const char *agg[] = {"median", "mean", "stddev", "cv", "min", "max"};
    const double want_real[] = {sr.median, sr.mean, sr.stddev, sr.cv, sr.min, sr.max};
    const double want_cpu[] = {sc.median, sc.mean, sc.stddev, sc.cv, sc.min, sc.max};
    for (int a = 0; a < 6; a++) {
        snprintf(key, sizeof key, "%s_%s", name, agg[a]);
        json_t *r = row(doc, key);
        CHECK(r != NULL);
        if (r == NULL)
            continue;
        CHECK_STR(json_string_value(json_object_get(r, "run_type")), "aggregate");
        CHECK_STR(json_string_value(json_object_get(r, "run_name")), name);
        CHECK_STR(json_string_value(json_object_get(r, "aggregate_name")), agg[a]);
        CHECK(json_integer_value(json_object_get(r, "repetitions")) == 3);
        CHECK_STR(json_string_value(json_object_get(r, "time_unit")), "ns");
        json_t *unit = json_object_get(r, "aggregate_unit");
        CHECK_STR(json_string_value(unit), a == 3 ? "percentage" : "time"); /* Google's */
        /* The file keeps 10 significant digits, so statistics recomputed from its rows agree
         * with the writer's (computed before rounding) to about 1e-10 of the largest value;
         * cv is that over the mean. */
        double tol_real = sr.max * 1e-8 / (a == 3 ? sr.mean : 1);
        double tol_cpu = sc.max * 1e-8 / (a == 3 ? sc.mean : 1);
        CHECK_NEAR(num(r, "real_time"), want_real[a], tol_real);
        CHECK_NEAR(num(r, "cpu_time"), want_cpu[a], tol_cpu);
    }
}

static void
check_rows(json_t *doc) {
    json_t *s = row(doc, "m/sleep/impl=x");
    CHECK(s != NULL);
    if (s != NULL) {
        double real = num(s, "real_time"), cpu = num(s, "cpu_time");
        double ops = num(s, "iterations");
        /* 200 us asleep per operation: the thread's CPU time is a small part of it. */
        CHECK(real >= 200000);
        CHECK(cpu > 0 && cpu < real / 2);
        CHECK(num(s, "voluntary_ctx_switches") >= ops / 2);
        CHECK(num(s, "involuntary_ctx_switches") >= 0);
        CHECK(num(s, "threads") == 1);
        CHECK_STR(json_string_value(json_object_get(s, "op")), "item");
        CHECK_STR(json_string_value(json_object_get(s, "family")), "m");
        CHECK_STR(json_string_value(json_object_get(s, "impl")), "x");
        CHECK(json_is_true(json_object_get(s, "verified")));
        CHECK(json_object_get(s, "latency_ns") == NULL);
        CHECK(json_array_size(json_object_get(s, "placement")) == 1);
        CHECK_NEAR(num(s, "items_per_second"), 1e9 / real, 1e9 / real * 1e-6);
    }
    json_t *b = row(doc, "m/busy/threads=2/impl=x");
    CHECK(b != NULL);
    if (b != NULL) {
        double real = num(b, "real_time"), cpu = num(b, "cpu_time");
        /* CPU time is summed over both threads, within their timed regions. */
        CHECK(cpu > 0 && cpu <= real * 2 * 1.05 + 50);
        CHECK(num(b, "threads") == 2);
        json_t *params = json_object_get(b, "params");
        CHECK(json_is_integer(json_object_get(params, "threads")) &&
              json_integer_value(json_object_get(params, "threads")) == 2);
        json_t *pl = json_object_get(b, "placement");
        CHECK(json_array_size(pl) == 2);
        for (size_t i = 0; i < json_array_size(pl); i++) {
            json_t *p = json_array_get(pl, i);
            CHECK(json_integer_value(json_object_get(p, "thread")) == (json_int_t)i);
            json_int_t req = json_integer_value(json_object_get(p, "pu_requested"));
            json_int_t obs = json_integer_value(json_object_get(p, "pu_observed"));
            CHECK(req >= 0);
            CHECK(obs == req); /* pinned: it ran where it was put */
        }
        CHECK(json_is_string(json_object_get(b, "relation")));
        CHECK(json_object_get(b, "voluntary_ctx_switches") != NULL);
    }
    json_t *l = row(doc, "m/lat/impl=x");
    CHECK(l != NULL);
    if (l != NULL) {
        json_t *lat = json_object_get(l, "latency_ns");
        CHECK(lat != NULL);
        CHECK(num(lat, "count") == num(l, "iterations"));
        CHECK(num(lat, "min") == 1);
        CHECK(num(lat, "max") <= 1000);
        CHECK(num(lat, "p50") <= num(lat, "p90") && num(lat, "p90") <= num(lat, "p99") &&
              num(lat, "p99") <= num(lat, "p999") && num(lat, "p999") <= num(lat, "max"));
    }
    json_t *e = row(doc, "m/extra/impl=x");
    CHECK(e != NULL);
    if (e != NULL) {
        json_t *x = json_object_get(e, "extra");
        CHECK_NEAR(num(x, "share_min"), 0.25, 0);
        CHECK_NEAR(num(x, "share_max"), 0.75, 0);
        CHECK_NEAR(num(e, "real_time"), 100, 1e-9); /* bench_set_elapsed_ns */
    }
}

static void
check_results_load(const char *path) {
    struct result_file f;
    char err[512];
    CHECK(results_load(path, &f, err, sizeof err) == 0);
    if (check_failures)
        fprintf(stderr, "results_load: %s\n", err);
    CHECK(f.complete);
    CHECK(f.nbenches == 4);
    const struct result_bench *s = results_find(&f, "m/sleep/impl=x");
    CHECK(s != NULL && s->nreps == 3);
    const struct result_bench *b = results_find(&f, "m/busy/threads=2/impl=x");
    CHECK(b != NULL && b->nreps == 3);
    if (b != NULL) {
        CHECK(results_param(b, "threads") == 2);
        json_t *r0 = b->first_row;
        CHECK_NEAR(b->real_time[0], num(r0, "real_time"), 0);
        CHECK_NEAR(b->cpu_time[0], num(r0, "cpu_time"), 0);
    }
    CHECK(results_find(&f, "m/busy/threads=2/impl=x_median") == NULL);
    CHECK_STR(results_context_str(&f, "pin_policy"), "compact");
    results_free(&f);
}

int
main(void) {
    char dir[] = "/tmp/chanbench-measure-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char ok_path[256], fail_path[256];
    snprintf(ok_path, sizeof ok_path, "%s/ok.json", dir);
    snprintf(fail_path, sizeof fail_path, "%s/fail.json", dir);

    CHECK(run("^m/(sleep|busy|lat|extra)/", ok_path) == 0);
    json_error_t jerr;
    json_t *doc = json_load_file(ok_path, 0, &jerr);
    CHECK(doc != NULL);
    if (doc != NULL) {
        check_context(doc);
        check_rows(doc);
        check_aggregates(doc, "m/sleep/impl=x");
        check_aggregates(doc, "m/busy/threads=2/impl=x");
        /* 4 benchmarks x (3 iteration rows + 6 aggregates) */
        CHECK(json_array_size(json_object_get(doc, "benchmarks")) == 4 * 9);
        json_decref(doc);
    }
    check_results_load(ok_path);

    /* A failed self-check: exit status 1, the failing benchmark absent, the others written; a
     * skipped one is absent too. */
    CHECK(run("^m/(extra|fail|skip)/", fail_path) == 1);
    doc = json_load_file(fail_path, 0, &jerr);
    CHECK(doc != NULL);
    if (doc != NULL) {
        CHECK(row(doc, "m/extra/impl=x") != NULL);
        CHECK(row(doc, "m/fail/impl=x") == NULL);
        CHECK(row(doc, "m/fail/impl=x_median") == NULL);
        CHECK(row(doc, "m/skip/impl=x") == NULL);
        json_decref(doc);
    }
    /* Skips alone are not failures. */
    CHECK(run("^m/(extra|skip)/", fail_path) == 0);

    unlink(ok_path);
    unlink(fail_path);
    rmdir(dir);
    return check_result("measure_test");
}
