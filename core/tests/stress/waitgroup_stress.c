/* SPDX-License-Identifier: MIT */
/* goc_waitgroup under load: many rounds of workers and observers, oversubscribed. Each round,
 * the workers pass a start gate (a wait group used as a one-shot latch), write their slot and
 * call done; the observers wait for the work and check every slot (plain memory, so TSan
 * checks the happens-before that wait gives). Wait groups are reused every round. */
#include "testutil.h"

#include <unistd.h>

#define MAX_WORKERS 64

struct shared {
    goc_waitgroup start[2]; /* round r's gate is start[r % 2]; the next one is armed first */
    goc_waitgroup work;     /* workers still to finish this round */
    goc_waitgroup ack;      /* observers still to check this round */
    long slot[MAX_WORKERS]; /* slot[i] = round, written by worker i */
    int nworkers, nobservers;
    long rounds;
};

struct worker_arg {
    struct shared *s;
    int id;
};

static void *
worker(void *arg) {
    struct worker_arg *w = arg;
    struct shared *s = w->s;
    for (long r = 0; r < s->rounds; r++) {
        goc_waitgroup_wait(&s->start[r % 2]);
        s->slot[w->id] = r;
        CHECK_STATUS(goc_waitgroup_done(&s->work), GOC_OK);
    }
    return NULL;
}

static void *
observer(void *arg) {
    struct shared *s = arg;
    for (long r = 0; r < s->rounds; r++) {
        goc_waitgroup_wait(&s->start[r % 2]);
        goc_waitgroup_wait(&s->work);
        for (int i = 0; i < s->nworkers; i++)
            CHECK_EQ(s->slot[i], r);
        CHECK_STATUS(goc_waitgroup_done(&s->ack), GOC_OK);
    }
    return NULL;
}

int
main(void) {
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    static struct shared s;
    s.nworkers = (int)(ncpu < 1 ? 1 : ncpu > 16 ? 16 : ncpu) * 3;
    s.nobservers = 2;
    s.rounds = TEST_SCALE(2000, 4);
    static struct worker_arg args[MAX_WORKERS];
    pthread_t t[MAX_WORKERS + 2];
    CHECK_STATUS(goc_waitgroup_add(&s.start[0], 1), GOC_OK);
    for (int i = 0; i < s.nworkers; i++) {
        args[i] = (struct worker_arg){.s = &s, .id = i};
        t[i] = test_spawn(worker, &args[i]);
    }
    for (int i = 0; i < s.nobservers; i++)
        t[s.nworkers + i] = test_spawn(observer, &s);
    for (long r = 0; r < s.rounds; r++) {
        CHECK_STATUS(goc_waitgroup_add(&s.work, s.nworkers), GOC_OK);
        CHECK_STATUS(goc_waitgroup_add(&s.ack, s.nobservers), GOC_OK);
        CHECK_STATUS(goc_waitgroup_add(&s.start[(r + 1) % 2], 1), GOC_OK); /* arm the next */
        CHECK_STATUS(goc_waitgroup_done(&s.start[r % 2]), GOC_OK);         /* open this one */
        goc_waitgroup_wait(&s.work);
        goc_waitgroup_wait(&s.ack);
        for (int i = 0; i < s.nworkers; i++)
            CHECK_EQ(s.slot[i], r);
    }
    CHECK_STATUS(goc_waitgroup_done(&s.start[s.rounds % 2]), GOC_OK);
    for (int i = 0; i < s.nworkers + s.nobservers; i++)
        test_join(t[i]);
    /* Counter and waiter count are back at zero (white-box: one 64-bit word). */
    CHECK_EQ(atomic_load(&s.work.goc_private_state), 0);
    printf("waitgroup_stress: %ld rounds of %d workers and %d observers\n", s.rounds, s.nworkers,
           s.nobservers);
    return check_result("waitgroup_stress");
}
