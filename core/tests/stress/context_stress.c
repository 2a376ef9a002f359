/* SPDX-License-Identifier: MIT */
/* Context trees under concurrency: threads grow random trees (cancel and timeout nodes, short
 * deadlines firing all the time) under a shared root, hang children under each other's nodes,
 * cancel at random, while the main thread cancels the root at a random moment; then everyone
 * frees in random order, parents before or after children, across threads. Checks: after a
 * cancel returns its whole known subtree is closed; a non-OK err always comes with a closed
 * done channel; after the root's cancel every node is closed. ASan and TSan check the rest. */
#include "testutil.h"

#include <unistd.h>

#define NODES 24 /* per thread, own tree */
#define CROSS 6  /* per thread, children under other threads' nodes */
#define MAX_THREADS 16
#define US ((int64_t)1000)

struct shared {
    goc_ctx *root;
    goc_ctx *nodes[MAX_THREADS][NODES]; /* written in phase 1, read by all in phase 2 */
    goc_waitgroup phase1, phase2, phase3;
    int nthreads;
};

struct worker {
    struct shared *s;
    int id;
    uint64_t rng;
    int parent[NODES]; /* index of the parent among own nodes, -1 for the root */
    goc_ctx *cross[CROSS];
};

/* err and done agree, in both directions, even while another thread cancels c. */
static void
check_consistent(goc_ctx *c) {
    if (goc_chan_try_recv(goc_ctx_done(c), NULL) == GOC_CLOSED)
        CHECK(goc_ctx_err(c) != GOC_OK);
    int err = goc_ctx_err(c);
    if (err != GOC_OK) {
        CHECK(err == GOC_CANCELED || err == GOC_DEADLINE);
        CHECK_STATUS(goc_chan_try_recv(goc_ctx_done(c), NULL), GOC_CLOSED);
    }
}

static bool
descends_from(struct worker *w, int node, int ancestor) {
    for (int p = node; p >= 0; p = w->parent[p])
        if (p == ancestor)
            return true;
    return false;
}

static goc_ctx *
make_child(struct worker *w, goc_ctx *parent) {
    uint64_t r = test_rand(&w->rng);
    goc_ctx *c;
    switch (r % 4) {
    case 0:
        c = goc_ctx_with_timeout(parent, (int64_t)(r >> 8) % (3000 * US)); /* fires soon */
        break;
    case 1:
        c = goc_ctx_with_timeout(parent, (int64_t)3600 * 1000 * 1000 * 1000);
        break;
    default:
        c = goc_ctx_with_cancel(parent);
    }
    CHECK(c != NULL);
    check_consistent(c);
    return c;
}

