/* SPDX-License-Identifier: MIT */
/* The measurement engine (engine.h): arms, calibration, interleaved rounds with a floor probe
 * around every chunk, machine modes and paired ratios. */
#define _GNU_SOURCE
#include "engine.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hist.h"
#include "names.h"
#include "probe.h"
#include "stats.h"
#include "topology.h"
#include "trial.h"
#include "util.h"

/* ---- arms ------------------------------------------------------------------------------- */

static int
find_group(const struct engine *e, const char *key) {
    for (int g = 0; g < e->ngroups; g++)
        if (strcmp(e->groups[g], key) == 0)
            return g;
    return -1;
}

/* The team plan of inst under the run's pin policy: *n PUs into pus (room for n_max), or
 * *n = 0 for --pin none or a benchmark whose team size is unknown. -1 with err when the plan
 * cannot place the team. */
static int
team_plan(const struct engine *e, const struct bench_instance *inst, int *pus, int max, int *n,
          char *err, size_t errlen) {
    *n = 0;
    int team = inst->scenario->threads != NULL ? inst->scenario->threads(inst) : 0;
    if (team < 1 || strcmp(e->opts->pin, "none") == 0)
        return 0;
    if (team > max) {
        bench_seterr(err, errlen, "a team of %d threads (at most %d)", team, max);
        return -1;
    }
    if (topo_plan(e->opts->pin, team, pus, err, errlen) != 0)
        return -1;
    *n = team;
    return 0;
}

/* The PU pair an arm's probes use: its team's first two distinct PUs, else the first two
 * PUs that --pin gives any two threads (the machine's first pair for --pin none), else none. */
static void
choose_probe_pair(const struct engine *e, struct arm *a) {
    int pus[256], n = 0;
    char err[256];
    a->probe_pu[0] = a->probe_pu[1] = -1;
    if (team_plan(e, a->inst, pus, 256, &n, err, sizeof err) == 0)
        for (int i = 1; i < n; i++)
            if (pus[i] != pus[0] && pus[i] >= 0 && pus[0] >= 0) {
                a->probe_pu[0] = pus[0];
                a->probe_pu[1] = pus[i];
                return;
            }
    const char *pin = strcmp(e->opts->pin, "none") == 0 ? "compact" : e->opts->pin;
    if (topo_num_allowed() >= 2 && topo_plan(pin, 2, pus, err, sizeof err) == 0 &&
        pus[0] != pus[1] && pus[0] >= 0 && pus[1] >= 0) {
        a->probe_pu[0] = pus[0];
        a->probe_pu[1] = pus[1];
    }
}

static struct executor *
executor_for(struct engine *e, const char *impl, char *why, size_t len) {
    for (int i = 0; i < e->nex; i++)
        if (strcmp(e->ex[i].impl, impl) == 0)
            return &e->ex[i];
    if (e->nex == CLI_MAX_IMPLS) {
        bench_seterr(why, len, "too many executors");
        return NULL;
    }
    struct executor *x = &e->ex[e->nex++];
    memset(x, 0, sizeof *x);
    x->impl = impl;
    const char *program = executor_program(impl, why, len);
    if (program == NULL) {
        x->dead = x->missing = true;
        bench_seterr(x->why, sizeof x->why, "skipping impl=%s: %s", impl, why);
        return x;
    }
    if (executor_start(x, impl, program, e->opts->peer_timeout_s, why, len) != 0)
        bench_seterr(x->why, sizeof x->why, "FAILED impl=%s: %s", impl, why);
    return x;
}

