/* SPDX-License-Identifier: MIT */
/* Full disks, on a small tmpfs mounted for the test (skipped, exit 77, where mounting is not
 * permitted):
 *   - a folder with clearly too little room is refused before anything runs (one line, exit
 *     2, nothing written);
 *   - a disk that fills up during the run: the journal moves to $TMPDIR with a line, the final
 *     write fails (exit 1) with a line that names the journal and how to turn it into a
 *     results file, and --resume JOURNAL --out elsewhere writes the whole run from it;
 *   - a disk with room for the journal but not the results: the journal stays beside them.
 * The run happens in a forked child whose slow benchmark, at its fourth chunk, tells the
 * parent and waits until the parent has filled the disk (no sleeps). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "chunk_fixture.h"
#include "results.h"
#include "run.h"

#define ROUNDS 8

static const struct bench_impl impl_x[] = {BENCH_IMPL("x", NULL), BENCH_IMPLS_END};
static const struct bench_scenario scenarios[] = {
    CHUNK_SCENARIOS(impl_x),
    BENCH_SCENARIOS_END,
};
static const struct bench_family fam = {.name = "d", .scenarios = scenarios};
static const struct bench_family *const families[] = {&fam, NULL};

static char disk[] = "/tmp/chanbench-disk-XXXXXX";  /* the tmpfs */
static char other[] = "/tmp/chanbench-othr-XXXXXX"; /* $TMPDIR and stderr, on /tmp */

/* Fill the disk up to leave bytes free (rounded to tmpfs pages). */
static void
fill(const char *path, long leave) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    REQUIRE(fd >= 0);
    static char block[4096];
    while (write(fd, block, sizeof block) == (ssize_t)sizeof block)
        ;
    off_t size = lseek(fd, 0, SEEK_END);
    if (leave > 0)
        CHECK(ftruncate(fd, size > leave ? size - leave : 0) == 0);
    close(fd);
}

/* Run argv in a child with TMPDIR=other and stderr into errpath; with filler, fill the disk
 * (leaving leave bytes) while the fourth slow chunk waits. The child's wait status. */
static int
run_child(char **argv, int argc, const char *filler, long leave, const char *errpath) {
    int up[2], down[2];
    REQUIRE(pipe(up) == 0 && pipe(down) == 0);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(up[0]);
        close(down[1]);
        if (filler != NULL) {
            chunk_notify_fd = up[1];
            chunk_go_fd = down[0];
        }
        setenv("TMPDIR", other, 1);
        if (freopen("/dev/null", "w", stdout) == NULL || freopen(errpath, "w", stderr) == NULL)
            _exit(99);
        int rc = harness_run(argc, argv, families);
        fflush(NULL);
        _exit(rc);
    }
    close(up[1]);
    close(down[0]);
    if (filler != NULL) {
        char c = 'x';
        CHECK(read(up[0], &c, 1) == 1);
        fill(filler, leave);
        CHECK(write(down[1], &c, 1) == 1);
    }
    close(up[0]);
    close(down[1]);
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

/* errpath's text (a static buffer), also echoed for the log. */
static const char *
text_of(const char *errpath) {
    static char buf[16384];
    buf[0] = '\0';
    FILE *f = fopen(errpath, "r");
    if (f != NULL) {
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = '\0';
        fclose(f);
    }
    fputs(buf, stderr);
    return buf;
}

static int
lines(const char *s) {
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* The complete file --resume journal --out out writes. */
static void
resume_into(const char *journal, const char *out, const char *errpath) {
    char *argv[] = {"run", "--resume", (char *)journal, "--out", (char *)out, NULL};
    CHECK(exited(run_child(argv, 5, NULL, 0, errpath), 0));
    CHECK(access(journal, F_OK) != 0);
    struct result_file f;
    char err[512];
    if (results_load(out, &f, err, sizeof err) != 0) {
        fprintf(stderr, "results_load: %s\n", err);
        check_failures++;
        return;
    }
    CHECK(f.complete);
    CHECK_EQ(f.nbenches, 2);
    for (size_t i = 0; i < f.nbenches; i++)
        CHECK_EQ(f.benches[i].nreps, ROUNDS);
    results_free(&f);
    unlink(out);
}

int
main(void) {
    chunk_nap_ns = 2 * 1000 * 1000;
    REQUIRE(mkdtemp(disk) != NULL && mkdtemp(other) != NULL);
    if (mount("tmpfs", disk, "tmpfs", 0, "size=64k") != 0) {
        printf("SKIPPED: cannot mount a tmpfs on %s (%s): the full-disk cases need root\n", disk,
               strerror(errno));
        rmdir(disk);
        rmdir(other);
        return 77;
    }
    char out[300], errpath[300], filler[300], journal[400], moved[400], saved[300];
    snprintf(out, sizeof out, "%s/r.json", disk);
    snprintf(filler, sizeof filler, "%s/filler", disk);
    snprintf(errpath, sizeof errpath, "%s/stderr", other);
    snprintf(journal, sizeof journal, "%s.journal", out);
    snprintf(moved, sizeof moved, "%s/r.json.journal", other);
    snprintf(saved, sizeof saved, "%s/saved.json", other);
    char rounds[16];
    snprintf(rounds, sizeof rounds, "%d", ROUNDS);
    char *argv[] = {"run", "--min-time", "0.001", "--rounds", rounds, "--out", out, NULL};

    /* 64 KiB: refused before the first benchmark. */
    CHECK(exited(run_child(argv, 7, NULL, 0, errpath), 2));
    const char *e = text_of(errpath);
    CHECK(strstr(e, "free in") != NULL && strstr(e, "1 MiB plus 4 KiB per chunk") != NULL);
    CHECK_EQ(lines(e), 1);
    CHECK(access(out, F_OK) != 0 && access(journal, F_OK) != 0);

    /* Full during the run: the journal moves to $TMPDIR, the final write fails. */
    REQUIRE(mount("tmpfs", disk, "tmpfs", MS_REMOUNT, "size=2m") == 0);
    CHECK(exited(run_child(argv, 7, filler, 0, errpath), 1));
    e = text_of(errpath);
    CHECK(strstr(e, "it goes on in") != NULL && strstr(e, moved) != NULL);
    const char *fail = strstr(e, "No space left on device; the finished chunks are in the journal");
    CHECK(fail != NULL && strstr(fail, moved) != NULL && strstr(fail, "--resume") != NULL);
    CHECK(access(out, F_OK) != 0);
    CHECK(access(journal, F_OK) != 0); /* moved */
    CHECK(access(moved, F_OK) == 0);
    unlink(filler);
    resume_into(moved, saved, errpath);

    /* Room for the journal's last chunks but not for the results: the journal stays beside
     * them. */
    CHECK(exited(run_child(argv, 7, filler, 16 * 1024, errpath), 1));
    e = text_of(errpath);
    fail = strstr(e, "No space left on device; the finished chunks are in the journal");
    CHECK(fail != NULL && strstr(fail, journal) != NULL);
    CHECK(strstr(e, "it goes on in") == NULL);
    CHECK(access(journal, F_OK) == 0);
    unlink(filler);
    resume_into(journal, saved, errpath);

    unlink(errpath);
    CHECK(umount(disk) == 0);
    rmdir(disk);
    rmdir(other);
    return check_result("journal_disk_test");
}
