/* SPDX-License-Identifier: MIT */
/* What a run's rounds say (engine.h, engine_analyse): the machine modes its probes fell into,
 * every chunk's mode, and the paired ratios of goc against every other arm with their
 * stability warnings. Measuring is engine.c; the arithmetic is model/modes.c and
 * model/paired.c. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "stats.h"

static double
metric_value(const struct rep_result *p, enum paired_metric m) {
    switch (m) {
    case PAIRED_CPU:
        return p->cpu_ns;
    case PAIRED_P99:
        return p->has_latency && p->lat.count > 0 ? (double)p->lat.p99 : NAN;
    default:
        return p->real_ns;
    }
}

/* Statistics over an arm's chunks of their wall time (busy false), or of their CPU time over
 * wall time, the CPUs the chunk kept busy (busy true; an executor's CPU time is its whole
 * process's). Chunks without a figure are left out; all zeros on none (or out of memory). */
static struct stats
arm_stats(const struct arm *a, bool busy) {
    struct stats s = {0};
    double *v = malloc((a->res.nreps ? a->res.nreps : 1) * sizeof *v);
    if (v == NULL)
        return s;
    size_t n = 0;
    for (size_t i = 0; i < a->res.nreps; i++) {
        const struct rep_result *p = &a->res.reps[i];
        if (!busy)
            v[n++] = p->real_ns;
        else if (p->real_ns > 0 && isfinite(p->cpu_ns))
            v[n++] = p->cpu_ns / p->real_ns;
    }
    stats_compute(v, n, &s);
    free(v);
    return s;
}

