//! The shape of a VARIANT column: its group, and the `typed_value` tree it is shredded into.
//!
//! A VARIANT column (parquet-format `LogicalTypes.md`, "VARIANT"; `VariantShredding.md`) is
//! a group annotated `VARIANT` holding a required binary `metadata`, an optional binary
//! `value` and an optional `typed_value`. A `typed_value` is one of three shapes, found in
//! the schema alone:
//!
//! - a primitive column whose Parquet type is in the spec's "Shredded Value Types" table
//!   (`INT(8, true)` is a variant int8, `DATE` a date, `STRING` a string, ...);
//! - a 3-level `LIST` whose `element` is a required group of `value` and `typed_value`: a
//!   shredded array;
//! - an unannotated group of required groups, one per shredded object field, each again a
//!   `value` and `typed_value` pair: a shredded object.
//!
//! [`VariantColumn::find_all`] walks a [`Schema`] and the file's Parquet types side by side
//! and recognises every VARIANT group. A layout the spec forbids (an unsupported
//! `typed_value` type, an optional field group, a group without `metadata`) does not stop
//! the schema from loading: the column carries the error in [`VariantColumn::shredding`],
//! and every reader of its values reports it, naming the schema path.
//!
//! For example (the `parquet` crate's schema parser does not read the annotation, so a
//! file's schema is where such groups come from):
//!
//! ```text
//! optional group v (VARIANT(1)) {        VariantColumn { path: "v", shredding: Ok(
//!   required binary metadata;              Shredded { path: "v", value: true, typed: Some(
//!   optional binary value;                   Typed::Primitive { kind: Primitive::Int8 }) }) }
//!   optional int32 typed_value (INT(8, true));
//! }
//! ```

use parquet::basic::{ConvertedType, LogicalType, Repetition, TimeUnit, Type as PhysicalType};
use parquet::schema::types::Type;

use crate::schema::{Node, NodeKind, Schema};

/// One VARIANT group of a schema.
#[derive(Debug, Clone)]
pub struct VariantColumn {
    /// Dotted schema path of the annotated group, e.g. `events.list.element.payload`.
    pub path: String,
    /// The spec version of the annotation (`VARIANT(1)`), when stated.
    pub version: Option<i8>,
    /// The leaf columns under the group (metadata, value and every typed_value leaf).
    pub leaves: std::ops::Range<usize>,
    /// The `value`/`typed_value` pair at the top of the group, or why the layout is one
    /// the spec forbids.
    pub shredding: Result<Shredded, String>,
}

/// A `value`/`typed_value` pair: the variant group itself, an object field's group or an
/// array element's group.
#[derive(Debug, Clone)]
pub struct Shredded {
    /// Dotted schema path of the group holding the pair.
    pub path: String,
    /// Whether the group has a `value` column.
    pub value: bool,
    /// The shredded form, when the group has a `typed_value`.
    pub typed: Option<Typed>,
}

/// What a `typed_value` holds.
#[derive(Debug, Clone)]
pub enum Typed {
    /// A primitive column of one variant type.
    Primitive {
        /// The variant type its values become.
        kind: Primitive,
    },
    /// A shredded object: one field group per shredded key, in schema order.
    Object {
        /// The shredded fields.
        fields: Vec<ShreddedField>,
    },
    /// A shredded array: the element's `value`/`typed_value` pair.
    Array {
        /// The element group.
        element: Box<Shredded>,
    },
}

/// One shredded object field.
#[derive(Debug, Clone)]
pub struct ShreddedField {
    /// The object key.
    pub name: String,
    /// Its `value`/`typed_value` pair.
    pub shredded: Shredded,
}

