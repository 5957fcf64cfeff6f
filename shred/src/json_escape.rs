//! The bytes a JSON string cannot hold as they are (RFC 8259 §7): `"`, `\` and the control
//! characters below 0x20, recognized one byte or eight bytes at a time.
//!
//! Eight bytes at a time ("SWAR") is the zero-byte test of Hacker's Delight §6-1 on
//! `x ^ pattern` for `"` and `\`, and `x - 0x20` per byte for the controls. When several
//! bytes are flagged, the lowest one is exact: a borrow only reaches bytes above a true
//! hit. The JSON tokenizer finds where a run of plain string characters ends with it, the
//! leaf writer checks that a string needs no escaping, and the schema plan that a field
//! name is written as it is.

/// `0x01` in every byte.
pub(crate) const ONES: u64 = 0x0101_0101_0101_0101;
/// The high bit of every byte.
pub(crate) const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Whether a JSON string must escape the byte `b`.
#[inline]
pub(crate) const fn is_escaped(b: u8) -> bool {
    b == b'"' || b == b'\\' || b < 0x20
}

/// The high bit of each byte of the little-endian word `x` that a JSON string must
/// escape; of several, the lowest flagged byte is exact.
#[inline]
pub(crate) fn escaped_bytes(x: u64) -> u64 {
    bytes_below(x, 0x20)
        | bytes_below(x ^ (ONES * u64::from(b'"')), 1)
        | bytes_below(x ^ (ONES * u64::from(b'\\')), 1)
}

/// The high bit of each byte of `x` below `n` (n ≤ 128); the lowest flagged byte is exact.
#[inline]
fn bytes_below(x: u64, n: u8) -> u64 {
    x.wrapping_sub(ONES * u64::from(n)) & !x & HIGHS
}

/// Whether a JSON string holds `s` as it is.
pub(crate) fn is_plain(s: &str) -> bool {
    !s.bytes().any(is_escaped)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lowest flagged byte of a word is its first escaped byte, for words holding every
    /// byte value at every position among plain and escaped neighbours.
    #[test]
    fn lowest_flag_is_the_first_escaped_byte() {
        for b in 0..=255u8 {
            for at in 0..8 {
                for fill in [b'a', 0xff, b'"', 0x00, 0x1f, 0x20, 0x80] {
                    let mut word = [fill; 8];
                    word[at] = b;
                    let first = word.iter().position(|&b| is_escaped(b));
                    let flags = escaped_bytes(u64::from_le_bytes(word));
                    let found = (flags != 0).then(|| (flags.trailing_zeros() / 8) as usize);
                    assert_eq!(found, first, "{word:?}");
                }
            }
        }
    }

    #[test]
    fn plain_names() {
        assert!(is_plain("Country é"));
        assert!(!is_plain("a\\b"));
        assert!(!is_plain("a\"b"));
        assert!(!is_plain("a\u{1}"));
    }
}
