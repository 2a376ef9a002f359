/* SPDX-License-Identifier: MIT */
/* Out-of-process peers: finding, listing, running and reading the Go and crossbeam programs
 * (extpeer.h, docs/results-format.md "Out-of-process peers"). */
#define _GNU_SOURCE
#include "extpeer.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "topology.h"

/* Where the build put the peers, and why it did not when it did not (bench/peers/CMakeLists.txt,
 * written into the generated peer_paths.h by bench/CMakeLists.txt). Empty reasons mean "built".
 * A build without the header (no CMake) has no peers. */
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

struct peer_def {
    const char *impl;
    const char *env;     /* the override */
    const char *path;    /* where the build put it */
    const char *missing; /* why the build did not ("" when it did) */
    const char *target;  /* the CMake target that builds it */
};

static const struct peer_def peers[] = {
    {"go", "CHANBENCH_PEER_GO", CHANBENCH_PEER_GO, CHANBENCH_PEER_GO_MISSING, "peer_go"},
    {"crossbeam", "CHANBENCH_PEER_CROSSBEAM", CHANBENCH_PEER_CROSSBEAM,
     CHANBENCH_PEER_CROSSBEAM_MISSING, "peer_crossbeam"},
};

#define NPEERS (sizeof peers / sizeof peers[0])

static const struct peer_def *
find_peer(const char *impl) {
    for (size_t i = 0; i < NPEERS; i++)
        if (strcmp(peers[i].impl, impl) == 0)
            return &peers[i];
    return NULL;
}

bool
extpeer_known(const char *impl) {
    return find_peer(impl) != NULL;
}

