/* SPDX-License-Identifier: MIT */
/* Unit tests for the select row of docs/design.md's libgoc table: misuse, default, timeouts,
 * waiting forever, NULL cases, closed channels, uniform choice, duplicate channels, a send and a
 * receive on one channel. Multi-thread sweeps and Go's select tests are in
 * select_conformance_test.c. */
#include "testutil.h"

#define MS ((int64_t)1000 * 1000)

/* A select run on its own thread, to show that it blocks and what it returns. */
struct sel_op {
    goc_case cases[8];
    size_t n;
    int64_t timeout_ns;
    int rc;
    atomic_int started; /* release; pairs with test_wait_flag */
    atomic_int done;    /* release; pairs with the acquire load in sel_done */
    pthread_t thread;
};

static void *
sel_thread(void *arg) {
    struct sel_op *op = arg;
    atomic_store_explicit(&op->started, 1, memory_order_release);
    op->rc = goc_select(op->cases, op->n, op->timeout_ns);
    atomic_store_explicit(&op->done, 1, memory_order_release);
    return NULL;
}

/* Start a select of the op's cases (already filled in) on a new thread. */
static void
sel_start(struct sel_op *op, size_t n, int64_t timeout_ns) {
    op->n = n;
    op->timeout_ns = timeout_ns;
    op->rc = 1000;
    atomic_init(&op->started, 0);
    atomic_init(&op->done, 0);
    op->thread = test_spawn(sel_thread, op);
    test_wait_flag(&op->started);
}

static bool
sel_done(struct sel_op *op) {
    return atomic_load_explicit(&op->done, memory_order_acquire) != 0;
}

/* It has started; give it time to block. A correct select never finishes here. */
static void
sel_check_blocked(struct sel_op *op) {
    test_sleep_ns(20 * MS);
    CHECK(!sel_done(op));
}

static void
sel_join(struct sel_op *op) {
    test_join(op->thread);
    CHECK(sel_done(op));
}

/* A plain blocking send or receive on its own thread. */
struct chan_op {
    goc_chan *ch;
    bool send;
    int64_t value;
    int rc;
    atomic_int started;
    pthread_t thread;
};

static void *
chan_op_thread(void *arg) {
    struct chan_op *op = arg;
    atomic_store_explicit(&op->started, 1, memory_order_release);
    op->rc = op->send ? goc_chan_send(op->ch, &op->value) : goc_chan_recv(op->ch, &op->value);
    return NULL;
}

static void
chan_op_start(struct chan_op *op, goc_chan *ch, bool send, int64_t value) {
    op->ch = ch;
    op->send = send;
    op->value = value;
    op->rc = 1000;
    atomic_init(&op->started, 0);
    op->thread = test_spawn(chan_op_thread, op);
    test_wait_flag(&op->started);
}

static goc_chan *
make_chan(size_t elem_size, size_t cap) {
    goc_chan *ch = goc_chan_make(elem_size, cap);
    CHECK(ch != NULL);
    return ch;
}

/* ---- misuse ----------------------------------------------------------------------------- */

static void
test_einval(void) {
    CHECK_STATUS(goc_select(NULL, 1, 0), GOC_EINVAL);
    CHECK_STATUS(goc_select(NULL, 3, -1), GOC_EINVAL); /* must not block */
    CHECK_STATUS(goc_select(NULL, 1, 1000 * MS), GOC_EINVAL);

    /* n == 0 is Go's empty select: nothing is ever ready. */
    CHECK_STATUS(goc_select(NULL, 0, 0), GOC_WOULDBLOCK);
    CHECK_STATUS(goc_select(NULL, 0, 1 * MS), GOC_TIMEDOUT);

    goc_chan *a = make_chan(sizeof(int64_t), 1);
    int64_t v = 3;
    static const int bad_dirs[] = {0, 3, 4, -1, 99};
    for (size_t i = 0; i < sizeof bad_dirs / sizeof bad_dirs[0]; i++) {
        goc_case one[] = {GOC_RECV(a, &v)};
        one[0].dir = (enum goc_case_dir)bad_dirs[i];
        CHECK_STATUS(goc_select(one, 1, 0), GOC_EINVAL);
        CHECK_STATUS(goc_select(one, 1, -1), GOC_EINVAL); /* must not block */
        CHECK_STATUS(goc_select(one, 1, 5 * MS), GOC_EINVAL);
    }
    /* A bad case is reported even when another case is ready, and nothing runs. */
    CHECK_STATUS(goc_chan_send(a, &v), GOC_OK);
    goc_chan *b = make_chan(sizeof(int64_t), 1);
    for (int k = 0; k < 50; k++) {
        goc_case cases[] = {GOC_RECV(a, &v), GOC_SEND(b, &v), GOC_RECV(a, &v)};
        cases[k % 3].dir = (enum goc_case_dir)7;
        CHECK_STATUS(goc_select(cases, 3, 0), GOC_EINVAL);
        CHECK_EQ(goc_chan_len(a), 1);
        CHECK_EQ(goc_chan_len(b), 0);
    }
    goc_chan_free(a);
    goc_chan_free(b);
}

