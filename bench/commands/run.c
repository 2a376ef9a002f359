/* SPDX-License-Identifier: MIT */
/* `chanbench run` and `chanbench list`: select benchmarks, measure them through the engine
 * (engine.c: calibration, interleaved rounds, probes, paired ratios), hand the results to the
 * writers. The progress line is progress.c's, SIGINT/SIGTERM signals.c's, the journal and
 * --resume resume.c's. */
#include "run.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "engine.h"
#include "journal.h"
#include "machine.h"
#include "progress.h"
#include "registry.h"
#include "report.h"
#include "resume.h"
#include "signals.h"
#include "store.h"
#include "floor.h"
#include "topology.h"
#include "trial.h"
#include "util.h"

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
        .profile_filter = o->has_profile_re ? &o->profile_re : NULL,
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
    const char *pn = o->profile->name;
    bool dflt = o->profile == &cli_profiles[0];
    if (o->filter)
        fprintf(stderr,
                "chanbench %s: --filter '%s' matches no benchmark%s%s; see 'chanbench list%s%s' "
                "for the names\n",
                cmd, o->filter, dflt ? "" : " of profile ", dflt ? "" : pn,
                dflt ? "" : " --profile ", dflt ? "" : pn);
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
    char *text = bench_json_line(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    json_decref(doc);
    return text;
}

/* ---- chanbench run, phase by phase ------------------------------------------------------ */

/* One `chanbench run`, from its options to its exit status, as the phases below fill it in. */
struct run {
    int argc;
    char **argv;
    const struct bench_family *const *families;
    struct run_options o;
    struct resumed_args ra;
    struct journal *jn; /* --resume's from the start; a new run's from run_start_journal */
    struct bench_instance *v;
    size_t n;
    bool want_floor;
    struct machine_info m;
    time_t started;
    char path[4096];
    bool to_stdout;    /* --out - : the JSON is stdout's; the table goes to stderr */
    FILE *table;       /* where the table goes */
    const char *shown; /* the results file in the lines that name it */
    char target[4096];
    char jpath[4400]; /* where a new run's journal goes */
    char command[sizeof g_command];
    struct engine eng;
    bool have_engine;
    int active; /* arms that will run */
    struct run_info info;
    int namewidth;
    struct limit_result lim;
    bool have_limit;
    struct saved_signals saved;
    bool signals_installed;
    int sig; /* the signal that stopped the run, or 0 */
    const struct bench_result **res;
    size_t nres;
    json_t *peers;
    bool written;
};

/* Everything in the options that can be refused is refused before the first benchmark runs (a
 * resumed run's options come from its journal). -1 to go on, or an exit status. */
static int
run_check_options(struct run *r, unsigned extras) {
    char err[4400];
    int rc, pus[1];
    if (r->o.resume != NULL &&
        (rc = resume_options(&r->o, r->families, &r->jn, &r->ra, progress_say)) >= 0)
        return rc;
    if (topo_plan(r->o.pin, 1, pus, err, sizeof err) != 0) {
        fprintf(stderr, "chanbench run: --pin %s: %s\n", r->o.pin, err);
        return 2;
    }
    if ((rc = select_benchmarks("run", r->families, &r->o, &r->v, &r->n)) != 0)
        return rc;
    r->want_floor = (extras & HARNESS_RUN_FLOOR) && filter_wants_floor(&r->o);
    if (r->n == 0 && !r->want_floor)
        return nothing_selected("run", &r->o);
    if (machine_sanitized() && r->o.out == NULL) {
        fprintf(stderr,
                "chanbench run: this is a sanitized build (%s); its timings are not results, so "
                "it does not write into results/: give --out FILE\n",
                machine_sanitizer());
        return 2;
    }
    return -1;
}

/* The machine, the results file and the journal's place (a resumed run keeps its start and
 * must be on its host). -1 to go on, or an exit status. */
