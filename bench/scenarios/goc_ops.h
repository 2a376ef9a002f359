/* SPDX-License-Identifier: MIT */
/* libgoc behind the channel ops table of ops.h, for the families that run channels against the
 * in-process peers (chan, layout, pitfall). Header-only: each including file gets its own copy
 * of these small adapters. */
#ifndef BENCH_SCENARIOS_GOC_OPS_H
#define BENCH_SCENARIOS_GOC_OPS_H

#include <stdlib.h>

#include <goc/goc.h>

#include "ops.h"

static inline void *
goc_ops_chan_make(size_t elem_size, size_t cap) {
    return goc_chan_make(elem_size, cap);
}

static inline int
goc_ops_chan_send(void *ch, const void *elem) {
    return goc_chan_send(ch, elem);
}

static inline int
goc_ops_chan_recv(void *ch, void *out) {
    return goc_chan_recv(ch, out);
}

static inline int
goc_ops_chan_try_send(void *ch, const void *elem) {
    return goc_chan_try_send(ch, elem);
}

static inline int
goc_ops_chan_try_recv(void *ch, void *out) {
    return goc_chan_try_recv(ch, out);
}

static inline int
goc_ops_chan_close(void *ch) {
    return goc_chan_close(ch);
}

static inline void
goc_ops_chan_free(void *ch) {
    goc_chan_free(ch);
}

static const struct chan_ops peer_goc_chan = {
    .make = goc_ops_chan_make,
    .send = goc_ops_chan_send,
    .recv = goc_ops_chan_recv,
    .try_send = goc_ops_chan_try_send,
    .try_recv = goc_ops_chan_try_recv,
    .close = goc_ops_chan_close,
    .free = goc_ops_chan_free,
};

#endif
