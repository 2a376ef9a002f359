/* SPDX-License-Identifier: MIT */
/* The family the run-stopping tests (interrupt, journal, journal_disk) run in a forked child:
 * "fast", whose chunk does nothing, and "slow", whose chunk naps chunk_nap_ns once. At the
 * fourth measured slow chunk the child writes a byte to chunk_notify_fd (when >= 0), so the
 * parent knows a chunk is running, then waits for a byte or end of file on chunk_go_fd (when
 * >= 0), so the parent can act (signal, fill a disk) before the chunk ends; signals that
 * interrupt that wait do not end it. No sleeps stand in for synchronisation. Each test lists
 * these scenarios under its own family name and implementations. */
#ifndef BENCH_TESTS_CHUNK_FIXTURE_H
#define BENCH_TESTS_CHUNK_FIXTURE_H

#include <errno.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static int chunk_notify_fd = -1;
static int chunk_go_fd = -1;
static long chunk_nap_ns = 5 * 1000 * 1000;

static void
chunk_nap(struct bench_thread *t) {
    (void)t;
    struct timespec ts = {0, chunk_nap_ns};
    nanosleep(&ts, NULL);
}

static void
chunk_nothing(struct bench_thread *t) {
    (void)t;
}

static int
chunk_fast_run(struct bench_run *r) {
    return bench_team_run_n(r, 1, chunk_nothing, NULL);
}

static int
chunk_slow_run(struct bench_run *r) {
    static int chunks;
    if (!r->warmup && ++chunks == 4 && chunk_notify_fd >= 0) {
        char c = 'x';
        if (write(chunk_notify_fd, &c, 1) != 1)
            return bench_fail(r, "cannot notify the parent");
        close(chunk_notify_fd);
        chunk_notify_fd = -1;
        while (chunk_go_fd >= 0 && read(chunk_go_fd, &c, 1) < 0 && errno == EINTR)
            ;
    }
    return bench_team_run_n(r, 1, chunk_nap, NULL);
}

/* The two scenarios, for a test's scenario table. */
#define CHUNK_SCENARIOS(impl_list)                                                                 \
    {.name = "fast", .op = "msg", .impls = (impl_list), .run = chunk_fast_run}, {                  \
        .name = "slow", .op = "msg", .impls = (impl_list), .run = chunk_slow_run, .max_iters = 1   \
    }

#endif
