/* SPDX-License-Identifier: MIT */
/* Select conformance in the spirit of Go's runtime/chan_test.go: TestSelectFairness,
 * TestNonblockSelectRace(2), TestSelfSelect, TestSelectDuplicateChannel, TestSelectStress,
 * TestPseudoRandomSend; fan-in with nil-ing of closed inputs; many producers and consumers
 * through select mixed with plain operations; timeouts racing with partners. */
#include "testutil.h"

#define MS ((int64_t)1000 * 1000)
#define US ((int64_t)1000)

static goc_chan *
make_chan(size_t elem_size, size_t cap) {
    goc_chan *ch = goc_chan_make(elem_size, cap);
    CHECK(ch != NULL);
    return ch;
}

/* Square root by Newton's method (the tests do not link libm). */
static double
newton_sqrt(double x) {
    double r = x > 1 ? x : 1;
    for (int i = 0; i < 100; i++)
        r = 0.5 * (r + x / r);
    return r;
}

/* ---- TestSelectFairness --------------------------------------------------------------------- */

/* Go's test, generalised to k ready channels: k buffered channels always hold a value (channel
 * i holds the byte i), two unbuffered ones are never ready; a thread selects over all of them
 * and forwards what it got. For k = 2 Go's bound: the share of channel 0 is 1/2 within
 * z / (2 sqrt(trials)); for k > 2 a chi-square bound (Wilson-Hilferty). z = 6.1 makes a false
 * failure rarer than 1e-9. */
enum { FAIR_MAX = 5 };

struct fair_args {
    goc_chan *ready[FAIR_MAX], *never[2];
    int k;
    goc_chan *out, *done;
};

static void *
fairness_thread(void *arg) {
    struct fair_args *a = arg;
    for (;;) {
        unsigned char b = 0xFF, d;
        goc_case in[FAIR_MAX + 2];
        in[0] = GOC_RECV(a->never[0], &b);
        in[1] = GOC_RECV(a->never[1], &b);
        for (int i = 0; i < a->k; i++)
            in[2 + i] = GOC_RECV(a->ready[i], &b);
        int rc = goc_select(in, (size_t)a->k + 2, -1);
        if (CHECK(rc >= 2 && rc < a->k + 2))
            CHECK(in[rc].ok);
        goc_case fwd[] = {GOC_SEND(a->out, &b), GOC_RECV(a->done, &d)};
        if (goc_select(fwd, 2, -1) == 1)
            return NULL;
    }
}

static void
select_fairness(int k) {
    const int trials = TEST_SCALE(10000, 4);
    struct fair_args a;
    a.k = k;
    for (int i = 0; i < k; i++) {
        a.ready[i] = make_chan(1, (size_t)trials + 1);
        for (int j = 0; j < trials + 1; j++) {
            unsigned char b = (unsigned char)i;
            CHECK_STATUS(goc_chan_send(a.ready[i], &b), GOC_OK);
        }
    }
    a.never[0] = make_chan(1, 0);
    a.never[1] = make_chan(1, 0);
    a.out = make_chan(1, 0);
    a.done = make_chan(1, 0);
    pthread_t t = test_spawn(fairness_thread, &a);
    long cnt[FAIR_MAX] = {0};
    for (int i = 0; i < trials; i++) {
        unsigned char b = 0xFF;
        CHECK_STATUS(goc_chan_recv(a.out, &b), GOC_OK);
        if (CHECK(b < k))
            cnt[b]++;
    }
    CHECK_STATUS(goc_chan_close(a.done), GOC_OK);
    test_join(t);
    bool fair;
    if (k == 2) {
        double r = (double)cnt[0] / trials, e = r > 0.5 ? r - 0.5 : 0.5 - r;
        fair = e <= 6.1 / (2 * newton_sqrt(trials));
    } else {
        double expect = (double)trials / k, chi2 = 0;
        for (int i = 0; i < k; i++)
            chi2 += (cnt[i] - expect) * (cnt[i] - expect) / expect;
        double dof = k - 1, z = 6.1, wh = 1 - 2 / (9 * dof) + z * newton_sqrt(2 / (9 * dof));
        fair = chi2 <= dof * wh * wh * wh;
    }
    if (!fair) {
        fprintf(stderr, "unfair select over %d ready channels in %d trials:", k, trials);
        for (int i = 0; i < k; i++)
            fprintf(stderr, " %ld", cnt[i]);
        fprintf(stderr, "\n");
        exit(1);
    }
    for (int i = 0; i < k; i++)
        goc_chan_free(a.ready[i]);
    goc_chan_free(a.never[0]);
    goc_chan_free(a.never[1]);
    goc_chan_free(a.out);
    goc_chan_free(a.done);
}