int
engine_init(struct engine *e, const struct run_options *o, struct bench_instance *v, size_t n,
            void (*say)(const char *line)) {
    memset(e, 0, sizeof *e);
    e->opts = o;
    e->rounds = o->rounds;
    e->seed = o->seed_given ? o->seed : schedule_seed();
    e->groups = calloc(n ? n : 1, sizeof *e->groups);
    int *group_of = calloc(n ? n : 1, sizeof *group_of);
    int *nimpl = calloc(n ? n : 1, sizeof *nimpl);
    bool *has_goc = calloc(n ? n : 1, sizeof *has_goc);
    if (e->groups == NULL || group_of == NULL || nimpl == NULL || has_goc == NULL)
        goto nomem;
    for (size_t i = 0; i < n; i++) {
        char key[1024];
        names_strip_impl(v[i].name, key, sizeof key);
        int g = find_group(e, key);
        if (g < 0) {
            if ((e->groups[e->ngroups] = strdup(key)) == NULL)
                goto nomem;
            g = e->ngroups++;
        }
        group_of[i] = g;
        nimpl[g]++;
        has_goc[g] = has_goc[g] || strcmp(v[i].impl->name, "goc") == 0;
    }
    size_t narms = n;
    for (int g = 0; g < e->ngroups; g++)
        narms += o->control && has_goc[g] && nimpl[g] >= 2;
    e->chunks_total = narms * (size_t)e->rounds;
    e->arms = calloc(narms ? narms : 1, sizeof *e->arms);
    e->round = calloc((size_t)e->rounds, sizeof *e->round);
    if (e->arms == NULL || e->round == NULL)
        goto nomem;
    for (size_t i = 0; i < n; i++) {
        bool control = o->control && strcmp(v[i].impl->name, "goc") == 0 && nimpl[group_of[i]] >= 2;
        for (int c = 0; c <= (control ? 1 : 0); c++) {
            struct arm *a = &e->arms[e->narms++];
            a->inst = &v[i];
            a->control = c == 1;
            a->impl = c == 1 ? ENGINE_CONTROL : v[i].impl->name;
            a->group = group_of[i];
            a->state = ARM_ACTIVE;
            a->res.inst = &v[i];
            a->res.impl = a->impl;
            a->res.op = v[i].scenario->op;
            a->res.name = v[i].name;
            if (c == 1) {
                char name[1100];
                snprintf(name, sizeof name, "%s/impl=%s", e->groups[a->group], ENGINE_CONTROL);
                if ((a->res.name_owned = strdup(name)) == NULL)
                    goto nomem;
                a->res.name = a->res.name_owned;
            }
            a->res.reps = calloc((size_t)e->rounds, sizeof *a->res.reps);
            if (a->res.reps == NULL)
                goto nomem;
            choose_probe_pair(e, a);
        }
    }
    /* Executors: one per impl, started now, so that a missing or broken one is said once,
     * before anything runs. An in-process impl this chanbench was built without is skipped
     * the same way. */
    for (int i = 0; i < e->narms; i++) {
        struct arm *a = &e->arms[i];
        const struct bench_impl *im = a->inst->impl;
        if (im->missing != NULL) {
            bool first = true;
            for (int k = 0; k < i && first; k++)
                first =
                    e->arms[k].inst->impl->missing == NULL || strcmp(e->arms[k].impl, a->impl) != 0;
            a->state = ARM_SKIPPED;
            if (first) {
                char line[700];
                snprintf(line, sizeof line, "chanbench run: skipping impl=%s: %s", a->impl,
                         im->missing);
                say(line);
                e->skipped_impls++;
            }
            continue;
        }
        if (!im->executor)
            continue;
        char why[512];
        bool fresh = true;
        for (int k = 0; k < e->nex && fresh; k++)
            fresh = strcmp(e->ex[k].impl, a->impl) != 0;
        a->ex = executor_for(e, a->impl, why, sizeof why);
        if (a->ex == NULL)
            goto nomem;
        if (a->ex->dead) {
            a->state = a->ex->missing ? ARM_SKIPPED : ARM_FAILED;
            if (fresh) {
                char line[700];
                snprintf(line, sizeof line, "chanbench run: %s", a->ex->why);
                say(line);
                if (a->ex->missing)
                    e->skipped_impls++;
                else
                    e->failed++;
            }
        }
    }
    free(group_of);
    free(nimpl);
    free(has_goc);
    return 0;
nomem:
    free(group_of);
    free(nimpl);
    free(has_goc);
    return -1;
}

