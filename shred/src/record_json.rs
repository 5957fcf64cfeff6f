//! Records written as canonical JSON text while the Dremel FSM reads their entries.
//!
//! [`Assembler::next_record`] builds a record as a `serde_json::Value`;
//! [`Assembler::write_record`] prints the same record through `RecordJson`, byte for
//! byte what `serde_json` prints for that value, without building it: no tree of maps and
//! vectors, and each leaf value goes once from its stripe to the output ([`BufferedOut`]:
//! a string of a gigabyte goes to the output directly).
//!
//! This works because the FSM reads a record's entries in document order (Melnik et al.,
//! "Dremel", VLDB 2010, §4.3: fields in column order, going back only to start a new
//! occurrence of a repeated ancestor), so each entry lands after everything printed so
//! far. The writer keeps the containers on the path to the last entry open, a stack of
//! objects and arrays. For the next entry it walks the leaf's chain of nodes from the
//! root as the assembler's `insert` does: it stays in an open container while the entry
//! does (the same field of an object, the same occurrence of a repeated field), closes
//! the containers the entry leaves and opens what it enters (a key, an array item, an
//! object). Where the definition level runs out it prints `null`, or `[]` for a
//! repeated field. A LIST or MAP wrapper ([`crate::schema::GroupShape::Transparent`])
//! has no container of its own: its child fills the same slot.
//!
//! In a valid file the columns under a group agree on the group's presence and
//! occurrences. Where they disagree (a corrupt file), `insert` merges what they say, but
//! this writer has already printed the first column's answer: it stops with an error.
//! Sibling fields of one name (which Parquet does not forbid) are one JSON key that
//! `insert` fills from both; the writer leaves such records to `insert`
//! ([`RecordJson::by_value`]).
//!
//! [`Assembler::next_record`]: crate::assembler::Assembler::next_record
//! [`Assembler::write_record`]: crate::assembler::Assembler::write_record

use parquet::basic::Repetition;

use crate::buffered_out::BufferedOut;
use crate::leaf_json_writer::LeafJsonWriter;
use crate::schema::{Node, NodeKind, Schema};
use crate::stripe::Values;

/// What a disagreement between columns is called in the error.
const DISAGREE: &str = "columns disagree on whether a field is present or how often it repeats";

/// One node on a leaf's path from the record down, as the writer needs it.
struct Step<'a> {
    node: &'a Node,
    /// The node as a key of its parent's object; `None` under a transparent parent.
    key: Option<Key>,
}

/// A field's key in its parent's object.
struct Key {
    /// Position among the parent's children: keys are printed in schema order.
    index: usize,
    /// `"name":`
    text: Vec<u8>,
}

/// The path of one FSM field (a leaf column) and how its values are printed.
struct FieldPath<'a> {
    steps: Vec<Step<'a>>,
    value: LeafJsonWriter<'a>,
}

/// An open JSON container.
#[derive(Debug, Clone, Copy)]
enum Container {
    /// An object and the last key printed in it.
    Object { last_key: Option<usize> },
    /// An array and the number of items started in it.
    Array { items: usize },
}

/// An open container and the node it belongs to.
struct Open<'a> {
    node: &'a Node,
    container: Container,
}

/// The state of the JSON slot an entry's walk has reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    /// Nothing printed for it yet.
    Fresh,
    /// An earlier entry opened it: the open containers from the walk's depth on are in it.
    Open,
    /// An earlier entry printed it whole (a `null`, an empty array or a value).
    Done,
}

/// Prints assembled records as JSON, entry by entry; see the module docs.
pub(crate) struct RecordJson<'a> {
    root: &'a Node,
    fields: Vec<FieldPath<'a>>,
    /// The containers on the path to the last entry, the record's object first.
    open: Vec<Open<'a>>,
    /// See [`RecordJson::by_value`].
    by_value: bool,
}

