/* SPDX-License-Identifier: MIT */
/* Unit tests for contexts: the background singleton, misuse, cancel propagation through a
 * tree, children of cancelled parents, timeouts (firing, an earlier deadline added later,
 * deadlines inherited from the parent), err values, done as a select case, and freeing
 * parents and children in either order. Concurrent trees are in stress/context_stress.c. */
#include "testutil.h"

#define MS ((int64_t)1000 * 1000)
#define SEC ((int64_t)1000 * MS)

/* The done channel's state: GOC_CLOSED once cancelled, GOC_WOULDBLOCK while active. */
static int
done_state(goc_ctx *c) {
    return goc_chan_try_recv(goc_ctx_done(c), NULL);
}

static void
check_active(goc_ctx *c) {
    CHECK_STATUS(goc_ctx_err(c), GOC_OK);
    CHECK_STATUS(done_state(c), GOC_WOULDBLOCK);
}

static void
check_cancelled(goc_ctx *c, int err) {
    CHECK_STATUS(goc_ctx_err(c), err);
    CHECK_STATUS(done_state(c), GOC_CLOSED);
}

/* Block until c's done channel closes, or fail after 30 s (the bound only turns a hang into
 * a failure). */
static void
wait_done(goc_ctx *c) {
    goc_case cases[] = {GOC_RECV(goc_ctx_done(c), NULL)};
    CHECK_EQ(goc_select(cases, 1, 30 * SEC), 0);
    CHECK(!cases[0].ok);
}

static void
test_background_and_misuse(void) {
    goc_ctx *bg = goc_ctx_background();
    CHECK_OR_RETURN(bg != NULL);
    CHECK(goc_ctx_background() == bg);
    CHECK(goc_ctx_done(bg) == NULL);
    CHECK_STATUS(goc_ctx_err(bg), GOC_OK);
    CHECK_STATUS(goc_ctx_cancel(bg), GOC_EINVAL);
    goc_ctx_free(bg);
    CHECK_STATUS(goc_ctx_err(bg), GOC_OK);

    errno = 0;
    CHECK(goc_ctx_with_cancel(NULL) == NULL);
    CHECK_EQ(errno, EINVAL);
    errno = 0;
    CHECK(goc_ctx_with_timeout(NULL, MS) == NULL);
    CHECK_EQ(errno, EINVAL);
    CHECK_STATUS(goc_ctx_cancel(NULL), GOC_EINVAL);
    CHECK_STATUS(goc_ctx_err(NULL), GOC_EINVAL);
    CHECK(goc_ctx_done(NULL) == NULL);
    goc_ctx_free(NULL);
}

/* root -> {a -> {a1, a2 -> a2x}, b}: cancelling a reaches a's whole subtree and nothing else;
 * cancelling root then reaches b; errors, once set, never change. */
static void
test_propagation(void) {
    goc_ctx *root = goc_ctx_with_cancel(goc_ctx_background());
    goc_ctx *a = goc_ctx_with_cancel(root);
    goc_ctx *b = goc_ctx_with_cancel(root);
    goc_ctx *a1 = goc_ctx_with_cancel(a);
    goc_ctx *a2 = goc_ctx_with_timeout(a, 3600 * SEC);
    goc_ctx *a2x = goc_ctx_with_cancel(a2);
    goc_ctx *all[] = {root, a, b, a1, a2, a2x};
    for (int i = 0; i < 6; i++) {
        CHECK_OR_RETURN(all[i] != NULL);
        check_active(all[i]);
        CHECK_EQ(goc_chan_elem_size(goc_ctx_done(all[i])), 0);
    }
    CHECK_STATUS(goc_ctx_cancel(a), GOC_OK);
    check_cancelled(a, GOC_CANCELED);
    check_cancelled(a1, GOC_CANCELED);
    check_cancelled(a2, GOC_CANCELED);
    check_cancelled(a2x, GOC_CANCELED);
    check_active(root);
    check_active(b);
    CHECK_STATUS(goc_ctx_cancel(a), GOC_OK); /* idempotent */
    check_cancelled(a, GOC_CANCELED);
    CHECK_STATUS(goc_ctx_cancel(root), GOC_OK);
    for (int i = 0; i < 6; i++)
        check_cancelled(all[i], GOC_CANCELED);
    /* Children first, then parents. */
    for (int i = 5; i >= 0; i--)
        goc_ctx_free(all[i]);
}

