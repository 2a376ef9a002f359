/* SPDX-License-Identifier: MIT */
/* The journal of a run: every chunk, round and arm failure appended as it happens, flushed to
 * disk, so that neither an interruption nor a failed final write loses what finished, and
 * `chanbench run --resume JOURNAL` can continue the run. JSON Lines: a header (the run's
 * arguments, seed, output file, start, command, host and arms), then one record a line
 * (docs/design.md, "The journal"). It is the engine's recorder (engine.h); restoring fills a
 * fresh engine's arms, rounds and probes. Harness-internal. */
#ifndef BENCH_JOURNAL_H
#define BENCH_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "engine.h"
#include "floor.h"

#define JOURNAL_VERSION 1

struct journal;

/* Create path (which must not exist) and write header (borrowed), with e's arm names added as
 * "arms". Lines about the journal moving or failing later go through say. NULL with a
 * one-line err. */
struct journal *journal_create(const char *path, json_t *header, const struct engine *e,
                               void (*say)(const char *line), char *err, size_t errlen);

/* Open an existing journal to continue it: its header and records are read (a last line cut
 * short by a crash is dropped), and later records are appended. NULL with a one-line err
 * naming the file (and the line) when it is not a chanbench journal. */
struct journal *journal_open(const char *path, void (*say)(const char *line), char *err,
                             size_t errlen);

/* The header (borrowed). */
json_t *journal_header(const struct journal *j);

/* Put the records of an opened journal into e (engine_init'ed with the header's options):
 * the chunks of each arm, the rounds' figures, the probe readings, the arms that failed. 0,
 * or -1 with a one-line err when the arms differ from the header's or a record is not
 * valid. */
int journal_restore(struct journal *j, struct engine *e, char *err, size_t errlen);

/* The hardware floor an opened journal recorded, into out (free with limit_result_free):
 * true, or false when it holds none. */
bool journal_restore_floor(const struct journal *j, struct limit_result *out);

/* How many times the run was resumed before (the "resume" records). */
int journal_resumes(const struct journal *j);

/* Append the floor, a "resume" record. */
void journal_put_floor(struct journal *j, const struct limit_result *r);
void journal_put_resume(struct journal *j, time_t when);

/* The engine's recorder: ctx is the journal. */
void journal_record(void *ctx, const struct engine *e, const struct engine_event *ev);

/* Where it is now (it moves to $TMPDIR when its folder fills up), and, once appending failed
 * for good, why (else NULL). */
const char *journal_path(const struct journal *j);
const char *journal_broken(const struct journal *j);

/* Close it; with remove, delete the file too (the results are written). */
void journal_close(struct journal *j, bool remove);

#endif