/* ---- default and timeouts --------------------------------------------------------------- */

static void
test_default(void) {
    goc_chan *u = make_chan(sizeof(int64_t), 0);
    goc_chan *b = make_chan(sizeof(int64_t), 1);
    int64_t v = 11, out = -1;

    goc_case recvs[] = {GOC_RECV(u, &out), GOC_RECV(b, &out)};
    CHECK_STATUS(goc_select(recvs, 2, 0), GOC_WOULDBLOCK);
    CHECK_EQ(out, -1);

    goc_case sends[] = {GOC_SEND(u, &v), GOC_SEND(b, &v)};
    CHECK_EQ(goc_select(sends, 2, 0), 1); /* only the buffered one has room */
    CHECK(sends[1].ok);
    CHECK_EQ(goc_chan_len(b), 1);
    CHECK_STATUS(goc_select(sends, 2, 0), GOC_WOULDBLOCK);

    recvs[1].ok = false;
    CHECK_EQ(goc_select(recvs, 2, 0), 1);
    CHECK(recvs[1].ok);
    CHECK_EQ(out, 11);
    CHECK_STATUS(goc_select(recvs, 2, 0), GOC_WOULDBLOCK);

    /* Only NULL channels: never ready. */
    goc_case nils[] = {GOC_RECV((goc_chan *)NULL, &out), GOC_SEND((goc_chan *)NULL, &v)};
    CHECK_STATUS(goc_select(nils, 2, 0), GOC_WOULDBLOCK);
    goc_chan_free(u);
    goc_chan_free(b);
}

/* A positive timeout returns GOC_TIMEDOUT, no earlier than asked (a lower bound only: load can
 * make it later, never earlier), and leaves nothing behind on the channels. */
static void
test_timeout(void) {
    goc_chan *u = make_chan(sizeof(int64_t), 0);
    goc_chan *full = make_chan(sizeof(int64_t), 1);
    int64_t v = 5, out = -1;
    CHECK_STATUS(goc_chan_send(full, &v), GOC_OK);

    goc_case cases[] = {GOC_RECV(u, &out), GOC_SEND(u, &v), GOC_SEND(full, &v),
                        GOC_RECV((goc_chan *)NULL, &out)};
    int64_t t0 = test_now_ns();
    CHECK_STATUS(goc_select(cases, 4, 30 * MS), GOC_TIMEDOUT);
    CHECK(test_now_ns() - t0 >= 30 * MS);
    CHECK_EQ(out, -1);
    CHECK_EQ(goc_chan_len(full), 1);

    /* The timed-out select no longer waits on u: a try on either side finds no partner. */
    CHECK_STATUS(goc_chan_try_send(u, &v), GOC_WOULDBLOCK);
    CHECK_STATUS(goc_chan_try_recv(u, &out), GOC_WOULDBLOCK);
    CHECK_EQ(out, -1);

    /* Only NULL channels, and no cases at all. */
    goc_case nils[] = {GOC_RECV((goc_chan *)NULL, &out)};
    t0 = test_now_ns();
    CHECK_STATUS(goc_select(nils, 1, 10 * MS), GOC_TIMEDOUT);
    CHECK(test_now_ns() - t0 >= 10 * MS);
    t0 = test_now_ns();
    CHECK_STATUS(goc_select(nils, 0, 10 * MS), GOC_TIMEDOUT);
    CHECK(test_now_ns() - t0 >= 10 * MS);

    /* A timeout of 1 ns is a timeout, not a default. */
    CHECK_STATUS(goc_select(cases, 3, 1), GOC_TIMEDOUT);

    /* A partner arriving within the timeout wins (the timeout is long enough that it never
     * expires on a working channel). */
    struct chan_op op;
    chan_op_start(&op, u, true, 77);
    goc_case r[] = {GOC_RECV(u, &out)};
    CHECK_EQ(goc_select(r, 1, (int64_t)100000 * MS), 0);
    CHECK(r[0].ok);
    CHECK_EQ(out, 77);
    test_join(op.thread);
    CHECK_STATUS(op.rc, GOC_OK);

    /* A timeout so long that now + timeout overflows int64 nanoseconds must still wait. */
    chan_op_start(&op, u, true, 78);
    CHECK_EQ(goc_select(r, 1, INT64_MAX), 0);
    CHECK_EQ(out, 78);
    test_join(op.thread);
    struct sel_op sop;
    sop.cases[0] = GOC_RECV(u, &out);
    sel_start(&sop, 1, INT64_MAX);
    sel_check_blocked(&sop);
    v = 79;
    CHECK_STATUS(goc_chan_send(u, &v), GOC_OK);
    sel_join(&sop);
    CHECK_EQ(sop.rc, 0);
    CHECK_EQ(out, 79);

    goc_chan_free(u);
    goc_chan_free(full);
}

