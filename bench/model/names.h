/* SPDX-License-Identifier: MIT */
/* Benchmark names, family/scenario/key=value/.../impl=NAME (docs/results-format.md): built
 * here and taken apart here, and the one rule that says which hardware floor a benchmark is
 * compared with. Harness-internal; pure functions. */
#ifndef BENCH_NAMES_H
#define BENCH_NAMES_H

#include <stdbool.h>
#include <stddef.h>

/* One key=value of a name. */
struct names_kv {
    const char *key;
    const char *value;
};

/* family/scenario/key=value/.../impl=IMPL into buf (impl NULL: no impl part). Returns the
 * length it needed (as snprintf): the name was cut when that is >= len. */
size_t names_build(char *buf, size_t len, const char *family, const char *scenario,
                   const struct names_kv *kv, int nkv, const char *impl);

/* Segment i (0: family, 1: scenario, ...) of name into buf; false when there is none. */
bool names_segment(const char *name, int i, char *buf, size_t len);

/* The value of key=value in name into buf; false when name has no such key. */
bool names_param(const char *name, const char *key, char *buf, size_t len);

/* name without its last "/impl=..." into buf (the benchmark a paired ratio is about). */
void names_strip_impl(const char *name, char *buf, size_t len);

/* What follows the last "/impl=" of name, or "" when there is none. */
const char *names_impl(const char *name);

/* True when name starts with prefix ("chan/spsc/"). */
bool names_in(const char *name, const char *prefix);

/* Which figure of the hardware floor (chanbench limit) a benchmark is compared with:
 * the core-to-core round trip for chan/pingpong (its operation is a round trip), the SPSC
 * ring's ns per message for the other chan/ and select/ scenarios, none for the rest and for
 * chan/paced and chan/idle (their time is their pauses, which no floor explains). The one rule
 * for ratio_to_floor, the console's /floor and compare --normalize limit. */
enum floor_kind { FLOOR_NONE, FLOOR_C2C, FLOOR_RING };
enum floor_kind names_floor_kind(const char *name);

#endif
