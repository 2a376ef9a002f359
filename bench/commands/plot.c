/* SPDX-License-Identifier: MIT */
/* `chanbench plot RESULTS... [--out DIR]`: writes one gnuplot data file per chart and runs the
 * chart's script from scripts/ (one .gp per chart, usable by hand) to draw PNG and SVG. This
 * file is the command: arguments, loading the files, which charts for which files, the
 * summary. What each chart shows (which rows, which parameters are held fixed) is decided in
 * output/plot_charts.c; writing and drawing in output/plot_draw.c; how it looks in the scripts. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "plot_charts.h"
#include "plot_draw.h"
#include "plot_html.h"
#include "results.h"
#include "store.h"
#include "textable.h"

#define PLOT_MAX_FILES 16
#define PLOT_EXIT_NO_GNUPLOT 3

static const char plot_usage[] =
    "usage: chanbench plot [--out DIR] [--store PATH|URL] RESULTS [RESULTS...]\n"
    "\n"
    "RESULTS are results files, or runs of the results store (chanbench store): @HOST (the\n"
    "latest run of that machine), @RUNID or @commit:SHA; --store names the store (default\n"
    "$CHANBENCH_STORE, else results/chanbench.sqlite). ./@NAME is a file.\n"
    "\n"
    "Draws charts of chanbench results with gnuplot, as PNG (pngcairo) and SVG, into DIR\n"
    "(default results/plots). For each chart it writes DIR/CHART.dat, the data in gnuplot's\n"
    "format, and runs scripts/CHART.gp on it; a script can be run by hand:\n"
    "  gnuplot -e \"datafile='DIR/CHART.dat'; out='DIR/CHART'\" scripts/CHART.gp\n"
    "writes DIR/CHART.png and DIR/CHART.svg. DIR/index.html is one page with every chart\n"
    "drawn (the SVG inline, the forest plot first), each file's machine and run, and its\n"
    "paired ratios; it needs nothing else to be viewed.\n"
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
    "The scripts are found in $CHANBENCH_SCRIPTS, else beside an installed chanbench\n"
    "(PREFIX/share/chanbench for PREFIX/bin/chanbench), else in the source tree's scripts/\n"
    "folder (" CHANBENCH_SOURCE_DIR "/scripts), else in ./scripts.\n"
    "\n"
    "exit status: 0 charts drawn (or skipped for lack of data); 1 gnuplot failed on a chart\n"
    "(its messages are printed, and the chart leaves no file: no .dat, image or log), or\n"
    "index.html could not be written; 2 bad usage or bad input (a missing, truncated or\n"
    "non-chanbench file, one file or one run given twice, an output folder that cannot be\n"
    "created); 3 gnuplot is not installed (Debian/Ubuntu: apt install gnuplot-nox): the data\n"
    "files and index.html (without charts) are written, the charts are not.\n";

/* A chart whose table has no point is skipped like one without rows. */
static void
check_points(const struct chart *c, bool *have, const char **why) {
    if (*have && c->t[0] != NULL && stab_points(c->t[0]) == 0) {
        *have = false;
        *why = "no rows with the parameters this chart needs";
    }
}

/* f without its A/A control rows (impl=goc.control), into *view: the family charts draw
 * implementations, and the control, libgoc again, would be a second goc line on each; the
 * forest and drift charts keep it. view shares f's rows; free view->benches only. */
static void
without_control(const struct result_file *f, struct result_file *view) {
    *view = *f;
    view->benches = malloc((f->nbenches + 1) * sizeof *view->benches);
    if (view->benches == NULL) {
        view->benches = f->benches; /* out of memory: draw the control too */
        return;
    }
    view->nbenches = 0;
    for (size_t i = 0; i < f->nbenches; i++) {
        const char *impl = json_string_value(json_object_get(f->benches[i].first_row, "impl"));
        if (impl == NULL || strcmp(impl, "goc.control") != 0)
            view->benches[view->nbenches++] = f->benches[i];
    }
}

