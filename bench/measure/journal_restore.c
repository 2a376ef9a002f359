/* SPDX-License-Identifier: MIT */
/* The journal of a run (journal.h), read back: opening an existing journal (a line cut short
 * by a crash dropped) and putting its records into a fresh engine for --resume. Writing is in
 * journal.c. */
#define _GNU_SOURCE
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal_impl.h"
#include "topology.h"
#include "util.h"

/* ---- reading ------------------------------------------------------------------------------ */

struct journal *
journal_open(const char *path, void (*say)(const char *line), char *err, size_t errlen) {
    struct journal *j = calloc(1, sizeof *j);
    if (j == NULL) {
        bench_seterr(err, errlen, "out of memory for the journal");
        return NULL;
    }
    j->fd = -1;
    j->say = say;
    snprintf(j->path, sizeof j->path, "%s", path);
    j->records = json_array();
    j->pool = json_object();
    char *text = NULL;
    j->fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC);
    struct stat st;
    if (j->fd < 0 || fstat(j->fd, &st) != 0) {
        bench_seterr(err, errlen, "--resume %s: %s", path, strerror(errno));
        goto fail;
    }
    if (!S_ISREG(st.st_mode)) {
        bench_seterr(err, errlen, "--resume %s: not a regular file: give the journal of a run",
                     path);
        goto fail;
    }
    text = malloc((size_t)st.st_size + 1);
    if (text == NULL) {
        bench_seterr(err, errlen, "--resume %s: out of memory", path);
        goto fail;
    }
    size_t have = 0;
    while (have < (size_t)st.st_size) {
        ssize_t n = pread(j->fd, text + have, (size_t)st.st_size - have, (off_t)have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            bench_seterr(err, errlen, "--resume %s: read error", path);
            goto fail;
        }
        have += (size_t)n;
    }
    text[have] = '\0';
    int lineno = 0;
    char *p = text;
    for (char *nl; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
        *nl = '\0';
        lineno++;
        json_error_t je;
        json_t *rec = json_loads(p, JSON_ALLOW_NUL, &je);
        if (!json_is_object(rec)) {
            bench_seterr(err, errlen, "--resume %s:%d: not a chanbench journal line (%s)", path,
                         lineno, rec == NULL ? je.text : "not an object");
            json_decref(rec);
            goto fail;
        }
        if (lineno == 1) {
            if (json_integer_value(json_object_get(rec, "chanbench_journal")) != JOURNAL_VERSION) {
                bench_seterr(err, errlen,
                             "--resume %s: not a chanbench journal of version %d (its first "
                             "line says): give the FILE.journal a run left",
                             path, JOURNAL_VERSION);
                json_decref(rec);
                goto fail;
            }
            j->header = rec;
        } else {
            json_array_append_new(j->records, rec);
        }
        j->good = (off_t)(nl + 1 - text);
    }
    if (j->header == NULL) {
        bench_seterr(err, errlen,
                     "--resume %s: not a chanbench journal (no header line): give the "
                     "FILE.journal a run left",
                     path);
        goto fail;
    }
    /* A record cut short by a crash: dropped, so that the next one starts a line. */
    if (j->good < (off_t)have && ftruncate(j->fd, j->good) != 0) {
        bench_seterr(err, errlen, "--resume %s: cannot cut its unfinished last line: %s", path,
                     strerror(errno));
        goto fail;
    }
    free(text);
    return j;
fail:
    free(text);
    journal_close(j, false);
    return NULL;
}

json_t *
journal_header(const struct journal *j) {
    return j->header;
}

int
journal_resumes(const struct journal *j) {
    int n = 0;
    size_t i;
    json_t *rec;
    json_array_foreach(j->records, i, rec) {
        const char *t = json_string_value(json_object_get(rec, "t"));
        n += t != NULL && strcmp(t, "resume") == 0;
    }
    return n;
}

