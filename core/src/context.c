/* SPDX-License-Identifier: MIT */
/* Cancellation contexts (Go's context package): the tree, cancellation, and the one timer
 * thread that enforces deadlines. The done channels are ordinary channels (chan.c). */
#define _GNU_SOURCE /* pthread_setname_np */
#include <goc/context.h>

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "internal/api.h"
#include "internal/assert.h"
#include "internal/clock.h"
#include "internal/futex.h"
#include "internal/lock.h"
#include "internal/spin.h"

/* Lock order (see internal/lockorder.h): a context's lock before its children's; the timer lock
 * is never held together with a context lock; no lock at all is held while a done channel is
 * closed or while a thread waits for another's cancellation to finish.
 *
 * Memory: a context is freed when its reference count drops to zero. References: one for the
 * owner (dropped by goc_ctx_free), one held by each linked child on its parent (so a child can
 * lock its parent to unlink itself), and short-lived ones taken by a thread that cancels a
 * context it does not own (popped children, a context popped from the timer heap).
 *
 * Cancellation: exactly one thread claims a context: it sets claim under the context's lock.
 * After the claim no child is linked any more (new children of a claimed parent start
 * cancelled). The claimer pops the children off the list one by one and cancels each, then
 * sets cause (what goc_ctx_err reports), closes done, and sets pub. So cancellation runs
 * bottom-up: by the time a context's cause is set or its done closed, all its descendants are
 * closed; and pub set means the context itself is finished too. Any other thread that wants the
 * same context cancelled waits until pub is set.
 *
 * Err and done agree as in Go: goc_ctx_err returns the cause once it is set, and before
 * returning it makes sure done is closed (closing it itself if the claimer has not got there
 * yet: goc_chan_close is idempotent). So a closed done always comes with a non-OK error (the
 * cause is set before the close) and a non-OK error with a closed done. */
struct goc_ctx {
    goci_lock lock;
    _Atomic uint32_t refs;
    int claim;            /* GOC_OK until a thread claims the cancellation; protected by lock */
    _Atomic int cause;    /* GOC_OK until the subtree below is closed, then the error; written
                             once, by the claimer */
    _Atomic uint32_t pub; /* PUB_*: has the claimer finished the subtree; futex word */
    bool background;      /* immutable */
    bool own_timer;       /* immutable: has (or had) an entry in the timer heap */
    goc_chan *done;       /* immutable; NULL for the background context */
    int64_t deadline;     /* immutable; INT64_MAX for none */
    goc_ctx *parent;      /* NULL when unlinked; protected by lock */
    goc_ctx *children;    /* first linked child; protected by lock */
    goc_ctx *prev, *next; /* siblings; protected by the parent's lock */
    size_t heap_index;    /* position in the timer heap or NOT_IN_HEAP; protected by the timer
                             lock */
};

#define PUB_NO 0u      /* active, or the claimer is still at work */
#define PUB_WAITING 1u /* as PUB_NO, and some thread sleeps until PUB_DONE */
#define PUB_DONE 2u    /* the context and all its descendants are closed */
#define NOT_IN_HEAP SIZE_MAX

static goc_ctx background_ctx = {
    .refs = 1, .background = true, .deadline = INT64_MAX, .heap_index = NOT_IN_HEAP};

static void
ctx_ref(goc_ctx *c) {
    /* relaxed: taking a reference needs no ordering, only that c is alive, which the caller
     * guarantees by holding a lock or another reference. */
    atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
}

static void
ctx_unref(goc_ctx *c) {
    /* acq_rel: the last holder frees, after every other holder's uses (release by each,
     * acquire by the last). */
    uint32_t refs = atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel);
    GOCI_ASSERT(refs > 0); /* counts never go negative */
    if (refs == 1) {
        goc_chan_free(c->done);
        free(c);
    }
}

/* ---- The timer thread ------------------------------------------------------------------- */

/* A binary min-heap of contexts by deadline. Every context in it has own_timer and an owner
 * reference (goc_ctx_free removes it before dropping that reference).
 * Invariants: heap[i]->heap_index == i; parent deadline <= child deadline. */
static struct {
    goci_lock lock;
    goc_ctx **heap;       /* protected by lock */
    size_t len, cap;      /* protected by lock */
    bool running;         /* the thread exists; protected by lock */
    _Atomic uint32_t seq; /* bumped under lock when the earliest deadline moves earlier; the
                             thread's futex word */
} timer;

