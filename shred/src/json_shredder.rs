//! The JSON shredder: one record's JSON bytes → entries appended to the stripes, through the
//! [`SchemaPlan`], with no `serde_json::Value` in between.
//!
//! The explicit Dremel algorithm of [`crate::shredder`] (Melnik et al., "Dremel", VLDB 2010,
//! §4.2) run as the JSON text is read: the walk asks the
//! [`crate::json_tokenizer::Tokenizer`] for one token at a time, where the plan expects a
//! value, and the value lands in its stripe on the spot. A node is visited in one of two
//! modes: *slot* (the JSON value under a field name, which may be `null` or, for a repeated
//! field, hold the occurrences) and *present* (one value of the node itself). Transparent
//! `LIST`/`MAP` wrappers hand the same JSON value down to their child, so `"phones": [..]`
//! walks `phones` → `list` (one occurrence per element) → `item`. An object's fields may
//! come in any order (each writes to its own columns); the fields it lacks are written as
//! absent when it closes. The canonical-form rules are those of
//! [`crate::record::normalize`]. A VARIANT group's value, any JSON, is read whole and
//! turned into the group's record slot by [`crate::variant::shredder`], which the walk then
//! shreds like any group.
//!
//! Records that do not fit are rare, and the reference decides about them: when the fast
//! path meets anything it does not accept (malformed JSON, a type mismatch, an unknown or
//! repeated field), the record's entries are rolled back and the record goes through
//! `serde_json::Value` + [`crate::record::normalize`] + [`crate::shredder::Shredder`]. So
//! the error is the reference's, word for word, and a record the fast path declines but
//! the reference accepts (a duplicate key, which JSON parsers resolve by keeping the last)
//! is still shredded; [`JsonShredder::reference_records`] counts those. The tokenizer reads
//! JSON as serde_json reads it, so both paths see the same values.
//!
//! ```
//! use shred::json_shredder::{JsonShredder, RecordAt};
//! use shred::schema_plan::SchemaPlan;
//! let schema = shred::Schema::parse(shred::contact::CONTACT_SCHEMA).unwrap();
//! let plan = SchemaPlan::new(&schema);
//! let mut shredder = JsonShredder::new(&plan);
//! let at = RecordAt { source: "contacts.ndjson", record: 0, line: Some(1) };
//! shredder.shred(br#"{"name": "Ann", "phones": [{"number": "1"}, null]}"#, &at).unwrap();
//! let number = &shredder.stripes()[1];
//! assert_eq!((number.rep.as_slice(), number.def.as_slice()), (&[0, 1][..], &[4, 2][..]));
//! ```

use parquet::basic::Repetition;
use serde_json::Value as Json;

use crate::error::{Error, Result};
use crate::json_tokenizer::{Number, Tokenizer};
use crate::schema_plan::{Conversion, NodeId, NodeShape, PlanNode, SchemaPlan};
use crate::shredder::Shredder;
use crate::stripe::Stripe;

/// Where a record came from, for error messages: `SOURCE: record N (line L): field ...`.
#[derive(Debug, Clone, Copy)]
pub struct RecordAt<'a> {
    /// The input's name (a path, or `-` for stdin).
    pub source: &'a str,
    /// Zero-based record index in the input.
    pub record: usize,
    /// One-based line (NDJSON), or none (a JSON array's element).
    pub line: Option<usize>,
}

/// Shreds JSON records of one schema into reusable stripes.
pub struct JsonShredder<'p> {
    plan: &'p SchemaPlan,
    stripes: Vec<Stripe>,
    walk: Walk,
    records: usize,
    reference_records: usize,
    /// Stripe lengths (entries, values) before the current record, for the rollback.
    marks: Vec<(usize, usize)>,
}

/// Scratch state of the walk, kept between records.
struct Walk {
    /// `seen[node] == generation of its parent object` when the field was given; 64 bits
    /// never wrap.
    seen: Vec<u64>,
    generation: u64,
    /// A byte-array value written as a JSON array of numbers.
    bytes: Vec<u8>,
    /// The tokenizer's buffer for strings with escapes.
    scratch: String,
}

impl Walk {
    /// A fresh generation for one object occurrence.
    #[inline]
    fn next_generation(&mut self) -> u64 {
        self.generation += 1;
        self.generation
    }
}

impl<'p> JsonShredder<'p> {
    /// A shredder with empty stripes for every leaf of the plan.
    pub fn new(plan: &'p SchemaPlan) -> Self {
        Self::with_stripes(plan, plan.new_stripes())
    }

    /// A shredder appending to `stripes` (cleared, one per leaf, e.g. recycled buffers).
    pub fn with_stripes(plan: &'p SchemaPlan, stripes: Vec<Stripe>) -> Self {
        debug_assert_eq!(stripes.len(), plan.leaves().len());
        JsonShredder {
            plan,
            stripes,
            walk: Walk {
                seen: vec![0; plan.nodes().len()],
                generation: 0,
                bytes: Vec::new(),
                scratch: String::new(),
            },
            records: 0,
            reference_records: 0,
            marks: Vec::with_capacity(plan.leaves().len()),
        }
    }

    /// The stripes shredded so far, in column order.
    pub fn stripes(&self) -> &[Stripe] {
        &self.stripes
    }

    /// Number of records shredded since the stripes were last taken or cleared.
    pub fn num_records(&self) -> usize {
        self.records
    }

    /// Records the fast path declined and the reference path shredded: a duplicate key,
    /// or a shape the walk leaves to the reference (a MAP inside a VARIANT's slot).
    pub fn reference_records(&self) -> usize {
        self.reference_records
    }

    /// Clears every stripe, keeping the buffers.
    pub fn clear(&mut self) {
        self.stripes.iter_mut().for_each(Stripe::clear);
        self.records = 0;
    }

    /// Takes the stripes out, leaving `replacement` (cleared, one per leaf) in their place.
    pub fn replace_stripes(&mut self, replacement: Vec<Stripe>) -> Vec<Stripe> {
        debug_assert_eq!(replacement.len(), self.plan.leaves().len());
        self.records = 0;
        std::mem::replace(&mut self.stripes, replacement)
    }

