/* SPDX-License-Identifier: MIT */
/* The journal of a run (journal.h): JSON Lines appended with write and fsync, moved to $TMPDIR
 * when its folder fills up. Reading one back for --resume is in journal_restore.c. */
#define _GNU_SOURCE
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journal_impl.h"
#include "util.h"

/* ---- writing ------------------------------------------------------------------------------ */

static int
write_all(int fd, const char *s, size_t len) {
    while (len > 0) {
        ssize_t w = write(fd, s, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = EIO;
            return -1;
        }
        s += w;
        len -= (size_t)w;
    }
    return 0;
}

static int
sync_fd(int fd) {
    int rc;
    while ((rc = fsync(fd)) != 0 && errno == EINTR)
        ;
    return rc;
}

/* One record as a line: exact doubles (17 digits), NaN written as null. */
static char *
line_of(json_t *rec) {
    return bench_json_line(rec, JSON_COMPACT | JSON_REAL_PRECISION(17));
}

/* The journal's folder filled up (or failed): carry what it holds to $TMPDIR (else /tmp),
 * append line there, and go on there. 0, or -1. */
static int
move_to_tmpdir(struct journal *j, const char *line, const char *why) {
    const char *tmpdir = getenv("TMPDIR");
    if (tmpdir == NULL || tmpdir[0] == '\0')
        tmpdir = "/tmp";
    char copy[4096], base[1024], path[4096];
    snprintf(copy, sizeof copy, "%s", j->path);
    snprintf(base, sizeof base, "%s", basename(copy));
    snprintf(path, sizeof path, "%.2000s/%s", tmpdir, base);
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
    for (int k = 1; fd < 0 && errno == EEXIST && k < 100; k++) {
        snprintf(path, sizeof path, "%.2000s/%s.%d", tmpdir, base, k);
        fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
    }
    if (fd < 0)
        goto fail;
    char buf[65536];
    off_t at = 0;
    while (at < j->good) {
        size_t want = (size_t)(j->good - at) < sizeof buf ? (size_t)(j->good - at) : sizeof buf;
        ssize_t n = pread(j->fd, buf, want, at);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 || write_all(fd, buf, (size_t)n) != 0)
            goto fail_fd;
        at += n;
    }
    if (write_all(fd, line, strlen(line)) != 0 || sync_fd(fd) != 0)
        goto fail_fd;
    char msg[9000];
    snprintf(msg, sizeof msg,
             "chanbench run: cannot append to the journal %s (%s); it goes on in %s", j->path, why,
             path);
    close(j->fd);
    unlink(j->path); /* room for the results file in the full folder */
    j->fd = fd;
    j->good = at + (off_t)strlen(line);
    snprintf(j->path, sizeof j->path, "%s", path);
    j->say(msg);
    return 0;
fail_fd:
    close(fd);
    unlink(path);
fail:
    return -1;
}

/* Append rec (stolen) as one line, flushed to disk. A failure beside the output moves the
 * journal to $TMPDIR; one there too is said once, and the journal stops growing (what it
 * holds stays). */
static void
put(struct journal *j, json_t *rec) {
    char *line = rec != NULL ? line_of(rec) : NULL;
    json_decref(rec);
    if (j == NULL || j->broken[0] != '\0') {
        free(line);
        return;
    }
    if (line == NULL) {
        snprintf(j->broken, sizeof j->broken, "out of memory");
    } else if (write_all(j->fd, line, strlen(line)) == 0 && sync_fd(j->fd) == 0) {
        j->good += (off_t)strlen(line);
    } else {
        char why[256];
        snprintf(why, sizeof why, "%s", strerror(errno));
        if (ftruncate(j->fd, j->good) != 0) { /* drop a part-written line */
        }
        if (move_to_tmpdir(j, line, why) != 0)
            snprintf(j->broken, sizeof j->broken, "%s, and %s/ cannot take it either (%s)", why,
                     getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
                     strerror(errno));
    }
    free(line);
    if (j->broken[0] != '\0') {
        char msg[5000];
        snprintf(msg, sizeof msg,
                 "chanbench run: cannot append to the journal %s: %s; it keeps the chunks "
                 "before this one, and the run goes on",
                 j->path, j->broken);
        j->say(msg);
    }
}

