// SPDX-License-Identifier: MIT
// select fan-in of the Go executor: k producers, each on its own channel, one consumer in a
// select statement over all k (generated: select_gen.go).

package main

//go:generate go run gen_select.go

import (
	"sync"
	"sync/atomic"
)

// faninState is the consumer's bookkeeping. The stop flag that producers poll on every send
// lives on its own cache lines, away from the fields the consumer writes per message.
type faninState struct {
	n, got int64
	next   []uint64 // next sequence number expected from each input
	counts []int64  // messages taken from each input among the first n
	h      *hist
	u0, u  usage
	_      [64]byte
	stop   uint32
	_      [60]byte
}

func (f *faninState) bad(idx int, seq uint64) {
	fatalf("select fan-in: input %d delivered %d, expected %d", idx, seq, f.next[idx])
}

// done ends the timed region at the n-th message and tells the producers to stop.
func (f *faninState) done() {
	f.u = readUsage().since(f.u0)
	atomic.StoreUint32(&f.stop, 1)
}

// runFanin times the consumer's first n messages; shares are each input's part of them. The
// producers then stop, close their channels, and the consumer drains what is left, so that the
// check covers every message sent: each input's numbers arrive once, in order, none missing.
func runFanin(k, capacity int, n int64) runResult {
	consume := faninConsumers[k]
	chs := make([]chan stamped, k)
	for i := range chs {
		chs[i] = make(chan stamped, capacity)
	}
	f := &faninState{n: n, next: make([]uint64, k), counts: make([]int64, k), h: newHist()}
	sent := make([]uint64, k)
	start := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(k + 1)
	for j := 0; j < k; j++ {
		ch, j := chs[j], j
		go func() {
			defer wg.Done()
			<-start
			seq := uint64(0)
			for atomic.LoadUint32(&f.stop) == 0 {
				var ts int64
				if seq%latencyEvery == 0 {
					ts = nowNs()
				}
				ch <- stamped{seq, ts}
				seq++
			}
			sent[j] = seq
			close(ch)
		}()
	}
	go func() {
		defer wg.Done()
		<-start
		f.u0 = readUsage()
		consume(chs, f)
	}()
	close(start)
	wg.Wait()
	if f.got < n {
		fatalf("select fan-in: consumer stopped after %d of %d messages", f.got, n)
	}
	for j := 0; j < k; j++ {
		if f.next[j] != sent[j] {
			fatalf("select fan-in: input %d sent %d, consumer received %d", j, sent[j], f.next[j])
		}
	}
	smin, smax := 1.0, 0.0
	for _, c := range f.counts {
		s := float64(c) / float64(n)
		if s < smin {
			smin = s
		}
		if s > smax {
			smax = s
		}
	}
	return runResult{u: f.u, ops: n, lat: f.h, extra: []param{
		{"share_min", smin}, {"share_max", smax}, {"latency_sample_every", int64(latencyEvery)}}}
}
