/* SPDX-License-Identifier: MIT */
/* The ck peer: Concurrency Kit (libck, concurrencykit.org; Debian libck-dev) where it has the
 * primitive, behind the ops tables of ops.h. Built only when libck is found
 * (bench/peers/CMakeLists.txt); the scenarios then offer impl=ck (and impl=ck.br).
 *
 * Channels: ck_ring, a bounded lock-free ring with no close and no blocking. It is offered
 * only on the buffered rows (cap > 0): it has no unbuffered form and no select. The ring's
 * slot count is a power of two and a ring of N slots holds N - 1 values (one slot stays empty
 * to tell full from empty), so a channel of capacity cap gets the smallest power of two
 * above cap (cap=1: 2 slots; 16: 32; 64: 128; 1024: 2048), and a send also finds the channel
 * full once cap values are in it (ck_ring_size), so that it buffers what cap says and no more:
 * exactly with one producer; with several, a send that raced past the check can add up to
 * producers - 1 more, never beyond the ring's N - 1. Close is a flag beside the ring: a
 * receiver that finds the ring empty and the flag set looks once more (the last sends happen
 * before close) and then reports GOC_CLOSED. Waiting is spin-then-yield, not blocking: a send
 * on a full ring or a receive on an empty one retries with a pause up to CK_SPIN_PAUSES
 * times, then with a sched_yield() between tries, for as long as it takes; no thread ever
 * sleeps in the kernel. Elements of 8, 16, 64 and 512 bytes (the chan family's sizes), as
 * ck's typed rings (CK_RING_PROTOTYPE) copy a fixed size; other sizes are refused by make.
 * peer_ck_ring_spsc uses the single-producer single-consumer calls (chan/spsc), and
 * peer_ck_ring_mpmc the multi-producer multi-consumer ones (chan/mpsc, chan/mpmc).
 *
 * Locks, all spinning (none yields or sleeps; the rw rows with more threads than PUs show
 * what that costs):
 *   peer_ck_mcs     ck_spinlock_mcs: a queue lock, FIFO, each waiter spinning on its own node,
 *                   so a release moves one cache line to one waiter whatever the queue's
 *                   length. Chosen over ck_spinlock_ticket, which is as fair but has every
 *                   waiter spin on the one now-serving word (a release invalidates them all).
 *                   The node lives from lock to unlock: one per thread (thread-local), as a
 *                   thread of the scenarios holds one lock at a time. A FIFO spinlock hands
 *                   the lock to a waiter that may not be running: scenarios/lock.c gives it
 *                   no rows with more threads than PUs.
 *   peer_ck_rwlock  ck_rwlock: a writer flag and a reader count in one word pair.
 *   peer_ck_brlock  ck_brlock, the big-reader lock: each reader thread has its own counter
 *                   (registered with the lock), so readers share no cache line, and a writer
 *                   waits for every registered reader's counter to drain. A thread registers
 *                   on its first read lock of a given lock (once per thread and lock, in the
 *                   first timed operation; the registration takes the write lock, so it
 *                   waits for the readers holding the lock); the records are freed with the
 *                   lock. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ck_brlock.h>
#include <ck_ring.h>
#include <ck_rwlock.h>
#include <ck_spinlock.h>

#include <goc/status.h>

#include "ops.h"
#include "util.h"

#define CK_ALIGN 128
#define CK_SPIN_PAUSES 256 /* failed tries with a pause before the next; then sched_yield() */
#define CK_MAX_CAP (1u << 30)

/* ---- channels: ck_ring ------------------------------------------------------------------ */

