//! The Dremel paper's Document example (Melnik et al., VLDB 2010, Figures 2 and 3) written
//! as a Parquet file with bare repeated fields: `levels` must print Figure 3's striped
//! table entry by entry, `record` must give back r1 and r2, `histogram` must count it.

mod common;

use parquet::file::properties::WriterProperties;
use serde_json::json;
use shred::fixtures::{DOCUMENT_SCHEMA, document_records};

use common::{check_all_commands, json_lines, run_ok, write_with_shred};

/// Figure 3: (column, record, r, d, value) of every entry.
const FIGURE_3: &[(&str, u64, i16, i16, &str)] = &[
    ("DocId", 0, 0, 0, "10"),
    ("DocId", 1, 0, 0, "20"),
    ("Links.Backward", 0, 0, 1, "null"),
    ("Links.Backward", 1, 0, 2, "10"),
    ("Links.Backward", 1, 1, 2, "30"),
    ("Links.Forward", 0, 0, 2, "20"),
    ("Links.Forward", 0, 1, 2, "40"),
    ("Links.Forward", 0, 1, 2, "60"),
    ("Links.Forward", 1, 0, 2, "80"),
    ("Name.Language.Code", 0, 0, 2, "\"en-us\""),
    ("Name.Language.Code", 0, 2, 2, "\"en\""),
    ("Name.Language.Code", 0, 1, 1, "null"),
    ("Name.Language.Code", 0, 1, 2, "\"en-gb\""),
    ("Name.Language.Code", 1, 0, 1, "null"),
    ("Name.Language.Country", 0, 0, 3, "\"us\""),
    ("Name.Language.Country", 0, 2, 2, "null"),
    ("Name.Language.Country", 0, 1, 1, "null"),
    ("Name.Language.Country", 0, 1, 3, "\"gb\""),
    ("Name.Language.Country", 1, 0, 1, "null"),
    ("Name.Url", 0, 0, 2, "\"http://A\""),
    ("Name.Url", 0, 1, 2, "\"http://B\""),
    ("Name.Url", 0, 1, 1, "null"),
    ("Name.Url", 1, 0, 2, "\"http://C\""),
];

fn document_file() -> common::TestFile {
    write_with_shred(
        DOCUMENT_SCHEMA,
        &document_records(),
        &[2],
        WriterProperties::builder().build(),
    )
}

#[test]
fn levels_print_figure_3() {
    let f = document_file();
    let out = run_ok(&["levels", f.path_str(), "--format", "json"]);
    let expected: Vec<String> = FIGURE_3
        .iter()
        .map(|(c, rec, r, d, v)| {
            format!("{{\"column\":\"{c}\",\"row_group\":0,\"record\":{rec},\"r\":{r},\"d\":{d},\"value\":{v}}}")
        })
        .collect();
    assert_eq!(out.lines().collect::<Vec<_>>(), expected);
}

/// `shred levels` on the records the file was written from: what `shred` prints for the
/// levels it computes.
fn shred_levels(format: &str) -> String {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../shred/tests/data");
    let (schema, records) = (
        format!("{data}/document.schema"),
        format!("{data}/document.ndjson"),
    );
    let args = [
        "shred", "levels", "--format", format, "--schema", &schema, &records,
    ];
    let mut out = Vec::new();
    shred::cli::run(args, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn levels_json_is_shred_levels() {
    let f = document_file();
    let out = run_ok(&["levels", f.path_str(), "--format", "json"]);
    assert_eq!(out, shred_levels("json"));
}

#[test]
fn levels_table_is_shred_levels() {
    let f = document_file();
    let out = run_ok(&["levels", f.path_str()]);
    assert_eq!(out, shred_levels("table"));
    assert!(
        out.starts_with(
            "row group 0, column DocId (max r 0, max d 0)\n\
             ┌────────┬───┬───┬───────┐\n\
             │ record │ r │ d │ value │\n\
             ├────────┼───┼───┼───────┤\n\
             │ 0      │ 0 │ 0 │ 10    │\n"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "row group 0, column Name.Language.Country (max r 2, max d 3)\n\
             ┌────────┬───┬───┬───────┐\n\
             │ record │ r │ d │ value │\n\
             ├────────┼───┼───┼───────┤\n\
             │ 0      │ 0 │ 3 │ \"us\"  │\n\
             │ 0      │ 2 │ 2 │ null  │\n"
        ),
        "null spelled as in JSON: {out}"
    );
}

#[test]
fn records_r1_and_r2_reassemble() {
    let f = document_file();
    for (i, expected) in f.records.iter().enumerate() {
        let out = run_ok(&["record", f.path_str(), &i.to_string(), "--format", "json"]);
        let doc: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        assert_eq!(&doc["assembled"], expected);
    }
    // The table names each column's entries and their page (page 0 is the dictionary).
    let table = run_ok(&["record", f.path_str(), "1"]);
    assert!(table.contains("record 1 (row group 0)"), "{table}");
    assert!(table.contains("\"http://C\""), "{table}");
    assert!(table.contains(r#"{"DocId":20,"Links":{"Backward":[10,30],"Forward":[80]},"Name":[{"Language":[],"Url":"http://C"}]}"#), "{table}");
}

#[test]
fn histogram_counts_every_definition_state() {
    let f = document_file();
    let hist = json_lines(&run_ok(&["histogram", f.path_str(), "--format", "json"]));
    let country = hist
        .iter()
        .find(|h| h["column"] == json!("Name.Language.Country"))
        .unwrap();
    // d: 1 (no Language, twice), 2 (Language without Country), 3 (us, gb)
    assert_eq!(country["d"], json!([0, 2, 1, 2]));
    assert_eq!(country["r"], json!([2, 2, 1]));
    assert_eq!(
        country["stored_d"],
        json!([0, 2, 1, 2]),
        "arrow-rs's writer stores the same"
    );
}

#[test]
fn schema_table_shows_levels_of_every_node() {
    let f = document_file();
    let table = run_ok(&["schema", f.path_str()]);
    let language = table.lines().find(|l| l.contains("Language ")).unwrap();
    assert!(
        language.contains("REPEATED") && language.contains("│ 2     │ 2"),
        "{language}"
    );
    let country = table.lines().find(|l| l.contains("Country")).unwrap();
    assert!(
        country.contains("│ 4      │ Name.Language.Country │ 2     │ 3"),
        "{country}"
    );
}

#[test]
fn every_command_agrees_with_the_records() {
    check_all_commands(&document_file());
}

#[test]
fn several_files_at_once() {
    let a = document_file();
    let b = document_file();
    let out = run_ok(&[
        "levels",
        a.path_str(),
        b.path_str(),
        "--column",
        "DocId",
        "--format",
        "json",
    ]);
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["file"], json!(a.path_str()));
    assert_eq!(lines[3]["file"], json!(b.path_str()));
    let table = run_ok(&["schema", a.path_str(), b.path_str()]);
    assert_eq!(table.matches("== ").count(), 2);
}
