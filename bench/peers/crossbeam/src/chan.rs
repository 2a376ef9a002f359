// SPDX-License-Identifier: MIT
// Channel scenarios of the crossbeam executor: spsc, mpsc, mpmc, pingpong, paced, with
// crossbeam_channel::bounded (capacity 0 is crossbeam's rendezvous channel). Names and parameters
// are those of docs/results-format.md; each run checks its own result, and a mismatch fails the
// work order (fatal: {"ok":false,"failed":...}, exit status 1) instead of being reported.

use crate::bench::{join, Ctx, RunResult, Val};
use crate::fatal;
use crate::hist::Hist;
use crate::sys::{nanosleep, now_ns, spin_for, Usage};
use crossbeam_channel::bounded;
use std::sync::{Arc, Barrier};

/// An element of 8 + P bytes whose first 8 bytes carry a sequence number.
#[derive(Clone, Copy)]
#[repr(C)]
pub struct Msg<const P: usize> {
    seq: u64,
    pad: [u8; P],
}

/// A message with its send timestamp (0: not sampled) for latency measurements.
#[derive(Clone, Copy)]
pub struct Stamped {
    pub seq: u64,
    pub ts: i64,
}

/// Select fan-in stamps one message of each producer in this many, and the lock scenarios time
/// one acquisition in this many (a clock read costs 20-40 ns on virtual machines, comparable to
/// the operation itself), as libgoc's scenarios do; paced stamps every message and pingpong
/// reads the clock once per round trip.
pub const LATENCY_EVERY: u64 = 16;

/// spsc: one producer sends n elements, one consumer receives them in order.
pub fn run_spsc<const P: usize>(ctx: &Ctx, cap: usize, n: u64) -> RunResult {
    let (tx, rx) = bounded::<Msg<P>>(cap);
    let bar = Arc::new(Barrier::new(3));
    let p = ctx.spawn(0, &bar, move || {
        let mut m = Msg::<P> {
            seq: 0,
            pad: [0; P],
        };
        for i in 0..n {
            m.seq = i;
            if tx.send(m).is_err() {
                fatal("spsc: channel disconnected");
            }
        }
    });
    let c = ctx.spawn(1, &bar, move || {
        for i in 0..n {
            match rx.recv() {
                Ok(m) if m.seq == i => {}
                Ok(m) => fatal(&format!("spsc: received {}, expected {}", m.seq, i)),
                Err(_) => fatal(&format!("spsc: channel disconnected after {} of {}", i, n)),
            }
        }
    });
    let u0 = Usage::now();
    bar.wait();
    join(p);
    join(c);
    RunResult::new(Usage::now().since(&u0), n)
}

const PROD_SHIFT: u32 = 56;
const SEQ_MASK: u64 = (1 << PROD_SHIFT) - 1;

fn share(n: u64, parts: usize, p: usize) -> u64 {
    n / parts as u64 + if (p as u64) < n % parts as u64 { 1 } else { 0 }
}

/// mpmc (and mpsc, cons = 1), elements of 8 + P bytes: prod producers split n messages (producer p sends k = 0..n_p-1
/// tagged with p in the top byte), cons consumers drain the channel until every sender is gone.
/// Check: every consumer sees each producer's numbers in increasing order, and the totals of
/// count, sum and sum of squares match.
pub fn run_mpmc<const P: usize>(
    ctx: &Ctx,
    prod: usize,
    cons: usize,
    cap: usize,
    n: u64,
) -> RunResult {
    let (tx, rx) = bounded::<Msg<P>>(cap);
    let bar = Arc::new(Barrier::new(prod + cons + 1));
    let mut producers = Vec::new();
    for p in 0..prod {
        let tx = tx.clone();
        let np = share(n, prod, p);
        let tag = (p as u64) << PROD_SHIFT;
        producers.push(ctx.spawn(p, &bar, move || {
            let mut m = Msg::<P> {
                seq: 0,
                pad: [0; P],
            };
            for k in 0..np {
                m.seq = tag | k;
                if tx.send(m).is_err() {
                    fatal("mpmc: channel disconnected");
                }
            }
        }));
    }
    let mut consumers = Vec::new();
    for c in 0..cons {
        let rx = rx.clone();
        consumers.push(ctx.spawn(prod + c, &bar, move || {
            let mut last = vec![-1i64; prod];
            let (mut count, mut sum, mut sumsq) = (0u64, 0u64, 0u64);
            for m in rx.iter() {
                let v = m.seq;
                let (p, k) = ((v >> PROD_SHIFT) as usize, (v & SEQ_MASK) as i64);
                if k <= last[p] {
                    fatal(&format!(
                        "mpmc: producer {}'s {} after its {}",
                        p, k, last[p]
                    ));
                }
                last[p] = k;
                count += 1;
                sum = sum.wrapping_add(k as u64);
                sumsq = sumsq.wrapping_add((k as u64).wrapping_mul(k as u64));
            }
            (count, sum, sumsq)
        }));
    }
    drop(tx);
    drop(rx);
    let u0 = Usage::now();
    bar.wait();
    for p in producers {
        join(p);
    }
    let (mut count, mut sum, mut sumsq) = (0u64, 0u64, 0u64);
    for c in consumers {
        let (a, b, d) = join(c);
        count += a;
        sum = sum.wrapping_add(b);
        sumsq = sumsq.wrapping_add(d);
    }
    let u = Usage::now().since(&u0);
    let (mut want_sum, mut want_sq) = (0u64, 0u64);
    for p in 0..prod {
        for k in 0..share(n, prod, p) {
            want_sum = want_sum.wrapping_add(k);
            want_sq = want_sq.wrapping_add(k.wrapping_mul(k));
        }
    }
    if count != n || sum != want_sum || sumsq != want_sq {
        fatal(&format!(
            "mpmc prod={} cons={}: received {} messages (sum {}, squares {}), sent {} (sum {}, squares {})",
            prod, cons, count, sum, sumsq, n, want_sum, want_sq
        ));
    }
    RunResult::new(u, n)
}

