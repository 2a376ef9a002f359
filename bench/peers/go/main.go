// SPDX-License-Identifier: MIT
// chanbench-peer-go: the Go executor of chanbench (docs/results-format.md, "Executors: the Go
// and crossbeam peers (protocol 2)"). chanbench starts it once per run as
//   chanbench-peer-go --serve [--outside-ns NS]
// and sends it work orders on stdin, one per line (hello protocol=2; run id=I bench=NAME
// iters=N pus=LIST|none; quit). For each run it confines the process to the order's PUs, runs
// the named channel, select, lock, layout or cancel scenario (chan.go, select.go, lock.go,
// layout.go, cancel.go) once with Go's own primitives, doing exactly N operations, and answers
// one JSON object per line on stdout with the raw figures of that timed run. Which benchmarks
// run, how many operations, warm-up, the order of runs, statistics and percentiles are all
// chanbench's.

package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

const (
	impl     = "go"
	protocol = 2
	usageMsg = "usage: chanbench-peer-go --serve [--outside-ns NS]  " +
		"(work orders on stdin, protocol 2: docs/results-format.md)"
	cpuTimeScope = "process: getrusage(RUSAGE_SELF) deltas, Go runtime threads included"
	pinning      = "process: before each run every thread of the process gets the distinct PUs " +
		"of the work order with sched_setaffinity and GOMAXPROCS = their count (pus=none: the mask " +
		"the executor started with); goroutines are not pinned to single PUs; runtime.NumCPU " +
		"stays the count of the start mask"
)

// outMu serializes the lines written to stdout (answers, and fatalf's failed line).
var outMu sync.Mutex

var stdout = bufio.NewWriter(os.Stdout)

// writeLine writes one answer line and flushes it.
func writeLine(b []byte) {
	outMu.Lock()
	defer outMu.Unlock()
	stdout.Write(b)
	stdout.WriteByte('\n')
	if err := stdout.Flush(); err != nil {
		fmt.Fprintf(os.Stderr, "chanbench-peer-go: writing an answer: %v\n", err)
		os.Exit(1)
	}
}

// running is the id of the run in progress, for fatalf.
var running struct {
	sync.Mutex
	id int64
	on bool
}

func setRunning(id int64, on bool) {
	running.Lock()
	running.id, running.on = id, on
	running.Unlock()
}

func runningID() (int64, bool) {
	running.Lock()
	defer running.Unlock()
	return running.id, running.on
}

func jsonString(s string) []byte {
	b, _ := json.Marshal(s) // a string always marshals
	return b
}

// failLine is {"id":I,"ok":false,"KEY":"MSG"}, without id when the request had no usable one.
func failLine(id int64, hasID bool, key, msg string) []byte {
	b := []byte{'{'}
	if hasID {
		b = append(b, `"id":`...)
		b = strconv.AppendInt(b, id, 10)
		b = append(b, ',')
	}
	b = append(b, `"ok":false,"`...)
	b = append(b, key...)
	b = append(b, `":`...)
	b = append(b, jsonString(msg)...)
	return append(b, '}')
}

// request is one parsed request line: the verb and its key=value words.
type request struct {
	verb  string
	kv    map[string]string
	id    int64
	hasID bool  // id= was there and is a decimal integer
	err   error // the first malformed word, if any
}

func parseRequest(line string) request {
	words := strings.Split(line, " ")
	r := request{verb: words[0], kv: map[string]string{}}
	for _, w := range words[1:] {
		i := strings.IndexByte(w, '=')
		if i <= 0 {
			if r.err == nil {
				r.err = fmt.Errorf("malformed request: %q is not key=value", w)
			}
			continue
		}
		if _, dup := r.kv[w[:i]]; dup {
			if r.err == nil {
				r.err = fmt.Errorf("malformed request: %s= given twice", w[:i])
			}
			continue
		}
		r.kv[w[:i]] = w[i+1:]
	}
	if v, ok := r.kv["id"]; ok {
		id, err := parseUint(v, 0, math.MaxInt64)
		if err == nil {
			r.id, r.hasID = id, true
		} else if r.err == nil {
			r.err = fmt.Errorf("malformed request: id: %v", err)
		}
	}
	return r
}

