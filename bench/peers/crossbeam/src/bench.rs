// SPDX-License-Identifier: MIT
// What the scenarios of the crossbeam executor share: the run context (where worker threads run,
// the busy-work calibration), worker start and join, and the result of one run.

use crate::hist::Hist;
use crate::sys::{self, Usage};
use std::sync::{Arc, Barrier};
use std::thread::{self, JoinHandle};

/// An extra value.
#[derive(Clone)]
pub enum Val {
    I(i64),
    F(f64),
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

/// One run's context.
pub struct Ctx {
    /// The work order's placement: worker i pins itself to pus[i] (one PU per thread of the
    /// scenario, in the thread order of docs/results-format.md); None: workers are not pinned
    /// and keep the mask the executor was started with.
    pub pus: Option<Vec<usize>>,
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
        let cpu = match &self.pus {
            Some(pus) => match pus.get(idx) {
                Some(&c) => Some(c),
                None => crate::fatal(&format!(
                    "worker {} started, but the work order lists {} PUs",
                    idx,
                    pus.len()
                )),
            },
            None => None,
        };
        let bar = bar.clone();
        thread::spawn(move || {
            if let Some(c) = cpu {
                if let Err(e) = sys::set_thread_affinity(&[c]) {
                    crate::fatal(&format!("cannot pin worker {} to PU {}: {}", idx, c, e));
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
