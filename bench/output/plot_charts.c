/* SPDX-License-Identifier: MIT */
/* The charts `chanbench plot` draws from one results file (plot_charts.h): which rows each
 * takes and which parameters it holds fixed, and the helpers every builder reads rows with.
 * The charts across files are in plot_cross.c; writing and drawing in plot_draw.c. */
#include "plot_charts.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "plot_rounds.h"
#include "stats.h"
#include "textable.h"

/* --- reading rows --------------------------------------------------------------------------- */

/* A numeric parameter: params.KEY, else key=NUMBER in the name; NAN when absent. */
double
plot_param(const struct result_bench *b, const char *key) {
    double v = results_param(b, key);
    if (!isnan(v))
        return v;
    char buf[64], *end;
    if (!names_param(b->name, key, buf, sizeof buf))
        return NAN;
    v = strtod(buf, &end);
    return end != buf && *end == '\0' ? v : NAN;
}

const char *
plot_impl_of(const struct result_bench *b, char *buf, size_t len) {
    const char *s = json_string_value(json_object_get(b->first_row, "impl"));
    if (s != NULL && s[0] != '\0')
        return s;
    if (names_param(b->name, "impl", buf, len))
        return buf;
    return "?";
}

double
plot_med_real(const struct result_bench *b) {
    return stats_median(b->real_time, b->nreps);
}

/* "host (CPU model)" of a file, into buf. */
const char *
plot_machine_of(const struct result_file *f, char *buf, size_t len) {
    const char *host = results_context_str(f, "host_name");
    const char *cpu = results_context_str(f, "cpu_model");
    snprintf(buf, len, "%s (%s)", host ? host : "unknown host", cpu ? cpu : "unknown CPU");
    return buf;
}

void
plot_pick_see(struct plot_pick *p, double v) {
    if (isnan(v))
        return;
    if (!p->any || v < p->lo)
        p->lo = v;
    if (!p->any || v > p->hi)
        p->hi = v;
    p->any = true;
    if (v == p->want)
        p->has_want = true;
}

double
plot_pick_get(const struct plot_pick *p, bool prefer_max) {
    if (p->has_want)
        return p->want;
    return prefer_max ? p->hi : p->lo;
}

/* --- one chart ---------------------------------------------------------------------------- */

struct chart *
plot_chart_new(const char *script) {
    struct chart *c = calloc(1, sizeof *c);
    if (c == NULL)
        plot_oom();
    c->script = script;
    return c;
}

void
plot_chart_free(struct chart *c) {
    if (c == NULL)
        return;
    free(c->stem);
    free(c->machine);
    free(c->subtitle);
    free(c->source);
    free(c->columns);
    stab_free(c->t[0]);
    stab_free(c->t[1]);
    free(c->raw);
    free(c);
}

/* --- the charts of one file ---------------------------------------------------------------- */

/* chan_capacity: chan/spsc rows, messages per second against capacity per implementation. */
bool
plot_build_capacity(struct chart *c, const struct result_file *f, const char **why) {
    struct plot_pick size = {.want = 8};
    for (size_t i = 0; i < f->nbenches; i++)
        if (names_in(f->benches[i].name, "chan/spsc/"))
            plot_pick_see(&size, plot_param(&f->benches[i], "size"));
    if (!size.any) {
        *why = "no chan/spsc rows";
        return false;
    }
    double sz = plot_pick_get(&size, false);
    c->t[0] = stab_new(1);
    c->xname[0] = "capacity";
    for (size_t i = 0; i < f->nbenches; i++) {
        const struct result_bench *b = &f->benches[i];
        char ib[64];
        if (!names_in(b->name, "chan/spsc/") || plot_param(b, "size") != sz ||
            isnan(plot_param(b, "cap")))
            continue;
        double v = 1e9 / plot_med_real(b);
        stab_set(c->t[0], plot_param(b, "cap"), NULL, plot_impl_of(b, ib, sizeof ib), &v);
    }
    c->subtitle = tx_fmt("single producer, single consumer, %g-byte elements", sz);
    c->columns = tx_strdup("channel capacity, then messages per second (median of the repetitions) "
                           "per implementation");
    return true;
}

