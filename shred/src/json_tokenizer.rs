//! The JSON tokenizer of the shredder's fast path: a cursor over one record's text that
//! reads JSON (RFC 8259) token by token, as the schema plan's walk asks for them.
//!
//! It reads exactly what `serde_json` (with `float_roundtrip`) reads, and reads it the same
//! way, so the fast path and the reference path agree value for value: a non-negative
//! integer is a `u64`, a negative one an `i64`, `-0` and every integer beyond those ranges
//! an `f64`; a number with a fraction or an exponent is the correctly rounded `f64`, and
//! one beyond `f64`'s range is refused; strings are unescaped (`\uXXXX` with surrogate
//! pairs), and a control character or a lone surrogate is refused. Anything else it does
//! not read returns `None`, and the caller hands the record to the reference, which says
//! what is wrong with it. The text is a `&str`, so it is UTF-8 already and a string
//! without escapes is a slice of it.
//!
//! Strings are scanned eight bytes at a time for the bytes that end a run of plain
//! characters ([`crate::json_escape`]), as serde_json's own `skip_to_escape` does.

/// A number as JSON gives it, classified as serde_json classifies it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Number {
    /// A non-negative integer within `u64`.
    U64(u64),
    /// A negative integer within `i64`.
    I64(i64),
    /// Any other number.
    F64(f64),
}

/// A cursor over one JSON text.
pub(crate) struct Tokenizer<'t> {
    text: &'t str,
    pos: usize,
    /// The unescaped text of the last string that had escapes.
    scratch: String,
}

use crate::json_escape::{escaped_bytes, is_escaped};

