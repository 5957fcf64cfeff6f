//! The codec vocabulary of every command that writes Parquet: `--compression` text ↔ the
//! `parquet` crate's [`Compression`].
//!
//! Accepted (case-insensitive): `none` (alias `uncompressed`), `snappy`, `gzip[:level]`,
//! `lz4`, `lz4_raw`, `zstd[:level]`, `brotli[:level]`. Both `lz4` and `lz4_raw` mean
//! Parquet's `LZ4_RAW` codec: the framing every current reader agrees on, the older `LZ4`
//! codec being deprecated by the format specification (parquet-format `Compression.md`).
//! A bare codec takes its library's own default level: zstd 3 (`ZSTD_CLEVEL_DEFAULT` of
//! libzstd), gzip 6 (zlib's default), brotli 1 (the `parquet` crate's `BrotliLevel`
//! default, a fast level suited to data files). Levels are checked here, against the ranges
//! zstd (1..=22), gzip (0..=9) and brotli (0..=11) accept, so a bad level is a usage error
//! naming the range, not a failure halfway through a file.
//!
//! ```
//! use parquet::basic::{Compression, ZstdLevel};
//! use shred::codec::{codec_name, parse_codec};
//! let zstd = parse_codec("zstd").unwrap();
//! assert_eq!(zstd, Compression::ZSTD(ZstdLevel::try_new(3).unwrap()));
//! assert_eq!(codec_name(zstd), "zstd:3");
//! assert!(parse_codec("zip").unwrap_err().contains("expected none, snappy"));
//! ```

use parquet::basic::{BrotliLevel, Compression, GzipLevel, ZstdLevel};

/// The accepted spellings, as error messages and help texts list them.
pub const CODECS: &str = "none, snappy, gzip[:level], lz4, lz4_raw, zstd[:level] or brotli[:level]";

/// zstd's default level (libzstd's `ZSTD_CLEVEL_DEFAULT`).
pub const ZSTD_DEFAULT_LEVEL: i32 = 3;

/// gzip's default level (zlib's `Z_DEFAULT_COMPRESSION`).
pub const GZIP_DEFAULT_LEVEL: u32 = 6;

/// brotli's default level: the `parquet` crate's `BrotliLevel::default()`.
pub const BROTLI_DEFAULT_LEVEL: u32 = 1;

/// Every accepted spelling, with and without a level: what the tools' tests write with.
pub const SPELLINGS: [&str; 11] = [
    "none",
    "uncompressed",
    "snappy",
    "gzip",
    "gzip:9",
    "lz4",
    "lz4_raw",
    "zstd",
    "zstd:19",
    "brotli",
    "brotli:5",
];

/// True when `a` and `b` are the same codec, whatever their levels: a file's footer names
/// the codec, not the level it was written with.
pub fn same_codec(a: Compression, b: Compression) -> bool {
    std::mem::discriminant(&a) == std::mem::discriminant(&b)
}

/// Parses a `--compression` value; the error is one line for the user.
pub fn parse_codec(text: &str) -> Result<Compression, String> {
    let lower = text.trim().to_ascii_lowercase();
    let (codec, level) = match lower.split_once(':') {
        Some((codec, level)) => (codec, Some(level)),
        None => (lower.as_str(), None),
    };
    let no_level = |codec: Compression| match level {
        None => Ok(codec),
        Some(_) => Err(format!("compression {text:?} takes no level")),
    };
    let level_in = |name: &str, default: i64, range: std::ops::RangeInclusive<i64>| {
        let Some(level) = level else {
            return Ok(default);
        };
        let value: i64 = level.parse().map_err(|_| {
            format!(
                "{name} level {level:?} is not an integer ({}..={})",
                range.start(),
                range.end()
            )
        })?;
        if range.contains(&value) {
            Ok(value)
        } else {
            Err(format!(
                "{name} level {value} is outside {}..={}",
                range.start(),
                range.end()
            ))
        }
    };
    let checked = |e: parquet::errors::ParquetError| e.to_string();
    match codec {
        "none" | "uncompressed" => no_level(Compression::UNCOMPRESSED),
        "snappy" => no_level(Compression::SNAPPY),
        "lz4" | "lz4_raw" => no_level(Compression::LZ4_RAW),
        "zstd" => {
            let level = level_in("zstd", ZSTD_DEFAULT_LEVEL.into(), 1..=22)?;
            ZstdLevel::try_new(level as i32)
                .map(Compression::ZSTD)
                .map_err(checked)
        }
        "gzip" => {
            let level = level_in("gzip", GZIP_DEFAULT_LEVEL.into(), 0..=9)?;
            GzipLevel::try_new(level as u32)
                .map(Compression::GZIP)
                .map_err(checked)
        }
        "brotli" => {
            let level = level_in("brotli", BROTLI_DEFAULT_LEVEL.into(), 0..=11)?;
            BrotliLevel::try_new(level as u32)
                .map(Compression::BROTLI)
                .map_err(checked)
        }
        _ => Err(format!("unknown compression {text:?}; expected {CODECS}")),
    }
}

