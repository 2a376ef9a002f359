/* SPDX-License-Identifier: MIT */
/* `chanbench store`: import results files into the results store, list it, export a run
 * byte for byte, put machines side by side, follow a benchmark across commits (history, with
 * a chart), and check a run against a baseline (check, for CI). The store itself is
 * store/store.c. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "names.h"
#include "plot_charts.h"
#include "plot_draw.h"
#include "report.h"
#include "store.h"
#include "textable.h"

#define CHECK_THRESHOLD_PCT 10.0

static const char store_usage[] =
    "usage: chanbench store [--store PATH|URL] COMMAND [ARGS]\n"
    "\n"
    "The results store: every run's results file, kept byte for byte with its machine, its\n"
    "rows and its paired ratios, in one SQLite file or in a PostgreSQL database that many\n"
    "machines record into. 'chanbench run' records each run in it (--no-store skips that).\n"
    "\n"
    "commands:\n"
    "  import FILE...            bring results files in; a run already there is skipped with\n"
    "                            a line (an interrupted run is replaced by its complete file)\n"
    "  list                      the machines, then the runs: id, machine, commit, date, rows\n"
    "  export RUN [--out FILE]   write run RUN (its id, or 4+ of its first hex digits) back as\n"
    "                            the results file it was imported from, byte for byte; to\n"
    "                            stdout without --out\n"
    "  machines [--out DIR]      one row per benchmark, one column per machine (its latest\n"
    "                            run): time per operation in multiples of the machine's floor,\n"
    "                            then the paired ratios goc/go and goc/crossbeam. --out DIR:\n"
    "                            also draw both with gnuplot (scripts/machines.gp) into\n"
    "                            DIR/machines.png, .svg and .dat\n"
    "  history BENCH [--machine HOST_OR_ID] [--impl NAME] [--out DIR]\n"
    "                            BENCH (a name without /impl=, e.g. chan/spsc/cap=0/size=8;\n"
    "                            one with /impl=NAME sets the impl) across the runs of one\n"
    "                            machine, oldest first: commit, date, run, rounds, the median\n"
    "                            wall time per operation with its 95% interval, and the change\n"
    "                            from the run before, marked * where it is significant (the\n"
    "                            Mann-Whitney U test of compare over the two runs' rounds).\n"
    "                            --impl: default goc. --machine: a host name or 4+ hex digits\n"
    "                            of a machine id; default this host's machine when it ran\n"
    "                            BENCH, else the machine with the most runs of it. --out DIR:\n"
    "                            also draw it with gnuplot (scripts/history.gp) into\n"
    "                            DIR/history-NAME.png, .svg and .dat\n"
    "  check --against BASE [RUN] [--threshold PCT] [--impl NAME]\n"
    "                            RUN (default: the store's latest run) against the baseline\n"
    "                            BASE, benchmark by benchmark over the rows both have: a\n"
    "                            benchmark whose rounds are significantly slower (the test of\n"
    "                            compare) with a median more than PCT per cent (default 10)\n"
    "                            above the baseline's is a REGRESSION line, and the exit status\n"
    "                            1. BASE and RUN: @HOST, @RUNID, @commit:SHA (as compare takes\n"
    "                            them) or a results file. Meant for CI\n"
    "\n";
/* The rest, apart: one string literal would pass the 4095 characters C99 compilers must take. */
static const char store_usage_tail[] =
    "options:\n"
    "  --store PATH   the store (default $CHANBENCH_STORE, else results/chanbench.sqlite);\n"
    "                 import creates it, the other commands need it\n"
    "  --store URL    a PostgreSQL database: postgresql://[USER[:PASSWORD]@]HOST[:PORT]/DB\n"
    "                 (or postgres://; any URL libpq reads, e.g. ?host=/run/postgresql).\n"
    "                 DB must exist; import makes the store when it is empty\n"
    "  -h, --help     this text\n"
    "\n"
    "A run's id is a hash of its host name, start date and seed: a copy of a file, or a\n"
    "resumed run's file and its interrupted one, are one run.\n"
    "\n"
    "exit status: 0 done (import: every file imported or already there; check: no\n"
    "regression); 1 the store could not be written or read (SQLite, the disk, the server),\n"
    "gnuplot failed on a chart, or check found a regression; 2 bad usage or bad\n"
    "input: a results file that does not load (import goes on with the others), an unknown\n"
    "run, benchmark or machine, a check with no benchmark in common or none with enough\n"
    "rounds to test, a store that is missing (an empty database, on a server), corrupt, not a\n"
    "chanbench store or of a newer schema (left untouched), or a PostgreSQL URL that cannot\n"
    "be used (a database or user the server does not have, a chanbench built without libpq);\n"
    "3 history or machines --out without gnuplot (the data file only, no chart).\n";

