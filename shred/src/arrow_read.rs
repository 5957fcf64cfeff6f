//! Arrow record batches → canonical JSON records, guided by our schema model.
//!
//! arrow-rs's Parquet reader turns a file into Arrow arrays (structs, lists, maps,
//! dictionaries, typed primitives). To compare its records with ours, each array is walked
//! alongside the [`crate::schema::Node`] it was read from, producing exactly the canonical
//! form of [`crate::record`]: a list array is the array of a repeated node's occurrences, a
//! struct array an object, and a leaf value is converted back to its Parquet physical form
//! (dictionaries resolved, decimals to their unscaled integer or big-endian bytes, INT96
//! timestamps to nanoseconds, unsigned integers by value).
//!
//! [`batch_to_unshredded_records`] gives the same records with every VARIANT group
//! unshredded by arrow-rs ([`crate::variant::arrow`]): `{"metadata", "value"}` in its slot.

use arrow::array::{Array, ArrayRef, AsArray, RecordBatch, StructArray};
use arrow::datatypes::*;
use parquet::basic::{Repetition, Type as PhysicalType};
use serde_json::{Map, Value as Json};

use crate::error::{Error, Result};
use crate::record::{bytes_json, leaf_json};
use crate::schema::{Leaf, Node, NodeKind, Schema};
use crate::stripe::Values;
use crate::variant::VariantColumn;
use crate::variant::arrow::ArrowUnshredder;

/// Converts every row of `batch` (read from a file of `schema`) to a canonical record.
pub fn batch_to_records(schema: &Schema, batch: &RecordBatch) -> Result<Vec<Json>> {
    convert(
        Converter {
            schema,
            variants: None,
        },
        batch,
    )
}

/// As [`batch_to_records`], with every VARIANT group unshredded by arrow-rs.
pub fn batch_to_unshredded_records(schema: &Schema, batch: &RecordBatch) -> Result<Vec<Json>> {
    let paths = VariantColumn::find_all(schema)
        .into_iter()
        .map(|c| c.path)
        .collect();
    let converter = Converter {
        schema,
        variants: Some((paths, ArrowUnshredder::default())),
    };
    convert(converter, batch)
}

fn convert(converter: Converter<'_>, batch: &RecordBatch) -> Result<Vec<Json>> {
    let columns = top_level_arrays(converter.schema, batch, |_| true)?;
    (0..batch.num_rows())
        .map(|row| {
            let mut record = Map::with_capacity(columns.len());
            for (node, array) in &columns {
                record.insert(
                    node.name.clone(),
                    converter.slot(node, array.as_ref(), row)?,
                );
            }
            Ok(Json::Object(record))
        })
        .collect()
}

/// The arrays of `batch` for the top-level nodes of `schema` that `keep` keeps, their
/// dictionaries decoded; a node without its array is an error.
pub(crate) fn top_level_arrays<'s>(
    schema: &'s Schema,
    batch: &RecordBatch,
    keep: impl Fn(&Node) -> bool,
) -> Result<Vec<(&'s Node, ArrayRef)>> {
    schema
        .root()
        .children()
        .iter()
        .filter(|node| keep(node))
        .map(|node| {
            let array = batch
                .column_by_name(&node.name)
                .ok_or_else(|| Error::Input {
                    message: format!("arrow-rs batch has no column {}", node.name),
                })?;
            Ok((node, decode_dictionaries(array)?))
        })
        .collect()
}

/// Casts dictionary arrays (at any depth) to their value type.
fn decode_dictionaries(array: &ArrayRef) -> Result<ArrayRef> {
    fn unpack(dt: &DataType) -> DataType {
        match dt {
            DataType::Dictionary(_, value) => unpack(value),
            DataType::List(f) => DataType::List(unpack_field(f)),
            DataType::LargeList(f) => DataType::LargeList(unpack_field(f)),
            DataType::FixedSizeList(f, n) => DataType::FixedSizeList(unpack_field(f), *n),
            DataType::Struct(fields) => DataType::Struct(fields.iter().map(unpack_field).collect()),
            DataType::Map(f, sorted) => DataType::Map(unpack_field(f), *sorted),
            other => other.clone(),
        }
    }
    fn unpack_field(f: &FieldRef) -> FieldRef {
        std::sync::Arc::new(f.as_ref().clone().with_data_type(unpack(f.data_type())))
    }
    let target = unpack(array.data_type());
    if &target == array.data_type() {
        return Ok(array.clone());
    }
    arrow::compute::cast(array, &target).map_err(|e| Error::Input {
        message: format!("cannot decode dictionary array: {e}"),
    })
}

struct Converter<'a> {
    schema: &'a Schema,
    /// The VARIANT groups' paths and their unshredder, when they are unshredded.
    variants: Option<(Vec<String>, ArrowUnshredder)>,
}

