//! arrow-rs's unshredding of a VARIANT column, the reference ours is checked against.
//!
//! arrow-rs reads a VARIANT group as a struct array; `parquet_variant_compute`'s
//! `unshred_variant` turns it into plain `metadata`/`value` binaries. [`ArrowUnshredder`]
//! does that once per array (a record batch's column, or the child array of a list) and
//! answers row by row, as [`crate::arrow_read`] walks the batch: each row becomes the
//! canonical slot of an unshredded group, `{"metadata", "value"}`, or null.

use std::cell::RefCell;

use arrow::array::{Array, ArrayRef, AsArray};
use arrow::datatypes::DataType;
use parquet::variant::{VariantArray, unshred_variant};
use serde_json::{Map, Value as Json};

use super::records::{RecordVariants, SlotVariant};
use super::value::{OwnedVariant, same_value};
use crate::record::{bytes_json, json_bytes};

/// Unshreds VARIANT struct arrays with arrow-rs, remembering the last array per column.
///
/// Arrays are told apart by address: an unshredder lives no longer than the record batch
/// it walks, whose arrays all outlive it, so an address names one array.
#[derive(Default)]
pub struct ArrowUnshredder {
    /// Per VARIANT column path: the address of the array last unshredded and its result.
    done: RefCell<Vec<(String, usize, VariantArray)>>,
}

impl ArrowUnshredder {
    /// Row `i` of the VARIANT column at `path` read as `array`, unshredded by arrow-rs, as
    /// `{"metadata", "value"}` (null for a null row).
    pub fn slot(&self, path: &str, array: &dyn Array, i: usize) -> Result<Json, String> {
        let address = array as *const dyn Array as *const u8 as usize;
        let mut done = self.done.borrow_mut();
        let position = done.iter().position(|(p, _, _)| p == path);
        let fresh = match position {
            Some(k) if done[k].1 == address => None,
            _ => Some(unshred_array(array)?),
        };
        let k = match (position, fresh) {
            (Some(k), None) => k,
            (Some(k), Some(unshredded)) => {
                done[k] = (path.to_string(), address, unshredded);
                k
            }
            (None, Some(unshredded)) => {
                done.push((path.to_string(), address, unshredded));
                done.len() - 1
            }
            (None, None) => unreachable!("a fresh array is unshredded"),
        };
        let unshredded = &done[k].2;
        if unshredded.is_null(i) {
            return Ok(Json::Null);
        }
        let metadata = binary(unshredded.metadata_column(), i)?;
        let value = binary(unshredded.value_column(), i)?;
        let mut slot = Map::with_capacity(2);
        slot.insert("metadata".into(), bytes_json(metadata));
        slot.insert("value".into(), bytes_json(value));
        Ok(Json::Object(slot))
    }
}

/// The variant of an unshredded slot as [`ArrowUnshredder::slot`] writes it.
pub fn slot_variant(slot: &Json) -> Option<OwnedVariant> {
    Some(OwnedVariant {
        metadata: json_bytes(slot.get("metadata")?)?,
        value: json_bytes(slot.get("value")?)?,
    })
}

fn unshred_array(array: &dyn Array) -> Result<VariantArray, String> {
    let variant = VariantArray::try_new(array)
        .map_err(|e| format!("arrow-rs does not read it as a variant: {e}"))?;
    unshred_variant(&variant).map_err(|e| format!("arrow-rs cannot unshred it: {e}"))
}

fn binary(array: &ArrayRef, i: usize) -> Result<&[u8], String> {
    if array.is_null(i) {
        return Ok(&[]);
    }
    Ok(match array.data_type() {
        DataType::BinaryView => array.as_binary_view().value(i),
        DataType::Binary => array.as_binary::<i32>().value(i),
        DataType::LargeBinary => array.as_binary::<i64>().value(i),
        other => return Err(format!("arrow-rs unshredded into {other}, not a binary")),
    })
}

/// Compares our variants of a record (`ours`, as [`RecordVariants::unshred`] gives them)
/// with arrow-rs's (`theirs`, the record [`crate::arrow_read::batch_to_unshredded_records`]
/// gives): the first slot whose values differ, described, or `None`.
pub fn first_difference(
    variants: &RecordVariants<'_>,
    ours: &[SlotVariant],
    theirs: &Json,
) -> Option<String> {
    let mut theirs = theirs.clone();
    let mut found = Vec::new();
    // Visiting cannot fail: the closure only reads.
    let _ = variants.each_slot(&mut theirs, &mut |_, slot, value| {
        found.push((slot.to_string(), slot_variant(value)));
        Ok(())
    });
    if found.len() != ours.len() {
        return Some(format!(
            "{} VARIANT values in our record, {} in arrow-rs's",
            ours.len(),
            found.len()
        ));
    }
    for (mine, (slot, other)) in ours.iter().zip(&found) {
        let same = match (&mine.variant, other) {
            (None, None) => true,
            (Some(a), Some(b)) => match (a.variant(), b.variant()) {
                (Ok(x), Ok(y)) => same_value(&x, &y),
                _ => false,
            },
            _ => false,
        };
        if !same {
            return Some(format!(
                "VARIANT {slot}: ours {}, arrow-rs {}",
                shown(mine.variant.as_ref()),
                shown(other.as_ref())
            ));
        }
    }
    None
}

/// A variant for a message: its JSON, or why it has none.
fn shown(variant: Option<&OwnedVariant>) -> String {
    match variant {
        None => "null (no value)".into(),
        Some(v) => match v.variant() {
            Ok(x) => match super::value::to_json(&x) {
                Ok(json) => format!("{json} ({})", super::value::type_name(&x)),
                Err(e) => e,
            },
            Err(e) => e,
        },
    }
}