/* The element sizes, each a typed ring of ck (CK_RING_PROTOTYPE defines the functions). */
#define CK_SIZES(X) X(8) X(16) X(64) X(512)
#define CK_MSG(n)                                                                                  \
    struct ck_msg##n {                                                                             \
        unsigned char b[n];                                                                        \
    };                                                                                             \
    CK_RING_PROTOTYPE(m##n, ck_msg##n)
CK_SIZES(CK_MSG)
#undef CK_MSG

struct ck_chan {
    struct ck_ring ring; /* ck pads its consumer and producer words onto their own lines */
    _Alignas(CK_ALIGN) atomic_bool closed;
    size_t elem_size;
    unsigned int cap; /* the values it may hold; the ring has more slots (see above) */
    void *buf;        /* the ring's slots: ring.size elements */
};

static size_t
round_up(size_t n) {
    return (n + CK_ALIGN - 1) / CK_ALIGN * CK_ALIGN;
}

static void *
ck_chan_make(size_t elem_size, size_t cap) {
    bool known = false;
#define KNOWN(n) known = known || elem_size == n;
    CK_SIZES(KNOWN)
#undef KNOWN
    if (!known || cap == 0 || cap > CK_MAX_CAP)
        return NULL;
    unsigned int slots = 2;
    while (slots < cap + 1)
        slots *= 2;
    struct ck_chan *c = aligned_alloc(CK_ALIGN, round_up(sizeof *c));
    if (c == NULL)
        return NULL;
    memset(c, 0, sizeof *c);
    c->buf = aligned_alloc(CK_ALIGN, round_up((size_t)slots * elem_size));
    if (c->buf == NULL) {
        free(c);
        return NULL;
    }
    c->elem_size = elem_size;
    c->cap = (unsigned int)cap;
    atomic_init(&c->closed, false);
    ck_ring_init(&c->ring, slots);
    return c;
}

static void
ck_chan_free(void *ch) {
    struct ck_chan *c = ch;
    if (c == NULL)
        return;
    free(c->buf);
    free(c);
}

/* One try to put or take a value; mp picks the multi-producer multi-consumer calls. ck's
 * typed calls take a non-const entry; enqueue only reads it. */
static inline bool
ring_put(struct ck_chan *c, const void *elem, bool mp) {
    void *e = (void *)(uintptr_t)elem;
    if (ck_ring_size(&c->ring) >= c->cap)
        return false;
    switch (c->elem_size) {
#define PUT(n)                                                                                     \
    case n:                                                                                        \
        return mp ? ck_ring_enqueue_mpmc_m##n(&c->ring, c->buf, e)                                 \
                  : ck_ring_enqueue_spsc_m##n(&c->ring, c->buf, e);
        CK_SIZES(PUT)
#undef PUT
    }
    return false;
}

static inline bool
ring_get(struct ck_chan *c, void *out, bool mp) {
    switch (c->elem_size) {
#define GET(n)                                                                                     \
    case n:                                                                                        \
        return mp ? ck_ring_dequeue_mpmc_m##n(&c->ring, c->buf, out)                               \
                  : ck_ring_dequeue_spsc_m##n(&c->ring, c->buf, out);
        CK_SIZES(GET)
#undef GET
    }
    return false;
}

/* The wait between two failed tries: a pause for the first CK_SPIN_PAUSES, then a yield. */
static inline void
ck_wait(unsigned *tries) {
    if (*tries < CK_SPIN_PAUSES) {
        (*tries)++;
        bench_cpu_relax();
    } else {
        sched_yield();
    }
}

static inline int
ck_send(void *ch, const void *elem, bool block, bool mp) {
    struct ck_chan *c = ch;
    if (c == NULL)
        return GOC_EINVAL;
    unsigned tries = 0;
    for (;;) {
        if (atomic_load_explicit(&c->closed, memory_order_acquire))
            return GOC_CLOSED;
        if (ring_put(c, elem, mp))
            return GOC_OK;
        if (!block)
            return GOC_WOULDBLOCK;
        ck_wait(&tries);
    }
}

static inline int
ck_recv(void *ch, void *out, bool block, bool mp) {
    struct ck_chan *c = ch;
    if (c == NULL)
        return GOC_EINVAL;
    unsigned char scratch[512];
    void *dst = out != NULL ? out : scratch;
    unsigned tries = 0;
    for (;;) {
        if (ring_get(c, dst, mp))
            return GOC_OK;
        if (atomic_load_explicit(&c->closed, memory_order_acquire)) {
            /* Sends finished before close: one more look finds any value they left. */
            if (ring_get(c, dst, mp))
                return GOC_OK;
            if (out != NULL)
                memset(out, 0, c->elem_size);
            return GOC_CLOSED;
        }
        if (!block)
            return GOC_WOULDBLOCK;
        ck_wait(&tries);
    }
}

static int
ck_close(void *ch) {
    struct ck_chan *c = ch;
    if (c == NULL)
        return GOC_EINVAL;
    return atomic_exchange_explicit(&c->closed, true, memory_order_acq_rel) ? GOC_CLOSED : GOC_OK;
}

static int
spsc_send(void *ch, const void *elem) {
    return ck_send(ch, elem, true, false);
}

static int
spsc_try_send(void *ch, const void *elem) {
    return ck_send(ch, elem, false, false);
}

static int
spsc_recv(void *ch, void *out) {
    return ck_recv(ch, out, true, false);
}

static int
spsc_try_recv(void *ch, void *out) {
    return ck_recv(ch, out, false, false);
}

static int
mpmc_send(void *ch, const void *elem) {
    return ck_send(ch, elem, true, true);
}

static int
mpmc_try_send(void *ch, const void *elem) {
    return ck_send(ch, elem, false, true);
}

static int
mpmc_recv(void *ch, void *out) {
    return ck_recv(ch, out, true, true);
}

static int
mpmc_try_recv(void *ch, void *out) {
    return ck_recv(ch, out, false, true);
}

const struct chan_ops peer_ck_ring_spsc = {
    .make = ck_chan_make,
    .send = spsc_send,
    .recv = spsc_recv,
    .try_send = spsc_try_send,
    .try_recv = spsc_try_recv,
    .close = ck_close,
    .free = ck_chan_free,
};

const struct chan_ops peer_ck_ring_mpmc = {
    .make = ck_chan_make,
    .send = mpmc_send,
    .recv = mpmc_recv,
    .try_send = mpmc_try_send,
    .try_recv = mpmc_try_recv,
    .close = ck_close,
    .free = ck_chan_free,
};

/* ---- locks ------------------------------------------------------------------------------ */

/* Each lock on its own cache lines, so that neighbouring data does not share them. */
static void *
ck_lock_alloc(size_t size) {
    void *p = aligned_alloc(CK_ALIGN, round_up(size));
    if (p != NULL)
        memset(p, 0, round_up(size));
    return p;
}

static void
ck_lock_free(void *l) {
    free(l);
}

/* ck_spinlock_mcs: the lock is the queue's tail pointer; the waiter's node is thread-local. */
static _Thread_local ck_spinlock_mcs_context_t mcs_node;

static void *
mcs_make(void) {
    ck_spinlock_mcs_t *q = ck_lock_alloc(sizeof *q);
    if (q != NULL)
        ck_spinlock_mcs_init(q);
    return q;
}

static void
mcs_lock(void *l) {
    ck_spinlock_mcs_lock(l, &mcs_node);
}

static void
mcs_unlock(void *l) {
    ck_spinlock_mcs_unlock(l, &mcs_node);
}

const struct lock_ops peer_ck_mcs = {
    .make = mcs_make,
    .lock = mcs_lock,
    .unlock = mcs_unlock,
    .rlock = mcs_lock,
    .runlock = mcs_unlock,
    .free = ck_lock_free,
};

static void *
rwlock_make(void) {
    ck_rwlock_t *rw = ck_lock_alloc(sizeof *rw);
    if (rw != NULL)
        ck_rwlock_init(rw);
    return rw;
}

static void
rwlock_wrlock(void *l) {
    ck_rwlock_write_lock(l);
}

static void
rwlock_wrunlock(void *l) {
    ck_rwlock_write_unlock(l);
}

static void
rwlock_rdlock(void *l) {
    ck_rwlock_read_lock(l);
}

static void
rwlock_rdunlock(void *l) {
    ck_rwlock_read_unlock(l);
}

const struct lock_ops peer_ck_rwlock = {
    .make = rwlock_make,
    .lock = rwlock_wrlock,
    .unlock = rwlock_wrunlock,
    .rlock = rwlock_rdlock,
    .runlock = rwlock_rdunlock,
    .free = ck_lock_free,
};

/* ck_brlock. Each lock has a unique id, so that a thread's cached registration is never
 * mistaken for one with a later lock at the same address. */
struct ck_br {
    ck_brlock_t br;
    uint64_t id;
};

/* A reader's record, on its own cache lines (the reason for a big-reader lock). */
struct ck_br_reader {
    _Alignas(CK_ALIGN) ck_brlock_reader_t r;
};

#define BR_CACHE 4 /* the locks a thread remembers its registration with */

/* A thread's registrations: entry i is lock id[i]'s record, read-locked held[i] times now. An
 * entry is replaced only when not held (its lock may be gone: its record is never read). */
struct br_tls {
    uint64_t id[BR_CACHE];
    ck_brlock_reader_t *reader[BR_CACHE];
    unsigned held[BR_CACHE];
    unsigned next; /* where to look first for an entry to replace */
};

static atomic_uint_fast64_t br_next_id = 1;
static _Thread_local struct br_tls br_tls;

static void *
brlock_make(void) {
    struct ck_br *b = ck_lock_alloc(sizeof *b);
    if (b != NULL) {
        ck_brlock_init(&b->br);
        b->id = atomic_fetch_add_explicit(&br_next_id, 1, memory_order_relaxed);
    }
    return b;
}

static _Noreturn void
br_die(const char *why) {
    fprintf(stderr, "chanbench: ck.br: %s\n", why);
    abort();
}

/* The entry of this thread's registration with b, registering on first use. lock_ops has no
 * way to report failure: running out of memory, or read-holding more than BR_CACHE brlocks at
 * once (no scenario does), ends the program with a message. */
static unsigned
br_entry(struct ck_br *b) {
    struct br_tls *t = &br_tls;
    for (unsigned i = 0; i < BR_CACHE; i++)
        if (t->id[i] == b->id)
            return i;
    unsigned i = t->next, k = 0;
    while (k < BR_CACHE && t->held[i] != 0) {
        i = (i + 1) % BR_CACHE;
        k++;
    }
    if (k == BR_CACHE)
        br_die("a thread holds read locks on more than 4 brlocks at once");
    struct ck_br_reader *rec = aligned_alloc(CK_ALIGN, sizeof *rec);
    if (rec == NULL)
        br_die("out of memory for a reader record");
    memset(rec, 0, sizeof *rec);
    ck_brlock_read_register(&b->br, &rec->r);
    t->id[i] = b->id;
    t->reader[i] = &rec->r;
    t->held[i] = 0;
    t->next = (i + 1) % BR_CACHE;
    return i;
}

static void
brlock_wrlock(void *l) {
    ck_brlock_write_lock(&((struct ck_br *)l)->br);
}

static void
brlock_wrunlock(void *l) {
    ck_brlock_write_unlock(&((struct ck_br *)l)->br);
}

static void
brlock_rdlock(void *l) {
    struct ck_br *b = l;
    unsigned i = br_entry(b);
    br_tls.held[i]++;
    ck_brlock_read_lock(&b->br, br_tls.reader[i]);
}

static void
brlock_rdunlock(void *l) {
    struct ck_br *b = l;
    unsigned i = br_entry(b); /* held, so found */
    ck_brlock_read_unlock(br_tls.reader[i]);
    br_tls.held[i]--;
}

static void
brlock_free(void *l) {
    struct ck_br *b = l;
    if (b == NULL)
        return;
    /* No thread uses the lock any more: free the records registered with it. r is the first
     * member of its record, so the record's address is r's. */
    for (ck_brlock_reader_t *r = b->br.readers, *next; r != NULL; r = next) {
        next = r->next;
        free(r);
    }
    free(b);
}

const struct lock_ops peer_ck_brlock = {
    .make = brlock_make,
    .lock = brlock_wrlock,
    .unlock = brlock_wrunlock,
    .rlock = brlock_rdlock,
    .runlock = brlock_rdunlock,
    .free = brlock_free,
};
