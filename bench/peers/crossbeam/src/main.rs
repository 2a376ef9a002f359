// SPDX-License-Identifier: MIT
// chanbench-peer-crossbeam: chanbench's crossbeam executor (docs/results-format.md, "Executors:
// the Go and crossbeam peers (protocol 2)"). chanbench starts it once per run as
// `chanbench-peer-crossbeam --serve` and sends it work orders on stdin; it runs the channel,
// select, lock, layout and cancel scenario it is told to (crossbeam-channel, std's Mutex and
// RwLock, std threads) exactly n times, with worker i pinned to the i-th PU of the order, and
// answers each order with the raw figures of that one timed run, one JSON object per line on
// stdout. The benchmark grid, the iteration counts, warm-up and statistics are chanbench's.
// Usage: chanbench-peer-crossbeam --serve [--outside-ns NS]

mod bench;
mod cancel;
mod chan;
mod hist;
mod layout;
mod lock;
mod select;
mod serve;
mod sys;

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

const USAGE: &str = "usage: chanbench-peer-crossbeam --serve [--outside-ns NS]";

/// The work order being run (its id), for fatal's answer; RUNNING is false between orders.
static RUNNING: AtomicBool = AtomicBool::new(false);
static CURRENT_ID: AtomicU64 = AtomicU64::new(0);
/// Serialises fatal: the first caller answers and exits, later ones wait for the exit.
static FATAL: Mutex<()> = Mutex::new(());

pub fn begin_run(id: u64) {
    CURRENT_ID.store(id, Ordering::SeqCst);
    RUNNING.store(true, Ordering::SeqCst);
}

pub fn end_run() {
    RUNNING.store(false, Ordering::SeqCst);
}

/// A failed self-check (or a failure inside a run: pinning, rusage, a panicked worker): answers
/// the current work order with {"id":I,"ok":false,"failed":"..."} and exits with status 1, the
/// threads of the run being in any state. Outside a run the message goes to stderr only.
pub fn fatal(msg: &str) -> ! {
    // Held until the process is gone (exit runs no destructors): a second caller waits here.
    let _serial = FATAL.lock().unwrap_or_else(|e| e.into_inner());
    eprintln!("chanbench-peer-crossbeam: {}", msg);
    if RUNNING.load(Ordering::SeqCst) {
        let line = format!(
            "{{\"id\":{},\"ok\":false,\"failed\":{}}}\n",
            CURRENT_ID.load(Ordering::SeqCst),
            serve::json_str(msg)
        );
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        let _ = out.write_all(line.as_bytes());
        let _ = out.flush();
    }
    std::process::exit(1);
}

fn usage_exit() -> ! {
    eprintln!("{}", USAGE);
    std::process::exit(2);
}

fn parse_outside_ns(v: Option<&str>) -> i64 {
    match v.and_then(|s| s.parse::<i64>().ok()) {
        Some(ns) if ns >= 0 => ns,
        _ => usage_exit(),
    }
}

fn main() {
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.into_string().unwrap_or_else(|_| usage_exit()))
        .collect();
    let mut serve = false;
    let mut outside_ns = 50; // libgoc's LOCK_OUTSIDE_NS
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if a == "--serve" {
            serve = true;
        } else if a == "--outside-ns" {
            i += 1;
            outside_ns = parse_outside_ns(args.get(i).map(|s| s.as_str()));
        } else if let Some(v) = a.strip_prefix("--outside-ns=") {
            outside_ns = parse_outside_ns(Some(v));
        } else {
            usage_exit();
        }
        i += 1;
    }
    if !serve {
        usage_exit();
    }
    let start_mask = sys::thread_affinity().unwrap_or_else(|e| fatal(&e));
    let ex = serve::Executor {
        start_mask,
        outside_ns,
        ns_per_work_iter: lock::calibrate_work(),
    };
    std::process::exit(serve::serve(&ex));
}
