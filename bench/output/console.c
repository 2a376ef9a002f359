/* SPDX-License-Identifier: MIT */
/* The console: the run's header, a row per benchmark arm, the machine modes and the
 * paired-ratio tables. */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "engine.h"
#include "floor.h"
#include "names.h"
#include "topology.h"

static void
fmt_ns(char *buf, size_t len, double ns) {
    if (!isfinite(ns))
        snprintf(buf, len, "-");
    else if (ns < 10)
        snprintf(buf, len, "%.2f", ns);
    else if (ns < 1000)
        snprintf(buf, len, "%.1f", ns);
    else
        snprintf(buf, len, "%.0f", ns);
}

static void
fmt_si(char *buf, size_t len, double x) {
    const char *suffix[] = {"", "k", "M", "G", "T"};
    int k = 0;
    while (fabs(x) >= 1000 && k < 4) {
        x /= 1000;
        k++;
    }
    snprintf(buf, len, x < 10 ? "%.2f%s" : x < 100 ? "%.1f%s" : "%.0f%s", x, suffix[k]);
}

/* The floor a result is compared with on the console (names_floor_kind, for its first chunk's
 * placement: limit_floor_for), or NAN. */
static double
result_floor(const struct run_info *info, const struct bench_result *r) {
    enum floor_kind kind = r->name != NULL ? names_floor_kind(r->name) : FLOOR_NONE;
    if (info == NULL || info->limit == NULL || kind == FLOOR_NONE)
        return NAN;
    const int *pus = NULL;
    int n = 0;
    if (r->nreps > 0 && r->reps[0].pu_requested != NULL) {
        pus = r->reps[0].pu_requested;
        n = r->reps[0].nthreads;
    }
    double c2c = NAN, ring = NAN;
    if (!limit_floor_for(info->limit, pus, n, &c2c, &ring))
        return NAN;
    double f = kind == FLOOR_C2C ? c2c : ring;
    return f > 0 ? f : NAN;
}

static void
fmt_ratio(char *buf, size_t len, double x) {
    if (!isfinite(x))
        snprintf(buf, len, "-");
    else if (x < 10)
        snprintf(buf, len, "%.2f", x);
    else if (x < 1000)
        snprintf(buf, len, "%.1f", x);
    else
        snprintf(buf, len, "%.0f", x);
}

void
report_console_header(FILE *out, const struct run_info *info, const char *path, size_t nbench,
                      int namewidth) {
    const struct machine_info *m = info->machine;
    const struct run_options *o = info->opts;
    int npk = topo_num_packages();
    fprintf(out, "chanbench on %s: %s, %d PUs allowed of %d (%d cores, %d package%s)%s\n", m->host,
            topo_cpu_model(), topo_num_allowed(), topo_num_pus(), topo_num_cores(), npk,
            npk == 1 ? "" : "s", topo_is_virtualized() ? ", virtualized" : "");
    fprintf(out, "build %s %s, commit %s, allocator %s%s%s, sanitizer %s\n",
            m->build_type[0] ? m->build_type : "(no build type)", m->compiler, m->git_commit,
            m->allocator, m->jemalloc_version[0] ? " " : "", m->jemalloc_version, m->sanitizer);
    fprintf(out,
            "%zu benchmark arms (profile %s), pin %s, %d %s rounds of one >= %g s chunk each, "
            "seed %llu, clock %.0f ns, load %.2f; results to %s\n",
            nbench, o->profile != NULL ? o->profile->name : "full", o->pin, o->rounds,
            o->interleave ? "interleaved" : "blocked (--no-interleave)", o->min_time_s,
            info->engine != NULL ? (unsigned long long)info->engine->seed : 0ULL,
            info->clock_overhead_ns, m->load_avg[0], path);
    if (info->limit != NULL)
        fprintf(out,
                "floor: core-to-core round trip %.1f ns (one way %.1f ns), SPSC ring %.2f "
                "ns/msg; medians over %d PU pair%s (chanbench limit)\n",
                info->limit->c2c_round_trip_ns, info->limit->one_way_ns,
                info->limit->ring_ns_per_msg, info->limit->npairs,
                info->limit->npairs == 1 ? "" : "s");
    int w = namewidth + 76 + (info->limit != NULL ? 9 : 0);
    for (int i = 0; i < w; i++)
        fputc('-', out);
    fputc('\n', out);
    /* "±" is two bytes in UTF-8 and one column: its fields get one more byte of width. */
    fprintf(out, "%-*s %10s %8s %10s %18s %9s %8s", namewidth, "benchmark", "ns/op", "±cv",
            "cpu ns/op", "rate", "p99 ns", "csw/op");
    if (info->limit != NULL)
        fprintf(out, " %8s", "/floor");
    fputc('\n', out);
    for (int i = 0; i < w; i++)
        fputc('-', out);
    fputc('\n', out);
    fflush(out);
}

