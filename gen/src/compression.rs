//! The `--compression` setting: parsing `none | snappy | zstd[:level] | lz4 | gzip[:level]`
//! into the `parquet` crate's codec.
//!
//! `lz4` means Parquet's `LZ4_RAW` codec (the framing every current reader agrees on; the
//! older `LZ4` codec is deprecated in the format specification). Levels are checked here so a
//! bad level is a usage error naming the accepted range, not a failure halfway through a
//! file.
//!
//! ```
//! use shred_gen::compression::parse_compression;
//! use parquet::basic::{Compression, ZstdLevel};
//! assert_eq!(parse_compression("zstd:3").unwrap(), Compression::ZSTD(ZstdLevel::try_new(3).unwrap()));
//! assert!(parse_compression("brotli-ish").is_err());
//! ```

use parquet::basic::{Compression, GzipLevel, ZstdLevel};

/// Parses a `--compression` value.
pub fn parse_compression(text: &str) -> Result<Compression, String> {
    let lower = text.trim().to_ascii_lowercase();
    let (codec, level) = match lower.split_once(':') {
        Some((codec, level)) => (codec, Some(level)),
        None => (lower.as_str(), None),
    };
    let parse_level = |range: &str| -> Result<i32, String> {
        let level = level.unwrap_or_default();
        level
            .parse::<i32>()
            .map_err(|_| format!("compression level {level:?} is not an integer ({range})"))
    };
    let no_level = |codec: Compression| match level {
        None => Ok(codec),
        Some(_) => Err(format!("compression {text:?} takes no level")),
    };
    match codec {
        "none" | "uncompressed" => no_level(Compression::UNCOMPRESSED),
        "snappy" => no_level(Compression::SNAPPY),
        "lz4" | "lz4_raw" => no_level(Compression::LZ4_RAW),
        "zstd" => match level {
            None => Ok(Compression::ZSTD(ZstdLevel::default())),
            Some(_) => {
                let level = parse_level("1..=22")?;
                ZstdLevel::try_new(level)
                    .map(Compression::ZSTD)
                    .map_err(|_| format!("zstd level {level} is outside 1..=22"))
            }
        },
        "gzip" => match level {
            None => Ok(Compression::GZIP(GzipLevel::default())),
            Some(_) => {
                let level = parse_level("0..=9")?;
                u32::try_from(level)
                    .ok()
                    .and_then(|l| GzipLevel::try_new(l).ok())
                    .map(Compression::GZIP)
                    .ok_or_else(|| format!("gzip level {level} is outside 0..=9"))
            }
        },
        _ => Err(format!(
            "unknown compression {text:?}; expected none, snappy, zstd[:level], lz4 or gzip[:level]"
        )),
    }
}

/// The text form of a codec, as `--compression` accepts it.
pub fn compression_name(compression: Compression) -> String {
    match compression {
        Compression::UNCOMPRESSED => "none".into(),
        Compression::SNAPPY => "snappy".into(),
        Compression::LZ4_RAW => "lz4".into(),
        Compression::ZSTD(level) => format!("zstd:{}", level.compression_level()),
        Compression::GZIP(level) => format!("gzip:{}", level.compression_level()),
        other => other.to_string().to_ascii_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_codec_parses() {
        for (text, expected) in [
            ("none", Compression::UNCOMPRESSED),
            ("snappy", Compression::SNAPPY),
            ("LZ4", Compression::LZ4_RAW),
            ("zstd", Compression::ZSTD(ZstdLevel::default())),
            (
                "zstd:19",
                Compression::ZSTD(ZstdLevel::try_new(19).unwrap()),
            ),
            ("gzip", Compression::GZIP(GzipLevel::default())),
            ("gzip:9", Compression::GZIP(GzipLevel::try_new(9).unwrap())),
        ] {
            assert_eq!(parse_compression(text), Ok(expected), "{text}");
        }
    }

    #[test]
    fn names_round_trip() {
        for text in ["none", "snappy", "lz4", "zstd:3", "gzip:6"] {
            let codec = parse_compression(text).unwrap();
            assert_eq!(compression_name(codec), text);
        }
    }

    #[test]
    fn unknown_codec_lists_the_accepted_ones() {
        let err = parse_compression("brotli").unwrap_err();
        assert!(err.contains("unknown compression \"brotli\""), "{err}");
        assert!(err.contains("zstd[:level]"), "{err}");
    }

    #[test]
    fn bad_levels_are_rejected() {
        assert!(parse_compression("zstd:99").unwrap_err().contains("1..=22"));
        assert!(
            parse_compression("gzip:x")
                .unwrap_err()
                .contains("not an integer")
        );
        assert!(
            parse_compression("snappy:3")
                .unwrap_err()
                .contains("takes no level")
        );
    }
}