/// The text form of a codec, as [`parse_codec`] reads it back (levels spelled out).
pub fn codec_name(compression: Compression) -> String {
    match compression {
        Compression::UNCOMPRESSED => "none".into(),
        Compression::SNAPPY => "snappy".into(),
        Compression::LZ4_RAW => "lz4".into(),
        Compression::ZSTD(level) => format!("zstd:{}", level.compression_level()),
        Compression::GZIP(level) => format!("gzip:{}", level.compression_level()),
        Compression::BROTLI(level) => format!("brotli:{}", level.compression_level()),
        other => other.to_string().to_ascii_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zstd(level: i32) -> Compression {
        Compression::ZSTD(ZstdLevel::try_new(level).unwrap())
    }

    fn gzip(level: u32) -> Compression {
        Compression::GZIP(GzipLevel::try_new(level).unwrap())
    }

    fn brotli(level: u32) -> Compression {
        Compression::BROTLI(BrotliLevel::try_new(level).unwrap())
    }

    #[test]
    fn every_spelling_parses() {
        for (text, expected) in [
            ("none", Compression::UNCOMPRESSED),
            ("uncompressed", Compression::UNCOMPRESSED),
            ("snappy", Compression::SNAPPY),
            ("lz4", Compression::LZ4_RAW),
            ("lz4_raw", Compression::LZ4_RAW),
            ("zstd:1", zstd(1)),
            ("zstd:22", zstd(22)),
            ("gzip:0", gzip(0)),
            ("gzip:9", gzip(9)),
            ("brotli:0", brotli(0)),
            ("brotli:11", brotli(11)),
            ("ZSTD:19", zstd(19)),
            (" Snappy ", Compression::SNAPPY),
            ("LZ4", Compression::LZ4_RAW),
        ] {
            assert_eq!(parse_codec(text), Ok(expected), "{text}");
        }
    }

    #[test]
    fn every_listed_spelling_parses() {
        for spelling in SPELLINGS {
            assert!(parse_codec(spelling).is_ok(), "{spelling}");
        }
    }

    #[test]
    fn same_codec_ignores_the_level() {
        assert!(same_codec(zstd(1), zstd(19)));
        assert!(!same_codec(zstd(1), gzip(1)));
        assert!(!same_codec(Compression::SNAPPY, Compression::LZ4_RAW));
    }

    #[test]
    fn bare_codecs_take_the_library_defaults() {
        assert_eq!(parse_codec("zstd"), Ok(zstd(3)));
        assert_eq!(parse_codec("gzip"), Ok(gzip(6)));
        assert_eq!(parse_codec("brotli"), Ok(brotli(1)));
        assert_eq!(
            parse_codec("gzip"),
            Ok(Compression::GZIP(GzipLevel::default()))
        );
        assert_eq!(
            parse_codec("brotli"),
            Ok(Compression::BROTLI(BrotliLevel::default()))
        );
    }

    #[test]
    fn names_read_back_as_the_same_codec() {
        for text in [
            "none",
            "snappy",
            "lz4",
            "zstd:3",
            "zstd:19",
            "gzip:6",
            "gzip:1",
            "brotli:1",
            "brotli:11",
        ] {
            let codec = parse_codec(text).unwrap();
            assert_eq!(codec_name(codec), text);
            assert_eq!(parse_codec(&codec_name(codec)), Ok(codec));
        }
    }

    #[test]
    fn bad_levels_name_the_range() {
        assert_eq!(
            parse_codec("zstd:40").unwrap_err(),
            "zstd level 40 is outside 1..=22"
        );
        assert_eq!(
            parse_codec("zstd:0").unwrap_err(),
            "zstd level 0 is outside 1..=22"
        );
        assert_eq!(
            parse_codec("gzip:10").unwrap_err(),
            "gzip level 10 is outside 0..=9"
        );
        assert_eq!(
            parse_codec("brotli:12").unwrap_err(),
            "brotli level 12 is outside 0..=11"
        );
        assert_eq!(
            parse_codec("gzip:x").unwrap_err(),
            "gzip level \"x\" is not an integer (0..=9)"
        );
        assert_eq!(
            parse_codec("brotli:").unwrap_err(),
            "brotli level \"\" is not an integer (0..=11)"
        );
        assert_eq!(
            parse_codec("snappy:3").unwrap_err(),
            "compression \"snappy:3\" takes no level"
        );
        assert_eq!(
            parse_codec("none:1").unwrap_err(),
            "compression \"none:1\" takes no level"
        );
    }

    #[test]
    fn unknown_codec_lists_the_accepted_ones() {
        for text in ["zip", "lzo", "", "brotli-ish"] {
            assert_eq!(
                parse_codec(text).unwrap_err(),
                format!(
                    "unknown compression {text:?}; expected none, snappy, gzip[:level], lz4, \
                     lz4_raw, zstd[:level] or brotli[:level]"
                )
            );
        }
    }
}
