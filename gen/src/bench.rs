//! `shred-gen bench`: the study's two tables, measured on this machine, plus a same-run
//! comparison with the study's pipeline.
//!
//! 1. **Single core, ns/record by record batch size** (1024, 2048, 4096, 8192): generating
//!    records, and writing them (building/shredding + encoding + appending to an in-memory
//!    Parquet file) with each encoder. Timed with the thread's CPU clock
//!    ([`shred::usage::thread_cpu_time`]) so other processes cannot inflate it; "write" is
//!    (generate + write) − generate on the same records.
//! 2. **Throughput by writers × batch size**: the full pipeline to disk (uncompressed,
//!    producers = cores): wall time, records/s, records/s per core, CPU ns/record, peak
//!    RSS.
//! 3. **Against the study's pipeline** ([`crate::baseline`]), 1 writer, uncompressed: the
//!    baseline, then ours with each encoder on 1 and on all cores (scaling), with the wall
//!    time speed-up over the baseline measured in the same run.
//!
//! Every number is the median of `--repeat` runs. Tables 2 and 3 run each pipeline in its
//! own child process (this executable with `--json`), so every run starts from a fresh heap
//! and reports its own wall time, CPU time and peak RSS. Files go to a fresh temporary
//! directory that is removed afterwards.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use parquet::basic::Compression;
use serde::Serialize;
use shred::usage;
use tabled::builder::Builder;
use tabled::settings::Style;

use crate::Distribution;
use crate::encoder::{EncoderKind, FileFormat, RowGroupEncoder};
use crate::error::{GenError, Result};
use crate::generator::{DEFAULT_SEED, Generator};
use crate::plan::split;
use crate::summary::{group_digits, human_bytes};
use shred::quantity::parse_count;

/// Flags of `shred-gen bench`.
#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// Records per pipeline run (tables 2 and 3).
    #[arg(long, default_value = "10000000", value_parser = parse_count, value_name = "N")]
    pub records: u64,
    /// Records per single-core measurement (table 1).
    #[arg(long, default_value = "2000000", value_parser = parse_count, value_name = "N")]
    pub single_core_records: u64,
    /// Runs per configuration; medians are reported.
    #[arg(long, default_value_t = 3)]
    pub repeat: usize,
    /// Writer counts of table 2.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "1,2,4",
        value_name = "N,N,.."
    )]
    pub writers: Vec<u64>,
    /// Record batch sizes of tables 1 and 2.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "1024,2048,4096,8192",
        value_name = "N,N,.."
    )]
    pub batch_sizes: Vec<usize>,
    /// Encoder of table 2.
    #[arg(long, value_enum, default_value_t = EncoderKind::Direct)]
    pub encoder: EncoderKind,
    /// Directory in which a temporary directory for the runs' files is made.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// Print the results as JSON instead of tables.
    #[arg(long)]
    pub json: bool,
}

/// Table 1 row.
#[derive(Debug, Clone, Serialize)]
pub struct SingleCoreRow {
    /// Record batch size.
    pub batch_size: usize,
    /// Generation, CPU ns per record.
    pub generate_ns: f64,
    /// Writing with the arrow encoder, CPU ns per record.
    pub write_arrow_ns: f64,
    /// Writing with the dremel encoder, CPU ns per record.
    pub write_dremel_ns: f64,
    /// Writing with the direct encoder, CPU ns per record.
    pub write_direct_ns: f64,
}

/// One measured pipeline run (median over repeats).
#[derive(Debug, Clone, Serialize)]
pub struct RunRow {
    /// What ran.
    pub pipeline: String,
    /// Output files.
    pub writers: u64,
    /// Producer threads.
    pub producers: usize,
    /// Record batch size.
    pub batch_size: usize,
    /// Records written.
    pub records: u64,
    /// Median wall seconds.
    pub wall_s: f64,
    /// CPU seconds of that run.
    pub cpu_s: f64,
    /// Records per second.
    pub records_per_s: f64,
    /// Records per second per core of the machine.
    pub records_per_s_per_core: f64,
    /// CPU ns per record.
    pub cpu_ns_per_record: f64,
    /// Peak RSS of that run.
    pub peak_rss_bytes: Option<u64>,
    /// Baseline wall time / this wall time (table 3 only).
    pub speedup: Option<f64>,
}

