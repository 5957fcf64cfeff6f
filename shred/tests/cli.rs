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
fn verify_projection_reads_only_the_columns_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("document.parquet");
    shred()
        .args(["write", "--row-group-size", "1", "--schema"])
        .arg(data("document.schema"))
        .arg(data("document.ndjson"))
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    // Name is a group: its three leaves, with DocId four of the six columns.
    let summary = stdout_of(
        shred()
            .args(["verify", "--threads", "2", "--columns", "DocId,Name"])
            .arg(&out)
            .assert()
            .success(),
    );
    let row = summary.lines().find(|l| l.contains("OK")).unwrap();
    let cells: Vec<&str> = row.split('│').map(str::trim).collect();
    assert_eq!(&cells[2..7], ["2", "2", "4", "16", "10"], "{summary}");
    shred()
        .args(["verify", "--columns", "Name.Nope"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no column 'Name.Nope' (columns: DocId, ",
        ));
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

/// `n` contacts as NDJSON: every definition state of `phones`, names and numbers varied.
fn contacts(n: usize) -> String {
    let mut out = String::new();
    for i in 0..n {
        let name = match i % 5 {
            0 => "null".to_string(),
            _ => format!("\"person {i}\""),
        };
        let phones = match i % 7 {
            0 => "null".to_string(),
            1 => "[]".to_string(),
            2 => "[null]".to_string(),
            k => {
                let items: Vec<String> = (0..k - 2)
                    .map(|j| {
                        format!(
                            "{{\"number\": \"+91-{:010}\", \"phone_type\": {}}}",
                            i * 10 + j,
                            ["\"Mobile\"", "\"Work\"", "null"][(i + j) % 3]
                        )
                    })
                    .collect();
                format!("[{}]", items.join(", "))
            }
        };
        out.push_str(&format!("{{\"name\": {name}, \"phones\": {phones}}}\n"));
    }
    out
}

fn stdout_of(assert: assert_cmd::assert::Assert) -> String {
    String::from_utf8(assert.get_output().stdout.clone()).unwrap()
}

#[test]
fn levels_read_stdin_as_a_file() {
    let from_file = stdout_of(
        shred()
            .args(["levels", "--format", "json", "--schema"])
            .arg(data("document.schema"))
            .arg(data("document.ndjson"))
            .assert()
            .success(),
    );
    let from_stdin = stdout_of(
        shred()
            .args(["levels", "--format", "json", "--schema"])
            .arg(data("document.schema"))
            .arg("-")
            .pipe_stdin(data("document.ndjson"))
            .unwrap()
            .assert()
            .success(),
    );
    assert_eq!(json_lines(from_stdin.as_bytes()).len(), 23);
    assert_eq!(from_stdin, from_file);
}

#[test]
fn json_array_input_equals_ndjson() {
    let dir = tempfile::tempdir().unwrap();
    let ndjson = contacts(50);
    let array = format!("[\n{}\n]\n", ndjson.lines().collect::<Vec<_>>().join(",\n"));
    let (lines, elements) = (dir.path().join("c.ndjson"), dir.path().join("c.json"));
    std::fs::write(&lines, &ndjson).unwrap();
    std::fs::write(&elements, &array).unwrap();
    // Levels of `records` (a path, or `-` with `stdin`).
    let levels = |records: &std::path::Path, stdin: Option<&str>| {
        let mut command = shred();
        command
            .args(["levels", "--format", "json", "--row-group-size", "16"])
            .arg("--schema")
            .arg(data("contact.schema"))
            .arg(records);
        if let Some(stdin) = stdin {
            command.write_stdin(stdin.to_string());
        }
        stdout_of(command.assert().success())
    };
    let expected = levels(&lines, None);
    assert!(
        expected.contains(r#""row_group":3,"record":48,"#),
        "four row groups"
    );
    assert_eq!(levels(&elements, None), expected);
    // From stdin too, and through the round trip.
    let from_stdin = levels(std::path::Path::new("-"), Some(&array));
    assert_eq!(from_stdin, expected);
    shred()
        .args(["roundtrip", "--row-group-size", "16", "--schema"])
        .arg(data("contact.schema"))
        .arg(&elements)
        .assert()
        .success()
        .stdout(predicate::str::contains("│ 50      │ 3       │"));
}

#[test]
fn levels_print_row_group_by_row_group_with_file_wide_records() {
    let out = stdout_of(
        shred()
            .args(["levels", "--row-group-size", "1", "--schema"])
            .arg(data("document.schema"))
            .arg(data("document.ndjson"))
            .assert()
            .success(),
    );
    let sections: Vec<&str> = out.lines().filter(|l| l.starts_with("row group")).collect();
    assert_eq!(
        sections.len(),
        12,
        "6 columns in each of 2 row groups: {out}"
    );
    assert_eq!(sections[0], "row group 0, column DocId (max r 0, max d 0)");
    assert_eq!(
        sections[5],
        "row group 0, column Name.Url (max r 1, max d 2)"
    );
    assert_eq!(sections[6], "row group 1, column DocId (max r 0, max d 0)");
    assert!(
        out.contains(
            "row group 1, column DocId (max r 0, max d 0)\n\
             ┌────────┬───┬───┬───────┐\n\
             │ record │ r │ d │ value │\n\
             ├────────┼───┼───┼───────┤\n\
             │ 1      │ 0 │ 0 │ 20    │\n"
        ),
        "{out}"
    );
    // The same entries as one row group, only the row group differs.
    let strip = |text: String| -> Vec<Json> {
        json_lines(text.as_bytes())
            .into_iter()
            .map(|mut e| {
                e.as_object_mut().unwrap().remove("row_group");
                e
            })
            .collect()
    };
    let json = |size: &str| {
        stdout_of(
            shred()
                .args([
                    "levels",
                    "--format",
                    "json",
                    "--row-group-size",
                    size,
                    "--schema",
                ])
                .arg(data("document.schema"))
                .arg(data("document.ndjson"))
                .assert()
                .success(),
        )
    };
    let (mut split, mut whole) = (strip(json("1")), strip(json("1000")));
    let key = |e: &Json| (e["record"].as_u64(), e["column"].as_str().map(String::from));
    split.sort_by_key(key);
    whole.sort_by_key(key);
    assert_eq!(split, whole);
}

#[test]
fn write_is_byte_identical_whatever_the_threads() {
    let dir = tempfile::tempdir().unwrap();
    let records = dir.path().join("c.ndjson");
    // More than one reader chunk (1 MiB), several row groups, a short last one.
    let input = contacts(20_000);
    assert!(input.len() > 1 << 20);
    std::fs::write(&records, input).unwrap();
    let mut files = Vec::new();
    for threads in ["1", "2", "3"] {
        let out = dir.path().join(format!("t{threads}.parquet"));
        let summary = stdout_of(
            shred()
                .args(["write", "--format", "json", "--compression", "none"])
                .args(["--row-group-size", "3000", "--threads", threads, "--schema"])
                .arg(data("contact.schema"))
                .arg(&records)
                .arg("-o")
                .arg(&out)
                .env("RAYON_NUM_THREADS", threads)
                .assert()
                .success(),
        );
        let summary: Json = serde_json::from_str(&summary).unwrap();
        assert_eq!(
            (summary["records"].as_u64(), summary["row_groups"].as_u64()),
            (Some(20_000), Some(7))
        );
        files.push(std::fs::read(&out).unwrap());
    }
    assert!(files.iter().all(|f| *f == files[0]), "the files differ");
    shred()
        .arg("verify")
        .arg(dir.path().join("t2.parquet"))
        .assert()
        .success()
        .stdout(predicate::str::contains("│ 7          │ 20000   │"));
}

#[test]
fn bad_record_stops_the_write_and_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let records = dir.path().join("bad.ndjson");
    let mut input = contacts(10);
    input.push_str("{\"name\": \"x\", \"phones\": [{\"number\": 7}]}\n");
    input.push_str(&contacts(3));
    std::fs::write(&records, input).unwrap();
    let out = dir.path().join("out.parquet");
    shred()
        .args(["write", "--row-group-size", "4", "--schema"])
        .arg(data("contact.schema"))
        .arg(&records)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(format!(
            "shred: {}: record 10 (line 11): field phones[0].number: expected a string for \
             BYTE_ARRAY (String), found a number 7\n",
            records.display()
        )));
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        vec!["bad.ndjson".to_string()],
        "no output, no temporary file"
    );
}

