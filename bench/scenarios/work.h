/* SPDX-License-Identifier: MIT */
/* Calibrated busy work for the lock and layout families: a serial multiply-add chain the
 * compiler cannot shorten (the Go peer's work()), so that "100 ns of work inside the lock" is
 * the same CPU work for every impl and, unlike a wall-clock spin, is not done for free by a
 * thread that loses its core (oversubscribed runs). Header-only; each including file
 * calibrates its own copy once (work_calibrate, about 60 ms on the 2-vCPU VM): the best of 25
 * runs of 2M iterations, as the executors calibrate theirs (lock.go, lock.rs), so that a busy
 * machine does not give one side less work per "1us" than the other. */
#ifndef BENCH_SCENARIOS_WORK_H
#define BENCH_SCENARIOS_WORK_H

#include <pthread.h>
#include <stdint.h>

#include "harness.h"

/* ns of one iteration of work_run, set once by work_calibrate (pthread_once: any thread). */
static double work_ns_per_iter = 1.0;
static pthread_once_t work_once = PTHREAD_ONCE_INIT;

/* Run iters steps of the chain from x; returns the new x (keep it, or the work is dead). */
static inline uint64_t
work_run(uint64_t x, uint64_t iters) {
    for (uint64_t i = 0; i < iters; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        __asm__ __volatile__("" : "+r"(x)); /* one step at a time: no closed form, no SIMD */
    }
    return x;
}

static void
work_calibrate_once(void) {
    const uint64_t iters = 2000000;
    int64_t best = -1;
    uint64_t x = 1;
    for (int r = 0; r < 25; r++) {
        int64_t t0 = bench_now_ns();
        x = work_run(x, iters);
        int64_t d = bench_now_ns() - t0;
        if (best < 0 || d < best)
            best = d;
    }
    __asm__ __volatile__("" : : "r"(x));
    work_ns_per_iter = best > 0 ? (double)best / (double)iters : 1.0;
}

/* Measure work_ns_per_iter (once per including file; later calls return at once). */
static inline void
work_calibrate(void) {
    pthread_once(&work_once, work_calibrate_once);
}

/* Iterations of work_run for about ns of work (0 for ns <= 0). After work_calibrate. */
static inline uint64_t
work_iters(int64_t ns) {
    if (ns <= 0)
        return 0;
    return (uint64_t)((double)ns / work_ns_per_iter + 0.5);
}

#endif
