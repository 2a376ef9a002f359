/* SPDX-License-Identifier: MIT */
/* Channels: make, free, send, receive, close, len/cap, and the waiting machinery that select.c
 * shares (see internal/chan_impl.h for the design and invariants). */
#include <errno.h>
#include <limits.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "internal/api.h"
#include "internal/chan_impl.h"
#include "internal/clock.h"
#include "internal/futex.h"
#include "internal/spin.h"

static _Thread_local struct goci_waiter self_waiter;
static _Thread_local uint64_t self_rand_state;

struct goci_waiter *
goci_self(void) {
    return &self_waiter;
}

uint32_t
goci_rand(void) {
    uint64_t x = self_rand_state;
    if (x == 0) {
        /* Seed from the thread's own address and the clock: different per thread and run. */
        x = (uint64_t)(uintptr_t)&self_rand_state ^ (uint64_t)goci_now_ns();
        x = x ? x : 0x9E3779B97F4A7C15ULL;
    }
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    self_rand_state = x;
    return (uint32_t)((x * 0x2545F4914F6CDD1DULL) >> 32);
}

/* ---- Making and freeing ---------------------------------------------------------------- */

GOC_API goc_chan *
goc_chan_make(size_t elem_size, size_t cap) {
    if (elem_size > GOC_ELEM_MAX) {
        errno = EINVAL;
        return NULL;
    }
    size_t slot_size = sizeof(struct goci_slot) + elem_size;
    slot_size = (slot_size + alignof(size_t) - 1) & ~(alignof(size_t) - 1);
    /* The ring's positions need two bits above the index (mark and lap), and the slots must
     * be addressable: refuse capacities where either would overflow. */
    if (cap > (SIZE_MAX >> 4) ||
        (cap > 0 && cap > (SIZE_MAX - sizeof(struct goc_chan)) / slot_size)) {
        errno = EINVAL;
        return NULL;
    }
    size_t bytes = sizeof(struct goc_chan) + cap * slot_size;
    bytes = (bytes + GOC_CACHELINE - 1) & ~(size_t)(GOC_CACHELINE - 1);
    struct goc_chan *c = aligned_alloc(GOC_CACHELINE, bytes);
    if (c == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    memset(c, 0, sizeof(*c));
    c->elem_size = elem_size;
    c->cap = cap;
    c->slot_size = slot_size;
    if (cap > 0) {
        size_t mark = 1;
        while (mark <= cap)
            mark <<= 1;
        c->mark_bit = mark;
        c->one_lap = mark << 1;
        for (size_t i = 0; i < cap; i++) {
            struct goci_slot *s = (struct goci_slot *)(c->slots + i * slot_size);
            atomic_init(&s->stamp, i);
        }
    }
    atomic_init(&c->head, 0);
    atomic_init(&c->tail, 0);
    atomic_init(&c->lock.state, 0);
    atomic_init(&c->nsendq, 0);
    atomic_init(&c->nrecvq, 0);
    atomic_init(&c->closed, false);
    return c;
}

GOC_API void
goc_chan_free(goc_chan *c) {
    free(c);
}

GOC_API size_t
goc_chan_cap(const goc_chan *c) {
    return c ? c->cap : 0;
}

GOC_API size_t
goc_chan_elem_size(const goc_chan *c) {
    return c ? c->elem_size : 0;
}

GOC_API size_t
goc_chan_len(const goc_chan *c) {
    if (c == NULL || c->cap == 0)
        return 0;
    goc_chan *m = (goc_chan *)c; /* atomic loads need a non-const object */
    for (;;) {
        /* A consistent snapshot: tail unchanged across the head load. seq_cst is not needed
         * for correctness of a snapshot; acquire keeps the three loads in order. */
        size_t tail = atomic_load_explicit(&m->tail, memory_order_acquire);
        size_t head = atomic_load_explicit(&m->head, memory_order_acquire);
        if (atomic_load_explicit(&m->tail, memory_order_acquire) != tail)
            continue;
        tail &= ~c->mark_bit;
        size_t hix = head & (c->mark_bit - 1), tix = tail & (c->mark_bit - 1);
        if (hix < tix)
            return tix - hix;
        if (hix > tix)
            return c->cap - hix + tix;
        return tail == head ? 0 : c->cap;
    }
}

/* ---- Element copies ---------------------------------------------------------------------- */

static inline void
copy_elem(void *dst, const void *src, size_t n) {
    /* The common sizes as fixed-size copies, so the compiler inlines them. */
    if (n == 8)
        memcpy(dst, src, 8);
    else if (n != 0)
        memcpy(dst, src, n);
}

static inline void
deliver(void *out, const void *src, size_t n) {
    if (out != NULL)
        copy_elem(out, src, n);
}

static inline void
zero_out(void *out, size_t n) {
    if (out != NULL && n != 0)
        memset(out, 0, n);
}

static inline struct goci_slot *
slot_at(struct goc_chan *c, size_t index) {
    return (struct goci_slot *)(c->slots + index * c->slot_size);
}

/* ---- Wait queues (caller holds c->lock) ------------------------------------------------- */

/* Every queue change bumps the channel's version (see goci_snapshot). relaxed load, release
 * store: the lock orders writers; lock-free readers pair their acquire loads with this. */
static inline void
bump_version(struct goc_chan *c) {
    atomic_store_explicit(&c->version, atomic_load_explicit(&c->version, memory_order_relaxed) + 1,
                          memory_order_release);
}

static void
queue_push(struct goc_chan *c, struct goci_queue *q, struct goci_entry *e) {
    bump_version(c);
    e->next = NULL;
    e->prev = q->tail;
    if (q->tail)
        q->tail->next = e;
    else
        q->head = e;
    q->tail = e;
    e->linked = true;
}

static void
queue_unlink(struct goc_chan *c, struct goci_queue *q, struct goci_entry *e) {
    bump_version(c);
    if (e->prev)
        e->prev->next = e->next;
    else
        q->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        q->tail = e->prev;
    e->next = e->prev = NULL;
    e->linked = false;
}

/* Move waiter w from WAITING to `to` (with the case index). Returns false when another partner
 * or the owner got there first. *parked tells whether the owner sleeps on the futex.
 * acq_rel: acquire pairs with the owner's release of its entry (via the channel lock, and its
 * PARKED CAS); release publishes nothing yet (the DONE store does). */
static bool
waiter_claim(struct goci_waiter *w, uint32_t to, bool *parked) {
    /* Try the CAS straight away rather than loading first: a load would fetch the line
     * shared and the CAS would then need a second transfer to own it. */
    uint32_t s = GOCI_W_WAITING;
    for (;;) {
        if (atomic_compare_exchange_weak_explicit(&w->state, &s, to, memory_order_acq_rel,
                                                  memory_order_relaxed)) {
            *parked = (s & GOCI_W_PARKED) != 0;
            return true;
        }
        if ((s & GOCI_W_CODE_MASK) != GOCI_W_WAITING)
            return false;
    }
}

/* Finish a claimed waiter: publish the final state and wake it if it sleeps. release; pairs
 * with the acquire load in goci_wait, so the owner sees the copied value. */
static void
waiter_finish(struct goci_waiter *w, uint32_t final, bool parked) {
    atomic_store_explicit(&w->state, final, memory_order_release);
    if (parked)
        goci_futex_wake(&w->state, 1);
}

static inline uint32_t
state_of(uint32_t code, uint32_t index) {
    return code | (index << GOCI_W_INDEX_SHIFT);
}

/* A waiter whose only linked entry is its embedded one, with its value staged in its own
 * buffer (or none to deliver), can be completed entirely under the channel lock: every
 * claimer of it holds this lock, so the copy can come first and one CAS publishes DONE. If
 * the CAS loses to the owner's own abort (timeout), only the staging buffer was touched:
 * a waiting receiver's buffer is overwritten (it will not read it), and a waiting sender's
 * value is copied to a temporary, never to the caller's out, until the CAS has succeeded. */
static bool
directly_completable(const struct goci_entry *e, bool partner_sends) {
    if (e != &e->w->entry)
        return false;
    return e->elem == e->w->buf || (!partner_sends && e->elem == NULL);
}

/* Pair with the first waiter in q that is not `self`: the partner of a send (send true) or
 * receive whose own value is in buf. Unlinks it and every dead entry passed on the way.
 * Caller holds the lock. Returns:
 *   TAKE_NONE     nobody waits;
 *   TAKE_DONE     the transfer is complete; *wake is the waiter to futex-wake after the
 *                 lock is released, or NULL;
 *   TAKE_CLAIMED  *claimed is the partner's entry, its waiter CLAIMED: finish with handoff()
 *                 after releasing the lock (*parked says whether to wake it). */
enum take { TAKE_NONE, TAKE_DONE, TAKE_CLAIMED };

static enum take
queue_take(struct goc_chan *c, struct goci_queue *q, struct goci_waiter *self, bool send, void *buf,
           struct goci_entry **claimed, struct goci_waiter **wake, bool *parked) {
    struct goci_entry *e = q->head;
    while (e != NULL) {
        struct goci_entry *next = e->next;
        if (e->w == self) {
            e = next;
            continue;
        }
        queue_unlink(c, q, e);
        if (directly_completable(e, !send)) {
            unsigned char staged[GOCI_WAITER_INLINE];
            if (send)
                deliver(e->elem, buf, c->elem_size);
            else
                copy_elem(staged, e->elem, c->elem_size);
            /* Once DONE is published the owner may reuse its entry: read it first. */
            struct goci_waiter *w = e->w;
            if (waiter_claim(w, state_of(GOCI_W_DONE, e->index), parked)) {
                if (!send)
                    deliver(buf, staged, c->elem_size);
                *wake = *parked ? w : NULL;
                return TAKE_DONE;
            }
        } else if (waiter_claim(e->w, GOCI_W_CLAIMED, parked)) {
            *claimed = e;
            return TAKE_CLAIMED;
        }
        /* Its owner is done with it (claimed elsewhere, woken or aborted): dropped. */
        e = next;
    }
    return TAKE_NONE;
}

/* Does q hold an entry of another thread? It may be dead (its owner already claimed through
 * another channel); queue_take then drops it. Caller holds the lock. Reads only the entries'
 * owner pointers, not the owners' state lines. */
static bool
queue_has_partner(const struct goci_queue *q, const struct goci_waiter *self) {
    for (const struct goci_entry *e = q->head; e != NULL; e = e->next) {
        if (e->w != self)
            return true;
    }
    return false;
}

/* Wake the first still-waiting entry of a buffered queue: it should retry. Lock-free callers
 * check the queue's count first. */
static void
queue_notify_one(struct goc_chan *c, struct goci_queue *q, _Atomic uint32_t *count) {
    struct goci_waiter *woken = NULL;
    bool parked = false;
    goci_lock_acquire(&c->lock);
    struct goci_entry *e = q->head;
    while (e != NULL) {
        /* Unlink and read the entry before the claim: once WOKEN, its owner returns without
         * taking this lock and may reuse the entry at once. */
        struct goci_entry *next = e->next;
        struct goci_waiter *w = e->w;
        uint32_t woken_state = state_of(GOCI_W_WOKEN, e->index);
        queue_unlink(c, q, e);
        /* relaxed: the count only changes under the lock; readers outside it use seq_cst
         * loads whose partner is the seq_cst increment in goci_register. */
        atomic_fetch_sub_explicit(count, 1, memory_order_relaxed);
        if (waiter_claim(w, woken_state, &parked)) {
            woken = w;
            break;
        }
        e = next;
    }
    goci_lock_release(&c->lock);
    if (woken != NULL && parked)
        goci_futex_wake(&woken->state, 1);
}

/* Wake every entry of q (close). Caller holds the lock. */
static void
queue_wake_all(struct goc_chan *c, struct goci_queue *q, _Atomic uint32_t *count) {
    while (q->head != NULL) {
        struct goci_entry *e = q->head;
        struct goci_waiter *w = e->w; /* read before the claim frees the entry for reuse */
        uint32_t woken_state = state_of(GOCI_W_WOKEN, e->index);
        bool parked = false;
        queue_unlink(c, q, e);
        if (count)
            atomic_fetch_sub_explicit(count, 1, memory_order_relaxed);
        if (waiter_claim(w, woken_state, &parked) && parked)
            goci_futex_wake(&w->state, 1);
    }
}

/* ---- Buffered ring ------------------------------------------------------------------------ */

/* Push one element. GOC_OK, GOC_CLOSED, or GOC_WOULDBLOCK when the ring is full. Never reports
 * full while a slot is free or being freed: an in-flight receive is waited out. */
static int
ring_push(struct goc_chan *c, const void *elem) {
    struct goci_backoff b = GOCI_BACKOFF_INIT;
    size_t tail = atomic_load_explicit(&c->tail, memory_order_relaxed);
    for (;;) {
        if (tail & c->mark_bit)
            return GOC_CLOSED;
        size_t index = tail & (c->mark_bit - 1);
        size_t lap = tail & ~(c->one_lap - 1);
        struct goci_slot *s = slot_at(c, index);
        /* acquire; pairs with the consumer's release of the stamp in ring_pop, so its read of
         * the old element is done before we overwrite it. */
        size_t stamp = atomic_load_explicit(&s->stamp, memory_order_acquire);
        if (tail == stamp) {
            size_t next = index + 1 < c->cap ? tail + 1 : lap + c->one_lap;
            /* seq_cst: this is the producer's half of the store-load handshake with a
             * registering receiver (goci_register increments nrecvq, then loads tail). */
            if (atomic_compare_exchange_weak_explicit(&c->tail, &tail, next, memory_order_seq_cst,
                                                      memory_order_relaxed)) {
                copy_elem(s->data, elem, c->elem_size);
                /* release; pairs with the acquire stamp load in ring_pop. */
                atomic_store_explicit(&s->stamp, tail + 1, memory_order_release);
                return GOC_OK;
            }
            goci_backoff_spin(&b);
        } else if (stamp + c->one_lap == tail + 1) {
            /* The slot still holds last lap's element: full, unless a consumer has just moved
             * head past it. seq_cst pairs with the consumer's head CAS. */
            size_t head = atomic_load_explicit(&c->head, memory_order_seq_cst);
            if (head + c->one_lap == (tail & ~c->mark_bit))
                return GOC_WOULDBLOCK;
            goci_backoff_spin(&b);
            tail = atomic_load_explicit(&c->tail, memory_order_relaxed);
        } else {
            /* Another producer claimed this slot and tail moved on; reload. */
            goci_backoff_snooze(&b);
            tail = atomic_load_explicit(&c->tail, memory_order_relaxed);
        }
    }
}

/* Pop one element into out. GOC_OK, GOC_CLOSED (closed and drained; out zeroed) or
 * GOC_WOULDBLOCK when empty. A value whose producer has claimed its slot but not finished
 * writing is waited for, so a completed send is never reported as absent. */
static int
ring_pop(struct goc_chan *c, void *out) {
    struct goci_backoff b = GOCI_BACKOFF_INIT;
    size_t head = atomic_load_explicit(&c->head, memory_order_relaxed);
    for (;;) {
        size_t index = head & (c->mark_bit - 1);
        size_t lap = head & ~(c->one_lap - 1);
        struct goci_slot *s = slot_at(c, index);
        /* acquire; pairs with the producer's release of the stamp in ring_push. */
        size_t stamp = atomic_load_explicit(&s->stamp, memory_order_acquire);
        if (head + 1 == stamp) {
            size_t next = index + 1 < c->cap ? head + 1 : lap + c->one_lap;
            /* seq_cst: the consumer's half of the handshake with a registering sender. */
            if (atomic_compare_exchange_weak_explicit(&c->head, &head, next, memory_order_seq_cst,
                                                      memory_order_relaxed)) {
                deliver(out, s->data, c->elem_size);
                /* release; pairs with the acquire stamp load in ring_push. */
                atomic_store_explicit(&s->stamp, head + c->one_lap, memory_order_release);
                return GOC_OK;
            }
            goci_backoff_spin(&b);
        } else if (stamp == head) {
            /* Empty slot: empty ring unless a producer has claimed it (tail moved). */
            size_t tail = atomic_load_explicit(&c->tail, memory_order_seq_cst);
            if ((tail & ~c->mark_bit) == head) {
                if (tail & c->mark_bit) {
                    zero_out(out, c->elem_size);
                    return GOC_CLOSED;
                }
                return GOC_WOULDBLOCK;
            }
            goci_backoff_snooze(&b);
            head = atomic_load_explicit(&c->head, memory_order_relaxed);
        } else {
            goci_backoff_snooze(&b);
            head = atomic_load_explicit(&c->head, memory_order_relaxed);
        }
    }
}

static inline int
buffered_send(struct goc_chan *c, const void *elem) {
    int rc = ring_push(c, elem);
    /* seq_cst; pairs with the increment in goci_register (store-load handshake: either the
     * receiver sees our tail, or we see its count). */
    if (rc == GOC_OK && atomic_load_explicit(&c->nrecvq, memory_order_seq_cst) != 0)
        queue_notify_one(c, &c->recvq, &c->nrecvq);
    return rc;
}

static inline int
buffered_recv(struct goc_chan *c, void *out) {
    int rc = ring_pop(c, out);
    if (rc == GOC_OK && atomic_load_explicit(&c->nsendq, memory_order_seq_cst) != 0)
        queue_notify_one(c, &c->sendq, &c->nsendq);
    return rc;
}

/* ---- Unbuffered handoff -------------------------------------------------------------------- */

/* Finish a handoff with partner entry e, claimed by the caller and unlinked: copy the value
 * from the sender's buffer to the receiver's, then release the partner. The copy runs outside
 * the lock: the partner is ours alone while CLAIMED. */
static void
handoff(struct goc_chan *c, struct goci_entry *e, bool parked, bool send, void *buf) {
    struct goci_waiter *w = e->w;
    uint32_t index = e->index;
    if (send)
        deliver(e->elem, buf, c->elem_size);
    else
        deliver(buf, e->elem, c->elem_size);
    waiter_finish(w, state_of(GOCI_W_DONE, index), parked);
}

/* Pair with a waiting partner of the opposite direction and move the value. Caller holds
 * c->lock; releases it. True when a value moved; false when nobody waited. */
static bool
pair_and_release(struct goc_chan *c, bool send, void *buf, struct goci_waiter *self) {
    struct goci_entry *claimed = NULL;
    struct goci_waiter *wake = NULL;
    bool parked = false;
    enum take t =
        queue_take(c, send ? &c->recvq : &c->sendq, self, send, buf, &claimed, &wake, &parked);
    goci_lock_release(&c->lock);
    if (t == TAKE_CLAIMED)
        handoff(c, claimed, parked, send, buf);
    else if (wake != NULL)
        goci_futex_wake(&wake->state, 1);
    return t != TAKE_NONE;
}

/* One attempt at an unbuffered send (send true) or receive: GOC_OK after a handoff, GOC_CLOSED,
 * or GOC_WOULDBLOCK when no partner waits. */
static int
unbuffered_try(struct goc_chan *c, bool send, void *buf) {
    goci_lock_acquire(&c->lock);
    bool closed = atomic_load_explicit(&c->closed, memory_order_relaxed);
    if (!closed)
        return pair_and_release(c, send, buf, &self_waiter) ? GOC_OK : GOC_WOULDBLOCK;
    goci_lock_release(&c->lock);
    if (!send)
        zero_out(buf, c->elem_size);
    return GOC_CLOSED;
}

/* ---- Shared with select.c -------------------------------------------------------------------- */

int
goci_try_case(goc_case *k) {
    struct goc_chan *c = k->ch;
    if (k->dir == GOC_CASE_SEND)
        return c->cap ? buffered_send(c, k->elem) : unbuffered_try(c, true, (void *)k->elem);
    return c->cap ? buffered_recv(c, k->out) : unbuffered_try(c, false, k->out);
}

/* Unbuffered registration: pair with a waiting partner at once if there is one, else queue.
 * Caller holds c->lock; releases it. */
static enum goci_reg
register_unbuffered(struct goc_chan *c, bool send, struct goci_entry *e, int *rc) {
    struct goci_queue *partners = send ? &c->recvq : &c->sendq;
    bool closed = atomic_load_explicit(&c->closed, memory_order_relaxed);
    if (!closed && !queue_has_partner(partners, e->w)) {
        queue_push(c, send ? &c->sendq : &c->recvq, e);
        goci_lock_release(&c->lock);
        return GOCI_REG_LINKED;
    }
    /* Before completing this case ourselves, make sure no partner completes another one of
     * ours (an earlier case of the same select may be linked): abort our own waiter first. */
    if (!goci_abort(e->w)) {
        goci_lock_release(&c->lock);
        return GOCI_REG_CLAIMED;
    }
    if (closed) {
        goci_lock_release(&c->lock);
        if (!send)
            zero_out(e->elem, c->elem_size);
        *rc = GOC_CLOSED;
        return GOCI_REG_DONE;
    }
    if (!pair_and_release(c, send, e->elem, e->w))
        return GOCI_REG_RETRY;
    *rc = GOC_OK;
    return GOCI_REG_DONE;
}

enum goci_reg
goci_register(goc_case *k, struct goci_entry *e, int *rc) {
    struct goc_chan *c = k->ch;
    bool send = k->dir == GOC_CASE_SEND;
    goci_lock_acquire(&c->lock);
    if (c->cap == 0)
        return register_unbuffered(c, send, e, rc);
    queue_push(c, send ? &c->sendq : &c->recvq, e);
    /* seq_cst: the waiter's half of the store-load handshake; the partner's half is its
     * seq_cst CAS on tail (or head) followed by a seq_cst load of this count. */
    atomic_fetch_add_explicit(send ? &c->nsendq : &c->nrecvq, 1, memory_order_seq_cst);
    goci_lock_release(&c->lock);

    size_t tail = atomic_load_explicit(&c->tail, memory_order_seq_cst);
    size_t head = atomic_load_explicit(&c->head, memory_order_seq_cst);
    bool ready;
    if (tail & c->mark_bit)
        ready = true;
    else if (send)
        ready = head + c->one_lap != tail; /* not full */
    else
        ready = head != tail; /* not empty */
    return ready ? GOCI_REG_READY : GOCI_REG_LINKED;
}

void
goci_unregister(goc_case *k, struct goci_entry *e) {
    struct goc_chan *c = k->ch;
    bool send = k->dir == GOC_CASE_SEND;
    goci_lock_acquire(&c->lock);
    if (e->linked) {
        queue_unlink(c, send ? &c->sendq : &c->recvq, e);
        if (c->cap)
            atomic_fetch_sub_explicit(send ? &c->nsendq : &c->nrecvq, 1, memory_order_relaxed);
    }
    goci_lock_release(&c->lock);
}

struct goci_snap
goci_snapshot(const goc_case *k) {
    struct goc_chan *c = k->ch;
    struct goci_snap snap;
    if (c->cap) {
        /* seq_cst, as the readiness checks of ring_push/ring_pop and goci_register. */
        snap.a = atomic_load_explicit(&c->tail, memory_order_seq_cst);
        snap.b = atomic_load_explicit(&c->head, memory_order_seq_cst);
    } else {
        /* acquire; pairs with the release in bump_version. closed is covered by version. */
        snap.a = atomic_load_explicit(&c->version, memory_order_acquire);
        snap.b = 0;
    }
    return snap;
}

bool
goci_abort(struct goci_waiter *w) {
    bool parked;
    return waiter_claim(w, GOCI_W_ABORTED, &parked);
}

uint32_t
goci_wait(struct goci_waiter *w, int64_t deadline_ns) {
    struct goci_spinwait sw;
    goci_spinwait_init(&sw);
    for (;;) {
        /* acquire; pairs with the release in waiter_finish / the CAS in waiter_claim, so a
         * value a partner copied into our buffer is visible. */
        uint32_t s = atomic_load_explicit(&w->state, memory_order_acquire);
        uint32_t code = s & GOCI_W_CODE_MASK;
        if (code == GOCI_W_DONE || code == GOCI_W_WOKEN || code == GOCI_W_ABORTED) {
            goci_spinwait_finish(&sw);
            return s;
        }
        if (code == GOCI_W_CLAIMED) {
            /* A partner is copying: moments away. Spin, then yield while it finishes (it may
             * have been preempted); never park, since nobody would wake us for this. */
            goci_spinwait_step(&sw);
            continue;
        }
        if (deadline_ns != INT64_MAX && goci_now_ns() >= deadline_ns) {
            if (goci_abort(w)) {
                goci_spinwait_finish(&sw);
                return GOCI_W_ABORTED;
            }
            continue;
        }
        if (!goci_spinwait_done(&sw)) {
            goci_spinwait_step(&sw);
            continue;
        }
        if (!(s & GOCI_W_PARKED)) {
            /* relaxed is enough: the CAS only announces that we sleep; claimers read it with
             * acq_rel as part of their own CAS. */
            if (!atomic_compare_exchange_strong_explicit(
                    &w->state, &s, s | GOCI_W_PARKED, memory_order_relaxed, memory_order_relaxed))
                continue;
            s |= GOCI_W_PARKED;
        }
        goci_futex_wait(&w->state, s, deadline_ns);
    }
}

/* ---- Public operations --------------------------------------------------------------------- */

/* Block on a single case until it completes (select with one case, no timeout). */
static int
block_one(goc_case *k) {
    int rc = goc_select(k, 1, -1);
    if (rc < 0)
        return rc;
    return k->ok ? GOC_OK : GOC_CLOSED;
}

GOC_API int
goc_chan_send(goc_chan *c, const void *elem) {
    if (c == NULL || (elem == NULL && c->elem_size != 0))
        return GOC_EINVAL;
    if (c->cap) {
        int rc = buffered_send(c, elem);
        if (rc != GOC_WOULDBLOCK)
            return rc;
    }
    goc_case k = GOC_SEND(c, elem);
    return block_one(&k);
}

GOC_API int
goc_chan_recv(goc_chan *c, void *out) {
    if (c == NULL)
        return GOC_EINVAL;
    if (c->cap) {
        int rc = buffered_recv(c, out);
        if (rc != GOC_WOULDBLOCK)
            return rc;
    }
    goc_case k = GOC_RECV(c, out);
    return block_one(&k);
}

GOC_API int
goc_chan_try_send(goc_chan *c, const void *elem) {
    if (c == NULL || (elem == NULL && c->elem_size != 0))
        return GOC_EINVAL;
    return c->cap ? buffered_send(c, elem) : unbuffered_try(c, true, (void *)elem);
}

GOC_API int
goc_chan_try_recv(goc_chan *c, void *out) {
    if (c == NULL)
        return GOC_EINVAL;
    return c->cap ? buffered_recv(c, out) : unbuffered_try(c, false, out);
}

GOC_API int
goc_chan_close(goc_chan *c) {
    if (c == NULL)
        return GOC_EINVAL;
    goci_lock_acquire(&c->lock);
    if (c->cap) {
        /* seq_cst RMW: registering waiters load tail with seq_cst after linking. Setting the
         * mark under the lock also orders it with every registration. */
        size_t tail = atomic_fetch_or_explicit(&c->tail, c->mark_bit, memory_order_seq_cst);
        if (tail & c->mark_bit) {
            goci_lock_release(&c->lock);
            return GOC_CLOSED;
        }
        queue_wake_all(c, &c->sendq, &c->nsendq);
        queue_wake_all(c, &c->recvq, &c->nrecvq);
    } else {
        if (atomic_load_explicit(&c->closed, memory_order_relaxed)) {
            goci_lock_release(&c->lock);
            return GOC_CLOSED;
        }
        /* release: lock-free readers of closed see what happened before the close. */
        atomic_store_explicit(&c->closed, true, memory_order_release);
        bump_version(c);
        queue_wake_all(c, &c->sendq, NULL);
        queue_wake_all(c, &c->recvq, NULL);
    }
    goci_lock_release(&c->lock);
    return GOC_OK;
}
