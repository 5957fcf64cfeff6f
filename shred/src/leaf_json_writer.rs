//! A leaf value written as canonical JSON text, straight into an output buffer.
//!
//! The text is byte for byte what `serde_json` prints for [`crate::record::leaf_json`]'s
//! value, without building that value: ASCII strings with nothing to escape (checked 8
//! bytes at a time) are copied between quotes as they are, integers go through `itoa`,
//! booleans are literals, other UTF-8 strings go through `serde_json`'s string escaping
//! from the stripe's bytes. The rest (non-UTF-8 bytes, floats, INT96) goes through
//! `serde_json` on [`crate::record::leaf_json`]. Into a [`BufferedOut`], a string of
//! [`FLUSH_BYTES`] or more goes to the output directly, not copied into the buffer.
//! Entry lines ([`crate::entry_json`]) and assembled records ([`crate::record_json`])
//! write their values through it.
//!
//! ```
//! use shred::{Schema, stripe::Values};
//! use shred::leaf_json_writer::LeafJsonWriter;
//! let schema = Schema::parse("message m { optional int32 x (INTEGER(32,false)); }").unwrap();
//! let mut out = shred::line_buffer::LineBuffer::default();
//! LeafJsonWriter::new(&schema.leaves()[0]).write(&mut out, &Values::Int32(vec![-1]), 0);
//! assert_eq!(out.as_bytes(), b"4294967295");
//! ```

use std::io::{self, Write};

use crate::buffered_out::{BufferedOut, FLUSH_BYTES};
use crate::line_buffer::LineBuffer;
use crate::record::leaf_json;
use crate::schema::Leaf;
use crate::stripe::Values;

/// How a column's values are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ValueKind {
    Bytes,
    Signed,
    Unsigned,
    Boolean,
    Other,
}

/// Writes the values of one leaf column as canonical JSON.
#[derive(Debug, Clone, Copy)]
pub struct LeafJsonWriter<'a> {
    leaf: &'a Leaf,
    kind: ValueKind,
}

impl<'a> LeafJsonWriter<'a> {
    /// The writer for `leaf`'s values.
    pub fn new(leaf: &'a Leaf) -> Self {
        let unsigned = leaf.is_unsigned();
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
        LeafJsonWriter { leaf, kind }
    }

    /// The bytes of value `i` when it is a string JSON prints as it is between quotes
    /// (ASCII with no control character, quote or backslash); `None` for any other value.
    #[inline]
    pub(crate) fn plain_string<'v>(&self, values: &'v Values, i: usize) -> Option<&'v [u8]> {
        match (self.kind, values) {
            (ValueKind::Bytes, Values::ByteArray(v) | Values::FixedLenByteArray(v)) => {
                Some(v.get(i)).filter(|bytes| needs_no_escape(bytes))
            }
            _ => None,
        }
    }

    /// Appends value `i` of `values`.
    #[inline]
    pub fn write(&self, out: &mut LineBuffer, values: &Values, i: usize) {
        match self.plain_string(values, i) {
            Some(bytes) => {
                out.put(b"\"");
                out.put(bytes);
                out.put(b"\"");
            }
            None => self.write_not_plain(out, values, i),
        }
    }

    /// Appends value `i` of `values`, which is not a plain string
    /// ([`LeafJsonWriter::plain_string`]).
    #[inline]
    pub(crate) fn write_not_plain(&self, out: &mut LineBuffer, values: &Values, i: usize) {
        let mut ints = itoa::Buffer::new();
        match (self.kind, values) {
            (ValueKind::Signed, Values::Int32(v)) => out.put(ints.format(v[i]).as_bytes()),
            (ValueKind::Signed, Values::Int64(v)) => out.put(ints.format(v[i]).as_bytes()),
            (ValueKind::Unsigned, Values::Int32(v)) => out.put(ints.format(v[i] as u32).as_bytes()),
            (ValueKind::Unsigned, Values::Int64(v)) => out.put(ints.format(v[i] as u64).as_bytes()),
            (ValueKind::Boolean, Values::Boolean(v)) => {
                out.put(if v[i] { b"true" } else { b"false" })
            }
            _ => self
                .write_serde(out, values, i)
                .expect("writing JSON to memory cannot fail"),
        }
    }

    /// Whether value `i` of `values` is a byte array of [`FLUSH_BYTES`] or more, which
    /// [`LeafJsonWriter::write_out`] writes to the output directly.
    #[inline]
    pub fn is_long(values: &Values, i: usize) -> bool {
        match values {
            Values::ByteArray(v) | Values::FixedLenByteArray(v) => v.get(i).len() >= FLUSH_BYTES,
            _ => false,
        }
    }

    /// Appends value `i` of `values` to `out`; a byte array of [`FLUSH_BYTES`] or more
    /// goes through `out`'s `io::Write`, which writes its long pieces out directly. A
    /// write error is kept by `out`.
    #[inline]
    pub fn write_out(&self, out: &mut BufferedOut<'_>, values: &Values, i: usize) {
        if !Self::is_long(values, i) {
            self.write(out.buffer(), values, i);
            return;
        }
        // `out` keeps the error for its caller.
        let _ = match self.plain_string(values, i) {
            Some(bytes) => out
                .write_all(b"\"")
                .and_then(|()| out.write_all(bytes))
                .and_then(|()| out.write_all(b"\"")),
            None => self.write_serde(out, values, i),
        };
    }

    /// Writes value `i` of `values` to `out` through `serde_json`: the path for values
    /// the buffer does not take (a string of a gigabyte goes to the output in the pieces
    /// between its escapes, never copied whole).
    fn write_serde(&self, out: &mut dyn io::Write, values: &Values, i: usize) -> io::Result<()> {
        let text = match values {
            Values::ByteArray(v) | Values::FixedLenByteArray(v) => {
                std::str::from_utf8(v.get(i)).ok()
            }
            _ => None,
        };
        match text {
            Some(text) => serde_json::to_writer(out, text),
            None => serde_json::to_writer(out, &leaf_json(self.leaf, values, i)),
        }
        .map_err(io::Error::from)
    }
}

