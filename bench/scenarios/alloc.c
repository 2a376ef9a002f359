/* SPDX-License-Identifier: MIT */
/* The alloc family: messages as heap objects, allocated by the producer and freed by the
 * consumer (the cross-thread free pattern of every pointer-passing channel program), with
 * glibc's malloc against jemalloc in the same run.
 *
 *   alloc/spsc/size=S/impl=A             one producer, one consumer
 *   alloc/mpmc/prod=P/cons=Q/size=S/impl=A
 *
 * A is the allocator: impl=jemalloc is plain malloc/free, which is jemalloc in chanbench
 * (linked in when not sanitized: CHANBENCH_HAVE_JEMALLOC); impl=glibc reaches the C library's
 * allocator through __libc_malloc/__libc_free. Pointers travel over a goc channel of capacity
 * ALLOC_CAP. One operation is a message: a malloc of S bytes, the pointer's trip through the
 * channel, and a free on the other thread. The producer writes its id and sequence number into
 * the object and fills it; the consumer checks both, and a byte at the far end, before it
 * frees. Checks: every object arrives once, per producer in order.
 *
 * Sanitized builds (which never produce numbers) run impl=glibc through plain malloc/free,
 * since the sanitizers' own allocator sits behind them and the thread sanitizer cannot see
 * inside glibc's, and skip impl=jemalloc. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <goc/goc.h>

#include "harness.h"

#define ALLOC_CAP 64
#define ALLOC_MAX_THREADS 256

/* The allocators. */
struct alloc_ops {
    void *(*alloc)(size_t size);
    void (*release)(void *p);
    bool available;
};

#if defined(CHANBENCH_HAVE_JEMALLOC)
extern void *__libc_malloc(size_t size);
extern void __libc_free(void *p);
/* jemalloc's control interface: referenced so that the link keeps jemalloc, and asked for its
 * version so that a build without it is refused rather than mislabelled. */
extern int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen);

static void *
glibc_alloc(size_t size) {
    return __libc_malloc(size);
}

static void
glibc_release(void *p) {
    __libc_free(p);
}
#else
static void *
glibc_alloc(size_t size) {
    return malloc(size);
}

static void
glibc_release(void *p) {
    free(p);
}
#endif

static void *
plain_alloc(size_t size) {
    return malloc(size);
}

static void
plain_release(void *p) {
    free(p);
}

static const struct alloc_ops glibc_ops = {glibc_alloc, glibc_release, true};
#if defined(CHANBENCH_HAVE_JEMALLOC)
static const struct alloc_ops jemalloc_ops = {plain_alloc, plain_release, true};
#else
static const struct alloc_ops jemalloc_ops = {plain_alloc, plain_release, false};
#endif

static const struct bench_impl alloc_impls[] = {
    BENCH_IMPL("glibc", &glibc_ops),
    BENCH_IMPL("jemalloc", &jemalloc_ops),
    BENCH_IMPLS_END,
};

/* ---- the scenario ----------------------------------------------------------------------- */

struct msg_head {
    uint64_t prod, seq;
};

struct consumer_tally {
    uint64_t count, sum, bad;
} __attribute__((aligned(128)));

struct alloc_bench {
    const struct alloc_ops *a;
    goc_chan *ch;
    size_t size;
    int prod, cons;
    uint64_t n;
    struct consumer_tally *tally;
    _Alignas(128) atomic_int producers_left; /* the last producer to finish closes ch */
};

static void
alloc_producer(struct bench_thread *t) {
    struct alloc_bench *ab = t->arg;
    int p = t->role_index;
    uint64_t np = bench_share(ab->n, ab->prod, p);
    for (uint64_t k = 0; k < np; k++) {
        unsigned char *obj = ab->a->alloc(ab->size);
        if (obj == NULL) {
            bench_fail(t->run, "producer %d: out of memory at message %llu", p,
                       (unsigned long long)k);
            break;
        }
        struct msg_head h = {(uint64_t)p, k};
        memcpy(obj, &h, sizeof h);
        memset(obj + sizeof h, (int)(k & 0xff), ab->size - sizeof h);
        if (goc_chan_send(ab->ch, &obj) != GOC_OK) {
            ab->a->release(obj);
            bench_fail(t->run, "producer %d: send refused", p);
            break;
        }
    }
    if (atomic_fetch_sub_explicit(&ab->producers_left, 1, memory_order_acq_rel) == 1)
        goc_chan_close(ab->ch);
}

static void
alloc_consumer(struct bench_thread *t) {
    struct alloc_bench *ab = t->arg;
    struct consumer_tally *ta = &ab->tally[t->role_index];
    int64_t last[ALLOC_MAX_THREADS];
    for (int i = 0; i < ab->prod; i++)
        last[i] = -1;
    unsigned char *obj;
    while (goc_chan_recv(ab->ch, &obj) == GOC_OK) {
        struct msg_head h;
        memcpy(&h, obj, sizeof h);
        if (h.prod >= (uint64_t)ab->prod || (int64_t)h.seq <= last[h.prod] ||
            obj[ab->size - 1] != (unsigned char)(h.seq & 0xff)) {
            ta->bad++;
        } else {
            last[h.prod] = (int64_t)h.seq;
        }
        ta->count++;
        ta->sum += h.seq;
        ab->a->release(obj);
    }
}

