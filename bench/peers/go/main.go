// SPDX-License-Identifier: MIT
// chanbench-peer-go: the Go peer of chanbench. It runs the channel, select and lock scenarios of
// docs/results-format.md with Go's own primitives and writes one JSON document to stdout:
//   {"peer": {...}, "benchmarks": [iteration rows]}
// Usage: chanbench-peer-go [--list] [--filter REGEX] [--repetitions N] [--min-time S]
//                          [--cpus LIST] [--quick] [--outside-ns NS] [--verbose]

package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
)

const impl = "go"

func name(family string, params []param) string {
	var b strings.Builder
	b.WriteString(family)
	for _, p := range params {
		fmt.Fprintf(&b, "/%s=%v", p.key, p.val)
	}
	return b.String()
}

func add(list []*bench, family, op string, threads int, quick bool, params []param,
	run func(n int64) runResult) []*bench {
	params = append(params, param{"impl", impl})
	return append(list, &bench{name: name(family, params), family: strings.SplitN(family, "/", 2)[0],
		op: op, params: params, threads: threads, quick: quick, run: run})
}

var caps = []int{0, 1, 16, 64, 1024}

// threadCounts is libgoc's thread grid (BENCH_PARAM_THREADS): the listed counts and "pus" and
// "2pus" (pus = the CPUs the peer runs on), keeping those up to 2*pus, each once, ascending.
func threadCounts(pus int, listed ...int) []int {
	seen := map[int]bool{}
	var out []int
	for _, v := range append(listed, pus, 2*pus) {
		if v >= 1 && v <= 2*pus && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// registry lists every benchmark, in the order they run; thread counts depend on pus, the
// number of CPUs the peer runs on (--cpus, or the inherited mask).
func registry(pus int) []*bench {
	var l []*bench
	for _, c := range caps {
		for _, s := range []int{8, 64, 512} {
			c, s := c, s
			run := func(n int64) runResult { return runSPSC[msg8](c, n) }
			switch s {
			case 64:
				run = func(n int64) runResult { return runSPSC[msg64](c, n) }
			case 512:
				run = func(n int64) runResult { return runSPSC[msg512](c, n) }
			}
			l = add(l, "chan/spsc", "msg", 2, s == 8 && (c == 0 || c == 1024),
				[]param{{"cap", int64(c)}, {"size", int64(s)}}, run)
		}
	}
	for _, p := range threadCounts(pus, 2, 4, 8, 16) {
		for _, c := range caps {
			for _, sz := range []int{8, 64, 512} {
				p, c, sz := p, c, sz
				run := func(n int64) runResult { return runMPMC[msg8](p, 1, c, n) }
				switch sz {
				case 64:
					run = func(n int64) runResult { return runMPMC[msg64](p, 1, c, n) }
				case 512:
					run = func(n int64) runResult { return runMPMC[msg512](p, 1, c, n) }
				}
				l = add(l, "chan/mpsc", "msg", p+1, false,
					[]param{{"prod", int64(p)}, {"cap", int64(c)}, {"size", int64(sz)}}, run)
			}
		}
	}
	for _, p := range threadCounts(pus, 1, 2, 4, 8, 16) {
		for _, q := range threadCounts(pus, 1, 2, 4, 8, 16) {
			for _, c := range caps {
				p, q, c := p, q, c
				l = add(l, "chan/mpmc", "msg", p+q, p == 4 && q == 4 && c == 1024,
					[]param{{"prod", int64(p)}, {"cons", int64(q)}, {"cap", int64(c)}, {"size", int64(8)}},
					func(n int64) runResult { return runMPMC[msg8](p, q, c, n) })
			}
		}
	}
	for _, c := range []int{0, 1} {
		c := c
		l = add(l, "chan/pingpong", "roundtrip", 2, c == 0, []param{{"cap", int64(c)}},
			func(n int64) runResult { return runPingPong(c, n) })
	}
	pauses := []struct {
		label interface{}
		ns    int64
	}{{int64(0), 0}, {"1us", 1000}, {"100us", 100000}}
	for _, p := range pauses {
		p := p
		l = add(l, "chan/paced", "msg", 2, p.ns == 100000, []param{{"pause", p.label}, {"cap", int64(0)}},
			func(n int64) runResult { return runPaced(p.ns, 0, n) })
	}
	for _, k := range []int{2, 4, 8, 16} {
		for _, c := range []int{0, 64} {
			k, c := k, c
			l = add(l, "select/fanin", "msg", k+1, k == 4 && c == 0,
				[]param{{"k", int64(k)}, {"cap", int64(c)}},
				func(n int64) runResult { return runFanin(k, c, n) })
		}
	}
	for _, t := range threadCounts(pus, 1, 2, 4, 8, 16, 32) {
		for _, cs := range []int64{0, 100, 1000} {
			t, cs := t, cs
			l = add(l, "lock/mutex", "lockop", t, t <= 2 && cs == 0,
				[]param{{"threads", int64(t)}, {"cs", cs}},
				func(n int64) runResult { return runMutex(t, cs, n) })
		}
	}
	for _, t := range threadCounts(pus, 1, 2, 4, 8, 16, 32) {
		for _, r := range []int{0, 50, 90, 99, 100} {
			for _, cs := range []int64{0, 100, 1000} {
				t, r, cs := t, r, cs
				l = add(l, "lock/rw", "lockop", t, t == 2 && r == 99 && cs == 0,
					[]param{{"threads", int64(t)}, {"read", int64(r)}, {"cs", cs}},
					func(n int64) runResult { return runRW(t, r, cs, n) })
			}
		}
	}
	return l
}

// object writes params as a JSON object in their order; int64 values as integers.
func object(ps []param) json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, p := range ps {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(p.key)
		v, _ := json.Marshal(p.val)
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes()
}

type latencyRow struct {
	Count uint64 `json:"count"`
	Min   int64  `json:"min"`
	P50   int64  `json:"p50"`
	P90   int64  `json:"p90"`
	P99   int64  `json:"p99"`
	P999  int64  `json:"p999"`
	Max   int64  `json:"max"`
}

type row struct {
	Name            string          `json:"name"`
	RunName         string          `json:"run_name"`
	RunType         string          `json:"run_type"`
	Repetitions     int             `json:"repetitions"`
	RepetitionIndex int             `json:"repetition_index"`
	Threads         int             `json:"threads"`
	Iterations      int64           `json:"iterations"`
	RealTime        float64         `json:"real_time"`
	CPUTime         float64         `json:"cpu_time"`
	TimeUnit        string          `json:"time_unit"`
	ItemsPerSecond  float64         `json:"items_per_second"`
	Family          string          `json:"family"`
	Impl            string          `json:"impl"`
	Params          json.RawMessage `json:"params"`
	Op              string          `json:"op"`
	Vcsw            int64           `json:"voluntary_ctx_switches"`
	Ivcsw           int64           `json:"involuntary_ctx_switches"`
	Latency         *latencyRow     `json:"latency_ns,omitempty"`
	Extra           json.RawMessage `json:"extra,omitempty"`
	Verified        bool            `json:"verified"`
}

type peerInfo struct {
	Impl           string `json:"impl"`
	Version        string `json:"version"`
	LibraryVersion string `json:"library_version"`
	Gomaxprocs     int    `json:"gomaxprocs"`
	Affinity       string `json:"affinity"`
	CPUTimeScope   string `json:"cpu_time_scope"`
	Pinning        string `json:"pinning"`
}

type document struct {
	Peer       peerInfo `json:"peer"`
	Benchmarks []row    `json:"benchmarks"`
}

func toRow(b *bench, r runResult, reps, idx int) row {
	ops := float64(r.ops)
	rw := row{
		Name: b.name, RunName: b.name, RunType: "iteration", Repetitions: reps, RepetitionIndex: idx,
		Threads: b.threads, Iterations: r.ops,
		RealTime: float64(r.u.wall) / ops, CPUTime: float64(r.u.cpu) / ops, TimeUnit: "ns",
		Family: b.family, Impl: impl, Params: object(b.params), Op: b.op,
		Vcsw: r.u.vcsw, Ivcsw: r.u.ivcsw, Verified: true,
	}
	if r.u.wall > 0 {
		rw.ItemsPerSecond = ops * 1e9 / float64(r.u.wall)
	}
	if r.lat != nil {
		h := r.lat
		rw.Latency = &latencyRow{Count: h.n, Min: h.min, P50: h.quantile(0.5), P90: h.quantile(0.9),
			P99: h.quantile(0.99), P999: h.quantile(0.999), Max: h.max}
		if h.n == 0 {
			rw.Latency.Min = 0
		}
	}
	if len(r.extra) > 0 {
		rw.Extra = object(r.extra)
	}
	return rw
}

// parseMinTime accepts "0.5" and Google Benchmark's "0.5s".
func parseMinTime(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSuffix(s, "s"), 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("bad --min-time %q (seconds, e.g. 0.5)", s)
	}
	return v, nil
}

func usageExit(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "chanbench-peer-go: "+format+"\n", args...)
	fmt.Fprintf(os.Stderr, "usage: chanbench-peer-go [--list] [--filter REGEX] [--repetitions N] "+
		"[--min-time S] [--cpus LIST] [--quick] [--outside-ns NS] [--verbose]\n")
	os.Exit(2)
}

