/* SPDX-License-Identifier: MIT */
/* `chanbench plot RESULTS... [--out DIR]`: writes one gnuplot data file per chart and runs the
 * chart's script from scripts/ (one .gp per chart, usable by hand) to draw PNG and SVG. What
 * each chart shows is decided here (which rows, which parameters are held fixed); how it looks
 * is decided in the scripts. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "mwu.h"
#include "plot_rounds.h"
#include "results.h"
#include "stats.h"
#include "textable.h"

extern char **environ;

#define PLOT_MAX_FILES 16
#define PLOT_MAXX 128 /* points along x of one chart */
#define PLOT_MAXS 64  /* series (lines) of one chart */
#define PLOT_MAXV 3   /* values per point: median, min, max */
#define PLOT_EXIT_NO_GNUPLOT 3

static const char plot_usage[] =
    "usage: chanbench plot [--out DIR] RESULTS.json [RESULTS.json...]\n"
    "\n"
    "Draws charts of chanbench results with gnuplot, as PNG (pngcairo) and SVG, into DIR\n"
    "(default results/plots). For each chart it writes DIR/CHART.dat, the data in gnuplot's\n"
    "format, and runs scripts/CHART.gp on it; a script can be run by hand:\n"
    "  gnuplot -e \"datafile='DIR/CHART.dat'; out='DIR/CHART'\" scripts/CHART.gp\n"
    "writes DIR/CHART.png and DIR/CHART.svg.\n"
    "\n"
    "charts (a chart whose rows are not in the files is skipped with a note):\n"
    "  chan_capacity   channel throughput against capacity, one line per implementation\n"
    "                  (chan/spsc rows, 8-byte elements)\n"
    "  scaling         throughput against threads, one line per implementation and pin\n"
    "                  policy (chan/mpmc rows with as many producers as consumers; lock/mutex\n"
    "                  rows when there are none); files of the same machine are drawn together\n"
    "  select_latency  select fan-in latency percentiles p50/p90/p99/p99.9 against the number\n"
    "                  of inputs, log scale (select/fanin rows with latency_ns)\n"
    "  locks           mutex, rwmutex, pthread and spin throughput against threads and\n"
    "                  against read share (lock/ rows)\n"
    "  layout          items per second against threads, one line per layout: pipeline,\n"
    "                  replicated, pool (layout/ rows)\n"
    "  cancel          time from cancel until every worker has returned, against workers\n"
    "                  (cancel/ rows)\n"
    "  c2c_heatmap     core-to-core round trip of a cache line, PU by PU (limit/c2c rows)\n"
    "  forest          the run's paired ratios goc/<impl> with their 95% intervals on a log\n"
    "                  axis, the A/A control included (context.chanbench.paired)\n"
    "  drift           every chunk's time relative to its arm's median, and the floor probe,\n"
    "                  over the run's seconds, coloured by machine mode\n"
    "  cross_machine   given several files: per scenario and implementation, the geometric\n"
    "                  mean ratio of medians of each file to the first\n"
    "With several files, the per-file charts are named CHART-LABEL (LABEL: the file's name\n"
    "without .json) and scaling charts scaling-HOST.\n"
    "\n"
    "The scripts are found in $CHANBENCH_SCRIPTS, else in the source tree's scripts/ folder\n"
    "(" CHANBENCH_SOURCE_DIR "/scripts), else in ./scripts.\n"
    "\n"
    "exit status: 0 charts drawn (or skipped for lack of data); 1 gnuplot failed on a chart\n"
    "(its messages are kept in DIR/CHART.gnuplot.log); 2 bad usage or bad input (a missing,\n"
    "truncated or non-chanbench file, an output folder that cannot be created); 3 gnuplot is\n"
    "not installed (Debian/Ubuntu: apt install gnuplot-nox): the data files are written, the\n"
    "charts are not.\n";

/* --- small helpers ------------------------------------------------------------------------ */

static void
oom(void) {
    fprintf(stderr, "chanbench plot: out of memory\n");
    exit(1);
}

/* Segment i (0-based) of a benchmark name ("chan/spsc/cap=0" -> 1 -> "spsc") into buf. */
static bool
name_seg(const char *name, int i, char *buf, size_t len) {
    const char *s = name;
    for (; i > 0; i--) {
        s = strchr(s, '/');
        if (s == NULL)
            return false;
        s++;
    }
    size_t n = strcspn(s, "/");
    if (n >= len)
        n = len - 1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return true;
}

/* The value of key=value in the name, as a string into buf; false when absent. */
static bool
name_param(const char *name, const char *key, char *buf, size_t len) {
    size_t kl = strlen(key);
    for (const char *s = name; s != NULL; s = strchr(s, '/')) {
        if (*s == '/')
            s++;
        if (strncmp(s, key, kl) == 0 && s[kl] == '=') {
            s += kl + 1;
            size_t n = strcspn(s, "/");
            if (n >= len)
                n = len - 1;
            memcpy(buf, s, n);
            buf[n] = '\0';
            return true;
        }
    }
    return false;
}

/* A numeric parameter: params.KEY, else key=NUMBER in the name; NAN when absent. */
static double
param(const struct result_bench *b, const char *key) {
    double v = results_param(b, key);
    if (!isnan(v))
        return v;
    char buf[64], *end;
    if (!name_param(b->name, key, buf, sizeof buf))
        return NAN;
    v = strtod(buf, &end);
    return end != buf && *end == '\0' ? v : NAN;
}

