/* SPDX-License-Identifier: MIT */
/* Example 2: unbuffered versus buffered channels. A send on an unbuffered channel completes
 * only when a receiver takes the value at that moment, so a thread that sends to a fresh
 * unbuffered channel and then plans to receive it itself waits forever (Go reports "all
 * goroutines are asleep - deadlock!"). We show that with try_send and a select timeout instead
 * of hanging, then the receiver-first fix, then a buffered channel as the asynchronous case. */
#include <goc/goc.h>

#include <pthread.h>
#include <stdio.h>

#define MS ((int64_t)1000 * 1000)

static int failed;

static void
expect(int got, int want, const char *what) {
    printf("  %-58s -> %s\n", what, goc_strstatus(got));
    if (got != want) {
        printf("  FAILED: expected %s\n", goc_strstatus(want));
        failed = 1;
    }
}

struct receiver {
    goc_chan *ch;
    int value;
    int rc;
};

static void *
receive_one(void *arg) {
    struct receiver *r = arg;
    r->rc = goc_chan_recv(r->ch, &r->value);
    return NULL;
}

int
main(void) {
    int v = 42;

    printf("1. Unbuffered, one thread: nobody is receiving, so the send cannot complete.\n");
    goc_chan *unbuf = goc_chan_make(sizeof(int), 0);
    expect(goc_chan_try_send(unbuf, &v), GOC_WOULDBLOCK, "goc_chan_try_send(unbuf, 42)");
    goc_case send_case[] = {GOC_SEND(unbuf, &v)};
    expect(goc_select(send_case, 1, 100 * MS), GOC_TIMEDOUT,
           "select { send 42 } with a 100 ms timeout");
    printf("  A plain goc_chan_send here would block forever: the receive that should take\n"
           "  the value comes later in the same thread and is never reached.\n\n");

    printf("2. Unbuffered, receiver first: start a thread that receives, then send.\n");
    struct receiver r = {.ch = unbuf, .value = 0, .rc = 1};
    pthread_t t;
    pthread_create(&t, NULL, receive_one, &r);
    expect(goc_chan_send(unbuf, &v), GOC_OK, "goc_chan_send(unbuf, 42)");
    pthread_join(t, NULL);
    printf("  the receiver got %d; the send returned only once it was taken (a rendezvous).\n\n",
           r.value);
    if (r.rc != GOC_OK || r.value != 42)
        failed = 1;

    printf("3. Buffered (cap 2): sends complete without a receiver until the buffer is full.\n");
    goc_chan *buf = goc_chan_make(sizeof(int), 2);
    int a = 1, b = 2, c = 3, out = 0;
    expect(goc_chan_send(buf, &a), GOC_OK, "goc_chan_send(buf, 1)");
    expect(goc_chan_send(buf, &b), GOC_OK, "goc_chan_send(buf, 2)");
    printf("  len %zu, cap %zu\n", goc_chan_len(buf), goc_chan_cap(buf));
    expect(goc_chan_try_send(buf, &c), GOC_WOULDBLOCK, "goc_chan_try_send(buf, 3): buffer full");
    expect(goc_chan_recv(buf, &out), GOC_OK, "goc_chan_recv(buf)");
    printf("  received %d (first in, first out)\n", out);
    if (out != 1)
        failed = 1;
    expect(goc_chan_try_send(buf, &c), GOC_OK, "goc_chan_try_send(buf, 3): room again");
    goc_chan_recv(buf, &out);
    printf("  then received %d", out);
    if (out != 2)
        failed = 1;
    goc_chan_recv(buf, &out);
    printf(" and %d\n", out);
    if (out != 3)
        failed = 1;

    goc_chan_free(unbuf);
    goc_chan_free(buf);
    printf("\n%s\n", failed ? "Something above did not behave as described."
                            : "Unbuffered = synchronous handoff; buffered = asynchronous up to "
                              "its capacity.");
    return failed;
}
