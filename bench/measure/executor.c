/* SPDX-License-Identifier: MIT */
/* Executors (executor.h): finding the Go and crossbeam programs, starting them, speaking
 * protocol 2 to them with a deadline on every answer, and reading what they answer. */
#define _GNU_SOURCE
#include "executor.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "hist.h"
#include "util.h"

/* Where the build put the executors, and why it did not when it did not (bench/peers/
 * CMakeLists.txt, written into the generated peer_paths.h by bench/CMakeLists.txt). Empty
 * reasons mean "built". A build without the header (no CMake) has none. */
#ifdef CHANBENCH_HAVE_PEER_PATHS
#include "peer_paths.h"
#endif
#ifndef CHANBENCH_PEER_GO
#define CHANBENCH_PEER_GO ""
#endif
#ifndef CHANBENCH_PEER_GO_MISSING
#define CHANBENCH_PEER_GO_MISSING "this chanbench was built without peer support"
#endif
#ifndef CHANBENCH_PEER_CROSSBEAM
#define CHANBENCH_PEER_CROSSBEAM ""
#endif
#ifndef CHANBENCH_PEER_CROSSBEAM_MISSING
#define CHANBENCH_PEER_CROSSBEAM_MISSING "this chanbench was built without peer support"
#endif

struct executor_def {
    const char *impl;
    const char *env;     /* the override */
    const char *path;    /* where the build put it */
    const char *missing; /* why the build did not ("" when it did) */
    const char *target;  /* the CMake target that builds it */
};

static const struct executor_def defs[] = {
    {"go", "CHANBENCH_PEER_GO", CHANBENCH_PEER_GO, CHANBENCH_PEER_GO_MISSING, "peer_go"},
    {"crossbeam", "CHANBENCH_PEER_CROSSBEAM", CHANBENCH_PEER_CROSSBEAM,
     CHANBENCH_PEER_CROSSBEAM_MISSING, "peer_crossbeam"},
};

#define NDEFS (sizeof defs / sizeof defs[0])

/* An answer line longer than this is garbage (a histogram of every bucket is ~600 KiB). */
#define MAX_LINE ((size_t)4 << 20)

static const struct executor_def *
find_def(const char *impl) {
    for (size_t i = 0; i < NDEFS; i++)
        if (strcmp(defs[i].impl, impl) == 0)
            return &defs[i];
    return NULL;
}

bool
executor_known(const char *impl) {
    return find_def(impl) != NULL;
}

