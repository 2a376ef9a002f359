/* SPDX-License-Identifier: MIT */
/* The order of a run's chunks (schedule.h). */
#include "schedule.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

uint64_t
schedule_next(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

uint64_t
schedule_seed(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t s = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
    s ^= (uint64_t)getpid() << 32;
    (void)schedule_next(&s);
    return s % 1000000000000ull; /* short enough to type back in as --seed */
}

/* A uniform index in [0, n) (n >= 1); the modulo bias is below 2^-40 for any n used here. */
static size_t
below(uint64_t *state, size_t n) {
    return (size_t)(schedule_next(state) % n);
}

static void
shuffle(int *v, size_t n, uint64_t *state) {
    for (size_t i = n; i > 1; i--) {
        size_t j = below(state, i);
        int t = v[i - 1];
        v[i - 1] = v[j];
        v[j] = t;
    }
}

/* The distinct groups of arms, in order of first appearance, into groups; returns how many.
 * Each round shuffles a fresh copy, so that round r's order depends on (seed, r) alone. */
static int
distinct_groups(const struct sched_arm *arms, int narms, int *groups) {
    int ngroups = 0;
    for (int a = 0; a < narms; a++) {
        bool seen = false;
        for (int g = 0; g < ngroups && !seen; g++)
            seen = groups[g] == arms[a].group;
        if (!seen)
            groups[ngroups++] = arms[a].group;
    }
    return ngroups;
}

static const struct sched_arm *g_arms; /* for the blocked order's qsort */

static int
by_rank(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    int rx = g_arms[x].rank, ry = g_arms[y].rank;
    if (rx != ry)
        return (rx > ry) - (rx < ry);
    return (x > y) - (x < y);
}

size_t
schedule_run(const struct sched_arm *arms, int narms, int rounds, uint64_t seed, bool interleave,
             struct sched_slot *out) {
    if (narms <= 0 || rounds <= 0)
        return 0;
    size_t n = 0;
    int *idx = malloc((size_t)narms * 2 * sizeof *idx);
    if (idx == NULL)
        return 0;
    int *groups = idx + narms;
    if (!interleave) {
        for (int a = 0; a < narms; a++)
            idx[a] = a;
        g_arms = arms;
        qsort(idx, (size_t)narms, sizeof *idx, by_rank);
        for (int a = 0; a < narms; a++)
            for (int r = 0; r < rounds; r++, n++)
                out[n] = (struct sched_slot){idx[a], r, (int)n};
        free(idx);
        return n;
    }
    for (int r = 0; r < rounds; r++) {
        int ngroups = distinct_groups(arms, narms, groups);
        /* Each round's order depends on (seed, round) alone, so a resumed or partial run
         * repeats the rounds it has in common with a full one. */
        uint64_t state = seed ^ (0xD1B54A32D192ED03ull * (uint64_t)(r + 1));
        shuffle(groups, (size_t)ngroups, &state);
        int pos = 0;
        for (int g = 0; g < ngroups; g++) {
            int m = 0;
            for (int a = 0; a < narms; a++)
                if (arms[a].group == groups[g])
                    idx[m++] = a;
            shuffle(idx, (size_t)m, &state);
            for (int k = 0; k < m; k++)
                out[n++] = (struct sched_slot){idx[k], r, pos++};
        }
    }
    free(idx);
    return n;
}
