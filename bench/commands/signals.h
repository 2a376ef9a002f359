/* SPDX-License-Identifier: MIT */
/* SIGINT/SIGTERM during `chanbench run` (signals.c). The policy: the first signal asks the
 * run to stop after the current chunk and write what finished; a second (timeout(1) sends
 * SIGTERM to the process and then to its group) is absorbed with a line; a third stops at
 * once, after a line naming the journal that keeps the finished chunks. Harness-internal. */
#ifndef BENCH_SIGNALS_H
#define BENCH_SIGNALS_H

#include <signal.h>
#include <stdbool.h>

struct saved_signals {
    struct sigaction intr, term;
};

/* Handle SIGINT and SIGTERM as above, saving the previous handlers in *old. tty: stderr shows
 * a progress line, which the handler's lines clear first. */
void signals_install(struct saved_signals *old, bool tty);
void signals_restore(const struct saved_signals *old);

/* The journal a third signal names (NULL: none). */
void signals_set_journal(const char *journal);

/* The signal that asked the run to stop (0: none yet), for engine_run to poll. */
volatile sig_atomic_t *signals_stop(void);

#endif
