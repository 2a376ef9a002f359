/* SPDX-License-Identifier: MIT */
/* An interrupted run: SIGINT (and SIGTERM) during a chunk stops after that chunk, writes the
 * chunks that finished into a valid file marked complete: false, keeps the journal for
 * --resume, and exits 130 (143). The run happens in a forked child; the child's slow benchmark
 * tells the parent through a pipe when its fourth round's chunk is running, so the signal
 * always arrives mid-chunk (no sleeps, no timing assumptions): that chunk finishes and is
 * kept, with the fast benchmark's fourth chunk when it came first in that round.
 * timeout(1)'s two SIGTERMs back to back: the chunk waits, after telling the parent, until
 * the parent has seen each signal taken by the child (no longer pending in /proc), so the
 * second always lands after the first was handled; the run still writes its file. A third
 * signal stops the run at once with one line, leaving the journal and no results file. */
#include <errno.h>
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

static const struct bench_impl impl_x[] = {BENCH_IMPL("x", NULL), BENCH_IMPLS_END};
static const struct bench_scenario scenarios[] = {
    CHUNK_SCENARIOS(impl_x),
    BENCH_SCENARIOS_END,
};
static const struct bench_family fam = {.name = "i", .scenarios = scenarios};
static const struct bench_family *const families[] = {&fam, NULL};

/* Wait until sig, sent to pid, is no longer pending for the process: a thread took it, and
 * its handler (or its default action) has run or is running. */
static void
wait_taken(pid_t pid, int sig) {
    char status[64];
    snprintf(status, sizeof status, "/proc/%d/status", (int)pid);
    for (;;) {
        FILE *f = fopen(status, "r");
        if (f == NULL)
            return;
        char line[256], state = '?';
        unsigned long long pending = 0;
        while (fgets(line, sizeof line, f) != NULL) {
            if (sscanf(line, "State: %c", &state) == 1)
                continue;
            if (sscanf(line, "ShdPnd: %llx", &pending) == 1)
                break;
        }
        fclose(f);
        if ((pending & (1ull << (sig - 1))) == 0 || state == 'Z' || state == 'X')
            return; /* taken, or the process is gone (a dead one's stay pending) */
        struct timespec ts = {0, 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

static char journal[300];

static void
interrupt_with(int sig, const char *path) {
    int fds[2];
    CHECK(pipe(fds) == 0);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        chunk_notify_fd = fds[1];
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

    /* The file is valid, marked incomplete, and holds exactly the finished chunks; the
     * journal stays for --resume. */
    snprintf(journal, sizeof journal, "%s.journal", path);
    CHECK(access(journal, F_OK) == 0);
    unlink(journal);
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

/* nsig SIGTERMs, each sent once the one before was taken, while the slow benchmark's fourth
 * chunk waits. Returns the child's wait status; its stderr goes to errpath. */
static int
terms(int nsig, const char *path, const char *errpath) {
    int fds[2], go[2];
    CHECK(pipe(fds) == 0 && pipe(go) == 0);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        close(go[1]);
        chunk_notify_fd = fds[1];
        chunk_go_fd = go[0];
        if (freopen("/dev/null", "w", stdout) == NULL || freopen(errpath, "w", stderr) == NULL)
            _exit(99);
        char *argv[] = {"run",  "--min-time", "0.001",      "--rounds",
                        "1000", "--out",      (char *)path, NULL};
        int rc = harness_run(7, argv, families);
        fflush(NULL);
        _exit(rc);
    }
    close(fds[1]);
    close(go[0]);
    char c = 'x';
    CHECK(read(fds[0], &c, 1) == 1); /* the slow chunk is running, and waits */
    close(fds[0]);
    for (int i = 0; i < nsig; i++) {
        CHECK(kill(pid, SIGTERM) == 0);
        wait_taken(pid, SIGTERM);
    }
    signal(SIGPIPE, SIG_IGN); /* the child is gone after a third signal */
    if (write(go[1], &c, 1) != 1) {
    }
    close(go[1]);
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid);
    return status;
}

/* The first line of errpath that contains what, or "" (a static buffer). */
static const char *
line_with(const char *errpath, const char *what) {
    static char line[4096];
    FILE *f = fopen(errpath, "r");
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (strstr(line, what) != NULL) {
            fclose(f);
            return line;
        }
    if (f != NULL)
        fclose(f);
    return "";
}

/* timeout(1)'s double SIGTERM: a valid file marked incomplete, exit 143. */
static void
double_term(const char *path, const char *errpath) {
    int status = terms(2, path, errpath);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGTERM);
    if (WIFSIGNALED(status))
        fprintf(stderr, "the second SIGTERM killed the run (signal %d)\n", WTERMSIG(status));
    CHECK(strstr(line_with(errpath, "already stopping"), "third signal") != NULL);
    struct result_file f;
    char err[512];
    if (results_load(path, &f, err, sizeof err) != 0) {
        fprintf(stderr, "results_load after two SIGTERMs: %s\n", err);
        check_failures++;
    } else {
        CHECK(!f.complete);
        const struct result_bench *slow = results_find(&f, "i/slow/impl=x");
        CHECK(slow != NULL && slow->nreps == 4);
        results_free(&f);
    }
    snprintf(journal, sizeof journal, "%s.journal", path);
    CHECK(access(journal, F_OK) == 0);
    unlink(journal);
    unlink(path);
}

/* A third signal: one line naming the journal, exit 143, no results file, the journal holds
 * the finished chunks. */
static void
triple_term(const char *path, const char *errpath) {
    int status = terms(3, path, errpath);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGTERM);
    snprintf(journal, sizeof journal, "%s.journal", path);
    CHECK(strstr(line_with(errpath, "third signal: stopping at once"), journal) != NULL);
    CHECK(access(path, F_OK) != 0);
    FILE *j = fopen(journal, "r");
    CHECK(j != NULL);
    int chunks = 0;
    char line[8192];
    while (j != NULL && fgets(line, sizeof line, j) != NULL)
        chunks += strstr(line, "\"t\":\"chunk\"") != NULL;
    if (j != NULL)
        fclose(j);
    CHECK(chunks >= 3); /* the slow benchmark's first three at least */
    unlink(journal);
}

int
main(void) {
    chunk_nap_ns = 20 * 1000 * 1000; /* slow: 20 ms a chunk, 1000 rounds: 20 s uninterrupted */
    char dir[] = "/tmp/chanbench-interrupt-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256];
    snprintf(path, sizeof path, "%s/int.json", dir);
    interrupt_with(SIGINT, path);
    interrupt_with(SIGTERM, path);
    char errpath[300];
    snprintf(errpath, sizeof errpath, "%s/stderr", dir);
    double_term(path, errpath);
    triple_term(path, errpath);
    unlink(errpath);
    rmdir(dir);
    return check_result("interrupt_test");
}
