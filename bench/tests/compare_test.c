/* SPDX-License-Identifier: MIT */
/* `chanbench compare` and its statistics: Mann-Whitney p-values against published values, the
 * median's confidence interval against the binomial table, and the command on the synthetic
 * results files of bench/tests/data (gen_fixtures.py). */
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "commands.h"
#include "mwu.h"

#define DATA CHANBENCH_SOURCE_DIR "/bench/tests/data/"

static void
test_mwu_known_values(void) {
    double u;
    /* Complete separation, 5 vs 5: exact two-sided p = 2 / C(10, 5) = 2/252 = 0.0079365;
     * R: wilcox.test(1:5, 6:10)$p.value = 0.007937. */
    double a[] = {1, 2, 3, 4, 5}, b[] = {6, 7, 8, 9, 10};
    CHECK_NEAR(mwu_test(a, 5, b, 5, &u), 2.0 / 252.0, 1e-12);
    REQUIRE(u == 0);
    CHECK_NEAR(mwu_test(b, 5, a, 5, &u), 2.0 / 252.0, 1e-12);
    REQUIRE(u == 25);

    /* SciPy's documentation example for scipy.stats.mannwhitneyu (males vs females):
     * U1 = 17, exact p = 0.1111111111111111, asymptotic (continuity-corrected) p =
     * 0.11134688653314041. */
    double m[] = {19, 22, 16, 29, 24}, f[] = {20, 11, 17, 12};
    CHECK_NEAR(mwu_test(m, 5, f, 4, &u), 0.1111111111111111, 1e-12);
    REQUIRE(u == 17);
    CHECK_NEAR(mwu_p_exact(m, 5, f, 4), 0.1111111111111111, 1e-12);
    CHECK_NEAR(mwu_p_normal(m, 5, f, 4), 0.11134688653314041, 1e-12);

    /* With ties, 20 vs 20: ClickHouse's test of mannWhitneyUTest (tests/queries/0_stateless/
     * 01560_mann_whitney.sql) gives U = 223, p = 0.5426959774289482, the normal approximation
     * with tie and continuity corrections (as SciPy's asymptotic method). */
    double l[] = {310, 195, 530, 155, 530, 245, 385, 450, 465, 545,
                  170, 180, 125, 180, 230, 75,  430, 480, 495, 295};
    double r[] = {116, 171, 176, 421, 111, 326, 481, 111, 346, 441,
                  261, 411, 206, 521, 456, 446, 296, 51,  426, 261};
    CHECK_NEAR(mwu_p_normal(l, 20, r, 20), 0.5426959774289482, 1e-12);
    (void)mwu_test(l, 20, r, 20, &u);
    REQUIRE(u == 223);
    /* The exact permutation distribution (what mwu_test uses at 40 values) is close. */
    CHECK_NEAR(mwu_p_exact(l, 20, r, 20), 0.5427, 0.002);

    /* Identical samples: p = 1. All values tied: p = 1. */
    CHECK_NEAR(mwu_test(a, 5, a, 5, NULL), 1.0, 1e-12);
    double t1[] = {3, 3, 3}, t2[] = {3, 3, 3, 3};
    CHECK_NEAR(mwu_test(t1, 3, t2, 4, NULL), 1.0, 1e-12);
    CHECK_NEAR(mwu_p_normal(t1, 3, t2, 4), 1.0, 1e-12);

    /* Exact with ties, by hand: a = {1, 2, 2}, b = {2, 3}. Midranks 1, 3, 3, 3, 5; the rank sum
     * of a is W = 7; of the C(5,3) = 10 subsets of three ranks, sums are 7 (3 subsets:
     * {1,3,3}), 9 (1: {3,3,3}), 9 (3: {1,3,5}), 11 (3: {3,3,5}); P(W <= 7) = 3/10, so the
     * two-sided p = 0.6. */
    double ta[] = {1, 2, 2}, tb[] = {2, 3};
    CHECK_NEAR(mwu_p_exact(ta, 3, tb, 2), 0.6, 1e-12);

    /* The smallest possible p: 2 / C(n1 + n2, n1). */
    CHECK_NEAR(mwu_min_p(3, 3), 0.1, 1e-12);
    CHECK_NEAR(mwu_min_p(4, 4), 2.0 / 70.0, 1e-12);
    REQUIRE(mwu_min_p(3, 3) >= 0.05 && mwu_min_p(4, 4) < 0.05);
    REQUIRE(mwu_min_p(0, 5) == 1.0);
}

