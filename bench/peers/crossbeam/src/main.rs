// SPDX-License-Identifier: MIT
// chanbench-peer-crossbeam: the crossbeam peer of chanbench. It runs the channel, select and lock
// scenarios of docs/results-format.md with crossbeam-channel and std's locks and writes one JSON
// document to stdout:  {"peer": {...}, "benchmarks": [iteration rows]}
// Usage: chanbench-peer-crossbeam [--list] [--filter REGEX] [--repetitions N] [--min-time S]
//            [--cpus LIST] [--quick] [--thread-pin compact|none] [--outside-ns NS] [--verbose]

mod bench;
mod chan;
mod hist;
mod lock;
mod regex;
mod select;
mod sys;

use bench::{measure, Bench, Ctx, RunFn, RunResult, Val};
use std::io::Write;

const IMPL: &str = "crossbeam";
const USAGE: &str = "usage: chanbench-peer-crossbeam [--list] [--filter REGEX] [--repetitions N] \
[--min-time S] [--cpus LIST] [--quick] [--thread-pin compact|none] [--outside-ns NS] [--verbose]";

pub fn fatal(msg: &str) -> ! {
    eprintln!("chanbench-peer-crossbeam: {}", msg);
    std::process::exit(1);
}

fn usage_exit(msg: &str) -> ! {
    eprintln!("chanbench-peer-crossbeam: {}\n{}", msg, USAGE);
    std::process::exit(2);
}

struct Registry(Vec<Bench>);

