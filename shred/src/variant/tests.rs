//! Unshredding and census cases, on schemas built with the VARIANT annotation.

use std::sync::Arc;

use parquet::basic::{LogicalType, VariantType};
use parquet::schema::types::{SchemaDescriptor, Type};
use parquet::variant::{Variant, VariantBuilder};
use serde_json::{Value as Json, json};

use super::*;
use crate::Schema;

/// `message m { <fields> }` where the top-level groups named in `variants` carry the
/// VARIANT(1) annotation (the message parser does not know it).
pub(crate) fn variant_schema(fields: &str, variants: &[&str]) -> Schema {
    let parsed =
        parquet::schema::parser::parse_message_type(&format!("message m {{ {fields} }}")).unwrap();
    let children = parsed
        .get_fields()
        .iter()
        .map(|f| {
            if !variants.contains(&f.name()) {
                return f.clone();
            }
            Arc::new(
                Type::group_type_builder(f.name())
                    .with_repetition(f.get_basic_info().repetition())
                    .with_logical_type(Some(LogicalType::Variant(VariantType {
                        specification_version: Some(1),
                    })))
                    .with_fields(f.get_fields().to_vec())
                    .build()
                    .unwrap(),
            )
        })
        .collect();
    let root = Type::group_type_builder("m")
        .with_fields(children)
        .build()
        .unwrap();
    Schema::from_descriptor(Arc::new(SchemaDescriptor::new(Arc::new(root)))).unwrap()
}

fn bytes(b: &[u8]) -> Json {
    crate::record::bytes_json(b)
}

/// The metadata and value binaries of `v` (built with its own dictionary).
fn encoded<'m, 'v>(v: impl Into<Variant<'m, 'v>>) -> (Vec<u8>, Vec<u8>) {
    VariantBuilder::new().with_value(v).finish()
}

fn unshred_json(schema: &Schema, record: Json) -> crate::Result<Json> {
    let mut record = record;
    RecordVariants::all(schema).replace_with_json(&mut record, 7)?;
    Ok(record)
}

const EMPTY_METADATA: &[u8] = &[1, 0, 0];

#[test]
fn typed_int8_becomes_an_int8() {
    let schema = variant_schema(
        "optional group v { required binary metadata; optional binary value; optional int32 typed_value (INTEGER(8,true)); }",
        &["v"],
    );
    let record =
        json!({"v": {"metadata": bytes(EMPTY_METADATA), "value": null, "typed_value": 34}});
    let variants = RecordVariants::all(&schema).unshred(&record, 0).unwrap();
    let v = variants[0].variant.as_ref().unwrap();
    assert!(same_value(&v.variant().unwrap(), &Variant::Int8(34)));
    assert_eq!(unshred_json(&schema, record).unwrap(), json!({"v": 34}));
}

#[test]
fn value_only_is_the_binary_and_null_group_is_null() {
    let schema = variant_schema(
        "optional group v { required binary metadata; optional binary value; optional int64 typed_value; }",
        &["v"],
    );
    let (m, v) = encoded("n/a");
    let record = json!({"v": {"metadata": bytes(&m), "value": bytes(&v), "typed_value": null}});
    assert_eq!(unshred_json(&schema, record).unwrap(), json!({"v": "n/a"}));
    assert_eq!(
        unshred_json(&schema, json!({"v": null})).unwrap(),
        json!({"v": null})
    );
}

#[test]
fn missing_at_the_top_is_variant_null() {
    let schema = variant_schema(
        "required group v { required binary metadata; optional binary value; optional int64 typed_value; }",
        &["v"],
    );
    let record =
        json!({"v": {"metadata": bytes(EMPTY_METADATA), "value": null, "typed_value": null}});
    let variants = RecordVariants::all(&schema).unshred(&record, 0).unwrap();
    let v = variants[0].variant.as_ref().unwrap();
    assert!(same_value(&v.variant().unwrap(), &Variant::Null));
}

const EVENT: &str = "optional group v { required binary metadata; optional binary value;
    optional group typed_value {
      required group a { optional binary value; optional int64 typed_value; }
      required group b { optional binary value; optional binary typed_value (STRING); } } }";

