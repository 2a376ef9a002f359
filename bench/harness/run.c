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
#include "extpeer.h"
#include "machine.h"
#include "registry.h"
#include "report.h"
#include "scenarios/limit.h"
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

/* ---- out-of-process peers and the floor ------------------------------------------------ */

/* One out-of-process peer to run: its program and the benchmarks of it selected. */
struct peer_job {
    const char *impl;
    const char *program;
    char **names; /* selected (owned) */
    size_t nnames;
    bool all; /* names is everything it lists: no --filter needed */
    char cpus[256];
};

struct peer_plan {
    struct peer_job jobs[CLI_MAX_IMPLS];
    int njobs;
    int nskipped; /* binary missing */
    int nfailed;  /* --list failed */
    size_t nnames;
};

static void
peer_plan_free(struct peer_plan *pp) {
    for (int j = 0; j < pp->njobs; j++)
        extpeer_free_names(pp->jobs[j].names, pp->jobs[j].nnames);
    pp->njobs = 0;
}

static bool
impl_is_peer(const struct bench_family *const *families, unsigned extras, const char *impl) {
    return (extras & HARNESS_RUN_PEERS) && !registry_has_impl(families, impl) &&
           extpeer_known(impl);
}

/* For every out-of-process peer named in --impl: find its program (or say it is skipped), list
 * its benchmarks, keep those the options select, and choose its --cpus. Problems are one line
 * each on stderr. */
static void
plan_peers(const char *cmd, const struct bench_family *const *families, unsigned extras,
           const struct run_options *o, struct peer_plan *pp) {
    memset(pp, 0, sizeof *pp);
    struct bench_select sel = {
        .filter = o->filter ? &o->filter_re : NULL,
        .quick = o->quick,
        .threads = o->nthreads ? o->threads : NULL,
        .nthreads = o->nthreads,
    };
    for (int k = 0; k < o->nimpls; k++) {
        const char *impl = o->impls[k];
        bool again = false; /* --impl go,go */
        for (int i = 0; i < k && !again; i++)
            again = strcmp(o->impls[i], impl) == 0;
        if (again || !impl_is_peer(families, extras, impl))
            continue;
        char why[1024];
        const char *program = extpeer_program(impl, why, sizeof why);
        if (program == NULL) {
            fprintf(stderr, "chanbench %s: skipping impl=%s: %s\n", cmd, impl, why);
            pp->nskipped++;
            continue;
        }
        char **names;
        size_t n;
        if (extpeer_list(program, topo_allowed_list(), o->quick, &names, &n, why, sizeof why) !=
            0) {
            fprintf(stderr, "chanbench %s: FAILED impl=%s: %s\n", cmd, impl, why);
            pp->nfailed++;
            continue;
        }
        size_t kept = 0;
        int team = 1;
        for (size_t i = 0; i < n; i++) {
            if (registry_name_selected(families, &sel, names[i])) {
                int t = extpeer_team_size(names[i]);
                team = t > team ? t : team;
                names[kept++] = names[i];
            } else {
                free(names[i]);
            }
        }
        if (kept == 0) {
            free(names);
            if (o->filter != NULL || o->nthreads > 0)
                fprintf(stderr,
                        "chanbench %s: impl=%s: none of its %zu benchmarks matches --filter%s\n",
                        cmd, impl, n, o->nthreads ? "/--threads" : "");
            continue;
        }
        struct peer_job *j = &pp->jobs[pp->njobs++];
        j->impl = impl;
        j->program = program;
        j->names = names;
        j->nnames = kept;
        j->all = kept == n;
        extpeer_cpus(o->pin, team, j->cpus, sizeof j->cpus);
        pp->nnames += kept;
    }
}

/* Whether --filter asks for the floor: it matches the name of a limit/ row of some pair of the
 * first allowed PUs. */
