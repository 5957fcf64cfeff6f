//! The end-of-run report: what was written, how fast, with what resources, as a table or
//! as JSON.
//!
//! Rates are computed from wall time (`elapsed`) and process CPU time (`cpu`, all threads,
//! [`shred::usage::cpu_time`]); "per core" divides by the cores the process may use, so it
//! is comparable across machines of different sizes. MB are 10^6 bytes on disk.

use std::time::Duration;

use serde::Serialize;
use shred::cli::table::render_rows;

use crate::pipeline::WrittenFile;
use crate::verify::Verified;

/// The resolved settings of a run, echoed in the report and in `--dry-run`.
#[derive(Debug, Clone, Serialize)]
pub struct RunSettings {
    /// Seed.
    pub seed: u64,
    /// Records in the whole dataset.
    pub target_records: u64,
    /// This run's part (`0..parts`).
    pub part: u64,
    /// Number of parts.
    pub parts: u64,
    /// Files per part.
    pub num_writers: u64,
    /// Generating and encoding threads.
    pub num_producers: usize,
    /// Records per generated batch.
    pub record_batch_size: usize,
    /// Records per row group.
    pub row_group_size: u64,
    /// Compression codec, as `--compression` spells it.
    pub compression: String,
    /// Write path.
    pub encoder: String,
    /// The Contact dataset's distribution (none for a schema-driven dataset).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distribution: Option<crate::Distribution>,
    /// A schema-driven dataset: its preset, or its schema and spec files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dataset: Option<String>,
}

/// The report of a finished run.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Settings.
    pub settings: RunSettings,
    /// Records written.
    pub records: u64,
    /// Files written.
    pub files: Vec<WrittenFile>,
    /// Total bytes on disk.
    pub bytes: u64,
    /// Wall time of the write, in seconds.
    pub elapsed_s: f64,
    /// CPU time of the write (all threads), in seconds.
    pub cpu_s: f64,
    /// Cores available to the process.
    pub cores: usize,
    /// Records per second of wall time.
    pub records_per_s: f64,
    /// Records per second per core.
    pub records_per_s_per_core: f64,
    /// Megabytes (10^6) on disk per second.
    pub mb_per_s: f64,
    /// CPU nanoseconds per record.
    pub cpu_ns_per_record: f64,
    /// Peak resident memory of the process, in bytes.
    pub peak_rss_bytes: Option<u64>,
    /// What `--verify` checked, when asked.
    pub verified: Option<Verified>,
    /// Wall time of the verification, in seconds.
    pub verify_s: Option<f64>,
    /// CPU time of the verification (all threads), in seconds.
    pub verify_cpu_s: Option<f64>,
}

impl Summary {
    /// The report of a run that wrote `files` in `elapsed` using `cpu`.
    pub fn new(
        settings: RunSettings,
        files: Vec<WrittenFile>,
        elapsed: Duration,
        cpu: Duration,
        cores: usize,
        peak_rss_bytes: Option<u64>,
    ) -> Self {
        let records: u64 = files.iter().map(|f| f.records).sum();
        let bytes: u64 = files.iter().map(|f| f.bytes).sum();
        let secs = elapsed.as_secs_f64().max(1e-9);
        let records_per_s = records as f64 / secs;
        Summary {
            settings,
            records,
            files,
            bytes,
            elapsed_s: elapsed.as_secs_f64(),
            cpu_s: cpu.as_secs_f64(),
            cores,
            records_per_s,
            records_per_s_per_core: records_per_s / cores.max(1) as f64,
            mb_per_s: bytes as f64 / 1e6 / secs,
            cpu_ns_per_record: cpu.as_nanos() as f64 / records.max(1) as f64,
            peak_rss_bytes,
            verified: None,
            verify_s: None,
            verify_cpu_s: None,
        }
    }

    /// The report as a two-column table, in the style every tool shares.
    pub fn table(&self) -> String {
        let mut rows: Vec<[String; 2]> = vec![
            ["records".into(), group_digits(self.records)],
            ["files".into(), self.files.len().to_string()],
            [
                "bytes on disk".into(),
                format!("{} ({})", group_digits(self.bytes), human_bytes(self.bytes)),
            ],
            ["elapsed".into(), format!("{:.3} s", self.elapsed_s)],
            [
                "records/s".into(),
                group_digits(self.records_per_s.round() as u64),
            ],
            [
                format!("records/s per core ({} cores)", self.cores),
                group_digits(self.records_per_s_per_core.round() as u64),
            ],
            ["MB/s".into(), format!("{:.1}", self.mb_per_s)],
            [
                "CPU".into(),
                format!(
                    "{:.3} s ({:.0} ns/record)",
                    self.cpu_s, self.cpu_ns_per_record
                ),
            ],
        ];
        if let Some(dataset) = &self.settings.dataset {
            rows.insert(0, ["dataset".into(), dataset.clone()]);
        }
        if let Some(peak) = self.peak_rss_bytes {
            rows.push(["peak RSS".into(), human_bytes(peak)]);
        }
        rows.push([
            "encoder / compression".into(),
            format!("{} / {}", self.settings.encoder, self.settings.compression),
        ]);
        if let (Some(v), Some(secs)) = (self.verified, self.verify_s) {
            rows.push([
                "verified".into(),
                format!(
                    "{} records, {} level entries, {} row groups",
                    group_digits(v.records),
                    group_digits(v.level_entries),
                    v.row_groups
                ),
            ]);
            let cpu = self
                .verify_cpu_s
                .map(|cpu| format!(", CPU {cpu:.3} s"))
                .unwrap_or_default();
            rows.push([
                "verify time".into(),
                format!(
                    "{secs:.3} s ({:.2}x the generation's wall time){cpu}",
                    secs / self.elapsed_s.max(1e-9)
                ),
            ]);
        }
        render_rows(&rows)
    }
}

/// `1234567` → `1,234,567`.
pub fn group_digits(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Bytes in binary units: `1536` → `1.5 KiB`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> RunSettings {
        RunSettings {
            seed: 42,
            target_records: 2_000_000,
            part: 0,
            parts: 1,
            num_writers: 1,
            num_producers: 2,
            record_batch_size: 4096,
            row_group_size: 1 << 20,
            compression: "none".into(),
            encoder: "dremel".into(),
            distribution: Some(crate::Distribution::default()),
            dataset: None,
        }
    }

    #[test]
    fn rates_follow_from_records_time_and_cores() {
        let files = vec![WrittenFile {
            path: "a.parquet".into(),
            records: 2_000_000,
            row_groups: 2,
            bytes: 50_000_000,
        }];
        let s = Summary::new(
            settings(),
            files,
            Duration::from_secs(2),
            Duration::from_secs(3),
            2,
            Some(1 << 20),
        );
        assert_eq!(s.records_per_s, 1_000_000.0);
        assert_eq!(s.records_per_s_per_core, 500_000.0);
        assert_eq!(s.mb_per_s, 25.0);
        assert_eq!(s.cpu_ns_per_record, 1500.0);
        let table = s.table();
        assert!(table.contains("records/s per core (2 cores)"), "{table}");
        assert!(table.contains("1,000,000"), "{table}");
        assert!(table.contains("1.0 MiB"), "{table}");
    }

    #[test]
    fn digits_are_grouped() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(1000), "1,000");
        assert_eq!(group_digits(10_000_000), "10,000,000");
    }

    #[test]
    fn bytes_are_humanized() {
        assert_eq!(human_bytes(10), "10 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(200 << 20), "200.0 MiB");
    }
}
