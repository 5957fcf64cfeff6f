//! `shred-inspect cat` round-trips through `shred write`: the records a file holds, printed
//! as JSON lines in canonical form, written again under the schema `shred-inspect schema
//! --format message` prints, come back the same.
//!
//! For each file: `schema --format message` → `S`; `cat --format json` → `R`; `shred write
//! --schema S R -o G`; then `cat G --format json` must equal `R` line for line, and `shred
//! verify G` must pass. The files: nested lists, maps and structs from the parquet-testing
//! corpus (written by parquet-mr, arrow-rs) and contacts from `shred-gen` over several row
//! groups.

use std::path::{Path, PathBuf};

use shred_tests::tools::{Tool, run};

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// Runs the round trip on `file`; returns the number of records it compared.
fn round_trip(file: &Path, dir: &Path) -> usize {
    let name = file.file_stem().unwrap().to_string_lossy().into_owned();
    let schema = dir.join(format!("{name}.schema"));
    let records = dir.join(format!("{name}.ndjson"));
    let again = dir.join(format!("{name}.again.parquet"));
    std::fs::write(
        &schema,
        run(
            Tool::ShredInspect,
            ["schema", s(file), "--format", "message"],
        ),
    )
    .unwrap();
    let cat = run(Tool::ShredInspect, ["cat", s(file), "--format", "json"]);
    std::fs::write(&records, &cat).unwrap();
    run(
        Tool::Shred,
        [
            "write",
            "--schema",
            s(&schema),
            s(&records),
            "-o",
            s(&again),
        ],
    );
    let cat_again = run(Tool::ShredInspect, ["cat", s(&again), "--format", "json"]);
    for (i, (a, b)) in cat.lines().zip(cat_again.lines()).enumerate() {
        assert_eq!(
            a,
            b,
            "{}: record {i} differs after the round trip",
            file.display()
        );
    }
    assert_eq!(
        cat.lines().count(),
        cat_again.lines().count(),
        "{}",
        file.display()
    );
    run(Tool::Shred, ["verify", s(&again)]);
    cat.lines().count()
}

#[test]
fn corpus_nested_files_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let corpus: PathBuf = shred_tests::fixture("parquet-testing").join("data");
    for (name, records) in [
        ("nested_lists.snappy.parquet", 3),
        ("nested_maps.snappy.parquet", 6),
        ("nested_structs.rust.parquet", 1),
        ("repeated_no_annotation.parquet", 6),
    ] {
        assert_eq!(
            round_trip(&corpus.join(name), dir.path()),
            records,
            "{name}"
        );
    }
}

#[test]
fn generated_contacts_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    run(
        Tool::ShredGen,
        [
            "--target-records",
            "5000",
            "--row-group-size",
            "2000",
            "--output-dir",
            s(dir.path()),
            "--quiet",
        ],
    );
    let file = dir.path().join("contacts.parquet");
    assert_eq!(round_trip(&file, dir.path()), 5000);
}
