//! Layout inference: a `typed_value` layout for a VARIANT column, chosen from a sample of its values.
//!
//! `shred write --shred-variants auto` reads a sample of the input (by default its first
//! row group), collects per path inside each VARIANT column how often each JSON type
//! occurs, and shreds what is regular, by rules close to Spark's and DuckDB's:
//!
//! - a path is shredded as its dominant type: the non-null type of more than half of its
//!   non-null values (an integer as `int64`, a number with a fraction as `double`, a
//!   string as `STRING`, a boolean, an object, an array); values of other types go to
//!   `value`, as `VariantShredding.md` allows;
//! - an object field is shredded when it is seen in at least [`Policy::min_field_share`]
//!   (10%) of the sampled objects at its path, most frequent fields first;
//! - an array is shredded by its elements' dominant type;
//! - at most [`Policy::max_typed_columns`] (300) typed leaf columns in all: the fields
//!   that would go past it stay in `value`.
//!
//! A path without a dominant type, or an object with no field to shred, has no
//! `typed_value`. The layout replaces the column's declared one in the schema
//! ([`infer_schema`]), which is printed as schema text for the user to keep.
//!
//! ```
//! use serde_json::json;
//! let schema = shred::Schema::parse("message m { optional group v (VARIANT(1)) {
//!     required binary metadata; required binary value; } }").unwrap();
//! let values = [json!({"a": 1, "b": "x"}), json!({"a": 2}), json!({"a": 3, "c": [1.5]})];
//! let inferred = shred::variant::inference::infer_schema(
//!     &schema, &[values.iter().collect()], &shred::variant::inference::Policy::default(),
//! ).unwrap();
//! let text = inferred.message_text();
//! assert!(text.contains("OPTIONAL INT64 typed_value;"), "{text}");
//! assert!(text.contains("REQUIRED group c"), "{text}");
//! ```

use std::collections::HashMap;
use std::sync::Arc;

use parquet::basic::{LogicalType, Repetition, Type as PhysicalType};
use parquet::schema::types::{SchemaDescriptor, Type, TypePtr};
use serde_json::Value as Json;

use std::path::Path;

use super::layout::VariantColumn;
use super::records::RecordVariants;
use crate::error::{Error, Result};
use crate::json_reader::{JsonReader, ReadOptions};
use crate::schema::Schema;
use crate::schema_plan::SchemaPlan;

/// The thresholds of inference.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Share of the sampled objects at a path an object field must be seen in.
    pub min_field_share: f64,
    /// Most typed leaf columns per VARIANT column.
    pub max_typed_columns: usize,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            min_field_share: 0.10,
            max_typed_columns: 300,
        }
    }
}

/// The JSON types a path's values are counted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Kind {
    Bool,
    Int,
    Double,
    String,
    Object,
    Array,
}

/// What the sample holds at one path.
#[derive(Debug, Default)]
struct PathStats {
    /// Non-null values by type.
    kinds: HashMap<Kind, usize>,
    /// Object fields, in the order first seen.
    fields: Vec<(String, PathStats)>,
    field_index: HashMap<String, usize>,
    /// Array elements.
    elements: Option<Box<PathStats>>,
}

impl PathStats {
    fn add(&mut self, value: &Json) {
        let kind = match value {
            Json::Null => return,
            Json::Bool(_) => Kind::Bool,
            Json::Number(n) if n.is_i64() => Kind::Int,
            // Integers beyond int64 cannot be written; they count against every type.
            Json::Number(n) if n.is_u64() => return,
            Json::Number(_) => Kind::Double,
            Json::String(_) => Kind::String,
            Json::Object(fields) => {
                for (name, field) in fields {
                    let i = *self.field_index.entry(name.clone()).or_insert_with(|| {
                        self.fields.push((name.clone(), PathStats::default()));
                        self.fields.len() - 1
                    });
                    self.fields[i].1.add(field);
                }
                Kind::Object
            }
            Json::Array(items) => {
                let elements = self.elements.get_or_insert_with(Default::default);
                for item in items {
                    elements.add(item);
                }
                Kind::Array
            }
        };
        *self.kinds.entry(kind).or_default() += 1;
    }

