/* SPDX-License-Identifier: MIT */
/* Soak: a long run of mixed traffic through libgoc, outside the default ctest run (label soak;
 * docs/design.md, Testing, says how to run it).
 *
 * Six producers send numbered messages through unbuffered and buffered channels (capacities
 * drawn anew each round), two forwarders move them on through fan-in selects with default,
 * timeout and nil cases, two consumers take them through selects, try_recv and plain
 * receives. Some workers watch a context that the main thread cancels (directly, through its
 * parent, or by letting its deadline pass) again and again while they are blocked under load,
 * and then replaces: it joins them and starts new workers in their place under a new context.
 * A worker stopped by its context hands back what it holds (the producer its next number, the
 * forwarder the message it had taken but not yet sent), so nothing taken is dropped. At the
 * end of a round each channel is closed by its last sender, front to back, and the readers
 * see the closes through their selects.
 *
 * Every producer's messages follow one fixed path (each channel has one reader, and a
 * forwarder sends a producer's messages always on the same channel), so its consumer must see
 * its numbers exactly as 0, 1, 2, ...: a lost message is a gap, a duplicated or reordered one
 * a step back. The first such finding ends the test with one line saying what was seen.
 *
 * Usage: soak_test [MESSAGES]. MESSAGES (an integer, or a form like 1e8) defaults to
 * $GOC_SOAK_MESSAGES, else to 10^8, or 10^6 in a sanitizer build. */
#include "testutil.h"

#include <errno.h>
#include <stdarg.h>

#define US ((int64_t)1000)
#define MS (1000 * US)

enum { NPROD = 6, NFWD = 2, NCONS = 2, NSLOT = NPROD + NFWD + NCONS, NCHAN = 7, MAXIO = 2 };
enum { NONE = -1 };

/* The most messages of one round: each round makes its channels, runs, closes them and checks
 * the totals, so a long run has many closes as well as many messages. */
#define ROUND_MAX ((uint64_t)2000000)

/* What moves: the producer, its number, the forwarder it went through, a check word. */
struct msg {
    uint32_t producer;
    int32_t via;
    uint64_t seq;
    uint64_t check;
};

enum role { PRODUCER, FORWARDER, CONSUMER };

/* A worker's place in the graph. Slots 0 to NPROD - 1 are the producers (slot p is producer
 * p). in/out are channel indices. */
struct slot_def {
    enum role role;
    bool watches; /* runs under the context that is cancelled and replaced */
    int nin, in[MAXIO];
    int nout, out[MAXIO];
};

/* c0 P0,P1 -> F0   c1 P2 -> F0   c2 P3,P4 -> F1   c3 P5 -> C1 (no forwarder)
 * c4 F0,F1 -> C0   c5 F0 -> C1   c6 F1 -> C0 */
static const struct slot_def defs[NSLOT] = {
    {PRODUCER, false, 0, {0}, 1, {0}},       {PRODUCER, true, 0, {0}, 1, {0}},
    {PRODUCER, false, 0, {0}, 1, {1}},       {PRODUCER, true, 0, {0}, 1, {2}},
    {PRODUCER, false, 0, {0}, 1, {2}},       {PRODUCER, false, 0, {0}, 1, {3}},
    {FORWARDER, true, 2, {0, 1}, 2, {4, 5}}, {FORWARDER, false, 1, {2}, 2, {4, 6}},
    {CONSUMER, false, 2, {4, 6}, 0, {0}},    {CONSUMER, true, 2, {5, 3}, 0, {0}},
};

/* The channel a forwarder sends producer p's messages on (NONE: no forwarder on its path). */
static const int route[NPROD] = {4, 5, 5, 4, 6, NONE};

/* Each round draws each channel's capacity from these: a third unbuffered. */
static const size_t cap_choices[] = {0, 0, 0, 1, 2, 7, 64, 256, 1024};

