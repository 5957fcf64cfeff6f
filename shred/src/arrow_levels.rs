//! arrow-rs's record batch as Dremel levels, one leaf column at a time.
//!
//! A leaf column of a batch of records is, in Dremel's terms (Melnik et al., VLDB 2010,
//! §4.1), the sequence of its entries `(r, d, value)` in document order: every occurrence
//! of the leaf gives one entry at the maximum definition level, and a null optional field
//! or an empty repeated field gives one entry, at the definition level of its parent, to
//! every leaf below it. [`ArrowLevels::new`] computes those sequences from the Arrow arrays
//! arrow-rs's `ParquetRecordBatchReader` produced, with the rules [`crate::arrow_entries`]
//! walks a record by, but a node at a time over the whole batch instead of a record at a
//! time: each node gets the ordered list of its slots in the batch (present at an index of
//! its array with the repetition level of its first entry, or absent with the levels every
//! leaf below it gets), and hands its children theirs. A list array turns a present slot
//! into one slot per element (the first keeping the slot's repetition level, the others
//! taking the node's), a null or empty one into an absent slot; a struct array passes its
//! slots to each field's array; a LIST or MAP annotation's middle group is transparent.
//!
//! A leaf's values stay in their array: [`LeafLevels::values`] holds the index of each
//! entry's value in [`LeafLevels::array`], and [`LeafLevels::first_difference`] compares
//! the whole column with a [`Stripe`] of ours: levels as slices, values with one type
//! dispatch per column (dictionary arrays through their keys), so a batch costs a few
//! instructions per entry. Since the FSM reads every column in order, a record's entries
//! in the FSM's order ([`crate::assembler::Assembler::next_record_entries`]) are equal to
//! arrow-rs's walk of the record exactly when every column's entries are equal.
//!
//! ```
//! use std::sync::Arc;
//! use arrow::array::{ArrayRef, Int64Array, RecordBatch};
//! use shred::{Schema, arrow_levels::ArrowLevels};
//! let schema = Schema::parse("message m { optional int64 a; }").unwrap();
//! let a: ArrayRef = Arc::new(Int64Array::from(vec![Some(7), None, Some(9)]));
//! let batch = RecordBatch::try_from_iter([("a", a)]).unwrap();
//! let levels = ArrowLevels::new(&schema, &batch, &[true]).unwrap();
//! let a = levels.leaf(0).unwrap();
//! assert_eq!((a.rep.as_slice(), a.def.as_slice()), (&[0, 0, 0][..], &[1, 0, 1][..]));
//! assert_eq!(a.values, vec![0, 2]);
//! ```

use arrow::array::{
    Array, AsArray, GenericBinaryArray, GenericStringArray, OffsetSizeTrait, RecordBatch,
};
use arrow::buffer::NullBuffer;
use arrow::datatypes::*;
use parquet::basic::Repetition;

use crate::arrow_entries::same_value;
use crate::arrow_read::{ListArray, struct_field};
use crate::error::{Error, Result};
use crate::schema::{Leaf, Node, NodeKind, Schema};
use crate::stripe::{ByteValues, Stripe, Values};

/// One leaf column of a batch: its entries' levels and where their values are.
pub struct LeafLevels<'b> {
    /// Repetition level of every entry.
    pub rep: Vec<i16>,
    /// Definition level of every entry.
    pub def: Vec<i16>,
    /// The array holding the leaf's values (`None` when no slot reached the leaf).
    pub array: Option<&'b dyn Array>,
    /// For every entry at the maximum definition level, in order: its value's index in
    /// [`LeafLevels::array`].
    pub values: Vec<usize>,
}

/// Every selected leaf column of one arrow-rs record batch, as levels.
pub struct ArrowLevels<'b> {
    /// Indexed by leaf column; `None` for the leaves not selected.
    leaves: Vec<Option<LeafLevels<'b>>>,
}

/// Where a node stands in one of its parent's slots.
#[derive(Debug, Clone, Copy)]
enum Slot {
    /// Present: element `index` of the node's array; its first entry has repetition
    /// level `rep`.
    At { index: usize, rep: i16 },
    /// Absent (null, or an ancestor is): one entry `(rep, def)` for every leaf below.
    Absent { rep: i16, def: i16 },
}