impl<'a> RecordJson<'a> {
    /// The writer for the FSM fields `leaves` (leaf column indexes, in FSM order), whose
    /// chains of nodes from the record down are `chains`.
    pub(crate) fn new(schema: &'a Schema, leaves: &[usize], chains: &[Vec<&'a Node>]) -> Self {
        let fields = leaves
            .iter()
            .zip(chains)
            .map(|(&leaf, chain)| {
                let mut parent = schema.root();
                let steps = chain
                    .iter()
                    .map(|&node| {
                        let key = (!parent.is_transparent()).then(|| Key {
                            index: parent
                                .children()
                                .iter()
                                .position(|child| std::ptr::eq(child, node))
                                .expect("a chain node is a child of the node before it"),
                            text: key_text(&node.name),
                        });
                        parent = node;
                        Step { node, key }
                    })
                    .collect();
                FieldPath {
                    steps,
                    value: LeafJsonWriter::new(&schema.leaves()[leaf]),
                }
            })
            .collect();
        RecordJson {
            root: schema.root(),
            fields,
            open: Vec::new(),
            by_value: crate::schema::first_repeated_name(schema.root()).is_some(),
        }
    }

    /// Whether some group of the schema holds two fields of one name: such records are
    /// built as values and printed whole.
    pub(crate) fn by_value(&self) -> bool {
        self.by_value
    }

    /// Starts a record: opens its object.
    pub(crate) fn begin(&mut self, out: &mut BufferedOut<'_>) {
        self.open.clear();
        out.buffer().put(b"{");
        self.open.push(Open {
            node: self.root,
            container: Container::Object { last_key: None },
        });
    }

    /// Ends the record: closes every open container.
    pub(crate) fn end(&mut self, out: &mut BufferedOut<'_>) {
        close_to(&mut self.open, out, 0);
    }

    /// Prints one entry of FSM field `field`: its occurrence counters (per repetition
    /// level, as the assembler keeps them), its definition level and its value.
    #[inline]
    pub(crate) fn place(
        &mut self,
        out: &mut BufferedOut<'_>,
        field: usize,
        occurrence: &[usize],
        d: i16,
        value: Option<(&Values, usize)>,
    ) -> Result<(), &'static str> {
        let path = &self.fields[field];
        let open = &mut self.open;
        // Containers confirmed on this entry's path: the record's object to start with.
        let mut depth = 1;
        let mut slot = Slot::Fresh;
        for &Step { node, ref key } in &path.steps {
            if let Some(key) = key {
                let Container::Object { last_key } = open[depth - 1].container else {
                    return Err("levels put a field inside a non-group value");
                };
                slot = match last_key {
                    Some(last) if last == key.index => open_or_done(open, depth),
                    Some(last) if last > key.index => return Err(DISAGREE),
                    _ => {
                        close_to(open, out, depth);
                        if last_key.is_some() {
                            out.buffer().put(b",");
                        }
                        out.buffer().put(&key.text);
                        open[depth - 1].container = Container::Object {
                            last_key: Some(key.index),
                        };
                        Slot::Fresh
                    }
                };
            }
            let repeated = node.repetition == Repetition::REPEATED;
            if node.def > d {
                return match slot {
                    Slot::Fresh => {
                        out.buffer().put(if repeated { b"[]" } else { b"null" });
                        Ok(())
                    }
                    Slot::Done => Ok(()),
                    Slot::Open => Err(DISAGREE),
                };
            }
            if repeated {
                enter(open, out, node, slot, depth, Container::Array { items: 0 })?;
                let Container::Array { items } = open[depth].container else {
                    unreachable!("entered an array");
                };
                depth += 1;
                let index = occurrence[node.rep as usize];
                slot = if index + 1 == items {
                    open_or_done(open, depth)
                } else if index == items {
                    close_to(open, out, depth);
                    if items > 0 {
                        out.buffer().put(b",");
                    }
                    open[depth - 1].container = Container::Array { items: items + 1 };
                    Slot::Fresh
                } else if index > items {
                    return Err("repetition level skips an occurrence");
                } else {
                    return Err(DISAGREE);
                };
            }
            match &node.kind {
                NodeKind::Leaf { .. } => {
                    if slot != Slot::Fresh {
                        return Err(DISAGREE);
                    }
                    match value {
                        Some((values, i)) => path.value.write_out(out, values, i),
                        None => out.buffer().put(b"null"),
                    }
                    return Ok(());
                }
                NodeKind::Group { .. } if !node.is_transparent() => {
                    enter(
                        open,
                        out,
                        node,
                        slot,
                        depth,
                        Container::Object { last_key: None },
                    )?;
                    depth += 1;
                }
                // A wrapper's child fills the wrapper's slot.
                NodeKind::Group { .. } => {}
            }
        }
        Ok(())
    }
}