/* A child made under a cancelled parent starts cancelled, with the parent's error. */
static void
test_child_of_cancelled(void) {
    goc_ctx *p = goc_ctx_with_cancel(goc_ctx_background());
    goc_ctx_cancel(p);
    goc_ctx *c = goc_ctx_with_cancel(p);
    goc_ctx *t = goc_ctx_with_timeout(p, 3600 * SEC);
    check_cancelled(c, GOC_CANCELED);
    check_cancelled(t, GOC_CANCELED);
    goc_ctx_free(p); /* parent first: the children stay valid */
    check_cancelled(c, GOC_CANCELED);
    goc_ctx_free(c);
    goc_ctx_free(t);

    goc_ctx *d = goc_ctx_with_timeout(goc_ctx_background(), 0); /* already past */
    check_cancelled(d, GOC_DEADLINE);
    goc_ctx *dc = goc_ctx_with_cancel(d);
    check_cancelled(dc, GOC_DEADLINE);
    goc_ctx *neg = goc_ctx_with_timeout(dc, -5);
    check_cancelled(neg, GOC_DEADLINE);
    goc_ctx_free(d);
    goc_ctx_free(neg);
    goc_ctx_free(dc);
}

/* A timeout fires (never before its deadline) with GOC_DEADLINE, reaching the children; the
 * firing delay is printed, not asserted. */
static void
test_timeout_fires(void) {
    int64_t t0 = test_now_ns();
    goc_ctx *c = goc_ctx_with_timeout(goc_ctx_background(), 20 * MS);
    goc_ctx *child = goc_ctx_with_cancel(c);
    goc_ctx *later = goc_ctx_with_timeout(c, 3600 * SEC); /* the parent's deadline wins */
    int err = goc_ctx_err(c), done = done_state(c);
    if (test_now_ns() - t0 < 20 * MS) { /* both looks came before the deadline */
        CHECK_STATUS(err, GOC_OK);
        CHECK_STATUS(done, GOC_WOULDBLOCK);
    }
    wait_done(c);
    int64_t fired = test_now_ns() - t0;
    CHECK(fired >= 20 * MS);
    check_cancelled(c, GOC_DEADLINE);
    check_cancelled(child, GOC_DEADLINE);
    check_cancelled(later, GOC_DEADLINE);
    printf("context_test: 20 ms timeout observed after %.2f ms\n", (double)fired / MS);
    CHECK_STATUS(goc_ctx_cancel(c), GOC_OK); /* a cancel after the deadline keeps DEADLINE */
    check_cancelled(c, GOC_DEADLINE);
    goc_ctx_free(later);
    goc_ctx_free(c);
    goc_ctx_free(child);
}

/* The timer sleeps until the earliest deadline: a deadline earlier than every queued one must
 * wake it (otherwise this would wait for the hour-long one). */
static void
test_earlier_deadline_wakes_timer(void) {
    goc_ctx *hour = goc_ctx_with_timeout(goc_ctx_background(), 3600 * SEC);
    goc_ctx *minute = goc_ctx_with_timeout(goc_ctx_background(), 60 * SEC);
    test_sleep_ns(5 * MS); /* the timer thread is asleep on the minute */
    goc_ctx *soon = goc_ctx_with_timeout(goc_ctx_background(), 10 * MS);
    wait_done(soon);
    check_cancelled(soon, GOC_DEADLINE);
    check_active(hour);
    check_active(minute);
    goc_ctx_free(minute); /* removes a queued deadline */
    goc_ctx_free(hour);
    goc_ctx_free(soon);
}

/* A child's own earlier deadline fires without touching the parent; a cancel before the
 * deadline gives GOC_CANCELED, which the deadline passing later does not change. */
static void
test_deadline_vs_cancel(void) {
    goc_ctx *p = goc_ctx_with_cancel(goc_ctx_background());
    int64_t t0 = test_now_ns();
    goc_ctx *c = goc_ctx_with_timeout(p, 10 * MS);
    goc_ctx *c2 = goc_ctx_with_timeout(p, 10 * MS);
    CHECK_STATUS(goc_ctx_cancel(c2), GOC_OK);
    bool cancel_first = test_now_ns() - t0 < 10 * MS; /* false only on a very loaded machine */
    wait_done(c);
    check_cancelled(c, GOC_DEADLINE);
    check_active(p);
    test_sleep_ns(20 * MS); /* past c2's deadline */
    check_cancelled(c2, cancel_first ? GOC_CANCELED : goc_ctx_err(c2));
    goc_ctx_free(c);
    goc_ctx_free(c2);
    goc_ctx_free(p);
}

/* done as a select case: a worker waits on a data channel and the done channel; only the
 * cancellation can wake it. */
struct worker {
    goc_ctx *ctx;
    goc_chan *data;
    int rc, err;
    bool ok;
    atomic_int started;
};

static void *
worker_thread(void *arg) {
    struct worker *w = arg;
    long v;
    goc_case cases[] = {GOC_RECV(w->data, &v), GOC_RECV(goc_ctx_done(w->ctx), NULL)};
    atomic_store_explicit(&w->started, 1, memory_order_release);
    w->rc = goc_select(cases, 2, -1);
    w->ok = cases[w->rc >= 0 ? w->rc : 0].ok;
    w->err = goc_ctx_err(w->ctx); /* done seen closed: err must already say why */
    return NULL;
}

