//! The VARIANT columns of a schema applied to its assembled records.
//!
//! A record assembled by [`crate::assembler`] holds a VARIANT group as its raw canonical
//! slot: `{"metadata", "value", "typed_value"}`. [`RecordVariants`] finds those slots in a
//! record, at any depth (inside lists and groups, walking the record alongside the
//! [`Schema`] as [`crate::record`] lays it out), and unshreds each one with
//! [`super::unshred()`]: [`RecordVariants::unshred`] gives the variants of a record in
//! slot order, [`RecordVariants::replace_with_json`] puts each variant's JSON in its slot,
//! which is how `shred-inspect cat` and `record` print them. A projection that leaves out
//! part of a VARIANT group leaves that group raw.

use parquet::basic::Repetition;
use serde_json::Value as Json;

use super::layout::VariantColumn;
use super::unshred::{Place, unshred};
use super::value::OwnedVariant;
use crate::error::{Error, Result};
use crate::schema::{Node, NodeKind, Schema};

/// The VARIANT columns of a schema whose leaves are all in a projection.
#[derive(Debug, Clone)]
pub struct RecordVariants<'a> {
    schema: &'a Schema,
    columns: Vec<VariantColumn>,
}

/// One VARIANT slot of a record, unshredded.
#[derive(Debug, Clone, PartialEq)]
pub struct SlotVariant {
    /// Path of the slot in the record (`var`, `events[2].payload`).
    pub slot: String,
    /// The variant; `None` for a null group.
    pub variant: Option<OwnedVariant>,
}

impl<'a> RecordVariants<'a> {
    /// The VARIANT columns of `schema` held whole by the projection `leaves`.
    pub fn new(schema: &'a Schema, leaves: &[usize]) -> Self {
        let columns = VariantColumn::find_all(schema)
            .into_iter()
            .filter(|c| c.is_selected(leaves))
            .collect();
        RecordVariants { schema, columns }
    }

    /// The given VARIANT columns of `schema` (found before, e.g. by a schema plan).
    pub fn with_columns(schema: &'a Schema, columns: Vec<VariantColumn>) -> Self {
        RecordVariants { schema, columns }
    }

    /// The VARIANT columns of `schema`, all leaves selected.
    pub fn all(schema: &'a Schema) -> Self {
        let leaves: Vec<usize> = (0..schema.leaves().len()).collect();
        Self::new(schema, &leaves)
    }

    /// True when the projection holds no whole VARIANT column.
    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }

    /// The VARIANT columns, in schema order.
    pub fn columns(&self) -> &[VariantColumn] {
        &self.columns
    }

    /// The variants of `record` (record number `index`), in slot order.
    pub fn unshred(&self, record: &Json, index: usize) -> Result<Vec<SlotVariant>> {
        let mut found = Vec::new();
        if self.columns.is_empty() {
            return Ok(found);
        }
        let mut record = record.clone();
        self.each_slot(&mut record, &mut |column, slot, value| {
            let variant = unshred(
                column,
                value,
                Place {
                    record: index,
                    slot,
                },
            )?;
            found.push(SlotVariant {
                slot: slot.to_string(),
                variant,
            });
            Ok(())
        })?;
        Ok(found)
    }

    /// Replaces every VARIANT slot of `record` (record number `index`) with its variant's
    /// JSON.
    pub fn replace_with_json(&self, record: &mut Json, index: usize) -> Result<()> {
        self.each_slot(record, &mut |column, slot, value| {
            let place = Place {
                record: index,
                slot,
            };
            let json = match unshred(column, value, place)? {
                Some(variant) => variant.to_json().map_err(|message| Error::Record {
                    record: index,
                    line: None,
                    path: slot.to_string(),
                    message,
                })?,
                None => Json::Null,
            };
            *value = json;
            Ok(())
        })
    }

    /// Calls `visit` with every VARIANT slot of `record`: its column, its path and its value.
    pub fn each_slot(
        &self,
        record: &mut Json,
        visit: &mut dyn FnMut(&VariantColumn, &str, &mut Json) -> Result<()>,
    ) -> Result<()> {
        if self.columns.is_empty() {
            return Ok(());
        }
        for child in self.schema.root().children() {
            if let Some(slot) = record.get_mut(&child.name) {
                self.slot(child, slot, child.name.clone(), visit)?;
            }
        }
        Ok(())
    }

    fn column(&self, node: &Node) -> Option<&VariantColumn> {
        self.columns.iter().find(|c| c.path == node.path)
    }

    /// Whether `node` is or holds a VARIANT column.
    fn holds_variant(&self, node: &Node) -> bool {
        self.columns.iter().any(|c| {
            c.path == node.path
                || node.path.is_empty()
                || c.path
                    .strip_prefix(node.path.as_str())
                    .is_some_and(|rest| rest.starts_with('.'))
        })
    }

    fn slot(
        &self,
        node: &Node,
        slot: &mut Json,
        path: String,
        visit: &mut dyn FnMut(&VariantColumn, &str, &mut Json) -> Result<()>,
    ) -> Result<()> {
        if !self.holds_variant(node) {
            return Ok(());
        }
        if node.repetition == Repetition::REPEATED {
            // A MAP given as a JSON object (as a record being written may give it): its
            // entries, in the array form `normalize` makes of it.
            if let Json::Object(map) = slot
                && node.children().first().is_some_and(|c| c.name == "key")
            {
                let entries = std::mem::take(map)
                    .into_iter()
                    .map(|(key, value)| serde_json::json!({"key": key, "value": value}))
                    .collect();
                *slot = Json::Array(entries);
            }
            if let Json::Array(items) = slot {
                for (i, item) in items.iter_mut().enumerate() {
                    self.present(node, item, format!("{path}[{i}]"), visit)?;
                }
            }
            return Ok(());
        }
        self.present(node, slot, path, visit)
    }

    fn present(
        &self,
        node: &Node,
        value: &mut Json,
        path: String,
        visit: &mut dyn FnMut(&VariantColumn, &str, &mut Json) -> Result<()>,
    ) -> Result<()> {
        if let Some(column) = self.column(node) {
            return visit(column, &path, value);
        }
        match &node.kind {
            // A null in a list wrapper's slot is its element's (a record being written
            // may give a required VARIANT element as null: the variant null).
            NodeKind::Group { children, .. } if node.is_transparent() => {
                self.slot(&children[0], value, path, visit)
            }
            _ if value.is_null() => Ok(()),
            NodeKind::Leaf { .. } => Ok(()),
            NodeKind::Group { children, .. } => {
                for child in children {
                    if let Some(slot) = value.get_mut(&child.name) {
                        self.slot(child, slot, format!("{path}.{}", child.name), visit)?;
                    }
                }
                Ok(())
            }
        }
    }
}