void
report_console_row(FILE *out, const struct run_info *info, const struct bench_result *r,
                   int namewidth) {
    struct aggr a;
    report_aggregate(r, &a);
    char ns[32], cpu[32], rate[32], p99[32], cv[32], rate_col[48];
    fmt_ns(ns, sizeof ns, a.real.median);
    fmt_ns(cpu, sizeof cpu, a.cpu.median);
    fmt_si(rate, sizeof rate, a.rate.median);
    snprintf(rate_col, sizeof rate_col, "%s %s/s", rate, r->op);
    snprintf(cv, sizeof cv, "±%.1f%%", a.real.cv * 100);
    if (isfinite(a.p99_median))
        fmt_ns(p99, sizeof p99, a.p99_median);
    else
        snprintf(p99, sizeof p99, "-");
    fprintf(out, "%-*s %10s %8s %10s %18s %9s %8.3g", namewidth, r->name, ns, cv, cpu, rate_col,
            p99, a.csw_per_op);
    if (info != NULL && info->limit != NULL) {
        char ratio[32];
        fmt_ratio(ratio, sizeof ratio, a.real.median / result_floor(info, r));
        fprintf(out, " %8s", ratio);
    }
    fputc('\n', out);
    fflush(out);
}

/* ---- paired ratios ---------------------------------------------------------------------- */

/* "0.64 [0.61-0.66]", then "~" when the interval contains 1 and "?" when there are too few
 * rounds for an interval (the range is shown instead). */
static void
fmt_paired(char *buf, size_t len, const struct paired_stat *st) {
    char r[16], lo[16], hi[16];
    fmt_ratio(r, sizeof r, st->ratio);
    fmt_ratio(lo, sizeof lo, st->lo);
    fmt_ratio(hi, sizeof hi, st->hi);
    snprintf(buf, len, "%s [%s-%s]%s", r, lo, hi, !st->ci_ok ? "?" : st->differs ? "" : "~");
}

/* The paired rows of one metric and mode, as a table: benchmarks down, denominators across. */
static void
paired_table(FILE *out, const struct engine *e, enum paired_metric metric, int mode,
             const char *title) {
    const char *cols[CLI_MAX_IMPLS * 2];
    int ncols = 0, keyw = 9;
    bool any = false;
    for (int pass = 0; pass < 2; pass++) /* the control last */
        for (size_t i = 0; i < e->npaired; i++) {
            const struct paired_row *p = &e->paired[i];
            if (p->metric != metric || p->mode != mode ||
                (strcmp(p->denominator, ENGINE_CONTROL) == 0) != (pass == 1))
                continue;
            any = true;
            int l = (int)strlen(e->groups[p->group]);
            keyw = l > keyw ? l : keyw;
            bool seen = false;
            for (int c = 0; c < ncols && !seen; c++)
                seen = strcmp(cols[c], p->denominator) == 0;
            if (!seen && ncols < CLI_MAX_IMPLS * 2)
                cols[ncols++] = p->denominator;
        }
    if (!any)
        return;
    const int cw = 20;
    fprintf(out, "\n%s\n", title);
    int w = keyw + ncols * (cw + 1);
    for (int i = 0; i < w; i++)
        fputc('-', out);
    fprintf(out, "\n%-*s", keyw, "benchmark");
    for (int c = 0; c < ncols; c++) {
        char h[64];
        snprintf(h, sizeof h, "goc/%s", cols[c]);
        fprintf(out, " %-*s", cw, h);
    }
    fputc('\n', out);
    for (int i = 0; i < w; i++)
        fputc('-', out);
    fputc('\n', out);
    for (int g = 0; g < e->ngroups; g++) {
        const struct paired_row *cell[CLI_MAX_IMPLS * 2] = {NULL};
        bool have = false;
        for (size_t i = 0; i < e->npaired; i++) {
            const struct paired_row *p = &e->paired[i];
            if (p->group != g || p->metric != metric || p->mode != mode)
                continue;
            for (int c = 0; c < ncols; c++)
                if (strcmp(cols[c], p->denominator) == 0) {
                    cell[c] = p;
                    have = true;
                }
        }
        if (!have)
            continue;
        fprintf(out, "%-*s", keyw, e->groups[g]);
        for (int c = 0; c < ncols; c++) {
            char buf[64] = "-";
            if (cell[c] != NULL)
                fmt_paired(buf, sizeof buf, &cell[c]->st);
            fprintf(out, " %-*s", cw, buf);
        }
        fputc('\n', out);
    }
}

