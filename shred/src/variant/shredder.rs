//! The variant shredder: a JSON value → one variant → the record slot of its VARIANT group.
//!
//! Writing a VARIANT column is two steps. The JSON value becomes one variant
//! (`parquet-variant-json` builds it: integers take the smallest int type that holds them,
//! other numbers are doubles, one metadata dictionary holds every object key). Then the
//! variant is shredded by the column's declared `typed_value` layout
//! ([`super::layout`]), following `VariantShredding.md`, "Shredding" and "Objects", into the
//! canonical record slot the assembler reads back, `{"metadata", "value", "typed_value"}`,
//! which the Dremel shredder then turns into levels like any other group. For each
//! `value`/`typed_value` pair, recursively:
//!
//! | the variant | layout's `typed_value` | `value` | `typed_value` |
//! |---|---|---|---|
//! | a primitive that converts losslessly (`Variant::as_int64`, ...) | that primitive | null | the value |
//! | an array | an array | null | one element pair per item |
//! | an object | an object | the fields not shredded, as an object, or null if none | one field pair per shredded key; a key the value lacks is missing (both null) |
//! | anything else (null included) | any, or none | the variant | null |
//!
//! Lossless conversions are those the spec allows and arrow-rs's `shred_variant` makes: an
//! int of any width into an int or decimal column that holds it, a double into a double, a
//! decimal into a decimal of a scale that holds it. Binaries not shredded (`value`) are
//! encoded against the variant's own metadata, so one dictionary serves the whole slot.
//!
//! What cannot be written is an error naming the place inside the value (`$.a[1]`): a JSON
//! integer beyond the variant's int64, or a value that does not fit a typed_value where
//! the layout has no `value` column to take it.
//!
//! ```
//! use serde_json::json;
//! let schema = shred::Schema::parse(
//!     "message m { optional group v (VARIANT(1)) { required binary metadata; optional binary value;
//!        optional int64 typed_value; } }",
//! ).unwrap();
//! let column = &shred::variant::VariantColumn::find_all(&schema)[0];
//! let slot = shred::variant::shredder::slot_from_json(&schema, column, &json!(34)).unwrap();
//! assert_eq!(slot["typed_value"], json!(34));
//! assert_eq!(slot["value"], json!(null));
//! ```

use chrono::NaiveTime;
use chrono::Timelike;
use parquet::basic::Type as PhysicalType;
use parquet::variant::{
    ObjectBuilder, ParentState, ReadOnlyMetadataBuilder, ValueBuilder, Variant, VariantBuilder,
    VariantMetadata,
};
use serde_json::{Map, Value as Json};

use parquet::basic::Repetition;

use super::layout::{Primitive, Shredded, Typed, VariantColumn};
use super::records::RecordVariants;
use crate::error::{Error, Result};
use crate::record::bytes_json;
use crate::schema::Schema;
use crate::schema_plan::SchemaPlan;

/// Why a value cannot be written: the place inside the variant and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShredError {
    /// Path inside the variant, `$` for the whole value (`$.a[1]`).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for ShredError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// The variant of a JSON value, as `(metadata, value)` binaries; an integer beyond int64 is
/// an error (the variant encoding has no wider or unsigned integer).
pub fn variant_from_json(json: &Json) -> std::result::Result<(Vec<u8>, Vec<u8>), ShredError> {
    check_numbers(json, &mut "$".to_string())?;
    let mut builder = VariantBuilder::new();
    parquet_variant_json::append_json(json, &mut builder).map_err(|e| ShredError {
        path: "$".into(),
        message: e.to_string(),
    })?;
    builder.try_finish().map_err(|e| ShredError {
        path: "$".into(),
        message: e.to_string(),
    })
}