/* A negative timeout waits for a partner, however long it takes. */
static void
test_forever(void) {
    goc_chan *a = make_chan(sizeof(int64_t), 0);
    goc_chan *b = make_chan(sizeof(int64_t), 2);
    int64_t outa = -1, outb = -1, v;
    struct sel_op op;
    op.cases[0] = GOC_RECV(a, &outa);
    op.cases[1] = GOC_RECV(b, &outb);
    sel_start(&op, 2, -1);
    sel_check_blocked(&op);
    v = 8;
    CHECK_STATUS(goc_chan_send(b, &v), GOC_OK);
    sel_join(&op);
    CHECK_EQ(op.rc, 1);
    CHECK(op.cases[1].ok);
    CHECK_EQ(outb, 8);
    CHECK_EQ(outa, -1);
    CHECK_EQ(goc_chan_len(b), 0);
    /* The finished select left no receiver behind on a. */
    CHECK_STATUS(goc_chan_try_send(a, &v), GOC_WOULDBLOCK);

    /* Unbuffered partner, and a send case. */
    op.cases[0] = GOC_RECV(a, &outa);
    op.cases[1] = GOC_RECV(b, &outb);
    sel_start(&op, 2, -1);
    sel_check_blocked(&op);
    v = 9;
    CHECK_STATUS(goc_chan_send(a, &v), GOC_OK);
    sel_join(&op);
    CHECK_EQ(op.rc, 0);
    CHECK_EQ(outa, 9);

    /* Any negative timeout waits forever, not just -1. */
    v = 10;
    op.cases[0] = GOC_SEND(a, &v);
    sel_start(&op, 1, INT64_MIN);
    sel_check_blocked(&op);
    int64_t out = 0;
    CHECK_STATUS(goc_chan_recv(a, &out), GOC_OK);
    sel_join(&op);
    CHECK_EQ(op.rc, 0);
    CHECK(op.cases[0].ok);
    CHECK_EQ(out, 10);

    op.cases[0] = GOC_RECV(a, &outa);
    sel_start(&op, 1, -2);
    sel_check_blocked(&op);
    v = 11;
    CHECK_STATUS(goc_chan_send(a, &v), GOC_OK);
    sel_join(&op);
    CHECK_EQ(op.rc, 0);
    CHECK_EQ(outa, 11);
    goc_chan_free(a);
    goc_chan_free(b);
}

/* ---- NULL cases ----------------------------------------------------------------------------- */

static void
test_null_cases(void) {
    goc_chan *a = make_chan(sizeof(int64_t), 4);
    int64_t v = 1, out = 0;
    for (int k = 0; k < 200; k++) {
        CHECK_STATUS(goc_chan_send(a, &v), GOC_OK);
        goc_case cases[] = {GOC_RECV((goc_chan *)NULL, &out), GOC_RECV(a, &out),
                            GOC_SEND((goc_chan *)NULL, &v), GOC_RECV((goc_chan *)NULL, NULL)};
        CHECK_EQ(goc_select(cases, 4, k % 2 ? 0 : -1), 1);
    }
    /* Blocking, the NULL cases are still never chosen. */
    struct sel_op op;
    op.cases[0] = GOC_SEND((goc_chan *)NULL, &v);
    op.cases[1] = GOC_RECV(a, &out);
    op.cases[2] = GOC_RECV((goc_chan *)NULL, &out);
    sel_start(&op, 3, -1);
    sel_check_blocked(&op);
    v = 2;
    CHECK_STATUS(goc_chan_send(a, &v), GOC_OK);
    sel_join(&op);
    CHECK_EQ(op.rc, 1);
    CHECK_EQ(out, 2);
    goc_chan_free(a);
}

