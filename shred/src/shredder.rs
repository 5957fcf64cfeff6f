//! The explicit Dremel shredder: canonical JSON records → one [`Stripe`] per leaf column.
//!
//! The algorithm of Melnik et al., "Dremel", VLDB 2010, §4.2 (Fig. 3), driven by the
//! schema: walk the schema tree alongside the record, carrying `r` (the repetition level of
//! the next entry) and `d` (the definition level reached so far).
//!
//! - A present leaf writes `(value, r, max_def)`.
//! - A present group descends with `d` = its own definition level.
//! - A repeated field writes its first occurrence with the incoming `r` and every later one
//!   with the field's own repetition level.
//! - A missing field (null optional, zero occurrences of a repeated field) writes one
//!   `(null, r, d)` entry to every leaf below it: `d` says how deep the path is defined.
//!
//! `LIST`/`MAP` groups are ordinary nodes here; only the JSON slot they read differs
//! ([`crate::schema::GroupShape::Transparent`]). Records must be canonical
//! ([`crate::record::normalize`]); a record that is not gives an error, never a panic.
//!
//! ```
//! use shred::{Schema, shredder::Shredder};
//! let schema = Schema::parse("message m { repeated group a { optional int32 b; } }").unwrap();
//! let mut shredder = Shredder::new(&schema);
//! for record in [serde_json::json!({"a": [{"b": 1}, {"b": null}]}), serde_json::json!({"a": []})] {
//!     shredder.shred(&record).unwrap();
//! }
//! let b = &shredder.stripes()[0];
//! assert_eq!(b.rep, vec![0, 1, 0]);
//! assert_eq!(b.def, vec![2, 1, 0]);
//! ```

use parquet::basic::Repetition;
use serde_json::Value as Json;

use crate::error::{Error, Result};
use crate::record::push_leaf;
use crate::schema::{Node, NodeKind, Schema};
use crate::stripe::Stripe;

/// Shreds records of one schema into reusable stripes.
pub struct Shredder<'s> {
    schema: &'s Schema,
    stripes: Vec<Stripe>,
    records: usize,
}

impl<'s> Shredder<'s> {
    /// A shredder with empty stripes for every leaf of `schema`.
    pub fn new(schema: &'s Schema) -> Self {
        let stripes = schema
            .leaves()
            .iter()
            .map(|l| Stripe::new(l.physical()))
            .collect();
        Shredder {
            schema,
            stripes,
            records: 0,
        }
    }

    /// The stripes shredded so far, in column order.
    pub fn stripes(&self) -> &[Stripe] {
        &self.stripes
    }

    /// Number of records shredded since the last [`Shredder::clear`].
    pub fn num_records(&self) -> usize {
        self.records
    }

    /// Clears every stripe, keeping the buffers.
    pub fn clear(&mut self) {
        self.stripes.iter_mut().for_each(Stripe::clear);
        self.records = 0;
    }

    /// Takes the stripes out, leaving empty ones in their place.
    pub fn take(&mut self) -> Vec<Stripe> {
        self.records = 0;
        let fresh = self
            .schema
            .leaves()
            .iter()
            .map(|l| Stripe::new(l.physical()))
            .collect();
        std::mem::replace(&mut self.stripes, fresh)
    }

    /// Shreds one canonical record, appending to the stripes. On error the stripes are
    /// rolled back to where they were before this record.
    pub fn shred(&mut self, record: &Json) -> Result<()> {
        let lens: Vec<(usize, usize)> = self
            .stripes
            .iter()
            .map(|s| (s.len(), s.values.len()))
            .collect();
        let result = self.present(self.schema.root(), record, 0);
        match result {
            Ok(()) => {
                self.records += 1;
                Ok(())
            }
            Err(e) => {
                for (stripe, (levels, values)) in self.stripes.iter_mut().zip(lens) {
                    stripe.truncate(levels, values);
                }
                Err(e)
            }
        }
    }

    /// A node's JSON slot: missing, or present (each occurrence, for a repeated node).
    fn field(&mut self, node: &Node, slot: Option<&Json>, r: i16, d: i16) -> Result<()> {
        let slot = slot.filter(|v| !v.is_null());
        match (node.repetition, slot) {
            (Repetition::REPEATED, Some(Json::Array(items))) if !items.is_empty() => {
                for (k, item) in items.iter().enumerate() {
                    let r = if k == 0 { r } else { node.rep };
                    self.present(node, item, r)?;
                }
                Ok(())
            }
            (Repetition::REPEATED, Some(Json::Array(_)) | None) => {
                self.missing(node, r, d);
                Ok(())
            }
            (Repetition::REPEATED, Some(other)) => Err(self.not_canonical(node, "a list", other)),
            (Repetition::REQUIRED, None) => Err(Error::Input {
                message: format!("field {}: required field is missing", node.path),
            }),
            (_, None) => {
                self.missing(node, r, d);
                Ok(())
            }
            (_, Some(value)) => self.present(node, value, r),
        }
    }

