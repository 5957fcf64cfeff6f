//! The Dremel record-assembly FSM: stripes → records, for all columns or a projection.
//!
//! Melnik et al., "Dremel", VLDB 2010, §4.3. [`Fsm::new`] is the paper's Figure 4
//! (`ConstructFSM`): one state per selected leaf, and for each state one transition per
//! repetition level. After reading an entry of field `f`, the repetition level of `f`'s
//! *next* entry picks the next field: a level that repeats one of `f`'s ancestors jumps back
//! to the first field under that ancestor, anything else moves on to the next field (the
//! "barrier") or ends the record. [`Assembler`] runs the machine (the paper's Figure 5,
//! `AssembleRecord`), reading fields in the order the record needs them.
//!
//! Where a value lands follows from its own column's history (the paper's
//! `MoveToLevel`/`ReturnToLevel`): within a record, an entry with repetition level `r` starts
//! a new occurrence of the field's repeated ancestor at level `r` and stays in the current
//! occurrence of every ancestor above it; its definition level `d` says how far down the
//! path exists. A node whose level is above `d` is null (optional) or has no occurrences
//! (repeated). Records come out in the canonical JSON form of [`crate::record`], as
//! `serde_json` values ([`Assembler::next_record`]) or printed as JSON text as the entries
//! are read ([`Assembler::write_record`], [`crate::record_json`]).
//!
//! ```
//! use shred::{Schema, assembler::Fsm, fixtures::DOCUMENT_SCHEMA};
//! let schema = Schema::parse(DOCUMENT_SCHEMA).unwrap();
//! let fsm = Fsm::new(&schema, &[0, 1, 2, 3, 4, 5]);
//! assert!(fsm.to_string().contains("Name.Language.Country  --2-->  Name.Language.Code"));
//! ```

use std::fmt;

use parquet::basic::Repetition;
use serde_json::{Map, Value as Json};

use crate::buffered_out::BufferedOut;
use crate::error::{Error, Result};
use crate::record::leaf_json;
use crate::record_json::RecordJson;
use crate::schema::{Leaf, Node, NodeKind, Schema};
use crate::stripe::{Stripe, Values};

/// Where a transition goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Read this field next (index into [`Fsm::fields`]).
    Field(usize),
    /// The record is complete.
    End,
}

/// The record-assembly finite-state machine over a set of leaf columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fsm {
    /// Leaf column indexes of the states, in column order.
    pub fields: Vec<usize>,
    /// Dotted paths of the states.
    pub paths: Vec<String>,
    /// `transitions[f][r]`: the state after field `f` when its next repetition level is `r`.
    pub transitions: Vec<Vec<State>>,
}

impl Fsm {
    /// Builds the FSM for the given leaf columns (the paper's `ConstructFSM`).
    pub fn new(schema: &Schema, leaves: &[usize]) -> Self {
        let mut fields = leaves.to_vec();
        fields.sort_unstable();
        fields.dedup();
        let chains: Vec<Vec<&Node>> = fields.iter().map(|&l| schema.leaf_chain(l)).collect();
        let max_rep: Vec<i16> = fields.iter().map(|&l| schema.leaves()[l].max_rep).collect();
        // The repetition level of the deepest common ancestor of two fields.
        let common = |a: usize, b: usize| -> i16 {
            chains[a]
                .iter()
                .zip(&chains[b])
                .take_while(|(x, y)| std::ptr::eq(**x, **y))
                .last()
                .map_or(0, |(n, _)| n.rep)
        };
        let mut transitions = Vec::with_capacity(fields.len());
        for (f, &max_rep) in max_rep.iter().enumerate() {
            let (barrier, barrier_level) = if f + 1 < fields.len() {
                (State::Field(f + 1), common(f, f + 1))
            } else {
                (State::End, 0)
            };
            // Levels up to the barrier's move on; a deeper level repeats an ancestor that
            // `f` shares with earlier fields: go back to the first field under it. (The
            // paper sets the back edges at each common level and copies them to the
            // levels in between; taking the first field with a common level of at least
            // `level` gives the same table in one step.)
            let t = (0..=max_rep)
                .map(|level| {
                    if level <= barrier_level {
                        barrier
                    } else {
                        let first = (0..=f)
                            .find(|&pre| common(pre, f) >= level)
                            .expect("a field shares all its levels with itself");
                        State::Field(first)
                    }
                })
                .collect();
            transitions.push(t);
        }
        let paths = fields
            .iter()
            .map(|&l| schema.leaves()[l].path.clone())
            .collect();
        Fsm {
            fields,
            paths,
            transitions,
        }
    }

