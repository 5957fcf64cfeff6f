//! Leaf values as people read them in tables: by logical type where that is simple.
//!
//! The JSON outputs use the canonical values of [`shred::record::leaf_json`] (the physical
//! value, so they compare byte for byte with `shred levels`); tables show the same value
//! through its logical type, following the Parquet format's `LogicalTypes.md`:
//! strings quoted (so `"null"` and `""` stay distinct from a null entry), `DECIMAL` with
//! its scale applied, `DATE` as `YYYY-MM-DD`, `TIME` and `TIMESTAMP` in ISO 8601 (a
//! trailing `Z` when adjusted to UTC), `INT96` as a timestamp, `UUID` in its usual form,
//! `FLOAT16` as a number, unsigned integers by value, other bytes as hex. The legacy
//! converted types (`DATE`, `DECIMAL`, `TIMESTAMP_MILLIS`, ...) are read the same way.
//!
//! ```
//! use shred::{Schema, stripe::Values};
//! let schema = Schema::parse("message m { required int32 d (DATE); }").unwrap();
//! let v = Values::Int32(vec![19_000]);
//! assert_eq!(shred::value_display::display(&schema.leaves()[0], &v, 0), "2022-01-08");
//! ```

use crate::record::int96_to_nanos;
use crate::schema::Leaf;
use crate::stripe::Values;
use chrono::{DateTime, NaiveTime};
use parquet::basic::{ConvertedType, LogicalType, TimeUnit};

/// The logical reading of a leaf's values, decided once per column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    Plain,
    Unsigned,
    Decimal { scale: i32 },
    Date,
    Time { unit: Unit, utc: bool },
    Timestamp { unit: Unit, utc: bool },
    Uuid,
    Float16,
    Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Millis,
    Micros,
    Nanos,
}

impl Unit {
    fn from_parquet(unit: &TimeUnit) -> Self {
        match unit {
            TimeUnit::MILLIS => Unit::Millis,
            TimeUnit::MICROS => Unit::Micros,
            TimeUnit::NANOS => Unit::Nanos,
        }
    }

    fn to_nanos(self, v: i64) -> Option<i64> {
        match self {
            Unit::Millis => v.checked_mul(1_000_000),
            Unit::Micros => v.checked_mul(1_000),
            Unit::Nanos => Some(v),
        }
    }
}

fn reading(leaf: &Leaf) -> Reading {
    match leaf.logical() {
        Some(LogicalType::Decimal(d)) => return Reading::Decimal { scale: d.scale },
        Some(LogicalType::Date) => return Reading::Date,
        Some(LogicalType::Time(t)) => {
            return Reading::Time {
                unit: Unit::from_parquet(&t.unit),
                utc: t.is_adjusted_to_u_t_c,
            };
        }
        Some(LogicalType::Timestamp(t)) => {
            return Reading::Timestamp {
                unit: Unit::from_parquet(&t.unit),
                utc: t.is_adjusted_to_u_t_c,
            };
        }
        Some(LogicalType::Integer(i)) if !i.is_signed => return Reading::Unsigned,
        Some(LogicalType::Uuid) => return Reading::Uuid,
        Some(LogicalType::Float16) => return Reading::Float16,
        Some(LogicalType::String | LogicalType::Enum | LogicalType::Json) => return Reading::Text,
        _ => {}
    }
    match leaf.descr.converted_type() {
        ConvertedType::DECIMAL => Reading::Decimal {
            scale: leaf.descr.type_scale(),
        },
        ConvertedType::DATE => Reading::Date,
        ConvertedType::TIME_MILLIS => Reading::Time {
            unit: Unit::Millis,
            utc: true,
        },
        ConvertedType::TIME_MICROS => Reading::Time {
            unit: Unit::Micros,
            utc: true,
        },
        ConvertedType::TIMESTAMP_MILLIS => Reading::Timestamp {
            unit: Unit::Millis,
            utc: true,
        },
        ConvertedType::TIMESTAMP_MICROS => Reading::Timestamp {
            unit: Unit::Micros,
            utc: true,
        },
        ConvertedType::UINT_8
        | ConvertedType::UINT_16
        | ConvertedType::UINT_32
        | ConvertedType::UINT_64 => Reading::Unsigned,
        ConvertedType::UTF8 | ConvertedType::ENUM | ConvertedType::JSON => Reading::Text,
        _ => Reading::Plain,
    }
}

/// A reusable formatter for one leaf column.
#[derive(Debug, Clone, Copy)]
pub struct Display {
    reading: Reading,
}

impl Display {
    /// The formatter for `leaf`'s values.
    pub fn new(leaf: &Leaf) -> Self {
        Display {
            reading: reading(leaf),
        }
    }

