// SPDX-License-Identifier: MIT
// Benchmark names of the Go executor: a work order's bench=NAME (docs/results-format.md,
// "Scenarios an executor runs") parsed into the scenario to run, its thread count and
// parameters, and what one run of a scenario returns.

package main

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// param is one key=value pair of a scenario's extras; val is an int64 or a float64.
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

// scenario is a parsed benchmark name, ready to run.
type scenario struct {
	threads int // threads (goroutines) of the scenario: the length of a work order's pus
	run     func(n int64) runResult
}

// Bounds on parameters, beyond what the scenarios need: mpmc tags each message with its
// producer in the top byte (prodShift), and the rest are sanity limits against a typo that
// would ask for gigabytes (a histogram is 248 KiB per lock thread; a channel buffer is cap
// elements of up to 512 bytes).
const (
	maxProducers = 1 << (64 - prodShift) // 256
	maxThreads   = 1024
	maxCap       = 1 << 20
	maxIters     = int64(1) << 50
)

// parseUint reads a decimal integer in lo..hi: digits only, no sign.
func parseUint(s string, lo, hi int64) (int64, error) {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, fmt.Errorf("%q is not a decimal integer", s)
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < lo || v > hi {
		return 0, fmt.Errorf("%q is out of range %d..%d", s, lo, hi)
	}
	return v, nil
}

// parseDuration reads 0, NNN (ns), NNNns, NNNus, NNNms or NNNs into ns.
func parseDuration(s string) (int64, error) {
	num, unit := s, int64(1)
	for _, u := range []struct {
		suffix string
		ns     int64
	}{{"ns", 1}, {"us", 1000}, {"ms", 1000000}, {"s", 1000000000}} {
		if strings.HasSuffix(s, u.suffix) {
			num, unit = strings.TrimSuffix(s, u.suffix), u.ns
			break
		}
	}
	v, err := parseUint(num, 0, math.MaxInt64/unit)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration (0, NNNns, NNNus, NNNms or NNNs)", s)
	}
	return v * unit, nil
}

// scenarioKeys lists each scenario's parameters, in the order of its name.
var scenarioKeys = map[string][]string{
	"chan/spsc":         {"cap", "size"},
	"chan/mpsc":         {"prod", "cap", "size"},
	"chan/mpmc":         {"prod", "cons", "cap", "size"},
	"chan/pingpong":     {"cap"},
	"chan/paced":        {"pause", "cap"},
	"select/fanin":      {"k", "cap"},
	"lock/mutex":        {"threads", "cs"},
	"lock/rw":           {"threads", "read", "cs"},
	"layout/pipeline":   {"stages", "work"},
	"layout/replicated": {"stages", "work", "threads"},
	"layout/pool":       {"stages", "work", "threads"},
	"cancel/done":       {"workers"},
}