void
executor_names(char *buf, size_t len) {
    size_t used = 0;
    if (len > 0)
        buf[0] = '\0';
    for (size_t i = 0; i < NDEFS && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", defs[i].impl);
}

static bool
is_executable_file(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

const char *
executor_program(const char *impl, char *why, size_t len) {
    const struct executor_def *d = find_def(impl);
    if (d == NULL) {
        bench_seterr(why, len, "not an executor");
        return NULL;
    }
    const char *env = getenv(d->env);
    if (env != NULL && *env != '\0') {
        if (is_executable_file(env))
            return env;
        bench_seterr(why, len, "%s=%s is not an executable file (%s)", d->env, env,
                     access(env, F_OK) == 0 ? "not executable" : strerror(errno));
        return NULL;
    }
    /* Installed beside chanbench (cmake --install: PREFIX/libexec/chanbench/), else where the
     * build put it. */
    static char installed[NDEFS][4200];
    size_t k = (size_t)(d - defs);
    char dir[4096];
    const char *base = strrchr(d->path, '/') ? strrchr(d->path, '/') + 1 : d->path;
    if (*base != '\0' && bench_exe_dir(dir, sizeof dir)) {
        int n =
            snprintf(installed[k], sizeof installed[k], "%s/../libexec/chanbench/%.64s", dir, base);
        if (n > 0 && (size_t)n < sizeof installed[k] && is_executable_file(installed[k]))
            return installed[k];
    }
    if (d->missing[0] != '\0') {
        bench_seterr(why, len, "%s", d->missing);
        return NULL;
    }
    if (!is_executable_file(d->path)) {
        bench_seterr(why, len,
                     "%s is not there; build it (cmake --build BUILD --target %s) or set %s",
                     d->path, d->target, d->env);
        return NULL;
    }
    return d->path;
}

/* ---- the child -------------------------------------------------------------------------- */

static int64_t
mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Kill the child (if any), reap it, and mark e dead with why (the first reason wins). */
static void
kill_child(struct executor *e, const char *why) {
    if (!e->dead && why != NULL)
        bench_seterr(e->why, sizeof e->why, "%s", why);
    e->dead = true;
    if (e->pid > 0) {
        kill(e->pid, SIGKILL);
        while (waitpid(e->pid, NULL, 0) < 0 && errno == EINTR)
            ;
        e->pid = 0;
    }
    if (e->open)
        close(e->fd);
    e->open = false;
}

/* After the child closed its end: how it ended, as "exited with status N" or "was killed by
 * signal N (NAME)"; reaps it. */
static void
reap_reason(struct executor *e, char *buf, size_t len) {
    int status = 0;
    pid_t r;
    /* It closed its socket; give it a moment to finish exiting. */
    for (int i = 0; i < 200 && (r = waitpid(e->pid, &status, WNOHANG)) == 0; i++) {
        struct timespec ts = {0, 5000000};
        nanosleep(&ts, NULL);
    }
    if (r == e->pid) {
        e->pid = 0;
        if (WIFEXITED(status))
            bench_seterr(buf, len, "exited with status %d", WEXITSTATUS(status));
        else if (WIFSIGNALED(status))
            bench_seterr(buf, len, "was killed by signal %d (%s)", WTERMSIG(status),
                         strsignal(WTERMSIG(status)));
        else
            bench_seterr(buf, len, "ended (wait status %d)", status);
    } else {
        bench_seterr(buf, len, "closed its output");
    }
}

static int
send_line(struct executor *e, const char *line) {
    size_t len = strlen(line), off = 0;
    while (off < len) {
        ssize_t w = send(e->fd, line + off, len - off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        off += (size_t)w;
    }
    return 0;
}

enum read_result { READ_LINE, READ_EOF, READ_TIMEOUT, READ_ERROR };

/* The next line from the child into *line (NUL-terminated in e->buf, valid until the next
 * read), waiting until deadline (CLOCK_MONOTONIC ns). Signals do not cut the wait short. */
static enum read_result
read_line(struct executor *e, int64_t deadline, char **line) {
    for (;;) {
        char *nl = e->len ? memchr(e->buf, '\n', e->len) : NULL;
        if (nl != NULL) {
            /* A NUL inside the line would end the answer early for the parser (and leave the
             * rest for the next answer): it becomes a control character, which JSON never
             * allows, so that the line is refused whole. */
            for (char *p = e->buf; (p = memchr(p, '\0', (size_t)(nl - p))) != NULL;)
                *p = '\x01';
            *nl = '\0';
            *line = e->buf;
            return READ_LINE;
        }
        if (e->len >= MAX_LINE)
            return READ_ERROR;
        if (e->len + 65536 > e->cap) {
            size_t ncap = e->cap ? e->cap * 2 : 131072;
            char *nb = realloc(e->buf, ncap);
            if (nb == NULL)
                return READ_ERROR;
            e->buf = nb;
            e->cap = ncap;
        }
        int64_t left = deadline - mono_ns();
        if (left <= 0)
            return READ_TIMEOUT;
        struct pollfd pfd = {.fd = e->fd, .events = POLLIN};
        int ms = left / 1000000 > 1000 ? 1000 : (int)(left / 1000000) + 1;
        int pr = poll(&pfd, 1, ms);
        if (pr < 0 && errno != EINTR)
            return READ_ERROR;
        if (pr <= 0)
            continue;
        ssize_t r = recv(e->fd, e->buf + e->len, e->cap - e->len - 1, 0);
        if (r < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (r == 0 || (r < 0 && errno == ECONNRESET)) /* reset: it exited with input unread */
            return READ_EOF;
        if (r < 0)
            return READ_ERROR;
        e->len += (size_t)r;
    }
}

/* Drop the line read_line returned (and its newline) from the buffer. */
static void
consume_line(struct executor *e) {
    size_t l = strlen(e->buf) + 1;
    memmove(e->buf, e->buf + l, e->len - l);
    e->len -= l;
}

/* Wait for one answer line; on anything but a line, kill the child with a reason in msg. */
static int
answer_line(struct executor *e, int64_t deadline, double wait_s, char **line, char *msg,
            size_t msglen) {
    enum read_result rr = read_line(e, deadline, line);
    if (rr == READ_LINE)
        return 0;
    char why[256];
    if (rr == READ_EOF)
        reap_reason(e, why, sizeof why);
    else if (rr == READ_TIMEOUT)
        bench_seterr(why, sizeof why, "answered nothing within %.0f s (killed)", wait_s);
    else
        bench_seterr(why, sizeof why, "answered a line longer than %zu bytes or could not be read",
                     MAX_LINE);
    bench_seterr(msg, msglen, "%s %s", e->program, why);
    kill_child(e, msg);
    return -1;
}

int
executor_start(struct executor *e, const char *impl, const char *program, double timeout_s,
               char *err, size_t errlen) {
    memset(e, 0, sizeof *e);
    e->impl = impl;
    e->program = program;
    e->timeout_s = timeout_s;
    e->next_id = 1;
    int sv[2], perr[2]; /* the child's stdin+stdout; exec's errno */
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        bench_seterr(err, errlen, "cannot make a socket pair: %s", strerror(errno));
        e->dead = true;
        return -1;
    }
    if (pipe2(perr, O_CLOEXEC) != 0) {
        bench_seterr(err, errlen, "cannot make a pipe: %s", strerror(errno));
        close(sv[0]);
        close(sv[1]);
        e->dead = true;
        return -1;
    }
    pid_t parent = getpid();
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        bench_seterr(err, errlen, "cannot fork: %s", strerror(errno));
        close(sv[0]);
        close(sv[1]);
        close(perr[0]);
        close(perr[1]);
        e->dead = true;
        return -1;
    }
    if (pid == 0) {
        /* The child: its own process group, dies with chanbench, every signal unblocked. */
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        if (dup2(sv[1], STDIN_FILENO) >= 0 && dup2(sv[1], STDOUT_FILENO) >= 0)
            execl(program, program, "--serve", (char *)NULL);
        int en = errno;
        ssize_t w = write(perr[1], &en, sizeof en);
        (void)w;
        _exit(127);
    }
    close(sv[1]);
    close(perr[1]);
    e->pid = pid;
    e->fd = sv[0];
    e->open = true;
    int exec_errno = 0;
    ssize_t got;
    do
        got = read(perr[0], &exec_errno, sizeof exec_errno);
    while (got < 0 && errno == EINTR);
    close(perr[0]);
    if (got == (ssize_t)sizeof exec_errno) {
        bench_seterr(err, errlen, "cannot run %s: %s", program, strerror(exec_errno));
        kill_child(e, err);
        return -1;
    }

    char hello[64];
    snprintf(hello, sizeof hello, "hello protocol=%d\n", EXECUTOR_PROTOCOL);
    char *line;
    if (send_line(e, hello) != 0) {
        char why[256];
        reap_reason(e, why, sizeof why);
        bench_seterr(err, errlen, "%s %s before reading hello", program, why);
        kill_child(e, err);
        return -1;
    }
    if (answer_line(e, mono_ns() + (int64_t)(timeout_s * 1e9), timeout_s, &line, err, errlen) != 0)
        return -1;
    char what[320];
    json_t *j = executor_parse_hello(line, impl, what, sizeof what);
    if (j == NULL) {
        bench_seterr(err, errlen, "%s %s", program, what);
        kill_child(e, err);
        return -1;
    }
    consume_line(e);
    e->info = j;
    return 0;
}

/* ---- answers ---------------------------------------------------------------------------- */

/* The key as a string that lives as long as the program (extra keys from executors are few:
 * share_min, pause_ns, ...). NULL when out of room. */
static const char *
intern(const char *key) {
    static char *keys[64];
    static int nkeys;
    for (int i = 0; i < nkeys; i++)
        if (strcmp(keys[i], key) == 0)
            return keys[i];
    if (nkeys == 64 || (keys[nkeys] = strdup(key)) == NULL)
        return NULL;
    return keys[nkeys++];
}

static bool
get_int(json_t *o, const char *key, json_int_t lo, json_int_t *out) {
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v) || json_integer_value(v) < lo)
        return false;
    *out = json_integer_value(v);
    return true;
}