static void
test_median_ci(void) {
    double x[20], lo, hi;
    for (int i = 0; i < 20; i++)
        x[19 - i] = i + 1; /* unsorted on purpose */
    /* n = 5: [min, max] covers 1 - 2/32 = 0.9375 < 0.95, no interval. */
    REQUIRE(!mwu_median_ci(x, 5, 0.95, &lo, &hi));
    /* Standard tables of the distribution-free CI of the median at 95 %: n = 6 -> [x1, x6],
     * n = 10 -> [x2, x9], n = 20 -> [x6, x15]. With x = {20, 19, ...} the order statistics
     * of the first n values are 21-n .. 20. */
    REQUIRE(mwu_median_ci(x, 6, 0.95, &lo, &hi));
    REQUIRE(lo == 15 && hi == 20);
    REQUIRE(mwu_median_ci(x, 10, 0.95, &lo, &hi));
    REQUIRE(lo == 12 && hi == 19);
    REQUIRE(mwu_median_ci(x, 20, 0.95, &lo, &hi));
    REQUIRE(lo == 6 && hi == 15);
}

/* --- the command -------------------------------------------------------------------------- */

#include "capture.h" /* after CHECK, which it uses */

/* Run cmd_compare(argv) in a child with stdout and stderr captured. */
static struct run *
run_compare(const char *first, ...) {
    va_list ap;
    va_start(ap, first);
    struct run *r = capture_command(cmd_compare, "compare", NULL, first, ap);
    va_end(ap);
    return r;
}

/* The table line of benchmark name (it starts with the name and a space), or NULL. */
static const char *
line_of(const char *text, const char *name, char *buf, size_t len) {
    size_t n = strlen(name);
    for (const char *s = text; s != NULL && *s; s = strchr(s, '\n') ? strchr(s, '\n') + 1 : NULL) {
        if (strncmp(s, name, n) == 0 && s[n] == ' ') {
            size_t l = strcspn(s, "\n");
            if (l >= len)
                l = len - 1;
            memcpy(buf, s, l);
            buf[l] = '\0';
            return buf;
        }
    }
    return NULL;
}

static void
dump(const struct run *r) {
    fprintf(stderr, "rc %d\n--- stdout (start)\n%.4000s\n--- stderr (start)\n%.4000s\n", r->rc,
            r->out, r->err);
}

#define CHECK_RUN(r, cond)                                                                         \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            dump(r);                                                                               \
            REQUIRE(cond);                                                                         \
        }                                                                                          \
    } while (0)