static bool
filter_wants_floor(const struct run_options *o) {
    if (o->filter == NULL)
        return true;
    int n = topo_num_allowed();
    n = n > 16 ? 16 : n;
    if (n < 1)
        return false;
    int pus[16];
    char err[256];
    if (topo_plan("compact", n, pus, err, sizeof err) != 0)
        return false;
    for (int a = 0; a < n; a++)
        for (int b = 0; b < n; b++) {
            if (a == b)
                continue;
            char name[96];
            snprintf(name, sizeof name, "limit/c2c/pu=%d,%d", pus[a], pus[b]);
            if (regexec(&o->filter_re, name, 0, NULL, 0) == 0)
                return true;
            snprintf(name, sizeof name, "limit/ring/pu=%d,%d", pus[a], pus[b]);
            if (regexec(&o->filter_re, name, 0, NULL, 0) == 0)
                return true;
        }
    return false;
}

/* Run one peer's selection; its results are appended to res (room for job->nnames more) and
 * shown; its context entry appended to peers. Returns 0, or -1 after a one-line FAILED
 * message; 1 when interrupted. */
static int
run_peer(const struct peer_job *job, const struct run_options *o, const struct run_info *info,
         struct progress *pg, int namewidth, struct bench_result *res, size_t *nres,
         json_t *peers) {
    char *filter = job->all ? NULL : extpeer_exact_filter(job->names, job->nnames);
    char reps[32], mintime[64];
    snprintf(reps, sizeof reps, "%d", o->repetitions);
    snprintf(mintime, sizeof mintime, "%g", o->min_time_s);
    char *argv[16];
    int argc = 0;
    argv[argc++] = (char *)job->program;
    if (filter != NULL) {
        argv[argc++] = "--filter";
        argv[argc++] = filter;
    }
    argv[argc++] = "--repetitions";
    argv[argc++] = reps;
    argv[argc++] = "--min-time";
    argv[argc++] = mintime;
    argv[argc++] = "--cpus";
    argv[argc++] = (char *)job->cpus;
    if (o->quick)
        argv[argc++] = "--quick";
    argv[argc] = NULL;
    if (pg->on) {
        progress_clear(pg);
        fprintf(stderr, "\r\033[K[impl=%s] %zu benchmark%s in %s on CPUs %s ...", job->impl,
                job->nnames, job->nnames == 1 ? "" : "s", job->program, job->cpus);
        fflush(stderr);
        pg->shown = true;
    }
    char *text = NULL;
    size_t len = 0;
    char err[1024];
    int rc = extpeer_exec(argv, &text, &len, &g_stop, err, sizeof err);
    free(filter);
    progress_clear(pg);
    if (g_stop) {
        free(text);
        return 1;
    }
    struct extpeer_output po;
    if (rc == 0 &&
        extpeer_parse(job->impl, text, len, job->names, job->nnames, &po, err, sizeof err) != 0)
        rc = -1;
    free(text);
    if (rc != 0) {
        fprintf(stderr, "chanbench run: FAILED impl=%s: %s %s (no results from it)\n", job->impl,
                job->program, err);
        return -1;
    }
    if (po.nres < job->nnames)
        fprintf(stderr, "chanbench run: warning: impl=%s ran %zu of the %zu benchmarks asked for\n",
                job->impl, po.nres, job->nnames);
    for (size_t i = 0; i < po.nres; i++) {
        res[(*nres)++] = po.res[i]; /* moved */
        if (o->format == FORMAT_CONSOLE)
            report_console_row(stdout, info, &res[*nres - 1], namewidth);
    }
    free(po.res);
    po.res = NULL;
    po.nres = 0;
    json_t *entry = json_deep_copy(po.info);
    json_object_set_new(entry, "program", json_string(job->program));
    json_object_set_new(entry, "cpus", json_string(job->cpus));
    json_array_append_new(peers, entry);
    extpeer_output_free(&po);
    return 0;
}

/* ---- commands --------------------------------------------------------------------------- */

/* Parse, print help, check impl names and the topology; common to run and list. Returns -1
 * to go on, or an exit status. */
