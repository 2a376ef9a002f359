/* SPDX-License-Identifier: MIT */
/* Channel stress: producers and consumers mix every send and receive form on one channel, for
 * element sizes 0 to 64 KiB, while it closes at a random moment; checks exactly-once delivery,
 * per-producer order and intact elements. Multi-channel select mixes are in select_stress.c. */
#include "testutil.h"

#define US ((int64_t)1000)
#define MS ((int64_t)1000 * 1000)

/* A message names its producer (high 16 bits) and sequence number (low 48); elements of 8
 * bytes or more carry it in their first 8 bytes and a pattern derived from it in the rest. */
#define MSG(p, seq) ((uint64_t)(p) << 48 | (uint64_t)(seq))
#define MSG_PRODUCER(m) ((int)((m) >> 48))
#define MSG_SEQ(m) ((int64_t)((m) & (((uint64_t)1 << 48) - 1)))

static unsigned char
pattern_byte(uint64_t msg, size_t i) {
    uint64_t x = msg * 0x9E3779B97F4A7C15ULL + i * 0xBF58476D1CE4E5B9ULL;
    return (unsigned char)(x >> 56 ^ x >> 23);
}

static void
encode(unsigned char *elem, size_t size, uint64_t msg) {
    if (size >= 8) {
        memcpy(elem, &msg, 8);
        for (size_t i = 8; i < size; i++)
            elem[i] = pattern_byte(msg, i);
    } else if (size > 0) {
        for (size_t i = 0; i < size; i++)
            elem[i] = pattern_byte(msg, i);
    }
}

/* For elements of 8 bytes or more: the message, after checking every byte. */
static uint64_t
decode(const unsigned char *elem, size_t size) {
    uint64_t msg;
    memcpy(&msg, elem, 8);
    for (size_t i = 8; i < size; i++) {
        if (elem[i] != pattern_byte(msg, i)) {
            fprintf(stderr, "size %zu: byte %zu of message %#llx corrupted\n", size, i,
                    (unsigned long long)msg);
            exit(1);
        }
    }
    return msg;
}

static bool
all_zero(const unsigned char *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0)
            return false;
    return true;
}

struct run {
    goc_chan *c, *idle;
    size_t size;
    int producers;
    int64_t max_per_producer;
};

struct producer {
    struct run *r;
    int id;
    int64_t sent_ok;   /* sequence numbers 0 .. sent_ok-1 were accepted */
    uint64_t byte_sum; /* for elements under 8 bytes: sum of the accepted bytes */
    bool saw_closed;
};

/* One send in a randomly chosen form; GOC_OK or GOC_CLOSED. */
static int
send_one(struct run *r, const unsigned char *elem, uint64_t *rng) {
    switch (test_rand(rng) % 5) {
    case 0:
        return goc_chan_send(r->c, elem);
    case 1:
        for (int k = 0; k < 4; k++) {
            int rc = goc_chan_try_send(r->c, elem);
            if (rc != GOC_WOULDBLOCK)
                return rc;
            sched_yield();
        }
        return goc_chan_send(r->c, elem);
    case 2: {
        int64_t idle_out;
        goc_case cases[] = {GOC_RECV(r->idle, &idle_out), GOC_SEND((goc_chan *)NULL, elem),
                            GOC_SEND(r->c, elem)};
        int rc = goc_select(cases, 3, -1);
        CHECK_EQ(rc, 2);
        return cases[2].ok ? GOC_OK : GOC_CLOSED;
    }
    case 3:
        for (;;) {
            goc_case cases[] = {GOC_SEND(r->c, elem)};
            int rc = goc_select(cases, 1, 1 + (int64_t)(test_rand(rng) % 50) * US);
            if (rc == GOC_TIMEDOUT)
                continue;
            CHECK_EQ(rc, 0);
            return cases[0].ok ? GOC_OK : GOC_CLOSED;
        }
    default:
        for (;;) {
            goc_case cases[] = {GOC_SEND(r->c, elem)};
            int rc = goc_select(cases, 1, 0);
            if (rc == GOC_WOULDBLOCK) {
                sched_yield();
                if (test_rand(rng) % 8 == 0)
                    return goc_chan_send(r->c, elem);
                continue;
            }
            CHECK_EQ(rc, 0);
            return cases[0].ok ? GOC_OK : GOC_CLOSED;
        }
    }
}

