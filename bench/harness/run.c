/* SPDX-License-Identifier: MIT */
/* `chanbench run` and `chanbench list`: select benchmarks, choose iteration counts, run the
 * repetitions, handle SIGINT/SIGTERM, show progress, hand the results to the writers. */
#include "run.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "machine.h"
#include "registry.h"
#include "report.h"
#include "topology.h"
#include "trial.h"

/* ---- command line and clock ------------------------------------------------------------- */

static char g_command[4096];

/* Append arg to buf, single-quoted when the shell would split or expand it. */
static void
append_arg(char *buf, size_t len, const char *arg) {
    size_t used = strlen(buf);
    bool plain = *arg != '\0';
    for (const char *p = arg; *p && plain; p++)
        plain = strchr(" \t\n'\"\\$`*?[]{}()<>|&;!#~", *p) == NULL;
    if (used > 0 && used < len)
        used += (size_t)snprintf(buf + used, len - used, " ");
    if (plain) {
        if (used < len)
            snprintf(buf + used, len - used, "%s", arg);
        return;
    }
    if (used < len)
        used += (size_t)snprintf(buf + used, len - used, "'");
    for (const char *p = arg; *p && used < len; p++)
        used += (size_t)snprintf(buf + used, len - used, *p == '\'' ? "'\\''" : "%c", *p);
    if (used < len)
        snprintf(buf + used, len - used, "'");
}

void
harness_set_command(int argc, char **argv) {
    g_command[0] = '\0';
    for (int i = 0; i < argc; i++)
        append_arg(g_command, sizeof g_command, argv[i]);
}

double
harness_clock_overhead_ns(void) {
    enum { CALLS = 1000, BATCHES = 5 };
    double best = 1e9;
    for (int b = 0; b < BATCHES; b++) {
        int64_t t0 = bench_now_ns();
        for (int i = 0; i < CALLS; i++)
            (void)bench_now_ns();
        int64_t t1 = bench_now_ns();
        double per = (double)(t1 - t0) / (CALLS + 1);
        best = per < best ? per : best;
    }
    return best;
}

/* ---- signals ---------------------------------------------------------------------------- */

/* The signal that asked us to stop (0: none). Written by the handler, read between calls. */
static volatile sig_atomic_t g_stop;

static void
on_signal(int sig) {
    g_stop = sig;
}

struct saved_signals {
    struct sigaction intr, term;
};

static void
install_signals(struct saved_signals *old) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* One-shot: a second Ctrl-C kills at once, for a scenario that would not come back. */
    sa.sa_flags = (int)SA_RESETHAND;
    g_stop = 0;
    sigaction(SIGINT, &sa, &old->intr);
    sigaction(SIGTERM, &sa, &old->term);
}

static void
restore_signals(const struct saved_signals *old) {
    sigaction(SIGINT, &old->intr, NULL);
    sigaction(SIGTERM, &old->term, NULL);
}

/* ---- progress --------------------------------------------------------------------------- */

struct progress {
    bool on; /* stderr is a terminal */
    int64_t t0;
    size_t total;
    bool shown;
};

static void
progress_clear(struct progress *p) {
    if (p->on && p->shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        p->shown = false;
    }
}

static void
fmt_secs(char *buf, size_t len, double s) {
    if (s < 60)
        snprintf(buf, len, "%.0fs", s);
    else if (s < 3600)
        snprintf(buf, len, "%dm%02ds", (int)s / 60, (int)s % 60);
    else
        snprintf(buf, len, "%dh%02dm", (int)s / 3600, (int)s % 3600 / 60);
}

/* done: benchmarks finished (or given up) so far; i is the one running. */
static void
progress_show(struct progress *p, size_t i, size_t done, const char *name, int rep, int reps) {
    if (!p->on)
        return;
    double el = (double)(bench_now_ns() - p->t0) / 1e9;
    char els[16], eta[16] = "?";
    fmt_secs(els, sizeof els, el);
    if (done > 0)
        fmt_secs(eta, sizeof eta, el / (double)done * (double)(p->total - done));
    char what[32];
    if (rep < 0)
        snprintf(what, sizeof what, "warm-up");
    else
        snprintf(what, sizeof what, "rep %d/%d", rep + 1, reps);
    fprintf(stderr, "\r\033[K[%zu/%zu] %s %s  elapsed %s  eta %s", i + 1, p->total, name, what, els,
            eta);
    fflush(stderr);
    p->shown = true;
}

/* ---- one benchmark ---------------------------------------------------------------------- */

