//! JSON records in shred's canonical convention: reading, writing, comparing.
//!
//! Every side of an interop test ends in the same form, the canonical record of
//! `shred::record` (groups as objects with every field present in schema order, `LIST`s and
//! repeated fields as arrays, a `MAP` as an array of `{"key", "value"}` objects, leaves by
//! physical type, UTF-8 bytes as strings): the generator's `Contact::to_json`, the input of
//! `shred write` after [`canonical`], and the dumps the Python scripts print from pyarrow's
//! and DuckDB's reads. [`compare`] then needs nothing but `==` and reports the first record
//! and field path that differ ([`shred::record::first_difference`]).

use std::io::{BufWriter, Write};
use std::path::Path;

use serde_json::Value as Json;
use shred::Schema;

/// Writes records as NDJSON.
pub fn write_ndjson<'a>(path: &Path, records: impl IntoIterator<Item = &'a Json>) {
    let file = std::fs::File::create(path)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", path.display()));
    let mut out = BufWriter::new(file);
    for record in records {
        serde_json::to_writer(&mut out, record).expect("writing JSON to a file");
        out.write_all(b"\n").expect("writing a newline");
    }
    out.flush().expect("flushing records");
}

/// Reads a records file the way `shred` does (NDJSON or one JSON array).
pub fn read_input(path: &Path) -> Vec<Json> {
    shred::input::read_records(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .into_iter()
        .map(|r| r.value)
        .collect()
}

/// The canonical form of every record, checked against `schema`.
pub fn canonical(schema: &Schema, records: &[Json]) -> Vec<Json> {
    records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            shred::record::normalize(schema, r, i, None)
                .unwrap_or_else(|e| panic!("record {i} does not fit the schema: {e}"))
        })
        .collect()
}

/// Compares two lists of records; on a difference returns "`what`: record N: field P:
/// expected X, found Y" (or the two counts).
pub fn compare(what: &str, expected: &[Json], actual: &[Json]) -> Result<(), String> {
    for (i, (e, a)) in expected.iter().zip(actual).enumerate() {
        if let Some(d) = shred::record::first_difference(e, a) {
            let path = if d.path.is_empty() {
                "(record)"
            } else {
                &d.path
            };
            return Err(format!(
                "{what}: record {i}: field {path}: expected {}, found {}",
                d.left, d.right
            ));
        }
    }
    if expected.len() != actual.len() {
        return Err(format!(
            "{what}: expected {} records, found {}",
            expected.len(),
            actual.len()
        ));
    }
    Ok(())
}

/// [`compare`], panicking on a difference.
pub fn assert_same(what: &str, expected: &[Json], actual: &[Json]) {
    if let Err(message) = compare(what, expected, actual) {
        panic!("{message}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn compare_names_record_and_field() {
        let a = [json!({"x": 1}), json!({"x": [1, 2]})];
        let b = [json!({"x": 1}), json!({"x": [1, 3]})];
        assert_eq!(
            compare("t", &a, &b).unwrap_err(),
            "t: record 1: field x[1]: expected 2, found 3"
        );
        assert_eq!(compare("t", &a, &a), Ok(()));
    }

    #[test]
    fn compare_counts_records() {
        let a = [json!({"x": 1})];
        assert_eq!(
            compare("t", &a, &[]).unwrap_err(),
            "t: expected 1 records, found 0"
        );
    }

    #[test]
    fn ndjson_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.ndjson");
        let records = vec![json!({"a": "é", "b": null}), json!({"a": [1, {"k": 2}]})];
        write_ndjson(&path, &records);
        assert_eq!(read_input(&path), records);
        assert_eq!(read_input(&path), records);
    }
}