// executor is the serve loop's state.
type executor struct {
	helloDone bool
	startMask cpuMask // the mask the executor started with (pus=none)
	cur       cpuMask // the mask applied to every thread, when curValid
	curValid  bool
	affinity  string // cur as read back with sched_getaffinity, list form
}

func (e *executor) errorAnswer(r request, format string, args ...interface{}) {
	writeLine(failLine(r.id, r.hasID, "error", fmt.Sprintf(format, args...)))
}

func (e *executor) hello(r request) {
	if r.kv["protocol"] != strconv.Itoa(protocol) {
		asked := "no protocol="
		if v, ok := r.kv["protocol"]; ok {
			asked = "protocol " + v
		}
		b := []byte(`{"protocol":` + strconv.Itoa(protocol) + `,"error":`)
		b = append(b, jsonString(fmt.Sprintf("chanbench-peer-go speaks protocol %d, asked for %s",
			protocol, asked))...)
		writeLine(append(b, '}'))
		os.Exit(2)
	}
	b := []byte(`{"protocol":` + strconv.Itoa(protocol) + `,"impl":"` + impl + `","version":`)
	b = append(b, jsonString(runtime.Version())...)
	b = append(b, `,"library_version":`...)
	b = append(b, jsonString(runtime.Version())...)
	b = append(b, `,"cpu_time_scope":`...)
	b = append(b, jsonString(cpuTimeScope)...)
	b = append(b, `,"pinning":`...)
	b = append(b, jsonString(pinning)...)
	writeLine(append(b, '}'))
	e.helloDone = true
}

// place confines every thread of the process to want and sets GOMAXPROCS to its CPU count,
// unless that is already in force.
func (e *executor) place(want cpuMask) error {
	if e.curValid && want == e.cur {
		return nil
	}
	e.curValid = false
	if err := setProcessAffinity(&want); err != nil {
		return fmt.Errorf("cannot confine the executor to CPUs %s: %v", cpuList(want.list()), err)
	}
	got, err := getAffinity(0)
	if err != nil {
		return fmt.Errorf("sched_getaffinity: %v", err)
	}
	if got != want {
		return fmt.Errorf("asked for CPUs %s but the kernel allows %s", cpuList(want.list()),
			cpuList(got.list()))
	}
	runtime.GOMAXPROCS(len(want.list()))
	e.cur, e.curValid, e.affinity = want, true, cpuList(got.list())
	return nil
}

var runKeys = []string{"id", "bench", "iters", "pus"}

