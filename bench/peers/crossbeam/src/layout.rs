// SPDX-License-Identifier: MIT
// Layout scenarios of the crossbeam executor: one service of S stages, each doing W ns of
// calibrated busy work per item (lock::work, the chain every implementation runs), laid out
// three ways. The shape is libgoc's bench/scenarios/layout.c, so the rows compare like for like:
//
//   pipeline    a thread per stage, crossbeam_channel::bounded(LAYOUT_CAP) between stages;
//               stage 0 makes the items, the last stage checks them (S threads)
//   replicated  N threads each run every stage on their share of the items (i, i+N, ...); no
//               channel at all
//   pool        a source thread sends the items on one bounded(LAYOUT_CAP) channel; T workers
//               (each with a clone of its Receiver) receive them and run every stage
//
// One operation is an item. Every item's latency, from its creation to the end of its last
// stage, is recorded by the thread that finishes it. Checks: every item arrives once (count and
// sum of sequence numbers), passes every stage once (a per-item stage sum), and the pipeline
// keeps order; a mismatch fails the work order (fatal).

use crate::bench::{join, Ctx, RunResult, Val};
use crate::fatal;
use crate::hist::Hist;
use crate::lock::work;
use crate::sys::{now_ns, Usage};
use crossbeam_channel::{bounded, Receiver, Sender};
use std::sync::{Arc, Barrier};

/// layout.c's LAYOUT_CAP: the capacity of every channel of the family.
pub const LAYOUT_CAP: usize = 16;
/// layout.c's LAYOUT_MAX_STAGES.
pub const MAX_STAGES: u64 = 16;

/// layout.c's struct item, sent by value.
#[derive(Clone, Copy)]
struct Item {
    seq: u64,
    /// creation time
    t0: i64,
    /// the work chain, carried from stage to stage
    acc: u64,
    /// sum of (stage + 1) over the stages done
    stages: u64,
}

impl Item {
    #[inline]
    fn new(seq: u64) -> Item {
        Item {
            seq,
            t0: now_ns(),
            acc: seq,
            stages: 0,
        }
    }
}

/// What every stage of a run shares: the work per stage and the stage sum a finished item has.
#[derive(Clone, Copy)]
struct Stages {
    count: usize,
    iters: u64,
    want: u64,
}

impl Stages {
    fn new(ctx: &Ctx, count: usize, work_ns: i64) -> Stages {
        Stages {
            count,
            iters: ctx.work_iters(work_ns),
            want: count as u64 * (count as u64 + 1) / 2,
        }
    }

    /// Stage s of an item.
    #[inline]
    fn stage(&self, mut it: Item, s: usize) -> Item {
        it.acc = work(it.acc, self.iters);
        it.stages += s as u64 + 1;
        it
    }

    /// Every stage of an item, in turn (replicated, pool).
    #[inline]
    fn all(&self, mut it: Item) -> Item {
        for s in 0..self.count {
            it = self.stage(it, s);
        }
        it
    }
}

/// One thread's finished items. Made before the workers are released (Hist::new touches its
/// pages) and moved into the thread that finishes items.
struct Tally {
    items: u64,
    seq_sum: u64,
    bad: u64,
    h: Hist,
}

impl Tally {
    fn new() -> Tally {
        Tally {
            items: 0,
            seq_sum: 0,
            bad: 0,
            h: Hist::new(),
        }
    }

    /// The end of an item: check it, count it, record its latency.
    #[inline]
    fn finish(&mut self, st: &Stages, it: &Item) {
        self.h.record(now_ns() - it.t0);
        if it.stages != st.want {
            self.bad += 1;
        }
        self.items += 1;
        self.seq_sum = self.seq_sum.wrapping_add(it.seq);
    }
}

/// Checks the tallies (n items, sequence numbers 0..n-1 once each by their sum, none bad) and
/// merges their histograms.
fn layout_result(
    what: &str,
    st: &Stages,
    ctx: &Ctx,
    u: Usage,
    n: u64,
    ts: Vec<Tally>,
) -> RunResult {
    let (mut items, mut sum, mut bad) = (0u64, 0u64, 0u64);
    let mut h = Hist::new();
    for t in &ts {
        items += t.items;
        sum = sum.wrapping_add(t.seq_sum);
        bad += t.bad;
        h.merge(&t.h);
    }
    let want = n.wrapping_mul(n - 1) / 2;
    if items != n || sum != want || bad != 0 {
        fatal(&format!(
            "{}: {} of {} items done (sequence sum {}, expected {}), {} with a stage missed or out of order",
            what, items, n, sum, want, bad
        ));
    }
    let mut r = RunResult::new(u, n);
    r.lat = Some(h);
    r.extra = vec![
        ("work_iters", Val::I(st.iters as i64)),
        ("ns_per_work_iter", Val::F(ctx.ns_per_work_iter)),
    ];
    r
}