    /// The stripes, giving up the shredder.
    pub fn into_stripes(self) -> Vec<Stripe> {
        self.stripes
    }

    /// Takes the stripes out, leaving empty ones in their place.
    pub fn take(&mut self) -> Vec<Stripe> {
        self.replace_stripes(self.plan.new_stripes())
    }

    /// Shreds one record given as JSON text. On error nothing is appended and the error is
    /// the reference path's: malformed JSON names the line and column, a record that does
    /// not fit names the field path, what was expected and what was found.
    pub fn shred(&mut self, json: &[u8], at: &RecordAt<'_>) -> Result<()> {
        match std::str::from_utf8(json) {
            Ok(text) => self.shred_str(text, at),
            // Not UTF-8: not JSON either, the reference says where.
            Err(_) => self.shred_by_reference(json, at),
        }
    }

    /// Shreds one record given as JSON text known to be UTF-8, as [`JsonShredder::shred`]
    /// does: for text already checked as a whole (a chunk of NDJSON), whose strings then
    /// need no check of their own.
    pub fn shred_str(&mut self, json: &str, at: &RecordAt<'_>) -> Result<()> {
        self.marks.clear();
        self.marks
            .extend(self.stripes.iter().map(|s| (s.len(), s.values.len())));
        let mut tok = Tokenizer::new(json, std::mem::take(&mut self.walk.scratch));
        let mut ctx = Ctx {
            plan: self.plan,
            stripes: &mut self.stripes,
            walk: &mut self.walk,
            depth: 0,
        };
        let root = At {
            node: self.plan.root(),
            r: 0,
            d: 0,
            mode: Mode::Present,
        };
        let walked = ctx.value(&mut tok, root).is_ok() && tok.at_end();
        self.walk.scratch = tok.into_scratch();
        if walked {
            self.records += 1;
            return Ok(());
        }
        self.rollback();
        self.shred_by_reference(json.as_bytes(), at)
    }

    /// Truncates the stripes to where they were before the current record.
    fn rollback(&mut self) {
        for (stripe, &(levels, values)) in self.stripes.iter_mut().zip(&self.marks) {
            stripe.truncate(levels, values);
        }
    }

    /// The reference path for a record the fast path declined.
    fn shred_by_reference(&mut self, json: &[u8], at: &RecordAt<'_>) -> Result<()> {
        let canonical = reference_record(self.plan, json, at)?;
        let mut reference = Shredder::new(self.plan.schema());
        reference.shred(&canonical)?;
        for (stripe, part) in self.stripes.iter_mut().zip(reference.stripes()) {
            stripe.append(part);
        }
        self.records += 1;
        self.reference_records += 1;
        Ok(())
    }
}

/// The canonical form of a record, or the reference path's error for it (each VARIANT
/// value first becomes its group's slot, [`crate::variant::shredder::shred_record`]): malformed JSON
/// (`SOURCE: line L: invalid JSON: ... (column C)`) or a record that does not fit
/// (`SOURCE: record N (line L): field P: expected ..., found ...`).
pub fn reference_record(plan: &SchemaPlan, json: &[u8], at: &RecordAt<'_>) -> Result<Json> {
    let mut value: Json = serde_json::from_slice(json).map_err(|e| {
        let line = at.line.map_or(e.line(), |l| l + e.line() - 1);
        crate::input::invalid_json(at.source, line, &e)
    })?;
    crate::variant::shredder::shred_record(plan, &mut value, at.record, at.line).map_err(|e| {
        Error::Input {
            message: format!("{}: {e}", at.source),
        }
    })?;
    crate::record::normalize(plan.schema(), &value, at.record, at.line).map_err(|e| Error::Input {
        message: format!("{}: {e}", at.source),
    })
}

/// The fast path declined the record: the reference decides about it.
#[derive(Debug)]
struct Declined;

/// The outcome of walking one JSON value.
type Walked = std::result::Result<(), Declined>;

/// Arrays and objects nested deeper than this are declined, so the reference reports
/// them: serde_json counts down from 128 and fails when an array or object brings its
/// count to 0, so 127 levels is the most it reads.
const MAX_DEPTH: u32 = 127;

/// What the walk borrows: the plan, the stripes it appends to, its scratch state.
struct Ctx<'a> {
    plan: &'a SchemaPlan,
    stripes: &'a mut [Stripe],
    walk: &'a mut Walk,
    /// Arrays and objects open around the current value.
    depth: u32,
}

/// How a node meets a JSON value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The value under a field name: `null` means absent; a repeated node's value holds
    /// its occurrences.
    Slot,
    /// One value of the node itself (one occurrence, for a repeated node).
    Present,
}

/// Where the next JSON value lands: a node, met in a mode.
#[derive(Debug, Clone, Copy)]
struct At {
    node: NodeId,
    /// Repetition level of the node's first entry.
    r: i16,
    /// Definition level written below the node when it is absent.
    d: i16,
    mode: Mode,
}

/// `(null, r, d)` for every column under `node`.
#[inline]
fn absent(stripes: &mut [Stripe], node: &PlanNode, r: i16, d: i16) {
    for column in node.columns.clone() {
        stripes[column].push_null(r, d);
    }
}

/// Appends one converted value at `(r, leaf.def)`; declined when the conversion refuses.
#[inline]
fn push_leaf(
    stripes: &mut [Stripe],
    leaf: &PlanNode,
    r: i16,
    push: impl FnOnce(Conversion, &mut crate::stripe::Values) -> bool,
) -> Walked {
    let NodeShape::Leaf { column, conversion } = leaf.shape else {
        return Err(Declined);
    };
    let stripe = &mut stripes[column];
    if !push(conversion, &mut stripe.values) {
        return Err(Declined);
    }
    stripe.rep.push(r);
    stripe.def.push(leaf.def);
    Ok(())
}

