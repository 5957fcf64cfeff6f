//! The `shred-gen` command: determinism, parts, verification, dry runs, JSON, errors and
//! interrupted runs (of Contact and of schema-driven datasets), exercised through the
//! binary cargo built for this package (`CARGO_BIN_EXE_shred-gen`).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;
use std::time::Duration;

use assert_cmd::Command;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use predicates::prelude::*;
use shred::contact::Contact;
use shred::contact_arrow::contacts_from_batch;
use shred_gen::{DEFAULT_SEED, Distribution, Generator};

const RECORDS: &str = "12000";

fn shred_gen() -> Command {
    Command::new(env!("CARGO_BIN_EXE_shred-gen"))
}

/// Runs `shred-gen` into `dir` with `args` plus a small dataset; returns the files written.
fn generate(dir: &Path, args: &[&str]) -> Vec<PathBuf> {
    shred_gen()
        .args([
            "--target-records",
            RECORDS,
            "--row-group-size",
            "5000",
            "--quiet",
        ])
        .arg("--output-dir")
        .arg(dir)
        .args(args)
        .assert()
        .success();
    parquet_files(dir)
}

fn parquet_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
        .collect();
    files.sort();
    files
}

fn records(files: &[PathBuf]) -> Vec<Contact> {
    files
        .iter()
        .flat_map(|path| {
            ParquetRecordBatchReaderBuilder::try_new(File::open(path).unwrap())
                .unwrap()
                .build()
                .unwrap()
                .flat_map(|batch| contacts_from_batch(&batch.unwrap()).unwrap())
        })
        .collect()
}

fn bytes(files: &[PathBuf]) -> Vec<Vec<u8>> {
    files.iter().map(|f| std::fs::read(f).unwrap()).collect()
}

#[test]
fn records_do_not_depend_on_threads_batches_writers_or_encoder() {
    let expected: Vec<Contact> = Generator::new(DEFAULT_SEED, Distribution::default())
        .contacts(0..12_000)
        .collect();
    for args in [
        &["--num-producers", "1", "--num-writers", "1"][..],
        &["--num-producers", "2", "--record-batch-size", "333"],
        &["--num-writers", "3", "--record-batch-size", "5000"],
        &[
            "--encoder",
            "arrow",
            "--num-writers",
            "2",
            "--compression",
            "zstd:3",
        ],
    ] {
        let dir = tempfile::tempdir().unwrap();
        let files = generate(dir.path(), args);
        assert_eq!(records(&files), expected, "{args:?}");
    }
}

#[test]
fn same_arguments_give_byte_identical_files_whatever_the_thread_count() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let c = tempfile::tempdir().unwrap();
    let first = generate(a.path(), &["--num-writers", "2", "--num-producers", "2"]);
    let again = generate(b.path(), &["--num-writers", "2", "--num-producers", "2"]);
    let one_thread = generate(c.path(), &["--num-writers", "2", "--num-producers", "1"]);
    assert_eq!(first.len(), 2);
    assert_eq!(bytes(&first), bytes(&again));
    assert_eq!(bytes(&first), bytes(&one_thread));
}

#[test]
fn arrow_dremel_and_direct_encoders_write_byte_identical_files() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let c = tempfile::tempdir().unwrap();
    let arrow = generate(a.path(), &["--encoder", "arrow", "--all-def-states"]);
    let dremel = generate(b.path(), &["--encoder", "dremel", "--all-def-states"]);
    let direct = generate(c.path(), &["--encoder", "direct", "--all-def-states"]);
    assert_eq!(bytes(&arrow), bytes(&dremel));
    assert_eq!(bytes(&direct), bytes(&dremel));
}

#[test]
fn parts_concatenate_to_the_full_dataset_file_for_file() {
    let whole = tempfile::tempdir().unwrap();
    let whole_files = generate(whole.path(), &["--num-writers", "4"]);
    let parts = tempfile::tempdir().unwrap();
    let mut part_files = Vec::new();
    for part in 0..2 {
        let dir = parts.path().join(part.to_string());
        part_files.extend(generate(
            &dir,
            &[
                "--parts",
                "2",
                "--part",
                &part.to_string(),
                "--num-writers",
                "2",
            ],
        ));
    }
    let names = |files: &[PathBuf]| {
        files
            .iter()
            .map(|f| f.file_name().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&part_files), names(&whole_files));
    assert_eq!(bytes(&part_files), bytes(&whole_files));
    let expected: Vec<Contact> = Generator::new(DEFAULT_SEED, Distribution::default())
        .contacts(0..12_000)
        .collect();
    assert_eq!(records(&part_files), expected);
}