static int
run_place_output(struct run *r) {
    char err[4400];
    machine_collect(&r->m);
    r->started = resume_started(r->jn, time(NULL));
    if (resume_check_host(r->jn, r->o.resume, r->m.host) != 0)
        return 2;
    if (r->o.out != NULL)
        snprintf(r->path, sizeof r->path, "%s", r->o.out);
    else
        report_default_path(r->path, sizeof r->path, r->m.host, r->started);
    r->to_stdout = strcmp(r->path, "-") == 0;
    r->table = r->to_stdout ? stderr : stdout;
    r->shown = r->to_stdout ? "stdout" : r->path;
    snprintf(r->target, sizeof r->target, "-");
    if (!r->to_stdout &&
        report_check_folder(r->path, r->target, sizeof r->target, err, sizeof err) != 0) {
        fprintf(stderr, "chanbench run: %s\n", err);
        return 2;
    }
    resume_journal_place(r->jpath, sizeof r->jpath, r->target, r->m.host, r->started);
    if (r->jn == NULL && access(r->jpath, F_OK) == 0) {
        fprintf(stderr,
                "chanbench run: %s holds an earlier run that did not finish: continue it with "
                "'chanbench run --resume %s', or remove it\n",
                r->jpath, r->jpath);
        return 2;
    }
    return -1;
}

/* The command line the results record: main's, else rebuilt; a resumed run's from its
 * journal. */
static void
run_command_line(struct run *r) {
    snprintf(r->command, sizeof r->command, "%s", g_command);
    if (r->command[0] == '\0') {
        append_arg(r->command, sizeof r->command, "chanbench");
        for (int i = 0; i < r->argc; i++)
            append_arg(r->command, sizeof r->command, r->argv[i]);
    }
    resume_command(r->jn, r->command, sizeof r->command);
}

/* The engine with its arms (calibrated, or skipped), room on the disk for what the run writes,
 * and a resumed run's finished chunks. -1 to go on, or an exit status. */
static int
run_start_engine(struct run *r) {
    char err[4400];
    struct engine *e = &r->eng;
    progress_start();
    r->have_engine = true; /* engine_free cleans up after a partial engine_init too */
    if (engine_init(e, &r->o, r->v, r->n, progress_say) != 0) {
        fprintf(stderr, "chanbench run: out of memory\n");
        return 1;
    }
    for (int i = 0; i < e->narms; i++)
        r->active += e->arms[i].state == ARM_ACTIVE;
    if (r->active == 0 && !r->want_floor) {
        fprintf(stderr,
                "chanbench run: nothing left to run: every implementation selected was %s\n",
                e->failed ? "skipped or failed" : "skipped");
        return e->failed ? 1 : 0;
    }
    /* Room for the results, their temporary copy and the journal. */
    uint64_t need = REPORT_SPACE_BASE + REPORT_SPACE_CHUNK * (uint64_t)e->chunks_total;
    if (report_check_space(r->to_stdout ? r->jpath : r->target, need, err, sizeof err) != 0) {
        fprintf(stderr, "chanbench run: %s\n", err);
        return 2;
    }
    if (r->jn != NULL && journal_restore(r->jn, e, err, sizeof err) != 0) {
        fprintf(stderr, "chanbench run: %s\n", err);
        return 2;
    }
    return -1;
}

/* What the writers are told about the run, and the width of the table's name column. */
static void
run_describe(struct run *r) {
    r->info = (struct run_info){
        .machine = &r->m,
        .opts = &r->o,
        .command = r->command,
        .started = r->started,
        .clock_overhead_ns = harness_clock_overhead_ns(),
        .complete = true,
        .engine = &r->eng,
        .resumed = r->jn != NULL ? journal_resumes(r->jn) + 1 : 0,
    };
    r->namewidth = 9;
    for (int i = 0; i < r->eng.narms; i++) {
        int len = (int)strlen(r->eng.arms[i].res.name);
        r->namewidth = len > r->namewidth ? len : r->namewidth;
    }
}

/* From here a signal stops the run after the chunk (signals.h), and the engine records every
 * finished chunk in the journal (resume.h). */
static void
run_start_journal(struct run *r) {
    signals_install(&r->saved, progress_on());
    r->signals_installed = true;
    struct resume_new nw = {
        .argc = r->argc,
        .argv = r->argv,
        .target = r->target,
        .place = r->jpath,
        .started = r->started,
        .command = r->command,
        .host = r->m.host,
    };
    r->jn = resume_begin(r->jn, &r->eng, &nw, progress_say);
    if (r->jn != NULL) {
        r->eng.record = journal_record;
        r->eng.record_ctx = r->jn;
        signals_set_journal(journal_path(r->jn));
    }
}

