/* SPDX-License-Identifier: MIT */
/* `chanbench run` and `chanbench list`: select benchmarks, measure them through the engine
 * (engine.c: calibration, interleaved rounds, probes, paired ratios), handle SIGINT/SIGTERM,
 * show progress, hand the results to the writers. */
#include "run.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "engine.h"
#include "machine.h"
#include "registry.h"
#include "report.h"
#include "floor.h"
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

/* The progress line on stderr (when it is a terminal), and the lines said over it. */
static struct {
    bool on;
    bool shown;
    int64_t t0;
} g_pg;

static void
progress_clear(void) {
    if (g_pg.on && g_pg.shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        g_pg.shown = false;
    }
}

static void
say(const char *line) {
    progress_clear();
    fprintf(stderr, "%s\n", line);
    fflush(stderr);
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

/* Before every call: where the run is, and how long the rest will take (chunks left at the
 * rate of the chunks done, which includes their probes). */
static void
show_progress(const struct engine *e, const struct arm *a, const char *what) {
    if (!g_pg.on)
        return;
    double el = (double)(bench_now_ns() - g_pg.t0) / 1e9;
    char els[16], eta[16] = "?";
    fmt_secs(els, sizeof els, el);
    if (e->chunks_done > 0 && e->t0_ns > 0) {
        double rate = (double)(bench_now_ns() - e->t0_ns) / 1e9 / (double)e->chunks_done;
        fmt_secs(eta, sizeof eta, rate * (double)(e->chunks_total - e->chunks_done));
    }
    fprintf(stderr, "\r\033[K[%s, chunk %zu/%zu] %.60s  elapsed %s  eta %s", what,
            e->chunks_done + 1, e->chunks_total, a->res.name, els, eta);
    fflush(stderr);
    g_pg.shown = true;
}

/* ---- the floor -------------------------------------------------------------------------- */

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

/* Expand the selection. 0, or 1 after a message. */
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
    *v = NULL;
    *n = 0;
    if (registry_expand(families, &sel, v, n, err, sizeof err) != 0) {
        fprintf(stderr, "chanbench %s: %s\n", cmd, err);
        return 1;
    }
    return 0;
}