impl Registry {
    fn add(
        &mut self,
        family: &str,
        op: &'static str,
        threads: usize,
        quick: bool,
        mut params: Vec<(&'static str, Val)>,
        run: RunFn,
    ) {
        params.push(("impl", Val::S(IMPL.to_string())));
        let mut name = family.to_string();
        for (k, v) in &params {
            name.push_str(&format!("/{}={}", k, v));
        }
        let fam = family.split('/').next().unwrap().to_string();
        self.0.push(Bench {
            name,
            family: fam,
            op,
            params,
            threads,
            quick,
            run,
        });
    }
}

const CAPS: [usize; 5] = [0, 1, 16, 64, 1024];

/// libgoc's thread grid (BENCH_PARAM_THREADS): the listed counts and "pus" and "2pus" (pus = the
/// CPUs the peer runs on), keeping those up to 2*pus, each once, ascending.
fn thread_counts(pus: usize, listed: &[usize]) -> Vec<usize> {
    let mut v: Vec<usize> = listed
        .iter()
        .cloned()
        .chain([pus, 2 * pus])
        .filter(|&t| t >= 1 && t <= 2 * pus)
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Every benchmark, in the order they run (the same list and order as the Go peer's); thread
/// counts depend on pus, the number of CPUs the peer runs on (--cpus, or the inherited mask).
fn registry(pus: usize) -> Vec<Bench> {
    use Val::I;
    let mut r = Registry(Vec::new());
    for &c in &CAPS {
        for &s in &[8usize, 64, 512] {
            let run: RunFn = match s {
                8 => Box::new(move |ctx, n| chan::run_spsc::<0>(ctx, c, n)),
                64 => Box::new(move |ctx, n| chan::run_spsc::<56>(ctx, c, n)),
                _ => Box::new(move |ctx, n| chan::run_spsc::<504>(ctx, c, n)),
            };
            r.add(
                "chan/spsc",
                "msg",
                2,
                s == 8 && (c == 0 || c == 1024),
                vec![("cap", I(c as i64)), ("size", I(s as i64))],
                run,
            );
        }
    }
    for p in thread_counts(pus, &[2, 4, 8, 16]) {
        for &c in &CAPS {
            for &sz in &[8usize, 64, 512] {
                let run: RunFn = match sz {
                    8 => Box::new(move |ctx, n| chan::run_mpmc::<0>(ctx, p, 1, c, n)),
                    64 => Box::new(move |ctx, n| chan::run_mpmc::<56>(ctx, p, 1, c, n)),
                    _ => Box::new(move |ctx, n| chan::run_mpmc::<504>(ctx, p, 1, c, n)),
                };
                r.add(
                    "chan/mpsc",
                    "msg",
                    p + 1,
                    false,
                    vec![
                        ("prod", I(p as i64)),
                        ("cap", I(c as i64)),
                        ("size", I(sz as i64)),
                    ],
                    run,
                );
            }
        }
    }
    for p in thread_counts(pus, &[1, 2, 4, 8, 16]) {
        for q in thread_counts(pus, &[1, 2, 4, 8, 16]) {
            for &c in &CAPS {
                r.add(
                    "chan/mpmc",
                    "msg",
                    p + q,
                    p == 4 && q == 4 && c == 1024,
                    vec![
                        ("prod", I(p as i64)),
                        ("cons", I(q as i64)),
                        ("cap", I(c as i64)),
                        ("size", I(8)),
                    ],
                    Box::new(move |ctx, n| chan::run_mpmc::<0>(ctx, p, q, c, n)),
                );
            }
        }
    }
    for &c in &[0usize, 1] {
        r.add(
            "chan/pingpong",
            "roundtrip",
            2,
            c == 0,
            vec![("cap", I(c as i64))],
            Box::new(move |ctx, n| chan::run_pingpong(ctx, c, n)),
        );
    }
    for &(label, ns) in &[("0", 0i64), ("1us", 1000), ("100us", 100_000)] {
        let v = if ns == 0 {
            I(0)
        } else {
            Val::S(label.to_string())
        };
        r.add(
            "chan/paced",
            "msg",
            2,
            ns == 100_000,
            vec![("pause", v), ("cap", I(0))],
            Box::new(move |ctx, n| chan::run_paced(ctx, ns, 0, n)),
        );
    }
    for &k in &[2usize, 4, 8, 16] {
        for &c in &[0usize, 64] {
            r.add(
                "select/fanin",
                "msg",
                k + 1,
                k == 4 && c == 0,
                vec![("k", I(k as i64)), ("cap", I(c as i64))],
                Box::new(move |ctx, n| select::run_fanin(ctx, k, c, n)),
            );
        }
    }
    for t in thread_counts(pus, &[1, 2, 4, 8, 16, 32]) {
        for &cs in &[0i64, 100, 1000] {
            r.add(
                "lock/mutex",
                "lockop",
                t,
                t <= 2 && cs == 0,
                vec![("threads", I(t as i64)), ("cs", I(cs))],
                Box::new(move |ctx, n| lock::run_mutex(ctx, t, cs, n)),
            );
        }
    }
    for t in thread_counts(pus, &[1, 2, 4, 8, 16, 32]) {
        for &rd in &[0u64, 50, 90, 99, 100] {
            for &cs in &[0i64, 100, 1000] {
                r.add(
                    "lock/rw",
                    "lockop",
                    t,
                    t == 2 && rd == 99 && cs == 0,
                    vec![
                        ("threads", I(t as i64)),
                        ("read", I(rd as i64)),
                        ("cs", I(cs)),
                    ],
                    Box::new(move |ctx, n| lock::run_rw(ctx, t, rd, cs, n)),
                );
            }
        }
    }
    r.0
}

fn json_str(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn json_f64(v: f64) -> String {
    if v.is_finite() {
        format!("{}", v)
    } else {
        "null".to_string()
    }
}

fn json_val(v: &Val) -> String {
    match v {
        Val::I(i) => i.to_string(),
        Val::F(f) => json_f64(*f),
        Val::S(s) => json_str(s),
    }
}

fn json_object(kv: &[(&'static str, Val)]) -> String {
    let parts: Vec<String> = kv
        .iter()
        .map(|(k, v)| format!("{}: {}", json_str(k), json_val(v)))
        .collect();
    format!("{{{}}}", parts.join(", "))
}

fn row(b: &Bench, r: &RunResult, reps: usize, idx: usize) -> String {
    let ops = r.ops as f64;
    let real = r.u.wall as f64 / ops;
    let cpu = r.u.cpu as f64 / ops;
    let ips = if r.u.wall > 0 {
        ops * 1e9 / r.u.wall as f64
    } else {
        0.0
    };
    let mut f = vec![
        format!("\"name\": {}", json_str(&b.name)),
        format!("\"run_name\": {}", json_str(&b.name)),
        "\"run_type\": \"iteration\"".to_string(),
        format!("\"repetitions\": {}", reps),
        format!("\"repetition_index\": {}", idx),
        format!("\"threads\": {}", b.threads),
        format!("\"iterations\": {}", r.ops),
        format!("\"real_time\": {}", json_f64(real)),
        format!("\"cpu_time\": {}", json_f64(cpu)),
        "\"time_unit\": \"ns\"".to_string(),
        format!("\"items_per_second\": {}", json_f64(ips)),
        format!("\"family\": {}", json_str(&b.family)),
        format!("\"impl\": {}", json_str(IMPL)),
        format!("\"params\": {}", json_object(&b.params)),
        format!("\"op\": {}", json_str(b.op)),
        format!("\"voluntary_ctx_switches\": {}", r.u.vcsw),
        format!("\"involuntary_ctx_switches\": {}", r.u.ivcsw),
    ];
    if let Some(h) = &r.lat {
        f.push(format!(
            "\"latency_ns\": {{\"count\": {}, \"min\": {}, \"p50\": {}, \"p90\": {}, \"p99\": {}, \"p999\": {}, \"max\": {}}}",
            h.n, h.min.max(0), h.quantile(0.5), h.quantile(0.9), h.quantile(0.99), h.quantile(0.999), h.max
        ));
    }
    if !r.extra.is_empty() {
        f.push(format!("\"extra\": {}", json_object(&r.extra)));
    }
    f.push("\"verified\": true".to_string());
    format!("    {{\n      {}\n    }}", f.join(",\n      "))
}

struct Opts {
    list: bool,
    filter: String,
    reps: usize,
    min_time: Option<f64>,
    cpus: Option<String>,
    quick: bool,
    pin_threads: bool,
    outside_ns: i64,
    verbose: bool,
}

fn parse_args() -> Opts {
    let mut o = Opts {
        list: false,
        filter: String::new(),
        reps: 1,
        min_time: None,
        cpus: None,
        quick: false,
        pin_threads: true,
        outside_ns: 50,
        verbose: false,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].trim_start_matches('-');
        if a.len() == args[i].len() {
            usage_exit(&format!("unexpected argument {:?}", args[i]));
        }
        let (key, inline) = match a.find('=') {
            Some(p) => (&a[..p], Some(a[p + 1..].to_string())),
            None => (a, None),
        };
        let mut value = |name: &str| -> String {
            if let Some(v) = &inline {
                return v.clone();
            }
            i += 1;
            args.get(i)
                .cloned()
                .unwrap_or_else(|| usage_exit(&format!("--{} needs a value", name)))
        };
        match key {
            "list" => o.list = true,
            "quick" => o.quick = true,
            "verbose" => o.verbose = true,
            "filter" => o.filter = value("filter"),
            "repetitions" => {
                let v = value("repetitions");
                o.reps = v
                    .parse()
                    .ok()
                    .filter(|&r| r >= 1)
                    .unwrap_or_else(|| usage_exit(&format!("bad --repetitions {:?}", v)));
            }
            "min-time" => {
                let v = value("min-time");
                o.min_time = Some(
                    v.trim_end_matches('s')
                        .parse()
                        .ok()
                        .filter(|&t: &f64| t >= 0.0)
                        .unwrap_or_else(|| {
                            usage_exit(&format!("bad --min-time {:?} (seconds, e.g. 0.5)", v))
                        }),
                );
            }
            "cpus" => o.cpus = Some(value("cpus")),
            "thread-pin" => {
                o.pin_threads = match value("thread-pin").as_str() {
                    "compact" => true,
                    "none" => false,
                    v => usage_exit(&format!("bad --thread-pin {:?} (compact or none)", v)),
                }
            }
            "outside-ns" => {
                let v = value("outside-ns");
                o.outside_ns = v
                    .parse()
                    .ok()
                    .filter(|&t: &i64| t >= 0)
                    .unwrap_or_else(|| usage_exit(&format!("bad --outside-ns {:?}", v)));
            }
            "h" | "help" => {
                println!("{}", USAGE);
                std::process::exit(0);
            }
            _ => usage_exit(&format!("unknown option {:?}", args[i])),
        }
        i += 1;
    }
    o
}

fn main() {
    let o = parse_args();
    let (negate, pattern) = match o.filter.strip_prefix('-') {
        Some(p) => (true, p),
        None => (false, o.filter.as_str()),
    };
    let pattern = if pattern == "all" { "" } else { pattern };
    let re =
        regex::Regex::new(pattern).unwrap_or_else(|e| usage_exit(&format!("bad --filter: {}", e)));
    let want_cpus = match &o.cpus {
        Some(list) => Some(sys::parse_cpu_list(list).unwrap_or_else(|e| usage_exit(&e))),
        None => None,
    };
    let pus = match &want_cpus {
        Some(v) => v.len(),
        None => sys::thread_affinity().unwrap_or_else(|e| fatal(&e)).len(),
    };
    let selected: Vec<Bench> = registry(pus)
        .into_iter()
        .filter(|b| re.is_match(&b.name) != negate && (!o.quick || b.quick))
        .collect();
    if o.list {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        for b in &selected {
            let _ = writeln!(out, "{}", b.name);
        }
        return;
    }

    // Pin the main thread before any other thread exists: every thread inherits its mask.
    if let Some(want) = &want_cpus {
        if let Err(e) = sys::set_thread_affinity(&want) {
            fatal(&format!(
                "cannot pin to CPUs {}: {}",
                sys::cpu_list(&want),
                e
            ));
        }
        let got = sys::thread_affinity().unwrap_or_else(|e| fatal(&e));
        if got != *want {
            fatal(&format!(
                "asked for CPUs {} but the kernel allows {} (is a CPU outside this process's cpuset?)",
                sys::cpu_list(want),
                sys::cpu_list(&got)
            ));
        }
    }
    let cpus = sys::thread_affinity().unwrap_or_else(|e| fatal(&e));
    let ctx = Ctx {
        cpus: cpus.clone(),
        pin_threads: o.pin_threads,
        outside_ns: o.outside_ns,
        ns_per_work_iter: lock::calibrate_work(),
    };
    let min_time = o.min_time.unwrap_or(if o.quick { 0.05 } else { 0.5 });
    let pinning = match (&o.cpus, o.pin_threads) {
        (Some(_), true) => "process and threads: sched_setaffinity on the main thread, then worker i of a benchmark pinned to cpus[i % count]",
        (Some(_), false) => "process: sched_setaffinity on the main thread before any other thread; workers free within the mask",
        (None, true) => "threads: worker i of a benchmark pinned to cpus[i % count] of the inherited mask",
        (None, false) => "none: the CPUs the process was started with",
    };

    let mut rows = Vec::new();
    for b in &selected {
        if o.verbose {
            eprint!("{} ...", b.name);
        }
        let rs = measure(b, &ctx, min_time, o.reps);
        for (i, r) in rs.iter().enumerate() {
            rows.push(row(b, r, o.reps, i));
        }
        if o.verbose {
            let r = rs.last().unwrap();
            eprintln!(
                " {} iterations, {:.1} ns/op real, {:.1} ns/op cpu",
                r.ops,
                r.u.wall as f64 / r.ops as f64,
                r.u.cpu as f64 / r.ops as f64
            );
        }
    }
    let peer = format!(
        "{{\n    \"impl\": {},\n    \"version\": {},\n    \"library_version\": {},\n    \"gomaxprocs\": null,\n    \"affinity\": {},\n    \"cpu_time_scope\": {},\n    \"pinning\": {}\n  }}",
        json_str(IMPL),
        json_str(env!("CHANBENCH_RUSTC_VERSION")),
        json_str(env!("CHANBENCH_CROSSBEAM_VERSION")),
        json_str(&sys::cpu_list(&cpus)),
        json_str("process: getrusage(RUSAGE_SELF) deltas"),
        json_str(pinning)
    );
    let doc = format!(
        "{{\n  \"peer\": {},\n  \"benchmarks\": [\n{}\n  ]\n}}\n",
        peer,
        rows.join(",\n")
    );
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if out
        .write_all(doc.as_bytes())
        .and_then(|_| out.flush())
        .is_err()
    {
        fatal("writing results failed");
    }
}
