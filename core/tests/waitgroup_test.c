/* SPDX-License-Identifier: MIT */
/* Unit tests for goc_waitgroup: zero value, the counter's bounds and NULL (GOC_EINVAL, counter
 * unchanged), wait blocking until zero, several waiters, visibility of the tasks' writes,
 * reuse. Many rounds under oversubscription are in stress/waitgroup_stress.c; a counter driven
 * below zero (misuse: an abort with assertions) is in misuse_test.c. */
#include "testutil.h"

#define MS ((int64_t)1000 * 1000)

/* White-box: waitgroup.c keeps the counter in the high 32 bits of the state. */
#define COUNTER(wg) (atomic_load(&(wg)->goc_private_state) >> 32)

static void
test_zero_value_and_bounds(void) {
    goc_waitgroup wg;
    memset(&wg, 0, sizeof wg);
    goc_waitgroup_wait(&wg); /* zero: returns at once */
    CHECK_EQ(COUNTER(&wg), 0);
    CHECK_STATUS(goc_waitgroup_add(&wg, 3), GOC_OK);
    CHECK_STATUS(goc_waitgroup_add(&wg, INT64_MAX), GOC_EINVAL);
    CHECK_STATUS(goc_waitgroup_add(&wg, INT32_MAX), GOC_EINVAL); /* 3 + INT32_MAX too big */
    CHECK_EQ(COUNTER(&wg), 3);
    CHECK_STATUS(goc_waitgroup_add(&wg, 0), GOC_OK);
    CHECK_STATUS(goc_waitgroup_add(&wg, -2), GOC_OK);
    CHECK_STATUS(goc_waitgroup_done(&wg), GOC_OK);
    CHECK_EQ(COUNTER(&wg), 0);
    goc_waitgroup_wait(&wg);

    goc_waitgroup init = GOC_WAITGROUP_INIT;
    CHECK_STATUS(goc_waitgroup_add(&init, 1), GOC_OK);
    CHECK_STATUS(goc_waitgroup_done(&init), GOC_OK);
    goc_waitgroup_wait(&init);

    CHECK_STATUS(goc_waitgroup_add(NULL, 1), GOC_EINVAL);
    CHECK_STATUS(goc_waitgroup_done(NULL), GOC_EINVAL);
    goc_waitgroup_wait(NULL);
}

struct waiter {
    goc_waitgroup *wg;
    atomic_int started, returned;
};

static void *
waiter_thread(void *arg) {
    struct waiter *w = arg;
    atomic_store_explicit(&w->started, 1, memory_order_release);
    goc_waitgroup_wait(w->wg);
    atomic_store_explicit(&w->returned, 1, memory_order_release);
    return NULL;
}

/* Three waiters block until the counter reaches zero, not before, and all are released. */
static void
test_wait_blocks(void) {
    goc_waitgroup wg = GOC_WAITGROUP_INIT;
    struct waiter w[3];
    pthread_t t[3];
    CHECK_STATUS(goc_waitgroup_add(&wg, 2), GOC_OK);
    for (int i = 0; i < 3; i++) {
        w[i].wg = &wg;
        atomic_init(&w[i].started, 0);
        atomic_init(&w[i].returned, 0);
        t[i] = test_spawn(waiter_thread, &w[i]);
        test_wait_flag(&w[i].started);
    }
    test_sleep_ns(20 * MS); /* time to block; a correct wait group never releases them here */
    for (int i = 0; i < 3; i++)
        CHECK(!atomic_load_explicit(&w[i].returned, memory_order_acquire));
    CHECK_STATUS(goc_waitgroup_done(&wg), GOC_OK);
    test_sleep_ns(20 * MS);
    for (int i = 0; i < 3; i++)
        CHECK(!atomic_load_explicit(&w[i].returned, memory_order_acquire));
    CHECK_STATUS(goc_waitgroup_done(&wg), GOC_OK);
    for (int i = 0; i < 3; i++) {
        test_join(t[i]);
        CHECK(atomic_load_explicit(&w[i].returned, memory_order_acquire));
    }
    CHECK_EQ(atomic_load(&wg.goc_private_state), 0);
}

/* The tasks' plain writes are visible after wait (TSan checks the happens-before), and the
 * wait group is reusable round after round. */
#define TASKS 4
struct task {
    goc_waitgroup *wg;
    long *slot;
    long value;
};

static void *
task_thread(void *arg) {
    struct task *t = arg;
    *t->slot = t->value;
    CHECK_STATUS(goc_waitgroup_done(t->wg), GOC_OK);
    return NULL;
}

static void
test_results_visible_and_reuse(void) {
    goc_waitgroup wg = GOC_WAITGROUP_INIT;
    long slots[TASKS];
    struct task tasks[TASKS];
    pthread_t t[TASKS];
    int rounds = TEST_SCALE(50, 5);
    for (int r = 0; r < rounds; r++) {
        CHECK_STATUS(goc_waitgroup_add(&wg, TASKS), GOC_OK);
        for (int i = 0; i < TASKS; i++) {
            slots[i] = -1;
            tasks[i] = (struct task){.wg = &wg, .slot = &slots[i], .value = r * 100 + i};
            t[i] = test_spawn(task_thread, &tasks[i]);
        }
        goc_waitgroup_wait(&wg);
        for (int i = 0; i < TASKS; i++)
            CHECK_EQ(slots[i], r * 100 + i);
        for (int i = 0; i < TASKS; i++)
            test_join(t[i]);
    }
}

int
main(void) {
    test_zero_value_and_bounds();
    test_wait_blocks();
    test_results_visible_and_reuse();
    return check_result("waitgroup_test");
}
