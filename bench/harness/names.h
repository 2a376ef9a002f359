/* SPDX-License-Identifier: MIT */
/* Benchmark names, family/scenario/key=value/.../impl=NAME (docs/results-format.md): taking
 * them apart. Harness-internal. */
#ifndef BENCH_NAMES_H
#define BENCH_NAMES_H

#include <stddef.h>

/* name without its last "/impl=..." into buf (the benchmark a paired ratio is about). */
void names_strip_impl(const char *name, char *buf, size_t len);

/* What follows the last "/impl=" of name, or "" when there is none. */
const char *names_impl(const char *name);

#endif
