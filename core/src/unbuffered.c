/* SPDX-License-Identifier: MIT */
/* The unbuffered channel flavour (cap == 0): pairing with a partner waiting in the opposite
 * queue, the handoff of the value between the two threads' buffers, one non-blocking attempt,
 * the unbuffered side of registration, and close. Everything here runs under the channel lock
 * except the copy of a handoff, which runs while the partner is CLAIMED (ours alone). See
 * internal/chan_impl.h for the invariants. The buffered flavour is buffered.c; blocking
 * (registering cases and waiting) is case.c's; the public API is chan.c's. */
#include "internal/assert.h"
#include "internal/chan_impl.h"

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
    GOCI_ASSERT(goci_lock_is_held(&c->lock));
    struct goci_entry *e = q->head;
    while (e != NULL) {
        struct goci_entry *next = e->next;
        if (e->w == self) {
            e = next;
            continue;
        }
        goci_queue_unlink(c, q, e);
        if (directly_completable(e, !send)) {
            unsigned char staged[GOCI_WAITER_INLINE];
            if (send)
                goci_deliver(e->elem, buf, c->elem_size);
            else
                goci_copy_elem(staged, e->elem, c->elem_size);
            /* Once DONE is published the owner may reuse its entry: read it first. */
            struct goci_waiter *w = e->w;
            if (goci_waiter_claim(w, goci_state_of(GOCI_W_DONE, e->index), parked)) {
                if (!send)
                    goci_deliver(buf, staged, c->elem_size);
                *wake = *parked ? w : NULL;
                return TAKE_DONE;
            }
        } else if (goci_waiter_claim(e->w, GOCI_W_CLAIMED, parked)) {
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

/* Finish a handoff with partner entry e, claimed by the caller and unlinked: copy the value
 * from the sender's buffer to the receiver's, then release the partner. The copy runs outside
 * the lock: the partner is ours alone while CLAIMED. */
static void
handoff(struct goc_chan *c, struct goci_entry *e, bool parked, bool send, void *buf) {
    GOCI_ASSERT(!e->linked);
    struct goci_waiter *w = e->w;
    uint32_t index = e->index;
    if (send)
        goci_deliver(e->elem, buf, c->elem_size);
    else
        goci_deliver(buf, e->elem, c->elem_size);
    goci_waiter_finish(w, goci_state_of(GOCI_W_DONE, index), parked);
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

int
goci_unbuffered_try(struct goc_chan *c, bool send, void *buf) {
    goci_lock_acquire(&c->lock);
    bool closed = atomic_load_explicit(&c->closed, memory_order_relaxed);
    if (!closed)
        return pair_and_release(c, send, buf, goci_self()) ? GOC_OK : GOC_WOULDBLOCK;
    goci_lock_release(&c->lock);
    if (!send)
        goci_zero_out(buf, c->elem_size);
    return GOC_CLOSED;
}

enum goci_reg
goci_unbuffered_register(struct goc_chan *c, bool send, struct goci_entry *e, int *rc) {
    goci_lock_acquire(&c->lock);
    struct goci_queue *partners = send ? &c->recvq : &c->sendq;
    bool closed = atomic_load_explicit(&c->closed, memory_order_relaxed);
    if (!closed && !queue_has_partner(partners, e->w)) {
        goci_queue_push(c, send ? &c->sendq : &c->recvq, e);
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
            goci_zero_out(e->elem, c->elem_size);
        *rc = GOC_CLOSED;
        return GOCI_REG_DONE;
    }
    if (!pair_and_release(c, send, e->elem, e->w))
        return GOCI_REG_RETRY;
    *rc = GOC_OK;
    return GOCI_REG_DONE;
}

int
goci_unbuffered_close(struct goc_chan *c) {
    goci_lock_acquire(&c->lock);
    if (atomic_load_explicit(&c->closed, memory_order_relaxed)) {
        goci_lock_release(&c->lock);
        return GOC_CLOSED;
    }
    /* release: lock-free readers of closed see what happened before the close. */
    atomic_store_explicit(&c->closed, true, memory_order_release);
    goci_bump_version(c);
    goci_queue_wake_all(c, &c->sendq, NULL);
    goci_queue_wake_all(c, &c->recvq, NULL);
    goci_lock_release(&c->lock);
    return GOC_OK;
}
