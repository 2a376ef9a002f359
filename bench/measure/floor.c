/* SPDX-License-Identifier: MIT */
/* The hardware floor: a cache line bounced between two pinned threads (round trip and one-way
 * latency) and a minimal SPSC ring (ns per message), for pairs of PUs. Writing it out is
 * output/floor_report.c; `chanbench limit` is commands/limit.c.
 * The busy loops here are deliberate: they measure the hardware, so they spin on purpose and
 * do not go through libgoc's spin policy. Pinning and relations come from topology.c. */
#define _GNU_SOURCE /* RUSAGE_THREAD, gethostname */
#include "floor.h"
#include "floor_pair.h"
#include "harness.h"
#include "topology.h"
#include "stats.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* Median of v[0..n-1] (NAN for n <= 0); v is left unchanged. */
static double
median(const double *v, int n) {
    return stats_median(v, n > 0 ? (size_t)n : 0);
}

/* ---- choosing pairs ----------------------------------------------------------------------- */

static bool
have_pair(const struct limit_pair *p, int n, int a, int b) {
    for (int i = 0; i < n; i++)
        if ((p[i].a == a && p[i].b == b) || (p[i].a == b && p[i].b == a))
            return true;
    return false;
}

static void
add_pair(struct limit_pair *p, int *n, int a, int b) {
    memset(&p[*n], 0, sizeof p[*n]);
    p[*n].a = a;
    p[*n].b = b;
    int ab[2] = {a, b};
    p[*n].relation = topo_relation(ab, 2);
    p[*n].one_way_ts_ns = NAN;
    p[*n].ring_median_ns = NAN;
    ++*n;
}

/* A deterministic pseudo-random number (64-bit LCG, Knuth's constants): fixed seeds, so that
 * two runs on one machine measure the same pairs. */
static uint32_t
lcg_next(uint64_t *x) {
    *x = *x * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(*x >> 33);
}

/* All ordered pairs when they fit in max; otherwise a sample of unordered ones, stratified by
 * relation: the candidates (every pair, or 40000 pseudo-random ones on huge machines) are put
 * in one bucket per relation, each bucket is shuffled but for its first pair in PU order, and
 * the buckets are taken from in turn. So each relation present gets a pair before any gets a
 * second, and the relations share the budget evenly. */
int
limit_choose_pairs(const int *pus, int k, int max, struct limit_pair *out) {
    int n = 0;
    if (k * (k - 1) <= max) {
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
                if (i != j)
                    add_pair(out, &n, pus[i], pus[j]);
        return n;
    }
    long long total = (long long)k * (k - 1) / 2;
    int ncand = total <= 40000 ? (int)total : 40000;
    int *cand = malloc(sizeof(int) * 2 * (size_t)ncand);
    int *bucket[TOPO_NRELATIONS];
    int len[TOPO_NRELATIONS] = {0}, pos[TOPO_NRELATIONS] = {0};
    for (int r = 0; r < TOPO_NRELATIONS; r++)
        bucket[r] = malloc(sizeof(int) * (size_t)ncand);
    bool ok = cand != NULL;
    for (int r = 0; r < TOPO_NRELATIONS; r++)
        ok = ok && bucket[r] != NULL;
    if (!ok)
        goto out;
    uint64_t x = 0x9e3779b97f4a7c15ull;
    if (total <= 40000) {
        int c = 0;
        for (int i = 0; i < k; i++)
            for (int j = i + 1; j < k; j++) {
                cand[2 * c] = pus[i];
                cand[2 * c + 1] = pus[j];
                c++;
            }
    } else {
        for (int c = 0; c < ncand;) {
            int i = (int)(lcg_next(&x) % (uint32_t)k), j = (int)(lcg_next(&x) % (uint32_t)k);
            if (i == j)
                continue;
            cand[2 * c] = pus[i < j ? i : j];
            cand[2 * c + 1] = pus[i < j ? j : i];
            c++;
        }
    }
    for (int c = 0; c < ncand; c++) {
        int r = topo_relation_rank(topo_relation(&cand[2 * c], 2));
        bucket[r][len[r]++] = c;
    }
    for (int r = 0; r < TOPO_NRELATIONS; r++) /* Fisher-Yates over [1, len) */
        for (int i = len[r] - 1; i > 1; i--) {
            int j = 1 + (int)(lcg_next(&x) % (uint32_t)i);
            int t = bucket[r][i];
            bucket[r][i] = bucket[r][j];
            bucket[r][j] = t;
        }
    for (bool more = true; more && n < max;) {
        more = false;
        for (int r = 0; r < TOPO_NRELATIONS && n < max; r++) {
            while (pos[r] < len[r]) {
                const int *ab = &cand[2 * bucket[r][pos[r]++]];
                if (!have_pair(out, n, ab[0], ab[1])) {
                    add_pair(out, &n, ab[0], ab[1]);
                    more = true;
                    break;
                }
            }
            more = more || pos[r] < len[r];
        }
    }
out:
    free(cand);
    for (int r = 0; r < TOPO_NRELATIONS; r++)
        free(bucket[r]);
    return n;
}