/* Whether arm k has rows and the same impl and note as arm a. */
static bool
same_note(const struct arm *k, const struct arm *a) {
    const char *n = k->inst->impl->note;
    return n != NULL && !k->control && k->res.nreps > 0 && strcmp(n, a->inst->impl->note) == 0 &&
           strcmp(k->impl, a->impl) == 0;
}

/* The notes of the impls that have rows (bench_impl.note: what the name does not say, such
 * as a channel that spins instead of blocking), each (impl, note) once with the scenarios it
 * applies to. */
static void
impl_notes(FILE *out, const struct engine *e) {
    bool header = false;
    for (int i = 0; i < e->narms; i++) {
        const struct arm *a = &e->arms[i];
        if (a->inst->impl->note == NULL || a->control || a->res.nreps == 0)
            continue;
        bool seen = false;
        for (int k = 0; k < i && !seen; k++)
            seen = same_note(&e->arms[k], a);
        if (seen)
            continue;
        if (!header)
            fprintf(out, "\nimplementation notes:\n");
        header = true;
        fprintf(out, "  impl=%s (", a->impl);
        /* Its scenarios, each once: the first arm of each scenario among those with this note. */
        bool first = true;
        for (int j = i; j < e->narms; j++) {
            const struct arm *b = &e->arms[j];
            if (!same_note(b, a))
                continue;
            bool dup = false;
            for (int k = i; k < j && !dup; k++)
                dup = same_note(&e->arms[k], a) && e->arms[k].inst->scenario == b->inst->scenario;
            if (dup)
                continue;
            fprintf(out, "%s%s/%s", first ? "" : ", ", b->inst->family->name,
                    b->inst->scenario->name);
            first = false;
        }
        fprintf(out, "): %s\n", a->inst->impl->note);
    }
}

/* Add fragment f (len n) to line unless it is there already, "; " between fragments. */
static void
add_fragment(char *line, size_t cap, const char *prefix, const char *f, size_t n) {
    char frag[512];
    snprintf(frag, sizeof frag, "%s%.*s", prefix, (int)n, f);
    for (const char *at = strstr(line, frag); at != NULL; at = strstr(at + 1, frag)) {
        size_t fl = strlen(frag);
        bool starts = at == line || (at >= line + 2 && at[-2] == ';' && at[-1] == ' ');
        if (starts && (at[fl] == '\0' || at[fl] == ';'))
            return;
    }
    size_t used = strlen(line);
    snprintf(line + used, cap - used, "%s%s", used > 0 ? "; " : "", frag);
}

/* What makes a figure shaky, one line per benchmark: an arm that varies between rounds is
 * said once however many ratios it is in; outliers and short intervals belong to a ratio and
 * name it. The results file keeps the same warnings per ratio (context.chanbench.paired). */
