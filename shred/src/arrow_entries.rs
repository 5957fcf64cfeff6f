//! arrow-rs's records as Dremel entries, in the order the assembly FSM reads them.
//!
//! A record of a file is, in Dremel's terms (Melnik et al., VLDB 2010, §4.1–4.3), the
//! sequence of its leaf entries in document order: every leaf reached by a depth-first
//! walk of the record contributes one entry `(r, d, value)` per occurrence, and a null
//! optional field or an empty repeated field contributes one entry with the definition
//! level of its parent to every leaf below it. The assembly FSM reads a record's entries
//! in exactly that order ([`crate::assembler::Assembler::next_record_entries`]), so the
//! same walk over the Arrow arrays arrow-rs's `ParquetRecordBatchReader` produced gives
//! the sequence to compare ours with, without building either record.
//!
//! [`ArrowRecords::walk`] walks one row of a batch alongside our [`Node`] tree the way
//! [`crate::arrow_read`] does when it builds canonical JSON (a list array holds a repeated
//! node's occurrences, a struct array a group; a LIST or MAP annotation's middle group is
//! transparent), over the leaves a projection selected. The first entry of every
//! occurrence of a repeated node carries the node's repetition level, every other entry
//! the level its parent gave it. Leaf values stay in their arrays; [`same_value`] compares
//! one with a value of our stripes, in the physical form ([`crate::record`]).

use arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use arrow::datatypes::*;
use parquet::basic::Repetition;

use crate::arrow_read::{leaf_value, list_items, struct_field, top_level_arrays};
use crate::error::{Error, Result};
use crate::record::leaf_json;
use crate::schema::{Leaf, Node, NodeKind, Schema};
use crate::stripe::Values;

/// One entry of arrow-rs's record.
#[derive(Clone, Copy)]
pub struct ArrowEntry<'b> {
    /// Leaf column index.
    pub leaf: usize,
    /// Repetition level.
    pub rep: i16,
    /// Definition level.
    pub def: i16,
    /// The value, at the maximum definition level: an array and an index into it.
    pub value: Option<(&'b dyn Array, usize)>,
}

/// The rows of one arrow-rs record batch, ready to be walked entry by entry.
pub struct ArrowRecords<'a> {
    schema: &'a Schema,
    /// Per leaf column: whether the projection read it.
    selected: &'a [bool],
    /// Whether every leaf column is selected (no projection).
    all: bool,
    /// The top-level nodes holding a selected leaf, with their arrays (dictionaries
    /// decoded).
    columns: Vec<(&'a Node, ArrayRef)>,
}

impl<'a> ArrowRecords<'a> {
    /// The rows of `batch`, read from a file of `schema` with the leaves `selected`
    /// (indexed by leaf column).
    pub fn new(schema: &'a Schema, batch: &RecordBatch, selected: &'a [bool]) -> Result<Self> {
        let columns = top_level_arrays(schema, batch, |node| {
            selected[node.leaf_range()].contains(&true)
        })?;
        Ok(ArrowRecords {
            schema,
            selected,
            all: !selected.contains(&false),
            columns,
        })
    }

