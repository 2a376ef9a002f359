/* SPDX-License-Identifier: MIT */
/* Select stress: random selects over five channels, mixed with try_*, while two channels close;
 * checks exactly-once delivery, per-sender order, untouched elements of cases not chosen.
 * Single-channel mixes with every element size are in chan_stress.c. */
#include "testutil.h"

#define US ((int64_t)1000)
#define MS ((int64_t)1000 * 1000)

enum { NCHAN = 5, WORKERS = 6, MAXCASES = 6 };
static const size_t chan_caps[NCHAN] = {0, 0, 1, 4, 32};
static const bool chan_closes[NCHAN] = {false, true, false, true, false};

/* A message: sender (high 16 bits) and the sender's counter (low 48), plus a check word. */
struct msg {
    uint64_t id;
    uint64_t check;
};

#define ID(w, n) ((uint64_t)(w) << 48 | (uint64_t)(n))
#define ID_SENDER(id) ((int)((id) >> 48))
#define ID_COUNTER(id) ((int64_t)((id) & (((uint64_t)1 << 48) - 1)))

static uint64_t
check_of(uint64_t id) {
    uint64_t x = id ^ 0x5851F42D4C957F2DULL;
    x ^= x >> 33;
    x *= 0xFF51AFD7ED558CCDULL;
    return x ^ x >> 29;
}

static const unsigned char FILL = 0xA5;

static bool
is_fill(const struct msg *m) {
    const unsigned char *p = (const unsigned char *)m;
    for (size_t i = 0; i < sizeof *m; i++)
        if (p[i] != FILL)
            return false;
    return true;
}

static bool
is_zero(const struct msg *m) {
    return m->id == 0 && m->check == 0;
}

struct shared {
    goc_chan *ch[NCHAN];
    goc_chan *tick;           /* main ticks it so that no select waits forever */
    atomic_int closed[NCHAN]; /* seq_cst: set before main closes ch[i] */
    atomic_int finished;
    atomic_llong iterations;
    int64_t iters, max_counter;
};

/* Per worker: what it sent (sent_ch[counter] = channel + 1 once accepted) and what it got. */
struct worker {
    struct shared *s;
    int id;
    unsigned char *sent_ch;
    int64_t next_counter;
    /* received: (channel, id) pairs */
    uint64_t *recv_id;
    unsigned char *recv_ch;
    int64_t nrecv, recv_cap;
    int64_t last[NCHAN][WORKERS + 1]; /* last counter received per channel and sender */
};

static void
record_recv(struct worker *w, int ch, const struct msg *m) {
    if (m->check != check_of(m->id)) {
        fprintf(stderr, "worker %d: corrupted message %#llx from channel %d\n", w->id,
                (unsigned long long)m->id, ch);
        exit(1);
    }
    int sender = ID_SENDER(m->id);
    int64_t counter = ID_COUNTER(m->id);
    CHECK_OR_RETURN(sender >= 0 && sender < WORKERS && counter >= 0 && counter < w->s->max_counter);
    if (counter <= w->last[ch][sender]) {
        fprintf(stderr, "channel %d: sender %d counter %lld received after %lld\n", ch, sender,
                (long long)counter, (long long)w->last[ch][sender]);
        exit(1);
    }
    w->last[ch][sender] = counter;
    if (w->nrecv == w->recv_cap) {
        w->recv_cap = w->recv_cap ? 2 * w->recv_cap : 1024;
        w->recv_id = test_realloc(w->recv_id, (size_t)w->recv_cap * sizeof *w->recv_id);
        w->recv_ch = test_realloc(w->recv_ch, (size_t)w->recv_cap);
    }
    w->recv_id[w->nrecv] = m->id;
    w->recv_ch[w->nrecv] = (unsigned char)ch;
    w->nrecv++;
}

static void
check_closed(struct shared *s, int ch) {
    if (!atomic_load_explicit(&s->closed[ch], memory_order_seq_cst)) {
        fprintf(stderr, "channel %d reported closed, but nobody closed it\n", ch);
        exit(1);
    }
}

static int
chan_index(struct shared *s, goc_chan *c) {
    for (int i = 0; i < NCHAN; i++)
        if (s->ch[i] == c)
            return i;
    return -1;
}