static void
heap_set(size_t i, goc_ctx *c) {
    timer.heap[i] = c;
    c->heap_index = i;
}

/* Caller holds timer.lock. */
static void
heap_sift_up(size_t i) {
    goc_ctx *c = timer.heap[i];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (timer.heap[p]->deadline <= c->deadline)
            break;
        heap_set(i, timer.heap[p]);
        i = p;
    }
    heap_set(i, c);
}

/* Caller holds timer.lock. */
static void
heap_sift_down(size_t i) {
    goc_ctx *c = timer.heap[i];
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        int64_t md = c->deadline;
        if (l < timer.len && timer.heap[l]->deadline < md)
            m = l, md = timer.heap[l]->deadline;
        if (l + 1 < timer.len && timer.heap[l + 1]->deadline < md)
            m = l + 1;
        if (m == i)
            break;
        heap_set(i, timer.heap[m]);
        i = m;
    }
    heap_set(i, c);
}

/* Caller holds timer.lock; c is in the heap. */
static void
heap_remove(goc_ctx *c) {
    size_t i = c->heap_index;
    GOCI_ASSERT(i < timer.len && timer.heap[i] == c); /* heap[i]->heap_index == i */
    c->heap_index = NOT_IN_HEAP;
    goc_ctx *last = timer.heap[--timer.len];
    if (last == c)
        return;
    heap_set(i, last);
    heap_sift_up(i);
    heap_sift_down(last->heap_index);
}

static void ctx_cancel_tree(goc_ctx *n, int cause);

/* Sleep until the earliest deadline (or until a new earlier one is added), cancel every
 * context whose deadline has passed, repeat. */
static void *
timer_main(void *arg) {
    (void)arg;
    goci_lock_acquire(&timer.lock);
    for (;;) {
        int64_t now = goci_now_ns();
        while (timer.len > 0 && timer.heap[0]->deadline <= now) {
            goc_ctx *c = timer.heap[0];
            heap_remove(c);
            /* c is alive: it was in the heap, so its owner has not dropped its reference. */
            ctx_ref(c);
            goci_lock_release(&timer.lock);
            ctx_cancel_tree(c, GOC_DEADLINE);
            ctx_unref(c);
            goci_lock_acquire(&timer.lock);
            now = goci_now_ns();
        }
        int64_t next = timer.len > 0 ? timer.heap[0]->deadline : INT64_MAX;
        /* relaxed: seq only changes under timer.lock, which we hold; a bump after we release
         * it makes the futex wait return at once. */
        uint32_t seq = atomic_load_explicit(&timer.seq, memory_order_relaxed);
        goci_lock_release(&timer.lock);
        goci_futex_wait(&timer.seq, seq, next);
        goci_lock_acquire(&timer.lock);
    }
    return NULL;
}

/* Caller holds timer.lock. Start the thread with every signal blocked (it must not take the
 * process's signals), detached: it lives as long as the process. Returns 0 or an errno. */