/// Everything the bench measured.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    /// Cores available.
    pub cores: usize,
    /// Table 1.
    pub single_core: Vec<SingleCoreRow>,
    /// Table 2.
    pub throughput: Vec<RunRow>,
    /// Table 3.
    pub comparison: Vec<RunRow>,
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// CPU ns per record of generating `records` on this thread in batches of `batch_size`.
fn time_generate(generator: &Generator, records: u64, batch_size: usize) -> f64 {
    let mut batch = Vec::new();
    let start = usage::thread_cpu_time();
    for range in split(0..records, batch_size as u64) {
        let count = (range.end - range.start) as usize;
        generator.fill(range.start, count, &mut batch);
        std::hint::black_box(&batch);
    }
    (usage::thread_cpu_time() - start).as_nanos() as f64 / records as f64
}

/// CPU ns per record of generating and writing `records` to an in-memory file.
fn time_generate_and_write(
    generator: &Generator,
    records: u64,
    batch_size: usize,
    kind: EncoderKind,
) -> Result<f64> {
    let row_group_size = 1u64 << 20;
    let format = Arc::new(FileFormat::new(
        Compression::UNCOMPRESSED,
        row_group_size as usize,
    ));
    let encoder = RowGroupEncoder::new(kind, Arc::clone(&format));
    let mut worker = encoder.worker();
    let err = |e| GenError::parquet("(memory)", "bench", e);
    let start = usage::thread_cpu_time();
    let mut file = format.open(Vec::new()).map_err(err)?;
    for rows in split(0..records, row_group_size) {
        let encoded = worker
            .encode(generator, rows, batch_size, |_| {})
            .map_err(|e| GenError::Failed(format!("bench encode failed: {e}")))?;
        worker.recycle(encoded.append_to(&mut file).map_err(err)?);
    }
    std::hint::black_box(file.into_inner().map_err(err)?);
    Ok((usage::thread_cpu_time() - start).as_nanos() as f64 / records as f64)
}

/// One pipeline run as its own process reported it.
struct Measured {
    wall: Duration,
    cpu: Duration,
    peak: Option<u64>,
}

