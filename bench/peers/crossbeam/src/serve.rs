// SPDX-License-Identifier: MIT
// Protocol 2 of chanbench's executors (docs/results-format.md, "Executors: the Go and crossbeam
// peers (protocol 2)"): request lines `verb key=value ...` on stdin, one JSON object per line on
// stdout. `hello protocol=2` is answered with what the executor is; `run id=I bench=NAME iters=N
// pus=LIST|none` runs scenario NAME once, n operations, and answers with its raw figures;
// `quit` or the end of stdin ends the executor with status 0.

use crate::bench::{Ctx, RunResult, Val};
use crate::sys::{cpu_list, MAX_CPUS};
use crate::{cancel, chan, layout, lock, select};
use std::io::{self, BufRead, Write};

const PROTOCOL: u64 = 2;
const IMPL: &str = "crossbeam";
const CPU_TIME_SCOPE: &str =
    "process: getrusage(RUSAGE_SELF) deltas over the timed region (the main thread waits in join)";
const PINNING: &str = "threads: worker i of a run pins itself to the i-th PU of pus \
(sched_setaffinity on the worker); pus=none: workers keep the executor's start mask; the main \
thread keeps its start mask";

/// The largest thread count of one role (producers, consumers, fan-in inputs, lock threads): mpmc
/// tags each message with its producer in the top byte.
const MAX_THREADS: u64 = 256;
/// The largest channel capacity (crossbeam allocates every slot up front).
const MAX_CAP: u64 = 1 << 20;
/// The largest n: mpmc's sequence numbers have 56 bits.
const MAX_ITERS: u64 = (1 << 56) - 1;

/// What the executor keeps across work orders.
pub struct Executor {
    /// The mask the executor was started with: pus=none runs here, and pus must lie within it.
    pub start_mask: Vec<usize>,
    pub outside_ns: i64,
    pub ns_per_work_iter: f64,
}

