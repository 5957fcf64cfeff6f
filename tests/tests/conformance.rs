//! Conformance: every command over every Parquet file of the apache/parquet-testing corpus,
//! each with the outcome the corpus gives the file.
//!
//! The corpus every Parquet implementation tests against is vendored in
//! `tests/data/parquet-testing` (its `COMMIT` names the upstream commit): `data/` (valid
//! files, written by many writers, some with quirks other readers tolerate), `bad_data/`
//! (files made to show one defect each, `bad_data/README.md`), `shredded_variant/` (one
//! file per VARIANT case of `cases.json`). Every `*.parquet` and `*.parquet.encrypted`
//! file runs through `shred-inspect` `schema`, `meta`, `pages`, `histogram`, `levels`,
//! `record 0` (in process, [`shred_inspect::run`], JSON output) and `shred verify`
//! ([`shred::verify::verify_file`]). [`EXPECTED`] lists, per file and command, everything
//! that is not a plain success: an error that must name the cause the file was made to show,
//! or a success that must say something (a footer repair). Every other file and command
//! must succeed; an entry of the table that no longer applies fails the test too, so the
//! table cannot go stale.
//!
//! Where the corpus states a file's contents (the `*_expect.csv` files, the notes of
//! `data/*.md`), the values our tools read are compared with them.
//!
//! `data/large_string_map.brotli.parquet` holds a 1 GiB string: `schema`, `meta` and
//! `pages` run on it here; the commands that decode it take minutes and GBs in a debug
//! build, so [`large_string_map_decodes`] runs them only with `SHREDKIT_CONFORMANCE_LARGE`
//! set, which `.ci/run` does in a release build.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value as Json;

/// The vendored corpus.
fn corpus() -> PathBuf {
    shred_tests::fixture("parquet-testing")
}

/// The 1 GiB-string file, decoded only by [`large_string_map_decodes`].
const LARGE_STRING_MAP: &str = "data/large_string_map.brotli.parquet";

/// One command as the test runs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Command {
    Schema,
    Meta,
    Pages,
    Histogram,
    Levels,
    Record,
    Verify,
}

use Command::*;

const ALL: &[Command] = &[Schema, Meta, Pages, Histogram, Levels, Record, Verify];
/// The commands that read column data.
const READING: &[Command] = &[Pages, Histogram, Levels, Record, Verify];
/// The commands that decode values.
const DECODING: &[Command] = &[Histogram, Levels, Record, Verify];