static void
test_same_machine(void) {
    struct run *r = run_compare(DATA "alpha-base.json", DATA "alpha-new.json", NULL);
    char line[512];
    CHECK_RUN(r, r->rc == 0);
    CHECK_RUN(r, strstr(r->out, "same machine; they differ in git_commit") != NULL);
    CHECK_RUN(r, strstr(r->out, "DIFFERENT MACHINES") == NULL);
    /* A real difference (goc channels 15 % faster, 8 + 8 repetitions): significant. */
    CHECK_RUN(r, line_of(r->out, "chan/spsc/cap=1024/size=8/impl=goc", line, sizeof line));
    CHECK_RUN(r, strstr(line, " ~ ") == NULL && strstr(line, "-1") != NULL &&
                     strstr(line, "p=0.000 n=8+8") != NULL);
    CHECK_RUN(r, line_of(r->out, "chan/pingpong/cap=0/impl=goc", line, sizeof line));
    CHECK_RUN(r, strstr(line, " ~ ") == NULL);
    /* Identical distributions (the same values reordered): ~ with p = 1. */
    CHECK_RUN(r, line_of(r->out, "lock/rw/threads=4/read=90/cs=0/impl=pthread", line, sizeof line));
    CHECK_RUN(r, strstr(line, " ~ ") != NULL && strstr(line, "1.000x") != NULL &&
                     strstr(line, "p=1.000") != NULL);
    CHECK_RUN(r, line_of(r->out, "lock/mutex/threads=2/cs=0/impl=goc", line, sizeof line));
    CHECK_RUN(r, strstr(line, " ~ ") != NULL);
    /* One-sided benchmarks are listed. */
    CHECK_RUN(r, strstr(r->out, "Only in A (" DATA "alpha-base.json), not compared:\n"
                                "  chan/spsc/cap=16/size=8/impl=naive") != NULL);
    CHECK_RUN(r, strstr(r->out, "only in B (" DATA "alpha-new.json), not compared:\n"
                                "  chan/spsc/cap=4096/size=8/impl=goc") != NULL);
    CHECK_RUN(r, line_of(r->out, "chan/spsc/cap=16/size=8/impl=naive", line, sizeof line) == NULL);
    /* The geometric-mean row, and the machines in the header. */
    CHECK_RUN(r, strstr(r->out, "\ngeomean (") != NULL);
    CHECK_RUN(r, strstr(r->out, "host alpha, Intel(R) Xeon(R) CPU @ 2.20GHz, 2 cores / 4 PUs, "
                                "allowed CPUs 0-3, kernel 6.1.0-18-cloud-amd64, gcc 12.2.0, "
                                "commit a1b2c3d4e5f6") != NULL);
    CHECK_RUN(r, r->err[0] == '\0');
}

/* A commit is shortened to 12 digits, but a build from a changed tree keeps its "-dirty". */
static void
test_dirty_commit(void) {
    struct run *r = run_compare(DATA "rounds.json", DATA "rounds.json", NULL);
    CHECK_RUN(r, r->rc == 0);
    CHECK_RUN(r, strstr(r->out, ", commit 7ac0adf-dirty, ") != NULL);
}

static void
test_other_machine_and_few(void) {
    struct run *r =
        run_compare(DATA "alpha-base.json", DATA "beta.json", DATA "alpha-few.json", NULL);
    char line[1024];
    CHECK_RUN(r, r->rc == 0);
    CHECK_RUN(r, strstr(r->out, "WARNING: A and B come from DIFFERENT MACHINES (host alpha vs "
                                "beta; CPU Intel(R) Xeon(R) CPU @ 2.20GHz vs AMD EPYC 7B13 "
                                "64-Core Processor; 4 vs 16 PUs)") != NULL);
    CHECK_RUN(r, strstr(r->out, "A and C: same machine; they differ in git_commit, "
                                "pin_policy") != NULL);
    /* Columns for B and C side by side; C has 3 repetitions: no interval (¹). */
    CHECK_RUN(r, line_of(r->out, "chan/spsc/cap=0/size=8/impl=goc", line, sizeof line));
    CHECK_RUN(r, strstr(line, "n=8+6") != NULL && strstr(line, "n=8+3") != NULL &&
                     strstr(line, "± ∞ ¹") != NULL);

    /* 3 + 3 repetitions: nothing can be significant, and compare says so. */
    r = run_compare(DATA "alpha-few.json", DATA "alpha-few.json", NULL);
    CHECK_RUN(r, r->rc == 0);
    CHECK_RUN(r, strstr(r->out, "comparisons have too few repetitions to say anything") != NULL);
    CHECK_RUN(r, line_of(r->out, "chan/spsc/cap=0/size=8/impl=goc", line, sizeof line));
    CHECK_RUN(r, strstr(line, " ~ ") != NULL && strstr(line, "n=3+3 ²") != NULL);
}

