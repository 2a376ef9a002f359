/* SPDX-License-Identifier: MIT */
/* Unit tests for the channel rows of docs/design.md's libgoc table: make, free, send, recv, try_*,
 * close, len/cap, NULL channels, discarding receives, element sizes. Handles and GOC_RANGE are in
 * handles_test.c, select in select_test.c, per-capacity sweeps in chan_conformance_test.c. */
#include "testutil.h"

#include <errno.h>

/* The absurd-capacity tests ask for more memory than exists; under a sanitizer that must give
 * NULL (as malloc does) rather than a sanitizer abort. The sanitizers read these hooks. */
const char *__asan_default_options(void);
const char *__tsan_default_options(void);
const char *
__asan_default_options(void) {
    return "allocator_may_return_null=1";
}
const char *
__tsan_default_options(void) {
    return "allocator_may_return_null=1";
}

/* A blocking operation run on its own thread, so the test can show that it blocks (it has
 * started but not finished) and what it returns once released. */
enum op_kind { OP_SEND, OP_RECV };

struct op {
    goc_chan *ch;
    enum op_kind kind;
    int64_t value; /* sent, or received */
    int rc;
    atomic_int started; /* release; pairs with test_wait_flag */
    atomic_int done;    /* release; pairs with the acquire loads in op_done */
    pthread_t thread;
};

static void *
op_thread(void *arg) {
    struct op *op = arg;
    atomic_store_explicit(&op->started, 1, memory_order_release);
    if (op->kind == OP_SEND)
        op->rc = goc_chan_send(op->ch, &op->value);
    else
        op->rc = goc_chan_recv(op->ch, &op->value);
    atomic_store_explicit(&op->done, 1, memory_order_release);
    return NULL;
}

static void
op_start(struct op *op, goc_chan *ch, enum op_kind kind, int64_t value) {
    op->ch = ch;
    op->kind = kind;
    op->value = value;
    op->rc = 1; /* no status is positive */
    atomic_init(&op->started, 0);
    atomic_init(&op->done, 0);
    op->thread = test_spawn(op_thread, op);
    test_wait_flag(&op->started);
}

static bool
op_done(struct op *op) {
    return atomic_load_explicit(&op->done, memory_order_acquire) != 0;
}

/* The op has started; give it time to reach its blocking point. A correct channel never lets
 * it finish here, however long the sleep, so this asserts nothing about timing. */
static void
check_blocked(struct op *op) {
    test_sleep_ns(20 * 1000 * 1000);
    CHECK(!op_done(op));
}

static void
op_join(struct op *op) {
    test_join(op->thread);
    CHECK(op_done(op));
}

/* ---- make / free -------------------------------------------------------------------- */

static void
check_made(size_t elem_size, size_t cap) {
    errno = 0;
    goc_chan *ch = goc_chan_make(elem_size, cap);
    if (ch == NULL) {
        fprintf(stderr, "goc_chan_make(%zu, %zu) failed: %s\n", elem_size, cap, strerror(errno));
        exit(1);
    }
    CHECK_EQ(goc_chan_cap(ch), cap);
    CHECK_EQ(goc_chan_len(ch), 0);
    CHECK_EQ(goc_chan_elem_size(ch), elem_size);
    goc_chan_free(ch);
}

/* Bad arguments: NULL with errno EINVAL or ENOMEM, never a crash or a channel whose ring was
 * sized by an overflowed multiplication. */
static void
check_make_fails(size_t elem_size, size_t cap, bool einval_only) {
    errno = 0;
    goc_chan *ch = goc_chan_make(elem_size, cap);
    if (ch != NULL) {
        fprintf(stderr, "goc_chan_make(%zu, %zu) succeeded, want NULL\n", elem_size, cap);
        exit(1);
    }
    if (einval_only)
        CHECK_EQ(errno, EINVAL);
    else if (errno != EINVAL && errno != ENOMEM) {
        fprintf(stderr, "goc_chan_make(%zu, %zu): errno %d (%s), want EINVAL or ENOMEM\n",
                elem_size, cap, errno, strerror(errno));
        exit(1);
    }
}

