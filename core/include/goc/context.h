/* SPDX-License-Identifier: MIT */
/* Go's context package: cancellation trees with deadlines, observed through a done channel
 * that works as a select case. */
#ifndef GOC_CONTEXT_H
#define GOC_CONTEXT_H

#include <stdint.h>

#include <goc/chan.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct goc_ctx goc_ctx;

/* The root context: never cancelled, no deadline; its done channel is NULL (never ready in a
 * select, as Go's Background().Done() is nil). A process-wide singleton; goc_ctx_free on it
 * does nothing. */
goc_ctx *goc_ctx_background(void);

/* A child of parent that is cancelled by goc_ctx_cancel, or when parent is. NULL with errno
 * EINVAL (parent NULL) or ENOMEM. */
goc_ctx *goc_ctx_with_cancel(goc_ctx *parent);

/* As goc_ctx_with_cancel, and also cancelled with GOC_DEADLINE timeout_ns nanoseconds from now
 * (CLOCK_MONOTONIC). timeout_ns <= 0 gives a context that is already past its deadline. */
goc_ctx *goc_ctx_with_timeout(goc_ctx *parent, int64_t timeout_ns);

/* Cancel ctx and every descendant: their done channels are closed and goc_ctx_err returns
 * GOC_CANCELED (unless already cancelled or past the deadline). Idempotent; thread-safe.
 * Returns GOC_OK, or GOC_EINVAL for NULL or the background context. */
int goc_ctx_cancel(goc_ctx *ctx);

/* GOC_OK while active, then GOC_CANCELED or GOC_DEADLINE; GOC_EINVAL for NULL. */
int goc_ctx_err(goc_ctx *ctx);

/* A signal channel (element size 0) closed when ctx is cancelled; use it as
 * GOC_RECV(goc_ctx_done(ctx), NULL). Only the context closes it. NULL for the background
 * context. */
goc_chan *goc_ctx_done(goc_ctx *ctx);

/* Cancel ctx (as goc_ctx_cancel) and release it. Children must be freed first or may be
 * freed later: a freed parent no longer cancels them, as a Go parent that is gone. */
void goc_ctx_free(goc_ctx *ctx);

#ifdef __cplusplus
}
#endif

#endif
