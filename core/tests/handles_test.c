/* SPDX-License-Identifier: MIT */
/* Direction-restricted handles (goc_sender, goc_receiver: Go's chan<- T and <-chan T) and
 * GOC_RANGE. That a wrong-direction use fails to compile is proved by compile_fail/. */
#include "testutil.h"

/* goc_send, goc_recv, goc_try_send, goc_try_recv and goc_close behave as the goc_chan_ calls they
 * wrap. */
static void
test_handle_ops(void) {
    goc_chan *ch = goc_chan_make(sizeof(int), 2);
    CHECK_OR_RETURN(ch != NULL);
    goc_sender tx = goc_chan_sender(ch);
    goc_receiver rx = goc_chan_receiver(ch);
    int v = 1, out = -1;

    CHECK_STATUS(goc_try_recv(rx, &out), GOC_WOULDBLOCK);
    CHECK_EQ(out, -1);
    CHECK_STATUS(goc_send(tx, &v), GOC_OK);
    v = 2;
    CHECK_STATUS(goc_try_send(tx, &v), GOC_OK);
    CHECK_STATUS(goc_try_send(tx, &v), GOC_WOULDBLOCK);
    CHECK_EQ(goc_sender_len(tx), 2);
    CHECK_EQ(goc_receiver_len(rx), 2);
    CHECK_EQ(goc_chan_len(ch), 2);
    CHECK_STATUS(goc_recv(rx, &out), GOC_OK);
    CHECK_EQ(out, 1);
    CHECK_EQ(goc_receiver_len(rx), 1);

    CHECK_STATUS(goc_close(tx), GOC_OK);
    CHECK_STATUS(goc_close(tx), GOC_CLOSED);
    CHECK_STATUS(goc_chan_close(ch), GOC_CLOSED);
    CHECK_STATUS(goc_send(tx, &v), GOC_CLOSED);
    CHECK_STATUS(goc_try_send(tx, &v), GOC_CLOSED);
    CHECK_STATUS(goc_try_recv(rx, &out), GOC_OK);
    CHECK_EQ(out, 2);
    out = 55;
    CHECK_STATUS(goc_recv(rx, &out), GOC_CLOSED);
    CHECK_EQ(out, 0);
    out = 55;
    CHECK_STATUS(goc_try_recv(rx, &out), GOC_CLOSED);
    CHECK_EQ(out, 0);
    CHECK_STATUS(goc_recv(rx, NULL), GOC_CLOSED);
    CHECK_EQ(goc_sender_len(tx), 0);
    goc_chan_free(ch);
}

/* Handles of a NULL channel report misuse as the channel calls do. */
static void
test_null_handles(void) {
    goc_sender tx = goc_chan_sender(NULL);
    goc_receiver rx = goc_chan_receiver(NULL);
    int v = 0;
    CHECK_STATUS(goc_send(tx, &v), GOC_EINVAL);
    CHECK_STATUS(goc_try_send(tx, &v), GOC_EINVAL);
    CHECK_STATUS(goc_close(tx), GOC_EINVAL);
    CHECK_STATUS(goc_recv(rx, &v), GOC_EINVAL);
    CHECK_STATUS(goc_try_recv(rx, &v), GOC_EINVAL);
    CHECK_EQ(goc_sender_len(tx), 0);
    CHECK_EQ(goc_receiver_len(rx), 0);
}

/* A Go-style pipeline where every stage sees only the direction it needs:
 * generate(out chan<-) -> square(in <-chan, out chan<-) -> main ranges over <-chan. */
#define PIPE_N 200

static void *
generate(void *arg) {
    goc_sender out = *(goc_sender *)arg;
    for (int i = 1; i <= PIPE_N; i++)
        CHECK_STATUS(goc_send(out, &i), GOC_OK);
    CHECK_STATUS(goc_close(out), GOC_OK);
    return NULL;
}

struct square_args {
    goc_receiver in;
    goc_sender out;
};

static void *
square(void *arg) {
    struct square_args *a = arg;
    int v;
    GOC_RANGE(a->in, &v) {
        int sq = v * v;
        CHECK_STATUS(goc_send(a->out, &sq), GOC_OK);
    }
    CHECK_EQ(v, 0); /* the closing receive zeroed it */
    CHECK_STATUS(goc_close(a->out), GOC_OK);
    return NULL;
}

