// SPDX-License-Identifier: MIT
// Latency histogram: log-linear buckets (exact below 64 ns, then 64 buckets per power of two,
// under 1.6 % relative error), the same layout as the Go peer's.

const SUB: usize = 64;
const NBUCKETS: usize = (64 - 6 + 1) * SUB + SUB;

pub struct Hist {
    counts: Vec<u64>,
    pub n: u64,
    pub min: i64,
    pub max: i64,
}

fn index(v: u64) -> usize {
    if v < SUB as u64 {
        return v as usize;
    }
    let e = 63 - v.leading_zeros() as usize; // >= 6
    let sub = ((v >> (e - 6)) as usize) & (SUB - 1);
    (e - 5) * SUB + sub
}

/// Midpoint of bucket i.
fn value(i: usize) -> i64 {
    if i < SUB {
        return i as i64;
    }
    let e = i / SUB + 5;
    let sub = (i % SUB) as u64;
    let lo = (SUB as u64 + sub) << (e - 6);
    (lo + (1u64 << (e - 6)) / 2) as i64
}

impl Hist {
    pub fn new() -> Hist {
        Hist {
            counts: vec![0; NBUCKETS],
            n: 0,
            min: -1,
            max: 0,
        }
    }

    #[inline]
    pub fn record(&mut self, v: i64) {
        let v = if v < 0 { 0 } else { v };
        self.counts[index(v as u64)] += 1;
        self.n += 1;
        if self.min < 0 || v < self.min {
            self.min = v;
        }
        if v > self.max {
            self.max = v;
        }
    }

    pub fn merge(&mut self, o: &Hist) {
        if o.n == 0 {
            return;
        }
        for (a, b) in self.counts.iter_mut().zip(o.counts.iter()) {
            *a += *b;
        }
        if self.n == 0 || o.min < self.min {
            self.min = o.min;
        }
        if o.max > self.max {
            self.max = o.max;
        }
        self.n += o.n;
    }

    /// The value at rank ceil(q*n), clamped to [min, max].
    pub fn quantile(&self, q: f64) -> i64 {
        if self.n == 0 {
            return 0;
        }
        let mut rank = (q * self.n as f64 + 0.999999) as u64;
        if rank < 1 {
            rank = 1;
        }
        let mut cum = 0u64;
        for (i, &c) in self.counts.iter().enumerate() {
            cum += c;
            if cum >= rank {
                return value(i).max(self.min).min(self.max);
            }
        }
        self.max
    }
}