    /// A node that is present: its definition level is reached.
    fn present(&mut self, node: &Node, value: &Json, r: i16) -> Result<()> {
        match &node.kind {
            NodeKind::Leaf { leaf } => {
                let stripe = &mut self.stripes[*leaf];
                let info = &self.schema.leaves()[*leaf];
                push_leaf(info, value, &mut stripe.values).map_err(|message| Error::Input {
                    message: format!("field {}: {message}", node.path),
                })?;
                stripe.rep.push(r);
                stripe.def.push(node.def);
                Ok(())
            }
            NodeKind::Group { children, .. } if node.is_transparent() => {
                self.field(&children[0], Some(value), r, node.def)
            }
            NodeKind::Group { children, .. } => {
                let Json::Object(fields) = value else {
                    return Err(self.not_canonical(node, "an object", value));
                };
                for child in children {
                    self.field(child, fields.get(&child.name), r, node.def)?;
                }
                Ok(())
            }
        }
    }

    /// Every leaf below a missing node gets `(null, r, d)`.
    fn missing(&mut self, node: &Node, r: i16, d: i16) {
        for leaf in node.leaf_range() {
            self.stripes[leaf].push_null(r, d);
        }
    }

    fn not_canonical(&self, node: &Node, expected: &str, found: &Json) -> Error {
        Error::Input {
            message: format!(
                "field {}: expected {expected}, found {}",
                node.path,
                crate::record::describe(found)
            ),
        }
    }
}

