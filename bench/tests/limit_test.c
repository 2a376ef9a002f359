/* SPDX-License-Identifier: MIT */
/* The hardware floor: pair sampling on a synthetic many-PU topology, refusals, and on this
 * machine positive, finite figures, the rows and context a results file gets, and the floor
 * looked up for a placement. No timing thresholds. */
#include "check.h"
#include "floor.h"
#include "floor_report.h"
#include "topology.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool
positive(double v) {
    return isfinite(v) && v > 0;
}

static void
test_sampling(void) {
    char err[256];
    if (topo_init_synthetic("pack:2 l3:2 core:4 pu:2", NULL, err, sizeof err) < 0) {
        fprintf(stderr, "synthetic: %s\n", err);
        check_failures++;
        return;
    }
    int pus[32];
    CHECK(topo_plan("compact", 32, pus, err, sizeof err) == 0);
    struct limit_pair pairs[64];
    int n = limit_choose_pairs(pus, 32, 64, pairs);
    CHECK(n == 64);
    int rel[4] = {0};
    for (int i = 0; i < n; i++) {
        CHECK(pairs[i].a != pairs[i].b);
        for (int j = 0; j < i; j++)
            CHECK(!((pairs[i].a == pairs[j].a && pairs[i].b == pairs[j].b) ||
                    (pairs[i].a == pairs[j].b && pairs[i].b == pairs[j].a)));
        const char *names[4] = {"same-core", "same-l3", "same-numa", "none"};
        for (int k = 0; k < 4; k++)
            if (strcmp(pairs[i].relation, names[k]) == 0)
                rel[k]++;
    }
    /* Stratified: the 16 same-core pairs, and 16 of each other relation. */
    CHECK(rel[0] == 16 && rel[1] == 16 && rel[2] == 16 && rel[3] == 16);
    CHECK(strcmp(pairs[0].relation, "same-core") == 0 && pairs[0].a == 0 && pairs[0].b == 1);
    struct limit_pair again[64];
    CHECK(limit_choose_pairs(pus, 32, 64, again) == 64);
    for (int i = 0; i < 64; i++) /* deterministic: two runs measure the same pairs */
        CHECK(again[i].a == pairs[i].a && again[i].b == pairs[i].b);

    /* A huge machine: candidates are sampled, the strata still all present. */
    if (topo_init_synthetic("pack:4 l3:4 core:16 pu:2", NULL, err, sizeof err) == 0) {
        int big[512];
        CHECK(topo_plan("compact", 512, big, err, sizeof err) == 0);
        CHECK(limit_choose_pairs(big, 512, 64, pairs) == 64);
        int seen[4] = {0};
        for (int i = 0; i < 64; i++)
            for (int k = 0; k < 4; k++)
                seen[k] += strcmp(pairs[i].relation, (const char *[]){"same-core", "same-l3",
                                                                      "same-numa", "none"}[k]) == 0;
        CHECK(seen[0] == 16 && seen[1] == 16 && seen[2] == 16 && seen[3] == 16);
    } else {
        fprintf(stderr, "synthetic: %s\n", err);
        check_failures++;
    }
    CHECK(topo_init_synthetic("pack:2 l3:2 core:4 pu:2", NULL, err, sizeof err) == 0);

    /* Few PUs: every ordered pair. */
    n = limit_choose_pairs(pus, 4, 64, pairs);
    CHECK(n == 12);
    topo_fini();
    CHECK(topo_init(err, sizeof err) == 0);
}

static void
test_refusals(void) {
    struct limit_result r;
    char err[512];
    char list[64];

    snprintf(list, sizeof list, "0,%d", topo_num_pus() + 4096);
    struct limit_opts o = {.pus = list, .quick = true};
    CHECK(limit_measure(&o, &r, err, sizeof err) < 0);
    CHECK(strstr(err, "does not exist") != NULL);

    int first;
    CHECK(topo_plan("compact", 1, &first, err, sizeof err) == 0);
    snprintf(list, sizeof list, "%d", first);
    o.pus = list;
    CHECK(limit_measure(&o, &r, err, sizeof err) < 0);
    CHECK(strstr(err, "two PUs") != NULL);

    snprintf(list, sizeof list, "%d,%d", first, first);
    CHECK(limit_measure(&o, &r, err, sizeof err) < 0);
    CHECK(strstr(err, "twice") != NULL);

    o.pus = NULL;
    o.ring_slots = 1000;
    CHECK(limit_measure(&o, &r, err, sizeof err) < 0);
    CHECK(strstr(err, "power of two") != NULL);
}