/* Nothing selected: say why; the exit status is 2. */
static int
nothing_selected(const char *cmd, const struct run_options *o) {
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

int
harness_list(int argc, char **argv, const struct bench_family *const *families) {
    struct run_options o;
    int rc = prepare(argc, argv, true, families, &o);
    if (rc >= 0)
        return rc;
    struct bench_instance *v;
    size_t n;
    if ((rc = select_benchmarks("list", families, &o, &v, &n)) != 0)
        goto out;
    if (n == 0) {
        rc = nothing_selected("list", &o);
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        printf("%s\n", v[i].name);
    rc = fflush(stdout) == 0 ? 0 : 1;
out:
    registry_free(v, n);
    cli_free(&o);
    return rc;
}

int
harness_run(int argc, char **argv, const struct bench_family *const *families) {
    return harness_run_with(argc, argv, families, 0);
}

/* The results document as text ending in a newline (owned), or NULL when out of memory. */
static char *
document_text(const struct run_info *info, const struct bench_result *const *res, size_t n) {
    json_t *doc = report_document(info, res, n);
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    json_decref(doc);
    if (text == NULL)
        return NULL;
    size_t len = strlen(text);
    char *t = realloc(text, len + 2);
    if (t == NULL) {
        free(text);
        return NULL;
    }
    t[len] = '\n';
    t[len + 1] = '\0';
    return t;
}

int
harness_run_with(int argc, char **argv, const struct bench_family *const *families,
                 unsigned extras) {
    struct run_options o;
    int rc = prepare(argc, argv, false, families, &o);
    if (rc >= 0)
        return rc;
    char err[512];
    struct bench_instance *v = NULL;
    size_t n = 0;
    int pus[1];
    struct limit_result lim;
    bool have_limit = false;
    struct engine eng;
    bool have_engine = false;
    const struct bench_result **res = NULL;
    size_t nres = 0;
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
    if (n == 0 && !want_floor) {
        rc = nothing_selected("run", &o);
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

    g_pg.on = isatty(STDERR_FILENO);
    g_pg.shown = false;
    g_pg.t0 = bench_now_ns();
    have_engine = true; /* engine_free cleans up after a partial engine_init too */
    if (engine_init(&eng, &o, v, n, say) != 0) {
        fprintf(stderr, "chanbench run: out of memory\n");
        rc = 1;
        goto out;
    }
    int active = 0;
    for (int i = 0; i < eng.narms; i++)
        active += eng.arms[i].state == ARM_ACTIVE;
    if (active == 0 && !want_floor) {
        fprintf(stderr,
                "chanbench run: nothing left to run: every implementation selected was %s\n",
                eng.failed ? "skipped or failed" : "skipped");
        rc = eng.failed ? 1 : 0;
        goto out;
    }

    struct run_info info = {
        .machine = &m,
        .opts = &o,
        .command = command,
        .started = started,
        .clock_overhead_ns = harness_clock_overhead_ns(),
        .complete = true,
        .engine = &eng,
    };
    int namewidth = 9;
    for (int i = 0; i < eng.narms; i++) {
        int len = (int)strlen(eng.arms[i].res.name);
        namewidth = len > namewidth ? len : namewidth;
    }

    struct saved_signals saved;
    install_signals(&saved);

    /* The hardware floor first, on a quiet machine. */
    if (want_floor && topo_num_allowed() < 2) {
        fprintf(stderr,
                "chanbench run: the hardware floor is not measured: it needs two PUs and this "
                "process may use only %s\n",
                topo_allowed_list());
    } else if (want_floor) {
        if (g_pg.on) {
            fprintf(stderr, "\r\033[Kmeasuring the hardware floor (chanbench limit%s) ...",
                    o.quick ? " --quick" : "");
            fflush(stderr);
            g_pg.shown = true;
        }
        struct limit_opts lo = {.quick = o.quick};
        if (limit_measure(&lo, &lim, err, sizeof err) != 0) {
            progress_clear();
            fprintf(stderr, "chanbench run: FAILED the hardware floor: %s\n", err);
            eng.failed++;
        } else {
            have_limit = true;
            info.limit = &lim;
        }
        progress_clear();
    }

    if (o.format == FORMAT_CONSOLE)
        report_console_header(stdout, &info, path, (size_t)active, namewidth);
    engine_run(&eng, &g_stop, show_progress, say);
    progress_clear();
    int sig = g_stop;
    restore_signals(&saved);
    info.complete = sig == 0;
    if (engine_analyse(&eng) != 0)
        fprintf(stderr, "chanbench run: out of memory for the modes and paired ratios\n");
    res = engine_results(&eng, &nres);
    peers = engine_peers_json(&eng);
    if (json_array_size(peers) > 0)
        info.peers = peers;
    if (o.format == FORMAT_CONSOLE && res != NULL) {
        for (size_t i = 0; i < nres; i++)
            report_console_row(stdout, &info, res[i], namewidth);
        report_paired(stdout, &info);
    }

    char *text = res != NULL ? document_text(&info, res, nres) : NULL;
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
    else if (o.format == FORMAT_CSV && res != NULL)
        report_csv(stdout, res, nres);
    else if (o.format == FORMAT_GOBENCH && res != NULL)
        report_gobench(stdout, &info, res, nres);
    free(text);
    fflush(stdout);

    size_t nfailed = (size_t)eng.failed;
    if (sig != 0)
        fprintf(stderr,
                "chanbench run: interrupted by %s after %zu of %zu chunks (%d complete "
                "round%s)%s%s%s\n",
                sig == SIGINT ? "SIGINT" : "SIGTERM", eng.chunks_done, eng.chunks_total,
                eng.rounds_done, eng.rounds_done == 1 ? "" : "s", written ? "; wrote them to " : "",
                written ? path : "", written ? " (marked incomplete)" : "");
    else if (written)
        fprintf(stderr, "chanbench run: wrote %s (%zu benchmark arm%s, %d rounds, seed %llu%s%s)\n",
                path, nres, nres == 1 ? "" : "s", eng.rounds_done, (unsigned long long)eng.seed,
                have_limit ? ", and the hardware floor" : "",
                eng.skipped_impls ? "; some implementations skipped" : "");
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
    free(res);
    json_decref(peers);
    if (have_limit)
        limit_result_free(&lim);
    if (have_engine)
        engine_free(&eng);
    registry_free(v, n);
    cli_free(&o);
    return rc;
}

int
cmd_run(int argc, char **argv) {
    return harness_run_with(argc, argv, bench_families, HARNESS_RUN_FLOOR);
}

int
cmd_list(int argc, char **argv) {
    return harness_list(argc, argv, bench_families);
}
