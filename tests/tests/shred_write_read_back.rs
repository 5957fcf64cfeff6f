//! Our files, their readers: files from `shred write` read by pyarrow and DuckDB as exactly
//! the input records.
//!
//! Every fixture (the Dremel paper's Document r1/r2 with bare repeated fields, the five
//! Contact definition states, 3000 generated contacts with empty lists and null items,
//! nested lists, maps and structs, one column per physical type) is written by `shred write`
//! three ways: uncompressed; snappy with 2-record row groups (1000 for the generated
//! contacts); zstd with data pages v2. `tests/python/read_back.py` reads every file with
//! pyarrow and with DuckDB and dumps the records as canonical JSON; each dump must equal the
//! input records in their canonical form (`shred::record::normalize`), record by record.

use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::Value as Json;
use shred::Schema;
use shred_gen::{Distribution, Generator};
use shred_tests::study_counts::StudyCounts;
use shred_tests::tools::{Tool, run};
use shred_tests::{fixture, python, records, shred_fixture};

/// One input: a schema and its records.
struct Input {
    name: &'static str,
    schema: PathBuf,
    records: PathBuf,
    /// Records per row group in the "several row groups" variant.
    row_group_size: u64,
}

/// One file `shred write` made, with what the readers said about it.
struct Written {
    name: String,
    input: &'static str,
    file: PathBuf,
    expected: Vec<Json>,
    report: Json,
}

struct ReadBack {
    _dir: tempfile::TempDir,
    files: Vec<Written>,
}

/// The generator of the "generated_contacts" input: every definition state present.
fn generator() -> Generator {
    Generator::new(7, Distribution::all_def_states())
}

const GENERATED: u64 = 3000;

fn inputs(dir: &std::path::Path) -> Vec<Input> {
    let generator = generator();
    let contacts: Vec<Json> = (0..GENERATED)
        .map(|i| generator.contact(i).to_json())
        .collect();
    let contacts_path = dir.join("generated_contacts.ndjson");
    records::write_ndjson(&contacts_path, &contacts);
    vec![
        Input {
            name: "document",
            schema: shred_fixture("document.schema"),
            records: shred_fixture("document.ndjson"),
            row_group_size: 1,
        },
        Input {
            name: "contact_states",
            schema: shred_fixture("contact.schema"),
            records: shred_fixture("contact_states.ndjson"),
            row_group_size: 2,
        },
        Input {
            name: "generated_contacts",
            schema: shred_fixture("contact.schema"),
            records: contacts_path,
            row_group_size: 1000,
        },
        Input {
            name: "nested",
            schema: shred_fixture("nested.schema"),
            records: shred_fixture("nested.json"),
            row_group_size: 2,
        },
        Input {
            name: "types",
            schema: fixture("types.schema"),
            records: fixture("types.ndjson"),
            row_group_size: 2,
        },
    ]
}

/// Writes every input three ways and reads every file back, once per test process.
fn read_back() -> &'static ReadBack {
    static READ_BACK: OnceLock<ReadBack> = OnceLock::new();
    READ_BACK.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temporary directory");
        let mut files = Vec::new();
        for input in inputs(dir.path()) {
            let schema = Schema::from_file(&input.schema).expect("fixture schema parses");
            let expected = records::canonical(&schema, &records::read_input(&input.records));
            let rg = input.row_group_size.to_string();
            let variants: [(&str, Vec<&str>); 3] = [
                ("none", vec!["--compression", "none"]),
                (
                    "snappy-rg",
                    vec!["--compression", "snappy", "--row-group-size", &rg],
                ),
                ("zstd-v2", vec!["--compression", "zstd", "--data-page-v2"]),
            ];
            for (variant, options) in variants {
                let name = format!("{}.{variant}", input.name);
                let file = dir.path().join(format!("{name}.parquet"));
                let mut args = vec!["write".into(), "--schema".into(), input.schema.clone()];
                args.push(input.records.clone());
                args.extend(["-o".into(), file.clone()]);
                args.extend(options.iter().map(PathBuf::from));
                run(Tool::Shred, &args);
                files.push(Written {
                    name,
                    input: input.name,
                    file,
                    expected: expected.clone(),
                    report: Json::Null,
                });
            }
        }
        let out_dir = dir.path().join("dumps");
        let mut args = vec![PathBuf::from("--out-dir"), out_dir];
        args.extend(files.iter().map(|f| f.file.clone()));
        let report = python::run_script_json("read_back.py", &args);
        let reports = report["files"].as_array().expect("files").clone();
        assert_eq!(reports.len(), files.len(), "one report per file");
        for (written, report) in files.iter_mut().zip(reports) {
            written.report = report;
        }
        ReadBack { _dir: dir, files }
    })
}