/* ---- closed channels ----------------------------------------------------------------------- */

static void
test_send_case_on_closed(void) {
    goc_chan *c = make_chan(sizeof(int64_t), 0);
    goc_chan *idle = make_chan(sizeof(int64_t), 0);
    CHECK_STATUS(goc_chan_close(c), GOC_OK);
    int64_t v = 4, out = -1;
    static const int64_t timeouts[] = {0, -1, 1000 * MS};
    for (int t = 0; t < 3; t++) {
        goc_case cases[] = {GOC_RECV(idle, &out), GOC_SEND(c, &v)};
        cases[1].ok = true;
        CHECK_EQ(goc_select(cases, 2, timeouts[t]), 1);
        CHECK(!cases[1].ok);
    }
    /* A buffered channel with room, closed: still the closed answer, and nothing is stored. */
    goc_chan *b = make_chan(sizeof(int64_t), 2);
    CHECK_STATUS(goc_chan_close(b), GOC_OK);
    goc_case one[] = {GOC_SEND(b, &v)};
    one[0].ok = true;
    CHECK_EQ(goc_select(one, 1, -1), 0);
    CHECK(!one[0].ok);
    CHECK_EQ(goc_chan_len(b), 0);
    goc_chan_free(c);
    goc_chan_free(idle);
    goc_chan_free(b);
}

static void
test_recv_case_on_closed(void) {
    goc_chan *b = make_chan(sizeof(int64_t), 4);
    int64_t v, out;
    for (v = 1; v <= 2; v++)
        CHECK_STATUS(goc_chan_send(b, &v), GOC_OK);
    CHECK_STATUS(goc_chan_close(b), GOC_OK);
    goc_case cases[] = {GOC_RECV(b, &out)};
    for (int64_t want = 1; want <= 2; want++) {
        cases[0].ok = false;
        CHECK_EQ(goc_select(cases, 1, want == 1 ? 0 : -1), 0);
        CHECK(cases[0].ok);
        CHECK_EQ(out, want);
    }
    for (int k = 0; k < 3; k++) {
        out = 1234;
        cases[0].ok = true;
        CHECK_EQ(goc_select(cases, 1, k == 0 ? 0 : -1), 0);
        CHECK(!cases[0].ok);
        CHECK_EQ(out, 0);
    }
    /* A discarding receive on a closed channel. */
    goc_case discard[] = {GOC_RECV(b, NULL)};
    CHECK_EQ(goc_select(discard, 1, -1), 0);
    CHECK(!discard[0].ok);
    goc_chan_free(b);
}

/* close wakes a select blocked on a receive (ok false, out zeroed) or on a send (ok false). */
static void
test_close_wakes_select(void) {
    static const size_t caps[] = {0, 3};
    for (int ci = 0; ci < 2; ci++) {
        goc_chan *c = make_chan(sizeof(int64_t), caps[ci]);
        goc_chan *idle = make_chan(sizeof(int64_t), 0);
        int64_t out = 99, idle_out = 98;
        struct sel_op op;
        op.cases[0] = GOC_RECV(idle, &idle_out);
        op.cases[1] = GOC_RECV(c, &out);
        op.cases[1].ok = true;
        sel_start(&op, 2, -1);
        sel_check_blocked(&op);
        CHECK_STATUS(goc_chan_close(c), GOC_OK);
        sel_join(&op);
        CHECK_EQ(op.rc, 1);
        CHECK(!op.cases[1].ok);
        CHECK_EQ(out, 0);
        CHECK_EQ(idle_out, 98);
        goc_chan_free(c);

        /* A full channel (or an unbuffered one with no receiver): the send case blocks. */
        c = make_chan(sizeof(int64_t), caps[ci]);
        int64_t v = 1;
        for (size_t i = 0; i < caps[ci]; i++)
            CHECK_STATUS(goc_chan_send(c, &v), GOC_OK);
        v = 2;
        op.cases[0] = GOC_RECV(idle, &idle_out);
        op.cases[1] = GOC_SEND(c, &v);
        op.cases[1].ok = true;
        sel_start(&op, 2, -1);
        sel_check_blocked(&op);
        CHECK_STATUS(goc_chan_close(c), GOC_OK);
        sel_join(&op);
        CHECK_EQ(op.rc, 1);
        CHECK(!op.cases[1].ok);
        for (size_t i = 0; i < caps[ci]; i++) {
            CHECK_STATUS(goc_chan_recv(c, &out), GOC_OK);
            CHECK_EQ(out, 1);
        }
        CHECK_STATUS(goc_chan_recv(c, &out), GOC_CLOSED);
        /* Neither select left a waiter on idle. */
        CHECK_STATUS(goc_chan_try_send(idle, &v), GOC_WOULDBLOCK);
        goc_chan_free(c);
        goc_chan_free(idle);
    }
}