/* ---- one call --------------------------------------------------------------------------- */

static void
take_trial(struct bench_trial *tr, uint64_t iters, struct rep_result *p) {
    memset(p, 0, sizeof *p);
    p->ops = tr->ops_set ? tr->ops : iters;
    double wall = (double)(tr->elapsed_set ? tr->elapsed_ns : tr->wall_ns);
    double ops = p->ops > 0 ? (double)p->ops : 1;
    p->real_ns = wall / ops;
    p->cpu_ns = (double)tr->cpu_ns / ops;
    p->items_per_second = wall > 0 ? (double)p->ops * 1e9 / wall : 0;
    p->vcsw = tr->vcsw;
    p->ivcsw = tr->ivcsw;
    p->nthreads = tr->nthreads;
    p->pu_requested = tr->pu_requested;
    p->pu_observed = tr->pu_observed;
    tr->pu_requested = tr->pu_observed = NULL;
    p->relation = tr->relation;
    if (tr->lat != NULL) {
        p->has_latency = true;
        bench_hist_summary(tr->lat, &p->lat);
    }
    p->nextra = tr->nextra;
    memcpy(p->extra, tr->extra, sizeof p->extra);
}

static enum trial_status
call_in_process(struct engine *e, struct arm *a, uint64_t iters, bool warmup,
                struct rep_result *out, char *msg, size_t len) {
    const struct bench_instance *inst = a->inst;
    struct bench_trial tr;
    trial_init(&tr, e->opts->pin, inst->scenario->latency);
    struct bench_run r = {
        .inst = inst, .ops = inst->impl->ops, .iters = iters, .warmup = warmup, .trial = &tr};
    int rc = inst->scenario->run(&r);
    if (tr.status == TRIAL_OK && rc != 0)
        bench_fail(&r, "run() returned %d without saying why", rc);
    if (tr.status == TRIAL_OK && tr.teams == 0 && !tr.elapsed_set)
        bench_fail(&r, "run() measured nothing (no bench_team_run, no bench_set_elapsed_ns)");
    enum trial_status st = tr.status;
    if (st == TRIAL_OK)
        take_trial(&tr, iters, out);
    else
        bench_seterr(msg, len, "%s", tr.msg);
    trial_destroy(&tr);
    return st;
}

static enum trial_status
call_executor(struct engine *e, struct arm *a, uint64_t iters, struct rep_result *out, char *msg,
              size_t len) {
    int pus[4096], n = 0;
    char err[256];
    if (team_plan(e, a->inst, pus, 4096, &n, err, sizeof err) != 0) {
        bench_seterr(msg, len, "--pin %s cannot place its threads: %s", e->opts->pin, err);
        return TRIAL_SKIPPED;
    }
    char key[1024];
    names_strip_impl(a->inst->name, key, sizeof key);
    struct executor_figures f;
    double expect =
        a->chunk_s > 0 ? a->chunk_s * (double)iters / (double)(a->iters ? a->iters : 1) : 0;
    enum executor_status st = executor_run(a->ex, key, pus, n, iters, expect, &f, msg, len);
    if (st != EXEC_OK)
        return TRIAL_FAILED;
    memset(out, 0, sizeof *out);
    out->ops = f.ops;
    double ops = (double)f.ops;
    out->real_ns = (double)f.wall_ns / ops;
    out->cpu_ns = (double)f.cpu_ns / ops;
    out->items_per_second = f.wall_ns > 0 ? ops * 1e9 / (double)f.wall_ns : 0;
    out->vcsw = f.vcsw;
    out->ivcsw = f.ivcsw;
    out->nthreads = n > 0 ? n : f.threads;
    if (n > 0) {
        out->pu_requested = malloc((size_t)n * sizeof(int));
        out->pu_observed = malloc((size_t)n * sizeof(int));
        if (out->pu_requested == NULL || out->pu_observed == NULL) {
            free(out->pu_requested);
            free(out->pu_observed);
            executor_figures_free(&f);
            bench_seterr(msg, len, "out of memory");
            return TRIAL_FAILED;
        }
        for (int i = 0; i < n; i++) {
            out->pu_requested[i] = pus[i];
            out->pu_observed[i] = -1; /* the executor places its own threads */
        }
        out->relation = topo_relation(pus, n);
    } else {
        out->relation = "unpinned";
    }
    if (f.hist != NULL) {
        out->has_latency = true;
        bench_hist_summary(f.hist, &out->lat);
    }
    out->nextra = f.nextra;
    memcpy(out->extra, f.extra, sizeof out->extra);
    executor_figures_free(&f);
    return TRIAL_OK;
}

