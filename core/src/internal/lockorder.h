/* SPDX-License-Identifier: MIT */
/* Lock order for libgoc, in one place.
 *
 * 1. A thread holds at most one channel lock (goci_lock in struct goc_chan) at a time. select
 *    registers and unregisters its cases one channel at a time, so channels need no order
 *    among themselves (unlike Go's sellock, which locks all of them by address).
 * 2. While holding a channel lock, code may CAS a waiter's state word and unlink queue entries;
 *    it never sleeps, never calls futex wait, and never takes a context or timer lock.
 * 3. Context locks (context.c) are taken parent before child. Closing a context's done channel
 *    (which takes that channel's lock) is done after the context lock is released.
 */
#ifndef GOCI_LOCKORDER_H
#define GOCI_LOCKORDER_H
#endif