static void
one_select(struct worker *w, uint64_t *rng) {
    struct shared *s = w->s;
    goc_case cases[MAXCASES + 1];
    struct msg vals[MAXCASES + 1];
    int64_t counters[MAXCASES + 1];
    size_t n = 1 + test_rand(rng) % MAXCASES;
    for (size_t i = 0; i < n; i++) {
        int ch = (int)(test_rand(rng) % NCHAN);
        goc_chan *c = test_rand(rng) % 10 == 0 ? NULL : s->ch[ch];
        if (test_rand(rng) % 2) {
            counters[i] = w->next_counter++;
            vals[i].id = ID(w->id, counters[i]);
            vals[i].check = check_of(vals[i].id);
            cases[i] = GOC_SEND(c, &vals[i]);
        } else {
            counters[i] = -1;
            memset(&vals[i], FILL, sizeof vals[i]);
            cases[i] = GOC_RECV(c, &vals[i]);
        }
    }
    int64_t timeout;
    unsigned pick = (unsigned)(test_rand(rng) % 100);
    if (pick < 35) {
        timeout = 0;
    } else if (pick < 75) {
        timeout = 1 + (int64_t)(test_rand(rng) % 100) * US;
    } else {
        static const int64_t forever[] = {-1, -2, -1000000, INT64_MIN};
        timeout = forever[test_rand(rng) % 4];
        counters[n] = -1;
        memset(&vals[n], FILL, sizeof vals[n]);
        cases[n++] = GOC_RECV(s->tick, NULL);
    }
    int rc = goc_select(cases, n, timeout);
    if (rc == GOC_WOULDBLOCK || rc == GOC_TIMEDOUT) {
        CHECK(timeout >= 0);
        CHECK_EQ(rc, timeout == 0 ? GOC_WOULDBLOCK : GOC_TIMEDOUT);
    } else {
        CHECK_OR_RETURN(rc >= 0 && (size_t)rc < n);
        goc_case *k = &cases[rc];
        CHECK_OR_RETURN(k->ch != NULL);
        int ch = chan_index(s, k->ch);
        if (k->ch == s->tick) {
            CHECK(k->ok);
        } else if (k->dir == GOC_CASE_SEND) {
            CHECK_OR_RETURN(ch >= 0);
            if (k->ok)
                w->sent_ch[counters[rc]] = (unsigned char)(ch + 1);
            else
                check_closed(s, ch);
        } else {
            CHECK_OR_RETURN(ch >= 0);
            if (k->ok) {
                record_recv(w, ch, &vals[rc]);
            } else {
                check_closed(s, ch);
                CHECK(is_zero(&vals[rc]));
            }
        }
    }
    /* Only the chosen case's element was written. */
    for (size_t i = 0; i < n; i++) {
        if ((int)i != rc && cases[i].dir == GOC_CASE_RECV && cases[i].ch != s->tick)
            CHECK(is_fill(&vals[i]));
    }
}

static void
one_try(struct worker *w, uint64_t *rng) {
    struct shared *s = w->s;
    int ch = (int)(test_rand(rng) % NCHAN);
    struct msg m;
    if (test_rand(rng) % 2) {
        int64_t counter = w->next_counter++;
        m.id = ID(w->id, counter);
        m.check = check_of(m.id);
        int rc = goc_chan_try_send(s->ch[ch], &m);
        if (rc == GOC_OK)
            w->sent_ch[counter] = (unsigned char)(ch + 1);
        else if (rc == GOC_CLOSED)
            check_closed(s, ch);
        else
            CHECK_STATUS(rc, GOC_WOULDBLOCK);
    } else {
        memset(&m, FILL, sizeof m);
        int rc = goc_chan_try_recv(s->ch[ch], &m);
        if (rc == GOC_OK) {
            record_recv(w, ch, &m);
        } else if (rc == GOC_CLOSED) {
            check_closed(s, ch);
            CHECK(is_zero(&m));
        } else {
            CHECK_STATUS(rc, GOC_WOULDBLOCK);
            CHECK(is_fill(&m));
        }
    }
}

