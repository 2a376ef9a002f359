/* SPDX-License-Identifier: MIT */
/* Executors (measure/executor.c, docs/results-format.md "Executors"): reading answers (every
 * kind of bad one refused with one line), the protocol against a stand-in program that
 * misbehaves on purpose (fake_executor.c: wrong protocol, silence, a hang past the deadline,
 * death, garbage, another id, a failed check, a refusal), and, where the build made them, the
 * real Go and crossbeam executors running every scenario of the protocol's table. No timing
 * is asserted: the hang is detected by a deadline, whatever the machine's speed.
 * Usage: bench_executor_test FAKE_EXECUTOR */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "executor.h"
#include "check.h"
#include "hist.h"
#include "topology.h"

static const char *fake;

/* ---- answers ---------------------------------------------------------------------------- */

static enum executor_status
parse(const char *line, uint64_t id, struct executor_figures *f, char *msg) {
    return executor_parse_answer(line, id, f, msg, 512);
}

static void
check_good_answer(void) {
    struct executor_figures f;
    char msg[512];
    enum executor_status st =
        parse("{\"id\":7,\"ok\":true,\"ops\":1000,\"wall_ns\":93125,\"cpu_ns\":180002,\"vcsw\":3,"
              "\"ivcsw\":4,\"threads\":2,\"affinity\":\"0-1\",\"gomaxprocs\":2,"
              "\"hist\":{\"count\":3,\"min\":212,\"max\":5000,\"counts\":[[212,2],[2626,1]]},"
              "\"extra\":{\"share_min\":0.25,\"pause_ns\":1000}}",
              7, &f, msg);
    CHECK(st == EXEC_OK);
    if (st != EXEC_OK) {
        fprintf(stderr, "good answer refused: %s\n", msg);
        return;
    }
    CHECK(f.ops == 1000 && f.wall_ns == 93125 && f.cpu_ns == 180002);
    CHECK(f.vcsw == 3 && f.ivcsw == 4 && f.threads == 2 && f.gomaxprocs == 2);
    CHECK_STR(f.affinity, "0-1");
    CHECK(f.hist != NULL && bench_hist_count(f.hist) == 3);
    if (f.hist != NULL) {
        struct bench_latency l;
        bench_hist_summary(f.hist, &l);
        CHECK(l.min == 212 && l.max == 5000 && l.p50 == 212);
        /* Index 2626 is bucket 1's sub-bucket 1602: values 3204..3205, reported as the
         * highest equivalent value. */
        CHECK(l.p99 == 3205);
    }
    CHECK(f.nextra == 2);
    CHECK_STR(f.extra[0].key, "share_min");
    CHECK_NEAR(f.extra[0].value, 0.25, 0);
    executor_figures_free(&f);

    st = parse("{\"id\":1,\"ok\":true,\"ops\":1,\"wall_ns\":0,\"cpu_ns\":0,\"vcsw\":0,"
               "\"ivcsw\":0,\"threads\":1,\"affinity\":\"0\",\"gomaxprocs\":null}",
               1, &f, msg);
    CHECK(st == EXEC_OK && f.hist == NULL && f.nextra == 0 && f.gomaxprocs == -1);
    executor_figures_free(&f);
}

/* A bad answer: the status, and one line containing want. */
static void
bad(const char *line, enum executor_status want_st, const char *want) {
    struct executor_figures f;
    char msg[512] = "";
    enum executor_status st = parse(line, 5, &f, msg);
    if (st != want_st || strstr(msg, want) == NULL || strchr(msg, '\n') != NULL) {
        fprintf(stderr, "answer %s: status %d, msg '%s'; want %d, '%s'\n", line, st, msg, want_st,
                want);
        check_failures++;
    }
    if (st == EXEC_OK)
        executor_figures_free(&f);
}

#define FIGS "\"ops\":10,\"wall_ns\":1000,\"cpu_ns\":1000,\"vcsw\":0,\"ivcsw\":0,\"threads\":2"

