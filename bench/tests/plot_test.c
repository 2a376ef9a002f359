/* SPDX-License-Identifier: MIT */
/* `chanbench plot` on the synthetic results files of bench/tests/data: with gnuplot, a
 * non-empty PNG and SVG for every chart; without it (PATH without gnuplot), the data files, the
 * message naming the package, and exit status 3; bad input exits 2 naming the file. And the
 * page, index.html: every chart inline, the machine, the paired ratios, everything escaped. */
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "check.h"
#include "commands.h"

#define DATA CHANBENCH_SOURCE_DIR "/bench/tests/data/"

#include "capture.h" /* after CHECK, which it uses */

/* Run cmd_plot(argv) in a child, with PATH set to path when not NULL. */
static struct run *
run_plot(const char *path, const char *first, ...) {
    va_list ap;
    va_start(ap, first);
    struct run *r = capture_command(cmd_plot, "plot", path, first, ap);
    va_end(ap);
    return r;
}

static void
dump(const struct run *r) {
    fprintf(stderr, "rc %d\n--- stdout\n%s\n--- stderr\n%s\n", r->rc, r->out, r->err);
}

#define CHECK_RUN(r, cond)                                                                         \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            dump(r);                                                                               \
            REQUIRE(cond);                                                                         \
        }                                                                                          \
    } while (0)

static long
size_of(const char *dir, const char *name, const char *ext) {
    char p[512];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s.%s", dir, name, ext);
    return stat(p, &st) == 0 ? (long)st.st_size : -1;
}

/* The file starts with the PNG signature, or contains an <svg element. */
static bool
looks_like(const char *dir, const char *name, const char *ext) {
    char p[512], buf[4096];
    snprintf(p, sizeof p, "%s/%s.%s", dir, name, ext);
    FILE *f = fopen(p, "rb");
    if (f == NULL)
        return false;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    if (strcmp(ext, "png") == 0)
        return n > 8 && memcmp(buf, "\x89PNG\r\n\x1a\n", 8) == 0;
    return strstr(buf, "<svg") != NULL;
}

static char *
make_temp_dir(void) {
    static char dirs[4][64];
    static int next;
    char *d = dirs[next++ % 4];
    strcpy(d, "/tmp/plot_test_XXXXXX");
    REQUIRE(mkdtemp(d) != NULL);
    return d;
}

static void
remove_tree(const char *dir) {
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char p[512];
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(p);
        else
            unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

/* The whole of dir/name, or NULL (owned). */
static char *
slurp_file(const char *dir, const char *name) {
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "rb");
    if (f == NULL)
        return NULL;
    static const size_t cap = 8u << 20;
    char *buf = malloc(cap);
    REQUIRE(buf != NULL);
    size_t n = fread(buf, 1, cap - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static size_t
count_of(const char *text, const char *what) {
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, what)) != NULL; p += strlen(what))
        n++;
    return n;
}

/* Every SVG file in dir is on the page, as a figure of its own; returns how many. */
static size_t
check_page_charts(const struct run *r, const char *dir, const char *page) {
    DIR *d = opendir(dir);
    REQUIRE(d != NULL);
    struct dirent *e;
    size_t nsvg = 0;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l < 5 || strcmp(e->d_name + l - 4, ".svg") != 0)
            continue;
        char id[300];
        snprintf(id, sizeof id,
                 "<figure id=\"chart-%.*s\">\n<div class=\"chart\" style=\"max-width:",
                 (int)(l - 4), e->d_name);
        CHECK_RUN(r, strstr(page, id) != NULL);
        nsvg++;
    }
    closedir(d);
    CHECK_RUN(r, count_of(page, "<svg") == nsvg);
    CHECK_RUN(r, strstr(page, "<?xml") == NULL);
    return nsvg;
}

/* gnuplot on the caller's PATH? */
static bool
have_gnuplot(void) {
    return system("command -v gnuplot >/dev/null 2>&1") == 0;
}

static const char *const per_file[] = {"chan_capacity", "select_latency", "locks",
                                       "layout",        "cancel",         "c2c_heatmap"};