static enum trial_status
call_once(const struct bench_instance *inst, uint64_t iters, bool warmup, const char *pin,
          struct bench_trial *tr) {
    trial_init(tr, pin, inst->scenario->latency);
    struct bench_run r = {
        .inst = inst, .ops = inst->impl->ops, .iters = iters, .warmup = warmup, .trial = tr};
    int rc = inst->scenario->run(&r);
    if (tr->status == TRIAL_OK && rc != 0)
        bench_fail(&r, "run() returned %d without saying why", rc);
    if (tr->status == TRIAL_OK && tr->teams == 0 && !tr->elapsed_set)
        bench_fail(&r, "run() measured nothing (no bench_team_run, no bench_set_elapsed_ns)");
    return tr->status;
}

static int64_t
trial_wall(const struct bench_trial *tr) {
    return tr->elapsed_set ? tr->elapsed_ns : tr->wall_ns;
}

/* Move a trial's measurement into a repetition row. */
static void
take_rep(struct bench_trial *tr, uint64_t iters, struct rep_result *p) {
    memset(p, 0, sizeof *p);
    p->ops = tr->ops_set ? tr->ops : iters;
    double wall = (double)trial_wall(tr);
    double ops = p->ops > 0 ? (double)p->ops : 1;
    p->real_ns = wall / ops;
    p->cpu_ns = (double)tr->cpu_ns / ops;
    p->items_per_second = wall > 0 ? (double)p->ops * 1e9 / wall : 0;
    p->vcsw = tr->vcsw;
    p->ivcsw = tr->ivcsw;
    p->nthreads = tr->nthreads;
    p->pu_requested = tr->pu_requested;
    p->pu_observed = tr->pu_observed;
    tr->pu_requested = tr->pu_observed = NULL;
    p->relation = tr->relation;
    if (tr->lat != NULL) {
        p->has_latency = true;
        bench_hist_summary(tr->lat, &p->lat);
    }
    p->nextra = tr->nextra;
    memcpy(p->extra, tr->extra, sizeof p->extra);
}

/* A pinned thread that the kernel reports on another PU: say so (the row records both). */
static void
warn_placement(struct progress *pg, const struct bench_instance *inst, const struct rep_result *p) {
    for (int t = 0; t < p->nthreads; t++) {
        int req = p->pu_requested[t], obs = p->pu_observed[t];
        if (req >= 0 && obs >= 0 && req != obs) {
            progress_clear(pg);
            fprintf(stderr,
                    "chanbench run: warning: %s: thread %d was pinned to PU %d but ran on "
                    "PU %d\n",
                    inst->name, t, req, obs);
            return;
        }
    }
}

enum bench_outcome { OUT_DONE, OUT_FAILED, OUT_SKIPPED, OUT_INTERRUPTED };

static void
report_trouble(struct progress *pg, const struct bench_instance *inst,
               const struct bench_trial *tr) {
    progress_clear(pg);
    if (tr->status == TRIAL_FAILED)
        fprintf(stderr, "chanbench run: FAILED %s: %s (not written as a result)\n", inst->name,
                tr->msg);
    else
        fprintf(stderr, "chanbench run: skipped %s: %s\n", inst->name, tr->msg);
}

static enum bench_outcome
run_benchmark(const struct bench_instance *inst, const struct run_options *o, struct progress *pg,
              size_t i, size_t done, struct bench_result *res) {
    const struct bench_scenario *sc = inst->scenario;
    const int64_t min_ns = (int64_t)(o->min_time_s * 1e9);
    const uint64_t cap = sc->max_iters ? sc->max_iters : (uint64_t)1e12;
    uint64_t iters = sc->min_iters ? sc->min_iters : 16;
    if (iters > cap)
        iters = cap;
    struct bench_trial tr;

    /* Warm-up: grow the iteration count until one call lasts min_time (Google Benchmark's
     * rule: at most 10x per step while far below, then aim 20 % past the target). */
    progress_show(pg, i, done, inst->name, -1, o->repetitions);
    for (;;) {
        enum trial_status st = call_once(inst, iters, true, o->pin, &tr);
        if (st != TRIAL_OK) {
            report_trouble(pg, inst, &tr);
            trial_destroy(&tr);
            return st == TRIAL_FAILED ? OUT_FAILED : OUT_SKIPPED;
        }
        int64_t wall = trial_wall(&tr);
        trial_destroy(&tr);
        if (g_stop)
            return OUT_INTERRUPTED;
        if (wall >= min_ns || iters >= cap)
            break;
        double mult = wall > min_ns / 10 ? (double)min_ns * 1.2 / (double)wall : 10;
        double next = (double)iters * mult;
        iters = next > (double)cap ? cap : (uint64_t)next;
    }

    res->inst = inst;
    res->nreps = 0;
    res->reps = calloc((size_t)o->repetitions, sizeof *res->reps);
    if (res->reps == NULL) {
        fprintf(stderr, "chanbench: %s: out of memory\n", inst->name);
        return OUT_FAILED;
    }
    for (int rep = 0; rep < o->repetitions; rep++) {
        progress_show(pg, i, done, inst->name, rep, o->repetitions);
        enum trial_status st = call_once(inst, iters, false, o->pin, &tr);
        if (st != TRIAL_OK) {
            report_trouble(pg, inst, &tr);
            trial_destroy(&tr);
            bench_result_free(res);
            return st == TRIAL_FAILED ? OUT_FAILED : OUT_SKIPPED;
        }
        take_rep(&tr, iters, &res->reps[res->nreps++]);
        trial_destroy(&tr);
        if (rep == 0)
            warn_placement(pg, inst, &res->reps[0]);
        if (g_stop && rep + 1 < o->repetitions) {
            bench_result_free(res);
            return OUT_INTERRUPTED;
        }
    }
    return OUT_DONE;
}

