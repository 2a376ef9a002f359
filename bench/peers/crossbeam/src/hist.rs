// SPDX-License-Identifier: MIT
// Latency histogram in chanbench's layout (bench/model/hist.c, docs/results-format.md
// "Histogram layout"): HdrHistogram's log-linear buckets with 3 significant digits, values in
// ns clamped to 0 .. 2^40 - 1, 2048 sub-buckets per power of two (1024 new ones per bucket after
// the first), one flat array of (30 + 1) * 1024 counts, plus the count and the exact min and
// max. chanbench merges the counts and computes every percentile itself.

const SUB_HALF_MAG: u32 = 10;
const SUB_HALF: usize = 1 << SUB_HALF_MAG; // 1024
const SUB_MASK: u64 = 2 * SUB_HALF as u64 - 1; // 2047
const MAX_MAG: u32 = 40;
pub const MAX_VALUE: i64 = (1 << MAX_MAG) - 1;
const BUCKETS: usize = (MAX_MAG - SUB_HALF_MAG) as usize; // buckets 0..29
pub const NCOUNTS: usize = (BUCKETS + 1) * SUB_HALF; // 31744

/// The index of a value 0 ..= MAX_VALUE: with b = (64 - clz(v | 2047)) - 11,
/// ((b + 1) << 10) + (v >> b) - 1024 (so values below 2048 count at their own index).
#[inline]
pub fn index(v: u64) -> usize {
    let b = (64 - (v | SUB_MASK).leading_zeros()) - (SUB_HALF_MAG + 1);
    (((b + 1) as usize) << SUB_HALF_MAG) + (v >> b) as usize - SUB_HALF
}

/// One histogram: ~248 KiB of counts on the heap. Create it before the workers are released
/// (Hist::new touches every page) and move it into the thread that records.
pub struct Hist {
    counts: Vec<u64>,
    pub n: u64,
    /// Exact extremes; min is i64::MAX while the histogram is empty.
    pub min: i64,
    pub max: i64,
}

impl Hist {
    pub fn new() -> Hist {
        let mut counts = vec![0u64; NCOUNTS];
        // vec! of zeros may come from fresh, untouched pages (calloc/mmap): write them now, so
        // that their page faults happen here and not inside a timed region.
        for c in counts.iter_mut() {
            unsafe { std::ptr::write_volatile(c, 0) };
        }
        Hist {
            counts,
            n: 0,
            min: i64::MAX,
            max: 0,
        }
    }

    /// Records one value in ns; negative values count as 0, values above MAX_VALUE as
    /// MAX_VALUE.
    #[inline]
    pub fn record(&mut self, v: i64) {
        let v = v.clamp(0, MAX_VALUE);
        self.counts[index(v as u64)] += 1;
        self.n += 1;
        if v < self.min {
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
        self.min = self.min.min(o.min);
        self.max = self.max.max(o.max);
        self.n += o.n;
    }

    /// {"count":N,"min":MIN,"max":MAX,"counts":[[index,count],...]}: the non-zero buckets in
    /// increasing index order (an empty histogram: count, min and max 0, no buckets).
    pub fn json(&self) -> String {
        let (min, max) = if self.n == 0 {
            (0, 0)
        } else {
            (self.min, self.max)
        };
        let mut s = format!(
            "{{\"count\":{},\"min\":{},\"max\":{},\"counts\":[",
            self.n, min, max
        );
        let mut first = true;
        for (i, &c) in self.counts.iter().enumerate() {
            if c != 0 {
                if !first {
                    s.push(',');
                }
                first = false;
                s.push_str(&format!("[{},{}]", i, c));
            }
        }
        s.push_str("]}");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// lowest(i) of the doc: for i >= 2048, b = (i >> 10) - 1 and ((i & 1023) + 1024) << b;
    /// below 2048, i itself.
    fn lowest(i: usize) -> u64 {
        if i < 2 * SUB_HALF {
            return i as u64;
        }
        let b = (i >> SUB_HALF_MAG) - 1;
        (((i & (SUB_HALF - 1)) + SUB_HALF) as u64) << b
    }

    #[test]
    fn layout() {
        assert_eq!(NCOUNTS, 31744);
        for v in 0..2048u64 {
            assert_eq!(index(v), v as usize);
        }
        assert_eq!(index(2048), 2048);
        assert_eq!(index(2049), 2048);
        assert_eq!(index(2050), 2049);
        assert_eq!(index(MAX_VALUE as u64), NCOUNTS - 1);
        // Every index's range [lowest, lowest + 2^b) maps back to that index, and the ranges
        // tile 0 ..= MAX_VALUE.
        let mut next = 0u64;
        for i in 0..NCOUNTS {
            let lo = lowest(i);
            assert_eq!(lo, next, "index {}", i);
            let width = if i < 2 * SUB_HALF {
                1
            } else {
                1u64 << ((i >> SUB_HALF_MAG) - 1)
            };
            assert_eq!(index(lo), i);
            assert_eq!(index(lo + width - 1), i);
            next = lo + width;
        }
        assert_eq!(next, MAX_VALUE as u64 + 1);
    }

    #[test]
    fn record_and_merge() {
        let mut a = Hist::new();
        a.record(-5);
        a.record(3000);
        a.record(i64::MAX);
        assert_eq!((a.n, a.min, a.max), (3, 0, MAX_VALUE));
        let mut b = Hist::new();
        b.record(3001);
        b.merge(&a);
        assert_eq!((b.n, b.min, b.max), (4, 0, MAX_VALUE));
        assert_eq!(
            b.json(),
            format!(
                "{{\"count\":4,\"min\":0,\"max\":{},\"counts\":[[0,1],[2524,2],[{},1]]}}",
                MAX_VALUE,
                NCOUNTS - 1
            )
        );
        assert_eq!(
            Hist::new().json(),
            "{\"count\":0,\"min\":0,\"max\":0,\"counts\":[]}"
        );
    }
}
