/* SPDX-License-Identifier: MIT */
/* The journal side of `chanbench run` (resume.h): --resume takes the run's options from its
 * journal; a new run creates one beside its results; what the journal's header says (start,
 * host, command) wins over this process's. */
#include "resume.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "registry.h"
#include "report.h"

/* The implementation names of o, checked against the families' (a resumed run's too). 0, or 2
 * after a message. */
static int
check_impls(const struct bench_family *const *families, const struct run_options *o) {
    for (int k = 0; k < o->nimpls; k++) {
        if (!registry_has_impl(families, o->impls[k])) {
            char known[512];
            registry_impl_names(families, known, sizeof known);
            fprintf(stderr, "chanbench run: unknown implementation '%s' in --impl; known: %s\n",
                    o->impls[k], known);
            return 2;
        }
    }
    return 0;
}

void
resumed_args_free(struct resumed_args *ra) {
    for (int i = 0; i < ra->argc; i++)
        free(ra->argv[i]);
    free(ra->argv);
    ra->argv = NULL;
    ra->argc = 0;
}

/* --resume: open the journal and put its run's options into *o, with its seed and output file
 * (--out, --format, --store and --no-store of this command line win). -1 to go on, or an exit
 * status after a message. */
int
resume_options(struct run_options *o, const struct bench_family *const *families,
               struct journal **jn, struct resumed_args *ra, void (*say)(const char *line)) {
    char err[4400];
    *jn = journal_open(o->resume, say, err, sizeof err);
    if (*jn == NULL) {
        fprintf(stderr, "chanbench run: %s\n", err);
        return 2;
    }
    json_t *h = journal_header(*jn);
    json_t *args = json_object_get(h, "args");
    json_t *seed = json_object_get(h, "seed");
    const char *out = json_string_value(json_object_get(h, "out"));
    if (!json_is_array(args) || !json_is_integer(seed) || out == NULL) {
        fprintf(stderr,
                "chanbench run: --resume %s: its header lacks the run's arguments, seed "
                "or output file\n",
                o->resume);
        return 2;
    }
    ra->argv = calloc(json_array_size(args) + 2, sizeof *ra->argv);
    if (ra->argv == NULL || (ra->argv[ra->argc++] = strdup("run")) == NULL) {
        fprintf(stderr, "chanbench run: out of memory\n");
        return 1;
    }
    size_t i;
    json_t *a;
    json_array_foreach(args, i, a) {
        if (!json_is_string(a) || (ra->argv[ra->argc++] = strdup(json_string_value(a))) == NULL) {
            fprintf(stderr, "chanbench run: --resume %s: a bad argument in its header\n",
                    o->resume);
            return 2;
        }
    }
    const char *resume = o->resume, *out_given = o->out;
    const char *store = o->store;
    bool no_store = o->no_store, store_given = o->store_given;
    enum out_format format = o->format;
    cli_free(o);
    if (cli_parse(ra->argc, ra->argv, false, o, err, sizeof err) != 0) {
        fprintf(stderr,
                "chanbench run: --resume %s: this chanbench refuses the run's options: %s\n",
                resume, err);
        return 2;
    }
    if (check_impls(families, o) != 0)
        return 2;
    o->resume = resume;
    o->seed = (uint64_t)json_integer_value(seed);
    o->seed_given = true;
    o->out = out_given != NULL ? out_given : out;
    o->format = format;
    if (store_given) { /* this command line's --store or --no-store wins over the journal's */
        o->store = store;
        o->no_store = no_store;
    }
    if (strcmp(o->out, "-") == 0 && (o->format == FORMAT_CSV || o->format == FORMAT_GOBENCH)) {
        fprintf(stderr,
                "chanbench run: --out - writes the JSON results to stdout, where --format %s "
                "would go too: give --out FILE\n",
                cli_format_name(o->format));
        return 2;
    }
    return -1;
}

/* Where a new run's journal goes: beside the results file, or in $TMPDIR (else /tmp) for
 * --out - . */
