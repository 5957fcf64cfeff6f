//! The first difference between two stripes of the same column, as a structured value.
//!
//! Both stripes are walked entry by entry ([`Stripe::entries`]); the first entry whose
//! repetition level, definition level or value differs, or where one stripe ends before the
//! other, becomes a [`StripeDifference`]: the column, the entry index, the record, and each
//! side's `r`, `d` and value. Values compare bitwise ([`Values::value_eq`]), so agreement
//! means a byte-level round trip; they are shown as [`leaf_json`] renders them. An entry
//! holds a value exactly when its definition level is the column's maximum (Dremel §4.1,
//! Fig. 3), so equal levels with one value missing cannot occur in well-formed stripes but
//! are reported all the same.
//!
//! ```
//! use shred::{Schema, Stripe};
//! use shred::stripe_diff::diff_stripe;
//! let schema = Schema::parse("message m { optional int64 x; }").unwrap();
//! let leaf = &schema.leaves()[0];
//! let mut expected = Stripe::new(leaf.physical());
//! expected.push_null(0, 0);
//! let mut found = expected.clone();
//! assert_eq!(diff_stripe(leaf, &expected, &found), None);
//! found.push_null(0, 0);
//! let difference = diff_stripe(leaf, &expected, &found).unwrap();
//! assert_eq!(
//!     difference.to_string(),
//!     "column x: entry 1: expected the end of the column, found r=0 d=0 null"
//! );
//! ```
//!
//! [`Values::value_eq`]: crate::stripe::Values::value_eq

use serde_json::Value as Json;

use crate::record::leaf_json;
use crate::schema::{Leaf, Schema};
use crate::stripe::{Entry, Stripe};

/// One side's entry where two stripes differ.
#[derive(Debug, Clone, PartialEq)]
pub struct DifferingEntry {
    /// Repetition level.
    pub r: i16,
    /// Definition level.
    pub d: i16,
    /// The entry's value, when its definition level is the column's maximum.
    pub value: Option<Json>,
}

/// Where two stripes of one column first differ, with both sides' entries.
#[derive(Debug, Clone, PartialEq)]
pub struct StripeDifference {
    /// Dotted leaf path.
    pub column: String,
    /// Index of the differing entry in both stripes.
    pub entry: usize,
    /// Record of the differing entry, counted from the stripes' first record (the expected
    /// side's, unless that side has ended).
    pub record: usize,
    /// The expected entry; `None` when the expected stripe has ended.
    pub expected: Option<DifferingEntry>,
    /// The entry found; `None` when the found stripe has ended.
    pub found: Option<DifferingEntry>,
}

impl std::fmt::Display for StripeDifference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let show = |e: &DifferingEntry| {
            let value = e.value.as_ref().map_or("null".to_string(), Json::to_string);
            format!("r={} d={} {value}", e.r, e.d)
        };
        let (column, entry) = (&self.column, self.entry);
        match (&self.expected, &self.found) {
            (Some(e), Some(g)) => write!(
                f,
                "column {column}: entry {entry} (record +{} of the batch): expected {}, found {}",
                self.record,
                show(e),
                show(g)
            ),
            (Some(e), None) => write!(
                f,
                "column {column}: entry {entry}: expected {}, found the end of the column",
                show(e)
            ),
            (None, Some(g)) => write!(
                f,
                "column {column}: entry {entry}: expected the end of the column, found {}",
                show(g)
            ),
            (None, None) => write!(f, "column {column}: entry {entry}: no difference"),
        }
    }
}

/// The first entry where `found` differs from `expected` (two stripes of `leaf`), if any.
pub fn diff_stripe(leaf: &Leaf, expected: &Stripe, found: &Stripe) -> Option<StripeDifference> {
    if identical(expected, found) {
        return None;
    }
    let side = |stripe: &Stripe, e: Entry| DifferingEntry {
        r: e.r,
        d: e.d,
        value: e.value.map(|i| leaf_json(leaf, &stripe.values, i)),
    };
    let mut exp = expected.entries(leaf.max_def);
    let mut got = found.entries(leaf.max_def);
    loop {
        let (e, g) = (exp.next(), got.next());
        let same = match (e, g) {
            (None, None) => return None,
            (Some(e), Some(g)) => {
                e.r == g.r
                    && e.d == g.d
                    && match (e.value, g.value) {
                        (Some(i), Some(j)) => expected.values.value_eq(i, &found.values, j),
                        (None, None) => true,
                        _ => false,
                    }
            }
            _ => false,
        };
        if !same {
            let at = e.or(g).expect("one side has an entry");
            return Some(StripeDifference {
                column: leaf.path.clone(),
                entry: at.index,
                record: at.record,
                expected: e.map(|e| side(expected, e)),
                found: g.map(|g| side(found, g)),
            });
        }
    }
}

/// Whether two stripes hold the same levels and the same values bit for bit, compared
/// buffer by buffer (byte values by their concatenated bytes and offsets, floats by their
/// bits); `false` sends [`diff_stripe`] entry by entry.
fn identical(a: &Stripe, b: &Stripe) -> bool {
    a.rep == b.rep && a.def == b.def && a.values.bits_eq(&b.values)
}

