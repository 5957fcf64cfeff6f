//! `perf stat` around a command: which counters this machine has, and their counts.
//!
//! Hardware counters (cycles, instructions, cache and branch misses) need a PMU the
//! kernel exposes to us; in many virtual machines it does not, and `perf stat` prints
//! `<not supported>` for them. [`detect`] runs `perf stat -e instructions true` once to
//! find out. Software counters (task-clock, context switches, CPU migrations, page faults)
//! come from the kernel's scheduler and memory manager and work wherever `perf` runs. The
//! counts are read from `perf stat -x,` (CSV: value, unit, event, …); see perf-stat(1).
//! [`profile`] samples a run with the software `cpu-clock` event (`perf record`), which
//! also works without hardware counters, and ranks functions by their share of samples.

use anyhow::{Context, Result};
use serde::Serialize;

use crate::process::{Measured, run};

/// Software events: always available where `perf` runs.
pub const SOFTWARE_EVENTS: [&str; 4] = [
    "task-clock",
    "context-switches",
    "cpu-migrations",
    "page-faults",
];

/// Hardware events, counted when the machine exposes its PMU.
pub const HARDWARE_EVENTS: [&str; 6] = [
    "cycles",
    "instructions",
    "branches",
    "branch-misses",
    "cache-references",
    "cache-misses",
];

/// What `perf` can count here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Support {
    /// `perf stat` runs at all.
    pub perf: bool,
    /// Hardware counters count (`instructions` gives a number).
    pub hardware: bool,
    /// How we found out, for the write-up.
    pub note: String,
}

impl Support {
    /// The events to ask for: software, plus hardware when supported.
    pub fn events(&self) -> Vec<&'static str> {
        let mut events = SOFTWARE_EVENTS.to_vec();
        if self.hardware {
            events.extend(HARDWARE_EVENTS);
        }
        events
    }
}

/// Probes `perf stat -e instructions true`.
pub fn detect() -> Support {
    let probe = std::process::Command::new("perf")
        .args(["stat", "-x,", "-e", "instructions", "true"])
        .output();
    match probe {
        Err(e) => Support {
            perf: false,
            hardware: false,
            note: format!("`perf` cannot run ({e}); install linux-perf for software counters"),
        },
        Ok(out) if !out.status.success() => Support {
            perf: false,
            hardware: false,
            note: format!(
                "`perf stat -e instructions true` failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        },
        Ok(out) => {
            let counters = parse_csv(&String::from_utf8_lossy(&out.stderr));
            let hardware = counters
                .iter()
                .any(|c| c.event == "instructions" && c.value.is_some());
            let note = if hardware {
                "`perf stat -e instructions true` counts instructions: hardware counters available"
                    .to_string()
            } else {
                "`perf stat -e instructions true` says `<not supported>`: no hardware counters \
                 (virtual machine without a PMU); software counters only"
                    .to_string()
            };
            Support {
                perf: true,
                hardware,
                note,
            }
        }
    }
}

/// One line of `perf stat -x,` output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Counter {
    /// Event name, e.g. `task-clock`.
    pub event: String,
    /// The count (`None` for `<not supported>` / `<not counted>`).
    pub value: Option<f64>,
    /// Unit (`msec` for task-clock, empty for plain counts).
    pub unit: String,
}

/// Parses `perf stat -x,` output; lines that are not counters are skipped.
pub fn parse_csv(text: &str) -> Vec<Counter> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let fields: Vec<&str> = l.split(',').collect();
            if fields.len() < 3 || fields[2].is_empty() {
                return None;
            }
            Some(Counter {
                event: fields[2].trim().to_string(),
                value: fields[0].trim().parse().ok(),
                unit: fields[1].trim().to_string(),
            })
        })
        .collect()
}