/// Follows a scalar down to the leaf it lands in, if it lands in one.
#[inline]
fn scalar_leaf(plan: &SchemaPlan, at: At) -> std::result::Result<&PlanNode, Declined> {
    let (mut node, mut mode) = (plan.node(at.node), at.mode);
    loop {
        match (mode, &node.shape) {
            (Mode::Slot, _) if node.repetition == Repetition::REPEATED => return Err(Declined),
            (Mode::Slot, _) => mode = Mode::Present,
            (Mode::Present, NodeShape::Leaf { .. }) => return Ok(node),
            (Mode::Present, NodeShape::Transparent { child }) => {
                node = plan.node(*child);
                mode = Mode::Slot;
            }
            (Mode::Present, NodeShape::Object { .. }) => return Err(Declined),
        }
    }
}

/// Follows an array or an object down transparent wrappers to the node that takes it: a
/// repeated node (its occurrences, [`Mode::Slot`]) or one value ([`Mode::Present`]).
/// `at.node` and `at.d` follow on the way.
fn container<'p>(
    plan: &'p SchemaPlan,
    at: &mut At,
    is_array: bool,
) -> Option<(&'p PlanNode, Mode)> {
    loop {
        let node = plan.node(at.node);
        match (at.mode, &node.shape) {
            (Mode::Slot, NodeShape::Object { map_entry, .. })
                if node.repetition == Repetition::REPEATED =>
            {
                return (is_array || *map_entry).then_some((node, Mode::Slot));
            }
            (Mode::Slot, _) if node.repetition == Repetition::REPEATED => {
                return is_array.then_some((node, Mode::Slot));
            }
            (Mode::Slot, _) => at.mode = Mode::Present,
            (Mode::Present, NodeShape::Transparent { child }) => {
                at.d = node.def;
                at.node = *child;
                at.mode = Mode::Slot;
            }
            (Mode::Present, _) => return Some((node, Mode::Present)),
        }
    }
}

/// The VARIANT group that takes this value whole, if one does, with the definition level
/// and mode it meets the value in: the node itself, or the element a list wrapper hands
/// its occurrence down to. A repeated VARIANT's slot holds its occurrences, each one a
/// variant.
fn variant_target(plan: &SchemaPlan, mut at: At) -> Option<At> {
    loop {
        let node = plan.node(at.node);
        if plan.variant(at.node).is_some()
            && (at.mode == Mode::Present || node.repetition != Repetition::REPEATED)
        {
            return Some(at);
        }
        match (at.mode, &node.shape) {
            (Mode::Present, NodeShape::Transparent { child }) => {
                at.d = node.def;
                at.node = *child;
                at.mode = Mode::Slot;
            }
            _ => return None,
        }
    }
}

