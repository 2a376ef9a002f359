/* SPDX-License-Identifier: MIT */
/* Channel conformance in the spirit of Go's runtime/chan_test.go (TestChan, TestNonblockRecvRace,
 * TestMultiConsumer): every capacity 0..100, close waking blocked senders and receivers, many
 * producers and consumers. The same through select is in select_conformance_test.c. */
#include "testutil.h"

#define MS ((int64_t)1000 * 1000)
#define MAX_CAP 100

static goc_chan *
make_chan(size_t elem_size, size_t cap) {
    goc_chan *ch = goc_chan_make(elem_size, cap);
    CHECK(ch != NULL);
    return ch;
}

/* A blocking operation on its own thread (see chan_test.c). */
struct op {
    goc_chan *ch;
    bool send;
    int64_t value;
    int rc;
    atomic_int started; /* release; pairs with test_wait_flag */
    atomic_int done;    /* release; pairs with the acquire load in op_done */
    pthread_t thread;
};

static void *
op_thread(void *arg) {
    struct op *op = arg;
    atomic_store_explicit(&op->started, 1, memory_order_release);
    op->rc = op->send ? goc_chan_send(op->ch, &op->value) : goc_chan_recv(op->ch, &op->value);
    atomic_store_explicit(&op->done, 1, memory_order_release);
    return NULL;
}

static void
op_start(struct op *op, goc_chan *ch, bool send, int64_t value) {
    op->ch = ch;
    op->send = send;
    op->value = value;
    op->rc = 1000;
    atomic_init(&op->started, 0);
    atomic_init(&op->done, 0);
    op->thread = test_spawn(op_thread, op);
    test_wait_flag(&op->started);
}

static bool
op_done(struct op *op) {
    return atomic_load_explicit(&op->done, memory_order_acquire) != 0;
}

static void
op_join(struct op *op) {
    test_join(op->thread);
    CHECK(op_done(op));
}

static void
fail_cap(size_t cap, const char *what) {
    fprintf(stderr, "chan[%zu]: %s\n", cap, what);
    exit(1);
}

/* ---- TestChan, for every capacity ----------------------------------------------------------- */

/* Receive from an empty channel blocks; non-blocking receive does not. */
static void
chan_recv_empty_blocks(size_t cap) {
    goc_chan *c = make_chan(sizeof(int64_t), cap);
    struct op r1, r2;
    op_start(&r1, c, false, -1);
    op_start(&r2, c, false, -1);
    test_sleep_ns(1 * MS);
    if (op_done(&r1) || op_done(&r2))
        fail_cap(cap, "receive from empty chan");
    int64_t v = 0;
    if (goc_chan_try_recv(c, &v) != GOC_WOULDBLOCK)
        fail_cap(cap, "try_recv from empty chan");
    if (goc_chan_try_recv(c, NULL) != GOC_WOULDBLOCK)
        fail_cap(cap, "try_recv(NULL) from empty chan");
    CHECK_STATUS(goc_chan_send(c, &v), GOC_OK);
    CHECK_STATUS(goc_chan_send(c, &v), GOC_OK);
    op_join(&r1);
    op_join(&r2);
    CHECK_STATUS(r1.rc, GOC_OK);
    CHECK_STATUS(r2.rc, GOC_OK);
    CHECK_EQ(r1.value, 0);
    CHECK_EQ(r2.value, 0);
    goc_chan_free(c);
}

/* Send to a full channel blocks; non-blocking send does not. */
static void
chan_send_full_blocks(size_t cap) {
    goc_chan *c = make_chan(sizeof(int64_t), cap);
    for (int64_t i = 0; i < (int64_t)cap; i++) {
        if (goc_chan_try_send(c, &i) != GOC_OK)
            fail_cap(cap, "try_send to a chan with room");
    }
    struct op s;
    op_start(&s, c, true, 0);
    test_sleep_ns(1 * MS);
    if (op_done(&s))
        fail_cap(cap, "send to full chan");
    int64_t v = 0;
    if (goc_chan_try_send(c, &v) != GOC_WOULDBLOCK)
        fail_cap(cap, "try_send to full chan");
    CHECK_STATUS(goc_chan_recv(c, &v), GOC_OK);
    op_join(&s);
    CHECK_STATUS(s.rc, GOC_OK);
    goc_chan_free(c);
}

