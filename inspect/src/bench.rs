//! `bench`: how fast `levels --format json` prints a Contact file, against two baselines.
//!
//! The benchmark: `levels --format json` on a 10M-record Contact file, output
//! to `/dev/null`, on one core (the command is single-threaded). Three measurements run
//! in the same process, on the same file, each `--runs` times (the table shows medians):
//!
//! - `read levels only`: every column chunk read batch by batch through
//!   [`crate::column_chunk`], entries counted, nothing printed: the floor set by Parquet
//!   decoding.
//! - `json via serde_json::Value`: the same entries printed by building a
//!   `serde_json::Value` per entry: the obvious implementation, the baseline.
//! - `levels --format json`: the real command ([`crate::run_cli`]), with its fast writer
//!   ([`shred::entry_json`]), to a buffered `/dev/null`.
//!
//! CPU time is the thread's CPU clock ([`shred::usage::thread_cpu_time`]), peak RSS the
//! process's high-water mark ([`shred::usage::peak_rss`]), reset before each run
//! ([`shred::usage::reset_peak_rss`]) so generating the file does not count.
//!
//! The file comes from `shred-gen` (`inspect/bench/levels_json.sh` writes it:
//! `--compression none --num-writers 1`).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::time::Instant;

use serde_json::json;
use shred::cli::table;
use shred::record::leaf_json;
use shred::usage;

use crate::CliFormat;
use crate::cli::{BenchArgs, Cli, Command, LevelsArgs};
use crate::column_chunk::{BATCH_RECORDS, ChunkStripes};
use crate::error::{Error, Result};
use crate::parquet_file::{Need, ParquetFile};

/// One measurement: wall and CPU seconds and peak RSS of one run.
#[derive(Debug, Clone, Copy)]
struct Sample {
    wall: f64,
    cpu: f64,
    rss_kib: u64,
}

/// Runs the benchmark and prints its table.
pub fn bench(args: &BenchArgs, out: &mut dyn Write) -> Result<()> {
    let runs = args.runs.max(1);
    let path = &args.file;
    let name = path.display().to_string();
    let file = ParquetFile::open(path, Need::Reader, &Default::default())?;
    let records = file.metadata().file_metadata().num_rows();
    let cores = usage::cores();
    writeln!(
        out,
        "file {name}: {records} records, {} row groups, {} bytes; {cores} cores, single-threaded, {runs} runs each (median)",
        file.metadata().num_row_groups(),
        file.len
    )?;
    out.flush()?;

    let mut entries = 0u64;
    let read_only = measure(runs, || {
        entries = read_levels(&file)?;
        Ok(())
    })?;
    let naive = measure(runs, || naive_json(&file, &mut dev_null(&name)?))?;
    let cli = Cli {
        format: CliFormat::Json,
        command: Command::Levels(LevelsArgs {
            files: vec![path.to_path_buf()],
            columns: Vec::new(),
            row_group: None,
            records: None,
            limit: None,
            keys: Default::default(),
        }),
    };
    let fast = measure(runs, || crate::run_cli(&cli, &mut dev_null(&name)?))?;

    let row = |what: &str, s: Sample, baseline: Option<Sample>| {
        vec![
            what.to_string(),
            entries.to_string(),
            format!("{:.3}", s.wall),
            format!("{:.3}", s.cpu),
            format!("{:.1}", entries as f64 / s.wall / 1e6),
            format!("{:.1}", entries as f64 / s.cpu / 1e6),
            format!("{:.1}", s.cpu * 1e9 / entries.max(1) as f64),
            format!("{:.1}", s.rss_kib as f64 / 1024.0),
            baseline.map_or("-".into(), |b| format!("{:.2}x", b.wall / s.wall)),
        ]
    };
    let rows = vec![
        row("read levels only (no output)", read_only, None),
        row("json via serde_json::Value (baseline)", naive, Some(naive)),
        row("levels --format json", fast, Some(naive)),
    ];
    let header = [
        "measurement",
        "entries",
        "wall s",
        "cpu s",
        "M entries/s",
        "M entries/s/core",
        "cpu ns/entry",
        "peak RSS MiB",
        "speed vs baseline",
    ];
    writeln!(out, "{}", table::render(&header, &rows))?;
    Ok(())
}

fn dev_null(name: &str) -> Result<BufWriter<File>> {
    let f = File::create("/dev/null")
        .map_err(|e| Error::input(name, format!("cannot open /dev/null: {e}")))?;
    Ok(BufWriter::with_capacity(1 << 16, f))
}

/// Runs `work` `runs` times; returns the median wall time, with that run's CPU and RSS.
fn measure(runs: usize, mut work: impl FnMut() -> Result<()>) -> Result<Sample> {
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        usage::reset_peak_rss();
        let cpu0 = usage::thread_cpu_time();
        let t0 = Instant::now();
        work()?;
        let wall = t0.elapsed().as_secs_f64();
        let cpu = usage::thread_cpu_time().saturating_sub(cpu0).as_secs_f64();
        samples.push(Sample {
            wall,
            cpu: if cpu > 0.0 { cpu } else { wall },
            rss_kib: usage::peak_rss().map_or(0, |bytes| bytes / 1024),
        });
    }
    samples.sort_by(|a, b| a.wall.total_cmp(&b.wall));
    Ok(samples[samples.len() / 2])
}

/// Reads every entry of every column; returns the number of entries.
fn read_levels(file: &ParquetFile) -> Result<u64> {
    let mut entries = 0u64;
    for rg in 0..file.metadata().num_row_groups() {
        for leaf in 0..file.schema.leaves().len() {
            let mut chunk = ChunkStripes::open(file, rg, leaf)?;
            while chunk.next_batch(BATCH_RECORDS)?.is_some() {
                entries += chunk.stripe.len() as u64;
            }
        }
    }
    Ok(entries)
}

/// The baseline: the same JSON lines, one `serde_json::Value` per entry.
fn naive_json(file: &ParquetFile, out: &mut dyn Write) -> Result<()> {
    for rg in 0..file.metadata().num_row_groups() {
        for leaf in 0..file.schema.leaves().len() {
            let mut chunk = ChunkStripes::open(file, rg, leaf)?;
            while let Some(batch) = chunk.next_batch(BATCH_RECORDS)? {
                let l = chunk.leaf;
                for e in chunk.stripe.entries(l.max_def) {
                    let value = e.value.map_or(serde_json::Value::Null, |i| {
                        leaf_json(l, &chunk.stripe.values, i)
                    });
                    let line = json!({"column": l.path, "row_group": rg, "record": batch.first_record + e.record as u64,
                                      "r": e.r, "d": e.d, "value": value});
                    serde_json::to_writer(&mut *out, &line).map_err(std::io::Error::from)?;
                    out.write_all(b"\n")?;
                }
            }
        }
    }
    out.flush()?;
    Ok(())
}