#[test]
fn skip_bad_counts_and_reports_the_first_errors() {
    let dir = tempfile::tempdir().unwrap();
    let records = dir.path().join("some.ndjson");
    let mut input = String::new();
    for (i, line) in contacts(8).lines().enumerate() {
        input.push_str(line);
        input.push('\n');
        if i % 3 == 0 {
            input.push_str("{\"name\": 5}\n{oops\n");
        }
    }
    std::fs::write(&records, input).unwrap();
    let out = dir.path().join("out.parquet");
    let assert = shred()
        .args([
            "write",
            "--skip-bad",
            "--format",
            "json",
            "--row-group-size",
            "3",
            "--schema",
        ])
        .arg(data("contact.schema"))
        .arg(&records)
        .arg("-o")
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains(format!(
            "shred: {}: skipped 6 bad records; the first 5:\n  {}: record 1 (line 2): field name: \
             expected a string",
            records.display(),
            records.display()
        )))
        .stderr(predicate::str::contains("line 3: invalid JSON"));
    let summary: Json = serde_json::from_str(&stdout_of(assert)).unwrap();
    assert_eq!(summary["records"], 8);
    assert_eq!(summary["skipped_records"], 6);
    assert_eq!(summary["row_groups"], 3);
    assert_eq!(summary["errors"].as_array().unwrap().len(), 5);
    shred()
        .arg("verify")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("│ 3          │ 8       │"));

    // Nothing left: exit 2 and no file.
    let all_bad = dir.path().join("all_bad.ndjson");
    std::fs::write(&all_bad, "{oops\n{\"name\": 5}\n").unwrap();
    let none = dir.path().join("none.parquet");
    shred()
        .args(["write", "--skip-bad", "--schema"])
        .arg(data("contact.schema"))
        .arg(&all_bad)
        .arg("-o")
        .arg(&none)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "all_bad.ndjson: no record left: all 2 records were bad",
        ));
    assert!(!none.exists());
    // The same flag for the other streaming commands.
    shred()
        .args(["roundtrip", "--skip-bad", "--schema"])
        .arg(data("contact.schema"))
        .arg(&records)
        .assert()
        .success()
        .stdout(predicate::str::contains("│ 8       │"));
}