/// The variant primitive types a shredded column can hold (`VariantShredding.md`,
/// "Shredded Value Types").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Primitive {
    /// BOOLEAN.
    Boolean,
    /// INT32 with `INT(8, true)`.
    Int8,
    /// INT32 with `INT(16, true)`.
    Int16,
    /// INT32, plain or `INT(32, true)`.
    Int32,
    /// INT64, plain or `INT(64, true)`.
    Int64,
    /// FLOAT.
    Float,
    /// DOUBLE.
    Double,
    /// INT32 with `DECIMAL(P, S)`.
    Decimal4 {
        /// The scale.
        scale: u8,
    },
    /// INT64 with `DECIMAL(P, S)`.
    Decimal8 {
        /// The scale.
        scale: u8,
    },
    /// BYTE_ARRAY or FIXED_LEN_BYTE_ARRAY with `DECIMAL(P, S)`.
    Decimal16 {
        /// The scale.
        scale: u8,
    },
    /// INT32 with `DATE`.
    Date,
    /// INT64 with `TIME(false, MICROS)`.
    Time,
    /// INT64 with `TIMESTAMP(true, MICROS)`.
    TimestampMicros,
    /// INT64 with `TIMESTAMP(false, MICROS)`.
    TimestampNtzMicros,
    /// INT64 with `TIMESTAMP(true, NANOS)`.
    TimestampNanos,
    /// INT64 with `TIMESTAMP(false, NANOS)`.
    TimestampNtzNanos,
    /// BYTE_ARRAY.
    Binary,
    /// BYTE_ARRAY with `STRING`.
    String,
    /// FIXED_LEN_BYTE_ARRAY(16) with `UUID`.
    Uuid,
}

impl Primitive {
    /// The variant type's name as the spec's table writes it (`int8`, `timestamptz(6)`).
    pub fn name(self) -> &'static str {
        match self {
            Primitive::Boolean => "boolean",
            Primitive::Int8 => "int8",
            Primitive::Int16 => "int16",
            Primitive::Int32 => "int32",
            Primitive::Int64 => "int64",
            Primitive::Float => "float",
            Primitive::Double => "double",
            Primitive::Decimal4 { .. } => "decimal4",
            Primitive::Decimal8 { .. } => "decimal8",
            Primitive::Decimal16 { .. } => "decimal16",
            Primitive::Date => "date",
            Primitive::Time => "time",
            Primitive::TimestampMicros => "timestamptz(6)",
            Primitive::TimestampNtzMicros => "timestampntz(6)",
            Primitive::TimestampNanos => "timestamptz(9)",
            Primitive::TimestampNtzNanos => "timestampntz(9)",
            Primitive::Binary => "binary",
            Primitive::String => "string",
            Primitive::Uuid => "uuid",
        }
    }
}

impl Typed {
    /// The shredded type as one word: a primitive's name, `object` or `array`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Typed::Primitive { kind } => kind.name(),
            Typed::Object { .. } => "object",
            Typed::Array { .. } => "array",
        }
    }
}

impl VariantColumn {
    /// Every VARIANT group of `schema`, in schema order (a VARIANT inside a VARIANT's
    /// `typed_value` is not one: it is part of the shredding).
    pub fn find_all(schema: &Schema) -> Vec<VariantColumn> {
        let mut found = Vec::new();
        let root = schema.descriptor().root_schema();
        for (node, tp) in schema.root().children().iter().zip(root.get_fields()) {
            find(node, tp, &mut found);
        }
        found
    }

    /// Whether every leaf of the group is among `leaves` (a projection holds the whole
    /// variant).
    pub fn is_selected(&self, leaves: &[usize]) -> bool {
        self.leaves.clone().all(|l| leaves.contains(&l))
    }
}

fn find(node: &Node, tp: &Type, found: &mut Vec<VariantColumn>) {
    if let Some(LogicalType::Variant(v)) = tp.get_basic_info().logical_type_ref() {
        found.push(VariantColumn {
            path: node.path.clone(),
            version: v.specification_version,
            leaves: node.leaf_range(),
            shredding: variant_group(node, tp),
        });
        return;
    }
    if tp.is_group() {
        for (child, child_tp) in node.children().iter().zip(tp.get_fields()) {
            find(child, child_tp, found);
        }
    }
}

/// The top-level pair: like any other, plus the required binary `metadata`.
fn variant_group(node: &Node, tp: &Type) -> Result<Shredded, String> {
    if !tp.is_group() {
        return Err(format!("{}: a VARIANT must be a group", node.path));
    }
    match child(node, tp, "metadata") {
        Some((m, mt)) if is_binary(mt) && m.repetition == Repetition::REQUIRED => {}
        Some(_) => {
            return Err(format!(
                "{}.metadata: the metadata must be a required binary",
                node.path
            ));
        }
        None => {
            return Err(format!(
                "{}: a VARIANT group needs a metadata column",
                node.path
            ));
        }
    }
    if let Some(extra) = tp
        .get_fields()
        .iter()
        .find(|f| !matches!(f.name(), "metadata" | "value" | "typed_value"))
    {
        return Err(format!(
            "{}: unexpected field {} in a VARIANT group",
            node.path,
            extra.name()
        ));
    }
    pair(node, tp)
}

