//! The `shred-gen` binary on schema-driven datasets (`--preset`, `--schema`/`--spec`): every
//! codec reaches the footer, the JSON summary names the dataset, and an interrupted run
//! removes its unfinished files (`CARGO_BIN_EXE_shred-gen`).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;
use std::time::Duration;

use assert_cmd::Command;
use parquet::file::reader::{FileReader, SerializedFileReader};

fn shred_gen() -> Command {
    Command::new(env!("CARGO_BIN_EXE_shred-gen"))
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

#[test]
fn every_codec_reaches_the_footer_of_a_preset() {
    use shred::codec::same_codec;
    for spelling in ["none", "snappy", "gzip:9", "lz4", "zstd", "brotli"] {
        let dir = tempfile::tempdir().unwrap();
        shred_gen()
            .args(["--preset", "tpch", "--target-records", "200", "--quiet"])
            .args(["--compression", spelling, "--verify", "--output-dir"])
            .arg(dir.path())
            .assert()
            .success();
        let files = parquet_files(dir.path());
        assert_eq!(files.len(), 1, "{spelling}");
        assert!(files[0].ends_with("tpch.parquet"), "{files:?}");
        let expected = shred::codec::parse_codec(spelling).unwrap();
        let file = SerializedFileReader::new(File::open(&files[0]).unwrap()).unwrap();
        assert_eq!(file.metadata().file_metadata().num_rows(), 200);
        for column in file.metadata().row_group(0).columns() {
            let written = column.compression();
            assert!(same_codec(written, expected), "{spelling}: {written:?}");
        }
    }
}

#[test]
fn json_summary_names_the_dataset_and_no_contact_distribution() {
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
fn interrupted_schema_driven_run_removes_its_unfinished_files() {
    let dir = tempfile::tempdir().unwrap();
    let child = StdCommand::new(env!("CARGO_BIN_EXE_shred-gen"))
        .args(["--preset", "events", "--target-records", "50M", "--quiet"])
        .args(["--num-writers", "2", "--output-dir"])
        .arg(dir.path())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while std::fs::read_dir(dir.path()).unwrap().count() == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the run never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    let pid = i32::try_from(child.id()).unwrap();
    // SAFETY: sends Ctrl-C's signal to our own child process.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("interrupted"), "{stderr}");
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}