static void
check_bad_answers(void) {
    bad("not json", EXEC_BROKEN, "not a JSON object");
    bad("[1,2]", EXEC_BROKEN, "not a JSON object");
    bad("{\"ok\":true," FIGS "}", EXEC_BROKEN, "no id");
    bad("{\"id\":6,\"ok\":true," FIGS "}", EXEC_BROKEN, "another id");
    bad("{\"id\":5," FIGS "}", EXEC_BROKEN, "without ok");
    bad("{\"id\":5,\"ok\":false,\"error\":\"unknown benchmark chan/x\"}", EXEC_REFUSED,
        "unknown benchmark chan/x");
    bad("{\"id\":5,\"ok\":false,\"failed\":\"lost a message\"}", EXEC_FAILED, "lost a message");
    bad("{\"id\":5,\"ok\":false}", EXEC_BROKEN, "without error or failed");
    bad("{\"id\":5,\"ok\":true,\"ops\":0,\"wall_ns\":1,\"cpu_ns\":1,\"vcsw\":0,\"ivcsw\":0,"
        "\"threads\":2}",
        EXEC_BROKEN, "without ops");
    bad("{\"id\":5,\"ok\":true,\"ops\":10,\"wall_ns\":1.5,\"cpu_ns\":1,\"vcsw\":0,\"ivcsw\":0,"
        "\"threads\":2}",
        EXEC_BROKEN, "as integers");
    bad("{\"id\":5,\"ok\":true," FIGS ",\"hist\":{\"count\":2,\"min\":1,\"max\":1,"
        "\"counts\":[[1,1]]}}",
        EXEC_BROKEN, "do not add up");
    bad("{\"id\":5,\"ok\":true," FIGS ",\"hist\":{\"count\":2,\"min\":1,\"max\":1,"
        "\"counts\":[[9,1],[3,1]]}}",
        EXEC_BROKEN, "increasing index");
    bad("{\"id\":5,\"ok\":true," FIGS ",\"hist\":{\"count\":1,\"min\":1,\"max\":1,"
        "\"counts\":[[99999999,1]]}}",
        EXEC_BROKEN, "below");
    bad("{\"id\":5,\"ok\":true," FIGS ",\"hist\":{\"count\":1}}", EXEC_BROKEN, "without count");
    bad("{\"id\":5,\"ok\":true," FIGS ",\"extra\":{\"x\":\"y\"}}", EXEC_BROKEN, "extra.x");
    bad("{\"id\":5,\"ok\":true," FIGS ",\"extra\":[1]}", EXEC_BROKEN, "not an object");
}

/* ---- the protocol, against the stand-in --------------------------------------------------- */

static void
set_mode(const char *mode) {
    setenv("FAKE_EXECUTOR_MODE", mode, 1);
}

/* Starting fails with one line containing want. */
static void
start_fails(const char *mode, const char *program, const char *want) {
    set_mode(mode);
    struct executor e;
    char err[512] = "";
    int rc = executor_start(&e, "go", program, 5, err, sizeof err);
    if (rc == 0 || strstr(err, want) == NULL || strchr(err, '\n') != NULL || !e.dead) {
        fprintf(stderr, "start (%s): rc %d, err '%s', want '%s'\n", mode, rc, err, want);
        check_failures++;
    }
    executor_stop(&e);
}

/* A run fails with status st and one line containing want; with broken, every later run fails
 * at once with the same reason. */
static void
run_fails(const char *mode, double timeout_s, enum executor_status want_st, const char *want) {
    set_mode(mode);
    struct executor e;
    char err[512] = "";
    if (executor_start(&e, "go", fake, timeout_s, err, sizeof err) != 0) {
        fprintf(stderr, "start (%s) failed: %s\n", mode, err);
        check_failures++;
        return;
    }
    struct executor_figures f;
    int pus[2] = {0, 0};
    enum executor_status st =
        executor_run(&e, "chan/spsc/cap=0/size=8", pus, 2, 10, 0, &f, err, sizeof err);
    if (st != want_st || strstr(err, want) == NULL || strchr(err, '\n') != NULL) {
        fprintf(stderr, "run (%s): status %d, err '%s'; want %d, '%s'\n", mode, st, err, want_st,
                want);
        check_failures++;
    }
    if (want_st == EXEC_BROKEN || want_st == EXEC_FAILED) {
        CHECK(e.dead && e.pid == 0);
        char again[512] = "";
        CHECK(executor_run(&e, "chan/spsc/cap=0/size=8", pus, 2, 10, 0, &f, again, sizeof again) ==
              EXEC_BROKEN);
        CHECK(again[0] != '\0');
    }
    executor_stop(&e);
}

