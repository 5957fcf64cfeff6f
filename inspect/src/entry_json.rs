//! JSON lines of level entries, written straight into a reused byte buffer.
//!
//! `levels --format json` prints one object per entry, `{"column", "row_group", "record",
//! "r", "d", "value"}`, and a Contact file of 10M records has about 35M entries, so the
//! line is built without a `serde_json::Value` per entry: the constant part
//! (`{"column":"<path>","row_group":<n>,"record":`) is rendered once per column chunk,
//! integers go through `itoa`, and ASCII strings with nothing to escape are copied as they
//! are. Everything else (escaped or non-ASCII strings, non-UTF-8 bytes, floats, INT96)
//! goes through `serde_json` on [`shred::record::leaf_json`], so every value is
//! byte-identical to what `serde_json` prints for the canonical value: the same text as
//! `shred levels --format json`.
//!
//! ```
//! use shred::{Schema, stripe::Values};
//! use shred_inspect::entry_json::EntryLine;
//! let schema = Schema::parse("message m { optional int64 x; }").unwrap();
//! let line = EntryLine::new(&schema.leaves()[0], 0, None);
//! let mut out = Vec::new();
//! line.write(&mut out, 7, 0, 1, Some((&Values::Int64(vec![-3]), 0)));
//! assert_eq!(out, b"{\"column\":\"x\",\"row_group\":0,\"record\":7,\"r\":0,\"d\":1,\"value\":-3}\n");
//! ```

use parquet::basic::{ConvertedType, LogicalType};
use shred::record::leaf_json;
use shred::schema::Leaf;
use shred::stripe::Values;

/// How a column's values are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ValueKind {
    Bytes,
    Signed,
    Unsigned,
    Boolean,
    Other,
}

/// The JSON line writer of one column chunk.
#[derive(Debug, Clone)]
pub struct EntryLine<'a> {
    leaf: &'a Leaf,
    prefix: Vec<u8>,
    kind: ValueKind,
}

/// True for the unsigned integer annotations (the value is printed as unsigned, as
/// [`leaf_json`] does).
fn is_unsigned(leaf: &Leaf) -> bool {
    matches!(leaf.logical(), Some(LogicalType::Integer(i)) if !i.is_signed)
        || matches!(
            leaf.descr.converted_type(),
            ConvertedType::UINT_8
                | ConvertedType::UINT_16
                | ConvertedType::UINT_32
                | ConvertedType::UINT_64
        )
}

impl<'a> EntryLine<'a> {
    /// The writer for `leaf` in row group `row_group`; `file` adds a leading `"file"` key
    /// (used when several files are inspected at once).
    pub fn new(leaf: &'a Leaf, row_group: usize, file: Option<&str>) -> Self {
        let mut prefix = Vec::with_capacity(64 + leaf.path.len());
        prefix.push(b'{');
        if let Some(file) = file {
            prefix.extend_from_slice(b"\"file\":");
            write_str(&mut prefix, file);
            prefix.push(b',');
        }
        prefix.extend_from_slice(b"\"column\":");
        write_str(&mut prefix, &leaf.path);
        prefix.extend_from_slice(b",\"row_group\":");
        prefix.extend_from_slice(itoa::Buffer::new().format(row_group).as_bytes());
        prefix.extend_from_slice(b",\"record\":");
        let unsigned = is_unsigned(leaf);
        let kind = match leaf.physical() {
            parquet::basic::Type::BYTE_ARRAY | parquet::basic::Type::FIXED_LEN_BYTE_ARRAY => {
                ValueKind::Bytes
            }
            parquet::basic::Type::INT32 | parquet::basic::Type::INT64 if unsigned => {
                ValueKind::Unsigned
            }
            parquet::basic::Type::INT32 | parquet::basic::Type::INT64 => ValueKind::Signed,
            parquet::basic::Type::BOOLEAN => ValueKind::Boolean,
            _ => ValueKind::Other,
        };
        EntryLine { leaf, prefix, kind }
    }

    /// Appends one entry's line; `value` is the stripe's values and the entry's index into
    /// them, or `None` for an entry without a value.
    #[inline]
    pub fn write(
        &self,
        out: &mut Vec<u8>,
        record: u64,
        r: i16,
        d: i16,
        value: Option<(&Values, usize)>,
    ) {
        let mut ints = itoa::Buffer::new();
        out.extend_from_slice(&self.prefix);
        out.extend_from_slice(ints.format(record).as_bytes());
        out.extend_from_slice(b",\"r\":");
        out.extend_from_slice(ints.format(r).as_bytes());
        out.extend_from_slice(b",\"d\":");
        out.extend_from_slice(ints.format(d).as_bytes());
        out.extend_from_slice(b",\"value\":");
        match value {
            None => out.extend_from_slice(b"null"),
            Some((values, i)) => self.write_value(out, values, i, &mut ints),
        }
        out.extend_from_slice(b"}\n");
    }

