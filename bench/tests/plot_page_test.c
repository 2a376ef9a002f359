/* SPDX-License-Identifier: MIT */
/* `chanbench plot`'s page as a browser draws it: headless Chromium takes a screenshot of
 * index.html (of bench/tests/data/rounds.json) and of a blank page of the same size; the page's
 * must be a PNG of that size and far larger than the blank one (charts, tables and text
 * compress worse than white). Skipped (exit 77) where Chromium is not installed. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "commands.h"

#define DATA CHANBENCH_SOURCE_DIR "/bench/tests/data/"
#define SKIPPED 77

#include "capture.h" /* after CHECK, which it uses */

/* Run cmd_plot(argv) in a child. */
static struct run *
run_plot(const char *first, ...) {
    va_list ap;
    va_start(ap, first);
    struct run *r = capture_command(cmd_plot, "plot", NULL, first, ap);
    va_end(ap);
    return r;
}

#define WIDTH 1400
#define HEIGHT 4000

/* The browser: $CHANBENCH_CHROMIUM, else chromium or chromium-browser on PATH; NULL if none. */
static const char *
find_chromium(void) {
    const char *env = getenv("CHANBENCH_CHROMIUM");
    if (env != NULL && *env != '\0')
        return env;
    if (system("command -v chromium >/dev/null 2>&1") == 0)
        return "chromium";
    if (system("command -v chromium-browser >/dev/null 2>&1") == 0)
        return "chromium-browser";
    return NULL;
}

/* Screenshot of url into png; Chromium's output goes to log. Chromium can take seconds to
 * start: 60 s, then it is killed. Returns the shell's status. */
static int
screenshot(const char *chromium, const char *profile, const char *url, const char *png,
           const char *log) {
    char cmd[2048];
    /* --no-sandbox: the sandbox refuses to run as root (CI containers); the page is ours. */
    snprintf(cmd, sizeof cmd,
             "timeout -k 5 60 %s --headless --no-sandbox --disable-gpu --hide-scrollbars "
             "--no-first-run --user-data-dir='%s' --screenshot='%s' --window-size=%d,%d '%s' "
             ">'%s' 2>&1 </dev/null",
             chromium, profile, png, WIDTH, HEIGHT, url, log);
    return system(cmd);
}

/* A PNG's size from its header, and the file's length; false when it is not a PNG. */
static bool
png_info(const char *path, unsigned *w, unsigned *h, long *bytes) {
    unsigned char b[24];
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return false;
    size_t n = fread(b, 1, sizeof b, f);
    fseek(f, 0, SEEK_END);
    *bytes = ftell(f);
    fclose(f);
    if (n < 24 || memcmp(b, "\x89PNG\r\n\x1a\n", 8) != 0 || memcmp(b + 12, "IHDR", 4) != 0)
        return false;
    *w = (unsigned)b[16] << 24 | (unsigned)b[17] << 16 | (unsigned)b[18] << 8 | b[19];
    *h = (unsigned)b[20] << 24 | (unsigned)b[21] << 16 | (unsigned)b[22] << 8 | b[23];
    return true;
}

static void
show_log(const char *log) {
    static char text[16384];
    capture_slurp(log, text, sizeof text);
    fprintf(stderr, "--- chromium said:\n%s\n", text);
}

int
main(void) {
    setenv("CHANBENCH_SCRIPTS", CHANBENCH_SOURCE_DIR "/scripts", 1);
    const char *chromium = find_chromium();
    if (chromium == NULL) {
        printf("plot_page_test: SKIPPED: chromium is not installed (Debian: apt install "
               "chromium; or set CHANBENCH_CHROMIUM)\n");
        return SKIPPED;
    }
    char dir[] = "/tmp/plot_page_test_XXXXXX";
    REQUIRE(mkdtemp(dir) != NULL);
    char out[128], profile[128], blank[128], page_png[128], blank_png[128], log[128];
    snprintf(out, sizeof out, "%s/plots", dir);
    snprintf(profile, sizeof profile, "%s/profile", dir);
    snprintf(blank, sizeof blank, "%s/blank.html", dir);
    snprintf(page_png, sizeof page_png, "%s/page.png", dir);
    snprintf(blank_png, sizeof blank_png, "%s/blank.png", dir);
    snprintf(log, sizeof log, "%s/chromium.log", dir);

    struct run *r = run_plot("--out", out, DATA "rounds.json", NULL);
    if (r->rc != 0 && r->rc != 3) /* 3: no gnuplot, a page without charts */
        fprintf(stderr, "rc %d\n--- stdout\n%s\n--- stderr\n%s\n", r->rc, r->out, r->err);
    REQUIRE(r->rc == 0 || r->rc == 3);

    FILE *f = fopen(blank, "w");
    REQUIRE(f != NULL);
    fputs("<!DOCTYPE html>\n<html><body></body></html>\n", f);
    fclose(f);

    char url[256];
    snprintf(url, sizeof url, "file://%s/index.html", out);
    int st = screenshot(chromium, profile, url, page_png, log);
    unsigned w = 0, h = 0;
    long page_bytes = 0, blank_bytes = 0;
    bool ok = png_info(page_png, &w, &h, &page_bytes);
    if (!ok)
        show_log(log);
    printf("plot_page_test: %s: status %d, %ux%u, %ld bytes\n", page_png, st, w, h, page_bytes);
    REQUIRE(ok);
    CHECK(w == WIDTH && h == HEIGHT);

    snprintf(url, sizeof url, "file://%s", blank);
    st = screenshot(chromium, profile, url, blank_png, log);
    unsigned bw = 0, bh = 0;
    ok = png_info(blank_png, &bw, &bh, &blank_bytes);
    if (!ok)
        show_log(log);
    printf("plot_page_test: %s: status %d, %ux%u, %ld bytes\n", blank_png, st, bw, bh, blank_bytes);
    REQUIRE(ok);
    CHECK(bw == w && bh == h);
    /* A blank 1400x4000 screenshot is ~25 KB; the page's, with three charts, ~400 KB. */
    CHECK(page_bytes > 4 * blank_bytes);

    if (check_result("plot_page_test") == 0) {
        char rm[256];
        snprintf(rm, sizeof rm, "rm -rf '%s'", dir);
        if (system(rm) != 0)
            fprintf(stderr, "plot_page_test: could not remove %s\n", dir);
        return 0;
    }
    fprintf(stderr, "plot_page_test: the files are in %s\n", dir);
    return 1;
}