    /// The type of more than half of the non-null values, if there is one.
    fn dominant(&self) -> Option<(Kind, usize)> {
        let total: usize = self.kinds.values().sum();
        let (&kind, &count) = self
            .kinds
            .iter()
            .max_by_key(|(kind, count)| (**count, std::cmp::Reverse(**kind)))?;
        (count * 2 > total).then_some((kind, count))
    }
}

/// The schema with every VARIANT column's layout inferred from `samples` (per column, in
/// [`VariantColumn::find_all`] order, the sampled JSON values; nulls count as absent).
pub fn infer_schema(schema: &Schema, samples: &[Vec<&Json>], policy: &Policy) -> Result<Schema> {
    let columns = VariantColumn::find_all(schema);
    let mut layouts = HashMap::new();
    for (column, sample) in columns.iter().zip(samples) {
        let mut stats = PathStats::default();
        for value in sample {
            stats.add(value);
        }
        let mut budget = policy.max_typed_columns;
        let typed = typed_value(&stats, policy, &mut budget);
        layouts.insert(column.path.clone(), typed);
    }
    let root = replace(schema.descriptor().root_schema_ptr(), "", &layouts)?;
    Schema::from_descriptor(Arc::new(SchemaDescriptor::new(root)))
}

/// The values of every VARIANT column (in [`VariantColumn::find_all`] order) in the first
/// `records` records of the file `path`, read through `plan` (the declared schema) as
/// `shred write` reads, and given back as JSON.
pub fn sample(
    plan: Arc<SchemaPlan>,
    path: &Path,
    records: usize,
    options: ReadOptions,
) -> Result<Vec<Vec<Json>>> {
    let options = ReadOptions {
        row_group_size: records.max(1),
        keep_records: true,
        ..options
    };
    let schema = plan.schema().clone();
    let columns = plan.variants().to_vec();
    let mut reader = JsonReader::open(plan, path, options)?;
    let first = reader.next_row_group()?;
    drop(reader);
    let variants = RecordVariants::with_columns(&schema, columns.clone());
    let mut samples = vec![Vec::new(); columns.len()];
    for (i, mut record) in first
        .map(|rg| rg.canonical)
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        variants.replace_with_json(&mut record, i)?;
        variants.each_slot(&mut record, &mut |column, _, value| {
            if let Some(k) = columns.iter().position(|c| c.path == column.path) {
                samples[k].push(value.take());
            }
            Ok(())
        })?;
    }
    Ok(samples)
}

/// The `typed_value` for a path, or none.
fn typed_value(stats: &PathStats, policy: &Policy, budget: &mut usize) -> Option<TypePtr> {
    let (kind, count) = stats.dominant()?;
    let primitive = |physical: PhysicalType, logical: Option<LogicalType>| {
        Type::primitive_type_builder("typed_value", physical)
            .with_repetition(Repetition::OPTIONAL)
            .with_logical_type(logical)
            .build()
    };
    let built = match kind {
        Kind::Bool | Kind::Int | Kind::Double | Kind::String => {
            if *budget == 0 {
                return None;
            }
            *budget -= 1;
            match kind {
                Kind::Bool => primitive(PhysicalType::BOOLEAN, None),
                Kind::Int => primitive(PhysicalType::INT64, None),
                Kind::Double => primitive(PhysicalType::DOUBLE, None),
                _ => primitive(PhysicalType::BYTE_ARRAY, Some(LogicalType::String)),
            }
        }
        Kind::Object => {
            let mut candidates: Vec<&(String, PathStats)> = stats
                .fields
                .iter()
                .filter(|(_, field)| {
                    let seen: usize = field.kinds.values().sum();
                    seen as f64 >= policy.min_field_share * count as f64
                })
                .collect();
            // Most frequent first, for the budget; then by name, for the schema.
            candidates.sort_by_key(|(name, field)| {
                (
                    std::cmp::Reverse(field.kinds.values().sum::<usize>()),
                    name.clone(),
                )
            });
            let mut fields = Vec::new();
            for (name, field) in candidates {
                if let Some(typed) = typed_value(field, policy, budget) {
                    fields.push((name.clone(), typed));
                }
            }
            if fields.is_empty() {
                return None;
            }
            fields.sort_by(|a, b| a.0.cmp(&b.0));
            let groups = fields
                .into_iter()
                .map(|(name, typed)| pair(&name, Repetition::REQUIRED, typed))
                .collect::<std::result::Result<Vec<_>, _>>()
                .ok()?;
            Type::group_type_builder("typed_value")
                .with_repetition(Repetition::OPTIONAL)
                .with_fields(groups)
                .build()
        }
        Kind::Array => {
            let element = typed_value(stats.elements.as_ref()?, policy, budget)?;
            let element = pair("element", Repetition::REQUIRED, element).ok()?;
            let list = Type::group_type_builder("list")
                .with_repetition(Repetition::REPEATED)
                .with_fields(vec![element])
                .build()
                .ok()?;
            Type::group_type_builder("typed_value")
                .with_repetition(Repetition::OPTIONAL)
                .with_logical_type(Some(LogicalType::List))
                .with_fields(vec![Arc::new(list)])
                .build()
        }
    };
    built.ok().map(Arc::new)
}