static enum trial_status
arm_call(struct engine *e, struct arm *a, uint64_t iters, bool warmup, struct rep_result *out,
         char *msg, size_t len) {
    if (a->inst->impl->executor)
        return call_executor(e, a, iters, out, msg, len);
    return call_in_process(e, a, iters, warmup, out, msg, len);
}

static void
rep_free(struct rep_result *p) {
    free(p->pu_requested);
    free(p->pu_observed);
    p->pu_requested = p->pu_observed = NULL;
}

static void
drop_chunks(struct arm *a) {
    for (size_t i = 0; i < a->res.nreps; i++)
        rep_free(&a->res.reps[i]);
    a->res.nreps = 0;
}

/* Tell the recorder, if any. A chunk event carries the probe readings taken since the last. */
static void
emit(struct engine *e, enum engine_event_kind kind, const struct arm *a,
     const struct rep_result *rep, int round) {
    if (e->record == NULL)
        return;
    struct engine_event ev = {
        .kind = kind,
        .arm = a,
        .rep = rep,
        .round = round,
        .probe_from = e->probes_recorded,
        .elapsed_s = e->t0_ns > 0 ? (double)(bench_now_ns() - e->t0_ns) / 1e9 : 0,
    };
    e->record(e->record_ctx, e, &ev);
    if (kind == ENGINE_CHUNK)
        e->probes_recorded = e->nprobes;
}

/* An arm's call went wrong: say so once and take the arm out of the run. An executor that is
 * gone takes all its arms with it, in one line. */
static void
arm_trouble(struct engine *e, struct arm *a, enum trial_status st, const char *msg,
            void (*say)(const char *line)) {
    char line[1500];
    if (a->ex != NULL && a->ex->dead) {
        int n = 0;
        for (int i = 0; i < e->narms; i++) {
            struct arm *b = &e->arms[i];
            if (b->ex == a->ex && b->state == ARM_ACTIVE) {
                b->state = ARM_FAILED;
                drop_chunks(b);
                emit(e, ENGINE_ARM, b, NULL, -1);
                n++;
            }
        }
        snprintf(line, sizeof line,
                 "chanbench run: FAILED impl=%s: %s (in %s), its %d benchmark%s not written",
                 a->impl, msg, a->res.name, n, n == 1 ? " is" : "s are");
        e->failed++;
        say(line);
        return;
    }
    if (st == TRIAL_FAILED) {
        snprintf(line, sizeof line, "chanbench run: FAILED %s: %s (not written as a result)",
                 a->res.name, msg);
        a->state = ARM_FAILED;
        e->failed++;
    } else {
        snprintf(line, sizeof line, "chanbench run: skipped %s: %s", a->res.name, msg);
        a->state = ARM_SKIPPED;
    }
    say(line);
    drop_chunks(a); /* a benchmark whose check failed has no result at all */
    emit(e, ENGINE_ARM, a, NULL, -1);
}

