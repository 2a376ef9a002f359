// SPDX-License-Identifier: MIT
// Latency histogram: log-linear buckets (exact below 64 ns, then 64 buckets per power of two,
// under 1.6 % relative error), the same layout as the crossbeam peer's.

package main

import "math/bits"

const histSub = 64 // buckets per power of two; values below histSub are exact

type hist struct {
	counts   [(64-6+1)*histSub + histSub]uint64
	n        uint64
	min, max int64
}

func newHist() *hist { return &hist{min: -1} }

func histIndex(v uint64) int {
	if v < histSub {
		return int(v)
	}
	e := bits.Len64(v) - 1 // >= 6
	sub := (v >> uint(e-6)) & (histSub - 1)
	return (e-5)*histSub + int(sub)
}

// histValue is the midpoint of bucket i.
func histValue(i int) int64 {
	if i < histSub {
		return int64(i)
	}
	e := i/histSub + 5
	sub := uint64(i % histSub)
	lo := (histSub + sub) << uint(e-6)
	return int64(lo + (uint64(1)<<uint(e-6))/2)
}

func (h *hist) record(v int64) {
	if v < 0 {
		v = 0
	}
	h.counts[histIndex(uint64(v))]++
	h.n++
	if h.min < 0 || v < h.min {
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
	if h.n == 0 || o.min < h.min {
		h.min = o.min
	}
	if o.max > h.max {
		h.max = o.max
	}
	h.n += o.n
}

// quantile returns the value at rank ceil(q*n), clamped to [min, max].
func (h *hist) quantile(q float64) int64 {
	if h.n == 0 {
		return 0
	}
	rank := uint64(q*float64(h.n) + 0.999999)
	if rank < 1 {
		rank = 1
	}
	var cum uint64
	for i, c := range h.counts {
		cum += c
		if cum >= rank {
			v := histValue(i)
			if v < h.min {
				v = h.min
			}
			if v > h.max {
				v = h.max
			}
			return v
		}
	}
	return h.max
}