/* The hardware floor first, on a quiet machine (a resumed run has it from its journal). */
static void
run_floor(struct run *r) {
    char err[4400];
    if (!r->want_floor)
        return;
    if (r->jn != NULL && r->o.resume != NULL && journal_restore_floor(r->jn, &r->lim)) {
        r->have_limit = true;
        r->info.limit = &r->lim;
        return;
    }
    if (topo_num_allowed() < 2) {
        fprintf(stderr,
                "chanbench run: the hardware floor is not measured: it needs two PUs and this "
                "process may use only %s\n",
                topo_allowed_list());
        return;
    }
    progress_note(r->o.quick ? "measuring the hardware floor (chanbench limit --quick) ..."
                             : "measuring the hardware floor (chanbench limit) ...");
    struct limit_opts lo = {.quick = r->o.quick};
    if (limit_measure(&lo, &r->lim, err, sizeof err) != 0) {
        progress_clear();
        fprintf(stderr, "chanbench run: FAILED the hardware floor: %s\n", err);
        r->eng.failed++;
    } else {
        r->have_limit = true;
        r->info.limit = &r->lim;
        if (r->jn != NULL)
            journal_put_floor(r->jn, &r->lim);
    }
    progress_clear();
}

/* The rounds, until done or stopped by a signal; then the analysis, and the table's rows. */
static void
run_measure(struct run *r) {
    if (r->o.format == FORMAT_CONSOLE)
        report_console_header(r->table, &r->info, r->shown, (size_t)r->active, r->namewidth);
    engine_run(&r->eng, signals_stop(), progress_show, progress_say);
    progress_clear();
    if (r->jn != NULL)
        signals_set_journal(journal_path(r->jn)); /* it may have moved to $TMPDIR */
    r->sig = *signals_stop();
    r->info.complete = r->sig == 0;
    if (engine_analyse(&r->eng) != 0)
        fprintf(stderr, "chanbench run: out of memory for the modes and paired ratios\n");
    r->res = engine_results(&r->eng, &r->nres);
    r->peers = engine_peers_json(&r->eng);
    if (json_array_size(r->peers) > 0)
        r->info.peers = r->peers;
    if (r->o.format == FORMAT_CONSOLE && r->res != NULL) {
        for (size_t i = 0; i < r->nres; i++)
            report_console_row(r->table, &r->info, r->res[i], r->namewidth);
        report_paired(r->table, &r->info);
    }
}

/* The results document into the results file (or stdout), and --format's text to stdout;
 * a failed write names the journal that keeps the finished chunks. */
static void
run_write(struct run *r) {
    char err[4400];
    char *text = r->res != NULL ? document_text(&r->info, r->res, r->nres) : NULL;
    if (text == NULL) {
        snprintf(err, sizeof err, "out of memory for the results document");
    } else if (r->to_stdout) {
        fputs(text, stdout);
        r->written = fflush(stdout) == 0 && !ferror(stdout);
        if (!r->written)
            snprintf(err, sizeof err, "cannot write the results to stdout");
    } else {
        r->written = report_write_file(r->target, text, err, sizeof err) == 0;
    }
    struct journal *jn = r->jn;
    if (!r->written && jn != NULL)
        fprintf(stderr,
                "chanbench run: %s; the finished chunks are in the journal %s%s%s: 'chanbench "
                "run --resume %s --out FILE' writes them to FILE\n",
                err, journal_path(jn), journal_broken(jn) ? " (up to where it failed: " : "",
                journal_broken(jn) ? ")" : "", journal_path(jn));
    else if (!r->written)
        fprintf(stderr, "chanbench run: %s; the results are lost (there is no journal)\n", err);
    if (!r->to_stdout) {
        if (r->o.format == FORMAT_JSON && text != NULL)
            fputs(text, stdout);
        else if (r->o.format == FORMAT_CSV && r->res != NULL)
            report_csv(stdout, &r->info, r->res, r->nres);
        else if (r->o.format == FORMAT_GOBENCH && r->res != NULL)
            report_gobench(stdout, &r->info, r->res, r->nres);
    }
    free(text);
    fflush(stdout);
}

/* The closing lines, the journal's end (removed once the whole run is in the results file),
 * and the exit status. */
