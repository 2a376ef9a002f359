/* SPDX-License-Identifier: MIT */
/* The buffered channel flavour (cap > 0): the Vyukov ring (push, pop, len), buffered send and
 * receive with the wake-up of one waiting partner, the buffered side of registration, and
 * close. See internal/chan_impl.h for the ring's invariants. The unbuffered flavour is
 * unbuffered.c; blocking (registering cases and waiting) is case.c's; the public API is
 * chan.c's. */
#include "internal/assert.h"
#include "internal/chan_impl.h"
#include "internal/spin.h"

/* Slot index of the ring. slot_size is a multiple of alignof(size_t) and slots starts a cache
 * line, so every slot is aligned for its stamp (the void * cast says so to -Wcast-align). */
static inline struct goci_slot *
slot_at(struct goc_chan *c, size_t index) {
    return (struct goci_slot *)(void *)(c->slots + index * c->slot_size);
}

void
goci_buffered_init(struct goc_chan *c) {
    size_t mark = 1;
    while (mark <= c->cap)
        mark <<= 1;
    c->mark_bit = mark;
    c->one_lap = mark << 1;
    for (size_t i = 0; i < c->cap; i++)
        atomic_init(&slot_at(c, i)->stamp, i);
}

size_t
goci_buffered_len(struct goc_chan *c) {
    for (;;) {
        /* A consistent snapshot: tail unchanged across the head load. seq_cst is not needed
         * for correctness of a snapshot; acquire keeps the three loads in order. */
        size_t tail = atomic_load_explicit(&c->tail, memory_order_acquire);
        size_t head = atomic_load_explicit(&c->head, memory_order_acquire);
        if (atomic_load_explicit(&c->tail, memory_order_acquire) != tail)
            continue;
        tail &= ~c->mark_bit;
        size_t hix = head & (c->mark_bit - 1), tix = tail & (c->mark_bit - 1);
        GOCI_ASSERT(hix < c->cap && tix < c->cap);
        if (hix < tix)
            return tix - hix;
        if (hix > tix)
            return c->cap - hix + tix;
        return tail == head ? 0 : c->cap;
    }
}

/* ---- The ring -------------------------------------------------------------------------- */

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
             * registering receiver (goci_buffered_register increments nrecvq, then loads
             * tail). */
            if (atomic_compare_exchange_weak_explicit(&c->tail, &tail, next, memory_order_seq_cst,
                                                      memory_order_relaxed)) {
                /* The slot is ours: its index is in the ring, and nobody else writes its stamp
                 * until we publish tail + 1 (consumers wait for that value). */
                GOCI_ASSERT(index < c->cap);
                GOCI_ASSERT(atomic_load_explicit(&s->stamp, memory_order_relaxed) == tail);
                goci_copy_elem(s->data, elem, c->elem_size);
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
                /* The slot is ours until we free it: head never carries the mark bit, and
                 * producers wait for the stamp we store below. */
                GOCI_ASSERT(index < c->cap && (head & c->mark_bit) == 0);
                GOCI_ASSERT(atomic_load_explicit(&s->stamp, memory_order_relaxed) == head + 1);
                goci_deliver(out, s->data, c->elem_size);
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
                    goci_zero_out(out, c->elem_size);
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

/* Position pos plus k slots (k < cap), in the ring's lap|index form, and that slot's index. */
static inline size_t
ring_advance(const struct goc_chan *c, size_t pos, size_t k, size_t *index) {
    size_t i = (pos & (c->mark_bit - 1)) + k;
    if (i < c->cap) {
        *index = i;
        return pos + k;
    }
    *index = i - c->cap;
    return (pos & ~(c->one_lap - 1)) + c->one_lap + *index;
}

bool
goci_buffered_ready(struct goc_chan *c, bool send, bool ahead) {
    /* relaxed: a hint; the poll that follows decides, with the ring's own ordering. */
    size_t pos = atomic_load_explicit(send ? &c->tail : &c->head, memory_order_relaxed);
    if (pos & c->mark_bit)
        return true; /* closed: poll now */
    size_t index;
    size_t at = ring_advance(c, pos, ahead ? c->cap / 2 : 0, &index);
    size_t stamp = atomic_load_explicit(&slot_at(c, index)->stamp, memory_order_relaxed);
    /* Free for the sender that reaches it at position at; written for the receiver. */
    return stamp == (send ? at : at + 1);
}

/* ---- Send, receive, and waking a partner ----------------------------------------------- */

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
        uint32_t woken_state = goci_state_of(GOCI_W_WOKEN, e->index);
        goci_queue_unlink(c, q, e);
        /* relaxed (in goci_count_drop): the count only changes under the lock; readers outside
         * it use seq_cst loads whose partner is the seq_cst increment in
         * goci_buffered_register. */
        goci_count_drop(count);
        if (goci_waiter_claim(w, woken_state, &parked)) {
            woken = w;
            break;
        }
        e = next;
    }
    goci_lock_release(&c->lock);
    if (woken != NULL && parked)
        goci_futex_wake(&woken->state, 1);
}

int
goci_buffered_send(struct goc_chan *c, const void *elem) {
    int rc = ring_push(c, elem);
    /* seq_cst; pairs with the increment in goci_buffered_register (store-load handshake:
     * either the receiver sees our tail, or we see its count). */
    if (rc == GOC_OK && atomic_load_explicit(&c->nrecvq, memory_order_seq_cst) != 0)
        queue_notify_one(c, &c->recvq, &c->nrecvq);
    return rc;
}

int
goci_buffered_recv(struct goc_chan *c, void *out) {
    int rc = ring_pop(c, out);
    if (rc == GOC_OK && atomic_load_explicit(&c->nsendq, memory_order_seq_cst) != 0)
        queue_notify_one(c, &c->sendq, &c->nsendq);
    return rc;
}

/* ---- Registration and close ------------------------------------------------------------ */

enum goci_reg
goci_buffered_register(struct goc_chan *c, bool send, struct goci_entry *e) {
    goci_lock_acquire(&c->lock);
    goci_queue_push(c, send ? &c->sendq : &c->recvq, e);
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

int
goci_buffered_close(struct goc_chan *c) {
    goci_lock_acquire(&c->lock);
    /* seq_cst RMW: registering waiters load tail with seq_cst after linking. Setting the
     * mark under the lock also orders it with every registration. */
    size_t tail = atomic_fetch_or_explicit(&c->tail, c->mark_bit, memory_order_seq_cst);
    if (tail & c->mark_bit) {
        goci_lock_release(&c->lock);
        return GOC_CLOSED;
    }
    goci_queue_wake_all(c, &c->sendq, &c->nsendq);
    goci_queue_wake_all(c, &c->recvq, &c->nrecvq);
    goci_lock_release(&c->lock);
    return GOC_OK;
}
