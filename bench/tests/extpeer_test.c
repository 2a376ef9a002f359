/* SPDX-License-Identifier: MIT */
/* The out-of-process peers' plumbing (harness/extpeer.c): reading a peer's JSON (valid rows
 * grouped and ordered, every kind of bad output refused with one line), the exact-name filter
 * in POSIX ERE, team sizes, the --cpus list, selecting a peer's names with --filter and
 * --threads, and running a program: its stdout, its exit status, a program that is not there,
 * and a stop request that does not wait for a grandchild holding the pipe. */
#define _GNU_SOURCE
#include <regex.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "extpeer.h"
#include "harness_check.h"
#include "registry.h"
#include "topology.h"

#define ROW(name, rep, real)                                                                       \
    "{\"name\": \"" name "\", \"run_name\": \"" name "\", \"run_type\": \"iteration\", "           \
    "\"repetitions\": 2, \"repetition_index\": " #rep ", \"threads\": 2, \"iterations\": 100, "    \
    "\"real_time\": " #real ", \"cpu_time\": 3.5, \"time_unit\": \"ns\", "                         \
    "\"items_per_second\": 1e6, \"family\": \"chan\", \"impl\": \"go\", \"params\": {}, "          \
    "\"op\": \"roundtrip\", \"voluntary_ctx_switches\": 4, \"involuntary_ctx_switches\": 5, "      \
    "\"latency_ns\": {\"count\": 9, \"min\": 1, \"p50\": 2, \"p90\": 3, \"p99\": 4, "              \
    "\"p999\": 5, \"max\": 6}, \"verified\": true}"
#define PEER                                                                                       \
    "\"peer\": {\"impl\": \"go\", \"version\": \"go1.19.8\", \"library_version\": \"go1.19.8\", "  \
    "\"gomaxprocs\": 2, \"affinity\": \"0-1\"}"

static const char *const asked[] = {"chan/pingpong/cap=0/impl=go", "chan/pingpong/cap=1/impl=go"};

static int
parse(const char *text, struct extpeer_output *o, char *err, size_t len) {
    return extpeer_parse("go", text, strlen(text), (char *const *)asked, 2, o, err, len);
}

static void
check_parse_good(void) {
    const char *doc =
        "{" PEER ", \"benchmarks\": [" ROW("chan/pingpong/cap=0/impl=go", 1, 20) ", " ROW(
            "chan/pingpong/cap=1/impl=go", 0, 7) ", " ROW("chan/pingpong/cap=0/impl=go", 0,
                                                          10) "]}";
    struct extpeer_output o;
    char err[512] = "";
    CHECK(parse(doc, &o, err, sizeof err) == 0);
    if (o.nres != 2) {
        fprintf(stderr, "nres %zu (%s)\n", o.nres, err);
        check_failures++;
        extpeer_output_free(&o);
        return;
    }
    CHECK_STR(o.res[0].name, "chan/pingpong/cap=0/impl=go");
    CHECK_STR(o.res[0].op, "roundtrip");
    CHECK_STR(report_result_impl(&o.res[0]), "go");
    CHECK(o.res[0].inst == NULL && o.res[0].nreps == 2);
    CHECK_NEAR(o.res[0].reps[0].real_ns, 10, 0); /* repetition_index order */
    CHECK_NEAR(o.res[0].reps[1].real_ns, 20, 0);
    CHECK(json_integer_value(
              json_object_get(json_array_get(o.res[0].rows, 1), "repetition_index")) == 1);
    CHECK_NEAR(o.res[0].reps[1].cpu_ns, 3.5, 0);
    CHECK(o.res[0].reps[0].ops == 100 && o.res[0].reps[0].vcsw == 4 &&
          o.res[0].reps[0].ivcsw == 5 && o.res[0].reps[0].nthreads == 2);
    CHECK(o.res[0].reps[0].has_latency && o.res[0].reps[0].lat.p99 == 4);
    CHECK(o.res[1].nreps == 1);
    CHECK_STR(json_string_value(json_object_get(o.info, "version")), "go1.19.8");
    extpeer_output_free(&o);
}

/* Bad output: -1 and one line containing want. */
static void
bad(const char *doc, const char *want) {
    struct extpeer_output o;
    char err[512] = "";
    int rc = parse(doc, &o, err, sizeof err);
    if (rc != -1 || strstr(err, want) == NULL || strchr(err, '\n') != NULL) {
        fprintf(stderr, "bad output: rc %d, err '%s', want '%s'\n", rc, err, want);
        check_failures++;
    }
    CHECK(o.res == NULL && o.nres == 0 && o.info == NULL);
}

static void
check_parse_bad(void) {
    bad("", "printed nothing");
    bad("not json", "invalid JSON (line 1");
    bad("{\"benchmarks\": []}", "without a \"peer\" object");
    bad("{\"peer\": {\"impl\": \"crossbeam\"}, \"benchmarks\": []}", "peer.impl 'crossbeam'");
    bad("{\"peer\": {\"impl\": \"go\", \"version\": \"1\", \"library_version\": \"1\", "
        "\"affinity\": \"0\"}, \"benchmarks\": []}",
        "peer.gomaxprocs");
    bad("{" PEER ", \"benchmarks\": [" ROW("chan/pingpong/cap=7/impl=go", 0, 1) "]}",
        "not a benchmark it was asked to run");
    bad("{" PEER ", \"benchmarks\": [" ROW("chan/pingpong/cap=0/impl=goc", 0, 1) "]}",
        "does not end in /impl=go");
    bad("{" PEER ", \"benchmarks\": [" ROW("chan/pingpong/cap=0/impl=go", 0, 0) "]}",
        "benchmarks[0] (chan/pingpong/cap=0/impl=go) has no positive real_time");
    bad("{" PEER ", \"benchmarks\": [{\"name\": \"chan/pingpong/cap=0/impl=go\"}]}",
        "has no run_name");
}