static const char *
parse_hist(json_t *h, struct bench_hist **out, char *buf, size_t len) {
    json_int_t count, min, max;
    json_t *counts = json_object_get(h, "counts");
    if (!json_is_object(h) || !get_int(h, "count", 0, &count) || !get_int(h, "min", 0, &min) ||
        !get_int(h, "max", 0, &max) || !json_is_array(counts))
        return "a hist without count, min, max and counts";
    struct bench_hist *hist = bench_hist_new();
    if (hist == NULL)
        return "out of memory";
    uint64_t sum = 0;
    size_t i;
    json_t *pair;
    long long prev = -1;
    json_array_foreach(counts, i, pair) {
        json_t *ix = json_array_get(pair, 0), *c = json_array_get(pair, 1);
        if (!json_is_array(pair) || json_array_size(pair) != 2 || !json_is_integer(ix) ||
            !json_is_integer(c) || json_integer_value(c) < 1 || json_integer_value(ix) <= prev ||
            !bench_hist_add_at(hist, (size_t)json_integer_value(ix),
                               (uint64_t)json_integer_value(c))) {
            snprintf(buf, len,
                     "hist.counts[%zu] is not an [index, count] pair of increasing index below "
                     "%zu and positive count",
                     i, BENCH_HIST_NCOUNTS);
            bench_hist_free(hist);
            return buf;
        }
        prev = json_integer_value(ix);
        sum += (uint64_t)json_integer_value(c);
    }
    if (sum != (uint64_t)count || (count > 0 && min > max)) {
        bench_hist_free(hist);
        return "a hist whose counts do not add up to its count, or whose min is above its max";
    }
    if (count > 0)
        bench_hist_set_extremes(hist, min, max);
    *out = hist;
    return NULL;
}