static int
prepare(int argc, char **argv, bool list, const struct bench_family *const *families,
        unsigned extras, struct run_options *o) {
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
        if (!registry_has_impl(families, o->impls[k]) &&
            !impl_is_peer(families, extras, o->impls[k])) {
            char known[512], ext[128];
            registry_impl_names(families, known, sizeof known);
            if (extras & HARNESS_RUN_PEERS) {
                extpeer_names(ext, sizeof ext);
                size_t l = strlen(known);
                snprintf(known + l, sizeof known - l, "; out-of-process: %s", ext);
            }
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

/* Expand the in-process selection (the impls of --impl that the families offer; none when
 * --impl names only out-of-process peers). 0, or 1 after a message. */
static int
select_benchmarks(const char *cmd, const struct bench_family *const *families,
                  const struct run_options *o, struct bench_instance **v, size_t *n) {
    char *impls[CLI_MAX_IMPLS];
    int nimpls = 0;
    for (int k = 0; k < o->nimpls; k++)
        if (registry_has_impl(families, o->impls[k]))
            impls[nimpls++] = o->impls[k];
    *v = NULL;
    *n = 0;
    if (o->nimpls > 0 && nimpls == 0)
        return 0;
    struct bench_select sel = {
        .filter = o->filter ? &o->filter_re : NULL,
        .quick = o->quick,
        .threads = o->nthreads ? o->threads : NULL,
        .nthreads = o->nthreads,
        .impls = o->nimpls ? impls : NULL,
        .nimpls = nimpls,
    };
    char err[512];
    if (registry_expand(families, &sel, v, n, err, sizeof err) != 0) {
        fprintf(stderr, "chanbench %s: %s\n", cmd, err);
        return 1;
    }
    return 0;
}

/* Nothing selected: say why. The exit status: 2 (the options select nothing), or 0/1 when
 * only skipped (0) or failed (1) peers were selected. */
static int
nothing_selected(const char *cmd, const struct run_options *o, const struct peer_plan *pp) {
    if (pp->nfailed > 0 || pp->nskipped > 0) {
        fprintf(stderr, "chanbench %s: nothing left to %s: every implementation selected was %s\n",
                cmd, cmd[0] == 'r' ? "run" : "list", pp->nfailed ? "skipped or failed" : "skipped");
        return pp->nfailed > 0 ? 1 : 0;
    }
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
    return 2;
}

static int
list_with(int argc, char **argv, const struct bench_family *const *families, unsigned extras) {
    struct run_options o;
    int rc = prepare(argc, argv, true, families, extras, &o);
    if (rc >= 0)
        return rc;
    struct bench_instance *v;
    size_t n;
    struct peer_plan pp = {0};
    if ((rc = select_benchmarks("list", families, &o, &v, &n)) != 0)
        goto out;
    plan_peers("list", families, extras, &o, &pp);
    if (n == 0 && pp.nnames == 0) {
        rc = nothing_selected("list", &o, &pp);
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        printf("%s\n", v[i].name);
    for (int j = 0; j < pp.njobs; j++)
        for (size_t i = 0; i < pp.jobs[j].nnames; i++)
            printf("%s\n", pp.jobs[j].names[i]);
    rc = fflush(stdout) == 0 ? (pp.nfailed > 0 ? 1 : 0) : 1;
out:
    peer_plan_free(&pp);
    registry_free(v, n);
    cli_free(&o);
    return rc;
}

int
harness_list(int argc, char **argv, const struct bench_family *const *families) {
    return list_with(argc, argv, families, 0);
}

int
harness_run(int argc, char **argv, const struct bench_family *const *families) {
    return harness_run_with(argc, argv, families, 0);
}

int
harness_run_with(int argc, char **argv, const struct bench_family *const *families,
                 unsigned extras) {
    struct run_options o;
    int rc = prepare(argc, argv, false, families, extras, &o);
    if (rc >= 0)
        return rc;
    char err[512];
    struct bench_instance *v = NULL;
    size_t n = 0;
    struct bench_result *res = NULL;
    size_t nres = 0;
    int pus[1];
    struct peer_plan pp = {0};
    struct limit_result lim;
    bool have_limit = false;
    json_t *peers = NULL;

    /* Everything that can be refused is refused before the first benchmark runs. */
    if (topo_plan(o.pin, 1, pus, err, sizeof err) != 0) {
        fprintf(stderr, "chanbench run: --pin %s: %s\n", o.pin, err);
        rc = 2;
        goto out;
    }
    if ((rc = select_benchmarks("run", families, &o, &v, &n)) != 0)
        goto out;
    bool want_floor = (extras & HARNESS_RUN_FLOOR) && filter_wants_floor(&o);
    plan_peers("run", families, extras, &o, &pp);
    if (n == 0 && pp.nnames == 0 && !want_floor) {
        rc = nothing_selected("run", &o, &pp);
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
    for (int j = 0; j < pp.njobs; j++)
        for (size_t i = 0; i < pp.jobs[j].nnames; i++) {
            int len = (int)strlen(pp.jobs[j].names[i]);
            namewidth = len > namewidth ? len : namewidth;
        }
    size_t total = n + pp.nnames;
    res = calloc(total ? total : 1, sizeof *res);
    peers = json_array();
    if (res == NULL || peers == NULL) {
        fprintf(stderr, "chanbench run: out of memory\n");
        rc = 1;
        goto out;
    }

    struct saved_signals saved;
    install_signals(&saved);
    struct progress pg = {.on = isatty(STDERR_FILENO), .t0 = bench_now_ns(), .total = total};
    size_t nfailed = (size_t)pp.nfailed, nskipped = 0, done = 0;

    /* The hardware floor first, on a quiet machine. */
    if (want_floor && topo_num_allowed() < 2) {
        fprintf(stderr,
                "chanbench run: the hardware floor is not measured: it needs two PUs and this "
                "process may use only %s\n",
                topo_allowed_list());
    } else if (want_floor) {
        if (pg.on) {
            fprintf(stderr, "\r\033[Kmeasuring the hardware floor (chanbench limit%s) ...",
                    o.quick ? " --quick" : "");
            fflush(stderr);
            pg.shown = true;
        }
        struct limit_opts lo = {.quick = o.quick};
        if (limit_measure(&lo, &lim, err, sizeof err) != 0) {
            progress_clear(&pg);
            fprintf(stderr, "chanbench run: FAILED the hardware floor: %s\n", err);
            nfailed++;
        } else {
            have_limit = true;
            info.limit = &lim;
        }
        progress_clear(&pg);
    }

    if (o.format == FORMAT_CONSOLE)
        report_console_header(stdout, &info, path, total, namewidth);
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
            res[nres].name = v[i].name;
            res[nres].op = v[i].scenario->op;
            nres++;
            if (o.format == FORMAT_CONSOLE) {
                progress_clear(&pg);
                report_console_row(stdout, &info, &res[nres - 1], namewidth);
            }
        }
    }
    for (int j = 0; j < pp.njobs && !g_stop; j++)
        if (run_peer(&pp.jobs[j], &o, &info, &pg, namewidth, res, &nres, peers) < 0)
            nfailed++;
    progress_clear(&pg);
    int sig = g_stop;
    restore_signals(&saved);
    info.complete = sig == 0;
    if (json_array_size(peers) > 0)
        info.peers = peers;
    if (o.format == FORMAT_CONSOLE)
        report_side_by_side(stdout, &info, res, nres, o.impls, o.nimpls);

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
                sig == SIGINT ? "SIGINT" : "SIGTERM", nres, total,
                written ? "; wrote them to " : "", written ? path : "",
                written ? " (marked incomplete)" : "");
    else if (written)
        fprintf(stderr, "chanbench run: wrote %s (%zu benchmark%s%s%s)\n", path, nres,
                nres == 1 ? "" : "s", have_limit ? " and the hardware floor" : "",
                nskipped || pp.nskipped ? ", some skipped" : "");
    if (nfailed > 0)
        fprintf(stderr, "chanbench run: %zu FAILED; see the FAILED line%s above\n", nfailed,
                nfailed == 1 ? "" : "s");

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
    if (have_limit)
        limit_result_free(&lim);
    json_decref(peers);
    peer_plan_free(&pp);
    registry_free(v, n);
    cli_free(&o);
    return rc;
}

int
cmd_run(int argc, char **argv) {
    return harness_run_with(argc, argv, bench_families, HARNESS_RUN_FLOOR | HARNESS_RUN_PEERS);
}

int
cmd_list(int argc, char **argv) {
    return list_with(argc, argv, bench_families, HARNESS_RUN_PEERS);
}
