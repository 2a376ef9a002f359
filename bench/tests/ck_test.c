/* SPDX-License-Identifier: MIT */
/* The ck peer's channels (bench/peers/ck.c: ck_ring behind struct chan_ops) keep the semantics
 * the chan family relies on: FIFO, a capacity of exactly cap values (one producer), close
 * (receivers drain, then see GOC_CLOSED with a zeroed value; senders get GOC_CLOSED), try
 * operations, every element size the family uses, and no message lost or duplicated among
 * several producers and consumers; cap=0 and unknown sizes are refused. In a build without
 * libck: impl=ck and ck.br are still known, left out of the default selection, and listed
 * when --impl names them (the engine then skips them with the reason). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <goc/status.h>

#include "check.h"
#include "ck_peer.h"
#include "commands.h"
#include "ops.h"
#include "registry.h"
#include "topology.h"

/* Selected instances with impl name, by default (impls NULL) or for --impl impls. */
static size_t
count_impl(char *const *impls, int nimpls, const char *name) {
    struct bench_select sel = {.impls = impls, .nimpls = nimpls};
    struct bench_instance *v = NULL;
    size_t n = 0, count = 0;
    char err[256];
    CHECK(registry_expand(bench_families, &sel, &v, &n, err, sizeof err) == 0);
    for (size_t i = 0; i < n; i++)
        count += strcmp(v[i].impl->name, name) == 0;
    registry_free(v, n);
    return count;
}

#if CHANBENCH_HAVE_CK

static void
test_capacity_fifo_close(const struct chan_ops *ops, size_t cap) {
    void *ch = ops->make(sizeof(uint64_t), cap);
    CHECK_OR_RETURN(ch != NULL);
    /* Exactly cap values fit, though the ring has more slots. */
    for (uint64_t i = 0; i < cap; i++)
        CHECK(ops->try_send(ch, &i) == GOC_OK);
    uint64_t x = 99;
    CHECK(ops->try_send(ch, &x) == GOC_WOULDBLOCK);
    uint64_t v = 0;
    CHECK(ops->try_recv(ch, &v) == GOC_OK && v == 0);
    CHECK(ops->try_send(ch, &x) == GOC_OK);
    CHECK(ops->close(ch) == GOC_OK);
    CHECK(ops->close(ch) == GOC_CLOSED);
    CHECK(ops->send(ch, &x) == GOC_CLOSED);
    CHECK(ops->try_send(ch, &x) == GOC_CLOSED);
    /* Drain in order after close. */
    for (uint64_t i = 1; i < cap; i++)
        CHECK(ops->recv(ch, &v) == GOC_OK && v == i);
    CHECK(ops->recv(ch, &v) == GOC_OK && v == 99);
    v = 7;
    CHECK(ops->recv(ch, &v) == GOC_CLOSED && v == 0);
    v = 7;
    CHECK(ops->try_recv(ch, &v) == GOC_CLOSED && v == 0);
    ops->free(ch);
}

static void
test_sizes_and_refusals(const struct chan_ops *ops) {
    static const size_t ok[] = {8, 16, 64, 512};
    for (size_t k = 0; k < sizeof ok / sizeof ok[0]; k++) {
        void *ch = ops->make(ok[k], 16);
        CHECK_OR_RETURN(ch != NULL);
        unsigned char in[512], out[512];
        memset(in, (int)k + 1, sizeof in);
        memset(out, 0, sizeof out);
        CHECK(ops->send(ch, in) == GOC_OK);
        CHECK(ops->recv(ch, out) == GOC_OK);
        CHECK(memcmp(in, out, ok[k]) == 0);
        CHECK(ops->try_recv(ch, out) == GOC_WOULDBLOCK);
        ops->free(ch);
    }
    CHECK(ops->make(8, 0) == NULL);   /* no unbuffered form */
    CHECK(ops->make(24, 16) == NULL); /* not a typed ring of ck.c */
}

#define MP_PROD 3
#define MP_CONS 3
#define MP_EACH 20000

struct mp {
    const struct chan_ops *ops;
    void *ch;
    int nprod;
    atomic_int producers_left;
    atomic_uint_fast64_t seen[MP_PROD * MP_EACH]; /* times each message arrived */
    atomic_int disorder;
};

struct mp_arg {
    struct mp *m;
    int index;
};

static void *
mp_producer(void *p) {
    struct mp_arg *a = p;
    struct mp *m = a->m;
    for (uint64_t k = 0; k < MP_EACH; k++) {
        uint64_t v = (uint64_t)a->index * MP_EACH + k;
        CHECK(m->ops->send(m->ch, &v) == GOC_OK);
    }
    if (atomic_fetch_sub(&m->producers_left, 1) == 1)
        m->ops->close(m->ch);
    return NULL;
}