static double
num(json_t *v) {
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static int *
ints(json_t *a, int n) {
    if (!json_is_array(a) || json_array_size(a) != (size_t)n || n <= 0)
        return NULL;
    int *v = malloc((size_t)n * sizeof *v);
    if (v == NULL)
        return NULL;
    for (int i = 0; i < n; i++)
        v[i] = (int)json_integer_value(json_array_get(a, (size_t)i));
    return v;
}

/* A string that lives as long as the journal. */
static const char *
intern(struct journal *j, const char *s) {
    if (json_object_get(j->pool, s) == NULL)
        json_object_set_new(j->pool, s, json_true());
    void *it = json_object_iter_at(j->pool, s);
    return it != NULL ? json_object_iter_key(it) : NULL;
}

/* The relation names topo_relation gives live for the program; others are interned. */
static const char *
relation_of(struct journal *j, const char *s) {
    if (s == NULL)
        return NULL;
    for (int r = 0; r < TOPO_NRELATIONS; r++)
        if (strcmp(topo_relation_name(r), s) == 0)
            return topo_relation_name(r);
    return intern(j, s);
}

static int
find_arm(const struct engine *e, const char *name) {
    for (int i = 0; name != NULL && i < e->narms; i++)
        if (strcmp(e->arms[i].res.name, name) == 0)
            return i;
    return -1;
}

static int
push_probe(struct engine *e, json_t *pair) {
    if (e->nprobes == e->capprobes) {
        size_t ncap = e->capprobes ? e->capprobes * 2 : 1024;
        struct probe_reading *np = realloc(e->probes, ncap * sizeof *np);
        if (np == NULL)
            return -1;
        e->probes = np;
        e->capprobes = ncap;
    }
    e->probes[e->nprobes++] =
        (struct probe_reading){num(json_array_get(pair, 0)), num(json_array_get(pair, 1))};
    return 0;
}

static int
restore_chunk(struct journal *j, struct engine *e, json_t *rec, char *why, size_t len) {
    int i = find_arm(e, json_string_value(json_object_get(rec, "arm")));
    json_t *jr = json_object_get(rec, "round");
    int round = (int)json_integer_value(jr);
    if (i < 0 || !json_is_integer(jr) || round < 0 || round >= e->rounds) {
        bench_seterr(why, len, "a chunk of an unknown arm or round");
        return -1;
    }
    struct arm *a = &e->arms[i];
    for (size_t k = 0; k < a->res.nreps; k++)
        if (a->res.reps[k].round == round) {
            bench_seterr(why, len, "a second chunk of %s in round %d", a->res.name, round);
            return -1;
        }
    if (a->res.nreps >= (size_t)e->rounds) {
        bench_seterr(why, len, "more chunks of %s than rounds", a->res.name);
        return -1;
    }
    struct rep_result p;
    memset(&p, 0, sizeof p);
    p.round = round;
    p.position = (int)json_integer_value(json_object_get(rec, "position"));
    p.started_s = num(json_object_get(rec, "started_s"));
    p.ops = (uint64_t)json_integer_value(json_object_get(rec, "ops"));
    p.real_ns = num(json_object_get(rec, "real_ns"));
    p.cpu_ns = num(json_object_get(rec, "cpu_ns"));
    p.items_per_second = num(json_object_get(rec, "items_per_second"));
    p.vcsw = (long)json_integer_value(json_object_get(rec, "vcsw"));
    p.ivcsw = (long)json_integer_value(json_object_get(rec, "ivcsw"));
    p.nthreads = (int)json_integer_value(json_object_get(rec, "threads"));
    p.pu_requested = ints(json_object_get(rec, "pu_requested"), p.nthreads);
    p.pu_observed = ints(json_object_get(rec, "pu_observed"), p.nthreads);
    if (p.pu_requested == NULL || p.pu_observed == NULL) {
        free(p.pu_requested);
        free(p.pu_observed);
        p.pu_requested = p.pu_observed = NULL;
    }
    p.relation = relation_of(j, json_string_value(json_object_get(rec, "relation")));
    json_t *lat = json_object_get(rec, "latency");
    if (json_is_array(lat) && json_array_size(lat) == 7) {
        p.has_latency = true;
        int64_t v[7];
        for (size_t k = 0; k < 7; k++)
            v[k] = (int64_t)json_integer_value(json_array_get(lat, k));
        p.lat = (struct bench_latency){(uint64_t)v[0], v[1], v[2], v[3], v[4], v[5], v[6]};
    }
    size_t k;
    json_t *x;
    json_array_foreach(json_object_get(rec, "extra"), k, x) {
        const char *key = json_string_value(json_array_get(x, 0));
        if (key != NULL && p.nextra < TRIAL_MAX_EXTRA)
            p.extra[p.nextra++] = (struct trial_extra){intern(j, key), num(json_array_get(x, 1))};
    }
    json_t *b = json_object_get(rec, "before"), *af = json_object_get(rec, "after");
    p.before = (struct probe_reading){num(json_array_get(b, 0)), num(json_array_get(b, 1))};
    p.after = (struct probe_reading){num(json_array_get(af, 0)), num(json_array_get(af, 1))};
    p.mode = MODE_UNPROBED;
    if (!isfinite(p.real_ns) || !isfinite(p.cpu_ns) || p.ops == 0) {
        free(p.pu_requested);
        free(p.pu_observed);
        bench_seterr(why, len, "a chunk of %s without its figures", a->res.name);
        return -1;
    }
    a->res.reps[a->res.nreps++] = p;
    json_t *pv;
    json_array_foreach(json_object_get(rec, "probes"), k, pv) {
        if (push_probe(e, pv) != 0) {
            bench_seterr(why, len, "out of memory");
            return -1;
        }
    }
    struct round_info *ri = &e->round[round];
    if (ri->chunks == 0 && ri->duration_s == 0)
        ri->started_s = num(json_object_get(rec, "round_started_s"));
    ri->chunks++;
    e->chunks_done++;
    e->chunks_restored++;
    double el = num(json_object_get(rec, "elapsed_s"));
    if (isfinite(el) && el > e->elapsed_restored_s)
        e->elapsed_restored_s = el;
    return 0;
}

int
journal_restore(struct journal *j, struct engine *e, char *err, size_t errlen) {
    json_t *arms = json_object_get(j->header, "arms");
    bool same = json_is_array(arms) && json_array_size(arms) == (size_t)e->narms;
    for (int i = 0; same && i < e->narms; i++)
        same = json_is_string(json_array_get(arms, (size_t)i)) &&
               strcmp(json_string_value(json_array_get(arms, (size_t)i)), e->arms[i].res.name) == 0;
    if (!same) {
        bench_seterr(err, errlen,
                     "--resume %s: this chanbench selects other benchmarks with the journal's "
                     "options than the run did (another build?); resume with the chanbench "
                     "that started the run",
                     j->path);
        return -1;
    }
    size_t i;
    json_t *rec;
    json_array_foreach(j->records, i, rec) {
        const char *t = json_string_value(json_object_get(rec, "t"));
        char why[300] = "";
        if (t != NULL && strcmp(t, "chunk") == 0) {
            if (restore_chunk(j, e, rec, why, sizeof why) != 0)
                goto bad;
        } else if (t != NULL && strcmp(t, "round") == 0) {
            int r = (int)json_integer_value(json_object_get(rec, "round"));
            if (r < 0 || r >= e->rounds) {
                bench_seterr(why, sizeof why, "a round out of range");
                goto bad;
            }
            e->round[r].started_s = num(json_object_get(rec, "started_s"));
            e->round[r].duration_s = num(json_object_get(rec, "duration_s"));
            e->round[r].steal_ms = num(json_object_get(rec, "steal_ms"));
            double el = num(json_object_get(rec, "elapsed_s"));
            if (isfinite(el) && el > e->elapsed_restored_s)
                e->elapsed_restored_s = el;
        } else if (t != NULL && strcmp(t, "arm") == 0) {
            int k = find_arm(e, json_string_value(json_object_get(rec, "arm")));
            if (k < 0) {
                bench_seterr(why, sizeof why, "an unknown arm");
                goto bad;
            }
            struct arm *a = &e->arms[k];
            for (size_t c = 0; c < a->res.nreps; c++) {
                free(a->res.reps[c].pu_requested);
                free(a->res.reps[c].pu_observed);
            }
            a->res.nreps = 0;
            const char *state = json_string_value(json_object_get(rec, "state"));
            bool skipped = state != NULL && strcmp(state, "skipped") == 0;
            if (a->state == ARM_ACTIVE && !skipped)
                e->failed++;
            a->state = skipped ? ARM_SKIPPED : ARM_FAILED;
        } else if (t == NULL || (strcmp(t, "floor") != 0 && strcmp(t, "resume") != 0)) {
            bench_seterr(why, sizeof why, "an unknown record");
            goto bad;
        }
        continue;
    bad:
        bench_seterr(err, errlen, "--resume %s:%zu: %s", j->path, i + 2, why);
        return -1;
    }
    for (int r = 0; r < e->rounds; r++)
        if (!isfinite(e->round[r].duration_s) || !isfinite(e->round[r].steal_ms) ||
            !isfinite(e->round[r].started_s)) {
            e->round[r].duration_s = isfinite(e->round[r].duration_s) ? e->round[r].duration_s : 0;
            e->round[r].steal_ms = isfinite(e->round[r].steal_ms) ? e->round[r].steal_ms : 0;
            e->round[r].started_s = isfinite(e->round[r].started_s) ? e->round[r].started_s : 0;
        }
    e->probes_recorded = e->nprobes;
    return 0;
}

bool
journal_restore_floor(const struct journal *j, struct limit_result *out) {
    memset(out, 0, sizeof *out);
    json_t *l = NULL;
    size_t i;
    json_t *rec;
    json_array_foreach(j->records, i, rec) {
        const char *t = json_string_value(json_object_get(rec, "t"));
        if (t != NULL && strcmp(t, "floor") == 0)
            l = json_object_get(rec, "limit");
    }
    json_t *pus = json_object_get(l, "pus"), *pairs = json_object_get(l, "pairs");
    if (!json_is_object(l) || !json_is_array(pus) || !json_is_array(pairs))
        return false;
    out->npus = (int)json_array_size(pus);
    out->pus = ints(pus, out->npus);
    out->npairs = (int)json_array_size(pairs);
    out->pairs = calloc((size_t)out->npairs + 1, sizeof *out->pairs);
    if (out->pus == NULL || out->pairs == NULL) {
        limit_result_free(out);
        return false;
    }
    out->ring_slots = (int)json_integer_value(json_object_get(l, "ring_slots"));
    out->runs = (int)json_integer_value(json_object_get(l, "runs"));
    out->run_s = num(json_object_get(l, "run_s"));
    out->clock_overhead_ns = num(json_object_get(l, "clock_overhead_ns"));
    out->c2c_round_trip_ns = num(json_object_get(l, "c2c_round_trip_ns"));
    out->one_way_ns = num(json_object_get(l, "one_way_ns"));
    out->one_way_ts_ns = num(json_object_get(l, "one_way_ts_ns"));
    out->ring_ns_per_msg = num(json_object_get(l, "ring_ns_per_msg"));
    json_t *o;
    json_array_foreach(pairs, i, o) {
        struct limit_pair *p = &out->pairs[i];
        p->a = (int)json_integer_value(json_object_get(o, "a"));
        p->b = (int)json_integer_value(json_object_get(o, "b"));
        p->a_observed = (int)json_integer_value(json_object_get(o, "a_observed"));
        p->b_observed = (int)json_integer_value(json_object_get(o, "b_observed"));
        const char *rel = json_string_value(json_object_get(o, "relation"));
        p->relation = topo_relation_name(topo_relation_rank(rel ? rel : ""));
        p->c2c_median_ns = num(json_object_get(o, "c2c_median_ns"));
        p->one_way_ts_ns = num(json_object_get(o, "one_way_ts_ns"));
        p->ring = json_is_true(json_object_get(o, "ring"));
        p->ring_median_ns = num(json_object_get(o, "ring_median_ns"));
        size_t k;
        json_t *run;
        json_array_foreach(json_object_get(o, "runs"), k, run) {
            if (k >= LIMIT_MAX_RUNS)
                break;
            p->c2c_ns[k] = num(json_array_get(run, 0));
            p->c2c_cpu_ns[k] = num(json_array_get(run, 1));
            p->c2c_iters[k] = (uint64_t)json_integer_value(json_array_get(run, 2));
            p->c2c_vcs[k] = (long)json_integer_value(json_array_get(run, 3));
            p->c2c_ivcs[k] = (long)json_integer_value(json_array_get(run, 4));
            p->ring_ns[k] = num(json_array_get(run, 5));
            p->ring_cpu_ns[k] = num(json_array_get(run, 6));
            p->ring_msgs[k] = (uint64_t)json_integer_value(json_array_get(run, 7));
            p->ring_vcs[k] = (long)json_integer_value(json_array_get(run, 8));
            p->ring_ivcs[k] = (long)json_integer_value(json_array_get(run, 9));
            p->nruns = (int)k + 1;
        }
    }
    return true;
}