/// A `value`/`typed_value` group named `name`.
fn pair(
    name: &str,
    repetition: Repetition,
    typed: TypePtr,
) -> std::result::Result<TypePtr, parquet::errors::ParquetError> {
    Ok(Arc::new(
        Type::group_type_builder(name)
            .with_repetition(repetition)
            .with_fields(vec![binary("value", Repetition::OPTIONAL)?, typed])
            .build()?,
    ))
}

fn binary(
    name: &str,
    repetition: Repetition,
) -> std::result::Result<TypePtr, parquet::errors::ParquetError> {
    Ok(Arc::new(
        Type::primitive_type_builder(name, PhysicalType::BYTE_ARRAY)
            .with_repetition(repetition)
            .build()?,
    ))
}

/// `tp` (at dotted `path`) with the VARIANT groups in `layouts` given their inferred
/// `typed_value` (an unshredded `metadata`/`value` pair where none was inferred).
fn replace(tp: TypePtr, path: &str, layouts: &HashMap<String, Option<TypePtr>>) -> Result<TypePtr> {
    if !tp.is_group() {
        return Ok(tp);
    }
    let schema_error = |e: parquet::errors::ParquetError| Error::Schema {
        message: format!("{path}: {e}"),
    };
    let info = tp.get_basic_info();
    let fields = if let Some(typed) = layouts.get(path) {
        let mut fields = vec![binary("metadata", Repetition::REQUIRED).map_err(schema_error)?];
        match typed {
            Some(typed) => {
                fields.push(binary("value", Repetition::OPTIONAL).map_err(schema_error)?);
                fields.push(typed.clone());
            }
            None => fields.push(binary("value", Repetition::REQUIRED).map_err(schema_error)?),
        }
        fields
    } else {
        let mut fields = Vec::with_capacity(tp.get_fields().len());
        for field in tp.get_fields() {
            let child = if path.is_empty() {
                field.name().to_string()
            } else {
                format!("{path}.{}", field.name())
            };
            fields.push(replace(field.clone(), &child, layouts)?);
        }
        fields
    };
    let group = super::annotation::rebuild_group(&tp, info.logical_type_ref().cloned(), fields)
        .map_err(schema_error)?;
    Ok(Arc::new(group))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::variant::layout::{Primitive, Typed};

    const PLAIN: &str = "message m { optional group v (VARIANT(1)) {
        required binary metadata; required binary value; } }";

    fn infer(values: &[Json], policy: Policy) -> (Schema, Option<Typed>) {
        let schema = Schema::parse(PLAIN).unwrap();
        let inferred = infer_schema(&schema, &[values.iter().collect()], &policy).unwrap();
        let column = VariantColumn::find_all(&inferred).remove(0);
        let typed = column.shredding.unwrap().typed;
        (inferred, typed)
    }

    fn fields(typed: &Option<Typed>) -> Vec<(String, &'static str)> {
        let Some(Typed::Object { fields }) = typed else {
            panic!("an object: {typed:?}")
        };
        fields
            .iter()
            .map(|f| {
                let kind = f.shredded.typed.as_ref().map_or("none", Typed::type_name);
                (f.name.clone(), kind)
            })
            .collect()
    }

    #[test]
    fn fields_seen_in_ten_percent_with_a_dominant_type() {
        let mut values: Vec<Json> = (0..20)
            .map(|i| json!({"id": i, "name": format!("n{i}"), "score": i as f64 + 0.5}))
            .collect();
        values[0]["rare"] = json!(true);
        values[1]["sometimes"] = json!(1);
        values[2]["sometimes"] = json!(2);
        // `mixed`: as many strings as integers, no type is the majority.
        for (i, v) in values.iter_mut().enumerate().take(10) {
            v["mixed"] = if i % 2 == 0 { json!("s") } else { json!(i) };
        }
        let (_, typed) = infer(&values, Policy::default());
        assert_eq!(
            fields(&typed),
            vec![
                ("id".to_string(), "int64"),
                ("name".to_string(), "string"),
                ("score".to_string(), "double"),
                ("sometimes".to_string(), "int64"),
            ]
        );
    }

    #[test]
    fn arrays_by_element_type_and_nested_objects() {
        let values = [
            json!({"tags": ["a", "b"], "user": {"handle": "x", "age": 3}}),
            json!({"tags": ["c", 1], "user": {"handle": "y"}}),
            json!({"tags": [], "user": "not an object"}),
        ];
        let (schema, typed) = infer(&values, Policy::default());
        assert_eq!(
            fields(&typed),
            vec![
                ("tags".to_string(), "array"),
                ("user".to_string(), "object")
            ]
        );
        let column = VariantColumn::find_all(&schema).remove(0);
        let Some(Typed::Object { fields: top }) = column.shredding.unwrap().typed else {
            unreachable!()
        };
        let Some(Typed::Array { element }) = &top[0].shredded.typed else {
            panic!("tags is an array")
        };
        assert!(matches!(
            element.typed,
            Some(Typed::Primitive {
                kind: Primitive::String
            })
        ));
        assert_eq!(
            fields(&top[1].shredded.typed),
            vec![
                ("age".to_string(), "int64"),
                ("handle".to_string(), "string")
            ]
        );
    }

    #[test]
    fn budget_keeps_the_most_frequent_fields() {
        let values: Vec<Json> = (0..10)
            .map(|i| {
                let mut v = json!({"always": 1, "often": 2});
                if i < 5 {
                    v["half"] = json!(3);
                }
                v
            })
            .collect();
        let policy = Policy {
            max_typed_columns: 2,
            ..Policy::default()
        };
        let (_, typed) = infer(&values, policy);
        assert_eq!(
            fields(&typed),
            vec![
                ("always".to_string(), "int64"),
                ("often".to_string(), "int64")
            ]
        );
    }

    #[test]
    fn irregular_values_stay_unshredded() {
        let values = [
            json!(1),
            json!("a"),
            json!(null),
            json!([1]),
            json!({"x": 1}),
        ];
        let (schema, typed) = infer(&values, Policy::default());
        assert!(typed.is_none());
        assert!(
            schema.message_text().contains("REQUIRED BYTE_ARRAY value;"),
            "{}",
            schema.message_text()
        );
    }

    #[test]
    fn primitive_top_level() {
        let values = [json!(1), json!(2), json!("three")];
        let (schema, typed) = infer(&values, Policy::default());
        assert!(matches!(
            typed,
            Some(Typed::Primitive {
                kind: Primitive::Int64
            })
        ));
        // The printed layout parses back to the same schema.
        let again = Schema::parse(&schema.message_text()).unwrap();
        assert_eq!(again.message_text(), schema.message_text());
    }
}