static void
check_protocol(void) {
    char log[] = "/tmp/chanbench-executor-XXXXXX";
    int fd = mkstemp(log);
    CHECK(fd >= 0);
    if (fd >= 0)
        close(fd);
    setenv("FAKE_EXECUTOR_LOG", log, 1);

    /* A well-behaved executor: hello, runs with their figures, a refusal that keeps it alive,
     * quit. */
    set_mode("refuse");
    struct executor e;
    char err[512] = "";
    CHECK(executor_start(&e, "go", fake, 5, err, sizeof err) == 0);
    CHECK(!e.dead && e.info != NULL);
    CHECK_STR(json_string_value(json_object_get(e.info, "version")), "fake 1.0");
    struct executor_figures f;
    int pus[3] = {1, 0, 1};
    CHECK(executor_run(&e, "chan/spsc/cap=0/size=8", pus, 3, 40, 0.5, &f, err, sizeof err) ==
          EXEC_OK);
    CHECK(f.ops == 40 && f.wall_ns == 4000 && f.cpu_ns == 6000 && f.hist == NULL);
    executor_figures_free(&f);
    CHECK(executor_run(&e, "chan/pingpong/cap=0", NULL, 0, 9, 0, &f, err, sizeof err) ==
          EXEC_REFUSED);
    CHECK(strstr(err, "no pingpong here") != NULL && !e.dead);
    CHECK(executor_run(&e, "lock/mutex/threads=1/cs=0", pus, 1, 7, 0, &f, err, sizeof err) ==
          EXEC_OK);
    CHECK(f.ops == 7);
    executor_figures_free(&f);
    executor_stop(&e);
    CHECK(e.pid == 0 && !e.open);

    /* What it was sent: hello, the three orders with their ids and placements, quit. */
    FILE *lf = fopen(log, "r");
    char got[4096] = "";
    size_t n = lf ? fread(got, 1, sizeof got - 1, lf) : 0;
    got[n] = '\0';
    if (lf)
        fclose(lf);
    const char *want = "hello protocol=2\n"
                       "run id=1 bench=chan/spsc/cap=0/size=8 iters=40 pus=1,0,1\n"
                       "run id=2 bench=chan/pingpong/cap=0 iters=9 pus=none\n"
                       "run id=3 bench=lock/mutex/threads=1/cs=0 iters=7 pus=1\n"
                       "quit\n";
    CHECK_STR(got, want);
    unlink(log);
    unsetenv("FAKE_EXECUTOR_LOG");

    /* Every kind of trouble: one line each, the executor gone, no hang. */
    start_fails("version", fake, "speaks protocol 1, this chanbench speaks 2");
    start_fails("impl", fake, "says it is impl 'other'");
    start_fails("silent", fake, "exited with status 0");
    start_fails("ok", "/nonexistent/executor", "cannot run /nonexistent/executor");
    run_fails("hang", 1, EXEC_BROKEN, "answered nothing within");
    run_fails("die", 5, EXEC_BROKEN, "exited with status 3");
    run_fails("kill", 5, EXEC_BROKEN, "killed by signal 9");
    run_fails("garbage", 5, EXEC_BROKEN, "not a JSON object");
    run_fails("nul", 5, EXEC_BROKEN, "not a JSON object"); /* no answer before a NUL is taken */
    run_fails("wrongid", 5, EXEC_BROKEN, "another id");
    run_fails("badhist", 5, EXEC_BROKEN, "do not add up");
    run_fails("fail", 5, EXEC_FAILED, "message 7 arrived twice");
    unsetenv("FAKE_EXECUTOR_MODE");
}

/* ---- the real executors ----------------------------------------------------------------- */

struct scenario {
    const char *bench;
    int threads;
    bool latency;
    uint64_t hist_per_op; /* latency values per operation: 1, or 0 when sampled */
    uint64_t iters;       /* operations per run; 0: 2000 */
};