static void *
producer_thread(void *arg) {
    struct producer *p = arg;
    struct run *r = p->r;
    uint64_t rng = 0x1234567ULL + (uint64_t)p->id * 0x9E3779B97F4A7C15ULL + r->size;
    unsigned char *elem = test_malloc(r->size ? r->size : 1);
    for (int64_t s = 0; s < r->max_per_producer; s++) {
        uint64_t msg = MSG(p->id, s);
        encode(elem, r->size, msg);
        int rc = send_one(r, elem, &rng);
        if (rc == GOC_CLOSED) {
            p->saw_closed = true;
            /* Closed stays closed. */
            CHECK_STATUS(goc_chan_try_send(r->c, elem), GOC_CLOSED);
            CHECK_STATUS(goc_chan_send(r->c, elem), GOC_CLOSED);
            break;
        }
        CHECK_STATUS(rc, GOC_OK);
        p->sent_ok++;
        for (size_t i = 0; i < r->size && r->size < 8; i++)
            p->byte_sum += elem[i];
    }
    free(elem);
    return NULL;
}

struct consumer {
    struct run *r;
    int id;
    int64_t *last;        /* last sequence number seen from each producer */
    unsigned char **seen; /* seen[p][seq] (elements of 8 bytes or more) */
    int64_t received;
    uint64_t byte_sum;
};

/* One receive in a randomly chosen form; GOC_OK or GOC_CLOSED (out then zeroed). */
static int
recv_one(struct run *r, unsigned char *out, uint64_t *rng) {
    switch (test_rand(rng) % 5) {
    case 0:
        return goc_chan_recv(r->c, out);
    case 1:
        for (int k = 0; k < 4; k++) {
            int rc = goc_chan_try_recv(r->c, out);
            if (rc != GOC_WOULDBLOCK)
                return rc;
            sched_yield();
        }
        return goc_chan_recv(r->c, out);
    case 2: {
        int64_t idle_out;
        goc_case cases[] = {GOC_RECV(r->c, out), GOC_RECV((goc_chan *)NULL, NULL),
                            GOC_RECV(r->idle, &idle_out)};
        int rc = goc_select(cases, 3, -1);
        CHECK_EQ(rc, 0);
        return cases[0].ok ? GOC_OK : GOC_CLOSED;
    }
    case 3:
        for (;;) {
            goc_case cases[] = {GOC_RECV(r->c, out)};
            int rc = goc_select(cases, 1, 1 + (int64_t)(test_rand(rng) % 50) * US);
            if (rc == GOC_TIMEDOUT)
                continue;
            CHECK_EQ(rc, 0);
            return cases[0].ok ? GOC_OK : GOC_CLOSED;
        }
    default:
        /* Two cases on the same channel. */
        for (;;) {
            goc_case cases[] = {GOC_RECV(r->c, out), GOC_RECV(r->c, out)};
            int rc = goc_select(cases, 2, 0);
            if (rc == GOC_WOULDBLOCK) {
                sched_yield();
                if (test_rand(rng) % 8 == 0)
                    return goc_chan_recv(r->c, out);
                continue;
            }
            CHECK_OR_RETURN(rc == 0 || rc == 1, rc < 0 ? rc : GOC_EINVAL);
            return cases[rc].ok ? GOC_OK : GOC_CLOSED;
        }
    }
}

static void *
consumer_thread(void *arg) {
    struct consumer *c = arg;
    struct run *r = c->r;
    uint64_t rng = 0xABCDEFULL + (uint64_t)c->id * 0xD1B54A32D192ED03ULL + r->size;
    unsigned char *out = test_malloc(r->size + 1);
    for (;;) {
        memset(out, 0xA5, r->size + 1);
        int rc = recv_one(r, out, &rng);
        CHECK_EQ(out[r->size], 0xA5); /* nothing written past the element */
        if (rc == GOC_CLOSED) {
            CHECK(all_zero(out, r->size));
            /* Closed and drained stays so. */
            memset(out, 0xA5, r->size);
            CHECK_STATUS(goc_chan_try_recv(r->c, out), GOC_CLOSED);
            CHECK(all_zero(out, r->size));
            CHECK_STATUS(goc_chan_recv(r->c, NULL), GOC_CLOSED);
            break;
        }
        CHECK_STATUS(rc, GOC_OK);
        c->received++;
        if (r->size >= 8) {
            uint64_t msg = decode(out, r->size);
            int p = MSG_PRODUCER(msg);
            int64_t s = MSG_SEQ(msg);
            if (!CHECK(p >= 0 && p < r->producers && s >= 0 && s < r->max_per_producer))
                continue;
            if (s <= c->last[p]) {
                fprintf(stderr, "size %zu: producer %d seq %lld received after %lld\n", r->size, p,
                        (long long)s, (long long)c->last[p]);
                exit(1);
            }
            c->last[p] = s;
            c->seen[p][s]++;
        } else {
            for (size_t i = 0; i < r->size; i++)
                c->byte_sum += out[i];
        }
    }
    free(out);
    return NULL;
}

/* One run: producers x consumers on a channel of (size, cap); closed after close_after_ns,
 * or, when close_after_ns < 0, once every producer has finished. */