/* True when the kernel grants any allocation (vm.overcommit_memory = 1). */
static bool
always_overcommit(void) {
    FILE *f = fopen("/proc/sys/vm/overcommit_memory", "r");
    if (f == NULL)
        return true; /* unknown: do not risk it */
    int mode = 0;
    bool always = fscanf(f, "%d", &mode) == 1 && mode == 1;
    fclose(f);
    return always;
}

static void
test_make(void) {
    check_made(0, 0);
    check_made(0, 1);
    check_made(0, 1000);
    check_made(1, 0);
    check_made(8, 1);
    check_made(24, 100);
    check_made(GOC_ELEM_MAX, 0);
    check_made(GOC_ELEM_MAX, 2);

    /* Element size over 64 KiB. */
    check_make_fails(GOC_ELEM_MAX + 1, 0, true);
    check_make_fails(GOC_ELEM_MAX + 1, 4, true);
    check_make_fails(SIZE_MAX, 1, true);

    /* Absurd capacities. */
    check_make_fails(8, SIZE_MAX, false);
    check_make_fails(1, SIZE_MAX, false);
    check_make_fails(1, SIZE_MAX - 16, false);                   /* header + ring overflows */
    check_make_fails(8, SIZE_MAX / 8 + 1, false);                /* cap * elem overflows */
    check_make_fails(GOC_ELEM_MAX, (SIZE_MAX >> 16) + 1, false); /* cap * elem wraps to 0 */
    check_make_fails(GOC_ELEM_MAX, SIZE_MAX / GOC_ELEM_MAX, false);
    /* 32 TiB: addressable, but no such memory. Only where the kernel refuses it: with
     * overcommit_memory=1 the allocation succeeds and only touching it would fail. */
    if (!always_overcommit())
        check_make_fails(8, (size_t)1 << 42, false);

    /* A signal channel needs no ring, so a huge capacity may be refused or may work; if it
     * works, it must behave as a buffered channel. */
    errno = 0;
    goc_chan *big = goc_chan_make(0, SIZE_MAX);
    if (big == NULL) {
        CHECK(errno == EINVAL || errno == ENOMEM);
    } else {
        char dummy = 0;
        CHECK_EQ(goc_chan_cap(big), SIZE_MAX);
        for (int i = 0; i < 3; i++)
            CHECK_STATUS(goc_chan_try_send(big, &dummy), GOC_OK);
        CHECK_EQ(goc_chan_len(big), 3);
        for (int i = 0; i < 3; i++)
            CHECK_STATUS(goc_chan_recv(big, NULL), GOC_OK);
        CHECK_STATUS(goc_chan_try_recv(big, NULL), GOC_WOULDBLOCK);
        goc_chan_free(big);
    }
}

static void
test_free_null(void) {
    goc_chan_free(NULL);
}

/* ---- NULL channel --------------------------------------------------------------------- */

static void
test_null_channel(void) {
    int64_t v = 5;
    CHECK_STATUS(goc_chan_send(NULL, &v), GOC_EINVAL);
    CHECK_STATUS(goc_chan_recv(NULL, &v), GOC_EINVAL);
    CHECK_STATUS(goc_chan_recv(NULL, NULL), GOC_EINVAL);
    CHECK_STATUS(goc_chan_try_send(NULL, &v), GOC_EINVAL);
    CHECK_STATUS(goc_chan_try_recv(NULL, &v), GOC_EINVAL);
    CHECK_STATUS(goc_chan_try_recv(NULL, NULL), GOC_EINVAL);
    CHECK_STATUS(goc_chan_close(NULL), GOC_EINVAL);
    CHECK_EQ(goc_chan_len(NULL), 0);
    CHECK_EQ(goc_chan_cap(NULL), 0);
    CHECK_EQ(goc_chan_elem_size(NULL), 0);
}

/* ---- buffered send / recv / try_* / len / cap ----------------------------------------- */