static void
shuffle(uint64_t *rng, int *idx, int n) {
    for (int i = n - 1; i > 0; i--) {
        int j = (int)(test_rand(rng) % (uint64_t)(i + 1));
        int t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
}

static void *
worker_main(void *arg) {
    struct worker *w = arg;
    struct shared *s = w->s;
    goc_ctx **mine = s->nodes[w->id];
    /* Phase 1: grow a tree under the root, cancelling now and then. */
    for (int i = 0; i < NODES; i++) {
        int p = i == 0 ? -1 : (int)(test_rand(&w->rng) % (uint64_t)(i + 1)) - 1;
        w->parent[i] = p;
        mine[i] = make_child(w, p < 0 ? s->root : mine[p]);
        if (test_rand(&w->rng) % 8 == 0) {
            int x = (int)(test_rand(&w->rng) % (uint64_t)(i + 1));
            CHECK_STATUS(goc_ctx_cancel(mine[x]), GOC_OK);
            for (int j = 0; j <= i; j++) {
                if (descends_from(w, j, x)) {
                    CHECK(goc_ctx_err(mine[j]) != GOC_OK);
                    CHECK_STATUS(goc_chan_try_recv(goc_ctx_done(mine[j]), NULL), GOC_CLOSED);
                }
            }
        }
    }
    CHECK_STATUS(goc_waitgroup_done(&s->phase1), GOC_OK);
    goc_waitgroup_wait(&s->phase1);
    /* Phase 2: children under other threads' nodes (their owners free those nodes first or
     * later, in phase 3). */
    for (int i = 0; i < CROSS; i++) {
        int t = (int)(test_rand(&w->rng) % (uint64_t)s->nthreads);
        int n = (int)(test_rand(&w->rng) % NODES);
        w->cross[i] = make_child(w, s->nodes[t][n]);
        check_consistent(s->nodes[t][n]);
    }
    CHECK_STATUS(goc_waitgroup_done(&s->phase2), GOC_OK);
    goc_waitgroup_wait(&s->phase2);
    /* The main thread has cancelled the root once everyone finished phase 2 (or earlier). */
    goc_waitgroup_wait(&s->phase3);
    for (int i = 0; i < NODES; i++) {
        CHECK(goc_ctx_err(mine[i]) != GOC_OK);
        check_consistent(mine[i]);
    }
    for (int i = 0; i < CROSS; i++) {
        CHECK(goc_ctx_err(w->cross[i]) != GOC_OK);
        check_consistent(w->cross[i]);
    }
    /* Phase 3: free everything in random order, racing the other threads' frees. */
    int idx[NODES + CROSS];
    for (int i = 0; i < NODES + CROSS; i++)
        idx[i] = i;
    shuffle(&w->rng, idx, NODES + CROSS);
    for (int i = 0; i < NODES + CROSS; i++)
        goc_ctx_free(idx[i] < NODES ? mine[idx[i]] : w->cross[idx[i] - NODES]);
    return NULL;
}

int
main(void) {
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    static struct shared s;
    static struct worker w[MAX_THREADS];
    s.nthreads = (int)(ncpu < 1 ? 1 : ncpu > 8 ? 8 : ncpu) * 2;
    int rounds = TEST_SCALE(300, 3);
    uint64_t rng = 0x9E3779B97F4A7C15ULL;
    int early = 0;
    for (int r = 0; r < rounds; r++) {
        s.root = test_rand(&rng) % 2 ? goc_ctx_with_cancel(goc_ctx_background())
                                     : goc_ctx_with_timeout(goc_ctx_background(), 2000 * US);
        CHECK_OR_RETURN(s.root != NULL, check_result("context_stress"));
        goc_waitgroup_add(&s.phase1, s.nthreads);
        goc_waitgroup_add(&s.phase2, s.nthreads);
        goc_waitgroup_add(&s.phase3, 1);
        pthread_t t[MAX_THREADS];
        for (int i = 0; i < s.nthreads; i++) {
            w[i] = (struct worker){.s = &s, .id = i, .rng = test_rand(&rng) | 1};
            t[i] = test_spawn(worker_main, &w[i]);
        }
        /* Cancel the root at a random moment: while the trees grow, or after. */
        if (test_rand(&rng) % 2) {
            for (uint64_t k = test_rand(&rng) % 200; k > 0; k--)
                test_yield();
            CHECK_STATUS(goc_ctx_cancel(s.root), GOC_OK);
            early++;
        }
        goc_waitgroup_wait(&s.phase2);
        CHECK_STATUS(goc_ctx_cancel(s.root), GOC_OK);
        CHECK(goc_ctx_err(s.root) != GOC_OK);
        /* The root goes first in half the rounds, last in the others. */
        bool root_first = test_rand(&rng) % 2;
        if (root_first)
            goc_ctx_free(s.root);
        goc_waitgroup_done(&s.phase3);
        for (int i = 0; i < s.nthreads; i++)
            test_join(t[i]);
        if (!root_first)
            goc_ctx_free(s.root);
    }
    printf("context_stress: %d rounds x %d threads x %d nodes (+%d cross-thread), root "
           "cancelled early in %d rounds\n",
           rounds, s.nthreads, NODES, CROSS, early);
    return check_result("context_stress");
}