/// A group's `value` and `typed_value`.
fn pair(node: &Node, tp: &Type) -> Result<Shredded, String> {
    let value = match child(node, tp, "value") {
        // Required only where nothing is shredded, as an unshredded VARIANT has it.
        Some((v, vt))
            if is_binary(vt)
                && (v.repetition == Repetition::OPTIONAL
                    || (v.repetition == Repetition::REQUIRED
                        && child(node, tp, "typed_value").is_none())) =>
        {
            true
        }
        Some(_) => {
            return Err(format!(
                "{}.value: a value must be an optional binary (required when there is no typed_value)",
                node.path
            ));
        }
        None => false,
    };
    let typed = match child(node, tp, "typed_value") {
        Some((t, tt)) => {
            if t.repetition != Repetition::OPTIONAL {
                return Err(format!("{}: a typed_value must be optional", t.path));
            }
            Some(typed(t, tt)?)
        }
        None => None,
    };
    if !value && typed.is_none() {
        return Err(format!(
            "{}: needs a value or a typed_value column",
            node.path
        ));
    }
    Ok(Shredded {
        path: node.path.clone(),
        value,
        typed,
    })
}

fn typed(node: &Node, tp: &Type) -> Result<Typed, String> {
    if !tp.is_group() {
        return primitive(tp)
            .map(|kind| Typed::Primitive { kind })
            .ok_or_else(|| {
                format!(
                    "{}: unsupported shredded value type {}",
                    node.path,
                    type_text(tp)
                )
            });
    }
    let info = tp.get_basic_info();
    let is_list = matches!(info.logical_type_ref(), Some(LogicalType::List))
        || info.converted_type() == ConvertedType::LIST;
    if is_list {
        let repeated = match (node.children(), tp.get_fields()) {
            ([r], [rt]) if r.repetition == Repetition::REPEATED && rt.is_group() => (r, rt),
            _ => {
                return Err(format!(
                    "{}: a shredded array must be a 3-level LIST",
                    node.path
                ));
            }
        };
        let (element, element_tp) = match (repeated.0.children(), repeated.1.get_fields()) {
            ([e], [et]) if et.is_group() && e.repetition == Repetition::REQUIRED => (e, et),
            _ => {
                return Err(format!(
                    "{}: a shredded array's element must be a required group",
                    repeated.0.path
                ));
            }
        };
        return Ok(Typed::Array {
            element: Box::new(pair(element, element_tp)?),
        });
    }
    if info.logical_type_ref().is_some() || info.converted_type() != ConvertedType::NONE {
        return Err(format!(
            "{}: unsupported shredded group type {}",
            node.path,
            type_text(tp)
        ));
    }
    let mut fields = Vec::with_capacity(node.children().len());
    for (field, field_tp) in node.children().iter().zip(tp.get_fields()) {
        if !field_tp.is_group() || field.repetition != Repetition::REQUIRED {
            return Err(format!(
                "{}: a shredded object field must be a required group",
                field.path
            ));
        }
        fields.push(ShreddedField {
            name: field.name.clone(),
            shredded: pair(field, field_tp)?,
        });
    }
    if fields.is_empty() {
        return Err(format!("{}: a shredded object needs fields", node.path));
    }
    Ok(Typed::Object { fields })
}