/* ---- ok flag and values ---------------------------------------------------------------------- */

static void
test_ok_and_values(void) {
    struct big {
        int64_t x[9];
    } in, out;
    goc_chan *c = make_chan(sizeof(struct big), 1);
    for (int i = 0; i < 9; i++)
        in.x[i] = i * 1000 + 1;
    memset(&out, 0, sizeof out);
    goc_case s[] = {GOC_SEND(c, &in)};
    s[0].ok = false;
    CHECK_EQ(goc_select(s, 1, 0), 0);
    CHECK(s[0].ok);
    goc_case r[] = {GOC_RECV(c, &out)};
    r[0].ok = false;
    CHECK_EQ(goc_select(r, 1, 0), 0);
    CHECK(r[0].ok);
    CHECK(memcmp(&in, &out, sizeof in) == 0);
    goc_chan_free(c);

    /* Signal channels, and a discarding receive. */
    goc_chan *sig = make_chan(0, 1);
    char dummy = 0;
    goc_case ss[] = {GOC_SEND(sig, &dummy)};
    CHECK_EQ(goc_select(ss, 1, 0), 0);
    goc_case rs[] = {GOC_RECV(sig, NULL)};
    CHECK_EQ(goc_select(rs, 1, 0), 0);
    CHECK(rs[0].ok);
    CHECK_EQ(goc_chan_len(sig), 0);
    CHECK_STATUS(goc_select(rs, 1, 0), GOC_WOULDBLOCK);
    goc_chan_free(sig);
}

/* ---- uniform choice ----------------------------------------------------------------------------
 */

/* Chi-square statistic of counts against a uniform expectation. */
static double
chi_square(const long *counts, int k, long total) {
    double expect = (double)total / k, chi2 = 0;
    for (int i = 0; i < k; i++) {
        double d = (double)counts[i] - expect;
        chi2 += d * d / expect;
    }
    return chi2;
}

/* Square root by Newton's method (the tests do not link libm). */
static double
newton_sqrt(double x) {
    double r = x > 1 ? x : 1;
    for (int i = 0; i < 100; i++)
        r = 0.5 * (r + x / r);
    return r;
}

/* Upper bound for a chi-square with dof degrees of freedom that a uniform choice exceeds with
 * probability below about 1e-9 (Wilson-Hilferty with z = 6.1). */
static double
chi_square_bound(int dof) {
    double k = dof, z = 6.1, t = 1 - 2 / (9 * k) + z * newton_sqrt(2 / (9 * k));
    return k * t * t * t;
}

static void
report_counts(const char *what, const long *counts, int k) {
    fprintf(stderr, "%s:", what);
    for (int i = 0; i < k; i++)
        fprintf(stderr, " %ld", counts[i]);
    fprintf(stderr, "\n");
}

/* All ready, mixed directions: RECV a, RECV b, SEND c, SEND d, each chosen a quarter of the
 * time. The state is restored after each select so all stay ready. */
static void
test_uniform_mixed(void) {
    enum { K = 4 };
    long total = TEST_SCALE(40000, 4);
    goc_chan *ch[K];
    int64_t v = 1, out;
    for (int i = 0; i < K; i++)
        ch[i] = make_chan(sizeof(int64_t), 2);
    CHECK_STATUS(goc_chan_send(ch[0], &v), GOC_OK);
    CHECK_STATUS(goc_chan_send(ch[1], &v), GOC_OK);
    long counts[K] = {0};
    for (long n = 0; n < total; n++) {
        goc_case cases[K] = {GOC_RECV(ch[0], &out), GOC_RECV(ch[1], &out), GOC_SEND(ch[2], &v),
                             GOC_SEND(ch[3], &v)};
        int rc = goc_select(cases, K, n % 2 ? 0 : -1);
        if (!CHECK(rc >= 0 && rc < K))
            break;
        CHECK(cases[rc].ok);
        counts[rc]++;
        if (rc < 2)
            CHECK_STATUS(goc_chan_send(ch[rc], &v), GOC_OK);
        else
            CHECK_STATUS(goc_chan_recv(ch[rc], NULL), GOC_OK);
        for (int i = 0; i < K; i++)
            CHECK_EQ(goc_chan_len(ch[i]), i < 2 ? 1 : 0);
    }
    double chi2 = chi_square(counts, K, total);
    if (chi2 > chi_square_bound(K - 1)) {
        report_counts("select choice is not uniform", counts, K);
        exit(1);
    }
    for (int i = 0; i < K; i++)
        goc_chan_free(ch[i]);
}

