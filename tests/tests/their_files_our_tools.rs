//! Their files, our tools: Parquet files written by pyarrow and DuckDB at test time, read by
//! `shred-inspect`, `shred verify` and `shred roundtrip`.
//!
//! `tests/python/write_fixtures.py` writes every dataset (the Dremel Document example, the
//! five Contact definition states, `list<list<int32>>`, `map<string, list<int64>>`,
//! `struct<struct<int32>>`, one column per physical type, timestamps/dates/INT96, 6000 bulk
//! contacts) with both
//! writers and several options (snappy, zstd, uncompressed, gzip, lz4, brotli; data page
//! v2; several row groups; dictionary fallback to plain; delta and byte-stream-split
//! encodings; page checksums and the page index), together with the records each file holds
//! as canonical JSON. For every file:
//! - `shred-inspect levels FILE --format json` (levels read from the file) equals `shred
//!   levels --schema S RECORDS --format json` (levels our shredder computes from the JSON),
//!   where S is the file's own schema as message-type text: column, record, r, d and value of
//!   every entry;
//! - `shred verify FILE` passes (our readers and FSM agree with arrow-rs);
//! - `shred roundtrip --schema S RECORDS` passes.
//!
//! The feature tests check that the fixtures really have what they claim (row groups, page
//! versions, codecs, encodings, checksums, a dictionary that falls back to plain), read with
//! `shred-inspect`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::Value as Json;
use shred_tests::level_lines::{LevelLine, compare};
use shred_tests::tools::{Tool, run};
use shred_tests::{file_schema, python};

/// One file written by pyarrow or DuckDB, as the manifest describes it.
#[derive(Debug, Deserialize)]
struct Case {
    name: String,
    dataset: String,
    writer: String,
    file: PathBuf,
    records: PathBuf,
    rows: u64,
    compression: String,
    row_group_size: Option<u64>,
    data_page_version: String,
    dictionary_fallback: bool,
    /// Per-column encodings by physical type (`delta`, `delta-length`), dictionary off.
    encodings: Option<String>,
    page_index: bool,
    page_checksum: bool,
}

#[derive(Deserialize)]
struct Manifest {
    cases: Vec<Case>,
}

struct Fixtures {
    dir: tempfile::TempDir,
    cases: Vec<Case>,
}

/// Writes the fixtures once per test process.
fn fixtures() -> &'static Fixtures {
    static FIXTURES: OnceLock<Fixtures> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temporary directory");
        let manifest = python::run_script_json("write_fixtures.py", [dir.path()]);
        let Manifest { cases } = serde_json::from_value(manifest).expect("manifest shape");
        Fixtures { dir, cases }
    })
}

fn cases(filter: impl Fn(&Case) -> bool) -> Vec<&'static Case> {
    fixtures().cases.iter().filter(|c| filter(c)).collect()
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temporary path")
}

/// The file's own schema as message-type text, written as `NAME.TEST.schema` so tests
/// running at once do not share a file.
fn schema_file(case: &Case, test: &str) -> PathBuf {
    let path = fixtures()
        .dir
        .path()
        .join(format!("{}.{test}.schema", case.name));
    std::fs::write(&path, file_schema::message_type(&case.file)).expect("write schema");
    path
}

/// `shred levels --format json` of the case's records under `schema`.
fn shredded_levels(case: &Case, schema: &Path) -> String {
    run(
        Tool::Shred,
        [
            "levels",
            "--format",
            "json",
            "--schema",
            path_str(schema),
            path_str(&case.records),
        ],
    )
}

