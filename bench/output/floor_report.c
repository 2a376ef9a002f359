/* SPDX-License-Identifier: MIT */
/* The hardware floor written out (floor_report.h): its context object, its limit/ rows, the
 * ratio_to_floor of a run's rows, and the matrix `chanbench limit` prints. Measuring it is
 * measure/floor.c. */
#include "floor_report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "names.h"
#include "stats.h"
#include "topology.h"

/* Median of v[0..n-1] (NAN for n <= 0); v is left unchanged. */
static double
median(const double *v, int n) {
    return stats_median(v, n > 0 ? (size_t)n : 0);
}

static json_t *
num(double v) {
    return isfinite(v) ? json_real(round(v * 1000) / 1000) : json_null();
}

json_t *
limit_context_json(const struct limit_result *r) {
    json_t *o = json_object();
    json_object_set_new(o, "c2c_round_trip_ns", num(r->c2c_round_trip_ns));
    json_object_set_new(o, "one_way_ns", num(r->one_way_ns));
    json_object_set_new(o, "ring_ns_per_msg", num(r->ring_ns_per_msg));
    json_object_set_new(o, "one_way_timestamped_ns", num(r->one_way_ts_ns));
    json_object_set_new(o, "ring_slots", json_integer(r->ring_slots));
    json_object_set_new(o, "pairs", json_integer(r->npairs));
    return o;
}

static json_t *
row(const struct limit_pair *p, const char *kind, int rep, uint64_t iters, double real, double cpu,
    long vcs, long ivcs, const char *op) {
    char name[64], pu[32];
    snprintf(pu, sizeof pu, "%d,%d", p->a, p->b);
    snprintf(name, sizeof name, "limit/%s/pu=%s", kind, pu);
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(name));
    json_object_set_new(o, "run_name", json_string(name));
    json_object_set_new(o, "run_type", json_string("iteration"));
    json_object_set_new(o, "repetitions", json_integer(p->nruns));
    json_object_set_new(o, "repetition_index", json_integer(rep));
    json_object_set_new(o, "threads", json_integer(2));
    json_object_set_new(o, "iterations", json_integer((json_int_t)iters));
    json_object_set_new(o, "real_time", num(real));
    json_object_set_new(o, "cpu_time", num(cpu));
    json_object_set_new(o, "time_unit", json_string("ns"));
    json_object_set_new(o, "items_per_second", num(real > 0 ? 1e9 / real : NAN));
    json_object_set_new(o, "family", json_string("limit"));
    json_object_set_new(o, "impl", json_string(""));
    json_object_set_new(o, "params", json_pack("{s:s}", "pu", pu));
    json_object_set_new(o, "op", json_string(op));
    json_object_set_new(o, "voluntary_ctx_switches", json_integer(vcs));
    json_object_set_new(o, "involuntary_ctx_switches", json_integer(ivcs));
    json_object_set_new(o, "placement",
                        json_pack("[{s:i,s:i,s:i},{s:i,s:i,s:i}]", "thread", 0, "pu_requested",
                                  p->a, "pu_observed", p->a_observed, "thread", 1, "pu_requested",
                                  p->b, "pu_observed", p->b_observed));
    json_object_set_new(o, "relation", json_string(p->relation));
    json_t *extra = json_object();
    if (strcmp(kind, "c2c") == 0) {
        json_object_set_new(extra, "one_way_ns", num(real / 2));
        json_object_set_new(extra, "one_way_timestamped_ns", num(p->one_way_ts_ns));
    }
    json_object_set_new(o, "extra", extra);
    json_object_set_new(o, "verified", json_true());
    return o;
}

/* Google Benchmark's aggregate rows for the runs of one pair and kind, from its figures. */
static void
append_aggregates(json_t *benchmarks, const struct limit_pair *p, const char *kind,
                  const double *real, const double *cpu) {
    char name[64];
    snprintf(name, sizeof name, "limit/%s/pu=%d,%d", kind, p->a, p->b);
    struct stats rs, cs;
    stats_compute(real, (size_t)p->nruns, &rs);
    stats_compute(cpu, (size_t)p->nruns, &cs);
    report_aggregate_rows(benchmarks, name, 2, (size_t)p->nruns, &rs, &cs, NULL);
}

