/* SPDX-License-Identifier: MIT */
/* SIGINT/SIGTERM during `chanbench run`: the first signal stops the run after the current
 * chunk, a second is absorbed with a line, a third aborts at once naming the journal
 * (signals.h). */
#include "signals.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The signal that asked us to stop (0: none), and how many came. Written by the handler. */
static volatile sig_atomic_t g_stop;
static volatile sig_atomic_t g_signals;

/* The line a third signal prints, in two buffers so that it can be rewritten while the handler
 * may read the other (g_abort_idx says which). */
static char g_abort[2][4400];
static volatile sig_atomic_t g_abort_idx;
static bool g_abort_tty; /* clear the progress line first */

static void
set_abort_line(const char *journal) {
    int next = 1 - g_abort_idx;
    if (journal != NULL)
        snprintf(g_abort[next], sizeof g_abort[next],
                 "chanbench run: third signal: stopping at once without writing the results; "
                 "the finished chunks are in %s ('chanbench run --resume %s' continues the "
                 "run)\n",
                 journal, journal);
    else
        snprintf(g_abort[next], sizeof g_abort[next],
                 "chanbench run: third signal: stopping at once without writing the results\n");
    g_abort_idx = next;
}

static void
say_in_handler(const char *line) {
    if (g_abort_tty && write(STDERR_FILENO, "\r\033[K", 4) < 0)
        return;
    if (write(STDERR_FILENO, line, strlen(line)) < 0)
        return;
}

static void
on_signal(int sig) {
    int n = g_signals + 1;
    g_signals = n;
    if (g_stop == 0)
        g_stop = sig;
    if (n == 2)
        say_in_handler("chanbench run: already stopping: the results of the finished chunks "
                       "are being written (a third signal stops at once)\n");
    if (n >= 3) {
        say_in_handler(g_abort[g_abort_idx]);
        _exit(128 + sig);
    }
}

void
signals_install(struct saved_signals *old, bool tty) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT); /* one handler at a time counts the signals */
    sigaddset(&sa.sa_mask, SIGTERM);
    sa.sa_flags = 0; /* not one-shot: a second signal must not kill the shutdown */
    g_abort_tty = tty;
    g_stop = 0;
    g_signals = 0;
    set_abort_line(NULL);
    sigaction(SIGINT, &sa, &old->intr);
    sigaction(SIGTERM, &sa, &old->term);
}

void
signals_restore(const struct saved_signals *old) {
    sigaction(SIGINT, &old->intr, NULL);
    sigaction(SIGTERM, &old->term, NULL);
}

void
signals_set_journal(const char *journal) {
    set_abort_line(journal);
}

volatile sig_atomic_t *
signals_stop(void) {
    return &g_stop;
}