/* Only the ready cases share the choices, and among 16 cases none is favoured (a choice that
 * always scans from case 0, or from a rotating start with bias, fails here). */
static void
test_uniform_subset(void) {
    enum { K = 16 };
    long total = TEST_SCALE(64000, 4);
    goc_chan *ch[K];
    int64_t v = 1, out;
    for (int i = 0; i < K; i++) {
        ch[i] = make_chan(sizeof(int64_t), 1);
        if (i % 4 != 3) /* 12 ready, 4 never ready */
            CHECK_STATUS(goc_chan_send(ch[i], &v), GOC_OK);
    }
    goc_case cases[K];
    long counts[K] = {0};
    for (long n = 0; n < total; n++) {
        for (int i = 0; i < K; i++)
            cases[i] = GOC_RECV(ch[i], &out);
        int rc = goc_select(cases, K, 0);
        if (!CHECK(rc >= 0 && rc < K))
            break;
        CHECK(rc % 4 != 3);
        counts[rc]++;
        CHECK_STATUS(goc_chan_send(ch[rc], &v), GOC_OK);
    }
    long ready[12];
    int j = 0;
    for (int i = 0; i < K; i++) {
        if (i % 4 == 3)
            CHECK_EQ(counts[i], 0);
        else
            ready[j++] = counts[i];
    }
    if (chi_square(ready, 12, total) > chi_square_bound(11)) {
        report_counts("select choice among ready cases is not uniform", counts, K);
        exit(1);
    }
    for (int i = 0; i < K; i++)
        goc_chan_free(ch[i]);
}

/* ---- the same channel in several cases ------------------------------------------------------- */

static void
test_duplicate_channel(void) {
    goc_chan *a = make_chan(sizeof(int64_t), 1);
    long total = TEST_SCALE(6000, 4), counts[3] = {0};
    for (long n = 0; n < total; n++) {
        int64_t v = n, outs[3] = {-1, -1, -1};
        CHECK_STATUS(goc_chan_send(a, &v), GOC_OK);
        goc_case cases[] = {GOC_RECV(a, &outs[0]), GOC_RECV(a, &outs[1]), GOC_RECV(a, &outs[2])};
        int rc = goc_select(cases, 3, -1);
        if (!CHECK(rc >= 0 && rc < 3))
            break;
        counts[rc]++;
        for (int i = 0; i < 3; i++)
            CHECK_EQ(outs[i], i == rc ? n : -1);
        CHECK_EQ(goc_chan_len(a), 0);
    }
    if (chi_square(counts, 3, total) > chi_square_bound(2)) {
        report_counts("duplicate receive cases not chosen uniformly", counts, 3);
        exit(1);
    }

    /* Two send cases on one buffered channel: the value stored is the chosen case's. */
    long scount[2] = {0};
    for (long n = 0; n < total; n++) {
        int64_t v0 = 100, v1 = 200, out = 0;
        goc_case cases[] = {GOC_SEND(a, &v0), GOC_SEND(a, &v1)};
        int rc = goc_select(cases, 2, 0);
        if (!CHECK(rc == 0 || rc == 1))
            break;
        scount[rc]++;
        CHECK_EQ(goc_chan_len(a), 1);
        CHECK_STATUS(goc_select(cases, 2, 0), GOC_WOULDBLOCK); /* full: only one ran */
        CHECK_STATUS(goc_chan_recv(a, &out), GOC_OK);
        CHECK_EQ(out, rc == 0 ? 100 : 200);
    }
    if (chi_square(scount, 2, total) > chi_square_bound(1)) {
        report_counts("duplicate send cases not chosen uniformly", scount, 2);
        exit(1);
    }

    /* Blocked on one unbuffered channel through three cases: one value is taken once. */
    goc_chan *u = make_chan(sizeof(int64_t), 0);
    int64_t o[3] = {-1, -1, -1};
    struct sel_op op;
    op.cases[0] = GOC_RECV(u, &o[0]);
    op.cases[1] = GOC_RECV(u, &o[1]);
    op.cases[2] = GOC_RECV(u, &o[2]);
    sel_start(&op, 3, -1);
    sel_check_blocked(&op);
    int64_t v = 31;
    CHECK_STATUS(goc_chan_send(u, &v), GOC_OK);
    sel_join(&op);
    CHECK(op.rc >= 0 && op.rc < 3);
    for (int i = 0; i < 3; i++)
        CHECK_EQ(o[i], i == op.rc ? 31 : -1);
    CHECK_STATUS(goc_chan_try_send(u, &v), GOC_WOULDBLOCK); /* no waiter left behind */
    goc_chan_free(a);
    goc_chan_free(u);
}

