//! Equality of byte strings with the short ones compared inline, without a call to `memcmp`.
//!
//! Field names matched against a JSON key and dictionary entries matched against a value
//! are mostly a few bytes long. `==` on slices calls the C library's `memcmp`, whose call
//! and dispatch cost more than the comparison itself at these lengths (profiles of `shred
//! write` show it next to the parser). [`eq`] compares up to 16 bytes as two
//! overlapping loads of the first and last 1, 2, 4 or 8 bytes, the technique of
//! [`crate::line_buffer`]'s small copies; longer strings still go to `memcmp`.
//!
//! ```
//! assert!(shred::short_bytes::eq(b"Country", b"Country"));
//! assert!(!shred::short_bytes::eq(b"Code", b"Cods"));
//! ```

/// Whether `a` and `b` hold the same bytes.
#[inline(always)]
pub fn eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        0 => true,
        1..=3 => a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1],
        4..=7 => word::<4>(a, 0) == word::<4>(b, 0) && word::<4>(a, n - 4) == word::<4>(b, n - 4),
        8..=16 => word::<8>(a, 0) == word::<8>(b, 0) && word::<8>(a, n - 8) == word::<8>(b, n - 8),
        _ => a == b,
    }
}

/// The `W` bytes of `s` at `at`, as one value.
#[inline(always)]
fn word<const W: usize>(s: &[u8], at: usize) -> [u8; W] {
    s[at..at + W].try_into().expect("W bytes")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn eq_is_slice_equality(
            a in proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'b')], 0..40),
            flip in any::<prop::sample::Index>(),
        ) {
            prop_assert!(eq(&a, &a.clone()));
            if !a.is_empty() {
                // One byte changed anywhere is seen.
                let mut b = a.clone();
                let i = flip.index(b.len());
                b[i] ^= 1;
                prop_assert!(!eq(&a, &b));
            }
            let mut longer = a.clone();
            longer.push(b'a');
            prop_assert!(!eq(&a, &longer));
        }
    }
}