static void
test_every_chart(void) {
    if (!have_gnuplot()) {
        printf("plot_test: gnuplot is not on PATH: chart drawing not tested (install "
               "gnuplot-nox)\n");
        return;
    }
    char *dir = make_temp_dir();
    char out[128];
    snprintf(out, sizeof out, "%s/plots", dir); /* created by plot, parents included */
    struct run *r = run_plot(NULL, "--out", out, DATA "alpha-base.json", DATA "beta.json", NULL);
    CHECK_RUN(r, r->rc == 0);
    char name[128];
    for (size_t i = 0; i < sizeof per_file / sizeof per_file[0]; i++) {
        static const char *const label[] = {"alpha-base", "beta"};
        for (int l = 0; l < 2; l++) {
            snprintf(name, sizeof name, "%s-%s", per_file[i], label[l]);
            CHECK_RUN(r, size_of(out, name, "dat") > 0);
            CHECK_RUN(r, size_of(out, name, "png") > 1000 && looks_like(out, name, "png"));
            CHECK_RUN(r, size_of(out, name, "svg") > 1000 && looks_like(out, name, "svg"));
        }
    }
    static const char *const multi[] = {"scaling-alpha", "scaling-beta", "cross_machine"};
    for (size_t i = 0; i < 3; i++) {
        CHECK_RUN(r, size_of(out, multi[i], "png") > 1000 && looks_like(out, multi[i], "png"));
        CHECK_RUN(r, size_of(out, multi[i], "svg") > 1000 && looks_like(out, multi[i], "svg"));
    }
    CHECK_RUN(r, strstr(r->out, "15 charts in ") != NULL);
    /* The page of both files: all 15 charts, the cross-machine one included. */
    char *page = slurp_file(out, "index.html");
    REQUIRE(page != NULL);
    CHECK_RUN(r, check_page_charts(r, out, page) == 15);
    CHECK_RUN(r, strstr(page, "id=\"chart-cross_machine\"") != NULL);
    CHECK_RUN(r, strstr(page, "<td>beta</td>") != NULL && strstr(page, "<td>alpha</td>") != NULL);
    CHECK_RUN(r, count_of(page, "No paired ratios") == 2);
    free(page);
    /* No temporary or log files left behind. */
    DIR *d = opendir(out);
    REQUIRE(d != NULL);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        CHECK_RUN(r, e->d_name[0] != '.' || strcmp(e->d_name, ".") == 0 ||
                         strcmp(e->d_name, "..") == 0);
    closedir(d);
    /* The machine is on the chart: the SVG keeps its text. */
    static char svg[1 << 17];
    char svgpath[256];
    snprintf(svgpath, sizeof svgpath, "%s/chan_capacity-beta.svg", out);
    capture_slurp(svgpath, svg, sizeof svg);
    REQUIRE(strstr(svg, "beta (AMD EPYC 7B13 64-Core Processor)") != NULL);
    REQUIRE(strstr(svg, "Channel throughput against capacity") != NULL);

    /* One file: plain names; a chart without data is skipped with a note. */
    remove_tree(out);
    r = run_plot(NULL, "--out", out, DATA "alpha-few.json", NULL);
    CHECK_RUN(r, r->rc == 0);
    CHECK_RUN(r, size_of(out, "chan_capacity", "png") > 1000);
    CHECK_RUN(r, size_of(out, "locks", "svg") > 1000);
    CHECK_RUN(r, size_of(out, "scaling", "png") > 1000);
    CHECK_RUN(r, strstr(r->out, "skipped select_latency") != NULL &&
                     strstr(r->out, "no select/fanin rows with latency_ns") != NULL);
    CHECK_RUN(r, strstr(r->out, "skipped cross_machine") != NULL);
    CHECK_RUN(r, size_of(out, "select_latency", "png") < 0);
    remove_tree(dir);
}

/* The page of a run with rounds: a copy of rounds.json whose host, kernel and a benchmark
 * name hold markup, so that the page shows them as text. */