/* select_latency: select/fanin rows with latency_ns; p50/p90/p99/p99.9 against k. */
bool
plot_build_select(struct chart *c, const struct result_file *f, const char **why) {
    static const char *const pct[] = {"p50", "p90", "p99", "p999"};
    static const char *const pctname[] = {"p50", "p90", "p99", "p99.9"};
    struct plot_pick cap = {.want = 0};
    for (size_t i = 0; i < f->nbenches; i++)
        if (names_in(f->benches[i].name, "select/fanin/") &&
            json_is_object(json_object_get(f->benches[i].first_row, "latency_ns")))
            plot_pick_see(&cap, plot_param(&f->benches[i], "cap"));
    if (!cap.any) {
        *why = "no select/fanin rows with latency_ns";
        return false;
    }
    double cp = plot_pick_get(&cap, false);
    c->t[0] = stab_new(1);
    c->xname[0] = "inputs";
    for (size_t i = 0; i < f->nbenches; i++) {
        const struct result_bench *b = &f->benches[i];
        char ib[64], sn[128];
        if (!names_in(b->name, "select/fanin/") || plot_param(b, "cap") != cp ||
            isnan(plot_param(b, "k")))
            continue;
        for (size_t p = 0; p < 4; p++) {
            double vals[256];
            size_t n = 0;
            for (size_t r = 0; r < b->nreps && n < 256; r++) {
                json_t *v = json_object_get(json_object_get(b->rows[r], "latency_ns"), pct[p]);
                if (json_is_number(v))
                    vals[n++] = json_number_value(v);
            }
            double m = n ? stats_median(vals, n) : NAN;
            snprintf(sn, sizeof sn, "%s %s", plot_impl_of(b, ib, sizeof ib), pctname[p]);
            stab_set(c->t[0], plot_param(b, "k"), NULL, sn, &m);
        }
    }
    c->subtitle = tx_fmt("k producers each on its own channel (capacity %g), one consumer in a "
                         "select; send-to-receive latency, median over the repetitions",
                         cp);
    c->columns = tx_strdup("number of inputs k, then per implementation four columns: latency "
                           "p50, p90, p99, p99.9 in ns");
    return true;
}