static void
test_buffered_fifo(void) {
    static const size_t caps[] = {1, 2, 3, 8, 17};
    for (size_t ci = 0; ci < sizeof caps / sizeof caps[0]; ci++) {
        size_t cap = caps[ci];
        goc_chan *ch = goc_chan_make(sizeof(int64_t), cap);
        CHECK_OR_RETURN(ch != NULL);
        int64_t v = 0, out = -1;
        CHECK_STATUS(goc_chan_try_recv(ch, &out), GOC_WOULDBLOCK);
        CHECK_EQ(out, -1); /* a failed try_recv leaves *out alone */

        /* Fill with try_send and send alternately, then one more would block. */
        for (size_t i = 0; i < cap; i++) {
            v = (int64_t)(100 + i);
            if (i % 2)
                CHECK_STATUS(goc_chan_try_send(ch, &v), GOC_OK);
            else
                CHECK_STATUS(goc_chan_send(ch, &v), GOC_OK);
            CHECK_EQ(goc_chan_len(ch), i + 1);
            CHECK_EQ(goc_chan_cap(ch), cap);
        }
        v = 999;
        CHECK_STATUS(goc_chan_try_send(ch, &v), GOC_WOULDBLOCK);
        CHECK_EQ(goc_chan_len(ch), cap);
        for (size_t i = 0; i < cap; i++) {
            if (i % 2)
                CHECK_STATUS(goc_chan_try_recv(ch, &out), GOC_OK);
            else
                CHECK_STATUS(goc_chan_recv(ch, &out), GOC_OK);
            CHECK_EQ(out, (int64_t)(100 + i));
            CHECK_EQ(goc_chan_len(ch), cap - i - 1);
        }
        CHECK_STATUS(goc_chan_try_recv(ch, &out), GOC_WOULDBLOCK);

        /* Wrap around the ring many times with a varying fill level. */
        int64_t next_send = 0, next_recv = 0;
        uint64_t rng = 42 + cap;
        for (int step = 0; step < 2000; step++) {
            bool do_send = test_rand(&rng) % 2;
            size_t len = (size_t)(next_send - next_recv);
            CHECK_EQ(goc_chan_len(ch), len);
            if (do_send) {
                int rc = goc_chan_try_send(ch, &next_send);
                CHECK_STATUS(rc, len < cap ? GOC_OK : GOC_WOULDBLOCK);
                if (rc == GOC_OK)
                    next_send++;
            } else {
                int rc = goc_chan_try_recv(ch, &out);
                CHECK_STATUS(rc, len > 0 ? GOC_OK : GOC_WOULDBLOCK);
                if (rc == GOC_OK)
                    CHECK_EQ(out, next_recv++);
            }
        }
        goc_chan_free(ch);
    }
}

/* Send copies the element at the call: changing the source afterwards changes nothing. */
static void
test_send_copies(void) {
    goc_chan *ch = goc_chan_make(sizeof(int64_t), 2);
    CHECK_OR_RETURN(ch != NULL);
    int64_t v = 1, out = 0;
    CHECK_STATUS(goc_chan_send(ch, &v), GOC_OK);
    v = 2;
    CHECK_STATUS(goc_chan_try_send(ch, &v), GOC_OK);
    v = 3;
    CHECK_STATUS(goc_chan_recv(ch, &out), GOC_OK);
    CHECK_EQ(out, 1);
    CHECK_STATUS(goc_chan_recv(ch, &out), GOC_OK);
    CHECK_EQ(out, 2);
    goc_chan_free(ch);
}

/* A receive writes exactly elem_size bytes: nothing past the element, on success or close. */
static void
test_recv_writes_elem_size_only(void) {
    goc_chan *ch = goc_chan_make(4, 1);
    CHECK_OR_RETURN(ch != NULL);
    unsigned char in[4] = {1, 2, 3, 4}, out[8];
    memset(out, 0xAB, sizeof out);
    CHECK_STATUS(goc_chan_send(ch, in), GOC_OK);
    CHECK_STATUS(goc_chan_recv(ch, out), GOC_OK);
    CHECK(memcmp(out, in, 4) == 0);
    for (int i = 4; i < 8; i++)
        CHECK_EQ(out[i], 0xAB);
    CHECK_STATUS(goc_chan_close(ch), GOC_OK);
    memset(out, 0xAB, sizeof out);
    CHECK_STATUS(goc_chan_recv(ch, out), GOC_CLOSED);
    for (int i = 0; i < 4; i++)
        CHECK_EQ(out[i], 0);
    for (int i = 4; i < 8; i++)
        CHECK_EQ(out[i], 0xAB);
    goc_chan_free(ch);
}