static void
test_page(void) {
    char *dir = make_temp_dir();
    char in[160], out[160];
    snprintf(in, sizeof in, "%s/marked.json", dir);
    snprintf(out, sizeof out, "%s/plots", dir);
    json_error_t je;
    json_t *root = json_load_file(DATA "rounds.json", 0, &je);
    REQUIRE(root != NULL);
    json_t *ctx = json_object_get(root, "context");
    json_t *cb = json_object_get(ctx, "chanbench");
    json_object_set_new(ctx, "host_name", json_string("vm<i>&amp;\"q\"</i>"));
    json_object_set_new(cb, "kernel", json_string("Linux <script>alert(1)</script>"));
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(cb, "paired"), i, p) {
        if (strcmp(json_string_value(json_object_get(p, "benchmark")), "chan/spsc/cap=1/size=8") ==
            0)
            json_object_set_new(p, "benchmark", json_string("chan/spsc/cap=1/size=8&x<y>"));
    }
    REQUIRE(json_dump_file(root, in, JSON_COMPACT) == 0);
    json_decref(root);

    bool gp = have_gnuplot();
    struct run *r = run_plot(NULL, "--out", out, in, NULL);
    CHECK_RUN(r, r->rc == (gp ? 0 : 3));
    CHECK_RUN(r, strstr(r->out, "/plots/index.html") != NULL);
    char *page = slurp_file(out, "index.html");
    CHECK_RUN(r, page != NULL);
    CHECK_RUN(r, strncmp(page, "<!DOCTYPE html>", 15) == 0 && strstr(page, "</html>\n") != NULL);
    /* Every chart inline (forest, capacity and drift with gnuplot), the forest plot first. */
    size_t n = check_page_charts(r, out, page);
    CHECK_RUN(r, n == (gp ? 3 : 0));
    if (gp) {
        CHECK_RUN(r,
                  strstr(page, "id=\"chart-forest\"") < strstr(page, "id=\"chart-chan_capacity\""));
        /* gnuplot names its marks alike in every chart: each chart's ids are its own. */
        CHECK_RUN(r, strstr(page, "id='gpPt0'") == NULL && strstr(page, "id='c0-gpPt0'") != NULL &&
                         strstr(page, "id='c2-gpPt0'") != NULL &&
                         strstr(page, "href='#c1-gpPt") != NULL);
        CHECK_RUN(r, strstr(page, "Paired ratios, goc against each implementation</b>") != NULL);
    } else {
        CHECK_RUN(r, strstr(page, "gnuplot is not installed") != NULL);
    }
    /* The machine header and the paired ratios, the control's interval holding 1 marked ~. */
    CHECK_RUN(r, strstr(page, "<tr><th>CPU</th><td>Oxide Virtual Turin-like Processor") != NULL);
    CHECK_RUN(r, strstr(page, "<tr><th>virtualised</th><td>yes, bhyve</td>") != NULL);
    CHECK_RUN(r, strstr(page, "mode 67ns: round trip 67.3 ns") != NULL);
    /* A row per benchmark, a column per implementation goc is divided by, the control last. */
    CHECK_RUN(r, strstr(page, "<tr><th>benchmark</th><th>goc/naive</th><th>goc/goc.control</th>"
                              "</tr>") != NULL);
    CHECK_RUN(r, strstr(page, "<td class=\"name\">chan/spsc/cap=64/size=8</td><td class=\"num "
                              "faster\" title=\"8 rounds\">0.0185 <small>[0.0147 &ndash; "
                              "0.0235]</small></td>") != NULL);
    CHECK_RUN(r, strstr(page, "<td class=\"num same control\" title=\"8 rounds\">0.941 <small>"
                              "[0.738 &ndash; 1.386] ~</small></td>") != NULL);
    /* The charts come before the tables. */
    if (gp)
        CHECK_RUN(r, strstr(page, "id=\"chart-forest\"") < strstr(page, "<h2>Paired ratios</h2>"));
    /* Escaped wherever they appear; never raw. */
    CHECK_RUN(r,
              strstr(page, "<h1>chanbench on vm&lt;i&gt;&amp;amp;&quot;q&quot;&lt;/i&gt;</h1>") !=
                  NULL);
    CHECK_RUN(r, strstr(page, "Linux &lt;script&gt;alert(1)&lt;/script&gt;") != NULL);
    CHECK_RUN(r, strstr(page, "chan/spsc/cap=1/size=8&amp;x&lt;y&gt;</td>") != NULL);
    CHECK_RUN(r, strstr(page, "<i>") == NULL && strstr(page, "<script") == NULL &&
                     strstr(page, "x<y>") == NULL);
    free(page);
    /* Written through a temporary file that is gone. */
    DIR *d = opendir(out);
    REQUIRE(d != NULL);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        CHECK_RUN(r, strstr(e->d_name, ".tmp") == NULL);
    closedir(d);
    remove_tree(dir);
}

