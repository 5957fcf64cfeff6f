//! VARIANT files written by `shred write`, read by DuckDB, pyarrow and our own tools.
//!
//! Bluesky-like events (commits, identity and account events, with extra keys, values of
//! the wrong type at shredded paths, arrays of mixed elements, primitives and nulls at the
//! top) are written under a declared object layout, unshredded, and as VARIANT elements of
//! a list. For each file, DuckDB's `v::JSON` is the JSON we wrote, pyarrow reads every row,
//! `shred verify` (our unshredding against arrow-rs's) agrees, `shred-inspect variant` finds
//! no forbidden layout, and `shred-inspect cat` prints the JSON we wrote. Bad input (a
//! number the variant encoding cannot hold, malformed JSON, a value with no column to go
//! to, a layout the spec forbids) is exit 2 naming the line and path, or the schema path.

use std::path::Path;

use serde_json::{Value as Json, json};
use shred::decryption_keys::DecryptionKeys;
use shred_tests::python::run_script_json;
use shred_tests::records::write_ndjson;
use shred_tests::tools::{Tool, output, run};

/// The events' layout: the stable core shredded, `commit` an object of its own, `tags` an
/// array of strings, everything else in `value`.
const EVENTS_SCHEMA: &str = "message events {
  required int64 id;
  optional group v (VARIANT(1)) {
    required binary metadata;
    optional binary value;
    optional group typed_value {
      required group kind { optional binary value; optional binary typed_value (STRING); }
      required group did { optional binary value; optional binary typed_value (STRING); }
      required group time_us { optional binary value; optional int64 typed_value; }
      required group commit {
        optional binary value;
        optional group typed_value {
          required group collection { optional binary value; optional binary typed_value (STRING); }
          required group rev { optional binary value; optional binary typed_value (STRING); }
          required group record { optional binary value; }
        }
      }
      required group tags {
        optional binary value;
        optional group typed_value (LIST) {
          repeated group list {
            required group element { optional binary value; optional binary typed_value (STRING); }
          }
        }
      }
    }
  }
}";

const UNSHREDDED_SCHEMA: &str = "message events {
  required int64 id;
  optional group v (VARIANT) { required binary metadata; required binary value; }
}";

const LIST_SCHEMA: &str = "message events {
  required int64 id;
  optional group v (LIST) {
    repeated group list {
      required group element (VARIANT(1)) {
        required binary metadata;
        optional binary value;
        optional group typed_value {
          required group kind { optional binary value; optional binary typed_value (STRING); }
        }
      }
    }
  }
}";

/// Event `i`: one of ten shapes.
fn event(i: i64) -> Json {
    let did = format!("did:plc:{:08x}", i * 7919);
    let time_us = 1_700_000_000_000_000 + i * 1_000;
    match i % 10 {
        0 => Json::Null,
        1 => json!(format!("plain {i}")),
        2 => json!({"kind": "commit", "did": did, "time_us": time_us,
            "commit": {"collection": "app.bsky.feed.post", "rev": format!("3k{i}"),
                       "record": {"text": "héllo ✓ wörld", "langs": ["en", "ja"]}},
            "tags": ["a", "b"]}),
        3 => json!({"kind": "identity", "did": did, "time_us": time_us,
            "identity": {"handle": format!("user{i}.bsky.social"), "seq": i}}),
        4 => json!({"kind": "commit", "did": i, "time_us": "late",
            "commit": {"collection": null, "rev": 5, "operation": "delete"},
            "tags": ["x", 3, null, {"y": []}]}),
        5 => json!({"kind": "account", "active": true, "seq": -5, "score": 1.25,
            "tags": "not a list"}),
        6 => json!([1, 2.5, "x", null, {"a": {}}, []]),
        7 => json!({}),
        8 => json!(i64::MAX),
        _ => json!({"kind": "commit", "did": did, "time_us": time_us,
            "commit": [1, 2], "extra": [[1], [2, [3]]], "big": -9_007_199_254_740_993i64}),
    }
}