/* ---- unbuffered ------------------------------------------------------------------------ */

static void
test_unbuffered_try_without_partner(void) {
    goc_chan *ch = goc_chan_make(sizeof(int64_t), 0);
    CHECK_OR_RETURN(ch != NULL);
    int64_t v = 7, out = -1;
    CHECK_STATUS(goc_chan_try_send(ch, &v), GOC_WOULDBLOCK);
    CHECK_STATUS(goc_chan_try_recv(ch, &out), GOC_WOULDBLOCK);
    CHECK_EQ(out, -1);
    CHECK_STATUS(goc_chan_try_recv(ch, NULL), GOC_WOULDBLOCK);
    CHECK_EQ(goc_chan_len(ch), 0);
    CHECK_EQ(goc_chan_cap(ch), 0);
    /* A failed try_send must not have left the value behind. */
    CHECK_STATUS(goc_chan_try_recv(ch, &out), GOC_WOULDBLOCK);
    goc_chan_free(ch);
}

/* An unbuffered send blocks until a receiver takes the value, and vice versa. */
static void
test_unbuffered_rendezvous(void) {
    goc_chan *ch = goc_chan_make(sizeof(int64_t), 0);
    CHECK_OR_RETURN(ch != NULL);
    struct op op;

    op_start(&op, ch, OP_SEND, 41);
    check_blocked(&op);
    CHECK_EQ(goc_chan_len(ch), 0);
    int64_t out = 0;
    CHECK_STATUS(goc_chan_recv(ch, &out), GOC_OK);
    CHECK_EQ(out, 41);
    op_join(&op);
    CHECK_STATUS(op.rc, GOC_OK);

    op_start(&op, ch, OP_RECV, 0);
    check_blocked(&op);
    int64_t v = 42;
    CHECK_STATUS(goc_chan_send(ch, &v), GOC_OK);
    op_join(&op);
    CHECK_STATUS(op.rc, GOC_OK);
    CHECK_EQ(op.value, 42);
    goc_chan_free(ch);
}

/* A buffered send on a full channel blocks until a receive makes room; a receive on an empty
 * channel blocks until a send. */
static void
test_buffered_blocking(void) {
    goc_chan *ch = goc_chan_make(sizeof(int64_t), 2);
    CHECK_OR_RETURN(ch != NULL);
    int64_t v, out;
    v = 1;
    CHECK_STATUS(goc_chan_send(ch, &v), GOC_OK);
    v = 2;
    CHECK_STATUS(goc_chan_send(ch, &v), GOC_OK);
    struct op op;
    op_start(&op, ch, OP_SEND, 3);
    check_blocked(&op);
    CHECK_EQ(goc_chan_len(ch), 2);
    CHECK_STATUS(goc_chan_recv(ch, &out), GOC_OK);
    CHECK_EQ(out, 1);
    op_join(&op);
    CHECK_STATUS(op.rc, GOC_OK);
    CHECK_EQ(goc_chan_len(ch), 2);
    CHECK_STATUS(goc_chan_recv(ch, &out), GOC_OK);
    CHECK_EQ(out, 2);
    CHECK_STATUS(goc_chan_recv(ch, &out), GOC_OK);
    CHECK_EQ(out, 3);

    op_start(&op, ch, OP_RECV, 0);
    check_blocked(&op);
    v = 4;
    CHECK_STATUS(goc_chan_send(ch, &v), GOC_OK);
    op_join(&op);
    CHECK_STATUS(op.rc, GOC_OK);
    CHECK_EQ(op.value, 4);
    CHECK_EQ(goc_chan_len(ch), 0);
    goc_chan_free(ch);
}

