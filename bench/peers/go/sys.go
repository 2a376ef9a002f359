// SPDX-License-Identifier: MIT
// Linux plumbing for the Go peer: monotonic clock, process rusage, CPU affinity.
// Only the standard library (syscall) is used, so the peer builds offline.

package main

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

// epoch anchors nowNs: time.Since on a Time carrying a monotonic reading reads only the
// monotonic clock (one vDSO clock_gettime(CLOCK_MONOTONIC)), never the wall clock.
var epoch = time.Now()

func nowNs() int64 { return int64(time.Since(epoch)) }

// usage is the process-wide resource usage at one instant (getrusage(RUSAGE_SELF): every thread
// of the process, the Go runtime's own threads included, and those that have exited).
type usage struct {
	wall, cpu, vcsw, ivcsw int64
}

func readUsage() usage {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		fatalf("getrusage: %v", err)
	}
	return usage{
		wall:  nowNs(),
		cpu:   ru.Utime.Nano() + ru.Stime.Nano(),
		vcsw:  int64(ru.Nvcsw),
		ivcsw: int64(ru.Nivcsw),
	}
}

func (u usage) since(start usage) usage {
	return usage{u.wall - start.wall, u.cpu - start.cpu, u.vcsw - start.vcsw, u.ivcsw - start.ivcsw}
}

// cpuMask is a Linux cpu_set_t (1024 CPUs).
type cpuMask [16]uint64

const maxCPUs = 1024

func maskOf(cpus []int) (m cpuMask) {
	for _, c := range cpus {
		m[c/64] |= 1 << (uint(c) % 64)
	}
	return m
}

func (m *cpuMask) list() []int {
	var out []int
	for c := 0; c < maxCPUs; c++ {
		if m[c/64]&(1<<(uint(c)%64)) != 0 {
			out = append(out, c)
		}
	}
	return out
}

// setAffinity sets the mask of one thread (tid 0: the calling thread).
func setAffinity(tid int, m *cpuMask) error {
	_, _, e := syscall.RawSyscall(syscall.SYS_SCHED_SETAFFINITY, uintptr(tid),
		unsafe.Sizeof(*m), uintptr(unsafe.Pointer(m)))
	if e != 0 {
		return e
	}
	return nil
}

func getAffinity(tid int) (cpuMask, error) {
	var m cpuMask
	_, _, e := syscall.RawSyscall(syscall.SYS_SCHED_GETAFFINITY, uintptr(tid),
		unsafe.Sizeof(m), uintptr(unsafe.Pointer(&m)))
	if e != 0 {
		return m, e
	}
	return m, nil
}

// setProcessAffinity applies m to every thread the process has now (/proc/self/task). Threads
// the Go runtime creates later are cloned from one of these and inherit the mask.
func setProcessAffinity(m *cpuMask) error {
	ents, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return setAffinity(0, m)
	}
	for _, e := range ents {
		tid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if err := setAffinity(tid, m); err != nil && err != syscall.ESRCH {
			return fmt.Errorf("sched_setaffinity(tid %d): %v", tid, err)
		}
	}
	return nil
}

const pinnedEnv = "CHANBENCH_PEER_PINNED"

// pinProcess restricts the whole process to cpus and sets GOMAXPROCS to their count.
//
// How: the first time, the calling thread sets its own mask and re-executes the program
// (execve keeps the caller's mask), so that the Go runtime starts already confined: every thread
// it ever creates inherits the mask, and its idea of the CPU count (runtime.NumCPU, which it
// reads once from sched_getaffinity at start and uses to decide whether spinning pays) matches.
// After the exec (marked by CHANBENCH_PEER_PINNED=1), the mask is checked and applied again to
// every existing thread. If the exec fails, the per-thread sweep alone is used.
func pinProcess(cpus []int) {
	want := maskOf(cpus)
	if os.Getenv(pinnedEnv) != "1" {
		runtime.LockOSThread()
		if err := setAffinity(0, &want); err != nil {
			fatalf("cannot pin to CPUs %s: sched_setaffinity: %v", cpuList(cpus), err)
		}
		exe, err := os.Executable()
		if err == nil {
			env := append(os.Environ(), pinnedEnv+"=1")
			err = syscall.Exec(exe, os.Args, env)
		}
		fmt.Fprintf(os.Stderr, "chanbench-peer-go: re-exec under the CPU mask failed (%v); "+
			"setting the mask thread by thread\n", err)
		runtime.UnlockOSThread()
	}
	if err := setProcessAffinity(&want); err != nil {
		fatalf("cannot pin to CPUs %s: %v", cpuList(cpus), err)
	}
	got, err := getAffinity(0)
	if err != nil {
		fatalf("sched_getaffinity: %v", err)
	}
	if got != want {
		fatalf("asked for CPUs %s but the kernel allows %s (is a CPU outside this process's cpuset?)",
			cpuList(cpus), cpuList(got.list()))
	}
	runtime.GOMAXPROCS(len(cpus))
}

// parseCPUList reads "0-3,8,10-11".
func parseCPUList(s string) ([]int, error) {
	seen := map[int]bool{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		lo, hi := part, part
		if i := strings.IndexByte(part, '-'); i >= 0 {
			lo, hi = part[:i], part[i+1:]
		}
		a, err1 := strconv.Atoi(lo)
		b, err2 := strconv.Atoi(hi)
		if err1 != nil || err2 != nil || a < 0 || b < a || b >= maxCPUs {
			return nil, fmt.Errorf("bad CPU list %q (expected e.g. 0-1 or 0,2,4-7)", s)
		}
		for c := a; c <= b; c++ {
			seen[c] = true
		}
	}
	if len(seen) == 0 {
		return nil, fmt.Errorf("empty CPU list %q", s)
	}
	out := make([]int, 0, len(seen))
	for c := range seen {
		out = append(out, c)
	}
	sort.Ints(out)
	return out, nil
}

// cpuList writes a sorted CPU list in the kernel's form: "0-1", "0,2,4-7".
func cpuList(cpus []int) string {
	var b strings.Builder
	for i := 0; i < len(cpus); {
		j := i
		for j+1 < len(cpus) && cpus[j+1] == cpus[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		if j == i {
			fmt.Fprintf(&b, "%d", cpus[i])
		} else {
			fmt.Fprintf(&b, "%d-%d", cpus[i], cpus[j])
		}
		i = j + 1
	}
	return b.String()
}

// nanosleep blocks the calling thread in the kernel for d ns: no spinning. time.Sleep is not
// used because Go 1.19's timers wait in epoll_wait with millisecond resolution: on Linux
// time.Sleep(100µs) takes about 1.1 ms. The kernel's default timer slack (50 µs) applies, as
// for the C and Rust peers' nanosleep.
func nanosleep(d int64) {
	ts := syscall.NsecToTimespec(d)
	for {
		var rem syscall.Timespec
		err := syscall.Nanosleep(&ts, &rem)
		if err != syscall.EINTR {
			return
		}
		ts = rem
	}
}

// spinFor busy-waits d ns on the monotonic clock.
func spinFor(d int64) {
	t := nowNs()
	for nowNs()-t < d {
	}
}

func fatalf(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "chanbench-peer-go: "+format+"\n", args...)
	os.Exit(1)
}
