/* SPDX-License-Identifier: MIT */
/* Cache-line size and padding helpers for libgoc's internals. */
#ifndef GOCI_CACHELINE_H
#define GOCI_CACHELINE_H

#include <stdalign.h>

#ifndef GOC_CACHELINE
#define GOC_CACHELINE 64
#endif

/* Start a field on its own cache line: alignas(GOC_CACHELINE). */
#define GOCI_CACHELINE_ALIGNED alignas(GOC_CACHELINE)

#endif