static void append_warn(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
append_warn(char *buf, size_t len, const char *fmt, ...) {
    size_t used = strlen(buf);
    if (used + 3 >= len)
        return;
    if (used > 0) {
        memcpy(buf + used, "; ", 3);
        used += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, len - used, fmt, ap);
    va_end(ap);
}

/* Two arms that did not run the same way: one kept about one CPU busy while the other kept two
 * or more. Its threads took turns: they slept while waiting (the naive channel), or shared one
 * core. Go's scheduler does the latter: a goroutine it wakes runs next on the waker's thread, so
 * a handoff need not cross cores at all, and the ratio then compares one core's speed with a
 * core-to-core trip (which the machine's mode decides). */
static void
warn_busy(struct paired_row *row, const struct arm *num, const struct arm *den) {
    double bn = arm_stats(num, true).median, bd = arm_stats(den, true).median;
    const struct arm *one = bd < bn ? den : num, *more = bd < bn ? num : den;
    double lo = fmin(bn, bd), hi = fmax(bn, bd);
    if (lo > 0 && lo <= 1.25 && hi >= 1.5)
        append_warn(row->warn, sizeof row->warn,
                    "%s kept %.1f CPUs busy where %s kept %.1f: its threads took turns", one->impl,
                    lo, more->impl, hi);
}

/* Rounds in two clusters are a mixture: the median sits wherever this run's mix put it, so it
 * may not repeat in the next run. */
static void
warn_clusters(struct paired_row *row) {
    if (row->st.bimodal)
        append_warn(row->warn, sizeof row->warn,
                    "rounds form two clusters: %.0f%% near %.2f, %.0f%% near %.2f",
                    (1 - row->st.cluster_share) * 100, row->st.cluster[0],
                    row->st.cluster_share * 100, row->st.cluster[1]);
}

static int
add_paired(struct engine *e, const struct arm *num, const struct arm *den, enum paired_metric m,
           int mode, const double *nv, const double *dv, const int *nmode, const int *dmode,
           size_t cap) {
    double *r = malloc((size_t)e->rounds * sizeof *r + 1);
    bool *keep = malloc((size_t)e->rounds * sizeof *keep + 1);
    if (r == NULL || keep == NULL) {
        free(r);
        free(keep);
        return -1;
    }
    for (int i = 0; i < e->rounds; i++)
        keep[i] = mode < 0 || (nmode[i] == mode && dmode[i] == mode);
    size_t k = paired_ratios(nv, dv, keep, (size_t)e->rounds, r);
    free(keep);
    if (k == 0 || e->npaired == cap) {
        free(r);
        return 0;
    }
    struct paired_row *row = &e->paired[e->npaired++];
    memset(row, 0, sizeof *row);
    row->group = num->group;
    row->numerator = num->impl;
    row->denominator = den->impl;
    row->metric = m;
    row->mode = mode;
    row->per_round = r;
    paired_summarize(r, k, &row->st);
    /* A run of fewer rounds than an interval needs is said once (report_paired), not here; a
     * mode that held too few rounds shows as `?` in its table, and the results file has ci_ok,
     * so the warning, which would repeat for every peer, is for the overall row only. */
    if (!row->st.ci_ok && e->rounds >= PAIRED_MIN_ROUNDS && mode < 0)
        append_warn(row->warn, sizeof row->warn, "only %zu rounds: too few for a 95%% interval", k);
    if (m == PAIRED_REAL && mode < 0) {
        warn_busy(row, num, den);
        double cn = arm_stats(num, false).cv, cd = arm_stats(den, false).cv;
        if (cn > 0.10)
            append_warn(row->warn, sizeof row->warn, "%s varies %.0f%% between rounds", num->impl,
                        cn * 100);
        if (cd > 0.10)
            append_warn(row->warn, sizeof row->warn, "%s varies %.0f%% between rounds", den->impl,
                        cd * 100);
    }
    if (row->st.outliers > 0)
        append_warn(row->warn, sizeof row->warn, "%zu outlier round%s", row->st.outliers,
                    row->st.outliers == 1 ? "" : "s");
    /* The overall row of a run with modes says this after the per-mode rows exist. */
    if (mode >= 0 || e->modes.n < 2)
        warn_clusters(row);
    return 0;
}

int
engine_analyse(struct engine *e) {
    double *c2c = malloc((e->nprobes ? e->nprobes : 1) * sizeof *c2c);
    if (c2c == NULL)
        return -1;
    for (size_t i = 0; i < e->nprobes; i++)
        c2c[i] = e->probes[i].c2c_ns;
    int rc0 = modes_find(c2c, e->nprobes, &e->modes);
    free(c2c);
    if (rc0 != 0)
        return -1;
    for (int i = 0; i < e->narms; i++) {
        struct arm *a = &e->arms[i];
        for (size_t k = 0; k < a->res.nreps; k++) {
            struct rep_result *p = &a->res.reps[k];
            p->mode = modes_tag(&e->modes, p->before.c2c_ns, p->after.c2c_ns);
            e->straddling += p->mode == MODE_STRADDLE;
            e->unprobed += p->mode == MODE_UNPROBED;
        }
    }
    /* goc against every other arm of its benchmark, each metric, overall and per mode. */
    size_t cap = (size_t)e->narms * 3 * (size_t)(e->modes.n + 1) + 1;
    e->paired = calloc(cap, sizeof *e->paired);
    size_t nr = (size_t)e->rounds;
    double *nv = malloc(nr * 2 * sizeof *nv + 1);
    int *nm = malloc(nr * 2 * sizeof *nm + 1);
    if (e->paired == NULL || nv == NULL || nm == NULL) {
        free(nv);
        free(nm);
        return -1;
    }
    double *dv = nv + nr;
    int *dm = nm + nr;
    int rc = 0;
    for (int i = 0; i < e->narms && rc == 0; i++) {
        const struct arm *num = &e->arms[i];
        if (num->control || strcmp(num->impl, "goc") != 0 || num->res.nreps == 0)
            continue;
        for (int j = 0; j < e->narms && rc == 0; j++) {
            const struct arm *den = &e->arms[j];
            if (j == i || den->group != num->group || den->res.nreps == 0)
                continue;
            for (int m = PAIRED_REAL; m <= PAIRED_P99 && rc == 0; m++) {
                for (size_t r = 0; r < nr; r++) {
                    nv[r] = dv[r] = NAN;
                    nm[r] = dm[r] = MODE_UNPROBED;
                }
                for (size_t k = 0; k < num->res.nreps; k++) {
                    nv[num->res.reps[k].round] = metric_value(&num->res.reps[k], m);
                    nm[num->res.reps[k].round] = num->res.reps[k].mode;
                }
                for (size_t k = 0; k < den->res.nreps; k++) {
                    dv[den->res.reps[k].round] = metric_value(&den->res.reps[k], m);
                    dm[den->res.reps[k].round] = den->res.reps[k].mode;
                }
                for (int mode = -1; mode < e->modes.n && rc == 0; mode++) {
                    if (mode >= 0 && e->modes.n < 2)
                        break; /* one mode: "all" says it */
                    rc = add_paired(e, num, den, (enum paired_metric)m, mode, nv, dv, nm, dm, cap);
                }
            }
        }
    }
    free(nv);
    free(nm);
    /* A ratio whose modes disagree (their intervals do not overlap) depends on the machine's
     * state: say so on the overall row, which mixes them. */
    for (size_t i = 0; i < e->npaired; i++) {
        struct paired_row *all = &e->paired[i];
        if (all->mode >= 0)
            continue;
        double lo = INFINITY, hi = -INFINITY;
        for (size_t j = 0; j < e->npaired; j++) {
            const struct paired_row *pm = &e->paired[j];
            if (pm->mode < 0 || pm->group != all->group || pm->metric != all->metric ||
                strcmp(pm->denominator, all->denominator) != 0 || !pm->st.ci_ok)
                continue;
            lo = fmin(lo, pm->st.hi);
            hi = fmax(hi, pm->st.lo);
        }
        /* Clusters that the modes explain are said by "depends on the machine mode". */
        if (hi > lo)
            append_warn(all->warn, sizeof all->warn, "depends on the machine mode");
        else if (e->modes.n >= 2)
            warn_clusters(all);
    }
    return rc;
}