    /// Gives every entry of row `row` to `sink`, in document order, until `sink` returns
    /// `false`; returns whether the walk went to the end.
    pub fn walk(&self, row: usize, sink: &mut dyn FnMut(ArrowEntry<'_>) -> bool) -> Result<bool> {
        for (node, array) in &self.columns {
            if !self.slot(node, array.as_ref(), row, 0, sink)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Node `node`'s slot in row `i` of `array`: absent, one value, or its occurrences.
    fn slot<'b>(
        &self,
        node: &Node,
        array: &'b dyn Array,
        i: usize,
        rep: i16,
        sink: &mut dyn FnMut(ArrowEntry<'b>) -> bool,
    ) -> Result<bool> {
        if node.repetition == Repetition::REPEATED {
            if array.is_null(i) {
                return Ok(self.absent(node, rep, node.def - 1, sink));
            }
            let (values, range) = list_items(array, i, &node.path)?;
            if range.is_empty() {
                return Ok(self.absent(node, rep, node.def - 1, sink));
            }
            let first = range.start;
            for j in range {
                let rep = if j == first { rep } else { node.rep };
                if !self.present(node, values, j, rep, sink)? {
                    return Ok(false);
                }
            }
            return Ok(true);
        }
        if array.is_null(i) {
            return Ok(self.absent(node, rep, node.def - 1, sink));
        }
        self.present(node, array, i, rep, sink)
    }

    /// A present occurrence of `node`: row `i` of `array`.
    fn present<'b>(
        &self,
        node: &Node,
        array: &'b dyn Array,
        i: usize,
        rep: i16,
        sink: &mut dyn FnMut(ArrowEntry<'b>) -> bool,
    ) -> Result<bool> {
        match &node.kind {
            NodeKind::Leaf { leaf } => Ok(sink(ArrowEntry {
                leaf: *leaf,
                rep,
                def: self.schema.leaves()[*leaf].max_def,
                value: Some((array, i)),
            })),
            NodeKind::Group { children, .. } if node.is_transparent() => {
                self.slot(&children[0], array, i, rep, sink)
            }
            NodeKind::Group { children, .. } => {
                let Some(fields) = array.as_struct_opt() else {
                    // arrow-rs reads a MAP's key/value group without a value field as a
                    // list of its keys: the group's only child's array stands for it.
                    if let [child] = children.as_slice() {
                        return self.slot(child, array, i, rep, sink);
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
                    if !self.slot(child, column, i, rep, sink)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
        }
    }

    /// One entry at definition level `def` for every selected leaf below `node`.
    fn absent<'b>(
        &self,
        node: &Node,
        rep: i16,
        def: i16,
        sink: &mut dyn FnMut(ArrowEntry<'b>) -> bool,
    ) -> bool {
        node.leaf_range()
            .filter(|&leaf| self.all || self.selected[leaf])
            .all(|leaf| {
                sink(ArrowEntry {
                    leaf,
                    rep,
                    def,
                    value: None,
                })
            })
    }
}

/// Whether value `i` of `values` (a stripe of column `leaf`) is value `j` of `array`, in
/// the physical form both stand for: the common types compared directly (floats by their
/// bits), every other type through the canonical JSON of each side.
pub fn same_value(
    leaf: &Leaf,
    values: &Values,
    i: usize,
    array: &dyn Array,
    j: usize,
) -> Result<bool> {
    Ok(match (values, array.data_type()) {
        (Values::Boolean(v), DataType::Boolean) => v[i] == array.as_boolean().value(j),
        (Values::Int32(v), DataType::Int32) => v[i] == array.as_primitive::<Int32Type>().value(j),
        (Values::Int32(v), DataType::Date32) => v[i] == array.as_primitive::<Date32Type>().value(j),
        (Values::Int64(v), DataType::Int64) => v[i] == array.as_primitive::<Int64Type>().value(j),
        (Values::Float(v), DataType::Float32) => {
            v[i].to_bits() == array.as_primitive::<Float32Type>().value(j).to_bits()
        }
        (Values::Double(v), DataType::Float64) => {
            v[i].to_bits() == array.as_primitive::<Float64Type>().value(j).to_bits()
        }
        (Values::ByteArray(v), DataType::Utf8) => {
            v.get(i) == array.as_string::<i32>().value(j).as_bytes()
        }
        (Values::ByteArray(v), DataType::LargeUtf8) => {
            v.get(i) == array.as_string::<i64>().value(j).as_bytes()
        }
        (Values::ByteArray(v), DataType::Utf8View) => {
            v.get(i) == array.as_string_view().value(j).as_bytes()
        }
        (Values::ByteArray(v), DataType::Binary) => v.get(i) == array.as_binary::<i32>().value(j),
        (Values::ByteArray(v), DataType::LargeBinary) => {
            v.get(i) == array.as_binary::<i64>().value(j)
        }
        (Values::ByteArray(v), DataType::BinaryView) => v.get(i) == array.as_binary_view().value(j),
        (Values::FixedLenByteArray(v), DataType::FixedSizeBinary(_)) => {
            v.get(i) == array.as_fixed_size_binary().value(j)
        }
        _ => leaf_json(leaf, values, i) == leaf_value(leaf, array, j)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assembler::{Assembler, EntryRead};
    use crate::fixtures;
    use crate::shredder::shred_records;

    /// The entries of every row of `batch`, as `(leaf, r, d, defined)`.
    fn arrow_entries(schema: &Schema, batch: &RecordBatch) -> Vec<Vec<(usize, i16, i16, bool)>> {
        let selected = vec![true; schema.leaves().len()];
        let records = ArrowRecords::new(schema, batch, &selected).unwrap();
        (0..batch.num_rows())
            .map(|row| {
                let mut out = Vec::new();
                let ended = records
                    .walk(row, &mut |e| {
                        out.push((e.leaf, e.rep, e.def, e.value.is_some()));
                        true
                    })
                    .unwrap();
                assert!(ended);
                out
            })
            .collect()
    }

    /// Our FSM's entries of every record of `stripes`, as `(leaf, r, d, defined)`.
    fn fsm_entries(
        schema: &Schema,
        stripes: &[crate::Stripe],
    ) -> Vec<Vec<(usize, i16, i16, bool)>> {
        let mut assembler = Assembler::all(schema, stripes);
        let fields = assembler.fsm().fields.clone();
        let mut reads: Vec<EntryRead> = Vec::new();
        let mut out = Vec::new();
        while assembler.next_record_entries(&mut reads).unwrap() {
            out.push(
                reads
                    .iter()
                    .map(|e| {
                        let stripe = &stripes[fields[e.field]];
                        (
                            fields[e.field],
                            stripe.rep[e.entry],
                            stripe.def[e.entry],
                            e.value.is_some(),
                        )
                    })
                    .collect(),
            );
        }
        out
    }

    fn same_entries(schema_text: &str, records: &[serde_json::Value]) {
        let schema = Schema::parse(schema_text).unwrap();
        let stripes = shred_records(&schema, records).unwrap();
        let batch = fixtures::arrow_batch(&schema, &stripes);
        assert_eq!(
            arrow_entries(&schema, &batch),
            fsm_entries(&schema, &stripes)
        );
    }

    #[test]
    fn dremel_document() {
        same_entries(fixtures::DOCUMENT_SCHEMA, &fixtures::document_records());
    }

    #[test]
    fn contacts_in_every_state() {
        let records = fixtures::contact_records_in_every_state();
        same_entries(crate::contact::CONTACT_SCHEMA, &records);
    }

    #[test]
    fn nested_lists_and_maps() {
        same_entries(fixtures::NESTED_SCHEMA, &fixtures::nested_records());
    }

    #[test]
    fn projection_walks_only_the_selected_leaves() {
        let schema = Schema::parse(fixtures::DOCUMENT_SCHEMA).unwrap();
        let stripes = shred_records(&schema, &fixtures::document_records()).unwrap();
        let batch = fixtures::arrow_batch(&schema, &stripes);
        let mut selected = vec![false; schema.leaves().len()];
        selected[4] = true;
        let records = ArrowRecords::new(&schema, &batch, &selected).unwrap();
        let mut out = Vec::new();
        records
            .walk(0, &mut |e| {
                out.push((e.leaf, e.rep, e.def));
                true
            })
            .unwrap();
        // Name.Language.Country of record 1 (Dremel's Figure 3: r 0 2 1 1, d 3 2 1 3).
        assert_eq!(out, vec![(4, 0, 3), (4, 2, 2), (4, 1, 1), (4, 1, 3)]);
    }

    #[test]
    fn walk_stops_when_the_sink_says_so() {
        let schema = Schema::parse(fixtures::DOCUMENT_SCHEMA).unwrap();
        let stripes = shred_records(&schema, &fixtures::document_records()).unwrap();
        let batch = fixtures::arrow_batch(&schema, &stripes);
        let selected = vec![true; schema.leaves().len()];
        let records = ArrowRecords::new(&schema, &batch, &selected).unwrap();
        let mut seen = 0;
        let ended = records
            .walk(0, &mut |_| {
                seen += 1;
                seen < 3
            })
            .unwrap();
        assert!(!ended);
        assert_eq!(seen, 3);
    }

    #[test]
    fn same_value_compares_physical_values() {
        let schema =
            Schema::parse("message m { required int32 a (INTEGER(8, false)); required double b; }")
                .unwrap();
        let unsigned: ArrayRef = std::sync::Arc::new(arrow::array::UInt8Array::from(vec![200u8]));
        let leaf = &schema.leaves()[0];
        assert!(same_value(leaf, &Values::Int32(vec![200]), 0, unsigned.as_ref(), 0).unwrap());
        assert!(!same_value(leaf, &Values::Int32(vec![201]), 0, unsigned.as_ref(), 0).unwrap());
        let zero: ArrayRef = std::sync::Arc::new(arrow::array::Float64Array::from(vec![0.0]));
        let leaf = &schema.leaves()[1];
        assert!(same_value(leaf, &Values::Double(vec![0.0]), 0, zero.as_ref(), 0).unwrap());
        assert!(!same_value(leaf, &Values::Double(vec![-0.0]), 0, zero.as_ref(), 0).unwrap());
    }
}