/* ---- commands --------------------------------------------------------------------------- */

/* Parse, print help, check impl names and the topology; common to run and list. Returns -1
 * to go on, or an exit status. */
static int
prepare(int argc, char **argv, bool list, const struct bench_family *const *families,
        struct run_options *o) {
    const char *cmd = list ? "list" : "run";
    char err[512];
    if (cli_parse(argc, argv, list, o, err, sizeof err) != 0) {
        fprintf(stderr, "chanbench %s: %s\n", cmd, err);
        return 2;
    }
    if (o->help) {
        if (list)
            cli_usage_list(stdout);
        else
            cli_usage_run(stdout);
        cli_free(o);
        return 0;
    }
    for (int k = 0; k < o->nimpls; k++) {
        if (!registry_has_impl(families, o->impls[k])) {
            char known[512];
            registry_impl_names(families, known, sizeof known);
            fprintf(stderr, "chanbench %s: unknown implementation '%s' in --impl; known: %s\n", cmd,
                    o->impls[k], known);
            cli_free(o);
            return 2;
        }
    }
    if (topo_init(err, sizeof err) != 0) {
        fprintf(stderr, "chanbench %s: cannot load the machine's topology: %s\n", cmd, err);
        cli_free(o);
        return 1;
    }
    return -1;
}

/* Expand the selection; -1 to go on, or an exit status (an empty selection is bad usage). */
static int
select_benchmarks(const char *cmd, const struct bench_family *const *families,
                  const struct run_options *o, struct bench_instance **v, size_t *n) {
    struct bench_select sel = {
        .filter = o->filter ? &o->filter_re : NULL,
        .quick = o->quick,
        .threads = o->nthreads ? o->threads : NULL,
        .nthreads = o->nthreads,
        .impls = o->nimpls ? o->impls : NULL,
        .nimpls = o->nimpls,
    };
    char err[512];
    if (registry_expand(families, &sel, v, n, err, sizeof err) != 0) {
        fprintf(stderr, "chanbench %s: %s\n", cmd, err);
        return 1;
    }
    if (*n > 0)
        return -1;
    if (o->filter)
        fprintf(stderr,
                "chanbench %s: --filter '%s' matches no benchmark%s; see 'chanbench list%s' for "
                "the names\n",
                cmd, o->filter, o->quick ? " of the --quick grid" : "", o->quick ? " --quick" : "");
    else
        fprintf(stderr,
                "chanbench %s: no benchmark offers this --impl/--threads combination; see "
                "'chanbench list'\n",
                cmd);
    registry_free(*v, *n);
    return 2;
}

int
harness_list(int argc, char **argv, const struct bench_family *const *families) {
    struct run_options o;
    int rc = prepare(argc, argv, true, families, &o);
    if (rc >= 0)
        return rc;
    struct bench_instance *v;
    size_t n;
    rc = select_benchmarks("list", families, &o, &v, &n);
    if (rc < 0) {
        for (size_t i = 0; i < n; i++)
            printf("%s\n", v[i].name);
        registry_free(v, n);
        rc = fflush(stdout) == 0 ? 0 : 1;
    }
    cli_free(&o);
    return rc;
}

