/* SPDX-License-Identifier: MIT */
/* An interrupted run: SIGINT (and SIGTERM) during a chunk stops after that chunk, writes the
 * chunks that finished into a valid file marked complete: false, and exits 130 (143). The run
 * happens in a forked child; the child's slow benchmark tells the parent through a pipe when
 * its fourth round's chunk is running, so the signal always arrives mid-chunk (no sleeps, no
 * timing assumptions): that chunk finishes and is kept, with the fast benchmark's fourth
 * chunk when it came first in that round. */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "check.h"
#include "results.h"
#include "run.h"

static int notify_fd = -1;

static void
nap(struct bench_thread *t) {
    (void)t;
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
}

static void
nothing(struct bench_thread *t) {
    (void)t;
}

static int
fast_run(struct bench_run *r) {
    return bench_team_run_n(r, 1, nothing, NULL);
}

static int
slow_run(struct bench_run *r) {
    static int chunks;
    if (!r->warmup && ++chunks == 4 && notify_fd >= 0) {
        char c = 'x';
        if (write(notify_fd, &c, 1) != 1)
            return bench_fail(r, "cannot notify the parent");
        close(notify_fd);
        notify_fd = -1;
    }
    return bench_team_run_n(r, 1, nap, NULL);
}

static const struct bench_impl impl_x[] = {BENCH_IMPL("x", NULL), BENCH_IMPLS_END};
static const struct bench_scenario scenarios[] = {
    {.name = "fast", .op = "msg", .impls = impl_x, .run = fast_run},
    {.name = "slow", .op = "msg", .impls = impl_x, .run = slow_run, .max_iters = 1},
    BENCH_SCENARIOS_END,
};
static const struct bench_family fam = {.name = "i", .scenarios = scenarios};
static const struct bench_family *const families[] = {&fam, NULL};

static void
interrupt_with(int sig, const char *path) {
    int fds[2];
    CHECK(pipe(fds) == 0);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        notify_fd = fds[1];
        if (freopen("/dev/null", "w", stdout) == NULL)
            _exit(99);
        /* slow: 1 iteration of 20 ms per chunk, 1000 rounds: 20 s unless interrupted. */
        char *argv[] = {"run",  "--min-time", "0.001",      "--rounds",
                        "1000", "--out",      (char *)path, NULL};
        int rc = harness_run(7, argv, families);
        fflush(NULL);
        _exit(rc);
    }
    close(fds[1]);
    char c;
    CHECK(read(fds[0], &c, 1) == 1); /* the slow benchmark is running */
    close(fds[0]);
    CHECK(kill(pid, sig) == 0);
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    if (WIFEXITED(status) && WEXITSTATUS(status) != 128 + sig) {
        fprintf(stderr, "interrupted run exited %d, want %d\n", WEXITSTATUS(status), 128 + sig);
        check_failures++;
    }

    /* The file is valid, marked incomplete, and holds exactly the finished chunks. */
    struct result_file f;
    char err[512];
    int rc = results_load(path, &f, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "results_load: %s\n", err);
        check_failures++;
        unlink(path);
        return;
    }
    CHECK(!f.complete);
    CHECK(f.nbenches == 2);
    const struct result_bench *fast = results_find(&f, "i/fast/impl=x");
    const struct result_bench *slow = results_find(&f, "i/slow/impl=x");
    CHECK(slow != NULL && slow->nreps == 4); /* the chunk the signal came in finished */
    CHECK(fast != NULL && (fast->nreps == 3 || fast->nreps == 4));
    json_t *rounds = json_object_get(f.chanbench, "rounds");
    CHECK(fast != NULL &&
          json_integer_value(json_object_get(rounds, "completed")) == (json_int_t)fast->nreps);
    json_t *complete = json_object_get(f.chanbench, "complete");
    CHECK(json_is_false(complete));
    results_free(&f);
    unlink(path);
}

int
main(void) {
    char dir[] = "/tmp/chanbench-interrupt-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256];
    snprintf(path, sizeof path, "%s/int.json", dir);
    interrupt_with(SIGINT, path);
    interrupt_with(SIGTERM, path);
    rmdir(dir);
    return check_result("interrupt_test");
}