pub fn json_str(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                o.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// A float as a JSON number (never NaN or infinity: those become 0).
fn json_f64(v: f64) -> String {
    if v.is_finite() {
        format!("{}", v)
    } else {
        "0".to_string()
    }
}

fn json_extra(kv: &[(&'static str, Val)]) -> String {
    let parts: Vec<String> = kv
        .iter()
        .map(|(k, v)| {
            let v = match v {
                Val::I(i) => i.to_string(),
                Val::F(f) => json_f64(*f),
            };
            format!("{}:{}", json_str(k), v)
        })
        .collect();
    format!("{{{}}}", parts.join(","))
}

/// A decimal integer: digits only.
fn parse_uint(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A duration in ns: `0`, or digits with ns, us, ms or s (digits alone: ns).
fn parse_duration(s: &str) -> Option<i64> {
    let digits = s.bytes().take_while(|b| b.is_ascii_digit()).count();
    let unit: i64 = match &s[digits..] {
        "" | "ns" => 1,
        "us" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        _ => return None,
    };
    let v = parse_uint(&s[..digits])?;
    i64::try_from(v).ok()?.checked_mul(unit)
}

/// One scenario of the table in docs/results-format.md, with its parameters.
enum Scenario {
    Spsc {
        cap: usize,
        size: usize,
    },
    /// mpsc is mpmc with one consumer.
    Mpmc {
        prod: usize,
        cons: usize,
        cap: usize,
        size: usize,
    },
    Pingpong {
        cap: usize,
    },
    Paced {
        pause_ns: i64,
        cap: usize,
    },
    Fanin {
        k: usize,
        cap: usize,
    },
    Mutex {
        threads: usize,
        cs_ns: i64,
    },
    Rw {
        threads: usize,
        read: u64,
        cs_ns: i64,
    },
    Pipeline {
        stages: usize,
        work_ns: i64,
    },
    Replicated {
        stages: usize,
        work_ns: i64,
        threads: usize,
    },
    Pool {
        stages: usize,
        work_ns: i64,
        threads: usize,
    },
    Cancel {
        workers: usize,
    },
}

/// The parameters of one benchmark name, looked up by key.
struct Params<'a> {
    name: &'a str,
    keys: &'static [&'static str],
    vals: Vec<&'a str>,
}

impl<'a> Params<'a> {
    /// Splits the name's `key=value` elements; each key of `keys` must appear exactly once, and
    /// no other.
    fn new(
        name: &'a str,
        elems: &[&'a str],
        keys: &'static [&'static str],
    ) -> Result<Self, String> {
        let mut vals: Vec<Option<&'a str>> = vec![None; keys.len()];
        for e in elems {
            let (k, v) = match e.find('=') {
                Some(p) => (&e[..p], &e[p + 1..]),
                None => return Err(format!("{}: bad parameter {:?} (not key=value)", name, e)),
            };
            let i = match keys.iter().position(|&x| x == k) {
                Some(i) => i,
                None => {
                    return Err(format!(
                        "{}: unknown parameter {:?} (it takes {})",
                        name,
                        k,
                        keys.join(", ")
                    ))
                }
            };
            if vals[i].is_some() {
                return Err(format!("{}: parameter {} given twice", name, k));
            }
            vals[i] = Some(v);
        }
        let mut out = Vec::with_capacity(keys.len());
        for (i, v) in vals.into_iter().enumerate() {
            match v {
                Some(v) => out.push(v),
                None => return Err(format!("{}: missing parameter {}", name, keys[i])),
            }
        }
        Ok(Params {
            name,
            keys,
            vals: out,
        })
    }

    fn get(&self, key: &str) -> &'a str {
        let i = self.keys.iter().position(|&k| k == key).unwrap();
        self.vals[i]
    }

    fn bad(&self, key: &str, what: &str) -> String {
        format!("{}: bad {}={:?} ({})", self.name, key, self.get(key), what)
    }

    /// A thread count, 1 ..= MAX_THREADS.
    fn count(&self, key: &str) -> Result<usize, String> {
        match parse_uint(self.get(key)) {
            Some(v) if (1..=MAX_THREADS).contains(&v) => Ok(v as usize),
            _ => Err(self.bad(key, &format!("an integer from 1 to {}", MAX_THREADS))),
        }
    }

    fn cap(&self) -> Result<usize, String> {
        match parse_uint(self.get("cap")) {
            Some(v) if v <= MAX_CAP => Ok(v as usize),
            _ => Err(self.bad("cap", &format!("an integer from 0 to {}", MAX_CAP))),
        }
    }

    fn size(&self) -> Result<usize, String> {
        match parse_uint(self.get("size")) {
            Some(v) if v == 8 || v == 64 || v == 512 => Ok(v as usize),
            _ => Err(self.bad("size", "8, 64 or 512")),
        }
    }

    fn duration(&self, key: &str) -> Result<i64, String> {
        parse_duration(self.get(key))
            .ok_or_else(|| self.bad(key, "0, or an integer with ns, us, ms or s"))
    }

    /// A layout's stage count, 1 ..= layout::MAX_STAGES.
    fn stages(&self) -> Result<usize, String> {
        match parse_uint(self.get("stages")) {
            Some(v) if (1..=layout::MAX_STAGES).contains(&v) => Ok(v as usize),
            _ => Err(self.bad(
                "stages",
                &format!("an integer from 1 to {}", layout::MAX_STAGES),
            )),
        }
    }

    fn percent(&self, key: &str) -> Result<u64, String> {
        match parse_uint(self.get(key)) {
            Some(v) if v <= 100 => Ok(v),
            _ => Err(self.bad(key, "an integer from 0 to 100")),
        }
    }
}

impl Scenario {
    /// Reads a benchmark name without `/impl=...`, e.g. chan/spsc/cap=0/size=8 (parameters in
    /// any order).
    fn parse(name: &str) -> Result<Scenario, String> {
        let elems: Vec<&str> = name.split('/').collect();
        let keys: &'static [&'static str] = match (elems[0], elems.get(1).copied()) {
            ("chan", Some("spsc")) => &["cap", "size"],
            ("chan", Some("mpsc")) => &["prod", "cap", "size"],
            ("chan", Some("mpmc")) => &["prod", "cons", "cap", "size"],
            ("chan", Some("pingpong")) => &["cap"],
            ("chan", Some("paced")) => &["pause", "cap"],
            ("select", Some("fanin")) => &["k", "cap"],
            ("lock", Some("mutex")) => &["threads", "cs"],
            ("lock", Some("rw")) => &["threads", "read", "cs"],
            ("layout", Some("pipeline")) => &["stages", "work"],
            ("layout", Some("replicated")) | ("layout", Some("pool")) => {
                &["stages", "work", "threads"]
            }
            ("cancel", Some("done")) => &["workers"],
            _ => return Err(format!("unknown benchmark {}", name)),
        };
        let p = Params::new(name, &elems[2..], keys)?;
        Ok(match elems[1] {
            "spsc" => Scenario::Spsc {
                cap: p.cap()?,
                size: p.size()?,
            },
            "mpsc" => Scenario::Mpmc {
                prod: p.count("prod")?,
                cons: 1,
                cap: p.cap()?,
                size: p.size()?,
            },
            "mpmc" => Scenario::Mpmc {
                prod: p.count("prod")?,
                cons: p.count("cons")?,
                cap: p.cap()?,
                size: p.size()?,
            },
            "pingpong" => Scenario::Pingpong { cap: p.cap()? },
            "paced" => Scenario::Paced {
                pause_ns: p.duration("pause")?,
                cap: p.cap()?,
            },
            "fanin" => Scenario::Fanin {
                k: p.count("k")?,
                cap: p.cap()?,
            },
            "mutex" => Scenario::Mutex {
                threads: p.count("threads")?,
                cs_ns: p.duration("cs")?,
            },
            "rw" => Scenario::Rw {
                threads: p.count("threads")?,
                read: p.percent("read")?,
                cs_ns: p.duration("cs")?,
            },
            "pipeline" => Scenario::Pipeline {
                stages: p.stages()?,
                work_ns: p.duration("work")?,
            },
            "replicated" => Scenario::Replicated {
                stages: p.stages()?,
                work_ns: p.duration("work")?,
                threads: p.count("threads")?,
            },
            "pool" => Scenario::Pool {
                stages: p.stages()?,
                work_ns: p.duration("work")?,
                threads: p.count("threads")?,
            },
            _ => Scenario::Cancel {
                workers: p.count("workers")?,
            },
        })
    }

    /// The scenario's threads, as many as `pus` lists.
    fn threads(&self) -> usize {
        match *self {
            Scenario::Spsc { .. } | Scenario::Pingpong { .. } | Scenario::Paced { .. } => 2,
            Scenario::Mpmc { prod, cons, .. } => prod + cons,
            Scenario::Fanin { k, .. } => k + 1,
            Scenario::Mutex { threads, .. } | Scenario::Rw { threads, .. } => threads,
            Scenario::Pipeline { stages, .. } => stages,
            Scenario::Replicated { threads, .. } => threads,
            Scenario::Pool { threads, .. } => threads + 1,
            Scenario::Cancel { workers } => workers + 1,
        }
    }

    /// Runs the scenario once, n operations. Elements of `size` bytes are an 8-byte sequence
    /// number and size - 8 bytes of padding (parse admits 8, 64 and 512 only).
    fn run(&self, ctx: &Ctx, n: u64) -> RunResult {
        match *self {
            Scenario::Spsc { cap, size } => match size {
                8 => chan::run_spsc::<0>(ctx, cap, n),
                64 => chan::run_spsc::<56>(ctx, cap, n),
                _ => chan::run_spsc::<504>(ctx, cap, n),
            },
            Scenario::Mpmc {
                prod,
                cons,
                cap,
                size,
            } => match size {
                8 => chan::run_mpmc::<0>(ctx, prod, cons, cap, n),
                64 => chan::run_mpmc::<56>(ctx, prod, cons, cap, n),
                _ => chan::run_mpmc::<504>(ctx, prod, cons, cap, n),
            },
            Scenario::Pingpong { cap } => chan::run_pingpong(ctx, cap, n),
            Scenario::Paced { pause_ns, cap } => chan::run_paced(ctx, pause_ns, cap, n),
            Scenario::Fanin { k, cap } => select::run_fanin(ctx, k, cap, n),
            Scenario::Mutex { threads, cs_ns } => lock::run_mutex(ctx, threads, cs_ns, n),
            Scenario::Rw {
                threads,
                read,
                cs_ns,
            } => lock::run_rw(ctx, threads, read, cs_ns, n),
            Scenario::Pipeline { stages, work_ns } => layout::run_pipeline(ctx, stages, work_ns, n),
            Scenario::Replicated {
                stages,
                work_ns,
                threads,
            } => layout::run_replicated(ctx, stages, work_ns, threads, n),
            Scenario::Pool {
                stages,
                work_ns,
                threads,
            } => layout::run_pool(ctx, stages, work_ns, threads, n),
            Scenario::Cancel { workers } => cancel::run_cancel(ctx, workers, n),
        }
    }
}