/// Checks every file of one input: row counts and each reader's dump.
fn check_input(input: &str) {
    let files: Vec<&Written> = read_back()
        .files
        .iter()
        .filter(|f| f.input == input)
        .collect();
    assert_eq!(files.len(), 3, "{input}: three files");
    let mut failures = Vec::new();
    for f in files {
        let n = f.expected.len() as u64;
        assert_eq!(f.report["pyarrow"]["metadata_rows"], n, "{}", f.name);
        for reader in ["pyarrow", "duckdb"] {
            let r = &f.report[reader];
            assert_eq!(r["rows"], n, "{} read by {reader}", f.name);
            let dump = PathBuf::from(r["dump"].as_str().expect("dump path"));
            let actual = records::read_input(&dump);
            if let Err(e) = records::compare(
                &format!("{} read by {reader}", f.name),
                &f.expected,
                &actual,
            ) {
                failures.push(e);
            }
        }
        // Every top-level field of the schema is a column for both readers, in order.
        let fields: Vec<&str> = f.expected[0]
            .as_object()
            .expect("records are objects")
            .keys()
            .map(String::as_str)
            .collect();
        for reader in ["pyarrow", "duckdb"] {
            let columns: Vec<&str> = f.report[reader]["schema"]
                .as_array()
                .expect("schema")
                .iter()
                .map(|c| c[0].as_str().expect("column name"))
                .collect();
            assert_eq!(columns, fields, "{} columns seen by {reader}", f.name);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The schema one reader reports for one file, as `[name, type]` pairs.
fn reader_schema(name: &str, reader: &str) -> Vec<(String, String)> {
    let f = read_back()
        .files
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no file {name}"));
    f.report[reader]["schema"]
        .as_array()
        .expect("schema")
        .iter()
        .map(|c| (c[0].as_str().unwrap().into(), c[1].as_str().unwrap().into()))
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn document_example_reads_back() {
    check_input("document");
}

#[test]
fn contact_definition_states_read_back() {
    check_input("contact_states");
}

#[test]
fn generated_contacts_read_back_across_row_groups() {
    check_input("generated_contacts");
    let report = &read_back()
        .files
        .iter()
        .find(|f| f.name == "generated_contacts.snappy-rg")
        .unwrap()
        .report;
    assert_eq!(report["pyarrow"]["row_groups"], 3);
}

#[test]
fn study_queries_in_duckdb_agree_with_our_records() {
    let file = &read_back()
        .files
        .iter()
        .find(|f| f.name == "generated_contacts.snappy-rg")
        .unwrap()
        .file;
    let answers: StudyCounts =
        serde_json::from_value(python::run_script_json("duckdb_queries.py", [file]))
            .expect("duckdb_queries.py prints the study counts");
    let generator = generator();
    let expected = StudyCounts::of(&generator.contacts(0..GENERATED).collect::<Vec<_>>());
    assert!(expected.null_lists > 0 && expected.empty_lists > 0);
    assert!(expected.by_phone_type["null"] > 0);
    assert_eq!(answers, expected);
}

#[test]
fn nested_lists_maps_structs_read_back() {
    check_input("nested");
}

#[test]
fn physical_types_read_back() {
    check_input("types");
}

#[test]
fn readers_see_the_contact_schema() {
    assert_eq!(
        reader_schema("contact_states.none", "pyarrow"),
        pairs(&[
            ("name", "string"),
            (
                "phones",
                "list<item: struct<number: string, phone_type: string>>"
            ),
        ])
    );
    assert_eq!(
        reader_schema("contact_states.none", "duckdb"),
        pairs(&[
            ("name", "VARCHAR"),
            ("phones", "STRUCT(number VARCHAR, phone_type VARCHAR)[]"),
        ])
    );
}

#[test]
fn readers_see_the_logical_types() {
    // The annotations shred writes (INTEGER(8,true), INTEGER(32,false), STRING, ...) decide
    // the readers' types; bare repeated fields are non-null lists of non-null items.
    assert_eq!(
        reader_schema("types.zstd-v2", "pyarrow"),
        pairs(&[
            ("flag", "bool"),
            ("i32", "int32"),
            ("i64", "int64"),
            ("i8", "int8"),
            ("u32", "uint32"),
            ("u64", "uint64"),
            ("f32", "float"),
            ("f64", "double"),
            ("raw", "binary"),
            ("text", "string"),
            ("fixed", "fixed_size_binary[3]"),
            ("bare", "list<bare: int32 not null>"),
            (
                "pairs",
                "list<pairs: struct<k: string not null, v: struct<n: int64 not null, x: double>> not null>"
            ),
        ])
    );
    assert_eq!(
        reader_schema("types.zstd-v2", "duckdb"),
        pairs(&[
            ("flag", "BOOLEAN"),
            ("i32", "INTEGER"),
            ("i64", "BIGINT"),
            ("i8", "TINYINT"),
            ("u32", "UINTEGER"),
            ("u64", "UBIGINT"),
            ("f32", "FLOAT"),
            ("f64", "DOUBLE"),
            ("raw", "BLOB"),
            ("text", "VARCHAR"),
            ("fixed", "BLOB"),
            ("bare", "INTEGER[]"),
            ("pairs", "STRUCT(k VARCHAR, v STRUCT(n BIGINT, x DOUBLE))[]"),
        ])
    );
}