fn events(n: i64) -> Vec<Json> {
    (0..n).map(|i| json!({"id": i, "v": event(i)})).collect()
}

/// Writes `records` under `schema` into `dir`; returns the file.
fn write(dir: &Path, name: &str, schema: &str, records: &[Json]) -> String {
    write_with(dir, name, schema, records, &[]).0
}

/// Writes `records` under `schema` into `dir` with `--format json` and extra flags;
/// returns the file and the summary.
fn write_with(
    dir: &Path,
    name: &str,
    schema: &str,
    records: &[Json],
    flags: &[&str],
) -> (String, Json) {
    let schema_path = dir.join(format!("{name}.schema"));
    std::fs::write(&schema_path, schema).unwrap();
    let input = dir.join(format!("{name}.ndjson"));
    write_ndjson(&input, records);
    let file = dir.join(format!("{name}.parquet"));
    let mut args: Vec<std::ffi::OsString> = vec![
        "write".into(),
        "--schema".into(),
        schema_path.into(),
        "--row-group-size".into(),
        "40".into(),
        "--threads".into(),
        "2".into(),
        "--format".into(),
        "json".into(),
        input.into(),
        "-o".into(),
        file.clone().into(),
    ];
    args.extend(flags.iter().map(Into::into));
    let summary = serde_json::from_str(run(Tool::Shred, args).trim()).unwrap();
    (file.display().to_string(), summary)
}

/// Our tools on a file we wrote: verify agrees with arrow-rs, no forbidden layout, and
/// `cat` prints the records we wrote.
fn check_with_our_tools(file: &str, records: &[Json]) {
    let summary = shred::verify::verify_file(
        Path::new(file),
        &shred::verify::VerifyOptions::new(16, &DecryptionKeys::default()),
    )
    .unwrap_or_else(|e| panic!("{file}: verify: {e}"));
    assert_eq!(summary.records, records.len(), "{file}");
    assert_eq!(
        summary.comparison,
        shred::verify::Comparison::Agrees,
        "{file}"
    );
    let census: Json =
        serde_json::from_str(run(Tool::ShredInspect, ["variant", "--format", "json", file]).trim())
            .unwrap();
    for path in census["paths"].as_array().unwrap() {
        assert_eq!(path["forbidden"], Json::Array(vec![]), "{file}: {path}");
    }
    let cat = run(Tool::ShredInspect, ["cat", "--format", "json", file]);
    let ours: Vec<Json> = cat
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(ours.len(), records.len());
    for (mine, written) in ours.iter().zip(records) {
        assert_eq!(mine, written);
    }
}

/// DuckDB's `v::JSON` of each row, parsed (null for a SQL NULL), as
/// `variant_read_back.py` prints them.
fn duckdb_values(read: &Json) -> Vec<Json> {
    read["duckdb"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| match row[1].as_str() {
            Some(text) => serde_json::from_str(text).unwrap(),
            None => Json::Null,
        })
        .collect()
}

