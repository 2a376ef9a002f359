/* SPDX-License-Identifier: MIT */
/* The hardware floor: what no channel can beat on this machine. Core-to-core round trip of
 * one cache line for pairs of PUs, one-way latency, and the cost per message of a minimal
 * single-producer single-consumer ring. Measuring it is here; writing it (context, limit/ rows,
 * ratio_to_floor, the printed matrix) is output/floor_report.h; `chanbench limit` is
 * commands/limit.c. */
#ifndef BENCH_LIMIT_H
#define BENCH_LIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define LIMIT_MAX_RUNS 32

/* What to measure. A zero-filled struct gives the defaults. */
struct limit_opts {
    const char *pus; /* PUs to measure among, a list such as "0-3,8" (checked against the
                      * allowed set); NULL: every allowed PU */
    int max_pairs;   /* most c2c pairs measured (0: 64); on machines with more pairs a sample
                      * is taken that always includes a same-core, a same-L3, a same-NUMA and
                      * a cross-package pair where they exist */
    int runs;        /* timed runs per pair; medians are reported (0: 7, quick 3) */
    double run_s;    /* target length of one timed run (0: 20 ms with few pairs, 5 ms with
                      * many; quick 2 ms) */
    int ring_pairs;  /* pairs the ring is measured on, one per relation (0: 4) */
    int ring_slots;  /* ring size, a power of two (0: 1024) */
    bool quick;      /* fewer, shorter runs */
    bool verbose;    /* a progress line per pair on stderr */
};

/* One measured pair: thread 0 on PU a starts each round trip (and produces into the ring),
 * thread 1 on PU b answers (and consumes). Times are ns. */
struct limit_pair {
    int a, b;
    int a_observed, b_observed; /* topo_last_pu() of each thread after pinning */
    const char *relation;       /* topo_relation() of {a, b} */
    int nruns;
    double c2c_ns[LIMIT_MAX_RUNS];     /* round trip, per run */
    double c2c_cpu_ns[LIMIT_MAX_RUNS]; /* CPU time per round trip, both threads */
    uint64_t c2c_iters[LIMIT_MAX_RUNS];
    long c2c_vcs[LIMIT_MAX_RUNS], c2c_ivcs[LIMIT_MAX_RUNS]; /* context switches, both threads */
    double c2c_median_ns;
    double one_way_ts_ns; /* median of timestamped one-way trips (writer's clock read before
                           * the store to the reader's after seeing it; includes about one
                           * clock read) */
    bool ring;            /* the ring was measured on this pair */
    double ring_ns[LIMIT_MAX_RUNS]; /* ns per message, per run */
    double ring_cpu_ns[LIMIT_MAX_RUNS];
    uint64_t ring_msgs[LIMIT_MAX_RUNS];
    long ring_vcs[LIMIT_MAX_RUNS], ring_ivcs[LIMIT_MAX_RUNS];
    double ring_median_ns;
};

struct limit_result {
    int *pus; /* the PUs measured among, in the order given */
    int npus;
    struct limit_pair *pairs;
    int npairs;
    int ring_slots;
    int runs;                 /* timed runs per pair */
    double run_s;             /* target length of one run */
    double clock_overhead_ns; /* one clock_gettime(CLOCK_MONOTONIC) */
    /* Medians over the measured pairs (context.chanbench.limit): */
    double c2c_round_trip_ns;
    double one_way_ns;    /* c2c_round_trip_ns / 2 */
    double one_way_ts_ns; /* median of the pairs' timestamped one-way figures */
    double ring_ns_per_msg;
};

/* Measure the floor. Blocks for about a second on a 2-PU machine (2-4 s with 64 pairs);
 * starts and joins two pinned threads per pair; the calling thread is not pinned. Call from
 * one thread at a time, with no benchmark running (it spins two PUs flat out). 0, or -1 with
 * a one-line err (fewer than two allowed PUs, a PU outside the allowed set, pinning failed,
 * a self-check failed). On success free out with limit_result_free. */
int limit_measure(const struct limit_opts *opts, struct limit_result *out, char *err,
                  size_t errlen);
void limit_result_free(struct limit_result *r);

/* The floor for threads placed on pus[0..n-1] (a benchmark's placement), for ratio_to_floor:
 * the round trip and ring figures of the measured pair (pus[0], pus[1]) in either direction,
 * else the median over measured pairs of the same relation, else the overall medians. Either
 * output pointer may be NULL. Returns false when r has nothing to give. */
bool limit_floor_for(const struct limit_result *r, const int *pus, int n, double *c2c_ns,
                     double *ring_ns);

/* The pairs limit_measure measures among pus[0..k-1], at most max, written into out (room for
 * max) with a, b and relation set: every ordered pair when k*(k-1) <= max; otherwise unordered
 * pairs stratified by relation (same-core, same-l3, same-numa, none): each relation present
 * gets its first pair (in PU order) before any gets a second, then the relations share the
 * rest evenly, picked pseudo-randomly with a fixed seed (two runs of a machine measure the
 * same pairs). Returns how many (0 when out of memory). Uses the loaded topology only (tests
 * call it on synthetic ones). */
int limit_choose_pairs(const int *pus, int k, int max, struct limit_pair *out);

#endif