/* ---- a send and a receive on the same channel in one select --------------------------------- */

struct partner {
    goc_chan *ch;
    bool send;
    int count;
    atomic_int started;
};

static void *
partner_thread(void *arg) {
    struct partner *p = arg;
    atomic_store_explicit(&p->started, 1, memory_order_release);
    for (int i = 0; i < p->count; i++) {
        int64_t v = 1000 + i;
        if (p->send) {
            CHECK_STATUS(goc_chan_send(p->ch, &v), GOC_OK);
        } else {
            int64_t out = -1;
            CHECK_STATUS(goc_chan_recv(p->ch, &out), GOC_OK);
            CHECK_EQ(out, 500 + i); /* what the select sent, never its own receive */
        }
    }
    return NULL;
}

static void
test_self_pair(void) {
    goc_chan *u = make_chan(sizeof(int64_t), 0);
    int64_t v = 500, out = -1;
    goc_case cases[] = {GOC_SEND(u, &v), GOC_RECV(u, &out)};
    CHECK_STATUS(goc_select(cases, 2, 0), GOC_WOULDBLOCK);
    CHECK_STATUS(goc_select(cases, 2, 20 * MS), GOC_TIMEDOUT);
    CHECK_EQ(out, -1);
    /* Reversed order, too. */
    goc_case rev[] = {GOC_RECV(u, &out), GOC_SEND(u, &v)};
    CHECK_STATUS(goc_select(rev, 2, 20 * MS), GOC_TIMEDOUT);
    CHECK_EQ(out, -1);
    CHECK_STATUS(goc_chan_try_recv(u, &out), GOC_WOULDBLOCK);
    CHECK_STATUS(goc_chan_try_send(u, &v), GOC_WOULDBLOCK);

    /* With a receiver on another thread the send case runs; with a sender, the receive. */
    int n = TEST_SCALE(200, 4);
    for (int dir = 0; dir < 2; dir++) {
        struct partner p = {.ch = u, .send = dir == 1, .count = n};
        atomic_init(&p.started, 0);
        pthread_t t = test_spawn(partner_thread, &p);
        for (int i = 0; i < n; i++) {
            v = 500 + i;
            out = -1;
            goc_case c2[] = {GOC_SEND(u, &v), GOC_RECV(u, &out)};
            int rc = goc_select(c2, 2, -1);
            if (CHECK_EQ(rc, dir == 0 ? 0 : 1))
                CHECK(c2[rc].ok);
            if (dir == 1)
                CHECK_EQ(out, 1000 + i);
            else
                CHECK_EQ(out, -1);
        }
        test_join(t);
    }

    /* Buffered: whichever side has room or a value runs; the select does not feed itself. */
    goc_chan *b = make_chan(sizeof(int64_t), 1);
    v = 3;
    out = -1;
    goc_case bc[] = {GOC_SEND(b, &v), GOC_RECV(b, &out)};
    CHECK_EQ(goc_select(bc, 2, -1), 0);
    CHECK_EQ(out, -1);
    CHECK_EQ(goc_select(bc, 2, -1), 1);
    CHECK_EQ(out, 3);
    goc_chan_free(u);
    goc_chan_free(b);
}

/* ---- a select sees a blocked partner --------------------------------------------------------- */

/* Like try_*, a select with timeout 0 never reports GOC_WOULDBLOCK while a partner is blocked
 * on a case's channel. The partner may still be on its way to blocking, so retry until it
 * succeeds; the deadline only turns a hang into a message. */
