/* SPDX-License-Identifier: MIT */
/* Machine modes: the groups into which a run's floor-probe readings fall. On a virtual
 * machine the core-to-core round trip does not drift, it jumps (here between about 46, 75,
 * 450 and 800 ns, as the host moves the vCPUs), so the readings form separate clusters on a
 * log scale; each is a mode, and every chunk is tagged with the mode its probes read.
 * Harness-internal; pure functions, so that tests feed them synthetic series. */
#ifndef BENCH_MODES_H
#define BENCH_MODES_H

#include <stddef.h>

#define MODES_MAX 8

/* Chunk tags besides a mode index. */
#define MODE_STRADDLE (-1) /* the probes before and after the chunk read different modes */
#define MODE_UNPROBED (-2) /* no probe reading (one PU, or the probe failed) */

struct mode {
    char label[24];      /* "75ns": the floor, rounded, unique within the set */
    double floor_ns;     /* median of the readings in the mode */
    double lo_ns, hi_ns; /* a reading v is in the mode when lo_ns <= v < hi_ns (0 and INFINITY
                          * at the ends) */
    size_t count;        /* readings in the mode */
    double share;        /* count / all readings */
};

struct mode_set {
    int n; /* modes, in increasing floor order; 0 when there were no readings */
    struct mode m[MODES_MAX];
    size_t total; /* finite readings */
};

/* Group readings v[0..n-1] (ns; NAN and non-positive values ignored) into modes. The method:
 * a histogram of log2(v) in bins of 1/8 (9 % wide), smoothed; its peaks holding at least 5 %
 * of the readings (and at least 3) are candidate modes; two neighbouring peaks are one mode
 * unless the lowest smoothed bin between them is below half the smaller peak (a real valley);
 * each mode's bounds are the valleys' lowest bins. A series with one cluster gives one mode.
 * Returns 0, or -1 when out of memory (out then has no mode). */
int modes_find(const double *v, size_t n, struct mode_set *out);

/* The index of the mode reading v falls in, or MODE_UNPROBED for NAN or a set without modes. */
int modes_classify(const struct mode_set *s, double v);

/* A chunk's tag from its two probe readings: the mode both fall in, MODE_STRADDLE when they
 * fall in different ones, MODE_UNPROBED when either is missing. */
int modes_tag(const struct mode_set *s, double before, double after);

/* The label of a tag: a mode's label, "straddling" or "unprobed". */
const char *modes_tag_label(const struct mode_set *s, int tag);

#endif