static const struct scenario scenarios[] = {
    {"chan/spsc/cap=0/size=8", 2, false, 0, 0},
    {"chan/spsc/cap=16/size=512", 2, false, 0, 0},
    {"chan/mpsc/prod=2/cap=1/size=64", 3, false, 0, 0},
    {"chan/mpmc/prod=2/cons=3/cap=1024/size=8", 5, false, 0, 0},
    {"chan/pingpong/cap=1", 2, true, 1, 0},
    {"chan/paced/pause=1us/cap=0", 2, true, 1, 0},
    {"select/fanin/k=4/cap=64", 5, true, 0, 0},
    {"lock/mutex/threads=3/cs=100", 3, true, 0, 0},
    {"lock/rw/threads=2/read=90/cs=0", 2, true, 0, 0},
    /* Every item's latency; the pool's source is a thread of its own. */
    {"layout/pipeline/stages=3/work=100ns", 3, true, 1, 0},
    {"layout/pipeline/stages=1/work=1us", 1, true, 1, 0},
    {"layout/replicated/stages=2/work=100ns/threads=3", 3, true, 1, 0},
    {"layout/pool/stages=2/work=100ns/threads=3", 4, true, 1, 0},
    /* A round each (at least 50 us of settling): the coordinator, then the workers. */
    {"cancel/done/workers=3", 4, true, 1, 40},
};

static void
check_real(const char *impl) {
    char why[512];
    const char *program = executor_program(impl, why, sizeof why);
    if (program == NULL) {
        printf("executor_test: impl=%s not checked: %s\n", impl, why);
        return;
    }
    struct executor e;
    char err[512];
    if (executor_start(&e, impl, program, 60, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", impl, err);
        check_failures++;
        return;
    }
    CHECK(json_is_string(json_object_get(e.info, "library_version")));
    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) {
        const struct scenario *s = &scenarios[i];
        int pus[8];
        CHECK(topo_plan("compact", s->threads, pus, err, sizeof err) == 0);
        for (int pass = 0; pass < 2; pass++) { /* pinned, then pus=none */
            struct executor_figures f;
            const uint64_t iters = s->iters ? s->iters : 2000;
            enum executor_status st = executor_run(&e, s->bench, pus, pass ? 0 : s->threads, iters,
                                                   0, &f, err, sizeof err);
            if (st != EXEC_OK) {
                fprintf(stderr, "%s %s: %s\n", impl, s->bench, err);
                check_failures++;
                executor_stop(&e);
                return;
            }
            CHECK(f.ops == iters && f.wall_ns > 0 && f.threads == s->threads);
            CHECK((f.hist != NULL) == s->latency);
            if (f.hist != NULL && s->hist_per_op)
                CHECK(bench_hist_count(f.hist) == iters);
            if (f.hist != NULL)
                CHECK(bench_hist_count(f.hist) > 0);
            if (!pass)
                CHECK(f.affinity[0] != '\0');
            executor_figures_free(&f);
        }
    }
    struct executor_figures f;
    int pus[2] = {0, 0};
    CHECK(executor_run(&e, "chan/nosuch/cap=0", pus, 2, 10, 0, &f, err, sizeof err) ==
          EXEC_REFUSED);
    CHECK(!e.dead);
    /* A pool is its source and its workers; a layout has at most 16 stages (layout.c). */
    int pool_pus[3] = {0, 0, 0};
    CHECK(executor_run(&e, "layout/pool/stages=2/work=1us/threads=3", pool_pus, 3, 10, 0, &f, err,
                       sizeof err) == EXEC_REFUSED);
    CHECK(executor_run(&e, "layout/pipeline/stages=17/work=1us", NULL, 0, 10, 0, &f, err,
                       sizeof err) == EXEC_REFUSED);
    CHECK(!e.dead);
    executor_stop(&e);
    printf("executor_test: impl=%s (%s) ran %zu scenarios\n", impl, program,
           sizeof scenarios / sizeof scenarios[0]);
}

int
main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: bench_executor_test FAKE_EXECUTOR\n");
        return 2;
    }
    fake = argv[1];
    char err[256];
    CHECK(topo_init(err, sizeof err) == 0);
    check_good_answer();
    check_bad_answers();
    check_protocol();
    check_real("go");
    check_real("crossbeam");
    return check_result("executor_test");
}