/* A path through a channel of capacity 0 or 1 moves one message per handoff between two
 * threads, one through larger buffers moves them in batches, many times faster: a round gives each
 * producer on such a path a SLOW_WEIGHT share of the messages to the others' FAST_WEIGHT, so that
 * the slow paths do not leave the rest idle for most of the run. */
enum { SLOW_WEIGHT = 1, FAST_WEIGHT = 8 };

/* Per producer, derived from the tables: the forwarder on its path (NONE if none), the channel
 * its messages reach the consumer on, and that consumer's slot. */
static int path_via[NPROD], path_last[NPROD], path_consumer[NPROD];

struct slot {
    const struct slot_def *def;
    int id;
    /* The state one worker hands to the next in this slot: written by the running worker,
     * read by main after joining it (and by the next worker after main starts it). */
    bool in_closed[MAXIO];
    uint64_t next;          /* producer: number of the next message to send */
    bool holding;           /* forwarder: a message taken and not yet sent */
    struct msg held;        /* ... that message */
    uint64_t expect[NPROD]; /* consumer: number of the next message from each producer */
    uint64_t received;      /* consumer: messages delivered this round */
    uint64_t rng;
    uint64_t handbacks; /* forwarder: times it was stopped holding a message */
    /* The running worker. */
    goc_ctx *ctx;
    pthread_t thread;
    atomic_bool finished; /* the slot's work is done for this round (release) */
};

static struct {
    goc_chan *ch[NCHAN];
    atomic_int senders[NCHAN]; /* senders not yet finished; the last one closes */
    uint64_t quota[NPROD];
    struct slot slots[NSLOT];
    goc_waitgroup generation; /* watchers of the current generation still running */
    atomic_ullong delivered;  /* all rounds, updated in batches: progress only */
} S;

