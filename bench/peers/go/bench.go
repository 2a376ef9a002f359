// SPDX-License-Identifier: MIT
// Benchmark registry and timing loop of the Go peer (testing.B's method: grow the iteration
// count until one run lasts min-time, then time N repetitions of that count).

package main

import (
	"runtime"
)

// param is one key=value pair of a benchmark name; val is an int64 or a string.
type param struct {
	key string
	val interface{}
}

// runResult is what one run of n operations measured.
type runResult struct {
	u     usage   // wall, CPU and context switches over the timed region
	ops   int64   // operations done in the timed region (n)
	lat   *hist   // nil where the scenario measures no latency
	extra []param // scenario numbers (float64 or int64 values)
}

type bench struct {
	name    string // full name, impl=go last
	family  string // first path element: chan, select, lock
	op      string // msg, roundtrip, lockop
	params  []param
	threads int
	quick   bool // in the --quick subset
	run     func(n int64) runResult
}

const maxIters = 1000000000

// measure runs b the testing.B way and returns its repetitions.
func measure(b *bench, minTimeS float64, reps int) []runResult {
	runtime.GC()
	b.run(1) // warm-up: starts goroutines, faults in stacks and channel buffers
	goal := int64(minTimeS * 1e9)
	n := int64(1)
	r := b.run(n)
	for r.u.wall < goal && n < maxIters {
		last := n
		prev := r.u.wall
		if prev < 1 {
			prev = 1
		}
		// Predict the count that reaches the goal, aim 20 % over, grow at most 100x per step.
		next := int64(float64(goal) * float64(last) / float64(prev))
		next += next / 5
		if next > 100*last {
			next = 100 * last
		}
		if next < last+1 {
			next = last + 1
		}
		if next > maxIters {
			next = maxIters
		}
		n = next
		r = b.run(n)
	}
	out := make([]runResult, 0, reps)
	for i := 0; i < reps; i++ {
		runtime.GC()
		out = append(out, b.run(n))
	}
	return out
}