impl Converter<'_> {
    fn slot(&self, node: &Node, array: &dyn Array, i: usize) -> Result<Json> {
        match node.repetition {
            Repetition::REPEATED => {
                if array.is_null(i) {
                    return Ok(Json::Array(Vec::new()));
                }
                let (values, range) = list_items(array, i, &node.path)?;
                range
                    .map(|j| self.present(node, values, j))
                    .collect::<Result<_>>()
                    .map(Json::Array)
            }
            _ if array.is_null(i) => Ok(Json::Null),
            _ => self.present(node, array, i),
        }
    }

    fn present(&self, node: &Node, array: &dyn Array, i: usize) -> Result<Json> {
        if let Some((paths, unshredder)) = &self.variants
            && paths.contains(&node.path)
        {
            return unshredder
                .slot(&node.path, array, i)
                .map_err(|e| Error::Input {
                    message: format!("{}: {e}", node.path),
                });
        }
        match &node.kind {
            NodeKind::Leaf { leaf } => leaf_value(&self.schema.leaves()[*leaf], array, i),
            NodeKind::Group { children, .. } if node.is_transparent() => {
                self.slot(&children[0], array, i)
            }
            NodeKind::Group { children, .. } => {
                let Some(fields) = array.as_struct_opt() else {
                    // arrow-rs reads a MAP's key/value group without a value field as a
                    // list of its keys: the group's only child's array stands for it.
                    if let [child] = children.as_slice() {
                        let mut out = Map::with_capacity(1);
                        out.insert(child.name.clone(), self.slot(child, array, i)?);
                        return Ok(Json::Object(out));
                    }
                    return Err(unsupported(&node.path, array.data_type(), "a struct"));
                };
                let mut out = Map::with_capacity(children.len());
                for child in children {
                    let column = struct_field(fields, node, child)?;
                    out.insert(child.name.clone(), self.slot(child, column, i)?);
                }
                Ok(Json::Object(out))
            }
        }
    }
}

/// The array of `child` in the struct array `fields` read for the group `node`.
pub(crate) fn struct_field<'b>(
    fields: &'b StructArray,
    node: &Node,
    child: &Node,
) -> Result<&'b dyn Array> {
    fields
        .column_by_name(&child.name)
        .map(|column| column.as_ref())
        .ok_or_else(|| Error::Input {
            message: format!("{}: arrow-rs struct has no field {}", node.path, child.name),
        })
}

/// The child values and the index range of list element `i`.
pub(crate) fn list_items<'b>(
    array: &'b dyn Array,
    i: usize,
    path: &str,
) -> Result<(&'b dyn Array, std::ops::Range<usize>)> {
    let list = ListArray::of(array, path)?;
    Ok((list.values, list.range(i)))
}

/// A list-like array: its elements' array and where each list's elements are.
pub(crate) struct ListArray<'b> {
    /// The elements of every list.
    pub(crate) values: &'b dyn Array,
    offsets: Offsets<'b>,
}

