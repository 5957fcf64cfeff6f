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
//! ([`shred::verify::verify_file`]). The encrypted files ([`ENCRYPTED`]) are given the keys
//! the corpus's README lists (`--footer-key`, `--column-key`, `--aad-prefix`).
//! [`EXPECTED`] lists, per file and command, everything that is not a plain success: an
//! error that must name the cause the file was made to show (or why its keys cannot
//! decrypt it), a success that must say something (a footer repair), or a `verify` that
//! could not compare because arrow-rs cannot read the file. Every other file and command
//! must succeed; an entry of the table that no longer applies fails the test too, so the
//! table cannot go stale. [`WITHOUT_KEYS`] gives what every encrypted file does without
//! its keys: an error naming the option to pass. The key options are also run as a user
//! types them, right and wrong.
//!
//! Where the corpus states a file's contents (the `*_expect.csv` files, the notes of
//! `data/*.md`), the values our tools read are compared with them.
//!
//! `data/large_string_map.brotli.parquet` holds a 1 GiB string: `schema`, `meta` and
//! `pages` run on it here; the commands that decode it take minutes and GBs in a debug
//! build, so [`large_string_map_decodes`] runs them only with `SHREDKIT_CONFORMANCE_LARGE`
//! set, which `.ci/run` does.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value as Json;
use shred::decryption_keys::{DecryptionKeys, parse_column_key, parse_key};

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
    Cat,
    Verify,
}

use Command::*;

const ALL: &[Command] = &[Schema, Meta, Pages, Histogram, Levels, Record, Cat, Verify];
/// The commands that read column data.
const READING: &[Command] = &[Pages, Histogram, Levels, Record, Cat, Verify];
/// The commands that decode values.
const DECODING: &[Command] = &[Histogram, Levels, Record, Cat, Verify];