static int
timer_start_locked(void) {
    pthread_attr_t attr;
    sigset_t all, old;
    pthread_t t;
    int rc = pthread_attr_init(&attr);
    if (rc != 0)
        return rc;
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    rc = pthread_create(&t, &attr, timer_main, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
    if (rc == 0) {
        timer.running = true;
        pthread_setname_np(t, "goc-timer");
    }
    return rc;
}

/* Put c (own_timer, not in the heap) into the heap, starting the thread on first use.
 * Returns 0 or an errno (ENOMEM, EAGAIN). */
static int
timer_add(goc_ctx *c) {
    int rc = 0;
    bool wake = false;
    goci_lock_acquire(&timer.lock);
    if (!timer.running && (rc = timer_start_locked()) != 0)
        goto out;
    if (timer.len == timer.cap) {
        size_t cap = timer.cap ? 2 * timer.cap : 64;
        goc_ctx **h = realloc(timer.heap, cap * sizeof *h);
        if (h == NULL) {
            rc = ENOMEM;
            goto out;
        }
        timer.heap = h;
        timer.cap = cap;
    }
    timer.heap[timer.len] = c;
    c->heap_index = timer.len++;
    heap_sift_up(c->heap_index);
    if (c->heap_index == 0) {
        /* New earliest deadline: move the thread's wake-up earlier. relaxed: the futex
         * compares the word; the heap itself is published by timer.lock. */
        atomic_fetch_add_explicit(&timer.seq, 1, memory_order_relaxed);
        wake = true;
    }
out:
    goci_lock_release(&timer.lock);
    if (wake)
        goci_futex_wake(&timer.seq, 1);
    return rc;
}

static void
timer_remove(goc_ctx *c) {
    goci_lock_acquire(&timer.lock);
    if (c->heap_index != NOT_IN_HEAP)
        heap_remove(c);
    goci_lock_release(&timer.lock);
}

/* ---- Cancellation ----------------------------------------------------------------------- */

/* Wait until the thread that claimed n has published it: spin briefly, then sleep on pub. */
static void
ctx_wait_published(goc_ctx *n) {
    struct goci_spinwait w;
    goci_spinwait_init(&w);
    uint32_t v;
    /* acquire; pairs with the release exchange in ctx_publish. */
    while ((v = atomic_load_explicit(&n->pub, memory_order_acquire)) != PUB_DONE) {
        if (!goci_spinwait_done(&w)) {
            goci_spinwait_step(&w);
            continue;
        }
        /* relaxed: announcing a sleeper publishes nothing. */
        if (v == PUB_NO &&
            !atomic_compare_exchange_strong_explicit(&n->pub, &v, PUB_WAITING, memory_order_relaxed,
                                                     memory_order_relaxed))
            continue;
        goci_futex_wait(&n->pub, PUB_WAITING, INT64_MAX);
    }
    goci_spinwait_finish(&w);
}

static void
ctx_publish(goc_ctx *n) {
    /* release; pairs with the acquire loads in ctx_wait_published and goc_ctx_err: the whole
     * subtree is closed before PUB_DONE shows. */
    if (atomic_exchange_explicit(&n->pub, PUB_DONE, memory_order_release) == PUB_WAITING)
        goci_futex_wake(&n->pub, INT_MAX);
}

/* Cancel n and its descendants with cause, or wait for the thread that already does. The
 * caller holds a reference to n and no lock. */
static void
ctx_cancel_tree(goc_ctx *n, int cause) {
    goci_lock_acquire(&n->lock);
    if (n->claim != GOC_OK) {
        goci_lock_release(&n->lock);
        ctx_wait_published(n);
        return;
    }
    n->claim = cause;
    goci_lock_release(&n->lock);
    if (n->own_timer)
        timer_remove(n);
    for (;;) {
        goci_lock_acquire(&n->lock);
        goc_ctx *c = n->children;
        if (c != NULL) {
            goci_lock_acquire(&c->lock);
            GOCI_ASSERT(c->parent == n && c->prev == NULL); /* the first linked child */
            n->children = c->next;
            if (c->next != NULL)
                c->next->prev = NULL;
            c->parent = NULL;
            c->prev = c->next = NULL;
            /* Keep c alive after we unlock: its owner may free it meanwhile. */
            ctx_ref(c);
            goci_lock_release(&c->lock);
        }
        goci_lock_release(&n->lock);
        if (c == NULL)
            break;
        /* The reference c's link held on n; the caller's reference keeps n alive. */
        ctx_unref(n);
        ctx_cancel_tree(c, cause);
        ctx_unref(c);
    }
    /* release; pairs with the acquire load in goc_ctx_err (which may then close done). */
    atomic_store_explicit(&n->cause, cause, memory_order_release);
    goc_chan_close(n->done);
    ctx_publish(n);
}

/* Unlink c from its parent, if it still has one. The caller holds a reference to c. */
static void
ctx_detach(goc_ctx *c) {
    goci_lock_acquire(&c->lock);
    goc_ctx *p = c->parent;
    /* p is alive: c's link holds a reference on it, and only a holder of c's lock can drop
     * that link. */
    if (p != NULL)
        ctx_ref(p);
    goci_lock_release(&c->lock);
    if (p == NULL)
        return;
    goci_lock_acquire(&p->lock);
    goci_lock_acquire(&c->lock);
    bool linked = c->parent == p;
    if (linked) {
        if (c->prev != NULL)
            c->prev->next = c->next;
        else
            p->children = c->next;
        if (c->next != NULL)
            c->next->prev = c->prev;
        c->parent = c->prev = c->next = NULL;
    }
    goci_lock_release(&c->lock);
    goci_lock_release(&p->lock);
    if (linked)
        ctx_unref(p);
    ctx_unref(p);
}

/* A new context under parent, linked to it unless parent is the background (which never
 * cancels) or is already cancelled (then the child starts cancelled with the same cause). */
static goc_ctx *
ctx_new(goc_ctx *parent, int64_t deadline) {
    if (parent == NULL) {
        errno = EINVAL;
        return NULL;
    }
    goc_ctx *c = calloc(1, sizeof *c);
    if (c == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    c->done = goc_chan_make(0, 0);
    if (c->done == NULL) {
        free(c);
        errno = ENOMEM;
        return NULL;
    }
    atomic_init(&c->refs, 1);
    atomic_init(&c->cause, GOC_OK);
    atomic_init(&c->pub, PUB_NO);
    c->heap_index = NOT_IN_HEAP;
    c->own_timer = deadline < parent->deadline;
    c->deadline = c->own_timer ? deadline : parent->deadline;
    int inherited = GOC_OK;
    if (!parent->background) {
        goci_lock_acquire(&parent->lock);
        inherited = parent->claim;
        if (inherited == GOC_OK) {
            c->parent = parent;
            c->next = parent->children;
            if (c->next != NULL)
                c->next->prev = c;
            parent->children = c;
            ctx_ref(parent);
        }
        goci_lock_release(&parent->lock);
    }
    if (inherited != GOC_OK)
        ctx_cancel_tree(c, inherited);
    return c;
}

/* ---- Public API ------------------------------------------------------------------------- */

GOC_API goc_ctx *
goc_ctx_background(void) {
    return &background_ctx;
}

GOC_API goc_ctx *
goc_ctx_with_cancel(goc_ctx *parent) {
    return ctx_new(parent, INT64_MAX);
}

GOC_API goc_ctx *
goc_ctx_with_timeout(goc_ctx *parent, int64_t timeout_ns) {
    int64_t deadline = timeout_ns <= 0 ? goci_now_ns() : goci_deadline_after(timeout_ns);
    goc_ctx *c = ctx_new(parent, deadline);
    if (c == NULL)
        return NULL;
    if (timeout_ns <= 0) {
        ctx_cancel_tree(c, GOC_DEADLINE);
    } else if (c->own_timer && goc_ctx_err(c) == GOC_OK) {
        int rc = timer_add(c);
        if (rc != 0) {
            goc_ctx_free(c);
            errno = rc;
            return NULL;
        }
    }
    return c;
}

GOC_API int
goc_ctx_cancel(goc_ctx *ctx) {
    if (ctx == NULL || ctx->background)
        return GOC_EINVAL;
    ctx_cancel_tree(ctx, GOC_CANCELED);
    return GOC_OK;
}

GOC_API int
goc_ctx_err(goc_ctx *ctx) {
    if (ctx == NULL)
        return GOC_EINVAL;
    /* acquire; pairs with the release store in ctx_cancel_tree. */
    int cause = atomic_load_explicit(&ctx->cause, memory_order_acquire);
    /* The claimer sets cause, then closes done. Between the two, close it ourselves, so that
     * a non-OK error always comes with a closed done channel (a second close is harmless).
     * acquire; pairs with ctx_publish (PUB_DONE: done is long closed). */
    if (cause != GOC_OK && atomic_load_explicit(&ctx->pub, memory_order_acquire) != PUB_DONE)
        goc_chan_close(ctx->done);
    return cause;
}

GOC_API goc_chan *
goc_ctx_done(goc_ctx *ctx) {
    return ctx == NULL ? NULL : ctx->done;
}

GOC_API void
goc_ctx_free(goc_ctx *ctx) {
    if (ctx == NULL || ctx->background)
        return;
    ctx_cancel_tree(ctx, GOC_CANCELED);
    /* A deadline added after a concurrent cancellation removed none (goc_ctx_with_timeout
     * racing the parent's cancel) may still be queued. */
    if (ctx->own_timer)
        timer_remove(ctx);
    ctx_detach(ctx);
    ctx_unref(ctx);
}
