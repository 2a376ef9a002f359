// SPDX-License-Identifier: MIT
// Lock scenarios of the crossbeam executor: std::sync::Mutex and std::sync::RwLock (futex-based
// on Linux since Rust 1.62) under T threads, with cs ns of calibrated busy work inside the lock
// and ctx.outside_ns outside it. The shape is libgoc's bench/scenarios/lock.c: batches of GRAIN
// from a shared counter, one acquisition in LATENCY_EVERY timed, the same extras.

use crate::bench::{join, Ctx, RunResult, Val};
use crate::chan::LATENCY_EVERY;
use crate::fatal;
use crate::hist::Hist;
use crate::sys::{now_ns, Usage};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier, Mutex, RwLock};

/// The busy work: a serial multiply-add chain, the same steps as bench/peers/work.h (libgoc, the
/// C peers) and the Go peer. The empty asm statement makes x opaque after every step, as
/// work.h's does, so LLVM can neither fold steps together nor vectorise the chain.
#[inline(never)]
pub fn work(mut x: u64, iters: u64) -> u64 {
    for _ in 0..iters {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        opaque(&mut x);
    }
    x
}

#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
#[inline(always)]
fn opaque(x: &mut u64) {
    unsafe {
        std::arch::asm!(
            "/* {0} */",
            inout(reg) * x,
            options(nomem, nostack, preserves_flags)
        )
    };
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
#[inline(always)]
fn opaque(x: &mut u64) {
    *x = unsafe { std::ptr::read_volatile(x) };
}

fn sink(x: u64) {
    let mut s = 0u64;
    unsafe { std::ptr::write_volatile(&mut s, x) };
}

/// ns per work iteration: the best of 25 runs of 2M iterations (a few ms each, short enough that
/// one of them usually runs undisturbed).
pub fn calibrate_work() -> f64 {
    const ITERS: u64 = 2_000_000;
    let mut best = i64::MAX;
    for r in 0..25u64 {
        let iters = unsafe { std::ptr::read_volatile(&ITERS) };
        let t = now_ns();
        sink(work(r, iters));
        best = best.min(now_ns() - t);
    }
    best.max(1) as f64 / ITERS as f64
}

/// Threads take operations from a shared counter in batches of this many, so all finish
/// together (an even split would leave the slowest running alone, uncontended, at the end).
const GRAIN: u64 = 64;

/// One thread's tallies.
#[derive(Default)]
struct Tally {
    ops: u64,
    reads: u64,
    writes: u64,
    max_wait: i64,
}

/// Claims the next batch [s, e) of n operations; None when none are left.
#[inline]
fn claim(next: &AtomicU64, n: u64) -> Option<(u64, u64)> {
    // Relaxed: the counter only hands out disjoint ranges; the lock orders the work itself.
    let s = next.fetch_add(GRAIN, Ordering::Relaxed);
    if s >= n {
        None
    } else {
        Some((s, (s + GRAIN).min(n)))
    }
}

/// Merges the threads' histograms and adds the family's extras.
fn lock_result(ctx: &Ctx, u: Usage, n: u64, cs_ns: i64, ws: Vec<(Tally, Hist)>) -> RunResult {
    let mut h = Hist::new();
    let (mut smin, mut smax, mut max_wait) = (u64::MAX, 0u64, 0i64);
    for (t, th) in &ws {
        h.merge(th);
        smin = smin.min(t.ops);
        smax = smax.max(t.ops);
        max_wait = max_wait.max(t.max_wait);
    }
    let mut r = RunResult::new(u, n);
    r.lat = Some(h);
    r.extra = vec![
        ("share_min", Val::F(smin as f64 / n as f64)),
        ("share_max", Val::F(smax as f64 / n as f64)),
        ("max_wait_ns", Val::I(max_wait)),
        ("cs_iters", Val::I(ctx.work_iters(cs_ns) as i64)),
        ("outside_ns", Val::I(ctx.outside_ns)),
        ("latency_sample_every", Val::I(LATENCY_EVERY as i64)),
        (
            "outside_iters",
            Val::I(ctx.work_iters(ctx.outside_ns) as i64),
        ),
        ("ns_per_work_iter", Val::F(ctx.ns_per_work_iter)),
    ];
    r
}

/// mutex: n lock+unlock operations over `threads` threads; the protected counter must reach n.
pub fn run_mutex(ctx: &Ctx, threads: usize, cs_ns: i64, n: u64) -> RunResult {
    let mu = Arc::new(Mutex::new(0u64));
    let next = Arc::new(AtomicU64::new(0));
    let (cs, out) = (ctx.work_iters(cs_ns), ctx.work_iters(ctx.outside_ns));
    let bar = Arc::new(Barrier::new(threads + 1));
    let hs: Vec<_> = (0..threads)
        .map(|t| {
            let (mu, next) = (mu.clone(), next.clone());
            let mut h = Hist::new();
            ctx.spawn(t, &bar, move || {
                let mut x = 1u64;
                let mut tally = Tally::default();
                while let Some((s, e)) = claim(&next, n) {
                    for _ in s..e {
                        let mut g = if tally.ops % LATENCY_EVERY == 0 {
                            let t0 = now_ns();
                            let g = mu.lock().unwrap_or_else(|_| fatal("mutex poisoned"));
                            let d = now_ns() - t0;
                            h.record(d);
                            tally.max_wait = tally.max_wait.max(d);
                            g
                        } else {
                            mu.lock().unwrap_or_else(|_| fatal("mutex poisoned"))
                        };
                        *g += 1;
                        x = work(x, cs);
                        drop(g);
                        x = work(x, out);
                        tally.ops += 1;
                    }
                }
                sink(x);
                (tally, h)
            })
        })
        .collect();
    let u0 = Usage::now();
    bar.wait();
    let ws: Vec<(Tally, Hist)> = hs.into_iter().map(join).collect();
    let u = Usage::now().since(&u0);
    let count = *mu.lock().unwrap();
    let total: u64 = ws.iter().map(|(t, _)| t.ops).sum();
    if count != n || total != n {
        fatal(&format!(
            "mutex threads={}: counter {} and {} operations counted by threads after {} lock operations",
            threads, count, total, n
        ));
    }
    lock_result(ctx, u, n, cs_ns, ws)
}

/// rw: read_pct % of operations take the read lock (chosen by a per-thread xorshift), the rest
/// the write lock. Writers bump a and b with work between; readers check a == b.
pub fn run_rw(ctx: &Ctx, threads: usize, read_pct: u64, cs_ns: i64, n: u64) -> RunResult {
    let rw = Arc::new(RwLock::new((0u64, 0u64)));
    let next = Arc::new(AtomicU64::new(0));
    let (cs, out) = (ctx.work_iters(cs_ns), ctx.work_iters(ctx.outside_ns));
    let bar = Arc::new(Barrier::new(threads + 1));
    let hs: Vec<_> = (0..threads)
        .map(|t| {
            let (rw, next) = (rw.clone(), next.clone());
            let mut rng = 0x9E37_79B9_7F4A_7C15u64.wrapping_mul(t as u64 + 1);
            let mut h = Hist::new();
            ctx.spawn(t, &bar, move || {
                let mut x = 1u64;
                let mut tally = Tally::default();
                while let Some((s, e)) = claim(&next, n) {
                    for _ in s..e {
                        let read = if read_pct == 0 {
                            false
                        } else if read_pct >= 100 {
                            true
                        } else {
                            rng ^= rng << 13;
                            rng ^= rng >> 7;
                            rng ^= rng << 17;
                            ((rng >> 32) * 100) >> 32 < read_pct
                        };
                        let sample = tally.ops % LATENCY_EVERY == 0;
                        let t0 = if sample { now_ns() } else { 0 };
                        if read {
                            let g = rw.read().unwrap_or_else(|_| fatal("rwlock poisoned"));
                            if sample {
                                let d = now_ns() - t0;
                                h.record(d);
                                tally.max_wait = tally.max_wait.max(d);
                            }
                            if g.0 != g.1 {
                                fatal(&format!("rw: reader saw a={} b={}", g.0, g.1));
                            }
                            x = work(x, cs);
                            drop(g);
                            tally.reads += 1;
                        } else {
                            let mut g = rw.write().unwrap_or_else(|_| fatal("rwlock poisoned"));
                            if sample {
                                let d = now_ns() - t0;
                                h.record(d);
                                tally.max_wait = tally.max_wait.max(d);
                            }
                            g.0 += 1;
                            x = work(x, cs);
                            g.1 += 1;
                            drop(g);
                            tally.writes += 1;
                        }
                        x = work(x, out);
                        tally.ops += 1;
                    }
                }
                sink(x);
                (tally, h)
            })
        })
        .collect();
    let u0 = Usage::now();
    bar.wait();
    let ws: Vec<(Tally, Hist)> = hs.into_iter().map(join).collect();
    let u = Usage::now().since(&u0);
    let reads: u64 = ws.iter().map(|(t, _)| t.reads).sum();
    let writes: u64 = ws.iter().map(|(t, _)| t.writes).sum();
    let (a, b) = *rw.read().unwrap();
    if reads + writes != n || a != writes || b != writes {
        fatal(&format!(
            "rw threads={} read={}: {} reads + {} writes for {} operations, a={} b={}",
            threads, read_pct, reads, writes, n, a, b
        ));
    }
    let mut r = lock_result(ctx, u, n, cs_ns, ws);
    r.extra
        .push(("read_fraction", Val::F(reads as f64 / n as f64)));
    r
}