#[test]
fn verify_checks_every_record_and_level() {
    let dir = tempfile::tempdir().unwrap();
    shred_gen()
        .args([
            "--target-records",
            RECORDS,
            "--verify",
            "--all-def-states",
            "--quiet",
        ])
        .arg("--output-dir")
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("verified"))
        .stdout(predicate::str::contains("12,000 records"));
}

#[test]
fn json_summary_describes_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = shred_gen()
        .args([
            "--target-records",
            RECORDS,
            "--num-writers",
            "2",
            "--json",
            "--verify",
        ])
        .arg("--output-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["records"], 12_000);
    assert_eq!(summary["files"].as_array().unwrap().len(), 2);
    assert_eq!(summary["verified"]["records"], 12_000);
    assert_eq!(summary["settings"]["compression"], "snappy");
    let on_disk: u64 = parquet_files(dir.path())
        .iter()
        .map(|f| std::fs::metadata(f).unwrap().len())
        .sum();
    assert_eq!(summary["bytes"], on_disk);
    assert!(summary["records_per_s"].as_f64().unwrap() > 0.0);
}

#[test]
fn dry_run_prints_the_plan_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    shred_gen()
        .args([
            "--dry-run",
            "--num-writers",
            "2",
            "--parts",
            "2",
            "--part",
            "1",
        ])
        .arg("--output-dir")
        .arg(&out_dir)
        .assert()
        .success()
        .stdout(predicate::str::contains("contacts-00002-of-00004.parquet"))
        .stdout(predicate::str::contains("contacts-00003-of-00004.parquet"))
        .stdout(predicate::str::contains("7500000..10000000"))
        .stdout(predicate::str::contains("nothing written"));
    assert!(!out_dir.exists());
}

#[test]
fn profile_without_target_records_plans_ten_million_records() {
    let dir = tempfile::tempdir().unwrap();
    let files = generate(&dir.path().join("small"), &["--compression", "none"]);
    let spec = dir.path().join("contact.toml");
    let out_dir = dir.path().join("out");
    let out = shred_gen()
        .args(["--dry-run", "--json", "--profile"])
        .arg(&files[0])
        .arg("--emit-spec")
        .arg(&spec)
        .arg("--output-dir")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["settings"]["target_records"], 10_000_000);
    assert_eq!(plan["records"]["end"], 10_000_000);
    assert!(std::fs::read_to_string(&spec).unwrap().contains("phones"));
    assert!(!out_dir.exists());
}

#[test]
fn bad_flags_are_clear_usage_errors() {
    for (args, message) in [
        (&["--num-writers", "0"][..], "must be at least 1"),
        (&["--target-records", "0"], "must be at least 1"),
        (&["--num-producers", "0"], "must be at least 1"),
        (&["--record-batch-size", "0"], "must be at least 1"),
        (
            &["--compression", "zip"],
            "unknown compression \"zip\"; expected none, snappy, gzip[:level], lz4, lz4_raw, \
             zstd[:level] or brotli[:level]",
        ),
        (
            &["--compression", "zstd:40"],
            "zstd level 40 is outside 1..=22",
        ),
        (&["--encoder", "fast"], "invalid value 'fast'"),
        (&["--part", "2", "--parts", "2"], "--part 2 is out of range"),
        (
            &["--rate", "mobile=0.9"],
            "mobile + work + home must sum to 1",
        ),
        (&["--rate", "nope=1"], "unknown rate \"nope\""),
        (
            &["--target-records", "3", "--num-writers", "4"],
            "fewer than the 4 files",
        ),
    ] {
        shred_gen()
            .args(["--dry-run"])
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message))
            .stderr(predicate::str::contains("panicked").not());
    }
}

/// Every spelling of the codec vocabulary writes the codec `shred::codec` parses it to (the
/// footer records the codec, not its level; the summary echoes the level), as `shred write`
/// does (shred/tests/cli.rs), for Contact and for a schema-driven preset.
#[test]
fn every_codec_spelling_reaches_the_footer() {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use shred::codec::same_codec;
    let datasets = [&[][..], &["--preset", "tpch"][..]];
    for (spelling, dataset) in shred::codec::SPELLINGS
        .iter()
        .flat_map(|s| datasets.iter().map(move |d| (s, d)))
    {
        let dir = tempfile::tempdir().unwrap();
        let out = shred_gen()
            .args(*dataset)
            .args(["--target-records", "300", "--num-writers", "1", "--json"])
            .args(["--compression", spelling, "--output-dir"])
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{spelling} {dataset:?}: {out:?}");
        let expected = shred::codec::parse_codec(spelling).unwrap();
        let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            summary["settings"]["compression"],
            shred::codec::codec_name(expected),
            "{spelling}"
        );
        let files = parquet_files(dir.path());
        assert_eq!(files.len(), 1);
        let file = SerializedFileReader::new(File::open(&files[0]).unwrap()).unwrap();
        for column in file.metadata().row_group(0).columns() {
            let written = column.compression();
            assert!(same_codec(written, expected), "{spelling}: {written:?}");
        }
    }
}

