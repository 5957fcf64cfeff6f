//! The column-striped table: every leaf column's entries as (value, r, d) rows.
//!
//! Melnik et al., "Dremel", VLDB 2010, Figure 3 shows each column as a small table of
//! value, repetition level r and definition level d, with `NULL` where the entry has no
//! value (its d is below the column's maximum). [`column_rows`] reads those rows out of a
//! [`shred::Stripe`] (values only exist for the entries at the maximum definition level),
//! and [`render_columns`] lays the tables out side by side like the figure.

use std::fmt;

use serde_json::Value as Json;
use shred::record::leaf_json;
use shred::{Schema, Stripe};

use crate::layout::{side_by_side, titled_table};
use crate::paper::StripeRow;

/// One entry of a striped column as the paper prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The value (`NULL` when the entry has none).
    pub value: String,
    /// Repetition level.
    pub r: i16,
    /// Definition level.
    pub d: i16,
}

impl fmt::Display for Row {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({}, r={}, d={})", self.value, self.r, self.d)
    }
}

impl From<&StripeRow> for Row {
    fn from(row: &StripeRow) -> Self {
        Row {
            value: row.value.to_string(),
            r: row.r,
            d: row.d,
        }
    }
}

/// A leaf value as the paper prints it: strings bare, numbers in decimal.
pub fn value_text(value: &Json) -> String {
    match value {
        Json::Null => "NULL".to_string(),
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The rows of column `leaf`.
pub fn column_rows(schema: &Schema, stripes: &[Stripe], leaf: usize) -> Vec<Row> {
    let info = &schema.leaves()[leaf];
    let stripe = &stripes[leaf];
    stripe
        .entries(info.max_def)
        .map(|e| Row {
            value: e.value.map_or("NULL".to_string(), |i| {
                value_text(&leaf_json(info, &stripe.values, i))
            }),
            r: e.r,
            d: e.d,
        })
        .collect()
}

/// Every column as a titled `value | r | d` table, side by side within `max_width`.
pub fn render_columns(schema: &Schema, stripes: &[Stripe], max_width: usize) -> String {
    let blocks: Vec<String> = schema
        .leaves()
        .iter()
        .enumerate()
        .map(|(leaf, info)| {
            let rows: Vec<Vec<String>> = column_rows(schema, stripes, leaf)
                .into_iter()
                .map(|row| vec![row.value, row.r.to_string(), row.d.to_string()])
                .collect();
            titled_table(&info.path, &["value", "r", "d"], &rows)
        })
        .collect();
    side_by_side(&blocks, max_width)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shred::fixtures::{DOCUMENT_SCHEMA, document_records};
    use shred::shredder::shred_records;

    #[test]
    fn missing_values_print_as_null_and_strings_bare() {
        let schema = Schema::parse(DOCUMENT_SCHEMA).unwrap();
        let stripes = shred_records(&schema, &document_records()).unwrap();
        let backward = column_rows(&schema, &stripes, 1);
        assert_eq!(backward[0].to_string(), "(NULL, r=0, d=1)");
        assert_eq!(backward[2].to_string(), "(30, r=1, d=2)");
        let url = column_rows(&schema, &stripes, 5);
        assert_eq!(url[0].value, "http://A");
    }

    #[test]
    fn rendered_columns_carry_every_path() {
        let schema = Schema::parse(DOCUMENT_SCHEMA).unwrap();
        let stripes = shred_records(&schema, &document_records()).unwrap();
        let text = render_columns(&schema, &stripes, 100);
        for leaf in schema.leaves() {
            assert!(text.contains(&leaf.path), "{}", leaf.path);
        }
    }
}