impl Ctx<'_> {
    /// Walks the next JSON value into the stripes.
    #[inline]
    fn value(&mut self, tok: &mut Tokenizer<'_>, at: At) -> Walked {
        if !self.plan.variants().is_empty()
            && let Some(at) = variant_target(self.plan, at)
        {
            return self.variant(tok, at);
        }
        self.own_value(tok, at)
    }

    /// Walks the next JSON value, the node's own (not a VARIANT's whole value).
    #[inline]
    fn own_value(&mut self, tok: &mut Tokenizer<'_>, at: At) -> Walked {
        match tok.peek() {
            Some(b'"') => {
                let leaf = scalar_leaf(self.plan, at)?;
                let s = tok.string().ok_or(Declined)?;
                push_leaf(self.stripes, leaf, at.r, |c, values| c.push_str(s, values))
            }
            Some(b'-' | b'0'..=b'9') => {
                let leaf = scalar_leaf(self.plan, at)?;
                let number = tok.number().ok_or(Declined)?;
                push_leaf(self.stripes, leaf, at.r, |c, values| match number {
                    Number::U64(x) => c.push_u64(x, values),
                    Number::I64(x) => c.push_i64(x, values),
                    Number::F64(x) => c.push_f64(x, values),
                })
            }
            Some(b'n') => {
                tok.literal("null").ok_or(Declined)?;
                self.null(at)
            }
            Some(b't') => {
                tok.literal("true").ok_or(Declined)?;
                let leaf = scalar_leaf(self.plan, at)?;
                push_leaf(self.stripes, leaf, at.r, |c, values| {
                    c.push_bool(true, values)
                })
            }
            Some(b'f') => {
                tok.literal("false").ok_or(Declined)?;
                let leaf = scalar_leaf(self.plan, at)?;
                push_leaf(self.stripes, leaf, at.r, |c, values| {
                    c.push_bool(false, values)
                })
            }
            Some(b'[') => {
                tok.bump();
                self.open()?;
                self.array(tok, at)?;
                self.depth -= 1;
                Ok(())
            }
            Some(b'{') => {
                tok.bump();
                self.open()?;
                self.object(tok, at)?;
                self.depth -= 1;
                Ok(())
            }
            _ => Err(Declined),
        }
    }

    /// One more array or object open.
    #[inline]
    fn open(&mut self) -> Walked {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Declined);
        }
        Ok(())
    }

    /// A JSON `null`: the slot's node is absent.
    fn null(&mut self, mut at: At) -> Walked {
        let plan = self.plan;
        let mut node = plan.node(at.node);
        loop {
            match (at.mode, &node.shape) {
                (Mode::Slot, _) if node.repetition == Repetition::REQUIRED => {
                    return Err(Declined);
                }
                (Mode::Slot, _) => {
                    absent(self.stripes, node, at.r, at.d);
                    return Ok(());
                }
                (Mode::Present, NodeShape::Transparent { child }) => {
                    at.d = node.def;
                    node = plan.node(*child);
                    at.mode = Mode::Slot;
                }
                (Mode::Present, _) => return Err(Declined),
            }
        }
    }

    /// The elements of an array, after its `[`.
    fn array(&mut self, tok: &mut Tokenizer<'_>, mut at: At) -> Walked {
        let (node, mode) = container(self.plan, &mut at, true).ok_or(Declined)?;
        match (mode, &node.shape) {
            (Mode::Slot, _) => {
                // The occurrences of a repeated node.
                let mut element = At {
                    d: node.def,
                    mode: Mode::Present,
                    ..at
                };
                if tok.eat(b']') {
                    absent(self.stripes, node, at.r, at.d);
                    return Ok(());
                }
                loop {
                    self.value(tok, element)?;
                    element.r = node.rep;
                    if !next_element(tok, b']')? {
                        return Ok(());
                    }
                }
            }
            (Mode::Present, NodeShape::Leaf { .. }) => {
                // A byte array written as a list of byte values.
                let mut bytes = std::mem::take(&mut self.walk.bytes);
                bytes.clear();
                let read = byte_values(tok, &mut bytes);
                let pushed = read.and_then(|()| {
                    push_leaf(self.stripes, node, at.r, |c, values| {
                        c.push_bytes(&bytes, values)
                    })
                });
                self.walk.bytes = bytes;
                pushed
            }
            _ => Err(Declined),
        }
    }

    /// The fields of an object, after its `{`: a group's, or a MAP's entries.
    fn object(&mut self, tok: &mut Tokenizer<'_>, mut at: At) -> Walked {
        let plan = self.plan;
        let (node, mode) = container(plan, &mut at, false).ok_or(Declined)?;
        let NodeShape::Object {
            children, lookup, ..
        } = &node.shape
        else {
            return Err(Declined);
        };
        if mode == Mode::Slot {
            return self.map_entries(tok, at, node, children, lookup);
        }
        // A group: its fields in any order, then the ones it lacks.
        let generation = self.walk.next_generation();
        let mut given = 0;
        if !tok.eat(b'}') {
            let mut hint = 0;
            loop {
                if tok.peek() != Some(b'"') {
                    return Err(Declined);
                }
                // Fields usually come in schema order: the next one's name is tried first.
                let position = match lookup.plain_name(hint) {
                    Some(name) if tok.eat_key(name) => hint,
                    _ => {
                        let name = tok.string().ok_or(Declined)?;
                        lookup.find(name, hint).ok_or(Declined)?
                    }
                };
                let child = children[position];
                let seen = &mut self.walk.seen[child as usize];
                if *seen == generation {
                    return Err(Declined);
                }
                *seen = generation;
                given += 1;
                hint = position + 1;
                if !tok.eat(b':') {
                    return Err(Declined);
                }
                let field = At {
                    node: child,
                    r: at.r,
                    d: node.def,
                    mode: Mode::Slot,
                };
                self.value(tok, field)?;
                if !next_element(tok, b'}')? {
                    break;
                }
            }
        }
        if given == children.len() {
            return Ok(());
        }
        self.fields_not_given(children, generation, at.r, node.def)
    }

    /// A MAP written as a JSON object, after its `{`: each key/value pair is one entry.
    fn map_entries(
        &mut self,
        tok: &mut Tokenizer<'_>,
        at: At,
        node: &PlanNode,
        children: &[NodeId],
        lookup: &crate::schema_plan::FieldLookup,
    ) -> Walked {
        if tok.eat(b'}') {
            absent(self.stripes, node, at.r, at.d);
            return Ok(());
        }
        let key = children[0];
        let value = lookup.find("value", 1).map(|i| children[i]);
        let mut r = at.r;
        loop {
            let generation = self.walk.next_generation();
            if tok.peek() != Some(b'"') {
                return Err(Declined);
            }
            let key_at = At {
                node: key,
                r,
                d: node.def,
                mode: Mode::Slot,
            };
            self.value(tok, key_at)?;
            self.walk.seen[key as usize] = generation;
            let value = value.ok_or(Declined)?;
            self.walk.seen[value as usize] = generation;
            if !tok.eat(b':') {
                return Err(Declined);
            }
            self.value(
                tok,
                At {
                    node: value,
                    ..key_at
                },
            )?;
            self.fields_not_given(children, generation, r, node.def)?;
            r = node.rep;
            if !next_element(tok, b'}')? {
                return Ok(());
            }
        }
    }

    /// Writes the fields of an object occurrence that were not given as absent; a required
    /// one declines.
    fn fields_not_given(&mut self, children: &[NodeId], generation: u64, r: i16, d: i16) -> Walked {
        for &child in children {
            if self.walk.seen[child as usize] != generation {
                let node = self.plan.node(child);
                if node.repetition == Repetition::REQUIRED {
                    return Err(Declined);
                }
                absent(self.stripes, node, r, d);
            }
        }
        Ok(())
    }

    /// A VARIANT group's value, any JSON: read whole, turned into the group's record slot
    /// by [`crate::variant::shredder`], whose JSON text is then walked like any group's.
    fn variant(&mut self, tok: &mut Tokenizer<'_>, at: At) -> Walked {
        let plan = self.plan;
        let Some(column) = plan.variant(at.node) else {
            unreachable!("a variant target is a VARIANT group")
        };
        let mut values = serde_json::Deserializer::from_str(tok.rest()).into_iter::<Json>();
        let Some(Ok(json)) = values.next() else {
            return Err(Declined);
        };
        tok.advance(values.byte_offset());
        // serde_json's nesting limit holds for the whole record, the value's levels
        // included.
        if self.depth + nesting(&json) > MAX_DEPTH {
            return Err(Declined);
        }
        let node = plan.node(at.node);
        if json.is_null() && at.mode == Mode::Slot && node.repetition == Repetition::OPTIONAL {
            return self.null(at);
        }
        let slot = crate::variant::shredder::slot_from_json(plan.schema(), column, &json)
            .map_err(|_| Declined)?;
        self.parsed(&slot, at)
    }

    /// Walks a value already parsed (a VARIANT group's record slot) as
    /// [`Ctx::own_value`] walks one in the text. A slot holds groups, lists and scalars;
    /// anything else declines.
    fn parsed(&mut self, json: &Json, mut at: At) -> Walked {
        let plan = self.plan;
        match json {
            Json::Null => self.null(at),
            Json::Bool(b) => push_leaf(self.stripes, scalar_leaf(plan, at)?, at.r, |c, values| {
                c.push_bool(*b, values)
            }),
            Json::Number(n) => {
                push_leaf(self.stripes, scalar_leaf(plan, at)?, at.r, |c, values| {
                    if let Some(x) = n.as_u64() {
                        c.push_u64(x, values)
                    } else if let Some(x) = n.as_i64() {
                        c.push_i64(x, values)
                    } else {
                        n.as_f64().is_some_and(|x| c.push_f64(x, values))
                    }
                })
            }
            Json::String(s) => {
                push_leaf(self.stripes, scalar_leaf(plan, at)?, at.r, |c, values| {
                    c.push_str(s, values)
                })
            }
            Json::Array(items) => {
                let (node, mode) = container(plan, &mut at, true).ok_or(Declined)?;
                match (mode, &node.shape) {
                    (Mode::Slot, _) if items.is_empty() => {
                        absent(self.stripes, node, at.r, at.d);
                        Ok(())
                    }
                    (Mode::Slot, _) => {
                        let mut element = At {
                            d: node.def,
                            mode: Mode::Present,
                            ..at
                        };
                        for item in items {
                            self.parsed(item, element)?;
                            element.r = node.rep;
                        }
                        Ok(())
                    }
                    (Mode::Present, NodeShape::Leaf { .. }) => {
                        let bytes: Option<Vec<u8>> = items
                            .iter()
                            .map(|b| b.as_u64().and_then(|b| u8::try_from(b).ok()))
                            .collect();
                        let bytes = bytes.ok_or(Declined)?;
                        push_leaf(self.stripes, node, at.r, |c, values| {
                            c.push_bytes(&bytes, values)
                        })
                    }
                    _ => Err(Declined),
                }
            }
            Json::Object(fields) => {
                let (node, mode) = container(plan, &mut at, false).ok_or(Declined)?;
                let (
                    Mode::Present,
                    NodeShape::Object {
                        children, lookup, ..
                    },
                ) = (mode, &node.shape)
                else {
                    return Err(Declined);
                };
                let generation = self.walk.next_generation();
                for (name, value) in fields {
                    let child = children[lookup.find(name, 0).ok_or(Declined)?];
                    self.walk.seen[child as usize] = generation;
                    let field = At {
                        node: child,
                        r: at.r,
                        d: node.def,
                        mode: Mode::Slot,
                    };
                    self.parsed(value, field)?;
                }
                self.fields_not_given(children, generation, at.r, node.def)
            }
        }
    }
}