enum Offsets<'b> {
    Small(&'b [i32]),
    Large(&'b [i64]),
    Fixed(usize),
}

impl<'b> ListArray<'b> {
    /// `array` as a list (a list, large list, map or fixed-size list array).
    pub(crate) fn of(array: &'b dyn Array, path: &str) -> Result<Self> {
        let (values, offsets) = if let Some(list) = array.as_list_opt::<i32>() {
            (list.values().as_ref(), Offsets::Small(list.value_offsets()))
        } else if let Some(list) = array.as_list_opt::<i64>() {
            (list.values().as_ref(), Offsets::Large(list.value_offsets()))
        } else if let Some(map) = array.as_map_opt() {
            (
                map.entries() as &dyn Array,
                Offsets::Small(map.value_offsets()),
            )
        } else if let Some(list) = array.as_fixed_size_list_opt() {
            let n = list.value_length() as usize;
            (list.values().as_ref(), Offsets::Fixed(n))
        } else {
            return Err(unsupported(path, array.data_type(), "a list"));
        };
        Ok(ListArray { values, offsets })
    }

    /// The element indexes of list `i`.
    #[inline]
    pub(crate) fn range(&self, i: usize) -> std::ops::Range<usize> {
        match self.offsets {
            Offsets::Small(o) => o[i] as usize..o[i + 1] as usize,
            Offsets::Large(o) => o[i] as usize..o[i + 1] as usize,
            Offsets::Fixed(n) => i * n..(i + 1) * n,
        }
    }
}

fn unsupported(path: &str, data_type: &DataType, expected: &str) -> Error {
    Error::Input {
        message: format!("{path}: arrow-rs gave {data_type}, expected {expected}"),
    }
}

/// Big-endian two's complement bytes of `v`, `len` bytes long.
fn decimal_bytes(v: i128, len: usize) -> Vec<u8> {
    let full = v.to_be_bytes();
    if len <= 16 {
        full[16 - len..].to_vec()
    } else {
        let fill = if v < 0 { 0xff } else { 0 };
        let mut out = vec![fill; len - 16];
        out.extend_from_slice(&full);
        out
    }
}

/// One non-null leaf value in canonical JSON.
pub(crate) fn leaf_value(leaf: &Leaf, array: &dyn Array, i: usize) -> Result<Json> {
    let physical = leaf.physical();
    let int = |v: i64| -> Json {
        // Route through the leaf's own conversion so unsigned columns print the same way.
        match physical {
            PhysicalType::INT32 => leaf_json(leaf, &Values::Int32(vec![v as i32]), 0),
            _ => leaf_json(leaf, &Values::Int64(vec![v]), 0),
        }
    };
    let fixed_len = leaf.descr.type_length().max(0) as usize;
    let decimal = |v: i128| -> Json {
        match physical {
            PhysicalType::INT32 | PhysicalType::INT64 => int(v as i64),
            PhysicalType::FIXED_LEN_BYTE_ARRAY => bytes_json(&decimal_bytes(v, fixed_len)),
            _ => {
                // BYTE_ARRAY decimals: the minimal two's complement form.
                let mut len = 16;
                let b = v.to_be_bytes();
                while len > 1
                    && ((b[16 - len] == 0 && b[17 - len] & 0x80 == 0)
                        || (b[16 - len] == 0xff && b[17 - len] & 0x80 != 0))
                {
                    len -= 1;
                }
                bytes_json(&decimal_bytes(v, len))
            }
        }
    };
    let value = match array.data_type() {
        DataType::Boolean => Json::Bool(array.as_boolean().value(i)),
        DataType::Int8 => int(array.as_primitive::<Int8Type>().value(i) as i64),
        DataType::Int16 => int(array.as_primitive::<Int16Type>().value(i) as i64),
        DataType::Int32 => int(array.as_primitive::<Int32Type>().value(i) as i64),
        DataType::Int64 => int(array.as_primitive::<Int64Type>().value(i)),
        DataType::UInt8 => int(array.as_primitive::<UInt8Type>().value(i) as i64),
        DataType::UInt16 => int(array.as_primitive::<UInt16Type>().value(i) as i64),
        DataType::UInt32 => int(array.as_primitive::<UInt32Type>().value(i) as i64),
        DataType::UInt64 => int(array.as_primitive::<UInt64Type>().value(i) as i64),
        DataType::Float16 => {
            bytes_json(&array.as_primitive::<Float16Type>().value(i).to_le_bytes())
        }
        DataType::Float32 => leaf_json(
            leaf,
            &Values::Float(vec![array.as_primitive::<Float32Type>().value(i)]),
            0,
        ),
        DataType::Float64 => leaf_json(
            leaf,
            &Values::Double(vec![array.as_primitive::<Float64Type>().value(i)]),
            0,
        ),
        DataType::Date32 => int(array.as_primitive::<Date32Type>().value(i) as i64),
        DataType::Date64 => int(array.as_primitive::<Date64Type>().value(i) / 86_400_000),
        DataType::Time32(TimeUnit::Second) => {
            int(array.as_primitive::<Time32SecondType>().value(i) as i64)
        }
        DataType::Time32(_) => int(array.as_primitive::<Time32MillisecondType>().value(i) as i64),
        DataType::Time64(TimeUnit::Microsecond) => {
            int(array.as_primitive::<Time64MicrosecondType>().value(i))
        }
        DataType::Time64(_) => int(array.as_primitive::<Time64NanosecondType>().value(i)),
        DataType::Timestamp(unit, _) => {
            let v = match unit {
                TimeUnit::Second => array.as_primitive::<TimestampSecondType>().value(i),
                TimeUnit::Millisecond => array.as_primitive::<TimestampMillisecondType>().value(i),
                TimeUnit::Microsecond => array.as_primitive::<TimestampMicrosecondType>().value(i),
                TimeUnit::Nanosecond => array.as_primitive::<TimestampNanosecondType>().value(i),
            };
            int(v)
        }
        DataType::Decimal32(_, _) => {
            decimal(array.as_primitive::<Decimal32Type>().value(i) as i128)
        }
        DataType::Decimal64(_, _) => {
            decimal(array.as_primitive::<Decimal64Type>().value(i) as i128)
        }
        DataType::Decimal128(_, _) => decimal(array.as_primitive::<Decimal128Type>().value(i)),
        DataType::Utf8 => Json::from(array.as_string::<i32>().value(i)),
        DataType::LargeUtf8 => Json::from(array.as_string::<i64>().value(i)),
        DataType::Utf8View => Json::from(array.as_string_view().value(i)),
        DataType::Binary => bytes_json(array.as_binary::<i32>().value(i)),
        DataType::LargeBinary => bytes_json(array.as_binary::<i64>().value(i)),
        DataType::BinaryView => bytes_json(array.as_binary_view().value(i)),
        DataType::FixedSizeBinary(_) => bytes_json(array.as_fixed_size_binary().value(i)),
        other => return Err(unsupported(&leaf.path, other, "a primitive value")),
    };
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_bytes_sign_extend() {
        assert_eq!(decimal_bytes(-2, 3), vec![0xff, 0xff, 0xfe]);
        assert_eq!(decimal_bytes(258, 2), vec![1, 2]);
        assert_eq!(decimal_bytes(-1, 17)[0], 0xff);
    }
}