#[test]
fn partially_shredded_object_unions_its_fields() {
    let schema = variant_schema(EVENT, &["v"]);
    let mut builder = VariantBuilder::new();
    builder.new_object().with_field("c", true).finish();
    let (m, v) = builder.finish();
    let record = json!({"v": {"metadata": bytes(&m), "value": bytes(&v), "typed_value": {
        "a": {"value": null, "typed_value": 1},
        "b": {"value": null, "typed_value": null}}}});
    assert_eq!(
        unshred_json(&schema, record).unwrap(),
        json!({"v": {"a": 1, "c": true}})
    );
}

#[test]
fn shredded_key_in_value_is_an_error_naming_record_and_path() {
    let schema = variant_schema(EVENT, &["v"]);
    let mut builder = VariantBuilder::new();
    builder.new_object().with_field("a", 5i64).finish();
    let (m, v) = builder.finish();
    let record = json!({"v": {"metadata": bytes(&m), "value": bytes(&v), "typed_value": {
        "a": {"value": null, "typed_value": null},
        "b": {"value": null, "typed_value": "x"}}}});
    let error = unshred_json(&schema, record).unwrap_err().to_string();
    assert_eq!(
        error,
        "record 7: field v: $: shredded field a is also in the partially shredded value"
    );
}

#[test]
fn primitive_with_both_value_and_typed_value_is_an_error() {
    let schema = variant_schema(EVENT, &["v"]);
    let (m, v) = encoded(3i64);
    let record = json!({"v": {"metadata": bytes(&m), "value": null, "typed_value": {
        "a": {"value": bytes(&v), "typed_value": 3},
        "b": {"value": null, "typed_value": null}}}});
    let error = unshred_json(&schema, record).unwrap_err().to_string();
    assert!(
        error.contains("field v: $.a: conflicting value and typed_value"),
        "{error}"
    );
}

const TAGS: &str = "optional group v { required binary metadata; optional binary value;
    optional group typed_value (LIST) { repeated group list { required group element {
      optional binary value; optional binary typed_value (STRING); } } } }";

#[test]
fn shredded_array_with_a_null_element() {
    let schema = variant_schema(TAGS, &["v"]);
    let (_, null) = encoded(());
    let record = json!({"v": {"metadata": bytes(EMPTY_METADATA), "value": null, "typed_value": [
        {"value": null, "typed_value": "horror"},
        {"value": bytes(&null), "typed_value": null}]}});
    assert_eq!(
        unshred_json(&schema, record).unwrap(),
        json!({"v": ["horror", null]})
    );
}

#[test]
fn missing_array_element_is_variant_null() {
    let schema = variant_schema(TAGS, &["v"]);
    let record = json!({"v": {"metadata": bytes(EMPTY_METADATA), "value": null, "typed_value": [
        {"value": null, "typed_value": null}]}});
    assert_eq!(unshred_json(&schema, record).unwrap(), json!({"v": [null]}));
}

#[test]
fn corrupt_value_binary_is_an_error_not_a_panic() {
    let schema = variant_schema(TAGS, &["v"]);
    for value in [vec![0x02u8, 0x05], vec![0x03], vec![0x0f, 0xff]] {
        let record = json!({"v": {"metadata": bytes(EMPTY_METADATA), "value": bytes(&value), "typed_value": null}});
        let error = unshred_json(&schema, record).unwrap_err().to_string();
        assert!(error.contains("corrupt variant value"), "{error}");
    }
    let record = json!({"v": {"metadata": bytes(&[7, 7]), "value": null, "typed_value": []}});
    let error = unshred_json(&schema, record).unwrap_err().to_string();
    assert!(error.contains("corrupt variant metadata"), "{error}");
}

#[test]
fn unsigned_typed_value_is_a_layout_error() {
    let schema = variant_schema(
        "optional group v { required binary metadata; optional binary value; optional int32 typed_value (INTEGER(32,false)); }",
        &["v"],
    );
    let columns = VariantColumn::find_all(&schema);
    assert_eq!(
        columns[0].shredding.as_ref().unwrap_err(),
        "v.typed_value: unsupported shredded value type INT32 (INTEGER(32,false))"
    );
}