static void
check_filter(void) {
    char *names[] = {"chan/spsc/cap=0/size=8/impl=go", "lock/rw/threads=2/read=99/cs=0/impl=go",
                     "x.y(z)/impl=go"};
    char *re = extpeer_exact_filter(names, 3);
    CHECK_STR(re, "^(chan/spsc/cap=0/size=8/impl=go|lock/rw/threads=2/read=99/cs=0/impl=go|"
                  "x\\.y\\(z\\)/impl=go)$");
    regex_t r;
    CHECK(regcomp(&r, re, REG_EXTENDED | REG_NOSUB) == 0);
    for (int i = 0; i < 3; i++)
        CHECK(regexec(&r, names[i], 0, NULL, 0) == 0);
    CHECK(regexec(&r, "chan/spsc/cap=0/size=8/impl=gox", 0, NULL, 0) != 0);
    CHECK(regexec(&r, "xay(z)/impl=go", 0, NULL, 0) != 0);
    CHECK(regexec(&r, "achan/spsc/cap=0/size=8/impl=go", 0, NULL, 0) != 0);
    regfree(&r);
    free(re);

    CHECK(extpeer_team_size("chan/spsc/cap=0/size=8/impl=go") == 2);
    CHECK(extpeer_team_size("chan/mpsc/prod=4/cap=0/size=8/impl=go") == 5);
    CHECK(extpeer_team_size("chan/mpmc/prod=4/cons=3/cap=0/size=8/impl=go") == 7);
    CHECK(extpeer_team_size("select/fanin/k=16/cap=0/impl=go") == 17);
    CHECK(extpeer_team_size("lock/rw/threads=8/read=99/cs=0/impl=go") == 8);
    CHECK(extpeer_team_size("chan/pingpong/cap=0/impl=go") == 2);

    /* --filter and --threads on a peer's names, through the real families' grids. */
    regex_t f;
    CHECK(regcomp(&f, "^chan/mpmc/", REG_EXTENDED | REG_NOSUB) == 0);
    int threads[] = {1, 2};
    struct bench_select sel = {.filter = &f, .threads = threads, .nthreads = 2};
    CHECK(registry_name_selected(bench_families, &sel,
                                 "chan/mpmc/prod=2/cons=1/cap=0/size=8/impl=go"));
    CHECK(!registry_name_selected(bench_families, &sel,
                                  "chan/mpmc/prod=4/cons=1/cap=0/size=8/impl=go"));
    CHECK(!registry_name_selected(bench_families, &sel, "chan/spsc/cap=0/size=8/impl=go"));
    sel.filter = NULL;
    CHECK(registry_name_selected(bench_families, &sel, "select/fanin/k=16/cap=0/impl=go"));
    CHECK(!registry_name_selected(bench_families, &sel, "lock/mutex/threads=4/cs=0/impl=go"));
    sel.threads = NULL;
    CHECK(registry_name_selected(bench_families, &sel, "lock/mutex/threads=4/cs=0/impl=go"));
    regfree(&f);

    char err[256];
    if (topo_init(err, sizeof err) == 0) {
        char cpus[256];
        extpeer_cpus("compact", 1, cpus, sizeof cpus);
        CHECK(cpus[0] != '\0' && strspn(cpus, "0123456789") == strlen(cpus)); /* one PU */
        extpeer_cpus("none", 2, cpus, sizeof cpus);
        CHECK_STR(cpus, topo_allowed_list());
        extpeer_cpus("compact", 4096, cpus, sizeof cpus);
        CHECK_STR(cpus, topo_allowed_list());
    }
}

static volatile sig_atomic_t stop;

static void
on_alarm(int sig) {
    (void)sig;
    stop = 1;
}

static void
check_exec(void) {
    char *out;
    size_t len;
    char err[256] = "";
    char *ok[] = {"/bin/sh", "-c", "echo hello", NULL};
    CHECK(extpeer_exec(ok, &out, &len, NULL, err, sizeof err) == 0);
    CHECK_STR(out, "hello\n");
    CHECK(len == 6);
    free(out);
    char *fail[] = {"/bin/sh", "-c", "echo partial; exit 3", NULL};
    CHECK(extpeer_exec(fail, &out, &len, NULL, err, sizeof err) == -1);
    CHECK_STR(err, "exited with status 3");
    CHECK_STR(out, "partial\n");
    free(out);
    char *missing[] = {"/nonexistent/peer", "--list", NULL};
    CHECK(extpeer_exec(missing, &out, &len, NULL, err, sizeof err) == -1);
    CHECK(strstr(err, "cannot run /nonexistent/peer") != NULL);
    free(out);

    /* A stop request (SIGALRM standing in for SIGINT, without SA_RESTART): the child is told to
     * stop and the call returns, though its own child keeps the pipe open for 6 s. */
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, &old);
    char *slow[] = {"/bin/sh", "-c", "sleep 6 2>/dev/null; echo late", NULL};
    time_t t0 = time(NULL);
    alarm(1);
    int rc = extpeer_exec(slow, &out, &len, &stop, err, sizeof err);
    alarm(0);
    sigaction(SIGALRM, &old, NULL);
    CHECK(rc == -1 && stop);
    CHECK(strstr(err, "signal 15") != NULL);
    CHECK(time(NULL) - t0 < 5);
    free(out);
}

int
main(void) {
    check_parse_good();
    check_parse_bad();
    check_filter();
    check_exec();
    if (check_failures == 0)
        printf("extpeer_test: ok\n");
    return check_failures != 0;
}