static void
test_without_gnuplot(void) {
    char *dir = make_temp_dir();
    char *empty = make_temp_dir(); /* a PATH with no gnuplot in it */
    char out[128];
    snprintf(out, sizeof out, "%s/plots", dir);
    struct run *r = run_plot(empty, "--out", out, DATA "alpha-base.json", NULL);
    CHECK_RUN(r, r->rc == 3);
    CHECK_RUN(r, strstr(r->err, "gnuplot is not installed") != NULL &&
                     strstr(r->err, "apt install gnuplot-nox") != NULL);
    for (size_t i = 0; i < sizeof per_file / sizeof per_file[0]; i++) {
        CHECK_RUN(r, size_of(out, per_file[i], "dat") > 0);
        CHECK_RUN(r, size_of(out, per_file[i], "png") < 0);
    }
    CHECK_RUN(r, size_of(out, "scaling", "dat") > 0);
    /* The page is there without charts, and says why. */
    char *page = slurp_file(out, "index.html");
    CHECK_RUN(r, page != NULL && strstr(page, "No charts: gnuplot is not installed") != NULL &&
                     strstr(page, "<svg") == NULL);
    free(page);
    /* The data file is gnuplot's wide format with the machine in a comment. */
    char text[8192], p[256];
    snprintf(p, sizeof p, "%s/chan_capacity.dat", out);
    capture_slurp(p, text, sizeof text);
    REQUIRE(strstr(text, "# machine: alpha (Intel(R) Xeon(R) CPU @ 2.20GHz)\n") != NULL);
    REQUIRE(strstr(text, "\n\"capacity\" \"goc\" \"naive\" \"go\" \"crossbeam\"\n\"0\" ") != NULL);
    remove_tree(dir);
    remove_tree(empty);
}

static void
test_bad_input(void) {
    char *dir = make_temp_dir();
    char out[128];
    snprintf(out, sizeof out, "%s/plots", dir);
    struct run *r = run_plot(NULL, "--out", out, DATA "truncated.json", NULL);
    CHECK_RUN(r, r->rc == 2 && strstr(r->err, DATA "truncated.json:122:") != NULL);
    r = run_plot(NULL, "--out", out, DATA "alpha-base.json", DATA "foreign.json", NULL);
    CHECK_RUN(r, r->rc == 2 &&
                     strstr(r->err, DATA "foreign.json: not a chanbench results file") != NULL);
    r = run_plot(NULL, "--out", out, DATA "nope.json", NULL);
    CHECK_RUN(r, r->rc == 2 && strstr(r->err, DATA "nope.json: No such file or directory") != NULL);
    r = run_plot(NULL, "--out", NULL);
    CHECK_RUN(r, r->rc == 2);
    r = run_plot(NULL, NULL);
    CHECK_RUN(r, r->rc == 2 && strstr(r->err, "at least one results file") != NULL);
    /* An output path under a regular file cannot be created. */
    char blocked[160];
    snprintf(blocked, sizeof blocked, "%s/file/plots", dir);
    char file[160];
    snprintf(file, sizeof file, "%s/file", dir);
    FILE *f = fopen(file, "w");
    REQUIRE(f != NULL);
    fclose(f);
    r = run_plot(NULL, "--out", blocked, DATA "alpha-base.json", NULL);
    CHECK_RUN(r, r->rc == 2 && strstr(r->err, "cannot create the output folder") != NULL);
    r = run_plot(NULL, "--help", NULL);
    CHECK_RUN(r, r->rc == 0 && strstr(r->out, "gnuplot-nox") != NULL);
    remove_tree(dir);
}

int
main(void) {
    /* The scripts of this source tree, whatever CHANBENCH_SOURCE_DIR says. */
    setenv("CHANBENCH_SCRIPTS", CHANBENCH_SOURCE_DIR "/scripts", 1);
    test_every_chart();
    test_page();
    test_without_gnuplot();
    test_bad_input();
    return check_result("plot_test");
}