// parseBench turns NAME (family/scenario/key=value/..., without impl) into a scenario. Every key
// of the scenario must be there exactly once, and no other.
func parseBench(name string) (*scenario, error) {
	parts := strings.Split(name, "/")
	if len(parts) < 2 {
		return nil, fmt.Errorf("unknown benchmark %s", name)
	}
	base := parts[0] + "/" + parts[1]
	keys, known := scenarioKeys[base]
	if !known {
		return nil, fmt.Errorf("unknown benchmark %s", name)
	}
	want := strings.Join(keys, ", ")
	vals := map[string]string{}
	for _, p := range parts[2:] {
		i := strings.IndexByte(p, '=')
		if i < 0 {
			return nil, fmt.Errorf("%s: %q is not key=value", name, p)
		}
		k, v := p[:i], p[i+1:]
		ok := false
		for _, w := range keys {
			ok = ok || w == k
		}
		if !ok {
			return nil, fmt.Errorf("%s: unknown parameter %q (%s takes %s)", name, k, base, want)
		}
		if _, dup := vals[k]; dup {
			return nil, fmt.Errorf("%s: parameter %q given twice", name, k)
		}
		vals[k] = v
	}
	var missing []string
	for _, k := range keys {
		if _, ok := vals[k]; !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s: missing parameter %s (%s takes %s)", name,
			strings.Join(missing, ", "), base, want)
	}

	var err error
	num := func(k string, lo, hi int64) int {
		if err != nil {
			return 0
		}
		var v int64
		if v, err = parseUint(vals[k], lo, hi); err != nil {
			err = fmt.Errorf("%s: %s: %v", name, k, err)
		}
		return int(v)
	}
	dur := func(k string) int64 {
		if err != nil {
			return 0
		}
		var v int64
		if v, err = parseDuration(vals[k]); err != nil {
			err = fmt.Errorf("%s: %s: %v", name, k, err)
		}
		return v
	}
	size := func() int {
		s := num("size", 0, math.MaxInt32)
		if err == nil && s != 8 && s != 64 && s != 512 {
			err = fmt.Errorf("%s: size %d: element sizes are 8, 64 and 512", name, s)
		}
		return s
	}
	// mpmc picks runMPMC's element type from size.
	mpmc := func(p, q, c, s int) func(n int64) runResult {
		switch s {
		case 64:
			return func(n int64) runResult { return runMPMC[msg64](p, q, c, n) }
		case 512:
			return func(n int64) runResult { return runMPMC[msg512](p, q, c, n) }
		}
		return func(n int64) runResult { return runMPMC[msg8](p, q, c, n) }
	}

	var sc *scenario
	switch base {
	case "chan/spsc":
		c, s := num("cap", 0, maxCap), size()
		run := func(n int64) runResult { return runSPSC[msg8](c, n) }
		switch s {
		case 64:
			run = func(n int64) runResult { return runSPSC[msg64](c, n) }
		case 512:
			run = func(n int64) runResult { return runSPSC[msg512](c, n) }
		}
		sc = &scenario{threads: 2, run: run}
	case "chan/mpsc":
		p, c, s := num("prod", 1, maxProducers), num("cap", 0, maxCap), size()
		sc = &scenario{threads: p + 1, run: mpmc(p, 1, c, s)}
	case "chan/mpmc":
		p, q := num("prod", 1, maxProducers), num("cons", 1, maxThreads)
		c, s := num("cap", 0, maxCap), size()
		sc = &scenario{threads: p + q, run: mpmc(p, q, c, s)}
	case "chan/pingpong":
		c := num("cap", 0, maxCap)
		sc = &scenario{threads: 2, run: func(n int64) runResult { return runPingPong(c, n) }}
	case "chan/paced":
		pause, c := dur("pause"), num("cap", 0, maxCap)
		sc = &scenario{threads: 2, run: func(n int64) runResult { return runPaced(pause, c, n) }}
	case "select/fanin":
		k, c := num("k", 1, maxThreads), num("cap", 0, maxCap)
		if err == nil && faninConsumers[k] == nil {
			var ks []int
			for w := range faninConsumers {
				ks = append(ks, w)
			}
			sort.Ints(ks)
			err = fmt.Errorf("%s: no select with k=%d cases (select_gen.go has k = %s)", name, k,
				strings.Trim(fmt.Sprint(ks), "[]"))
		}
		sc = &scenario{threads: k + 1, run: func(n int64) runResult { return runFanin(k, c, n) }}
	case "lock/mutex":
		t, cs := num("threads", 1, maxThreads), dur("cs")
		sc = &scenario{threads: t, run: func(n int64) runResult { return runMutex(t, cs, n) }}
	case "lock/rw":
		t, r, cs := num("threads", 1, maxThreads), num("read", 0, 100), dur("cs")
		sc = &scenario{threads: t, run: func(n int64) runResult { return runRW(t, r, cs, n) }}
	case "layout/pipeline":
		s, w := num("stages", 1, maxStages), dur("work")
		sc = &scenario{threads: s, run: func(n int64) runResult { return runPipeline(s, w, n) }}
	case "layout/replicated":
		s, w, t := num("stages", 1, maxStages), dur("work"), num("threads", 1, maxThreads)
		sc = &scenario{threads: t,
			run: func(n int64) runResult { return runReplicated(s, w, t, n) }}
	case "layout/pool":
		s, w, t := num("stages", 1, maxStages), dur("work"), num("threads", 1, maxThreads)
		sc = &scenario{threads: t + 1, run: func(n int64) runResult { return runPool(s, w, t, n) }}
	case "cancel/done":
		w := num("workers", 1, maxThreads)
		sc = &scenario{threads: w + 1, run: func(n int64) runResult { return runCancel(w, n) }}
	}
	if err != nil {
		return nil, err
	}
	return sc, nil
}

// appendExtra appends ps as a JSON object in their order: int64 values as integers, float64
// values as JSON numbers (null where not finite, which JSON cannot carry).
func appendExtra(b []byte, ps []param) []byte {
	b = append(b, '{')
	for i, p := range ps {
		if i > 0 {
			b = append(b, ',')
		}
		k, _ := json.Marshal(p.key)
		b = append(b, k...)
		b = append(b, ':')
		v, err := json.Marshal(p.val)
		if err != nil {
			v = []byte("null")
		}
		b = append(b, v...)
	}
	return append(b, '}')
}