static void
test_select_fairness(void) {
    select_fairness(2);
    select_fairness(3);
    select_fairness(5);
}

/* ---- TestNonblockSelectRace, TestNonblockSelectRace2 -------------------------------------- */

/* At every moment one of c1, c2 holds a value (c2 gets one before main takes c1's), so a
 * select with default over both must never find neither ready. */
struct nbsel {
    goc_chan *c1, *c2;
    bool ok;
};

static void *
nbsel_thread(void *arg) {
    struct nbsel *s = arg;
    goc_case cases[] = {GOC_RECV(s->c1, NULL), GOC_RECV(s->c2, NULL)};
    s->ok = goc_select(cases, 2, 0) >= 0;
    return NULL;
}

static void
test_nonblock_select_race(void) {
    const int n = TEST_SCALE(4000, 20);
    for (int variant = 0; variant < 2; variant++) {
        for (int i = 0; i < n; i++) {
            struct nbsel s = {make_chan(sizeof(int), 1),
                              make_chan(sizeof(int), 1 - (size_t)variant), false};
            int one = 1;
            CHECK_STATUS(goc_chan_send(s.c1, &one), GOC_OK);
            pthread_t t = test_spawn(nbsel_thread, &s);
            if (variant == 0)
                CHECK_STATUS(goc_chan_send(s.c2, &one), GOC_OK);
            else
                CHECK_STATUS(goc_chan_close(s.c2), GOC_OK); /* Race2: closing makes c2 ready */
            goc_case take[] = {GOC_RECV(s.c1, NULL)};
            (void)goc_select(take, 1, 0);
            test_join(t);
            if (!s.ok) {
                fprintf(stderr, "NonblockSelectRace%s: no chan is ready\n", variant ? "2" : "");
                exit(1);
            }
            goc_chan_free(s.c1);
            goc_chan_free(s.c2);
        }
    }
}

/* ---- TestSelfSelect -------------------------------------------------------------------------- */

/* Two threads each select on a send and a receive of the same channel; with an unbuffered
 * channel a thread must never receive its own value. */
struct selfsel {
    goc_chan *c;
    int p, iters;
    bool unbuffered;
};

static void *
selfsel_thread(void *arg) {
    struct selfsel *s = arg;
    for (int i = 0; i < s->iters; i++) {
        int v = s->p, got = -1;
        int rc;
        if (s->p == 0 || i % 2 == 0) {
            goc_case cases[] = {GOC_SEND(s->c, &v), GOC_RECV(s->c, &got)};
            rc = goc_select(cases, 2, -1);
            CHECK(rc == 0 || rc == 1);
            if (rc == 1 && s->unbuffered && got == s->p) {
                fprintf(stderr, "self receive\n");
                exit(1);
            }
        } else {
            goc_case cases[] = {GOC_RECV(s->c, &got), GOC_SEND(s->c, &v)};
            rc = goc_select(cases, 2, -1);
            CHECK(rc == 0 || rc == 1);
            if (rc == 0 && s->unbuffered && got == s->p) {
                fprintf(stderr, "self receive\n");
                exit(1);
            }
        }
    }
    return NULL;
}

static void
test_self_select(void) {
    static const size_t caps[] = {0, 10};
    for (int ci = 0; ci < 2; ci++) {
        goc_chan *c = make_chan(sizeof(int), caps[ci]);
        struct selfsel s[2];
        pthread_t t[2];
        for (int p = 0; p < 2; p++) {
            s[p] = (struct selfsel){c, p, TEST_SCALE(2000, 4), caps[ci] == 0};
            t[p] = test_spawn(selfsel_thread, &s[p]);
        }
        for (int p = 0; p < 2; p++)
            test_join(t[p]);
        goc_chan_free(c);
    }
}

/* ---- TestSelectDuplicateChannel ---------------------------------------------------------------
 */

/* A select waits with two cases on c and one on d; another receiver then waits on c. Sending on
 * d completes the select; its entries on c must be gone, so that the send on c reaches the
 * second receiver (a stale entry would swallow it or leave it hanging). */