/* Grow the iteration count until one call lasts --min-time: Google Benchmark's rule, at most
 * 10x per step while far below, then aim 20 % past the target. The calls are the arm's
 * warm-up. */
static void
calibrate(struct engine *e, struct arm *a, void (*say)(const char *line)) {
    const struct bench_scenario *sc = a->inst->scenario;
    const int64_t min_ns = (int64_t)(e->opts->min_time_s * 1e9);
    const uint64_t cap = sc->max_iters ? sc->max_iters : (uint64_t)1e12;
    uint64_t iters = sc->min_iters ? sc->min_iters : 16;
    if (iters > cap)
        iters = cap;
    for (;;) {
        struct rep_result rep;
        char msg[600];
        enum trial_status st = arm_call(e, a, iters, true, &rep, msg, sizeof msg);
        if (st != TRIAL_OK) {
            arm_trouble(e, a, st, msg, say);
            return;
        }
        double wall = rep.real_ns * (double)rep.ops;
        rep_free(&rep);
        a->iters = iters;
        a->chunk_s = wall / 1e9;
        if (wall >= (double)min_ns || iters >= cap)
            return;
        double mult = wall > (double)min_ns / 10 ? (double)min_ns * 1.2 / wall : 10;
        double next = (double)iters * mult;
        iters = next > (double)cap ? cap : next < (double)iters + 1 ? iters + 1 : (uint64_t)next;
    }
}

/* ---- rounds ----------------------------------------------------------------------------- */

/* A chunk that lasted more than RESCALE times --min-time, or less than 1/RESCALE of it (the
 * machine changed speed since calibration), rescales its arm's count for the later rounds,
 * aiming 20 % past the target as calibration does: the run's length stays what was asked for,
 * and a figure per operation does not depend on the count. */
#define RESCALE 4.0

static void
rescale(const struct engine *e, struct arm *a) {
    const struct bench_scenario *sc = a->inst->scenario;
    double want = e->opts->min_time_s;
    if (a->chunk_s <= 0 || (a->chunk_s <= want * RESCALE && a->chunk_s >= want / RESCALE))
        return;
    double next = (double)a->iters * want * 1.2 / a->chunk_s;
    double lo = sc->min_iters ? (double)sc->min_iters : 1;
    double cap = sc->max_iters ? (double)sc->max_iters : 1e12;
    a->iters = (uint64_t)(next < lo ? lo : next > cap ? cap : next);
}

/* CPU time stolen by the hypervisor from the allowed PUs so far (/proc/stat's steal column),
 * in ms; NAN where the kernel does not say. */
static double
steal_ms(void) {
    FILE *f = fopen("/proc/stat", "r");
    if (f == NULL)
        return NAN;
    char line[512];
    unsigned long long total = 0;
    bool any = false;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "cpu", 3) != 0 || !isdigit((unsigned char)line[3]))
            continue;
        int cpu;
        unsigned long long v[8] = {0};
        if (sscanf(line + 3, "%d %llu %llu %llu %llu %llu %llu %llu %llu", &cpu, &v[0], &v[1],
                   &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 9 &&
            topo_is_allowed(cpu)) {
            total += v[7];
            any = true;
        }
    }
    fclose(f);
    long hz = sysconf(_SC_CLK_TCK);
    return any && hz > 0 ? (double)total * 1000.0 / (double)hz : NAN;
}

static struct probe_reading
take_probe(struct engine *e, const struct arm *a) {
    struct probe_reading r = {NAN, NAN};
    if (a->probe_pu[0] < 0)
        return r;
    char err[256];
    probe_take(a->probe_pu[0], a->probe_pu[1], PROBE_BUDGET_NS, &r, err, sizeof err);
    if (e->nprobes == e->capprobes) {
        size_t ncap = e->capprobes ? e->capprobes * 2 : 1024;
        struct probe_reading *np = realloc(e->probes, ncap * sizeof *np);
        if (np == NULL)
            return r;
        e->probes = np;
        e->capprobes = ncap;
    }
    e->probes[e->nprobes++] = r;
    return r;
}