/* Receives from a closed channel drain in order, then give GOC_CLOSED and 0, every time. */
static void
chan_closed_drains(size_t cap) {
    goc_chan *c = make_chan(sizeof(int64_t), cap);
    for (int64_t i = 0; i < (int64_t)cap; i++)
        CHECK_STATUS(goc_chan_send(c, &i), GOC_OK);
    CHECK_STATUS(goc_chan_close(c), GOC_OK);
    CHECK_EQ(goc_chan_len(c), cap);
    int64_t v = 5;
    if (goc_chan_send(c, &v) != GOC_CLOSED || goc_chan_try_send(c, &v) != GOC_CLOSED)
        fail_cap(cap, "send on closed chan");
    for (int64_t i = 0; i < (int64_t)cap; i++) {
        v = -1;
        int rc = i % 2 ? goc_chan_try_recv(c, &v) : goc_chan_recv(c, &v);
        if (rc != GOC_OK || v != i)
            fail_cap(cap, "drain of closed chan");
    }
    for (int k = 0; k < 2; k++) {
        v = 7;
        if (goc_chan_recv(c, &v) != GOC_CLOSED || v != 0)
            fail_cap(cap, "recv from closed, drained chan");
        v = 7;
        if (goc_chan_try_recv(c, &v) != GOC_CLOSED || v != 0)
            fail_cap(cap, "try_recv from closed, drained chan");
    }
    CHECK_STATUS(goc_chan_close(c), GOC_CLOSED);
    goc_chan_free(c);
}

/* close unblocks a receive. */
static void
chan_close_unblocks_recv(size_t cap) {
    goc_chan *c = make_chan(sizeof(int64_t), cap);
    struct op r;
    op_start(&r, c, false, 42);
    test_sleep_ns(1 * MS);
    CHECK_STATUS(goc_chan_close(c), GOC_OK);
    op_join(&r);
    if (r.rc != GOC_CLOSED || r.value != 0)
        fail_cap(cap, "close did not unblock recv with GOC_CLOSED and 0");
    goc_chan_free(c);
}

/* close unblocks a send on a full channel; the buffered values survive. */
static void
chan_close_unblocks_send(size_t cap) {
    goc_chan *c = make_chan(sizeof(int64_t), cap);
    for (int64_t i = 0; i < (int64_t)cap; i++)
        CHECK_STATUS(goc_chan_send(c, &i), GOC_OK);
    struct op s;
    op_start(&s, c, true, -5);
    test_sleep_ns(1 * MS);
    CHECK_STATUS(goc_chan_close(c), GOC_OK);
    op_join(&s);
    if (s.rc != GOC_CLOSED)
        fail_cap(cap, "close did not unblock send with GOC_CLOSED");
    int64_t v, n = 0;
    GOC_RANGE(c, &v) {
        if (v != n)
            fail_cap(cap, "buffered values after close");
        n++;
    }
    if (n != (int64_t)cap)
        fail_cap(cap, "values lost or added by close");
    goc_chan_free(c);
}

struct seq_sender {
    goc_chan *ch;
    int64_t first, count;
};

static void *
seq_sender_thread(void *arg) {
    struct seq_sender *s = arg;
    for (int64_t i = 0; i < s->count; i++) {
        int64_t v = s->first + i;
        CHECK_STATUS(goc_chan_send(s->ch, &v), GOC_OK);
    }
    return NULL;
}

struct counting_receiver {
    goc_chan *ch;
    int64_t count, range;
    int *seen; /* seen[v] incremented for each v received */
};

static void *
counting_receiver_thread(void *arg) {
    struct counting_receiver *r = arg;
    for (int64_t i = 0; i < r->count; i++) {
        int64_t v = -1;
        CHECK_STATUS(goc_chan_recv(r->ch, &v), GOC_OK);
        if (!CHECK(v >= 0 && v < r->range))
            continue; /* counted as a failure, not as a value */
        r->seen[v]++;
    }
    return NULL;
}

/* 100 values from one sender arrive uncorrupted in FIFO order (twice, as Go checks recv and
 * recv2); then 4 senders x L values to 4 receivers: each value arrives 4 times in total. */