static void
run_one(size_t size, size_t cap, int producers, int consumers, int64_t per_producer,
        int64_t close_after_ns) {
    struct run r = {goc_chan_make(size, cap), goc_chan_make(sizeof(int64_t), 0), size, producers,
                    per_producer};
    CHECK_OR_RETURN(r.c != NULL && r.idle != NULL);
    struct producer *ps = test_calloc((size_t)producers, sizeof *ps);
    struct consumer *cs = test_calloc((size_t)consumers, sizeof *cs);
    pthread_t *pt = test_calloc((size_t)producers, sizeof *pt);
    pthread_t *ct = test_calloc((size_t)consumers, sizeof *ct);
    for (int i = 0; i < consumers; i++) {
        cs[i].r = &r;
        cs[i].id = i;
        cs[i].last = test_malloc((size_t)producers * sizeof(int64_t));
        cs[i].seen = test_calloc((size_t)producers, sizeof(unsigned char *));
        for (int p = 0; p < producers; p++) {
            cs[i].last[p] = -1;
            if (size >= 8) {
                cs[i].seen[p] = test_calloc((size_t)per_producer, 1);
            }
        }
        ct[i] = test_spawn(consumer_thread, &cs[i]);
    }
    for (int i = 0; i < producers; i++) {
        ps[i].r = &r;
        ps[i].id = i;
        pt[i] = test_spawn(producer_thread, &ps[i]);
    }
    if (close_after_ns >= 0) {
        test_sleep_ns(close_after_ns);
        CHECK_STATUS(goc_chan_close(r.c), GOC_OK);
    }
    for (int i = 0; i < producers; i++)
        test_join(pt[i]);
    if (close_after_ns < 0)
        CHECK_STATUS(goc_chan_close(r.c), GOC_OK);
    CHECK_STATUS(goc_chan_close(r.c), GOC_CLOSED);
    for (int i = 0; i < consumers; i++)
        test_join(ct[i]);

    int64_t sent = 0, received = 0;
    uint64_t sent_sum = 0, recv_sum = 0;
    for (int i = 0; i < producers; i++) {
        sent += ps[i].sent_ok;
        sent_sum += ps[i].byte_sum;
        if (close_after_ns < 0)
            CHECK_EQ(ps[i].sent_ok, per_producer);
        else if (!ps[i].saw_closed)
            CHECK_EQ(ps[i].sent_ok, per_producer);
    }
    for (int i = 0; i < consumers; i++) {
        received += cs[i].received;
        recv_sum += cs[i].byte_sum;
    }
    if (received != sent) {
        fprintf(stderr, "size %zu cap %zu: %lld accepted, %lld received\n", size, cap,
                (long long)sent, (long long)received);
        exit(1);
    }
    CHECK(recv_sum == sent_sum);
    if (size >= 8) {
        for (int p = 0; p < producers; p++) {
            for (int64_t s = 0; s < per_producer; s++) {
                int n = 0;
                for (int i = 0; i < consumers; i++)
                    n += cs[i].seen[p][s];
                int want = s < ps[p].sent_ok ? 1 : 0;
                if (n != want) {
                    fprintf(stderr,
                            "size %zu cap %zu: producer %d seq %lld (accepted: %s) received %d "
                            "times\n",
                            size, cap, p, (long long)s, want ? "yes" : "no, GOC_CLOSED", n);
                    exit(1);
                }
            }
        }
    }
    CHECK_EQ(goc_chan_len(r.c), 0);
    for (int i = 0; i < consumers; i++) {
        for (int p = 0; p < producers; p++)
            free(cs[i].seen[p]);
        free(cs[i].seen);
        free(cs[i].last);
    }
    free(ps);
    free(cs);
    free(pt);
    free(ct);
    goc_chan_free(r.c);
    goc_chan_free(r.idle);
}

int
main(void) {
    static const size_t sizes[] = {0, 1, 8, 64, 512, 65536};
    static const size_t caps[] = {0, 1, 7, 64};
    uint64_t rng = 20240601;
    int64_t t0 = test_now_ns();
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        size_t size = sizes[si];
        /* Large elements move fewer messages. */
        int64_t per = size >= 65536 ? 300 : size >= 512 ? 1500 : 4000;
        per = TEST_SCALE(per, 8);
        for (size_t ci = 0; ci < sizeof caps / sizeof caps[0]; ci++) {
            size_t cap = size >= 65536 && caps[ci] > 7 ? 4 : caps[ci];
            /* Every producer finishes, then close. */
            run_one(size, cap, 3, 3, per, -1);
            /* Close while producers and consumers are busy. */
            run_one(size, cap, 4, 2, per, (int64_t)(test_rand(&rng) % 3000) * US);
            /* More threads than cores, close almost at once. */
            run_one(size, cap, 5, 5, per, (int64_t)(test_rand(&rng) % 200) * US);
        }
    }
    printf("chan_stress: %.1f s\n", (double)(test_now_ns() - t0) / 1e9);
    return check_result("chan_stress");
}