static void *
mp_consumer(void *p) {
    struct mp_arg *a = p;
    struct mp *m = a->m;
    int64_t last[MP_PROD];
    for (int i = 0; i < MP_PROD; i++)
        last[i] = -1;
    uint64_t v;
    while (m->ops->recv(m->ch, &v) == GOC_OK) {
        if (v >= (uint64_t)MP_PROD * MP_EACH) {
            atomic_fetch_add(&m->disorder, 1);
            continue;
        }
        atomic_fetch_add(&m->seen[v], 1);
        int prod = (int)(v / MP_EACH);
        int64_t k = (int64_t)(v % MP_EACH);
        if (k <= last[prod])
            atomic_fetch_add(&m->disorder, 1); /* one producer's values arrive in order */
        last[prod] = k;
    }
    return NULL;
}

/* nprod producers and ncons consumers: every value arrives exactly once, each producer's in
 * order at every consumer. */
static void
test_many(const struct chan_ops *ops, int nprod, int ncons, size_t cap) {
    struct mp *m = calloc(1, sizeof *m);
    CHECK_OR_RETURN(m != NULL);
    m->ops = ops;
    m->nprod = nprod;
    m->ch = ops->make(sizeof(uint64_t), cap);
    if (!CHECK(m->ch != NULL)) {
        free(m);
        return;
    }
    atomic_init(&m->producers_left, nprod);
    pthread_t th[MP_PROD + MP_CONS];
    struct mp_arg args[MP_PROD + MP_CONS];
    for (int i = 0; i < ncons; i++) {
        args[i] = (struct mp_arg){m, i};
        pthread_create(&th[i], NULL, mp_consumer, &args[i]);
    }
    for (int i = 0; i < nprod; i++) {
        args[ncons + i] = (struct mp_arg){m, i};
        pthread_create(&th[ncons + i], NULL, mp_producer, &args[ncons + i]);
    }
    for (int i = 0; i < nprod + ncons; i++)
        pthread_join(th[i], NULL);
    int wrong = 0;
    for (int i = 0; i < nprod * MP_EACH; i++)
        wrong += atomic_load(&m->seen[i]) != 1;
    if (wrong != 0 || atomic_load(&m->disorder) != 0)
        fprintf(stderr,
                "%d producers, %d consumers, cap %zu: %d values not seen once, %d "
                "out of order\n",
                nprod, ncons, cap, wrong, atomic_load(&m->disorder));
    CHECK(wrong == 0);
    CHECK(atomic_load(&m->disorder) == 0);
    ops->free(m->ch);
    free(m);
}

#endif

int
main(void) {
    char err[256];
    CHECK(topo_init(err, sizeof err) == 0); /* the grids' thread counts */
    char *ck[] = {"ck"}, *ckbr[] = {"ck.br"};
    /* Named, ck and ck.br have rows (a build without libck skips them when run). */
    CHECK(registry_has_impl(bench_families, "ck"));
    CHECK(registry_has_impl(bench_families, "ck.br"));
    CHECK(count_impl(ck, 1, "ck") > 0);
    CHECK(count_impl(ckbr, 1, "ck.br") > 0);
#if CHANBENCH_HAVE_CK
    /* Built: in the default selection, like naive and pthread. */
    CHECK(count_impl(NULL, 0, "ck") == count_impl(ck, 1, "ck"));
    CHECK(count_impl(NULL, 0, "ck.br") == count_impl(ckbr, 1, "ck.br"));
    for (size_t cap = 1; cap <= 1024; cap *= 4) {
        test_capacity_fifo_close(&peer_ck_ring_spsc, cap);
        test_capacity_fifo_close(&peer_ck_ring_mpmc, cap);
    }
    test_sizes_and_refusals(&peer_ck_ring_spsc);
    test_sizes_and_refusals(&peer_ck_ring_mpmc);
    test_many(&peer_ck_ring_spsc, 1, 1, 1);
    test_many(&peer_ck_ring_spsc, 1, 1, 16);
    test_many(&peer_ck_ring_mpmc, 3, 1, 1);
    test_many(&peer_ck_ring_mpmc, 3, 3, 1);
    test_many(&peer_ck_ring_mpmc, 3, 3, 16);
#else
    /* Not built: never in the default selection. */
    CHECK(count_impl(NULL, 0, "ck") == 0);
    CHECK(count_impl(NULL, 0, "ck.br") == 0);
#endif
    return check_result("ck_test");
}