/// What a command must do on a file, when not simply succeed.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// Succeeds, and its output contains the text.
    Shows(&'static str),
    /// Fails, and its error message contains the text.
    Fails(&'static str),
}

/// What a command did.
enum Outcome {
    /// Succeeded, with its output.
    Ok(String),
    /// `verify`: nothing compared, arrow-rs cannot read the file; the message.
    NotCompared(String),
    /// Failed, with its error message.
    Failed(String),
}

use Expect::*;

/// The keys of an encrypted file of the corpus, as `data/README.md` gives them: every
/// test key is a string of ASCII digits, passed in hex.
#[derive(Debug, Clone, Copy)]
struct FileKeys {
    /// The footer key.
    footer: &'static str,
    /// (column path, key) of the columns with keys of their own.
    columns: &'static [(&'static str, &'static str)],
    /// The AAD prefix, for the files that do not store it.
    aad_prefix: Option<&'static str>,
}

/// The AES-128 keys of the files in `data/`.
const KEYS_128: FileKeys = FileKeys {
    footer: "0123456789012345",
    columns: &[
        ("double_field", "1234567890123450"),
        ("float_field", "1234567890123451"),
    ],
    aad_prefix: None,
};

/// The AES-256 keys of the files in `data/aes256/` (parquet-mr).
const KEYS_256: FileKeys = FileKeys {
    footer: "01234567890123456789012345678901",
    columns: &[
        ("double_field", "12345678901234567890123456789012"),
        ("float_field", "12345678901234567890123456789013"),
        ("boolean_field", "12345678901234567890123456789014"),
        ("int32_field", "12345678901234567890123456789015"),
        ("ba_field", "12345678901234567890123456789016"),
        ("flba_field", "12345678901234567890123456789017"),
        (
            "int64_field.list.element",
            "12345678901234567890123456789018",
        ),
        ("int96_field", "12345678901234567890123456789019"),
    ],
    aad_prefix: None,
};

/// The files encrypted with Parquet modular encryption, and the keys every command is
/// given for them.
const ENCRYPTED: &[(&str, FileKeys)] = &[
    (
        "data/aes256/encrypt_columns_and_footer.parquet.encrypted",
        KEYS_256,
    ),
    (
        "data/aes256/encrypt_columns_and_footer_ctr.parquet.encrypted",
        KEYS_256,
    ),
    (
        "data/aes256/encrypt_columns_and_footer_disable_aad_storage.parquet.encrypted",
        FileKeys {
            aad_prefix: Some("tester"),
            ..KEYS_256
        },
    ),
    (
        "data/aes256/encrypt_columns_plaintext_footer.parquet.encrypted",
        KEYS_256,
    ),
    ("data/aes256/uniform_encryption.parquet.encrypted", KEYS_256),
    (
        "data/encrypt_columns_and_footer.parquet.encrypted",
        KEYS_128,
    ),
    (
        "data/encrypt_columns_and_footer_aad.parquet.encrypted",
        KEYS_128,
    ),
    (
        "data/encrypt_columns_and_footer_bloom_filter.parquet.encrypted",
        KEYS_128,
    ),
    (
        "data/encrypt_columns_and_footer_ctr.parquet.encrypted",
        KEYS_128,
    ),
    (
        "data/encrypt_columns_and_footer_disable_aad_storage.parquet.encrypted",
        FileKeys {
            aad_prefix: Some("tester"),
            ..KEYS_128
        },
    ),
    (
        "data/encrypt_columns_plaintext_footer.parquet.encrypted",
        KEYS_128,
    ),
    (
        "data/external_key_material_java.parquet.encrypted",
        KEYS_128,
    ),
    ("data/uniform_encryption.parquet.encrypted", KEYS_128),
];

/// The ASCII bytes of `text` in hex.
fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

/// The key options for `file` (none for a file that is not encrypted).
fn key_args(file: &str) -> Vec<String> {
    let Some((_, keys)) = ENCRYPTED.iter().find(|(f, _)| *f == file) else {
        return Vec::new();
    };
    let mut args = vec!["--footer-key".to_string(), hex(keys.footer)];
    for (column, key) in keys.columns {
        args.push("--column-key".into());
        args.push(format!("{column}:{}", hex(key)));
    }
    if let Some(prefix) = keys.aad_prefix {
        args.push("--aad-prefix".into());
        args.push(prefix.into());
    }
    args
}

/// The keys of `file` for [`shred::verify::verify_file`].
fn decryption_keys(file: &str) -> DecryptionKeys {
    let Some((_, keys)) = ENCRYPTED.iter().find(|(f, _)| *f == file) else {
        return DecryptionKeys::default();
    };
    DecryptionKeys {
        footer_key: Some(parse_key(&hex(keys.footer)).unwrap()),
        column_keys: keys
            .columns
            .iter()
            .map(|(column, key)| parse_column_key(&format!("{column}:{}", hex(key))).unwrap())
            .collect(),
        aad_prefix: keys.aad_prefix.map(str::to_string),
    }
}

/// Every outcome that is not a plain success: (file, commands, expectation).
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
    // Encrypted files that cannot be read with their keys, each saying why.
    (
        "data/encrypt_columns_and_footer_ctr.parquet.encrypted",
        ALL,
        Fails(
            "encrypted with AES_GCM_CTR_V1, which the parquet crate (arrow-rs 60) cannot decrypt",
        ),
    ),
    (
        "data/aes256/encrypt_columns_and_footer_ctr.parquet.encrypted",
        ALL,
        Fails(
            "encrypted with AES_GCM_CTR_V1, which the parquet crate (arrow-rs 60) cannot decrypt",
        ),
    ),
    (
        "data/external_key_material_java.parquet.encrypted",
        ALL,
        Fails(
            "the file's keys are wrapped by a key management service (KMS; its key material is stored outside the file): shredkit cannot unwrap them",
        ),
    ),
    // shredded_variant/cases.json's error cases, and the three it marks INVALID (read or
    // reject: rejected), fail where VARIANT values are unshredded (variant_conformance.rs).
    (
        "shredded_variant/case-040.parquet",
        &[Record, Cat, Verify],
        Fails("record 0: field var: $[0]: conflicting value and typed_value"),
    ),
    (
        "shredded_variant/case-042.parquet",
        &[Record, Cat, Verify],
        Fails("record 0: field var: $: conflicting value and typed_value"),
    ),
    (
        "shredded_variant/case-043-INVALID.parquet",
        &[Record, Cat, Verify],
        Fails("record 0: field var: $: shredded field b is also in the partially shredded value"),
    ),
    (
        "shredded_variant/case-084-INVALID.parquet",
        &[Record, Cat, Verify],
        Fails(
            "record 0: field var: $: the VARIANT layout is not valid: var.typed_value.a: a shredded object field must be a required group",
        ),
    ),
    (
        "shredded_variant/case-087.parquet",
        &[Record, Cat, Verify],
        Fails("record 0: field var: $: non-object value with shredded fields"),
    ),
    (
        "shredded_variant/case-125-INVALID.parquet",
        &[Record, Cat, Verify],
        Fails("record 0: field var: $: shredded field b is also in the partially shredded value"),
    ),
    (
        "shredded_variant/case-127.parquet",
        &[Record, Cat, Verify],
        Fails(
            "record 0: field var: $: the VARIANT layout is not valid: var.typed_value: unsupported shredded value type INT32 (INTEGER(32,false))",
        ),
    ),
    (
        "shredded_variant/case-128.parquet",
        &[Record, Cat, Verify],
        Fails("record 0: field var: $: non-object value with shredded fields"),
    ),
    (
        "shredded_variant/case-137.parquet",
        &[Record, Cat, Verify],
        Fails(
            "record 0: field var: $: the VARIANT layout is not valid: var.typed_value: unsupported shredded value type FIXED_LEN_BYTE_ARRAY(4)",
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
        &[Pages, Histogram, Levels, Record, Cat],
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
        // `cat` opens every column before it reads one, so it meets this page first.
        &[Pages, Cat],
        Fails(
            "column large_binary, page 2: corrupt page header at offset 4561: it runs past the end of the column chunk",
        ),
    ),
    (
        "bad_data/ARROW-GH-41321.parquet",
        &[Histogram, Levels, Record, Verify],
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
        &[Cat],
        Fails(
            "column timestamp_us_no_tz: corrupt column chunk: 0 records where column boolean has 3",
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
        &[Histogram, Levels, Record, Cat],
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

/// Whether a command is given the keys of an encrypted file ([`ENCRYPTED`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keys {
    Given,
    Withheld,
}

/// Runs `command` on `file` (a path under the corpus), with its keys.
fn outcome(command: Command, file: &str) -> Outcome {
    outcome_with(command, file, Keys::Given)
}

/// Runs `command` on `file`, with or without its keys.
fn outcome_with(command: Command, file: &str, keys: Keys) -> Outcome {
    if command == Verify {
        let path = corpus().join(file);
        let keys = match keys {
            Keys::Given => decryption_keys(file),
            Keys::Withheld => DecryptionKeys::default(),
        };
        return match shred::verify::verify_file(
            &path,
            &shred::verify::VerifyOptions::new(1024, &keys),
        ) {
            Ok(summary) => match summary.not_compared(file) {
                Some(message) => Outcome::NotCompared(message),
                None => Outcome::Ok(format!("{summary:?}")),
            },
            Err(e) => Outcome::Failed(e.to_string()),
        };
    }
    let path = corpus().join(file);
    let path_text = path.to_str().expect("UTF-8 path").to_string();
    let args: Vec<String> = match command {
        Schema => vec!["schema".into(), path_text],
        Meta => vec!["meta".into(), path_text],
        Pages => vec!["pages".into(), path_text],
        Histogram => vec!["histogram".into(), path_text],
        Levels => vec!["levels".into(), path_text],
        Record => vec!["record".into(), path_text, "0".into()],
        Cat => vec!["cat".into(), path_text],
        Verify => unreachable!("verify runs above"),
    };
    let mut out = Vec::new();
    let mut line = vec!["shred-inspect".to_string()];
    line.extend(args);
    line.extend(["--format".into(), "json".into()]);
    if keys == Keys::Given {
        line.extend(key_args(file));
    }
    match shred_inspect::run(line, &mut out) {
        Ok(()) => Outcome::Ok(String::from_utf8(out).expect("UTF-8 output")),
        Err(e) => Outcome::Failed(e.to_string()),
    }
}

/// Runs `command` on `file` (a path under the corpus), with its keys; `Ok(output)` or
/// `Err(message)`.
fn run(command: Command, file: &str) -> Result<String, String> {
    match outcome(command, file) {
        Outcome::Ok(output) => Ok(output),
        Outcome::NotCompared(message) | Outcome::Failed(message) => Err(message),
    }
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
        let failure = match (expectation(file, command), outcome(command, file)) {
            (None, Outcome::Ok(_)) => None,
            (Some(Shows(text)), Outcome::Ok(out)) if out.contains(text) => None,
            (Some(Shows(text)), Outcome::Ok(_)) => {
                Some(format!("output does not contain {text:?}"))
            }
            (Some(Fails(text)), Outcome::Failed(e)) if e.contains(text) => None,
            (expected, Outcome::Ok(_)) => Some(format!("expected {expected:?}, got success")),
            (expected, Outcome::Failed(e)) => Some(format!("expected {expected:?}, got: {e}")),
            (expected, Outcome::NotCompared(m)) => Some(format!("expected {expected:?}, got: {m}")),
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
fn cat_of_every_file() {
    assert_eq!(check_command(Cat), corpus_files().len() - 1);
}

/// `cat --format json` prints records as the FSM reads their entries; on every file the
/// `parquet` crate's column readers read whole (no VARIANT, no encryption), that is the
/// records the assembler builds from those readers' stripes, as `serde_json` prints them.
#[test]
fn cat_json_of_every_file_is_the_assembled_records() {
    let mut compared = Vec::new();
    for file in corpus_files() {
        if file == LARGE_STRING_MAP {
            continue;
        }
        let path = corpus().join(&file);
        let Ok(opened) = std::fs::File::open(&path) else {
            continue;
        };
        let Ok((schema, stripes)) = shred::column_io::read_all_stripes(opened) else {
            continue;
        };
        if !shred::variant::RecordVariants::all(&schema).is_empty() {
            continue;
        }
        let Ok(records) = shred::assembler::assemble_all(&schema, &stripes) else {
            continue;
        };
        let expected: String = records.iter().map(|r| format!("{r}\n")).collect();
        let mut out = Vec::new();
        let path_text = path.to_str().expect("UTF-8 path");
        shred_inspect::run(
            ["shred-inspect", "cat", path_text, "--format", "json"],
            &mut out,
        )
        .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(
            String::from_utf8(out).unwrap() == expected,
            "{file}: cat --format json differs from the assembled records"
        );
        compared.push(file);
    }
    // The corpus's files without VARIANT columns or encryption (73 of them at the
    // pinned commit): fewer means the comparison lost files, not that cat improved.
    assert!(compared.len() >= 73, "compared only {compared:?}");
}

#[test]
fn verify_of_every_file() {
    assert_eq!(check_command(Verify), corpus_files().len() - 1);
}

#[test]
fn expected_table_names_existing_files() {
    let files: BTreeSet<String> = corpus_files().into_iter().collect();
    for (file, _) in ENCRYPTED {
        assert!(
            files.contains(*file),
            "ENCRYPTED names {file}, not in the corpus"
        );
    }
    let encrypted = files.iter().filter(|f| f.ends_with(".encrypted")).count();
    assert_eq!(
        encrypted,
        ENCRYPTED.len(),
        "ENCRYPTED lists every encrypted file"
    );
    for (file, commands, _) in EXPECTED {
        assert!(
            files.contains(*file),
            "EXPECTED names {file}, not in the corpus"
        );
        assert!(
            !commands.is_empty(),
            "EXPECTED entry for {file} has no command"
        );
        for &command in *commands {
            expectation(file, command);
        }
    }
}

/// Per command, as the table in `tests/README.md` gives them: files that succeed, of
/// which show a footer repair, files that fail. (`verify` compares every file it reads:
/// a file arrow-rs cannot read is a failure of this test.)
#[derive(Debug, PartialEq, Eq)]
struct Counts {
    succeed: usize,
    shown: usize,
    failed: usize,
}

/// The command a row of the README's count table is about (its first cell).
fn readme_label(command: Command) -> &'static str {
    match command {
        Schema => "`schema`",
        Meta => "`meta`",
        Pages => "`pages`",
        Histogram => "`histogram`",
        Levels => "`levels`",
        Record => "`record 0`",
        Cat => "`cat`",
        Verify => "`verify`",
    }
}

/// The count table of `tests/README.md`, row by row: the first cell, then the counts
/// ("-" is 0; "10: as `histogram`" is 10).
fn readme_counts() -> Vec<(String, Counts)> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("tests/README.md");
    let number = |cell: &str| -> usize {
        let cell = cell.trim();
        if cell == "-" {
            return 0;
        }
        let digits = cell.split(':').next().unwrap_or(cell).trim();
        digits
            .parse()
            .unwrap_or_else(|_| panic!("README count cell {cell:?} does not start with a number"))
    };
    readme
        .lines()
        .skip_while(|l| !l.starts_with("| command | succeed |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|line| {
            let cells: Vec<&str> = line.split(" | ").collect();
            let label = cells[0].trim_start_matches('|').trim().to_string();
            let counts = Counts {
                succeed: number(cells[1]),
                shown: number(cells[2]),
                failed: number(cells[3].trim_end_matches('|')),
            };
            (label, counts)
        })
        .collect()
}

#[test]
fn outcome_counts_match_the_readme() {
    let files = corpus_files();
    let readme = readme_counts();
    assert_eq!(
        readme
            .iter()
            .map(|(label, _)| label.as_str())
            .collect::<Vec<_>>(),
        ALL.iter().map(|&c| readme_label(c)).collect::<Vec<_>>(),
        "the README's count table has one row per command, in this order"
    );
    for (&command, (_, expected)) in ALL.iter().zip(&readme) {
        let outcomes: Vec<Option<Expect>> = files.iter().map(|f| expectation(f, command)).collect();
        let count = |f: fn(&Expect) -> bool| outcomes.iter().flatten().filter(|e| f(e)).count();
        let failed = count(|e| matches!(e, Fails(_)));
        let found = Counts {
            succeed: files.len() - failed,
            shown: count(|e| matches!(e, Shows(_))),
            failed,
        };
        assert_eq!(&found, expected, "{command:?}");
    }
}

/// Without its keys, what each encrypted file does: (file, commands, a piece of the error,
/// which names the option to pass, or why no key helps). Every other command succeeds.
const WITHOUT_KEYS: &[(&str, &[Command], &str)] = &[
    (
        "data/aes256/encrypt_columns_and_footer.parquet.encrypted",
        ALL,
        FOOTER_KEY,
    ),
    (
        "data/aes256/encrypt_columns_and_footer_ctr.parquet.encrypted",
        ALL,
        CTR,
    ),
    (
        "data/aes256/encrypt_columns_and_footer_disable_aad_storage.parquet.encrypted",
        ALL,
        FOOTER_KEY,
    ),
    (
        "data/aes256/encrypt_columns_plaintext_footer.parquet.encrypted",
        READING,
        "row group 0, column boolean_field is encrypted (Parquet modular encryption) with column key \"kc3\": pass its key with --column-key boolean_field:HEX",
    ),
    (
        "data/aes256/uniform_encryption.parquet.encrypted",
        ALL,
        FOOTER_KEY,
    ),
    (
        "data/encrypt_columns_and_footer.parquet.encrypted",
        ALL,
        FOOTER_KEY,
    ),
    (
        "data/encrypt_columns_and_footer_aad.parquet.encrypted",
        ALL,
        FOOTER_KEY,
    ),
    (
        "data/encrypt_columns_and_footer_bloom_filter.parquet.encrypted",
        ALL,
        FOOTER_KEY,
    ),
    (
        "data/encrypt_columns_and_footer_ctr.parquet.encrypted",
        ALL,
        CTR,
    ),
    (
        "data/encrypt_columns_and_footer_disable_aad_storage.parquet.encrypted",
        ALL,
        FOOTER_KEY,
    ),
    (
        "data/encrypt_columns_plaintext_footer.parquet.encrypted",
        READING,
        "row group 0, column float_field is encrypted (Parquet modular encryption) with column key \"kc2\": pass its key with --column-key float_field:HEX",
    ),
    (
        "data/external_key_material_java.parquet.encrypted",
        ALL,
        "pass the footer key with --footer-key HEX (and the keys of columns with keys of their own with --column-key NAME:HEX); the file's keys are wrapped by a key management service (KMS",
    ),
    ("data/uniform_encryption.parquet.encrypted", ALL, FOOTER_KEY),
];

/// The error on an encrypted footer without `--footer-key`.
const FOOTER_KEY: &str =
    "the footer is encrypted (PARE magic): pass the footer key with --footer-key HEX";
/// The error on a file encrypted with AES_GCM_CTR_V1, keys or not.
const CTR: &str =
    "encrypted with AES_GCM_CTR_V1, which the parquet crate (arrow-rs 60) cannot decrypt";

#[test]
fn encrypted_files_without_keys_name_the_key_to_pass() {
    let files: Vec<&str> = WITHOUT_KEYS.iter().map(|(f, _, _)| *f).collect();
    let encrypted: Vec<&str> = ENCRYPTED.iter().map(|(f, _)| *f).collect();
    assert_eq!(files, encrypted, "WITHOUT_KEYS lists every encrypted file");
    let mut failures = Vec::new();
    for &(file, commands, text) in WITHOUT_KEYS {
        for &command in ALL {
            let outcome = outcome_with(command, file, Keys::Withheld);
            let failure = match (commands.contains(&command), outcome) {
                (true, Outcome::Failed(e)) if e.contains(text) => None,
                (false, Outcome::Ok(_)) => None,
                (true, Outcome::Failed(e) | Outcome::NotCompared(e)) => {
                    Some(format!("expected an error with {text:?}, got: {e}"))
                }
                (true, Outcome::Ok(_)) => {
                    Some(format!("expected an error with {text:?}, got success"))
                }
                (false, Outcome::Failed(e) | Outcome::NotCompared(e)) => {
                    Some(format!("expected success, got: {e}"))
                }
            };
            if let Some(failure) = failure {
                failures.push(format!("{file} {command:?}: {failure}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Runs `shred` or `shred-inspect` (by `args[0]`) in process: its output, or its exit
/// code and error.
fn tool(args: &[String]) -> Result<String, (i32, String)> {
    let mut out = Vec::new();
    let result = if args[0] == "shred" {
        shred::cli::run(args, &mut out).map_err(|e| (e.exit_code(), e.to_string()))
    } else {
        shred_inspect::run(args, &mut out).map_err(|e| (e.exit_code(), e.to_string()))
    };
    result.map(|()| String::from_utf8(out).unwrap())
}

/// Runs a command line that must fail as bad input (exit code 2); its error.
fn bad_input(args: &[String]) -> String {
    let (code, error) = tool(args).unwrap_err();
    assert_eq!(code, 2, "{error}");
    error
}

/// A command line: `tool`, `command`, the corpus file, then `rest`.
fn line(tool: &str, command: &str, file: &str, rest: &[&str]) -> Vec<String> {
    let path = corpus().join(file);
    let mut line = vec![tool.to_string(), command.to_string()];
    line.push(path.to_str().unwrap().to_string());
    line.extend(rest.iter().map(|s| s.to_string()));
    line
}

#[test]
fn keys_on_the_command_line_decrypt() {
    let file = "data/encrypt_columns_and_footer.parquet.encrypted";
    let keys = key_args(file);
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    let verified = tool(&line("shred", "verify", file, &keys)).unwrap();
    assert!(verified.contains("│ 50      │ 8       │"), "{verified}");
    assert!(verified.contains("OK"), "{verified}");
    let mut args = keys.clone();
    args.extend(["--column", "float_field", "--format", "json"]);
    let levels = tool(&line("shred-inspect", "levels", file, &args)).unwrap();
    assert_eq!(levels.lines().count(), 50);
    // A plaintext footer needs no footer key for the columns with keys of their own.
    let file = "data/encrypt_columns_plaintext_footer.parquet.encrypted";
    let keys: Vec<String> = key_args(file).split_off(2);
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    assert_eq!(keys[0], "--column-key");
    let verified = tool(&line("shred", "verify", file, &keys)).unwrap();
    assert!(verified.contains("OK"), "{verified}");
    assert!(
        levels.starts_with(
            r#"{"column":"float_field","row_group":0,"record":0,"r":0,"d":0,"value":0.0}"#
        ),
        "{levels}"
    );
}

#[test]
fn wrong_keys_are_a_clear_error_with_exit_2() {
    let file = "data/uniform_encryption.parquet.encrypted";
    let wrong = hex("0123456789012346");
    for tool_name in ["shred", "shred-inspect"] {
        let command = if tool_name == "shred" {
            "verify"
        } else {
            "pages"
        };
        let error = bad_input(&line(tool_name, command, file, &["--footer-key", &wrong]));
        assert!(
            error.ends_with("uniform_encryption.parquet.encrypted: cannot decrypt the file's metadata with the keys given (a wrong --footer-key or --column-key, or a missing or wrong --aad-prefix): Provided footer key and AAD were unable to decrypt parquet footer"),
            "{error}"
        );
    }
    // A file whose AAD prefix is not stored, read without it or with a wrong one.
    let file = "data/encrypt_columns_and_footer_disable_aad_storage.parquet.encrypted";
    let footer = hex(KEYS_128.footer);
    for prefix in [None, Some("tested")] {
        let mut args = vec!["--footer-key", footer.as_str()];
        args.extend(prefix.iter().flat_map(|p| ["--aad-prefix", *p]));
        let error = bad_input(&line("shred-inspect", "schema", file, &args));
        assert!(error.contains("a missing or wrong --aad-prefix"), "{error}");
    }
    // Keys that are not keys are bad usage.
    for key in ["zz", "0011"] {
        let error = bad_input(&line("shred", "verify", file, &["--footer-key", key]));
        assert!(error.contains("--footer-key"), "{error}");
    }
    let error = bad_input(&line(
        "shred-inspect",
        "meta",
        file,
        &["--column-key", &footer],
    ));
    assert!(error.contains("is not NAME:HEX"), "{error}");
}

#[test]
fn missing_keys_are_a_clear_error_with_exit_2() {
    let file = "data/encrypt_columns_and_footer.parquet.encrypted";
    let error = bad_input(&line("shred", "verify", file, &[]));
    assert!(error.contains(FOOTER_KEY), "{error}");
    // The footer key alone reads the footer and the columns it encrypts, and names the
    // first column with a key of its own.
    let footer = hex(KEYS_128.footer);
    let error = bad_input(&line(
        "shred-inspect",
        "levels",
        file,
        &["--footer-key", &footer],
    ));
    assert!(
        error.ends_with("encrypt_columns_and_footer.parquet.encrypted: row group 0, column float_field is encrypted (Parquet modular encryption) with column key \"kc2\": pass its key with --column-key float_field:HEX"),
        "{error}"
    );
    let file = "data/encrypt_columns_plaintext_footer.parquet.encrypted";
    let error = bad_input(&line("shred-inspect", "histogram", file, &[]));
    assert!(
        error.contains("pass its key with --column-key float_field:HEX"),
        "{error}"
    );
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

/// `levels --format json` of `file`: one JSON object per entry.
fn levels(file: &str) -> Vec<Json> {
    run(Levels, file)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// The values of every column of a flat file, column by column in schema order, each as
/// the text a CSV file would hold (`None` for null).
fn column_texts(file: &str) -> Vec<(String, Vec<Option<String>>)> {
    let mut columns: Vec<(String, Vec<Option<String>>)> = Vec::new();
    for entry in levels(file) {
        let column = entry["column"].as_str().unwrap().to_string();
        if columns.last().is_none_or(|(c, _)| *c != column) {
            columns.push((column, Vec::new()));
        }
        assert_eq!(entry["r"], 0, "{file}: not a flat file");
        let value = match &entry["value"] {
            Json::Null => None,
            Json::String(text) => Some(text.clone()),
            other => Some(other.to_string()),
        };
        columns.last_mut().unwrap().1.push(value);
    }
    columns
}

/// Parses CSV text (RFC 4180: quoted fields may hold commas and doubled quotes); an
/// unquoted empty field is null.
fn parse_csv(text: &str) -> Vec<Vec<Option<String>>> {
    let mut rows = Vec::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        let mut row = Vec::new();
        let mut chars = line.chars().peekable();
        loop {
            let field = if chars.peek() == Some(&'"') {
                chars.next();
                let mut field = String::new();
                while let Some(c) = chars.next() {
                    match c {
                        '"' if chars.peek() == Some(&'"') => {
                            chars.next();
                            field.push('"');
                        }
                        '"' => break,
                        c => field.push(c),
                    }
                }
                Some(field)
            } else {
                let field: String = std::iter::from_fn(|| chars.next_if(|&c| c != ',')).collect();
                (!field.is_empty()).then_some(field)
            };
            row.push(field);
            if chars.next().is_none() {
                break;
            }
        }
        rows.push(row);
    }
    rows
}

#[test]
fn delta_encoded_values_equal_the_expected_csv() {
    for name in [
        "delta_binary_packed",
        "delta_byte_array",
        "delta_encoding_optional_column",
        "delta_encoding_required_column",
    ] {
        let file = format!("data/{name}.parquet");
        let csv =
            std::fs::read_to_string(corpus().join(format!("data/{name}_expect.csv"))).unwrap();
        let rows = parse_csv(&csv);
        let (header, rows) = rows.split_first().unwrap();
        let columns = column_texts(&file);
        assert_eq!(columns.len(), header.len(), "{file}: columns");
        for (i, (column, ours)) in columns.iter().enumerate() {
            let theirs: Vec<Option<String>> = rows.iter().map(|row| row[i].clone()).collect();
            assert_eq!(ours.len(), theirs.len(), "{file} {column}: rows");
            for (record, (a, b)) in ours.iter().zip(&theirs).enumerate() {
                assert_eq!(a, b, "{file} {column} record {record}");
            }
        }
    }
}

#[test]
fn int96_from_spark_holds_the_noted_timestamps() {
    // int96_from_spark.md: the values as microseconds since the epoch. Our value is
    // nanoseconds since the epoch in an i64, as arrow-rs reads INT96; the two beyond the
    // year 2262 do not fit and wrap (arrow-rs wraps them the same way, so verify agrees).
    let micros: [Option<i64>; 6] = [
        Some(1704141296123456),
        Some(1704070800000000),
        Some(253402225200000000),
        Some(1735599600000000),
        None,
        Some(9089380393200000000),
    ];
    let ours: Vec<Option<i64>> = levels("data/int96_from_spark.parquet")
        .iter()
        .map(|e| e["value"].as_i64())
        .collect();
    let expected: Vec<Option<i64>> = micros
        .iter()
        .map(|m| m.map(|m| m.wrapping_mul(1000)))
        .collect();
    assert_eq!(ours, expected);
    for (m, ours) in micros.iter().zip(&ours) {
        if let Some(m) = m.filter(|m| m.checked_mul(1000).is_some()) {
            assert_eq!(*ours, Some(m * 1000));
        }
    }
}

/// The record `record N` assembles from `file`.
fn assembled(file: &str, n: u64) -> Json {
    let path = corpus().join(file);
    let mut out = Vec::new();
    shred_inspect::run(
        [
            "shred-inspect",
            "record",
            path.to_str().unwrap(),
            &n.to_string(),
            "--format",
            "json",
        ],
        &mut out,
    )
    .unwrap();
    let trace: Json = serde_json::from_slice(&out).unwrap();
    trace["assembled"].clone()
}

#[test]
fn noted_records_are_assembled() {
    // old_list_structure.md: a single value [[1, 2], [3, 4]].
    assert_eq!(
        assembled("data/old_list_structure.parquet", 0),
        serde_json::json!({"a": [[1, 2], [3, 4]]})
    );
    // map_no_value.md: three MAPs of null values, the same keys without a value field,
    // and a list of the same numbers.
    for (n, keys) in [[1, 2, 3], [4, 5, 6], [7, 8, 9]].iter().enumerate() {
        let map: Vec<Json> = keys
            .iter()
            .map(|k| serde_json::json!({"key": k, "value": null}))
            .collect();
        let no_value: Vec<Json> = keys.iter().map(|k| serde_json::json!({"key": k})).collect();
        assert_eq!(
            assembled("data/map_no_value.parquet", n as u64),
            serde_json::json!({"my_map": map, "my_map_no_v": no_value, "my_list": keys})
        );
    }
}

/// `pages --format json` of `file`: one JSON object per page.
fn pages(file: &str) -> Vec<Json> {
    run(Pages, file)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// What a file's note states about its ten pages of 100 rows each.
struct NotedPages {
    file: &'static str,
    /// The offset index: where each page starts.
    offsets: [u64; 10],
    /// The offset index: each page's size, header included.
    sizes: [u64; 10],
    /// The column index: each page's null count.
    nulls: [usize; 10],
}

#[test]
fn pages_match_the_noted_offset_indexes() {
    // int32_with_null_pages.md and fixed_length_byte_array.md.
    let cases = [
        NotedPages {
            file: "data/int32_with_null_pages.parquet",
            offsets: [4, 419, 639, 670, 898, 1280, 1682, 2104, 2515, 2932],
            sizes: [415, 220, 31, 228, 382, 402, 422, 411, 417, 400],
            nulls: [8, 55, 100, 52, 16, 12, 5, 7, 8, 12],
        },
        NotedPages {
            file: "data/fixed_length_byte_array.parquet",
            offsets: [4, 404, 804, 1165, 1561, 1945, 2337, 2729, 3133, 3533],
            sizes: [400, 400, 361, 396, 384, 392, 392, 404, 400, 411],
            nulls: [9, 9, 19, 10, 13, 11, 11, 8, 9, 6],
        },
    ];
    for NotedPages {
        file,
        offsets,
        sizes,
        nulls,
    } in cases
    {
        let pages = pages(file);
        let ours: Vec<(u64, u64, u64)> = pages
            .iter()
            .map(|p| {
                let total =
                    p["header_bytes"].as_u64().unwrap() + p["compressed_bytes"].as_u64().unwrap();
                (
                    p["offset"].as_u64().unwrap(),
                    total,
                    p["first_row"].as_u64().unwrap(),
                )
            })
            .collect();
        let theirs: Vec<(u64, u64, u64)> = (0..10)
            .map(|i| (offsets[i], sizes[i], 100 * i as u64))
            .collect();
        assert_eq!(ours, theirs, "{file}");
        let entries = levels(file);
        assert_eq!(entries.len(), 1000, "{file}");
        let ours: Vec<usize> = entries
            .chunks(100)
            .map(|page| page.iter().filter(|e| e["value"].is_null()).count())
            .collect();
        assert_eq!(ours, nulls, "{file}: nulls per page");
    }
    // fixed_length_byte_array.md: 1000 values in descending order, 105 nulls, from
    // 0x000003E8 down to 0x00000001.
    let values: Vec<u32> = levels("data/fixed_length_byte_array.parquet")
        .iter()
        .filter(|e| !e["value"].is_null())
        .map(|e| {
            // Canonical bytes: a string when they are UTF-8, else an array of byte values.
            let bytes: Vec<u8> = match &e["value"] {
                Json::String(text) => text.as_bytes().to_vec(),
                other => other
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|b| b.as_u64().unwrap() as u8)
                    .collect(),
            };
            u32::from_be_bytes(bytes.try_into().unwrap())
        })
        .collect();
    assert_eq!(values.len(), 1000 - 105);
    assert!(values.windows(2).all(|w| w[0] > w[1]));
    assert_eq!((values[0], values[values.len() - 1]), (0x3e8, 1));
}

#[test]
fn repaired_files_hold_their_rows() {
    // pyarrow reads 39 rows of dict-page-offset-zero, 25 of nation.dict-malformed and 6
    // of repeated_no_annotation (the issue that brought them here).
    for (file, rows) in [
        ("data/dict-page-offset-zero.parquet", 39),
        ("data/nation.dict-malformed.parquet", 25),
        ("data/repeated_no_annotation.parquet", 6),
    ] {
        let summary = shred::verify::verify_file(
            &corpus().join(file),
            &shred::verify::VerifyOptions::new(1024, &DecryptionKeys::default()),
        )
        .unwrap();
        assert_eq!(summary.records, rows, "{file}");
    }
    let nations = column_texts("data/nation.dict-malformed.parquet");
    assert_eq!(nations[1].0, "name");
    assert_eq!(nations[1].1[24].as_deref(), Some("UNITED STATES"));
}

/// Counts what is written to it, keeping nothing.
#[derive(Default)]
struct Counter {
    bytes: u64,
    lines: u64,
}

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.bytes += buf.len() as u64;
        self.lines += buf.iter().filter(|&&b| b == b'\n').count() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn large_string_map_decodes() {
    for command in [Schema, Meta, Pages] {
        run(command, LARGE_STRING_MAP).unwrap();
    }
    // Its key column: a dictionary page of one 1 GiB string and a plain page of another.
    let pages = pages(LARGE_STRING_MAP);
    let sizes: Vec<u64> = pages
        .iter()
        .map(|p| p["uncompressed_bytes"].as_u64().unwrap())
        .collect();
    assert_eq!(sizes, [1073741828, 15, 1073741840, 4, 15]);
    if std::env::var_os("SHREDKIT_CONFORMANCE_LARGE").is_none() {
        return;
    }
    let path = corpus().join(LARGE_STRING_MAP);
    let path = path.to_str().unwrap();
    let histogram = run(Histogram, LARGE_STRING_MAP).unwrap();
    assert_eq!(
        histogram,
        "{\"column\":\"arr.key_value.key\",\"max_r\":1,\"max_d\":2,\"d\":[0,0,2],\"r\":[2,0],\"stored_d\":null,\"stored_r\":null}\n\
         {\"column\":\"arr.key_value.value\",\"max_r\":1,\"max_d\":3,\"d\":[0,0,0,2],\"r\":[2,0],\"stored_d\":null,\"stored_r\":null}\n"
    );
    // Two entries per column, each key a string of 2^30 bytes written as JSON.
    let mut levels = Counter::default();
    shred_inspect::run(
        ["shred-inspect", "levels", path, "--format", "json"],
        &mut levels,
    )
    .unwrap();
    assert_eq!(levels.lines, 4);
    assert!(levels.bytes > 2 << 30, "{} bytes", levels.bytes);
    let mut record = Counter::default();
    shred_inspect::run(
        ["shred-inspect", "record", path, "0", "--format", "json"],
        &mut record,
    )
    .unwrap();
    assert!(record.bytes > 2 << 30, "{} bytes", record.bytes);
    let mut cat = Counter::default();
    shred_inspect::run(["shred-inspect", "cat", path, "--format", "json"], &mut cat).unwrap();
    assert_eq!(cat.lines, 2);
    assert!(cat.bytes > 2 << 30, "{} bytes", cat.bytes);
    // arrow-rs reads a batch of strings into one array of i32 offsets: one string of
    // 1 GiB per batch fits, two do not. The footer says these records average 1 GiB, so
    // verify reads one record per batch whatever batch size it is given, and compares.
    let path = corpus().join(LARGE_STRING_MAP);
    let summary = shred::verify::verify_file(
        &path,
        &shred::verify::VerifyOptions::new(1024, &DecryptionKeys::default()),
    )
    .unwrap();
    assert_eq!((summary.records, summary.entries), (2, 4));
    assert_eq!(summary.comparison, shred::verify::Comparison::Agrees);
}
