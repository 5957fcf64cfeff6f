//! A reader of the Thrift compact protocol: field headers, varints and zigzag integers,
//! and values skipped by type, every read bounds-checked.
//!
//! The encoding follows Apache Thrift's `doc/specs/thrift-compact-protocol.md`: a struct is
//! a sequence of fields ended by a stop byte (0); each field starts with a header byte, the
//! field-id delta from the previous field in the high nibble (0: the id follows as a zigzag
//! varint) and the field's type in the low nibble; booleans live in that type nibble;
//! integers are zigzag-encoded ULEB128 varints, binaries a varint length and the bytes,
//! lists and sets a size-and-element-type byte (size 15: the size follows as a varint),
//! maps a varint size and a key-and-value-type byte. Parquet's footer and page headers
//! (`parquet.thrift`) are written in it: `shred::footer` walks the footer with it, and
//! `shred-inspect` decodes page headers with it.
//!
//! Reads past the end are [`DecodeError::Truncated`] (the caller may retry with more
//! bytes), anything malformed is [`DecodeError::Invalid`], and nesting is limited to
//! [`MAX_DEPTH`], so corrupt input is an error, never a panic.
//!
//! ```
//! use shred::thrift_compact::{CompactReader, ttype};
//! // field 1, i32 = -3 (zigzag 5), then the stop byte
//! let mut reader = CompactReader::new(&[0x15, 0x05, 0x00]);
//! let field = reader.field(0).unwrap();
//! assert_eq!((field.id, field.ttype), (1, ttype::I32));
//! assert_eq!(reader.expect_i32(&field, "x").unwrap(), -3);
//! assert!(reader.field(field.id).unwrap().is_stop());
//! assert_eq!(reader.position(), 3);
//! ```

/// Why bytes could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The bytes ended inside the value: retry with more.
    Truncated,
    /// The bytes are not valid compact protocol, or not the expected value.
    Invalid(String),
}

/// A decoded value or why it could not be decoded.
pub type Decoded<T> = std::result::Result<T, DecodeError>;

/// [`DecodeError::Invalid`] with `message`.
pub fn invalid<T>(message: impl Into<String>) -> Decoded<T> {
    Err(DecodeError::Invalid(message.into()))
}

/// Appends `v` as a zigzag varint: how the compact protocol writes i16, i32 and i64 (the
/// one write that repairing a footer or a page header needs).
pub fn write_zigzag(out: &mut Vec<u8>, v: i64) {
    let mut u = ((v << 1) ^ (v >> 63)) as u64;
    while u >= 0x80 {
        out.push((u as u8) | 0x80);
        u >>= 7;
    }
    out.push(u as u8);
}

/// Nesting deeper than this is corrupt (page headers nest three levels, footers eight at
/// most).
pub const MAX_DEPTH: u32 = 16;

/// Compact-protocol field types (the low nibble of a field header).
pub mod ttype {
    /// A boolean field holding true.
    pub const BOOL_TRUE: u8 = 1;
    /// A boolean field holding false.
    pub const BOOL_FALSE: u8 = 2;
    /// One byte.
    pub const BYTE: u8 = 3;
    /// A zigzag varint i16.
    pub const I16: u8 = 4;
    /// A zigzag varint i32.
    pub const I32: u8 = 5;
    /// A zigzag varint i64.
    pub const I64: u8 = 6;
    /// Eight bytes, little-endian.
    pub const DOUBLE: u8 = 7;
    /// A varint length and that many bytes.
    pub const BINARY: u8 = 8;
    /// A list: size and element type, then the elements.
    pub const LIST: u8 = 9;
    /// A set, encoded as a list.
    pub const SET: u8 = 10;
    /// A map: size, key and value types, then the pairs.
    pub const MAP: u8 = 11;
    /// A struct: fields up to a stop byte.
    pub const STRUCT: u8 = 12;
}

/// One field header: its id and type (type 0 is the stop byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldHeader {
    /// The field id (0 for the stop byte).
    pub id: i16,
    /// The field's type, one of [`ttype`] (0 for the stop byte).
    pub ttype: u8,
}

impl FieldHeader {
    /// True for the stop byte that ends a struct.
    pub fn is_stop(&self) -> bool {
        self.ttype == 0
    }
}

/// A list or set header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListHeader {
    /// The elements' type, one of [`ttype`].
    pub elem: u8,
    /// The number of elements.
    pub size: u64,
}