/// The first difference between two sets of stripes of `schema` (one stripe per leaf, in
/// leaf order), column by column, if any.
pub fn diff_stripes(
    schema: &Schema,
    expected: &[Stripe],
    found: &[Stripe],
) -> Option<StripeDifference> {
    schema
        .leaves()
        .iter()
        .enumerate()
        .find_map(|(i, leaf)| diff_stripe(leaf, &expected[i], &found[i]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stripe::Values;

    /// `phones.list.item.number` of the Contact schema: max rep 1, max def 4.
    fn number_leaf() -> Leaf {
        let schema = Schema::parse(crate::contact::CONTACT_SCHEMA).unwrap();
        schema.leaves()[1].clone()
    }

    /// A stripe of byte-array entries `(r, d, value)`.
    fn stripe(entries: &[(i16, i16, Option<&str>)]) -> Stripe {
        let mut s = Stripe::new(parquet::basic::Type::BYTE_ARRAY);
        for &(r, d, value) in entries {
            s.push_null(r, d);
            if let (Some(v), Values::ByteArray(values)) = (value, &mut s.values) {
                values.push(v.as_bytes());
            }
        }
        s
    }

    fn entry(r: i16, d: i16, value: Option<&str>) -> Option<DifferingEntry> {
        Some(DifferingEntry {
            r,
            d,
            value: value.map(Json::from),
        })
    }

    const BASE: &[(i16, i16, Option<&str>)] = &[
        (0, 0, None),
        (0, 4, Some("+91-0000000001")),
        (1, 3, None),
        (0, 4, Some("+91-0000000002")),
    ];

    /// The difference between [`BASE`] and a copy of it changed by `change`.
    fn diff_from_base(
        change: impl FnOnce(&mut [(i16, i16, Option<&'static str>)]),
    ) -> StripeDifference {
        let mut found = BASE.to_vec();
        change(&mut found);
        diff_stripe(&number_leaf(), &stripe(BASE), &stripe(&found)).unwrap()
    }

    #[test]
    fn equal_stripes_have_no_difference() {
        let leaf = number_leaf();
        assert_eq!(diff_stripe(&leaf, &stripe(BASE), &stripe(BASE)), None);
        assert_eq!(diff_stripe(&leaf, &stripe(&[]), &stripe(&[])), None);
    }

    #[test]
    fn floats_compare_by_their_bits() {
        let schema = Schema::parse("message m { required double x; }").unwrap();
        let leaf = &schema.leaves()[0];
        let doubles = |values: &[f64]| {
            let mut s = Stripe::new(parquet::basic::Type::DOUBLE);
            for &v in values {
                s.push_null(0, 0);
                if let Values::Double(d) = &mut s.values {
                    d.push(v);
                }
            }
            s
        };
        assert_eq!(
            diff_stripe(leaf, &doubles(&[f64::NAN]), &doubles(&[f64::NAN])),
            None
        );
        let d = diff_stripe(leaf, &doubles(&[1.0, 0.0]), &doubles(&[1.0, -0.0])).unwrap();
        assert_eq!(d.entry, 1);
    }

    #[test]
    fn different_r_names_entry_record_and_both_sides() {
        let d = diff_from_base(|found| found[2].0 = 0);
        assert_eq!(
            d,
            StripeDifference {
                column: "phones.list.item.number".into(),
                entry: 2,
                record: 1,
                expected: entry(1, 3, None),
                found: entry(0, 3, None),
            }
        );
        assert_eq!(
            d.to_string(),
            "column phones.list.item.number: entry 2 (record +1 of the batch): expected r=1 d=3 null, found r=0 d=3 null"
        );
    }

    #[test]
    fn different_d_is_a_difference() {
        let d = diff_from_base(|found| found[0].1 = 1);
        assert_eq!((d.entry, d.record), (0, 0));
        assert_eq!(
            (d.expected, d.found),
            (entry(0, 0, None), entry(0, 1, None))
        );
    }

    #[test]
    fn different_value_shows_both_values() {
        let d = diff_from_base(|found| found[3].2 = Some("+91-0000000009"));
        assert_eq!((d.entry, d.record), (3, 2));
        assert_eq!(
            d.to_string(),
            "column phones.list.item.number: entry 3 (record +2 of the batch): expected r=0 d=4 \"+91-0000000002\", found r=0 d=4 \"+91-0000000009\""
        );
    }

    #[test]
    fn one_side_shorter_ends_the_column() {
        let leaf = number_leaf();
        let short_found = diff_stripe(&leaf, &stripe(BASE), &stripe(&BASE[..3])).unwrap();
        assert_eq!(
            (short_found.entry, short_found.record, &short_found.found),
            (3, 2, &None)
        );
        assert_eq!(
            short_found.to_string(),
            "column phones.list.item.number: entry 3: expected r=0 d=4 \"+91-0000000002\", found the end of the column"
        );
        let short_expected = diff_stripe(&leaf, &stripe(&BASE[..1]), &stripe(BASE)).unwrap();
        assert_eq!(
            (
                short_expected.entry,
                short_expected.record,
                &short_expected.expected
            ),
            (1, 1, &None)
        );
        assert_eq!(
            short_expected.to_string(),
            "column phones.list.item.number: entry 1: expected the end of the column, found r=0 d=4 \"+91-0000000001\""
        );
    }

    #[test]
    fn diff_stripes_reports_the_first_differing_column() {
        let schema = Schema::parse(crate::contact::CONTACT_SCHEMA).unwrap();
        let expected: Vec<Stripe> = vec![stripe(&[(0, 0, None)]); schema.leaves().len()];
        let mut found = expected.clone();
        assert_eq!(diff_stripes(&schema, &expected, &found), None);
        found[2] = stripe(&[(0, 1, None)]);
        let d = diff_stripes(&schema, &expected, &found).unwrap();
        assert_eq!(d.column, schema.leaves()[2].path);
    }
}