    /// The transitions as `(from, levels, to)` rows, levels grouped by destination.
    pub fn rows(&self) -> Vec<Transition> {
        let mut rows = Vec::new();
        for (f, t) in self.transitions.iter().enumerate() {
            let mut groups: Vec<(State, Vec<i16>)> = Vec::new();
            for (level, state) in t.iter().enumerate() {
                match groups.iter_mut().find(|(s, _)| s == state) {
                    Some((_, levels)) => levels.push(level as i16),
                    None => groups.push((*state, vec![level as i16])),
                }
            }
            for (state, levels) in groups {
                rows.push(Transition {
                    from: self.paths[f].clone(),
                    levels,
                    to: match state {
                        State::Field(g) => self.paths[g].clone(),
                        State::End => "end".to_string(),
                    },
                });
            }
        }
        rows
    }
}

/// One row of the printed FSM: from a field, on these repetition levels, to a state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// The field just read.
    pub from: String,
    /// Repetition levels of its next entry that take this transition.
    pub levels: Vec<i16>,
    /// The next field, or `end`.
    pub to: String,
}

impl fmt::Display for Fsm {
    /// One line per transition, as in the paper's figure: `from --0,1--> to`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self.paths.iter().map(String::len).max().unwrap_or(0);
        for row in self.rows() {
            let levels: Vec<String> = row.levels.iter().map(i16::to_string).collect();
            writeln!(
                f,
                "{:width$}  --{}-->  {}",
                row.from,
                levels.join(","),
                row.to
            )?;
        }
        Ok(())
    }
}

/// Where a field's column is read next.
#[derive(Debug, Clone, Copy, Default)]
struct Cursor {
    /// Index of the next entry (levels).
    entry: usize,
    /// Index of the next value (entries at the maximum definition level hold one).
    value: usize,
}

/// How a leaf value becomes JSON in an assembled record: value `i` of `values`, a column of
/// `leaf`.
pub type LeafValue = fn(&Leaf, &Values, usize) -> Json;

/// One entry the FSM read, in the order it read them: entry `entry` of the stripe of
/// [`Fsm::fields`]`[field]`, holding value `value` of that stripe when it is defined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryRead {
    /// The state (index into [`Fsm::fields`]).
    pub field: usize,
    /// Index of the entry in its stripe.
    pub entry: usize,
    /// Index of its value in the stripe's values; `None` below the maximum definition level.
    pub value: Option<usize>,
}

/// Assembles records from the stripes of some (or all) leaf columns.
pub struct Assembler<'a> {
    schema: &'a Schema,
    fsm: Fsm,
    leaf_value: LeafValue,
    chains: Vec<Vec<&'a Node>>,
    stripes: Vec<&'a Stripe>,
    /// Per field: where its column is read next.
    cursor: Vec<Cursor>,
    /// Per field: current occurrence index at each repetition level.
    occurrence: Vec<Vec<usize>>,
    /// Per field: no entry of the current record has been read yet.
    first_of_record: Vec<bool>,
    /// Per field: its column's maximum repetition and definition levels.
    max_levels: Vec<(i16, i16)>,
    /// The JSON printer of [`Assembler::write_record`], made on its first call.
    json: Option<RecordJson<'a>>,
}