/* The charts of one file, for each file; named CHART-LABEL when there are several files. */
static void
per_file_charts(struct plot_state *st, struct result_file *files, char **labels, size_t nf) {
    static const struct {
        const char *script;
        plot_build_fn build;
        bool control; /* draws the A/A control's rows too */
    } per_file[] = {
        {"chan_capacity", plot_build_capacity, false},
        {"select_latency", plot_build_select, false},
        {"locks", plot_build_locks, false},
        {"layout", plot_build_layout, false},
        {"cancel", plot_build_cancel, false},
        {"c2c_heatmap", plot_build_c2c, false},
        {"forest", plot_build_forest, true},
        {"drift", plot_build_drift, true},
    };
    for (size_t i = 0; i < nf; i++) {
        char mb[256];
        struct result_file view;
        without_control(&files[i], &view);
        for (size_t k = 0; k < sizeof per_file / sizeof per_file[0]; k++) {
            struct chart *c = plot_chart_new(per_file[k].script);
            c->stem = nf == 1 ? tx_strdup(c->script) : tx_fmt("%s-%s", c->script, labels[i]);
            c->machine = tx_strdup(plot_machine_of(&files[i], mb, sizeof mb));
            c->source = tx_strdup(files[i].path);
            const char *why = "no data";
            bool have = per_file[k].build(c, per_file[k].control ? &files[i] : &view, &why);
            check_points(c, &have, &why);
            plot_emit(st, c, have, why, files[i].path);
        }
        if (view.benches != files[i].benches)
            free(view.benches);
    }
}

/* scaling: one chart per machine (host and CPU model), named scaling-HOST when there are
 * several machines. */
static void
scaling_charts(struct plot_state *st, struct result_file *files, char **labels, size_t nf) {
    bool grouped[PLOT_MAX_FILES] = {false};
    size_t ngroups = 0;
    for (size_t i = 0; i < nf; i++) {
        char mi[256], mj[256];
        if (grouped[i])
            continue;
        ngroups++;
        for (size_t j = i; j < nf; j++)
            if (strcmp(plot_machine_of(&files[i], mi, sizeof mi),
                       plot_machine_of(&files[j], mj, sizeof mj)) == 0)
                grouped[j] = true;
    }
    memset(grouped, 0, sizeof grouped);
    for (size_t i = 0; i < nf; i++) {
        char mi[256], mj[256];
        if (grouped[i])
            continue;
        size_t idx[PLOT_MAX_FILES], n = 0;
        for (size_t j = i; j < nf; j++)
            if (strcmp(plot_machine_of(&files[i], mi, sizeof mi),
                       plot_machine_of(&files[j], mj, sizeof mj)) == 0) {
                grouped[j] = true;
                idx[n++] = j;
            }
        struct chart *c = plot_chart_new("scaling");
        const char *host = results_context_str(&files[i], "host_name");
        char *hl = plot_label_for(host ? host : "unknown");
        c->stem = ngroups == 1 ? tx_strdup("scaling") : tx_fmt("scaling-%s", hl);
        free(hl);
        c->machine = tx_strdup(mi);
        size_t sl = 0;
        for (size_t k = 0; k < n; k++)
            sl += strlen(files[idx[k]].path) + 2;
        c->source = calloc(1, sl + 1);
        if (c->source == NULL)
            plot_oom();
        for (size_t k = 0; k < n; k++) {
            if (k)
                strcat(c->source, ", ");
            strcat(c->source, files[idx[k]].path);
        }
        const char *why = "no data";
        bool have = plot_build_scaling(c, files, idx, n, (const char **)labels, &why);
        check_points(c, &have, &why);
        plot_emit(st, c, have, why, mi);
    }
}

/* cross_machine: every file against the first; needs two or more. */
static void
cross_chart(struct plot_state *st, struct result_file *files, char **labels, size_t nf) {
    if (nf < 2) {
        printf("skipped %-15s needs two or more results files\n", "cross_machine");
        return;
    }
    char mb[256];
    struct chart *c = plot_chart_new("cross_machine");
    c->stem = tx_strdup("cross_machine");
    c->machine = tx_fmt("against %s", plot_machine_of(&files[0], mb, sizeof mb));
    c->source = tx_strdup("several files, see the column names");
    const char *why = "no data";
    bool have = plot_build_cross(c, files, nf, (const char **)labels, &why);
    plot_emit(st, c, have, why, "(all files)");
}

/* A file drawn against itself makes a cross-machine chart of ratios 1 and per-file charts
 * twice: refuse two names of one file (stat's device and inode, so links and ./x count) and two
 * files of one run (a copy; results_same_run). 0, or 2 after saying which. */