/// The slot whose containers would start at `open[depth]`: open when there are any.
fn open_or_done(open: &[Open<'_>], depth: usize) -> Slot {
    if open.len() > depth {
        Slot::Open
    } else {
        Slot::Done
    }
}

/// Makes `open[depth]` `node`'s container of `container`'s kind: opens it in a fresh
/// slot, checks it in an open one.
fn enter<'a>(
    open: &mut Vec<Open<'a>>,
    out: &mut BufferedOut<'_>,
    node: &'a Node,
    slot: Slot,
    depth: usize,
    container: Container,
) -> Result<(), &'static str> {
    match slot {
        Slot::Fresh => {
            out.buffer().put(match container {
                Container::Object { .. } => b"{",
                Container::Array { .. } => b"[",
            });
            open.push(Open { node, container });
            Ok(())
        }
        Slot::Open => {
            let same_kind = matches!(
                (open[depth].container, container),
                (Container::Object { .. }, Container::Object { .. })
                    | (Container::Array { .. }, Container::Array { .. })
            );
            if std::ptr::eq(open[depth].node, node) && same_kind {
                Ok(())
            } else {
                Err(DISAGREE)
            }
        }
        Slot::Done => Err(DISAGREE),
    }
}

/// Closes the open containers from `open[depth]` on.
fn close_to(open: &mut Vec<Open<'_>>, out: &mut BufferedOut<'_>, depth: usize) {
    while open.len() > depth {
        let closed = open.pop().expect("longer than depth");
        out.buffer().put(match closed.container {
            Container::Object { .. } => b"}",
            Container::Array { .. } => b"]",
        });
    }
}