static int
run_summary(struct run *r) {
    const struct engine *e = &r->eng;
    size_t nfailed = (size_t)e->failed;
    char resume_hint[4600] = "";
    if (r->jn != NULL)
        snprintf(resume_hint, sizeof resume_hint, "; 'chanbench run --resume %s' continues the run",
                 journal_path(r->jn));
    if (r->sig != 0)
        fprintf(stderr,
                "chanbench run: interrupted by %s after %zu of %zu chunks (%d complete "
                "round%s)%s%s%s%s\n",
                r->sig == SIGINT ? "SIGINT" : "SIGTERM", e->chunks_done, e->chunks_total,
                e->rounds_done, e->rounds_done == 1 ? "" : "s",
                r->written ? "; wrote them to " : "", r->written ? r->shown : "",
                r->written ? " (marked incomplete)" : "", resume_hint);
    else if (r->written)
        fprintf(stderr, "chanbench run: wrote %s (%zu benchmark arm%s, %d rounds, seed %llu%s%s)\n",
                r->shown, r->nres, r->nres == 1 ? "" : "s", e->rounds_done,
                (unsigned long long)e->seed, r->have_limit ? ", and the hardware floor" : "",
                e->skipped_impls ? "; some implementations skipped" : "");
    if (nfailed > 0)
        fprintf(stderr, "chanbench run: %zu FAILED; see the FAILED line%s above\n", nfailed,
                nfailed == 1 ? "" : "s");
    if (r->jn != NULL) {
        journal_close(r->jn, r->written && r->sig == 0);
        r->jn = NULL;
    }
    if (r->sig != 0)
        return 128 + r->sig;
    return nfailed > 0 || !r->written ? 1 : 0;
}

/* The results file into the results store (docs/design.md, "Results store"), an interrupted
 * run's too: the store replaces it with the file of its --resume. The file is the result and
 * the store an index of files, so a store that cannot take it is a warning that says how to
 * record it later, and the exit status stays the run's. */
static void
run_record(struct run *r, unsigned extras) {
    if (!(extras & HARNESS_RUN_STORE) || !r->written || r->to_stdout || r->o.no_store)
        return;
    const char *env = getenv("CHANBENCH_STORE");
    bool named = r->o.store != NULL || (env != NULL && env[0] != '\0');
    if (machine_sanitized() && !named) {
        /* Its timings are not results: they stay out of results/, as its results file does. */
        fprintf(stderr, "chanbench run: not recorded in the results store: a sanitized build's "
                        "timings are not results (--store PATH records it anyway)\n");
        return;
    }
    const char *store = r->o.store != NULL ? r->o.store : store_default_path();
    /* Named without a PostgreSQL URL's password: these lines go to logs. */
    char *name = store_display_name(store);
    const char *shown = name != NULL ? name : "the results store";
    char err[4400], id[STORE_ID_LEN];
    enum store_import what;
    fflush(stdout);
    if (store_record_file(store, r->path, &what, id, err, sizeof err) != 0) {
        fprintf(stderr,
                "chanbench run: WARNING: the run is not recorded in the results store: %s; its "
                "results are in %s, and 'chanbench store%s%s import %s' records them\n",
                err, r->path, r->o.store != NULL ? " --store " : "",
                r->o.store != NULL ? shown : "", r->path);
    } else if (what == STORE_DUPLICATE) {
        fprintf(stderr, "chanbench run: run %s is in %s already; not recorded again\n", id, shown);
    } else {
        fprintf(stderr, "chanbench run: recorded in %s as run %s%s\n", shown, id,
                !r->info.complete        ? " (interrupted: its --resume replaces it there)"
                : what == STORE_REPLACED ? ", in place of its interrupted part"
                                         : "");
    }
    free(name);
}

static void
run_free(struct run *r) {
    if (r->signals_installed)
        signals_restore(&r->saved);
    free(r->res);
    json_decref(r->peers);
    if (r->have_limit)
        limit_result_free(&r->lim);
    if (r->have_engine)
        engine_free(&r->eng);
    registry_free(r->v, r->n);
    cli_free(&r->o);
    journal_close(r->jn, false);
    resumed_args_free(&r->ra);
}

int
harness_run_with(int argc, char **argv, const struct bench_family *const *families,
                 unsigned extras) {
    struct run r = {.argc = argc, .argv = argv, .families = families};
    int rc = prepare(argc, argv, false, families, &r.o);
    if (rc >= 0)
        return rc;
    if ((rc = run_check_options(&r, extras)) >= 0 || (rc = run_place_output(&r)) >= 0)
        goto out;
    run_command_line(&r);
    if ((rc = run_start_engine(&r)) >= 0)
        goto out;
    run_describe(&r);
    run_start_journal(&r);
    run_floor(&r);
    run_measure(&r);
    run_write(&r);
    rc = run_summary(&r);
    run_record(&r, extras);
out:
    run_free(&r);
    return rc;
}

int
cmd_run(int argc, char **argv) {
    return harness_run_with(argc, argv, bench_families, HARNESS_RUN_FLOOR | HARNESS_RUN_STORE);
}

int
cmd_list(int argc, char **argv) {
    return harness_list(argc, argv, bench_families);
}