    /// Value `i` of `values`, formatted.
    pub fn format(&self, values: &Values, i: usize) -> String {
        let r = self.reading;
        match values {
            Values::Boolean(v) => v[i].to_string(),
            Values::Int32(v) => match r {
                Reading::Unsigned => (v[i] as u32).to_string(),
                Reading::Decimal { scale } => decimal(i128::from(v[i]), scale),
                Reading::Date => date(v[i]).unwrap_or_else(|| v[i].to_string()),
                Reading::Time { unit, utc } => {
                    time(unit, i64::from(v[i]), utc).unwrap_or_else(|| v[i].to_string())
                }
                _ => v[i].to_string(),
            },
            Values::Int64(v) => match r {
                Reading::Unsigned => (v[i] as u64).to_string(),
                Reading::Decimal { scale } => decimal(i128::from(v[i]), scale),
                Reading::Time { unit, utc } => {
                    time(unit, v[i], utc).unwrap_or_else(|| v[i].to_string())
                }
                Reading::Timestamp { unit, utc } => unit
                    .to_nanos(v[i])
                    .and_then(|n| timestamp(n, utc))
                    .unwrap_or_else(|| v[i].to_string()),
                _ => v[i].to_string(),
            },
            Values::Int96(v) => {
                let nanos = int96_to_nanos(&v[i]);
                timestamp(nanos, false).unwrap_or_else(|| nanos.to_string())
            }
            Values::Float(v) => v[i].to_string(),
            Values::Double(v) => v[i].to_string(),
            Values::ByteArray(v) | Values::FixedLenByteArray(v) => {
                let bytes = v.get(i);
                match r {
                    Reading::Decimal { scale } if bytes.len() <= 16 => {
                        decimal(be_signed(bytes), scale)
                    }
                    Reading::Uuid if bytes.len() == 16 => uuid(bytes),
                    Reading::Float16 if bytes.len() == 2 => {
                        half::f16::from_le_bytes([bytes[0], bytes[1]]).to_string()
                    }
                    _ if bytes.len() > LONGEST_SHOWN => shortened(bytes),
                    _ => text_or_hex(bytes),
                }
            }
        }
    }
}

/// Value `i` of `values` for `leaf`, formatted (see [`Display`] to format many).
pub fn display(leaf: &Leaf, values: &Values, i: usize) -> String {
    Display::new(leaf).format(values, i)
}

/// Byte values longer than this are shown by their start and their length.
pub const LONGEST_SHOWN: usize = 1024;

/// Bytes shown of a value longer than [`LONGEST_SHOWN`].
const START_SHOWN: usize = 64;

/// The start of a long value (text when its start is UTF-8, cut at a character boundary)
/// and its length: `"abc…" (1073741824 bytes)`. A table cell stays readable, and a value of
/// a gigabyte is never copied to be shown.
fn shortened(bytes: &[u8]) -> String {
    let start = &bytes[..START_SHOWN];
    let start = match std::str::from_utf8(start) {
        Ok(_) => start,
        Err(e) if e.error_len().is_none() => &start[..e.valid_up_to()],
        Err(_) => start,
    };
    let shown = text_or_hex(start);
    let shown = match shown.strip_suffix('"') {
        Some(text) => format!("{text}…\""),
        None => format!("{shown}…"),
    };
    format!("{shown} ({} bytes)", bytes.len())
}

/// UTF-8 bytes as a quoted, escaped string; other bytes as `0x` hex.
pub fn text_or_hex(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => serde_json::to_string(s).unwrap_or_default(),
        Err(_) => {
            let mut out = String::with_capacity(2 + 2 * bytes.len());
            out.push_str("0x");
            for b in bytes {
                out.push_str(&format!("{b:02x}"));
            }
            out
        }
    }
}

/// A big-endian two's complement integer of at most 16 bytes.
fn be_signed(bytes: &[u8]) -> i128 {
    if bytes.is_empty() {
        return 0;
    }
    let fill = if bytes[0] & 0x80 != 0 { 0xff } else { 0 };
    let mut buf = [fill; 16];
    buf[16 - bytes.len()..].copy_from_slice(bytes);
    i128::from_be_bytes(buf)
}

/// An unscaled integer with `scale` digits after the point.
fn decimal(unscaled: i128, scale: i32) -> String {
    let digits = unscaled.unsigned_abs().to_string();
    let sign = if unscaled < 0 { "-" } else { "" };
    if scale <= 0 || scale > 76 {
        // Negative scales multiply; absurd ones (a corrupt schema) show the raw value.
        return if (-76..0).contains(&scale) && unscaled != 0 {
            format!(
                "{sign}{digits}{}",
                "0".repeat(scale.unsigned_abs() as usize)
            )
        } else {
            format!("{sign}{digits}")
        };
    }
    let scale = scale as usize;
    if digits.len() > scale {
        let (int, frac) = digits.split_at(digits.len() - scale);
        format!("{sign}{int}.{frac}")
    } else {
        format!("{sign}0.{}{digits}", "0".repeat(scale - digits.len()))
    }
}

fn date(days: i32) -> Option<String> {
    let secs = i64::from(days).checked_mul(86_400)?;
    DateTime::from_timestamp(secs, 0).map(|t| t.date_naive().to_string())
}

fn time(unit: Unit, v: i64, utc: bool) -> Option<String> {
    let nanos = unit.to_nanos(v)?;
    let secs = u32::try_from(nanos.div_euclid(1_000_000_000)).ok()?;
    let frac = nanos.rem_euclid(1_000_000_000) as u32;
    let t = NaiveTime::from_num_seconds_from_midnight_opt(secs, frac)?;
    Some(format!("{t}{}", if utc { "Z" } else { "" }))
}