/* try_* never report GOC_WOULDBLOCK while a partner is ready: once a receiver (sender) is
 * blocked on an unbuffered channel, try_send (try_recv) must succeed. The receiver may not have
 * registered yet when the loop starts, so retry; a correct channel ends the loop as soon as it
 * has, a broken one never (the generous deadline only turns a hang into a message). */
static void
test_try_sees_blocked_partner(void) {
    goc_chan *ch = goc_chan_make(sizeof(int64_t), 0);
    CHECK_OR_RETURN(ch != NULL);
    struct op op;
    int64_t v = 77, out = 0;
    int64_t deadline;

    op_start(&op, ch, OP_RECV, 0);
    deadline = test_now_ns() + (int64_t)60 * 1000000000;
    int rc;
    while ((rc = goc_chan_try_send(ch, &v)) == GOC_WOULDBLOCK) {
        CHECK_OR_RETURN(test_now_ns() < deadline);
        sched_yield();
    }
    CHECK_STATUS(rc, GOC_OK);
    op_join(&op);
    CHECK_STATUS(op.rc, GOC_OK);
    CHECK_EQ(op.value, 77);

    op_start(&op, ch, OP_SEND, 78);
    deadline = test_now_ns() + (int64_t)60 * 1000000000;
    while ((rc = goc_chan_try_recv(ch, &out)) == GOC_WOULDBLOCK) {
        CHECK_OR_RETURN(test_now_ns() < deadline);
        sched_yield();
    }
    CHECK_STATUS(rc, GOC_OK);
    CHECK_EQ(out, 78);
    op_join(&op);
    CHECK_STATUS(op.rc, GOC_OK);

    /* The same once the partner has certainly had time to park. */
    op_start(&op, ch, OP_RECV, 0);
    check_blocked(&op);
    deadline = test_now_ns() + (int64_t)60 * 1000000000;
    while ((rc = goc_chan_try_send(ch, &v)) == GOC_WOULDBLOCK) {
        CHECK_OR_RETURN(test_now_ns() < deadline);
        sched_yield();
    }
    CHECK_STATUS(rc, GOC_OK);
    op_join(&op);
    CHECK_EQ(op.value, 77);
    goc_chan_free(ch);
}

/* A blocked sender on a full buffered channel: try_recv takes a buffered value and the
 * sender's value moves into the buffer, in order. */
static void
test_try_recv_refills_from_blocked_sender(void) {
    goc_chan *ch = goc_chan_make(sizeof(int64_t), 1);
    CHECK_OR_RETURN(ch != NULL);
    int64_t v = 1, out = 0;
    CHECK_STATUS(goc_chan_send(ch, &v), GOC_OK);
    struct op op;
    op_start(&op, ch, OP_SEND, 2);
    check_blocked(&op);
    CHECK_STATUS(goc_chan_try_recv(ch, &out), GOC_OK);
    CHECK_EQ(out, 1);
    op_join(&op);
    CHECK_STATUS(op.rc, GOC_OK);
    CHECK_STATUS(goc_chan_try_recv(ch, &out), GOC_OK);
    CHECK_EQ(out, 2);
    CHECK_STATUS(goc_chan_try_recv(ch, &out), GOC_WOULDBLOCK);
    goc_chan_free(ch);
}

/* ---- out == NULL discards ---------------------------------------------------------------- */

