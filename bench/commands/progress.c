/* SPDX-License-Identifier: MIT */
/* The progress line of `chanbench run` on stderr (progress.h). */
#include "progress.h"

#include <stdio.h>
#include <unistd.h>

#include "harness.h"

/* The progress line on stderr (when it is a terminal), and the lines said over it. */
static struct {
    bool on;
    bool shown;
    int64_t t0;
} g_pg;

void
progress_clear(void) {
    if (g_pg.on && g_pg.shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        g_pg.shown = false;
    }
}

void
progress_say(const char *line) {
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

void
progress_show(const struct engine *e, const struct arm *a, const char *what) {
    if (!g_pg.on)
        return;
    double el = (double)(bench_now_ns() - g_pg.t0) / 1e9;
    char els[16], eta[16] = "?";
    fmt_secs(els, sizeof els, el);
    size_t done = e->chunks_done - e->chunks_restored; /* measured by this process */
    if (done > 0 && e->t0_ns > 0) {
        double rate =
            ((double)(bench_now_ns() - e->t0_ns) / 1e9 - e->elapsed_restored_s) / (double)done;
        fmt_secs(eta, sizeof eta, rate * (double)(e->chunks_total - e->chunks_done));
    }
    fprintf(stderr, "\r\033[K[%s, chunk %zu/%zu] %.60s  elapsed %s  eta %s", what,
            e->chunks_done + 1, e->chunks_total, a->res.name, els, eta);
    fflush(stderr);
    g_pg.shown = true;
}

void
progress_start(void) {
    g_pg.on = isatty(STDERR_FILENO);
    g_pg.shown = false;
    g_pg.t0 = bench_now_ns();
}

bool
progress_on(void) {
    return g_pg.on;
}

void
progress_note(const char *text) {
    if (!g_pg.on)
        return;
    fprintf(stderr, "\r\033[K%s", text);
    fflush(stderr);
    g_pg.shown = true;
}