fn timestamp(nanos: i64, utc: bool) -> Option<String> {
    let t = DateTime::from_timestamp_nanos(nanos).naive_utc();
    Some(format!(
        "{}{}",
        t.format("%Y-%m-%dT%H:%M:%S%.f"),
        if utc { "Z" } else { "" }
    ))
}

fn uuid(b: &[u8]) -> String {
    let hex: String = b.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Schema;
    use crate::stripe::ByteValues;

    fn leaf(text: &str) -> Leaf {
        Schema::parse(&format!("message m {{ {text}; }}"))
            .unwrap()
            .leaves()[0]
            .clone()
    }

    fn bytes(values: &[&[u8]]) -> ByteValues {
        values.iter().copied().collect()
    }

    #[test]
    fn decimals_apply_their_scale() {
        let l = leaf("required int64 x (DECIMAL(10,2))");
        assert_eq!(display(&l, &Values::Int64(vec![12345]), 0), "123.45");
        assert_eq!(display(&l, &Values::Int64(vec![-5]), 0), "-0.05");
        let l = leaf("required fixed_len_byte_array(4) x (DECIMAL(9,3))");
        let v = Values::FixedLenByteArray(bytes(&[&(-1234i32).to_be_bytes()]));
        assert_eq!(display(&l, &v, 0), "-1.234");
    }

    #[test]
    fn timestamps_dates_and_times() {
        let l = leaf("required int64 t (TIMESTAMP(MICROS,true))");
        assert_eq!(
            display(&l, &Values::Int64(vec![1_700_000_000_123_456]), 0),
            "2023-11-14T22:13:20.123456Z"
        );
        let l = leaf("required int64 t (TIMESTAMP(MILLIS,false))");
        assert_eq!(
            display(&l, &Values::Int64(vec![0]), 0),
            "1970-01-01T00:00:00"
        );
        let l = leaf("required int32 t (TIME(MILLIS,true))");
        assert_eq!(
            display(&l, &Values::Int32(vec![3_723_004]), 0),
            "01:02:03.004Z"
        );
        let l = leaf("required int32 d (DATE)");
        assert_eq!(display(&l, &Values::Int32(vec![-1]), 0), "1969-12-31");
        let l = leaf("required int96 t");
        let v = Values::Int96(vec![crate::record::int96_from_nanos(86_400_000_000_000)]);
        assert_eq!(display(&l, &v, 0), "1970-01-02T00:00:00");
    }

    #[test]
    fn long_values_show_their_start_and_length() {
        let leaf = leaf("required binary s (STRING)");
        let long = "€".repeat(500);
        let v = Values::ByteArray(bytes(&[long.as_bytes(), &[0xff; 2000]]));
        // 64 bytes end inside the 22nd "€" (3 bytes each): the cut keeps 21 characters.
        assert_eq!(
            display(&leaf, &v, 0),
            format!("\"{}…\" (1500 bytes)", "€".repeat(21))
        );
        assert_eq!(
            display(&leaf, &v, 1),
            format!("0x{}… (2000 bytes)", "ff".repeat(64))
        );
        let short = Values::ByteArray(bytes(&[&[b'a'; LONGEST_SHOWN]]));
        assert_eq!(display(&leaf, &short, 0).len(), LONGEST_SHOWN + 2);
    }

    #[test]
    fn strings_are_quoted_and_bytes_hex() {
        let l = leaf("required binary s (STRING)");
        let v = Values::ByteArray(bytes(&[b"null", b"", b"a\"b", &[0xff, 0x01]]));
        let shown: Vec<String> = (0..4).map(|i| display(&l, &v, i)).collect();
        assert_eq!(shown, ["\"null\"", "\"\"", "\"a\\\"b\"", "0xff01"]);
    }

    #[test]
    fn unsigned_uuid_and_float16() {
        let l = leaf("required int32 u (INTEGER(32,false))");
        assert_eq!(display(&l, &Values::Int32(vec![-1]), 0), "4294967295");
        let l = leaf("required fixed_len_byte_array(16) u (UUID)");
        let v = Values::FixedLenByteArray(bytes(&[&[0x12; 16]]));
        assert_eq!(display(&l, &v, 0), "12121212-1212-1212-1212-121212121212");
        let l = leaf("required fixed_len_byte_array(2) h (FLOAT16)");
        let v = Values::FixedLenByteArray(bytes(&[&half::f16::from_f32(1.5).to_le_bytes()]));
        assert_eq!(display(&l, &v, 0), "1.5");
    }

    #[test]
    fn out_of_range_values_fall_back_to_raw() {
        let l = leaf("required int64 t (TIMESTAMP(MILLIS,true))");
        assert_eq!(
            display(&l, &Values::Int64(vec![i64::MAX]), 0),
            i64::MAX.to_string()
        );
        let l = leaf("required int32 t (TIME(MILLIS,true))");
        assert_eq!(display(&l, &Values::Int32(vec![-7]), 0), "-7");
    }
}