#[test]
fn shredded_events_read_back_as_written_by_duckdb_pyarrow_and_us() {
    let dir = tempfile::tempdir().unwrap();
    let records = events(120);
    let file = write(dir.path(), "events", EVENTS_SCHEMA, &records);
    let read = run_script_json("variant_read_back.py", [&file]);
    assert_eq!(read["duckdb"]["type"], "VARIANT");
    let rows = read["duckdb"]["rows"].as_array().unwrap();
    let ids: Vec<&Json> = rows.iter().map(|row| &row[0]).collect();
    let written: Vec<&Json> = records.iter().map(|r| &r["id"]).collect();
    assert_eq!(ids, written);
    for (duckdb, record) in duckdb_values(&read).iter().zip(&records) {
        assert_eq!(duckdb, &record["v"], "id {}", record["id"]);
    }
    assert_eq!(read["pyarrow"]["rows"], records.len());
    let v_type = read["pyarrow"]["v"].as_str().unwrap();
    assert!(v_type.contains("typed_value: struct<kind:"), "{v_type}");
    check_with_our_tools(&file, &records);
    // Every state is reached at the top and at `commit`.
    let census: Json = serde_json::from_str(
        run(Tool::ShredInspect, ["variant", "--format", "json", &file]).trim(),
    )
    .unwrap();
    let path = |p: &str| {
        census["paths"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["path"] == p)
            .unwrap_or_else(|| panic!("no path {p}: {census}"))
            .clone()
    };
    let top = path("$");
    for state in ["value_only", "typed_only", "partially_shredded"] {
        assert!(top[state].as_u64().unwrap() > 0, "$ {state}: {top}");
    }
    let commit = path("$.commit");
    for state in ["missing", "value_only", "typed_only"] {
        assert!(
            commit[state].as_u64().unwrap() > 0,
            "$.commit {state}: {commit}"
        );
    }
    assert!(
        commit["partially_shredded"].as_u64().unwrap() > 0,
        "{commit}"
    );
}

#[test]
fn unshredded_events_read_back_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let records = events(30);
    let file = write(dir.path(), "plain", UNSHREDDED_SCHEMA, &records);
    let read = run_script_json("variant_read_back.py", [&file]);
    let values = duckdb_values(&read);
    assert_eq!(values.len(), records.len());
    for (duckdb, record) in values.iter().zip(&records) {
        assert_eq!(duckdb, &record["v"]);
    }
    assert_eq!(read["pyarrow"]["rows"], records.len());
    check_with_our_tools(&file, &records);
}

#[test]
fn variant_list_elements_round_trip_through_our_tools() {
    let dir = tempfile::tempdir().unwrap();
    let records: Vec<Json> = (0..40)
        .map(|i| match i % 4 {
            0 => json!({"id": i, "v": null}),
            1 => json!({"id": i, "v": []}),
            _ => json!({"id": i, "v": [event(i), event(i + 1), null, event(i + 3)]}),
        })
        .collect();
    let file = write(dir.path(), "list", LIST_SCHEMA, &records);
    check_with_our_tools(&file, &records);
    let schema_path = dir.path().join("list.schema");
    let input = dir.path().join("list.ndjson");
    let totals = run(
        Tool::Shred,
        [
            "roundtrip".as_ref(),
            "--schema".as_ref(),
            schema_path.as_os_str(),
            input.as_os_str(),
        ],
    );
    assert!(totals.contains("40"), "{totals}");
}

/// `shred write` of `records` (NDJSON text) under `schema`: its exit code and error.
fn write_error(schema: &str, records: &str) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let schema_path = dir.path().join("s.schema");
    std::fs::write(&schema_path, schema).unwrap();
    let input = dir.path().join("in.ndjson");
    std::fs::write(&input, records).unwrap();
    let file = dir.path().join("out.parquet");
    let outcome = output(
        Tool::Shred,
        [
            "write".as_ref(),
            "--schema".as_ref(),
            schema_path.as_os_str(),
            input.as_os_str(),
            "-o".as_ref(),
            file.as_os_str(),
        ],
    );
    assert!(!file.exists(), "a failed write leaves no file");
    (outcome.code, outcome.error.unwrap_or_default())
}

#[test]
fn integer_beyond_int64_is_exit_2_naming_line_and_path() {
    let (code, error) = write_error(
        EVENTS_SCHEMA,
        "{\"id\": 0, \"v\": {\"kind\": \"commit\"}}\n\
         {\"id\": 1, \"v\": {\"commit\": {\"rev\": [18446744073709551615]}}}\n",
    );
    assert_eq!(code, 2, "{error}");
    assert!(
        error.ends_with(
            "record 1 (line 2): field v: $.commit.rev[0]: integer 18446744073709551615 \
             does not fit a variant int64"
        ),
        "{error}"
    );
}

