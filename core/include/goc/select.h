/* SPDX-License-Identifier: MIT */
/* Go's select over send and receive cases, with default, timeouts and nil cases. */
#ifndef GOC_SELECT_H
#define GOC_SELECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <goc/chan.h>

#ifdef __cplusplus
extern "C" {
#endif

enum goc_case_dir {
    GOC_CASE_RECV = 1,
    GOC_CASE_SEND = 2,
};

/* One case of a select. Write cases with GOC_RECV / GOC_SEND:
 *     goc_case cases[] = {GOC_RECV(a, &x), GOC_SEND(b, &y)};
 * A case whose channel is NULL is never ready (Go's nil channel). */
typedef struct goc_case {
    goc_chan *ch;
    union {
        void *out;        /* receive: where the value goes (NULL discards) */
        const void *elem; /* send: the value to send */
    };
    enum goc_case_dir dir;
    bool ok; /* set by goc_select on the case it returns: true when a value moved, false when
                the channel was closed (a receive then zeroes *out) */
} goc_case;

/* ch is a goc_chan * or a goc_receiver (GOC_RECV) / goc_sender (GOC_SEND); a handle of the
 * wrong direction fails to compile. */
#define GOC_RECV(ch_, out_)                                                                        \
    ((goc_case){.ch = GOC_PRIVATE_RECV_CHAN(ch_), .out = (out_), .dir = GOC_CASE_RECV})
#define GOC_SEND(ch_, elem_)                                                                       \
    ((goc_case){.ch = GOC_PRIVATE_SEND_CHAN(ch_), .elem = (elem_), .dir = GOC_CASE_SEND})

/* Wait until one of the n cases can run, run it, and return its index. Among cases ready at
 * the same time one is chosen uniformly at random. A send case on a closed channel is ready:
 * its index is returned with ok false. The same channel may appear in several cases; an
 * unbuffered value is never received by its own select.
 * timeout_ns: 0 means default (GOC_WOULDBLOCK when nothing is ready), negative waits forever,
 * positive waits at most that long (CLOCK_MONOTONIC) and then returns GOC_TIMEDOUT.
 * Returns a case index >= 0, GOC_WOULDBLOCK, GOC_TIMEDOUT, or GOC_EINVAL (cases NULL with
 * n > 0, a bad dir, a send case with a NULL element on a channel of non-empty elements). With n ==
 * 0 (or only NULL channels) it waits for the timeout: forever with a negative timeout, as Go's
 * empty select blocks forever. */
int goc_select(goc_case *cases, size_t n, int64_t timeout_ns);

#ifdef __cplusplus
}
#endif

#endif