void
extpeer_names(char *buf, size_t len) {
    size_t used = 0;
    if (len > 0)
        buf[0] = '\0';
    for (size_t i = 0; i < NPEERS && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", peers[i].impl);
}

static bool
is_executable_file(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

const char *
extpeer_program(const char *impl, char *why, size_t len) {
    const struct peer_def *p = find_peer(impl);
    if (p == NULL) {
        snprintf(why, len, "not an out-of-process peer");
        return NULL;
    }
    const char *env = getenv(p->env);
    if (env != NULL && *env != '\0') {
        if (is_executable_file(env))
            return env;
        snprintf(why, len, "%s=%s is not an executable file (%s)", p->env, env,
                 access(env, F_OK) == 0 ? "not executable" : strerror(errno));
        return NULL;
    }
    if (p->missing[0] != '\0') {
        snprintf(why, len, "%s", p->missing);
        return NULL;
    }
    if (!is_executable_file(p->path)) {
        snprintf(why, len, "%s is not there; build it (cmake --build BUILD --target %s) or set %s",
                 p->path, p->target, p->env);
        return NULL;
    }
    return p->path;
}

/* ---- running ---------------------------------------------------------------------------- */

int
extpeer_exec(char *const *argv, char **out, size_t *outlen, volatile sig_atomic_t *stop, char *err,
             size_t errlen) {
    *out = NULL;
    *outlen = 0;
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    if (buf == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    buf[0] = '\0';
    *out = buf;
    int pout[2], perr[2]; /* stdout; exec's errno */
    if (pipe2(pout, O_CLOEXEC) != 0) {
        snprintf(err, errlen, "cannot make a pipe: %s", strerror(errno));
        return -1;
    }
    if (pipe2(perr, O_CLOEXEC) != 0) {
        snprintf(err, errlen, "cannot make a pipe: %s", strerror(errno));
        close(pout[0]);
        close(pout[1]);
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "cannot fork: %s", strerror(errno));
        close(pout[0]);
        close(pout[1]);
        close(perr[0]);
        close(perr[1]);
        return -1;
    }
    if (pid == 0) {
        /* The child: stdout into the pipe, every signal unblocked (exec resets handlers). */
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        if (dup2(pout[1], STDOUT_FILENO) >= 0)
            execv(argv[0], argv);
        int e = errno;
        ssize_t w = write(perr[1], &e, sizeof e);
        (void)w;
        _exit(127);
    }
    close(pout[1]);
    close(perr[1]);
    for (;;) {
        if (stop != NULL && *stop) {
            /* Stop it and stop reading: a process it started may hold the pipe open. */
            kill(pid, SIGTERM);
            break;
        }
        if (len + 1 >= cap) {
            char *nb = realloc(buf, cap * 2);
            if (nb == NULL) {
                kill(pid, SIGKILL);
                break;
            }
            buf = *out = nb;
            cap *= 2;
        }
        ssize_t r = read(pout[0], buf + len, cap - len - 1);
        if (r < 0 && errno == EINTR)
            continue; /* the loop's top looks at *stop */
        if (r <= 0)
            break;
        len += (size_t)r;
    }
    buf[len] = '\0';
    *outlen = len;
    close(pout[0]);
    int exec_errno = 0;
    ssize_t got;
    do
        got = read(perr[0], &exec_errno, sizeof exec_errno);
    while (got < 0 && errno == EINTR);
    close(perr[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (got == (ssize_t)sizeof exec_errno) {
        snprintf(err, errlen, "cannot run %s: %s", argv[0], strerror(exec_errno));
        return -1;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFEXITED(status))
        snprintf(err, errlen, "exited with status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(err, errlen, "was killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else
        snprintf(err, errlen, "ended with wait status %d", status);
    return -1;
}

void
extpeer_free_names(char **names, size_t n) {
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

int
extpeer_list(const char *program, const char *cpus, bool quick, char ***names, size_t *n, char *err,
             size_t errlen) {
    *names = NULL;
    *n = 0;
    char *argv[] = {(char *)program,          "--list", "--cpus", (char *)cpus,
                    quick ? "--quick" : NULL, NULL};
    char *text;
    size_t len;
    char why[512];
    if (extpeer_exec(argv, &text, &len, NULL, why, sizeof why) != 0) {
        snprintf(err, errlen, "%s --list %s", program, why);
        free(text);
        return -1;
    }
    size_t cap = 0;
    char **v = NULL;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        size_t l = strlen(line);
        if (l > 0 && line[l - 1] == '\r')
            line[--l] = '\0';
        if (l == 0)
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 256;
            char **nv = realloc(v, cap * sizeof *nv);
            if (nv == NULL)
                goto nomem;
            v = nv;
        }
        if ((v[*n] = strdup(line)) == NULL)
            goto nomem;
        (*n)++;
    }
    free(text);
    *names = v;
    return 0;
nomem:
    free(text);
    extpeer_free_names(v, *n);
    *n = 0;
    snprintf(err, errlen, "out of memory");
    return -1;
}

char *
extpeer_exact_filter(char *const *names, size_t n) {
    size_t len = 5;
    for (size_t i = 0; i < n; i++)
        len += 2 * strlen(names[i]) + 1;
    char *re = malloc(len), *p = re;
    if (re == NULL)
        return NULL;
    *p++ = '^';
    *p++ = '(';
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            *p++ = '|';
        for (const char *s = names[i]; *s; s++) {
            if (strchr("\\.^$|()[]{}*+?", *s) != NULL)
                *p++ = '\\';
            *p++ = *s;
        }
    }
    *p++ = ')';
    *p++ = '$';
    *p = '\0';
    return re;
}

/* The integer value of key=V in name, or -1. */
static long
name_int(const char *name, const char *key) {
    size_t kl = strlen(key);
    for (const char *p = strchr(name, '/'); p != NULL; p = strchr(p + 1, '/')) {
        if (strncmp(p + 1, key, kl) == 0 && p[1 + kl] == '=') {
            char *end;
            long v = strtol(p + 2 + kl, &end, 10);
            if (end != p + 2 + kl && (*end == '/' || *end == '\0'))
                return v;
        }
    }
    return -1;
}

int
extpeer_team_size(const char *name) {
    long t = name_int(name, "threads"), p = name_int(name, "prod"), c = name_int(name, "cons"),
         k = name_int(name, "k");
    long n = 2;
    if (t > 0)
        n = t;
    else if (p > 0)
        n = p + (c > 0 ? c : 1);
    else if (k > 0)
        n = k + 1;
    return n > 4096 ? 4096 : (int)n;
}

static int
cmp_int(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

void
extpeer_cpus(const char *pin, int team, char *buf, size_t len) {
    int n = topo_num_allowed();
    if (team < n)
        n = team;
    if (n < 1)
        n = 1;
    int *pus = calloc((size_t)n, sizeof *pus);
    char err[256];
    if (pus == NULL || topo_plan(pin, n, pus, err, sizeof err) != 0 || pus[0] < 0) {
        snprintf(buf, len, "%s", topo_allowed_list());
        free(pus);
        return;
    }
    qsort(pus, (size_t)n, sizeof *pus, cmp_int);
    size_t used = 0;
    if (len > 0)
        buf[0] = '\0';
    for (int i = 0; i < n && used < len;) {
        int j = i;
        while (j + 1 < n && pus[j + 1] <= pus[j] + 1)
            j++;
        /* pus[i..j] is a run of consecutive PUs (duplicates included) */
        if (pus[j] == pus[i])
            used += (size_t)snprintf(buf + used, len - used, "%s%d", used ? "," : "", pus[i]);
        else
            used += (size_t)snprintf(buf + used, len - used, "%s%d-%d", used ? "," : "", pus[i],
                                     pus[j]);
        i = j + 1;
    }
    free(pus);
}

/* ---- reading ---------------------------------------------------------------------------- */

void
extpeer_output_free(struct extpeer_output *o) {
    for (size_t i = 0; i < o->nres; i++)
        bench_result_free(&o->res[i]);
    free(o->res);
    json_decref(o->info);
    o->res = NULL;
    o->nres = 0;
    o->info = NULL;
}

static bool
is_int_at_least(json_t *v, json_int_t lo) {
    return json_is_integer(v) && json_integer_value(v) >= lo;
}

/* One row's problem, or NULL when it is a valid iteration row of impl. */
static const char *
row_problem(json_t *row, const char *impl, char *buf, size_t len) {
    if (!json_is_object(row))
        return "is not an object";
    const char *name = json_string_value(json_object_get(row, "name"));
    if (name == NULL)
        return "has no name";
    char suffix[64];
    snprintf(suffix, sizeof suffix, "/impl=%s", impl);
    size_t nl = strlen(name), sl = strlen(suffix);
    if (nl <= sl || strcmp(name + nl - sl, suffix) != 0) {
        snprintf(buf, len, "is named '%s', which does not end in %s", name, suffix);
        return buf;
    }
    const char *s;
    if ((s = json_string_value(json_object_get(row, "run_name"))) == NULL || strcmp(s, name) != 0)
        return "has no run_name equal to its name";
    if ((s = json_string_value(json_object_get(row, "run_type"))) == NULL ||
        strcmp(s, "iteration") != 0)
        return "is not an iteration row (run_type)";
    if ((s = json_string_value(json_object_get(row, "impl"))) == NULL || strcmp(s, impl) != 0)
        return "has no impl equal to the peer's";
    if ((s = json_string_value(json_object_get(row, "family"))) == NULL ||
        strncmp(name, s, strlen(s)) != 0 || name[strlen(s)] != '/')
        return "has no family equal to its name's first part";
    if ((s = json_string_value(json_object_get(row, "time_unit"))) == NULL || strcmp(s, "ns") != 0)
        return "has no time_unit \"ns\"";
    if (json_string_value(json_object_get(row, "op")) == NULL)
        return "has no op";
    if (!json_is_object(json_object_get(row, "params")))
        return "has no params object";
    if (!is_int_at_least(json_object_get(row, "repetition_index"), 0))
        return "has no repetition_index";
    if (!is_int_at_least(json_object_get(row, "threads"), 1))
        return "has no threads count";
    if (!is_int_at_least(json_object_get(row, "iterations"), 1))
        return "has no iterations count";
    json_t *v = json_object_get(row, "real_time");
    if (!json_is_number(v) || !isfinite(json_number_value(v)) || !(json_number_value(v) > 0))
        return "has no positive real_time";
    v = json_object_get(row, "cpu_time");
    if (!json_is_number(v) || !isfinite(json_number_value(v)) || json_number_value(v) < 0)
        return "has no cpu_time";
    v = json_object_get(row, "items_per_second");
    if (v != NULL && !json_is_number(v))
        return "has a items_per_second that is not a number";
    if (!is_int_at_least(json_object_get(row, "voluntary_ctx_switches"), 0) ||
        !is_int_at_least(json_object_get(row, "involuntary_ctx_switches"), 0))
        return "has no voluntary_ctx_switches/involuntary_ctx_switches";
    if (!json_is_true(json_object_get(row, "verified")))
        return "is not verified: true";
    json_t *lat = json_object_get(row, "latency_ns");
    if (lat != NULL) {
        static const char *const keys[] = {"count", "min", "p50", "p90", "p99", "p999", "max"};
        if (!json_is_object(lat))
            return "has a latency_ns that is not an object";
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
            if (!json_is_integer(json_object_get(lat, keys[k]))) {
                snprintf(buf, len, "has no latency_ns.%s", keys[k]);
                return buf;
            }
    }
    json_t *extra = json_object_get(row, "extra");
    if (extra != NULL && !json_is_object(extra))
        return "has an extra that is not an object";
    return NULL;
}

static int
cmp_rep(const void *a, const void *b) {
    json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "repetition_index"));
    json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "repetition_index"));
    return (x > y) - (x < y);
}