int
harness_run(int argc, char **argv, const struct bench_family *const *families) {
    struct run_options o;
    int rc = prepare(argc, argv, false, families, &o);
    if (rc >= 0)
        return rc;
    char err[512];
    struct bench_instance *v = NULL;
    size_t n = 0;
    struct bench_result *res = NULL;
    size_t nres = 0;
    int pus[1];

    /* Everything that can be refused is refused before the first benchmark runs. */
    if (topo_plan(o.pin, 1, pus, err, sizeof err) != 0) {
        fprintf(stderr, "chanbench run: --pin %s: %s\n", o.pin, err);
        rc = 2;
        goto out;
    }
    if ((rc = select_benchmarks("run", families, &o, &v, &n)) >= 0) {
        v = NULL;
        n = 0;
        goto out;
    }
    if (machine_sanitized() && o.out == NULL) {
        fprintf(stderr,
                "chanbench run: this is a sanitized build (%s); its timings are not results, so "
                "it does not write into results/: give --out FILE\n",
                machine_sanitizer());
        rc = 2;
        goto out;
    }
    struct machine_info m;
    machine_collect(&m);
    time_t started = time(NULL);
    char path[4096];
    if (o.out != NULL)
        snprintf(path, sizeof path, "%s", o.out);
    else
        report_default_path(path, sizeof path, m.host, started);
    if (report_check_folder(path, err, sizeof err) != 0) {
        fprintf(stderr, "chanbench run: %s\n", err);
        rc = 2;
        goto out;
    }
    char command[sizeof g_command];
    snprintf(command, sizeof command, "%s", g_command);
    if (command[0] == '\0') {
        append_arg(command, sizeof command, "chanbench");
        for (int i = 0; i < argc; i++)
            append_arg(command, sizeof command, argv[i]);
    }

    struct run_info info = {
        .machine = &m,
        .opts = &o,
        .command = command,
        .started = started,
        .clock_overhead_ns = harness_clock_overhead_ns(),
        .complete = true,
    };
    int namewidth = 9;
    for (size_t i = 0; i < n; i++) {
        int len = (int)strlen(v[i].name);
        namewidth = len > namewidth ? len : namewidth;
    }
    res = calloc(n, sizeof *res);
    if (res == NULL) {
        fprintf(stderr, "chanbench run: out of memory\n");
        rc = 1;
        goto out;
    }

    struct saved_signals saved;
    install_signals(&saved);
    struct progress pg = {.on = isatty(STDERR_FILENO), .t0 = bench_now_ns(), .total = n};
    if (o.format == FORMAT_CONSOLE)
        report_console_header(stdout, &info, path, n, namewidth);
    size_t nfailed = 0, nskipped = 0, done = 0;
    for (size_t i = 0; i < n && !g_stop; i++) {
        enum bench_outcome out = run_benchmark(&v[i], &o, &pg, i, done, &res[nres]);
        if (out == OUT_INTERRUPTED)
            break;
        done++;
        if (out == OUT_FAILED)
            nfailed++;
        else if (out == OUT_SKIPPED)
            nskipped++;
        else {
            nres++;
            if (o.format == FORMAT_CONSOLE) {
                progress_clear(&pg);
                report_console_row(stdout, &res[nres - 1], namewidth);
            }
        }
    }
    progress_clear(&pg);
    int sig = g_stop;
    restore_signals(&saved);
    info.complete = sig == 0;

    json_t *doc = report_document(&info, res, nres);
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    json_decref(doc);
    if (text != NULL) { /* end the file with a newline, as text files do */
        size_t len = strlen(text);
        char *t = realloc(text, len + 2);
        if (t != NULL) {
            t[len] = '\n';
            t[len + 1] = '\0';
        } else {
            free(text);
        }
        text = t;
    }
    bool written = false;
    if (text == NULL) {
        fprintf(stderr, "chanbench run: out of memory for the results document\n");
    } else if (report_write_file(path, text, err, sizeof err) != 0) {
        fprintf(stderr, "chanbench run: %s\n", err);
    } else {
        written = true;
    }
    if (o.format == FORMAT_JSON && text != NULL)
        fputs(text, stdout);
    else if (o.format == FORMAT_CSV)
        report_csv(stdout, res, nres);
    else if (o.format == FORMAT_GOBENCH)
        report_gobench(stdout, &info, res, nres);
    free(text);
    fflush(stdout);

    if (sig != 0)
        fprintf(stderr, "chanbench run: interrupted by %s: %zu of %zu benchmarks finished%s%s%s\n",
                sig == SIGINT ? "SIGINT" : "SIGTERM", nres, n, written ? "; wrote them to " : "",
                written ? path : "", written ? " (marked incomplete)" : "");
    else if (written)
        fprintf(stderr, "chanbench run: wrote %s (%zu benchmark%s%s)\n", path, nres,
                nres == 1 ? "" : "s", nskipped ? ", some skipped" : "");
    if (nfailed > 0)
        fprintf(stderr,
                "chanbench run: %zu benchmark%s FAILED %s own check; see the FAILED lines "
                "above\n",
                nfailed, nfailed == 1 ? "" : "s", nfailed == 1 ? "its" : "their");

    if (sig != 0)
        rc = 128 + sig;
    else if (nfailed > 0 || !written)
        rc = 1;
    else
        rc = 0;

out:
    for (size_t i = 0; i < nres; i++)
        bench_result_free(&res[i]);
    free(res);
    registry_free(v, n);
    cli_free(&o);
    return rc;
}

int
cmd_run(int argc, char **argv) {
    return harness_run(argc, argv, bench_families);
}

int
cmd_list(int argc, char **argv) {
    return harness_list(argc, argv, bench_families);
}
