//! The machine a measurement ran on: cores, CPU model, memory, kernel and load.
//!
//! Read from Linux's `/proc` (`cpuinfo`, `meminfo`, `loadavg`, `sys/kernel/osrelease`)
//! so every table the command writes can say where its numbers come from. The load
//! average is taken before and after the measurements: other processes competing for the
//! cores (this machine is shared) show up there, and in the spread of the repetitions.

use std::fmt::Write;

use serde::Serialize;

/// What we know about the machine.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Machine {
    /// Logical CPUs the process may run on ([`shred::usage::cores`]).
    pub cores: usize,
    /// `processor` entries in `/proc/cpuinfo`.
    pub cpuinfo_processors: usize,
    /// The first `model name` in `/proc/cpuinfo`.
    pub cpu_model: String,
    /// Total memory in GiB (`MemTotal`).
    pub memory_gib: f64,
    /// Kernel release.
    pub kernel: String,
}

impl Machine {
    /// Reads the machine's description; fields that cannot be read say `unknown`.
    pub fn detect() -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        Machine {
            cores: shred::usage::cores(),
            cpuinfo_processors: count_processors(&cpuinfo),
            cpu_model: cpu_model(&cpuinfo).unwrap_or_else(|| "unknown".into()),
            memory_gib: mem_total_kib(&meminfo).map_or(0.0, |k| k as f64 / (1024.0 * 1024.0)),
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .map(|s| s.trim().to_string())
                .unwrap_or_else(|_| "unknown".into()),
        }
    }

    /// One line: `2 cores (Intel(R) Xeon(R) Processor), 23.4 GiB, Linux 6.1`.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{} cores ({}), {:.1} GiB RAM, Linux {}",
            self.cores, self.cpu_model, self.memory_gib, self.kernel
        );
        if self.cpuinfo_processors != self.cores {
            let _ = write!(
                s,
                ", {} processors in /proc/cpuinfo",
                self.cpuinfo_processors
            );
        }
        s
    }
}

/// How many cores this process actually gets right now: `threads` threads each burn
/// `cpu_ms` of their own CPU time; the total CPU time divided by the wall time is the
/// number of cores they ran on at once (2.0 on an idle 2-core machine, less when other
/// processes compete for the cores).
pub fn cores_available(threads: usize, cpu_ms: u64) -> f64 {
    let start = std::time::Instant::now();
    let burn = std::time::Duration::from_millis(cpu_ms);
    std::thread::scope(|scope| {
        for _ in 0..threads.max(1) {
            scope.spawn(|| {
                let begin = shred::usage::thread_cpu_time();
                let mut x = 1u64;
                while shred::usage::thread_cpu_time() - begin < burn {
                    for _ in 0..1000 {
                        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    }
                }
                std::hint::black_box(x);
            });
        }
    });
    let wall = start.elapsed().as_secs_f64();
    threads.max(1) as f64 * burn.as_secs_f64() / wall
}

/// The workspace's git commit (`git rev-parse --short HEAD`), with `+changes` when the
/// working tree differs from it, or `None` outside a git checkout.
pub fn source_commit() -> Option<String> {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let commit = git(&["rev-parse", "--short", "HEAD"])?;
    let dirty =
        git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    Some(if dirty {
        format!("{commit}+changes")
    } else {
        commit
    })
}

/// The 1-, 5- and 15-minute load averages, if readable.
pub fn load_average() -> Option<[f64; 3]> {
    parse_loadavg(&std::fs::read_to_string("/proc/loadavg").ok()?)
}

fn count_processors(cpuinfo: &str) -> usize {
    cpuinfo
        .lines()
        .filter(|l| l.split(':').next().is_some_and(|k| k.trim() == "processor"))
        .count()
}

fn cpu_model(cpuinfo: &str) -> Option<String> {
    cpuinfo.lines().find_map(|l| {
        let (key, value) = l.split_once(':')?;
        (key.trim() == "model name").then(|| value.trim().to_string())
    })
}

fn mem_total_kib(meminfo: &str) -> Option<u64> {
    meminfo.lines().find_map(|l| {
        let rest = l.strip_prefix("MemTotal:")?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

fn parse_loadavg(text: &str) -> Option<[f64; 3]> {
    let mut it = text.split_whitespace().map(|f| f.parse::<f64>().ok());
    Some([it.next()??, it.next()??, it.next()??])
}

#[cfg(test)]
mod tests {
    use super::*;

    const CPUINFO: &str = "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Processor\n\nprocessor\t: 1\nmodel name\t: Intel(R) Xeon(R) Processor\n";

    #[test]
    fn cpuinfo_gives_processors_and_model() {
        assert_eq!(count_processors(CPUINFO), 2);
        assert_eq!(
            cpu_model(CPUINFO).as_deref(),
            Some("Intel(R) Xeon(R) Processor")
        );
        assert_eq!(cpu_model("processor : 0\n"), None);
    }

    #[test]
    fn meminfo_and_loadavg_parse() {
        assert_eq!(
            mem_total_kib("MemTotal:       24568320 kB\nMemFree: 1 kB\n"),
            Some(24_568_320)
        );
        assert_eq!(
            parse_loadavg("0.52 1.10 0.97 2/345 6789\n"),
            Some([0.52, 1.10, 0.97])
        );
        assert_eq!(parse_loadavg("garbage"), None);
    }

    #[test]
    fn one_thread_gets_at_most_one_core() {
        let got = cores_available(1, 20);
        assert!(got > 0.0 && got <= 1.05, "{got}");
    }

    #[test]
    fn source_commit_names_this_checkout() {
        let commit = source_commit().expect("the tests run inside the git checkout");
        let hash = commit.trim_end_matches("+changes");
        assert!(
            hash.len() >= 7 && hash.chars().all(|c| c.is_ascii_hexdigit()),
            "{commit}"
        );
    }

    #[test]
    fn this_machine_has_at_least_one_core() {
        let m = Machine::detect();
        assert!(m.cores >= 1);
        assert!(m.summary().contains("cores"));
    }
}
