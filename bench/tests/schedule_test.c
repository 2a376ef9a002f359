/* SPDX-License-Identifier: MIT */
/* The run's order (measure/schedule.c): interleaved, every arm once per round, a benchmark's
 * arms back to back, a fresh order each round, the same order for the same seed and a
 * different one for another; blocked, arm after arm in rank order with its rounds back to
 * back. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "schedule.h"

/* Five benchmarks of 1 to 4 arms (12 arms), groups listed out of order on purpose. */
static const struct sched_arm arms[] = {
    {0, 0}, {0, 1}, {0, 3}, {0, 2}, {1, 0}, {2, 0}, {2, 1}, {3, 0}, {3, 1}, {3, 2}, {4, 0}, {4, 1},
};
#define NARMS ((int)(sizeof arms / sizeof arms[0]))
#define ROUNDS 40

static void
check_interleaved(void) {
    static struct sched_slot s[NARMS * ROUNDS], t[NARMS * ROUNDS], u[NARMS * ROUNDS];
    CHECK(schedule_run(arms, NARMS, ROUNDS, 42, true, s) == NARMS * ROUNDS);
    int distinct_orders = 0;
    for (int r = 0; r < ROUNDS; r++) {
        const struct sched_slot *round = &s[r * NARMS];
        int seen[NARMS] = {0};
        for (int k = 0; k < NARMS; k++) {
            CHECK(round[k].round == r && round[k].position == k);
            CHECK(round[k].arm >= 0 && round[k].arm < NARMS);
            seen[round[k].arm]++;
        }
        for (int a = 0; a < NARMS; a++)
            CHECK(seen[a] == 1); /* every arm exactly once per round */
        /* A benchmark's arms are contiguous: once a group is left it never comes back. */
        bool done[5] = {false};
        for (int k = 0; k < NARMS; k++) {
            int g = arms[round[k].arm].group;
            CHECK(!done[g]);
            if (k + 1 < NARMS && arms[round[k + 1].arm].group != g)
                done[g] = true;
        }
        if (r > 0) {
            bool same = true;
            for (int k = 0; k < NARMS && same; k++)
                same = round[k].arm == s[(r - 1) * NARMS + k].arm;
            distinct_orders += !same;
        }
    }
    /* 40 rounds of 5! * 4! * 2! * 3! * 2! orders: consecutive rounds that repeat an order
     * would be a broken shuffle (the chance of even one repeat is below 1e-4). */
    CHECK(distinct_orders == ROUNDS - 1);
    /* The first arm of a round is not always the same group (the benchmarks are shuffled). */
    int firsts[5] = {0};
    for (int r = 0; r < ROUNDS; r++)
        firsts[arms[s[r * NARMS].arm].group]++;
    int groups_first = 0;
    for (int g = 0; g < 5; g++)
        groups_first += firsts[g] > 0;
    CHECK(groups_first >= 3);
    /* Within a group, each arm comes first sometimes (the arms are shuffled too). */
    int first_of_group0[4] = {0};
    for (int r = 0; r < ROUNDS; r++)
        for (int k = 0; k < NARMS; k++)
            if (arms[s[r * NARMS + k].arm].group == 0) {
                first_of_group0[s[r * NARMS + k].arm]++;
                break;
            }
    for (int a = 0; a < 4; a++)
        CHECK(first_of_group0[a] > 0);

    /* The seed repeats the order; another seed gives another. */
    CHECK(schedule_run(arms, NARMS, ROUNDS, 42, true, t) == NARMS * ROUNDS);
    CHECK(memcmp(s, t, sizeof s) == 0);
    CHECK(schedule_run(arms, NARMS, ROUNDS, 43, true, u) == NARMS * ROUNDS);
    CHECK(memcmp(s, u, sizeof s) != 0);
    /* Round r's order depends on (seed, r) alone: a shorter run is a prefix of a longer one. */
    static struct sched_slot v[NARMS * 10];
    CHECK(schedule_run(arms, NARMS, 10, 42, true, v) == NARMS * 10);
    CHECK(memcmp(s, v, sizeof v) == 0);
}

static void
check_blocked(void) {
    static struct sched_slot s[NARMS * 3];
    CHECK(schedule_run(arms, NARMS, 3, 42, false, s) == NARMS * 3);
    /* Arm after arm, each with its 3 rounds back to back, ranks ascending. */
    int last_rank = -1;
    for (int k = 0; k < NARMS * 3; k += 3) {
        CHECK(s[k].arm == s[k + 1].arm && s[k].arm == s[k + 2].arm);
        CHECK(s[k].round == 0 && s[k + 1].round == 1 && s[k + 2].round == 2);
        CHECK(arms[s[k].arm].rank >= last_rank);
        last_rank = arms[s[k].arm].rank;
        CHECK(s[k].position == k);
    }
    CHECK(schedule_run(arms, NARMS, 0, 42, true, s) == 0);
    CHECK(schedule_run(arms, 0, 3, 42, true, s) == 0);
}

static void
check_generator(void) {
    uint64_t a = 7, b = 7;
    for (int i = 0; i < 100; i++)
        CHECK(schedule_next(&a) == schedule_next(&b));
    uint64_t x = 1, first = schedule_next(&x);
    CHECK(schedule_next(&x) != first);
    uint64_t s1 = schedule_seed();
    CHECK(s1 < 1000000000000ull);
}

int
main(void) {
    check_interleaved();
    check_blocked();
    check_generator();
    return check_result("schedule_test");
}