static json_t *
jnum(double x) {
    return isfinite(x) ? json_real(x) : json_null();
}

static json_t *
jpair(double a, double b) {
    return json_pack("[oo]", jnum(a), jnum(b));
}

static json_t *
int_array(const int *v, int n) {
    if (v == NULL)
        return json_null();
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_integer(v[i]));
    return a;
}

struct journal *
journal_create(const char *path, json_t *header, const struct engine *e,
               void (*say)(const char *line), char *err, size_t errlen) {
    struct journal *j = calloc(1, sizeof *j);
    if (j == NULL) {
        bench_seterr(err, errlen, "out of memory for the journal");
        return NULL;
    }
    snprintf(j->path, sizeof j->path, "%s", path);
    j->say = say;
    j->header = json_deep_copy(header);
    json_t *arms = json_array();
    for (int i = 0; i < e->narms; i++)
        json_array_append_new(arms, json_string(e->arms[i].res.name));
    json_object_set_new(j->header, "arms", arms);
    j->fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
    if (j->fd < 0) {
        bench_seterr(err, errlen, "cannot create the journal %s: %s", path, strerror(errno));
        json_decref(j->header);
        free(j);
        return NULL;
    }
    char *line = line_of(j->header);
    if (line == NULL || write_all(j->fd, line, strlen(line)) != 0 || sync_fd(j->fd) != 0) {
        bench_seterr(err, errlen, "cannot write the journal %s: %s", path,
                     line ? strerror(errno) : "out of memory");
        free(line);
        journal_close(j, true);
        return NULL;
    }
    j->good = (off_t)strlen(line);
    free(line);
    return j;
}

void
journal_put_floor(struct journal *j, const struct limit_result *r) {
    json_t *l = json_object();
    json_object_set_new(l, "pus", int_array(r->pus, r->npus));
    json_object_set_new(l, "ring_slots", json_integer(r->ring_slots));
    json_object_set_new(l, "runs", json_integer(r->runs));
    json_object_set_new(l, "run_s", jnum(r->run_s));
    json_object_set_new(l, "clock_overhead_ns", jnum(r->clock_overhead_ns));
    json_object_set_new(l, "c2c_round_trip_ns", jnum(r->c2c_round_trip_ns));
    json_object_set_new(l, "one_way_ns", jnum(r->one_way_ns));
    json_object_set_new(l, "one_way_ts_ns", jnum(r->one_way_ts_ns));
    json_object_set_new(l, "ring_ns_per_msg", jnum(r->ring_ns_per_msg));
    json_t *pairs = json_array();
    for (int i = 0; i < r->npairs; i++) {
        const struct limit_pair *p = &r->pairs[i];
        json_t *o = json_object();
        json_object_set_new(o, "a", json_integer(p->a));
        json_object_set_new(o, "b", json_integer(p->b));
        json_object_set_new(o, "a_observed", json_integer(p->a_observed));
        json_object_set_new(o, "b_observed", json_integer(p->b_observed));
        json_object_set_new(o, "relation", json_string(p->relation ? p->relation : ""));
        json_object_set_new(o, "c2c_median_ns", jnum(p->c2c_median_ns));
        json_object_set_new(o, "one_way_ts_ns", jnum(p->one_way_ts_ns));
        json_object_set_new(o, "ring", json_boolean(p->ring));
        json_object_set_new(o, "ring_median_ns", jnum(p->ring_median_ns));
        json_t *runs = json_array();
        for (int k = 0; k < p->nruns && k < LIMIT_MAX_RUNS; k++)
            json_array_append_new(
                runs, json_pack("[ooIIIooIII]", jnum(p->c2c_ns[k]), jnum(p->c2c_cpu_ns[k]),
                                (json_int_t)p->c2c_iters[k], (json_int_t)p->c2c_vcs[k],
                                (json_int_t)p->c2c_ivcs[k], jnum(p->ring_ns[k]),
                                jnum(p->ring_cpu_ns[k]), (json_int_t)p->ring_msgs[k],
                                (json_int_t)p->ring_vcs[k], (json_int_t)p->ring_ivcs[k]));
        json_object_set_new(o, "runs", runs);
        json_array_append_new(pairs, o);
    }
    json_object_set_new(l, "pairs", pairs);
    put(j, json_pack("{s:s, s:o}", "t", "floor", "limit", l));
}