struct dupsel {
    goc_chan *c, *d, *e;
};

static void *
dupsel_select_thread(void *arg) {
    struct dupsel *s = arg;
    goc_case cases[] = {GOC_RECV(s->c, NULL), GOC_RECV(s->c, NULL), GOC_RECV(s->d, NULL)};
    CHECK_EQ(goc_select(cases, 3, -1), 2);
    int nine = 9;
    CHECK_STATUS(goc_chan_send(s->e, &nine), GOC_OK);
    return NULL;
}

static void *
dupsel_recv_thread(void *arg) {
    struct dupsel *s = arg;
    int v = -1;
    CHECK_STATUS(goc_chan_recv(s->c, &v), GOC_OK);
    CHECK_EQ(v, 8);
    return NULL;
}

static void
test_select_duplicate_channel(void) {
    for (int round = 0; round < 20; round++) {
        struct dupsel s = {make_chan(sizeof(int), 0), make_chan(sizeof(int), 0),
                           make_chan(sizeof(int), 0)};
        pthread_t t1 = test_spawn(dupsel_select_thread, &s);
        test_sleep_ns(1 * MS); /* let it block in select */
        pthread_t t2 = test_spawn(dupsel_recv_thread, &s);
        test_sleep_ns(1 * MS);
        int v = 7;
        CHECK_STATUS(goc_chan_send(s.d, &v), GOC_OK);
        CHECK_STATUS(goc_chan_recv(s.e, &v), GOC_OK);
        CHECK_EQ(v, 9);
        v = 8;
        CHECK_STATUS(goc_chan_send(s.c, &v), GOC_OK);
        test_join(t1);
        test_join(t2);
        goc_chan_free(s.c);
        goc_chan_free(s.d);
        goc_chan_free(s.e);
    }
}

/* ---- TestSelectStress --------------------------------------------------------------------------
 */

/* Four channels (two unbuffered, two buffered). For each: a plain sender and a plain receiver
 * of N values; plus one thread that select-sends N values to each and one that select-receives
 * N from each, disabling (NULL) a case once its quota is met. Everything must finish. */
struct sstress {
    goc_chan *c[4];
    int n;
};

struct sstress_one {
    struct sstress *s;
    int k;
};

static void *
sstress_plain_send(void *arg) {
    struct sstress_one *o = arg;
    for (int i = 0; i < o->s->n; i++)
        CHECK_STATUS(goc_chan_send(o->s->c[o->k], &i), GOC_OK);
    return NULL;
}

static void *
sstress_plain_recv(void *arg) {
    struct sstress_one *o = arg;
    for (int i = 0; i < o->s->n; i++)
        CHECK_STATUS(goc_chan_recv(o->s->c[o->k], NULL), GOC_OK);
    return NULL;
}

static void *
sstress_select_send(void *arg) {
    struct sstress *s = arg;
    int cnt[4] = {0};
    int v = 0;
    goc_case cases[4];
    for (int k = 0; k < 4; k++)
        cases[k] = GOC_SEND(s->c[k], &v);
    for (int done = 0; done < 4 * s->n;) {
        int rc = goc_select(cases, 4, -1);
        CHECK_OR_RETURN(rc >= 0 && rc < 4, NULL);
        CHECK(cases[rc].ok);
        done++;
        if (++cnt[rc] == s->n)
            cases[rc].ch = NULL;
    }
    return NULL;
}

static void *
sstress_select_recv(void *arg) {
    struct sstress *s = arg;
    int cnt[4] = {0};
    goc_case cases[4];
    for (int k = 0; k < 4; k++)
        cases[k] = GOC_RECV(s->c[k], NULL);
    for (int done = 0; done < 4 * s->n;) {
        int rc = goc_select(cases, 4, -1);
        CHECK_OR_RETURN(rc >= 0 && rc < 4, NULL);
        CHECK(cases[rc].ok);
        done++;
        if (++cnt[rc] == s->n)
            cases[rc].ch = NULL;
    }
    return NULL;
}