static void
test_measure(void) {
    if (topo_num_allowed() < 2) {
        printf("limit_test: this process may use one PU only; the measurement is not tested\n");
        return;
    }
    struct limit_opts o = {.quick = true, .runs = 3, .max_pairs = 6};
    struct limit_result r;
    char err[512];
    if (limit_measure(&o, &r, err, sizeof err) < 0) {
        fprintf(stderr, "limit_measure: %s\n", err);
        check_failures++;
        return;
    }
    CHECK(r.npus == topo_num_allowed());
    CHECK(r.npairs >= 1 && r.npairs <= 6);
    CHECK(positive(r.c2c_round_trip_ns));
    CHECK(positive(r.one_way_ns));
    CHECK(fabs(r.one_way_ns * 2 - r.c2c_round_trip_ns) < 1e-9 * r.c2c_round_trip_ns + 1e-9);
    CHECK(positive(r.one_way_ts_ns));
    CHECK(positive(r.ring_ns_per_msg));
    CHECK(positive(r.clock_overhead_ns));
    int rings = 0;
    for (int i = 0; i < r.npairs; i++) {
        const struct limit_pair *p = &r.pairs[i];
        CHECK(p->a != p->b);
        CHECK(topo_is_allowed(p->a) && topo_is_allowed(p->b));
        CHECK(p->a_observed == p->a && p->b_observed == p->b);
        CHECK(p->nruns == 3);
        CHECK(p->relation && strcmp(p->relation, "unpinned") != 0);
        for (int k = 0; k < p->nruns; k++) {
            CHECK(positive(p->c2c_ns[k]));
            CHECK(positive(p->c2c_cpu_ns[k]));
            CHECK(p->c2c_iters[k] > 0);
        }
        CHECK(positive(p->c2c_median_ns));
        if (p->ring) {
            rings++;
            for (int k = 0; k < p->nruns; k++)
                CHECK(positive(p->ring_ns[k]) && p->ring_msgs[k] > 0);
            CHECK(positive(p->ring_median_ns));
        }
    }
    CHECK(rings >= 1);
    /* With two PUs both directions are measured. */
    if (r.npus == 2)
        CHECK(r.npairs == 2 && r.pairs[0].a == r.pairs[1].b && r.pairs[0].b == r.pairs[1].a);

    json_t *ctx = limit_context_json(&r);
    CHECK(positive(json_number_value(json_object_get(ctx, "c2c_round_trip_ns"))));
    CHECK(positive(json_number_value(json_object_get(ctx, "one_way_ns"))));
    CHECK(positive(json_number_value(json_object_get(ctx, "ring_ns_per_msg"))));
    json_decref(ctx);

    json_t *rows = json_array();
    CHECK(limit_append_rows(&r, rows, false) == 0);
    CHECK((int)json_array_size(rows) == (r.npairs + rings) * 3);
    char want[64];
    snprintf(want, sizeof want, "limit/c2c/pu=%d,%d", r.pairs[0].a, r.pairs[0].b);
    json_t *row0 = json_array_get(rows, 0);
    CHECK(strcmp(json_string_value(json_object_get(row0, "name")), want) == 0);
    CHECK(strcmp(json_string_value(json_object_get(row0, "run_type")), "iteration") == 0);
    CHECK(strcmp(json_string_value(json_object_get(row0, "op")), "roundtrip") == 0);
    CHECK(json_is_true(json_object_get(row0, "verified")));
    CHECK(json_array_size(json_object_get(row0, "placement")) == 2);
    CHECK(json_is_string(json_object_get(row0, "relation")));
    CHECK(positive(json_number_value(json_object_get(row0, "real_time"))));
    size_t i;
    json_t *x;
    int ring_rows = 0;
    json_array_foreach(rows, i, x) {
        if (strncmp(json_string_value(json_object_get(x, "name")), "limit/ring/pu=", 14) == 0) {
            ring_rows++;
            CHECK(strcmp(json_string_value(json_object_get(x, "op")), "msg") == 0);
        }
    }
    CHECK(ring_rows == rings * 3);
    json_decref(rows);

    /* With aggregates: six more rows per benchmark, the median equal to the pair's median. */
    rows = json_array();
    json_array_append_new(rows, json_pack("{s:s}", "name", "other/row"));
    CHECK(limit_append_rows(&r, rows, true) == 0);
    CHECK((int)json_array_size(rows) == 1 + (r.npairs + rings) * (3 + 6));
    snprintf(want, sizeof want, "limit/c2c/pu=%d,%d_median", r.pairs[0].a, r.pairs[0].b);
    bool found = false;
    json_array_foreach(rows, i, x) {
        const char *name = json_string_value(json_object_get(x, "name"));
        if (name && strcmp(name, want) == 0) {
            found = true;
            CHECK(strcmp(json_string_value(json_object_get(x, "run_type")), "aggregate") == 0);
            double med = json_number_value(json_object_get(x, "real_time"));
            CHECK(fabs(med - r.pairs[0].c2c_median_ns) <= 1e-3 + 1e-6 * med);
        }
    }
    CHECK(found);
    json_decref(rows);

    double c2c = 0, ring = 0;
    int pair[2] = {r.pairs[0].a, r.pairs[0].b};
    CHECK(limit_floor_for(&r, pair, 2, &c2c, &ring));
    /* The pair's own figure: the median of its two directions when both were measured. */
    double dirs[2] = {r.pairs[0].c2c_median_ns, r.pairs[0].c2c_median_ns};
    for (int k = 1; k < r.npairs; k++)
        if (r.pairs[k].a == pair[1] && r.pairs[k].b == pair[0])
            dirs[1] = r.pairs[k].c2c_median_ns;
    CHECK(fabs(c2c - (dirs[0] + dirs[1]) / 2) <= 1e-9 * c2c);
    CHECK(positive(ring));
    int unpinned[2] = {-1, -1};
    CHECK(limit_floor_for(&r, unpinned, 2, &c2c, &ring));
    CHECK(c2c == r.c2c_round_trip_ns && ring == r.ring_ns_per_msg);

    /* Included in a run's document: the context key, the rows, and ratio_to_floor on chan/ and
     * select/ rows (the round trip for ping-pong, the ring for the rest). */
    double pc2c = 0, pring = 0;
    CHECK(limit_floor_for(&r, pair, 2, &pc2c, &pring));
    json_t *doc = json_pack(
        "{s:{s:{s:i}},s:[{s:s,s:s,s:f,s:[{s:i},{s:i}]},{s:s,s:s,s:f,s:[{s:i},{s:i}],s:{s:f}},"
        "{s:s,s:s,s:f},{s:s,s:s,s:f}]}",
        "context", "chanbench", "schema_version", 1, "benchmarks", "name",
        "chan/pingpong/cap=0/impl=goc", "run_type", "iteration", "real_time", 2 * pc2c, "placement",
        "pu_requested", pair[0], "pu_requested", pair[1], "name",
        "chan/spsc/cap=1024/size=8/impl=goc", "run_type", "iteration", "real_time", 3 * pring,
        "placement", "pu_requested", pair[0], "pu_requested", pair[1], "extra", "share", 0.5,
        "name", "lock/mutex/threads=2/cs=0/impl=goc", "run_type", "iteration", "real_time", 10.0,
        "name", "chan/spsc/cap=1024/size=8/impl=goc_median", "run_type", "aggregate", "real_time",
        10.0);
    CHECK(doc != NULL);
    CHECK(limit_add_to_document(doc, &r) == 0);
    json_t *b = json_object_get(doc, "benchmarks");
    double ratio0 = json_number_value(
        json_object_get(json_object_get(json_array_get(b, 0), "extra"), "ratio_to_floor"));
    double ratio1 = json_number_value(
        json_object_get(json_object_get(json_array_get(b, 1), "extra"), "ratio_to_floor"));
    CHECK(fabs(ratio0 - 2) < 0.01);
    CHECK(fabs(ratio1 - 3) < 0.01);
    CHECK(json_object_get(json_object_get(json_array_get(b, 1), "extra"), "share") != NULL);
    CHECK(json_object_get(json_array_get(b, 2), "extra") == NULL);
    CHECK(json_object_get(json_array_get(b, 3), "extra") == NULL);
    CHECK((int)json_array_size(b) == 4 + (r.npairs + rings) * (3 + 6));
    CHECK(positive(json_number_value(json_object_get(
        json_object_get(json_object_get(json_object_get(doc, "context"), "chanbench"), "limit"),
        "ring_ns_per_msg"))));
    json_decref(doc);

    FILE *devnull = fopen("/dev/null", "w");
    if (devnull) {
        limit_print(devnull, &r);
        fclose(devnull);
    }
    limit_result_free(&r);
}

int
main(void) {
    char err[512];
    if (topo_init(err, sizeof err) < 0) {
        fprintf(stderr, "topo_init: %s\n", err);
        return 1;
    }
    test_sampling();
    test_refusals();
    test_measure();
    return check_result("limit_test");
}
