/* SPDX-License-Identifier: MIT */
/* Small helpers every part of chanbench uses: one-line error messages into a caller's buffer,
 * the comparison qsort needs for doubles, and a thread's CPU clock. */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* printf into err (at most errlen bytes); does nothing when err is NULL or errlen 0. */
void bench_seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* qsort comparison of two doubles, ascending. */
int bench_cmp_double(const void *a, const void *b);

/* CPU time of the calling thread in ns (CLOCK_THREAD_CPUTIME_ID); 0 if unavailable. */
int64_t bench_thread_cpu_ns(void);

#endif
