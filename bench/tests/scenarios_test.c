/* SPDX-License-Identifier: MIT */
/* Every scenario family in a tiny configuration, through the real `run` driver: each run
 * checks its own counts (a failed check fails the run), and its rows land in the results file
 * with the right names, family, impl, op, params (numbers as numbers), the family's extra keys
 * and latency where it measures it. Also: every family has benchmarks in the --quick grid, and
 * the names of docs/results-format.md's shared table are in the full grid. Run in the tsan
 * build too. With libck, the ck peer's rows are among them (its channel on buffered rows
 * only), and carry impl_note. */
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "check.h"
#include "ck_peer.h"
#include "commands.h"
#include "registry.h"
#include "run.h"

/* One expected row: its name, extra keys it must carry (NULL-terminated), and whether it has
 * latency_ns. */
struct expect {
    const char *name;
    const char *extra[5];
    bool latency;
};

#define LOCK_EXTRA                                                                                 \
    { "share_min", "share_max", "max_wait_ns", NULL }
#define PIT_EXTRA                                                                                  \
    { "out_of_order", "resends", "stalls", "timeouts", NULL }
#define NONE                                                                                       \
    { NULL }

static const struct expect expected[] = {
    {"chan/spsc/cap=0/size=8/impl=goc", NONE, false},
    {"chan/spsc/cap=0/size=8/impl=naive", NONE, false},
    {"chan/mpmc/prod=2/cons=2/cap=16/size=8/impl=goc", NONE, false},
    {"chan/mpmc/prod=2/cons=2/cap=16/size=8/impl=naive", NONE, false},
    {"chan/pingpong/cap=1/impl=naive", NONE, true},
    {"chan/paced/pause=1us/cap=0/impl=goc", NONE, true},
    {"select/fanin/k=2/cap=0/impl=goc", {"share_min", "share_max", NULL}, true},
    {"select/fanin/k=2/cap=64/impl=goc", {"share_min", "share_max", NULL}, true},
    {"select/fanin_ctx/k=2/cap=0/impl=goc", {"share_min", "share_max", "timeouts", NULL}, true},
    {"lock/mutex/threads=2/cs=100/impl=goc", LOCK_EXTRA, true},
    {"lock/mutex/threads=2/cs=100/impl=pthread", LOCK_EXTRA, true},
    {"lock/mutex/threads=2/cs=100/impl=spin", LOCK_EXTRA, true},
    {"lock/rw/threads=2/read=90/cs=0/impl=goc", {"read_fraction", "share_min", NULL}, true},
    {"lock/rw/threads=2/read=90/cs=0/impl=pthread", {"read_fraction", NULL}, true},
    {"lock/rw/threads=2/read=90/cs=0/impl=spin", {"read_fraction", NULL}, true},
    {"lock/counter/threads=2/read=50/lock=mutex/impl=goc", LOCK_EXTRA, true},
    {"lock/counter/threads=2/read=50/lock=rw/impl=goc", LOCK_EXTRA, true},
    {"lock/counter/threads=2/read=50/lock=mutex/impl=pthread", LOCK_EXTRA, true},
    {"lock/counter/threads=2/read=50/lock=rw/impl=pthread", LOCK_EXTRA, true},
    {"lock/counter/threads=2/read=50/lock=mutex/impl=spin", LOCK_EXTRA, true},
    {"layout/pipeline/stages=2/work=100ns/impl=goc", {"work_iters", NULL}, true},
    {"layout/pipeline/stages=2/work=100ns/impl=naive", {"work_iters", NULL}, true},
    {"layout/replicated/stages=2/work=100ns/threads=2/impl=goc", {"work_iters", NULL}, true},
    {"layout/pool/stages=2/work=100ns/threads=2/impl=goc", {"work_iters", NULL}, true},
    {"layout/pool/stages=2/work=100ns/threads=2/impl=naive", {"work_iters", NULL}, true},
    {"cancel/done/workers=1/impl=goc", NONE, true},
    {"cancel/done/workers=4/impl=goc", NONE, true},
    {"cancel/done/workers=1/impl=pthread", NONE, true},
    {"cancel/done/workers=4/impl=pthread", NONE, true},
    {"alloc/spsc/size=64/impl=glibc", NONE, false},
    {"alloc/mpmc/prod=2/cons=2/size=64/impl=glibc", NONE, false},
#if defined(CHANBENCH_HAVE_JEMALLOC)
    {"alloc/spsc/size=64/impl=jemalloc", NONE, false},
    {"alloc/mpmc/prod=2/cons=2/size=64/impl=jemalloc", NONE, false},
#endif
    {"pitfall/resend/prod=2/cap=16/impl=goc", PIT_EXTRA, false},
    {"pitfall/resend/prod=2/cap=16/impl=naive", PIT_EXTRA, false},
    {"pitfall/lookahead/prod=2/cap=16/impl=goc", PIT_EXTRA, false},
    {"pitfall/lookahead/prod=2/cap=16/impl=naive", PIT_EXTRA, false},
#if CHANBENCH_HAVE_CK
    /* The ck peer: buffered channel rows only (no chan/spsc/cap=0 row), its locks. */
    {"chan/spsc/cap=1/size=512/impl=ck", NONE, false},
    {"chan/mpsc/prod=2/cap=1/size=64/impl=ck", NONE, false},
    {"chan/mpmc/prod=2/cons=2/cap=16/size=8/impl=ck", NONE, false},
    {"lock/mutex/threads=2/cs=100/impl=ck", LOCK_EXTRA, true},
    {"lock/rw/threads=2/read=90/cs=0/impl=ck", {"read_fraction", NULL}, true},
    {"lock/rw/threads=2/read=90/cs=0/impl=ck.br", {"read_fraction", NULL}, true},
    {"lock/counter/threads=2/read=50/lock=mutex/impl=ck", LOCK_EXTRA, true},
    {"lock/counter/threads=2/read=50/lock=rw/impl=ck", LOCK_EXTRA, true},
#endif
};