impl<'a> Assembler<'a> {
    /// An assembler over `stripes[i]` for every leaf `i` in `leaves` (`stripes` is indexed
    /// by column; columns outside `leaves` are ignored).
    pub fn new(schema: &'a Schema, stripes: &'a [Stripe], leaves: &[usize]) -> Self {
        let fsm = Fsm::new(schema, leaves);
        let chains = fsm.fields.iter().map(|&l| schema.leaf_chain(l)).collect();
        let field_stripes = fsm.fields.iter().map(|&l| &stripes[l]).collect();
        let occurrence = fsm
            .fields
            .iter()
            .map(|&l| vec![0; schema.leaves()[l].max_rep as usize + 1])
            .collect();
        let cursor = vec![Cursor::default(); fsm.fields.len()];
        let first_of_record = vec![true; fsm.fields.len()];
        let max_levels = fsm
            .fields
            .iter()
            .map(|&l| (schema.leaves()[l].max_rep, schema.leaves()[l].max_def))
            .collect();
        Assembler {
            schema,
            fsm,
            leaf_value: leaf_json,
            chains,
            stripes: field_stripes,
            cursor,
            occurrence,
            first_of_record,
            max_levels,
            json: None,
        }
    }

    /// An assembler over all columns.
    pub fn all(schema: &'a Schema, stripes: &'a [Stripe]) -> Self {
        let leaves: Vec<usize> = (0..schema.leaves().len()).collect();
        Self::new(schema, stripes, &leaves)
    }

    /// Puts leaf values into records with `leaf_value` instead of the canonical
    /// [`leaf_json`] (a table, say, shows values by their logical type).
    pub fn with_leaf_value(mut self, leaf_value: LeafValue) -> Self {
        self.leaf_value = leaf_value;
        self
    }

    /// The FSM driving this assembler.
    pub fn fsm(&self) -> &Fsm {
        &self.fsm
    }

    /// Assembles the next record, or `None` when the stripes are exhausted.
    pub fn next_record(&mut self) -> Result<Option<Json>> {
        if !self.begin_record()? {
            return Ok(None);
        }
        let mut record = Json::Object(Map::new());
        self.place_entries(|a, field, d, value| {
            let leaf = &a.schema.leaves()[a.fsm.fields[field]];
            let value = value.map(|i| (a.leaf_value)(leaf, &a.stripes[field].values, i));
            insert(
                &mut record,
                &a.chains[field],
                &a.occurrence[field],
                d,
                value,
            )
        })?;
        Ok(Some(record))
    }

    /// Runs the FSM over a record begun with [`Assembler::begin_record`], handing `place`
    /// each entry as it is read: the field, its definition level and its value's index
    /// (the field's occurrence counters already moved). An error `place` gives names the
    /// entry.
    #[inline]
    fn place_entries(
        &mut self,
        mut place: impl FnMut(&Self, usize, i16, Option<usize>) -> Result<(), &'static str>,
    ) -> Result<()> {
        let mut field = 0;
        loop {
            let (read, d, next) = self.step(field, true)?;
            if let Err(message) = place(self, field, d, read.value) {
                return Err(self.entry_error(field, read.entry, message));
            }
            match next {
                State::Field(next) => field = next,
                State::End => return Ok(()),
            }
        }
    }

    /// Prints the next record to `out` as one JSON object (no newline): byte for byte
    /// what `serde_json` prints for [`Assembler::next_record`]'s record, without building
    /// it ([`crate::record_json`]). Values are canonical ([`Assembler::with_leaf_value`]
    /// does not apply). Returns `false` when the stripes are exhausted. On an error,
    /// nothing of the record stays in `out`, unless part of it was written out already: a
    /// long value, or text past the buffer's [`crate::buffered_out::FLUSH_BYTES`].
    ///
    /// ```
    /// use shred::{Schema, assembler::Assembler, fixtures, shredder::shred_records};
    /// use shred::buffered_out::BufferedOut;
    /// let schema = Schema::parse(fixtures::DOCUMENT_SCHEMA).unwrap();
    /// let stripes = shred_records(&schema, &fixtures::document_records()).unwrap();
    /// let mut text = Vec::new();
    /// let mut out = BufferedOut::new(&mut text);
    /// Assembler::new(&schema, &stripes, &[0, 4]).write_record(&mut out).unwrap();
    /// out.finish().unwrap();
    /// assert_eq!(
    ///     String::from_utf8(text).unwrap(),
    ///     r#"{"DocId":10,"Name":[{"Language":[{"Country":"us"},{"Country":null}]},{"Language":[]},{"Language":[{"Country":"gb"}]}]}"#
    /// );
    /// ```
    pub fn write_record(&mut self, out: &mut BufferedOut<'_>) -> Result<bool> {
        let mut json = self
            .json
            .take()
            .unwrap_or_else(|| RecordJson::new(self.schema, &self.fsm.fields, &self.chains));
        let mark = out.mark();
        let result = if json.by_value() {
            self.write_by_value(out)
        } else {
            self.write_entries(&mut json, out)
        };
        self.json = Some(json);
        if result.is_err() {
            out.rewind(mark);
        }
        result
    }

