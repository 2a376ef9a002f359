// SPDX-License-Identifier: MIT
// Linux plumbing of the crossbeam executor, declared directly against glibc (no libc crate is
// available offline): monotonic clock, process rusage, CPU affinity, nanosleep-based pauses.

use std::os::raw::{c_int, c_long};

#[cfg(not(target_os = "linux"))]
compile_error!("the crossbeam peer uses Linux's sched_setaffinity and getrusage");

#[repr(C)]
struct Timeval {
    sec: c_long,
    usec: c_long,
}

#[repr(C)]
struct Rusage {
    utime: Timeval,
    stime: Timeval,
    // ru_maxrss .. ru_nivcsw: 14 longs; ru_nvcsw is [12], ru_nivcsw [13].
    rest: [c_long; 14],
}

#[repr(C)]
struct Timespec {
    sec: c_long,
    nsec: c_long,
}

const RUSAGE_SELF: c_int = 0;
const CLOCK_MONOTONIC: c_int = 1;

extern "C" {
    fn getrusage(who: c_int, usage: *mut Rusage) -> c_int;
    fn clock_gettime(clock: c_int, ts: *mut Timespec) -> c_int;
    fn sched_setaffinity(pid: c_int, size: usize, mask: *const u64) -> c_int;
    fn sched_getaffinity(pid: c_int, size: usize, mask: *mut u64) -> c_int;
}

/// Monotonic clock, ns (vDSO clock_gettime(CLOCK_MONOTONIC)).
#[inline]
pub fn now_ns() -> i64 {
    let mut ts = Timespec { sec: 0, nsec: 0 };
    unsafe { clock_gettime(CLOCK_MONOTONIC, &mut ts) };
    ts.sec as i64 * 1_000_000_000 + ts.nsec as i64
}

/// Process-wide usage at one instant: getrusage(RUSAGE_SELF) covers every thread of the process,
/// exited ones included.
#[derive(Clone, Copy, Default, Debug)]
pub struct Usage {
    pub wall: i64,
    pub cpu: i64,
    pub vcsw: i64,
    pub ivcsw: i64,
}

impl Usage {
    pub fn now() -> Usage {
        let mut ru = Rusage {
            utime: Timeval { sec: 0, usec: 0 },
            stime: Timeval { sec: 0, usec: 0 },
            rest: [0; 14],
        };
        let wall = now_ns();
        if unsafe { getrusage(RUSAGE_SELF, &mut ru) } != 0 {
            crate::fatal(&format!("getrusage: {}", std::io::Error::last_os_error()));
        }
        let us = |t: &Timeval| t.sec as i64 * 1_000_000 + t.usec as i64;
        Usage {
            wall,
            cpu: (us(&ru.utime) + us(&ru.stime)) * 1000,
            vcsw: ru.rest[12] as i64,
            ivcsw: ru.rest[13] as i64,
        }
    }

    pub fn since(&self, start: &Usage) -> Usage {
        Usage {
            wall: self.wall - start.wall,
            cpu: self.cpu - start.cpu,
            vcsw: self.vcsw - start.vcsw,
            ivcsw: self.ivcsw - start.ivcsw,
        }
    }
}

pub const MAX_CPUS: usize = 1024;
type CpuMask = [u64; MAX_CPUS / 64];

fn mask_of(cpus: &[usize]) -> CpuMask {
    let mut m = [0u64; MAX_CPUS / 64];
    for &c in cpus {
        m[c / 64] |= 1u64 << (c % 64);
    }
    m
}

/// Sets the calling thread's CPU mask; threads it creates afterwards inherit it.
pub fn set_thread_affinity(cpus: &[usize]) -> Result<(), String> {
    let m = mask_of(cpus);
    if unsafe { sched_setaffinity(0, std::mem::size_of::<CpuMask>(), m.as_ptr()) } != 0 {
        return Err(format!(
            "sched_setaffinity: {}",
            std::io::Error::last_os_error()
        ));
    }
    Ok(())
}

/// The calling thread's CPU mask, as a sorted list.
pub fn thread_affinity() -> Result<Vec<usize>, String> {
    let mut m = [0u64; MAX_CPUS / 64];
    if unsafe { sched_getaffinity(0, std::mem::size_of::<CpuMask>(), m.as_mut_ptr()) } < 0 {
        return Err(format!(
            "sched_getaffinity: {}",
            std::io::Error::last_os_error()
        ));
    }
    Ok((0..MAX_CPUS)
        .filter(|&c| m[c / 64] & (1u64 << (c % 64)) != 0)
        .collect())
}

/// Writes a sorted CPU list in the kernel's form: "0-1", "0,2,4-7".
pub fn cpu_list(cpus: &[usize]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < cpus.len() {
        let mut j = i;
        while j + 1 < cpus.len() && cpus[j + 1] == cpus[j] + 1 {
            j += 1;
        }
        if !out.is_empty() {
            out.push(',');
        }
        if i == j {
            out.push_str(&cpus[i].to_string());
        } else {
            out.push_str(&format!("{}-{}", cpus[i], cpus[j]));
        }
        i = j + 1;
    }
    out
}

/// Busy-waits d ns on the monotonic clock.
#[inline]
pub fn spin_for(d: i64) {
    let t = now_ns();
    while now_ns() - t < d {}
}

/// Blocks d ns in the kernel (std::thread::sleep is nanosleep, restarted on EINTR); the
/// kernel's default 50 µs timer slack applies, as for the Go and C peers.
pub fn nanosleep(d: i64) {
    std::thread::sleep(std::time::Duration::from_nanos(d as u64));
}