static void
stability_warnings(FILE *out, const struct engine *e) {
    bool header = false;
    for (int g = 0; g < e->ngroups; g++) {
        char line[4096] = "";
        for (size_t i = 0; i < e->npaired; i++) {
            const struct paired_row *p = &e->paired[i];
            if (p->metric != PAIRED_REAL || p->group != g || p->warn[0] == '\0')
                continue;
            char ratio[160];
            snprintf(ratio, sizeof ratio, "goc/%s%s%s ", p->denominator,
                     p->mode >= 0 ? " in mode " : "",
                     p->mode >= 0 ? e->modes.m[p->mode].label : "");
            for (const char *f = p->warn; *f != '\0';) {
                const char *semi = strstr(f, "; ");
                size_t n = semi != NULL ? (size_t)(semi - f) : strlen(f);
                char frag[512];
                snprintf(frag, sizeof frag, "%.*s", (int)n, f);
                /* Said of an arm, or names both: no ratio in front. */
                bool arm =
                    strstr(frag, " varies ") != NULL || strstr(frag, " CPUs busy where ") != NULL;
                add_fragment(line, sizeof line, arm ? "" : ratio, f, n);
                f += n + (semi != NULL ? 2 : 0);
            }
        }
        if (line[0] == '\0')
            continue;
        if (!header)
            fprintf(out, "\nstability warnings (wall time), per benchmark:\n");
        header = true;
        fprintf(out, "  %s: %s\n", e->groups[g], line);
    }
}

static void
machine_modes(FILE *out, const struct engine *e) {
    const struct mode_set *ms = &e->modes;
    if (ms->n == 0)
        return;
    fprintf(out,
            "\nmachine modes: %d, from %zu core-to-core probes of ~1 ms around the chunks "
            "(%zu chunk%s straddled two modes, %zu unprobed); steal %.0f ms over the run\n",
            ms->n, ms->total, e->straddling, e->straddling == 1 ? "" : "s", e->unprobed,
            e->steal_ms);
    for (int k = 0; k < ms->n; k++)
        fprintf(out, "  mode %-8s round trip %7.1f ns, %4.1f%% of the probes\n", ms->m[k].label,
                ms->m[k].floor_ns, ms->m[k].share * 100);
}

/* Notes and warnings first, then the CPU and p99 tables, then the machine's modes and the
 * wall-time table: the headline is what a person sees last. */
void
report_paired(FILE *out, const struct run_info *info) {
    const struct engine *e = info->engine;
    if (e == NULL)
        return;
    impl_notes(out, e);
    stability_warnings(out, e);
    const struct mode_set *ms = &e->modes;
    static const char *const what[] = {"wall time per operation", "CPU time per operation",
                                       "p99 latency"};
    static const enum paired_metric order[] = {PAIRED_P99, PAIRED_CPU, PAIRED_REAL};
    for (size_t o = 0; o < sizeof order / sizeof order[0] && e->npaired > 0; o++) {
        enum paired_metric m = order[o];
        if (m == PAIRED_REAL)
            machine_modes(out, e);
        char title[400];
        snprintf(title, sizeof title,
                 "paired ratios of %s, all rounds: median of the per-round ratios goc/<impl> "
                 "[95%% interval]; below 1: goc is faster; ~ no difference (the interval holds "
                 "1); ? too few rounds for an interval (range shown)",
                 what[m]);
        paired_table(out, e, m, -1, title);
        if (m != PAIRED_REAL)
            continue;
        for (int k = 0; k < ms->n && ms->n > 1; k++) {
            snprintf(title, sizeof title,
                     "paired ratios of wall time, rounds whose two chunks were both in mode %s "
                     "(round trip %.0f ns)",
                     ms->m[k].label, ms->m[k].floor_ns);
            paired_table(out, e, PAIRED_REAL, k, title);
        }
    }
    if (e->npaired == 0)
        machine_modes(out, e);
    if (e->npaired > 0 && e->rounds < PAIRED_MIN_ROUNDS)
        fprintf(out,
                "\n%d rounds give no 95%% interval of a median (it needs %d): the brackets show "
                "the range; run with --rounds %d or more\n",
                e->rounds, PAIRED_MIN_ROUNDS, PAIRED_MIN_ROUNDS * 2);
    fflush(out);
}
