// SPDX-License-Identifier: MIT
// Layout scenarios of the Go executor: one service of S stages, each doing W ns of calibrated
// busy work per item (work(), the chain of lock.go), laid out three ways. The shape is libgoc's
// bench/scenarios/layout.c, so the rows compare like for like:
//
//	pipeline    a goroutine per stage, channels of capacity layoutCap between stages; stage 0
//	            makes the items, the last stage checks them (S goroutines)
//	replicated  N goroutines each run every stage on their share of the items (i, i+N, ...);
//	            no channel at all
//	pool        a source goroutine sends the items on one channel of capacity layoutCap; T
//	            workers receive them and run every stage
//
// One operation is an item. Every item's latency, from its creation to the end of its last
// stage, is recorded by the goroutine that finishes it. Checks: every item arrives once (count
// and sum of sequence numbers), passes every stage once (a per-item stage sum), and the pipeline
// keeps order.

package main

import "sync"

// layoutCap is layout.c's LAYOUT_CAP: the capacity of every channel of the family.
const layoutCap = 16

// maxStages is layout.c's LAYOUT_MAX_STAGES.
const maxStages = 16

// item is layout.c's struct item, sent by value.
type item struct {
	seq    uint64
	t0     int64  // creation time
	acc    uint64 // the work chain, carried from stage to stage
	stages uint64 // sum of (stage + 1) over the stages done
}

// layoutTally is one goroutine's count of finished items, on its own cache lines.
type layoutTally struct {
	items, seqSum, bad uint64
	h                  *hist
	_                  [96]byte
}

// layoutRun is what every layout shares: the work per stage, the stage count, the tallies.
type layoutRun struct {
	stages int
	iters  int // work() iterations per stage
	want   uint64
	tally  []layoutTally
}

func newLayoutRun(stages int, workNs int64, finishers int) *layoutRun {
	L := &layoutRun{stages: stages, iters: workIters(workNs),
		want: uint64(stages) * uint64(stages+1) / 2, tally: make([]layoutTally, finishers)}
	for i := range L.tally {
		L.tally[i].h = newHist()
	}
	return L
}

// stage runs stage s of an item. Items go by value, as through a channel: no pointer to one
// escapes to the heap.
func (L *layoutRun) stage(it item, s int) item {
	it.acc = work(it.acc, L.iters)
	it.stages += uint64(s) + 1
	return it
}

// finish checks and counts an item and records its latency in tally ta.
func (L *layoutRun) finish(it item, ta *layoutTally) {
	ta.h.record(nowNs() - it.t0)
	if it.stages != L.want {
		ta.bad++
	}
	ta.items++
	ta.seqSum += it.seq
}

// whole runs every stage of an item and finishes it: one worker of replicated and pool.
func (L *layoutRun) whole(it item, ta *layoutTally) {
	for s := 0; s < L.stages; s++ {
		it = L.stage(it, s)
	}
	L.finish(it, ta)
}

// result checks the tallies (n items, sequence numbers 0..n-1 once each by their sum, nothing
// bad) and merges the histograms.
func (L *layoutRun) result(what string, u usage, n int64) runResult {
	var items, sum, bad uint64
	h := newHist()
	for i := range L.tally {
		ta := &L.tally[i]
		items += ta.items
		sum += ta.seqSum
		bad += ta.bad
		h.merge(ta.h)
	}
	if want := uint64(n) * uint64(n-1) / 2; items != uint64(n) || sum != want || bad != 0 {
		fatalf("%s: %d of %d items done (sequence sum %d, expected %d), %d with a stage missed "+
			"or out of order", what, items, n, sum, want, bad)
	}
	return runResult{u: u, ops: n, lat: h, extra: []param{{"work_iters", int64(L.iters)},
		{"ns_per_work_iter", nsPerWorkIter}}}
}

// pipeline: stage s receives from chans[s-1] and sends on chans[s]; stage 0 makes the items.
func runPipeline(stages int, workNs int64, n int64) runResult {
	L := newLayoutRun(stages, workNs, 1)
	last := stages - 1
	chans := make([]chan item, last)
	for s := range chans {
		chans[s] = make(chan item, layoutCap)
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(stages)
	go func() { // stage 0
		defer wg.Done()
		<-start
		for i := int64(0); i < n; i++ {
			it := item{seq: uint64(i), t0: nowNs(), acc: uint64(i)}
			it = L.stage(it, 0)
			if last == 0 {
				L.finish(it, &L.tally[0])
			} else {
				chans[0] <- it
			}
		}
		if last > 0 {
			close(chans[0])
		}
	}()
	for s := 1; s < stages; s++ {
		s := s
		go func() {
			defer wg.Done()
			<-start
			var expect uint64
			for it := range chans[s-1] {
				it = L.stage(it, s)
				if s == last {
					ta := &L.tally[0]
					if it.seq != expect {
						ta.bad++
					}
					expect = it.seq + 1
					L.finish(it, ta)
				} else {
					chans[s] <- it
				}
			}
			if s < last {
				close(chans[s])
			}
		}()
	}
	u0 := readUsage()
	close(start)
	wg.Wait()
	return L.result("pipeline", readUsage().since(u0), n)
}

// replicated: goroutine i makes and finishes the items i, i+N, i+2N, ..., every stage in turn.
func runReplicated(stages int, workNs int64, threads int, n int64) runResult {
	L := newLayoutRun(stages, workNs, threads)
	start := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(threads)
	for t := 0; t < threads; t++ {
		ta := &L.tally[t]
		first := int64(t)
		go func() {
			defer wg.Done()
			<-start
			for i := first; i < n; i += int64(threads) {
				L.whole(item{seq: uint64(i), t0: nowNs(), acc: uint64(i)}, ta)
			}
		}()
	}
	u0 := readUsage()
	close(start)
	wg.Wait()
	return L.result("replicated", readUsage().since(u0), n)
}

// pool: a source sends the items on one channel; threads workers receive them until it is
// closed and run every stage.
func runPool(stages int, workNs int64, threads int, n int64) runResult {
	L := newLayoutRun(stages, workNs, threads)
	ch := make(chan item, layoutCap)
	start := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(threads + 1)
	go func() { // the source
		defer wg.Done()
		<-start
		for i := int64(0); i < n; i++ {
			ch <- item{seq: uint64(i), t0: nowNs(), acc: uint64(i)}
		}
		close(ch)
	}()
	for t := 0; t < threads; t++ {
		ta := &L.tally[t]
		go func() {
			defer wg.Done()
			<-start
			for it := range ch {
				L.whole(it, ta)
			}
		}()
	}
	u0 := readUsage()
	close(start)
	wg.Wait()
	return L.result("pool", readUsage().since(u0), n)
}