/* ---- measuring ---------------------------------------------------------------------------- */

static double
clock_overhead(void) {
    double v[5];
    for (int r = 0; r < 5; r++) {
        int64_t t0 = bench_now_ns(), t = t0;
        for (int i = 0; i < 10000; i++)
            t = bench_now_ns();
        v[r] = (double)(t - t0) / 10000.0;
    }
    return median(v, 5);
}

int
limit_measure(const struct limit_opts *opts, struct limit_result *out, char *err, size_t errlen) {
    struct limit_opts o = {0};
    if (opts)
        o = *opts;
    memset(out, 0, sizeof *out);
    char lerr[512];
    if (topo_init(lerr, sizeof lerr) < 0) {
        bench_seterr(err, errlen, "limit: %s", lerr);
        return -1;
    }
    int maxp = o.max_pairs > 0 ? o.max_pairs : 64;
    int runs = o.runs > 0 ? o.runs : (o.quick ? 3 : 7);
    if (runs > LIMIT_MAX_RUNS)
        runs = LIMIT_MAX_RUNS;
    int slots = o.ring_slots > 0 ? o.ring_slots : 1024;
    if (slots & (slots - 1)) {
        bench_seterr(err, errlen, "limit: ring size %d is not a power of two", slots);
        return -1;
    }
    int ring_pairs = o.ring_pairs > 0 ? o.ring_pairs : 4;

    /* The PUs: a list (validated by the planner) or every allowed PU in compact order. */
    int k = 0;
    int *pus = NULL;
    if (o.pus) {
        int want = topo_num_pus();
        pus = malloc(sizeof(int) * (size_t)(want > 0 ? want : 1));
        if (!pus) {
            bench_seterr(err, errlen, "limit: out of memory");
            return -1;
        }
        /* Plan one PU at a time until the list runs out: the planner refuses a short list. */
        for (k = want; k > 0; k--)
            if (topo_plan(o.pus, k, pus, NULL, 0) == 0)
                break;
        if (k == 0 && topo_plan(o.pus, 1, pus, lerr, sizeof lerr) < 0) {
            bench_seterr(err, errlen, "limit: %s", lerr);
            free(pus);
            return -1;
        }
        for (int i = 0; i < k; i++)
            for (int j = i + 1; j < k; j++)
                if (pus[i] == pus[j]) {
                    bench_seterr(err, errlen, "limit: PU %d is listed twice in '%s'", pus[i],
                                 o.pus);
                    free(pus);
                    return -1;
                }
    } else {
        k = topo_num_allowed();
        pus = malloc(sizeof(int) * (size_t)(k > 0 ? k : 1));
        if (!pus || topo_plan("compact", k, pus, lerr, sizeof lerr) < 0) {
            bench_seterr(err, errlen, "limit: %s", pus ? lerr : "out of memory");
            free(pus);
            return -1;
        }
    }
    if (k < 2) {
        bench_seterr(
            err, errlen,
            "limit: needs two PUs to bounce a cache line between, and this process's allowed "
            "CPUs are %s; widen the affinity (taskset, cpuset) or pass --pus with two PUs",
            topo_allowed_list());
        free(pus);
        return -1;
    }
    struct limit_pair *pairs = calloc((size_t)maxp, sizeof *pairs);
    if (!pairs) {
        free(pus);
        bench_seterr(err, errlen, "limit: out of memory");
        return -1;
    }
    int np = limit_choose_pairs(pus, k, maxp, pairs);
    double run_s = o.run_s > 0 ? o.run_s : (o.quick ? 0.002 : (np <= 8 ? 0.02 : 0.005));

    out->pus = pus;
    out->npus = k;
    out->pairs = pairs;
    out->npairs = np;
    out->ring_slots = slots;
    out->runs = runs;
    out->run_s = run_s;
    out->clock_overhead_ns = clock_overhead();

    /* The ring on the first pair of each relation present, up to ring_pairs. */
    bool ring_rel[TOPO_NRELATIONS] = {false};
    int rings = 0;
    for (int i = 0; i < np; i++) {
        int r = topo_relation_rank(pairs[i].relation);
        bool ring = !ring_rel[r] && rings < ring_pairs;
        if (ring) {
            ring_rel[r] = true;
            rings++;
        }
        if (o.verbose)
            fprintf(stderr, "limit: pair %d of %d: PUs %d,%d (%s)%s\n", i + 1, np, pairs[i].a,
                    pairs[i].b, pairs[i].relation, ring ? ", with the ring" : "");
        if (floor_measure_pair(&o, runs, run_s, ring, slots, &pairs[i], lerr, sizeof lerr) < 0) {
            bench_seterr(err, errlen, "%s", lerr);
            limit_result_free(out);
            return -1;
        }
    }

    double *v = malloc(sizeof(double) * (size_t)np);
    if (!v) {
        bench_seterr(err, errlen, "limit: out of memory");
        limit_result_free(out);
        return -1;
    }
    int nv = 0;
    for (int i = 0; i < np; i++)
        v[nv++] = pairs[i].c2c_median_ns;
    out->c2c_round_trip_ns = median(v, nv);
    out->one_way_ns = out->c2c_round_trip_ns / 2;
    nv = 0;
    for (int i = 0; i < np; i++)
        if (!isnan(pairs[i].one_way_ts_ns))
            v[nv++] = pairs[i].one_way_ts_ns;
    out->one_way_ts_ns = median(v, nv);
    nv = 0;
    for (int i = 0; i < np; i++)
        if (pairs[i].ring)
            v[nv++] = pairs[i].ring_median_ns;
    out->ring_ns_per_msg = median(v, nv);
    free(v);
    return 0;
}