/// The position of the first `"`, `\` or control character at or after `from`, or the
/// text's length.
#[inline]
fn find_special(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    while let Some(word) = bytes.get(i..i + 8) {
        let x = u64::from_le_bytes(word.try_into().expect("eight bytes"));
        let hits = escaped_bytes(x);
        if hits != 0 {
            return i + (hits.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < bytes.len() && !is_escaped(bytes[i]) {
        i += 1;
    }
    i
}

impl<'t> Tokenizer<'t> {
    /// A cursor at the start of `text`, reusing `scratch` (see [`Tokenizer::into_scratch`]).
    pub(crate) fn new(text: &'t str, scratch: String) -> Self {
        Tokenizer {
            text,
            pos: 0,
            scratch,
        }
    }

    /// The scratch buffer, for the next record's tokenizer.
    pub(crate) fn into_scratch(self) -> String {
        self.scratch
    }

    /// The text not read yet.
    pub(crate) fn rest(&self) -> &'t str {
        &self.text[self.pos..]
    }

    /// Moves past `n` bytes that were read by other means (e.g. from [`Tokenizer::rest`]).
    pub(crate) fn advance(&mut self, n: usize) {
        self.pos += n;
    }

    /// Skips whitespace and returns the next byte, without reading it.
    #[inline]
    pub(crate) fn peek(&mut self) -> Option<u8> {
        let bytes = self.text.as_bytes();
        while let Some(&b) = bytes.get(self.pos) {
            if !matches!(b, b' ' | b'\n' | b'\t' | b'\r') {
                return Some(b);
            }
            self.pos += 1;
        }
        None
    }

    /// Reads the byte [`Tokenizer::peek`] returned.
    #[inline]
    pub(crate) fn bump(&mut self) {
        self.pos += 1;
    }

    /// Skips whitespace, then reads `b` if it comes next.
    #[inline]
    pub(crate) fn eat(&mut self, b: u8) -> bool {
        let next = self.peek() == Some(b);
        self.pos += usize::from(next);
        next
    }

    /// Whether only whitespace is left.
    pub(crate) fn at_end(&mut self) -> bool {
        self.peek().is_none()
    }

    /// Reads `word` (`null`, `true`, `false`), which [`Tokenizer::peek`] says starts here.
    #[inline]
    pub(crate) fn literal(&mut self, word: &str) -> Option<()> {
        let found = self.text.as_bytes().get(self.pos..self.pos + word.len())?;
        (found == word.as_bytes()).then(|| self.pos += word.len())
    }

    /// Reads the string `"name"` if it comes here (where [`Tokenizer::peek`] found `"`),
    /// spelled without escapes: an object's key where the schema expects it, recognized
    /// without scanning it as a string. `name` must be one JSON writes as it is (no `"`,
    /// `\` or control character, [`crate::schema_plan::FieldLookup::plain_name`]).
    #[inline]
    pub(crate) fn eat_key(&mut self, name: &str) -> bool {
        let start = self.pos + 1;
        let end = start + name.len();
        let bytes = self.text.as_bytes();
        let found = bytes
            .get(start..end)
            .is_some_and(|key| crate::short_bytes::eq(key, name.as_bytes()))
            && bytes.get(end) == Some(&b'"');
        if found {
            self.pos = end + 1;
        }
        found
    }

    /// Reads a string, which [`Tokenizer::peek`] says starts here (at `"`).
    #[inline]
    pub(crate) fn string(&mut self) -> Option<&str> {
        let bytes = self.text.as_bytes();
        let start = self.pos + 1;
        let end = find_special(bytes, start);
        if bytes.get(end) == Some(&b'"') {
            self.pos = end + 1;
            return Some(&self.text[start..end]);
        }
        self.escaped_string(start, end)
    }

    /// The rest of a string from `end`, where an escape (or an error) comes, unescaped into
    /// the scratch buffer.
    fn escaped_string(&mut self, start: usize, mut end: usize) -> Option<&str> {
        let bytes = self.text.as_bytes();
        self.scratch.clear();
        self.scratch.push_str(&self.text[start..end]);
        loop {
            match *bytes.get(end)? {
                b'"' => {
                    self.pos = end + 1;
                    return Some(&self.scratch);
                }
                b'\\' => {
                    let (c, len) = unescape(&bytes[end + 1..])?;
                    self.scratch.push(c);
                    end += 1 + len;
                }
                _ => return None,
            }
            let next = find_special(bytes, end);
            self.scratch.push_str(&self.text[end..next]);
            end = next;
        }
    }

    /// Reads a number, which [`Tokenizer::peek`] says starts here.
    #[inline]
    pub(crate) fn number(&mut self) -> Option<Number> {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        let mut i = start;
        let negative = bytes.get(i) == Some(&b'-');
        i += usize::from(negative);
        let mut significand: u64 = 0;
        let mut overflow = false;
        match *bytes.get(i)? {
            b'0' => i += 1,
            b'1'..=b'9' => {
                while let Some(&d @ b'0'..=b'9') = bytes.get(i) {
                    match significand
                        .checked_mul(10)
                        .and_then(|s| s.checked_add(u64::from(d - b'0')))
                    {
                        Some(s) => significand = s,
                        None => overflow = true,
                    }
                    i += 1;
                }
            }
            _ => return None,
        }
        let mut float = false;
        if bytes.get(i) == Some(&b'.') {
            i = digits(bytes, i + 1)?;
            float = true;
        }
        if matches!(bytes.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(bytes.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            i = digits(bytes, i)?;
            float = true;
        }
        // A digit after a leading zero ("01") is not JSON.
        if bytes.get(i).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        self.pos = i;
        let number = if float || overflow {
            let x: f64 = self.text[start..i].parse().ok()?;
            // serde_json refuses a number beyond f64's range.
            if !x.is_finite() {
                return None;
            }
            Number::F64(x)
        } else if !negative {
            Number::U64(significand)
        } else if significand == 0 {
            Number::F64(-0.0)
        } else if significand <= 1 << 63 {
            Number::I64((significand as i64).wrapping_neg())
        } else {
            Number::F64(-(significand as f64))
        };
        Some(number)
    }
}

/// The position after one or more digits at `i`.
#[inline]
fn digits(bytes: &[u8], mut i: usize) -> Option<usize> {
    let start = i;
    while bytes.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    (i > start).then_some(i)
}

/// The character an escape stands for (`rest` starts after its `\`) and the bytes it takes.
fn unescape(rest: &[u8]) -> Option<(char, usize)> {
    let c = match *rest.first()? {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => {
            let unit = hex4(rest.get(1..5)?)?;
            if !(0xD800..0xE000).contains(&unit) {
                return Some((char::from_u32(unit)?, 5));
            }
            // A surrogate pair: a high surrogate, then `\u` and a low one.
            if unit >= 0xDC00 || rest.get(5..7)? != b"\\u" {
                return None;
            }
            let low = hex4(rest.get(7..11)?)?;
            if !(0xDC00..0xE000).contains(&low) {
                return None;
            }
            let c = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
            return Some((char::from_u32(c)?, 11));
        }
        _ => return None,
    };
    Some((c, 1))
}

/// Four hex digits.
fn hex4(digits: &[u8]) -> Option<u32> {
    digits
        .iter()
        .try_fold(0, |acc, &d| Some(acc * 16 + (d as char).to_digit(16)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What serde_json reads as the number `text`, classified like [`Number`].
    fn serde_number(text: &str) -> Option<Number> {
        let n: serde_json::Number = serde_json::from_str(text).ok()?;
        Some(match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Number::U64(u),
            (None, Some(i)) => Number::I64(i),
            _ => Number::F64(n.as_f64()?),
        })
    }

    fn number(text: &str) -> Option<Number> {
        let mut tok = Tokenizer::new(text, String::new());
        let n = tok.number()?;
        tok.at_end().then_some(n)
    }

    fn string(text: &str) -> Option<String> {
        let mut tok = Tokenizer::new(text, String::new());
        let s = tok.string()?.to_string();
        tok.at_end().then_some(s)
    }

    #[test]
    fn numbers_read_as_serde_json_reads_them() {
        for text in [
            "0",
            "7",
            "-7",
            "-0",
            "-0.0",
            "1.5",
            "-2.5e-3",
            "1E+2",
            "1e2",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "123456789012345678901234567890",
            "0.1",
            "2.2250738585072011e-308",
            "1e-400",
            "1e400",
            "-1e400",
            "01",
            "-",
            "1.",
            ".5",
            "+1",
            "1e",
            "1e+",
            "--1",
            "-01",
        ] {
            let (ours, theirs) = (number(text), serde_number(text));
            match (ours, theirs) {
                // -0.0 == 0.0 as f64, so compare the bits.
                (Some(Number::F64(a)), Some(Number::F64(b))) => {
                    assert_eq!(a.to_bits(), b.to_bits(), "{text}")
                }
                _ => assert_eq!(ours, theirs, "{text}"),
            }
        }
    }

    #[test]
    fn plain_string_is_a_slice() {
        assert_eq!(string(r#""""#).as_deref(), Some(""));
        assert_eq!(string(r#""abc""#).as_deref(), Some("abc"));
        let long = format!("\"{}é{}\"", "x".repeat(20), "y".repeat(9));
        assert_eq!(string(&long), serde_json::from_str::<String>(&long).ok());
    }

    #[test]
    fn escapes_read_as_serde_json_reads_them() {
        for text in [
            r#""a\"b""#,
            r#""\\\/\b\f\n\r\t""#,
            r#""long plain run before an escape\n and after it""#,
            r#""\u00e9\u0000""#,
            r#""\ud83d\ude00 smile""#,
            r#""\ud83d""#,
            r#""\ude00""#,
            r#""\ud83dx""#,
            r#""\ud83d\u0041""#,
            r#""\x""#,
            r#""\u12""#,
            r#""\u12g4""#,
            "\"tab\tinside\"",
            "\"newline\ninside, after eight bytes\"",
            r#""unterminated"#,
            r#""unterminated\"#,
        ] {
            assert_eq!(
                string(text),
                serde_json::from_str::<String>(text).ok(),
                "{text}"
            );
        }
    }

    #[test]
    fn specials_found_at_every_position() {
        for len in 0..20 {
            for special in [b'"', b'\\', b'\n', 0x1f] {
                let mut bytes = vec![b'a'; len];
                bytes.push(special);
                bytes.extend_from_slice(b"\"\\");
                assert_eq!(find_special(&bytes, 0), len, "{len} {special}");
            }
            // Bytes at and above 0x20, including UTF-8's high bytes, are plain.
            let plain: Vec<u8> = (0..len).map(|i| [b' ', b'~', 0x80, 0xff][i % 4]).collect();
            assert_eq!(find_special(&plain, 0), len);
        }
    }

    #[test]
    fn key_read_only_when_spelled_as_is() {
        let mut tok = Tokenizer::new(r#""ab":1"#, String::new());
        assert!(!tok.eat_key("a"));
        assert!(!tok.eat_key("abc"));
        assert!(tok.eat_key("ab"));
        assert_eq!(tok.peek(), Some(b':'));
        let mut tok = Tokenizer::new(r#""\u0061b""#, String::new());
        assert!(!tok.eat_key("ab"));
        assert_eq!(tok.string(), Some("ab"));
    }

    #[test]
    fn literals_and_whitespace() {
        let mut tok = Tokenizer::new(" \t\r\n null tru", String::new());
        assert_eq!(tok.peek(), Some(b'n'));
        assert_eq!(tok.literal("null"), Some(()));
        assert_eq!(tok.peek(), Some(b't'));
        assert_eq!(tok.literal("true"), None);
    }
}
