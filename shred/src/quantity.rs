//! Counts and byte sizes as command-line flags take them: `10_000_000`, `10M`, `4k`;
//! `65536`, `64KiB`, `1MiB`. One parser of each for every command (`shred`, `shred-gen`),
//! so a count or a size reads the same wherever it is given.
//!
//! ```
//! use shred::quantity::{parse_count, parse_size};
//! assert_eq!(parse_count("10M"), Ok(10_000_000));
//! assert_eq!(parse_size("1MiB"), Ok(1 << 20));
//! ```

/// Parses a positive count: digits with optional `_` and a `k`/`M`/`G` suffix (powers of
/// 1000).
pub fn parse_count(text: &str) -> Result<u64, String> {
    let cleaned: String = text.trim().chars().filter(|&c| c != '_').collect();
    let (digits, scale) = match cleaned.chars().last() {
        Some('k' | 'K') => (&cleaned[..cleaned.len() - 1], 1_000),
        Some('m' | 'M') => (&cleaned[..cleaned.len() - 1], 1_000_000),
        Some('g' | 'G') => (&cleaned[..cleaned.len() - 1], 1_000_000_000),
        _ => (cleaned.as_str(), 1),
    };
    let value: u64 = digits
        .parse()
        .map_err(|_| format!("{text:?} is not a count (e.g. 4096, 10_000_000, 10M)"))?;
    let value = value
        .checked_mul(scale)
        .ok_or_else(|| format!("{text:?} is too large"))?;
    if value == 0 {
        return Err("must be at least 1".into());
    }
    Ok(value)
}

/// [`parse_count`] for a count held in a `usize`.
pub fn parse_count_usize(text: &str) -> Result<usize, String> {
    let value = parse_count(text)?;
    usize::try_from(value).map_err(|_| format!("{text:?} is too large"))
}

/// Parses a byte size: digits (`_` separators allowed) with an optional `KiB`, `MiB` or
/// `GiB` suffix (powers of 1024); at least 1.
pub fn parse_size(text: &str) -> Result<usize, String> {
    let cleaned: String = text.trim().chars().filter(|&c| c != '_').collect();
    let lower = cleaned.to_ascii_lowercase();
    let (digits, scale) = [("kib", 1usize << 10), ("mib", 1 << 20), ("gib", 1 << 30)]
        .iter()
        .find_map(|(suffix, scale)| lower.strip_suffix(suffix).map(|d| (d, *scale)))
        .unwrap_or((lower.as_str(), 1));
    let value: usize = digits
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a size in bytes (e.g. 65536, 64KiB, 1MiB)"))?;
    let value = value
        .checked_mul(scale)
        .ok_or_else(|| format!("{text:?} is too large"))?;
    if value == 0 {
        return Err("must be at least 1 byte".into());
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_accept_separators_and_suffixes() {
        assert_eq!(parse_count("10_000_000"), Ok(10_000_000));
        assert_eq!(parse_count("10M"), Ok(10_000_000));
        assert_eq!(parse_count("4k"), Ok(4_000));
        assert_eq!(parse_count("20_000"), Ok(20_000));
        assert_eq!(parse_count("0").unwrap_err(), "must be at least 1");
        assert!(parse_count("ten").unwrap_err().contains("not a count"));
        assert!(
            parse_count("99999999999G")
                .unwrap_err()
                .contains("too large")
        );
    }

    #[test]
    fn sizes_take_binary_suffixes() {
        assert_eq!(parse_size("65536"), Ok(65536));
        assert_eq!(parse_size("64KiB"), Ok(65536));
        assert_eq!(parse_size("1MiB"), Ok(1 << 20));
        assert_eq!(parse_size("2gib"), Ok(2 << 30));
        assert_eq!(parse_size("1_000"), Ok(1000));
        assert_eq!(parse_size("0").unwrap_err(), "must be at least 1 byte");
        assert!(
            parse_size("1MB")
                .unwrap_err()
                .contains("not a size in bytes")
        );
    }
}