/// Normalizes and shreds a batch of records into fresh stripes.
pub fn shred_records(schema: &Schema, records: &[Json]) -> Result<Vec<Stripe>> {
    let mut shredder = Shredder::new(schema);
    for (i, record) in records.iter().enumerate() {
        let canonical = crate::record::normalize(schema, record, i, None)?;
        shredder.shred(&canonical)?;
    }
    Ok(shredder.take())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{self, stripe_table as table};
    use crate::stripe::Values;
    use serde_json::json;

    fn shred(schema_text: &str, records: &[Json]) -> (Schema, Vec<Stripe>) {
        let schema = Schema::parse(schema_text).unwrap();
        let stripes = shred_records(&schema, records).unwrap();
        (schema, stripes)
    }

    fn rd(schema: &Schema, stripes: &[Stripe], leaf: usize) -> Vec<(i16, i16)> {
        table(schema, stripes, leaf)
            .into_iter()
            .map(|(_, r, d)| (r, d))
            .collect()
    }

    const NULL: Json = Json::Null;

    /// Figure 3 of the Dremel paper, entry by entry.
    #[test]
    fn dremel_document_figure_3() {
        let (schema, stripes) = shred(fixtures::DOCUMENT_SCHEMA, &fixtures::document_records());
        let expected = fixtures::document_figure_3();
        for (leaf, want) in expected.iter().enumerate() {
            assert_eq!(&table(&schema, &stripes, leaf), want, "column {leaf}");
        }
    }

    fn phones_number(phones: Json) -> Vec<(i16, i16)> {
        let (schema, stripes) = shred(crate::contact::CONTACT_SCHEMA, &[json!({"phones": phones})]);
        rd(&schema, &stripes, 1)
    }

    #[test]
    fn null_list() {
        assert_eq!(phones_number(NULL), vec![(0, 0)]);
    }

    #[test]
    fn empty_list() {
        assert_eq!(phones_number(json!([])), vec![(0, 1)]);
    }

    #[test]
    fn null_item() {
        assert_eq!(phones_number(json!([null])), vec![(0, 2)]);
    }

    #[test]
    fn null_number() {
        assert_eq!(phones_number(json!([{"phone_type": "Work"}])), vec![(0, 3)]);
    }

    #[test]
    fn number_present() {
        assert_eq!(
            phones_number(json!([{"number": "1"}, null, {"number": "2"}])),
            vec![(0, 4), (1, 2), (1, 4)]
        );
    }

    const NESTED_LISTS: &str = "message m {
      optional group a (LIST) { repeated group list { optional group element (LIST) {
        repeated group list { optional int32 element; } } } } }";

    #[test]
    fn nested_lists_with_nulls_and_empties_at_each_level() {
        let records = [
            json!({"a": null}),
            json!({"a": []}),
            json!({"a": [null]}),
            json!({"a": [[]]}),
            json!({"a": [[null]]}),
            json!({"a": [[1, null], [], null, [2]]}),
        ];
        let (schema, stripes) = shred(NESTED_LISTS, &records);
        assert_eq!(schema.leaves()[0].max_def, 5);
        assert_eq!(
            table(&schema, &stripes, 0),
            vec![
                (NULL, 0, 0),
                (NULL, 0, 1),
                (NULL, 0, 2),
                (NULL, 0, 3),
                (NULL, 0, 4),
                (json!(1), 0, 5),
                (NULL, 2, 4),
                (NULL, 1, 3),
                (NULL, 1, 2),
                (json!(2), 1, 5),
            ]
        );
    }

    #[test]
    fn map_entries() {
        let (schema, stripes) = shred(
            "message m { optional group m (MAP) { repeated group key_value {
               required binary key (STRING); optional group value (LIST) {
               repeated group list { optional int64 element; } } } } }",
            &[
                json!({"m": null}),
                json!({"m": {}}),
                json!({"m": [{"key": "a", "value": [1, null]}, {"key": "b", "value": null}]}),
            ],
        );
        assert_eq!(
            rd(&schema, &stripes, 0),
            vec![(0, 0), (0, 1), (0, 2), (1, 2)]
        );
        assert_eq!(
            table(&schema, &stripes, 1),
            vec![
                (NULL, 0, 0),
                (NULL, 0, 1),
                (json!(1), 0, 5),
                (NULL, 2, 4),
                (NULL, 1, 2),
            ]
        );
    }

    #[test]
    fn required_inside_optional_group() {
        let (schema, stripes) = shred(
            "message m { optional group g { required int32 a; optional int32 b; } }",
            &[
                json!({"g": null}),
                json!({"g": {"a": 1}}),
                json!({"g": {"a": 2, "b": 3}}),
            ],
        );
        assert_eq!(rd(&schema, &stripes, 0), vec![(0, 0), (0, 1), (0, 1)]);
        assert_eq!(rd(&schema, &stripes, 1), vec![(0, 0), (0, 1), (0, 2)]);
    }

    #[test]
    fn empty_repeated_field_beside_a_full_sibling() {
        let (schema, stripes) = shred(
            "message m { optional group g { repeated int32 a; repeated int32 b; } }",
            &[json!({"g": {"a": [], "b": [1, 2]}})],
        );
        assert_eq!(rd(&schema, &stripes, 0), vec![(0, 1)]);
        assert_eq!(rd(&schema, &stripes, 1), vec![(0, 2), (1, 2)]);
    }

    #[test]
    fn all_physical_types() {
        let (schema, stripes) = shred(
            "message m { required boolean a; required int32 b; required int64 c; required int96 d;
               required float e; required double f; required binary g; required fixed_len_byte_array(2) h; }",
            &[json!({"a": true, "b": -1, "c": 1_i64 << 40, "d": 1_000_000_000_123_i64, "e": 1.5,
                     "f": 2.25, "g": [0, 255], "h": "ab"})],
        );
        assert!(matches!(stripes[3].values, Values::Int96(_)));
        let values: Vec<Json> = (0..8)
            .map(|l| table(&schema, &stripes, l)[0].0.clone())
            .collect();
        assert_eq!(
            values,
            vec![
                json!(true),
                json!(-1),
                json!(1_i64 << 40),
                json!(1_000_000_000_123_i64),
                json!(1.5),
                json!(2.25),
                json!([0, 255]),
                json!("ab")
            ]
        );
    }

    #[test]
    fn failed_record_leaves_stripes_untouched() {
        let schema = Schema::parse("message m { optional int32 a; required int32 b; }").unwrap();
        let mut shredder = Shredder::new(&schema);
        shredder.shred(&json!({"a": 1, "b": 2})).unwrap();
        let before = shredder.stripes().to_vec();
        let err = shredder.shred(&json!({"a": 3, "b": "x"})).unwrap_err();
        assert!(err.to_string().contains("field b"), "{err}");
        assert_eq!(shredder.stripes(), before.as_slice());
        assert_eq!(shredder.num_records(), 1);
    }
}
