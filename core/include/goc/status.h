/* SPDX-License-Identifier: MIT */
/* Status codes shared by every libgoc call. Channel, select, sync and context APIs live in
 * their own headers. */
#ifndef GOC_STATUS_H
#define GOC_STATUS_H

#include <errno.h>

/* Every libgoc call returns GOC_OK (0) or one of these negative values. They are negated
 * errno values, so strerror(-status) also gives a readable text. */
#define GOC_OK 0
#define GOC_CLOSED (-EPIPE)       /* the channel is closed (and, for receives, drained) */
#define GOC_WOULDBLOCK (-EAGAIN)  /* a non-blocking operation could not proceed now */
#define GOC_TIMEDOUT (-ETIMEDOUT) /* a select with a positive timeout ran out of time */
#define GOC_CANCELED (-ECANCELED) /* a context was cancelled */
#define GOC_DEADLINE (-ETIME)     /* a context's deadline passed */
#define GOC_EINVAL (-EINVAL)      /* misuse: NULL where an object is required, bad size */
#define GOC_ENOMEM (-ENOMEM)      /* out of memory */

#ifdef __cplusplus
extern "C" {
#endif

/* Name of a status ("GOC_CLOSED: channel closed"). Never NULL; an unknown value gives
 * "unknown libgoc status". Thread-safe. */
const char *goc_strstatus(int status);

#ifdef __cplusplus
}
#endif

#endif