void
resume_journal_place(char *buf, size_t len, const char *target, const char *host, time_t started) {
    if (strcmp(target, "-") != 0) {
        snprintf(buf, len, "%s.journal", target);
        return;
    }
    const char *tmpdir = getenv("TMPDIR");
    char name[512];
    report_default_path(name, sizeof name, host, started); /* results/<host>-<stamp>.json */
    const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
    const char *dot = strrchr(base, '.');
    int stem = dot != NULL ? (int)(dot - base) : (int)strlen(base); /* without .json */
    snprintf(buf, len, "%s/chanbench-%d-%.*s.journal", tmpdir && *tmpdir ? tmpdir : "/tmp",
             (int)getpid(), stem, base);
}

/* A new run's journal: beside the results, else in $TMPDIR with a line; NULL (after a line)
 * when neither can be created. */
static struct journal *
start_journal(const char *where, const char *host, json_t *header, const struct engine *e,
              void (*say)(const char *line)) {
    char err[4400], err2[4400];
    struct journal *jn = journal_create(where, header, e, say, err, sizeof err);
    if (jn != NULL)
        return jn;
    const char *tmpdir = getenv("TMPDIR");
    char alt[4400];
    snprintf(alt, sizeof alt, "%s/chanbench-%d-%s.journal", tmpdir && *tmpdir ? tmpdir : "/tmp",
             (int)getpid(), host);
    jn = journal_create(alt, header, e, say, err2, sizeof err2);
    char line[9000];
    if (jn != NULL)
        snprintf(line, sizeof line, "chanbench run: %s; the journal is %s instead", err, alt);
    else
        snprintf(line, sizeof line,
                 "chanbench run: %s, nor in %s; the run goes on without a journal (an "
                 "interruption keeps what finished, a failed final write loses it)",
                 err, alt);
    say(line);
    return jn;
}

time_t
resume_started(const struct journal *jn, time_t now) {
    json_t *header = jn != NULL ? journal_header(jn) : NULL;
    if (header != NULL && json_is_integer(json_object_get(header, "started")))
        return (time_t)json_integer_value(json_object_get(header, "started"));
    return now;
}

int
resume_check_host(const struct journal *jn, const char *resume, const char *host) {
    json_t *header = jn != NULL ? journal_header(jn) : NULL;
    const char *was_host =
        header != NULL ? json_string_value(json_object_get(header, "host")) : NULL;
    if (was_host != NULL && strcmp(was_host, host) != 0) {
        fprintf(stderr,
                "chanbench run: --resume %s: the run was on host '%s' and this is '%s'; resume "
                "it where it started\n",
                resume, was_host, host);
        return 2;
    }
    return 0;
}

void
resume_command(const struct journal *jn, char *command, size_t len) {
    json_t *header = jn != NULL ? journal_header(jn) : NULL;
    if (header != NULL && json_is_string(json_object_get(header, "command")))
        snprintf(command, len, "%s", json_string_value(json_object_get(header, "command")));
}

struct journal *
resume_begin(struct journal *jn, const struct engine *e, const struct resume_new *nw,
             void (*say)(const char *line)) {
    if (jn != NULL) {
        journal_put_resume(jn, time(NULL));
        if (e->chunks_restored > 0) {
            char line[4600];
            snprintf(line, sizeof line,
                     "chanbench run: resuming %s: %zu of %zu chunks were done, seed %llu",
                     journal_path(jn), e->chunks_restored, e->chunks_total,
                     (unsigned long long)e->seed);
            say(line);
        }
        return jn;
    }
    json_t *args = json_array();
    for (int i = 1; i < nw->argc; i++)
        json_array_append_new(args, json_string(nw->argv[i]));
    json_t *h =
        json_pack("{s:i, s:o, s:s, s:I, s:I, s:s, s:s}", "chanbench_journal", JOURNAL_VERSION,
                  "args", args, "out", nw->target, "seed", (json_int_t)e->seed, "started",
                  (json_int_t)nw->started, "command", nw->command, "host", nw->host);
    jn = h != NULL ? start_journal(nw->place, nw->host, h, e, say) : NULL;
    json_decref(h);
    return jn;
}