/// pingpong: A sends i on ping, B answers i+1 on pong; one operation is a round trip. A reads
/// the clock once per round trip and records the time since the previous read (libgoc's
/// chan/pingpong does the same, so both pay one clock read per round trip).
pub fn run_pingpong(ctx: &Ctx, cap: usize, n: u64) -> RunResult {
    let (ping_tx, ping_rx) = bounded::<u64>(cap);
    let (pong_tx, pong_rx) = bounded::<u64>(cap);
    let bar = Arc::new(Barrier::new(3));
    let mut h = Hist::new();
    let a = ctx.spawn(0, &bar, move || {
        let mut prev = now_ns();
        for i in 0..n {
            if ping_tx.send(i).is_err() {
                fatal("pingpong: channel disconnected");
            }
            let v = pong_rx
                .recv()
                .unwrap_or_else(|_| fatal("pingpong: channel disconnected"));
            if v != i + 1 {
                fatal(&format!("pingpong: got {} back for {}", v, i));
            }
            let now = now_ns();
            h.record(now - prev);
            prev = now;
        }
        h
    });
    let b = ctx.spawn(1, &bar, move || {
        for _ in 0..n {
            let v = ping_rx
                .recv()
                .unwrap_or_else(|_| fatal("pingpong: channel disconnected"));
            if pong_tx.send(v + 1).is_err() {
                fatal("pingpong: channel disconnected");
            }
        }
    });
    let u0 = Usage::now();
    bar.wait();
    let h = join(a);
    join(b);
    let mut r = RunResult::new(Usage::now().since(&u0), n);
    r.lat = Some(h);
    r
}

/// paced: the producer waits pause_ns before each send (0: none; under 10 µs: busy-wait on the
/// clock; otherwise nanosleep, which does not spin) and stamps every message; the consumer
/// records send-to-receive latency.
pub fn run_paced(ctx: &Ctx, pause_ns: i64, cap: usize, n: u64) -> RunResult {
    let (tx, rx) = bounded::<Stamped>(cap);
    let bar = Arc::new(Barrier::new(3));
    let p = ctx.spawn(0, &bar, move || {
        for i in 0..n {
            if pause_ns >= 10_000 {
                nanosleep(pause_ns);
            } else if pause_ns > 0 {
                spin_for(pause_ns);
            }
            if tx
                .send(Stamped {
                    seq: i,
                    ts: now_ns(),
                })
                .is_err()
            {
                fatal("paced: channel disconnected");
            }
        }
    });
    let mut h = Hist::new();
    let c = ctx.spawn(1, &bar, move || {
        for i in 0..n {
            let m = rx
                .recv()
                .unwrap_or_else(|_| fatal("paced: channel disconnected"));
            h.record(now_ns() - m.ts);
            if m.seq != i {
                fatal(&format!("paced: received {}, expected {}", m.seq, i));
            }
        }
        h
    });
    let u0 = Usage::now();
    bar.wait();
    join(p);
    let h = join(c);
    let mut r = RunResult::new(Usage::now().since(&u0), n);
    r.lat = Some(h);
    r.extra.push(("pause_ns", Val::I(pause_ns)));
    r
}