/* Whether a holds a chunk of round (one restored from a journal, or measured). */
static bool
arm_has_round(const struct arm *a, int round) {
    for (size_t k = 0; k < a->res.nreps; k++)
        if (a->res.reps[k].round == round)
            return true;
    return false;
}

/* The rounds every active arm finished (interleaved: a prefix of the rounds; none when no arm
 * is left), and the run's stolen time. */
static void
count_rounds(struct engine *e) {
    e->rounds_done = -1;
    for (int i = 0; i < e->narms; i++)
        if (e->arms[i].state == ARM_ACTIVE &&
            (e->rounds_done < 0 || (int)e->arms[i].res.nreps < e->rounds_done))
            e->rounds_done = (int)e->arms[i].res.nreps;
    if (e->rounds_done < 0)
        e->rounds_done = 0;
    e->steal_ms = 0;
    for (int r = 0; r < e->rounds; r++)
        e->steal_ms += e->round[r].steal_ms;
}

void
engine_run(struct engine *e, volatile sig_atomic_t *stop,
           void (*progress)(const struct engine *e, const struct arm *a, const char *what),
           void (*say)(const char *line)) {
    /* Calibration, benchmark by benchmark: the arms of one benchmark warm up together. An arm
     * a journal restored whole has nothing left to measure. */
    for (int i = 0; i < e->narms && !*stop; i++) {
        struct arm *a = &e->arms[i];
        if (a->state != ARM_ACTIVE || a->res.nreps >= (size_t)e->rounds)
            continue;
        progress(e, a, "calibrating");
        calibrate(e, a, say);
    }
    if (*stop) {
        count_rounds(e);
        return;
    }

    struct sched_arm *sa = calloc((size_t)e->narms + 1, sizeof *sa);
    e->chunks_total = (size_t)e->narms * (size_t)e->rounds;
    struct sched_slot *slots = calloc(e->chunks_total + 1, sizeof *slots);
    if (sa == NULL || slots == NULL) {
        free(sa);
        free(slots);
        say("chanbench run: out of memory for the run's order");
        e->failed++;
        count_rounds(e);
        return;
    }
    /* Blocked order ranks arms by their impl's place in --impl (libgoc's own first when not
     * given), the control last: the order in which chanbench ran its arms before rounds. */
    for (int i = 0; i < e->narms; i++) {
        const struct arm *a = &e->arms[i];
        int rank = a->control ? 1000 : a->inst->impl->executor ? 500 : 0;
        for (int k = 0; k < e->opts->nimpls && !a->control; k++)
            if (strcmp(e->opts->impls[k], a->impl) == 0)
                rank = k;
        sa[i] = (struct sched_arm){.group = a->group, .rank = rank};
    }
    size_t nslots = schedule_run(sa, e->narms, e->rounds, e->seed, e->opts->interleave, slots);
    free(sa);
    size_t active = 0;
    for (int i = 0; i < e->narms; i++)
        active += e->arms[i].state == ARM_ACTIVE;
    e->chunks_total = active * (size_t)e->rounds;

    struct probe_reading last_probe = {NAN, NAN};
    const struct arm *last_arm = NULL; /* whose chunk the last probe followed */
    int seg_round = -1;
    double seg_steal = NAN;
    int64_t seg_start = 0;
    /* A resumed run's clock goes on from where the journal left it. */
    e->t0_ns = bench_now_ns() - (int64_t)(e->elapsed_restored_s * 1e9);
    for (size_t s = 0; s < nslots && !*stop; s++) {
        struct arm *a = &e->arms[slots[s].arm];
        int round = slots[s].round;
        if (a->state != ARM_ACTIVE || arm_has_round(a, round))
            continue;
        if (round != seg_round) { /* a new segment of rounds: close the last one */
            int64_t now = bench_now_ns();
            double st = steal_ms();
            if (seg_round >= 0) {
                struct round_info *ri = &e->round[seg_round];
                ri->duration_s += (double)(now - seg_start) / 1e9;
                ri->steal_ms += isfinite(st) && isfinite(seg_steal) ? st - seg_steal : 0;
                emit(e, ENGINE_ROUND, NULL, NULL, seg_round);
            }
            if (e->round[round].chunks == 0 && e->round[round].duration_s == 0)
                e->round[round].started_s = (double)(now - e->t0_ns) / 1e9;
            seg_round = round;
            seg_steal = st;
            seg_start = now;
        }
        char what[64];
        snprintf(what, sizeof what, "round %d/%d", round + 1, e->rounds);
        progress(e, a, what);
        struct probe_reading before = last_arm != NULL && last_arm->probe_pu[0] == a->probe_pu[0] &&
                                              last_arm->probe_pu[1] == a->probe_pu[1]
                                          ? last_probe
                                          : take_probe(e, a);
        int64_t t_start = bench_now_ns();
        struct rep_result rep;
        char msg[600];
        enum trial_status st = arm_call(e, a, a->iters, false, &rep, msg, sizeof msg);
        if (st != TRIAL_OK) {
            arm_trouble(e, a, st, msg, say);
            last_arm = NULL;
            continue;
        }
        a->chunk_s = rep.real_ns * (double)rep.ops / 1e9;
        rescale(e, a);
        last_probe = take_probe(e, a);
        last_arm = a;
        rep.round = round;
        rep.position = slots[s].position;
        rep.before = before;
        rep.after = last_probe;
        rep.started_s = (double)(t_start - e->t0_ns) / 1e9;
        rep.mode = MODE_UNPROBED;
        a->res.reps[a->res.nreps++] = rep;
        e->round[round].chunks++;
        e->chunks_done++;
        emit(e, ENGINE_CHUNK, a, &a->res.reps[a->res.nreps - 1], round);
    }
    if (seg_round >= 0) {
        double st = steal_ms();
        struct round_info *ri = &e->round[seg_round];
        ri->duration_s += (double)(bench_now_ns() - seg_start) / 1e9;
        ri->steal_ms += isfinite(st) && isfinite(seg_steal) ? st - seg_steal : 0;
        emit(e, ENGINE_ROUND, NULL, NULL, seg_round);
    }
    count_rounds(e);
    free(slots);
}