static void
test_recv_null_out(void) {
    goc_chan *ch = goc_chan_make(sizeof(int64_t), 4);
    CHECK_OR_RETURN(ch != NULL);
    int64_t v, out = 0;
    for (v = 1; v <= 3; v++)
        CHECK_STATUS(goc_chan_send(ch, &v), GOC_OK);
    CHECK_STATUS(goc_chan_recv(ch, NULL), GOC_OK);
    CHECK_STATUS(goc_chan_try_recv(ch, NULL), GOC_OK);
    CHECK_EQ(goc_chan_len(ch), 1);
    CHECK_STATUS(goc_chan_recv(ch, &out), GOC_OK);
    CHECK_EQ(out, 3);
    CHECK_STATUS(goc_chan_try_recv(ch, NULL), GOC_WOULDBLOCK);
    CHECK_STATUS(goc_chan_close(ch), GOC_OK);
    CHECK_STATUS(goc_chan_recv(ch, NULL), GOC_CLOSED);
    CHECK_STATUS(goc_chan_try_recv(ch, NULL), GOC_CLOSED);
    goc_chan_free(ch);

    /* Unbuffered: a discarding receive still completes the sender's rendezvous. */
    ch = goc_chan_make(sizeof(int64_t), 0);
    CHECK_OR_RETURN(ch != NULL);
    struct op op;
    op_start(&op, ch, OP_SEND, 9);
    CHECK_STATUS(goc_chan_recv(ch, NULL), GOC_OK);
    op_join(&op);
    CHECK_STATUS(op.rc, GOC_OK);
    goc_chan_free(ch);
}

/* ---- close --------------------------------------------------------------------------------- */

static void
test_close_basic(void) {
    static const size_t caps[] = {0, 1, 5};
    for (size_t ci = 0; ci < 3; ci++) {
        goc_chan *ch = goc_chan_make(sizeof(int64_t), caps[ci]);
        CHECK_OR_RETURN(ch != NULL);
        CHECK_STATUS(goc_chan_close(ch), GOC_OK);
        CHECK_STATUS(goc_chan_close(ch), GOC_CLOSED);
        CHECK_STATUS(goc_chan_close(ch), GOC_CLOSED);
        int64_t v = 5, out;
        CHECK_STATUS(goc_chan_send(ch, &v), GOC_CLOSED);
        CHECK_STATUS(goc_chan_try_send(ch, &v), GOC_CLOSED);
        for (int k = 0; k < 3; k++) {
            out = 0x5555;
            CHECK_STATUS(goc_chan_recv(ch, &out), GOC_CLOSED);
            CHECK_EQ(out, 0);
            out = 0x5555;
            CHECK_STATUS(goc_chan_try_recv(ch, &out), GOC_CLOSED);
            CHECK_EQ(out, 0);
        }
        CHECK_EQ(goc_chan_len(ch), 0);
        CHECK_EQ(goc_chan_cap(ch), caps[ci]);
        goc_chan_free(ch);
    }
}

struct pair16 {
    int64_t a, b;
};

/* Close keeps the buffered values: receives drain them in order, then see GOC_CLOSED with the
 * element zeroed. A full closed channel answers try_send with GOC_CLOSED, not WOULDBLOCK. */
static void
test_close_drains(void) {
    goc_chan *ch = goc_chan_make(sizeof(struct pair16), 3);
    CHECK_OR_RETURN(ch != NULL);
    struct pair16 v, out;
    for (int i = 1; i <= 3; i++) {
        v.a = i;
        v.b = -i;
        CHECK_STATUS(goc_chan_send(ch, &v), GOC_OK);
    }
    CHECK_STATUS(goc_chan_try_send(ch, &v), GOC_WOULDBLOCK);
    CHECK_STATUS(goc_chan_close(ch), GOC_OK);
    CHECK_STATUS(goc_chan_try_send(ch, &v), GOC_CLOSED);
    CHECK_STATUS(goc_chan_send(ch, &v), GOC_CLOSED);
    CHECK_EQ(goc_chan_len(ch), 3);
    CHECK_STATUS(goc_chan_recv(ch, &out), GOC_OK);
    CHECK(out.a == 1 && out.b == -1);
    CHECK_EQ(goc_chan_len(ch), 2);
    CHECK_STATUS(goc_chan_try_recv(ch, &out), GOC_OK);
    CHECK(out.a == 2 && out.b == -2);
    CHECK_STATUS(goc_chan_close(ch), GOC_CLOSED);
    CHECK_STATUS(goc_chan_recv(ch, &out), GOC_OK);
    CHECK(out.a == 3 && out.b == -3);
    memset(&out, 0x7f, sizeof out);
    CHECK_STATUS(goc_chan_recv(ch, &out), GOC_CLOSED);
    CHECK(out.a == 0 && out.b == 0);
    memset(&out, 0x7f, sizeof out);
    CHECK_STATUS(goc_chan_try_recv(ch, &out), GOC_CLOSED);
    CHECK(out.a == 0 && out.b == 0);
    CHECK_EQ(goc_chan_len(ch), 0);
    goc_chan_free(ch);
}