static void
test_select_stress(void) {
    struct sstress s;
    s.c[0] = make_chan(sizeof(int), 0);
    s.c[1] = make_chan(sizeof(int), 0);
    s.c[2] = make_chan(sizeof(int), 2);
    s.c[3] = make_chan(sizeof(int), 3);
    s.n = TEST_SCALE(5000, 10);
    struct sstress_one ones[4];
    pthread_t t[10];
    int nt = 0;
    for (int k = 0; k < 4; k++) {
        ones[k] = (struct sstress_one){&s, k};
        t[nt++] = test_spawn(sstress_plain_send, &ones[k]);
        t[nt++] = test_spawn(sstress_plain_recv, &ones[k]);
    }
    t[nt++] = test_spawn(sstress_select_send, &s);
    t[nt++] = test_spawn(sstress_select_recv, &s);
    for (int i = 0; i < nt; i++)
        test_join(t[i]);
    for (int k = 0; k < 4; k++) {
        CHECK_EQ(goc_chan_len(s.c[k]), 0);
        goc_chan_free(s.c[k]);
    }
}

/* ---- TestPseudoRandomSend ----------------------------------------------------------------------
 */

/* Two send cases on one channel with different values: both values show up, each at least a
 * tenth of the time (for n = 1000 a false failure has probability ~1e-150). */
struct prs {
    goc_chan *c;
    int n;
    int *got;
};

static void *
prs_recv_thread(void *arg) {
    struct prs *p = arg;
    for (int i = 0; i < p->n; i++) {
        sched_yield();
        CHECK_STATUS(goc_chan_recv(p->c, &p->got[i]), GOC_OK);
    }
    return NULL;
}

static void
test_pseudo_random_send(void) {
    const int n = 1000;
    const size_t caps[] = {0, (size_t)n};
    for (int ci = 0; ci < 2; ci++) {
        struct prs p = {make_chan(sizeof(int), caps[ci]), n, test_calloc((size_t)n, sizeof(int))};
        pthread_t t = test_spawn(prs_recv_thread, &p);
        for (int i = 0; i < n; i++) {
            int one = 1, zero = 0;
            goc_case cases[] = {GOC_SEND(p.c, &one), GOC_SEND(p.c, &zero)};
            int rc = goc_select(cases, 2, -1);
            CHECK(rc == 0 || rc == 1);
        }
        test_join(t);
        int n0 = 0, n1 = 0;
        for (int i = 0; i < n; i++) {
            CHECK(p.got[i] == 0 || p.got[i] == 1);
            n0 += p.got[i] == 0;
            n1 += p.got[i] == 1;
        }
        if (n0 <= n / 10 || n1 <= n / 10) {
            fprintf(stderr, "cap %zu: want pseudorandom, got %d zeros and %d ones\n", caps[ci], n0,
                    n1);
            exit(1);
        }
        free(p.got);
        goc_chan_free(p.c);
    }
}

/* ---- fan-in with nil-ing -------------------------------------------------------------------- */

/* Messages carry producer (high 16 bits) and sequence number (low 48). */
#define MSG(p, seq) ((int64_t)(p) << 48 | (int64_t)(seq))
#define MSG_PRODUCER(m) ((int)((m) >> 48))
#define MSG_SEQ(m) ((m) & (((int64_t)1 << 48) - 1))

struct fanin_src {
    goc_chan *c;
    int id;
    int64_t count;
};

static void *
fanin_src_thread(void *arg) {
    struct fanin_src *s = arg;
    for (int64_t i = 0; i < s->count; i++) {
        int64_t v = MSG(s->id, i);
        CHECK_STATUS(goc_chan_send(s->c, &v), GOC_OK);
    }
    CHECK_STATUS(goc_chan_close(s->c), GOC_OK);
    return NULL;
}

/* Go's idiom: select over all inputs; when one reports closed, set its case's channel to NULL
 * so it is never chosen again; stop when all are NULL. Every value arrives exactly once and
 * in order per input; a closed input is reported once. */
