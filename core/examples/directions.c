/* SPDX-License-Identifier: MIT */
/* Example 3: channel directions. A function that only produces takes a send-only handle
 * (Go's chan<- int), one that only consumes takes a receive-only handle (<-chan int). The
 * handles are distinct types, so a consumer that tried to send, or to close, would not
 * compile (core/tests/compile_fail/ checks exactly that). */
#include <goc/goc.h>

#include <pthread.h>
#include <stdio.h>

#define N 10

/* Sends 1..n on out, then closes it: closing is the sender's right. */
static void
produce(goc_sender out, int n) {
    for (int i = 1; i <= n; i++)
        goc_send(out, &i);
    goc_close(out);
    /* goc_recv(out, &i) here would be a compile error: out is send-only. */
}

/* Receives until the channel is closed and drained; returns the sum. */
static long
consume(goc_receiver in, int *count) {
    long sum = 0;
    int v;
    *count = 0;
    GOC_RANGE(in, &v) {
        sum += v;
        (*count)++;
    }
    /* goc_send(in, &v) or goc_close(in) here would be a compile error: in is receive-only. */
    return sum;
}

static void *
producer_thread(void *arg) {
    produce(goc_chan_sender(arg), N);
    return NULL;
}

int
main(void) {
    goc_chan *ch = goc_chan_make(sizeof(int), 0);
    printf("main owns an unbuffered channel and hands out two restricted views of it:\n"
           "  produce(goc_sender out, n)        may only send and close\n"
           "  consume(goc_receiver in, &count)  may only receive\n");
    pthread_t t;
    pthread_create(&t, NULL, producer_thread, ch);
    int count;
    long sum = consume(goc_chan_receiver(ch), &count);
    pthread_join(t, NULL);
    printf("consume received %d values summing to %ld (expected %d and %d), then saw the "
           "close.\n",
           count, sum, N, N * (N + 1) / 2);
    goc_chan_free(ch);
    int ok = count == N && sum == N * (N + 1) / 2;
    printf("%s\n", ok ? "Each function can do only what its handle allows, checked by the "
                        "compiler."
                      : "FAILED: values went missing.");
    return ok ? 0 : 1;
}