/// True when `bytes` is ASCII with nothing to escape ([`crate::json_escape`]): a JSON
/// string as it is. Eight bytes at a time, the tail as an overlapping last word; strings
/// shorter than a word through a table.
#[inline]
fn needs_no_escape(bytes: &[u8]) -> bool {
    use crate::json_escape::{HIGHS, escaped_bytes};
    #[inline]
    fn word_ok(chunk: &[u8]) -> bool {
        let x = u64::from_le_bytes(chunk.try_into().expect("a word is 8 bytes"));
        (x & HIGHS) | escaped_bytes(x) == 0
    }
    if bytes.len() < 8 {
        return bytes.iter().all(|&b| PLAIN[b as usize]);
    }
    bytes.chunks_exact(8).all(word_ok) && word_ok(&bytes[bytes.len() - 8..])
}

/// ASCII bytes that need no escaping in a JSON string.
static PLAIN: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x80 {
        table[b as usize] = !crate::json_escape::is_escaped(b);
        b += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Schema;
    use crate::stripe::ByteValues;

    /// Every value of `values` (a column of `schema`'s only leaf) is written as
    /// `serde_json` prints its canonical value, through the buffer and through `serde_json`.
    fn check(schema: &str, values: Values) {
        let schema = Schema::parse(schema).unwrap();
        let leaf = &schema.leaves()[0];
        let writer = LeafJsonWriter::new(leaf);
        for i in 0..values.len() {
            let expected = serde_json::to_string(&leaf_json(leaf, &values, i)).unwrap();
            let mut out = LineBuffer::default();
            writer.write(&mut out, &values, i);
            assert_eq!(
                std::str::from_utf8(out.as_bytes()).unwrap(),
                expected,
                "value {i}"
            );
            let mut direct = Vec::new();
            writer.write_serde(&mut direct, &values, i).unwrap();
            assert_eq!(String::from_utf8(direct).unwrap(), expected, "value {i}");
        }
    }

    fn bytes(values: &[&[u8]]) -> ByteValues {
        values.iter().copied().collect()
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

    /// What the writer prints for each value of a one-column schema.
    fn written(schema: &str, values: Values) -> Vec<String> {
        let schema = Schema::parse(schema).unwrap();
        let writer = LeafJsonWriter::new(&schema.leaves()[0]);
        (0..values.len())
            .map(|i| {
                let mut out = LineBuffer::default();
                writer.write(&mut out, &values, i);
                String::from_utf8(out.as_bytes().to_vec()).unwrap()
            })
            .collect()
    }

    #[test]
    fn other_types_match_serde_json() {
        check(
            "message m { optional boolean b; }",
            Values::Boolean(vec![true, false]),
        );
        // Floats and INT96 go through serde_json on the canonical value, as `check`'s
        // reference does: so these are spelled out.
        let doubles = Values::Double(vec![
            0.1,
            -0.0,
            1e300,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ]);
        assert_eq!(
            written("message m { optional double x; }", doubles),
            [
                "0.1",
                "-0.0",
                "1e+300",
                "\"NaN\"",
                "\"Infinity\"",
                "\"-Infinity\""
            ]
        );
        assert_eq!(
            written(
                "message m { optional float x; }",
                Values::Float(vec![0.1, 3.0, f32::NAN])
            ),
            ["0.1", "3.0", "\"NaN\""]
        );
        assert_eq!(
            written(
                "message m { optional int96 t; }",
                Values::Int96(vec![crate::record::int96_from_nanos(-1)])
            ),
            ["-1"]
        );
        check(
            "message m { optional fixed_len_byte_array(2) f; }",
            Values::FixedLenByteArray(bytes(&[b"ab", &[0, 200]])),
        );
    }

    #[test]
    fn escape_check_matches_the_byte_rule() {
        let plain = |b: &[u8]| {
            b.iter()
                .all(|&b| (0x20..0x80).contains(&b) && b != b'"' && b != b'\\')
        };
        let mut state = 7u64;
        for len in 0..40 {
            for _ in 0..200 {
                let bytes: Vec<u8> = (0..len)
                    .map(|_| {
                        state = state
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        // mostly plain ASCII, sometimes a byte that needs escaping
                        let b = (state >> 33) as u8;
                        if b < 230 { b' ' + b % 95 } else { b }
                    })
                    .collect();
                assert_eq!(needs_no_escape(&bytes), plain(&bytes), "{bytes:?}");
            }
        }
        for b in 0..=255u8 {
            let mut word = [b'a'; 8];
            word[3] = b;
            assert_eq!(needs_no_escape(&word), plain(&word), "byte {b}");
        }
    }
}
