/* SPDX-License-Identifier: MIT */
/* The public channel API: make, free, len/cap, send, receive, their try forms, and close. Each
 * call checks its arguments and dispatches on the channel's flavour: buffered.c (cap > 0, the
 * lock-free ring) or unbuffered.c (cap == 0, the handoff). A send or receive that cannot
 * complete at once blocks through case.c (goci_block_case), the waiting machinery goc_select
 * uses too. The design and invariants are in internal/chan_impl.h. */
#include <errno.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "internal/api.h"
#include "internal/assert.h"
#include "internal/case.h"
#include "internal/chan_impl.h"
#include "internal/spin.h"

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
    if (cap > 0)
        goci_buffered_init(c);
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
    size_t len = goci_buffered_len((goc_chan *)c); /* atomic loads need a non-const object */
    GOCI_ASSERT(len <= c->cap);
    return len;
}

/* ---- Sending and receiving ------------------------------------------------------------- */

GOC_API int
goc_chan_send(goc_chan *c, const void *elem) {
    if (c == NULL || (elem == NULL && c->elem_size != 0))
        return GOC_EINVAL;
    if (c->cap) {
        int rc = goci_buffered_send(c, elem);
        if (rc != GOC_WOULDBLOCK) {
            goci_streak[GOCI_STREAK_SEND]++;
            return rc;
        }
    }
    goc_case k = GOC_SEND(c, elem);
    return goci_block_case(&k);
}

GOC_API int
goc_chan_recv(goc_chan *c, void *out) {
    if (c == NULL)
        return GOC_EINVAL;
    if (c->cap) {
        int rc = goci_buffered_recv(c, out);
        if (rc != GOC_WOULDBLOCK) {
            goci_streak[GOCI_STREAK_RECV]++;
            return rc;
        }
    }
    goc_case k = GOC_RECV(c, out);
    return goci_block_case(&k);
}

GOC_API int
goc_chan_try_send(goc_chan *c, const void *elem) {
    if (c == NULL || (elem == NULL && c->elem_size != 0))
        return GOC_EINVAL;
    return c->cap ? goci_buffered_send(c, elem) : goci_unbuffered_try(c, true, (void *)elem);
}

GOC_API int
goc_chan_try_recv(goc_chan *c, void *out) {
    if (c == NULL)
        return GOC_EINVAL;
    return c->cap ? goci_buffered_recv(c, out) : goci_unbuffered_try(c, false, out);
}

/* ---- Closing ----------------------------------------------------------------------------- */

GOC_API int
goc_chan_close(goc_chan *c) {
    if (c == NULL)
        return GOC_EINVAL;
    return c->cap ? goci_buffered_close(c) : goci_unbuffered_close(c);
}
