/* SPDX-License-Identifier: MIT */
/* Grid expansion: names in order (first parameter slowest, impl last), --quick grids, symbolic
 * and deduplicated thread counts, --threads replacing them, --impl and --filter selection, the
 * valid() hook, parameter accessors, and a malformed grid refused. */
#include "commands.h"
#include "registry.h"

#include <stdlib.h>

#include "check.h"
#include "topology.h"

static int
dummy_run(struct bench_run *r) {
    (void)r;
    return 0;
}

static bool
no_two_unbuffered(const struct bench_instance *inst) {
    return !(bench_param_int(inst, "threads") == 2 && bench_param_int(inst, "cap") == 0);
}

static const struct bench_param grid[] = {
    {"threads", BENCH_PARAM_THREADS, BENCH_VALUES("1", "2", "pus", "2pus"), BENCH_VALUES("1")},
    {"cap", BENCH_PARAM_INT, BENCH_VALUES("0", "16"), NULL},
    {"pause", BENCH_PARAM_DURATION, BENCH_VALUES("0", "1us"), BENCH_VALUES("1us")},
    BENCH_PARAMS_END,
};

static const struct bench_param full_only[] = {
    {"k", BENCH_PARAM_INT, BENCH_VALUES("2", "4"), BENCH_VALUES_NONE},
    BENCH_PARAMS_END,
};

static const struct bench_impl impls_ab[] = {BENCH_IMPL("a", NULL), BENCH_IMPL("b", NULL),
                                             BENCH_IMPLS_END};
static const struct bench_impl impls_c[] = {BENCH_IMPL("c", NULL), BENCH_IMPLS_END};

static const struct bench_scenario scenarios[] = {
    {.name = "grid",
     .op = "msg",
     .params = grid,
     .impls = impls_ab,
     .run = dummy_run,
     .valid = no_two_unbuffered},
    {.name = "full", .op = "item", .params = full_only, .impls = impls_c, .run = dummy_run},
    {.name = "bare", .op = "cancel", .params = NULL, .impls = impls_c, .run = dummy_run},
    BENCH_SCENARIOS_END,
};

static const struct bench_family fam = {.name = "t", .summary = "test", .scenarios = scenarios};
static const struct bench_family *const families[] = {&fam, NULL};

static const struct bench_param broken_grid[] = {
    {"threads", BENCH_PARAM_THREADS, BENCH_VALUES("lots"), NULL},
    BENCH_PARAMS_END,
};
static const struct bench_scenario broken_scenarios[] = {
    {.name = "broken", .op = "msg", .params = broken_grid, .impls = impls_c, .run = dummy_run},
    BENCH_SCENARIOS_END,
};
static const struct bench_family broken = {.name = "x", .scenarios = broken_scenarios};
static const struct bench_family *const broken_families[] = {&broken, NULL};

static size_t
expand(const struct bench_select *sel, struct bench_instance **v) {
    size_t n = 0;
    char err[256];
    if (registry_expand(families, sel, v, &n, err, sizeof err) != 0) {
        fprintf(stderr, "expand: %s\n", err);
        check_failures++;
        *v = NULL;
        return 0;
    }
    return n;
}

static bool
has(const struct bench_instance *v, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].name, name) == 0)
            return true;
    return false;
}