    /// [`Assembler::write_record`] through [`RecordJson`], entry by entry.
    fn write_entries(
        &mut self,
        json: &mut RecordJson<'a>,
        out: &mut BufferedOut<'_>,
    ) -> Result<bool> {
        if !self.begin_record()? {
            return Ok(false);
        }
        json.begin(out);
        self.place_entries(|a, field, d, value| {
            let value = value.map(|i| (&a.stripes[field].values, i));
            json.place(out, field, &a.occurrence[field], d, value)
        })?;
        json.end(out);
        Ok(true)
    }

    /// [`Assembler::write_record`] for fields [`RecordJson`] cannot print by themselves
    /// (siblings of one name): the record built with canonical values, then printed.
    fn write_by_value(&mut self, out: &mut BufferedOut<'_>) -> Result<bool> {
        let leaf_value = std::mem::replace(&mut self.leaf_value, leaf_json);
        let record = self.next_record();
        self.leaf_value = leaf_value;
        let Some(record) = record? else {
            return Ok(false);
        };
        // A write error is kept by `out` for its caller.
        let _ = serde_json::to_writer(&mut *out, &record);
        Ok(true)
    }

    /// Runs the FSM over the next record without building it: `out` is cleared and
    /// receives the entries read, in the order the FSM read them (the record's leaf
    /// entries in document order). Returns `false` when the stripes are exhausted. The
    /// levels are checked as [`Assembler::next_record`] checks them, except that values
    /// are not placed into a record.
    pub fn next_record_entries(&mut self, out: &mut Vec<EntryRead>) -> Result<bool> {
        out.clear();
        if !self.begin_record()? {
            return Ok(false);
        }
        let mut field = 0;
        loop {
            let (read, _, next) = self.step(field, false)?;
            out.push(read);
            match next {
                State::Field(next) => field = next,
                State::End => return Ok(true),
            }
        }
    }

    /// Starts a record: `false` when every stripe is exhausted, an error when only some are.
    fn begin_record(&mut self) -> Result<bool> {
        if self.fsm.fields.is_empty() || self.cursor[0].entry >= self.stripes[0].len() {
            for f in 0..self.fsm.fields.len() {
                if self.cursor[f].entry < self.stripes[f].len() {
                    return Err(self.levels_error(f, "entries left after the last record"));
                }
            }
            return Ok(false);
        }
        self.first_of_record.iter_mut().for_each(|f| *f = true);
        Ok(true)
    }