#[test]
fn write_summary_json_has_the_documented_keys() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("d.parquet");
    let summary = stdout_of(
        shred()
            .args(["write", "--format", "json", "--schema"])
            .arg(data("document.schema"))
            .arg(data("document.ndjson"))
            .arg("-o")
            .arg(&out)
            .assert()
            .success(),
    );
    let summary: Json = serde_json::from_str(&summary).unwrap();
    let mut keys: Vec<&str> = summary
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "bytes",
            "columns",
            "errors",
            "file",
            "input_bytes",
            "peak_rss_bytes",
            "records",
            "records_per_s",
            "row_groups",
            "seconds",
            "skipped_records"
        ]
    );
    assert_eq!(summary["records"], 2);
    assert_eq!(summary["row_groups"], 1);
    assert_eq!(summary["columns"], 6);
    assert_eq!(summary["skipped_records"], 0);
    assert_eq!(summary["file"], out.display().to_string());
    assert_eq!(summary["bytes"], std::fs::metadata(&out).unwrap().len());
    assert_eq!(
        summary["input_bytes"],
        std::fs::metadata(data("document.ndjson")).unwrap().len()
    );
    assert!(summary["peak_rss_bytes"].as_u64().unwrap() > 0);
    assert!(summary["seconds"].as_f64().unwrap() > 0.0);
    // The table has the same figures.
    shred()
        .args(["write", "--schema"])
        .arg(data("document.schema"))
        .arg(data("document.ndjson"))
        .arg("-o")
        .arg(&out)
        .assert()
        .success()
        .stdout(
            predicate::str::is_match(
                r"│ file\s+│ records │ skipped │ row groups │ columns │ bytes │ seconds\s+│ records/s\s+│ peak RSS\s+│\n.*\n│ \S+d\.parquet\s+│ 2\s+│ 0\s+│ 1\s+│ 6\s+│",
            )
            .unwrap(),
        );
}