/* The tiny configuration: the names above (with --threads 2, every thread-count parameter is
 * 2), plus the rows of the same filter that are not listed (lock=rw for spin is left out of
 * the grid, so it must not appear). */
static const char *const filter =
    "^(chan/spsc/cap=0/size=8/|chan/mpmc/prod=2/cons=2/cap=16/size=8/|chan/pingpong/cap=1/"
    "impl=naive|"
    "chan/paced/pause=1us/cap=0/impl=goc|"
    "select/fanin/k=2/|select/fanin_ctx/k=2/cap=0/|lock/mutex/threads=2/cs=100/|"
    "lock/rw/threads=2/read=90/cs=0/|lock/counter/threads=2/read=50/|"
    "layout/(pipeline|replicated|pool)/stages=2/work=100ns/|cancel/done/workers=(1|4)/|"
    "alloc/spsc/size=64/|alloc/mpmc/prod=2/cons=2/size=64/|pitfall/(resend|lookahead)/prod=2/"
    "cap=16/|chan/spsc/cap=1/size=512/impl=ck$|chan/mpsc/prod=2/cap=1/size=64/impl=ck$)";

static json_t *
find_row(json_t *doc, const char *name) {
    json_t *rows = json_object_get(doc, "benchmarks"), *r;
    size_t i;
    json_array_foreach(rows, i, r) {
        const char *n = json_string_value(json_object_get(r, "name"));
        const char *type = json_string_value(json_object_get(r, "run_type"));
        if (n != NULL && type != NULL && strcmp(n, name) == 0 && strcmp(type, "iteration") == 0)
            return r;
    }
    return NULL;
}

/* The params object must hold exactly the name's key=value pairs (bar impl), integers as
 * JSON integers and everything else as strings. */
static void
check_params(const struct expect *e, json_t *row) {
    char buf[256];
    snprintf(buf, sizeof buf, "%s", e->name);
    char *save = NULL;
    char *family = strtok_r(buf, "/", &save);
    char *scenario = strtok_r(NULL, "/", &save);
    (void)scenario;
    CHECK_STR(json_string_value(json_object_get(row, "family")), family);
    json_t *params = json_object_get(row, "params");
    CHECK(json_is_object(params));
    size_t nkeys = 0;
    for (char *kv = strtok_r(NULL, "/", &save); kv != NULL; kv = strtok_r(NULL, "/", &save)) {
        char *eq = strchr(kv, '=');
        CHECK(eq != NULL);
        if (eq == NULL)
            return;
        *eq = '\0';
        const char *key = kv, *value = eq + 1;
        if (strcmp(key, "impl") == 0) {
            CHECK_STR(json_string_value(json_object_get(row, "impl")), value);
            continue;
        }
        nkeys++;
        json_t *v = json_object_get(params, key);
        char *end;
        long long num = strtoll(value, &end, 10);
        if (*end == '\0') {
            if (!json_is_integer(v) || json_integer_value(v) != num) {
                fprintf(stderr, "%s: params.%s is not the integer %s\n", e->name, key, value);
                check_failures++;
            }
        } else if (!json_is_string(v) || strcmp(json_string_value(v), value) != 0) {
            fprintf(stderr, "%s: params.%s is not the string %s\n", e->name, key, value);
            check_failures++;
        }
    }
    CHECK(json_object_size(params) == nkeys);
}

