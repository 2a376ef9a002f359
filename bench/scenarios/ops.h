/* SPDX-License-Identifier: MIT */
/* Ops tables: one struct per primitive, implemented by libgoc (in the family file that uses
 * it) and by each in-process peer (bench/peers/), so that a scenario runs identical code
 * against every impl= (ck's adapter-header habit, as data). A family lists its impls in a
 * struct bench_impl array whose ops point to these tables. Add the tables of new primitives
 * (locks...) and the peers' extern declarations here. */
#ifndef BENCH_OPS_H
#define BENCH_OPS_H

#include <stddef.h>

/* A channel of fixed-size elements with Go's semantics (DESIGN.md), behind an opaque handle.
 * Status values are libgoc's: 0 (GOC_OK), GOC_CLOSED, GOC_WOULDBLOCK. */
struct chan_ops {
    /* Make a channel of elem_size-byte elements holding cap buffered ones (0: unbuffered);
     * NULL when out of memory or the arguments are refused. */
    void *(*make)(size_t elem_size, size_t cap);
    /* Block until delivered or buffered: 0, or GOC_CLOSED. */
    int (*send)(void *ch, const void *elem);
    /* Block until a value arrives: 0, or GOC_CLOSED once closed and drained (out zeroed). */
    int (*recv)(void *ch, void *out);
    /* Non-blocking forms: GOC_WOULDBLOCK instead of blocking. NULL when the impl has none. */
    int (*try_send)(void *ch, const void *elem);
    int (*try_recv)(void *ch, void *out);
    /* Close (0, or GOC_CLOSED when already closed), and free once no thread uses it. */
    int (*close)(void *ch);
    void (*free)(void *ch);
};

/* A lock behind an opaque handle. Exclusive impls (a mutex, a spinlock) make rlock/runlock the
 * same as lock/unlock; reader/writer impls map lock/unlock to the write lock. */
struct lock_ops {
    void *(*make)(void); /* NULL when out of memory */
    void (*lock)(void *l);
    void (*unlock)(void *l);
    void (*rlock)(void *l);
    void (*runlock)(void *l);
    void (*free)(void *l);
};

/* In-process peers (bench/peers/). */
extern const struct chan_ops peer_naive_chan;     /* naive.c: mutex + two condvars */
extern const struct lock_ops peer_pthread_mutex;  /* pthread.c: pthread_mutex_t */
extern const struct lock_ops peer_pthread_rwlock; /* pthread.c: pthread_rwlock_t */
extern const struct lock_ops peer_spin_lock;      /* spin.c: TTAS with backoff */
/* ck.c, built only with libck (CHANBENCH_HAVE_CK in the generated ck_peer.h). */
extern const struct chan_ops peer_ck_ring_spsc; /* ck_ring, SPSC calls, spin-then-yield wait */
extern const struct chan_ops peer_ck_ring_mpmc; /* ck_ring, MPMC calls, spin-then-yield wait */
extern const struct lock_ops peer_ck_mcs;       /* ck_spinlock_mcs */
extern const struct lock_ops peer_ck_rwlock;    /* ck_rwlock */
extern const struct lock_ops peer_ck_brlock;    /* ck_brlock (big-reader lock) */

#endif
