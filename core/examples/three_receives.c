/* SPDX-License-Identifier: MIT */
/* Example 6: the three ways to receive.
 *   1. a plain receive: one value from one channel, blocking;
 *   2. select over several channels; when one is closed and drained, set its case's channel to
 *      NULL (Go's nil channel) so the select stops picking it, and stop when all are NULL;
 *   3. GOC_RANGE: receive until the channel is closed and drained. */
#include <goc/goc.h>

#include <pthread.h>
#include <stdio.h>

struct source {
    goc_chan *ch;
    int first, count;
    pthread_t thread;
};

/* Send count values from first up, then close. */
static void *
source_main(void *arg) {
    struct source *s = arg;
    for (int i = 0; i < s->count; i++) {
        int v = s->first + i;
        goc_chan_send(s->ch, &v);
    }
    goc_chan_close(s->ch);
    return NULL;
}

static void
source_start(struct source *s, int first, int count) {
    s->ch = goc_chan_make(sizeof(int), 0);
    s->first = first;
    s->count = count;
    pthread_create(&s->thread, NULL, source_main, s);
}

static void
source_finish(struct source *s) {
    pthread_join(s->thread, NULL);
    goc_chan_free(s->ch);
}

int
main(void) {
    int failed = 0, v;

    printf("1. Plain receive: one value, blocking until it comes.\n");
    struct source one;
    source_start(&one, 7, 1);
    int rc = goc_chan_recv(one.ch, &v);
    printf("  goc_chan_recv -> %s, value %d\n", goc_strstatus(rc), v);
    failed |= rc != GOC_OK || v != 7;
    rc = goc_chan_recv(one.ch, &v);
    printf("  again        -> %s, value %d (the zero value: closed and drained)\n",
           goc_strstatus(rc), v);
    failed |= rc != GOC_CLOSED || v != 0;
    source_finish(&one);

    printf("\n2. Select over two sources (100.. and 200..), each closing when done.\n  ");
    struct source a, b;
    source_start(&a, 100, 5);
    source_start(&b, 200, 3);
    goc_case cases[] = {GOC_RECV(a.ch, &v), GOC_RECV(b.ch, &v)};
    int got[2] = {0, 0}, selects = 0;
    while (cases[0].ch != NULL || cases[1].ch != NULL) {
        int i = goc_select(cases, 2, -1);
        selects++;
        if (!cases[i].ok) {
            printf("[%c closed: set to NULL] ", "ab"[i]);
            cases[i].ch = NULL; /* a NULL channel is never ready: the select ignores it */
            continue;
        }
        got[i]++;
        printf("%d ", v);
    }
    printf("\n  %d from a, %d from b in %d selects; both NULL now, so the loop ends.\n", got[0],
           got[1], selects);
    failed |= got[0] != 5 || got[1] != 3 || selects != 10;
    source_finish(&a);
    source_finish(&b);

    printf("\n3. GOC_RANGE until close.\n  ");
    struct source r;
    source_start(&r, 1, 6);
    int n = 0;
    GOC_RANGE(r.ch, &v) {
        printf("%d ", v);
        n++;
    }
    printf("\n  %d values; the loop ended by itself when the source closed.\n", n);
    failed |= n != 6;
    source_finish(&r);

    printf("\n%s\n", failed ? "Something above did not behave as described."
                            : "Plain receive for one value, select for several sources, range "
                              "for a stream.");
    return failed;
}