/* ---- results ---------------------------------------------------------------------------- */

const struct bench_result **
engine_results(const struct engine *e, size_t *n) {
    const struct bench_result **v = calloc((size_t)e->narms + 1, sizeof *v);
    *n = 0;
    if (v == NULL)
        return NULL;
    for (int i = 0; i < e->narms; i++)
        if (e->arms[i].res.nreps > 0 && e->arms[i].state != ARM_FAILED)
            v[(*n)++] = &e->arms[i].res;
    return v;
}

json_t *
engine_peers_json(const struct engine *e) {
    json_t *a = json_array();
    for (int i = 0; i < e->nex; i++) {
        const struct executor *x = &e->ex[i];
        if (x->info == NULL)
            continue;
        json_t *o = json_deep_copy(x->info);
        json_object_set_new(o, "program", json_string(x->program ? x->program : ""));
        json_array_append_new(a, o);
    }
    return a;
}

void
engine_free(struct engine *e) {
    for (int i = 0; i < e->nex; i++)
        executor_stop(&e->ex[i]);
    for (int i = 0; i < e->narms; i++)
        bench_result_free(&e->arms[i].res);
    for (size_t i = 0; i < e->npaired; i++)
        free(e->paired[i].per_round);
    for (int g = 0; g < e->ngroups; g++)
        free(e->groups[g]);
    free(e->paired);
    free(e->groups);
    free(e->arms);
    free(e->round);
    free(e->probes);
    memset(e, 0, sizeof *e);
}
