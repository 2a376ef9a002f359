/* SPDX-License-Identifier: MIT */
/* A run interrupted and resumed from its journal gives the file an uninterrupted run gives:
 * the same benchmarks, every round, each chunk in the same place of the same order (one seed),
 * the chunks measured before the interruption kept as they were; the journal is removed once
 * the results are written, and a second run with the same --out refuses to overwrite the
 * journal of an unfinished one. Runs happen in forked children (the slow benchmark counts its
 * chunks); the parent is told through a pipe when the fourth slow chunk runs, so the SIGINT
 * always lands mid-chunk (no sleeps). */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "check.h"
#include "chunk_fixture.h"
#include "results.h"
#include "run.h"

#define ROUNDS 8

static const struct bench_impl impls[] = {BENCH_IMPL("goc", NULL), BENCH_IMPL("x", NULL),
                                          BENCH_IMPLS_END};
static const struct bench_scenario scenarios[] = {
    CHUNK_SCENARIOS(impls),
    BENCH_SCENARIOS_END,
};
static const struct bench_family fam = {.name = "j", .scenarios = scenarios};
static const struct bench_family *const families[] = {&fam, NULL};

/* Run argv in a child; with interrupt, send SIGINT when the fourth slow chunk runs. The
 * child's wait status. */
static int
run_child(char **argv, int argc, bool interrupt) {
    int fds[2];
    CHECK(pipe(fds) == 0);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        chunk_notify_fd = interrupt ? fds[1] : -1;
        if (!interrupt)
            close(fds[1]);
        if (freopen("/dev/null", "w", stdout) == NULL)
            _exit(99);
        int rc = harness_run(argc, argv, families);
        fflush(NULL);
        _exit(rc);
    }
    close(fds[1]);
    if (interrupt) {
        char c;
        CHECK(read(fds[0], &c, 1) == 1);
        CHECK(kill(pid, SIGINT) == 0);
    }
    close(fds[0]);
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid);
    return status;
}

static bool
exited(int status, int want) {
    if (WIFEXITED(status) && WEXITSTATUS(status) == want)
        return true;
    fprintf(stderr, "run: status %#x, want exit %d\n", status, want);
    return false;
}

/* row.key as an integer. */
static long long
row_int(const struct result_bench *b, size_t i, const char *key) {
    return json_integer_value(json_object_get(b->rows[i], key));
}

int
main(void) {
    char dir[] = "/tmp/chanbench-journal-XXXXXX";
    REQUIRE(mkdtemp(dir) != NULL);
    char whole[300], part[300], journal[320];
    snprintf(whole, sizeof whole, "%s/whole.json", dir);
    snprintf(part, sizeof part, "%s/part.json", dir);
    snprintf(journal, sizeof journal, "%s.journal", part);
    char rounds[16];
    snprintf(rounds, sizeof rounds, "%d", ROUNDS);

    /* The run as it would be without a stop. */
    char *a1[] = {"run",    "--min-time", "0.001", "--rounds", rounds,
                  "--seed", "12345",      "--out", whole,      NULL};
    CHECK(exited(run_child(a1, 9, false), 0));
    char wj[320];
    snprintf(wj, sizeof wj, "%s.journal", whole);
    CHECK(access(wj, F_OK) != 0); /* removed once the results were written */

    /* The same run, interrupted, then resumed. */
    char *a2[] = {"run",    "--min-time", "0.001", "--rounds", rounds,
                  "--seed", "12345",      "--out", part,       NULL};
    CHECK(exited(run_child(a2, 9, true), 130));
    CHECK(access(journal, F_OK) == 0);
    struct result_file first;
    char err[512];
    REQUIRE(results_load(part, &first, err, sizeof err) == 0);
    CHECK(!first.complete);

    /* The journal of an unfinished run is not overwritten by a new one. */
    CHECK(exited(run_child(a2, 9, false), 2));
    CHECK(access(journal, F_OK) == 0);

    char *a3[] = {"run", "--resume", journal, NULL};
    CHECK(exited(run_child(a3, 3, false), 0));
    CHECK(access(journal, F_OK) != 0);

    struct result_file w, r;
    REQUIRE(results_load(whole, &w, err, sizeof err) == 0);
    REQUIRE(results_load(part, &r, err, sizeof err) == 0);
    CHECK(w.complete && r.complete);
    CHECK_EQ(r.nbenches, w.nbenches);
    CHECK_EQ(r.nbenches, 6); /* fast and slow, each goc, x and goc.control */
    CHECK_EQ(json_integer_value(json_object_get(r.chanbench, "seed")), 12345);
    CHECK_EQ(json_integer_value(json_object_get(r.chanbench, "resumed")), 1);
    CHECK(json_object_get(w.chanbench, "resumed") == NULL);
    json_t *rr = json_object_get(r.chanbench, "rounds");
    CHECK_EQ(json_integer_value(json_object_get(rr, "completed")), ROUNDS);
    CHECK_EQ(json_integer_value(json_object_get(rr, "chunks")), 6 * ROUNDS);
    CHECK_EQ(json_array_size(json_object_get(rr, "per_round")), ROUNDS);
    for (size_t i = 0; i < w.nbenches; i++) {
        const struct result_bench *a = &w.benches[i];
        const struct result_bench *b = results_find(&r, a->name);
        CHECK(b != NULL);
        if (b == NULL)
            continue;
        CHECK_EQ(b->nreps, ROUNDS);
        CHECK_EQ(a->nreps, ROUNDS);
        for (size_t k = 0; k < b->nreps && k < a->nreps; k++) {
            /* One seed, one order: every chunk in its place. */
            CHECK_EQ(row_int(b, k, "round"), (long long)k);
            CHECK_EQ(row_int(b, k, "position"), row_int(a, k, "position"));
        }
        /* The chunks measured before the stop, as the interrupted run wrote them. */
        const struct result_bench *f = results_find(&first, a->name);
        for (size_t k = 0; f != NULL && k < f->nreps && k < b->nreps; k++) {
            CHECK(f->real_time[k] == b->real_time[k]);
            CHECK_EQ(row_int(f, k, "iterations"), row_int(b, k, "iterations"));
        }
    }
    results_free(&first);
    results_free(&w);
    results_free(&r);

    /* A journal that is not one is refused with one line, exit 2. */
    char bogus[320];
    snprintf(bogus, sizeof bogus, "%s/bogus.journal", dir);
    FILE *fp = fopen(bogus, "w");
    REQUIRE(fp != NULL);
    fputs("{\"hello\": 1}\n", fp);
    fclose(fp);
    char *a4[] = {"run", "--resume", bogus, NULL};
    CHECK(exited(run_child(a4, 3, false), 2));

    unlink(bogus);
    unlink(whole);
    unlink(part);
    rmdir(dir);
    return check_result("journal_test");
}