void
journal_put_resume(struct journal *j, time_t when) {
    put(j, json_pack("{s:s, s:I}", "t", "resume", "time", (json_int_t)when));
}

static json_t *
chunk_record(const struct engine *e, const struct engine_event *ev) {
    const struct rep_result *p = ev->rep;
    json_t *o = json_object();
    json_object_set_new(o, "t", json_string("chunk"));
    json_object_set_new(o, "arm", json_string(ev->arm->res.name));
    json_object_set_new(o, "round", json_integer(p->round));
    json_object_set_new(o, "position", json_integer(p->position));
    json_object_set_new(o, "started_s", jnum(p->started_s));
    json_object_set_new(o, "ops", json_integer((json_int_t)p->ops));
    json_object_set_new(o, "real_ns", jnum(p->real_ns));
    json_object_set_new(o, "cpu_ns", jnum(p->cpu_ns));
    json_object_set_new(o, "items_per_second", jnum(p->items_per_second));
    json_object_set_new(o, "vcsw", json_integer(p->vcsw));
    json_object_set_new(o, "ivcsw", json_integer(p->ivcsw));
    json_object_set_new(o, "threads", json_integer(p->nthreads));
    json_object_set_new(o, "pu_requested", int_array(p->pu_requested, p->nthreads));
    json_object_set_new(o, "pu_observed", int_array(p->pu_observed, p->nthreads));
    json_object_set_new(o, "relation", p->relation ? json_string(p->relation) : json_null());
    if (p->has_latency)
        json_object_set_new(o, "latency",
                            json_pack("[IIIIIII]", (json_int_t)p->lat.count, (json_int_t)p->lat.min,
                                      (json_int_t)p->lat.p50, (json_int_t)p->lat.p90,
                                      (json_int_t)p->lat.p99, (json_int_t)p->lat.p999,
                                      (json_int_t)p->lat.max));
    json_t *x = json_array();
    for (int k = 0; k < p->nextra; k++)
        json_array_append_new(x, json_pack("[so]", p->extra[k].key, jnum(p->extra[k].value)));
    json_object_set_new(o, "extra", x);
    json_object_set_new(o, "before", jpair(p->before.c2c_ns, p->before.ring_ns));
    json_object_set_new(o, "after", jpair(p->after.c2c_ns, p->after.ring_ns));
    json_t *pr = json_array();
    for (size_t k = ev->probe_from; k < e->nprobes; k++)
        json_array_append_new(pr, jpair(e->probes[k].c2c_ns, e->probes[k].ring_ns));
    json_object_set_new(o, "probes", pr);
    const struct round_info *ri = &e->round[p->round];
    json_object_set_new(o, "round_started_s", jnum(ri->started_s));
    json_object_set_new(o, "elapsed_s", jnum(ev->elapsed_s));
    return o;
}

void
journal_record(void *ctx, const struct engine *e, const struct engine_event *ev) {
    struct journal *j = ctx;
    switch (ev->kind) {
    case ENGINE_CHUNK:
        put(j, chunk_record(e, ev));
        break;
    case ENGINE_ROUND: {
        const struct round_info *ri = &e->round[ev->round];
        put(j, json_pack("{s:s, s:i, s:o, s:o, s:o, s:o}", "t", "round", "round", ev->round,
                         "started_s", jnum(ri->started_s), "duration_s", jnum(ri->duration_s),
                         "steal_ms", jnum(ri->steal_ms), "elapsed_s", jnum(ev->elapsed_s)));
        break;
    }
    case ENGINE_ARM:
        put(j, json_pack("{s:s, s:s, s:s}", "t", "arm", "arm", ev->arm->res.name, "state",
                         ev->arm->state == ARM_SKIPPED ? "skipped" : "failed"));
        break;
    }
}

const char *
journal_path(const struct journal *j) {
    return j->path;
}

const char *
journal_broken(const struct journal *j) {
    return j->broken[0] != '\0' ? j->broken : NULL;
}

void
journal_close(struct journal *j, bool remove) {
    if (j == NULL)
        return;
    if (j->fd >= 0)
        close(j->fd);
    if (remove)
        unlink(j->path);
    json_decref(j->header);
    json_decref(j->records);
    json_decref(j->pool);
    free(j);
}