    #[inline]
    fn write_value(&self, out: &mut Vec<u8>, values: &Values, i: usize, ints: &mut itoa::Buffer) {
        match (self.kind, values) {
            (ValueKind::Bytes, Values::ByteArray(v) | Values::FixedLenByteArray(v)) => {
                let bytes = v.get(i);
                if bytes
                    .iter()
                    .all(|&b| (0x20..0x80).contains(&b) && b != b'"' && b != b'\\')
                {
                    out.push(b'"');
                    out.extend_from_slice(bytes);
                    out.push(b'"');
                } else {
                    self.write_canonical(out, values, i);
                }
            }
            (ValueKind::Signed, Values::Int32(v)) => {
                out.extend_from_slice(ints.format(v[i]).as_bytes())
            }
            (ValueKind::Signed, Values::Int64(v)) => {
                out.extend_from_slice(ints.format(v[i]).as_bytes())
            }
            (ValueKind::Unsigned, Values::Int32(v)) => {
                out.extend_from_slice(ints.format(v[i] as u32).as_bytes())
            }
            (ValueKind::Unsigned, Values::Int64(v)) => {
                out.extend_from_slice(ints.format(v[i] as u64).as_bytes())
            }
            (ValueKind::Boolean, Values::Boolean(v)) => {
                out.extend_from_slice(if v[i] { b"true" } else { b"false" })
            }
            _ => self.write_canonical(out, values, i),
        }
    }

    /// The general path: the canonical JSON value, printed by `serde_json`.
    fn write_canonical(&self, out: &mut Vec<u8>, values: &Values, i: usize) {
        serde_json::to_writer(&mut *out, &leaf_json(self.leaf, values, i))
            .expect("writing JSON to a Vec cannot fail");
    }
}

/// Appends `s` as a JSON string.
fn write_str(out: &mut Vec<u8>, s: &str) {
    serde_json::to_writer(&mut *out, s).expect("writing JSON to a Vec cannot fail");
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use shred::Schema;
    use shred::stripe::ByteValues;

    /// The line `serde_json` prints for the same entry: the reference the fast path must
    /// match byte for byte.
    fn reference(
        leaf: &Leaf,
        record: u64,
        r: i16,
        d: i16,
        value: Option<(&Values, usize)>,
    ) -> String {
        let value = value.map_or(serde_json::Value::Null, |(v, i)| leaf_json(leaf, v, i));
        let line = json!({"column": leaf.path, "row_group": 3, "record": record, "r": r, "d": d, "value": value});
        format!("{line}\n")
    }

    fn check(schema: &str, values: Values) {
        let schema = Schema::parse(schema).unwrap();
        let leaf = &schema.leaves()[0];
        let line = EntryLine::new(leaf, 3, None);
        for i in 0..values.len() {
            let mut out = Vec::new();
            line.write(&mut out, 12_345_678_901, 1, 2, Some((&values, i)));
            assert_eq!(
                String::from_utf8(out).unwrap(),
                reference(leaf, 12_345_678_901, 1, 2, Some((&values, i))),
                "value {i}"
            );
        }
        let mut out = Vec::new();
        line.write(&mut out, 0, 0, 0, None);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            reference(leaf, 0, 0, 0, None)
        );
    }

    fn bytes(values: &[&[u8]]) -> ByteValues {
        let mut b = ByteValues::default();
        for v in values {
            b.push(v);
        }
        b
    }

    #[test]
    fn strings_match_serde_json() {
        let every_byte: Vec<u8> = (0u8..=127).collect();
        check(
            "message m { optional binary s (STRING); }",
            Values::ByteArray(bytes(&[
                b"+91-0000000042",
                b"",
                b"quote\" backslash\\ tab\t newline\n",
                "héllo ✓".as_bytes(),
                &[0xff, 0xfe],
                &every_byte,
                b"\x7f\x1f",
            ])),
        );
    }

    #[test]
    fn integers_match_serde_json() {
        check(
            "message m { optional int32 x; }",
            Values::Int32(vec![0, -1, i32::MIN, i32::MAX]),
        );
        check(
            "message m { optional int64 x; }",
            Values::Int64(vec![0, -1, i64::MIN, i64::MAX]),
        );
        check(
            "message m { optional int32 x (INTEGER(32,false)); }",
            Values::Int32(vec![0, -1, i32::MIN]),
        );
        check(
            "message m { optional int64 x (INTEGER(64,false)); }",
            Values::Int64(vec![0, -1, i64::MIN]),
        );
    }

    #[test]
    fn other_types_match_serde_json() {
        check(
            "message m { optional boolean b; }",
            Values::Boolean(vec![true, false]),
        );
        check(
            "message m { optional double x; }",
            Values::Double(vec![
                0.1,
                -0.0,
                1e300,
                f64::NAN,
                f64::INFINITY,
                f64::NEG_INFINITY,
            ]),
        );
        check(
            "message m { optional float x; }",
            Values::Float(vec![0.1, 3.0, f32::NAN]),
        );
        check(
            "message m { optional int96 t; }",
            Values::Int96(vec![shred::record::int96_from_nanos(-1)]),
        );
        check(
            "message m { optional fixed_len_byte_array(2) f; }",
            Values::FixedLenByteArray(bytes(&[b"ab", &[0, 200]])),
        );
    }

    #[test]
    fn file_key_comes_first() {
        let schema = Schema::parse("message m { required boolean b; }").unwrap();
        let line = EntryLine::new(&schema.leaves()[0], 0, Some("a \"b\".parquet"));
        let mut out = Vec::new();
        line.write(&mut out, 1, 0, 0, Some((&Values::Boolean(vec![true]), 0)));
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"file\":\"a \\\"b\\\".parquet\",\"column\":\"b\",\"row_group\":0,\"record\":1,\"r\":0,\"d\":0,\"value\":true}\n"
        );
    }
}