static void
test_formats_and_options(void) {
    struct run *r =
        run_compare("--format", "csv", DATA "alpha-base.json", DATA "alpha-new.json", NULL);
    CHECK_RUN(r, r->rc == 0);
    static const char header[] = "benchmark,label,file,metric,unit,n,median,ci_low,ci_high,"
                                 "ci_ok,ratio_to_base,p_value,significant\n";
    CHECK_RUN(r, strncmp(r->out, header, strlen(header)) == 0);
    CHECK_RUN(r, strstr(r->out, "\nchan/spsc/cap=1024/size=8/impl=goc,B,") != NULL);
    CHECK_RUN(r, strstr(r->err, "same machine") != NULL); /* the header goes to stderr */
    CHECK_RUN(r, strstr(r->out, "same machine") == NULL);

    r = run_compare("--format=markdown", "--metric", "cpu", DATA "alpha-base.json",
                    DATA "alpha-new.json", NULL);
    CHECK_RUN(r, r->rc == 0);
    CHECK_RUN(r, strstr(r->out, "| benchmark ") != NULL && strstr(r->out, "| :---") != NULL);
    CHECK_RUN(r, strstr(r->out, "cpu_time") != NULL);

    r = run_compare("--normalize", "limit", DATA "alpha-base.json", DATA "beta.json", NULL);
    CHECK_RUN(r, r->rc == 0);
    CHECK_RUN(r, strstr(r->out, "normalized by --normalize limit: chan/pingpong rows by "
                                "c2c_round_trip_ns, other chan/ and select/ rows by "
                                "ring_ns_per_msg") != NULL);
    CHECK_RUN(r, strstr(r->out, "floor: c2c_round_trip_ns 60, ring_ns_per_msg 9") != NULL);
    CHECK_RUN(r, strstr(r->out, "have no hardware floor") != NULL);
    char line[512];
    /* alpha's goc spsc at 1024 takes ~15 ns over a 9 ns ring: about 1.7x its floor */
    CHECK_RUN(r, line_of(r->out, "chan/spsc/cap=1024/size=8/impl=goc", line, sizeof line));
    CHECK_RUN(r, strstr(line, " 1.6") != NULL || strstr(line, " 1.7") != NULL);
    CHECK_RUN(r, line_of(r->out, "lock/mutex/threads=1/cs=0/impl=goc", line, sizeof line) == NULL);

    r = run_compare("--help", NULL);
    CHECK_RUN(r, r->rc == 0 && strstr(r->out, "usage: chanbench compare") != NULL);
}

/* Bad input: exit 2, one line on stderr naming the file, nothing on stdout. */
static void
expect_bad(const char *want, const char *a, const char *b, const char *c) {
    struct run *r = run_compare(a, b, c, NULL);
    const char *nl = strchr(r->err, '\n');
    if (r->rc != 2 || strstr(r->err, want) == NULL || nl == NULL || nl[1] != '\0' ||
        r->out[0] != '\0') {
        fprintf(stderr, "want exit 2 and one line containing \"%s\"\n", want);
        dump(r);
        exit(1);
    }
}

static void
test_bad_input(void) {
    expect_bad(DATA "missing.json: No such file or directory", DATA "alpha-base.json",
               DATA "missing.json", NULL);
    expect_bad(DATA "truncated.json:122:", DATA "truncated.json", DATA "alpha-base.json", NULL);
    expect_bad(DATA "foreign.json: not a chanbench results file", DATA "alpha-base.json",
               DATA "foreign.json", NULL);
    expect_bad(DATA "disjoint.json: no benchmark in common with " DATA "alpha-base.json",
               DATA "alpha-base.json", DATA "disjoint.json", NULL);
    expect_bad(DATA "alpha-nolimit.json: no limit section", "--normalize=limit",
               DATA "alpha-base.json", DATA "alpha-nolimit.json");
    expect_bad("need a BASE and at least one NEW", DATA "alpha-base.json", NULL, NULL);
    expect_bad("unknown option --frobnicate", "--frobnicate", DATA "alpha-base.json",
               DATA "alpha-new.json");
    expect_bad("--format xml", "--format", "xml", DATA "alpha-base.json");
    expect_bad("--normalize cpu", "--normalize", "cpu", DATA "alpha-base.json");
}

int
main(void) {
    test_mwu_known_values();
    test_median_ci();
    test_same_machine();
    test_dirty_commit();
    test_other_machine_and_few();
    test_formats_and_options();
    test_bad_input();
    return check_result("compare_test");
}