/// Runs the three checks on one file; returns what was compared or the first failure.
fn check(case: &Case) -> Result<usize, String> {
    let file = path_str(&case.file);
    let inspected = run(Tool::ShredInspect, ["levels", file, "--format", "json"]);
    let schema_path = schema_file(case, "check");
    let shredded = shredded_levels(case, &schema_path);
    let inspected = LevelLine::parse_all(&inspected).map_err(|e| format!("inspect: {e}"))?;
    let shredded = LevelLine::parse_all(&shredded).map_err(|e| format!("shred: {e}"))?;
    let records = inspected
        .iter()
        .filter(|l| l.r == 0)
        .map(|l| l.column.as_str())
        .filter(|c| *c == inspected[0].column)
        .count() as u64;
    if records != case.rows {
        return Err(format!(
            "shred-inspect levels shows {records} records, the file holds {}",
            case.rows
        ));
    }
    let entries = compare(&shredded, &inspected)
        .map_err(|e| format!("shred levels (JSON) vs shred-inspect levels (file): {e}"))?;
    run(Tool::Shred, ["verify", file]);
    run(
        Tool::Shred,
        [
            "roundtrip",
            "--schema",
            path_str(&schema_path),
            path_str(&case.records),
        ],
    );
    Ok(entries)
}

/// Checks every file of a dataset, from both writers; reports every failing file at once.
fn check_dataset(dataset: &str) {
    let cases = cases(|c| c.dataset == dataset);
    for writer in ["pyarrow", "duckdb"] {
        assert!(
            cases.iter().filter(|c| c.writer == writer).count() >= 3,
            "{dataset}: expected at least three {writer} files"
        );
    }
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| check(c).err().map(|e| format!("{}: {e}", c.name)))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn document_example() {
    check_dataset("document");
}

#[test]
fn contact_five_definition_states() {
    check_dataset("contact");
}

#[test]
fn list_of_lists_nulls_and_empties_at_each_level() {
    check_dataset("lists");
}

#[test]
fn map_string_to_list_int64() {
    check_dataset("maps");
}

#[test]
fn struct_of_struct_nulls_at_each_level() {
    check_dataset("structs");
}

#[test]
fn physical_types() {
    check_dataset("types");
}

#[test]
fn timestamps_dates_and_int96() {
    check_dataset("temporal");
    let int96 = cases(|c| c.dataset == "temporal" && c.name.ends_with("int96"));
    assert_eq!(int96.len(), 1);
    let schema = file_schema::schema(&int96[0].file);
    let created = &schema.leaves()[schema.leaf_index("created").unwrap()];
    assert_eq!(created.physical(), parquet::basic::Type::INT96);
}

#[test]
fn bulk_contacts_many_pages_and_row_groups() {
    check_dataset("bulk");
}

/// Counts of every definition and repetition level per column, from level lines.
fn level_counts(lines: &[LevelLine]) -> Vec<(String, Vec<u64>, Vec<u64>)> {
    let mut counts: Vec<(String, Vec<u64>, Vec<u64>)> = Vec::new();
    for line in lines {
        if counts.last().is_none_or(|c| c.0 != line.column) {
            counts.push((line.column.clone(), Vec::new(), Vec::new()));
        }
        let (_, d, r) = counts.last_mut().unwrap();
        for (hist, level) in [(d, line.d), (r, line.r)] {
            let level = level as usize;
            if hist.len() <= level {
                hist.resize(level + 1, 0);
            }
            hist[level] += 1;
        }
    }
    counts
}