static void
test_fan_in_nil(void) {
    enum { N = 6 };
    static const size_t caps[N] = {0, 0, 1, 3, 16, 0};
    const int64_t count = TEST_SCALE(3000, 10);
    for (int round = 0; round < 3; round++) {
        struct fanin_src src[N];
        pthread_t t[N];
        goc_case cases[N + 1];
        int64_t vals[N];
        for (int i = 0; i < N; i++) {
            src[i] =
                (struct fanin_src){make_chan(sizeof(int64_t), caps[(i + round) % N]), i, count + i};
            cases[i] = GOC_RECV(src[i].c, &vals[i]);
        }
        /* Round 2 adds an input that is NULL from the start. */
        cases[N] = GOC_RECV((goc_chan *)NULL, NULL);
        for (int i = 0; i < N; i++)
            t[i] = test_spawn(fanin_src_thread, &src[i]);
        int64_t next[N] = {0};
        int open = N, closed_reports[N] = {0};
        while (open > 0) {
            int rc = goc_select(cases, round == 2 ? N + 1 : N, -1);
            if (!CHECK(rc >= 0 && rc < N) || !CHECK(cases[rc].ch != NULL))
                break;
            if (!cases[rc].ok) {
                CHECK_EQ(vals[rc], 0);
                closed_reports[rc]++;
                cases[rc].ch = NULL;
                open--;
                continue;
            }
            CHECK_EQ(MSG_PRODUCER(vals[rc]), rc);
            CHECK_EQ(MSG_SEQ(vals[rc]), next[rc]);
            next[rc]++;
        }
        for (int i = 0; i < N; i++) {
            test_join(t[i]);
            CHECK_EQ(next[i], count + i);
            CHECK_EQ(closed_reports[i], 1);
            goc_chan_free(src[i].c);
        }
        /* All inputs NULL: nothing is ever ready. */
        CHECK_STATUS(goc_select(cases, N, 0), GOC_WOULDBLOCK);
        CHECK_STATUS(goc_select(cases, N, 1 * MS), GOC_TIMEDOUT);
    }
}

/* ---- many producers and consumers through select ------------------------------------------- */

/* Producers and consumers pick, per message, among a plain operation, a blocking select with a
 * never-ready extra case (an idle channel and a NULL one), a select with a short timeout that
 * is retried, and a few non-blocking tries before falling back to a blocking call. With one
 * channel, per-producer order holds at each consumer; with two (each producer may send to
 * either, each consumer receives from both), only exactly-once holds. */
enum { MODE_SELECT = 0, MODE_MIXED = 1 };

struct smpmc {
    goc_chan *ch[2];
    int nch;
    goc_chan *idle;
    int mode;
    int producers;
    int64_t per_producer;
};

struct smpmc_producer {
    struct smpmc *m;
    int id;
};

static int
producer_send(struct smpmc *m, int64_t v, int how, uint64_t *rng) {
    int64_t idle_out;
    if (m->nch == 2 || how == 1) {
        goc_case cases[] = {GOC_SEND(m->ch[0], &v),
                            m->nch == 2 ? GOC_SEND(m->ch[1], &v) : GOC_RECV(m->idle, &idle_out),
                            GOC_SEND((goc_chan *)NULL, &v), GOC_RECV(m->idle, &idle_out)};
        int rc = goc_select(cases, 4, -1);
        if (CHECK(rc == 0 || (rc == 1 && m->nch == 2)))
            CHECK(cases[rc].ok);
        return GOC_OK;
    }
    switch (how) {
    case 0:
        return goc_chan_send(m->ch[0], &v);
    case 2:
        for (;;) {
            goc_case cases[] = {GOC_RECV(m->idle, &idle_out), GOC_SEND(m->ch[0], &v)};
            int rc = goc_select(cases, 2, (1 + (int64_t)(test_rand(rng) % 200)) * US);
            if (rc == GOC_TIMEDOUT)
                continue;
            CHECK_EQ(rc, 1);
            CHECK(cases[1].ok);
            return GOC_OK;
        }
    default:
        for (int k = 0; k < 8; k++) {
            int rc = goc_chan_try_send(m->ch[0], &v);
            if (rc != GOC_WOULDBLOCK)
                return rc;
            sched_yield();
        }
        return goc_chan_send(m->ch[0], &v);
    }
}

static void *
smpmc_producer_thread(void *arg) {
    struct smpmc_producer *p = arg;
    uint64_t rng = 0x9E3779B97F4A7C15ULL * (uint64_t)(p->id + 1);
    for (int64_t s = 0; s < p->m->per_producer; s++) {
        int how = p->m->mode == MODE_SELECT ? 1 : (int)(test_rand(&rng) % 4);
        CHECK_STATUS(producer_send(p->m, MSG(p->id, s), how, &rng), GOC_OK);
    }
    return NULL;
}

struct smpmc_consumer {
    struct smpmc *m;
    int id;
    unsigned char *seen;
    int64_t *last;
    int64_t received;
};