int
main(void) {
    char err[256];
    CHECK(topo_init(err, sizeof err) == 0);
    int pus = topo_num_allowed();
    CHECK(registry_thread_count("3") == 3);
    CHECK(registry_thread_count("pus") == pus);
    CHECK(registry_thread_count("2pus") == 2 * pus);
    CHECK(registry_thread_count("cores") == topo_num_allowed_cores());
    CHECK(registry_thread_count("0") == -1);
    CHECK(registry_thread_count("x") == -1);
    CHECK(registry_thread_count("2x") == -1);

    /* The distinct thread counts of the grid on this machine, in grid order. */
    int counts[4], ncounts = 0;
    const int raw[4] = {1, 2, pus, 2 * pus};
    for (int i = 0; i < 4; i++) {
        bool dup = false;
        for (int k = 0; k < ncounts; k++)
            dup = dup || counts[k] == raw[i];
        if (!dup)
            counts[ncounts++] = raw[i];
    }

    struct bench_instance *v;
    struct bench_select all = {0};
    size_t n = expand(&all, &v);
    /* grid: counts x 2 caps x 2 pauses x 2 impls, minus threads=2 cap=0 (4 combos); full: 2;
     * bare: 1. */
    size_t want = (size_t)ncounts * 8 - 4 + 2 + 1;
    CHECK(n == want);
    CHECK_STR(v[0].name, "t/grid/threads=1/cap=0/pause=0/impl=a");
    CHECK_STR(v[1].name, "t/grid/threads=1/cap=0/pause=0/impl=b");
    CHECK_STR(v[2].name, "t/grid/threads=1/cap=0/pause=1us/impl=a");
    CHECK_STR(v[4].name, "t/grid/threads=1/cap=16/pause=0/impl=a");
    CHECK(!has(v, n, "t/grid/threads=2/cap=0/pause=0/impl=a"));
    CHECK(has(v, n, "t/grid/threads=2/cap=16/pause=1us/impl=b"));
    char name[128];
    snprintf(name, sizeof name, "t/grid/threads=%d/cap=16/pause=0/impl=a", 2 * pus);
    CHECK(has(v, n, name));
    CHECK_STR(v[n - 3].name, "t/full/k=2/impl=c");
    CHECK_STR(v[n - 1].name, "t/bare/impl=c");
    /* Accessors. */
    const struct bench_instance *i2 = &v[2];
    CHECK(bench_param_int(i2, "threads") == 1);
    CHECK(bench_param_int(i2, "cap") == 0);
    CHECK(bench_param_ns(i2, "pause") == 1000);
    CHECK_STR(bench_param_str(i2, "pause"), "1us");
    CHECK_STR(bench_name(i2), "t/grid/threads=1/cap=0/pause=1us/impl=a");
    CHECK_STR(bench_impl_name(i2), "a");
    CHECK(i2->family == &fam && i2->scenario == &scenarios[0]);
    registry_free(v, n);

    /* --quick: threads=1, cap 0 (first value), pause=1us; "full" left out; "bare" kept. */
    struct bench_select quick = {.quick = true};
    n = expand(&quick, &v);
    CHECK(n == 3);
    CHECK_STR(v[0].name, "t/grid/threads=1/cap=0/pause=1us/impl=a");
    CHECK_STR(v[1].name, "t/grid/threads=1/cap=0/pause=1us/impl=b");
    CHECK_STR(v[2].name, "t/bare/impl=c");
    registry_free(v, n);

    /* --threads replaces thread counts (also under --quick), --impl and --filter select. */
    regex_t re;
    CHECK(regcomp(&re, "pause=0/", REG_EXTENDED | REG_NOSUB) == 0);
    const int threads[] = {3, 7};
    char *only_b[] = {"b"};
    struct bench_select sel = {
        .filter = &re, .threads = threads, .nthreads = 2, .impls = only_b, .nimpls = 1};
    n = expand(&sel, &v);
    CHECK(n == 4);
    CHECK_STR(v[0].name, "t/grid/threads=3/cap=0/pause=0/impl=b");
    CHECK_STR(v[3].name, "t/grid/threads=7/cap=16/pause=0/impl=b");
    registry_free(v, n);
    regfree(&re);

    /* A filter matching nothing is an empty selection, not an error. */
    CHECK(regcomp(&re, "^nothing$", REG_EXTENDED | REG_NOSUB) == 0);
    struct bench_select none = {.filter = &re};
    n = expand(&none, &v);
    CHECK(n == 0);
    registry_free(v, n);
    regfree(&re);

    /* Impl names. */
    CHECK(registry_has_impl(families, "a") && registry_has_impl(families, "c"));
    CHECK(!registry_has_impl(families, "goc"));
    char names[64];
    registry_impl_names(families, names, sizeof names);
    CHECK_STR(names, "a, b, c");

    /* A malformed grid is refused with a message naming it. */
    size_t bn = 0;
    struct bench_instance *bv = NULL;
    CHECK(registry_expand(broken_families, &all, &bv, &bn, err, sizeof err) == -1);
    CHECK(strstr(err, "threads=lots") != NULL);

    /* The program's own registry expands, and every name is family/scenario/.../impl=X. */
    size_t pn = 0;
    struct bench_instance *pv = NULL;
    CHECK(registry_expand(bench_families, &all, &pv, &pn, err, sizeof err) == 0);
    CHECK(pn >= 2);
    CHECK(has(pv, pn, "chan/spsc/cap=1024/size=8/impl=goc"));
    CHECK(has(pv, pn, "chan/pingpong/cap=0/impl=goc"));
    for (size_t i = 0; i < pn; i++)
        CHECK(strstr(pv[i].name, "/impl=") != NULL);
    registry_free(pv, pn);

    /* bench_share splits exactly. */
    uint64_t sum = 0;
    for (int i = 0; i < 7; i++)
        sum += bench_share(100, 7, i);
    CHECK(sum == 100);
    CHECK(bench_share(100, 7, 0) == 15 && bench_share(100, 7, 6) == 14);

    return check_result("registry_test");
}
