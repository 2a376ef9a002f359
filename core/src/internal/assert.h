/* SPDX-License-Identifier: MIT */
/* libgoc's internal assertions: GOCI_ASSERT(cond) and GOCI_ASSERT_MSG(cond, msg).
 *
 * They are compiled in when GOC_ASSERTIONS is 1, which the build sets for the debug, tsan and
 * asan presets (CMAKE_BUILD_TYPE Debug, or any GOC_SANITIZER; see the top-level
 * CMakeLists.txt), and compiled out in release. A failed assertion prints
 * "libgoc: file:line: assertion failed: cond" (and the message, if any) to stderr and aborts.
 *
 * What they guard: the invariants the comments state (waiter state transitions, queue links,
 * ring stamps and positions, lock states, counts that never go negative), and the misuse Go
 * treats as fatal (unlocking an unlocked goc_mutex or goc_rwmutex, a negative goc_waitgroup
 * counter), which release builds report as GOC_EINVAL instead. They are cheap checks only:
 * none sits on every pause of a spin loop.
 *
 * Compiled out, the condition is not evaluated (it must have no side effects), but it stays
 * inside sizeof, so variables used only by assertions do not trigger unused warnings. */
#ifndef GOCI_ASSERT_H
#define GOCI_ASSERT_H

#include <stdio.h>
#include <stdlib.h>

#if defined(GOC_ASSERTIONS) && GOC_ASSERTIONS

__attribute__((noreturn, cold)) static inline void
goci_assert_fail(const char *file, int line, const char *cond, const char *msg) {
    if (msg != NULL)
        fprintf(stderr, "libgoc: %s:%d: %s (assertion failed: %s)\n", file, line, msg, cond);
    else
        fprintf(stderr, "libgoc: %s:%d: assertion failed: %s\n", file, line, cond);
    fflush(stderr);
    abort();
}

#define GOCI_ASSERT(cond) ((cond) ? (void)0 : goci_assert_fail(__FILE__, __LINE__, #cond, NULL))
#define GOCI_ASSERT_MSG(cond, msg)                                                                 \
    ((cond) ? (void)0 : goci_assert_fail(__FILE__, __LINE__, #cond, (msg)))

#else

#define GOCI_ASSERT(cond) ((void)sizeof((cond) ? 1 : 0))
#define GOCI_ASSERT_MSG(cond, msg) ((void)sizeof((cond) ? 1 : 0))

#endif

#endif