int
limit_append_rows(const struct limit_result *r, json_t *benchmarks, bool aggregates) {
    for (int pass = 0; pass < 2; pass++) { /* c2c rows, then ring rows */
        for (int i = 0; i < r->npairs; i++) {
            const struct limit_pair *p = &r->pairs[i];
            if (pass == 1 && !p->ring)
                continue;
            for (int k = 0; k < p->nruns; k++) {
                json_t *o = pass == 0
                                ? row(p, "c2c", k, p->c2c_iters[k], p->c2c_ns[k], p->c2c_cpu_ns[k],
                                      p->c2c_vcs[k], p->c2c_ivcs[k], "roundtrip")
                                : row(p, "ring", k, p->ring_msgs[k], p->ring_ns[k],
                                      p->ring_cpu_ns[k], p->ring_vcs[k], p->ring_ivcs[k], "msg");
                if (!o || json_array_append_new(benchmarks, o) < 0)
                    return -1;
            }
        }
    }
    if (aggregates)
        for (int pass = 0; pass < 2; pass++)
            for (int i = 0; i < r->npairs; i++) {
                const struct limit_pair *p = &r->pairs[i];
                if (pass == 0)
                    append_aggregates(benchmarks, p, "c2c", p->c2c_ns, p->c2c_cpu_ns);
                else if (p->ring)
                    append_aggregates(benchmarks, p, "ring", p->ring_ns, p->ring_cpu_ns);
            }
    return 0;
}

/* The floor a row is compared with (names_floor_kind), for its placement; 0 for none. */
static double
row_floor(const struct limit_result *r, json_t *row) {
    const char *name = json_string_value(json_object_get(row, "name"));
    enum floor_kind kind = name != NULL ? names_floor_kind(name) : FLOOR_NONE;
    if (kind == FLOOR_NONE)
        return 0;
    json_t *pl = json_object_get(row, "placement");
    int pus[2] = {-1, -1}, n = 0;
    size_t i;
    json_t *t;
    json_array_foreach(pl, i, t) {
        if (n < 2)
            pus[n++] = (int)json_integer_value(json_object_get(t, "pu_requested"));
    }
    double c2c = 0, ring = 0;
    if (!limit_floor_for(r, pus, n, &c2c, &ring))
        return 0;
    return kind == FLOOR_C2C ? c2c : ring;
}

int
limit_add_to_document(json_t *doc, const struct limit_result *r) {
    json_t *cb = json_object_get(json_object_get(doc, "context"), "chanbench");
    json_t *rows = json_object_get(doc, "benchmarks");
    if (!json_is_object(cb) || !json_is_array(rows))
        return -1;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        const char *type = json_string_value(json_object_get(row, "run_type"));
        if (!type || strcmp(type, "iteration") != 0)
            continue;
        double floor = row_floor(r, row);
        double real = json_number_value(json_object_get(row, "real_time"));
        if (!(floor > 0) || !isfinite(floor) || !(real > 0))
            continue;
        json_t *extra = json_object_get(row, "extra");
        if (!json_is_object(extra)) {
            extra = json_object();
            json_object_set_new(row, "extra", extra);
        }
        json_object_set_new(extra, "ratio_to_floor", num(real / floor));
    }
    if (json_object_set_new(cb, "limit", limit_context_json(r)) < 0)
        return -1;
    return limit_append_rows(r, rows, true);
}

/* ---- printing ----------------------------------------------------------------------------- */

static const struct limit_pair *
find_pair(const struct limit_result *r, int a, int b) {
    for (int i = 0; i < r->npairs; i++)
        if (r->pairs[i].a == a && r->pairs[i].b == b)
            return &r->pairs[i];
    return NULL;
}