/* close wakes every blocked receiver: each returns GOC_CLOSED with its element zeroed. */
static void
test_close_wakes_receivers(void) {
    static const size_t caps[] = {0, 4};
    for (size_t ci = 0; ci < 2; ci++) {
        goc_chan *ch = goc_chan_make(sizeof(int64_t), caps[ci]);
        CHECK_OR_RETURN(ch != NULL);
        struct op ops[3];
        for (int i = 0; i < 3; i++)
            op_start(&ops[i], ch, OP_RECV, 0x1234);
        for (int i = 0; i < 3; i++)
            check_blocked(&ops[i]);
        CHECK_STATUS(goc_chan_close(ch), GOC_OK);
        for (int i = 0; i < 3; i++) {
            op_join(&ops[i]);
            CHECK_STATUS(ops[i].rc, GOC_CLOSED);
            CHECK_EQ(ops[i].value, 0);
        }
        goc_chan_free(ch);
    }
}

/* close wakes every blocked sender with GOC_CLOSED; their values are not delivered, and what
 * was buffered before the close still drains. */
static void
test_close_wakes_senders(void) {
    static const size_t caps[] = {0, 2};
    for (size_t ci = 0; ci < 2; ci++) {
        size_t cap = caps[ci];
        goc_chan *ch = goc_chan_make(sizeof(int64_t), cap);
        CHECK_OR_RETURN(ch != NULL);
        for (size_t i = 0; i < cap; i++) {
            int64_t v = (int64_t)i + 1;
            CHECK_STATUS(goc_chan_send(ch, &v), GOC_OK);
        }
        struct op ops[3];
        for (int i = 0; i < 3; i++)
            op_start(&ops[i], ch, OP_SEND, 100 + i);
        for (int i = 0; i < 3; i++)
            check_blocked(&ops[i]);
        CHECK_STATUS(goc_chan_close(ch), GOC_OK);
        for (int i = 0; i < 3; i++) {
            op_join(&ops[i]);
            CHECK_STATUS(ops[i].rc, GOC_CLOSED);
        }
        for (size_t i = 0; i < cap; i++) {
            int64_t out = 0;
            CHECK_STATUS(goc_chan_recv(ch, &out), GOC_OK);
            CHECK_EQ(out, (int64_t)i + 1);
        }
        int64_t out = 99;
        CHECK_STATUS(goc_chan_recv(ch, &out), GOC_CLOSED);
        CHECK_EQ(out, 0);
        goc_chan_free(ch);
    }
}

/* ---- element sizes -------------------------------------------------------------------------- */

static void
fill_pattern(unsigned char *p, size_t n, unsigned seed) {
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(seed * 131u + i * 7u + (i >> 8));
}

struct bytes_sender {
    goc_chan *ch;
    size_t size;
    int count;
};

static void *
bytes_sender_thread(void *arg) {
    struct bytes_sender *s = arg;
    unsigned char *buf = test_malloc(s->size ? s->size : 1);
    for (int k = 0; k < s->count; k++) {
        fill_pattern(buf, s->size, (unsigned)k);
        CHECK_STATUS(goc_chan_send(s->ch, buf), GOC_OK);
    }
    free(buf);
    return NULL;
}