/* The bench_result of the rows rows (one benchmark, any order). */
static int
make_result(json_t *rows, struct bench_result *r) {
    size_t n = json_array_size(rows);
    json_t **v = calloc(n, sizeof *v);
    memset(r, 0, sizeof *r);
    if (v == NULL)
        return -1;
    for (size_t i = 0; i < n; i++)
        v[i] = json_array_get(rows, i);
    qsort(v, n, sizeof *v, cmp_rep);
    json_t *sorted = json_array();
    r->reps = calloc(n, sizeof *r->reps);
    if (sorted == NULL || r->reps == NULL) {
        json_decref(sorted);
        free(r->reps);
        r->reps = NULL;
        free(v);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *row = v[i];
        json_array_append(sorted, row);
        struct rep_result *p = &r->reps[i];
        p->ops = (uint64_t)json_integer_value(json_object_get(row, "iterations"));
        p->real_ns = json_number_value(json_object_get(row, "real_time"));
        p->cpu_ns = json_number_value(json_object_get(row, "cpu_time"));
        json_t *ips = json_object_get(row, "items_per_second");
        p->items_per_second = ips != NULL ? json_number_value(ips) : 1e9 / p->real_ns;
        p->vcsw = (long)json_integer_value(json_object_get(row, "voluntary_ctx_switches"));
        p->ivcsw = (long)json_integer_value(json_object_get(row, "involuntary_ctx_switches"));
        p->nthreads = (int)json_integer_value(json_object_get(row, "threads"));
        json_t *lat = json_object_get(row, "latency_ns");
        if (lat != NULL) {
            p->has_latency = true;
            p->lat.count = (uint64_t)json_integer_value(json_object_get(lat, "count"));
            p->lat.min = json_integer_value(json_object_get(lat, "min"));
            p->lat.p50 = json_integer_value(json_object_get(lat, "p50"));
            p->lat.p90 = json_integer_value(json_object_get(lat, "p90"));
            p->lat.p99 = json_integer_value(json_object_get(lat, "p99"));
            p->lat.p999 = json_integer_value(json_object_get(lat, "p999"));
            p->lat.max = json_integer_value(json_object_get(lat, "max"));
        }
    }
    free(v);
    r->nreps = n;
    r->rows = sorted;
    r->name = json_string_value(json_object_get(json_array_get(sorted, 0), "name"));
    r->op = json_string_value(json_object_get(json_array_get(sorted, 0), "op"));
    return 0;
}

