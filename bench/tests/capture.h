/* SPDX-License-Identifier: MIT */
/* Run a chanbench subcommand (cmd_compare, cmd_plot, ...) in a forked child with its stdout and
 * stderr captured, for the tests of those commands. Header-only, like harness_check.h; include
 * it after harness_check.h (it uses CHECK). */
#ifndef BENCH_TEST_CAPTURE_H
#define BENCH_TEST_CAPTURE_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

struct run {
    int rc;
    char out[1 << 20];
    char err[1 << 16];
};

static inline void
capture_slurp(const char *path, char *buf, size_t len) {
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    size_t n = fread(buf, 1, len - 1, f);
    buf[n] = '\0';
    fclose(f);
}

/* Run cmd(argc, argv) with argv = {name, args..., NULL} (args end with NULL) in a child; with
 * path not NULL the child's PATH is set to it. Returns a static result, overwritten by the next
 * call. */
static inline struct run *
capture_command(int (*cmd)(int, char **), const char *name, const char *path, const char *first,
                va_list ap) {
    static struct run r;
    char *argv[32];
    int argc = 0;
    argv[argc++] = (char *)name;
    for (const char *a = first; a != NULL && argc < 31; a = va_arg(ap, const char *))
        argv[argc++] = (char *)a;
    argv[argc] = NULL;
    char outp[] = "/tmp/chanbench_capture_out_XXXXXX", errp[] = "/tmp/chanbench_capture_err_XXXXXX";
    int fo = mkstemp(outp), fe = mkstemp(errp);
    CHECK(fo >= 0 && fe >= 0);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        dup2(fo, 1);
        dup2(fe, 2);
        if (path != NULL)
            setenv("PATH", path, 1);
        int rc = cmd(argc, argv);
        fflush(stdout);
        fflush(stderr);
        _exit(rc);
    }
    int status;
    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status));
    r.rc = WEXITSTATUS(status);
    close(fo);
    close(fe);
    capture_slurp(outp, r.out, sizeof r.out);
    capture_slurp(errp, r.err, sizeof r.err);
    unlink(outp);
    unlink(errp);
    return &r;
}

#endif