static int
same_inputs(const struct result_file *files, size_t nf) {
    for (size_t i = 0; i < nf; i++)
        for (size_t j = 0; j < i; j++) {
            struct stat si, sj;
            if (stat(files[i].path, &si) == 0 && stat(files[j].path, &sj) == 0 &&
                si.st_dev == sj.st_dev && si.st_ino == sj.st_ino) {
                fprintf(stderr,
                        "chanbench plot: %s and %s are the same file; give it once, or results "
                        "of different runs to draw them side by side\n",
                        files[j].path, files[i].path);
                return 2;
            }
            if (results_same_run(&files[i], &files[j])) {
                fprintf(stderr,
                        "chanbench plot: %s and %s hold the same run (host %s, started %s); give "
                        "one of them, or results of different runs to draw them side by side\n",
                        files[j].path, files[i].path, results_context_str(&files[i], "host_name"),
                        results_context_str(&files[i], "date"));
                return 2;
            }
        }
    return 0;
}

int
cmd_plot(int argc, char **argv) {
    const char *dir = "results/plots";
    const char *store_path = store_default_path();
    struct store *store = NULL;
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
        } else if (strcmp(a, "--store") == 0) {
            if (i + 1 >= argc || argv[i + 1][0] == '\0') {
                fprintf(stderr, "chanbench plot: --store needs the path of a store file or a "
                                "postgresql:// URL\n");
                return 2;
            }
            store_path = argv[++i];
        } else if (strncmp(a, "--store=", 8) == 0 && a[8] != '\0') {
            store_path = a + 8;
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
    bool made_dir = false;
    for (size_t i = 0; i < np; i++) {
        char err[1024];
        int code = store_load_arg(&store, store_path, paths[i], &files[i], err, sizeof err);
        if (code != 0) {
            fprintf(stderr, "chanbench plot: %s\n", err);
            rc = code;
            goto out;
        }
        labels[i] = plot_label_for(paths[i][0] == '@' ? paths[i] + 1 : paths[i]);
        nf++;
        for (size_t j = 0; j < i; j++) /* two files called x.json in different folders */
            if (strcmp(labels[i], labels[j]) == 0) {
                char *l = tx_fmt("%s-%zu", labels[i], i + 1);
                free(labels[i]);
                labels[i] = l;
            }
    }
    if (same_inputs(files, nf) != 0)
        goto out;
    struct stat dst;
    made_dir = stat(dir, &dst) != 0; /* removed again if it is still empty after a failure */
    if (plot_mkdirs(dir) != 0) {
        fprintf(stderr, "chanbench plot: cannot create the output folder %s: %s\n", dir,
                strerror(errno));
        goto out;
    }
    plot_guard_signals();
    st.scripts = plot_find_scripts();
    st.gnuplot = plot_find_on_path("gnuplot");
    if (st.gnuplot == NULL)
        fprintf(stderr, "chanbench plot: gnuplot is not installed (not on PATH); install it "
                        "(Debian/Ubuntu: apt install gnuplot-nox) to draw the charts; writing "
                        "the data files only\n");

    per_file_charts(&st, files, labels, nf);
    scaling_charts(&st, files, labels, nf);
    cross_chart(&st, files, labels, nf);

    /* The page only of a plot that failed nowhere: a failed plot changes nothing. */
    bool page_failed = false;
    if (st.failed == 0)
        page_failed = plot_html_write(&st, files, nf) != 0;
    else
        printf("page    %-15s not written: a chart failed\n", "index.html");

    if (st.gnuplot == NULL) {
        fprintf(stderr,
                "chanbench plot: wrote %zu data files to %s but no charts: gnuplot is not "
                "installed. Install it (Debian/Ubuntu: apt install gnuplot-nox) and run this "
                "command again, or draw one by hand: gnuplot -e \"datafile='%s/CHART.dat'; "
                "out='%s/CHART'\" %s/CHART.gp\n",
                st.written, dir, dir, dir, st.scripts);
        rc = PLOT_EXIT_NO_GNUPLOT;
    } else {
        printf("%zu charts in %s (PNG and SVG, all on index.html), %zu skipped for lack of "
               "data%s; scripts from %s\n",
               st.drawn, dir, st.skipped,
               st.failed || page_failed ? ", some FAILED (see above)" : "", st.scripts);
        rc = st.failed || page_failed ? 1 : 0;
    }
out:
    if (rc != 0 && made_dir)
        rmdir(dir); /* fails, as it should, when anything was written into it */
    for (size_t i = 0; i < nf; i++) {
        results_free(&files[i]);
        free(labels[i]);
    }
    plot_state_free(&st);
    store_close(store);
    return rc;
}