void
executor_figures_free(struct executor_figures *f) {
    bench_hist_free(f->hist);
    f->hist = NULL;
}

json_t *
executor_parse_hello(const char *line, const char *impl, char *msg, size_t msglen) {
    json_error_t jerr;
    json_t *j = json_loads(line, 0, &jerr);
    const char *what = NULL;
    char buf[256];
    if (!json_is_object(j)) {
        what = "an answer to hello that is not a JSON object";
    } else if (json_integer_value(json_object_get(j, "protocol")) != EXECUTOR_PROTOCOL ||
               !json_is_integer(json_object_get(j, "protocol"))) {
        json_t *p = json_object_get(j, "protocol");
        if (json_is_integer(p))
            snprintf(buf, sizeof buf, "speaks protocol %lld, this chanbench speaks %d",
                     (long long)json_integer_value(p), EXECUTOR_PROTOCOL);
        else
            snprintf(buf, sizeof buf, "answered hello without a protocol number");
        what = buf;
    } else if (json_object_get(j, "error") != NULL) {
        snprintf(buf, sizeof buf, "refused hello: %.200s",
                 json_is_string(json_object_get(j, "error"))
                     ? json_string_value(json_object_get(j, "error"))
                     : "(no message)");
        what = buf;
    } else if (json_string_value(json_object_get(j, "impl")) == NULL ||
               strcmp(json_string_value(json_object_get(j, "impl")), impl) != 0) {
        snprintf(buf, sizeof buf, "says it is impl '%.40s', not '%s'",
                 json_string_value(json_object_get(j, "impl"))
                     ? json_string_value(json_object_get(j, "impl"))
                     : "(none)",
                 impl);
        what = buf;
    } else if (!json_is_string(json_object_get(j, "version")) ||
               !json_is_string(json_object_get(j, "library_version"))) {
        what = "answered hello without version and library_version strings";
    }
    if (what != NULL) {
        bench_seterr(msg, msglen, "%s", what);
        json_decref(j);
        return NULL;
    }
    return j;
}

