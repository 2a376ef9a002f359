// SPDX-License-Identifier: MIT
// Linux plumbing for the Go executor: monotonic clock, process rusage, CPU affinity, and fatalf.
// Only the standard library (syscall) is used, so the executor builds offline.

package main

import (
	"fmt"
	"os"
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

func (m *cpuMask) has(c int) bool { return m[c/64]&(1<<(uint(c)%64)) != 0 }
func (m *cpuMask) set(c int)      { m[c/64] |= 1 << (uint(c) % 64) }

func (m *cpuMask) list() []int {
	var out []int
	for c := 0; c < maxCPUs; c++ {
		if m.has(c) {
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

// setProcessAffinity applies m to every thread of the process (/proc/self/task). Threads the
// Go runtime creates later are cloned from one of them and inherit the mask; one cloned during
// the sweep from a thread not yet done shows up in the next listing, so the sweep repeats until a
// listing names no thread it has not done.
func setProcessAffinity(m *cpuMask) error {
	done := map[int]bool{}
	for round := 0; ; round++ {
		ents, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return fmt.Errorf("listing the threads: %v", err)
		}
		fresh := 0
		for _, e := range ents {
			tid, err := strconv.Atoi(e.Name())
			if err != nil || done[tid] {
				continue
			}
			fresh++
			if err := setAffinity(tid, m); err != nil && err != syscall.ESRCH {
				return fmt.Errorf("sched_setaffinity(tid %d): %v", tid, err)
			}
			done[tid] = true
		}
		if fresh == 0 {
			return nil
		}
		if round == 100 {
			return fmt.Errorf("threads keep appearing while setting the CPU mask")
		}
	}
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

// fatalf ends the executor on a failed self-check (or a failed getrusage) during a run: one
// line {"id":I,"ok":false,"failed":"..."} on stdout for the run in progress (outside a run, only
// the line on stderr), then exit status 1. The first caller takes outMu for good, so a second
// failing goroutine cannot write another line before the process is gone.
func fatalf(format string, args ...interface{}) {
	msg := fmt.Sprintf(format, args...)
	outMu.Lock()
	fmt.Fprintf(os.Stderr, "chanbench-peer-go: %s\n", msg)
	if id, ok := runningID(); ok {
		os.Stdout.Write(append(failLine(id, true, "failed", msg), '\n'))
	}
	os.Exit(1)
}
