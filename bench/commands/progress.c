/* SPDX-License-Identifier: MIT */
/* The progress line of `chanbench run` on stderr (progress.h). */
#include "progress.h"

#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "harness.h"

/* The progress line on stderr (when it is a terminal), and the lines said over it. */
static struct {
    bool on;
    bool shown;
    int64_t t0;
    int64_t calib_t0; /* when the first arm's calibration began */
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
    int64_t now = bench_now_ns();
    double el = (double)(now - g_pg.t0) / 1e9;
    char els[16], eta[16] = "?", where[48];
    fmt_secs(els, sizeof els, el);
    size_t done = e->chunks_done - e->chunks_restored; /* measured by this process */
    if (e->chunks_total == 0) {
        /* Calibrating: the arms left at the pace so far, then every round's chunks at about
         * --min-time each (a guess until the first chunks give a rate). */
        size_t i = (size_t)(a - e->arms), n = (size_t)e->narms;
        if (g_pg.calib_t0 == 0)
            g_pg.calib_t0 = now;
        if (i > 0) {
            double per_arm = (double)(now - g_pg.calib_t0) / 1e9 / (double)i;
            double rounds = (double)n * (double)e->rounds * e->opts->min_time_s * 1.3;
            fmt_secs(eta + 1, sizeof eta - 1, per_arm * (double)(n - i) + rounds);
            eta[0] = '~';
        }
        snprintf(where, sizeof where, "arm %zu/%zu", i + 1, n);
    } else {
        if (done > 0 && e->t0_ns > 0) {
            double rate = ((double)(now - e->t0_ns) / 1e9 - e->elapsed_restored_s) / (double)done;
            fmt_secs(eta, sizeof eta, rate * (double)(e->chunks_total - e->chunks_done));
        }
        snprintf(where, sizeof where, "chunk %zu/%zu", e->chunks_done + 1, e->chunks_total);
    }
    fprintf(stderr, "\r\033[K[%s, %s] %.60s  elapsed %s  eta %s", what, where, a->res.name, els,
            eta);
    fflush(stderr);
    g_pg.shown = true;
}

void
progress_start(void) {
    g_pg.on = isatty(STDERR_FILENO);
    g_pg.shown = false;
    g_pg.t0 = bench_now_ns();
    g_pg.calib_t0 = 0;
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