/* Every element size from 0 to 64 KiB moves byte-exact, buffered and unbuffered. */
static void
test_elem_sizes(void) {
    static const size_t sizes[] = {0, 1, 2, 3, 7, 8, 16, 24, 64, 100, 4096, 65535, GOC_ELEM_MAX};
    static const size_t caps[] = {0, 1, 3};
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        size_t size = sizes[si];
        unsigned char *want = test_malloc(size + 1), *got = test_malloc(size + 1);
        for (size_t ci = 0; ci < 3; ci++) {
            goc_chan *ch = goc_chan_make(size, caps[ci]);
            CHECK_OR_RETURN(ch != NULL);
            CHECK_EQ(goc_chan_elem_size(ch), size);
            struct bytes_sender s = {ch, size, 10};
            pthread_t t = test_spawn(bytes_sender_thread, &s);
            for (int k = 0; k < s.count; k++) {
                fill_pattern(want, size, (unsigned)k);
                memset(got, 0xEE, size + 1);
                CHECK_STATUS(k % 3 == 2 ? goc_chan_recv(ch, NULL) : goc_chan_recv(ch, got), GOC_OK);
                if (k % 3 != 2)
                    CHECK(memcmp(got, want, size) == 0);
                CHECK_EQ(got[size], 0xEE);
            }
            test_join(t);
            CHECK_STATUS(goc_chan_close(ch), GOC_OK);
            memset(got, 0xEE, size + 1);
            CHECK_STATUS(goc_chan_recv(ch, got), GOC_CLOSED);
            for (size_t i = 0; i < size; i++)
                CHECK_EQ(got[i], 0);
            CHECK_EQ(got[size], 0xEE);
            goc_chan_free(ch);
        }
        free(want);
        free(got);
    }
}

/* A signal channel (elem_size 0) counts its buffered signals like any other. */
static void
test_signal_channel(void) {
    goc_chan *ch = goc_chan_make(0, 3);
    CHECK_OR_RETURN(ch != NULL);
    char dummy = 1;
    for (int i = 0; i < 3; i++) {
        CHECK_STATUS(goc_chan_try_send(ch, &dummy), GOC_OK);
        CHECK_EQ(goc_chan_len(ch), (size_t)i + 1);
    }
    CHECK_STATUS(goc_chan_try_send(ch, &dummy), GOC_WOULDBLOCK);
    CHECK_STATUS(goc_chan_recv(ch, NULL), GOC_OK);
    CHECK_STATUS(goc_chan_recv(ch, &dummy), GOC_OK);
    CHECK_EQ(dummy, 1); /* nothing written for a 0-byte element */
    CHECK_EQ(goc_chan_len(ch), 1);
    CHECK_STATUS(goc_chan_close(ch), GOC_OK);
    CHECK_STATUS(goc_chan_try_recv(ch, NULL), GOC_OK);
    CHECK_STATUS(goc_chan_try_recv(ch, NULL), GOC_CLOSED);
    goc_chan_free(ch);
}

/* Sending a NULL element on a channel of non-empty elements is misuse: GOC_EINVAL from every
 * send form and from select, never a crash, and nothing is sent. A signal channel (element
 * size 0) takes NULL. */
static void
test_null_elem(void) {
    goc_chan *c = goc_chan_make(8, 1);
    CHECK_OR_RETURN(c != NULL);
    CHECK_STATUS(goc_chan_send(c, NULL), GOC_EINVAL);
    CHECK_STATUS(goc_chan_try_send(c, NULL), GOC_EINVAL);
    goc_case k = GOC_SEND(c, NULL);
    CHECK_STATUS(goc_select(&k, 1, 0), GOC_EINVAL);
    CHECK_EQ(goc_chan_len(c), 0);
    goc_chan_free(c);

    goc_chan *sig = goc_chan_make(0, 1);
    CHECK_OR_RETURN(sig != NULL);
    CHECK_STATUS(goc_chan_send(sig, NULL), GOC_OK);
    CHECK_STATUS(goc_chan_recv(sig, NULL), GOC_OK);
    goc_chan_free(sig);
}

int
main(void) {
    test_null_elem();
    test_make();
    test_free_null();
    test_null_channel();
    test_buffered_fifo();
    test_send_copies();
    test_recv_writes_elem_size_only();
    test_unbuffered_try_without_partner();
    test_unbuffered_rendezvous();
    test_buffered_blocking();
    test_try_sees_blocked_partner();
    test_try_recv_refills_from_blocked_sender();
    test_recv_null_out();
    test_close_basic();
    test_close_drains();
    test_close_wakes_receivers();
    test_close_wakes_senders();
    test_elem_sizes();
    test_signal_channel();
    return check_result("chan_test");
}