void
limit_result_free(struct limit_result *r) {
    if (!r)
        return;
    free(r->pus);
    free(r->pairs);
    memset(r, 0, sizeof *r);
}

/* Median c2c and ring figures over the pairs that match: exact (a,b in either order) when
 * exact is true, else the same relation. Returns how many pairs matched. */
static int
floor_of(const struct limit_result *r, const int *ab, const char *rel, bool exact, double *c2c,
         double *ring) {
    double *v = malloc(sizeof(double) * (size_t)r->npairs);
    double *w = malloc(sizeof(double) * (size_t)r->npairs);
    int nv = 0, nw = 0;
    for (int i = 0; v && w && i < r->npairs; i++) {
        const struct limit_pair *p = &r->pairs[i];
        bool match = exact ? ((p->a == ab[0] && p->b == ab[1]) || (p->a == ab[1] && p->b == ab[0]))
                           : strcmp(p->relation, rel) == 0;
        if (!match)
            continue;
        v[nv++] = p->c2c_median_ns;
        if (p->ring)
            w[nw++] = p->ring_median_ns;
    }
    if (nv)
        *c2c = median(v, nv);
    if (nw)
        *ring = median(w, nw);
    free(v);
    free(w);
    return nv;
}

bool
limit_floor_for(const struct limit_result *r, const int *pus, int n, double *c2c_ns,
                double *ring_ns) {
    if (!r || r->npairs == 0)
        return false;
    double c2c = r->c2c_round_trip_ns, ring = r->ring_ns_per_msg;
    if (pus && n >= 2 && pus[0] >= 0 && pus[1] >= 0) {
        const char *rel = topo_relation(pus, 2);
        double rc2c = c2c, rring = ring;
        floor_of(r, pus, rel, false, &rc2c, &rring); /* the relation's figures */
        c2c = rc2c;
        ring = rring;
        floor_of(r, pus, rel, true, &c2c, &ring); /* the pair's own, where measured */
    }
    if (c2c_ns)
        *c2c_ns = c2c;
    if (ring_ns)
        *ring_ns = ring;
    return true;
}
