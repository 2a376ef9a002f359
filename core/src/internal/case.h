/* SPDX-License-Identifier: MIT */
/* Cases (case.c): one channel operation seen as a case of a wait, whatever the channel's
 * flavour. Trying cases, spinning on them, and the blocking step (link an entry per case to
 * this thread's waiter, wait for a partner, unlink the rest) live here, below both of their
 * users: chan.c, whose blocking send and receive are a one-case wait (goci_block_case), and
 * select.c, which adds the random order, default and timeouts on top. The flavours the cases
 * dispatch to are buffered.c and unbuffered.c (internal/chan_impl.h); the waiter is waiter.c's
 * (internal/waiter.h). */
#ifndef GOCI_CASE_H
#define GOCI_CASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <goc/select.h>

#include "chan_impl.h"

/* Record case i's outcome rc (GOC_OK or GOC_CLOSED) in its ok field; returns i. */
static inline int
goci_finish_case(goc_case *cases, uint32_t i, int rc) {
    cases[i].ok = rc == GOC_OK;
    return (int)i;
}

/* Try one case without blocking: GOC_OK, GOC_CLOSED (a receive zeroes its out) or
 * GOC_WOULDBLOCK. */
int goci_try_case(goc_case *c);

/* One pass over cases order[0..m) (only those on buffered channels when buffered_only): the
 * index of the first case that ran (its ok set), or -1. */
int goci_poll_cases(goc_case *cases, const uint32_t *order, size_t m, bool buffered_only);

/* Before registering: poll every case once, then keep polling the buffered ones while spin.h's
 * wait policy says to spin. With slip (a single case on a buffered channel of capacity 2 or
 * more, whose thread was streaming), first let the partner get ahead as spin.h describes.
 * Returns at once when every case is unbuffered. The index of the case that ran (its ok set),
 * or -1. */
int goci_poll_spin(goc_case *cases, const uint32_t *order, size_t m, bool slip);

/* One blocking step over cases order[0..m) (order lists each case once, none with a NULL
 * channel): link one entry per case, all pointing at this thread's waiter, wait until a partner
 * claims the waiter or the deadline (absolute CLOCK_MONOTONIC ns; INT64_MAX = never) passes,
 * then unlink every entry still linked. entries has room for m entries (unused when m == 1: a
 * single case waits in the waiter's own entry). Returns the index of the case that completed
 * (its ok set), GOC_TIMEDOUT, or GOC_WOULDBLOCK: poll again, trying case *hint first when it is
 * not -1 (a partner woke us for it). */
int goci_wait_cases(goc_case *cases, const uint32_t *order, size_t m, struct goci_entry *entries,
                    int64_t deadline_ns, long *hint);

/* Block on one case (k->ch not NULL, arguments checked) until it completes: what a blocking
 * goc_chan_send or goc_chan_recv does once its fast path found no room or no value, and
 * exactly what goc_select(k, 1, -1) does. Returns GOC_OK or GOC_CLOSED. */
int goci_block_case(goc_case *k);

/* A snapshot of what decides case c's readiness (ring positions, or the queue version and
 * closed flag): equal snapshots taken before and after a poll that found the case not ready
 * mean it was not ready at any moment in between. */
struct goci_snap {
    size_t a, b;
};
struct goci_snap goci_snapshot(const goc_case *c);

#endif
