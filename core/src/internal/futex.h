/* SPDX-License-Identifier: MIT */
/* The only place libgoc talks to the kernel to sleep and wake: Linux futexes on 32-bit words,
 * process-private, with absolute CLOCK_MONOTONIC deadlines. */
#ifndef GOCI_FUTEX_H
#define GOCI_FUTEX_H

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "clock.h"

/* Sleep while *word == expected, until woken or until deadline_ns (absolute CLOCK_MONOTONIC;
 * INT64_MAX waits forever). Returns 0 when woken or when *word already differed, ETIMEDOUT at
 * the deadline, EINTR on a signal. Callers re-check their condition in a loop: wake-ups can be
 * spurious. */
static inline int
goci_futex_wait(_Atomic uint32_t *word, uint32_t expected, int64_t deadline_ns) {
    struct timespec ts, *tsp = NULL;
    if (deadline_ns != INT64_MAX) {
        ts = goci_timespec_of(deadline_ns);
        tsp = &ts;
    }
    /* FUTEX_WAIT_BITSET takes an absolute timeout, on CLOCK_MONOTONIC unless
     * FUTEX_CLOCK_REALTIME is given. */
    long rc = syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, expected,
                      tsp, NULL, FUTEX_BITSET_MATCH_ANY);
    if (rc == 0)
        return 0;
    if (errno == EAGAIN)
        return 0;
    return errno;
}

/* Wake up to n sleepers on word (INT_MAX: all). */
static inline void
goci_futex_wake(_Atomic uint32_t *word, int n) {
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, n, NULL, NULL, 0);
}

#endif
