//! VARIANT files written by DuckDB, read by our tools: the same values DuckDB reads.
//!
//! `tests/python/variant_files.py` writes, with the venv's DuckDB, shredded VARIANT files
//! of two kinds of data (event-like objects with a stable core, extra keys, arrays, strings
//! and nulls; one primitive type per row, every integer width, floats, decimals, dates,
//! booleans, strings) under DuckDB's inferred layout and under layouts a COPY's
//! `SHREDDING` option declares (one that fits most values, one that fits few, so values go
//! to `value`, partially shredded objects included). For every file, `shred-inspect cat
//! --format json` must print, record by record, the JSON DuckDB gives for `v::JSON`;
//! `shred verify` (our unshredding against arrow-rs's) and `shred-inspect variant` must
//! pass, and the state counts must add up to the values present at each path.

use serde_json::Value as Json;
use shred::decryption_keys::DecryptionKeys;
use shred_tests::python::run_script_json;
use shred_tests::tools::{Tool, run};

/// DuckDB prints a decimal's JSON with its scale (`1.50`); parquet-variant-json prints
/// the number. Compared as numbers.
fn same_json(ours: &Json, duckdb: &Json) -> bool {
    match (ours, duckdb) {
        (Json::Number(a), Json::Number(b)) => a.as_f64() == b.as_f64(),
        (Json::Array(a), Json::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_json(x, y))
        }
        (Json::Object(a), Json::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(k, v)| b.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => ours == duckdb,
    }
}

#[test]
fn duckdb_variant_files_read_as_duckdb_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = run_script_json("variant_files.py", [dir.path()]);
    let files = manifest["files"].as_array().unwrap();
    assert_eq!(files.len(), 5);
    let mut failures = Vec::new();
    for entry in files {
        let name = entry["name"].as_str().unwrap();
        let file = entry["file"].as_str().unwrap();
        let expected: Vec<(i64, Json)> = entry["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let json = match r[1].as_str() {
                    Some(text) => serde_json::from_str(text).unwrap(),
                    None => Json::Null,
                };
                (r[0].as_i64().unwrap(), json)
            })
            .collect();
        let cat = run(Tool::ShredInspect, ["cat", "--format", "json", file]);
        let mut ours: Vec<(i64, Json)> = cat
            .lines()
            .map(|line| {
                let record: Json = serde_json::from_str(line).unwrap();
                (record["id"].as_i64().unwrap(), record["v"].clone())
            })
            .collect();
        ours.sort_by_key(|(id, _)| *id);
        assert_eq!(ours.len(), expected.len(), "{name}: record count");
        for ((id, mine), (_, theirs)) in ours.iter().zip(&expected) {
            if !same_json(mine, theirs) {
                failures.push(format!("{name} id {id}: ours {mine}, DuckDB {theirs}"));
            }
        }
        let summary = shred::verify::verify_file(
            std::path::Path::new(file),
            &shred::verify::VerifyOptions::new(16, &DecryptionKeys::default()),
        )
        .unwrap_or_else(|e| panic!("{name}: verify: {e}"));
        assert_eq!(summary.records, expected.len(), "{name}");
        assert_eq!(
            summary.comparison,
            shred::verify::Comparison::Agrees,
            "{name}"
        );
        let census: Json = serde_json::from_str(
            run(Tool::ShredInspect, ["variant", "--format", "json", file]).trim(),
        )
        .unwrap();
        assert_eq!(census["records"], expected.len(), "{name}");
        let top = &census["paths"][0];
        let present: u64 = ["value_only", "typed_only", "partially_shredded"]
            .iter()
            .map(|k| top[k].as_u64().unwrap())
            .sum();
        let null = census["null"].as_u64().unwrap();
        assert_eq!(
            present + null + top["missing"].as_u64().unwrap(),
            expected.len() as u64,
            "{name}"
        );
        for path in census["paths"].as_array().unwrap() {
            assert_eq!(path["forbidden"], Json::Array(vec![]), "{name}: {path}");
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