static void
chan_fifo_and_fan(size_t cap) {
    goc_chan *c = make_chan(sizeof(int64_t), cap);
    for (int round = 0; round < 2; round++) {
        struct seq_sender s = {c, 0, 100};
        pthread_t t = test_spawn(seq_sender_thread, &s);
        for (int64_t i = 0; i < 100; i++) {
            int64_t v = -1;
            int rc = round == 0 ? goc_chan_recv(c, &v) : goc_chan_try_recv(c, &v);
            if (rc == GOC_WOULDBLOCK) {
                i--;
                continue;
            }
            if (rc != GOC_OK || v != i)
                fail_cap(cap, "FIFO order");
        }
        test_join(t);
    }

    enum { P = 4 };
    const int64_t L = TEST_SCALE(1000, 10);
    struct seq_sender senders[P];
    struct counting_receiver receivers[P];
    pthread_t st[P], rt[P];
    for (int p = 0; p < P; p++) {
        senders[p] = (struct seq_sender){c, 0, L};
        receivers[p] = (struct counting_receiver){c, L, L, test_calloc((size_t)L, sizeof(int))};
        st[p] = test_spawn(seq_sender_thread, &senders[p]);
        rt[p] = test_spawn(counting_receiver_thread, &receivers[p]);
    }
    for (int p = 0; p < P; p++) {
        test_join(st[p]);
        test_join(rt[p]);
    }
    for (int64_t v = 0; v < L; v++) {
        int total = 0;
        for (int p = 0; p < P; p++)
            total += receivers[p].seen[v];
        if (total != P)
            fail_cap(cap, "4 senders, 4 receivers: a value was lost or duplicated");
    }
    for (int p = 0; p < P; p++)
        free(receivers[p].seen);
    CHECK_EQ(goc_chan_len(c), 0);
    goc_chan_free(c);
}

/* len and cap. */
static void
chan_len_cap(size_t cap) {
    goc_chan *c = make_chan(sizeof(int64_t), cap);
    if (goc_chan_len(c) != 0 || goc_chan_cap(c) != cap)
        fail_cap(cap, "len/cap of new chan");
    for (int64_t i = 0; i < (int64_t)cap; i++)
        CHECK_STATUS(goc_chan_send(c, &i), GOC_OK);
    if (goc_chan_len(c) != cap || goc_chan_cap(c) != cap)
        fail_cap(cap, "len/cap of full chan");
    for (size_t i = cap; i > 0; i--) {
        CHECK_STATUS(goc_chan_recv(c, NULL), GOC_OK);
        if (goc_chan_len(c) != i - 1)
            fail_cap(cap, "len while draining");
    }
    goc_chan_free(c);
}

static void
test_every_capacity(void) {
    for (size_t cap = 0; cap <= MAX_CAP; cap++) {
        chan_recv_empty_blocks(cap);
        chan_send_full_blocks(cap);
        chan_closed_drains(cap);
        chan_close_unblocks_recv(cap);
        chan_close_unblocks_send(cap);
        chan_fifo_and_fan(cap);
        chan_len_cap(cap);
    }
}

/* ---- TestNonblockRecvRace ------------------------------------------------------------------ */

/* A value buffered before close is there to take: a try_recv racing with the close and with
 * another receive may get it or see GOC_CLOSED, never GOC_WOULDBLOCK. */
static void *
nonblock_recv_thread(void *arg) {
    goc_chan *c = arg;
    int rc = goc_chan_try_recv(c, NULL);
    if (rc != GOC_OK && rc != GOC_CLOSED) {
        fprintf(stderr, "try_recv racing with close: %s, want GOC_OK or GOC_CLOSED\n",
                goc_strstatus(rc));
        exit(1);
    }
    return NULL;
}