/* The options, each an option of some commands only. */
struct store_opts {
    const char *path, *out, *machine, *impl, *against, *threshold;
};

static int
usage_error(const char *msg, const char *arg) {
    fprintf(stderr, "chanbench store: %s%s (see chanbench store --help)\n", msg, arg);
    return 2;
}

static int
do_import(const char *path, char **files, int nfiles) {
    char err[1024];
    struct store *s;
    int code = store_open(path, true, &s, err, sizeof err);
    if (code != 0) {
        fprintf(stderr, "chanbench store: %s\n", err);
        return code;
    }
    int rc = 0;
    for (int i = 0; i < nfiles; i++) {
        enum store_import what;
        char id[STORE_ID_LEN];
        code = store_import(s, files[i], &what, id, err, sizeof err);
        if (code == 1) {
            /* The store itself failed: the next file would too. */
            fprintf(stderr, "chanbench store import: %s\n", err);
            rc = 1;
            break;
        }
        if (code != 0) {
            fprintf(stderr, "chanbench store import: %s\n", err);
            rc = 2;
        } else if (what == STORE_DUPLICATE) {
            fprintf(stderr, "chanbench store import: %s\n", err);
        } else {
            printf("%s %s %s\n", what == STORE_REPLACED ? "replaced" : "imported", id, files[i]);
        }
    }
    store_close(s);
    return rc;
}

static int
do_export(const char *path, const char *ref, const char *out) {
    char err[1024];
    struct store *s;
    int code = store_open(path, false, &s, err, sizeof err);
    if (code != 0) {
        fprintf(stderr, "chanbench store: %s\n", err);
        return code;
    }
    char *buf, id[STORE_ID_LEN];
    size_t len;
    /* A bad --out is bad usage (2), found before anything is read, as run's --out. */
    if (out != NULL && strcmp(out, "-") != 0 &&
        report_check_folder(out, NULL, 0, err, sizeof err) != 0) {
        store_close(s);
        fprintf(stderr, "chanbench store export: %s\n", err);
        return 2;
    }
    code = store_run_bytes(s, ref, &buf, &len, id, err, sizeof err);
    store_close(s);
    if (code != 0) {
        fprintf(stderr, "chanbench store export: %s\n", err);
        return code;
    }
    if (out == NULL || strcmp(out, "-") == 0) {
        if (fwrite(buf, 1, len, stdout) != len || fflush(stdout) != 0) {
            fprintf(stderr, "chanbench store export: cannot write to stdout\n");
            code = 1;
        }
    } else if (memchr(buf, '\0', len) != NULL) {
        /* report_write_file writes text; a results file that loaded never holds a NUL. */
        fprintf(stderr, "chanbench store export: run %s holds a NUL byte; export it to stdout\n",
                id);
        code = 1;
    } else if (report_write_file(out, buf, err, sizeof err) != 0) {
        fprintf(stderr, "chanbench store export: %s\n", err);
        code = 1;
    }
    free(buf);
    return code;
}

/* list: open the store, print, close. */
static int
do_print(const char *path, int (*fn)(struct store *, FILE *, char *, size_t)) {
    char err[1024];
    struct store *s;
    int code = store_open(path, false, &s, err, sizeof err);
    if (code == 0) {
        code = fn(s, stdout, err, sizeof err);
        store_close(s);
    }
    if (code != 0)
        fprintf(stderr, "chanbench store: %s\n", err);
    else if (fflush(stdout) != 0) {
        fprintf(stderr, "chanbench store: cannot write the output\n");
        code = 1;
    }
    return code;
}