/// `shred-inspect histogram`'s counts equal the counts of the levels `shred levels`
/// computes from the records (up to trailing zero counts: a histogram also has the levels no
/// entry reaches), and the file's stored histograms, where it has them, equal both (that
/// comparison is `shred-inspect histogram`'s own: it exits 1 on a mismatch, and the exit
/// status is asserted).
#[test]
fn histograms_agree_with_shredded_levels() {
    let mut failures = Vec::new();
    let mut with_stored = 0;
    for case in cases(|_| true) {
        let shredded = shredded_levels(case, &schema_file(case, "hist"));
        let expected = level_counts(&LevelLine::parse_all(&shredded).expect("levels"));
        let out = shred_tests::tools::output(
            Tool::ShredInspect,
            ["histogram", path_str(&case.file), "--format", "json"],
        );
        let trim = |v: Vec<u64>| {
            let n = v.iter().rposition(|&c| c > 0).map_or(0, |i| i + 1);
            v[..n].to_vec()
        };
        let printed: Vec<Json> = out
            .stdout
            .lines()
            .map(|l| serde_json::from_str(l).expect("histogram JSON line"))
            .collect();
        if !out.success() || printed.len() != expected.len() {
            failures.push(format!(
                "{}: {} histograms for {} columns (exit {}): {}",
                case.name,
                printed.len(),
                expected.len(),
                out.code,
                out.error.as_deref().unwrap_or_default()
            ));
            continue;
        }
        for (h, (column, d, r)) in printed.iter().zip(&expected) {
            let counts = |key: &str| -> Option<Vec<u64>> {
                h[key]
                    .as_array()
                    .map(|a| a.iter().map(|v| v.as_u64().unwrap()).collect())
            };
            let agree = h["column"] == column.as_str()
                && counts("d").map(trim).as_ref() == Some(d)
                && counts("r").map(trim).as_ref() == Some(r);
            with_stored += ["stored_d", "stored_r"]
                .iter()
                .filter(|k| !h[**k].is_null())
                .count();
            if !agree {
                failures.push(format!(
                    "{}: {column}: expected d {d:?} r {r:?}, shred-inspect histogram says {h}",
                    case.name
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(with_stored > 0, "some files store level histograms");
}

/// `shred-inspect meta --format json` of a file.
fn meta(file: &Path) -> Json {
    serde_json::from_str(&run(
        Tool::ShredInspect,
        ["meta", path_str(file), "--format", "json"],
    ))
    .expect("meta prints JSON")
}

/// `shred-inspect pages --format json` of a file, one object per page.
fn pages(file: &Path) -> Vec<Json> {
    run(
        Tool::ShredInspect,
        ["pages", path_str(file), "--format", "json"],
    )
    .lines()
    .map(|l| serde_json::from_str(l).expect("pages prints JSON lines"))
    .collect()
}

#[test]
fn several_row_groups() {
    let with_groups = cases(|c| c.row_group_size.is_some());
    assert!(with_groups.iter().any(|c| c.writer == "pyarrow"));
    assert!(with_groups.iter().any(|c| c.writer == "duckdb"));
    for case in with_groups {
        let meta = meta(&case.file);
        let groups = meta["row_groups"].as_array().expect("row_groups");
        let size = case.row_group_size.unwrap();
        let expected = case.rows.div_ceil(size);
        assert!(
            groups.len() as u64 >= expected.min(2),
            "{}: {} row groups for {} rows of {size}",
            case.name,
            groups.len(),
            case.rows
        );
        let rows: u64 = groups.iter().map(|g| g["rows"].as_u64().unwrap()).sum();
        assert_eq!(rows, case.rows, "{}", case.name);
    }
}

#[test]
fn data_page_v2() {
    let v2 = cases(|c| c.data_page_version == "2.0");
    assert!(v2.len() >= 5, "every dataset has a data page v2 file");
    for case in v2 {
        let pages = pages(&case.file);
        let data: Vec<&Json> = pages
            .iter()
            .filter(|p| p["type"].as_str().is_some_and(|t| t.starts_with("data")))
            .collect();
        assert!(!data.is_empty(), "{}: no data pages", case.name);
        for page in data {
            assert_eq!(page["type"], "data v2", "{}: {page}", case.name);
        }
    }
    for case in cases(|c| c.data_page_version == "1.0") {
        assert!(
            pages(&case.file).iter().all(|p| p["type"] != "data v2"),
            "{}: v1 file with a v2 page",
            case.name
        );
    }
}

#[test]
fn dictionary_fallback_to_plain() {
    let fallback = cases(|c| c.dictionary_fallback);
    assert!(!fallback.is_empty());
    for case in fallback {
        let pages = pages(&case.file);
        let number = |p: &&Json| p["column"] == "phones.list.element.number";
        let column: Vec<&Json> = pages.iter().filter(number).collect();
        assert!(!column.is_empty(), "{}: no number pages", case.name);
        // In the first row group: a dictionary page, dictionary-encoded data pages, and,
        // once the dictionary is full, plain data pages.
        let first: Vec<&Json> = column
            .iter()
            .copied()
            .filter(|p| p["row_group"] == 0)
            .collect();
        let has = |ty: &str, enc: &str| {
            first
                .iter()
                .any(|p| p["type"] == ty && p["encoding"] == enc)
        };
        assert!(
            first.iter().any(|p| p["type"] == "dictionary"),
            "{}: no dictionary page",
            case.name
        );
        let data_type = if case.data_page_version == "2.0" {
            "data v2"
        } else {
            "data v1"
        };
        assert!(
            has(data_type, "RLE_DICTIONARY"),
            "{}: no dictionary-encoded data page",
            case.name
        );
        assert!(
            has(data_type, "PLAIN"),
            "{}: no plain data page after the fallback",
            case.name
        );
    }
}

#[test]
fn compression_codecs() {
    let mut seen = std::collections::BTreeSet::new();
    for case in cases(|_| true) {
        let expected = match case.compression.as_str() {
            "snappy" => "SNAPPY",
            "zstd" => "ZSTD",
            "gzip" => "GZIP",
            "lz4" => "LZ4_RAW",
            "brotli" => "BROTLI",
            "none" | "uncompressed" => "UNCOMPRESSED",
            other => panic!("{}: unknown compression {other}", case.name),
        };
        seen.insert((case.writer.clone(), expected));
        for group in meta(&case.file)["row_groups"].as_array().unwrap() {
            for column in group["columns"].as_array().unwrap() {
                assert_eq!(column["codec"], expected, "{}: {column}", case.name);
            }
        }
    }
    for writer in ["pyarrow", "duckdb"] {
        for codec in ["SNAPPY", "ZSTD", "UNCOMPRESSED"] {
            assert!(
                seen.contains(&(writer.to_string(), codec)),
                "{writer} {codec}: {seen:?}"
            );
        }
    }
    for codec in ["GZIP", "LZ4_RAW", "BROTLI"] {
        assert!(
            seen.contains(&("pyarrow".to_string(), codec)),
            "{codec}: {seen:?}"
        );
    }
}

#[test]
fn delta_and_byte_stream_split_encodings() {
    let mut seen = std::collections::BTreeSet::new();
    for case in cases(|c| c.encodings.is_some() || c.writer == "duckdb") {
        for page in pages(&case.file) {
            if let Some(encoding) = page["encoding"].as_str() {
                seen.insert(encoding.to_string());
            }
            if case.encodings.is_some() {
                assert_ne!(page["type"], "dictionary", "{}: dictionary off", case.name);
            }
        }
    }
    for encoding in [
        "DELTA_BINARY_PACKED",
        "DELTA_BYTE_ARRAY",
        "DELTA_LENGTH_BYTE_ARRAY",
        "BYTE_STREAM_SPLIT",
    ] {
        assert!(seen.contains(encoding), "no {encoding} page: {seen:?}");
    }
}

#[test]
fn page_checksums_and_page_index() {
    let with_crc = cases(|c| c.page_checksum);
    let with_index = cases(|c| c.page_index);
    assert!(!with_crc.is_empty() && !with_index.is_empty());
    for case in with_crc {
        for page in pages(&case.file) {
            assert_eq!(page["crc"], true, "{}: {page}", case.name);
        }
    }
    for case in with_index {
        for page in pages(&case.file)
            .iter()
            .filter(|p| p["type"] != "dictionary")
        {
            assert!(page["first_row"].is_u64(), "{}: {page}", case.name);
        }
    }
}