func main() {
	fs := flag.NewFlagSet("chanbench-peer-go", flag.ContinueOnError)
	list := fs.Bool("list", false, "print the benchmark names and exit")
	filter := fs.String("filter", "", "run the benchmarks whose name matches this regular expression (leading '-': those that do not)")
	reps := fs.Int("repetitions", 1, "repetitions of each benchmark")
	minTimeS := fs.String("min-time", "", "seconds one repetition lasts at least (default 0.5, 0.05 with --quick)")
	cpus := fs.String("cpus", "", "CPU list to run on, e.g. 0-1 (default: the CPUs this process may use)")
	quick := fs.Bool("quick", false, "run the small --quick subset")
	outside := fs.Int64("outside-ns", outsideNs, "lock scenarios: busy work between two lock operations, ns")
	verbose := fs.Bool("verbose", false, "progress on stderr")
	fs.SetOutput(os.Stderr)
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if fs.NArg() > 0 {
		usageExit("unexpected argument %q", fs.Arg(0))
	}
	if *reps < 1 {
		usageExit("--repetitions must be at least 1")
	}
	minTime := 0.5
	if *quick {
		minTime = 0.05
	}
	if *minTimeS != "" {
		v, err := parseMinTime(*minTimeS)
		if err != nil {
			usageExit("%v", err)
		}
		minTime = v
	}
	outsideNs = *outside

	negate := false
	pattern := *filter
	if strings.HasPrefix(pattern, "-") {
		negate, pattern = true, pattern[1:]
	}
	if pattern == "all" {
		pattern = ""
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		usageExit("bad --filter: %v", err)
	}
	var cpuSet []int
	if *cpus != "" {
		cl, err := parseCPUList(*cpus)
		if err != nil {
			usageExit("%v", err)
		}
		cpuSet = cl
	} else {
		aff, err := getAffinity(0)
		if err != nil {
			fatalf("sched_getaffinity: %v", err)
		}
		cpuSet = aff.list()
	}
	var selected []*bench
	for _, b := range registry(len(cpuSet)) {
		if re.MatchString(b.name) != negate && (!*quick || b.quick) {
			selected = append(selected, b)
		}
	}
	if *list {
		for _, b := range selected {
			fmt.Println(b.name)
		}
		return
	}

	if *cpus != "" {
		pinProcess(cpuSet)
	}
	aff, err := getAffinity(0)
	if err != nil {
		fatalf("sched_getaffinity: %v", err)
	}
	pinning := "none: the CPUs the process was started with"
	if *cpus != "" {
		pinning = "process: sched_setaffinity before the Go runtime starts (re-exec), GOMAXPROCS = CPU count; goroutines are not pinned to single CPUs"
	}
	doc := document{Peer: peerInfo{Impl: impl, Version: runtime.Version(), LibraryVersion: runtime.Version(),
		Gomaxprocs: runtime.GOMAXPROCS(0), Affinity: cpuList(aff.list()),
		CPUTimeScope: "process: getrusage(RUSAGE_SELF) deltas, Go runtime threads included",
		Pinning:      pinning}, Benchmarks: []row{}}

	calibrateWork()
	for _, b := range selected {
		if *verbose {
			fmt.Fprintf(os.Stderr, "%s ...", b.name)
		}
		rs := measure(b, minTime, *reps)
		for i, r := range rs {
			doc.Benchmarks = append(doc.Benchmarks, toRow(b, r, *reps, i))
		}
		if *verbose {
			last := doc.Benchmarks[len(doc.Benchmarks)-1]
			fmt.Fprintf(os.Stderr, " %d iterations, %.1f ns/op real, %.1f ns/op cpu\n",
				last.Iterations, last.RealTime, last.CPUTime)
		}
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		fatalf("json: %v", err)
	}
	out = append(out, '\n')
	if _, err := os.Stdout.Write(out); err != nil {
		fatalf("writing results: %v", err)
	}
}
