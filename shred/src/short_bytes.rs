//! Equality and order of byte strings with the short ones compared inline, without a call
//! to `memcmp`.
//!
//! Field names matched against a JSON key, dictionary entries matched against a value and
//! page bounds compared with a value are mostly a few bytes long. `==` and `cmp` on slices
//! call the C library's `memcmp`, whose call and dispatch cost more than the comparison
//! itself at these lengths (profiles of `shred write` show it next to the parser and the
//! encoder). [`eq`] compares up to 16 bytes as two overlapping loads of the first and last
//! 1, 2, 4 or 8 bytes, the technique of [`crate::line_buffer`]'s small copies; [`cmp`]
//! compares up to 32 bytes a big-endian word at a time. Longer strings go to `memcmp`.
//!
//! ```
//! assert!(shred::short_bytes::eq(b"Country", b"Country"));
//! assert!(!shred::short_bytes::eq(b"Code", b"Cods"));
//! assert_eq!(shred::short_bytes::cmp(b"ab", b"b"), std::cmp::Ordering::Less);
//! ```

use std::cmp::Ordering;

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

/// Byte-wise order of two byte strings (`a.cmp(b)`), a word at a time for short ones:
/// big-endian words order as their bytes do, and once a prefix is known equal, the last
/// word of the common length may overlap it.
#[inline]
pub fn cmp(a: &[u8], b: &[u8]) -> Ordering {
    let n = a.len().min(b.len());
    let word = |s: &[u8], at: usize| u64::from_be_bytes(s[at..at + 8].try_into().expect("8"));
    let half = |s: &[u8], at: usize| u32::from_be_bytes(s[at..at + 4].try_into().expect("4"));
    let prefix = if n > 32 {
        a[..n].cmp(&b[..n])
    } else if n >= 8 {
        let mut at = 0;
        while at + 8 < n && word(a, at) == word(b, at) {
            at += 8;
        }
        let at = at.min(n - 8);
        word(a, at).cmp(&word(b, at))
    } else if n >= 4 {
        match half(a, 0).cmp(&half(b, 0)) {
            Ordering::Equal => half(a, n - 4).cmp(&half(b, n - 4)),
            order => order,
        }
    } else {
        (0..n)
            .map(|i| a[i].cmp(&b[i]))
            .find(|order| order.is_ne())
            .unwrap_or(Ordering::Equal)
    };
    prefix.then(a.len().cmp(&b.len()))
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

    #[test]
    fn cmp_is_slice_order() {
        // Short strings over a small alphabet, so equal prefixes and lengths are common.
        let text =
            proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), any::<u8>()], 0..40);
        proptest!(|(a in text.clone(), b in text)| {
            prop_assert_eq!(cmp(&a, &b), a.cmp(&b));
            let mut longer = a.clone();
            longer.push(0);
            prop_assert_eq!(cmp(&a, &longer), std::cmp::Ordering::Less);
            prop_assert_eq!(cmp(&a, &a), std::cmp::Ordering::Equal);
        });
    }

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
