/* SPDX-License-Identifier: MIT */
/* The floor probe (probe.h): one cache line bounced between two pinned threads for about a
 * millisecond. The loops spin on purpose: they measure the hardware. */
#define _GNU_SOURCE
#include "probe.h"

#include <math.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "stats.h"
#include "topology.h"
#include "util.h"

/* Round trips per batch: long enough that the two clock reads around a batch are noise (32
 * round trips of 46 ns against ~30 ns of clock), short enough that a batch in which a vCPU
 * was descheduled is one outlier among hundreds. */
#define PROBE_BATCH 32
#define PROBE_MAX_BATCHES 4096
/* A partner that answers nothing for this long is not running: the probe gives up. */
#define PROBE_STALL_NS 100000000

/* The ring: PROBE_RING_BATCHES batches of PROBE_RING_MSGS messages through a ring of
 * PROBE_RING_SLOTS 8-byte slots, after the round trips. */
#define PROBE_RING_SLOTS 256
#define PROBE_RING_MSGS 1024
#define PROBE_RING_BATCHES 8

/* Invariants: ball is odd while a ping is unanswered; the initiator writes odd values, the
 * responder even ones; the value PROBE_RING_BALL (even, never reached by round trips) moves
 * both to the ring. stop is written once, by the initiator (or by a thread that failed to
 * pin), and read by both. head is written by the initiator (producer) only, tail by the
 * responder (consumer) only. */
#define PROBE_RING_BALL UINT64_MAX - 1
struct probe {
    alignas(128) _Atomic uint64_t ball;
    alignas(128) atomic_int stop;
    alignas(128) atomic_int ready; /* threads pinned and waiting */
    alignas(128) _Atomic uint64_t head;
    alignas(128) _Atomic uint64_t tail;
    alignas(128) uint64_t slots[PROBE_RING_SLOTS];
    int pu[2];
    int64_t budget_ns;
    int nbatches;
    bool stalled;
    uint64_t ring_sum; /* consumer's */
    double ring_ns[PROBE_RING_BATCHES];
    int nring;
    char err[160]; /* written by the thread that failed, read after join */
    double batch_ns[PROBE_MAX_BATCHES];
};

/* Pin the calling thread to side's PU and wait for the other side. false (and stop set) when
 * pinning failed or the other side failed. */
static bool
start_side(struct probe *p, int side) {
    char err[128];
    if (topo_pin_self(p->pu[side], err, sizeof err) != 0) {
        snprintf(p->err, sizeof p->err, "cannot pin the probe to PU %d: %s", p->pu[side], err);
        atomic_store_explicit(&p->stop, 1, memory_order_release);
        atomic_fetch_add_explicit(&p->ready, 1, memory_order_acq_rel);
        return false;
    }
    atomic_fetch_add_explicit(&p->ready, 1, memory_order_acq_rel);
    /* acquire: pairs with the other side's increment, so its stop store (on failure) shows. */
    while (atomic_load_explicit(&p->ready, memory_order_acquire) < 2)
        bench_cpu_relax();
    return !atomic_load_explicit(&p->stop, memory_order_acquire);
}

/* Consumer side of the ring: take every message until the initiator's stop, summing them. */
static void
ring_consume(struct probe *p) {
    uint64_t t = 0, hc = 0, sum = 0;
    for (;;) {
        while (t == hc) {
            /* acquire: pairs with the producer's release of head; the slot is written. */
            hc = atomic_load_explicit(&p->head, memory_order_acquire);
            if (t == hc) {
                if (atomic_load_explicit(&p->stop, memory_order_acquire) &&
                    atomic_load_explicit(&p->head, memory_order_acquire) == t) {
                    p->ring_sum = sum;
                    return;
                }
                bench_cpu_relax();
            }
        }
        sum += p->slots[t % PROBE_RING_SLOTS];
        t++;
        atomic_store_explicit(&p->tail, t, memory_order_release); /* frees the slot */
    }
}

static void *
responder(void *arg) {
    struct probe *p = arg;
    if (!start_side(p, 1))
        return NULL;
    uint64_t v = 0;
    for (;;) {
        uint64_t b;
        /* acquire: pairs with the initiator's release store of the ping (and of stop). */
        while ((b = atomic_load_explicit(&p->ball, memory_order_acquire)) == v) {
            if (atomic_load_explicit(&p->stop, memory_order_acquire))
                return NULL;
            bench_cpu_relax();
        }
        if (b == PROBE_RING_BALL) {
            ring_consume(p);
            return NULL;
        }
        v = b + 1;
        atomic_store_explicit(&p->ball, v, memory_order_release); /* pairs with the initiator */
    }
}

