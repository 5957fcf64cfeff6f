//! A variant value owned as its two binaries, compared as a value and shown as JSON.
//!
//! A variant is a `metadata` binary (the dictionary of object keys) and a `value` binary
//! (`VariantEncoding.md`). One value has several valid encodings (a string as a short
//! string or a long one, object fields in any physical order, different dictionaries), so
//! two variants are compared with [`same_value`]: equal types and values, strings of both
//! encodings alike, objects key by key, lists element by element. JSON comes from
//! `parquet-variant-json`, and loses the types JSON lacks (an int8 and an int64 print
//! alike, a date is a string, a binary base64).
//!
//! ```
//! use parquet::variant::{Variant, VariantBuilder};
//! let (metadata, value) = VariantBuilder::new().with_value(34i8).finish();
//! let v = shred::variant::OwnedVariant { metadata, value };
//! assert_eq!(v.to_json().unwrap(), serde_json::json!(34));
//! assert!(shred::variant::same_value(&v.variant().unwrap(), &Variant::Int8(34)));
//! assert!(!shred::variant::same_value(&v.variant().unwrap(), &Variant::Int64(34)));
//! ```

use parquet::variant::Variant;
use parquet_variant_json::VariantToJson;
use serde_json::Value as Json;

/// A variant's `metadata` and `value` binaries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedVariant {
    /// The metadata binary.
    pub metadata: Vec<u8>,
    /// The value binary.
    pub value: Vec<u8>,
}

impl OwnedVariant {
    /// The value, fully validated (a corrupt binary is an error, not a panic).
    pub fn variant(&self) -> Result<Variant<'_, '_>, String> {
        Variant::try_new(&self.metadata, &self.value).map_err(|e| format!("corrupt variant: {e}"))
    }

    /// The value as JSON.
    pub fn to_json(&self) -> Result<Json, String> {
        to_json(&self.variant()?)
    }
}

/// A variant as JSON.
pub fn to_json(variant: &Variant<'_, '_>) -> Result<Json, String> {
    variant
        .to_json_value()
        .map_err(|e| format!("variant cannot be shown as JSON: {e}"))
}

/// Whether two variants hold the same value (see the module doc).
pub fn same_value(a: &Variant<'_, '_>, b: &Variant<'_, '_>) -> bool {
    match (a, b) {
        (Variant::Object(x), Variant::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|((kx, vx), (ky, vy))| kx == ky && same_value(&vx, &vy))
        }
        (Variant::List(x), Variant::List(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(vx, vy)| same_value(&vx, &vy))
        }
        (
            Variant::String(_) | Variant::ShortString(_),
            Variant::String(_) | Variant::ShortString(_),
        ) => text(a) == text(b),
        (Variant::Float(x), Variant::Float(y)) => x.to_bits() == y.to_bits(),
        (Variant::Double(x), Variant::Double(y)) => x.to_bits() == y.to_bits(),
        _ => a == b,
    }
}

fn text<'v>(variant: &Variant<'_, 'v>) -> Option<&'v str> {
    match variant {
        Variant::String(s) => Some(s),
        Variant::ShortString(s) => Some(s.as_str()),
        _ => None,
    }
}

/// The variant type of a value, in `VariantEncoding.md`'s words (`int8`, `string`, `object`).
pub fn type_name(variant: &Variant<'_, '_>) -> &'static str {
    match variant {
        Variant::Null => "null",
        Variant::Int8(_) => "int8",
        Variant::Int16(_) => "int16",
        Variant::Int32(_) => "int32",
        Variant::Int64(_) => "int64",
        Variant::Date(_) => "date",
        Variant::TimestampMicros(_) => "timestamptz(6)",
        Variant::TimestampNtzMicros(_) => "timestampntz(6)",
        Variant::TimestampNanos(_) => "timestamptz(9)",
        Variant::TimestampNtzNanos(_) => "timestampntz(9)",
        Variant::Decimal4(_) => "decimal4",
        Variant::Decimal8(_) => "decimal8",
        Variant::Decimal16(_) => "decimal16",
        Variant::Float(_) => "float",
        Variant::Double(_) => "double",
        Variant::BooleanTrue | Variant::BooleanFalse => "boolean",
        Variant::Binary(_) => "binary",
        Variant::String(_) | Variant::ShortString(_) => "string",
        Variant::Time(_) => "time",
        Variant::Uuid(_) => "uuid",
        Variant::Object(_) => "object",
        Variant::List(_) => "array",
    }
}