static void
test_pipeline(void) {
    static const size_t caps[] = {0, 1, 64};
    for (size_t ci = 0; ci < 3; ci++) {
        goc_chan *nums = goc_chan_make(sizeof(int), caps[ci]);
        goc_chan *squares = goc_chan_make(sizeof(int), caps[ci]);
        CHECK_OR_RETURN(nums != NULL && squares != NULL);
        goc_sender gen_out = goc_chan_sender(nums);
        struct square_args sa = {goc_chan_receiver(nums), goc_chan_sender(squares)};
        pthread_t t1 = test_spawn(generate, &gen_out);
        pthread_t t2 = test_spawn(square, &sa);
        goc_receiver rx = goc_chan_receiver(squares);
        int v, i = 0;
        GOC_RANGE(rx, &v) {
            i++;
            CHECK_EQ(v, i * i);
        }
        CHECK_EQ(i, PIPE_N);
        test_join(t1);
        test_join(t2);
        goc_chan_free(nums);
        goc_chan_free(squares);
    }
}

/* GOC_RANGE on a goc_chan *: every buffered value, in order, then stops at close. */
static void
test_range_chan(void) {
    goc_chan *ch = goc_chan_make(sizeof(long), 8);
    CHECK_OR_RETURN(ch != NULL);
    for (long i = 0; i < 5; i++)
        CHECK_STATUS(goc_chan_send(ch, &i), GOC_OK);
    CHECK_STATUS(goc_chan_close(ch), GOC_OK);
    long v = -1, next = 0;
    GOC_RANGE(ch, &v) {
        CHECK_EQ(v, next);
        next++;
    }
    CHECK_EQ(next, 5);
    CHECK_EQ(v, 0);

    /* A range over a closed, drained channel never runs its body. */
    int runs = 0;
    GOC_RANGE(ch, &v) {
        runs++;
    }
    CHECK_EQ(runs, 0);

    /* break leaves the rest in the channel. */
    goc_chan *ch2 = goc_chan_make(sizeof(long), 8);
    CHECK_OR_RETURN(ch2 != NULL);
    for (long i = 0; i < 5; i++)
        CHECK_STATUS(goc_chan_send(ch2, &i), GOC_OK);
    GOC_RANGE(ch2, &v) {
        if (v == 2)
            break;
    }
    CHECK_EQ(v, 2);
    CHECK_EQ(goc_chan_len(ch2), 2);

    /* A range with a NULL destination counts values without storing them. */
    CHECK_STATUS(goc_chan_close(ch2), GOC_OK);
    runs = 0;
    GOC_RANGE(ch2, NULL) {
        runs++;
    }
    CHECK_EQ(runs, 2);
    goc_chan_free(ch);
    goc_chan_free(ch2);
}

/* Handles in select cases: GOC_SEND takes a goc_sender, GOC_RECV a goc_receiver. */
static void
test_handles_in_select(void) {
    goc_chan *a = goc_chan_make(sizeof(int), 1);
    goc_chan *b = goc_chan_make(sizeof(int), 1);
    CHECK_OR_RETURN(a != NULL && b != NULL);
    goc_sender tx = goc_chan_sender(a);
    goc_receiver rx = goc_chan_receiver(b);
    int v = 7, out = 0;
    goc_case cases[] = {GOC_SEND(tx, &v), GOC_RECV(rx, &out)};
    CHECK(cases[0].ch == a && cases[1].ch == b);
    CHECK_EQ(goc_select(cases, 2, 0), 0);
    CHECK(cases[0].ok);
    CHECK_EQ(goc_chan_len(a), 1);
    CHECK_EQ(goc_select(cases, 2, 0), GOC_WOULDBLOCK);
    CHECK_STATUS(goc_chan_send(b, &v), GOC_OK);
    CHECK_EQ(goc_select(cases, 2, 0), 1);
    CHECK(cases[1].ok);
    CHECK_EQ(out, 7);

    /* Handles of a NULL channel make never-ready cases. */
    goc_case none[] = {GOC_SEND(goc_chan_sender(NULL), &v),
                       GOC_RECV(goc_chan_receiver(NULL), &out)};
    CHECK_EQ(goc_select(none, 2, 0), GOC_WOULDBLOCK);
    goc_chan_free(a);
    goc_chan_free(b);
}

int
main(void) {
    test_handle_ops();
    test_null_handles();
    test_range_chan();
    test_pipeline();
    test_handles_in_select();
    return check_result("handles_test");
}