#[test]
fn malformed_json_in_a_variant_is_exit_2_naming_the_line() {
    let (code, error) = write_error(
        EVENTS_SCHEMA,
        "{\"id\": 0, \"v\": 1}\n{\"id\": 1, \"v\": {\"kind\": [1,}}\n",
    );
    assert_eq!(code, 2, "{error}");
    assert!(error.contains("line 2: invalid JSON"), "{error}");
}

#[test]
fn value_without_a_column_is_exit_2_naming_line_and_path() {
    let schema = "message m { required int64 id; optional group v (VARIANT(1)) {
        required binary metadata; optional int64 typed_value; } }";
    let (code, error) = write_error(schema, "{\"id\": 0, \"v\": 1}\n{\"id\": 1, \"v\": \"x\"}\n");
    assert_eq!(code, 2, "{error}");
    assert!(
        error.contains("record 1 (line 2): field v: $: \"x\" (string) does not fit"),
        "{error}"
    );
}

#[test]
fn forbidden_layout_is_exit_2_naming_the_schema_path() {
    let schema = "message m { optional group v (VARIANT(1)) { required binary metadata;
        optional binary value; optional group typed_value {
          optional group a { optional binary value; optional int64 typed_value; } } } }";
    let (code, error) = write_error(schema, "{\"v\": 1}\n");
    assert_eq!(code, 2, "{error}");
    assert!(
        error.ends_with("v.typed_value.a: a shredded object field must be a required group"),
        "{error}"
    );
    let schema = "message m { optional group v (VARIANT(1)) { required binary metadata;
        optional binary value; optional int32 typed_value (INTEGER(32,false)); } }";
    let (code, error) = write_error(schema, "{\"v\": 1}\n");
    assert_eq!(code, 2, "{error}");
    assert!(
        error.contains("v.typed_value: unsupported shredded value type"),
        "{error}"
    );
}

#[test]
fn inferred_layout_shreds_the_regular_paths_and_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let records = events(120);
    let (file, summary) = write_with(
        dir.path(),
        "auto",
        UNSHREDDED_SCHEMA,
        &records,
        &["--shred-variants", "auto"],
    );
    let layout = summary["inferred_schema"].as_str().unwrap();
    let words = layout.split_whitespace().collect::<Vec<_>>().join(" ");
    // Sampled: the first row group (40 records, 24 objects). `kind`, `did`, `time_us` are
    // mostly strings and integers; `identity`, `score` are in 4 of the 24 objects (over 10%).
    for shredded in [
        "REQUIRED group kind { OPTIONAL BYTE_ARRAY value; OPTIONAL BYTE_ARRAY typed_value (STRING); }",
        "REQUIRED group time_us { OPTIONAL BYTE_ARRAY value; OPTIONAL INT64 typed_value; }",
        "REQUIRED group identity {",
        "REQUIRED group score { OPTIONAL BYTE_ARRAY value; OPTIONAL DOUBLE typed_value; }",
    ] {
        assert!(words.contains(shredded), "{shredded} in\n{layout}");
    }
    // The printed layout is schema text `shred write` reads.
    shred::Schema::parse(layout).unwrap();
    let read = run_script_json("variant_read_back.py", [&file]);
    let values = duckdb_values(&read);
    assert_eq!(values.len(), records.len());
    for (duckdb, record) in values.iter().zip(&records) {
        assert_eq!(duckdb, &record["v"], "id {}", record["id"]);
    }
    check_with_our_tools(&file, &records);
    // A sample of three records (a null, a string, an object) has no dominant type.
    let (_, summary) = write_with(
        dir.path(),
        "sampled",
        UNSHREDDED_SCHEMA,
        &records,
        &["--shred-variants", "auto", "--sample", "3"],
    );
    let layout = summary["inferred_schema"].as_str().unwrap();
    assert!(layout.contains("REQUIRED BYTE_ARRAY value;"), "{layout}");
    assert!(!layout.contains("typed_value"), "{layout}");
}