static void *
worker_thread(void *arg) {
    struct worker *w = arg;
    uint64_t rng = 0x243F6A8885A308D3ULL * (uint64_t)(w->id + 1);
    for (int64_t i = 0; i < w->s->iters; i++) {
        if (test_rand(&rng) % 8 == 0)
            one_try(w, &rng);
        else
            one_select(w, &rng);
        atomic_fetch_add_explicit(&w->s->iterations, 1, memory_order_relaxed);
    }
    atomic_fetch_add_explicit(&w->s->finished, 1, memory_order_release);
    return NULL;
}

static void
run(int round) {
    struct shared s;
    s.iters = TEST_SCALE(100000, 20);
    s.max_counter = s.iters * MAXCASES + s.iters;
    for (int i = 0; i < NCHAN; i++) {
        s.ch[i] = goc_chan_make(sizeof(struct msg), chan_caps[i]);
        CHECK_OR_RETURN(s.ch[i] != NULL);
        atomic_init(&s.closed[i], 0);
    }
    s.tick = goc_chan_make(0, 0);
    CHECK_OR_RETURN(s.tick != NULL);
    atomic_init(&s.finished, 0);
    atomic_init(&s.iterations, 0);

    /* The drain at the end is receiver WORKERS. */
    struct worker *ws = test_calloc(WORKERS + 1, sizeof *ws);
    pthread_t t[WORKERS];
    for (int i = 0; i <= WORKERS; i++) {
        ws[i].s = &s;
        ws[i].id = i;
        ws[i].sent_ch = test_calloc((size_t)s.max_counter, 1);
        for (int c = 0; c < NCHAN; c++)
            for (int p = 0; p <= WORKERS; p++)
                ws[i].last[c][p] = -1;
    }
    for (int i = 0; i < WORKERS; i++)
        t[i] = test_spawn(worker_thread, &ws[i]);

    /* Close the closing channels once a quarter (round 0) or half (round 1) of the work is
     * done; tick so that selects waiting forever always wake up eventually. */
    long long close_at = s.iters * WORKERS / (round == 0 ? 4 : 2);
    bool closed_yet = false;
    while (atomic_load_explicit(&s.finished, memory_order_acquire) < WORKERS) {
        if (!closed_yet && atomic_load_explicit(&s.iterations, memory_order_relaxed) >= close_at) {
            for (int i = 0; i < NCHAN; i++) {
                if (chan_closes[i]) {
                    atomic_store_explicit(&s.closed[i], 1, memory_order_seq_cst);
                    CHECK_STATUS(goc_chan_close(s.ch[i]), GOC_OK);
                }
            }
            closed_yet = true;
        }
        char dummy = 0;
        (void)goc_chan_try_send(s.tick, &dummy);
        test_sleep_ns(200 * US);
    }
    for (int i = 0; i < WORKERS; i++)
        test_join(t[i]);

    /* Drain what is still buffered. */
    struct worker *drain = &ws[WORKERS];
    for (int c = 0; c < NCHAN; c++) {
        struct msg m;
        int rc;
        while ((rc = goc_chan_try_recv(s.ch[c], &m)) == GOC_OK)
            record_recv(drain, c, &m);
        CHECK_STATUS(rc, chan_closes[c] && closed_yet ? GOC_CLOSED : GOC_WOULDBLOCK);
        CHECK_EQ(goc_chan_len(s.ch[c]), 0);
    }

    /* Exactly once, from the channel it was sent on. */
    unsigned char **got = test_calloc(WORKERS, sizeof *got);
    for (int p = 0; p < WORKERS; p++) {
        got[p] = test_calloc((size_t)s.max_counter, 1);
    }
    int64_t total_recv = 0, total_sent = 0;
    for (int i = 0; i <= WORKERS; i++) {
        for (int64_t k = 0; k < ws[i].nrecv; k++) {
            uint64_t id = ws[i].recv_id[k];
            int p = ID_SENDER(id);
            int64_t n = ID_COUNTER(id);
            if (ws[p].sent_ch[n] != ws[i].recv_ch[k] + 1) {
                fprintf(stderr,
                        "message %d/%lld received on channel %d, sent on %d (0: never "
                        "accepted)\n",
                        p, (long long)n, ws[i].recv_ch[k], ws[p].sent_ch[n] - 1);
                exit(1);
            }
            if (++got[p][n] != 1) {
                fprintf(stderr, "message %d/%lld received twice\n", p, (long long)n);
                exit(1);
            }
            total_recv++;
        }
    }
    for (int p = 0; p < WORKERS; p++) {
        for (int64_t n = 0; n < s.max_counter; n++) {
            if (ws[p].sent_ch[n] == 0)
                continue;
            total_sent++;
            if (got[p][n] != 1) {
                fprintf(stderr, "message %d/%lld accepted on channel %d but never received\n", p,
                        (long long)n, ws[p].sent_ch[n] - 1);
                exit(1);
            }
        }
    }
    CHECK_EQ(total_recv, total_sent);
    CHECK(total_sent > 0);
    printf("select_stress round %d: %lld messages\n", round, (long long)total_sent);

    for (int p = 0; p < WORKERS; p++)
        free(got[p]);
    free(got);
    for (int i = 0; i <= WORKERS; i++) {
        free(ws[i].sent_ch);
        free(ws[i].recv_id);
        free(ws[i].recv_ch);
    }
    free(ws);
    for (int i = 0; i < NCHAN; i++)
        goc_chan_free(s.ch[i]);
    goc_chan_free(s.tick);
}