/// pipeline: stage s receives from the channel of stage s-1 and sends on its own; stage 0 makes
/// the items. Dropping a stage's Sender when it is done closes the channel for the next one.
pub fn run_pipeline(ctx: &Ctx, stages: usize, work_ns: i64, n: u64) -> RunResult {
    let st = Stages::new(ctx, stages, work_ns);
    let last = stages - 1;
    let mut txs: Vec<Option<Sender<Item>>> = Vec::new();
    let mut rxs: Vec<Option<Receiver<Item>>> = Vec::new();
    for _ in 0..last {
        let (tx, rx) = bounded::<Item>(LAYOUT_CAP);
        txs.push(Some(tx));
        rxs.push(Some(rx));
    }
    let bar = Arc::new(Barrier::new(stages + 1));
    let mut hs = Vec::with_capacity(stages);
    for s in 0..stages {
        let rx = if s > 0 { rxs[s - 1].take() } else { None };
        let tx = if s < last { txs[s].take() } else { None };
        let mut tally = if s == last { Some(Tally::new()) } else { None };
        hs.push(ctx.spawn(s, &bar, move || {
            let mut expect = 0u64;
            // The last stage's end of an item; the others pass it on.
            let mut pass = |it: Item| match (&tx, tally.as_mut()) {
                (Some(tx), _) => {
                    if tx.send(it).is_err() {
                        fatal(&format!("pipeline: stage {} found the next stage gone", s));
                    }
                }
                (None, Some(t)) => {
                    if it.seq != expect {
                        t.bad += 1;
                    }
                    expect = it.seq + 1;
                    t.finish(&st, &it);
                }
                (None, None) => unreachable!(),
            };
            match &rx {
                None => {
                    for i in 0..n {
                        pass(st.stage(Item::new(i), 0));
                    }
                }
                Some(rx) => {
                    for it in rx.iter() {
                        pass(st.stage(it, s));
                    }
                }
            }
            drop(pass);
            drop(tx); // closes the channel to the next stage
            tally
        }));
    }
    let u0 = Usage::now();
    bar.wait();
    let ts: Vec<Tally> = hs.into_iter().filter_map(join).collect();
    layout_result("pipeline", &st, ctx, Usage::now().since(&u0), n, ts)
}

/// replicated: thread t makes and finishes the items t, t+N, t+2N, ..., every stage in turn.
pub fn run_replicated(ctx: &Ctx, stages: usize, work_ns: i64, threads: usize, n: u64) -> RunResult {
    let st = Stages::new(ctx, stages, work_ns);
    let bar = Arc::new(Barrier::new(threads + 1));
    let hs: Vec<_> = (0..threads)
        .map(|t| {
            let mut tally = Tally::new();
            ctx.spawn(t, &bar, move || {
                for i in (t as u64..n).step_by(threads) {
                    let it = st.all(Item::new(i));
                    tally.finish(&st, &it);
                }
                tally
            })
        })
        .collect();
    let u0 = Usage::now();
    bar.wait();
    let ts: Vec<Tally> = hs.into_iter().map(join).collect();
    layout_result("replicated", &st, ctx, Usage::now().since(&u0), n, ts)
}

/// pool: a source sends the items on one channel and drops its Sender; `threads` workers receive
/// until the channel is empty and closed, and run every stage.
pub fn run_pool(ctx: &Ctx, stages: usize, work_ns: i64, threads: usize, n: u64) -> RunResult {
    let st = Stages::new(ctx, stages, work_ns);
    let (tx, rx) = bounded::<Item>(LAYOUT_CAP);
    let bar = Arc::new(Barrier::new(threads + 2));
    let source = ctx.spawn(0, &bar, move || {
        for i in 0..n {
            if tx.send(Item::new(i)).is_err() {
                fatal("pool: every worker gone before the last item");
            }
        }
        drop(tx);
    });
    let hs: Vec<_> = (0..threads)
        .map(|t| {
            let rx = rx.clone();
            let mut tally = Tally::new();
            ctx.spawn(1 + t, &bar, move || {
                for it in rx.iter() {
                    let it = st.all(it);
                    tally.finish(&st, &it);
                }
                tally
            })
        })
        .collect();
    drop(rx);
    let u0 = Usage::now();
    bar.wait();
    join(source);
    let ts: Vec<Tally> = hs.into_iter().map(join).collect();
    layout_result("pool", &st, ctx, Usage::now().since(&u0), n, ts)
}