func (e *executor) run(r request) {
	if !e.helloDone {
		e.errorAnswer(r, "run before hello")
		return
	}
	if r.err != nil {
		e.errorAnswer(r, "%v", r.err)
		return
	}
	for k := range r.kv {
		known := false
		for _, w := range runKeys {
			known = known || k == w
		}
		if !known {
			e.errorAnswer(r, "malformed request: unknown key %s= (run takes id, bench, iters, pus)", k)
			return
		}
	}
	for _, k := range runKeys {
		if _, ok := r.kv[k]; !ok {
			e.errorAnswer(r, "malformed request: missing %s= (run takes id, bench, iters, pus)", k)
			return
		}
	}
	sc, err := parseBench(r.kv["bench"])
	if err != nil {
		e.errorAnswer(r, "%v", err)
		return
	}
	n, err := parseUint(r.kv["iters"], 1, maxIters)
	if err != nil {
		e.errorAnswer(r, "iters: %v", err)
		return
	}
	want := e.startMask
	if pus := r.kv["pus"]; pus != "none" {
		list := strings.Split(pus, ",")
		if len(list) != sc.threads {
			e.errorAnswer(r, "pus=%s lists %d PUs, %s has %d threads", pus, len(list),
				r.kv["bench"], sc.threads)
			return
		}
		want = cpuMask{}
		for _, s := range list {
			pu, err := parseUint(s, 0, maxCPUs-1)
			if err != nil {
				e.errorAnswer(r, "pus: %v", err)
				return
			}
			if !e.startMask.has(int(pu)) {
				e.errorAnswer(r, "pus: PU %d is not among the CPUs the executor may use (%s)", pu,
					cpuList(e.startMask.list()))
				return
			}
			want.set(int(pu))
		}
	}
	if err := e.place(want); err != nil {
		e.errorAnswer(r, "%v", err)
		return
	}

	runtime.GC()
	setRunning(r.id, true)
	res := sc.run(n)
	setRunning(0, false)

	b := []byte(`{"id":`)
	b = strconv.AppendInt(b, r.id, 10)
	b = append(b, `,"ok":true,"ops":`...)
	b = strconv.AppendInt(b, res.ops, 10)
	b = append(b, `,"wall_ns":`...)
	b = strconv.AppendInt(b, res.u.wall, 10)
	b = append(b, `,"cpu_ns":`...)
	b = strconv.AppendInt(b, res.u.cpu, 10)
	b = append(b, `,"vcsw":`...)
	b = strconv.AppendInt(b, res.u.vcsw, 10)
	b = append(b, `,"ivcsw":`...)
	b = strconv.AppendInt(b, res.u.ivcsw, 10)
	b = append(b, `,"threads":`...)
	b = strconv.AppendInt(b, int64(sc.threads), 10)
	b = append(b, `,"affinity":`...)
	b = append(b, jsonString(e.affinity)...)
	b = append(b, `,"gomaxprocs":`...)
	b = strconv.AppendInt(b, int64(runtime.GOMAXPROCS(0)), 10)
	if res.lat != nil {
		b = append(b, `,"hist":`...)
		b = res.lat.appendJSON(b)
	}
	b = append(b, `,"extra":`...)
	b = appendExtra(b, res.extra)
	writeLine(append(b, '}'))
	releaseHists()
}

// usageExit prints one line on stderr, the problem (if any) and the usage, and exits 2.
func usageExit(format string, args ...interface{}) {
	if format != "" {
		fmt.Fprintf(os.Stderr, "chanbench-peer-go: "+format+"; ", args...)
	}
	fmt.Fprintln(os.Stderr, usageMsg)
	os.Exit(2)
}

func main() {
	serve := false
	args := os.Args[1:]
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--serve":
			serve = true
		case a == "--outside-ns" || strings.HasPrefix(a, "--outside-ns="):
			v := strings.TrimPrefix(a, "--outside-ns=")
			if a == "--outside-ns" {
				if i+1 == len(args) {
					usageExit("--outside-ns needs a value")
				}
				i++
				v = args[i]
			}
			ns, err := parseDuration(v)
			if err != nil {
				usageExit("--outside-ns: %v", err)
			}
			outsideNs = ns
		default:
			usageExit("unexpected argument %q", a)
		}
	}
	if !serve {
		usageExit("")
	}

	start, err := getAffinity(0)
	if err != nil {
		fatalf("sched_getaffinity: %v", err)
	}
	e := &executor{startMask: start}
	calibrateWork()

	in := bufio.NewReader(os.Stdin)
	for {
		line, err := in.ReadString('\n')
		if err != nil && err != io.EOF {
			fatalf("reading stdin: %v", err)
		}
		if line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r"); line != "" {
			r := parseRequest(line)
			switch r.verb {
			case "hello":
				e.hello(r)
			case "run":
				e.run(r)
			case "quit":
				os.Exit(0)
			default:
				e.errorAnswer(r, "malformed request: unknown verb %q (hello, run, quit)", r.verb)
			}
		}
		if err == io.EOF {
			os.Exit(0)
		}
	}
}