static void
test_default_sees_blocked_partner(void) {
    goc_chan *u = make_chan(sizeof(int64_t), 0);
    goc_chan *idle = make_chan(sizeof(int64_t), 0);
    for (int dir = 0; dir < 2; dir++) {
        struct chan_op op;
        chan_op_start(&op, u, dir == 0, 66);
        test_sleep_ns(5 * MS);
        int64_t v = 67, out = -1;
        goc_case cases[] = {GOC_RECV(idle, &out), dir == 0 ? GOC_RECV(u, &out) : GOC_SEND(u, &v)};
        int64_t deadline = test_now_ns() + (int64_t)60000 * MS;
        int rc;
        while ((rc = goc_select(cases, 2, 0)) == GOC_WOULDBLOCK)
            CHECK_OR_RETURN(test_now_ns() < deadline);
        CHECK_EQ(rc, 1);
        test_join(op.thread);
        CHECK_STATUS(op.rc, GOC_OK);
        if (dir == 0)
            CHECK_EQ(out, 66);
        else
            CHECK_EQ(op.value, 67);
    }
    goc_chan_free(u);
    goc_chan_free(idle);
}

/* Select on both sides of an unbuffered channel: select-send pairs with select-receive. */
struct sel_loop {
    goc_chan *ch, *idle;
    int count;
};

static void *
sel_recv_loop(void *arg) {
    struct sel_loop *s = arg;
    for (int i = 0; i < s->count; i++) {
        int64_t out = -1, idle_out;
        goc_case cases[] = {GOC_RECV(s->idle, &idle_out), GOC_RECV(s->ch, &out)};
        CHECK_EQ(goc_select(cases, 2, -1), 1);
        CHECK_EQ(out, i);
    }
    return NULL;
}

static void
test_select_to_select(void) {
    goc_chan *u = make_chan(sizeof(int64_t), 0);
    goc_chan *idle = make_chan(sizeof(int64_t), 0);
    struct sel_loop s = {u, idle, TEST_SCALE(2000, 4)};
    pthread_t t = test_spawn(sel_recv_loop, &s);
    for (int64_t i = 0; i < s.count; i++) {
        int64_t idle_out;
        goc_case cases[] = {GOC_SEND(u, &i), GOC_RECV(idle, &idle_out)};
        CHECK_EQ(goc_select(cases, 2, -1), 0);
    }
    test_join(t);
    goc_chan_free(u);
    goc_chan_free(idle);
}

/* ---- many cases --------------------------------------------------------------------------------
 */

static void
test_many_cases(void) {
    enum { K = 300 };
    goc_chan **ch = test_malloc(K * sizeof *ch);
    goc_case *cases = test_malloc(K * sizeof *cases);
    int64_t *outs = test_malloc(K * sizeof *outs);
    for (int i = 0; i < K; i++)
        ch[i] = make_chan(sizeof(int64_t), i % 2);
    int64_t v = 217;
    CHECK_STATUS(goc_chan_send(ch[217], &v), GOC_OK);
    for (int i = 0; i < K; i++) {
        outs[i] = -1;
        cases[i] = GOC_RECV(ch[i], &outs[i]);
    }
    CHECK_EQ(goc_select(cases, K, 0), 217);
    CHECK_EQ(outs[217], 217);
    CHECK_STATUS(goc_select(cases, K, 0), GOC_WOULDBLOCK);

    /* Blocking over all of them; a partner on an unbuffered one wakes it. */
    struct chan_op op;
    chan_op_start(&op, ch[150], true, 150);
    CHECK_EQ(goc_select(cases, K, -1), 150);
    CHECK_EQ(outs[150], 150);
    test_join(op.thread);
    for (int i = 0; i < K; i++) {
        CHECK_STATUS(goc_chan_try_send(ch[i], &v), i % 2 ? GOC_OK : GOC_WOULDBLOCK);
        goc_chan_free(ch[i]);
    }
    free(ch);
    free(cases);
    free(outs);
}

int
main(void) {
    test_einval();
    test_default();
    test_timeout();
    test_forever();
    test_null_cases();
    test_send_case_on_closed();
    test_recv_case_on_closed();
    test_close_wakes_select();
    test_ok_and_values();
    test_uniform_mixed();
    test_uniform_subset();
    test_duplicate_channel();
    test_self_pair();
    test_default_sees_blocked_partner();
    test_select_to_select();
    test_many_cases();
    return check_result("select_test");
}