/* A finding: one line, and the test ends (a broken path cannot be checked any further). */
__attribute__((noreturn, format(printf, 1, 2))) static void
fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("soak_test: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static uint64_t
check_of(uint32_t producer, uint64_t seq) {
    uint64_t x = seq * 0x9E3779B97F4A7C15ULL ^ (uint64_t)producer << 56 ^ 0x5851F42D4C957F2DULL;
    x ^= x >> 33;
    x *= 0xFF51AFD7ED558CCDULL;
    return x ^ x >> 29;
}

static void
check_intact(const struct slot *s, int ch, const struct msg *m) {
    if (m->producer >= NPROD || m->check != check_of(m->producer, m->seq))
        fail("slot %d: corrupted message (producer %u, number %llu) from channel %d", s->id,
             m->producer, (unsigned long long)m->seq, ch);
}

/* How long one select waits: default (0) now and then, a short timeout, or forever. After a
 * default or a timeout the worker simply selects again with a new draw. */
static int64_t
pick_wait(uint64_t *rng) {
    uint64_t r = test_rand(rng) % 16;
    if (r < 3)
        return 0;
    if (r < 5)
        return (int64_t)(1 + test_rand(rng) % 200) * US;
    return -1;
}

/* A receive case saw input i closed: only its last sender closes it, after finishing. */
static void
saw_closed(struct slot *s, int i) {
    int ch = s->def->in[i];
    int left = atomic_load(&S.senders[ch]);
    if (left != 0)
        fail("slot %d: channel %d reported closed while %d of its senders are still sending", s->id,
             ch, left);
    s->in_closed[i] = true;
}

static bool
all_inputs_closed(const struct slot *s) {
    for (int i = 0; i < s->def->nin; i++)
        if (!s->in_closed[i])
            return false;
    return true;
}

/* The done case was chosen: the context must say why. */
static void
saw_done(struct slot *s) {
    if (!s->def->watches)
        fail("slot %d: a context it does not watch for cancellation reported done", s->id);
    int err = goc_ctx_err(s->ctx);
    if (err != GOC_CANCELED && err != GOC_DEADLINE)
        fail("slot %d: the done channel is closed but the context's err is %s", s->id,
             goc_strstatus(err));
}

/* The slot's work is done: release its outputs (the last sender closes a channel). */
static void
finish(struct slot *s) {
    for (int o = 0; o < s->def->nout; o++) {
        int ch = s->def->out[o];
        if (atomic_fetch_sub(&S.senders[ch], 1) == 1)
            CHECK_STATUS(goc_chan_close(S.ch[ch]), GOC_OK);
    }
    atomic_store_explicit(&s->finished, true, memory_order_release);
}

/* rc is a send's status or a select's result (0: the send case, ok its ok). A send that
 * ended without the value moving is retried; a closed channel is a finding (it closes only
 * after its senders finished). Returns whether the value moved. */
static bool
sent(const struct slot *s, goc_chan *out, int rc, bool ok) {
    if (rc == GOC_WOULDBLOCK || rc == GOC_TIMEDOUT)
        return false;
    if (rc == GOC_CLOSED || (rc == 0 && !ok))
        fail("slot %d: send on channel %p found it closed before its senders finished", s->id,
             (void *)out);
    if (rc != 0)
        fail("slot %d: send returned %d (%s)", s->id, rc, goc_strstatus(rc));
    return true;
}

/* Producer: messages s->next .. quota - 1 on its one output. A cancelled producer keeps
 * s->next, the number it did not send. */
static void
produce(struct slot *s) {
    goc_chan *out = S.ch[s->def->out[0]];
    goc_chan *done = goc_ctx_done(s->ctx);
    goc_chan *nil = NULL;
    uint64_t quota = S.quota[s->id];
    while (s->next < quota) {
        struct msg m = {(uint32_t)s->id, NONE, s->next, check_of((uint32_t)s->id, s->next)};
        uint64_t r = test_rand(&s->rng) % 16;
        bool moved;
        if (!s->def->watches && r < 2) {
            moved = sent(s, out, goc_chan_send(out, &m), true);
        } else if (!s->def->watches && r < 4) {
            moved = sent(s, out, goc_chan_try_send(out, &m), true);
        } else {
            goc_case k[] = {GOC_SEND(out, &m), GOC_RECV(done, NULL), GOC_RECV(nil, NULL)};
            int rc = goc_select(k, 3, pick_wait(&s->rng));
            if (rc == 1) {
                saw_done(s);
                return;
            }
            if (rc == 2)
                fail("slot %d: select chose a nil case", s->id);
            moved = sent(s, out, rc, rc == 0 ? k[0].ok : false);
        }
        if (moved)
            s->next++;
    }
    finish(s);
}

/* Receive one message for a forwarder or consumer: from a select over the open inputs (nil
 * cases for the closed ones), the done channel and a nil case; or now and then a try_recv on
 * one input, or a plain receive when one input is left and no context is watched. Returns the
 * input index a message came from, NONE when nothing came (closed inputs are noted), or
 * NONE - 1 when the context is done. */
static int
take(struct slot *s, struct msg *out) {
    const struct slot_def *d = s->def;
    uint64_t r = test_rand(&s->rng) % 16;
    int open = 0, last_open = 0;
    for (int i = 0; i < d->nin; i++)
        if (!s->in_closed[i]) {
            open++;
            last_open = i;
        }
    if (r < 2 || (r < 4 && open == 1 && !d->watches)) {
        int i = r < 2 ? (int)(test_rand(&s->rng) % (uint64_t)d->nin) : last_open;
        if (s->in_closed[i])
            return NONE;
        goc_chan *c = S.ch[d->in[i]];
        int rc = r < 2 ? goc_chan_try_recv(c, out) : goc_chan_recv(c, out);
        if (rc == GOC_OK)
            return i;
        if (rc == GOC_CLOSED)
            saw_closed(s, i);
        else if (rc != GOC_WOULDBLOCK)
            fail("slot %d: receive returned %s", s->id, goc_strstatus(rc));
        return NONE;
    }
    goc_case k[MAXIO + 2];
    struct msg vals[MAXIO];
    for (int i = 0; i < d->nin; i++)
        k[i] = GOC_RECV(s->in_closed[i] ? NULL : S.ch[d->in[i]], &vals[i]);
    goc_chan *nil = NULL;
    k[d->nin] = GOC_RECV(goc_ctx_done(s->ctx), NULL);
    k[d->nin + 1] = GOC_RECV(nil, NULL);
    int rc = goc_select(k, (size_t)d->nin + 2, pick_wait(&s->rng));
    if (rc == GOC_WOULDBLOCK || rc == GOC_TIMEDOUT)
        return NONE;
    if (rc < 0 || rc > d->nin)
        fail("slot %d: select returned %d (%s)", s->id, rc, goc_strstatus(rc));
    if (rc == d->nin) {
        saw_done(s);
        return NONE - 1;
    }
    if (!k[rc].ok) {
        saw_closed(s, rc);
        return NONE;
    }
    *out = vals[rc];
    return rc;
}

/* Forwarder: take a message, send it on the channel of its producer's route. A cancelled
 * forwarder keeps the message it holds in s->held; the next one sends it first. */
static void
forward(struct slot *s) {
    goc_chan *done = goc_ctx_done(s->ctx);
    for (;;) {
        if (s->holding) {
            goc_chan *out = S.ch[route[s->held.producer]];
            uint64_t r = test_rand(&s->rng) % 16;
            bool moved;
            if (!s->def->watches && r < 2) {
                moved = sent(s, out, goc_chan_send(out, &s->held), true);
            } else if (!s->def->watches && r < 4) {
                moved = sent(s, out, goc_chan_try_send(out, &s->held), true);
            } else {
                goc_case k[] = {GOC_SEND(out, &s->held), GOC_RECV(done, NULL)};
                int rc = goc_select(k, 2, pick_wait(&s->rng));
                if (rc == 1) {
                    saw_done(s);
                    s->handbacks++;
                    return;
                }
                moved = sent(s, out, rc, rc == 0 ? k[0].ok : false);
            }
            if (moved)
                s->holding = false;
            continue;
        }
        if (all_inputs_closed(s)) {
            finish(s);
            return;
        }
        struct msg m;
        int i = take(s, &m);
        if (i == NONE - 1)
            return;
        if (i == NONE)
            continue;
        check_intact(s, s->def->in[i], &m);
        m.via = s->id;
        s->held = m;
        s->holding = true;
    }
}

/* Consumer: each message must be the next of its producer, on that producer's path. */
static void
deliver(struct slot *s, int ch, const struct msg *m) {
    check_intact(s, ch, m);
    uint32_t p = m->producer;
    if (path_consumer[p] != s->id || path_last[p] != ch || path_via[p] != m->via)
        fail("producer %u's message %llu reached slot %d on channel %d through slot %d; its "
             "path ends at slot %d on channel %d through slot %d",
             p, (unsigned long long)m->seq, s->id, ch, m->via, path_consumer[p], path_last[p],
             path_via[p]);
    if (m->seq > s->expect[p])
        fail("producer %u: message %llu delivered while %llu was next (messages %llu to %llu "
             "lost, or delivered late)",
             p, (unsigned long long)m->seq, (unsigned long long)s->expect[p],
             (unsigned long long)s->expect[p], (unsigned long long)m->seq - 1);
    if (m->seq < s->expect[p])
        fail("producer %u: message %llu delivered again or out of order (after %llu)", p,
             (unsigned long long)m->seq, (unsigned long long)s->expect[p] - 1);
    s->expect[p]++;
    if (++s->received % 1024 == 0)
        atomic_fetch_add_explicit(&S.delivered, 1024, memory_order_relaxed);
}

static void
consume(struct slot *s) {
    while (!all_inputs_closed(s)) {
        struct msg m;
        int i = take(s, &m);
        if (i == NONE - 1)
            return;
        if (i != NONE)
            deliver(s, s->def->in[i], &m);
    }
    atomic_fetch_add_explicit(&S.delivered, s->received % 1024, memory_order_relaxed);
    finish(s);
}

static void *
worker(void *arg) {
    struct slot *s = arg;
    switch (s->def->role) {
    case PRODUCER:
        produce(s);
        break;
    case FORWARDER:
        forward(s);
        break;
    case CONSUMER:
        consume(s);
        break;
    }
    if (s->def->watches)
        CHECK_STATUS(goc_waitgroup_done(&S.generation), GOC_OK);
    return NULL;
}

/* The paths: each channel has exactly one reader and producer p's messages one way through,
 * which is what makes per-producer order a property the test can require. */
static void
derive_paths(void) {
    int readers[NCHAN] = {0};
    for (int s = 0; s < NSLOT; s++)
        for (int i = 0; i < defs[s].nin; i++)
            readers[defs[s].in[i]]++;
    for (int c = 0; c < NCHAN; c++)
        REQUIRE(readers[c] == 1);
    for (int p = 0; p < NPROD; p++) {
        REQUIRE(defs[p].role == PRODUCER && defs[p].nout == 1);
        int c = defs[p].out[0];
        path_via[p] = NONE;
        path_last[p] = c;
        path_consumer[p] = NONE;
        for (int s = 0; s < NSLOT; s++) {
            for (int i = 0; i < defs[s].nin; i++) {
                if (defs[s].in[i] == c && defs[s].role == FORWARDER) {
                    path_via[p] = s;
                    path_last[p] = route[p];
                }
            }
        }
        REQUIRE((path_via[p] == NONE) == (route[p] == NONE));
        for (int s = 0; s < NSLOT; s++)
            for (int i = 0; i < defs[s].nin; i++)
                if (defs[s].in[i] == path_last[p] && defs[s].role == CONSUMER)
                    path_consumer[p] = s;
        REQUIRE(path_consumer[p] != NONE);
    }
}

struct totals {
    uint64_t messages, slow_messages, generations, handbacks;
    uint64_t by_kind[3]; /* generations ended by: cancel, parent's cancel, deadline */
};

/* One generation of the watching workers: start them under a new context (a child of a child
 * of root), let them run for 0.2 to 20 ms, end it one of three ways, join them, free it. */
static void
generation(goc_ctx *root, uint64_t *rng, struct totals *t) {
    goc_ctx *mid = goc_ctx_with_cancel(root);
    REQUIRE(mid != NULL);
    int kind = (int)(test_rand(rng) % 3);
    int64_t life = (int64_t)(200 + test_rand(rng) % 19800) * US;
    goc_ctx *leaf = kind == 2 ? goc_ctx_with_timeout(mid, life) : goc_ctx_with_cancel(mid);
    REQUIRE(leaf != NULL);
    struct slot *run[NSLOT];
    int n = 0;
    for (int i = 0; i < NSLOT; i++) {
        struct slot *s = &S.slots[i];
        if (s->def->watches && !atomic_load_explicit(&s->finished, memory_order_acquire))
            run[n++] = s;
    }
    CHECK_STATUS(goc_waitgroup_add(&S.generation, n), GOC_OK);
    for (int i = 0; i < n; i++) {
        run[i]->ctx = leaf;
        run[i]->thread = test_spawn(worker, run[i]);
    }
    if (kind == 2) {
        CHECK_STATUS(goc_chan_recv(goc_ctx_done(leaf), NULL), GOC_CLOSED);
        CHECK_STATUS(goc_ctx_err(leaf), GOC_DEADLINE);
    } else {
        test_sleep_ns(life);
        CHECK_STATUS(goc_ctx_cancel(kind == 0 ? leaf : mid), GOC_OK);
        CHECK_STATUS(goc_ctx_err(leaf), GOC_CANCELED);
    }
    goc_waitgroup_wait(&S.generation);
    for (int i = 0; i < n; i++)
        test_join(run[i]->thread);
    if (test_rand(rng) % 2) {
        goc_ctx_free(leaf);
        goc_ctx_free(mid);
    } else {
        goc_ctx_free(mid);
        goc_ctx_free(leaf);
    }
    t->generations++;
    t->by_kind[kind]++;
}

static bool
all_finished(void) {
    for (int i = 0; i < NSLOT; i++)
        if (!atomic_load_explicit(&S.slots[i].finished, memory_order_acquire))
            return false;
    return true;
}

/* Progress every 30 s; a run that delivers nothing for 120 s is stuck: say where, and stop. */
static void
watch_progress(int round, int rounds, uint64_t total, int64_t t0) {
    static uint64_t last_delivered;
    static int64_t last_change, last_print;
    int64_t now = test_now_ns();
    uint64_t d = atomic_load_explicit(&S.delivered, memory_order_relaxed);
    if (d != last_delivered || last_change == 0) {
        last_delivered = d;
        last_change = now;
    }
    if (now - last_print >= 30 * 1000 * MS) {
        if (last_print != 0)
            printf("soak: round %d of %d, %llu of %llu messages delivered, %.1f s\n", round + 1,
                   rounds, (unsigned long long)d, (unsigned long long)total,
                   (double)(now - t0) / 1e9);
        fflush(stdout);
        last_print = now;
    }
    if (now - last_change > 120 * 1000 * MS) {
        fprintf(stderr, "soak_test: no message delivered for 120 s in round %d; channel lengths:",
                round + 1);
        for (int c = 0; c < NCHAN; c++)
            fprintf(stderr, " c%d=%zu", c, goc_chan_len(S.ch[c]));
        fprintf(stderr, "\n");
        abort();
    }
}

static void
run_round(int round, int rounds, uint64_t n, uint64_t total, int64_t t0, struct totals *t) {
    uint64_t rng = 0x243F6A8885A308D3ULL * (uint64_t)(round + 1);
    size_t cap[NCHAN];
    for (int c = 0; c < NCHAN; c++) {
        cap[c] = cap_choices[test_rand(&rng) % (sizeof cap_choices / sizeof cap_choices[0])];
        S.ch[c] = goc_chan_make(sizeof(struct msg), cap[c]);
        REQUIRE(S.ch[c] != NULL);
        atomic_init(&S.senders[c], 0);
    }
    for (int s = 0; s < NSLOT; s++)
        for (int o = 0; o < defs[s].nout; o++)
            atomic_fetch_add(&S.senders[defs[s].out[o]], 1);
    uint64_t weight[NPROD], weights = 0, given = 0;
    bool slow[NPROD];
    for (int p = 0; p < NPROD; p++) {
        slow[p] = cap[defs[p].out[0]] <= 1 || (route[p] != NONE && cap[route[p]] <= 1);
        weight[p] = slow[p] ? SLOW_WEIGHT : FAST_WEIGHT;
        weights += weight[p];
    }
    for (int p = 0; p < NPROD; p++) {
        S.quota[p] = p == NPROD - 1 ? n - given : n / weights * weight[p];
        given += S.quota[p];
        if (slow[p])
            t->slow_messages += S.quota[p];
    }
    goc_ctx *root = goc_ctx_with_cancel(goc_ctx_background());
    REQUIRE(root != NULL);
    int unwatched = 0;
    for (int i = 0; i < NSLOT; i++) {
        struct slot *s = &S.slots[i];
        memset(s, 0, sizeof *s);
        s->def = &defs[i];
        s->id = i;
        s->rng = rng ^ (0x9E3779B97F4A7C15ULL * (uint64_t)(i + 1));
        atomic_init(&s->finished, false);
        /* The others watch no cancellation: every other one holds root (a done channel that
         * never closes before the end), the rest the background context (no done channel). */
        if (!s->def->watches) {
            s->ctx = unwatched++ % 2 ? root : goc_ctx_background();
            s->thread = test_spawn(worker, s);
        }
    }
    while (!all_finished()) {
        bool watcher_left = false;
        for (int i = 0; i < NSLOT; i++)
            if (defs[i].watches &&
                !atomic_load_explicit(&S.slots[i].finished, memory_order_acquire))
                watcher_left = true;
        if (watcher_left)
            generation(root, &rng, t);
        else
            test_sleep_ns(MS);
        watch_progress(round, rounds, total, t0);
    }
    for (int i = 0; i < NSLOT; i++)
        if (!defs[i].watches)
            test_join(S.slots[i].thread);

    /* Everything sent arrived, each channel closed and empty. */
    uint64_t received = 0;
    for (int i = 0; i < NSLOT; i++) {
        struct slot *s = &S.slots[i];
        t->handbacks += s->handbacks;
        CHECK(!s->holding);
        if (s->def->role == PRODUCER)
            CHECK_EQ(s->next, S.quota[i]);
        if (s->def->role != CONSUMER)
            continue;
        received += s->received;
        for (int p = 0; p < NPROD; p++)
            if (path_consumer[p] == i)
                CHECK_EQ(s->expect[p], S.quota[p]);
    }
    CHECK_EQ(received, n);
    t->messages += received;
    for (int c = 0; c < NCHAN; c++) {
        CHECK_STATUS(goc_chan_try_recv(S.ch[c], NULL), GOC_CLOSED);
        CHECK_EQ(goc_chan_len(S.ch[c]), 0);
        goc_chan_free(S.ch[c]);
    }
    goc_ctx_free(root);
}

/* MESSAGES: digits, or a form strtod reads (1e8), a whole number from 1 to 10^15. */
static uint64_t
parse_count(const char *text, const char *from) {
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || errno != 0 || !(v >= 1 && v <= 1e15) ||
        (double)(uint64_t)v != v) {
        fprintf(stderr,
                "soak_test: bad message count '%s' (%s); give a whole number from 1 to 1e15, "
                "such as 100000000 or 1e8\n",
                text, from);
        exit(2);
    }
    return (uint64_t)v;
}

