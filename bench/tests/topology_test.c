/* SPDX-License-Identifier: MIT */
/* Pin policies and relations on synthetic hwloc topologies (exact placements), refusals of
 * PUs that do not exist or are not allowed, and pinning on this machine's own PUs. */
#define _GNU_SOURCE /* sched_setaffinity, CPU_SET */
#include "check.h"
#include "topology.h"
#include "topology_report.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
load_synthetic(const char *desc, const char *allowed) {
    char err[256];
    if (topo_init_synthetic(desc, allowed, err, sizeof err) < 0) {
        fprintf(stderr, "cannot load synthetic topology '%s': %s\n", desc, err);
        exit(1);
    }
}

/* The plan of policy for n threads, as "a b c", or "ERR: message". */
static const char *
plan(const char *policy, int n) {
    static char out[1024];
    int pus[256];
    char err[512];
    if (topo_plan(policy, n, pus, err, sizeof err) < 0) {
        snprintf(out, sizeof out, "ERR: %s", err);
        return out;
    }
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(out + len, sizeof out - len, "%s%d", i ? " " : "", pus[i]);
    return out;
}

static bool
refused_with(const char *policy, int n, const char *needle) {
    const char *p = plan(policy, n);
    if (strncmp(p, "ERR: ", 5) != 0 || !strstr(p, needle)) {
        fprintf(stderr, "  plan(%s, %d) = '%s', expected a refusal mentioning '%s'\n", policy, n, p,
                needle);
        return false;
    }
    if (strchr(p, '\n')) {
        fprintf(stderr, "  plan(%s, %d): the message is not one line\n", policy, n);
        return false;
    }
    return true;
}

static const char *
rel2(int a, int b) {
    int p[2] = {a, b};
    return topo_relation(p, 2);
}

/* Two packages, two L3 each, four cores per L3, two PUs per core: 32 PUs numbered in tree
 * order. */