static int
alloc_common(struct bench_run *r, int prod, int cons) {
    const struct alloc_ops *a = r->ops;
    if (!a->available)
        return bench_skip(r, "jemalloc is not linked into sanitized builds");
#if defined(CHANBENCH_HAVE_JEMALLOC)
    if (a == &jemalloc_ops) {
        const char *version = NULL;
        size_t len = sizeof version;
        if (mallctl("version", &version, &len, NULL, 0) != 0)
            return bench_skip(r, "malloc is not jemalloc here");
    }
#endif
    long long size = bench_param_int(r->inst, "size");
    if (size < (long long)sizeof(struct msg_head) + 1 || size > (1 << 20))
        return bench_fail(r, "size=%lld: 17 bytes to 1 MiB", size);
    if (prod < 1 || prod > ALLOC_MAX_THREADS || cons < 1 || cons > ALLOC_MAX_THREADS)
        return bench_fail(r, "1 to %d producers and consumers", ALLOC_MAX_THREADS);
    struct alloc_bench *ab = aligned_alloc(128, sizeof *ab);
    if (ab == NULL)
        return bench_fail(r, "out of memory");
    memset(ab, 0, sizeof *ab);
    ab->a = a;
    ab->size = (size_t)size;
    ab->prod = prod;
    ab->cons = cons;
    ab->n = r->iters;
    atomic_init(&ab->producers_left, prod);
    ab->tally = aligned_alloc(128, (size_t)cons * sizeof *ab->tally);
    ab->ch = goc_chan_make(sizeof(unsigned char *), ALLOC_CAP);
    int rc = 0;
    if (ab->tally == NULL || ab->ch == NULL)
        rc = bench_fail(r, "out of memory");
    if (rc == 0) {
        memset(ab->tally, 0, (size_t)cons * sizeof *ab->tally);
        struct bench_role roles[] = {{alloc_producer, ab, prod}, {alloc_consumer, ab, cons}};
        rc = bench_team_run(r, roles, 2);
    }
    if (rc == 0) {
        uint64_t count = 0, sum = 0, bad = 0, want = 0;
        for (int i = 0; i < cons; i++) {
            count += ab->tally[i].count;
            sum += ab->tally[i].sum;
            bad += ab->tally[i].bad;
        }
        for (int p = 0; p < prod; p++) {
            uint64_t np = bench_share(ab->n, prod, p);
            want += np > 0 ? np * (np - 1) / 2 : 0;
        }
        if (count != ab->n || sum != want || bad != 0)
            rc = bench_fail(r,
                            "%llu of %llu objects arrived (sequence sum %llu, expected "
                            "%llu), %llu damaged or out of order",
                            (unsigned long long)count, (unsigned long long)ab->n,
                            (unsigned long long)sum, (unsigned long long)want,
                            (unsigned long long)bad);
    }
    goc_chan_free(ab->ch);
    free(ab->tally);
    free(ab);
    return rc;
}

static int
spsc_run(struct bench_run *r) {
    return alloc_common(r, 1, 1);
}

static int
mpmc_run(struct bench_run *r) {
    return alloc_common(r, (int)bench_param_int(r->inst, "prod"),
                        (int)bench_param_int(r->inst, "cons"));
}

static const struct bench_param spsc_params[] = {
    {"size", BENCH_PARAM_INT, BENCH_VALUES("64", "256", "4096"), BENCH_VALUES("64", "4096")},
    BENCH_PARAMS_END,
};

static const struct bench_param mpmc_params[] = {
    {"prod", BENCH_PARAM_THREADS, BENCH_VALUES("2", "pus"), BENCH_VALUES("pus")},
    {"cons", BENCH_PARAM_THREADS, BENCH_VALUES("2", "pus"), BENCH_VALUES("pus")},
    {"size", BENCH_PARAM_INT, BENCH_VALUES("64", "256", "4096"), BENCH_VALUES("256")},
    BENCH_PARAMS_END,
};

static const struct bench_scenario alloc_scenarios[] = {
    {.name = "spsc",
     .op = "msg",
     .params = spsc_params,
     .impls = alloc_impls,
     .run = spsc_run,
     .min_iters = 256},
    {.name = "mpmc",
     .op = "msg",
     .params = mpmc_params,
     .impls = alloc_impls,
     .run = mpmc_run,
     .min_iters = 256},
    BENCH_SCENARIOS_END,
};

const struct bench_family bench_alloc = {
    .name = "alloc",
    .summary = "producer-malloc, consumer-free messages: glibc malloc vs jemalloc",
    .scenarios = alloc_scenarios,
};
