//! Resource usage of the process: CPU time, peak resident memory, the per-thread CPU clock
//! the benchmarks time with, the cores available, and the allocator setting that keeps
//! peak memory flat.
//!
//! CPU time is `getrusage(RUSAGE_SELF)` (user + system, all threads); the per-thread clock is
//! `clock_gettime(CLOCK_THREAD_CPUTIME_ID)`, which other processes on a shared machine cannot
//! inflate. Peak RSS is the kernel's high-water mark `VmHWM` from `/proc/self/status`, which
//! [`reset_peak_rss`] resets (`/proc/self/clear_refs`, Linux ≥ 4.0) so that several runs in
//! one process (a bench command) each get their own peak. The interfaces are Linux's:
//! getrusage(2), clock_gettime(2) and proc(5) (`VmHWM`, `clear_refs`).
//!
//! ```
//! let before = shred::usage::cpu_time();
//! let mut x = 0u64;
//! for i in 0..1_000_000u64 { x = x.wrapping_add(i * i); }
//! assert!(shred::usage::cpu_time() >= before);
//! # assert!(x > 0);
//! ```

use std::time::Duration;

fn timeval(tv: libc::timeval) -> Duration {
    Duration::from_secs(tv.tv_sec as u64) + Duration::from_micros(tv.tv_usec as u64)
}

/// CPU time (user + system) used by every thread of this process so far.
pub fn cpu_time() -> Duration {
    // SAFETY: getrusage only writes into the struct we pass, which is fully initialized.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: RUSAGE_SELF with a valid pointer cannot fail.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return Duration::ZERO;
    }
    timeval(usage.ru_utime) + timeval(usage.ru_stime)
}

/// CPU time used by the calling thread so far.
pub fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we pass.
    if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) } != 0 {
        return Duration::ZERO;
    }
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Peak resident set size of this process in bytes (since start or the last
/// [`reset_peak_rss`]), when the platform reports it.
pub fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Resets the peak RSS to the current RSS; false when the platform does not support it.
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Size from which glibc serves allocations with `mmap` (see [`return_large_buffers_to_os`]).
pub const MMAP_THRESHOLD: usize = 1 << 20;

/// Makes glibc serve every allocation of [`MMAP_THRESHOLD`] or more with its own `mmap`, and
/// so give it back to the kernel when freed. By default glibc raises that threshold as
/// large blocks are freed and then recycles them from its heaps, whose fragmentation made
/// peak RSS creep up with `--target-records` (124 MiB at 10M, 160 MiB at 100M records);
/// with a fixed threshold, peak RSS is the live data (encoded row groups in flight) and the
/// same for any dataset size, at no measurable CPU cost. Returns false where unsupported.
pub fn return_large_buffers_to_os() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only changes allocator tuning; called before any threads start.
        unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD as libc::c_int) == 1 }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}

/// Number of CPUs this process may run on.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_clock_advances_with_work() {
        let start = thread_cpu_time();
        let mut x = 1u64;
        while thread_cpu_time() - start < Duration::from_millis(5) {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
        }
        std::hint::black_box(x);
        assert!(cpu_time() >= Duration::from_millis(5));
    }

    #[test]
    fn peak_rss_sees_a_large_allocation() {
        let before = peak_rss().expect("Linux reports VmHWM");
        let big = std::hint::black_box(vec![1u8; 64 << 20]);
        let after = peak_rss().unwrap();
        assert!(after >= before && after >= 64 << 20, "{after}");
        drop(big);
    }
}
