// SPDX-License-Identifier: MIT
// select fan-in of the crossbeam executor: k producers, each on its own channel, one consumer in
// a crossbeam_channel::Select over all k.

use crate::bench::{join, Ctx, RunResult, Val};
use crate::chan::{Stamped, LATENCY_EVERY};
use crate::fatal;
use crate::hist::Hist;
use crate::sys::{now_ns, Usage};
use crossbeam_channel::{bounded, Select};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};

/// The stop flag producers poll on every send, on cache lines of its own.
#[repr(align(128))]
struct Padded(AtomicBool);

/// Times the consumer's first n messages; shares are each input's part of them. The producers
/// then stop and drop their senders, and the consumer drains what is left, so that the check
/// covers every message sent: each input's numbers arrive once, in order, none missing.
pub fn run_fanin(ctx: &Ctx, k: usize, cap: usize, n: u64) -> RunResult {
    let stop = Arc::new(Padded(AtomicBool::new(false)));
    let bar = Arc::new(Barrier::new(k + 2));
    let mut rxs = Vec::new();
    let mut producers = Vec::new();
    for j in 0..k {
        let (tx, rx) = bounded::<Stamped>(cap);
        rxs.push(rx);
        let stop = stop.clone();
        producers.push(ctx.spawn(1 + j, &bar, move || {
            let mut seq = 0u64;
            // Relaxed: the flag only tells a producer to stop soon; the messages themselves
            // are ordered by the channel.
            while !stop.0.load(Ordering::Relaxed) {
                let ts = if seq % LATENCY_EVERY == 0 {
                    now_ns()
                } else {
                    0
                };
                if tx.send(Stamped { seq, ts }).is_err() {
                    fatal("select fan-in: channel disconnected");
                }
                seq += 1;
            }
            seq
        }));
    }
    let stop_c = stop.clone();
    let mut h = Hist::new();
    let consumer = ctx.spawn(0, &bar, move || {
        let u0 = Usage::now();
        let mut u = Usage::default();
        let mut next = vec![0u64; k];
        let mut counts = vec![0u64; k];
        let mut got = 0u64;
        let mut sel = Select::new();
        for r in &rxs {
            sel.recv(r);
        }
        let mut open = k;
        while open > 0 {
            let op = sel.select();
            let i = op.index();
            match op.recv(&rxs[i]) {
                Ok(m) => {
                    if m.seq != next[i] {
                        fatal(&format!(
                            "select fan-in: input {} delivered {}, expected {}",
                            i, m.seq, next[i]
                        ));
                    }
                    next[i] += 1;
                    if m.ts != 0 {
                        h.record(now_ns() - m.ts);
                    }
                    got += 1;
                    if got <= n {
                        counts[i] += 1;
                        if got == n {
                            u = Usage::now().since(&u0);
                            stop_c.0.store(true, Ordering::Relaxed);
                        }
                    }
                }
                Err(_) => {
                    sel.remove(i);
                    open -= 1;
                }
            }
        }
        (u, h, next, counts, got)
    });
    bar.wait();
    let sent: Vec<u64> = producers.into_iter().map(join).collect();
    let (u, h, next, counts, got) = join(consumer);
    if got < n {
        fatal(&format!(
            "select fan-in: consumer stopped after {} of {} messages",
            got, n
        ));
    }
    for j in 0..k {
        if next[j] != sent[j] {
            fatal(&format!(
                "select fan-in: input {} sent {}, consumer received {}",
                j, sent[j], next[j]
            ));
        }
    }
    let shares: Vec<f64> = counts.iter().map(|&c| c as f64 / n as f64).collect();
    let smin = shares.iter().cloned().fold(1.0, f64::min);
    let smax = shares.iter().cloned().fold(0.0, f64::max);
    let mut r = RunResult::new(u, n);
    r.lat = Some(h);
    r.extra.push(("share_min", Val::F(smin)));
    r.extra.push(("share_max", Val::F(smax)));
    r.extra
        .push(("latency_sample_every", Val::I(LATENCY_EVERY as i64)));
    r
}
