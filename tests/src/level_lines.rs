//! Level entries as `shred levels --format json` and `shred-inspect levels --format json`
//! print them, and their comparison.
//!
//! Both print one JSON object per entry through the same writer (`shred::entry_json`):
//! `{"column", "row_group", "record", "r", "d", "value"}`. `shred levels` prints each
//! column's whole stripe in schema order, as row group 0; `shred-inspect` prints the
//! columns in schema order within each row group.
//! So [`compare`] groups both sides by column (keeping the order of entries within a column,
//! which is file order) and compares column names, then every entry's record index, r, d
//! and value; the row group is ignored, the record index is file-wide on both sides. A
//! difference names the column, the entry index within it and both entries.

use serde::Deserialize;
use serde_json::Value as Json;

/// One printed level entry.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct LevelLine {
    /// Dotted leaf path.
    pub column: String,
    /// Row group (always 0 for `shred levels`).
    pub row_group: u64,
    /// Record index, file-wide.
    pub record: u64,
    /// Repetition level.
    pub r: i16,
    /// Definition level.
    pub d: i16,
    /// The value (canonical JSON) or null.
    pub value: Json,
}

impl LevelLine {
    /// Parses JSON lines; the error names the line.
    pub fn parse_all(text: &str) -> Result<Vec<LevelLine>, String> {
        text.lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| serde_json::from_str(l).map_err(|e| format!("line {}: {e}: {l}", i + 1)))
            .collect()
    }

    /// The entry without its row group, for messages.
    fn describe(&self) -> String {
        format!(
            "record {} r={} d={} value={}",
            self.record, self.r, self.d, self.value
        )
    }
}

/// The entries of stripes (one per leaf of `schema`, in column order) as level lines,
/// printed by the writer of `shred levels --format json` (row group 0) and parsed back;
/// record indexes start at `first_record`.
pub fn from_stripes(
    schema: &shred::Schema,
    stripes: &[&shred::Stripe],
    first_record: u64,
) -> Vec<LevelLine> {
    assert_eq!(schema.leaves().len(), stripes.len(), "one stripe per leaf");
    let mut text = shred::line_buffer::LineBuffer::default();
    for (leaf, stripe) in schema.leaves().iter().zip(stripes) {
        let mut line = shred::entry_json::EntryLine::new(leaf, 0, None);
        for e in stripe.entries(leaf.max_def) {
            let value = e.value.map(|i| (&stripe.values, i));
            line.write(&mut text, first_record + e.record as u64, e.r, e.d, value);
        }
    }
    let text = std::str::from_utf8(text.as_bytes()).expect("JSON lines are UTF-8");
    LevelLine::parse_all(text).expect("the writer prints level lines")
}

/// The entries of one column, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnEntries<'a> {
    /// Dotted leaf path.
    pub column: &'a str,
    /// The column's entries in file order.
    pub entries: Vec<&'a LevelLine>,
}

/// Groups entries by column, columns in order of first appearance.
pub fn by_column(lines: &[LevelLine]) -> Vec<ColumnEntries<'_>> {
    let mut columns: Vec<ColumnEntries<'_>> = Vec::new();
    for line in lines {
        match columns.iter_mut().find(|c| c.column == line.column) {
            Some(c) => c.entries.push(line),
            None => columns.push(ColumnEntries {
                column: &line.column,
                entries: vec![line],
            }),
        }
    }
    columns
}