/// A cursor over compact-protocol bytes.
#[derive(Debug)]
pub struct CompactReader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> CompactReader<'a> {
    /// A reader at the start of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        CompactReader { buf, pos: 0 }
    }

    /// Bytes read so far.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Moves the cursor back (or forward) to `pos`, a position read earlier.
    pub fn seek(&mut self, pos: usize) {
        self.pos = pos.min(self.buf.len());
    }

    /// The bytes from `start` (a position read earlier) up to the cursor.
    pub fn since(&self, start: usize) -> &'a [u8] {
        &self.buf[start.min(self.pos)..self.pos]
    }

    /// Reads one byte.
    pub fn byte(&mut self) -> Decoded<u8> {
        let b = *self.buf.get(self.pos).ok_or(DecodeError::Truncated)?;
        self.pos += 1;
        Ok(b)
    }

    /// Reads an unsigned ULEB128 varint of at most 64 bits.
    pub fn varint(&mut self) -> Decoded<u64> {
        let mut value = 0u64;
        for shift in (0..70).step_by(7) {
            let b = self.byte()?;
            if shift == 63 && b > 1 {
                return invalid("varint overflows 64 bits");
            }
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        invalid("varint longer than 10 bytes")
    }

    /// Reads a zigzag-encoded varint: an i16, i32 or i64 value.
    pub fn zigzag(&mut self) -> Decoded<i64> {
        let v = self.varint()?;
        Ok((v >> 1) as i64 ^ -((v & 1) as i64))
    }

    fn i32(&mut self) -> Decoded<i32> {
        let v = self.zigzag()?;
        i32::try_from(v).or_else(|_| invalid(format!("i32 field out of range: {v}")))
    }

    /// Reads a list or set header: the element type and the number of elements.
    pub fn list_header(&mut self) -> Decoded<ListHeader> {
        let b = self.byte()?;
        let size = match b >> 4 {
            15 => self.varint()?,
            n => u64::from(n),
        };
        Ok(ListHeader {
            elem: b & 0x0f,
            size,
        })
    }

    /// Reads a binary value: a varint length and that many bytes.
    pub fn binary(&mut self) -> Decoded<&'a [u8]> {
        let n = self.varint()?;
        let start = self.pos;
        self.skip_bytes(n)?;
        Ok(self.since(start))
    }

    /// Moves past `n` bytes.
    pub fn skip_bytes(&mut self, n: u64) -> Decoded<()> {
        let remaining = (self.buf.len() - self.pos) as u64;
        if n > remaining {
            return Err(DecodeError::Truncated);
        }
        self.pos += n as usize;
        Ok(())
    }

    /// Reads a field header, resolving the delta against the previous field id.
    pub fn field(&mut self, last_id: i16) -> Decoded<FieldHeader> {
        let b = self.byte()?;
        let ttype = b & 0x0f;
        if ttype == 0 {
            return Ok(FieldHeader { id: 0, ttype: 0 });
        }
        let delta = b >> 4;
        let id = if delta == 0 {
            let v = self.zigzag()?;
            i16::try_from(v).or_else(|_| invalid(format!("field id out of range: {v}")))?
        } else {
            last_id.wrapping_add(i16::from(delta))
        };
        Ok(FieldHeader { id, ttype })
    }

    /// Reads a field's value as an i32, failing on any other type (`name` labels the
    /// error).
    pub fn expect_i32(&mut self, field: &FieldHeader, name: &str) -> Decoded<i32> {
        if field.ttype != ttype::I32 {
            return invalid(format!(
                "field {name} has thrift type {}, expected i32",
                field.ttype
            ));
        }
        self.i32()
    }

    /// Reads a boolean field (its value lives in the type nibble).
    pub fn expect_bool(&self, field: &FieldHeader, name: &str) -> Decoded<bool> {
        match field.ttype {
            ttype::BOOL_TRUE => Ok(true),
            ttype::BOOL_FALSE => Ok(false),
            other => invalid(format!(
                "field {name} has thrift type {other}, expected bool"
            )),
        }
    }

    /// Skips a value of type `ttype`, nested `depth` levels deep.
    pub fn skip(&mut self, ttype: u8, depth: u32) -> Decoded<()> {
        if depth > MAX_DEPTH {
            return invalid("nesting too deep");
        }
        match ttype {
            ttype::BOOL_TRUE | ttype::BOOL_FALSE => Ok(()),
            ttype::BYTE => self.byte().map(drop),
            ttype::I16 | ttype::I32 | ttype::I64 => self.varint().map(drop),
            ttype::DOUBLE => self.skip_bytes(8),
            ttype::BINARY => self.binary().map(drop),
            ttype::LIST | ttype::SET => {
                let ListHeader { elem, size } = self.list_header()?;
                for _ in 0..size {
                    // A list of booleans stores one byte per element.
                    if elem == ttype::BOOL_TRUE || elem == ttype::BOOL_FALSE {
                        self.byte()?;
                    } else {
                        self.skip(elem, depth + 1)?;
                    }
                }
                Ok(())
            }
            ttype::MAP => {
                let size = self.varint()?;
                if size == 0 {
                    return Ok(());
                }
                let kv = self.byte()?;
                for _ in 0..size {
                    self.skip(kv >> 4, depth + 1)?;
                    self.skip(kv & 0x0f, depth + 1)?;
                }
                Ok(())
            }
            ttype::STRUCT => self.skip_struct(depth + 1),
            other => invalid(format!("unknown thrift type {other}")),
        }
    }

    fn skip_struct(&mut self, depth: u32) -> Decoded<()> {
        let mut last = 0;
        loop {
            let f = self.field(last)?;
            if f.is_stop() {
                return Ok(());
            }
            self.skip(f.ttype, depth)?;
            last = f.id;
        }
    }

    /// Reads the fields of the struct-typed field `field` (`name` labels errors), calling
    /// `on_field` for each one; a field it returns `false` for is skipped.
    pub fn read_struct(
        &mut self,
        field: &FieldHeader,
        name: &str,
        mut on_field: impl FnMut(&mut Self, &FieldHeader) -> Decoded<bool>,
    ) -> Decoded<()> {
        if field.ttype != ttype::STRUCT {
            return invalid(format!(
                "field {name} has thrift type {}, expected struct",
                field.ttype
            ));
        }
        let mut last = 0;
        loop {
            let f = self.field(last)?;
            if f.is_stop() {
                return Ok(());
            }
            if !on_field(self, &f)? {
                self.skip(f.ttype, 1)?;
            }
            last = f.id;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zigzag_round_trips() {
        for v in [0, -1, 1, 63, -64, 64, i64::from(i32::MAX), i64::MIN] {
            let mut bytes = Vec::new();
            write_zigzag(&mut bytes, v);
            assert_eq!(CompactReader::new(&bytes).zigzag(), Ok(v));
        }
    }

    #[test]
    fn overlong_varint_is_invalid() {
        let bytes = [
            0x15, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f,
        ];
        let mut reader = CompactReader::new(&bytes);
        let field = reader.field(0).unwrap();
        assert_eq!(
            reader.expect_i32(&field, "x"),
            Err(DecodeError::Invalid("varint overflows 64 bits".into()))
        );
    }

    #[test]
    fn deep_nesting_is_invalid() {
        let bytes = [(1 << 4) | ttype::STRUCT; 100];
        assert_eq!(
            CompactReader::new(&bytes).skip(ttype::STRUCT, 1),
            Err(DecodeError::Invalid("nesting too deep".into()))
        );
    }

    #[test]
    fn long_field_ids_and_lists() {
        // field 300 (delta 0, zigzag id 600 = 0xd8 0x04): a list of 20 i64 (size as varint)
        let mut bytes = vec![ttype::LIST, 0xd8, 0x04, 0xf0 | ttype::I64, 20];
        bytes.extend([0x02; 20]);
        let mut reader = CompactReader::new(&bytes);
        let field = reader.field(7).unwrap();
        assert_eq!((field.id, field.ttype), (300, ttype::LIST));
        reader.skip(field.ttype, 1).unwrap();
        assert_eq!(reader.position(), bytes.len());
    }

    #[test]
    fn wrong_types_are_invalid() {
        let mut reader = CompactReader::new(&[0x16, 0x02]);
        let field = reader.field(0).unwrap();
        assert!(
            matches!(reader.expect_i32(&field, "n"), Err(DecodeError::Invalid(m)) if m.contains("expected i32"))
        );
        assert!(
            matches!(reader.expect_bool(&field, "b"), Err(DecodeError::Invalid(m)) if m.contains("expected bool"))
        );
    }
}
