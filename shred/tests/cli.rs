//! CLI tests of the `shred` binary: every subcommand, good and bad input, exit codes.
//!
//! The binary is the one cargo built for this package (`CARGO_BIN_EXE_shred`).

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value as Json;

fn data(name: &str) -> String {
    format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn shred() -> Command {
    Command::new(env!("CARGO_BIN_EXE_shred"))
}

fn json_lines(stdout: &[u8]) -> Vec<Json> {
    String::from_utf8(stdout.to_vec())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn levels_json_prints_figure_3_entries() {
    let out = shred()
        .args(["levels", "--format", "json", "--schema"])
        .arg(data("document.schema"))
        .arg(data("document.ndjson"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let entries = json_lines(&out);
    assert_eq!(entries.len(), 23);
    let country: Vec<(Json, i64, i64)> = entries
        .iter()
        .filter(|e| e["column"] == "Name.Language.Country")
        .map(|e| {
            (
                e["value"].clone(),
                e["r"].as_i64().unwrap(),
                e["d"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        country,
        vec![
            (Json::from("us"), 0, 3),
            (Json::Null, 2, 2),
            (Json::Null, 1, 1),
            (Json::from("gb"), 1, 3),
            (Json::Null, 0, 1),
        ]
    );
    // Exactly the documented keys, in order.
    let first = String::from_utf8(out)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string();
    assert_eq!(
        first,
        r#"{"column":"DocId","row_group":0,"record":0,"r":0,"d":0,"value":10}"#
    );
}

#[test]
fn levels_table_shows_max_levels() {
    shred()
        .args(["levels", "--schema"])
        .arg(data("contact.schema"))
        .arg(data("contact_states.ndjson"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "row group 0, column phones.list.item.number (max r 1, max d 4)\n\
             ┌────────┬───┬───┬──────────────────┐\n\
             │ record │ r │ d │ value            │\n\
             ├────────┼───┼───┼──────────────────┤\n\
             │ 0      │ 0 │ 0 │ null             │\n",
        ));
}

#[test]
fn contact_definition_states_in_levels() {
    let out = shred()
        .args(["levels", "--format", "json", "--schema"])
        .arg(data("contact.schema"))
        .arg(data("contact_states.ndjson"))
        .output()
        .unwrap();
    let d: Vec<i64> = json_lines(&out.stdout)
        .iter()
        .filter(|e| e["column"] == "phones.list.item.number")
        .map(|e| e["d"].as_i64().unwrap())
        .collect();
    assert_eq!(d, vec![0, 1, 2, 3, 4, 4]);
}

#[test]
fn roundtrip_succeeds_on_every_fixture() {
    for (schema, records) in [
        ("document.schema", "document.ndjson"),
        ("contact.schema", "contact_states.ndjson"),
        ("nested.schema", "nested.json"),
    ] {
        shred()
            .args(["roundtrip", "--schema"])
            .arg(data(schema))
            .arg(data(records))
            .assert()
            .success()
            .stdout(predicate::str::contains("identical"));
    }
}

#[test]
fn fsm_prints_the_paper_transitions() {
    shred()
        .args(["fsm", "--schema"])
        .arg(data("document.schema"))
        .assert()
        .success()
        .stdout(
            predicate::str::is_match(r"Name\.Language\.Country\s+│ 2\s+│ Name\.Language\.Code")
                .unwrap(),
        );
}

#[test]
fn fsm_projection() {
    shred()
        .args([
            "fsm",
            "--columns",
            "DocId,Name.Language.Country",
            "--schema",
        ])
        .arg(data("document.schema"))
        .assert()
        .success()
        .stdout(
            predicate::str::is_match(
                r"Name\.Language\.Country\s+│ 1,2\s+│ Name\.Language\.Country",
            )
            .unwrap(),
        );
}

#[test]
fn fsm_unknown_column_is_bad_input() {
    shred()
        .args(["fsm", "--columns", "Nope", "--schema"])
        .arg(data("document.schema"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no leaf column `Nope`"));
}

#[test]
fn write_then_verify() {
    let dir = tempfile::tempdir().unwrap();
    for (schema, records, compression) in [
        ("document.schema", "document.ndjson", "none"),
        ("contact.schema", "contact_states.ndjson", "zstd:3"),
        ("nested.schema", "nested.json", "snappy"),
    ] {
        let out = dir.path().join(format!("{records}.parquet"));
        shred()
            .args([
                "write",
                "--compression",
                compression,
                "--row-group-size",
                "2",
                "--schema",
            ])
            .arg(data(schema))
            .arg(data(records))
            .arg("-o")
            .arg(&out)
            .assert()
            .success();
        shred()
            .arg("verify")
            .arg(&out)
            .assert()
            .success()
            .stdout(predicate::str::contains("OK"));
    }
    // Only the finished files are left: no temporary names.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
}

#[test]
fn malformed_json_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let records = dir.path().join("bad.ndjson");
    std::fs::write(&records, "{\"DocId\": 1}\n{\"DocId\": ]\n").unwrap();
    shred()
        .args(["levels", "--schema"])
        .arg(data("document.schema"))
        .arg(&records)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.ndjson: line 2: invalid JSON"));
}

#[test]
fn missing_required_field_names_record_and_path() {
    let dir = tempfile::tempdir().unwrap();
    let records = dir.path().join("r.ndjson");
    std::fs::write(
        &records,
        "{\"DocId\": 1}\n{\"DocId\": 2, \"Name\": [{\"Language\": [{\"Country\": \"x\"}]}]}\n",
    )
    .unwrap();
    shred()
        .args(["roundtrip", "--schema"])
        .arg(data("document.schema"))
        .arg(&records)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "record 1 (line 2): field Name[0].Language[0].Code: required field is missing or null",
        ));
}

#[test]
fn list_where_scalar_expected() {
    let dir = tempfile::tempdir().unwrap();
    let records = dir.path().join("r.ndjson");
    std::fs::write(&records, "{\"name\": [\"a\", \"b\"]}\n").unwrap();
    shred()
        .args(["write", "--schema"])
        .arg(data("contact.schema"))
        .arg(&records)
        .arg("-o")
        .arg(dir.path().join("out.parquet"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "record 0 (line 1): field name: expected a string",
        ));
    assert!(!dir.path().join("out.parquet").exists());
}

#[test]
fn unreadable_schema_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("s.schema");
    std::fs::write(&schema, "message m { required int99 x; }").unwrap();
    shred()
        .args(["levels", "--schema"])
        .arg(&schema)
        .arg(data("document.ndjson"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("s.schema").and(predicate::str::contains("INT99")));
    shred()
        .args(["fsm", "--schema", "/no/such/file.schema"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "/no/such/file.schema: cannot read schema",
        ));
}

#[test]
fn verify_rejects_non_parquet_and_truncated_files() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("text.parquet");
    std::fs::write(&text, "not parquet at all").unwrap();
    shred()
        .arg("verify")
        .arg(&text)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "text.parquet: not a readable Parquet file",
        ));
    let good = dir.path().join("good.parquet");
    shred()
        .args(["write", "--schema"])
        .arg(data("document.schema"))
        .arg(data("document.ndjson"))
        .arg("-o")
        .arg(&good)
        .assert()
        .success();
    let bytes = std::fs::read(&good).unwrap();
    let cut = dir.path().join("cut.parquet");
    std::fs::write(&cut, &bytes[..bytes.len() - 10]).unwrap();
    shred()
        .arg("verify")
        .arg(&cut)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cut.parquet"));
}

#[test]
fn verify_names_the_footer_repairs_it_read_through() {
    let file = format!(
        "{}/../tests/data/parquet-testing/data/dict-page-offset-zero.parquet",
        env!("CARGO_MANIFEST_DIR")
    );
    shred()
        .args(["verify", &file])
        .assert()
        .success()
        .stdout(predicate::str::contains("OK"))
        .stderr(predicate::str::contains(
            "dict-page-offset-zero.parquet: warning: footer field",
        ))
        .stderr(predicate::str::contains("dictionary_page_offset is 0"));
}

#[test]
fn bad_usage_exits_2() {
    shred()
        .args(["write", "--compression", "zip"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unknown compression \"zip\"; expected none, snappy, gzip[:level], lz4, lz4_raw, \
             zstd[:level] or brotli[:level]",
        ));
    shred()
        .args(["write", "--compression", "zstd:40"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("zstd level 40 is outside 1..=22"));
    shred().arg("frobnicate").assert().code(2);
}

/// Every spelling of the codec vocabulary writes the codec `shred::codec` parses it to
/// (the footer records the codec, not its level), as `shred-gen` does (gen/tests/cli.rs).
#[test]
fn every_codec_spelling_reaches_the_footer() {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use shred::codec::same_codec;
    let dir = tempfile::tempdir().unwrap();
    for spelling in shred::codec::SPELLINGS {
        let out = dir.path().join(format!("{spelling}.parquet"));
        shred()
            .args(["write", "--compression", spelling, "--schema"])
            .arg(data("contact.schema"))
            .arg(data("contact_states.ndjson"))
            .arg("-o")
            .arg(&out)
            .assert()
            .success();
        let expected = shred::codec::parse_codec(spelling).unwrap();
        let file = SerializedFileReader::new(std::fs::File::open(&out).unwrap()).unwrap();
        for column in file.metadata().row_group(0).columns() {
            let written = column.compression();
            assert!(same_codec(written, expected), "{spelling}: {written:?}");
        }
    }
}

#[test]
fn unwritable_output_fails_cleanly() {
    shred()
        .args(["write", "--schema"])
        .arg(data("document.schema"))
        .arg(data("document.ndjson"))
        .args(["-o", "/no/such/dir/out.parquet"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "/no/such/dir/out.parquet: cannot create",
        ));
}