#[test]
fn variant_inside_a_list_is_found_and_unshredded() {
    // The annotation sits on the list element: built by hand.
    let element = Type::group_type_builder("element")
        .with_repetition(parquet::basic::Repetition::OPTIONAL)
        .with_logical_type(Some(LogicalType::Variant(VariantType {
            specification_version: Some(1),
        })))
        .with_fields(vec![
            Arc::new(
                Type::primitive_type_builder("metadata", parquet::basic::Type::BYTE_ARRAY)
                    .with_repetition(parquet::basic::Repetition::REQUIRED)
                    .build()
                    .unwrap(),
            ),
            Arc::new(
                Type::primitive_type_builder("value", parquet::basic::Type::BYTE_ARRAY)
                    .with_repetition(parquet::basic::Repetition::OPTIONAL)
                    .build()
                    .unwrap(),
            ),
        ])
        .build()
        .unwrap();
    let list = Type::group_type_builder("list")
        .with_repetition(parquet::basic::Repetition::REPEATED)
        .with_fields(vec![Arc::new(element)])
        .build()
        .unwrap();
    let events = Type::group_type_builder("events")
        .with_repetition(parquet::basic::Repetition::OPTIONAL)
        .with_logical_type(Some(LogicalType::List))
        .with_fields(vec![Arc::new(list)])
        .build()
        .unwrap();
    let root = Type::group_type_builder("m")
        .with_fields(vec![Arc::new(events)])
        .build()
        .unwrap();
    let schema = Schema::from_descriptor(Arc::new(SchemaDescriptor::new(Arc::new(root)))).unwrap();
    assert_eq!(
        VariantColumn::find_all(&schema)[0].path,
        "events.list.element"
    );
    let (m, v) = encoded(2.5f64);
    let record = json!({"events": [{"metadata": bytes(&m), "value": bytes(&v)}, null]});
    assert_eq!(
        unshred_json(&schema, record).unwrap(),
        json!({"events": [2.5, null]})
    );
}

#[test]
fn census_counts_each_state_and_the_first_forbidden_record() {
    let schema = variant_schema(EVENT, &["v"]);
    let column = &VariantColumn::find_all(&schema)[0];
    let shredded = column.shredding.as_ref().unwrap();
    let mut census = census::Census::new(column, shredded);
    let (m, s) = encoded("x");
    let mut builder = VariantBuilder::new();
    builder.new_object().with_field("a", 5i64).finish();
    let (om, ov) = builder.finish();
    let records = [
        json!({"metadata": bytes(EMPTY_METADATA), "value": null, "typed_value": {
            "a": {"value": null, "typed_value": 1}, "b": {"value": null, "typed_value": null}}}),
        json!({"metadata": bytes(&m), "value": bytes(&s), "typed_value": null}),
        json!(null),
        json!({"metadata": bytes(&om), "value": bytes(&ov), "typed_value": {
            "a": {"value": null, "typed_value": 2}, "b": {"value": null, "typed_value": "y"}}}),
    ];
    for (i, record) in records.iter().enumerate() {
        census.count_record();
        census.add(shredded, record, i as u64);
    }
    assert_eq!((census.records, census.null), (4, 1));
    let top = &census.paths[0];
    assert_eq!(
        (
            top.missing,
            top.value_only,
            top.typed_only,
            top.partially_shredded
        ),
        (0, 1, 1, 1)
    );
    assert_eq!(top.forbidden.len(), 1);
    assert_eq!(top.forbidden[0].kind, "shredded key a also in value");
    assert_eq!(top.forbidden[0].first_record, 3);
    let a = &census.paths[1];
    assert_eq!((a.path.as_str(), a.typed_only, a.missing), ("$.a", 2, 0));
    let b = &census.paths[2];
    assert_eq!((b.path.as_str(), b.typed_only, b.missing), ("$.b", 1, 1));
}
