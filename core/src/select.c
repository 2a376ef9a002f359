/* SPDX-License-Identifier: MIT */
/* goc_select: poll the cases in random order; if none is ready, register one entry per case
 * on its channel (all sharing this thread's waiter), wait for the first partner to claim the
 * waiter, then unregister the rest. This file chooses the order (uniformly random, per
 * thread), handles default (timeout 0) and timeouts, and allocates scratch space for large
 * selects; polling, spinning and the blocking step itself are case.c's (internal/case.h),
 * shared with goc_chan_send and goc_chan_recv, and the channel side is buffered.c's and
 * unbuffered.c's. */
#include <stdint.h>
#include <stdlib.h>

#include "internal/api.h"
#include "internal/case.h"
#include "internal/clock.h"
#include "internal/spin.h"

/* Cases handled without a heap allocation; larger selects allocate their scratch space. */
#define SMALL_SELECT 16

static _Thread_local uint64_t self_rand_state;

/* A per-thread pseudo-random number (xorshift64*), for the fair choice. */
static uint32_t
select_rand(void) {
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

/* A uniformly random permutation of the non-NULL cases (Fisher-Yates): taking the first ready
 * case in this order chooses uniformly among the ready ones. Returns how many there are. */
static size_t
shuffle(const goc_case *cases, size_t n, uint32_t *order) {
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (cases[i].ch == NULL)
            continue;
        size_t j = m == 0 ? 0 : select_rand() % (uint32_t)(m + 1);
        order[m] = order[j];
        order[j] = (uint32_t)i;
        m++;
    }
    return m;
}

/* A select with default must not answer GOC_WOULDBLOCK unless at one moment no case was
 * ready (Go's TestNonblockSelectRace: with values moving between two channels, one of them
 * always holds one). Polling case by case is not atomic, so take a snapshot of every case's
 * channel before the poll and compare after: if nothing moved, the instant after the poll
 * saw every channel as the poll did. If something moved, poll again; after
 * GOCI_SELECT_DEFAULT_RETRIES (spin.h) busy rounds, answer GOC_WOULDBLOCK anyway rather than
 * spin. */
static int
poll_default(goc_case *cases, const uint32_t *order, size_t m, struct goci_snap *snaps) {
    for (int round = 0;; round++) {
        if (m > 1) {
            for (size_t k = 0; k < m; k++)
                snaps[k] = goci_snapshot(&cases[order[k]]);
        }
        int r = goci_poll_cases(cases, order, m, false);
        if (r >= 0)
            return r;
        if (m <= 1 || round == GOCI_SELECT_DEFAULT_RETRIES)
            return GOC_WOULDBLOCK;
        bool moved = false;
        for (size_t k = 0; k < m && !moved; k++) {
            struct goci_snap now = goci_snapshot(&cases[order[k]]);
            moved = now.a != snaps[k].a || now.b != snaps[k].b;
        }
        if (!moved)
            return GOC_WOULDBLOCK;
    }
}

static int
select_loop(goc_case *cases, size_t n, int64_t timeout_ns, uint32_t *order,
            struct goci_entry *entries, struct goci_snap *snaps) {
    int64_t deadline = timeout_ns > 0 ? goci_deadline_after(timeout_ns) : INT64_MAX;
    long hint = -1;
    for (;;) {
        /* A case a partner woke us for goes first, so that its wake-up is not lost on a case
         * that then sits unserved while we take another. */
        if (hint >= 0) {
            int rc = goci_try_case(&cases[hint]);
            if (rc != GOC_WOULDBLOCK)
                return goci_finish_case(cases, (uint32_t)hint, rc);
            hint = -1;
        }
        size_t m = shuffle(cases, n, order);
        if (timeout_ns == 0)
            return poll_default(cases, order, m, snaps);
        int r = goci_poll_spin(cases, order, m, false);
        if (r >= 0)
            return r;
        if (deadline != INT64_MAX && goci_now_ns() >= deadline)
            return GOC_TIMEDOUT;
        r = goci_wait_cases(cases, order, m, entries, deadline, &hint);
        if (r != GOC_WOULDBLOCK)
            return r;
    }
}

GOC_API int
goc_select(goc_case *cases, size_t n, int64_t timeout_ns) {
    if (cases == NULL && n > 0)
        return GOC_EINVAL;
    if (n > (size_t)INT32_MAX >> GOCI_W_INDEX_SHIFT)
        return GOC_EINVAL;
    for (size_t i = 0; i < n; i++) {
        if (cases[i].dir != GOC_CASE_SEND && cases[i].dir != GOC_CASE_RECV)
            return GOC_EINVAL;
        /* A send of a non-empty element needs the element. */
        if (cases[i].dir == GOC_CASE_SEND && cases[i].ch != NULL && cases[i].elem == NULL &&
            cases[i].ch->elem_size != 0)
            return GOC_EINVAL;
    }
    if (n <= SMALL_SELECT) {
        uint32_t order[SMALL_SELECT];
        struct goci_entry entries[SMALL_SELECT];
        struct goci_snap snaps[SMALL_SELECT];
        return select_loop(cases, n, timeout_ns, order, entries, snaps);
    }
    uint32_t *order = malloc(n * sizeof(*order));
    struct goci_entry *entries = malloc(n * sizeof(*entries));
    struct goci_snap *snaps = malloc(n * sizeof(*snaps));
    int rc = GOC_ENOMEM;
    if (order != NULL && entries != NULL && snaps != NULL)
        rc = select_loop(cases, n, timeout_ns, order, entries, snaps);
    free(order);
    free(entries);
    free(snaps);
    return rc;
}