enum executor_status
executor_parse_answer(const char *line, uint64_t want_id, struct executor_figures *out, char *msg,
                      size_t msglen) {
    memset(out, 0, sizeof *out);
    out->gomaxprocs = -1;
    json_error_t jerr;
    json_t *j = json_loads(line, 0, &jerr);
    enum executor_status st = EXEC_BROKEN;
    char buf[256];
    const char *what = NULL;
    json_int_t id, v;
    if (!json_is_object(j)) {
        bench_seterr(msg, msglen, "answered something that is not a JSON object: '%.80s'", line);
        goto out;
    }
    if (!get_int(j, "id", 0, &id) || (uint64_t)id != want_id) {
        bench_seterr(msg, msglen, "answered order %llu with %s", (unsigned long long)want_id,
                     get_int(j, "id", 0, &id) ? "another id" : "no id");
        goto out;
    }
    json_t *ok = json_object_get(j, "ok");
    if (!json_is_boolean(ok)) {
        bench_seterr(msg, msglen, "answered without ok: true or false");
        goto out;
    }
    if (!json_is_true(ok)) {
        const char *failed = json_string_value(json_object_get(j, "failed"));
        const char *error = json_string_value(json_object_get(j, "error"));
        if (failed != NULL) {
            bench_seterr(msg, msglen, "its own check failed: %.300s", failed);
            st = EXEC_FAILED;
        } else if (error != NULL) {
            bench_seterr(msg, msglen, "refused: %.300s", error);
            st = EXEC_REFUSED;
        } else {
            bench_seterr(msg, msglen, "answered ok: false without error or failed");
        }
        goto out;
    }
    json_int_t wall, cpu, vcsw, ivcsw, threads;
    if (!get_int(j, "ops", 1, &v) || !get_int(j, "wall_ns", 0, &wall) ||
        !get_int(j, "cpu_ns", 0, &cpu) || !get_int(j, "vcsw", 0, &vcsw) ||
        !get_int(j, "ivcsw", 0, &ivcsw) || !get_int(j, "threads", 1, &threads)) {
        what = "without ops, wall_ns, cpu_ns, vcsw, ivcsw and threads as integers";
    } else {
        out->ops = (uint64_t)v;
        out->wall_ns = wall;
        out->cpu_ns = cpu;
        out->vcsw = (long)vcsw;
        out->ivcsw = (long)ivcsw;
        out->threads = (int)threads;
        const char *aff = json_string_value(json_object_get(j, "affinity"));
        snprintf(out->affinity, sizeof out->affinity, "%s", aff ? aff : "");
        json_t *g = json_object_get(j, "gomaxprocs");
        out->gomaxprocs = json_is_integer(g) ? (int)json_integer_value(g) : -1;
        json_t *h = json_object_get(j, "hist");
        if (h != NULL && !json_is_null(h))
            what = parse_hist(h, &out->hist, buf, sizeof buf);
        json_t *x = json_object_get(j, "extra");
        if (what == NULL && x != NULL && !json_is_object(x))
            what = "with an extra that is not an object";
        const char *key;
        json_t *val;
        if (what == NULL && x != NULL)
            json_object_foreach(x, key, val) {
                if (!json_is_number(val) || !isfinite(json_number_value(val))) {
                    snprintf(buf, sizeof buf, "with extra.%.60s not a finite number", key);
                    what = buf;
                    break;
                }
                const char *k = intern(key);
                if (k != NULL && out->nextra < TRIAL_MAX_EXTRA)
                    out->extra[out->nextra++] = (struct trial_extra){k, json_number_value(val)};
            }
    }
    if (what != NULL) {
        bench_seterr(msg, msglen, "answered %s", what);
        executor_figures_free(out);
        goto out;
    }
    st = EXEC_OK;
out:
    json_decref(j);
    return st;
}

