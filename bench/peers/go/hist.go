// SPDX-License-Identifier: MIT
// Latency histogram of the Go executor: chanbench's layout (bench/model/hist.c,
// docs/results-format.md "Histogram layout"), HdrHistogram's with 3 significant digits: values
// in ns clamped to 0 .. 2^40-1, 2048 sub-buckets per power of two, exact count, min and max.
// The executor only records and sends the non-zero buckets; chanbench computes percentiles.

package main

import (
	"math"
	"math/bits"
	"strconv"
	"sync"
)

const (
	histSubHalfMag = 10                                  // 1024 = half the sub-buckets of one bucket
	histMaxMag     = 40                                  // values up to 2^40-1 ns (about 1100 s)
	histMaxValue   = int64(1)<<histMaxMag - 1            // larger values are clamped to this
	histBuckets    = histMaxMag - histSubHalfMag - 1 + 1 // buckets 0..29
	histCounts     = (histBuckets + 1) << histSubHalfMag // 31744 counts
)

// hist is one histogram. Its counts (248 KiB) live on the heap, never on a goroutine's stack;
// histograms come from newHist, which hands out zeroed ones with every page already touched.
type hist struct {
	n        uint64
	min, max int64 // exact; min is math.MaxInt64 while empty
	counts   [histCounts]uint64
}

// histIndex is hist.c's index_of: with b = (64 - clz(v | 2047)) - 11, ((b+1) << 10) + (v >> b)
// - 1024. v must be in 0 .. histMaxValue.
func histIndex(v int64) int {
	b := bits.Len64(uint64(v)|(1<<(histSubHalfMag+1)-1)) - (histSubHalfMag + 1)
	return (b+1)<<histSubHalfMag + int(v>>uint(b)) - 1<<histSubHalfMag
}

func (h *hist) reset() {
	for i := range h.counts { // memclr: writes, so faults in every page now
		h.counts[i] = 0
	}
	h.n, h.min, h.max = 0, math.MaxInt64, 0
}

func (h *hist) record(v int64) {
	if v < 0 {
		v = 0
	} else if v > histMaxValue {
		v = histMaxValue
	}
	h.counts[histIndex(v)]++
	h.n++
	if v < h.min {
		h.min = v
	}
	if v > h.max {
		h.max = v
	}
}

func (h *hist) merge(o *hist) {
	if o == nil || o.n == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if o.min < h.min {
		h.min = o.min
	}
	if o.max > h.max {
		h.max = o.max
	}
	h.n += o.n
}

// appendJSON appends {"count":N,"min":A,"max":B,"counts":[[index,count],...]}, the non-zero
// buckets in increasing index order (min and max are 0 when the histogram is empty).
func (h *hist) appendJSON(b []byte) []byte {
	min := h.min
	if h.n == 0 {
		min = 0
	}
	b = append(b, `{"count":`...)
	b = strconv.AppendUint(b, h.n, 10)
	b = append(b, `,"min":`...)
	b = strconv.AppendInt(b, min, 10)
	b = append(b, `,"max":`...)
	b = strconv.AppendInt(b, h.max, 10)
	b = append(b, `,"counts":[`...)
	first := true
	for i, c := range h.counts {
		if c == 0 {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, '[')
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, ',')
		b = strconv.AppendUint(b, c, 10)
		b = append(b, ']')
	}
	return append(b, "]}"...)
}

// histPool keeps histograms between runs, so that a run neither allocates 248 KiB per thread
// (which could start a garbage collection that reaches into the timed region) nor faults in
// fresh pages while timed. Histograms handed out by newHist during a run go back to the pool
// with releaseHists once its answer is written.
var histPool struct {
	sync.Mutex
	free, used []*hist
}

// histPoolKeep bounds how many idle histograms the pool keeps (about 16 MiB).
const histPoolKeep = 64

// newHist returns an empty histogram, to be called before the workers are released.
func newHist() *hist {
	histPool.Lock()
	defer histPool.Unlock()
	var h *hist
	if k := len(histPool.free); k > 0 {
		h = histPool.free[k-1]
		histPool.free[k-1] = nil
		histPool.free = histPool.free[:k-1]
	} else {
		h = new(hist)
	}
	h.reset()
	histPool.used = append(histPool.used, h)
	return h
}

// releaseHists returns every histogram handed out since the last call to the pool.
func releaseHists() {
	histPool.Lock()
	defer histPool.Unlock()
	for i, h := range histPool.used {
		if len(histPool.free) < histPoolKeep {
			histPool.free = append(histPool.free, h)
		}
		histPool.used[i] = nil
	}
	histPool.used = histPool.used[:0]
}
