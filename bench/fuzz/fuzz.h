/* SPDX-License-Identifier: MIT */
/* The entry point every fuzz target defines (libFuzzer's), called by libFuzzer in a
 * -DCHANBENCH_FUZZ=ON build and by replay.c's main() in any other. */
#ifndef BENCH_FUZZ_H
#define BENCH_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Run the code under test on one input. Returns 0; a bug shows as a crash or a sanitizer
 * report, never as a return value. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