impl<'b> ArrowLevels<'b> {
    /// The levels of the leaves `selected` (indexed by leaf column) in `batch`, read from
    /// a file of `schema` with that projection.
    pub fn new(schema: &Schema, batch: &'b RecordBatch, selected: &[bool]) -> Result<Self> {
        let mut walk = Walk {
            schema,
            selected,
            all: !selected.contains(&false),
            leaves: (0..schema.leaves().len()).map(|_| None).collect(),
        };
        let rows: Vec<Slot> = (0..batch.num_rows())
            .map(|index| Slot::At { index, rep: 0 })
            .collect();
        for node in schema.root().children() {
            if !selected[node.leaf_range()].contains(&true) {
                continue;
            }
            let array = batch
                .column_by_name(&node.name)
                .ok_or_else(|| Error::Input {
                    message: format!("arrow-rs batch has no column {}", node.name),
                })?;
            walk.slot(node, array.as_ref(), &rows)?;
        }
        Ok(ArrowLevels {
            leaves: walk.leaves,
        })
    }

    /// The levels of leaf column `leaf`; `None` when it was not selected.
    pub fn leaf(&self, leaf: usize) -> Option<&LeafLevels<'b>> {
        self.leaves.get(leaf).and_then(Option::as_ref)
    }
}

/// The walk of one batch: the schema, the projection and the levels so far.
struct Walk<'s, 'b> {
    schema: &'s Schema,
    selected: &'s [bool],
    all: bool,
    leaves: Vec<Option<LeafLevels<'b>>>,
}

impl<'b> Walk<'_, 'b> {
    /// Node `node` in its parent's slots `parents`, its values in `array`.
    fn slot(&mut self, node: &Node, array: &'b dyn Array, parents: &[Slot]) -> Result<()> {
        let absent = node.def - 1;
        let nulls = array.nulls();
        let is_null = |i: usize| nulls.is_some_and(|n: &NullBuffer| n.is_null(i));
        if node.repetition == Repetition::REPEATED {
            let list = ListArray::of(array, &node.path)?;
            let mut slots = Vec::with_capacity(list.values.len().max(parents.len()));
            for &slot in parents {
                match slot {
                    Slot::At { index, rep } => {
                        let range = list.range(index);
                        if is_null(index) || range.is_empty() {
                            slots.push(Slot::Absent { rep, def: absent });
                            continue;
                        }
                        slots.push(Slot::At {
                            index: range.start,
                            rep,
                        });
                        slots.extend((range.start + 1..range.end).map(|index| Slot::At {
                            index,
                            rep: node.rep,
                        }));
                    }
                    absent @ Slot::Absent { .. } => slots.push(absent),
                }
            }
            return self.present(node, list.values, &slots);
        }
        if nulls.is_none() {
            return self.present(node, array, parents);
        }
        if let NodeKind::Leaf { leaf } = node.kind {
            // A leaf's nulls are taken as its entries are made.
            self.leaf(leaf, array, parents, nulls, absent);
            return Ok(());
        }
        let slots: Vec<Slot> = parents
            .iter()
            .map(|&slot| match slot {
                Slot::At { index, rep } if is_null(index) => Slot::Absent { rep, def: absent },
                other => other,
            })
            .collect();
        self.present(node, array, &slots)
    }

    /// The entries of leaf column `leaf` in `slots`, its values in `array`; an element
    /// that `nulls` says is null is absent, at definition level `absent`.
    fn leaf(
        &mut self,
        leaf: usize,
        array: &'b dyn Array,
        slots: &[Slot],
        nulls: Option<&NullBuffer>,
        absent: i16,
    ) {
        let max_def = self.schema.leaves()[leaf].max_def;
        let out = self.leaves[leaf].get_or_insert_with(|| LeafLevels {
            rep: Vec::with_capacity(slots.len()),
            def: Vec::with_capacity(slots.len()),
            array: None,
            values: Vec::with_capacity(slots.len()),
        });
        out.array = Some(array);
        for &slot in slots {
            match slot {
                Slot::At { index, rep } if !nulls.is_some_and(|n| n.is_null(index)) => {
                    out.rep.push(rep);
                    out.def.push(max_def);
                    out.values.push(index);
                }
                Slot::At { rep, .. } => {
                    out.rep.push(rep);
                    out.def.push(absent);
                }
                Slot::Absent { rep, def } => {
                    out.rep.push(rep);
                    out.def.push(def);
                }
            }
        }
    }

    /// Node `node` where it is present in `slots`, its values in `array`.
    fn present(&mut self, node: &Node, array: &'b dyn Array, slots: &[Slot]) -> Result<()> {
        match &node.kind {
            NodeKind::Leaf { leaf } => {
                self.leaf(*leaf, array, slots, None, 0);
                Ok(())
            }
            NodeKind::Group { children, .. } if node.is_transparent() => {
                self.slot(&children[0], array, slots)
            }
            NodeKind::Group { children, .. } => {
                let Some(fields) = array.as_struct_opt() else {
                    // arrow-rs reads a MAP's key/value group without a value field as a
                    // list of its keys: the group's only child's array stands for it.
                    if let [child] = children.as_slice() {
                        return self.slot(child, array, slots);
                    }
                    return Err(Error::Input {
                        message: format!(
                            "{}: arrow-rs gave {}, expected a struct",
                            node.path,
                            array.data_type()
                        ),
                    });
                };
                for child in children {
                    if !self.all && !self.selected[child.leaf_range()].contains(&true) {
                        continue;
                    }
                    let column = struct_field(fields, node, child)?;
                    self.slot(child, column, slots)?;
                }
                Ok(())
            }
        }
    }
}