/* The path of a results file, or a store reference (@...) loaded from the store (opened once,
 * into *s). 0, or an exit status after a line. */
static int
load_input(const char *path, const char *arg, struct store **s, struct result_file *f) {
    char err[1024];
    int code = 0;
    if (arg[0] == '@') {
        if (*s == NULL)
            code = store_open(path, false, s, err, sizeof err);
        if (code == 0)
            code = store_load_ref(*s, arg + 1, f, err, sizeof err);
    } else if (results_load(arg, f, err, sizeof err) != 0) {
        code = 2;
    }
    if (code != 0)
        fprintf(stderr, "chanbench store check: %s\n", err);
    return code;
}

/* A chart of a store command (history, machines): DIR/STEM.dat, drawn by scripts/SCRIPT.gp
 * into .png and .svg, as plot draws its charts (plot_draw.h); takes ownership of c. 0, 1 when
 * gnuplot failed, 2 when the folder cannot be made, 3 without gnuplot (the data file only). */
static int
draw_chart(const char *cmd, struct chart *c, const char *dir) {
    struct stat st;
    bool made = stat(dir, &st) != 0; /* removed again when nothing lands in it */
    if (plot_mkdirs(dir) != 0) {
        fprintf(stderr, "chanbench store %s: cannot create the output folder %s: %s\n", cmd, dir,
                strerror(errno));
        plot_chart_free(c);
        return 2;
    }
    plot_guard_signals();
    struct plot_state ps = {.dir = dir};
    ps.scripts = plot_find_scripts();
    ps.gnuplot = plot_find_on_path("gnuplot");
    const char *script = c->script;
    plot_emit(&ps, c, true, NULL, NULL);
    int rc = ps.failed ? 1 : ps.gnuplot == NULL ? 3 : 0;
    if (ps.gnuplot == NULL)
        fprintf(stderr,
                "chanbench store %s: gnuplot is not installed: wrote the data file but no "
                "chart; install it (Debian/Ubuntu: apt install gnuplot-nox) and run this again, "
                "or draw it by hand with %s/%s.gp\n",
                cmd, ps.scripts, script);
    if (rc == 1 && made)
        rmdir(dir); /* fails, as it should, when anything is in it */
    plot_state_free(&ps);
    return rc;
}

/* history's chart: DIR/history-NAME.dat and its images (draw_chart). */
static int
draw_history(const struct store_history *h, const char *path, const char *dir) {
    struct chart *c = plot_chart_new("history");
    char *name = tx_fmt("%s/impl=%s", h->bench, h->impl);
    char *flat = tx_strdup(name); /* plot_label_for keeps only what follows the last '/' */
    for (char *p = flat; *p; p++)
        if (*p == '/')
            *p = '_';
    char *label = plot_label_for(flat); /* history-chan_spsc_cap_0_size_8_impl_goc */
    free(flat);
    c->stem = tx_fmt("history-%s", label);
    c->machine = tx_fmt("%s (%s), machine %.8s", h->host, h->cpu, h->machine);
    c->subtitle = store_history_subtitle(h);
    c->source = tx_fmt("%s, %s", path, name);
    c->columns = tx_strdup("run (0 the oldest), median wall ns per operation, its 95% interval "
                           "low and high, class (0 the first run or no significant change, 1 "
                           "significantly slower, 2 significantly faster, 3 too few rounds to "
                           "test), change from the run before in per cent, label (commit, date)");
    c->raw = store_history_data(h);
    free(name);
    free(label);
    return draw_chart("history", c, dir);
}