static void
test_nonblock_recv_race(void) {
    int n = TEST_SCALE(2000, 10);
    static const size_t caps[] = {1, 2, 16};
    for (size_t ci = 0; ci < 3; ci++) {
        for (int i = 0; i < n; i++) {
            goc_chan *c = make_chan(sizeof(int64_t), caps[ci]);
            int64_t v = 1;
            CHECK_STATUS(goc_chan_send(c, &v), GOC_OK);
            pthread_t t = test_spawn(nonblock_recv_thread, c);
            CHECK_STATUS(goc_chan_close(c), GOC_OK);
            int rc = goc_chan_recv(c, NULL);
            CHECK(rc == GOC_OK || rc == GOC_CLOSED);
            test_join(t);
            goc_chan_free(c);
        }
    }
}

/* The non-blocking send side: with room in the buffer, try_send racing with a receiver never
 * reports GOC_WOULDBLOCK. */
struct room_keeper {
    goc_chan *c;
    int n;
};

static void *
room_keeper_thread(void *arg) {
    struct room_keeper *k = arg;
    for (int i = 0; i < k->n; i++)
        CHECK_STATUS(goc_chan_recv(k->c, NULL), GOC_OK);
    return NULL;
}

static void
test_nonblock_send_room(void) {
    goc_chan *c = make_chan(sizeof(int64_t), 2);
    struct room_keeper k = {c, TEST_SCALE(100000, 20)};
    pthread_t t = test_spawn(room_keeper_thread, &k);
    for (int i = 0; i < k.n; i++) {
        int64_t v = i;
        /* Only this thread sends, so once len <= 1 a slot stays free until our send. */
        while (goc_chan_len(c) > 1)
            sched_yield();
        CHECK_STATUS(goc_chan_try_send(c, &v), GOC_OK);
    }
    test_join(t);
    goc_chan_free(c);
}

/* ---- close wakes every blocked sender and receiver ----------------------------------------- */

static void
test_close_wakes_all(void) {
    enum { W = 8 };
    static const size_t caps[] = {0, 1, 16};
    for (size_t ci = 0; ci < 3; ci++) {
        size_t cap = caps[ci];
        /* Receivers on an empty channel. */
        goc_chan *c = make_chan(sizeof(int64_t), cap);
        struct op ops[W];
        for (int i = 0; i < W; i++)
            op_start(&ops[i], c, false, 100 + i);
        test_sleep_ns(5 * MS);
        for (int i = 0; i < W; i++)
            CHECK(!op_done(&ops[i]));
        CHECK_STATUS(goc_chan_close(c), GOC_OK);
        for (int i = 0; i < W; i++) {
            op_join(&ops[i]);
            CHECK_STATUS(ops[i].rc, GOC_CLOSED);
            CHECK_EQ(ops[i].value, 0);
        }
        goc_chan_free(c);

        /* Senders on a full channel. */
        c = make_chan(sizeof(int64_t), cap);
        for (int64_t i = 0; i < (int64_t)cap; i++)
            CHECK_STATUS(goc_chan_send(c, &i), GOC_OK);
        for (int i = 0; i < W; i++)
            op_start(&ops[i], c, true, 100 + i);
        test_sleep_ns(5 * MS);
        for (int i = 0; i < W; i++)
            CHECK(!op_done(&ops[i]));
        CHECK_STATUS(goc_chan_close(c), GOC_OK);
        for (int i = 0; i < W; i++) {
            op_join(&ops[i]);
            CHECK_STATUS(ops[i].rc, GOC_CLOSED);
        }
        int64_t v, n = 0;
        GOC_RANGE(c, &v) {
            CHECK_EQ(v, n);
            n++;
        }
        CHECK_EQ(n, (int64_t)cap);
        goc_chan_free(c);
    }
}

/* Close racing with blocked and arriving receivers and senders: every operation ends, senders
 * with GOC_OK or GOC_CLOSED, and every value a sender saw accepted is received exactly once. */
struct racer {
    goc_chan *c;
    int id;
    int64_t sent_ok, recv_sum, recv_n, sent_sum;
};

static void *
race_sender(void *arg) {
    struct racer *r = arg;
    for (int64_t i = 1;; i++) {
        int64_t v = (int64_t)r->id << 32 | i;
        int rc = goc_chan_send(r->c, &v);
        if (rc == GOC_CLOSED)
            return NULL;
        CHECK_STATUS(rc, GOC_OK);
        r->sent_ok++;
        r->sent_sum += v;
    }
}

