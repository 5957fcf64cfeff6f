//! JSON lines of level entries, written straight into a reused byte buffer.
//!
//! `shred levels --format json` and `shred-inspect levels --format json` print one object
//! per entry (Dremel §4.1: an entry is an (r, d) pair and, at the maximum d, a value),
//! `{"column", "row_group", "record", "r", "d", "value"}` in that order, through
//! [`EntryLine`]. [`reference_line`] builds the same line with `serde_json`: the
//! definition the fast writer is checked against. A Contact file of 10M records has about
//! 35M entries, so [`EntryLine`] builds a line without a `serde_json::Value` per entry and with as few copies as
//! possible:
//!
//! - the head `{"column":"<path>","row_group":<n>,"record":<i>` is one buffer whose record
//!   digits are incremented in place when the next entry belongs to the next record (an
//!   odometer), and re-rendered with `itoa` otherwise;
//! - the middle `,"r":R,"d":D,"value":` is rendered once per (R, D) pair, also ending in
//!   `null}` + newline (entries without a value) or in the opening quote of a string;
//! - values are written by [`LeafJsonWriter`], byte-identical to what `serde_json` prints
//!   for the canonical value; a plain ASCII string is copied after the pre-rendered
//!   opening quote.
//!
//! ```
//! use shred::{Schema, stripe::Values};
//! use shred::entry_json::EntryLine;
//! let schema = Schema::parse("message m { optional int64 x; }").unwrap();
//! let mut line = EntryLine::new(&schema.leaves()[0], 0, None);
//! let mut out = shred::line_buffer::LineBuffer::default();
//! line.write(&mut out, 7, 0, 1, Some((&Values::Int64(vec![-3]), 0)));
//! assert_eq!(out.as_bytes(), b"{\"column\":\"x\",\"row_group\":0,\"record\":7,\"r\":0,\"d\":1,\"value\":-3}\n");
//! ```

use crate::buffered_out::BufferedOut;
use crate::leaf_json_writer::LeafJsonWriter;
use crate::line_buffer::LineBuffer;
use crate::record::leaf_json;
use crate::schema::Leaf;
use crate::stripe::Values;

/// The pre-rendered middle of a line for one (r, d) pair.
#[derive(Debug, Clone)]
struct LevelParts {
    /// `,"r":R,"d":D,"value":`
    plain: Vec<u8>,
    /// `,"r":R,"d":D,"value":null}` and a newline.
    null: Vec<u8>,
    /// `,"r":R,"d":D,"value":"` (a string follows).
    quote: Vec<u8>,
}

impl LevelParts {
    fn new(r: i16, d: i16) -> Self {
        let plain = format!(",\"r\":{r},\"d\":{d},\"value\":").into_bytes();
        let mut null = plain.clone();
        null.extend_from_slice(b"null}\n");
        let mut quote = plain.clone();
        quote.push(b'"');
        LevelParts { plain, null, quote }
    }
}

/// The JSON line writer of one column chunk.
#[derive(Debug, Clone)]
pub struct EntryLine<'a> {
    leaf: &'a Leaf,
    /// The constant prefix, then the digits of `record`.
    head: Vec<u8>,
    prefix_len: usize,
    /// The record whose digits end `head` (`u64::MAX`: none yet).
    record: u64,
    /// Per valid (r, d), at `r * (max_def + 1) + d`.
    levels: Vec<LevelParts>,
    value: LeafJsonWriter<'a>,
}

impl<'a> EntryLine<'a> {
    /// The writer for `leaf` in row group `row_group`; `file` adds a leading `"file"` key
    /// (used when several files are inspected at once).
    pub fn new(leaf: &'a Leaf, row_group: usize, file: Option<&str>) -> Self {
        let mut head = Vec::with_capacity(96 + leaf.path.len());
        head.push(b'{');
        if let Some(file) = file {
            head.extend_from_slice(b"\"file\":");
            write_str(&mut head, file);
            head.push(b',');
        }
        head.extend_from_slice(b"\"column\":");
        write_str(&mut head, &leaf.path);
        head.extend_from_slice(b",\"row_group\":");
        head.extend_from_slice(itoa::Buffer::new().format(row_group).as_bytes());
        head.extend_from_slice(b",\"record\":");
        let prefix_len = head.len();
        let levels = (0..=leaf.max_rep.max(0))
            .flat_map(|r| (0..=leaf.max_def.max(0)).map(move |d| LevelParts::new(r, d)))
            .collect();
        EntryLine {
            leaf,
            head,
            prefix_len,
            record: u64::MAX,
            levels,
            value: LeafJsonWriter::new(leaf),
        }
    }