static const char *
impl_of(const struct result_bench *b, char *buf, size_t len) {
    const char *s = json_string_value(json_object_get(b->first_row, "impl"));
    if (s != NULL && s[0] != '\0')
        return s;
    if (name_param(b->name, "impl", buf, len))
        return buf;
    return "?";
}

static bool
starts(const char *s, const char *prefix) {
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static double
med_real(const struct result_bench *b) {
    return stats_median(b->real_time, b->nreps);
}

/* "host (CPU model)" of a file, into buf. */
static const char *
machine_of(const struct result_file *f, char *buf, size_t len) {
    const char *host = results_context_str(f, "host_name");
    const char *cpu = results_context_str(f, "cpu_model");
    snprintf(buf, len, "%s (%s)", host ? host : "unknown host", cpu ? cpu : "unknown CPU");
    return buf;
}

/* --- series tables: x categories by series, written as gnuplot's wide format -------------- */

struct stab {
    size_t nx, ns, nv;
    bool numeric_x; /* every x has a numeric key: sort by it */
    double xkey[PLOT_MAXX];
    char *xlab[PLOT_MAXX];
    char *sname[PLOT_MAXS];
    double val[PLOT_MAXX][PLOT_MAXS][PLOT_MAXV];
    bool full; /* a point or series was dropped for lack of room */
};

static struct stab *
stab_new(size_t nv) {
    struct stab *t = calloc(1, sizeof *t);
    if (t == NULL)
        oom();
    t->nv = nv;
    t->numeric_x = true;
    for (size_t x = 0; x < PLOT_MAXX; x++)
        for (size_t s = 0; s < PLOT_MAXS; s++)
            for (size_t v = 0; v < PLOT_MAXV; v++)
                t->val[x][s][v] = NAN;
    return t;
}

static void
stab_free(struct stab *t) {
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->nx; i++)
        free(t->xlab[i]);
    for (size_t i = 0; i < t->ns; i++)
        free(t->sname[i]);
    free(t);
}

/* Index of x category (numeric key, or NAN with a label), added if new; -1 when full. */
static long
stab_x(struct stab *t, double key, const char *label) {
    char buf[64];
    if (label == NULL) {
        snprintf(buf, sizeof buf, "%g", key);
        label = buf;
    }
    for (size_t i = 0; i < t->nx; i++)
        if (strcmp(t->xlab[i], label) == 0)
            return (long)i;
    if (t->nx == PLOT_MAXX) {
        t->full = true;
        return -1;
    }
    if (isnan(key))
        t->numeric_x = false;
    t->xkey[t->nx] = key;
    t->xlab[t->nx] = tx_strdup(label);
    return (long)t->nx++;
}

static long
stab_s(struct stab *t, const char *name) {
    for (size_t i = 0; i < t->ns; i++)
        if (strcmp(t->sname[i], name) == 0)
            return (long)i;
    if (t->ns == PLOT_MAXS) {
        t->full = true;
        return -1;
    }
    t->sname[t->ns] = tx_strdup(name);
    return (long)t->ns++;
}

static void
stab_set(struct stab *t, double xkey, const char *xlabel, const char *series, const double *v) {
    long x = stab_x(t, xkey, xlabel), s = stab_s(t, series);
    if (x < 0 || s < 0)
        return;
    for (size_t i = 0; i < t->nv; i++)
        t->val[x][s][i] = v[i];
}

static size_t
stab_points(const struct stab *t) {
    size_t n = 0;
    for (size_t x = 0; x < t->nx; x++)
        for (size_t s = 0; s < t->ns; s++)
            n += !isnan(t->val[x][s][0]);
    return n;
}

static void
put_quoted(FILE *o, const char *s) {
    fputc('"', o);
    for (; *s; s++)
        fputc(*s == '"' ? '\'' : *s, o);
    fputc('"', o);
}

/* One data block: a header line of quoted column names, then a row per x in order. Series
 * with nv values get columns "NAME", "NAME min", "NAME max". Missing values are '?'. */
static void
stab_write(const struct stab *t, FILE *o, const char *xname) {
    size_t order[PLOT_MAXX];
    for (size_t i = 0; i < t->nx; i++)
        order[i] = i;
    if (t->numeric_x) /* insertion sort by key: a few dozen points */
        for (size_t i = 1; i < t->nx; i++)
            for (size_t j = i; j > 0 && t->xkey[order[j]] < t->xkey[order[j - 1]]; j--) {
                size_t tmp = order[j];
                order[j] = order[j - 1];
                order[j - 1] = tmp;
            }
    put_quoted(o, xname);
    static const char *const suffix[PLOT_MAXV] = {"", " min", " max"};
    for (size_t s = 0; s < t->ns; s++)
        for (size_t v = 0; v < t->nv; v++) {
            char buf[256];
            snprintf(buf, sizeof buf, "%s%s", t->sname[s], suffix[v]);
            fputc(' ', o);
            put_quoted(o, buf);
        }
    fputc('\n', o);
    for (size_t i = 0; i < t->nx; i++) {
        size_t x = order[i];
        put_quoted(o, t->xlab[x]);
        for (size_t s = 0; s < t->ns; s++)
            for (size_t v = 0; v < t->nv; v++) {
                double d = t->val[x][s][v];
                if (isnan(d))
                    fputs(" ?", o);
                else
                    fprintf(o, " %.6g", d);
            }
        fputc('\n', o);
    }
}

/* --- one chart ---------------------------------------------------------------------------- */