/* Producer side: batches of messages, each timed until the consumer has taken its last. */
static void
ring_produce(struct probe *p) {
    uint64_t h = 0, tc = 0;
    for (int b = 0; b < PROBE_RING_BATCHES; b++) {
        int64_t t0 = bench_now_ns();
        for (int i = 0; i < PROBE_RING_MSGS; i++) {
            while (h - tc == PROBE_RING_SLOTS) {
                /* acquire: pairs with the consumer's release of tail; its read is done. */
                tc = atomic_load_explicit(&p->tail, memory_order_acquire);
                if (h - tc == PROBE_RING_SLOTS) {
                    bench_cpu_relax();
                    if (bench_now_ns() - t0 > PROBE_STALL_NS) {
                        p->stalled = true;
                        return;
                    }
                }
            }
            p->slots[h % PROBE_RING_SLOTS] = h + 1;
            h++;
            atomic_store_explicit(&p->head, h, memory_order_release); /* publishes the slot */
        }
        while ((tc = atomic_load_explicit(&p->tail, memory_order_acquire)) != h) {
            bench_cpu_relax();
            if (bench_now_ns() - t0 > PROBE_STALL_NS) {
                p->stalled = true;
                return;
            }
        }
        p->ring_ns[p->nring++] = (double)(bench_now_ns() - t0) / PROBE_RING_MSGS;
    }
}

static void *
initiator(void *arg) {
    struct probe *p = arg;
    if (!start_side(p, 0))
        return NULL;
    uint64_t v = 0;
    int64_t begin = bench_now_ns();
    while (p->nbatches < PROBE_MAX_BATCHES) {
        int64_t t0 = bench_now_ns();
        for (int i = 0; i < PROBE_BATCH; i++) {
            atomic_store_explicit(&p->ball, v + 1, memory_order_release); /* pairs: responder */
            v += 2;
            unsigned spins = 0;
            while (atomic_load_explicit(&p->ball, memory_order_acquire) != v) {
                bench_cpu_relax();
                if (++spins % 4096 == 0 && bench_now_ns() - t0 > PROBE_STALL_NS) {
                    p->stalled = true;
                    atomic_store_explicit(&p->stop, 1, memory_order_release);
                    return NULL;
                }
            }
        }
        int64_t t1 = bench_now_ns();
        p->batch_ns[p->nbatches++] = (double)(t1 - t0) / PROBE_BATCH;
        if (t1 - begin >= p->budget_ns)
            break;
    }
    /* The responder is waiting for ball v + 1: move it to the ring instead. */
    atomic_store_explicit(&p->ball, PROBE_RING_BALL, memory_order_release);
    ring_produce(p);
    atomic_store_explicit(&p->stop, 1, memory_order_release); /* pairs with the responder */
    return NULL;
}

int
probe_take(int a, int b, int64_t budget_ns, struct probe_reading *out, char *err, size_t errlen) {
    static struct probe p; /* one probe at a time (probe.h); too large for a stack */
    memset(&p, 0, sizeof p);
    p.pu[0] = a;
    p.pu[1] = b;
    p.budget_ns = budget_ns;
    pthread_t t[2];
    int e;
    out->c2c_ns = out->ring_ns = NAN;
    if ((e = pthread_create(&t[1], NULL, responder, &p)) != 0) {
        bench_seterr(err, errlen, "cannot start a probe thread: %s", strerror(e));
        return -1;
    }
    if ((e = pthread_create(&t[0], NULL, initiator, &p)) != 0) {
        atomic_store_explicit(&p.stop, 1, memory_order_release);
        atomic_fetch_add_explicit(&p.ready, 2, memory_order_acq_rel);
        pthread_join(t[1], NULL);
        bench_seterr(err, errlen, "cannot start a probe thread: %s", strerror(e));
        return -1;
    }
    pthread_join(t[0], NULL);
    pthread_join(t[1], NULL);
    if (p.err[0] != '\0') {
        bench_seterr(err, errlen, "%s", p.err);
        return -1;
    }
    if (p.stalled || p.nbatches == 0 || p.nring == 0) {
        bench_seterr(err, errlen, "PU %d did not answer PU %d for %d ms (its vCPU not running)", b,
                     a, PROBE_STALL_NS / 1000000);
        return -1;
    }
    out->c2c_ns = stats_median(p.batch_ns, (size_t)p.nbatches);
    out->ring_ns = stats_median(p.ring_ns, (size_t)p.nring);
    return 0;
}