/* locks: lock/ rows; block 0 against threads, block 1 against read share. */
bool
plot_build_locks(struct chart *c, const struct result_file *f, const char **why) {
    struct plot_pick cs = {.want = 0}, read = {.want = 90};
    long pus = -1;
    json_t *jp = json_object_get(json_object_get(f->chanbench, "topology"), "pus");
    if (json_is_integer(jp))
        pus = (long)json_integer_value(jp);
    for (size_t i = 0; i < f->nbenches; i++) {
        const struct result_bench *b = &f->benches[i];
        if (!names_in(b->name, "lock/mutex/") && !names_in(b->name, "lock/rw/"))
            continue;
        plot_pick_see(&cs, plot_param(b, "cs"));
        if (names_in(b->name, "lock/rw/"))
            plot_pick_see(&read, plot_param(b, "read"));
    }
    if (!cs.any) {
        *why = "no lock/mutex or lock/rw rows";
        return false;
    }
    double csv = plot_pick_get(&cs, false), rd = plot_pick_get(&read, true);
    /* The read-share panel's thread count: the one whose rw rows hold the most read shares,
     * then the most threads that still fit the PUs, then the fewest threads. */
    double tv = NAN;
    size_t tv_reads = 0;
    for (size_t i = 0; i < f->nbenches; i++) {
        const struct result_bench *b = &f->benches[i];
        double t = plot_param(b, "threads");
        if (!names_in(b->name, "lock/rw/") || plot_param(b, "cs") != csv || isnan(t))
            continue;
        size_t reads = 0;
        for (size_t j = 0; j < f->nbenches; j++)
            if (names_in(f->benches[j].name, "lock/rw/") &&
                plot_param(&f->benches[j], "cs") == csv &&
                plot_param(&f->benches[j], "threads") == t)
                reads++;
        bool fits = pus < 0 || t <= (double)pus, tv_fits = pus < 0 || tv <= (double)pus;
        if (isnan(tv) || reads > tv_reads ||
            (reads == tv_reads && ((fits && !tv_fits) || (fits == tv_fits && fits == (t > tv))))) {
            tv = t;
            tv_reads = reads;
        }
    }
    c->t[0] = stab_new(1);
    c->xname[0] = "threads";
    c->t[1] = stab_new(1);
    c->xname[1] = "read share (%)";
    /* The read-share panel's x values first, then the mutexes, so that both panels list the
     * locks in the same order and give each the same colour. */
    for (size_t i = 0; i < f->nbenches; i++) {
        const struct result_bench *b = &f->benches[i];
        if (names_in(b->name, "lock/rw/") && plot_param(b, "cs") == csv &&
            plot_param(b, "threads") == tv)
            stab_x(c->t[1], plot_param(b, "read"), NULL);
    }
    /* A mutex has no read share: draw it flat across the read-share panel for comparison. */
    for (size_t i = 0; i < f->nbenches; i++) {
        const struct result_bench *b = &f->benches[i];
        char ib[64], sn[128];
        if (!names_in(b->name, "lock/mutex/") || plot_param(b, "cs") != csv ||
            plot_param(b, "threads") != tv)
            continue;
        double v = 1e9 / plot_med_real(b);
        snprintf(sn, sizeof sn, "mutex %s", plot_impl_of(b, ib, sizeof ib));
        for (size_t x = 0; x < c->t[1]->nx; x++)
            stab_set(c->t[1], c->t[1]->xkey[x], NULL, sn, &v);
    }
    for (size_t i = 0; i < f->nbenches; i++) {
        const struct result_bench *b = &f->benches[i];
        char ib[64], sn[128];
        bool rw = names_in(b->name, "lock/rw/");
        if ((!rw && !names_in(b->name, "lock/mutex/")) || plot_param(b, "cs") != csv)
            continue;
        double t = plot_param(b, "threads"), v = 1e9 / plot_med_real(b);
        const char *impl = plot_impl_of(b, ib, sizeof ib);
        if (rw) {
            if (plot_param(b, "read") == rd) {
                snprintf(sn, sizeof sn, "rwmutex %s, %g%% reads", impl, rd);
                stab_set(c->t[0], t, NULL, sn, &v);
            }
            if (t == tv) {
                snprintf(sn, sizeof sn, "rwmutex %s", impl);
                stab_set(c->t[1], plot_param(b, "read"), NULL, sn, &v);
            }
        } else {
            snprintf(sn, sizeof sn, "mutex %s", impl);
            stab_set(c->t[0], t, NULL, sn, &v);
        }
    }
    if (!read.any || stab_points(c->t[1]) == 0) {
        stab_free(c->t[1]);
        c->t[1] = NULL;
    }
    c->subtitle = c->t[1] ? tx_fmt("critical section %g ns; left: against threads (rwmutex at %g%% "
                                   "reads); right: against read share at %g threads",
                                   csv, rd, tv)
                          : tx_fmt("critical section %g ns; against threads", csv);
    c->columns = tx_strdup("block 0: threads, then lock+unlock operations per second (all threads) "
                           "per lock; block 1: read share in percent, then the same");
    return true;
}

/* The x of a layout or cancel row: threads, else workers, else n, else stages. */
static double
threads_of(const struct result_bench *b, const char **key) {
    static const char *const keys[] = {"threads", "workers", "n", "stages"};
    for (size_t k = 0; k < 4; k++) {
        double v = plot_param(b, keys[k]);
        if (!isnan(v)) {
            *key = keys[k];
            return v;
        }
    }
    json_t *t = json_object_get(b->first_row, "threads");
    *key = "threads";
    return json_is_number(t) ? json_number_value(t) : NAN;
}

/* Whether the rows of a family come from more than one implementation. */
static bool
many_impls(const struct result_file *f, const char *prefix) {
    const char *first = NULL;
    char ib[64], fb[64];
    for (size_t i = 0; i < f->nbenches; i++) {
        if (!names_in(f->benches[i].name, prefix))
            continue;
        const char *impl = plot_impl_of(&f->benches[i], ib, sizeof ib);
        if (first == NULL) {
            snprintf(fb, sizeof fb, "%s", impl);
            first = fb;
        } else if (strcmp(first, impl) != 0) {
            return true;
        }
    }
    return false;
}

/* layout: items per second against threads, a line per layout (pipeline, replicated, pool), and
 * per implementation when the file has several ("pipeline (go)": scripts/layout.gp gives each
 * implementation a colour and each layout a dash pattern). Parameters other than the thread
 * count (stages, work) are held at their most common value. */
