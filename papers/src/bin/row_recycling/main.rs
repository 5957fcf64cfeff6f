//! `row-recycling`: delete-modify-insert vs row recycling, measured on real databases.
//!
//! Reproduces the row-recycling study (`papers/row-recycling/README.md`): loads generated
//! contacts (`shred-gen`, deterministic from a seed) into two identical relational phones
//! tables ([`phones`]), runs the nightly cleaning job ([`job`]) over them chunk by chunk,
//! one transaction per chunk, with delete-modify-insert on one table and row recycling
//! on the other ([`strategy`], [`measure`]), checks that both end with the same rows,
//! fits the per-row costs and compares the measured speedup per `(n, m)` bucket with the
//! study's model ([`model`], [`analysis`]), and writes markdown tables ([`report`]) and
//! SVG plots ([`plots`]). SQLite ([`sqlite_backend`]) by default, PostgreSQL
//! ([`postgres_backend`]) with `--postgres URL`.
//!
//! Exit codes: 0 success, 1 the work failed (database error, final states differ),
//! 2 bad usage.

mod analysis;
mod database;
mod job;
mod measure;
mod model;
mod phones;
mod plots;
mod postgres_backend;
mod report;
mod sqlite_backend;
mod strategy;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Parser;
use shred::output::OutputFile;
use shred_gen::{DEFAULT_SEED, Distribution, Generator};

use crate::database::{Commit, Database, first_difference};
use crate::job::{Job, JobConfig, working_set};
use crate::measure::Tables;
use crate::phones::{PhoneRow, contact_rows};
use crate::report::RunReport;

/// Delete-modify-insert vs row recycling on SQLite or PostgreSQL: measured per-row costs,
/// measured vs predicted speedup per (n, m) bucket, markdown tables and SVG plots.
#[derive(Debug, Clone, Parser)]
#[command(name = "row-recycling", version)]
pub struct Args {
    /// Contacts to generate and load (each table gets one row per phone).
    #[arg(long, default_value_t = 200_000, value_parser = clap::value_parser!(u64).range(1..))]
    records: u64,
    /// Contacts the nightly job cleans each night (capped at --records).
    #[arg(long, default_value_t = 20_000, value_parser = at_least_one)]
    working_set: usize,
    /// Nights the job runs; each night visits the whole working set.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..))]
    nights: u32,
    /// Largest growth or shrink of a chunk in one night (rows).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=10))]
    max_step: u32,
    /// Seed of the dataset and of the job.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
    /// Run on the PostgreSQL server at this URL instead of SQLite
    /// (e.g. postgres://postgres@127.0.0.1:55432/shredkit).
    #[arg(long, value_name = "URL")]
    postgres: Option<String>,
    /// SQLite database file (default: a temporary file, removed afterwards).
    #[arg(long, value_name = "FILE", conflicts_with = "postgres")]
    sqlite_file: Option<PathBuf>,
    /// Whether a commit waits for the log flush.
    #[arg(long, value_enum, default_value_t = Commit::Durable)]
    commit: Commit,
    /// Directory for the reports and plots.
    #[arg(long, default_value = "target/row-recycling")]
    out: PathBuf,
    /// Prefix of the two tables' names (`PREFIX_dmi`, `PREFIX_rec`).
    #[arg(long, default_value = "phones")]
    table_prefix: String,
    /// Keep the two tables after the run (default: drop them).
    #[arg(long)]
    keep_tables: bool,
    /// Only write the model's tables and plots; touch no database.
    #[arg(long)]
    model_only: bool,
}