static void *
race_receiver(void *arg) {
    struct racer *r = arg;
    int64_t v;
    GOC_RANGE(r->c, &v) {
        r->recv_n++;
        r->recv_sum += v;
    }
    CHECK_EQ(v, 0);
    CHECK_STATUS(goc_chan_recv(r->c, &v), GOC_CLOSED);
    return NULL;
}

static void
test_close_race(void) {
    enum { S = 3, R = 3 };
    int rounds = TEST_SCALE(60, 6);
    static const size_t caps[] = {0, 1, 16};
    for (int round = 0; round < rounds; round++) {
        goc_chan *c = make_chan(sizeof(int64_t), caps[round % 3]);
        struct racer rs[S + R];
        pthread_t t[S + R];
        for (int i = 0; i < S + R; i++) {
            rs[i] = (struct racer){.c = c, .id = i};
            t[i] = test_spawn(i < S ? race_sender : race_receiver, &rs[i]);
        }
        test_sleep_ns((round % 4) * MS / 2);
        CHECK_STATUS(goc_chan_close(c), GOC_OK);
        int64_t sent_n = 0, sent_sum = 0, recv_n = 0, recv_sum = 0;
        for (int i = 0; i < S + R; i++) {
            test_join(t[i]);
            sent_n += rs[i].sent_ok;
            sent_sum += rs[i].sent_sum;
            recv_n += rs[i].recv_n;
            recv_sum += rs[i].recv_sum;
        }
        CHECK_EQ(recv_n, sent_n);
        CHECK_EQ(recv_sum, sent_sum);
        goc_chan_free(c);
    }
}

/* ---- many producers and consumers ----------------------------------------------------------- */

/* A message names its producer (high 16 bits) and its sequence number (low 48). Each consumer
 * checks that, per producer, sequence numbers only grow (Go's per-sender FIFO); afterwards the
 * counts show every message received exactly once. */
#define MSG(p, seq) ((int64_t)(p) << 48 | (int64_t)(seq))
#define MSG_PRODUCER(m) ((int)((m) >> 48))
#define MSG_SEQ(m) ((m) & (((int64_t)1 << 48) - 1))

struct mpmc {
    goc_chan *c;
    int producers;
    int64_t per_producer;
};

struct mpmc_producer {
    struct mpmc *m;
    int id;
};

static void *
mpmc_producer_thread(void *arg) {
    struct mpmc_producer *p = arg;
    for (int64_t s = 0; s < p->m->per_producer; s++) {
        int64_t v = MSG(p->id, s);
        CHECK_STATUS(goc_chan_send(p->m->c, &v), GOC_OK);
    }
    return NULL;
}

struct mpmc_consumer {
    struct mpmc *m;
    unsigned char *seen; /* [producer * per_producer + seq] */
    int64_t *last;       /* last sequence number from each producer */
    int64_t received;
};

static void *
mpmc_consumer_thread(void *arg) {
    struct mpmc_consumer *c = arg;
    int64_t v;
    GOC_RANGE(c->m->c, &v) {
        int p = MSG_PRODUCER(v);
        int64_t s = MSG_SEQ(v);
        if (!CHECK(p >= 0 && p < c->m->producers) || !CHECK(s >= 0 && s < c->m->per_producer))
            continue;
        if (s <= c->last[p]) {
            fprintf(stderr, "producer %d: seq %lld received after %lld\n", p, (long long)s,
                    (long long)c->last[p]);
            exit(1);
        }
        c->last[p] = s;
        c->seen[(int64_t)p * c->m->per_producer + s]++;
        c->received++;
    }
    return NULL;
}