/// What a command must do on a file, when not simply succeed.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// Succeeds, and its output contains the text.
    Shows(&'static str),
    /// Fails, and its error message contains the text.
    Fails(&'static str),
}

use Expect::*;

/// The files with an encrypted footer (`PARE`).
const ENCRYPTED_FOOTER: &[&str] = &[
    "data/aes256/encrypt_columns_and_footer.parquet.encrypted",
    "data/aes256/encrypt_columns_and_footer_ctr.parquet.encrypted",
    "data/aes256/encrypt_columns_and_footer_disable_aad_storage.parquet.encrypted",
    "data/aes256/uniform_encryption.parquet.encrypted",
    "data/encrypt_columns_and_footer.parquet.encrypted",
    "data/encrypt_columns_and_footer_aad.parquet.encrypted",
    "data/encrypt_columns_and_footer_bloom_filter.parquet.encrypted",
    "data/encrypt_columns_and_footer_ctr.parquet.encrypted",
    "data/encrypt_columns_and_footer_disable_aad_storage.parquet.encrypted",
    "data/external_key_material_java.parquet.encrypted",
    "data/uniform_encryption.parquet.encrypted",
];

/// Every outcome that is not a plain success, other than [`ENCRYPTED_FOOTER`]: (file,
/// commands, expectation).
const EXPECTED: &[(&str, &[Command], Expect)] = &[
    // Footers other readers tolerate: read, with the repair said.
    (
        "data/dict-page-offset-zero.parquet",
        &[Meta],
        Shows(
            "dictionary_page_offset is 0, the offset of the file's magic number: read as no dictionary page",
        ),
    ),
    (
        "data/dict-page-offset-zero.parquet",
        &[Verify],
        Shows("bloom_filter_length (15) is a list<struct> where the format has i32: skipped"),
    ),
    (
        "data/nation.dict-malformed.parquet",
        &[Meta, Verify],
        Shows("total_compressed_size is 322, which leaves out the 15-byte dictionary page header"),
    ),
    (
        "data/repeated_no_annotation.parquet",
        &[Meta, Verify],
        Shows("num_rows is 0, but the row groups hold 6 rows"),
    ),
    // A file of no rows has no record 0.
    (
        "data/column_chunk_key_value_metadata.parquet",
        &[Record],
        Fails("no record 0: the file has 0 records"),
    ),
    // Plaintext footers with encrypted columns: the column is named.
    (
        "data/encrypt_columns_plaintext_footer.parquet.encrypted",
        READING,
        Fails(
            "column float_field is encrypted (Parquet modular encryption) with column key \"kc2\"",
        ),
    ),
    (
        "data/aes256/encrypt_columns_plaintext_footer.parquet.encrypted",
        READING,
        Fails(
            "column boolean_field is encrypted (Parquet modular encryption) with column key \"kc3\"",
        ),
    ),
    // bad_data/README.md: each file fails on the cause it was made to show.
    (
        "bad_data/PARQUET-1481.parquet",
        ALL,
        Fails("Unexpected Type -7"),
    ),
    (
        "bad_data/ARROW-RS-GH-6229-DICTHEADER.parquet",
        &[Pages, Histogram, Levels, Record],
        Fails(
            "column region_key: the column chunk (offset 466, 125 bytes) lies past the end of the file (533 bytes); row group 0, column comment_col: the column chunk (offset 591, 2002 bytes) lies past the end of the file (533 bytes); row group 0, column nation_key: the header of its first page, a data page, is corrupt: field num_values has thrift type 4, expected i32; row group 0, column name: the header of its first page, a dictionary page, is corrupt: negative num_values -26",
        ),
    ),
    (
        "bad_data/ARROW-RS-GH-6229-DICTHEADER.parquet",
        &[Verify],
        Fails(
            "column region_key: the column chunk (offset 466, 125 bytes) lies past the end of the file (533 bytes)",
        ),
    ),
    (
        "bad_data/ARROW-RS-GH-6229-LEVELS.parquet",
        DECODING,
        Fails("column outer.list.item.c: Insufficient repetition levels read from column"),
    ),
    (
        "bad_data/ARROW-GH-41321.parquet",
        &[Pages],
        Fails(
            "column large_binary, page 2: corrupt page header at offset 4561: it runs past the end of the column chunk",
        ),
    ),
    (
        "bad_data/ARROW-GH-41321.parquet",
        DECODING,
        Fails("column int64: Invalid or corrupted RLE bit width 254"),
    ),
    (
        "bad_data/ARROW-GH-41317.parquet",
        &[Meta],
        Shows("encodings is a list<i16> where the format has list<i32>: read as list<i32>"),
    ),
    (
        "bad_data/ARROW-GH-41317.parquet",
        &[Histogram, Levels],
        Fails(
            "column timestamp_us_no_tz: corrupt column chunk: 0 records, but the row group has 3",
        ),
    ),
    (
        "bad_data/ARROW-GH-41317.parquet",
        &[Record],
        Fails("column timestamp_us_no_tz: corrupt column chunk: it ends before record 0"),
    ),
    (
        "bad_data/ARROW-GH-41317.parquet",
        &[Verify],
        Fails("column timestamp_us_no_tz has 0 records where column boolean has 3"),
    ),
    (
        "bad_data/ARROW-GH-45185.parquet",
        &[Histogram, Levels, Record],
        Fails(
            "column x.list.element: corrupt column chunk: its first repetition level is 1, but every record starts with r = 0",
        ),
    ),
    (
        "bad_data/ARROW-GH-45185.parquet",
        &[Verify],
        Fails("column x.list.element, entry 0: a record does not start with r=0"),
    ),
    (
        "bad_data/ARROW-GH-47662.parquet",
        DECODING,
        Fails(
            "column flba_field: Invalid FIXED_LEN_BYTE_ARRAY PLAIN data page payload length: expected 400 bytes (100 values of 4 bytes), got 364",
        ),
    ),
];

/// Runs `command` on `file` (a path under the corpus); `Ok(output)` or `Err(message)`.
fn run(command: Command, file: &str) -> Result<String, String> {
    let path = corpus().join(file);
    let path_text = path.to_str().expect("UTF-8 path").to_string();
    let args: Vec<String> = match command {
        Schema => vec!["schema".into(), path_text],
        Meta => vec!["meta".into(), path_text],
        Pages => vec!["pages".into(), path_text],
        Histogram => vec!["histogram".into(), path_text],
        Levels => vec!["levels".into(), path_text],
        Record => vec!["record".into(), path_text, "0".into()],
        Verify => {
            return shred::verify::verify_file(&path, 1024)
                .map(|summary| format!("{summary:?}"))
                .map_err(|e| e.to_string());
        }
    };
    let mut out = Vec::new();
    let mut line = vec!["shred-inspect".to_string()];
    line.extend(args);
    line.extend(["--format".into(), "json".into()]);
    shred_inspect::run(line, &mut out)
        .map(|()| String::from_utf8(out).expect("UTF-8 output"))
        .map_err(|e| e.to_string())
}

/// Every Parquet file of the corpus, as paths relative to it, sorted.
fn corpus_files() -> Vec<String> {
    fn walk(dir: &Path, root: &Path, files: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, root, files);
            } else {
                let name = path.to_str().unwrap();
                if name.ends_with(".parquet") || name.ends_with(".parquet.encrypted") {
                    let relative = path.strip_prefix(root).unwrap();
                    files.push(relative.to_str().unwrap().to_string());
                }
            }
        }
    }
    let root = corpus();
    let mut files = Vec::new();
    walk(&root, &root, &mut files);
    files.sort();
    files
}