/* Receive one message: its channel index, or -1 once every channel is closed and drained. */
static int
consumer_recv(struct smpmc_consumer *c, goc_case *open, int64_t *v, int how, uint64_t *rng) {
    struct smpmc *m = c->m;
    int64_t idle_out;
    if (m->nch == 2 || how == 1) {
        for (;;) {
            if (open[0].ch == NULL && open[1].ch == NULL)
                return -1;
            goc_case cases[] = {open[0], open[1], GOC_RECV(m->idle, &idle_out),
                                GOC_RECV((goc_chan *)NULL, NULL)};
            int rc = goc_select(cases, 4, -1);
            CHECK_OR_RETURN(rc == 0 || rc == 1, -1);
            if (cases[rc].ok)
                return rc;
            CHECK_EQ(*v, 0);
            open[rc].ch = NULL;
        }
    }
    int rc;
    switch (how) {
    case 0:
        rc = goc_chan_recv(m->ch[0], v);
        break;
    case 2:
        for (;;) {
            goc_case cases[] = {GOC_RECV(m->idle, &idle_out), GOC_RECV(m->ch[0], v)};
            rc = goc_select(cases, 2, (1 + (int64_t)(test_rand(rng) % 200)) * US);
            if (rc == GOC_TIMEDOUT)
                continue;
            CHECK_EQ(rc, 1);
            rc = cases[1].ok ? GOC_OK : GOC_CLOSED;
            break;
        }
        break;
    default:
        rc = GOC_WOULDBLOCK;
        for (int k = 0; k < 8 && rc == GOC_WOULDBLOCK; k++) {
            rc = goc_chan_try_recv(m->ch[0], v);
            if (rc == GOC_WOULDBLOCK)
                sched_yield();
        }
        if (rc == GOC_WOULDBLOCK)
            rc = goc_chan_recv(m->ch[0], v);
        break;
    }
    if (rc == GOC_CLOSED) {
        CHECK_EQ(*v, 0);
        return -1;
    }
    CHECK_STATUS(rc, GOC_OK);
    return 0;
}

static void *
smpmc_consumer_thread(void *arg) {
    struct smpmc_consumer *c = arg;
    struct smpmc *m = c->m;
    uint64_t rng = 0xD1B54A32D192ED03ULL * (uint64_t)(c->id + 1);
    int64_t v = -1;
    goc_case open[2] = {GOC_RECV(m->ch[0], &v),
                        GOC_RECV(m->nch == 2 ? m->ch[1] : (goc_chan *)NULL, &v)};
    for (;;) {
        int how = m->mode == MODE_SELECT ? 1 : (int)(test_rand(&rng) % 4);
        int rc = consumer_recv(c, open, &v, how, &rng);
        if (rc < 0)
            break;
        int p = MSG_PRODUCER(v);
        int64_t s = MSG_SEQ(v);
        if (!CHECK(p >= 0 && p < m->producers) || !CHECK(s >= 0 && s < m->per_producer))
            continue;
        if (m->nch == 1 && s <= c->last[p]) {
            fprintf(stderr, "producer %d: seq %lld received after %lld\n", p, (long long)s,
                    (long long)c->last[p]);
            exit(1);
        }
        c->last[p] = s;
        c->seen[(int64_t)p * m->per_producer + s]++;
        c->received++;
    }
    return NULL;
}