/// Runs `shred-gen` (this executable) once in a child process, so every run starts with a
/// fresh heap and its peak RSS is its own; `encoder: None` runs the study's pipeline.
fn run_child(
    dir: &std::path::Path,
    records: u64,
    writers: u64,
    producers: usize,
    batch_size: usize,
    encoder: Option<EncoderKind>,
) -> Result<Measured> {
    let program = std::env::current_exe().map_err(|source| GenError::Io {
        path: "shred-gen".into(),
        source,
    })?;
    let mut command = std::process::Command::new(&program);
    command
        .args(["--target-records", &records.to_string()])
        .args(["--num-writers", &writers.to_string()])
        .args(["--num-producers", &producers.to_string()])
        .args(["--record-batch-size", &batch_size.to_string()])
        .args(["--compression", "none", "--json", "--quiet"])
        .arg("--output-dir")
        .arg(dir);
    match encoder {
        Some(encoder) => command.args(["--encoder", &encoder.to_string()]),
        None => command.arg("--study-pipeline"),
    };
    let output = command.output().map_err(|source| GenError::Io {
        path: program.clone(),
        source,
    })?;
    if !output.status.success() {
        return Err(GenError::Failed(format!(
            "bench run failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| GenError::Failed(format!("bench run printed no summary: {e}")))?;
    let seconds = |key: &str| {
        summary[key]
            .as_f64()
            .map(Duration::from_secs_f64)
            .ok_or_else(|| GenError::Failed(format!("bench run summary lacks {key}")))
    };
    let measured = Measured {
        wall: seconds("elapsed_s")?,
        cpu: seconds("cpu_s")?,
        peak: summary["peak_rss_bytes"].as_u64(),
    };
    for file in summary["files"].as_array().into_iter().flatten() {
        if let Some(path) = file["path"].as_str() {
            std::fs::remove_file(path).map_err(|source| GenError::Io {
                path: path.into(),
                source,
            })?;
        }
    }
    Ok(measured)
}

#[allow(clippy::too_many_arguments)]
fn row(
    pipeline: String,
    writers: u64,
    producers: usize,
    batch_size: usize,
    records: u64,
    runs: Vec<Measured>,
    cores: usize,
) -> RunRow {
    // The median run by wall time, reported whole.
    let mut runs = runs;
    runs.sort_by_key(|m| m.wall);
    let m = &runs[runs.len() / 2];
    let wall = m.wall.as_secs_f64();
    let records_per_s = records as f64 / wall.max(1e-9);
    RunRow {
        pipeline,
        writers,
        producers,
        batch_size,
        records,
        wall_s: wall,
        cpu_s: m.cpu.as_secs_f64(),
        records_per_s,
        records_per_s_per_core: records_per_s / cores as f64,
        cpu_ns_per_record: m.cpu.as_nanos() as f64 / records as f64,
        peak_rss_bytes: m.peak,
        speedup: None,
    }
}

/// Runs the benchmark; `progress` receives one line per finished measurement.
pub fn bench(args: &BenchArgs, progress: &mut dyn FnMut(&str)) -> Result<BenchReport> {
    if args.repeat == 0 || args.batch_sizes.contains(&0) || args.writers.contains(&0) {
        return Err(GenError::Usage(
            "--repeat, --batch-sizes and --writers must be at least 1".into(),
        ));
    }
    let cores = usage::cores();
    let generator = Generator::new(DEFAULT_SEED, Distribution::default());
    let parent = args.output_dir.clone().unwrap_or_else(std::env::temp_dir);
    std::fs::create_dir_all(&parent).map_err(|source| GenError::Io {
        path: parent.clone(),
        source,
    })?;
    let dir = tempfile::Builder::new()
        .prefix("shred-gen-bench-")
        .tempdir_in(&parent)
        .map_err(|source| GenError::Io {
            path: parent.clone(),
            source,
        })?;

    let mut single_core = Vec::new();
    for &batch_size in &args.batch_sizes {
        let records = args.single_core_records;
        let mut generate = Vec::new();
        let mut arrow = Vec::new();
        let mut dremel = Vec::new();
        let mut direct = Vec::new();
        for _ in 0..args.repeat {
            generate.push(time_generate(&generator, records, batch_size));
            arrow.push(time_generate_and_write(
                &generator,
                records,
                batch_size,
                EncoderKind::Arrow,
            )?);
            dremel.push(time_generate_and_write(
                &generator,
                records,
                batch_size,
                EncoderKind::Dremel,
            )?);
            direct.push(time_generate_and_write(
                &generator,
                records,
                batch_size,
                EncoderKind::Direct,
            )?);
        }
        let generate_ns = median(generate);
        let row = SingleCoreRow {
            batch_size,
            generate_ns,
            write_arrow_ns: median(arrow) - generate_ns,
            write_dremel_ns: median(dremel) - generate_ns,
            write_direct_ns: median(direct) - generate_ns,
        };
        progress(&format!(
            "single core, batch {batch_size}: generate {:.0} ns, write arrow {:.0} ns, write dremel {:.0} ns, write direct {:.0} ns",
            row.generate_ns, row.write_arrow_ns, row.write_dremel_ns, row.write_direct_ns
        ));
        single_core.push(row);
    }

    let mut throughput = Vec::new();
    for &writers in &args.writers {
        for &batch_size in &args.batch_sizes {
            let runs = (0..args.repeat)
                .map(|_| {
                    run_child(
                        dir.path(),
                        args.records,
                        writers,
                        cores,
                        batch_size,
                        Some(args.encoder),
                    )
                })
                .collect::<Result<Vec<_>>>()?;
            let r = row(
                format!("shred-gen {}", args.encoder),
                writers,
                cores,
                batch_size,
                args.records,
                runs,
                cores,
            );
            progress(&format!(
                "writers {writers}, batch {batch_size}: {:.3} s, {} records/s",
                r.wall_s,
                group_digits(r.records_per_s as u64)
            ));
            throughput.push(r);
        }
    }

    let mut comparison = Vec::new();
    let batch_size = 4096;
    let runs = (0..args.repeat)
        .map(|_| run_child(dir.path(), args.records, 1, cores, batch_size, None))
        .collect::<Result<Vec<_>>>()?;
    let baseline = row(
        "study pipeline (1 ArrowWriter thread)".into(),
        1,
        cores,
        batch_size,
        args.records,
        runs,
        cores,
    );
    progress(&format!("baseline: {:.3} s", baseline.wall_s));
    let baseline_wall = baseline.wall_s;
    comparison.push(RunRow {
        speedup: Some(1.0),
        ..baseline
    });
    let mut producer_counts = vec![1, cores];
    producer_counts.dedup();
    for encoder in [EncoderKind::Arrow, EncoderKind::Dremel, EncoderKind::Direct] {
        for &producers in &producer_counts {
            let runs = (0..args.repeat)
                .map(|_| {
                    run_child(
                        dir.path(),
                        args.records,
                        1,
                        producers,
                        batch_size,
                        Some(encoder),
                    )
                })
                .collect::<Result<Vec<_>>>()?;
            let mut r = row(
                format!("shred-gen {encoder}"),
                1,
                producers,
                batch_size,
                args.records,
                runs,
                cores,
            );
            r.speedup = Some(baseline_wall / r.wall_s.max(1e-9));
            progress(&format!(
                "{encoder}, {producers} producers: {:.3} s",
                r.wall_s
            ));
            comparison.push(r);
        }
    }
    Ok(BenchReport {
        cores,
        single_core,
        throughput,
        comparison,
    })
}

fn run_table(rows: &[RunRow], with_speedup: bool) -> String {
    let mut builder = Builder::default();
    let mut header = vec![
        "pipeline",
        "writers",
        "producers",
        "batch",
        "wall s",
        "records/s",
        "records/s/core",
        "CPU ns/record",
        "peak RSS",
    ];
    if with_speedup {
        header.push("speed-up (wall)");
    }
    builder.push_record(header.into_iter().map(String::from));
    for r in rows {
        let mut cells = vec![
            r.pipeline.clone(),
            r.writers.to_string(),
            r.producers.to_string(),
            r.batch_size.to_string(),
            format!("{:.3}", r.wall_s),
            group_digits(r.records_per_s.round() as u64),
            group_digits(r.records_per_s_per_core.round() as u64),
            format!("{:.0}", r.cpu_ns_per_record),
            r.peak_rss_bytes.map_or("-".into(), human_bytes),
        ];
        if with_speedup {
            cells.push(r.speedup.map_or("-".into(), |s| format!("{s:.2}x")));
        }
        builder.push_record(cells);
    }
    let mut table = builder.build();
    table.with(Style::markdown());
    table.to_string()
}

impl BenchReport {
    /// The three tables as Markdown, made for pasting into README files (every other
    /// table of the tools is drawn in the shared style of `shred::cli::table`).
    pub fn tables(&self, args: &BenchArgs) -> String {
        let mut out = String::new();
        out.push_str(&format!(
            "Table 1: single core, CPU ns/record by record batch size ({} records, median of {})\n\n",
            group_digits(args.single_core_records),
            args.repeat
        ));
        let mut builder = Builder::default();
        builder.push_record(
            [
                "batch size",
                "generate",
                "write (arrow)",
                "write (dremel)",
                "write (direct)",
                "total (arrow)",
                "total (dremel)",
                "total (direct)",
            ]
            .map(String::from),
        );
        for r in &self.single_core {
            builder.push_record([
                r.batch_size.to_string(),
                format!("{:.0}", r.generate_ns),
                format!("{:.0}", r.write_arrow_ns),
                format!("{:.0}", r.write_dremel_ns),
                format!("{:.0}", r.write_direct_ns),
                format!("{:.0}", r.generate_ns + r.write_arrow_ns),
                format!("{:.0}", r.generate_ns + r.write_dremel_ns),
                format!("{:.0}", r.generate_ns + r.write_direct_ns),
            ]);
        }
        let mut table = builder.build();
        table.with(Style::markdown());
        out.push_str(&table.to_string());
        out.push_str(&format!(
            "\n\nTable 2: throughput by writers x batch size ({} records, {} encoder, uncompressed, {} cores, median of {})\n\n",
            group_digits(args.records),
            args.encoder,
            self.cores,
            args.repeat
        ));
        out.push_str(&run_table(&self.throughput, false));
        out.push_str(&format!(
            "\n\nTable 3: against the study's pipeline, same run (1 writer, batch 4096, uncompressed, {} cores, median of {})\n\n",
            self.cores, args.repeat
        ));
        out.push_str(&run_table(&self.comparison, true));
        out.push('\n');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_repeat_is_a_usage_error() {
        let args = BenchArgs {
            records: 10,
            single_core_records: 10,
            repeat: 0,
            writers: vec![1],
            batch_sizes: vec![8],
            encoder: EncoderKind::Arrow,
            output_dir: None,
            json: false,
        };
        assert_eq!(bench(&args, &mut |_| {}).unwrap_err().exit_code(), 2);
    }
}
