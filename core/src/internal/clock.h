/* SPDX-License-Identifier: MIT */
/* CLOCK_MONOTONIC in nanoseconds, and deadlines built from relative timeouts. */
#ifndef GOCI_CLOCK_H
#define GOCI_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t
goci_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Absolute deadline for a relative timeout; INT64_MAX for "never" (negative timeouts) and
 * saturating instead of overflowing for huge ones. */
static inline int64_t
goci_deadline_after(int64_t timeout_ns) {
    if (timeout_ns < 0)
        return INT64_MAX;
    int64_t now = goci_now_ns();
    return timeout_ns > INT64_MAX - now ? INT64_MAX : now + timeout_ns;
}

static inline struct timespec
goci_timespec_of(int64_t ns) {
    struct timespec ts = {.tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000};
    return ts;
}

#endif
