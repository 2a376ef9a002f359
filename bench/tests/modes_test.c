/* SPDX-License-Identifier: MIT */
/* Machine modes (model/modes.c) on synthetic probe series: one cluster is one mode; the
 * VM's levels (~46, ~75, ~450, ~800 ns) are four; two levels with a few readings caught
 * between them are two; a level holding under 5 % of the readings joins its neighbour; tags
 * of chunks whose probes fall in one mode, in two, or are missing. */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "modes.h"
#include "schedule.h"

/* A reading around level (ns), spread +-spread (a fraction), from the generator. */
static double
around(uint64_t *rng, double level, double spread) {
    double u = (double)(schedule_next(rng) >> 11) / 9007199254740992.0; /* [0, 1) */
    return level * (1 + spread * (2 * u - 1));
}

static void
fill(double *v, size_t n, const double *levels, const double *shares, int nlevels, double spread,
     uint64_t seed) {
    uint64_t rng = seed;
    size_t k = 0;
    for (int l = 0; l < nlevels; l++) {
        size_t m = l == nlevels - 1 ? n - k : (size_t)(shares[l] * (double)n);
        for (size_t i = 0; i < m && k < n; i++)
            v[k++] = around(&rng, levels[l], spread);
    }
}

static void
check_one_cluster(void) {
    double v[400];
    fill(v, 400, (const double[]){75}, (const double[]){1}, 1, 0.08, 1);
    v[10] = NAN; /* a failed probe is ignored */
    struct mode_set s;
    CHECK(modes_find(v, 400, &s) == 0);
    CHECK(s.n == 1 && s.total == 399);
    CHECK(fabs(s.m[0].floor_ns - 75) < 4);
    CHECK_STR(s.m[0].label, "75ns");
    CHECK_NEAR(s.m[0].share, 1, 0);
    CHECK(modes_classify(&s, 1e6) == 0 && modes_classify(&s, 1) == 0);
    CHECK(modes_classify(&s, NAN) == MODE_UNPROBED);
}

static void
check_four_levels(void) {
    static double v[2000];
    const double levels[] = {46, 75, 450, 800};
    fill(v, 2000, levels, (const double[]){0.2, 0.5, 0.2, 0.1}, 4, 0.1, 2);
    struct mode_set s;
    CHECK(modes_find(v, 2000, &s) == 0);
    CHECK(s.n == 4);
    for (int k = 0; k < s.n && k < 4; k++) {
        CHECK(fabs(s.m[k].floor_ns - levels[k]) < levels[k] * 0.06);
        CHECK(modes_classify(&s, levels[k]) == k);
    }
    if (s.n == 4) {
        CHECK_NEAR(s.m[1].share, 0.5, 0.02);
        CHECK(s.m[0].lo_ns == 0 && isinf(s.m[3].hi_ns));
        CHECK(s.m[1].lo_ns > 50 && s.m[1].lo_ns < 70); /* between the two low levels */
    }
    /* Chunk tags. */
    CHECK(modes_tag(&s, 74, 77) == 1);
    CHECK(modes_tag(&s, 74, 460) == MODE_STRADDLE);
    CHECK(modes_tag(&s, NAN, 460) == MODE_UNPROBED);
    CHECK_STR(modes_tag_label(&s, MODE_STRADDLE), "straddling");
    CHECK_STR(modes_tag_label(&s, MODE_UNPROBED), "unprobed");
    CHECK_STR(modes_tag_label(&s, 2), s.m[2].label);
}

static void
check_bridged_levels(void) {
    /* 75 and 450 with 3 % of readings spread between them (probes during a switch): still
     * two modes, and each reading goes to one of them. */
    static double v[1000];
    fill(v, 970, (const double[]){75, 450}, (const double[]){0.6, 0.4}, 2, 0.08, 3);
    uint64_t rng = 9;
    for (int i = 970; i < 1000; i++)
        v[i] =
            exp2(log2(90) + (log2(400) - log2(90)) * (double)(schedule_next(&rng) % 1000) / 1000.0);
    struct mode_set s;
    CHECK(modes_find(v, 1000, &s) == 0);
    CHECK(s.n == 2);
    if (s.n == 2)
        CHECK(s.m[0].count + s.m[1].count == 1000);
}

static void
check_small_level_joins(void) {
    /* A level with 2 % of the readings is not a mode of its own. */
    static double v[1000];
    fill(v, 1000, (const double[]){75, 800}, (const double[]){0.98, 0.02}, 2, 0.05, 4);
    struct mode_set s;
    CHECK(modes_find(v, 1000, &s) == 0);
    CHECK(s.n == 1);
    CHECK(s.total == 1000 && s.m[0].count == 1000);
    /* No readings: no modes, every tag unprobed. */
    CHECK(modes_find(v, 0, &s) == 0);
    CHECK(s.n == 0 && modes_tag(&s, 75, 75) == MODE_UNPROBED);
}

int
main(void) {
    check_one_cluster();
    check_four_levels();
    check_bridged_levels();
    check_small_level_joins();
    return check_result("modes_test");
}