static void
test_two_packages(void) {
    load_synthetic("pack:2 l3:2 core:4 pu:2", NULL);
    CHECK(topo_num_pus() == 32);
    CHECK(topo_num_allowed() == 32);
    CHECK(topo_num_cores() == 16);
    CHECK(topo_num_packages() == 2);
    CHECK(topo_has_smt());

    CHECK_STR(plan("compact", 10), "0 1 2 3 4 5 6 7 8 9");
    CHECK_STR(plan("scatter", 8), "0 16 8 24 2 18 10 26");
    CHECK_STR(plan("scatter", 16), "0 16 8 24 2 18 10 26 4 20 12 28 6 22 14 30");
    CHECK_STR(plan("smt", 2), "0 1");
    CHECK_STR(plan("none", 3), "-1 -1 -1");
    CHECK_STR(plan("0,2,4", 3), "0 2 4");
    CHECK_STR(plan("3-5,30", 4), "3 4 5 30");
    CHECK_STR(plan("0-7", 2), "0 1"); /* a longer list: the first n */
    CHECK_STR(plan("5,5", 2), "5 5"); /* the same PU twice is a valid experiment */

    /* Oversubscription wraps round; every allowed PU appears once per lap. */
    int pus[64];
    char err[256];
    CHECK(topo_plan("compact", 64, pus, err, sizeof err) == 0);
    CHECK(pus[32] == 0 && pus[33] == 1 && pus[63] == 31);
    CHECK(topo_plan("scatter", 64, pus, err, sizeof err) == 0);
    int seen[32] = {0};
    for (int i = 0; i < 32; i++)
        seen[pus[i]]++;
    for (int i = 0; i < 32; i++)
        CHECK(seen[i] == 1);
    CHECK(pus[31] == 31 && pus[32] == 0 && pus[33] == 16);

    /* Plans are prefix-stable: thread i's PU does not depend on the thread count. */
    const char *pols[] = {"compact", "scatter", "smt"};
    for (int p = 0; p < 3; p++) {
        int a[64], b[64];
        int big = p == 2 ? 2 : 64;
        CHECK(topo_plan(pols[p], big, a, err, sizeof err) == 0);
        for (int n = 1; n <= big; n++) {
            CHECK(topo_plan(pols[p], n, b, err, sizeof err) == 0);
            CHECK(memcmp(a, b, sizeof(int) * (size_t)n) == 0);
        }
    }

    CHECK(refused_with("smt", 3, "smt"));
    CHECK(refused_with("0,32", 2, "PU 32 does not exist"));
    CHECK(refused_with("0,32", 2, "0-31")); /* names the allowed set */
    CHECK(refused_with("0,1", 3, "names 2 PUs for 3 threads"));
    CHECK(refused_with("", 1, "empty pin policy"));
    CHECK(refused_with("fast", 1, "'fast' is not a pin policy; use compact, scatter"));
    CHECK(refused_with("0,,1", 2, "is not a pin policy"));
    CHECK(refused_with("3-1", 2, "is not a pin policy"));
    CHECK(refused_with("1-", 1, "is not a pin policy"));
    CHECK(refused_with("-1", 1, "is not a pin policy"));
    CHECK(refused_with("0, 1", 2, "is not a pin policy"));
    CHECK(refused_with("99999999999999999999", 1, "is not a pin policy"));
    /* the syntax alone, as the CLI checks it before any topology is loaded */
    const char *good[] = {"compact", "scatter", "smt", "none", "0", "0,2", "0-3", "0,4-5,7-7"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        CHECK(topo_policy_syntax_ok(good[i]));
    const char *bad[] = {"",
                         "fast",
                         "0,,1",
                         "3-1",
                         "1-",
                         "-1",
                         "0, 1",
                         "0,",
                         ",0",
                         "1-2-3",
                         "99999999999999999999",
                         "Compact"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK(!topo_policy_syntax_ok(bad[i]));

    CHECK_STR(rel2(0, 1), "same-core");
    CHECK_STR(rel2(0, 0), "same-core");
    CHECK_STR(rel2(0, 2), "same-l3");
    CHECK_STR(rel2(1, 7), "same-l3");
    CHECK_STR(rel2(0, 8), "same-numa"); /* same package and NUMA node, other L3 */
    CHECK_STR(rel2(0, 16), "none");     /* other package */
    CHECK_STR(rel2(0, -1), "unpinned");
    CHECK_STR(topo_relation(NULL, 0), "unpinned");
    int one = 5;
    CHECK_STR(topo_relation(&one, 1), "same-core");
    int three[3] = {0, 1, 2};
    CHECK_STR(topo_relation(three, 3), "same-l3");
    int four[4] = {0, 2, 8, 16};
    CHECK_STR(topo_relation(four, 4), "none");

    /* Pinning is refused on a synthetic topology rather than attempted. */
    CHECK(topo_pin_self(0, err, sizeof err) < 0 && strstr(err, "synthetic"));

    json_t *j = topo_json();
    CHECK(json_integer_value(json_object_get(j, "packages")) == 2);
    CHECK(json_integer_value(json_object_get(j, "cores")) == 16);
    CHECK(json_integer_value(json_object_get(j, "pus")) == 32);
    CHECK(json_is_true(json_object_get(j, "smt")));
    CHECK(json_array_size(json_object_get(j, "caches")) == 1);
    json_t *c0 = json_array_get(json_object_get(j, "caches"), 0);
    CHECK(json_integer_value(json_object_get(c0, "level")) == 3);
    CHECK(json_integer_value(json_object_get(c0, "count")) == 4);
    CHECK_STR(json_string_value(json_object_get(j, "allowed_cpus")), "0-31");
    CHECK_STR(json_string_value(json_object_get(j, "machine_cpus")), "0-31");
    json_decref(j);
}

/* A restricted allowed set: policies use only allowed PUs; others are refused by name. */
static void
test_allowed_subset(void) {
    load_synthetic("pack:2 l3:2 core:4 pu:2", "0-5,16-17");
    CHECK(topo_num_pus() == 32);
    CHECK(topo_num_allowed() == 8);
    CHECK(topo_num_allowed_cores() == 4);
    CHECK_STR(topo_allowed_list(), "0-5,16-17");
    CHECK_STR(plan("compact", 9), "0 1 2 3 4 5 16 17 0");
    CHECK_STR(plan("scatter", 8), "0 16 2 17 4 1 3 5");
    CHECK_STR(plan("smt", 2), "0 1");
    CHECK(refused_with("6", 1, "PU 6 is outside this process's allowed CPUs 0-5,16-17"));
    CHECK(refused_with("0-7", 8, "outside"));
    CHECK(refused_with("40", 1, "does not exist"));
    CHECK(topo_is_allowed(16) && !topo_is_allowed(6) && !topo_is_allowed(-1));
    char err[256];
    CHECK(topo_pin_self(7, err, sizeof err) < 0 && strstr(err, "outside"));

    /* SMT exists, but no core has two allowed PUs. */
    load_synthetic("pack:2 l3:2 core:4 pu:2", "0,2,4,6");
    CHECK(!topo_has_smt());
    CHECK(refused_with("smt", 2, "no core has two PUs"));
    CHECK_STR(plan("compact", 4), "0 2 4 6");
}

static void
test_no_smt(void) {
    load_synthetic("pack:2 core:2 pu:1", NULL);
    CHECK(!topo_has_smt());
    CHECK_STR(plan("compact", 4), "0 1 2 3");
    CHECK_STR(plan("scatter", 4), "0 2 1 3");
    CHECK(refused_with("smt", 1, "no SMT"));
    CHECK(refused_with("smt", 2, "use compact or scatter"));
    CHECK_STR(rel2(0, 1), "same-numa");
    CHECK_STR(rel2(1, 2), "none");
    json_t *j = topo_json();
    CHECK(json_is_false(json_object_get(j, "smt")));
    json_decref(j);
}

/* NUMA nodes per package, and OS indexes that differ from the tree order (siblings numbered
 * n apart, as Linux numbers hyperthreads). */
static void
test_numa_and_numbering(void) {
    load_synthetic("pack:2 [numa] l3:2 core:2 pu:2", NULL);
    CHECK_STR(rel2(0, 2), "same-l3");
    CHECK_STR(rel2(0, 4), "same-numa");
    CHECK_STR(rel2(0, 8), "none");
    json_t *j = topo_json();
    CHECK(json_integer_value(json_object_get(j, "numa_nodes")) == 2);
    json_decref(j);

    load_synthetic("l3:1 core:4 pu:2(indexes=0,4,1,5,2,6,3,7)", NULL);
    CHECK_STR(plan("compact", 8), "0 4 1 5 2 6 3 7");
    CHECK_STR(plan("scatter", 8), "0 1 2 3 4 5 6 7");
    CHECK_STR(plan("smt", 2), "0 4");
    CHECK_STR(rel2(0, 4), "same-core");
    CHECK_STR(rel2(0, 1), "same-l3");

    /* No caches at all: the last-level cache test falls through to NUMA. */
    load_synthetic("core:2 pu:1", NULL);
    CHECK_STR(rel2(0, 1), "same-numa");
}

static void
test_bad_synthetic(void) {
    char err[256];
    CHECK(topo_init_synthetic("pack:x", NULL, err, sizeof err) < 0);
    CHECK(strstr(err, "synthetic") != NULL);
    CHECK(topo_init_synthetic("core:2 pu:2", "9-12", err, sizeof err) < 0);
}

/* This machine: pin to every allowed PU and check the thread lands there; refuse a PU that
 * does not exist, and one outside a narrowed allowed set. */
static void
test_this_machine(void) {
    char err[512];
    topo_fini();
    if (topo_init(err, sizeof err) < 0) {
        fprintf(stderr, "topo_init: %s\n", err);
        check_failures++;
        return;
    }
    cpu_set_t orig;
    CHECK(sched_getaffinity(0, sizeof orig, &orig) == 0);
    int n = topo_num_allowed();
    CHECK(n >= 1 && n <= topo_num_pus());
    CHECK(topo_num_cores() >= 1);
    CHECK(strlen(topo_cpu_model()) > 0);
    int *pus = malloc(sizeof(int) * (size_t)n);
    CHECK(topo_plan("compact", n, pus, err, sizeof err) == 0);
    for (int i = 0; i < n; i++) {
        CHECK(topo_is_allowed(pus[i]));
        if (topo_pin_self(pus[i], err, sizeof err) < 0) {
            fprintf(stderr, "pin to PU %d: %s\n", pus[i], err);
            check_failures++;
            continue;
        }
        int seen = topo_last_pu();
        for (int k = 0; k < 100 && seen != pus[i]; k++) {
            sched_yield();
            seen = topo_last_pu();
        }
        if (seen != pus[i]) {
            fprintf(stderr, "pinned to PU %d, but topo_last_pu() says %d\n", pus[i], seen);
            check_failures++;
        }
    }
    CHECK(topo_pin_self(-1, err, sizeof err) == 0); /* "not pinned" does nothing */
    CHECK(sched_setaffinity(0, sizeof orig, &orig) == 0);

    int missing = topo_num_pus() + 4096;
    char list[32];
    snprintf(list, sizeof list, "%d", missing);
    CHECK(refused_with(list, 1, "does not exist"));
    CHECK(refused_with(list, 1, topo_allowed_list()));
    CHECK(topo_pin_self(missing, err, sizeof err) < 0 && strstr(err, "does not exist"));

    json_t *j = topo_json();
    CHECK(json_integer_value(json_object_get(j, "pus")) == topo_num_pus());
    CHECK_STR(json_string_value(json_object_get(j, "allowed_cpus")), topo_allowed_list());
    CHECK(json_is_boolean(json_object_get(j, "virtualized")));
    json_decref(j);

    /* Narrow this thread's (the only one's) affinity to one PU and reload: the others are now
     * outside the allowed set and refused, never bound. */
    if (n >= 2) {
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(pus[0], &one);
        CHECK(sched_setaffinity(0, sizeof one, &one) == 0);
        CHECK(topo_init_allowed(NULL, err, sizeof err) == 0);
        CHECK(topo_num_allowed() == 1);
        snprintf(list, sizeof list, "%d", pus[1]);
        CHECK(refused_with(list, 1, "outside this process's allowed CPUs"));
        CHECK(topo_pin_self(pus[1], err, sizeof err) < 0 && strstr(err, "outside"));
        char want[32];
        snprintf(want, sizeof want, "%d %d", pus[0], pus[0]);
        CHECK_STR(plan("compact", 2), want);
        CHECK(sched_setaffinity(0, sizeof orig, &orig) == 0);
        CHECK(topo_init_allowed(NULL, err, sizeof err) == 0);
        CHECK(topo_num_allowed() == n);
    } else {
        printf("only one allowed PU: the outside-the-allowed-set check on this machine is "
               "covered by the synthetic tests only\n");
    }
    free(pus);

    FILE *devnull = fopen("/dev/null", "w");
    if (devnull) {
        topo_print(devnull);
        fclose(devnull);
    }
}

int
main(void) {
    test_two_packages();
    test_allowed_subset();
    test_no_smt();
    test_numa_and_numbering();
    test_bad_synthetic();
    test_this_machine();
    topo_fini();
    return check_result("topology_test");
}