bool
plot_build_layout(struct chart *c, const struct result_file *f, const char **why) {
    /* The most common value of every other numeric parameter. */
    json_t *fixed = json_object(); /* key -> {value string -> count} */
    bool any = false;
    for (size_t i = 0; i < f->nbenches; i++) {
        const struct result_bench *b = &f->benches[i];
        const char *xk;
        if (!names_in(b->name, "layout/") || isnan(threads_of(b, &xk)))
            continue;
        any = true;
        const char *key;
        json_t *val;
        json_object_foreach(b->params, key, val) {
            if (strcmp(key, xk) == 0 || strcmp(key, "impl") == 0 || !json_is_number(val))
                continue;
            char vb[64];
            snprintf(vb, sizeof vb, "%.17g", json_number_value(val));
            json_t *counts = json_object_get(fixed, key);
            if (counts == NULL) {
                counts = json_object();
                json_object_set_new(fixed, key, counts);
            }
            json_t *n = json_object_get(counts, vb);
            json_object_set_new(counts, vb, json_integer(n ? json_integer_value(n) + 1 : 1));
        }
    }
    if (!any) {
        json_decref(fixed);
        *why = "no layout/ rows";
        return false;
    }
    char sub[512] = "";
    size_t sl = 0;
    const char *key;
    json_t *counts;
    json_t *chosen = json_object();
    json_object_foreach(fixed, key, counts) {
        const char *vk, *best = NULL;
        json_t *n;
        json_int_t bestn = 0;
        json_object_foreach(counts, vk, n) {
            if (json_integer_value(n) > bestn) {
                bestn = json_integer_value(n);
                best = vk;
            }
        }
        json_object_set_new(chosen, key, json_real(strtod(best, NULL)));
        if (sl < sizeof sub)
            sl += (size_t)snprintf(sub + sl, sizeof sub - sl, "%s%s=%s", sl ? ", " : "", key, best);
    }
    json_decref(fixed);
    bool impls = many_impls(f, "layout/");
    c->t[0] = stab_new(1);
    c->xname[0] = "threads";
    for (size_t i = 0; i < f->nbenches; i++) {
        const struct result_bench *b = &f->benches[i];
        const char *xk;
        double t = threads_of(b, &xk);
        if (!names_in(b->name, "layout/") || isnan(t))
            continue;
        bool match = true;
        json_t *val;
        json_object_foreach(b->params, key, val) {
            json_t *want = json_object_get(chosen, key);
            if (strcmp(key, xk) != 0 && want != NULL && json_is_number(val) &&
                json_number_value(val) != json_number_value(want))
                match = false;
        }
        if (!match)
            continue;
        char lay[64], ib[64], sn[160];
        names_segment(b->name, 1, lay, sizeof lay);
        if (impls)
            snprintf(sn, sizeof sn, "%s (%s)", lay, plot_impl_of(b, ib, sizeof ib));
        else
            snprintf(sn, sizeof sn, "%s", lay);
        double v = 1e9 / plot_med_real(b);
        stab_set(c->t[0], t, NULL, sn, &v);
    }
    json_decref(chosen);
    c->subtitle = tx_fmt("pipeline: a thread per stage, channels between; replicated: each "
                         "thread runs every stage; pool: workers on one channel%s%s",
                         sl ? "; " : "", sub);
    c->columns = tx_strdup(impls ? "threads, then items per second (median of the repetitions) "
                                   "per layout and implementation, named LAYOUT (IMPL)"
                                 : "threads, then items per second (median of the repetitions) "
                                   "per layout");
    return true;
}

/* Whether the cancel/ rows come from more than one scenario (today there is one, done). */
static bool
many_cancel_scenarios(const struct result_file *f) {
    char first[64] = "", s[64];
    for (size_t i = 0; i < f->nbenches; i++) {
        if (!names_in(f->benches[i].name, "cancel/"))
            continue;
        names_segment(f->benches[i].name, 1, s, sizeof s);
        if (first[0] == '\0')
            snprintf(first, sizeof first, "%s", s);
        else if (strcmp(first, s) != 0)
            return true;
    }
    return false;
}

/* cancel: time from cancel until all workers returned (median, min, max) against workers, a
 * line per implementation (per scenario and implementation should there be several
 * scenarios). */