int
extpeer_parse(const char *impl, const char *text, size_t len, char *const *want, size_t nwant,
              struct extpeer_output *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    if (len == 0) {
        snprintf(err, errlen, "printed nothing on stdout (want one JSON document)");
        return -1;
    }
    json_error_t jerr;
    json_t *doc = json_loadb(text, len, 0, &jerr);
    if (doc == NULL) {
        snprintf(err, errlen, "printed invalid JSON (line %d, column %d: %s)", jerr.line,
                 jerr.column, jerr.text);
        return -1;
    }
    json_t *peer = json_object_get(doc, "peer"), *rows = json_object_get(doc, "benchmarks");
    json_t *groups = json_object(), *order = json_array();
    const char *s;
    char buf[512];
    int rc = -1;
    if (!json_is_object(doc) || !json_is_object(peer) || !json_is_array(rows)) {
        snprintf(err, errlen, "printed JSON without a \"peer\" object and a \"benchmarks\" array");
        goto out;
    }
    if ((s = json_string_value(json_object_get(peer, "impl"))) == NULL || strcmp(s, impl) != 0) {
        snprintf(err, errlen, "says it is peer.impl '%s', not '%s'", s ? s : "(none)", impl);
        goto out;
    }
    static const char *const info_keys[] = {"version", "library_version", "affinity"};
    for (size_t k = 0; k < sizeof info_keys / sizeof info_keys[0]; k++)
        if (!json_is_string(json_object_get(peer, info_keys[k]))) {
            snprintf(err, errlen, "printed no peer.%s string", info_keys[k]);
            goto out;
        }
    json_t *gmp = json_object_get(peer, "gomaxprocs");
    if (gmp == NULL || !(json_is_integer(gmp) || json_is_null(gmp))) {
        snprintf(err, errlen, "printed no peer.gomaxprocs (an integer, or null)");
        goto out;
    }
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        const char *why = row_problem(row, impl, buf, sizeof buf);
        const char *name = json_string_value(json_object_get(row, "name"));
        if (why == NULL && want != NULL) {
            bool asked = false;
            for (size_t k = 0; k < nwant && !asked; k++)
                asked = strcmp(want[k], name) == 0;
            if (!asked)
                why = "is not a benchmark it was asked to run";
        }
        if (why != NULL) {
            snprintf(err, errlen, "benchmarks[%zu]%s%s%s %s", i, name ? " (" : "", name ? name : "",
                     name ? ")" : "", why);
            goto out;
        }
        json_t *g = json_object_get(groups, name);
        if (g == NULL) {
            g = json_array();
            json_object_set_new(groups, name, g);
            json_array_append_new(order, json_string(name));
        }
        json_array_append(g, row);
    }
    size_t ng = json_array_size(order);
    out->res = calloc(ng ? ng : 1, sizeof *out->res);
    if (out->res == NULL) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    for (i = 0; i < ng; i++) {
        json_t *g = json_object_get(groups, json_string_value(json_array_get(order, i)));
        if (make_result(g, &out->res[out->nres]) != 0) {
            snprintf(err, errlen, "out of memory");
            goto out;
        }
        out->nres++;
    }
    out->info = json_incref(peer);
    rc = 0;
out:
    json_decref(groups);
    json_decref(order);
    json_decref(doc);
    if (rc != 0)
        extpeer_output_free(out);
    return rc;
}
