/* SPDX-License-Identifier: MIT */
/* Small helpers every part of chanbench uses: one-line error messages into a caller's buffer,
 * the comparison qsort needs for doubles, and a thread's CPU clock. */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* printf into err (at most errlen bytes); does nothing when err is NULL or errlen 0. */
void bench_seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* v as JSON text (json_dumps with flags) ending in a newline, owned by the caller; NULL when out
 * of memory. */
char *bench_json_line(const json_t *v, size_t flags);

/* qsort comparison of two doubles, ascending. */
int bench_cmp_double(const void *a, const void *b);

/* CPU time of the calling thread in ns (CLOCK_THREAD_CPUTIME_ID); 0 if unavailable. */
int64_t bench_thread_cpu_ns(void);

/* The folder of the running program (/proc/self/exe without its last component) into buf;
 * false when it cannot be read. Installed files (executors, gnuplot scripts) are found
 * relative to it, so that an installed chanbench works without its build tree. */
bool bench_exe_dir(char *buf, size_t len);

/* The CPU's spin-wait hint (x86 pause, Arm yield), for the harness's deliberate busy loops
 * (the floor, the probe, the spinlock peer), which measure the hardware and so do not go
 * through libgoc's spin policy. */
static inline void
bench_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield" ::: "memory");
#else
    __asm__ __volatile__("" ::: "memory");
#endif
}

#endif
