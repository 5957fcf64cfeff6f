//! Reading JSON records from a file or stdin: one per line (NDJSON) or one JSON array.
//!
//! The format is told by the first non-blank byte: `[` starts a JSON array, anything else
//! is NDJSON (blank lines are skipped). Every record keeps its one-based line number so
//! errors can name it; malformed JSON is an error naming the file, the line and the column.
//!
//! ```
//! let records = shred::input::parse_records("a.ndjson", "{\"x\": 1}\n\n{\"x\": 2}\n").unwrap();
//! assert_eq!(records[1].line, Some(3));
//! ```

use std::io::Read;
use std::path::Path;

use serde_json::Value as Json;

use crate::error::{Error, Result};

/// One input record and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct InputRecord {
    /// The record as parsed.
    pub value: Json,
    /// One-based line of the record (NDJSON) or of its start (JSON array).
    pub line: Option<usize>,
}

/// Reads all records of a file (`-` for stdin).
pub fn read_records(path: &Path) -> Result<Vec<InputRecord>> {
    let name = path.display().to_string();
    let mut text = String::new();
    let read = if name == "-" {
        std::io::stdin().read_to_string(&mut text)
    } else {
        std::fs::File::open(path).and_then(|mut f| f.read_to_string(&mut text))
    };
    read.map_err(|e| Error::Input {
        message: format!("{name}: cannot read records: {e}"),
    })?;
    parse_records(&name, &text)
}

/// Parses NDJSON or a JSON array; `name` labels errors.
pub fn parse_records(name: &str, text: &str) -> Result<Vec<InputRecord>> {
    if text.trim_start().starts_with('[') {
        let value: Json =
            serde_json::from_str(text).map_err(|e| invalid_json(name, e.line(), &e))?;
        let Json::Array(items) = value else {
            unreachable!("starts with [")
        };
        return Ok(items
            .into_iter()
            .map(|value| InputRecord { value, line: None })
            .collect());
    }
    let mut records = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let value: Json = serde_json::from_str(line).map_err(|e| invalid_json(name, i + 1, &e))?;
        records.push(InputRecord {
            value,
            line: Some(i + 1),
        });
    }
    Ok(records)
}

/// Malformed JSON in input `name` at one-based `line`: `NAME: line L: invalid JSON: WHAT
/// (column C)`, the column being serde_json's.
pub(crate) fn invalid_json(name: &str, line: usize, e: &serde_json::Error) -> Error {
    Error::Input {
        message: format!(
            "{name}: line {line}: invalid JSON: {} (column {})",
            strip_position(e),
            e.column()
        ),
    }
}

/// serde_json's message without its trailing "at line L column C".
fn strip_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(pos) => text[..pos].to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_line_is_named() {
        let err = parse_records("r.ndjson", "{\"a\": 1}\n{\"a\": }\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "r.ndjson: line 2: invalid JSON: expected value (column 7)"
        );
    }

    #[test]
    fn json_array_is_accepted() {
        let records = parse_records("r.json", " [ {\"a\": 1}, {\"a\": 2} ]").unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].line, None);
    }

    #[test]
    fn malformed_array_names_the_line() {
        let err = parse_records("r.json", "[\n{\"a\": 1},\n{\"a\" 2}\n]").unwrap_err();
        assert!(
            err.to_string().starts_with("r.json: line 3: invalid JSON"),
            "{err}"
        );
    }
}
