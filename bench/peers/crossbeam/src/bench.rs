// SPDX-License-Identifier: MIT
// Benchmark records, worker threads and the timing loop of the crossbeam peer (testing.B's
// method: grow the iteration count until one run lasts min-time, then time N repetitions).

use crate::hist::Hist;
use crate::sys::{self, Usage};
use std::sync::{Arc, Barrier};
use std::thread::{self, JoinHandle};

/// A parameter or extra value.
#[derive(Clone)]
pub enum Val {
    I(i64),
    F(f64),
    S(String),
}

impl std::fmt::Display for Val {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            Val::I(v) => write!(f, "{}", v),
            Val::F(v) => write!(f, "{}", v),
            Val::S(v) => write!(f, "{}", v),
        }
    }
}

/// What one run of n operations measured.
pub struct RunResult {
    pub u: Usage,
    pub ops: u64,
    pub lat: Option<Hist>,
    pub extra: Vec<(&'static str, Val)>,
}

impl RunResult {
    pub fn new(u: Usage, ops: u64) -> RunResult {
        RunResult {
            u,
            ops,
            lat: None,
            extra: Vec::new(),
        }
    }
}

/// Where the benchmark's threads run.
pub struct Ctx {
    pub cpus: Vec<usize>,
    /// Pin worker thread i to cpus[i % len] (as libgoc's harness pins its threads); otherwise
    /// every thread may run on any CPU of the process mask.
    pub pin_threads: bool,
    pub outside_ns: i64,
    pub ns_per_work_iter: f64,
}

impl Ctx {
    /// Starts worker `idx`: it pins itself, waits at `bar`, then runs f.
    pub fn spawn<T, F>(&self, idx: usize, bar: &Arc<Barrier>, f: F) -> JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let cpu = if self.pin_threads {
            Some(self.cpus[idx % self.cpus.len()])
        } else {
            None
        };
        let bar = bar.clone();
        thread::spawn(move || {
            if let Some(c) = cpu {
                if let Err(e) = sys::set_thread_affinity(&[c]) {
                    crate::fatal(&format!("cannot pin a worker to CPU {}: {}", c, e));
                }
            }
            bar.wait();
            f()
        })
    }

    pub fn work_iters(&self, ns: i64) -> u64 {
        if ns <= 0 {
            0
        } else {
            (ns as f64 / self.ns_per_work_iter + 0.5) as u64
        }
    }
}

pub fn join<T>(h: JoinHandle<T>) -> T {
    match h.join() {
        Ok(v) => v,
        Err(_) => crate::fatal("a worker thread panicked"),
    }
}

pub type RunFn = Box<dyn Fn(&Ctx, u64) -> RunResult>;

pub struct Bench {
    pub name: String,
    pub family: String,
    pub op: &'static str,
    pub params: Vec<(&'static str, Val)>,
    pub threads: usize,
    pub quick: bool,
    pub run: RunFn,
}

const MAX_ITERS: u64 = 1_000_000_000;

/// Runs b the testing.B way and returns its repetitions.
pub fn measure(b: &Bench, ctx: &Ctx, min_time_s: f64, reps: usize) -> Vec<RunResult> {
    (b.run)(ctx, 1); // warm-up: thread start, page faults in channel buffers
    let goal = (min_time_s * 1e9) as i64;
    let mut n: u64 = 1;
    let mut r = (b.run)(ctx, n);
    while r.u.wall < goal && n < MAX_ITERS {
        let last = n;
        let prev = r.u.wall.max(1);
        // Predict the count that reaches the goal, aim 20 % over, grow at most 100x per step.
        let mut next = (goal as f64 * last as f64 / prev as f64) as u64;
        next += next / 5;
        next = next.min(100 * last).max(last + 1).min(MAX_ITERS);
        n = next;
        r = (b.run)(ctx, n);
    }
    (0..reps).map(|_| (b.run)(ctx, n)).collect()
}