void
limit_print(FILE *out, const struct limit_result *r) {
    bool matrix = r->npus <= 16;
    bool all = r->npairs == r->npus * (r->npus - 1);
    fprintf(out,
            "core-to-core round trip of one cache line, ns (median of %d runs per pair; "
            "row: the PU that starts each round trip, column: the PU that answers)\n",
            r->npairs ? r->pairs[0].nruns : 0);
    if (matrix) {
        fprintf(out, "%6s", "");
        for (int j = 0; j < r->npus; j++)
            fprintf(out, " %6d", r->pus[j]);
        fprintf(out, "\n");
        for (int i = 0; i < r->npus; i++) {
            fprintf(out, "%6d", r->pus[i]);
            for (int j = 0; j < r->npus; j++) {
                const struct limit_pair *p = find_pair(r, r->pus[i], r->pus[j]);
                if (i == j)
                    fprintf(out, " %6s", "-");
                else if (p)
                    fprintf(out, " %6.1f", p->c2c_median_ns);
                else
                    fprintf(out, " %6s", ".");
            }
            fprintf(out, "\n");
        }
        if (!all)
            fprintf(out,
                    "(. = not measured: %d of the %d ordered pairs were measured; a pair measured "
                    "one way stands for both)\n",
                    r->npairs, r->npus * (r->npus - 1));
    } else {
        fprintf(out, "%d PUs: %d pairs sampled\n", r->npus, r->npairs);
        for (int rel = 0; rel < TOPO_NRELATIONS; rel++) {
            int shown = 0;
            for (int i = 0; i < r->npairs; i++) {
                const struct limit_pair *p = &r->pairs[i];
                if (topo_relation_rank(p->relation) != rel)
                    continue;
                if (shown == 0)
                    fprintf(out, "  %-9s", topo_relation_name(rel));
                else if (shown % 6 == 0)
                    fprintf(out, "\n  %-9s", "");
                fprintf(out, "  %d,%d:%.1f", p->a, p->b, p->c2c_median_ns);
                shown++;
            }
            if (shown)
                fprintf(out, "\n");
        }
    }

    fprintf(out, "\nby relation (median over pairs):\n");
    for (int rel = 0; rel < TOPO_NRELATIONS; rel++) {
        double v[1024], w[1024], t[1024];
        int nv = 0, nw = 0, nt = 0;
        for (int i = 0; i < r->npairs && nv < 1024; i++) {
            const struct limit_pair *p = &r->pairs[i];
            if (topo_relation_rank(p->relation) != rel)
                continue;
            v[nv++] = p->c2c_median_ns;
            if (!isnan(p->one_way_ts_ns))
                t[nt++] = p->one_way_ts_ns;
            if (p->ring)
                w[nw++] = p->ring_median_ns;
        }
        if (nv == 0)
            continue;
        fprintf(out, "  %-9s  %3d pair%s  round trip %7.1f ns  one-way %6.1f ns",
                topo_relation_name(rel), nv, nv == 1 ? " " : "s", median(v, nv), median(v, nv) / 2);
        if (nt)
            fprintf(out, " (timestamped %.1f)", median(t, nt));
        if (nw)
            fprintf(out, "  ring %.2f ns/msg", median(w, nw));
        fprintf(out, "\n");
    }

    fprintf(out, "\nfloor (medians over the measured pairs):\n");
    fprintf(out, "  c2c_round_trip_ns  %8.1f   one cache line A -> B -> A\n", r->c2c_round_trip_ns);
    fprintf(out, "  one_way_ns         %8.1f   round trip / 2", r->one_way_ns);
    if (!isnan(r->one_way_ts_ns))
        fprintf(out, "; timestamped %.1f (includes one clock read, %.1f ns)", r->one_way_ts_ns,
                r->clock_overhead_ns);
    fprintf(out, "\n");
    fprintf(out, "  ring_ns_per_msg    %8.2f   SPSC ring of %d 8-byte slots, cached indexes\n",
            r->ring_ns_per_msg, r->ring_slots);
    if (topo_is_virtualized())
        fprintf(out, "note: virtualised machine; a vCPU pair may share a physical core or be "
                     "descheduled, so these figures can move between runs\n");
}