/// Where a stripe of ours and arrow-rs's levels of the same column first differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnDifference {
    /// The first entry that differs (in levels, or in its value); the shorter side's
    /// length when one is a prefix of the other.
    pub entry: usize,
}

impl LeafLevels<'_> {
    /// The first entry where `stripe` (our column `leaf`) and these levels differ, in
    /// repetition level, definition level or value; `None` when they are equal.
    pub fn first_difference(
        &self,
        leaf: &Leaf,
        stripe: &Stripe,
    ) -> Result<Option<ColumnDifference>> {
        let levels = first_unequal(&stripe.rep, &self.rep)
            .into_iter()
            .chain(first_unequal(&stripe.def, &self.def))
            .min();
        if let Some(entry) = levels {
            return Ok(Some(ColumnDifference { entry }));
        }
        // Equal levels: equally many values on both sides.
        let value = match self.array {
            None => None,
            Some(array) => first_unequal_value(leaf, &stripe.values, array, &self.values)?,
        };
        Ok(value.map(|v| ColumnDifference {
            entry: stripe
                .def
                .iter()
                .enumerate()
                .filter(|&(_, &d)| d == leaf.max_def)
                .nth(v)
                .map_or(stripe.def.len(), |(entry, _)| entry),
        }))
    }
}

/// The first index where `a` and `b` differ (the shorter length when one is a prefix of
/// the other).
fn first_unequal(a: &[i16], b: &[i16]) -> Option<usize> {
    if a == b {
        return None;
    }
    Some(
        a.iter()
            .zip(b)
            .position(|(x, y)| x != y)
            .unwrap_or(a.len().min(b.len())),
    )
}

