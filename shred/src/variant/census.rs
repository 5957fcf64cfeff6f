//! The states of a VARIANT column's paths, counted record by record.
//!
//! Every `value`/`typed_value` pair of a shredded VARIANT (`VariantShredding.md`, "Value
//! Shredding") is in one of four states per occurrence: missing (both null), value only,
//! typed only, or a partially shredded object (both set). A [`Census`] counts them per
//! pair of the layout (`$`, `$.a`, `$.tags[*]`: an array's element pair counts every
//! element) from the canonical records the assembler gives, one record at a time, so its
//! memory is the layout's size whatever the file's. It also counts the layouts the spec
//! says writers must not produce, each with the first record that has it:
//!
//! - `value` and `typed_value` both set where `typed_value` is not an object;
//! - a `value` that is not an object next to a shredded object;
//! - a shredded key that is also in `value`, or an object in `value` while the shredded
//!   object is null;
//! - a `value` binary that does not decode.

use parquet::variant::{Variant, VariantMetadata};
use serde::Serialize;
use serde_json::Value as Json;

use super::layout::{Shredded, Typed, VariantColumn};
use crate::record::json_bytes;

/// One VARIANT column's counts.
#[derive(Debug, Clone, Serialize)]
pub struct Census {
    /// Schema path of the VARIANT group.
    pub column: String,
    /// Records seen.
    pub records: u64,
    /// Records (or list elements, for a VARIANT inside a list) whose group is null.
    pub null: u64,
    /// Per `value`/`typed_value` pair, in layout order (depth first).
    pub paths: Vec<PathCensus>,
}

/// One `value`/`typed_value` pair's counts.
#[derive(Debug, Clone, Serialize)]
pub struct PathCensus {
    /// The path inside the variant: `$`, `$.a.b`, `$.tags[*]`.
    pub path: String,
    /// Schema path of the group holding the pair.
    pub schema_path: String,
    /// The shredded type of `typed_value` (`int64`, `object`, `array`), absent when the
    /// pair has no `typed_value` column.
    pub typed_value: Option<String>,
    /// Both null.
    pub missing: u64,
    /// Only `value` set.
    pub value_only: u64,
    /// Only `typed_value` set.
    pub typed_only: u64,
    /// Both set: a partially shredded object.
    pub partially_shredded: u64,
    /// Layouts the spec forbids, by kind.
    pub forbidden: Vec<Forbidden>,
}

/// A layout the spec forbids, how often, and where first.
#[derive(Debug, Clone, Serialize)]
pub struct Forbidden {
    /// What is wrong.
    pub kind: String,
    /// Occurrences.
    pub count: u64,
    /// The first record with it.
    pub first_record: u64,
}

impl Census {
    /// An empty census of `column`; the layout must be valid (`column.shredding` is `Ok`).
    pub fn new(column: &VariantColumn, shredded: &Shredded) -> Self {
        let mut paths = Vec::new();
        layout_paths(shredded, "$".into(), &mut paths);
        Census {
            column: column.path.clone(),
            records: 0,
            null: 0,
            paths,
        }
    }

    /// Counts the VARIANT group `slot` (its canonical record value) of record `record`.
    pub fn add(&mut self, shredded: &Shredded, slot: &Json, record: u64) {
        if slot.is_null() {
            self.null += 1;
            return;
        }
        let metadata = slot
            .get("metadata")
            .and_then(json_bytes)
            .unwrap_or_default();
        let Ok(metadata) = VariantMetadata::try_new(&metadata) else {
            self.paths[0].forbid("corrupt metadata binary", record);
            return;
        };
        let mut next = 0;
        self.pair(shredded, slot, &metadata, record, &mut next);
    }

    /// Counts one more record.
    pub fn count_record(&mut self) {
        self.records += 1;
    }