/// Compares two level dumps column by column; returns the number of entries compared, or
/// the first difference.
pub fn compare(expected: &[LevelLine], actual: &[LevelLine]) -> Result<usize, String> {
    let (e, a) = (by_column(expected), by_column(actual));
    let (names_e, names_a): (Vec<&str>, Vec<&str>) = (
        e.iter().map(|c| c.column).collect(),
        a.iter().map(|c| c.column).collect(),
    );
    if names_e != names_a {
        return Err(format!(
            "columns differ: expected {names_e:?}, found {names_a:?}"
        ));
    }
    let mut compared = 0;
    for (ce, ca) in e.iter().zip(&a) {
        for (i, (x, y)) in ce.entries.iter().zip(&ca.entries).enumerate() {
            if (x.record, x.r, x.d, &x.value) != (y.record, y.r, y.d, &y.value) {
                return Err(format!(
                    "column {} entry {i}: expected {}, found {}",
                    ce.column,
                    x.describe(),
                    y.describe()
                ));
            }
        }
        if ce.entries.len() != ca.entries.len() {
            return Err(format!(
                "column {}: expected {} entries, found {}",
                ce.column,
                ce.entries.len(),
                ca.entries.len()
            ));
        }
        compared += ce.entries.len();
    }
    Ok(compared)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<LevelLine> {
        LevelLine::parse_all(text).unwrap()
    }

    #[test]
    fn row_groups_interleaved_columns_compare_equal() {
        let flat = lines(
            r#"{"column":"a","row_group":0,"record":0,"r":0,"d":1,"value":1}
{"column":"a","row_group":0,"record":1,"r":0,"d":0,"value":null}
{"column":"b","row_group":0,"record":0,"r":0,"d":0,"value":null}
{"column":"b","row_group":0,"record":1,"r":0,"d":1,"value":"x"}"#,
        );
        let grouped = lines(
            r#"{"column":"a","row_group":0,"record":0,"r":0,"d":1,"value":1}
{"column":"b","row_group":0,"record":0,"r":0,"d":0,"value":null}
{"column":"a","row_group":1,"record":1,"r":0,"d":0,"value":null}
{"column":"b","row_group":1,"record":1,"r":0,"d":1,"value":"x"}"#,
        );
        assert_eq!(compare(&flat, &grouped), Ok(4));
    }

    #[test]
    fn difference_names_column_and_entry() {
        let a = lines(r#"{"column":"a","row_group":0,"record":0,"r":0,"d":1,"value":1}"#);
        let b = lines(r#"{"column":"a","row_group":0,"record":0,"r":0,"d":1,"value":2}"#);
        assert_eq!(
            compare(&a, &b).unwrap_err(),
            "column a entry 0: expected record 0 r=0 d=1 value=1, found record 0 r=0 d=1 value=2"
        );
    }

    #[test]
    fn missing_entries_and_columns_are_differences() {
        let a = lines(
            r#"{"column":"a","row_group":0,"record":0,"r":0,"d":1,"value":1}
{"column":"a","row_group":0,"record":0,"r":1,"d":1,"value":1}"#,
        );
        assert!(
            compare(&a, &a[..1])
                .unwrap_err()
                .contains("expected 2 entries, found 1")
        );
        assert!(compare(&a, &[]).unwrap_err().starts_with("columns differ"));
    }

    #[test]
    fn stripes_print_like_shred_levels() {
        let schema = shred::Schema::parse(shred::contact::CONTACT_SCHEMA).unwrap();
        let mut stripes = shred::contact::ContactStripes::default();
        stripes.shred(&[
            shred::contact::Contact::default(),
            shred::contact::Contact {
                name: Some("A".into()),
                phones: Some(vec![]),
            },
        ]);
        let printed = from_stripes(&schema, &stripes.columns(), 10);
        let expected = lines(
            r#"{"column":"name","row_group":0,"record":10,"r":0,"d":0,"value":null}
{"column":"name","row_group":0,"record":11,"r":0,"d":1,"value":"A"}
{"column":"phones.list.item.number","row_group":0,"record":10,"r":0,"d":0,"value":null}
{"column":"phones.list.item.number","row_group":0,"record":11,"r":0,"d":1,"value":null}
{"column":"phones.list.item.phone_type","row_group":0,"record":10,"r":0,"d":0,"value":null}
{"column":"phones.list.item.phone_type","row_group":0,"record":11,"r":0,"d":1,"value":null}"#,
        );
        assert_eq!(printed, expected);
    }

    #[test]
    fn bad_line_is_named() {
        assert!(
            LevelLine::parse_all("{}\n")
                .unwrap_err()
                .starts_with("line 1:")
        );
    }
}
