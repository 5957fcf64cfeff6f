//! Records in the paper's notation: one `Field: value` line per leaf, groups indented.
//!
//! Melnik et al., "Dremel", VLDB 2010, Figure 2 writes a record as its fields in schema
//! order, one line per occurrence: a group is its name on a line followed by its fields
//! indented by two spaces, a leaf is `Name: value` with strings in single quotes. Missing
//! fields (null optionals, repeated fields with no occurrences) print nothing, so a record
//! that only has empty groups left, like `Name` in Figure 5's s2, prints as the bare group
//! name. Input is a canonical JSON record (`shred::record::normalize` or the assembler's
//! output), whose objects keep schema order. A `LIST` is a JSON array, exactly like a bare
//! repeated field, so both encodings of a record print the same text.

use std::fmt::Write;

use serde_json::{Map, Value as Json};

/// The record in the paper's notation, one line per field occurrence, ending in a newline.
pub fn paper_text(record: &Json) -> String {
    let mut out = String::new();
    match record {
        Json::Object(fields) => group(&mut out, fields, 0),
        other => field(&mut out, "(record)", other, 0),
    }
    out
}

fn group(out: &mut String, fields: &Map<String, Json>, depth: usize) {
    for (name, value) in fields {
        match value {
            Json::Null => {}
            Json::Array(items) => {
                for item in items {
                    field(out, name, item, depth);
                }
            }
            other => field(out, name, other, depth),
        }
    }
}

fn field(out: &mut String, name: &str, value: &Json, depth: usize) {
    let pad = "  ".repeat(depth);
    match value {
        Json::Object(fields) => {
            let _ = writeln!(out, "{pad}{name}");
            group(out, fields, depth + 1);
        }
        Json::Array(items) => {
            for item in items {
                field(out, name, item, depth);
            }
        }
        Json::String(s) => {
            let _ = writeln!(out, "{pad}{name}: '{s}'");
        }
        Json::Null => {
            let _ = writeln!(out, "{pad}{name}: NULL");
        }
        other => {
            let _ = writeln!(out, "{pad}{name}: {other}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_groups_indent_and_strings_are_quoted() {
        let record = json!({"DocId": 10, "Name": [{"Language": [{"Code": "en", "Country": null}], "Url": "http://A"}]});
        assert_eq!(
            paper_text(&record),
            "DocId: 10\nName\n  Language\n    Code: 'en'\n  Url: 'http://A'\n"
        );
    }

    #[test]
    fn missing_fields_print_nothing_but_empty_groups_print_their_name() {
        let record = json!({"DocId": 20, "Links": null, "Name": [{"Language": [], "Url": null}]});
        assert_eq!(paper_text(&record), "DocId: 20\nName\n");
    }

    #[test]
    fn repeated_leaves_print_one_line_per_occurrence() {
        let record = json!({"Links": {"Backward": [], "Forward": [20, 40]}});
        assert_eq!(paper_text(&record), "Links\n  Forward: 20\n  Forward: 40\n");
    }
}