    /// Puts the digits of `record` at the end of the head.
    #[inline]
    fn set_record(&mut self, record: u64) {
        if record == self.record {
            return;
        }
        if record == self.record.wrapping_add(1) {
            // Odometer: add one to the decimal digits in place.
            for digit in self.head[self.prefix_len..].iter_mut().rev() {
                if *digit == b'9' {
                    *digit = b'0';
                } else {
                    *digit += 1;
                    self.record = record;
                    return;
                }
            }
            // All nines: one more digit; render it afresh.
        }
        self.head.truncate(self.prefix_len);
        self.head
            .extend_from_slice(itoa::Buffer::new().format(record).as_bytes());
        self.record = record;
    }

    /// Appends one entry's line; `value` is the stripe's values and the entry's index into
    /// them, or `None` for an entry without a value.
    #[inline]
    pub fn write(
        &mut self,
        out: &mut LineBuffer,
        record: u64,
        r: i16,
        d: i16,
        value: Option<(&Values, usize)>,
    ) {
        self.set_record(record);
        out.put(&self.head);
        match (self.parts(r, d), value) {
            (Some(parts), None) => out.put(&parts.null),
            (Some(parts), Some((values, i))) => match self.value.plain_string(values, i) {
                Some(bytes) => {
                    out.put(&parts.quote);
                    out.put(bytes);
                    out.put(b"\"}\n");
                }
                None => {
                    out.put(&parts.plain);
                    self.value.write_not_plain(out, values, i);
                    out.put(b"}\n");
                }
            },
            (None, value) => {
                // Levels outside the column's range (a corrupt file): printed as they are.
                put_levels(out, r, d);
                match value {
                    None => out.put(b"null"),
                    Some((values, i)) => self.value.write(out, values, i),
                }
                out.put(b"}\n");
            }
        }
    }

    /// Appends one entry's line to `out` as [`EntryLine::write`] does, except that a
    /// value of [`crate::buffered_out::FLUSH_BYTES`] or more goes to the output directly
    /// (a string of a gigabyte is not copied into the buffer).
    pub fn write_out(
        &mut self,
        out: &mut BufferedOut<'_>,
        record: u64,
        r: i16,
        d: i16,
        value: Option<(&Values, usize)>,
    ) {
        match value {
            Some((values, i)) if LeafJsonWriter::is_long(values, i) => {
                self.set_record(record);
                out.buffer().put(&self.head);
                match self.parts(r, d) {
                    Some(parts) => out.buffer().put(&parts.plain),
                    None => put_levels(out.buffer(), r, d),
                }
                self.value.write_out(out, values, i);
                out.buffer().put(b"}\n");
            }
            _ => self.write(out.buffer(), record, r, d, value),
        }
    }

    /// The pre-rendered middle for (`r`, `d`); `None` for levels outside the column's range.
    #[inline]
    fn parts(&self, r: i16, d: i16) -> Option<&LevelParts> {
        let (max_rep, max_def) = (self.leaf.max_rep, self.leaf.max_def);
        ((0..=max_rep).contains(&r) && (0..=max_def).contains(&d))
            .then(|| &self.levels[r as usize * (max_def as usize + 1) + d as usize])
    }
}

/// One entry's line as `serde_json` prints it (with a newline): the reference
/// [`EntryLine::write`] matches byte for byte, for tests and for readers of the format.
pub fn reference_line(
    leaf: &Leaf,
    row_group: usize,
    record: u64,
    r: i16,
    d: i16,
    value: Option<(&Values, usize)>,
) -> String {
    let value = value.map_or(serde_json::Value::Null, |(v, i)| leaf_json(leaf, v, i));
    let line = serde_json::json!({
        "column": leaf.path, "row_group": row_group, "record": record, "r": r, "d": d, "value": value
    });
    format!("{line}\n")
}

/// Appends `,"r":R,"d":D,"value":` for levels without pre-rendered parts.
fn put_levels(out: &mut LineBuffer, r: i16, d: i16) {
    let mut ints = itoa::Buffer::new();
    out.put(b",\"r\":");
    out.put(ints.format(r).as_bytes());
    out.put(b",\"d\":");
    out.put(ints.format(d).as_bytes());
    out.put(b",\"value\":");
}