    /// Reads the next entry of `field`: checks its levels, moves the field's occurrence
    /// counters (`MoveToLevel`) when `place` (the entry is to be placed in a record), and
    /// returns the entry, its definition level and the state the repetition level of the
    /// field's next entry leads to.
    #[inline]
    fn step(&mut self, field: usize, place: bool) -> Result<(EntryRead, i16, State)> {
        let Cursor {
            entry,
            value: value_index,
        } = self.cursor[field];
        let stripe = self.stripes[field];
        if entry >= stripe.len() {
            return Err(self.levels_error(field, "column ended in the middle of a record"));
        }
        let (r, d) = (stripe.rep[entry], stripe.def[entry]);
        let (max_rep, max_def) = self.max_levels[field];
        if r > max_rep || d > max_def || d < 0 || r < 0 {
            return Err(self.levels_error(field, "level above the column's maximum"));
        }
        if self.first_of_record[field] != (r == 0) {
            return Err(self.levels_error(
                field,
                if r == 0 {
                    "r=0 inside a record (columns disagree on record boundaries)"
                } else {
                    "a record does not start with r=0"
                },
            ));
        }
        self.first_of_record[field] = false;
        if place {
            let occ = &mut self.occurrence[field];
            if r == 0 {
                occ.iter_mut().for_each(|o| *o = 0);
            } else {
                occ[r as usize] += 1;
                occ[r as usize + 1..].iter_mut().for_each(|o| *o = 0);
            }
        }
        let value = if d == max_def {
            if value_index >= stripe.values.len() {
                return Err(self.levels_error(field, "more defined entries than values"));
            }
            self.cursor[field].value += 1;
            Some(value_index)
        } else {
            None
        };
        self.cursor[field].entry += 1;
        let next_r = stripe.rep.get(entry + 1).copied().unwrap_or(0);
        let next_r = next_r.clamp(0, max_rep) as usize;
        let read = EntryRead {
            field,
            entry,
            value,
        };
        Ok((read, d, self.fsm.transitions[field][next_r]))
    }

    /// An error at the entry of `field` to be read next.
    fn levels_error(&self, field: usize, message: &str) -> Error {
        self.entry_error(field, self.cursor[field].entry, message)
    }

    /// An error at entry `entry` of `field`.
    fn entry_error(&self, field: usize, entry: usize, message: &str) -> Error {
        Error::Levels {
            column: self.fsm.paths[field].clone(),
            entry,
            message: message.to_string(),
        }
    }
}

impl Iterator for Assembler<'_> {
    type Item = Result<Json>;
    fn next(&mut self) -> Option<Self::Item> {
        self.next_record().transpose()
    }
}

/// Puts one entry into the record: walks the leaf's chain of nodes, creating objects,
/// lists and occurrences as needed, and stops where the definition level runs out.
fn insert(
    record: &mut Json,
    chain: &[&Node],
    occurrence: &[usize],
    d: i16,
    value: Option<Json>,
) -> Result<(), &'static str> {
    let mut slot = record;
    let mut parent_transparent = false;
    for node in chain {
        if !parent_transparent {
            if slot.is_null() {
                *slot = Json::Object(Map::new());
            }
            let Json::Object(fields) = slot else {
                return Err("levels put a field inside a non-group value");
            };
            slot = fields.entry(node.name.clone()).or_insert(Json::Null);
        }
        let repeated = node.repetition == Repetition::REPEATED;
        if node.def > d {
            if repeated && slot.is_null() {
                *slot = Json::Array(Vec::new());
            }
            return Ok(());
        }
        if repeated {
            if slot.is_null() {
                *slot = Json::Array(Vec::new());
            }
            let Json::Array(items) = slot else {
                return Err("levels put a repeated field inside a non-list value");
            };
            let index = occurrence[node.rep as usize];
            if index == items.len() {
                items.push(Json::Null);
            } else if index > items.len() {
                return Err("repetition level skips an occurrence");
            }
            slot = &mut items[index];
        }
        match &node.kind {
            NodeKind::Leaf { .. } => {
                *slot = value.unwrap_or(Json::Null);
                return Ok(());
            }
            NodeKind::Group { .. } => {
                parent_transparent = node.is_transparent();
                if !parent_transparent && slot.is_null() {
                    *slot = Json::Object(Map::new());
                }
            }
        }
    }
    Ok(())
}