static void
test_done_in_select(void) {
    goc_ctx *root = goc_ctx_with_cancel(goc_ctx_background());
    goc_ctx *mid = goc_ctx_with_cancel(root);
    goc_ctx *leaf = goc_ctx_with_cancel(mid); /* root's grandchild */
    struct worker w = {.ctx = leaf, .data = goc_chan_make(sizeof(long), 0), .rc = -1000};
    pthread_t t = test_spawn(worker_thread, &w);
    test_wait_flag(&w.started);
    test_sleep_ns(20 * MS); /* time to block in the select */
    CHECK_STATUS(goc_ctx_cancel(root), GOC_OK);
    test_join(t);
    CHECK_EQ(w.rc, 1);
    CHECK(!w.ok);
    CHECK_STATUS(w.err, GOC_CANCELED);
    /* Background's NULL done is never ready: a select on it alone times out. */
    goc_case never[] = {GOC_RECV(goc_ctx_done(goc_ctx_background()), NULL)};
    CHECK_STATUS(goc_select(never, 1, 0), GOC_WOULDBLOCK);
    goc_ctx_free(root); /* parents first: the descendants stay valid until freed */
    goc_ctx_free(mid);
    check_cancelled(leaf, GOC_CANCELED);
    goc_ctx_free(leaf);
    goc_chan_free(w.data);
}

/* err and done agree while a cancel is in flight: an observer spins on each context until it
 * sees done closed (or err set) and checks the other at once, while another thread cancels the
 * contexts one after the other. */
#define RACE_CTXS 2000
struct race {
    goc_ctx *ctx[RACE_CTXS];
    int n;
    bool watch_done; /* observer spins on done (true) or on err (false) */
    atomic_int started;
};

static void *
race_observer(void *arg) {
    struct race *r = arg;
    atomic_store_explicit(&r->started, 1, memory_order_release);
    for (int i = 0; i < r->n; i++) {
        if (r->watch_done) {
            while (goc_chan_try_recv(goc_ctx_done(r->ctx[i]), NULL) != GOC_CLOSED)
                ;
            CHECK_STATUS(goc_ctx_err(r->ctx[i]), GOC_CANCELED);
        } else {
            while (goc_ctx_err(r->ctx[i]) == GOC_OK)
                ;
            CHECK_STATUS(goc_chan_try_recv(goc_ctx_done(r->ctx[i]), NULL), GOC_CLOSED);
        }
    }
    return NULL;
}

static void
test_err_done_agree(void) {
    static struct race r;
    int n = r.n = TEST_SCALE(RACE_CTXS, 4);
    for (int mode = 0; mode < 2; mode++) {
        r.watch_done = mode == 0;
        atomic_init(&r.started, 0);
        for (int i = 0; i < n; i++)
            r.ctx[i] = goc_ctx_with_cancel(goc_ctx_background());
        pthread_t t = test_spawn(race_observer, &r);
        test_wait_flag(&r.started);
        for (int i = 0; i < n; i++)
            CHECK_STATUS(goc_ctx_cancel(r.ctx[i]), GOC_OK);
        test_join(t);
        for (int i = 0; i < n; i++)
            goc_ctx_free(r.ctx[i]);
    }
}

/* Freeing a child first leaves the parent active; a freed timeout never fires later. */
static void
test_free_orders(void) {
    goc_ctx *p = goc_ctx_with_cancel(goc_ctx_background());
    goc_ctx *c = goc_ctx_with_timeout(p, 5 * MS);
    goc_ctx *gc = goc_ctx_with_cancel(c);
    goc_ctx_free(c);
    check_active(p);
    /* Freeing c cancelled its descendants (GOC_DEADLINE instead if c's 5 ms passed first). */
    CHECK(goc_ctx_err(gc) == GOC_CANCELED || goc_ctx_err(gc) == GOC_DEADLINE);
    CHECK_STATUS(done_state(gc), GOC_CLOSED);
    goc_ctx_free(gc);
    test_sleep_ns(15 * MS); /* past c's deadline: the timer must not touch the freed c */
    check_active(p);
    goc_ctx *c3 = goc_ctx_with_cancel(p);
    goc_ctx_free(p);
    check_cancelled(c3, GOC_CANCELED);
    goc_ctx_free(c3);
}

int
main(void) {
    test_background_and_misuse();
    test_propagation();
    test_child_of_cancelled();
    test_timeout_fires();
    test_earlier_deadline_wakes_timer();
    test_deadline_vs_cancel();
    test_done_in_select();
    test_err_done_agree();
    test_free_orders();
    return check_result("context_test");
}