fn check_numbers(json: &Json, path: &mut String) -> std::result::Result<(), ShredError> {
    match json {
        Json::Number(n) if n.is_u64() && n.as_i64().is_none() => Err(ShredError {
            path: path.clone(),
            message: format!("integer {n} does not fit a variant int64"),
        }),
        Json::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                check_numbers(item, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        Json::Object(fields) => {
            for (name, value) in fields {
                let len = path.len();
                path.push('.');
                path.push_str(name);
                check_numbers(value, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The canonical record slot of `column` holding the JSON value `json`.
pub fn slot_from_json(
    schema: &Schema,
    column: &VariantColumn,
    json: &Json,
) -> std::result::Result<Json, ShredError> {
    let (metadata, value) = variant_from_json(json)?;
    slot_from_variant(schema, column, &metadata, &value)
}

/// The canonical record slot of `column` holding the variant `(metadata, value)`.
pub fn slot_from_variant(
    schema: &Schema,
    column: &VariantColumn,
    metadata: &[u8],
    value: &[u8],
) -> std::result::Result<Json, ShredError> {
    let shredded = column.shredding.as_ref().map_err(|e| ShredError {
        path: "$".into(),
        message: format!("the VARIANT layout is not valid: {e}"),
    })?;
    let bad = |e: arrow_schema::ArrowError| ShredError {
        path: "$".into(),
        message: format!("invalid variant: {e}"),
    };
    let meta = VariantMetadata::try_new(metadata).map_err(bad)?;
    let variant = Variant::try_new_with_metadata(meta.clone(), value).map_err(bad)?;
    let shredder = Shredder {
        schema,
        metadata: meta,
    };
    let mut slot = Map::with_capacity(3);
    slot.insert("metadata".into(), bytes_json(metadata));
    shredder.pair(shredded, &variant, "$", &mut slot)?;
    Ok(Json::Object(slot))
}

struct Shredder<'s, 'm> {
    schema: &'s Schema,
    metadata: VariantMetadata<'m>,
}

impl Shredder<'_, '_> {
    /// Writes the `value` and `typed_value` of `variant` under the pair `shredded` into
    /// `group` (only the columns the pair has).
    fn pair(
        &self,
        shredded: &Shredded,
        variant: &Variant<'_, '_>,
        path: &str,
        group: &mut Map<String, Json>,
    ) -> std::result::Result<(), ShredError> {
        let (value, typed) = match (&shredded.typed, variant) {
            (Some(Typed::Primitive { kind }), _) => {
                match self.primitive(*kind, shredded, variant) {
                    Some(typed) => (None, Some(typed)),
                    None => (Some(self.encode(variant.clone())), None),
                }
            }
            (Some(Typed::Array { element }), Variant::List(list)) => {
                let mut items = Vec::with_capacity(list.len());
                for (i, item) in list.iter().enumerate() {
                    let mut element_group = Map::with_capacity(2);
                    self.pair(element, &item, &format!("{path}[{i}]"), &mut element_group)?;
                    items.push(Json::Object(element_group));
                }
                (None, Some(Json::Array(items)))
            }
            (Some(Typed::Object { fields }), Variant::Object(object)) => {
                let mut typed = Map::with_capacity(fields.len());
                for field in fields {
                    let mut field_group = Map::with_capacity(2);
                    match object.get(&field.name) {
                        Some(v) => self.pair(
                            &field.shredded,
                            &v,
                            &format!("{path}.{}", field.name),
                            &mut field_group,
                        )?,
                        None => missing(&field.shredded, &mut field_group),
                    }
                    typed.insert(field.name.clone(), Json::Object(field_group));
                }
                let residual: Vec<(&str, Variant<'_, '_>)> = object
                    .iter()
                    .filter(|(name, _)| !fields.iter().any(|f| f.name == *name))
                    .collect();
                let value = match residual.first() {
                    None => None,
                    Some((name, _)) if !shredded.value => {
                        return Err(ShredError {
                            path: format!("{path}.{name}"),
                            message: format!(
                                "field {name} is not shredded and {} has no value column to hold it",
                                shredded.path
                            ),
                        });
                    }
                    Some(_) => Some(self.object(residual)),
                };
                (value, Some(Json::Object(typed)))
            }
            _ => (Some(self.encode(variant.clone())), None),
        };
        if value.is_some() && !shredded.value {
            return Err(ShredError {
                path: path.to_string(),
                message: format!(
                    "{} ({}) does not fit the typed_value of {} ({}), which has no value column",
                    short(variant),
                    super::value::type_name(variant),
                    shredded.path,
                    shredded.typed.as_ref().map_or("none", Typed::type_name)
                ),
            });
        }
        if shredded.value {
            group.insert("value".into(), value.map_or(Json::Null, |v| bytes_json(&v)));
        }
        if shredded.typed.is_some() {
            group.insert("typed_value".into(), typed.unwrap_or(Json::Null));
        }
        Ok(())
    }

    /// A variant encoded on its own against the slot's metadata.
    fn encode(&self, variant: Variant<'_, '_>) -> Vec<u8> {
        let mut value = ValueBuilder::new();
        let mut metadata = ReadOnlyMetadataBuilder::new(&self.metadata);
        ValueBuilder::append_variant_bytes(
            ParentState::variant(&mut value, &mut metadata),
            variant,
        );
        value.into_inner()
    }

    /// An object of some of another object's fields, against the slot's metadata.
    fn object(&self, fields: Vec<(&str, Variant<'_, '_>)>) -> Vec<u8> {
        let mut value = ValueBuilder::new();
        let mut metadata = ReadOnlyMetadataBuilder::new(&self.metadata);
        let mut object = ObjectBuilder::new(ParentState::variant(&mut value, &mut metadata), false);
        for (name, field) in fields {
            object.insert_bytes(name, field);
        }
        object.finish();
        value.into_inner()
    }

    /// The canonical leaf value of `variant` in a typed_value column of `kind`, when it
    /// converts losslessly.
    fn primitive(&self, kind: Primitive, shredded: &Shredded, variant: &Variant) -> Option<Json> {
        Some(match kind {
            Primitive::Boolean => Json::Bool(variant.as_boolean()?),
            Primitive::Int8 => Json::from(variant.as_int8()?),
            Primitive::Int16 => Json::from(variant.as_int16()?),
            Primitive::Int32 => Json::from(variant.as_int32()?),
            Primitive::Int64 => Json::from(variant.as_int64()?),
            Primitive::Float => {
                let x = variant.as_f32()?;
                x.is_finite().then_some(())?;
                Json::from(f64::from(x))
            }
            Primitive::Double => {
                let x = variant.as_f64()?;
                x.is_finite().then_some(())?;
                Json::from(x)
            }
            Primitive::Decimal4 { scale } | Primitive::Decimal8 { scale } => {
                Json::from(i64::try_from(self.decimal(kind, scale, shredded, variant)?).ok()?)
            }
            Primitive::Decimal16 { scale } => {
                let unscaled = self.decimal(kind, scale, shredded, variant)?;
                let leaf = self.typed_leaf(shredded)?;
                let be = unscaled.to_be_bytes();
                let bytes = if leaf.physical() == PhysicalType::FIXED_LEN_BYTE_ARRAY {
                    let len = usize::try_from(leaf.descr.type_length()).ok()?;
                    be.get(16usize.checked_sub(len)?..)?.to_vec()
                } else {
                    be.to_vec()
                };
                bytes_json(&bytes)
            }
            Primitive::Date => match variant {
                Variant::Date(d) => Json::from(d.to_epoch_days()),
                _ => return None,
            },
            Primitive::Time => match variant {
                Variant::Time(t) => Json::from(micros_of_day(t)),
                _ => return None,
            },
            Primitive::TimestampMicros => match variant {
                Variant::TimestampMicros(t) => Json::from(t.timestamp_micros()),
                _ => return None,
            },
            Primitive::TimestampNtzMicros => match variant {
                Variant::TimestampNtzMicros(t) => Json::from(t.and_utc().timestamp_micros()),
                _ => return None,
            },
            Primitive::TimestampNanos => match variant {
                Variant::TimestampNanos(t) | Variant::TimestampMicros(t) => {
                    Json::from(t.timestamp_nanos_opt()?)
                }
                _ => return None,
            },
            Primitive::TimestampNtzNanos => match variant {
                Variant::TimestampNtzNanos(t) | Variant::TimestampNtzMicros(t) => {
                    Json::from(t.and_utc().timestamp_nanos_opt()?)
                }
                _ => return None,
            },
            Primitive::Binary => bytes_json(variant.as_u8_slice()?),
            Primitive::String => Json::from(variant.as_string()?),
            Primitive::Uuid => match variant {
                Variant::Uuid(u) => bytes_json(u.as_bytes()),
                _ => return None,
            },
        })
    }

    /// The unscaled value of an exact number at `scale`, when it holds it within the
    /// column's precision.
    fn decimal(
        &self,
        kind: Primitive,
        scale: u8,
        shredded: &Shredded,
        variant: &Variant,
    ) -> Option<i128> {
        let (unscaled, from_scale): (i128, u8) = match variant {
            Variant::Decimal4(d) => (d.integer().into(), d.scale()),
            Variant::Decimal8(d) => (d.integer().into(), d.scale()),
            Variant::Decimal16(d) => (d.integer(), d.scale()),
            other => (other.as_int64()?.into(), 0),
        };
        let unscaled = if scale >= from_scale {
            unscaled.checked_mul(10i128.checked_pow(u32::from(scale - from_scale))?)?
        } else {
            let divisor = 10i128.checked_pow(u32::from(from_scale - scale))?;
            (unscaled % divisor == 0).then_some(unscaled / divisor)?
        };
        let max_precision = match kind {
            Primitive::Decimal4 { .. } => 9,
            Primitive::Decimal8 { .. } => 18,
            _ => 38,
        };
        let precision = self
            .typed_leaf(shredded)
            .map_or(max_precision, |leaf| leaf.descr.type_precision())
            .clamp(1, max_precision);
        (unscaled.unsigned_abs() < 10u128.pow(precision as u32)).then_some(unscaled)
    }

    /// The primitive typed_value leaf of a pair.
    fn typed_leaf(&self, shredded: &Shredded) -> Option<&crate::schema::Leaf> {
        let index = self
            .schema
            .leaf_index(&format!("{}.typed_value", shredded.path))?;
        self.schema.leaves().get(index)
    }
}

/// A shredded object field the object lacks: both columns null.
fn missing(shredded: &Shredded, group: &mut Map<String, Json>) {
    if shredded.value {
        group.insert("value".into(), Json::Null);
    }
    if shredded.typed.is_some() {
        group.insert("typed_value".into(), Json::Null);
    }
}

fn micros_of_day(t: &NaiveTime) -> i64 {
    i64::from(t.num_seconds_from_midnight()) * 1_000_000 + i64::from(t.nanosecond() / 1000)
}

/// A variant for a message, cut short.
fn short(variant: &Variant<'_, '_>) -> String {
    let text = super::value::to_json(variant).map_or_else(|e| e, |j| j.to_string());
    if text.chars().count() > 40 {
        format!("{}…", text.chars().take(40).collect::<String>())
    } else {
        text
    }
}

/// Replaces every VARIANT value of a JSON record (record `index`, at `line`) with its
/// group's canonical slot, so that [`crate::record::normalize`] and the Dremel shredder
/// take it as any group. A null in an optional slot stays null (no variant); elsewhere
/// null is the variant null.
pub fn shred_record(
    plan: &SchemaPlan,
    record: &mut Json,
    index: usize,
    line: Option<usize>,
) -> Result<()> {
    if plan.variants().is_empty() {
        return Ok(());
    }
    let schema = plan.schema();
    let variants = RecordVariants::with_columns(schema, plan.variants().to_vec());
    variants.each_slot(record, &mut |column, slot, value| {
        let optional = plan
            .nodes()
            .iter()
            .find(|n| n.path == column.path)
            .is_some_and(|n| n.repetition == Repetition::OPTIONAL);
        if value.is_null() && optional {
            return Ok(());
        }
        *value = slot_from_json(schema, column, value).map_err(|e| Error::Record {
            record: index,
            line,
            path: slot.to_string(),
            message: e.to_string(),
        })?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{ArrayRef, BinaryViewArray, RecordBatch, StructArray};
    use arrow::datatypes::{DataType, Field, Fields};
    use parquet::variant::{VariantArray, shred_variant};
    use serde_json::json;

    use super::*;
    use crate::variant::RecordVariants;

    /// `v`: an object shredding `a` as int64, `tags` as an array of strings and `o` as an
    /// object of one double `x`.
    const OBJECT_LAYOUT: &str = "message m { optional group v (VARIANT(1)) {
        required binary metadata; optional binary value; optional group typed_value {
          required group a { optional binary value; optional int64 typed_value; }
          required group tags { optional binary value; optional group typed_value (LIST) {
            repeated group list { required group element { optional binary value;
              optional binary typed_value (STRING); } } } }
          required group o { optional binary value; optional group typed_value {
            required group x { optional binary value; optional double typed_value; } } } } } }";

    /// The same layout as arrow-rs's `shred_variant` takes it.
    fn object_layout_arrow() -> DataType {
        let o = Fields::from(vec![Field::new("x", DataType::Float64, true)]);
        DataType::Struct(Fields::from(vec![
            Field::new("a", DataType::Int64, true),
            Field::new_list("tags", Field::new_list_field(DataType::Utf8, true), true),
            Field::new("o", DataType::Struct(o), true),
        ]))
    }

    /// Values covering each state of each path: typed, value only, partially shredded,
    /// missing, null, and values of the wrong type at every depth.
    fn object_values() -> Vec<Json> {
        vec![
            json!({"a": 1, "tags": ["x", "y"], "o": {"x": 1.5}}),
            json!({"a": 3000000000i64, "b": true, "tags": [], "o": {"x": 2.5, "y": "z"}}),
            json!({"a": "one", "tags": ["x", 3, null], "o": {"x": 7}}),
            json!({"tags": "not a list", "o": [1]}),
            json!({"a": null, "c": {"d": [1, 2]}}),
            json!({}),
            json!(5),
            json!("text"),
            json!(null),
            json!([{"a": 1}, 2.5]),
        ]
    }

    fn schema(text: &str) -> (Schema, VariantColumn) {
        let schema = Schema::parse(text).unwrap();
        let column = VariantColumn::find_all(&schema).remove(0);
        (schema, column)
    }

    fn ours(text: &str, values: &[Json]) -> Vec<Json> {
        let (schema, column) = schema(text);
        values
            .iter()
            .map(|v| slot_from_json(&schema, &column, v).unwrap())
            .collect()
    }

    /// arrow-rs's `shred_variant` of the same variants (our binaries as its input), read
    /// back as canonical slots.
    fn theirs(text: &str, values: &[Json], layout: &DataType) -> Vec<Json> {
        let (schema, _) = schema(text);
        let encoded: Vec<(Vec<u8>, Vec<u8>)> = values
            .iter()
            .map(|v| variant_from_json(v).unwrap())
            .collect();
        let metadata = BinaryViewArray::from_iter_values(encoded.iter().map(|e| &e.0));
        let value = BinaryViewArray::from_iter_values(encoded.iter().map(|e| &e.1));
        let fields = Fields::from(vec![
            Field::new("metadata", DataType::BinaryView, false),
            Field::new("value", DataType::BinaryView, false),
        ]);
        let unshredded = StructArray::new(
            fields,
            vec![Arc::new(metadata) as ArrayRef, Arc::new(value)],
            None,
        );
        let input = VariantArray::try_new(&unshredded).unwrap();
        let shredded: ArrayRef = shred_variant(&input, layout).unwrap().into();
        let batch = RecordBatch::try_from_iter([("v", shredded)]).expect("one VARIANT column");
        crate::arrow_read::batch_to_records(&schema, &batch)
            .unwrap()
            .into_iter()
            .map(|mut r| r["v"].take())
            .collect()
    }

    /// Our slots unshredded by our reader: the JSON we were given (an int shredded into a
    /// wider int column comes back as that int type, the same number).
    fn assert_round_trip(text: &str, values: &[Json]) {
        let (schema, _) = schema(text);
        let variants = RecordVariants::all(&schema);
        for (value, slot) in values.iter().zip(ours(text, values)) {
            let mut record = json!({ "v": slot });
            variants.replace_with_json(&mut record, 0).unwrap();
            assert_eq!(&record["v"], value);
        }
    }

    #[test]
    fn object_states_agree_with_arrow_rs_shred_variant() {
        let values = object_values();
        let ours = ours(OBJECT_LAYOUT, &values);
        let theirs = theirs(OBJECT_LAYOUT, &values, &object_layout_arrow());
        for ((value, ours), theirs) in values.iter().zip(&ours).zip(&theirs) {
            assert_eq!(ours, theirs, "{value}");
        }
        assert_round_trip(OBJECT_LAYOUT, &values);
    }

    #[test]
    fn typed_object_field_and_residual() {
        let slot = &ours(OBJECT_LAYOUT, &[json!({"a": 1, "b": true})])[0];
        let typed = &slot["typed_value"];
        assert_eq!(typed["a"], json!({"value": null, "typed_value": 1}));
        // `tags` and `o` are missing: both columns null.
        assert_eq!(typed["tags"], json!({"value": null, "typed_value": null}));
        // `b` is not shredded: the value holds the object {"b": true}.
        let residual = json_bytes(&slot["value"]);
        let metadata = json_bytes(&slot["metadata"]);
        let residual = Variant::try_new(&metadata, &residual).unwrap();
        assert_eq!(
            crate::variant::to_json(&residual).unwrap(),
            json!({"b": true})
        );
    }

    #[test]
    fn value_of_the_wrong_type_goes_to_value() {
        let slot = &ours(OBJECT_LAYOUT, &[json!({"a": "one"})])[0];
        let a = &slot["typed_value"]["a"];
        assert_eq!(a["typed_value"], Json::Null);
        assert!(!a["value"].is_null());
        assert!(slot["value"].is_null(), "nothing left for the top value");
        let top = &ours(OBJECT_LAYOUT, &[json!([1])])[0];
        assert_eq!(top["typed_value"], Json::Null);
        assert!(!top["value"].is_null());
    }

    const INT_LAYOUT: &str = "message m { optional group v (VARIANT(1)) {
        required binary metadata; optional binary value; optional int32 typed_value (INTEGER(16,true)); } }";

    #[test]
    fn integers_narrow_when_they_fit() {
        let values = [
            json!(7),
            json!(-32768),
            json!(40000),
            json!(1.0),
            json!(true),
        ];
        let slots = ours(INT_LAYOUT, &values);
        let typed: Vec<&Json> = slots.iter().map(|s| &s["typed_value"]).collect();
        assert_eq!(
            typed,
            [
                &json!(7),
                &json!(-32768),
                &Json::Null,
                &Json::Null,
                &Json::Null
            ]
        );
        assert_eq!(slots, theirs(INT_LAYOUT, &values, &DataType::Int16));
        assert_round_trip(INT_LAYOUT, &values);
    }

    #[test]
    fn decimal_takes_integers_within_its_precision() {
        let text = "message m { optional group v (VARIANT(1)) { required binary metadata;
            optional binary value; optional int32 typed_value (DECIMAL(4,2)); } }";
        let slots = ours(text, &[json!(12), json!(123), json!(1.5)]);
        let typed: Vec<&Json> = slots.iter().map(|s| &s["typed_value"]).collect();
        assert_eq!(typed, [&json!(1200), &Json::Null, &Json::Null]);
    }

    #[test]
    fn integer_beyond_int64_is_an_error_naming_its_place() {
        let (schema, column) = schema(INT_LAYOUT);
        let err = slot_from_json(&schema, &column, &json!({"a": [1, u64::MAX]})).unwrap_err();
        assert_eq!(err.path, "$.a[1]");
        assert_eq!(
            err.message,
            "integer 18446744073709551615 does not fit a variant int64"
        );
    }

    #[test]
    fn no_value_column_for_a_value_that_does_not_fit_is_an_error() {
        let text = "message m { optional group v (VARIANT(1)) { required binary metadata;
            optional group typed_value { required group a { optional int64 typed_value; } } } }";
        let (schema, column) = schema(text);
        let ok = slot_from_json(&schema, &column, &json!({"a": 2})).unwrap();
        assert_eq!(ok["typed_value"]["a"], json!({"typed_value": 2}));
        let err = slot_from_json(&schema, &column, &json!({"a": "x"})).unwrap_err();
        assert_eq!(err.path, "$.a");
        assert!(err.message.contains("\"x\" (string) does not fit"), "{err}");
        let err = slot_from_json(&schema, &column, &json!({"b": 1})).unwrap_err();
        assert_eq!(err.path, "$.b");
    }

    fn json_bytes(value: &Json) -> Vec<u8> {
        crate::record::json_bytes(value).unwrap()
    }

    #[test]
    fn unshredded_column_holds_every_value() {
        let text = "message m { optional group v (VARIANT) { required binary metadata;
            required binary value; } }";
        let values = object_values();
        for slot in ours(text, &values) {
            assert_eq!(slot.as_object().unwrap().len(), 2, "{slot}");
            assert!(!slot["value"].is_null());
        }
        assert_round_trip(text, &values);
    }
}
