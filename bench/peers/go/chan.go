// SPDX-License-Identifier: MIT
// Channel scenarios of the Go executor: spsc, mpsc, mpmc, pingpong, paced. Names and parameters
// are those of docs/results-format.md (parsed in bench.go); each run checks its own result and,
// on a mismatch, ends the executor through fatalf (a "failed" answer, exit status 1) instead of
// reporting it.

package main

import (
	"sync"
	"unsafe"
)

// Elements of size 8, 64 and 512 bytes; the first 8 bytes carry a sequence number.
type msg8 struct{ seq uint64 }
type msg64 struct {
	seq uint64
	_   [56]byte
}
type msg512 struct {
	seq uint64
	_   [504]byte
}

func setSeq[T any](v *T, s uint64) { *(*uint64)(unsafe.Pointer(v)) = s }
func getSeq[T any](v *T) uint64    { return *(*uint64)(unsafe.Pointer(v)) }

// stamped carries a send timestamp (0: not sampled) for latency measurements.
type stamped struct {
	seq uint64
	ts  int64
}

// latencyEvery: select fan-in stamps one message of each producer in this many, and the lock
// scenarios time one acquisition in this many (a clock read costs 20-40 ns on virtual
// machines, comparable to the operation itself), as libgoc's scenarios do; paced stamps every
// message and pingpong reads the clock once per round trip.
const latencyEvery = 16

// spsc: one producer sends n elements, one consumer receives them in order.
func runSPSC[T any](capacity int, n int64) runResult {
	ch := make(chan T, capacity)
	start := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		<-start
		var v T
		for i := int64(0); i < n; i++ {
			setSeq(&v, uint64(i))
			ch <- v
		}
	}()
	go func() {
		defer wg.Done()
		<-start
		for i := int64(0); i < n; i++ {
			v := <-ch
			if getSeq(&v) != uint64(i) {
				fatalf("spsc: received %d, expected %d", getSeq(&v), i)
			}
		}
	}()
	u0 := readUsage()
	close(start)
	wg.Wait()
	return runResult{u: readUsage().since(u0), ops: n}
}

const prodShift = 56
const seqMask = 1<<prodShift - 1

// consumerTally is one consumer's view of an mpmc run, padded to its own cache lines.
type consumerTally struct {
	count, sum, sumsq uint64
	_                 [104]byte
}

// mpmc (and mpsc: cons = 1), elements of type T: prod producers split n messages (producer p sends k = 0..n_p-1 tagged with p in the top
// byte), cons consumers drain the channel until it is closed. Check: every consumer sees each
// producer's numbers in increasing order, and the totals of count, sum and sum of squares match.
func runMPMC[T any](prod, cons, capacity int, n int64) runResult {
	ch := make(chan T, capacity)
	start := make(chan struct{})
	var pw, cw sync.WaitGroup
	pw.Add(prod)
	cw.Add(cons)
	tally := make([]consumerTally, cons)
	for p := 0; p < prod; p++ {
		np := n / int64(prod)
		if int64(p) < n%int64(prod) {
			np++
		}
		tag := uint64(p) << prodShift
		go func() {
			defer pw.Done()
			<-start
			var m T
			for k := int64(0); k < np; k++ {
				setSeq(&m, tag|uint64(k))
				ch <- m
			}
		}()
	}
	for c := 0; c < cons; c++ {
		t := &tally[c]
		go func() {
			defer cw.Done()
			last := make([]int64, prod)
			for i := range last {
				last[i] = -1
			}
			<-start
			var count, sum, sumsq uint64
			for m := range ch {
				v := getSeq(&m)
				p, k := v>>prodShift, int64(v&seqMask)
				if k <= last[p] {
					fatalf("mpmc: producer %d's %d after its %d", p, k, last[p])
				}
				last[p] = k
				count++
				sum += uint64(k)
				sumsq += uint64(k) * uint64(k)
			}
			t.count, t.sum, t.sumsq = count, sum, sumsq
		}()
	}
	u0 := readUsage()
	close(start)
	pw.Wait()
	close(ch)
	cw.Wait()
	u := readUsage().since(u0)

	var wantSum, wantSq, gotCount, gotSum, gotSq uint64
	for p := 0; p < prod; p++ {
		np := uint64(n / int64(prod))
		if int64(p) < n%int64(prod) {
			np++
		}
		for k := uint64(0); k < np; k++ {
			wantSum += k
			wantSq += k * k
		}
	}
	for _, t := range tally {
		gotCount += t.count
		gotSum += t.sum
		gotSq += t.sumsq
	}
	if gotCount != uint64(n) || gotSum != wantSum || gotSq != wantSq {
		fatalf("mpmc prod=%d cons=%d: received %d messages (sum %d, squares %d), sent %d (sum %d, squares %d)",
			prod, cons, gotCount, gotSum, gotSq, n, wantSum, wantSq)
	}
	return runResult{u: u, ops: n}
}

// pingpong: A sends i on ping, B answers i+1 on pong; one operation is a round trip. A reads
// the clock once per round trip and records the time since the previous read (libgoc's
// chan/pingpong does the same, so both pay one clock read per round trip).
func runPingPong(capacity int, n int64) runResult {
	ping := make(chan uint64, capacity)
	pong := make(chan uint64, capacity)
	start := make(chan struct{})
	h := newHist()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		<-start
		prev := nowNs()
		for i := uint64(0); i < uint64(n); i++ {
			ping <- i
			if v := <-pong; v != i+1 {
				fatalf("pingpong: got %d back for %d", v, i)
			}
			now := nowNs()
			h.record(now - prev)
			prev = now
		}
	}()
	go func() {
		defer wg.Done()
		<-start
		for i := int64(0); i < n; i++ {
			v := <-ping
			pong <- v + 1
		}
	}()
	u0 := readUsage()
	close(start)
	wg.Wait()
	return runResult{u: readUsage().since(u0), ops: n, lat: h}
}

// paced: the producer waits pauseNs before each send (0: none; under 10 µs: busy-wait on the
// clock; otherwise nanosleep, which does not spin) and stamps every message; the consumer records
// send-to-receive latency.
func runPaced(pauseNs int64, capacity int, n int64) runResult {
	ch := make(chan stamped, capacity)
	start := make(chan struct{})
	h := newHist()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		<-start
		for i := uint64(0); i < uint64(n); i++ {
			if pauseNs >= 10000 {
				nanosleep(pauseNs)
			} else if pauseNs > 0 {
				spinFor(pauseNs)
			}
			ch <- stamped{i, nowNs()}
		}
	}()
	go func() {
		defer wg.Done()
		<-start
		for i := uint64(0); i < uint64(n); i++ {
			m := <-ch
			h.record(nowNs() - m.ts)
			if m.seq != i {
				fatalf("paced: received %d, expected %d", m.seq, i)
			}
		}
	}()
	u0 := readUsage()
	close(start)
	wg.Wait()
	return runResult{u: readUsage().since(u0), ops: n, lat: h,
		extra: []param{{"pause_ns", pauseNs}}}
}
