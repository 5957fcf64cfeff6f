//! `shredding-pipeline`: the parallel Contact-to-Parquet pipeline study, measured here.
//!
//! The study (write-up: `papers/shredding-pipeline/README.md`) generated 10M nested Contact
//! records and wrote them as Parquet in parallel: 3.7 s → 0.44–0.58 s on a 16-thread
//! machine, ~140 ns/record to generate and ~130 ns/record to write on one core, best at a
//! 1:1 split of producers and writers, ~7M records/s per core estimated ceiling. This
//! command measures the same quantities with `shred-gen` on this machine: single-core cost
//! per stage by record batch size ([`stages`]), the throughput grid writers × batch size,
//! the producer:writer split and both encoders ([`runs`], one child process per run,
//! [`process`]), `perf stat` counters where available ([`perf`]), and writes markdown
//! tables ([`report`]), SVG plots ([`plots`]) and the raw samples as JSON, with the
//! machine's core count and CPU model ([`machine`]). Every number is a median of
//! `--repetitions` runs ([`stats`]).
//!
//! Exit codes: 0 success, 1 a measurement or an output file failed, 2 bad usage.

mod machine;
mod perf;
mod plots;
mod process;
mod report;
mod runs;
mod stages;
mod stats;
mod study;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use shred::output::OutputFile;
use shred_gen::DEFAULT_SEED;

use crate::runs::{Pipeline, RunConfig, Runner};
use crate::stages::Encoder;
use crate::study::Settings;