/// What to do after a request.
enum Action {
    Answer(String),
    /// Answer (if any), then exit with this status.
    Exit(Option<String>, i32),
}

fn error_answer(id: Option<u64>, msg: &str) -> Action {
    let id = match id {
        Some(i) => i.to_string(),
        None => "null".to_string(),
    };
    Action::Answer(format!(
        "{{\"id\":{},\"ok\":false,\"error\":{}}}",
        id,
        json_str(msg)
    ))
}

fn hello(args: &[(&str, &str)]) -> Action {
    let refuse = |msg: String| {
        Action::Exit(
            Some(format!(
                "{{\"protocol\":{},\"error\":{}}}",
                PROTOCOL,
                json_str(&msg)
            )),
            2,
        )
    };
    let v = match args.iter().find(|(k, _)| *k == "protocol") {
        Some(&(_, v)) => v,
        None => return refuse("hello without protocol=N".to_string()),
    };
    if parse_uint(v) != Some(PROTOCOL) {
        return refuse(format!(
            "protocol {} is not spoken here; this executor speaks protocol {}",
            v, PROTOCOL
        ));
    }
    Action::Answer(format!(
        "{{\"protocol\":{},\"impl\":{},\"version\":{},\"library_version\":{},\
\"cpu_time_scope\":{},\"pinning\":{}}}",
        PROTOCOL,
        json_str(IMPL),
        json_str(env!("CHANBENCH_RUSTC_VERSION")),
        json_str(env!("CHANBENCH_CROSSBEAM_VERSION")),
        json_str(CPU_TIME_SCOPE),
        json_str(PINNING)
    ))
}