/// Assembles every record of complete stripes (all columns).
pub fn assemble_all(schema: &Schema, stripes: &[Stripe]) -> Result<Vec<Json>> {
    Assembler::all(schema, stripes).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;
    use crate::shredder::shred_records;
    use serde_json::json;

    fn document() -> Schema {
        Schema::parse(fixtures::DOCUMENT_SCHEMA).unwrap()
    }

    /// Figure 4 of the Dremel paper.
    #[test]
    fn dremel_document_fsm() {
        let schema = document();
        let fsm = Fsm::new(&schema, &[0, 1, 2, 3, 4, 5]);
        let rows: Vec<(String, Vec<i16>, String)> = fsm
            .rows()
            .into_iter()
            .map(|t| (t.from, t.levels, t.to))
            .collect();
        let want = [
            ("DocId", vec![0], "Links.Backward"),
            ("Links.Backward", vec![0], "Links.Forward"),
            ("Links.Backward", vec![1], "Links.Backward"),
            ("Links.Forward", vec![0], "Name.Language.Code"),
            ("Links.Forward", vec![1], "Links.Forward"),
            ("Name.Language.Code", vec![0, 1, 2], "Name.Language.Country"),
            ("Name.Language.Country", vec![0, 1], "Name.Url"),
            ("Name.Language.Country", vec![2], "Name.Language.Code"),
            ("Name.Url", vec![0], "end"),
            ("Name.Url", vec![1], "Name.Language.Code"),
        ];
        let want: Vec<_> = want
            .into_iter()
            .map(|(a, l, b)| (a.to_string(), l, b.to_string()))
            .collect();
        assert_eq!(rows, want);
    }

    /// Figure 5's projection: DocId and Name.Language.Country only.
    #[test]
    fn dremel_projection_fsm_and_records() {
        let schema = document();
        let fsm = Fsm::new(&schema, &[0, 4]);
        assert_eq!(
            fsm.transitions,
            vec![
                vec![State::Field(1)],
                vec![State::End, State::Field(1), State::Field(1)]
            ]
        );
        let stripes = shred_records(&schema, &fixtures::document_records()).unwrap();
        let records: Vec<Json> = Assembler::new(&schema, &stripes, &[0, 4])
            .collect::<Result<_>>()
            .unwrap();
        assert_eq!(
            records,
            vec![
                json!({"DocId": 10, "Name": [
                    {"Language": [{"Country": "us"}, {"Country": null}]},
                    {"Language": []},
                    {"Language": [{"Country": "gb"}]}]}),
                json!({"DocId": 20, "Name": [{"Language": []}]}),
            ]
        );
    }

    fn roundtrip(schema_text: &str, records: &[Json]) {
        let schema = Schema::parse(schema_text).unwrap();
        let stripes = shred_records(&schema, records).unwrap();
        let assembled = assemble_all(&schema, &stripes).unwrap();
        let canonical: Vec<Json> = records
            .iter()
            .map(|r| crate::record::normalize(&schema, r, 0, None).unwrap())
            .collect();
        assert_eq!(assembled, canonical);
    }

    #[test]
    fn dremel_document_records_reassemble() {
        roundtrip(fixtures::DOCUMENT_SCHEMA, &fixtures::document_records());
    }

    #[test]
    fn contact_definition_states_reassemble() {
        roundtrip(
            crate::contact::CONTACT_SCHEMA,
            &[
                json!({"name": null, "phones": null}),
                json!({"name": "a", "phones": []}),
                json!({"phones": [null]}),
                json!({"phones": [{"number": null, "phone_type": "Home"}, null, {"number": "1"}]}),
            ],
        );
    }

    #[test]
    fn nested_lists_and_maps_reassemble() {
        roundtrip(fixtures::NESTED_SCHEMA, &fixtures::nested_records());
    }

    #[test]
    fn corrupt_levels_are_an_error() {
        let schema = document();
        let mut stripes = shred_records(&schema, &fixtures::document_records()).unwrap();
        stripes[3].rep[0] = 2;
        let err = assemble_all(&schema, &stripes).unwrap_err();
        assert!(err.to_string().contains("Name.Language.Code"), "{err}");
    }

    #[test]
    fn missing_values_are_an_error() {
        let schema = document();
        let mut stripes = shred_records(&schema, &fixtures::document_records()).unwrap();
        stripes[0].values = crate::stripe::Values::Int64(vec![10]);
        let err = assemble_all(&schema, &stripes).unwrap_err();
        assert!(
            err.to_string().contains("more defined entries than values"),
            "{err}"
        );
    }
}