#[test]
fn unwritable_output_directory_fails_with_exit_code_1() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, b"x").unwrap();
    shred_gen()
        .args(["--target-records", "100", "--quiet"])
        .arg("--output-dir")
        .arg(blocker.join("out"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("a-file/out"))
        .stderr(predicate::str::contains("panicked").not());
}

/// A 50M-record run into `dir` (stderr captured) with `args`, returned once it has been
/// writing for a moment.
fn run_in_progress(dir: &Path, args: &[&str]) -> std::process::Child {
    let child = StdCommand::new(env!("CARGO_BIN_EXE_shred-gen"))
        .args(["--target-records", "50M", "--quiet", "--num-writers", "2"])
        .args(args)
        .arg("--output-dir")
        .arg(dir)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while std::fs::read_dir(dir).unwrap().count() == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the run never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    child
}

#[test]
fn killed_run_leaves_nothing_that_looks_finished() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = run_in_progress(dir.path(), &[]);
    child.kill().unwrap();
    child.wait().unwrap();
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(!names.is_empty());
    for name in names {
        assert!(
            name.starts_with('.') && name.contains(".tmp-"),
            "{name} looks finished"
        );
    }
    assert!(parquet_files(dir.path()).is_empty());
}

/// Contact, and a schema-driven preset.
#[test]
fn interrupted_run_removes_its_unfinished_files() {
    for dataset in [&[][..], &["--preset", "events"][..]] {
        let dir = tempfile::tempdir().unwrap();
        let child = run_in_progress(dir.path(), dataset);
        // Ctrl-C's signal.
        let pid = i32::try_from(child.id()).unwrap();
        // SAFETY: sends a signal to our own child process.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
        let output = child.wait_with_output().unwrap();
        assert_eq!(output.status.code(), Some(130), "{dataset:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("interrupted"), "{dataset:?}: {stderr}");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(left.is_empty(), "{dataset:?}: left behind: {left:?}");
    }
}

#[test]
fn json_summary_of_a_schema_names_the_dataset_and_no_contact_distribution() {
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("tiny.schema");
    std::fs::write(&schema, "message m { required int64 id; }").unwrap();
    let out = shred_gen()
        .args(["--target-records", "50", "--json", "--quiet", "--schema"])
        .arg(&schema)
        .arg("--output-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let dataset = summary["settings"]["dataset"].as_str().unwrap();
    assert!(
        dataset.ends_with("tiny.schema with the default spec"),
        "{dataset}"
    );
    assert!(summary["settings"].get("distribution").is_none());
    assert_eq!(summary["records"], 50);
    assert!(dir.path().join("tiny.parquet").exists());
}

#[test]
fn bench_fills_every_table_and_cleans_up() {
    let dir = tempfile::tempdir().unwrap();
    let out = shred_gen()
        .args([
            "bench",
            "--records",
            "3000",
            "--single-core-records",
            "2000",
            "--repeat",
            "1",
        ])
        .args(["--writers", "1,2", "--batch-sizes", "512,1024", "--json"])
        .arg("--output-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["single_core"].as_array().unwrap().len(), 2);
    assert_eq!(report["throughput"].as_array().unwrap().len(), 4);
    let comparison = report["comparison"].as_array().unwrap();
    assert!(comparison.len() >= 3);
    assert_eq!(comparison[0]["speedup"], 1.0);
    assert!(
        comparison[0]["pipeline"]
            .as_str()
            .unwrap()
            .starts_with("study pipeline")
    );
    for row in report["throughput"].as_array().unwrap() {
        assert!(row["wall_s"].as_f64().unwrap() > 0.0);
        assert!(row["peak_rss_bytes"].as_u64().unwrap() > 0);
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "bench files removed"
    );
}

#[test]
fn study_pipeline_writes_the_same_records() {
    let dir = tempfile::tempdir().unwrap();
    let out = shred_gen()
        .args([
            "--target-records",
            RECORDS,
            "--study-pipeline",
            "--num-writers",
            "1",
            "--json",
        ])
        .arg("--output-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["settings"]["encoder"], "study pipeline");
    let files = parquet_files(dir.path());
    let expected: Vec<Contact> = Generator::new(DEFAULT_SEED, Distribution::default())
        .contacts(0..12_000)
        .collect();
    assert_eq!(records(&files), expected);
}