/// Levels of arrays and objects in a parsed value: 0 for a scalar, 1 for `[]`.
fn nesting(json: &Json) -> u32 {
    let inner = match json {
        Json::Array(items) => items.iter().map(nesting).max(),
        Json::Object(fields) => fields.values().map(nesting).max(),
        _ => return 0,
    };
    1 + inner.unwrap_or(0)
}

/// After an array's element or an object's field: true at `,` (another one follows),
/// false at `close` (the end).
#[inline]
fn next_element(tok: &mut Tokenizer<'_>, close: u8) -> std::result::Result<bool, Declined> {
    match tok.peek() {
        Some(b',') => {
            tok.bump();
            Ok(true)
        }
        Some(b) if b == close => {
            tok.bump();
            Ok(false)
        }
        _ => Err(Declined),
    }
}

/// The elements of an array of byte values (integers 0 to 255), after its `[`.
fn byte_values(tok: &mut Tokenizer<'_>, bytes: &mut Vec<u8>) -> Walked {
    if tok.eat(b']') {
        return Ok(());
    }
    loop {
        if !matches!(tok.peek(), Some(b'-' | b'0'..=b'9')) {
            return Err(Declined);
        }
        match tok.number() {
            Some(Number::U64(b)) if b <= 255 => bytes.push(b as u8),
            _ => return Err(Declined),
        }
        if !next_element(tok, b']')? {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{self, stripe_table as table};
    use crate::schema::Schema;
    use crate::shredder::shred_records;
    use serde_json::json;

    const NULL: Json = Json::Null;

    fn at(record: usize) -> RecordAt<'static> {
        RecordAt {
            source: "in.ndjson",
            record,
            line: Some(record + 1),
        }
    }

    /// Shreds `records` (JSON texts) through the fast path; asserts the reference path
    /// gives the same stripes and that the fast path needed no help.
    fn shred(schema_text: &str, records: &[&str]) -> (Schema, Vec<Stripe>) {
        let schema = Schema::parse(schema_text).unwrap();
        let plan = SchemaPlan::new(&schema);
        let mut shredder = JsonShredder::new(&plan);
        for (i, r) in records.iter().enumerate() {
            shredder.shred(r.as_bytes(), &at(i)).unwrap();
        }
        assert_eq!(shredder.reference_records(), 0);
        assert_eq!(shredder.num_records(), records.len());
        let values: Vec<Json> = records
            .iter()
            .map(|r| serde_json::from_str(r).unwrap())
            .collect();
        let stripes = shredder.take();
        assert_eq!(stripes, shred_records(&schema, &values).unwrap());
        (schema, stripes)
    }

    /// The error the JSON shredder gives for one record; asserts nothing was appended.
    fn error(schema_text: &str, record: &str) -> String {
        let schema = Schema::parse(schema_text).unwrap();
        let plan = SchemaPlan::new(&schema);
        let mut shredder = JsonShredder::new(&plan);
        let err = shredder
            .shred(record.as_bytes(), &at(6))
            .unwrap_err()
            .to_string();
        assert!(shredder.stripes().iter().all(Stripe::is_empty), "{err}");
        assert_eq!(shredder.num_records(), 0);
        err
    }

    fn rd(schema: &Schema, stripes: &[Stripe], leaf: usize) -> Vec<(i16, i16)> {
        table(schema, stripes, leaf)
            .into_iter()
            .map(|(_, r, d)| (r, d))
            .collect()
    }

    /// Figure 3 of the Dremel paper, entry by entry.
    #[test]
    fn dremel_document_figure_3() {
        let (schema, stripes) = shred(
            fixtures::DOCUMENT_SCHEMA,
            &[fixtures::DOCUMENT_R1, fixtures::DOCUMENT_R2],
        );
        let expected = fixtures::document_figure_3();
        for (leaf, want) in expected.iter().enumerate() {
            assert_eq!(&table(&schema, &stripes, leaf), want, "column {leaf}");
        }
    }

    fn phones_number(phones: &str) -> Vec<(i16, i16)> {
        let record = format!(r#"{{"phones": {phones}}}"#);
        let (schema, stripes) = shred(crate::contact::CONTACT_SCHEMA, &[&record]);
        rd(&schema, &stripes, 1)
    }

    #[test]
    fn null_list() {
        assert_eq!(phones_number("null"), vec![(0, 0)]);
        let (schema, stripes) = shred(crate::contact::CONTACT_SCHEMA, &["{}"]);
        assert_eq!(rd(&schema, &stripes, 1), vec![(0, 0)]);
    }

    #[test]
    fn empty_list() {
        assert_eq!(phones_number("[]"), vec![(0, 1)]);
    }

    #[test]
    fn null_item() {
        assert_eq!(phones_number("[null]"), vec![(0, 2)]);
    }

    #[test]
    fn null_number() {
        assert_eq!(phones_number(r#"[{"phone_type": "Work"}]"#), vec![(0, 3)]);
        assert_eq!(phones_number(r#"[{"number": null}]"#), vec![(0, 3)]);
    }

    #[test]
    fn number_present() {
        assert_eq!(
            phones_number(r#"[{"number": "1"}, null, {"number": "2"}]"#),
            vec![(0, 4), (1, 2), (1, 4)]
        );
    }

    #[test]
    fn fields_in_any_order() {
        let (schema, stripes) = shred(
            crate::contact::CONTACT_SCHEMA,
            &[r#"{"phones": [{"phone_type": "Home", "number": "7"}], "name": "A"}"#],
        );
        assert_eq!(table(&schema, &stripes, 0), vec![(json!("A"), 0, 1)]);
        assert_eq!(table(&schema, &stripes, 1), vec![(json!("7"), 0, 4)]);
        assert_eq!(table(&schema, &stripes, 2), vec![(json!("Home"), 0, 4)]);
    }

    #[test]
    fn nested_lists_with_nulls_and_empties_at_each_level() {
        let (schema, stripes) = shred(
            "message m {
              optional group a (LIST) { repeated group list { optional group element (LIST) {
                repeated group list { optional int32 element; } } } } }",
            &[
                r#"{"a": null}"#,
                r#"{"a": []}"#,
                r#"{"a": [null]}"#,
                r#"{"a": [[]]}"#,
                r#"{"a": [[null]]}"#,
                r#"{"a": [[1, null], [], null, [2]]}"#,
            ],
        );
        // `shred` checks the stripes against the reference, whose test of the same name
        // lists them entry by entry; here, one entry per definition state and the values.
        let defs: Vec<i16> = table(&schema, &stripes, 0).iter().map(|e| e.2).collect();
        assert_eq!(defs, vec![0, 1, 2, 3, 4, 5, 4, 3, 2, 5]);
        assert_eq!(stripes[0].values, crate::stripe::Values::Int32(vec![1, 2]));
    }

    const MAP: &str = "message m { optional group m (MAP) { repeated group key_value {
        required binary key (STRING); optional group value (LIST) {
        repeated group list { optional int64 element; } } } } }";

    #[test]
    fn map_as_entries() {
        let (schema, stripes) = shred(
            MAP,
            &[
                r#"{"m": null}"#,
                r#"{"m": []}"#,
                r#"{"m": [{"key": "a", "value": [1, null]}, {"value": null, "key": "b"}]}"#,
            ],
        );
        assert_eq!(
            rd(&schema, &stripes, 0),
            vec![(0, 0), (0, 1), (0, 2), (1, 2)]
        );
        // The value column, entry by entry, is in the reference's `map_entries` test.
        assert_eq!(stripes[1].values, crate::stripe::Values::Int64(vec![1]));
    }

    #[test]
    fn map_as_object() {
        let (schema, stripes) = shred(MAP, &[r#"{"m": {}}"#, r#"{"m": {"a": [1], "b": null}}"#]);
        assert_eq!(
            table(&schema, &stripes, 0),
            vec![(NULL, 0, 1), (json!("a"), 0, 2), (json!("b"), 1, 2)]
        );
        assert_eq!(
            table(&schema, &stripes, 1),
            vec![(NULL, 0, 1), (json!(1), 0, 5), (NULL, 1, 2)]
        );
    }

    #[test]
    fn bare_repeated_fields() {
        let (schema, stripes) = shred(
            "message m { repeated int32 a; repeated group g { repeated binary s (STRING); } }",
            &[
                r#"{"a": [1, 2], "g": [{"s": ["x"]}, {"s": []}, {}]}"#,
                r#"{"a": null}"#,
                r#"{"a": [], "g": []}"#,
            ],
        );
        assert_eq!(
            table(&schema, &stripes, 0),
            vec![
                (json!(1), 0, 1),
                (json!(2), 1, 1),
                (NULL, 0, 0),
                (NULL, 0, 0)
            ]
        );
        assert_eq!(
            table(&schema, &stripes, 1),
            vec![
                (json!("x"), 0, 2),
                (NULL, 1, 1),
                (NULL, 1, 1),
                (NULL, 0, 0),
                (NULL, 0, 0)
            ]
        );
    }

    #[test]
    fn required_inside_optional_group() {
        let (schema, stripes) = shred(
            "message m { optional group g { required int32 a; optional int32 b; } }",
            &[
                r#"{"g": null}"#,
                r#"{"g": {"a": 1}}"#,
                r#"{"g": {"b": 3, "a": 2}}"#,
            ],
        );
        assert_eq!(rd(&schema, &stripes, 0), vec![(0, 0), (0, 1), (0, 1)]);
        assert_eq!(rd(&schema, &stripes, 1), vec![(0, 0), (0, 1), (0, 2)]);
    }

    const ALL_TYPES: &str = "message m { required boolean a; required int32 b;
        required int64 c; required int96 d; required float e; required double f;
        required binary g; required fixed_len_byte_array(2) h; optional int32 u (INTEGER(32,false));
        optional int64 v (INTEGER(64,false)); optional int32 day (DATE);
        optional int64 ts (TIMESTAMP(MICROS,true)); optional int64 dec (DECIMAL(18,2));
        optional binary j (JSON); }";

    #[test]
    fn each_logical_conversion() {
        let record = r#"{"a": false, "b": -7, "c": 2199023255552, "d": -1000000000123,
            "e": 1.5, "f": "-Infinity", "g": [0, 255], "h": "ab", "u": 4000000000,
            "v": 18446744073709551615, "day": 19000, "ts": -5, "dec": 12345, "j": "{}"}"#;
        let (schema, stripes) = shred(ALL_TYPES, &[record]);
        // One entry per column.
        let values: Vec<Json> = (0..schema.leaves().len())
            .flat_map(|l| table(&schema, &stripes, l))
            .map(|(value, _, _)| value)
            .collect();
        assert_eq!(
            values,
            vec![
                json!(false),
                json!(-7),
                json!(1_i64 << 41),
                json!(-1_000_000_000_123_i64),
                json!(1.5),
                json!("-Infinity"),
                json!([0, 255]),
                json!("ab"),
                json!(4_000_000_000_u64),
                json!(u64::MAX),
                json!(19000),
                json!(-5),
                json!(12345),
                json!("{}"),
            ]
        );
        let (_, floats) = shred(
            "message m { required float e; required double f; }",
            &[r#"{"e": 7, "f": -0.0}"#, r#"{"e": "Infinity", "f": 1e300}"#],
        );
        assert_eq!(
            floats[0].values,
            crate::stripe::Values::Float(vec![7.0, f32::INFINITY])
        );
        assert_eq!(
            floats[1].values,
            crate::stripe::Values::Double(vec![-0.0, 1e300])
        );
        let schema = Schema::parse("message m { required double f; }").unwrap();
        let plan = SchemaPlan::new(&schema);
        let mut shredder = JsonShredder::new(&plan);
        shredder.shred(br#"{"f": "NaN"}"#, &at(0)).unwrap();
        let crate::stripe::Values::Double(nan) = &shredder.stripes()[0].values else {
            panic!("a DOUBLE column")
        };
        assert!(nan[0].is_nan());
    }

    #[test]
    fn malformed_json_names_line_and_column() {
        assert_eq!(
            error(crate::contact::CONTACT_SCHEMA, r#"{"name": }"#),
            "in.ndjson: line 7: invalid JSON: expected value (column 10)"
        );
        assert_eq!(
            error(crate::contact::CONTACT_SCHEMA, r#"{"name": "a"} x"#),
            "in.ndjson: line 7: invalid JSON: trailing characters (column 15)"
        );
    }

    #[test]
    fn missing_required_field() {
        assert_eq!(
            error(
                "message m { required group g { required int32 a; } }",
                r#"{"g": {}}"#
            ),
            "in.ndjson: record 6 (line 7): field g.a: required field is missing or null"
        );
    }

    #[test]
    fn wrong_type_names_the_path() {
        assert_eq!(
            error(
                crate::contact::CONTACT_SCHEMA,
                r#"{"phones": [null, {"number": 5}]}"#
            ),
            "in.ndjson: record 6 (line 7): field phones[1].number: expected a string for \
             BYTE_ARRAY (String), found a number 5"
        );
        assert_eq!(
            error(crate::contact::CONTACT_SCHEMA, r#"[1]"#),
            "in.ndjson: record 6 (line 7): field (record): expected an object (group), \
             found a list [1]"
        );
    }

    #[test]
    fn unknown_field() {
        assert_eq!(
            error(crate::contact::CONTACT_SCHEMA, r#"{"name": "a", "age": 3}"#),
            "in.ndjson: record 6 (line 7): field age: unknown field (expected one of: name, phones)"
        );
    }

    #[test]
    fn integer_out_of_range() {
        let err = error("message m { optional int32 a; }", r#"{"a": 5000000000}"#);
        assert!(err.contains("field a: expected a 32-bit integer"), "{err}");
        let err = error("message m { optional int32 a; }", r#"{"a": 1.0}"#);
        assert!(err.contains("found a number 1.0"), "{err}");
    }

    #[test]
    fn null_in_a_repeated_leaf() {
        let err = error("message m { repeated int32 a; }", r#"{"a": [1, null]}"#);
        assert!(
            err.ends_with("field a[1]: a repeated value cannot be null"),
            "{err}"
        );
    }

    #[test]
    fn duplicate_key_takes_the_last_value_as_the_reference_does() {
        let schema = Schema::parse("message m { optional int32 a; }").unwrap();
        let plan = SchemaPlan::new(&schema);
        let mut shredder = JsonShredder::new(&plan);
        shredder.shred(br#"{"a": 1, "a": 2}"#, &at(0)).unwrap();
        assert_eq!(shredder.reference_records(), 1);
        assert_eq!(
            shredder.stripes()[0].values,
            crate::stripe::Values::Int32(vec![2])
        );
        assert_eq!(shredder.stripes()[0].def, vec![1]);
    }

    #[test]
    fn field_name_that_json_escapes() {
        // The field is called `a\b`: JSON writes its key as "a\\b", and "a\b" is another
        // key (`a`, a backspace, `b`).
        let schema = Schema::parse(r"message m { optional int32 a\b; }").unwrap();
        let plan = SchemaPlan::new(&schema);
        let mut shredder = JsonShredder::new(&plan);
        shredder.shred(br#"{"a\\b": 1}"#, &at(0)).unwrap();
        assert_eq!(shredder.reference_records(), 0);
        assert_eq!(
            shredder.stripes()[0].values,
            crate::stripe::Values::Int32(vec![1])
        );
        let err = shredder.shred(br#"{"a\b": 2}"#, &at(1)).unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
    }

    #[test]
    fn nesting_past_serde_json_limit_is_an_error() {
        let schema = Schema::parse(VARIANT).unwrap();
        let plan = SchemaPlan::new(&schema);
        let mut shredder = JsonShredder::new(&plan);
        // The record's object is one level, the variant's arrays the other 127.
        let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        let deepest = format!(r#"{{"id": 1, "v": {}}}"#, nested(126));
        shredder.shred(deepest.as_bytes(), &at(0)).unwrap();
        let too_deep = format!(r#"{{"id": 1, "v": {}}}"#, nested(127));
        let err = shredder.shred(too_deep.as_bytes(), &at(1)).unwrap_err();
        assert!(err.to_string().contains("recursion limit"), "{err}");
        assert_eq!(shredder.num_records(), 1);
    }

    #[test]
    fn failed_record_leaves_stripes_untouched() {
        let schema = Schema::parse("message m { optional int32 a; required int32 b; }").unwrap();
        let plan = SchemaPlan::new(&schema);
        let mut shredder = JsonShredder::new(&plan);
        shredder.shred(br#"{"a": 1, "b": 2}"#, &at(0)).unwrap();
        let before = shredder.stripes().to_vec();
        for bad in [
            &br#"{"a": 3, "b": "x"}"#[..],
            br#"{"a": 3, "b": 4} 5"#,
            b"{\"a\": 3",
        ] {
            assert!(shredder.shred(bad, &at(1)).is_err());
            assert_eq!(shredder.stripes(), before.as_slice());
            assert_eq!(shredder.num_records(), 1);
        }
    }

    const VARIANT: &str = "message m { required int64 id; optional group v (VARIANT(1)) {
        required binary metadata; optional binary value; optional group typed_value {
          required group a { optional binary value; optional int64 typed_value; } } }
        optional group l (LIST) { repeated group list { required group element (VARIANT(1)) {
          required binary metadata; required binary value; } } } }";

    /// The stripes of the records through the reference path alone.
    fn by_reference(plan: &SchemaPlan, records: &[&str]) -> Vec<Stripe> {
        let mut reference = Shredder::new(plan.schema());
        for (i, r) in records.iter().enumerate() {
            let canonical = reference_record(plan, r.as_bytes(), &at(i)).unwrap();
            reference.shred(&canonical).unwrap();
        }
        reference.stripes().to_vec()
    }

    #[test]
    fn variant_values_shred_alike_on_both_paths() {
        let records = [
            r#"{"id": 1, "v": {"a": 1, "b": [true]}, "l": [null, 2, {"a": "x"}]}"#,
            r#"{"id": 2, "v": null, "l": []}"#,
            r#"{"id": 3, "v": "text"}"#,
            r#"{"id": 4, "v": {"a": "one"}, "l": null}"#,
            r#"{"v": {}, "id": 5}"#,
        ];
        let schema = Schema::parse(VARIANT).unwrap();
        let plan = SchemaPlan::new(&schema);
        let mut shredder = JsonShredder::new(&plan);
        for (i, r) in records.iter().enumerate() {
            shredder.shred(r.as_bytes(), &at(i)).unwrap();
        }
        assert_eq!(shredder.reference_records(), 0);
        let stripes = shredder.take();
        assert_eq!(stripes, by_reference(&plan, &records));
        // v.metadata: present (d=1) except where v is null.
        assert_eq!(
            rd(&schema, &stripes, 1),
            vec![(0, 1), (0, 0), (0, 1), (0, 1), (0, 1)]
        );
        // v.typed_value.a.typed_value (max d 3): typed, v null, not an object (typed_value
        // null, d=1), value only and missing (a's group present, d=2).
        assert_eq!(
            rd(&schema, &stripes, 4),
            vec![(0, 3), (0, 0), (0, 1), (0, 2), (0, 2)]
        );
        // l.list.element.value: three elements (a JSON null is the variant null), an empty
        // list, then nothing for a missing and a null list.
        assert_eq!(
            rd(&schema, &stripes, 6),
            vec![(0, 2), (1, 2), (1, 2), (0, 1), (0, 0), (0, 0), (0, 0)]
        );
    }

    #[test]
    fn variant_map_values_given_as_an_object() {
        let schema = Schema::parse(
            "message m { optional group attrs (MAP) { repeated group key_value {
               required binary key (STRING); optional group value (VARIANT(1)) {
               required binary metadata; optional binary value; optional int64 typed_value; } } } }",
        )
        .unwrap();
        let plan = SchemaPlan::new(&schema);
        let records = [r#"{"attrs": {"a": 1, "b": "x", "c": null}}"#];
        let mut shredder = JsonShredder::new(&plan);
        shredder.shred(records[0].as_bytes(), &at(0)).unwrap();
        assert_eq!(shredder.reference_records(), 0);
        let stripes = shredder.take();
        assert_eq!(stripes, by_reference(&plan, &records));
        // attrs.key_value.value.typed_value (max d 4): typed, value only, null group.
        assert_eq!(rd(&schema, &stripes, 3), vec![(0, 4), (1, 3), (1, 2)]);
    }

    #[test]
    fn variant_value_too_wide_names_line_and_path() {
        assert_eq!(
            error(
                VARIANT,
                r#"{"id": 1, "l": [1, {"n": [18446744073709551615]}]}"#
            ),
            "in.ndjson: record 6 (line 7): field l[1]: $.n[0]: integer 18446744073709551615 \
             does not fit a variant int64"
        );
    }

    #[test]
    fn malformed_json_in_a_variant_names_line_and_column() {
        assert_eq!(
            error(VARIANT, r#"{"id": 1, "v": {"a": [1,}}"#),
            "in.ndjson: line 7: invalid JSON: expected value (column 25)"
        );
    }
}