/* machines' chart: DIR/machines.dat and its images (draw_chart). */
static int
draw_machines(const struct store_machines *m, const char *path, const char *dir) {
    struct chart *c = plot_chart_new("machines");
    c->stem = tx_strdup("machines");
    char *hosts = tx_strdup("");
    for (size_t i = 0; i < m->ncols; i++) {
        char *t = tx_fmt("%s%s%s", hosts, i > 0 ? ", " : "", m->cols[i].label);
        free(hosts);
        hosts = t;
    }
    c->machine = tx_fmt("machines: %s", hosts);
    free(hosts);
    c->subtitle = store_machines_subtitle(m);
    c->source = tx_fmt("%s, the latest run of each machine", path);
    c->columns = tx_strdup(
        "block 0: benchmark, then per machine its median wall time per operation over the "
        "machine's floor (chan/pingpong: c2c_round_trip_ns, others: ring_ns_per_msg; ? none); "
        "block 1: benchmark and ratio, then per machine the paired ratio (wall time, all "
        "rounds) and its 95% interval low and high (? ? ? none)");
    c->raw = store_machines_data(m);
    return draw_chart("machines", c, dir);
}

static int
do_machines(const struct store_opts *o) {
    char err[1024];
    struct store *s;
    struct store_machines m = {0};
    int code = store_open(o->path, false, &s, err, sizeof err);
    if (code == 0) {
        code = store_machines_load(s, &m, err, sizeof err);
        store_close(s);
    }
    if (code != 0) {
        fprintf(stderr, "chanbench store: %s\n", err);
        store_machines_free(&m);
        return code;
    }
    store_machines_print(&m, stdout);
    fflush(stdout);
    if (o->out != NULL)
        code = draw_machines(&m, o->path, o->out);
    store_machines_free(&m);
    if (fflush(stdout) != 0 && code == 0) {
        fprintf(stderr, "chanbench store: cannot write the output\n");
        code = 1;
    }
    return code;
}

static int
do_history(const struct store_opts *o, const char *arg) {
    char bench[512];
    const char *impl = o->impl;
    if (strlen(arg) >= sizeof bench)
        return usage_error("the benchmark name is too long: ", arg);
    if (strstr(arg, "/impl=") != NULL) {
        /* A full name, as compare and the tables print them. */
        names_strip_impl(arg, bench, sizeof bench);
        const char *named = names_impl(arg);
        if (impl != NULL && strcmp(impl, named) != 0) {
            fprintf(stderr,
                    "chanbench store history: %s names impl=%s, --impl says %s; give one of "
                    "them\n",
                    arg, named, impl);
            return 2;
        }
        impl = named;
    } else {
        snprintf(bench, sizeof bench, "%s", arg);
    }
    if (impl == NULL || impl[0] == '\0')
        impl = "goc";
    char err[1024], host[256] = "";
    if (gethostname(host, sizeof host - 1) != 0)
        host[0] = '\0';
    struct store *s;
    int code = store_open(o->path, false, &s, err, sizeof err);
    struct store_history h = {0};
    if (code == 0) {
        code = store_history(s, bench, impl, o->machine, host, &h, err, sizeof err);
        store_close(s);
    }
    if (code != 0) {
        fprintf(stderr, "chanbench store history: %s\n", err);
        store_history_free(&h);
        return code;
    }
    store_history_print(&h, stdout);
    fflush(stdout);
    if (o->out != NULL)
        code = draw_history(&h, o->path, o->out);
    store_history_free(&h);
    if (fflush(stdout) != 0 && code == 0) {
        fprintf(stderr, "chanbench store history: cannot write the output\n");
        code = 1;
    }
    return code;
}

/* The machine of a results file, for the warning of a check across machines. */
static bool
same_machine(const struct result_file *a, const struct result_file *b) {
    static const char *const keys[] = {"host_name", "cpu_model"};
    for (size_t k = 0; k < 2; k++) {
        const char *x = results_context_str(a, keys[k]), *y = results_context_str(b, keys[k]);
        if ((x == NULL) != (y == NULL) || (x != NULL && strcmp(x, y) != 0))
            return false;
    }
    return true;
}

