// SPDX-License-Identifier: MIT
// Lock scenarios of the Go executor: sync.Mutex and sync.RWMutex under T goroutines, with cs ns
// of calibrated busy work inside the lock and outsideNs outside it. The shape is libgoc's
// bench/scenarios/lock.c: batches of lockGrain from a shared counter, one acquisition in
// latencyEvery timed, the same extras.

package main

import (
	"sync"
	"sync/atomic"
)

// work is the busy work: a serial multiply-add chain, the same steps as bench/peers/work.h
// (libgoc and the C peers) and the crossbeam peer. Go's compiler does not fold the chain.
//
//go:noinline
func work(x uint64, iters int) uint64 {
	for i := 0; i < iters; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return x
}

var workSink uint64

// nsPerWorkIter is measured once at start: the best of 25 runs of 2M iterations (a few ms each,
// short enough that one of them usually runs undisturbed).
var nsPerWorkIter float64

func calibrateWork() {
	best := int64(-1)
	const iters = 2000000
	for r := 0; r < 25; r++ {
		t := nowNs()
		workSink += work(uint64(r), iters)
		d := nowNs() - t
		if best < 0 || d < best {
			best = d
		}
	}
	nsPerWorkIter = float64(best) / iters
}

func workIters(ns int64) int {
	if ns <= 0 {
		return 0
	}
	return int(float64(ns)/nsPerWorkIter + 0.5)
}

// outsideNs is the work each goroutine does between two lock operations, so that a released lock
// is not always retaken by the same goroutine before another can get it (libgoc: 50 ns).
var outsideNs int64 = 50

// lockGrain: goroutines take operations from a shared counter in batches of this many, so all
// finish together (an even split would leave the slowest running alone, uncontended, at the end).
const lockGrain = 64

// lockWorker is one goroutine's tallies, on its own cache lines.
type lockWorker struct {
	ops, reads, writes int64
	maxWait            int64
	x                  uint64
	h                  *hist
	_                  [80]byte
}

// lockResult merges the workers' histograms and adds the family's extras.
func lockResult(u usage, n int64, csNs int64, ws []lockWorker) runResult {
	h := newHist()
	smin, smax, maxWait := int64(-1), int64(0), int64(0)
	for i := range ws {
		w := &ws[i]
		h.merge(w.h)
		workSink += w.x
		if smin < 0 || w.ops < smin {
			smin = w.ops
		}
		if w.ops > smax {
			smax = w.ops
		}
		if w.maxWait > maxWait {
			maxWait = w.maxWait
		}
	}
	return runResult{u: u, ops: n, lat: h, extra: []param{
		{"share_min", float64(smin) / float64(n)}, {"share_max", float64(smax) / float64(n)},
		{"max_wait_ns", maxWait}, {"cs_iters", int64(workIters(csNs))}, {"outside_ns", outsideNs},
		{"latency_sample_every", int64(latencyEvery)},
		{"outside_iters", int64(workIters(outsideNs))}, {"ns_per_work_iter", nsPerWorkIter}}}
}

// mutex: n lock+unlock operations over threads goroutines; the protected counter must reach n.
func runMutex(threads int, csNs int64, n int64) runResult {
	var mu sync.Mutex
	var counter int64 // protected by mu
	var next int64
	cs, out := workIters(csNs), workIters(outsideNs)
	ws := make([]lockWorker, threads)
	start := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(threads)
	for t := 0; t < threads; t++ {
		w := &ws[t]
		w.h = newHist()
		go func() {
			defer wg.Done()
			x := uint64(1)
			var done, maxWait int64
			h := w.h
			<-start
			for {
				s := atomic.AddInt64(&next, lockGrain) - lockGrain
				if s >= n {
					break
				}
				e := s + lockGrain
				if e > n {
					e = n
				}
				for i := s; i < e; i++ {
					if done%latencyEvery == 0 {
						t0 := nowNs()
						mu.Lock()
						d := nowNs() - t0
						h.record(d)
						if d > maxWait {
							maxWait = d
						}
					} else {
						mu.Lock()
					}
					counter++
					x = work(x, cs)
					mu.Unlock()
					x = work(x, out)
					done++
				}
			}
			w.x, w.ops, w.maxWait = x, done, maxWait
		}()
	}
	u0 := readUsage()
	close(start)
	wg.Wait()
	u := readUsage().since(u0)
	var total int64
	for i := range ws {
		total += ws[i].ops
	}
	if counter != n || total != n {
		fatalf("mutex threads=%d: counter %d and %d operations counted by goroutines after %d lock operations",
			threads, counter, total, n)
	}
	return lockResult(u, n, csNs, ws)
}

// rw: readPct % of operations take the read lock (chosen by a per-goroutine xorshift), the rest
// the write lock. Writers bump a and b with work between; readers check a == b.
func runRW(threads, readPct int, csNs int64, n int64) runResult {
	var rw sync.RWMutex
	var a, b int64 // protected by rw
	var next int64
	cs, out := workIters(csNs), workIters(outsideNs)
	ws := make([]lockWorker, threads)
	start := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(threads)
	for t := 0; t < threads; t++ {
		w := &ws[t]
		w.h = newHist()
		rng := uint64(0x9E3779B97F4A7C15) * uint64(t+1)
		go func() {
			defer wg.Done()
			x := uint64(1)
			var done, reads, writes, maxWait int64
			h := w.h
			<-start
			for {
				s := atomic.AddInt64(&next, lockGrain) - lockGrain
				if s >= n {
					break
				}
				e := s + lockGrain
				if e > n {
					e = n
				}
				for i := s; i < e; i++ {
					read := readPct >= 100
					if readPct > 0 && readPct < 100 {
						rng ^= rng << 13
						rng ^= rng >> 7
						rng ^= rng << 17
						read = int((rng>>32)*100>>32) < readPct
					}
					var t0 int64
					sample := done%latencyEvery == 0
					if sample {
						t0 = nowNs()
					}
					if read {
						rw.RLock()
					} else {
						rw.Lock()
					}
					if sample {
						d := nowNs() - t0
						h.record(d)
						if d > maxWait {
							maxWait = d
						}
					}
					if read {
						if a != b {
							fatalf("rw: reader saw a=%d b=%d", a, b)
						}
						x = work(x, cs)
						rw.RUnlock()
						reads++
					} else {
						a++
						x = work(x, cs)
						b++
						rw.Unlock()
						writes++
					}
					x = work(x, out)
					done++
				}
			}
			w.ops, w.reads, w.writes, w.x, w.maxWait = done, reads, writes, x, maxWait
		}()
	}
	u0 := readUsage()
	close(start)
	wg.Wait()
	u := readUsage().since(u0)
	var reads, writes int64
	for i := range ws {
		reads += ws[i].reads
		writes += ws[i].writes
	}
	if reads+writes != n || a != writes || b != writes {
		fatalf("rw threads=%d read=%d: %d reads + %d writes for %d operations, a=%d b=%d",
			threads, readPct, reads, writes, n, a, b)
	}
	r := lockResult(u, n, csNs, ws)
	r.extra = append(r.extra, param{"read_fraction", float64(reads) / float64(n)})
	return r
}