    /// Counts one occurrence of the pair at `paths[*next]` (its sub-pairs follow it).
    fn pair(
        &mut self,
        shredded: &Shredded,
        slot: &Json,
        metadata: &VariantMetadata<'_>,
        record: u64,
        next: &mut usize,
    ) {
        let here = *next;
        *next += 1;
        let value = slot.get("value").filter(|v| !v.is_null());
        let typed = slot.get("typed_value").filter(|v| !v.is_null());
        let bytes = value.and_then(json_bytes);
        let decoded = match &bytes {
            Some(b) => match Variant::try_new_with_metadata(metadata.clone(), b) {
                Ok(v) => Some(v),
                Err(_) => {
                    self.paths[here].forbid("corrupt value binary", record);
                    None
                }
            },
            None => None,
        };
        let entry = &mut self.paths[here];
        match (value.is_some(), typed.is_some()) {
            (false, false) => entry.missing += 1,
            (true, false) => entry.value_only += 1,
            (false, true) => entry.typed_only += 1,
            (true, true) => entry.partially_shredded += 1,
        }
        match (&shredded.typed, typed) {
            (Some(Typed::Object { fields }), typed) => {
                if let Some(Variant::Object(object)) = &decoded {
                    if let Some(f) = fields.iter().find(|f| object.get(&f.name).is_some()) {
                        let kind = format!("shredded key {} also in value", f.name);
                        self.paths[here].forbid(&kind, record);
                    } else if typed.is_none() {
                        self.paths[here]
                            .forbid("object in value while typed_value is null", record);
                    }
                } else if decoded.is_some() && typed.is_some() {
                    self.paths[here]
                        .forbid("value is not an object next to a shredded object", record);
                }
                let start = *next;
                for field in fields {
                    match typed.and_then(|t| t.get(&field.name)) {
                        Some(field_slot) => {
                            self.pair(&field.shredded, field_slot, metadata, record, next);
                        }
                        None => skip(&field.shredded, next),
                    }
                }
                debug_assert!(*next > start || fields.is_empty());
            }
            (Some(Typed::Array { element }), typed) => {
                if value.is_some() && typed.is_some() {
                    self.paths[here].forbid("value and typed_value both set for an array", record);
                }
                let start = *next;
                let mut end = start;
                skip(element, &mut end);
                if let Some(Json::Array(items)) = typed {
                    for item in items {
                        let mut at = start;
                        self.pair(element, item, metadata, record, &mut at);
                    }
                }
                *next = end;
            }
            (Some(Typed::Primitive { .. }), Some(_)) if value.is_some() => {
                self.paths[here].forbid("value and typed_value both set for a primitive", record);
            }
            _ => {}
        }
    }
}

impl PathCensus {
    fn forbid(&mut self, kind: &str, record: u64) {
        match self.forbidden.iter_mut().find(|f| f.kind == kind) {
            Some(f) => f.count += 1,
            None => self.forbidden.push(Forbidden {
                kind: kind.to_string(),
                count: 1,
                first_record: record,
            }),
        }
    }

    /// Occurrences of forbidden layouts at this path.
    pub fn forbidden_count(&self) -> u64 {
        self.forbidden.iter().map(|f| f.count).sum()
    }
}

/// The pairs of a layout, depth first, with their variant paths.
fn layout_paths(shredded: &Shredded, path: String, out: &mut Vec<PathCensus>) {
    out.push(PathCensus {
        path: path.clone(),
        schema_path: shredded.path.clone(),
        typed_value: shredded.typed.as_ref().map(|t| t.type_name().to_string()),
        missing: 0,
        value_only: 0,
        typed_only: 0,
        partially_shredded: 0,
        forbidden: Vec::new(),
    });
    match &shredded.typed {
        Some(Typed::Object { fields }) => {
            for field in fields {
                layout_paths(&field.shredded, format!("{path}.{}", field.name), out);
            }
        }
        Some(Typed::Array { element }) => layout_paths(element, format!("{path}[*]"), out),
        _ => {}
    }
}

/// Moves `next` past the pairs of `shredded` (a field whose group is absent).
fn skip(shredded: &Shredded, next: &mut usize) {
    *next += 1;
    match &shredded.typed {
        Some(Typed::Object { fields }) => fields.iter().for_each(|f| skip(&f.shredded, next)),
        Some(Typed::Array { element }) => skip(element, next),
        _ => {}
    }
}