/// A validated work order.
struct Order {
    id: u64,
    scenario: Scenario,
    iters: u64,
    pus: Option<Vec<usize>>,
}

fn parse_run(ex: &Executor, args: &[(&str, &str)]) -> Result<Order, (Option<u64>, String)> {
    let id_word = args.iter().find(|(k, _)| *k == "id").map(|&(_, v)| v);
    let id = match id_word {
        Some(v) => match parse_uint(v) {
            Some(i) => i,
            None => return Err((None, format!("run: bad id={:?}", v))),
        },
        None => return Err((None, "run without id=I".to_string())),
    };
    let fail = |msg: String| Err((Some(id), msg));
    let (mut bench, mut iters, mut pus) = (None, None, None);
    for &(k, v) in args {
        match k {
            "id" => {}
            "bench" => bench = Some(v),
            "iters" => iters = Some(v),
            "pus" => pus = Some(v),
            _ => return fail(format!("run: unknown key {:?}", k)),
        }
    }
    let (bench, iters, pus) = match (bench, iters, pus) {
        (Some(b), Some(i), Some(p)) => (b, i, p),
        _ => return fail("run needs id=I bench=NAME iters=N pus=LIST|none".to_string()),
    };
    let scenario = match Scenario::parse(bench) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let iters = match parse_uint(iters) {
        Some(n) if (1..=MAX_ITERS).contains(&n) => n,
        _ => {
            return fail(format!(
                "bad iters={:?} (an integer from 1 to {})",
                iters, MAX_ITERS
            ))
        }
    };
    let threads = scenario.threads();
    let pus = if pus == "none" {
        None
    } else {
        let mut list = Vec::new();
        for w in pus.split(',') {
            let c = match parse_uint(w) {
                Some(c) if c < MAX_CPUS as u64 => c as usize,
                _ => return fail(format!("bad PU {:?} in pus={}", w, pus)),
            };
            if !ex.start_mask.contains(&c) {
                return fail(format!(
                    "PU {} is not in the executor's mask {}",
                    c,
                    cpu_list(&ex.start_mask)
                ));
            }
            list.push(c);
        }
        if list.len() != threads {
            return fail(format!(
                "pus={} gives {} PU(s), {} has {} threads",
                pus,
                list.len(),
                bench,
                threads
            ));
        }
        Some(list)
    };
    Ok(Order {
        id,
        scenario,
        iters,
        pus,
    })
}

