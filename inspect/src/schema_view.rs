//! `schema`: the schema tree with repetition, types, and every leaf's path and levels.
//!
//! Walks the [`shred::Schema`] tree depth first. Every node shows its repetition, its
//! physical type (leaves) and logical or converted type, and the repetition and
//! definition levels it has when present: the number of repeated nodes, and of optional
//! or repeated nodes, from the root down to it (Dremel §4.1). A leaf's are its column's
//! maximum levels. Groups that have no JSON value of their own (`LIST`/`MAP` annotated
//! groups and 3-level list wrappers, [`shred::schema::GroupShape::Transparent`]) are
//! marked, since records show their child in their place. A VARIANT group is named
//! `VARIANT(1)` and the `typed_value` nodes of its shredding carry the variant type they
//! hold (`shredded int8`, `shredded object`; [`shred::variant::layout`]). Reads only the
//! footer.

use std::io::Write;

use parquet::basic::{ConvertedType, LogicalType, TimeUnit, Type as PhysicalType};
use parquet::schema::types::BasicTypeInfo;
use serde_json::{Value as Json, json};
use shred::cli::table;
use shred::schema::{Node, NodeKind};
use shred::variant::{Shredded, Typed, VariantColumn};

use crate::error::Result;
use crate::parquet_file::ParquetFile;
use crate::{Format, Output};

/// Prints the schema of `file`.
pub fn schema(file: &ParquetFile, output: &Output, out: &mut dyn Write) -> Result<()> {
    match output.format {
        Format::Table => {
            let mut rows = Vec::new();
            let notes = variant_notes(&file.schema);
            for child in file.schema.root().children() {
                table_rows(file, &notes, child, 0, &mut rows);
            }
            let header = [
                "field",
                "repetition",
                "type",
                "logical",
                "column",
                "path",
                "max r",
                "max d",
            ];
            writeln!(out, "{}", table::render(&header, &rows))?;
            writeln!(
                out,
                "{} columns; * = LIST/MAP wrapper (no JSON value of its own); a group's max r/d: its levels when present",
                file.schema.leaves().len()
            )?;
        }
        Format::Json => {
            let schema = node_json(file, &variant_notes(&file.schema), file.schema.root());
            let columns: Vec<Json> = file
                .schema
                .leaves()
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    json!({"column": i, "path": l.path, "physical": physical_name(l.physical(), l.descr.type_length()),
                           "logical": Some(logical_name(l.descr.self_type().get_basic_info())).filter(|s| !s.is_empty()), "repetition": l.repetition().to_string(),
                           "max_r": l.max_rep, "max_d": l.max_def})
                })
                .collect();
            output.json_line(
                out,
                &file.name,
                json!({"schema": schema, "columns": columns}),
            )?;
        }
    }
    Ok(())
}

fn table_rows(
    file: &ParquetFile,
    notes: &VariantNotes,
    node: &Node,
    depth: usize,
    rows: &mut Vec<Vec<String>>,
) {
    let info = basic_info(file, node);
    let marker = if node.is_transparent() { " *" } else { "" };
    let (physical, column, path) = match &node.kind {
        NodeKind::Leaf { leaf } => {
            let l = &file.schema.leaves()[*leaf];
            (
                physical_name(l.physical(), l.descr.type_length()),
                leaf.to_string(),
                l.path.clone(),
            )
        }
        NodeKind::Group { .. } => ("group".to_string(), String::new(), node.path.clone()),
    };
    rows.push(vec![
        format!("{}{}{marker}", "  ".repeat(depth), node.name),
        node.repetition.to_string(),
        physical,
        with_note(
            info.map(logical_name).unwrap_or_default(),
            notes.get(&node.path),
        ),
        column,
        path,
        node.rep.to_string(),
        node.def.to_string(),
    ]);
    for child in node.children() {
        table_rows(file, notes, child, depth + 1, rows);
    }
}

fn node_json(file: &ParquetFile, notes: &VariantNotes, node: &Node) -> Json {
    let mut obj = serde_json::Map::new();
    obj.insert("name".into(), json!(node.name));
    obj.insert("repetition".into(), json!(node.repetition.to_string()));
    if let Some(info) = basic_info(file, node) {
        let logical = logical_name(info);
        if !logical.is_empty() {
            obj.insert("logical".into(), json!(logical));
        }
    }
    if let Some(note) = notes.get(&node.path) {
        obj.insert("variant".into(), json!(note));
    }
    obj.insert("path".into(), json!(node.path));
    obj.insert("r".into(), json!(node.rep));
    obj.insert("d".into(), json!(node.def));
    match &node.kind {
        NodeKind::Leaf { leaf } => {
            let l = &file.schema.leaves()[*leaf];
            obj.insert(
                "physical".into(),
                json!(physical_name(l.physical(), l.descr.type_length())),
            );
            obj.insert("column".into(), json!(leaf));
        }
        NodeKind::Group { children, .. } => {
            obj.insert("transparent".into(), json!(node.is_transparent()));
            let children: Vec<Json> = children.iter().map(|c| node_json(file, notes, c)).collect();
            obj.insert("children".into(), Json::Array(children));
        }
    }
    Json::Object(obj)
}

