//! `shred-inspect cat` (records assembled from the file) and `schema --format message`
//! (the schema as text `shred` reads back).

mod common;

use parquet::file::properties::WriterProperties;
use serde_json::{Value as Json, json};
use shred::Schema;
use shred::fixtures::{DOCUMENT_SCHEMA, document_records};

use common::{canonical, json_lines, run, run_ok, write_with_shred};

/// 50 contacts in every definition state, written as row groups of 20 and 30 records.
fn contacts() -> (common::TestFile, Vec<Json>) {
    let records: Vec<Json> = (0..50)
        .map(|i| {
            let phones = match i % 4 {
                0 => Json::Null,
                1 => json!([]),
                2 => json!([{"number": format!("+91-{i:010}"), "phone_type": null}]),
                _ => json!([{"number": null, "phone_type": "Work"}, {"number": "+1", "phone_type": "Home"}]),
            };
            json!({"name": if i % 5 == 0 { None } else { Some(format!("N{i}")) }, "phones": phones})
        })
        .collect();
    let file = write_with_shred(
        shred::contact::CONTACT_SCHEMA,
        &records,
        &[20, 30],
        WriterProperties::builder().build(),
    );
    let expected = canonical(&file.schema, &records);
    (file, expected)
}

#[test]
fn json_is_every_record_in_canonical_form() {
    let (file, expected) = contacts();
    let out = run_ok(&["cat", file.path_str(), "--format", "json"]);
    assert_eq!(json_lines(&out), expected);
}

#[test]
fn nested_repeated_groups_assemble() {
    let schema = Schema::parse(DOCUMENT_SCHEMA).unwrap();
    let records = document_records();
    let file = write_with_shred(
        DOCUMENT_SCHEMA,
        &records,
        &[1, 1],
        WriterProperties::builder().build(),
    );
    let out = run_ok(&["cat", file.path_str(), "--format", "json"]);
    assert_eq!(json_lines(&out), canonical(&schema, &records));
}

#[test]
fn records_range_spans_row_groups() {
    let (file, expected) = contacts();
    let out = run_ok(&[
        "cat",
        file.path_str(),
        "--records",
        "15..35",
        "--format",
        "json",
    ]);
    assert_eq!(json_lines(&out), expected[15..35]);
    let out = run_ok(&[
        "cat",
        file.path_str(),
        "--records",
        "45..",
        "--format",
        "json",
    ]);
    assert_eq!(json_lines(&out), expected[45..]);
}

#[test]
fn projection_holds_only_the_selected_fields() {
    let (file, expected) = contacts();
    let out = run_ok(&[
        "cat",
        file.path_str(),
        "--columns",
        "name",
        "--format",
        "json",
    ]);
    let names: Vec<Json> = expected
        .iter()
        .map(|r| json!({"name": r["name"]}))
        .collect();
    assert_eq!(json_lines(&out), names);
    let out = run_ok(&[
        "cat",
        file.path_str(),
        "--columns",
        "phones.list.item.number",
        "--records",
        "3",
        "--format",
        "json",
    ]);
    assert_eq!(
        json_lines(&out),
        [json!({"phones": [{"number": null}, {"number": "+1"}]})]
    );
}

#[test]
fn table_shows_values_by_logical_type() {
    let file = write_with_shred(
        "message m { required int32 day (DATE); optional group tags (LIST) { repeated group list { optional binary element (STRING); } } }",
        &[
            json!({"day": 19000, "tags": ["a", null]}),
            json!({"day": 0, "tags": null}),
        ],
        &[2],
        WriterProperties::builder().build(),
    );
    let out = run_ok(&["cat", file.path_str()]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[1].contains("record") && lines[1].contains("day") && lines[1].contains("tags"),
        "{out}"
    );
    assert!(out.contains("2022-01-08"), "{out}");
    assert!(out.contains("1970-01-01"), "{out}");
    assert!(out.contains(r#"["a", null]"#), "{out}");
}

#[test]
fn unknown_column_is_an_error() {
    let (file, _) = contacts();
    let (message, code) = run(&["cat", file.path_str(), "--columns", "nope"]).unwrap_err();
    assert_eq!(code, 2);
    assert!(message.contains("nope"), "{message}");
}

#[test]
fn schema_message_parses_back() {
    let file = write_with_shred(
        DOCUMENT_SCHEMA,
        &document_records(),
        &[2],
        WriterProperties::builder().build(),
    );
    let text = run_ok(&["schema", file.path_str(), "--format", "message"]);
    let schema = Schema::parse(&text).unwrap();
    let paths = |s: &Schema| {
        s.leaves()
            .iter()
            .map(|l| (l.path.clone(), l.max_rep, l.max_def))
            .collect::<Vec<_>>()
    };
    assert_eq!(paths(&schema), paths(&file.schema));
}

#[test]
fn message_format_is_for_schema_only() {
    let (file, _) = contacts();
    let (message, code) = run(&["levels", file.path_str(), "--format", "message"]).unwrap_err();
    assert_eq!(code, 2);
    assert!(
        message.contains("--format message is for `schema` only"),
        "{message}"
    );
}