static void
run_select_mpmc(size_t cap, int nch, int mode, int producers, int consumers, int64_t per) {
    struct smpmc m = {
        {make_chan(sizeof(int64_t), cap), nch == 2 ? make_chan(sizeof(int64_t), cap) : NULL},
        nch,
        make_chan(sizeof(int64_t), 0),
        mode,
        producers,
        per};
    int64_t total = producers * per;
    struct smpmc_producer *ps = test_calloc((size_t)producers, sizeof *ps);
    struct smpmc_consumer *cs = test_calloc((size_t)consumers, sizeof *cs);
    pthread_t *pt = test_calloc((size_t)producers, sizeof *pt);
    pthread_t *ct = test_calloc((size_t)consumers, sizeof *ct);
    for (int i = 0; i < consumers; i++) {
        cs[i].m = &m;
        cs[i].id = i;
        cs[i].seen = test_calloc((size_t)total, 1);
        cs[i].last = test_malloc((size_t)producers * sizeof(int64_t));
        for (int p = 0; p < producers; p++)
            cs[i].last[p] = -1;
        ct[i] = test_spawn(smpmc_consumer_thread, &cs[i]);
    }
    for (int i = 0; i < producers; i++) {
        ps[i] = (struct smpmc_producer){&m, i};
        pt[i] = test_spawn(smpmc_producer_thread, &ps[i]);
    }
    for (int i = 0; i < producers; i++)
        test_join(pt[i]);
    for (int k = 0; k < nch; k++)
        CHECK_STATUS(goc_chan_close(m.ch[k]), GOC_OK);
    int64_t received = 0;
    for (int i = 0; i < consumers; i++) {
        test_join(ct[i]);
        received += cs[i].received;
    }
    for (int64_t k = 0; k < total; k++) {
        int n = 0;
        for (int i = 0; i < consumers; i++)
            n += cs[i].seen[k];
        if (n != 1) {
            fprintf(stderr,
                    "cap %zu, %d chan, mode %d, %dx%d: message (%lld, %lld) received %d "
                    "times\n",
                    cap, nch, mode, producers, consumers, (long long)(k / per),
                    (long long)(k % per), n);
            exit(1);
        }
    }
    CHECK_EQ(received, total);
    /* Nobody waits on idle any more. */
    int64_t v = 0;
    CHECK_STATUS(goc_chan_try_send(m.idle, &v), GOC_WOULDBLOCK);
    for (int i = 0; i < consumers; i++) {
        free(cs[i].seen);
        free(cs[i].last);
    }
    free(ps);
    free(cs);
    free(pt);
    free(ct);
    for (int k = 0; k < nch; k++)
        goc_chan_free(m.ch[k]);
    goc_chan_free(m.idle);
}

static void
test_select_mpmc(void) {
    static const size_t caps[] = {0, 1, 16, 1024};
    for (size_t ci = 0; ci < 4; ci++) {
        size_t cap = caps[ci];
        run_select_mpmc(cap, 1, MODE_SELECT, 4, 4, TEST_SCALE(3000, 10));
        run_select_mpmc(cap, 1, MODE_MIXED, 4, 4, TEST_SCALE(3000, 10));
        run_select_mpmc(cap, 1, MODE_MIXED, 6, 3, TEST_SCALE(1500, 10));
        run_select_mpmc(cap, 2, MODE_SELECT, 4, 4, TEST_SCALE(3000, 10));
        run_select_mpmc(cap, 2, MODE_SELECT, 2, 7, TEST_SCALE(3000, 10));
    }
}

/* ---- close wakes blocked selects ------------------------------------------------------------- */

struct blocked_sel {
    goc_case cases[2];
    int rc;
    atomic_int started;
    pthread_t t;
};

static void *
blocked_sel_thread(void *arg) {
    struct blocked_sel *b = arg;
    atomic_store_explicit(&b->started, 1, memory_order_release);
    b->rc = goc_select(b->cases, 2, -1);
    return NULL;
}

static void
test_close_wakes_selects(void) {
    enum { W = 6 };
    static const size_t caps[] = {0, 1, 8};
    for (int ci = 0; ci < 3; ci++) {
        size_t cap = caps[ci];
        goc_chan *r = make_chan(sizeof(int64_t), cap);
        goc_chan *s = make_chan(sizeof(int64_t), cap);
        goc_chan *idle = make_chan(sizeof(int64_t), 0);
        int64_t v = 3, outs[W];
        for (size_t i = 0; i < cap; i++)
            CHECK_STATUS(goc_chan_send(s, &v), GOC_OK); /* full: sends block */
        struct blocked_sel b[W];
        for (int i = 0; i < W; i++) {
            outs[i] = 55;
            b[i].cases[0] = GOC_RECV(idle, NULL);
            b[i].cases[1] = i % 2 ? GOC_SEND(s, &v) : GOC_RECV(r, &outs[i]);
            b[i].cases[1].ok = true;
            b[i].rc = 1000;
            atomic_init(&b[i].started, 0);
            b[i].t = test_spawn(blocked_sel_thread, &b[i]);
            test_wait_flag(&b[i].started);
        }
        test_sleep_ns(5 * MS);
        CHECK_STATUS(goc_chan_close(r), GOC_OK);
        CHECK_STATUS(goc_chan_close(s), GOC_OK);
        for (int i = 0; i < W; i++) {
            test_join(b[i].t);
            CHECK_EQ(b[i].rc, 1);
            CHECK(!b[i].cases[1].ok);
            if (i % 2 == 0)
                CHECK_EQ(outs[i], 0);
        }
        CHECK_STATUS(goc_chan_try_send(idle, &v), GOC_WOULDBLOCK);
        CHECK_EQ(goc_chan_len(s), cap);
        goc_chan_free(r);
        goc_chan_free(s);
        goc_chan_free(idle);
    }
}