static void
check_row(const struct expect *e, json_t *doc) {
    json_t *row = find_row(doc, e->name);
    if (row == NULL) {
        fprintf(stderr, "no iteration row named %s\n", e->name);
        check_failures++;
        return;
    }
    check_params(e, row);
    CHECK(json_is_true(json_object_get(row, "verified")));
    /* The ck peer's rows say what it is (a spinning ring, spinning locks); goc's say nothing. */
    const char *impl = json_string_value(json_object_get(row, "impl"));
    if (impl != NULL && strncmp(impl, "ck", 2) == 0)
        CHECK(json_is_string(json_object_get(row, "impl_note")));
    if (impl != NULL && strcmp(impl, "goc") == 0)
        CHECK(json_object_get(row, "impl_note") == NULL);
    CHECK(json_string_value(json_object_get(row, "op")) != NULL);
    CHECK(json_number_value(json_object_get(row, "real_time")) > 0);
    CHECK(json_integer_value(json_object_get(row, "iterations")) > 0);
    json_t *extra = json_object_get(row, "extra");
    for (int i = 0; e->extra[i] != NULL; i++)
        if (!json_is_number(json_object_get(extra, e->extra[i]))) {
            fprintf(stderr, "%s: no extra.%s\n", e->name, e->extra[i]);
            check_failures++;
        }
    json_t *lat = json_object_get(row, "latency_ns");
    if (e->latency) {
        if (!json_is_object(lat) || json_integer_value(json_object_get(lat, "count")) < 1) {
            fprintf(stderr, "%s: no latency_ns\n", e->name);
            check_failures++;
        }
    }
}

/* Every family of the program has rows in the --quick grid. */
static void
check_quick_covers_families(void) {
    struct bench_select sel = {.quick = true};
    struct bench_instance *v = NULL;
    size_t n = 0;
    char err[256];
    CHECK(registry_expand(bench_families, &sel, &v, &n, err, sizeof err) == 0);
    for (int f = 0; bench_families[f] != NULL; f++) {
        size_t count = 0;
        for (size_t i = 0; i < n; i++)
            count += v[i].family == bench_families[f];
        if (count == 0) {
            fprintf(stderr, "family %s has no --quick benchmark\n", bench_families[f]->name);
            check_failures++;
        }
    }
    registry_free(v, n);
}

/* The shared names of docs/results-format.md exist in the full grid (on this machine's
 * thread counts), so rows compare with the Go and crossbeam peers'. */
static void
check_shared_names(void) {
    static const char *const shared[] = {
        "chan/spsc/cap=1024/size=8/impl=goc",
        "chan/spsc/cap=0/size=512/impl=naive",
        "chan/mpsc/prod=2/cap=16/size=8/impl=goc",
        "chan/mpmc/prod=2/cons=2/cap=1024/size=8/impl=goc",
        "chan/pingpong/cap=0/impl=goc",
        "chan/pingpong/cap=1/impl=naive",
        "chan/paced/pause=0/cap=0/impl=goc",
        "chan/paced/pause=100us/cap=0/impl=naive",
        "select/fanin/k=4/cap=0/impl=goc",
        "select/fanin/k=16/cap=64/impl=goc",
        "lock/mutex/threads=2/cs=0/impl=pthread",
        "lock/mutex/threads=1/cs=1000/impl=spin",
        "lock/rw/threads=2/read=99/cs=0/impl=goc",
        "lock/rw/threads=1/read=100/cs=100/impl=pthread",
    };
    struct bench_select sel = {0};
    struct bench_instance *v = NULL;
    size_t n = 0;
    char err[256];
    CHECK(registry_expand(bench_families, &sel, &v, &n, err, sizeof err) == 0);
    for (size_t s = 0; s < sizeof shared / sizeof shared[0]; s++) {
        bool found = false;
        for (size_t i = 0; i < n && !found; i++)
            found = strcmp(v[i].name, shared[s]) == 0;
        if (!found) {
            fprintf(stderr, "the full grid has no %s\n", shared[s]);
            check_failures++;
        }
    }
    registry_free(v, n);
}

int
main(void) {
    char out[] = "/tmp/chanbench-scenarios-XXXXXX";
    int fd = mkstemp(out);
    CHECK(fd >= 0);
    if (fd >= 0)
        close(fd);
    char *argv[] = {"run",      "--filter", (char *)filter, "--threads", "2", "--min-time", "0.005",
                    "--rounds", "2",        "--no-control", "--out",     out, NULL};
    int rc = harness_run(12, argv, bench_families);
    CHECK(rc == 0);
    json_error_t jerr;
    json_t *doc = json_load_file(out, 0, &jerr);
    CHECK(doc != NULL);
    if (doc != NULL) {
        for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
            check_row(&expected[i], doc);
        /* Nothing beyond the expected names: 2 rounds each. */
        size_t iterations = 0;
        json_t *r;
        size_t i;
        json_array_foreach(json_object_get(doc, "benchmarks"), i, r) {
            iterations +=
                strcmp(json_string_value(json_object_get(r, "run_type")), "iteration") == 0;
        }
        if (iterations != 2 * (sizeof expected / sizeof expected[0])) {
            fprintf(stderr, "%zu iteration rows, want %zu\n", iterations,
                    2 * (sizeof expected / sizeof expected[0]));
            check_failures++;
        }
        json_decref(doc);
    }
    unlink(out);
    check_quick_covers_families();
    check_shared_names();
    return check_result("scenarios_test");
}