/// The expectation for `file` and `command`, if the table has one.
fn expectation(file: &str, command: Command) -> Option<Expect> {
    if ENCRYPTED_FOOTER.contains(&file) {
        return Some(Fails("the footer is encrypted (PARE magic)"));
    }
    let mut found = EXPECTED
        .iter()
        .filter(|(f, commands, _)| *f == file && commands.contains(&command));
    let first = found.next().map(|e| e.2);
    assert!(
        found.next().is_none(),
        "EXPECTED has two entries for {file} {command:?}"
    );
    first
}

/// Runs `command` over every file and checks each outcome against [`EXPECTED`]; returns
/// the number of files checked.
fn check_command(command: Command) -> usize {
    let files = corpus_files();
    let mut failures = Vec::new();
    let mut checked = 0;
    for file in &files {
        if file == LARGE_STRING_MAP && DECODING.contains(&command) {
            continue;
        }
        checked += 1;
        let outcome = run(command, file);
        let failure = match (expectation(file, command), &outcome) {
            (None, Ok(_)) => None,
            (None, Err(e)) => Some(format!("expected success, got: {e}")),
            (Some(Shows(text)), Ok(out)) if out.contains(text) => None,
            (Some(Shows(text)), Ok(_)) => Some(format!("output does not contain {text:?}")),
            (Some(Shows(text)), Err(e)) => Some(format!("expected output with {text:?}, got: {e}")),
            (Some(Fails(text)), Err(e)) if e.contains(text) => None,
            (Some(Fails(text)), Err(e)) => {
                Some(format!("expected an error with {text:?}, got: {e}"))
            }
            (Some(Fails(text)), Ok(_)) => {
                Some(format!("expected an error with {text:?}, got success"))
            }
        };
        if let Some(failure) = failure {
            failures.push(format!("{file} {command:?}: {failure}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} files:\n{}",
        failures.len(),
        failures.join("\n")
    );
    checked
}

#[test]
fn schema_of_every_file() {
    assert_eq!(check_command(Schema), corpus_files().len());
}

#[test]
fn meta_of_every_file() {
    assert_eq!(check_command(Meta), corpus_files().len());
}

#[test]
fn pages_of_every_file() {
    assert_eq!(check_command(Pages), corpus_files().len());
}

#[test]
fn histogram_of_every_file() {
    assert_eq!(check_command(Histogram), corpus_files().len() - 1);
}

#[test]
fn levels_of_every_file() {
    assert_eq!(check_command(Levels), corpus_files().len() - 1);
}

#[test]
fn record_0_of_every_file() {
    assert_eq!(check_command(Record), corpus_files().len() - 1);
}

#[test]
fn verify_of_every_file() {
    assert_eq!(check_command(Verify), corpus_files().len() - 1);
}

#[test]
fn expected_table_names_existing_files() {
    let files: BTreeSet<String> = corpus_files().into_iter().collect();
    for file in ENCRYPTED_FOOTER {
        assert!(
            files.contains(*file),
            "ENCRYPTED_FOOTER names {file}, not in the corpus"
        );
    }
    for (file, commands, _) in EXPECTED {
        assert!(
            files.contains(*file),
            "EXPECTED names {file}, not in the corpus"
        );
        assert!(!ENCRYPTED_FOOTER.contains(file), "{file} is in both tables");
        assert!(
            !commands.is_empty(),
            "EXPECTED entry for {file} has no command"
        );
        for &command in *commands {
            expectation(file, command);
        }
    }
}

#[test]
fn corpus_is_complete() {
    let files = corpus_files();
    let count = |dir: &str| files.iter().filter(|f| f.starts_with(dir)).count();
    assert_eq!(
        (
            count("data/"),
            count("bad_data/"),
            count("shredded_variant/")
        ),
        (88, 8, 137)
    );
    let commit = std::fs::read_to_string(corpus().join("COMMIT")).unwrap();
    assert!(commit.starts_with("1a2a75127be06fc0123f03ebd36c966f7beda27d"));
    assert!(corpus().join("LICENSE.txt").is_file());
}

/// `levels --format json` of `file`, as (column, record, value) per entry.
fn levels(file: &str) -> Vec<Json> {
    run(Levels, file)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[test]
fn large_string_map_decodes() {
    for command in [Schema, Meta, Pages] {
        run(command, LARGE_STRING_MAP).unwrap();
    }
    let pages = run(Pages, LARGE_STRING_MAP).unwrap();
    assert!(
        pages.contains("\"uncompressed_bytes\":1073741828"),
        "{pages}"
    );
    if std::env::var_os("SHREDKIT_CONFORMANCE_LARGE").is_none() {
        return;
    }
    for &command in DECODING {
        run(command, LARGE_STRING_MAP).unwrap();
    }
    let _ = levels;
}