/// Appends `s` as a JSON string.
fn write_str(out: &mut Vec<u8>, s: &str) {
    serde_json::to_writer(&mut *out, s).expect("writing JSON to a Vec cannot fail");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Schema;
    use crate::stripe::ByteValues;

    /// The reference line of an entry in row group 3.
    fn reference(
        leaf: &Leaf,
        record: u64,
        r: i16,
        d: i16,
        value: Option<(&Values, usize)>,
    ) -> String {
        reference_line(leaf, 3, record, r, d, value)
    }

    fn check(schema: &str, values: Values) {
        let schema = Schema::parse(schema).unwrap();
        let leaf = &schema.leaves()[0];
        let mut line = EntryLine::new(leaf, 3, None);
        for i in 0..values.len() {
            let mut out = LineBuffer::default();
            line.write(&mut out, 12_345_678_901, 1, 2, Some((&values, i)));
            assert_eq!(
                String::from_utf8(out.as_bytes().to_vec()).unwrap(),
                reference(leaf, 12_345_678_901, 1, 2, Some((&values, i))),
                "value {i}"
            );
        }
        let mut out = LineBuffer::default();
        line.write(&mut out, 0, 0, 0, None);
        assert_eq!(
            String::from_utf8(out.as_bytes().to_vec()).unwrap(),
            reference(leaf, 0, 0, 0, None)
        );
    }

    fn bytes(values: &[&[u8]]) -> ByteValues {
        values.iter().copied().collect()
    }

    /// Each way a line ends (a plain string after the pre-rendered quote, any other value
    /// after the pre-rendered middle, no value): the values themselves are checked in
    /// `leaf_json_writer`.
    #[test]
    fn lines_match_serde_json() {
        check(
            "message m { optional binary s (STRING); }",
            Values::ByteArray(bytes(&[b"+91-0000000042", b"", b"quote\" tab\t", &[0xff]])),
        );
        check(
            "message m { optional int64 x (INTEGER(64,false)); }",
            Values::Int64(vec![0, -1]),
        );
        check(
            "message m { optional double x; }",
            Values::Double(vec![0.1, f64::NAN]),
        );
    }

    #[test]
    fn record_digits_roll_over_like_an_odometer() {
        let schema = Schema::parse("message m { required boolean b; }").unwrap();
        let mut line = EntryLine::new(&schema.leaves()[0], 0, None);
        let values = Values::Boolean(vec![true]);
        let sequence = [
            0u64,
            0,
            1,
            9,
            10,
            11,
            99,
            100,
            100,
            101,
            999,
            1000,
            5,
            6,
            1_000_000,
            999_999_999,
            1_000_000_000,
        ];
        for record in sequence {
            let mut out = LineBuffer::default();
            line.write(&mut out, record, 0, 0, Some((&values, 0)));
            let expected = format!(
                "{{\"column\":\"b\",\"row_group\":0,\"record\":{record},\"r\":0,\"d\":0,\"value\":true}}\n"
            );
            assert_eq!(
                String::from_utf8(out.as_bytes().to_vec()).unwrap(),
                expected
            );
        }
    }

    #[test]
    fn long_value_goes_out_directly_as_the_reference_line() {
        use crate::buffered_out::FLUSH_BYTES;
        let schema = Schema::parse("message m { optional binary s (STRING); }").unwrap();
        let leaf = &schema.leaves()[0];
        let plain = "a".repeat(FLUSH_BYTES);
        let escaped = format!("\"{}", "é".repeat(FLUSH_BYTES / 2));
        let short = "short";
        let values = Values::ByteArray(bytes(&[
            plain.as_bytes(),
            escaped.as_bytes(),
            short.as_bytes(),
        ]));
        let mut line = EntryLine::new(leaf, 3, None);
        // (r, d): in range, and past the column's maximum (printed as they are).
        for (i, r, d) in [(0, 0, 1), (1, 0, 1), (2, 0, 1), (0, 0, 2)] {
            let mut written = Vec::new();
            let mut out = BufferedOut::new(&mut written);
            line.write_out(&mut out, 9, r, d, Some((&values, i)));
            let long = i < 2;
            // A long value left only its closing quote and the line's end in the buffer.
            assert_eq!(out.buffer().as_bytes() == b"\"}\n", long, "value {i}");
            out.finish().unwrap();
            assert!(
                String::from_utf8(written).unwrap() == reference(leaf, 9, r, d, Some((&values, i))),
                "value {i}, d {d}"
            );
        }
    }

    #[test]
    fn out_of_range_levels_are_printed_as_they_are() {
        let schema = Schema::parse("message m { optional int32 x; }").unwrap();
        let mut line = EntryLine::new(&schema.leaves()[0], 0, None);
        let mut out = LineBuffer::default();
        line.write(&mut out, 0, 3, -1, None);
        assert_eq!(
            String::from_utf8(out.as_bytes().to_vec()).unwrap(),
            "{\"column\":\"x\",\"row_group\":0,\"record\":0,\"r\":3,\"d\":-1,\"value\":null}\n"
        );
    }

    #[test]
    fn file_key_comes_first() {
        let schema = Schema::parse("message m { required boolean b; }").unwrap();
        let mut line = EntryLine::new(&schema.leaves()[0], 0, Some("a \"b\".parquet"));
        let mut out = LineBuffer::default();
        line.write(&mut out, 1, 0, 0, Some((&Values::Boolean(vec![true]), 0)));
        assert_eq!(
            String::from_utf8(out.as_bytes().to_vec()).unwrap(),
            "{\"file\":\"a \\\"b\\\".parquet\",\"column\":\"b\",\"row_group\":0,\"record\":1,\"r\":0,\"d\":0,\"value\":true}\n"
        );
    }
}