/* ---- timeouts racing with partners ----------------------------------------------------------- */

/* Senders and receivers both use selects with very short timeouts and retry on GOC_TIMEDOUT:
 * a select that times out must not have moved its value, one that returns an index must have
 * moved it exactly once. */
struct tsend {
    goc_chan *c;
    int id;
    int64_t count;
    int64_t timeouts;
};

static void *
timeout_sender_thread(void *arg) {
    struct tsend *s = arg;
    uint64_t rng = (uint64_t)s->id * 7919 + 1;
    for (int64_t i = 0; i < s->count; i++) {
        int64_t v = MSG(s->id, i);
        for (;;) {
            goc_case cases[] = {GOC_SEND(s->c, &v)};
            int rc = goc_select(cases, 1, 1 + (int64_t)(test_rand(&rng) % 30) * US);
            if (rc == GOC_TIMEDOUT) {
                s->timeouts++;
                continue;
            }
            CHECK_EQ(rc, 0);
            CHECK(cases[0].ok);
            break;
        }
    }
    return NULL;
}

struct trecv {
    goc_chan *c;
    int id, producers;
    int64_t per;
    unsigned char *seen;
    int64_t received, timeouts;
};

static void *
timeout_receiver_thread(void *arg) {
    struct trecv *r = arg;
    uint64_t rng = (uint64_t)r->id * 104729 + 3;
    for (;;) {
        int64_t v = -1;
        goc_case cases[] = {GOC_RECV(r->c, &v)};
        int rc = goc_select(cases, 1, 1 + (int64_t)(test_rand(&rng) % 30) * US);
        if (rc == GOC_TIMEDOUT) {
            CHECK_EQ(v, -1);
            r->timeouts++;
            continue;
        }
        CHECK_EQ(rc, 0);
        if (!cases[0].ok)
            return NULL;
        int p = MSG_PRODUCER(v);
        int64_t s = MSG_SEQ(v);
        if (!CHECK(p >= 0 && p < r->producers && s >= 0 && s < r->per))
            continue;
        r->seen[(int64_t)p * r->per + s]++;
        r->received++;
    }
}

static void
test_timeout_races(void) {
    enum { P = 3, C = 3 };
    static const size_t caps[] = {0, 1, 4};
    const int64_t per = TEST_SCALE(3000, 10);
    for (int ci = 0; ci < 3; ci++) {
        goc_chan *c = make_chan(sizeof(int64_t), caps[ci]);
        struct tsend ss[P];
        struct trecv rs[C];
        pthread_t pt[P], ct[C];
        for (int i = 0; i < C; i++) {
            rs[i] = (struct trecv){c, i, P, per, test_calloc((size_t)(P * per), 1), 0, 0};
            ct[i] = test_spawn(timeout_receiver_thread, &rs[i]);
        }
        for (int i = 0; i < P; i++) {
            ss[i] = (struct tsend){c, i, per, 0};
            pt[i] = test_spawn(timeout_sender_thread, &ss[i]);
        }
        for (int i = 0; i < P; i++)
            test_join(pt[i]);
        CHECK_STATUS(goc_chan_close(c), GOC_OK);
        for (int i = 0; i < C; i++)
            test_join(ct[i]);
        for (int64_t k = 0; k < P * per; k++) {
            int n = 0;
            for (int i = 0; i < C; i++)
                n += rs[i].seen[k];
            if (n != 1) {
                fprintf(stderr, "cap %zu: message %lld received %d times\n", caps[ci], (long long)k,
                        n);
                exit(1);
            }
        }
        for (int i = 0; i < C; i++)
            free(rs[i].seen);
        goc_chan_free(c);
    }
}

int
main(void) {
    test_select_fairness();
    test_nonblock_select_race();
    test_self_select();
    test_select_duplicate_channel();
    test_select_stress();
    test_pseudo_random_send();
    test_fan_in_nil();
    test_select_mpmc();
    test_close_wakes_selects();
    test_timeout_races();
    return check_result("select_conformance_test");
}