static int
do_check(const struct store_opts *o, const char *run_arg) {
    char *end;
    double threshold = CHECK_THRESHOLD_PCT;
    if (o->threshold != NULL) {
        errno = 0;
        threshold = strtod(o->threshold, &end);
        if (*end == '%')
            end++;
        if (errno != 0 || end == o->threshold || *end != '\0' || !isfinite(threshold) ||
            threshold < 0 || threshold > 1000)
            return usage_error("--threshold wants a per cent from 0 to 1000, like 10, not ",
                               o->threshold);
    }
    struct store *s = NULL;
    struct result_file base = {0}, run = {0};
    bool have_base = false, have_run = false;
    int code = load_input(o->path, o->against, &s, &base);
    have_base = code == 0;
    if (code == 0 && run_arg != NULL) {
        code = load_input(o->path, run_arg, &s, &run);
    } else if (code == 0) {
        /* The store's latest run: in CI, the one `chanbench run` just recorded. */
        char err[1024], id[STORE_ID_LEN], ref[STORE_ID_LEN + 1];
        if (s == NULL)
            code = store_open(o->path, false, &s, err, sizeof err);
        if (code == 0)
            code = store_latest_run(s, id, err, sizeof err);
        if (code == 0) {
            snprintf(ref, sizeof ref, "%s", id);
            code = store_load_ref(s, ref, &run, err, sizeof err);
        }
        if (code != 0)
            fprintf(stderr, "chanbench store check: %s\n", err);
    }
    have_run = code == 0 && have_base;
    if (code != 0)
        goto out;
    code = 2;
    if (results_same_run(&base, &run)) {
        fprintf(stderr,
                "chanbench store check: %s and %s are the same run (host %s, started %s); name "
                "the baseline by @commit:SHA or @RUNID (@HOST is that machine's latest run)\n",
                base.path, run.path, results_context_str(&run, "host_name"),
                results_context_str(&run, "date"));
        goto out;
    }
    if (!same_machine(&base, &run))
        fprintf(stderr,
                "chanbench store check: WARNING: %s (host %s) and %s (host %s) come from "
                "DIFFERENT MACHINES: the differences include the hardware, not only the code\n",
                base.path, results_context_str(&base, "host_name"), run.path,
                results_context_str(&run, "host_name"));
    struct store_check_result r;
    store_check(&base, &run, threshold, o->impl, stdout, &r);
    if (r.common == 0) {
        fprintf(stderr, "chanbench store check: %s and %s have no benchmark%s%s in common\n",
                run.path, base.path, o->impl != NULL ? " of impl=" : "",
                o->impl != NULL ? o->impl : "");
        goto out;
    }
    if (r.few == r.common) {
        /* A check that can never fail is no check: say so instead of passing. */
        fprintf(stderr,
                "chanbench store check: none of the %zu benchmarks in common has enough rounds "
                "for the test (4 or more on each side): run with --rounds 4 or more\n",
                r.common);
        goto out;
    }
    char tail[512];
    snprintf(tail, sizeof tail,
             "%zu significantly faster, %zu significantly slower by %g%% or less, %zu with too "
             "few rounds to test%s",
             r.faster, r.slower, threshold, r.few,
             run.complete ? "" : "; the run was interrupted: only its finished benchmarks");
    if (r.regressions > 0)
        printf("store check: FAILED: %zu of %zu benchmarks of %s significantly slower than %s by "
               "more than %g%% (%s)\n",
               r.regressions, r.common, run.path, base.path, threshold, tail);
    else
        printf("store check: ok: %s against %s: %zu benchmarks in common, none significantly "
               "slower by more than %g%% (%s)\n",
               run.path, base.path, r.common, threshold, tail);
    code = r.regressions > 0 ? 1 : 0;
    if (fflush(stdout) != 0) {
        fprintf(stderr, "chanbench store check: cannot write the output\n");
        code = 1;
    }
out:
    if (have_base)
        results_free(&base);
    if (have_run)
        results_free(&run);
    store_close(s);
    return code;
}