struct chart {
    const char *script; /* scripts/<script>.gp */
    char *stem;         /* output name without extension */
    char *machine;      /* for the title */
    char *subtitle;
    char *source;      /* the results files it comes from */
    char *columns;     /* what the columns are, for a reader of the .dat */
    struct stab *t[2]; /* one or two blocks */
    char *raw;         /* or the data as text, when the chart is not x-by-series */
    const char *xname[2];
    /* the heatmap instead of tables: */
    size_t npu;
    int pu[PLOT_MAXX];
    double c2c[PLOT_MAXX][PLOT_MAXX];
};

static struct chart *
chart_new(const char *script) {
    struct chart *c = calloc(1, sizeof *c);
    if (c == NULL)
        oom();
    c->script = script;
    return c;
}

static void
chart_free(struct chart *c) {
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

/* Pick a value among the candidates seen: want if present, else the smallest (prefer_max
 * false) or the largest. */
struct pick {
    bool any, has_want;
    double want, lo, hi;
};

static void
pick_see(struct pick *p, double v) {
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

static double
pick_get(const struct pick *p, bool prefer_max) {
    if (p->has_want)
        return p->want;
    return prefer_max ? p->hi : p->lo;
}

/* chan_capacity: chan/spsc rows, messages per second against capacity per implementation. */
static bool
build_capacity(struct chart *c, const struct result_file *f, const char **why) {
    struct pick size = {.want = 8};
    for (size_t i = 0; i < f->nbenches; i++)
        if (starts(f->benches[i].name, "chan/spsc/"))
            pick_see(&size, param(&f->benches[i], "size"));
    if (!size.any) {
        *why = "no chan/spsc rows";
        return false;
    }
    double sz = pick_get(&size, false);
    c->t[0] = stab_new(1);
    c->xname[0] = "capacity";
    for (size_t i = 0; i < f->nbenches; i++) {
        const struct result_bench *b = &f->benches[i];
        char ib[64];
        if (!starts(b->name, "chan/spsc/") || param(b, "size") != sz || isnan(param(b, "cap")))
            continue;
        double v = 1e9 / med_real(b);
        stab_set(c->t[0], param(b, "cap"), NULL, impl_of(b, ib, sizeof ib), &v);
    }
    c->subtitle = tx_fmt("single producer, single consumer, %g-byte elements", sz);
    c->columns = tx_strdup("channel capacity, then messages per second (median of the repetitions) "
                           "per implementation");
    return true;
}

/* select_latency: select/fanin rows with latency_ns; p50/p90/p99/p99.9 against k. */
static bool
build_select(struct chart *c, const struct result_file *f, const char **why) {
    static const char *const pct[] = {"p50", "p90", "p99", "p999"};
    static const char *const pctname[] = {"p50", "p90", "p99", "p99.9"};
    struct pick cap = {.want = 0};
    for (size_t i = 0; i < f->nbenches; i++)
        if (starts(f->benches[i].name, "select/fanin/") &&
            json_is_object(json_object_get(f->benches[i].first_row, "latency_ns")))
            pick_see(&cap, param(&f->benches[i], "cap"));
    if (!cap.any) {
        *why = "no select/fanin rows with latency_ns";
        return false;
    }
    double cp = pick_get(&cap, false);
    c->t[0] = stab_new(1);
    c->xname[0] = "inputs";
    for (size_t i = 0; i < f->nbenches; i++) {
        const struct result_bench *b = &f->benches[i];
        char ib[64], sn[128];
        if (!starts(b->name, "select/fanin/") || param(b, "cap") != cp || isnan(param(b, "k")))
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
            snprintf(sn, sizeof sn, "%s %s", impl_of(b, ib, sizeof ib), pctname[p]);
            stab_set(c->t[0], param(b, "k"), NULL, sn, &m);
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
static bool
build_locks(struct chart *c, const struct result_file *f, const char **why) {
    struct pick cs = {.want = 0}, read = {.want = 90}, thr = {.want = -1};
    long pus = -1;
    json_t *jp = json_object_get(json_object_get(f->chanbench, "topology"), "pus");
    if (json_is_integer(jp))
        pus = (long)json_integer_value(jp);
    for (size_t i = 0; i < f->nbenches; i++) {
        const struct result_bench *b = &f->benches[i];
        if (!starts(b->name, "lock/mutex/") && !starts(b->name, "lock/rw/"))
            continue;
        pick_see(&cs, param(b, "cs"));
        if (starts(b->name, "lock/rw/")) {
            pick_see(&read, param(b, "read"));
            double t = param(b, "threads");
            /* for the read-share panel: the most threads that still fit the PUs */
            if (!isnan(t) && (pus < 0 || t <= (double)pus) && (thr.want < 0 || t > thr.want))
                thr.want = t;
            pick_see(&thr, t);
        }
    }
    if (!cs.any) {
        *why = "no lock/mutex or lock/rw rows";
        return false;
    }
    double csv = pick_get(&cs, false), rd = pick_get(&read, true);
    double tv = thr.want >= 0 ? thr.want : pick_get(&thr, true);
    c->t[0] = stab_new(1);
    c->xname[0] = "threads";
    c->t[1] = stab_new(1);
    c->xname[1] = "read share (%)";
    /* The read-share panel's x values first, then the mutexes, so that both panels list the
     * locks in the same order and give each the same colour. */
    for (size_t i = 0; i < f->nbenches; i++) {
        const struct result_bench *b = &f->benches[i];
        if (starts(b->name, "lock/rw/") && param(b, "cs") == csv && param(b, "threads") == tv)
            stab_x(c->t[1], param(b, "read"), NULL);
    }
    /* A mutex has no read share: draw it flat across the read-share panel for comparison. */
    for (size_t i = 0; i < f->nbenches; i++) {
        const struct result_bench *b = &f->benches[i];
        char ib[64], sn[128];
        if (!starts(b->name, "lock/mutex/") || param(b, "cs") != csv || param(b, "threads") != tv)
            continue;
        double v = 1e9 / med_real(b);
        snprintf(sn, sizeof sn, "mutex %s", impl_of(b, ib, sizeof ib));
        for (size_t x = 0; x < c->t[1]->nx; x++)
            stab_set(c->t[1], c->t[1]->xkey[x], NULL, sn, &v);
    }
    for (size_t i = 0; i < f->nbenches; i++) {
        const struct result_bench *b = &f->benches[i];
        char ib[64], sn[128];
        bool rw = starts(b->name, "lock/rw/");
        if ((!rw && !starts(b->name, "lock/mutex/")) || param(b, "cs") != csv)
            continue;
        double t = param(b, "threads"), v = 1e9 / med_real(b);
        const char *impl = impl_of(b, ib, sizeof ib);
        if (rw) {
            if (param(b, "read") == rd) {
                snprintf(sn, sizeof sn, "rwmutex %s, %g%% reads", impl, rd);
                stab_set(c->t[0], t, NULL, sn, &v);
            }
            if (t == tv) {
                snprintf(sn, sizeof sn, "rwmutex %s", impl);
                stab_set(c->t[1], param(b, "read"), NULL, sn, &v);
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
        double v = param(b, keys[k]);
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
        if (!starts(f->benches[i].name, prefix))
            continue;
        const char *impl = impl_of(&f->benches[i], ib, sizeof ib);
        if (first == NULL) {
            snprintf(fb, sizeof fb, "%s", impl);
            first = fb;
        } else if (strcmp(first, impl) != 0) {
            return true;
        }
    }
    return false;
}

/* layout: items per second against threads, a line per layout (pipeline, replicated, pool).
 * Parameters other than the thread count (stages, work) are held at their most common value. */
static bool
build_layout(struct chart *c, const struct result_file *f, const char **why) {
    /* The most common value of every other numeric parameter. */
    json_t *fixed = json_object(); /* key -> {value string -> count} */
    bool any = false;
    for (size_t i = 0; i < f->nbenches; i++) {
        const struct result_bench *b = &f->benches[i];
        const char *xk;
        if (!starts(b->name, "layout/") || isnan(threads_of(b, &xk)))
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
        if (!starts(b->name, "layout/") || isnan(t))
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
        name_seg(b->name, 1, lay, sizeof lay);
        if (impls)
            snprintf(sn, sizeof sn, "%s %s", lay, impl_of(b, ib, sizeof ib));
        else
            snprintf(sn, sizeof sn, "%s", lay);
        double v = 1e9 / med_real(b);
        stab_set(c->t[0], t, NULL, sn, &v);
    }
    json_decref(chosen);
    c->subtitle = tx_fmt("pipeline: a thread per stage, channels between; replicated: each "
                         "thread runs every stage; pool: workers on one channel%s%s",
                         sl ? "; " : "", sub);
    c->columns = tx_strdup("threads, then items per second (median of the repetitions) per layout");
    return true;
}

/* cancel: time from cancel until all workers returned (median, min, max) against workers. */
static bool
build_cancel(struct chart *c, const struct result_file *f, const char **why) {
    bool impls = many_impls(f, "cancel/");
    c->t[0] = stab_new(3);
    c->xname[0] = "workers";
    for (size_t i = 0; i < f->nbenches; i++) {
        const struct result_bench *b = &f->benches[i];
        const char *xk;
        double n = threads_of(b, &xk);
        if (!starts(b->name, "cancel/") || isnan(n))
            continue;
        char scen[64], ib[64], sn[160];
        name_seg(b->name, 1, scen, sizeof scen);
        if (impls)
            snprintf(sn, sizeof sn, "%s %s", scen, impl_of(b, ib, sizeof ib));
        else
            snprintf(sn, sizeof sn, "%s", scen);
        double v[3] = {med_real(b) / 1e3, INFINITY, -INFINITY};
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
    c->subtitle = tx_strdup("time from goc_ctx_cancel until every blocked worker has returned "
                            "through its done case; bars: min to max over the repetitions");
    c->columns = tx_strdup("workers, then per scenario three columns: median, min, max in µs");
    return true;
}

static int
cmp_int(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* c2c_heatmap: limit/c2c/pu=A,B rows into a PU by PU matrix of round-trip medians. */
static bool
build_c2c(struct chart *c, const struct result_file *f, const char **why) {
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
            c->c2c[ia][ib] = med_real(&f->benches[i]);
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

/* scaling: files of one machine; a line per implementation and pin policy. */
static bool
build_scaling(struct chart *c, struct result_file *files, const size_t *idx, size_t n,
              const char **labels, const char **why) {
    struct pick cap = {.want = 1024}, size = {.want = 8}, cs = {.want = 0};
    bool mpmc = false;
    for (size_t k = 0; k < n; k++) {
        const struct result_file *f = &files[idx[k]];
        for (size_t i = 0; i < f->nbenches; i++) {
            const struct result_bench *b = &f->benches[i];
            if (starts(b->name, "chan/mpmc/") && param(b, "prod") == param(b, "cons")) {
                mpmc = true;
                pick_see(&cap, param(b, "cap"));
                pick_see(&size, param(b, "size"));
            } else if (starts(b->name, "lock/mutex/")) {
                pick_see(&cs, param(b, "cs"));
            }
        }
    }
    if (!mpmc && !cs.any) {
        *why = "no chan/mpmc or lock/mutex rows";
        return false;
    }
    double cp = pick_get(&cap, true), sz = pick_get(&size, false), csv = pick_get(&cs, false);
    c->t[0] = stab_new(1);
    c->xname[0] = "threads";
    for (size_t k = 0; k < n; k++) {
        const struct result_file *f = &files[idx[k]];
        const char *pin = results_context_str(f, "pin_policy");
        /* the same pin policy in two files of this machine: tell them apart by file */
        bool dup = false;
        for (size_t j = 0; j < n; j++) {
            const char *pj = results_context_str(&files[idx[j]], "pin_policy");
            dup |= j != k && pin != NULL && pj != NULL && strcmp(pin, pj) == 0;
        }
        for (size_t i = 0; i < f->nbenches; i++) {
            const struct result_bench *b = &f->benches[i];
            double t;
            if (mpmc) {
                if (!starts(b->name, "chan/mpmc/") || param(b, "prod") != param(b, "cons") ||
                    param(b, "cap") != cp || param(b, "size") != sz)
                    continue;
                t = param(b, "prod") + param(b, "cons");
            } else {
                if (!starts(b->name, "lock/mutex/") || param(b, "cs") != csv)
                    continue;
                t = param(b, "threads");
            }
            char ib[64], sn[256];
            if (dup)
                snprintf(sn, sizeof sn, "%s, pin %s (%s)", impl_of(b, ib, sizeof ib),
                         pin ? pin : "?", labels[idx[k]]);
            else
                snprintf(sn, sizeof sn, "%s, pin %s", impl_of(b, ib, sizeof ib), pin ? pin : "?");
            double v = 1e9 / med_real(b);
            stab_set(c->t[0], t, NULL, sn, &v);
        }
    }
    if (mpmc) {
        c->subtitle = tx_fmt("chan/mpmc, as many producers as consumers, capacity %g, %g-byte "
                             "elements; threads = producers + consumers",
                             cp, sz);
        c->columns = tx_strdup("threads, then messages per second per implementation and pin "
                               "policy");
    } else {
        c->subtitle = tx_fmt("lock/mutex, critical section %g ns (no chan/mpmc rows)", csv);
        c->columns = tx_strdup("threads, then lock+unlock operations per second per "
                               "implementation and pin policy");
    }
    return true;
}

/* cross_machine: per family/scenario and implementation, the geometric mean over the common
 * benchmarks of each file's median divided by the first file's. */
static bool
build_cross(struct chart *c, struct result_file *files, size_t nf, const char **labels,
            const char **why) {
    char mb[256];
    c->t[0] = stab_new(1);
    c->xname[0] = "group";
    const struct result_file *base = &files[0];
    for (size_t f = 1; f < nf; f++) {
        char sn[384];
        snprintf(sn, sizeof sn, "%s: %s", labels[f], machine_of(&files[f], mb, sizeof mb));
        /* Group order follows the base file; groups are accumulated in a json object. */
        json_t *acc = json_object();
        json_t *order = json_array();
        for (size_t i = 0; i < base->nbenches; i++) {
            const struct result_bench *a = &base->benches[i];
            const struct result_bench *b = results_find(&files[f], a->name);
            double ma = med_real(a), mbv;
            if (b == NULL || !(ma > 0) || !((mbv = med_real(b)) > 0))
                continue;
            char fam[64], scen[64], ib[64], g[256];
            name_seg(a->name, 0, fam, sizeof fam);
            if (!name_seg(a->name, 1, scen, sizeof scen) || strchr(scen, '=') != NULL)
                scen[0] = '\0';
            bool has_impl = name_param(a->name, "impl", ib, sizeof ib);
            snprintf(g, sizeof g, "%s%s%s%s%s", fam, scen[0] ? "/" : "", scen, has_impl ? " " : "",
                     has_impl ? ib : "");
            json_t *e = json_object_get(acc, g);
            if (e == NULL) {
                e = json_pack("[f, i]", 0.0, (json_int_t)0);
                json_object_set_new(acc, g, e);
                json_array_append_new(order, json_string(g));
            }
            json_array_set_new(e, 0,
                               json_real(json_real_value(json_array_get(e, 0)) + log(mbv / ma)));
            json_array_set_new(e, 1, json_integer(json_integer_value(json_array_get(e, 1)) + 1));
        }
        size_t k;
        json_t *gname;
        json_array_foreach(order, k, gname) {
            json_t *e = json_object_get(acc, json_string_value(gname));
            double v = exp(json_real_value(json_array_get(e, 0)) /
                           (double)json_integer_value(json_array_get(e, 1)));
            stab_set(c->t[0], NAN, json_string_value(gname), sn, &v);
        }
        json_decref(acc);
        json_decref(order);
    }
    if (stab_points(c->t[0]) == 0) {
        *why = "no benchmark in common with the first file";
        return false;
    }
    c->subtitle = tx_fmt("geometric mean of median ratios against %s: %s; below 1: faster",
                         labels[0], machine_of(base, mb, sizeof mb));
    c->columns = tx_strdup("family/scenario and implementation, then per file the geometric mean "
                           "ratio of its medians to the first file's");
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

static bool
build_forest(struct chart *c, const struct result_file *f, const char **why) {
    struct plot_text t;
    return from_text(c, plot_forest_data(f, &t, why), &t);
}

static bool
build_drift(struct chart *c, const struct result_file *f, const char **why) {
    struct plot_text t;
    return from_text(c, plot_drift_data(f, &t, why), &t);
}

/* --- writing and drawing ------------------------------------------------------------------ */

/* Write c's data to dir/stem.dat through a temporary file renamed into place. */
static int
write_data(const struct chart *c, const char *dir) {
    char *path = tx_fmt("%s/%s.dat", dir, c->stem);
    char *tmp = tx_fmt("%s/.%s.dat.tmp", dir, c->stem);
    FILE *o = fopen(tmp, "w");
    if (o == NULL) {
        fprintf(stderr, "chanbench plot: %s: %s\n", tmp, strerror(errno));
        free(path);
        free(tmp);
        return -1;
    }
    fprintf(o, "# chanbench plot data for scripts/%s.gp\n", c->script);
    fprintf(o, "# machine: %s\n", c->machine);
    fprintf(o, "# subtitle: %s\n", c->subtitle);
    fprintf(o, "# source: %s\n", c->source);
    fprintf(o, "# columns: %s\n", c->columns);
    if (c->raw != NULL) {
        fputs(c->raw, o);
    } else if (c->npu > 0) {
        fputs("\"PU\"", o);
        for (size_t j = 0; j < c->npu; j++)
            fprintf(o, " %d", c->pu[j]);
        fputc('\n', o);
        for (size_t i = 0; i < c->npu; i++) {
            fprintf(o, "%d", c->pu[i]);
            for (size_t j = 0; j < c->npu; j++) {
                if (isnan(c->c2c[i][j]))
                    fputs(" NaN", o);
                else
                    fprintf(o, " %.4g", c->c2c[i][j]);
            }
            fputc('\n', o);
        }
    } else {
        for (int b = 0; b < 2 && c->t[b] != NULL; b++) {
            if (b > 0)
                fputs("\n\n", o);
            fprintf(o, "# block %d\n", b);
            stab_write(c->t[b], o, c->xname[b]);
        }
    }
    int rc = 0;
    if (fflush(o) != 0 || ferror(o) || fsync(fileno(o)) != 0)
        rc = -1;
    if (fclose(o) != 0)
        rc = -1;
    if (rc == 0 && rename(tmp, path) != 0)
        rc = -1;
    if (rc != 0) {
        fprintf(stderr, "chanbench plot: cannot write %s: %s\n", path, strerror(errno));
        unlink(tmp);
    }
    free(path);
    free(tmp);
    return rc;
}

/* mkdir -p. 0, or -1 with errno set. */
static int
mkdirs(const char *dir) {
    char *p = tx_strdup(dir);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            free(p);
            return -1;
        }
        *s = '/';
    }
    int rc = mkdir(p, 0777) != 0 && errno != EEXIST ? -1 : 0;
    free(p);
    if (rc == 0) {
        struct stat st;
        if (stat(dir, &st) != 0)
            return -1;
        if (!S_ISDIR(st.st_mode)) {
            errno = ENOTDIR;
            return -1;
        }
    }
    return rc;
}

/* The full path of prog on PATH, or NULL. */
static char *
find_on_path(const char *prog) {
    const char *path = getenv("PATH");
    if (path == NULL || *path == '\0')
        return NULL;
    char *copy = tx_strdup(path);
    char *save = NULL;
    for (char *d = strtok_r(copy, ":", &save); d != NULL; d = strtok_r(NULL, ":", &save)) {
        char *full = tx_fmt("%s/%s", *d ? d : ".", prog);
        struct stat st;
        if (stat(full, &st) == 0 && S_ISREG(st.st_mode) && access(full, X_OK) == 0) {
            free(copy);
            return full;
        }
        free(full);
    }
    free(copy);
    return NULL;
}

static bool
is_dir_with(const char *dir, const char *file) {
    char *p = tx_fmt("%s/%s", dir, file);
    bool ok = access(p, R_OK) == 0;
    free(p);
    return ok;
}

/* Where the .gp scripts are: $CHANBENCH_SCRIPTS, the source tree, ./scripts. */
static char *
find_scripts(void) {
    const char *env = getenv("CHANBENCH_SCRIPTS");
    if (env != NULL && *env != '\0')
        return tx_strdup(env);
    if (is_dir_with(CHANBENCH_SOURCE_DIR "/scripts", "chan_capacity.gp"))
        return tx_strdup(CHANBENCH_SOURCE_DIR "/scripts");
    return tx_strdup("scripts");
}

/* A gnuplot single-quoted string literal: quotes doubled. */
static char *
gp_quote(const char *s) {
    size_t n = 3;
    for (const char *p = s; *p; p++)
        n += *p == '\'' ? 2 : 1;
    char *q = malloc(n), *d = q;
    if (q == NULL)
        oom();
    *d++ = '\'';
    for (const char *p = s; *p; p++) {
        if (*p == '\'')
            *d++ = '\'';
        *d++ = *p;
    }
    *d++ = '\'';
    *d = '\0';
    return q;
}

static off_t
file_size(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : -1;
}

/* Run gnuplot on c's script: draws dir/.stem.tmp.{png,svg}, renamed into place when both are
 * there and non-empty. 0, or -1 after printing what went wrong. */
static int
draw(const struct chart *c, const char *dir, const char *scripts, const char *gnuplot) {
    char *script = tx_fmt("%s/%s.gp", scripts, c->script);
    char *data = tx_fmt("%s/%s.dat", dir, c->stem);
    char *tmpout = tx_fmt("%s/.%s.tmp", dir, c->stem);
    char *log = tx_fmt("%s/%s.gnuplot.log", dir, c->stem);
    char *qd = gp_quote(data), *qo = gp_quote(tmpout), *qm = gp_quote(c->machine),
         *qs = gp_quote(c->subtitle);
    char *expr = tx_fmt("datafile=%s; out=%s; machine=%s; subtitle=%s", qd, qo, qm, qs);
    int rc = -1;

    if (access(script, R_OK) != 0) {
        fprintf(stderr,
                "chanbench plot: %s: %s (set CHANBENCH_SCRIPTS to the folder of the .gp "
                "scripts)\n",
                script, strerror(errno));
        goto out;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    char *argv[] = {(char *)gnuplot, "-e", expr, script, NULL};
    pid_t pid;
    int err = posix_spawn(&pid, gnuplot, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (err != 0) {
        fprintf(stderr, "chanbench plot: cannot run %s: %s\n", gnuplot, strerror(err));
        goto out;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            fprintf(stderr, "chanbench plot: waitpid: %s\n", strerror(errno));
            goto out;
        }
    static const char *const ext[] = {"png", "svg"};
    bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    fflush(stdout);
    for (int e = 0; e < 2 && ok; e++) {
        char *t = tx_fmt("%s.%s", tmpout, ext[e]);
        ok = file_size(t) > 0;
        free(t);
    }
    if (!ok) {
        fprintf(stderr, "chanbench plot: gnuplot failed on %s with %s; its messages are in %s:\n",
                script, data, log);
        FILE *l = fopen(log, "r");
        char line[512];
        for (int i = 0; l != NULL && i < 5 && fgets(line, sizeof line, l) != NULL; i++)
            fprintf(stderr, "  %s", line);
        if (l != NULL)
            fclose(l);
        for (int e = 0; e < 2; e++) {
            char *t = tx_fmt("%s.%s", tmpout, ext[e]);
            unlink(t);
            free(t);
        }
        goto out;
    }
    rc = 0;
    for (int e = 0; e < 2; e++) {
        char *t = tx_fmt("%s.%s", tmpout, ext[e]);
        char *final = tx_fmt("%s/%s.%s", dir, c->stem, ext[e]);
        if (rename(t, final) != 0) {
            fprintf(stderr, "chanbench plot: cannot rename %s to %s: %s\n", t, final,
                    strerror(errno));
            rc = -1;
        }
        free(t);
        free(final);
    }
    if (rc == 0)
        unlink(log);
out:
    free(script);
    free(data);
    free(tmpout);
    free(log);
    free(qd);
    free(qo);
    free(qm);
    free(qs);
    free(expr);
    return rc;
}

/* A file's label: its name without folders and .json, in [A-Za-z0-9._-]. */
static char *
label_for(const char *path) {
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    char *l = tx_strdup(b);
    size_t n = strlen(l);
    if (n > 5 && strcmp(l + n - 5, ".json") == 0)
        l[n - 5] = '\0';
    for (char *p = l; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '-' || *p == '_'))
            *p = '_';
    return l;
}

struct plot_state {
    const char *dir;
    char *scripts;
    char *gnuplot;
    size_t drawn, skipped, failed, written;
};

/* Write c's data and draw it (or say why not); takes ownership of c. */
static void
emit(struct plot_state *st, struct chart *c, bool have, const char *why, const char *what) {
    if (!have) {
        printf("skipped %-15s %s: %s\n", c->script, what, why);
        st->skipped++;
        chart_free(c);
        return;
    }
    if (write_data(c, st->dir) != 0) {
        st->failed++;
        chart_free(c);
        return;
    }
    st->written++;
    if (st->gnuplot == NULL) {
        printf("data    %-15s %s/%s.dat\n", c->script, st->dir, c->stem);
    } else if (draw(c, st->dir, st->scripts, st->gnuplot) == 0) {
        printf("chart   %-15s %s/%s.png %s/%s.svg\n", c->script, st->dir, c->stem, st->dir,
               c->stem);
        st->drawn++;
    } else {
        st->failed++;
    }
    fflush(stdout);
    chart_free(c);
}

typedef bool (*build_fn)(struct chart *, const struct result_file *, const char **);

int
cmd_plot(int argc, char **argv) {
    const char *dir = "results/plots";
    const char *paths[PLOT_MAX_FILES];
    size_t np = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(plot_usage, stdout);
            return 0;
        }
        if (strcmp(a, "--out") == 0 || strcmp(a, "-o") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "chanbench plot: %s needs a folder\n", a);
                return 2;
            }
            dir = argv[++i];
        } else if (strncmp(a, "--out=", 6) == 0) {
            dir = a + 6;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "chanbench plot: unknown option %s (see chanbench plot --help)\n", a);
            return 2;
        } else if (np == PLOT_MAX_FILES) {
            fprintf(stderr, "chanbench plot: at most %d files\n", PLOT_MAX_FILES);
            return 2;
        } else {
            paths[np++] = a;
        }
    }
    if (np == 0) {
        fprintf(stderr, "chanbench plot: name at least one results file (see chanbench plot "
                        "--help)\n");
        return 2;
    }
    if (dir[0] == '\0') {
        fprintf(stderr, "chanbench plot: --out needs a folder\n");
        return 2;
    }

    struct result_file files[PLOT_MAX_FILES];
    char *labels[PLOT_MAX_FILES];
    size_t nf = 0;
    int rc = 2;
    struct plot_state st = {.dir = dir};
    for (size_t i = 0; i < np; i++) {
        char err[1024];
        if (results_load(paths[i], &files[i], err, sizeof err) != 0) {
            fprintf(stderr, "chanbench plot: %s\n", err);
            goto out;
        }
        labels[i] = label_for(paths[i]);
        nf++;
        for (size_t j = 0; j < i; j++) /* two files called x.json in different folders */
            if (strcmp(labels[i], labels[j]) == 0) {
                char *l = tx_fmt("%s-%zu", labels[i], i + 1);
                free(labels[i]);
                labels[i] = l;
            }
    }
    if (mkdirs(dir) != 0) {
        fprintf(stderr, "chanbench plot: cannot create the output folder %s: %s\n", dir,
                strerror(errno));
        goto out;
    }
    st.scripts = find_scripts();
    st.gnuplot = find_on_path("gnuplot");
    if (st.gnuplot == NULL)
        fprintf(stderr, "chanbench plot: gnuplot is not installed (not on PATH); install it "
                        "(Debian/Ubuntu: apt install gnuplot-nox) to draw the charts; writing "
                        "the data files only\n");

    static const struct {
        const char *script;
        build_fn build;
    } per_file[] = {
        {"chan_capacity", build_capacity},
        {"select_latency", build_select},
        {"locks", build_locks},
        {"layout", build_layout},
        {"cancel", build_cancel},
        {"c2c_heatmap", build_c2c},
        {"forest", build_forest},
        {"drift", build_drift},
    };
    for (size_t i = 0; i < nf; i++) {
        char mb[256];
        for (size_t k = 0; k < sizeof per_file / sizeof per_file[0]; k++) {
            struct chart *c = chart_new(per_file[k].script);
            c->stem = nf == 1 ? tx_strdup(c->script) : tx_fmt("%s-%s", c->script, labels[i]);
            c->machine = tx_strdup(machine_of(&files[i], mb, sizeof mb));
            c->source = tx_strdup(files[i].path);
            const char *why = "no data";
            bool have = per_file[k].build(c, &files[i], &why);
            if (have && c->t[0] != NULL && stab_points(c->t[0]) == 0) {
                have = false;
                why = "no rows with the parameters this chart needs";
            }
            emit(&st, c, have, why, files[i].path);
        }
    }

    /* scaling: one chart per machine (host and CPU model). */
    bool grouped[PLOT_MAX_FILES] = {false};
    size_t ngroups = 0;
    for (size_t i = 0; i < nf; i++) {
        char mi[256], mj[256];
        if (grouped[i])
            continue;
        ngroups++;
        for (size_t j = i; j < nf; j++)
            if (strcmp(machine_of(&files[i], mi, sizeof mi),
                       machine_of(&files[j], mj, sizeof mj)) == 0)
                grouped[j] = true;
    }
    memset(grouped, 0, sizeof grouped);
    for (size_t i = 0; i < nf; i++) {
        char mi[256], mj[256];
        if (grouped[i])
            continue;
        size_t idx[PLOT_MAX_FILES], n = 0;
        for (size_t j = i; j < nf; j++)
            if (strcmp(machine_of(&files[i], mi, sizeof mi),
                       machine_of(&files[j], mj, sizeof mj)) == 0) {
                grouped[j] = true;
                idx[n++] = j;
            }
        struct chart *c = chart_new("scaling");
        const char *host = results_context_str(&files[i], "host_name");
        char *hl = label_for(host ? host : "unknown");
        c->stem = ngroups == 1 ? tx_strdup("scaling") : tx_fmt("scaling-%s", hl);
        free(hl);
        c->machine = tx_strdup(mi);
        size_t sl = 0;
        for (size_t k = 0; k < n; k++)
            sl += strlen(files[idx[k]].path) + 2;
        c->source = calloc(1, sl + 1);
        if (c->source == NULL)
            oom();
        for (size_t k = 0; k < n; k++) {
            if (k)
                strcat(c->source, ", ");
            strcat(c->source, files[idx[k]].path);
        }
        const char *why = "no data";
        bool have = build_scaling(c, files, idx, n, (const char **)labels, &why);
        if (have && stab_points(c->t[0]) == 0) {
            have = false;
            why = "no rows with the parameters this chart needs";
        }
        emit(&st, c, have, why, mi);
    }

    if (nf > 1) {
        char mb[256];
        struct chart *c = chart_new("cross_machine");
        c->stem = tx_strdup("cross_machine");
        c->machine = tx_fmt("against %s", machine_of(&files[0], mb, sizeof mb));
        c->source = tx_strdup("several files, see the column names");
        const char *why = "no data";
        bool have = build_cross(c, files, nf, (const char **)labels, &why);
        emit(&st, c, have, why, "(all files)");
    } else {
        printf("skipped %-15s needs two or more results files\n", "cross_machine");
    }

    if (st.gnuplot == NULL) {
        fprintf(stderr,
                "chanbench plot: wrote %zu data files to %s but no charts: gnuplot is not "
                "installed. Install it (Debian/Ubuntu: apt install gnuplot-nox) and run this "
                "command again, or draw one by hand: gnuplot -e \"datafile='%s/CHART.dat'; "
                "out='%s/CHART'\" %s/CHART.gp\n",
                st.written, dir, dir, dir, st.scripts);
        rc = PLOT_EXIT_NO_GNUPLOT;
    } else {
        printf("%zu charts in %s (PNG and SVG), %zu skipped for lack of data%s\n", st.drawn, dir,
               st.skipped, st.failed ? ", some FAILED (see above)" : "");
        rc = st.failed ? 1 : 0;
    }
out:
    for (size_t i = 0; i < nf; i++) {
        results_free(&files[i]);
        free(labels[i]);
    }
    free(st.scripts);
    free(st.gnuplot);
    return rc;
}
