// SPDX-License-Identifier: MIT
// The cancel scenario of the crossbeam executor: how long a cancellation takes to reach blocked
// workers. The shape is libgoc's bench/scenarios/cancel.c:
//
//   cancel/done/workers=N
//       N worker threads block in select! over their own (idle) work channel and a done
//       channel; one operation is a cancel round, the time from the cancel until the last of
//       the N workers has returned through its done case
//
// Rust and crossbeam have no context. The idiomatic equivalent, and what this measures, is a
// done channel nothing is ever sent on (crossbeam_channel::bounded::<()>(0)) whose one Sender
// the coordinator holds: cancelling is dropping that Sender, which disconnects the channel and
// wakes every receiver blocked on it with RecvError, as closing a Go context's Done channel
// wakes its waiters.
//
// A round: the coordinator makes a fresh done channel, hands its Receiver to the workers (a
// Mutex and Condvar, outside the timed part), waits until all N have announced they are about
// to block, lets them settle for SETTLE_NS so they have parked rather than spin, then reads the
// clock and drops the Sender. Each worker, back from its select, reads the clock and keeps the
// latest reading; the coordinator waits (yielding) until all have counted themselves. The
// answer's wall_ns is the sum of those cancel-to-last-return intervals, so ns/op is the mean
// round, and every round is a latency value. CPU time and context switches cover the whole run,
// set-up of the rounds included. Check: every worker returns from every round through the done
// case, which reports the channel disconnected.

use crate::bench::{join, Ctx, RunResult};
use crate::fatal;
use crate::hist::Hist;
use crate::sys::{nanosleep, now_ns, Usage};
use crossbeam_channel::{bounded, select, Receiver};
use std::sync::atomic::{AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Condvar, Mutex};
use std::thread;

/// cancel.c's CANCEL_SETTLE_NS: 50 µs between the last worker announcing itself and the cancel,
/// well past crossbeam's spin-then-park window.
const SETTLE_NS: i64 = 50_000;

/// The current round, published under the mutex.
struct Round {
    gen: u64,
    stop: bool,
    done: Option<Receiver<()>>,
}

struct Shared {
    round: Mutex<Round>,
    cv: Condvar,
    /// Per round, reset by the coordinator before it publishes the round: workers about to
    /// block, workers back through their done case, the last one's return time.
    armed: AtomicUsize,
    returned: AtomicUsize,
    end_ns: AtomicI64,
    /// Selects that returned anything but a disconnected done channel.
    wrong: AtomicU64,
}

pub fn run_cancel(ctx: &Ctx, workers: usize, n: u64) -> RunResult {
    let sh = Arc::new(Shared {
        round: Mutex::new(Round {
            gen: 0,
            stop: false,
            done: None,
        }),
        cv: Condvar::new(),
        armed: AtomicUsize::new(0),
        returned: AtomicUsize::new(0),
        end_ns: AtomicI64::new(0),
        wrong: AtomicU64::new(0),
    });
    // Nothing is ever sent on it, and this thread keeps its Sender until the workers are gone:
    // the workers' work channel, never ready.
    let (idle_tx, idle_rx) = bounded::<u64>(0);
    let bar = Arc::new(Barrier::new(workers + 2));

    let coordinator = {
        let sh = sh.clone();
        let mut h = Hist::new();
        ctx.spawn(0, &bar, move || {
            let mut total = 0i64;
            for _ in 0..n {
                let (done_tx, done_rx) = bounded::<()>(0);
                sh.armed.store(0, Ordering::Relaxed);
                sh.returned.store(0, Ordering::Relaxed);
                sh.end_ns.store(0, Ordering::Relaxed);
                {
                    let mut r = sh
                        .round
                        .lock()
                        .unwrap_or_else(|_| fatal("cancel: lock poisoned"));
                    r.done = Some(done_rx);
                    r.gen += 1;
                    sh.cv.notify_all();
                }
                // Workers may outnumber PUs: yield to let them run.
                while sh.armed.load(Ordering::Acquire) < workers {
                    thread::yield_now();
                }
                nanosleep(SETTLE_NS);
                let t0 = now_ns();
                drop(done_tx); // the cancel
                while sh.returned.load(Ordering::Acquire) < workers {
                    thread::yield_now();
                }
                let d = sh.end_ns.load(Ordering::Relaxed) - t0;
                h.record(d);
                total += d;
            }
            let mut r = sh
                .round
                .lock()
                .unwrap_or_else(|_| fatal("cancel: lock poisoned"));
            r.stop = true;
            r.done = None;
            sh.cv.notify_all();
            (h, total)
        })
    };

    let ws: Vec<_> = (0..workers)
        .map(|w| {
            let sh = sh.clone();
            let idle = idle_rx.clone();
            ctx.spawn(1 + w, &bar, move || {
                let mut seen = 0u64;
                loop {
                    let done = {
                        let mut r = sh
                            .round
                            .lock()
                            .unwrap_or_else(|_| fatal("cancel: lock poisoned"));
                        while r.gen == seen && !r.stop {
                            r = sh
                                .cv
                                .wait(r)
                                .unwrap_or_else(|_| fatal("cancel: lock poisoned"));
                        }
                        if r.stop {
                            return;
                        }
                        seen = r.gen;
                        match &r.done {
                            Some(d) => d.clone(),
                            None => fatal("cancel: a round without a done channel"),
                        }
                    };
                    sh.armed.fetch_add(1, Ordering::Release);
                    let ok = select! {
                        recv(idle) -> _ => false,
                        recv(done) -> r => r.is_err(),
                    };
                    if !ok {
                        sh.wrong.fetch_add(1, Ordering::Relaxed);
                    }
                    // end_ns becomes the latest return time (a max: the worker that counts itself
                    // last need not be the last to read the clock); published by the release.
                    sh.end_ns.fetch_max(now_ns(), Ordering::Relaxed);
                    drop(done);
                    sh.returned.fetch_add(1, Ordering::Release);
                }
            })
        })
        .collect();
    drop(idle_rx);

    let u0 = Usage::now();
    bar.wait();
    let (h, total) = join(coordinator);
    for w in ws {
        join(w);
    }
    let mut u = Usage::now().since(&u0);
    drop(idle_tx);
    let wrong = sh.wrong.load(Ordering::Relaxed);
    if wrong != 0 {
        fatal(&format!(
            "cancel workers={}: {} of {} worker wake-ups did not come through a disconnected done channel",
            workers,
            wrong,
            n * workers as u64
        ));
    }
    u.wall = total.max(1); // a time of 0 would be refused downstream
    let mut r = RunResult::new(u, n);
    r.lat = Some(h);
    r
}
