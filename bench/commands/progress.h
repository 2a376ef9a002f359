/* SPDX-License-Identifier: MIT */
/* The progress line of `chanbench run` on stderr, when stderr is a terminal: where the run is
 * and how long the rest will take; the lines said during the run clear it first.
 * Harness-internal. */
#ifndef BENCH_PROGRESS_H
#define BENCH_PROGRESS_H

#include <stdbool.h>

#include "engine.h"

/* Start the clock, and show the line from now on if stderr is a terminal. */
void progress_start(void);
bool progress_on(void);

/* Before every call (engine_run's show): the round, the chunk, the time elapsed, and the time
 * left at the rate of the chunks this process measured, which includes their probes; while
 * calibrating, the arm and a guess ('~') from the calibrations so far and --min-time. */
void progress_show(const struct engine *e, const struct arm *a, const char *what);

/* Show text as the progress line (until cleared). */
void progress_note(const char *text);

/* Clear the line if it is shown. */
void progress_clear(void);

/* One line on stderr over the progress line (engine's and journal's say). */
void progress_say(const char *line);

#endif
