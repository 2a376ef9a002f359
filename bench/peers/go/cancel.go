// SPDX-License-Identifier: MIT
// The cancel scenario of the Go executor: how long a context's cancellation takes to reach
// blocked workers. The shape is libgoc's bench/scenarios/cancel.c:
//
//	cancel/done/workers=N
//	    N worker goroutines block in a select over their own (idle) work channel and a
//	    context's Done channel; one operation is a cancel round, the time from the context's
//	    cancel() until the last of the N workers has returned through its Done case
//
// A round: the coordinator makes a context (context.WithCancel), hands it to the workers (a
// sync.Cond, outside the timed part), waits until all N have announced they are about to block
// (a WaitGroup), lets them settle for cancelSettleNs so they have parked, then reads the clock
// and calls cancel(). Each worker, back from its select, reads the clock and keeps the latest
// reading; a second WaitGroup tells the coordinator that all have returned. The answer's
// wall_ns is the sum of those cancel-to-last-return intervals, so ns/op is the mean round, and
// every round is a latency value. CPU time and context switches cover the whole run, set-up of
// the rounds included. Check: every worker returns from every round through the Done case,
// which reports the channel closed, with the context's error context.Canceled.

package main

import (
	"context"
	"sync"
	"sync/atomic"
)

// cancelSettleNs is cancel.c's CANCEL_SETTLE_NS: 50 µs between the last worker announcing
// itself and the cancel, well past any spin-before-park window.
const cancelSettleNs = 50000

func runCancel(workers int, n int64) runResult {
	idle := make(chan uint64) // nothing is ever sent on it: the workers' work channel
	var mu sync.Mutex
	cv := sync.NewCond(&mu)
	// The current round, published under mu.
	var gen uint64
	var stop bool
	var ctx context.Context
	// Per round: reset (Add) by the coordinator before it publishes the round.
	var armed, returned sync.WaitGroup
	var endNs int64 // the last worker's return time (atomic)
	var wrong int64 // selects that returned anything but a closed Done (atomic)

	var all sync.WaitGroup
	all.Add(workers + 1)
	for w := 0; w < workers; w++ {
		go func() {
			defer all.Done()
			var seen uint64
			for {
				mu.Lock()
				for gen == seen && !stop {
					cv.Wait()
				}
				if stop {
					mu.Unlock()
					return
				}
				seen = gen
				c := ctx
				mu.Unlock()

				armed.Done()
				select {
				case <-idle:
					atomic.AddInt64(&wrong, 1)
				case _, ok := <-c.Done():
					if ok || c.Err() != context.Canceled {
						atomic.AddInt64(&wrong, 1)
					}
				}
				// endNs becomes the latest return time (a max: the worker that counts itself
				// last need not be the last to read the clock).
				now := nowNs()
				for prev := atomic.LoadInt64(&endNs); now > prev; prev = atomic.LoadInt64(&endNs) {
					if atomic.CompareAndSwapInt64(&endNs, prev, now) {
						break
					}
				}
				returned.Done()
			}
		}()
	}

	h := newHist()
	var total int64
	start := make(chan struct{})
	go func() { // the coordinator
		defer all.Done()
		<-start
		for r := int64(0); r < n; r++ {
			c, cancel := context.WithCancel(context.Background())
			atomic.StoreInt64(&endNs, 0)
			armed.Add(workers)
			returned.Add(workers)
			mu.Lock()
			ctx = c
			gen++
			cv.Broadcast()
			mu.Unlock()
			armed.Wait()
			nanosleep(cancelSettleNs)
			t0 := nowNs()
			cancel()
			returned.Wait()
			d := atomic.LoadInt64(&endNs) - t0
			h.record(d)
			total += d
		}
		mu.Lock()
		stop = true
		cv.Broadcast()
		mu.Unlock()
	}()
	u0 := readUsage()
	close(start)
	all.Wait()
	u := readUsage().since(u0)
	if wrong != 0 {
		fatalf("cancel workers=%d: %d of %d worker wake-ups did not come through a closed Done "+
			"channel", workers, wrong, n*int64(workers))
	}
	if total < 1 {
		total = 1 // a time of 0 would be refused downstream
	}
	u.wall = total
	return runResult{u: u, ops: n, lat: h}
}