/// Per schema path inside a VARIANT group, what the node is to the variant: `shredded
/// int8` for a `typed_value`, or why the group's layout is not one the spec allows.
type VariantNotes = std::collections::HashMap<String, String>;

fn variant_notes(schema: &shred::Schema) -> VariantNotes {
    fn walk(shredded: &Shredded, notes: &mut VariantNotes) {
        let Some(typed) = &shredded.typed else {
            return;
        };
        let path = format!("{}.typed_value", shredded.path);
        notes.insert(path, format!("shredded {}", typed.type_name()));
        match typed {
            Typed::Object { fields } => fields.iter().for_each(|f| walk(&f.shredded, notes)),
            Typed::Array { element } => walk(element, notes),
            Typed::Primitive { .. } => {}
        }
    }
    let mut notes = VariantNotes::new();
    for column in VariantColumn::find_all(schema) {
        match &column.shredding {
            Ok(shredded) => walk(shredded, &mut notes),
            Err(e) => {
                notes.insert(column.path.clone(), format!("layout the spec forbids: {e}"));
            }
        }
    }
    notes
}

fn with_note(logical: String, note: Option<&String>) -> String {
    match (logical.is_empty(), note) {
        (_, None) => logical,
        (true, Some(note)) => format!("({note})"),
        (false, Some(note)) => format!("{logical} ({note})"),
    }
}

/// The Parquet type info of a node, found by walking the descriptor along its path.
fn basic_info<'a>(file: &'a ParquetFile, node: &Node) -> Option<&'a BasicTypeInfo> {
    if node.path.is_empty() {
        return None;
    }
    let mut tp = file.schema.descriptor().root_schema();
    for part in node.path.split('.') {
        tp = tp.get_fields().iter().find(|f| f.name() == part)?;
    }
    Some(tp.get_basic_info())
}

/// A physical type as written in a schema, e.g. `FIXED_LEN_BYTE_ARRAY(16)`.
pub fn physical_name(physical: PhysicalType, type_length: i32) -> String {
    match physical {
        PhysicalType::FIXED_LEN_BYTE_ARRAY => format!("FIXED_LEN_BYTE_ARRAY({type_length})"),
        other => other.to_string(),
    }
}

fn unit_name(unit: &TimeUnit) -> &'static str {
    match unit {
        TimeUnit::MILLIS => "MILLIS",
        TimeUnit::MICROS => "MICROS",
        TimeUnit::NANOS => "NANOS",
    }
}

/// A logical type as written in a schema (`STRING`, `DECIMAL(10,2)`,
/// `TIMESTAMP(MICROS,true)`), else the converted type, else empty.
pub fn logical_name(info: &BasicTypeInfo) -> String {
    match info.logical_type_ref() {
        Some(logical) => match logical {
            LogicalType::String => "STRING".into(),
            LogicalType::Map => "MAP".into(),
            LogicalType::List => "LIST".into(),
            LogicalType::Enum => "ENUM".into(),
            LogicalType::Decimal(d) => format!("DECIMAL({},{})", d.precision, d.scale),
            LogicalType::Date => "DATE".into(),
            LogicalType::Time(t) => {
                format!("TIME({},{})", unit_name(&t.unit), t.is_adjusted_to_u_t_c)
            }
            LogicalType::Timestamp(t) => {
                format!(
                    "TIMESTAMP({},{})",
                    unit_name(&t.unit),
                    t.is_adjusted_to_u_t_c
                )
            }
            LogicalType::Integer(i) => format!("INTEGER({},{})", i.bit_width, i.is_signed),
            LogicalType::Unknown => "UNKNOWN".into(),
            LogicalType::Json => "JSON".into(),
            LogicalType::Bson => "BSON".into(),
            LogicalType::Uuid => "UUID".into(),
            LogicalType::Float16 => "FLOAT16".into(),
            LogicalType::Variant(v) => match v.specification_version {
                Some(version) => format!("VARIANT({version})"),
                None => "VARIANT".into(),
            },
            other => format!("{other:?}").to_uppercase(),
        },
        None => match info.converted_type() {
            ConvertedType::NONE => String::new(),
            other => other.to_string(),
        },
    }
}
