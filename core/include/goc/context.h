/* SPDX-License-Identifier: MIT */
/* Go's context package: cancellation trees with deadlines, observed through a done channel
 * that works as a select case. Channels are in chan.h, select in select.h. */
#ifndef GOC_CONTEXT_H
#define GOC_CONTEXT_H

#include <stdint.h>

#include <goc/chan.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A node of a cancellation tree. Opaque; every call is thread-safe.
 *
 * Lifetime: each context made by goc_ctx_with_cancel / goc_ctx_with_timeout is owned by its
 * maker, who frees it exactly once with goc_ctx_free, when no thread uses it or its done
 * channel any more. Parents and children may be freed in either order, from any threads, and
 * concurrently with cancellations and expiring deadlines:
 *   - freeing a child first cancels the child and its descendants and detaches it; the parent
 *     is not affected;
 *   - freeing a parent first cancels the parent and every descendant (as goc_ctx_cancel) and
 *     detaches them: each child stays a valid, cancelled context until its own goc_ctx_free.
 *
 * Deadlines are enforced by one timer thread for the whole process, started by the first
 * goc_ctx_with_timeout; it sleeps until the earliest deadline, never polls, and keeps no
 * context alive: goc_ctx_free removes a context's deadline. Cancellation recurses, one stack
 * frame per level of the tree. */
typedef struct goc_ctx goc_ctx;

/* The root context: never cancelled, no deadline; its done channel is NULL (never ready in a
 * select, as Go's Background().Done() is nil). A process-wide static singleton; goc_ctx_free
 * on it does nothing. Never NULL. */
goc_ctx *goc_ctx_background(void);

/* A child of parent that is cancelled by goc_ctx_cancel, or when parent is. If parent is
 * already cancelled the child starts cancelled, with the parent's error. Never blocks.
 * Returns NULL with errno EINVAL (parent NULL) or ENOMEM. */
goc_ctx *goc_ctx_with_cancel(goc_ctx *parent);

/* As goc_ctx_with_cancel, and also cancelled with GOC_DEADLINE timeout_ns nanoseconds from now
 * (CLOCK_MONOTONIC; the timer thread fires within about a millisecond of the deadline on an
 * idle machine). A deadline later than the parent's adds nothing: the parent's expiry cancels
 * the child with GOC_DEADLINE anyway. timeout_ns <= 0 gives a context that is already past its
 * deadline. Returns NULL with errno EINVAL (parent NULL), ENOMEM, or EAGAIN (the timer thread
 * could not be started). */
goc_ctx *goc_ctx_with_timeout(goc_ctx *parent, int64_t timeout_ns);

/* Cancel ctx and every descendant: their done channels are closed and goc_ctx_err returns
 * GOC_CANCELED (a context already cancelled, or past its deadline, keeps its error).
 * Cancellation runs bottom-up: a context is closed only after all its descendants are, so a
 * closed done channel means the whole subtree below is closed too (the same holds when a
 * deadline expires). When the call returns, all of them are closed, even if another thread
 * started the same cancellation first (it may wait briefly for that thread). Idempotent; any
 * thread. Returns GOC_OK, or GOC_EINVAL for NULL or the background context. */
int goc_ctx_cancel(goc_ctx *ctx);

/* GOC_OK while active, then GOC_CANCELED or GOC_DEADLINE, which never changes again. It agrees
 * with the done channel, as in Go: once a thread has seen done closed, err is not GOC_OK, and
 * a non-OK err means done is closed. GOC_EINVAL for NULL. Never waits for other threads. */
int goc_ctx_err(goc_ctx *ctx);

/* A signal channel (element size 0) closed when ctx is cancelled; use it as
 * GOC_RECV(goc_ctx_done(ctx), NULL), or block on goc_chan_recv until it returns GOC_CLOSED.
 * Only the context closes it, and only goc_ctx_free frees it: never close or free it
 * yourself. NULL for the background context and for NULL. */
goc_chan *goc_ctx_done(goc_ctx *ctx);

/* Cancel ctx (as goc_ctx_cancel, so its descendants too), detach it from its parent, remove its
 * deadline and release it; see "Lifetime" above for children. After it returns ctx and its done
 * channel must not be used. NULL and the background context are ignored. */
void goc_ctx_free(goc_ctx *ctx);

#ifdef __cplusplus
}
#endif

#endif