fn run(ex: &Executor, args: &[(&str, &str)]) -> Action {
    let o = match parse_run(ex, args) {
        Ok(o) => o,
        Err((id, msg)) => return error_answer(id, &msg),
    };
    let affinity = match &o.pus {
        Some(p) => {
            let mut d = p.clone();
            d.sort_unstable();
            d.dedup();
            cpu_list(&d)
        }
        None => cpu_list(&ex.start_mask),
    };
    let ctx = Ctx {
        pus: o.pus,
        outside_ns: ex.outside_ns,
        ns_per_work_iter: ex.ns_per_work_iter,
    };
    crate::begin_run(o.id);
    let r = o.scenario.run(&ctx, o.iters);
    crate::end_run();
    let hist = match &r.lat {
        Some(h) => format!(",\"hist\":{}", h.json()),
        None => String::new(),
    };
    Action::Answer(format!(
        "{{\"id\":{},\"ok\":true,\"ops\":{},\"wall_ns\":{},\"cpu_ns\":{},\"vcsw\":{},\
\"ivcsw\":{},\"threads\":{},\"affinity\":{},\"gomaxprocs\":null{},\"extra\":{}}}",
        o.id,
        r.ops,
        r.u.wall,
        r.u.cpu,
        r.u.vcsw,
        r.u.ivcsw,
        o.scenario.threads(),
        json_str(&affinity),
        hist,
        json_extra(&r.extra)
    ))
}

/// Handles one request line; None: nothing to answer (an empty line).
fn handle(ex: &Executor, line: &str) -> Option<Action> {
    let mut words = line.split_ascii_whitespace();
    let verb = words.next()?;
    let mut args: Vec<(&str, &str)> = Vec::new();
    let mut malformed = None;
    for w in words {
        match w.find('=') {
            Some(p) => {
                let k = &w[..p];
                if args.iter().any(|&(a, _)| a == k) {
                    malformed.get_or_insert(format!("key {} given twice", k));
                }
                args.push((k, &w[p + 1..]));
            }
            None => {
                malformed.get_or_insert(format!("{:?} is not key=value", w));
            }
        }
    }
    let id = args
        .iter()
        .find(|(k, _)| *k == "id")
        .and_then(|&(_, v)| parse_uint(v));
    if let Some(m) = malformed {
        if verb == "hello" {
            return Some(Action::Exit(
                Some(format!(
                    "{{\"protocol\":{},\"error\":{}}}",
                    PROTOCOL,
                    json_str(&format!("malformed hello: {}", m))
                )),
                2,
            ));
        }
        return Some(error_answer(id, &format!("malformed request: {}", m)));
    }
    Some(match verb {
        "hello" => hello(&args),
        "run" => run(ex, &args),
        "quit" => Action::Exit(None, 0),
        _ => error_answer(id, &format!("unknown request {:?}", verb)),
    })
}

fn write_line(out: &mut impl Write, s: &str) {
    let ok = out
        .write_all(s.as_bytes())
        .and_then(|_| out.write_all(b"\n"))
        .and_then(|_| out.flush());
    if let Err(e) = ok {
        eprintln!("chanbench-peer-crossbeam: writing an answer failed: {}", e);
        std::process::exit(1);
    }
}

/// The request loop; returns the exit status.
pub fn serve(ex: &Executor) -> i32 {
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let stdout = io::stdout();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match input.read_until(b'\n', &mut buf) {
            Ok(0) => return 0, // end of stdin
            Ok(_) => {}
            Err(e) => {
                eprintln!("chanbench-peer-crossbeam: reading stdin failed: {}", e);
                return 1;
            }
        }
        let action = match std::str::from_utf8(&buf) {
            Ok(line) => handle(ex, line),
            Err(_) => Some(error_answer(None, "malformed request: not ASCII")),
        };
        match action {
            None => {}
            Some(Action::Answer(s)) => write_line(&mut stdout.lock(), &s),
            Some(Action::Exit(s, code)) => {
                if let Some(s) = s {
                    write_line(&mut stdout.lock(), &s);
                }
                return code;
            }
        }
    }
}