/// Measures the parallel Contact → Parquet pipeline (shred-gen) on this machine and writes
/// the study's tables and plots.
#[derive(Debug, Parser)]
#[command(
    name = "shredding-pipeline",
    version,
    args_conflicts_with_subcommands = true
)]
struct Args {
    /// Records per end-to-end run (the study: 10000000).
    #[arg(long, default_value_t = 10_000_000, value_parser = clap::value_parser!(u64).range(1..))]
    records: u64,
    /// Records per single-core pass (default: --records, at most 2000000).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    single_core_records: Option<u64>,
    /// Record batch sizes to measure.
    #[arg(long, value_delimiter = ',', default_values_t = [1024usize, 2048, 4096, 8192])]
    batch_sizes: Vec<usize>,
    /// Batch size of the split, encoder and breakdown measurements (must be one of
    /// --batch-sizes).
    #[arg(long, default_value_t = 4096)]
    reference_batch: usize,
    /// Records per row group.
    #[arg(long, default_value_t = 1 << 20, value_parser = clap::value_parser!(u64).range(1..))]
    row_group_size: u64,
    /// Repetitions of every measurement; medians are reported.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
    repetitions: u64,
    /// Dataset seed.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
    /// Directory for the report, plots and raw results.
    #[arg(long, default_value = "papers/shredding-pipeline")]
    out: PathBuf,
    /// Directory for the generated Parquet files (a temporary directory inside it is
    /// removed at the end; default: the system temporary directory).
    #[arg(long)]
    scratch: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Runs one pipeline configuration and prints its JSON report (used by the study for
    /// each run; runnable by hand).
    RunOne(RunOneArgs),
}

#[derive(Debug, clap::Args)]
struct RunOneArgs {
    /// Pipeline architecture.
    #[arg(long, value_enum, default_value_t = PipelineArg::Shredkit)]
    pipeline: PipelineArg,
    /// Records to write.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    records: u64,
    /// Producer threads.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    producers: u64,
    /// Writers (files).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    writers: u64,
    /// Record batch size.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    batch_size: u64,
    /// Records per row group.
    #[arg(long, default_value_t = 1 << 20, value_parser = clap::value_parser!(u64).range(1..))]
    row_group_size: u64,
    /// Write path.
    #[arg(long, value_enum)]
    encoder: EncoderArg,
    /// Dataset seed.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
    /// Output directory.
    #[arg(long)]
    dir: PathBuf,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum PipelineArg {
    /// The study's: Arrow batches → one ArrowWriter thread.
    Study,
    /// shred-gen's: row groups encoded in parallel by the producers.
    Shredkit,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum EncoderArg {
    Arrow,
    Dremel,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = match &args.command {
        Some(Command::RunOne(one)) => run_one(one),
        None => study(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("shredding-pipeline: {e:#}");
            let usage = e
                .downcast_ref::<shred_gen::error::GenError>()
                .is_some_and(|g| g.exit_code() == 2);
            ExitCode::from(if usage { 2 } else { 1 })
        }
    }
}

fn run_one(args: &RunOneArgs) -> Result<()> {
    let config = RunConfig {
        pipeline: match args.pipeline {
            PipelineArg::Study => Pipeline::Study,
            PipelineArg::Shredkit => Pipeline::Shredkit,
        },
        records: args.records,
        producers: args.producers as usize,
        writers: args.writers,
        batch_size: args.batch_size as usize,
        row_group_size: args.row_group_size,
        encoder: match args.encoder {
            EncoderArg::Arrow => Encoder::Arrow,
            EncoderArg::Dremel => Encoder::Dremel,
        },
        seed: args.seed,
    };
    let report = runs::run_here(&config, &args.dir)?;
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}

fn study(args: &Args) -> Result<()> {
    if !args.batch_sizes.contains(&args.reference_batch) {
        return Err(shred_gen::error::GenError::Usage(format!(
            "--reference-batch {} is not one of --batch-sizes {:?}",
            args.reference_batch, args.batch_sizes
        ))
        .into());
    }
    if args.batch_sizes.contains(&0) {
        return Err(
            shred_gen::error::GenError::Usage("--batch-sizes must be at least 1".into()).into(),
        );
    }
    let cores = machine::Machine::detect().cores;
    let settings = Settings {
        records: args.records,
        single_core_records: args
            .single_core_records
            .unwrap_or(args.records.min(2_000_000)),
        batch_sizes: args.batch_sizes.clone(),
        reference_batch: args.reference_batch,
        row_group_size: args.row_group_size,
        repetitions: args.repetitions as usize,
        seed: args.seed,
        cores,
    };
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("{}: cannot create", args.out.display()))?;
    let scratch = study::scratch_dir(args.scratch.as_ref())?;
    let mut runner = Runner {
        exe: std::env::current_exe().context("cannot find this program's path")?,
        scratch: scratch.path().to_path_buf(),
        count: 0,
    };
    let results = study::run(settings, &mut runner, scratch.path(), &mut |line| {
        eprintln!("{line}");
    })?;
    let command = command_line(args);
    let markdown = report::markdown_report(&results, &command);
    print!("{markdown}");
    let mut written = vec![write_file(&args.out, "results.md", &markdown)?];
    written.push(write_file(
        &args.out,
        "results.json",
        &serde_json::to_string_pretty(&results)?,
    )?);
    for (name, svg) in [
        ("single_core.svg", plots::single_core_svg(&results)?),
        ("breakdown.svg", plots::breakdown_svg(&results)?),
        ("grid.svg", plots::grid_svg(&results)?),
        ("split.svg", plots::split_svg(&results)?),
    ] {
        written.push(write_file(&args.out, name, &svg)?);
    }
    for path in written {
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

/// The command line that reproduces this run (the binary's name, not its path).
fn command_line(args: &Args) -> String {
    let mut line = format!(
        "cargo run --release -p papers --bin shredding-pipeline -- --records {}",
        args.records
    );
    if let Some(n) = args.single_core_records {
        line.push_str(&format!(" --single-core-records {n}"));
    }
    if args.repetitions != 5 {
        line.push_str(&format!(" --repetitions {}", args.repetitions));
    }
    if args.row_group_size != 1 << 20 {
        line.push_str(&format!(" --row-group-size {}", args.row_group_size));
    }
    line.push_str(&format!(" --out {}", args.out.display()));
    line
}

fn write_file(dir: &Path, name: &str, text: &str) -> Result<PathBuf> {
    let path = dir.join(name);
    let mut file = OutputFile::create(&path)?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("{}: cannot write", path.display()))?;
    Ok(file.commit()?)
}