/// The first `i` where value `i` of `ours` is not value `index[i]` of `array` (in the
/// physical form both stand for, as [`same_value`] compares them).
fn first_unequal_value(
    leaf: &Leaf,
    ours: &Values,
    array: &dyn Array,
    index: &[usize],
) -> Result<Option<usize>> {
    if ours.len() != index.len() {
        return Ok(Some(ours.len().min(index.len())));
    }
    fn position<T: PartialEq>(
        ours: &[T],
        index: &[usize],
        theirs: impl Fn(usize) -> T,
    ) -> Option<usize> {
        ours.iter().zip(index).position(|(v, &j)| *v != theirs(j))
    }
    fn bytes<'t>(
        ours: &ByteValues,
        index: &[usize],
        theirs: impl Fn(usize) -> &'t [u8],
    ) -> Option<usize> {
        index
            .iter()
            .enumerate()
            .position(|(i, &j)| ours.get(i) != theirs(j))
    }
    fn strings<O: OffsetSizeTrait>(
        ours: &ByteValues,
        index: &[usize],
        a: &GenericStringArray<O>,
    ) -> Option<usize> {
        bytes(ours, index, |j| a.value(j).as_bytes())
    }
    fn binaries<O: OffsetSizeTrait>(
        ours: &ByteValues,
        index: &[usize],
        a: &GenericBinaryArray<O>,
    ) -> Option<usize> {
        bytes(ours, index, |j| a.value(j))
    }
    if let Some(dictionary) = array.as_any_dictionary_opt() {
        // Value `j` is value `keys[j]` of the dictionary.
        let keys = dictionary.normalized_keys();
        let index: Vec<usize> = index.iter().map(|&j| keys[j]).collect();
        return first_unequal_value(leaf, ours, dictionary.values().as_ref(), &index);
    }
    Ok(match (ours, array.data_type()) {
        (Values::Boolean(v), DataType::Boolean) => {
            let a = array.as_boolean();
            position(v, index, |j| a.value(j))
        }
        (Values::Int32(v), DataType::Int32) => {
            let a = array.as_primitive::<Int32Type>().values();
            position(v, index, |j| a[j])
        }
        (Values::Int32(v), DataType::Date32) => {
            let a = array.as_primitive::<Date32Type>().values();
            position(v, index, |j| a[j])
        }
        (Values::Int64(v), DataType::Int64) => {
            let a = array.as_primitive::<Int64Type>().values();
            position(v, index, |j| a[j])
        }
        (Values::Float(v), DataType::Float32) => {
            let a = array.as_primitive::<Float32Type>().values();
            v.iter()
                .zip(index)
                .position(|(v, &j)| v.to_bits() != a[j].to_bits())
        }
        (Values::Double(v), DataType::Float64) => {
            let a = array.as_primitive::<Float64Type>().values();
            v.iter()
                .zip(index)
                .position(|(v, &j)| v.to_bits() != a[j].to_bits())
        }
        (Values::ByteArray(v), DataType::Utf8) => strings(v, index, array.as_string::<i32>()),
        (Values::ByteArray(v), DataType::LargeUtf8) => strings(v, index, array.as_string::<i64>()),
        (Values::ByteArray(v), DataType::Utf8View) => {
            let a = array.as_string_view();
            bytes(v, index, |j| a.value(j).as_bytes())
        }
        (Values::ByteArray(v), DataType::Binary) => binaries(v, index, array.as_binary::<i32>()),
        (Values::ByteArray(v), DataType::LargeBinary) => {
            binaries(v, index, array.as_binary::<i64>())
        }
        (Values::ByteArray(v), DataType::BinaryView) => {
            let a = array.as_binary_view();
            bytes(v, index, |j| a.value(j))
        }
        (Values::FixedLenByteArray(v), DataType::FixedSizeBinary(_)) => {
            let a = array.as_fixed_size_binary();
            bytes(v, index, |j| a.value(j))
        }
        _ => {
            for (i, &j) in index.iter().enumerate() {
                if !same_value(leaf, ours, i, array, j)? {
                    return Ok(Some(i));
                }
            }
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assembler::{Assembler, EntryRead};
    use crate::fixtures;
    use crate::shredder::shred_records;
    use serde_json::json;

    /// arrow-rs's levels of every column equal the stripes they were written from, and
    /// arrow-rs's walk of each record (`crate::arrow_entries`) gives the FSM's entries.
    fn same_levels(schema_text: &str, records: &[serde_json::Value]) {
        let schema = Schema::parse(schema_text).unwrap();
        let stripes = shred_records(&schema, records).unwrap();
        let batch = fixtures::arrow_batch(&schema, &stripes);
        let selected = vec![true; schema.leaves().len()];
        let levels = ArrowLevels::new(&schema, &batch, &selected).unwrap();
        for (l, stripe) in stripes.iter().enumerate() {
            let theirs = levels.leaf(l).unwrap();
            assert_eq!(
                (&theirs.rep, &theirs.def),
                (&stripe.rep, &stripe.def),
                "{l}"
            );
            assert_eq!(theirs.values.len(), stripe.values.len(), "{l}");
            let leaf = &schema.leaves()[l];
            assert_eq!(theirs.first_difference(leaf, stripe).unwrap(), None, "{l}");
        }
        // The FSM reads each column in order: its entries, filtered by column, are the
        // column's entries.
        let mut assembler = Assembler::all(&schema, &stripes);
        let fields = assembler.fsm().fields.clone();
        let mut reads: Vec<EntryRead> = Vec::new();
        let mut next = vec![0; stripes.len()];
        while assembler.next_record_entries(&mut reads).unwrap() {
            for read in &reads {
                let l = fields[read.field];
                assert_eq!(read.entry, next[l]);
                next[l] += 1;
            }
        }
    }

    #[test]
    fn dremel_document() {
        same_levels(fixtures::DOCUMENT_SCHEMA, &fixtures::document_records());
    }

    #[test]
    fn contacts_in_every_state() {
        let records = fixtures::contact_records_in_every_state();
        same_levels(crate::contact::CONTACT_SCHEMA, &records);
    }

    #[test]
    fn nested_lists_and_maps() {
        same_levels(fixtures::NESTED_SCHEMA, &fixtures::nested_records());
    }

    #[test]
    fn projection_computes_only_the_selected_leaves() {
        let schema = Schema::parse(fixtures::DOCUMENT_SCHEMA).unwrap();
        let stripes = shred_records(&schema, &fixtures::document_records()).unwrap();
        let batch = fixtures::arrow_batch(&schema, &stripes);
        let mut selected = vec![false; schema.leaves().len()];
        selected[4] = true;
        let levels = ArrowLevels::new(&schema, &batch, &selected).unwrap();
        assert!(levels.leaf(0).is_none());
        let country = levels.leaf(4).unwrap();
        // Name.Language.Country (Dremel's Figure 3): r 0 2 1 1 0, d 3 2 1 3 1.
        assert_eq!(country.rep, vec![0, 2, 1, 1, 0]);
        assert_eq!(country.def, vec![3, 2, 1, 3, 1]);
    }

    #[test]
    fn first_difference_names_the_entry() {
        let schema = Schema::parse(crate::contact::CONTACT_SCHEMA).unwrap();
        let theirs = [json!({"name": "a", "phones": [{"number": "1"}, {"number": "3"}]})];
        let batch = fixtures::arrow_batch(&schema, &shred_records(&schema, &theirs).unwrap());
        let selected = vec![true; schema.leaves().len()];
        let levels = ArrowLevels::new(&schema, &batch, &selected).unwrap();
        let number = schema.leaf_index("phones.list.item.number").unwrap();
        let leaf = &schema.leaves()[number];
        let theirs = levels.leaf(number).unwrap();
        let differs = |ours: serde_json::Value| {
            let stripes = shred_records(&schema, &[ours]).unwrap();
            theirs.first_difference(leaf, &stripes[number]).unwrap()
        };
        let at = |entry| Some(ColumnDifference { entry });
        // A different value, a null item, a missing item.
        assert_eq!(
            differs(json!({"name": "a", "phones": [{"number": "1"}, {"number": "2"}]})),
            at(1)
        );
        assert_eq!(
            differs(json!({"name": "a", "phones": [null, {"number": "3"}]})),
            at(0)
        );
        assert_eq!(
            differs(json!({"name": "a", "phones": [{"number": "1"}]})),
            at(1)
        );
        assert_eq!(
            differs(json!({"name": "b", "phones": [{"number": "1"}, {"number": "3"}]})),
            None
        );
    }

    #[test]
    fn dictionary_values_are_compared_through_their_keys() {
        let schema = Schema::parse("message m { optional binary s (STRING); }").unwrap();
        let strings: arrow::array::DictionaryArray<UInt8Type> =
            vec![Some("x"), None, Some("y"), Some("x")]
                .into_iter()
                .collect();
        let batch = RecordBatch::try_from_iter([("s", std::sync::Arc::new(strings) as _)]).unwrap();
        let levels = ArrowLevels::new(&schema, &batch, &[true]).unwrap();
        let theirs = levels.leaf(0).unwrap();
        let leaf = &schema.leaves()[0];
        let stripe = |values: [Option<&str>; 4]| {
            let records: Vec<_> = values.iter().map(|s| json!({ "s": s })).collect();
            shred_records(&schema, &records).unwrap().remove(0)
        };
        let (x, y) = (Some("x"), Some("y"));
        assert_eq!(
            theirs
                .first_difference(leaf, &stripe([x, None, y, x]))
                .unwrap(),
            None
        );
        assert_eq!(
            theirs
                .first_difference(leaf, &stripe([x, None, y, y]))
                .unwrap(),
            Some(ColumnDifference { entry: 3 })
        );
    }
}