int
cmd_store(int argc, char **argv) {
    struct store_opts o = {.path = store_default_path()};
    char **args = calloc((size_t)argc + 1, sizeof *args);
    int nargs = 0;
    if (args == NULL)
        return 1;
    /* Each option and the commands that take it. */
    static const struct {
        const char *name;
        size_t off;
        const char *commands; /* NULL: every command */
    } opts[] = {
        {"--store", offsetof(struct store_opts, path), NULL},
        {"--out", offsetof(struct store_opts, out), " export machines history "},
        {"--machine", offsetof(struct store_opts, machine), " history "},
        {"--impl", offsetof(struct store_opts, impl), " history check "},
        {"--against", offsetof(struct store_opts, against), " check "},
        {"--threshold", offsetof(struct store_opts, threshold), " check "},
    };
    enum { NOPTS = sizeof opts / sizeof opts[0] };
    bool given[NOPTS] = {false};
    int rc = 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(store_usage, stdout);
            fputs(store_usage_tail, stdout);
            rc = 0;
            goto done;
        }
        int k = -1;
        const char *val = NULL;
        for (int j = 0; j < NOPTS && k < 0; j++) {
            size_t l = strlen(opts[j].name);
            if (strncmp(a, opts[j].name, l) == 0 && (a[l] == '\0' || a[l] == '=')) {
                k = j;
                val = a[l] == '=' ? a + l + 1 : NULL;
            }
        }
        if (k >= 0) {
            if (val == NULL && i + 1 >= argc) {
                rc = usage_error("a value is missing after ", a);
                goto done;
            }
            const char **dst = (const char **)((char *)&o + opts[k].off);
            *dst = val != NULL ? val : argv[++i];
            given[k] = true;
            if ((*dst)[0] == '\0') {
                rc = usage_error("an empty value for ", a);
                goto done;
            }
            continue;
        }
        if (strcmp(a, "--") == 0) {
            while (++i < argc)
                args[nargs++] = argv[i];
            break;
        }
        if (a[0] == '-' && a[1] != '\0') {
            rc = usage_error("unknown option ", a);
            goto done;
        }
        args[nargs++] = argv[i];
    }
    if (nargs == 0) {
        rc = usage_error("which command? import, list, export, machines, history or check", "");
        goto done;
    }
    const char *cmd = args[0];
    char padded[64];
    snprintf(padded, sizeof padded, " %.60s ", cmd);
    for (int k = 0; k < NOPTS; k++)
        if (given[k] && opts[k].commands != NULL && strstr(opts[k].commands, padded) == NULL) {
            char *what = tx_fmt("%s is not an option of ", opts[k].name);
            rc = usage_error(what, cmd);
            free(what);
            goto done;
        }
    if (strcmp(cmd, "import") == 0) {
        if (nargs < 2)
            rc = usage_error("import needs at least one results file", "");
        else
            rc = do_import(o.path, args + 1, nargs - 1);
    } else if (strcmp(cmd, "export") == 0) {
        if (nargs != 2)
            rc = usage_error("export takes one run id; 'chanbench store list' shows them", "");
        else
            rc = do_export(o.path, args[1], o.out);
    } else if (strcmp(cmd, "list") == 0 || strcmp(cmd, "machines") == 0) {
        if (nargs != 1)
            rc = usage_error("no arguments are taken by ", cmd);
        else if (strcmp(cmd, "list") == 0)
            rc = do_print(o.path, store_list);
        else
            rc = do_machines(&o);
    } else if (strcmp(cmd, "history") == 0) {
        if (nargs != 2)
            rc = usage_error("history takes one benchmark name, e.g. chan/spsc/cap=0/size=8", "");
        else
            rc = do_history(&o, args[1]);
    } else if (strcmp(cmd, "check") == 0) {
        if (o.against == NULL)
            rc = usage_error("check needs the baseline: --against @HOST, @RUNID, @commit:SHA or "
                             "a results file",
                             "");
        else if (nargs > 2)
            rc = usage_error("check takes at most one run to check (default: the store's latest "
                             "run); the baseline goes after --against",
                             "");
        else
            rc = do_check(&o, nargs == 2 ? args[1] : NULL);
    } else {
        rc = usage_error("unknown command ", cmd);
    }
done:
    free(args);
    return rc;
}