/// `"name":` as JSON.
fn key_text(name: &str) -> Vec<u8> {
    let mut text = serde_json::to_vec(name).expect("a string prints as JSON");
    text.push(b':');
    text
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::assembler::Assembler;
    use crate::fixtures;
    use crate::shredder::shred_records;
    use crate::stripe::Stripe;

    /// Every record of `stripes`, printed by `write_record`, one per line.
    fn printed(schema: &Schema, stripes: &[Stripe], leaves: &[usize]) -> crate::Result<String> {
        let mut text = Vec::new();
        let mut out = BufferedOut::new(&mut text);
        let mut assembler = Assembler::new(schema, stripes, leaves);
        while assembler.write_record(&mut out)? {
            out.buffer().put(b"\n");
        }
        out.finish().unwrap();
        Ok(String::from_utf8(text).unwrap())
    }

    /// The records of `stripes` as `next_record` builds them, printed by `serde_json`.
    fn built(schema: &Schema, stripes: &[Stripe], leaves: &[usize]) -> String {
        Assembler::new(schema, stripes, leaves)
            .map(|record| format!("{}\n", record.unwrap()))
            .collect()
    }

    /// `records` shredded print as the assembler builds them, for all columns and for
    /// every single column.
    fn check(schema_text: &str, records: &[serde_json::Value]) {
        // Not `Schema::parse`, which refuses siblings of one name: a file may have them.
        let message = parquet::schema::parser::parse_message_type(schema_text).unwrap();
        let descriptor = parquet::schema::types::SchemaDescriptor::new(message.into());
        let schema = Schema::from_descriptor(descriptor.into()).unwrap();
        let stripes = shred_records(&schema, records).unwrap();
        let all: Vec<usize> = (0..schema.leaves().len()).collect();
        let expected = built(&schema, &stripes, &all);
        assert_eq!(expected.lines().count(), records.len());
        assert_eq!(printed(&schema, &stripes, &all).unwrap(), expected);
        for leaf in all {
            assert_eq!(
                printed(&schema, &stripes, &[leaf]).unwrap(),
                built(&schema, &stripes, &[leaf]),
                "column {}",
                schema.leaves()[leaf].path
            );
        }
    }

    #[test]
    fn dremel_document() {
        check(fixtures::DOCUMENT_SCHEMA, &fixtures::document_records());
    }

    #[test]
    fn nested_lists_and_maps() {
        check(fixtures::NESTED_SCHEMA, &fixtures::nested_records());
    }

    #[test]
    fn null_list_empty_list_null_item() {
        check(
            crate::contact::CONTACT_SCHEMA,
            &fixtures::contact_records_in_every_state(),
        );
    }

    #[test]
    fn repeated_groups_in_repeated_groups() {
        check(
            "message m { repeated group a { repeated int32 x; required group b {
               repeated group c { optional binary s (STRING); } } } }",
            &[
                json!({"a": [{"x": [1, 2], "b": {"c": [{"s": "p"}, {}]}}, {"b": {}}]}),
                json!({"a": []}),
                json!({"a": [{"x": [3], "b": {"c": []}}]}),
            ],
        );
    }

    #[test]
    fn long_string_goes_out_directly() {
        use crate::buffered_out::FLUSH_BYTES;
        let schema = Schema::parse("message m { required binary s (STRING); }").unwrap();
        let long = "a".repeat(FLUSH_BYTES);
        let escaped = format!("\"{}", "é".repeat(FLUSH_BYTES / 2));
        let records = [json!({"s": long}), json!({"s": escaped})];
        let stripes = shred_records(&schema, &records).unwrap();
        let mut text = Vec::new();
        let mut out = BufferedOut::new(&mut text);
        let mut assembler = Assembler::all(&schema, &stripes);
        for _ in &records {
            assert!(assembler.write_record(&mut out).unwrap());
            // Only the closing quote and brace are left in the buffer: the value went out.
            assert_eq!(out.buffer().as_bytes(), b"\"}");
            out.buffer().put(b"\n");
        }
        out.finish().unwrap();
        let expected: String = records.iter().map(|r| format!("{r}\n")).collect();
        assert_eq!(String::from_utf8(text).unwrap(), expected);
    }

    /// Name.Language.Country's stripe with entry `entry`'s definition level set to `d`,
    /// printed with all columns: the error, and that the column alone prints.
    fn disagreeing_country(entry: impl Fn(&Stripe) -> usize, d: i16) -> String {
        let schema = Schema::parse(fixtures::DOCUMENT_SCHEMA).unwrap();
        let mut stripes = shred_records(&schema, &fixtures::document_records()).unwrap();
        let country = 4;
        assert_eq!(schema.leaves()[country].path, "Name.Language.Country");
        let e = entry(&stripes[country]);
        let had_value = stripes[country].def[e] == 3;
        let value_index = stripes[country].def[..e]
            .iter()
            .filter(|&&d| d == 3)
            .count();
        stripes[country].def[e] = d;
        if had_value {
            stripes[country].values = match &stripes[country].values {
                Values::ByteArray(v) => {
                    let mut kept = crate::stripe::ByteValues::default();
                    (0..v.len())
                        .filter(|&i| i != value_index)
                        .for_each(|i| kept.push(v.get(i)));
                    Values::ByteArray(kept)
                }
                _ => unreachable!("Country is a string"),
            };
        }
        assert!(printed(&schema, &stripes, &[country]).is_ok());
        let all: Vec<usize> = (0..schema.leaves().len()).collect();
        printed(&schema, &stripes, &all).unwrap_err().to_string()
    }

    #[test]
    fn group_absent_then_present_is_an_error() {
        // Name[1] has no Language; Country says it has one (with a null Country).
        let err = disagreeing_country(
            |s| {
                (0..s.len())
                    .find(|&e| s.rep[e] == 1 && s.def[e] == 1)
                    .unwrap()
            },
            2,
        );
        assert!(err.contains("Name.Language.Country"), "{err}");
        assert!(err.contains("columns disagree"), "{err}");
    }

    #[test]
    fn error_leaves_nothing_of_the_record() {
        let schema = Schema::parse(fixtures::DOCUMENT_SCHEMA).unwrap();
        let mut stripes = shred_records(&schema, &fixtures::document_records()).unwrap();
        // Record 2's only Country entry says Name[0] has a Language, Code says not.
        let country = &mut stripes[4];
        let last = country.len() - 1;
        assert_eq!((country.rep[last], country.def[last]), (0, 1));
        country.def[last] = 2;
        let mut text = Vec::new();
        let mut out = BufferedOut::new(&mut text);
        let mut assembler = Assembler::all(&schema, &stripes);
        assert!(assembler.write_record(&mut out).unwrap());
        let first = out.buffer().as_bytes().to_vec();
        assert!(assembler.write_record(&mut out).is_err());
        assert_eq!(out.buffer().as_bytes(), first.as_slice());
    }

    #[test]
    fn siblings_of_one_name_print_as_the_built_record() {
        check(
            "message m { optional int32 a; optional group g { optional int32 a; } optional int32 a; }",
            &[json!({"a": 1, "g": {"a": 2}}), json!({})],
        );
    }

    #[test]
    fn group_present_then_absent_is_an_error() {
        // Name[2].Language[0] has Code "en-gb"; Country says Name[2] has no Language.
        let err = disagreeing_country(
            |s| {
                (0..s.len())
                    .find(|&e| s.rep[e] == 1 && s.def[e] == 3)
                    .unwrap()
            },
            1,
        );
        assert!(err.contains("Name.Language.Country, entry 3"), "{err}");
        assert!(err.contains("columns disagree"), "{err}");
    }
}