/// Parses a count that must be at least 1.
fn at_least_one(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(files) => {
            for file in files {
                println!("wrote {}", file.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("row-recycling: error: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// Writes `text` to `dir/name` atomically.
fn write_file(dir: &Path, name: &str, text: &str) -> Result<PathBuf> {
    use std::io::Write;
    let mut file = OutputFile::create(dir.join(name))?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("{}: cannot write", dir.join(name).display()))?;
    Ok(file.commit()?)
}

/// Runs the whole reproduction and returns the files written.
pub fn run(args: &Args) -> Result<Vec<PathBuf>> {
    phones::check_table_name(&args.table_prefix)?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("{}: cannot create the output directory", args.out.display()))?;
    let mut files = vec![
        write_file(&args.out, "model.md", &report::model_markdown())?,
        write_file(
            &args.out,
            "model-surfaces.svg",
            &plots::model_surfaces_svg()?,
        )?,
    ];
    if args.model_only {
        return Ok(files);
    }
    let commit_label = match args.commit {
        Commit::Durable => "durable",
        Commit::NoFlush => "no-flush",
    };
    let (label, report) = match &args.postgres {
        Some(url) => {
            let mut db = postgres_backend::Postgres::connect(url, args.commit)?;
            (
                format!("postgres-{commit_label}"),
                measure_on(&mut db, args)?,
            )
        }
        None => {
            let temp;
            let path = match &args.sqlite_file {
                Some(path) => path.clone(),
                None => {
                    temp = tempfile::tempdir().context("cannot create a temporary directory")?;
                    temp.path().join("phones.sqlite")
                }
            };
            let mut db = sqlite_backend::Sqlite::open(&path, args.commit)?;
            (format!("sqlite-{commit_label}"), measure_on(&mut db, args)?)
        }
    };
    files.push(write_file(
        &args.out,
        &format!("{label}.md"),
        &report.markdown(),
    )?);
    let title = format!(
        "{}: {} phone rows, {} chunks per strategy, measured t_u/t_d = {:.3}",
        report.database.split(" (").next().unwrap_or("database"),
        report.loaded_rows,
        report.totals.chunks,
        report.measured.update_delete_ratio()
    );
    let svg = plots::measured_vs_predicted_svg(
        &title,
        report.measured.update_delete_ratio(),
        &report.buckets,
    )?;
    files.push(write_file(&args.out, &format!("{label}.svg"), &svg)?);
    Ok(files)
}

/// The command line as a user would type it.
fn command_line() -> String {
    let args: Vec<String> = std::env::args().skip(1).collect();
    format!(
        "cargo run --release -p papers --bin row-recycling -- {}",
        args.join(" ")
    )
}

/// Loads, runs the job with both strategies, verifies and analyses, on one database.
fn measure_on(db: &mut dyn Database, args: &Args) -> Result<RunReport> {
    let database = db.describe()?;
    let tables = Tables {
        delete_insert: format!("{}_dmi", args.table_prefix),
        recycling: format!("{}_rec", args.table_prefix),
    };
    let generator = Generator::new(args.seed, Distribution::default());

    eprintln!("row-recycling: {database}");
    eprintln!(
        "row-recycling: loading {} contacts into {} and {}",
        args.records, tables.delete_insert, tables.recycling
    );
    let started = Instant::now();
    for table in [&tables.delete_insert, &tables.recycling] {
        db.create_table(table)?;
    }
    let mut contacts = Vec::new();
    let mut rows: Vec<PhoneRow> = Vec::new();
    let mut loaded_rows = 0u64;
    const BATCH: u64 = 100_000;
    let mut start = 0;
    while start < args.records {
        let count = BATCH.min(args.records - start);
        contacts.clear();
        generator.fill(start, count as usize, &mut contacts);
        rows.clear();
        for (offset, contact) in contacts.iter().enumerate() {
            contact_rows((start + offset as u64) as i64, contact, &mut rows);
        }
        for table in [&tables.delete_insert, &tables.recycling] {
            db.load(table, &rows)?;
        }
        loaded_rows += rows.len() as u64;
        start += count;
    }
    for table in [&tables.delete_insert, &tables.recycling] {
        db.finish_load(table)?;
    }
    let load_s = started.elapsed().as_secs_f64();
    eprintln!("row-recycling: loaded {loaded_rows} rows per table in {load_s:.1} s");

    let ids = working_set(args.seed, args.records, args.working_set);
    let chunks: Vec<(i64, Vec<PhoneRow>)> = ids
        .iter()
        .map(|&id| {
            let mut rows = Vec::new();
            contact_rows(id as i64, &generator.contact(id), &mut rows);
            (id as i64, rows)
        })
        .collect();
    let initial_ws_rows: usize = chunks.iter().map(|(_, r)| r.len()).sum();
    let config = JobConfig {
        seed: args.seed,
        nights: args.nights,
        max_step: args.max_step,
        ..JobConfig::default()
    };
    let mut job = Job::new(config, chunks);
    let started = Instant::now();
    let samples = measure::run_job(db, &tables, &mut job, |night, chunks| {
        eprintln!(
            "row-recycling: night {} done: {chunks} chunks per strategy ({:.1} s)",
            night + 1,
            started.elapsed().as_secs_f64()
        );
    })?;
    let job_wall_s = started.elapsed().as_secs_f64();

    eprintln!("row-recycling: comparing the two tables row by row");
    let dmi = db.rows(&tables.delete_insert)?;
    let rec = db.rows(&tables.recycling)?;
    if let Some(diff) = first_difference(&dmi, &rec) {
        bail!(
            "the strategies ended in different states: {} vs {}: {diff}",
            tables.delete_insert,
            tables.recycling
        );
    }
    let id_list: Vec<i64> = ids.iter().map(|&i| i as i64).collect();
    let expected = job.rows();
    if let Some(diff) = first_difference(&db.rows_of(&tables.delete_insert, &id_list)?, &expected) {
        bail!("the working set does not hold the job's expected rows: {diff}");
    }
    let final_rows = db.count(&tables.recycling)?;
    let expected_count = loaded_rows - initial_ws_rows as u64 + expected.len() as u64;
    if final_rows != expected_count {
        bail!("{final_rows} rows after the job, expected {expected_count}");
    }
    let verification = format!(
        "identical: {final_rows} rows compared row by row; the working set's {} rows equal the job's expected rows",
        expected.len()
    );
    drop((dmi, rec));
    if !args.keep_tables {
        for table in [&tables.delete_insert, &tables.recycling] {
            db.drop_table(table)?;
        }
    }

    let measured = analysis::measure_costs(&samples).context(
        "the job never deleted, inserted or updated a row: too few chunks to measure t_d, t_i, t_u",
    )?;
    let buckets = analysis::buckets(&samples, &measured);
    Ok(RunReport {
        command: command_line(),
        database,
        records: args.records,
        loaded_rows,
        final_rows,
        working_set: ids.len(),
        nights: args.nights,
        seed: args.seed,
        load_s,
        job_wall_s,
        measured,
        totals: analysis::Totals::of(&samples),
        buckets,
        verification,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Arguments for a tiny run writing into `out`.
    pub fn tiny_args(out: &Path, extra: &[&str]) -> Args {
        let mut argv = vec![
            "row-recycling",
            "--records",
            "400",
            "--working-set",
            "150",
            "--nights",
            "3",
        ];
        argv.extend([
            "--commit",
            "no-flush",
            "--out",
            out.to_str().expect("utf-8 temp path"),
        ]);
        argv.extend(extra);
        Args::parse_from(argv)
    }

    /// Checks a finished tiny run's files; returns the run report's text.
    pub fn check_run(files: &[PathBuf], label: &str) -> String {
        let names: Vec<String> = files
            .iter()
            .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        let expected = [
            "model.md",
            "model-surfaces.svg",
            &format!("{label}.md"),
            &format!("{label}.svg"),
        ];
        assert_eq!(names, expected);
        let report = std::fs::read_to_string(&files[2]).unwrap();
        assert!(
            report.contains("| final state ") && report.contains("identical:"),
            "{report}"
        );
        assert!(report.contains("Measured **t_u/t_d = "));
        // The bucket table's header (its cells are padded to the widest time measured).
        assert!(
            report.lines().any(|l| l.starts_with("| n ")
                && l.contains("| chunks ")
                && l.contains("| DMI µs ")),
            "{report}"
        );
        let svg = std::fs::read_to_string(&files[3]).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("predicted vs measured S"));
        report
    }

    #[test]
    fn sqlite_tiny_run_writes_reports_and_plots() {
        let dir = tempfile::tempdir().unwrap();
        let files = run(&tiny_args(dir.path(), &[])).unwrap();
        let report = check_run(&files, "sqlite-no-flush");
        assert!(report.contains("SQLite"));
    }

    #[test]
    fn same_seed_runs_the_same_job() {
        let dir = tempfile::tempdir().unwrap();
        let bucket_counts = |report: &str| -> Vec<String> {
            report
                .lines()
                .filter(|l| l.starts_with("| ") && l.split('|').count() == 15)
                .map(|l| l.split('|').take(4).collect::<Vec<_>>().join("|"))
                .collect()
        };
        let first = check_run(
            &run(&tiny_args(dir.path(), &[])).unwrap(),
            "sqlite-no-flush",
        );
        let second = check_run(
            &run(&tiny_args(dir.path(), &[])).unwrap(),
            "sqlite-no-flush",
        );
        let third = check_run(
            &run(&tiny_args(dir.path(), &["--seed", "7"])).unwrap(),
            "sqlite-no-flush",
        );
        assert!(bucket_counts(&first).len() > 10);
        assert_eq!(
            bucket_counts(&first),
            bucket_counts(&second),
            "same (n, m) chunk counts"
        );
        assert_ne!(
            bucket_counts(&first),
            bucket_counts(&third),
            "another seed, another job"
        );
    }

    #[test]
    fn model_only_touches_no_database() {
        let dir = tempfile::tempdir().unwrap();
        let files = run(&tiny_args(
            dir.path(),
            &[
                "--model-only",
                "--postgres",
                "postgres://nobody@127.0.0.1:1/x",
            ],
        ))
        .unwrap();
        assert_eq!(files.len(), 2);
        assert!(
            std::fs::read_to_string(&files[0])
                .unwrap()
                .contains("t_u/t_d = 2")
        );
    }

    #[test]
    fn zero_counts_are_bad_usage() {
        for flag in ["--records", "--working-set", "--nights"] {
            let err = Args::try_parse_from(["row-recycling", flag, "0"]).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{flag}");
        }
    }

    #[test]
    fn bad_table_prefix_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = run(&tiny_args(dir.path(), &["--table-prefix", "Bad-Name"])).unwrap_err();
        assert!(
            err.to_string().contains("lower-case SQL identifier"),
            "{err}"
        );
    }
}