int
main(int argc, char **argv) {
    if (argc > 2) {
        fprintf(stderr, "soak_test: too many arguments; usage: soak_test [MESSAGES]\n");
        return 2;
    }
    uint64_t total = TEST_TSAN || TEST_ASAN ? 1000000 : 100000000;
    const char *env = getenv("GOC_SOAK_MESSAGES");
    if (argc == 2)
        total = parse_count(argv[1], "the argument");
    else if (env != NULL && *env != '\0')
        total = parse_count(env, "GOC_SOAK_MESSAGES");
    derive_paths();

    /* Rounds of at most ROUND_MAX messages, at least eight when there are enough. */
    uint64_t per_round = total / 8 > ROUND_MAX ? ROUND_MAX : total / 8;
    if (per_round < 1)
        per_round = total;
    int rounds = (int)((total + per_round - 1) / per_round);
    printf("soak: %llu messages in %d round%s, %d producers\n", (unsigned long long)total, rounds,
           rounds == 1 ? "" : "s", NPROD);
    fflush(stdout);
    struct totals t = {0};
    int64_t t0 = test_now_ns();
    uint64_t left = total;
    for (int r = 0; r < rounds; r++) {
        uint64_t n = left < per_round ? left : per_round;
        run_round(r, rounds, n, total, t0, &t);
        left -= n;
    }
    double secs = (double)(test_now_ns() - t0) / 1e9;
    CHECK_EQ(t.messages, total);
    printf("soak: %llu messages delivered exactly once and in order per producer in %.1f s "
           "(%.2f M/s), %llu of them through a channel of capacity 0 or 1; %llu context "
           "generations (%llu cancelled, %llu through the parent, %llu past the deadline), %llu "
           "messages held by a cancelled forwarder and sent by its successor\n",
           (unsigned long long)t.messages, secs, (double)t.messages / secs / 1e6,
           (unsigned long long)t.slow_messages, (unsigned long long)t.generations,
           (unsigned long long)t.by_kind[0], (unsigned long long)t.by_kind[1],
           (unsigned long long)t.by_kind[2], (unsigned long long)t.handbacks);
    return check_result("soak_test");
}