static void
run_mpmc(size_t cap, int producers, int consumers, int64_t per_producer) {
    struct mpmc m = {make_chan(sizeof(int64_t), cap), producers, per_producer};
    int64_t total = producers * per_producer;
    struct mpmc_producer *ps = test_calloc((size_t)producers, sizeof *ps);
    struct mpmc_consumer *cs = test_calloc((size_t)consumers, sizeof *cs);
    pthread_t *pt = test_calloc((size_t)producers, sizeof *pt);
    pthread_t *ct = test_calloc((size_t)consumers, sizeof *ct);
    for (int i = 0; i < consumers; i++) {
        cs[i].m = &m;
        cs[i].seen = test_calloc((size_t)total, 1);
        cs[i].last = test_malloc((size_t)producers * sizeof(int64_t));
        for (int p = 0; p < producers; p++)
            cs[i].last[p] = -1;
        ct[i] = test_spawn(mpmc_consumer_thread, &cs[i]);
    }
    for (int i = 0; i < producers; i++) {
        ps[i] = (struct mpmc_producer){&m, i};
        pt[i] = test_spawn(mpmc_producer_thread, &ps[i]);
    }
    for (int i = 0; i < producers; i++)
        test_join(pt[i]);
    CHECK_STATUS(goc_chan_close(m.c), GOC_OK);
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
            fprintf(stderr, "cap %zu, %dx%d: message (%lld, %lld) received %d times\n", cap,
                    producers, consumers, (long long)(k / per_producer),
                    (long long)(k % per_producer), n);
            exit(1);
        }
    }
    CHECK_EQ(received, total);
    for (int i = 0; i < consumers; i++) {
        free(cs[i].seen);
        free(cs[i].last);
    }
    free(ps);
    free(cs);
    free(pt);
    free(ct);
    goc_chan_free(m.c);
}

static void
test_mpmc(void) {
    static const size_t caps[] = {0, 1, 16, 1024};
    for (size_t ci = 0; ci < 4; ci++) {
        run_mpmc(caps[ci], 1, 1, TEST_SCALE(20000, 10));
        run_mpmc(caps[ci], 4, 4, TEST_SCALE(5000, 10));
        run_mpmc(caps[ci], 8, 3, TEST_SCALE(2000, 10));
        run_mpmc(caps[ci], 2, 9, TEST_SCALE(8000, 10));
    }
}

/* ---- TestMultiConsumer ---------------------------------------------------------------------- */

/* Go's TestMultiConsumer: a work queue q feeds nwork workers that pass each item on to r; the
 * count and sum of what comes out of r match what went into q. */
struct mc_worker {
    goc_chan *q, *r;
};

static void *
mc_worker_thread(void *arg) {
    struct mc_worker *w = arg;
    int64_t v;
    GOC_RANGE(w->q, &v) {
        CHECK_STATUS(goc_chan_send(w->r, &v), GOC_OK);
    }
    return NULL;
}

struct mc_collector {
    goc_chan *r;
    int64_t n, sum;
};

static void *
mc_collector_thread(void *arg) {
    struct mc_collector *c = arg;
    int64_t v;
    GOC_RANGE(c->r, &v) {
        c->n++;
        c->sum += v;
    }
    return NULL;
}

static void
test_multi_consumer(void) {
    enum { NWORK = 23 };
    const int64_t niter = TEST_SCALE(27182, 10);
    static const int64_t pn[] = {2, 3, 7, 11, 13, 17, 19, 23, 27, 31};
    goc_chan *q = make_chan(sizeof(int64_t), NWORK * 3);
    goc_chan *r = make_chan(sizeof(int64_t), NWORK * 3);
    struct mc_worker w = {q, r};
    pthread_t wt[NWORK];
    for (int i = 0; i < NWORK; i++)
        wt[i] = test_spawn(mc_worker_thread, &w);
    struct mc_collector col = {r, 0, 0};
    pthread_t ct = test_spawn(mc_collector_thread, &col);
    int64_t expect = 0;
    for (int64_t i = 0; i < niter; i++) {
        int64_t v = pn[i % 10];
        expect += v;
        CHECK_STATUS(goc_chan_send(q, &v), GOC_OK);
    }
    CHECK_STATUS(goc_chan_close(q), GOC_OK);
    for (int i = 0; i < NWORK; i++)
        test_join(wt[i]);
    CHECK_STATUS(goc_chan_close(r), GOC_OK);
    test_join(ct);
    CHECK_EQ(col.n, niter);
    CHECK_EQ(col.sum, expect);
    goc_chan_free(q);
    goc_chan_free(r);
}

int
main(void) {
    test_every_capacity();
    test_nonblock_recv_race();
    test_nonblock_send_room();
    test_close_wakes_all();
    test_close_race();
    test_mpmc();
    test_multi_consumer();
    return check_result("chan_conformance_test");
}
