/* SPDX-License-Identifier: MIT */
/* The journal side of `chanbench run` (resume.c, measure/journal.h for the file): --resume
 * JOURNAL takes the interrupted run's options, seed, start, host and command from the journal's
 * header; a new run creates its journal beside the results file (else in $TMPDIR). Lines go
 * through say (run.c's, which clears the progress line). Harness-internal. */
#ifndef BENCH_RESUME_H
#define BENCH_RESUME_H

#include <stddef.h>
#include <time.h>

#include "cli.h"
#include "engine.h"
#include "harness.h"
#include "journal.h"

/* The strings a resumed run's options point into: the journal's arguments, copied. */
struct resumed_args {
    int argc;
    char **argv;
};

void resumed_args_free(struct resumed_args *ra);

/* --resume: open the journal into *jn and put its run's options into *o, with its seed and
 * output file (--out and --format of this command line win); *ra holds the strings. -1 to go
 * on, or an exit status after a message. */
int resume_options(struct run_options *o, const struct bench_family *const *families,
                   struct journal **jn, struct resumed_args *ra, void (*say)(const char *line));

/* The resumed run's start (now for a new run, jn NULL). */
time_t resume_started(const struct journal *jn, time_t now);

/* 0 when the resumed run (jn, from --resume) was on this host (or jn is NULL), else 2 after a
 * message. */
int resume_check_host(const struct journal *jn, const char *resume, const char *host);

/* The resumed run's command line into command (left alone for a new run). */
void resume_command(const struct journal *jn, char *command, size_t len);

/* Where a new run's journal goes (into buf): beside the results file target, or in $TMPDIR
 * (else /tmp) for --out - (target "-"). */
void resume_journal_place(char *buf, size_t len, const char *target, const char *host,
                          time_t started);

/* What a new run's journal header holds. */
struct resume_new {
    int argc; /* the subcommand's arguments, argv[0] "run" */
    char **argv;
    const char *target; /* the results file, "-" for stdout */
    const char *place;  /* resume_journal_place's */
    time_t started;
    const char *command;
    const char *host;
};

/* The run's journal once the engine is set up (and restored): a resumed one (jn) records the
 * resumption and says how far the run was; else one is created from nw, beside the results or
 * in $TMPDIR with a line. NULL (after a line) when there is none. */
struct journal *resume_begin(struct journal *jn, const struct engine *e,
                             const struct resume_new *nw, void (*say)(const char *line));

#endif
