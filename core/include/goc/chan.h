/* SPDX-License-Identifier: MIT */
/* Go channels in C: make, send, receive, close, direction-restricted handles. select is in
 * select.h. */
#ifndef GOC_CHAN_H
#define GOC_CHAN_H

#include <stdbool.h>
#include <stddef.h>

#include <goc/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A channel of fixed-size elements. Unbuffered when its capacity is 0 (a send completes only
 * when a receiver takes the value), buffered otherwise. Opaque; every call is thread-safe. */
typedef struct goc_chan goc_chan;

/* Largest element size, as in Go (64 KiB). */
#define GOC_ELEM_MAX ((size_t)65536)

/* Make a channel of elements of elem_size bytes (0 allowed: a signal channel) holding up to
 * cap buffered elements (0: unbuffered). One allocation.
 * Returns NULL with errno EINVAL (elem_size over GOC_ELEM_MAX, cap too large to address) or
 * ENOMEM (out of memory). */
goc_chan *goc_chan_make(size_t elem_size, size_t cap);

/* Free a channel. Call once, when no thread uses it any more (Go's garbage collection).
 * NULL is ignored. Buffered values still in it are dropped. */
void goc_chan_free(goc_chan *ch);

/* Send the elem_size bytes at elem. Blocks until a receiver takes them (unbuffered) or they
 * are buffered. Returns GOC_OK, GOC_CLOSED if the channel is or becomes closed before the
 * value is taken (Go panics; we return), GOC_EINVAL if ch is NULL, or elem is NULL while the
 * element size is not 0. */
int goc_chan_send(goc_chan *ch, const void *elem);

/* Receive into out (may be NULL to discard). Blocks until a value arrives. Returns GOC_OK, or
 * GOC_CLOSED once the channel is closed and drained, with *out zeroed (Go's zero value);
 * GOC_EINVAL if ch is NULL. */
int goc_chan_recv(goc_chan *ch, void *out);

/* Non-blocking forms (Go's select with one case and default): GOC_WOULDBLOCK instead of
 * blocking; never a false GOC_WOULDBLOCK while a partner, a buffered value or buffer space is
 * ready. Otherwise as goc_chan_send / goc_chan_recv. */
int goc_chan_try_send(goc_chan *ch, const void *elem);
int goc_chan_try_recv(goc_chan *ch, void *out);

/* Close: blocked receivers drain what is buffered and then get GOC_CLOSED; blocked and later
 * senders get GOC_CLOSED. Returns GOC_OK, GOC_CLOSED if already closed, GOC_EINVAL if NULL. */
int goc_chan_close(goc_chan *ch);

/* Number of buffered elements (a snapshot: Go's len), and the capacity (Go's cap). 0 for
 * NULL. */
size_t goc_chan_len(const goc_chan *ch);
size_t goc_chan_cap(const goc_chan *ch);

/* The element size a channel was made with; 0 for NULL. */
size_t goc_chan_elem_size(const goc_chan *ch);

/* Direction-restricted handles: Go's chan<- T and <-chan T. They are distinct struct types,
 * so passing a goc_receiver where a goc_sender is expected (goc_send, goc_close, GOC_SEND)
 * fails to compile. The member is private: go through the functions below. */
typedef struct goc_sender {
    goc_chan *goc_private_ch;
} goc_sender;

typedef struct goc_receiver {
    goc_chan *goc_private_ch;
} goc_receiver;

static inline goc_sender
goc_chan_sender(goc_chan *ch) {
    goc_sender s = {ch};
    return s;
}

static inline goc_receiver
goc_chan_receiver(goc_chan *ch) {
    goc_receiver r = {ch};
    return r;
}

static inline int
goc_send(goc_sender s, const void *elem) {
    return goc_chan_send(s.goc_private_ch, elem);
}

static inline int
goc_try_send(goc_sender s, const void *elem) {
    return goc_chan_try_send(s.goc_private_ch, elem);
}

/* Closing is the sender's right, as in Go (closing a <-chan T does not compile). */
static inline int
goc_close(goc_sender s) {
    return goc_chan_close(s.goc_private_ch);
}

static inline int
goc_recv(goc_receiver r, void *out) {
    return goc_chan_recv(r.goc_private_ch, out);
}

static inline int
goc_try_recv(goc_receiver r, void *out) {
    return goc_chan_try_recv(r.goc_private_ch, out);
}

static inline size_t
goc_sender_len(goc_sender s) {
    return goc_chan_len(s.goc_private_ch);
}

static inline size_t
goc_receiver_len(goc_receiver r) {
    return goc_chan_len(r.goc_private_ch);
}

/* Internal helpers for the macros below: map a channel or a handle of the right direction to
 * its channel. A handle of the wrong direction matches neither and fails to compile. */
static inline goc_chan *
goc_private_chan_of_chan(goc_chan *ch) {
    return ch;
}

static inline goc_chan *
goc_private_chan_of_sender(goc_sender s) {
    return s.goc_private_ch;
}

static inline goc_chan *
goc_private_chan_of_receiver(goc_receiver r) {
    return r.goc_private_ch;
}

#define GOC_PRIVATE_SEND_CHAN(x)                                                                   \
    _Generic((x), goc_sender : goc_private_chan_of_sender, default : goc_private_chan_of_chan)(x)
#define GOC_PRIVATE_RECV_CHAN(x)                                                                   \
    _Generic((x), goc_receiver                                                                     \
             : goc_private_chan_of_receiver, default                                               \
             : goc_private_chan_of_chan)(x)

/* Go's `for v := range ch`: runs the body for each received value until the channel is closed
 * and drained. ch is a goc_chan * or a goc_receiver; out points to the element. */
#define GOC_RANGE(ch, out) while (goc_chan_recv(GOC_PRIVATE_RECV_CHAN(ch), (out)) == GOC_OK)

#ifdef __cplusplus
}
#endif

#endif