enum executor_status
executor_run(struct executor *e, const char *bench, const int *pus, int npus, uint64_t iters,
             double expect_s, struct executor_figures *out, char *msg, size_t msglen) {
    memset(out, 0, sizeof *out);
    if (e->dead) {
        bench_seterr(msg, msglen, "%s", e->why);
        return EXEC_BROKEN;
    }
    size_t cap = strlen(bench) + 96 + (size_t)(npus > 0 ? npus : 1) * 12;
    char *req = malloc(cap);
    if (req == NULL) {
        bench_seterr(msg, msglen, "out of memory");
        return EXEC_BROKEN;
    }
    uint64_t id = e->next_id++;
    size_t n =
        (size_t)snprintf(req, cap, "run id=%llu bench=%s iters=%llu pus=", (unsigned long long)id,
                         bench, (unsigned long long)iters);
    if (npus == 0)
        n += (size_t)snprintf(req + n, cap - n, "none");
    for (int i = 0; i < npus; i++)
        n += (size_t)snprintf(req + n, cap - n, "%s%d", i ? "," : "", pus[i]);
    snprintf(req + n, cap - n, "\n");
    int rc = send_line(e, req);
    free(req);
    char *line;
    double wait_s = e->timeout_s + 10 * (expect_s > 0 ? expect_s : 0);
    if (rc != 0) {
        char why[256];
        reap_reason(e, why, sizeof why);
        bench_seterr(msg, msglen, "%s %s before reading the order", e->program, why);
        kill_child(e, msg);
        return EXEC_BROKEN;
    }
    if (answer_line(e, mono_ns() + (int64_t)(wait_s * 1e9), wait_s, &line, msg, msglen) != 0)
        return EXEC_BROKEN;
    char why[512];
    enum executor_status st = executor_parse_answer(line, id, out, why, sizeof why);
    consume_line(e);
    if (st == EXEC_BROKEN) {
        bench_seterr(msg, msglen, "%s %s", e->program, why);
        kill_child(e, msg);
    } else if (st == EXEC_FAILED) {
        bench_seterr(msg, msglen, "%s: %s", e->program, why);
        char end[256];
        bench_seterr(end, sizeof end, "%s stopped after a failed check", e->program);
        kill_child(e, end);
    } else if (st == EXEC_REFUSED) {
        bench_seterr(msg, msglen, "%s %s", e->program, why);
    }
    return st;
}

void
executor_stop(struct executor *e) {
    if (e->pid > 0 && !e->dead && e->open) {
        send_line(e, "quit\n");
        shutdown(e->fd, SHUT_WR); /* EOF for a reader that ignores quit */
        for (int i = 0; i < 100; i++) {
            int status;
            pid_t r = waitpid(e->pid, &status, WNOHANG);
            if (r == e->pid || (r < 0 && errno != EINTR)) {
                e->pid = 0;
                break;
            }
            struct timespec ts = {0, 10000000};
            nanosleep(&ts, NULL);
        }
    }
    kill_child(e, NULL);
    free(e->buf);
    e->buf = NULL;
    e->len = e->cap = 0;
    json_decref(e->info);
    e->info = NULL;
}