/// The variant type of a primitive `typed_value` column, if the spec allows it.
fn primitive(tp: &Type) -> Option<Primitive> {
    let info = tp.get_basic_info();
    let logical = info.logical_type_ref();
    let converted = info.converted_type();
    let scale = |tp: &Type| u8::try_from(tp.get_scale()).ok();
    let decimal =
        matches!(logical, Some(LogicalType::Decimal(_))) || converted == ConvertedType::DECIMAL;
    Some(match tp.get_physical_type() {
        PhysicalType::BOOLEAN if logical.is_none() => Primitive::Boolean,
        PhysicalType::INT32 if decimal => Primitive::Decimal4 { scale: scale(tp)? },
        PhysicalType::INT32 => match (logical, converted) {
            (None, ConvertedType::NONE) => Primitive::Int32,
            (None, ConvertedType::INT_8) => Primitive::Int8,
            (None, ConvertedType::INT_16) => Primitive::Int16,
            (None, ConvertedType::INT_32) => Primitive::Int32,
            (None, ConvertedType::DATE) | (Some(LogicalType::Date), _) => Primitive::Date,
            (Some(LogicalType::Integer(i)), _) if i.is_signed => match i.bit_width {
                8 => Primitive::Int8,
                16 => Primitive::Int16,
                32 => Primitive::Int32,
                _ => return None,
            },
            _ => return None,
        },
        PhysicalType::INT64 if decimal => Primitive::Decimal8 { scale: scale(tp)? },
        PhysicalType::INT64 => match logical {
            None if matches!(converted, ConvertedType::NONE | ConvertedType::INT_64) => {
                Primitive::Int64
            }
            Some(LogicalType::Integer(i)) if i.is_signed && i.bit_width == 64 => Primitive::Int64,
            Some(LogicalType::Time(t))
                if !t.is_adjusted_to_u_t_c && matches!(t.unit, TimeUnit::MICROS) =>
            {
                Primitive::Time
            }
            Some(LogicalType::Timestamp(t)) => match (t.is_adjusted_to_u_t_c, &t.unit) {
                (true, TimeUnit::MICROS) => Primitive::TimestampMicros,
                (false, TimeUnit::MICROS) => Primitive::TimestampNtzMicros,
                (true, TimeUnit::NANOS) => Primitive::TimestampNanos,
                (false, TimeUnit::NANOS) => Primitive::TimestampNtzNanos,
                _ => return None,
            },
            _ => return None,
        },
        PhysicalType::FLOAT if logical.is_none() => Primitive::Float,
        PhysicalType::DOUBLE if logical.is_none() => Primitive::Double,
        PhysicalType::BYTE_ARRAY | PhysicalType::FIXED_LEN_BYTE_ARRAY if decimal => {
            Primitive::Decimal16 { scale: scale(tp)? }
        }
        PhysicalType::BYTE_ARRAY => match (logical, converted) {
            (None, ConvertedType::NONE) => Primitive::Binary,
            (Some(LogicalType::String), _) | (None, ConvertedType::UTF8) => Primitive::String,
            _ => return None,
        },
        PhysicalType::FIXED_LEN_BYTE_ARRAY
            if matches!(logical, Some(LogicalType::Uuid)) && type_length(tp) == 16 =>
        {
            Primitive::Uuid
        }
        _ => return None,
    })
}

/// A Parquet type as schema text shows it, for messages: `INT32 (INTEGER(32,false))`.
fn type_text(tp: &Type) -> String {
    let info = tp.get_basic_info();
    let physical = if tp.is_group() {
        "group".to_string()
    } else if tp.get_physical_type() == PhysicalType::FIXED_LEN_BYTE_ARRAY {
        format!("FIXED_LEN_BYTE_ARRAY({})", type_length(tp))
    } else {
        tp.get_physical_type().to_string()
    };
    let annotation = match info.logical_type_ref() {
        Some(LogicalType::Integer(i)) => format!("INTEGER({},{})", i.bit_width, i.is_signed),
        Some(LogicalType::Decimal(d)) => format!("DECIMAL({},{})", d.precision, d.scale),
        Some(other) => format!("{other:?}").to_uppercase(),
        None if info.converted_type() != ConvertedType::NONE => info.converted_type().to_string(),
        None => return physical,
    };
    format!("{physical} ({annotation})")
}

fn is_binary(tp: &Type) -> bool {
    !tp.is_group() && tp.get_physical_type() == PhysicalType::BYTE_ARRAY
}

fn child<'a>(node: &'a Node, tp: &'a Type, name: &str) -> Option<(&'a Node, &'a Type)> {
    let NodeKind::Group { children, .. } = &node.kind else {
        return None;
    };
    children
        .iter()
        .zip(tp.get_fields())
        .find(|(c, _)| c.name == name)
        .map(|(c, t)| (c, t.as_ref()))
}

fn type_length(tp: &Type) -> i32 {
    match tp {
        Type::PrimitiveType { type_length, .. } => *type_length,
        Type::GroupType { .. } => 0,
    }
}