bool
plot_build_cancel(struct chart *c, const struct result_file *f, const char **why) {
    bool scens = many_cancel_scenarios(f), only_goc = true, crossbeam = false;
    c->t[0] = stab_new(3);
    c->xname[0] = "workers";
    for (size_t i = 0; i < f->nbenches; i++) {
        const struct result_bench *b = &f->benches[i];
        const char *xk;
        double n = threads_of(b, &xk);
        if (!names_in(b->name, "cancel/") || isnan(n))
            continue;
        char scen[64], ib[64], sn[160];
        const char *impl = plot_impl_of(b, ib, sizeof ib);
        names_segment(b->name, 1, scen, sizeof scen);
        if (scens)
            snprintf(sn, sizeof sn, "%s %s", scen, impl);
        else
            snprintf(sn, sizeof sn, "%s", impl);
        only_goc = only_goc && strcmp(impl, "goc") == 0;
        crossbeam = crossbeam || strcmp(impl, "crossbeam") == 0;
        double v[3] = {plot_med_real(b) / 1e3, INFINITY, -INFINITY};
        for (size_t r = 0; r < b->nreps; r++) {
            v[1] = fmin(v[1], b->real_time[r] / 1e3);
            v[2] = fmax(v[2], b->real_time[r] / 1e3);
        }
        stab_set(c->t[0], n, NULL, sn, v);
    }
    if (stab_points(c->t[0]) == 0) {
        *why = "no cancel/ rows";
        return false;
    }
    /* What a cancel is differs only for crossbeam, which has no context (bench/scenarios/
     * cancel.c); the subtitle stays one line of the chart's width. */
    if (only_goc)
        c->subtitle = tx_strdup("time from goc_ctx_cancel until every blocked worker has returned "
                                "through its done case; bars: min to max over the repetitions");
    else
        c->subtitle = tx_fmt("time from the cancel until all blocked workers have returned; bars: "
                             "min to max%s",
                             crossbeam ? "; crossbeam (no context): a done channel's Sender is "
                                         "dropped"
                                       : "");
    c->columns = tx_strdup(scens ? "workers, then per scenario and implementation three columns: "
                                   "median, min, max in µs"
                                 : "workers, then per implementation three columns: median, min, "
                                   "max in µs");
    return true;
}

static int
cmp_int(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* c2c_heatmap: limit/c2c/pu=A,B rows into a PU by PU matrix of round-trip medians. */
bool
plot_build_c2c(struct chart *c, const struct result_file *f, const char **why) {
    size_t n = 0;
    for (size_t i = 0; i < f->nbenches; i++) {
        int a, b;
        if (sscanf(f->benches[i].name, "limit/c2c/pu=%d,%d", &a, &b) != 2)
            continue;
        int pp[2] = {a, b};
        for (int k = 0; k < 2; k++) {
            bool seen = false;
            for (size_t j = 0; j < n; j++)
                seen |= c->pu[j] == pp[k];
            if (!seen && n < PLOT_MAXX)
                c->pu[n++] = pp[k];
        }
    }
    if (n == 0) {
        *why = "no limit/c2c rows";
        return false;
    }
    qsort(c->pu, n, sizeof c->pu[0], cmp_int);
    c->npu = n;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            c->c2c[i][j] = NAN;
    for (size_t i = 0; i < f->nbenches; i++) {
        int a, b;
        if (sscanf(f->benches[i].name, "limit/c2c/pu=%d,%d", &a, &b) != 2)
            continue;
        size_t ia = n, ib = n;
        for (size_t j = 0; j < n; j++) {
            if (c->pu[j] == a)
                ia = j;
            if (c->pu[j] == b)
                ib = j;
        }
        if (ia < n && ib < n)
            c->c2c[ia][ib] = plot_med_real(&f->benches[i]);
    }
    for (size_t i = 0; i < n; i++) /* a pair measured one way only stands for both */
        for (size_t j = 0; j < n; j++)
            if (isnan(c->c2c[i][j]) && !isnan(c->c2c[j][i]))
                c->c2c[i][j] = c->c2c[j][i];
    c->subtitle = tx_strdup("round trip of one cache line between two pinned threads, ns (median "
                            "of the repetitions); blank: not measured");
    c->columns = tx_strdup("a matrix: the first row names the responding PUs, the first column the "
                           "initiating PUs");
    return true;
}

/* forest and drift: the run's rounds (plot_rounds.c). */
static bool
from_text(struct chart *c, bool have, struct plot_text *t) {
    if (have) {
        c->raw = t->data;
        c->subtitle = t->subtitle;
        c->columns = t->columns;
    }
    return have;
}

bool
plot_build_forest(struct chart *c, const struct result_file *f, const char **why) {
    struct plot_text t;
    return from_text(c, plot_forest_data(f, &t, why), &t);
}

bool
plot_build_drift(struct chart *c, const struct result_file *f, const char **why) {
    struct plot_text t;
    return from_text(c, plot_drift_data(f, &t, why), &t);
}