/* A receive that does not complete leaves its element alone, even when it raced with a partner
 * that gave up at the same moment: senders make single-case selects with short timeouts (their
 * value staged, the partner's fast path), receivers make non-blocking receives (try_recv and a
 * select with default) and check that GOC_WOULDBLOCK left the element as it was. */
struct giveup {
    goc_chan *c;
    atomic_int stop;
    int64_t received;
};

static void *
giveup_sender(void *arg) {
    struct giveup *g = arg;
    uint64_t rng = 0x9E3779B97F4A7C15ULL ^ (uint64_t)(uintptr_t)&rng;
    for (uint64_t i = 1; !atomic_load_explicit(&g->stop, memory_order_relaxed); i++) {
        struct msg m = {i, check_of(i)};
        goc_case k[] = {GOC_SEND(g->c, &m)};
        int rc = goc_select(k, 1, 1 * US + (int64_t)(test_rand(&rng) % 100) * US);
        CHECK(rc == 0 || rc == GOC_TIMEDOUT);
    }
    return NULL;
}

static void *
giveup_receiver(void *arg) {
    struct giveup *g = arg;
    int64_t got = 0;
    for (uint64_t n = 0; !atomic_load_explicit(&g->stop, memory_order_relaxed); n++) {
        struct msg m;
        memset(&m, FILL, sizeof m);
        int rc;
        if (n % 2) {
            rc = goc_chan_try_recv(g->c, &m);
        } else {
            goc_case k[] = {GOC_RECV(g->c, &m)};
            rc = goc_select(k, 1, 0);
            rc = rc == 0 ? GOC_OK : rc;
        }
        if (rc == GOC_WOULDBLOCK) {
            if (!is_fill(&m)) {
                fprintf(stderr,
                        "a %s that returned GOC_WOULDBLOCK wrote message %llu into its "
                        "element\n",
                        n % 2 ? "goc_chan_try_recv" : "goc_select with default",
                        (unsigned long long)m.id);
                exit(1);
            }
        } else {
            CHECK_STATUS(rc, GOC_OK);
            CHECK(m.check == check_of(m.id));
            got++;
        }
        sched_yield();
    }
    return (void *)(intptr_t)got;
}

static void
run_giveup(void) {
    struct giveup g = {goc_chan_make(sizeof(struct msg), 0), 0, 0};
    CHECK_OR_RETURN(g.c != NULL);
    pthread_t t[6];
    for (int i = 0; i < 6; i++)
        t[i] = test_spawn(i < 4 ? giveup_sender : giveup_receiver, &g);
    test_sleep_ns(1500 * MS);
    atomic_store_explicit(&g.stop, 1, memory_order_relaxed);
    for (int i = 0; i < 6; i++)
        test_join(t[i]);
    goc_chan_free(g.c);
    printf("select_stress give-up race: done\n");
}

int
main(void) {
    int64_t t0 = test_now_ns();
    run(0);
    run(1);
    run_giveup();
    printf("select_stress: %.1f s\n", (double)(test_now_ns() - t0) / 1e9);
    return check_result("select_stress");
}