/// Runs `program args…` under `perf stat` with `events`, returning the run (wall time and
/// resource usage are `perf`'s, which waits for the program) and the counters.
pub fn stat(events: &[&str], program: &str, args: &[String]) -> Result<(Measured, Vec<Counter>)> {
    let dir = tempfile::tempdir().context("temporary directory for perf output")?;
    let output = dir.path().join("perf.csv");
    let mut perf_args = vec![
        "stat".to_string(),
        "-x,".to_string(),
        "-o".to_string(),
        output.display().to_string(),
        "-e".to_string(),
        events.join(","),
        "--".to_string(),
        program.to_string(),
    ];
    perf_args.extend(args.iter().cloned());
    let measured = run("perf", &perf_args)?;
    let text = std::fs::read_to_string(&output)
        .with_context(|| format!("{}: cannot read perf output", output.display()))?;
    Ok((measured, parse_csv(&text)))
}

/// One line of a sampled profile: a function and its share of the samples.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hotspot {
    /// Percent of all samples (self time, not including callees).
    pub percent: f64,
    /// `[.]` user space or `[k]` kernel.
    pub space: String,
    /// The function (demangled; an address when it has no symbol).
    pub symbol: String,
}

/// Samples `program args…` with the software `cpu-clock` event (works without hardware
/// counters) and returns the functions with at least `min_percent` of the samples, as
/// `perf report --no-children` ranks them (self time).
pub fn profile(program: &str, args: &[String], min_percent: f64) -> Result<Vec<Hotspot>> {
    let dir = tempfile::tempdir().context("temporary directory for perf data")?;
    let data = dir.path().join("perf.data");
    let data_arg = data.display().to_string();
    let mut record = vec![
        "record".to_string(),
        "-e".into(),
        "cpu-clock".into(),
        "-F".into(),
        "1999".into(),
        "-o".into(),
        data_arg.clone(),
        "--".into(),
        program.to_string(),
    ];
    record.extend(args.iter().cloned());
    run("perf", &record)?;
    let report = run(
        "perf",
        &[
            "report".into(),
            "-i".into(),
            data_arg,
            "--stdio".into(),
            "--no-children".into(),
            "-F".into(),
            "overhead,sym".into(),
            "--percent-limit".into(),
            min_percent.to_string(),
        ],
    )?;
    Ok(parse_report(&report.stdout))
}

/// Parses `perf report --stdio -F overhead,sym` lines: `  12.48%  [.] symbol`.
pub fn parse_report(text: &str) -> Vec<Hotspot> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim();
            let (percent, rest) = line.split_once('%')?;
            let percent: f64 = percent.trim().parse().ok()?;
            let rest = rest.trim_start();
            let (space, symbol) = rest.split_once(' ')?;
            if !(space.starts_with('[') && space.ends_with(']')) {
                return None;
            }
            Some(Hotspot {
                percent,
                space: space.to_string(),
                symbol: symbol.trim().to_string(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_lines_give_values_units_and_unsupported_events() {
        let text = "# started on x\n\n0.90,msec,task-clock,896909,100.00,0.009,CPUs utilized\n\
                    76,,page-faults,896909,100.00,84.735,K/sec\n<not supported>,,instructions,0,100.00,,\n";
        let c = parse_csv(text);
        assert_eq!(c.len(), 3);
        assert_eq!(
            (c[0].event.as_str(), c[0].value, c[0].unit.as_str()),
            ("task-clock", Some(0.9), "msec")
        );
        assert_eq!(c[1].value, Some(76.0));
        assert_eq!((c[2].event.as_str(), c[2].value), ("instructions", None));
    }

    #[test]
    fn report_lines_give_percent_space_and_symbol() {
        let text = "# Samples: 809\n#\n    12.48%  [.] __memcmp_evex_movbe\n     1.48%  [k] exc_page_fault\n\
                    \n     9.77%  [.] bytes::bytes::promotable_even_clone\n";
        let h = parse_report(text);
        assert_eq!(h.len(), 3);
        assert_eq!((h[0].percent, h[0].space.as_str()), (12.48, "[.]"));
        assert_eq!(h[1].symbol, "exc_page_fault");
        assert_eq!(h[2].symbol, "bytes::bytes::promotable_even_clone");
    }

    #[test]
    fn hardware_events_are_asked_for_only_when_supported() {
        let mut s = Support {
            perf: true,
            hardware: false,
            note: String::new(),
        };
        assert_eq!(s.events().len(), 4);
        s.hardware = true;
        assert!(s.events().contains(&"instructions"));
    }
}
