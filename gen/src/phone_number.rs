//! The Contact dataset's phone numbers: `+91-` and a unique id, zero-padded to 10 digits.
//!
//! Phone `k` of record `i` gets the id `i · 16 + k` ([`phone_id`]; a record has at most
//! [`Distribution::MAX_PHONES`] phones), so every number in the dataset is unique and
//! names its record. The digits are written two at a time from a table of the 100 digit
//! pairs into a fixed-size buffer on the stack ([`number_text`]); ids past 10 digits
//! (records past 625M) are spelled in full by [`write_number`].
//!
//! ```
//! use shred_gen::phone_number::{phone_id, write_number};
//! let mut number = String::new();
//! write_number(&mut number, phone_id(2, 1));
//! assert_eq!(number, "+91-0000000033");
//! ```

use crate::distribution::Distribution;

/// The prefix of every phone number.
pub const NUMBER_PREFIX: &str = "+91-";

/// Digits of the zero-padded phone id.
pub const NUMBER_DIGITS: usize = 10;

/// The phone id of phone `k` of record `index` (unique over the dataset).
#[inline]
pub fn phone_id(index: u64, k: usize) -> u64 {
    index
        .wrapping_mul(u64::from(Distribution::MAX_PHONES))
        .wrapping_add(k as u64)
}

const DIGIT_PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// `+91-` and `id` zero-padded to [`NUMBER_DIGITS`] digits, built on the stack; `None`
/// when `id` needs more digits.
#[inline]
pub fn number_text(id: u64) -> Option<[u8; NUMBER_PREFIX.len() + NUMBER_DIGITS]> {
    if id >= 10_000_000_000 {
        return None;
    }
    let mut text = [0u8; NUMBER_PREFIX.len() + NUMBER_DIGITS];
    text[..NUMBER_PREFIX.len()].copy_from_slice(NUMBER_PREFIX.as_bytes());
    let digits = &mut text[NUMBER_PREFIX.len()..];
    let mut rest = id;
    for pair in (0..NUMBER_DIGITS / 2).rev() {
        let two = (rest % 100) as usize;
        rest /= 100;
        digits[pair * 2] = DIGIT_PAIRS[two * 2];
        digits[pair * 2 + 1] = DIGIT_PAIRS[two * 2 + 1];
    }
    Some(text)
}

/// Appends `+91-` and `id` zero-padded to [`NUMBER_DIGITS`] digits (more digits when `id`
/// needs them).
#[inline]
pub fn write_number(out: &mut String, id: u64) {
    match number_text(id) {
        // SAFETY: the prefix and the digits are ASCII.
        Some(text) => unsafe { append_ascii(out, &text) },
        None => {
            use std::fmt::Write;
            let _ = write!(out, "{NUMBER_PREFIX}{id}");
        }
    }
}

/// Appends ASCII bytes to a string without UTF-8 validation: `from_utf8` plus `push_str`
/// cost a tenth of the generator's time, a fixed-size append compiles to a few moves.
///
/// # Safety
/// `bytes` must be ASCII (checked in debug builds only).
#[inline]
pub(crate) unsafe fn append_ascii(out: &mut String, bytes: &[u8]) {
    debug_assert!(bytes.is_ascii(), "append_ascii takes ASCII only");
    // SAFETY: ASCII bytes are valid UTF-8 on their own (the caller guarantees ASCII), so
    // the string stays valid UTF-8.
    unsafe { out.as_mut_vec() }.extend_from_slice(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_zero_padded() {
        let mut s = String::new();
        write_number(&mut s, 42);
        assert_eq!(s, "+91-0000000042");
        s.clear();
        write_number(&mut s, 9_876_543_210);
        assert_eq!(s, "+91-9876543210");
        s.clear();
        write_number(&mut s, 12_345_678_901);
        assert_eq!(s, "+91-12345678901");
    }
}
