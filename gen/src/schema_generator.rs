//! Records of any schema, drawn straight into stripes: a schema and a spec compiled into
//! per-node settings, and the Dremel shredder's rules applied as each field is drawn.
//!
//! The schema is compiled by [`SchemaPlan`] (per node: repetition, the levels it has when
//! present, the definition level of its absence). Each node gets its spec settings
//! (`null` for an optional node, `length` and `empty` for a repeated one; a `LIST`/`MAP`
//! group's `length` and `empty` belong to its repeated child) and each leaf its value
//! generator ([`LeafValues`]). A record is then drawn depth first, as the shredder walks it
//! (Melnik et al., "Dremel", VLDB 2010, §4.2): a null optional node, or a repeated one with
//! no occurrence, writes one entry `(r, absent_def)` to every column under it; the `j`-th
//! occurrence of a repeated node repeats at its own level (`r` = the node's repetition
//! level for `j > 0`); a present leaf writes `(r, def)` and its value. No record value is
//! ever built, and the tree is not walked per record: the walk is compiled once into a
//! flat [`draw_program`] that a loop runs per record (the tests keep the walk as its
//! reference).
//!
//! Record `i` draws from its own stream ([`RecordRng`], keyed by the seed and `i`), in
//! this depth-first order, so it is a pure function of (seed, `i`, spec): threads, batch
//! sizes, writers and parts cannot change it. A `MAP`'s keys are never null (the key
//! column is required by the spec; an optional one is treated as required) and unique
//! within one map: a key already in the map is drawn again (then, after
//! `KEY_RETRIES` draws, the first unused value of the generator's list is taken), and a
//! map is never longer than its key generator has distinct values.
//!
//! ```
//! use shred_gen::schema_generator::SchemaGenerator;
//! use shred_gen::spec::Spec;
//! let schema = shred::Schema::parse("message m { required int64 id; repeated binary tag (STRING); }").unwrap();
//! let spec = Spec::parse("spec.toml", r#"
//! [fields.id]
//! values = { sequence = { start = 1 } }
//! [fields.tag]
//! length = { fixed = 2 }
//! values = { words = ["a", "b"] }
//! "#).unwrap();
//! let g = SchemaGenerator::new(42, schema, &spec).unwrap();
//! let mut stripes = g.new_stripes();
//! g.fill_stripes(10, 3, &mut stripes);
//! assert_eq!(stripes[0].values, shred::stripe::Values::Int64(vec![11, 12, 13]));
//! assert_eq!(stripes[1].rep, vec![0, 1, 0, 1, 0, 1]);
//! ```

use std::sync::Arc;

use parquet::basic::Repetition;
use parquet::file::metadata::KeyValue;
use shred::schema_plan::{NodeId, NodeShape, SchemaPlan};
use shred::{Schema, Stripe};

use crate::draw_program::{self, Step};
use crate::length_distribution::{LengthDistribution, MAX_LENGTH};
use crate::rng::{RecordRng, mix64, threshold};
use crate::spec::{LengthSpec, NodeSettings, Spec, SpecError};
use crate::value_generator::{LeafValues, Position, last_repeats, make_last_unique, pop_last};

/// The null probability of an optional node the spec leaves unset.
pub const DEFAULT_NULL: f64 = 0.1;
/// The empty probability of a repeated node the spec leaves unset.
pub const DEFAULT_EMPTY: f64 = 0.1;
/// The length distribution of a repeated node the spec leaves unset.
pub const DEFAULT_LENGTH: LengthSpec = LengthSpec::Uniform([1, 4]);

/// How many times a map key is drawn again when it is already in its map, before the
/// first unused value of the key generator is taken ([`LeafValues::push_unused`]; for
/// generators without a finite list of values, the drawn key made unique,
/// [`make_last_unique`]).
const KEY_RETRIES: u32 = 64;

/// One node's compiled settings.
#[derive(Debug, Clone)]
struct NodeDraw {
    /// Null threshold (optional nodes; 0 for the rest and for map keys).
    null: u64,
    /// Lengths (repeated nodes).
    length: Option<LengthDistribution>,
    /// The key column of a map's repeated entry group.
    map_key: Option<usize>,
    /// Values (leaves).
    values: Option<LeafValues>,
    /// The leaf's values or its key uniqueness depend on the entry's index in its record.
    uses_k: bool,
    /// A map key: unique within its map.
    unique_key: bool,
}

/// The compiled schema and spec; cheap to clone and share between threads.
#[derive(Debug, Clone)]
pub struct SchemaGenerator {
    seed: u64,
    seed_key: u64,
    /// Some leaf uses [`Position::k`]: each record's first entry per column is tracked.
    tracks_k: bool,
    plan: Arc<SchemaPlan>,
    nodes: Arc<[NodeDraw]>,
    /// The records' drawing program.
    program: Arc<[Step]>,
    /// Key-value metadata every file carries (a profiled file's, e.g. `ARROW:schema`).
    file_metadata: Arc<[KeyValue]>,
}

/// Per-record drawing state.
struct Cursor {
    rng: RecordRng,
    record: u64,
    /// Entries of each column at the start of the record.
    record_start: Vec<usize>,
    /// Values of each key column at the start of the map being drawn.
    key_start: Vec<usize>,
    scratch: Vec<u8>,
    /// The open repeated nodes, innermost last.
    frames: Vec<Frame>,
}

impl Cursor {
    /// A cursor over `columns` columns, before any record.
    fn new(seed_key: u64, columns: usize) -> Self {
        Cursor {
            rng: RecordRng::new(seed_key, 0),
            record: 0,
            record_start: vec![0; columns],
            key_start: vec![0; columns],
            scratch: Vec::new(),
            frames: Vec::new(),
        }
    }

    /// Starts drawing `record`: its random stream, and where each column's entries start
    /// when `track_starts` (the generator draws an entry index somewhere).
    fn begin(&mut self, seed_key: u64, record: u64, stripes: &[Stripe], track_starts: bool) {
        self.rng = RecordRng::new(seed_key, record);
        self.record = record;
        if track_starts {
            for (first, stripe) in self.record_start.iter_mut().zip(stripes) {
                *first = stripe.rep.len();
            }
        }
    }
}

/// An open repeated node of the record being drawn.
struct Frame {
    /// Occurrences still to draw after the current one.
    remaining: u32,
    /// The repetition level the node came in with, restored when it ends.
    outer_r: i16,
}

impl SchemaGenerator {
    /// Compiles `schema` with `spec` for `seed`, or says which spec line and schema path
    /// is wrong.
    pub fn new(seed: u64, schema: Schema, spec: &Spec) -> Result<Self, SpecError> {
        if let Some(path) = variant_group(schema.descriptor().root_schema(), "") {
            return Err(SpecError {
                spec: spec.name.clone(),
                line: None,
                path: Some(path),
                message: "VARIANT groups are not generated (their metadata and value must be \
                          variant encodings)"
                    .into(),
            });
        }
        let plan = SchemaPlan::new(&schema);
        let nodes = compile(&plan, spec)?;
        let program = draw_program::compile(&plan, |id| nodes[id as usize].null);
        Ok(SchemaGenerator {
            seed,
            seed_key: mix64(seed),
            tracks_k: nodes.iter().any(|n| n.uses_k),
            plan: Arc::new(plan),
            nodes: nodes.into(),
            program: program.into(),
            file_metadata: Arc::new([]),
        })
    }

    /// The same generator, writing `metadata` into every file's footer.
    pub fn with_file_metadata(mut self, metadata: Vec<KeyValue>) -> Self {
        self.file_metadata = metadata.into();
        self
    }

    /// The key-value metadata of every file.
    pub fn file_metadata(&self) -> &[KeyValue] {
        &self.file_metadata
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The schema.
    pub fn schema(&self) -> &Schema {
        self.plan.schema()
    }

    /// Empty stripes, one per leaf column.
    pub fn new_stripes(&self) -> Vec<Stripe> {
        self.plan.new_stripes()
    }

    /// Overwrites `stripes` with the stripes of records `[start, start + count)`.
    pub fn fill_stripes(&self, start: u64, count: usize, stripes: &mut [Stripe]) {
        for stripe in stripes.iter_mut() {
            stripe.clear();
        }
        self.append_stripes(start, count, stripes);
    }

    /// Appends the stripes of records `[start, start + count)` to `stripes`.
    pub fn append_stripes(&self, start: u64, count: usize, stripes: &mut [Stripe]) {
        let mut cursor = Cursor::new(self.seed_key, stripes.len());
        for record in start..start + count as u64 {
            cursor.begin(self.seed_key, record, stripes, self.tracks_k);
            self.draw_record(&mut cursor, stripes);
        }
    }

    /// Runs the program once: one record.
    fn draw_record(&self, cursor: &mut Cursor, stripes: &mut [Stripe]) {
        let steps = &self.program[..];
        let mut pc = 0;
        let mut r = 0;
        cursor.frames.clear();
        while let Some(&step) = steps.get(pc) {
            pc += 1;
            match step {
                Step::Leaf {
                    node,
                    column,
                    def,
                    absent_def,
                    null,
                } => {
                    let stripe = &mut stripes[column as usize];
                    if null > 0 && cursor.rng.chance(null) {
                        stripe.push_null(r, absent_def);
                    } else {
                        self.draw_leaf(node, column as usize, r, def, cursor, stripes);
                    }
                }
                Step::Optional {
                    null,
                    first_column,
                    end_column,
                    absent_def,
                    skip,
                } => {
                    if cursor.rng.chance(null) {
                        absent(first_column..end_column, r, absent_def, stripes);
                        pc = skip as usize;
                    }
                }
                Step::Repeat {
                    node,
                    first_column,
                    end_column,
                    absent_def,
                    skip,
                } => {
                    let settings = &self.nodes[node as usize];
                    let n = settings
                        .length
                        .as_ref()
                        .map_or(0, |l| l.sample(&mut cursor.rng));
                    if n == 0 {
                        absent(first_column..end_column, r, absent_def, stripes);
                        pc = skip as usize;
                        continue;
                    }
                    if let Some(key) = settings.map_key {
                        cursor.key_start[key] = stripes[key].values.len();
                    }
                    cursor.frames.push(Frame {
                        remaining: n - 1,
                        outer_r: r,
                    });
                }
                Step::Next { rep, body } => {
                    let frame = cursor.frames.last_mut().expect("a Next closes a Repeat");
                    if frame.remaining > 0 {
                        frame.remaining -= 1;
                        r = rep;
                        pc = body as usize;
                    } else {
                        r = frame.outer_r;
                        cursor.frames.pop();
                    }
                }
            }
        }
    }

    /// One present entry of leaf `node` (column `column`) at levels `(r, def)`, its value
    /// drawn (a map key: drawn until it is new in its map).
    #[inline(always)]
    fn draw_leaf(
        &self,
        node: NodeId,
        column: usize,
        r: i16,
        def: i16,
        cursor: &mut Cursor,
        stripes: &mut [Stripe],
    ) {
        let settings = &self.nodes[node as usize];
        let Some(values) = &settings.values else {
            return;
        };
        let stripe = &mut stripes[column];
        let at = Position {
            record: cursor.record,
            k: if settings.uses_k {
                (stripe.rep.len() - cursor.record_start[column]) as u64
            } else {
                0
            },
        };
        stripe.rep.push(r);
        stripe.def.push(def);
        values.push(&mut cursor.rng, at, &mut stripe.values, &mut cursor.scratch);
        if settings.unique_key {
            unique_key(
                values,
                at,
                cursor.key_start[column],
                cursor,
                &mut stripe.values,
            );
        }
    }
}

/// Draws the map key just pushed (the last of `values`) again until it differs from the
/// keys of its map (from value `from` on), then, after [`KEY_RETRIES`] draws, takes the
/// first unused value of the generator or makes the drawn one unique.
#[inline(never)]
fn unique_key(
    generator: &LeafValues,
    at: Position,
    from: usize,
    cursor: &mut Cursor,
    values: &mut shred::stripe::Values,
) {
    let mut tries = 0;
    while last_repeats(values, from) {
        if tries == KEY_RETRIES {
            pop_last(values);
            if !generator.push_unused(values, from, &mut cursor.scratch) {
                generator.push(&mut cursor.rng, at, values, &mut cursor.scratch);
                make_last_unique(values, from, at.k);
            }
            break;
        }
        pop_last(values);
        generator.push(&mut cursor.rng, at, values, &mut cursor.scratch);
        tries += 1;
    }
}

/// One entry `(r, absent_def)` in each of `columns`, under an absent node.
#[inline]
fn absent(columns: std::ops::Range<u32>, r: i16, absent_def: i16, stripes: &mut [Stripe]) {
    for column in columns {
        stripes[column as usize].push_null(r, absent_def);
    }
}

/// The dotted path of the first `VARIANT` group under `tp` (at `path`).
fn variant_group(tp: &parquet::schema::types::Type, path: &str) -> Option<String> {
    if !tp.is_group() {
        return None;
    }
    if matches!(
        tp.get_basic_info().logical_type_ref(),
        Some(parquet::basic::LogicalType::Variant(_))
    ) {
        return Some(path.to_string());
    }
    tp.get_fields().iter().find_map(|field| {
        let child = if path.is_empty() {
            field.name().to_string()
        } else {
            format!("{path}.{}", field.name())
        };
        variant_group(field, &child)
    })
}

/// The node's parent, for every node (the root is its own).
fn parents(plan: &SchemaPlan) -> Vec<NodeId> {
    let mut parent = vec![plan.root(); plan.nodes().len()];
    for (id, node) in plan.nodes().iter().enumerate() {
        match &node.shape {
            NodeShape::Object { children, .. } => {
                for &c in children {
                    parent[c as usize] = id as NodeId;
                }
            }
            NodeShape::Transparent { child } => parent[*child as usize] = id as NodeId,
            NodeShape::Leaf { .. } => {}
        }
    }
    parent
}

fn repetition_name(r: Repetition) -> &'static str {
    match r {
        Repetition::REQUIRED => "required",
        Repetition::OPTIONAL => "optional",
        Repetition::REPEATED => "repeated",
    }
}

/// The settings of every node: defaults, then each `[fields."PATH"]` where it applies.
fn compile(plan: &SchemaPlan, spec: &Spec) -> Result<Vec<NodeDraw>, SpecError> {
    let nodes = plan.nodes();
    let parent = parents(plan);
    let defaults = &spec.defaults;
    if let Some(values) = &defaults.values {
        return Err(spec.error(
            Some(values.span()),
            None,
            "[defaults] cannot set values: value generators depend on each leaf's type",
        ));
    }
    let probability = |value: &toml::Spanned<f64>, what: &str, path: Option<&str>| {
        let p = *value.get_ref();
        if (0.0..=1.0).contains(&p) {
            Ok(p)
        } else {
            Err(spec.error(
                Some(value.span()),
                path,
                format!("{what} = {p} is not a probability in [0, 1]"),
            ))
        }
    };
    let default_null = match &defaults.null {
        Some(n) => probability(n, "null", None)?,
        None => DEFAULT_NULL,
    };
    let default_empty = match &defaults.empty {
        Some(e) => probability(e, "empty", None)?,
        None => DEFAULT_EMPTY,
    };
    let default_length = match &defaults.length {
        Some(l) => l.get_ref().clone(),
        None => DEFAULT_LENGTH,
    };
    if let Some(l) = &defaults.length {
        LengthDistribution::new(l.get_ref(), default_empty)
            .map_err(|e| spec.error(Some(l.span()), None, e))?;
    }

    // Where each node's settings come from: its own entry, and for a repeated node the
    // length settings of its LIST/MAP group.
    let mut own: Vec<Option<&NodeSettings>> = vec![None; nodes.len()];
    let mut length_of: Vec<Option<(&NodeSettings, &str)>> = vec![None; nodes.len()];
    for field in &spec.fields {
        let Some(id) = nodes
            .iter()
            .position(|n| n.path == field.path && !n.path.is_empty())
        else {
            let known: Vec<&str> = nodes
                .iter()
                .filter(|n| !n.path.is_empty())
                .map(|n| n.path.as_str())
                .collect();
            return Err(SpecError {
                spec: spec.name.clone(),
                line: Some(field.line),
                path: Some(field.path.clone()),
                message: format!(
                    "no such field in the schema (its fields: {})",
                    known.join(", ")
                ),
            });
        };
        let node = &nodes[id];
        let s = &field.settings;
        let path = Some(field.path.as_str());
        if let Some(null) = &s.null
            && node.repetition != Repetition::OPTIONAL
        {
            return Err(spec.error(
                Some(null.span()),
                path,
                format!(
                    "null applies to optional fields; this one is {}",
                    repetition_name(node.repetition)
                ),
            ));
        }
        let has_length = s.length.is_some() || s.empty.is_some();
        if has_length {
            let target = match &node.shape {
                _ if node.repetition == Repetition::REPEATED => Some(id),
                NodeShape::Transparent { child }
                    if nodes[*child as usize].repetition == Repetition::REPEATED =>
                {
                    Some(*child as usize)
                }
                _ => None,
            };
            let span = s
                .length
                .as_ref()
                .map(|l| l.span())
                .or(s.empty.as_ref().map(|e| e.span()));
            let Some(target) = target else {
                return Err(spec.error(
                    span,
                    path,
                    format!(
                        "length and empty apply to repeated fields and LIST/MAP groups; this one is {} and not a LIST or MAP",
                        repetition_name(node.repetition)
                    ),
                ));
            };
            if let Some((_, other)) = length_of[target] {
                return Err(spec.error(
                    span,
                    path,
                    format!("the length of this list is already set at {other}"),
                ));
            }
            length_of[target] = Some((s, field.path.as_str()));
        }
        if let Some(values) = &s.values
            && !matches!(node.shape, NodeShape::Leaf { .. })
        {
            return Err(spec.error(
                Some(values.span()),
                path,
                "values apply to leaf columns; this is a group",
            ));
        }
        own[id] = Some(s);
    }

    let mut compiled = Vec::with_capacity(nodes.len());
    for (id, node) in nodes.iter().enumerate() {
        let s = own[id];
        let path = Some(node.path.as_str());
        // A map key: the first child of a map's repeated entry group.
        let is_key = id != 0
            && {
                let entry = parent[id] as usize;
                matches!(&nodes[entry].shape, NodeShape::Object { map_entry: true, children, .. } if children.first() == Some(&(id as NodeId)))
                    && matches!(
                        nodes[parent[entry] as usize].shape,
                        NodeShape::Transparent { .. }
                    )
                    && matches!(node.shape, NodeShape::Leaf { .. })
            };
        let null = match (node.repetition, s.and_then(|s| s.null.as_ref())) {
            (Repetition::OPTIONAL, _) if is_key => {
                if let Some(n) = s.and_then(|s| s.null.as_ref())
                    && *n.get_ref() > 0.0
                {
                    return Err(spec.error(Some(n.span()), path, "map keys are never null"));
                }
                0
            }
            (Repetition::OPTIONAL, Some(n)) => threshold(probability(n, "null", path)?),
            (Repetition::OPTIONAL, None) => threshold(default_null),
            _ => 0,
        };
        let values = match (&node.shape, s.and_then(|s| s.values.as_ref())) {
            (NodeShape::Leaf { column, .. }, spec_values) => {
                let leaf = &plan.schema().leaves()[*column];
                Some(
                    LeafValues::new(leaf, spec_values.map(|v| v.get_ref())).map_err(|e| {
                        let line = spec_values.map(|v| v.span());
                        spec.error(line, path, e)
                    })?,
                )
            }
            _ => None,
        };
        compiled.push(NodeDraw {
            null,
            length: None,
            map_key: None,
            uses_k: is_key || values.as_ref().is_some_and(LeafValues::uses_k),
            values,
            unique_key: is_key,
        });
    }
    // Lengths, capped for maps by their keys' distinct values.
    for (id, node) in nodes.iter().enumerate() {
        if node.repetition != Repetition::REPEATED {
            continue;
        }
        let settings = length_of[id];
        let length_spec = settings.and_then(|(s, _)| s.length.as_ref());
        let empty_spec = settings.and_then(|(s, _)| s.empty.as_ref());
        let path = settings.map(|(_, p)| p).unwrap_or(node.path.as_str());
        let empty = match empty_spec {
            Some(e) => probability(e, "empty", Some(path))?,
            None => default_empty,
        };
        let length = match length_spec {
            Some(l) => LengthDistribution::new(l.get_ref(), empty)
                .map_err(|e| spec.error(Some(l.span()), Some(path), e))?,
            None => LengthDistribution::new(&default_length, empty)
                .map_err(|e| spec.error(empty_spec.map(|e| e.span()), Some(path), e))?,
        };
        let map_key = match &node.shape {
            NodeShape::Object { children, .. } => children
                .first()
                .filter(|&&c| compiled[c as usize].unique_key)
                .map(|&c| match nodes[c as usize].shape {
                    NodeShape::Leaf { column, .. } => column,
                    _ => unreachable!("map keys are leaves"),
                }),
            _ => None,
        };
        let length = match map_key.and_then(|_| {
            let key_node = match &node.shape {
                NodeShape::Object { children, .. } => children[0] as usize,
                _ => unreachable!("a map entry is an object"),
            };
            compiled[key_node]
                .values
                .as_ref()
                .and_then(LeafValues::cardinality)
        }) {
            Some(distinct) => length.capped(u32::try_from(distinct).unwrap_or(MAX_LENGTH)),
            None => length,
        };
        compiled[id].length = Some(length);
        compiled[id].map_key = map_key;
    }
    Ok(compiled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shred::stripe::Values;

    fn generator(schema: &str, spec: &str) -> SchemaGenerator {
        let schema = Schema::parse(schema).unwrap();
        SchemaGenerator::new(7, schema, &Spec::parse("spec.toml", spec).unwrap()).unwrap()
    }

    fn spec_error(schema: &str, spec: &str) -> SpecError {
        let schema = Schema::parse(schema).unwrap();
        SchemaGenerator::new(7, schema, &Spec::parse("spec.toml", spec).unwrap()).unwrap_err()
    }

    const LIST: &str = "message m { optional group l (LIST) { repeated group list {
        optional int32 element; } } }";

    /// The walk the program compiles: the plan's tree, depth first, a call per node, as
    /// the shredder walks a record (Dremel §4.2). The program must draw what it draws.
    fn walk(g: &SchemaGenerator, start: u64, count: usize) -> Vec<Stripe> {
        fn node(g: &SchemaGenerator, id: NodeId, r: i16, c: &mut Cursor, s: &mut [Stripe]) {
            let n = g.plan.node(id);
            let settings = &g.nodes[id as usize];
            let columns = n.columns.start as u32..n.columns.end as u32;
            match n.repetition {
                Repetition::REQUIRED => present(g, id, r, c, s),
                Repetition::OPTIONAL => {
                    if settings.null > 0 && c.rng.chance(settings.null) {
                        absent(columns, r, n.absent_def, s);
                    } else {
                        present(g, id, r, c, s);
                    }
                }
                Repetition::REPEATED => {
                    let length = settings.length.as_ref().unwrap().sample(&mut c.rng);
                    if length == 0 {
                        absent(columns, r, n.absent_def, s);
                        return;
                    }
                    if let Some(key) = settings.map_key {
                        c.key_start[key] = s[key].values.len();
                    }
                    for j in 0..length {
                        present(g, id, if j == 0 { r } else { n.rep }, c, s);
                    }
                }
            }
        }
        fn present(g: &SchemaGenerator, id: NodeId, r: i16, c: &mut Cursor, s: &mut [Stripe]) {
            let n = g.plan.node(id);
            match &n.shape {
                NodeShape::Leaf { column, .. } => g.draw_leaf(id, *column, r, n.def, c, s),
                NodeShape::Object { children, .. } => {
                    for &child in children {
                        node(g, child, r, c, s);
                    }
                }
                NodeShape::Transparent { child } => node(g, *child, r, c, s),
            }
        }
        let mut stripes = g.new_stripes();
        let mut cursor = Cursor::new(g.seed_key, stripes.len());
        for record in start..start + count as u64 {
            cursor.begin(g.seed_key, record, &stripes, true);
            present(g, g.plan.root(), 0, &mut cursor, &mut stripes);
        }
        stripes
    }

    #[test]
    fn the_program_draws_what_the_tree_walk_draws() {
        let mut cases: Vec<(String, String)> = crate::preset::PRESETS
            .iter()
            .filter_map(|p| Some((p.schema?.to_string(), p.spec?.to_string())))
            .collect();
        cases.extend(
            [
                (LIST, "[fields.l]\nnull = 0.25\nempty = 0.3\n"),
                (
                    "message m { repeated group r { repeated int64 x; optional group g {
                       optional binary s (STRING); repeated boolean b; } } required int32 z; }",
                    "[defaults]\nnull = 0.3\nempty = 0.2\nlength = { uniform = [0, 3] }\n",
                ),
                (
                    "message m { optional group m (MAP) { repeated group key_value {
                       required binary key (STRING); optional group value (LIST) {
                       repeated group list { optional int32 element; } } } } }",
                    "[fields.\"m.key_value.key\"]\nvalues = { words = [\"a\", \"b\", \"c\"] }\n",
                ),
            ]
            .map(|(schema, spec)| (schema.to_string(), spec.to_string())),
        );
        for (schema, spec) in &cases {
            let g = generator(schema, spec);
            let mut stripes = g.new_stripes();
            g.fill_stripes(1000, 700, &mut stripes);
            assert_eq!(stripes, walk(&g, 1000, 700), "{schema}");
        }
    }

    #[test]
    fn all_five_list_states_have_their_levels() {
        // null list (d 0), empty (1), null element (2), element (3).
        let g = generator(
            LIST,
            "[fields.l]\nnull = 0.25\nempty = 0.3\nlength = { uniform = [1, 3] }\n
             [fields.\"l.list.element\"]\nnull = 0.3\n",
        );
        let mut stripes = g.new_stripes();
        g.fill_stripes(0, 2000, &mut stripes);
        let s = &stripes[0];
        for d in 0..=3 {
            assert!(s.def.contains(&d), "definition level {d} never drawn");
        }
        assert_eq!(s.num_records(), 2000);
        let values = s.def.iter().filter(|&&d| d == 3).count();
        assert_eq!(s.values.len(), values);
        // Repetition 1 only inside a list of two or more.
        for (i, &r) in s.rep.iter().enumerate() {
            if r == 1 {
                assert!(s.def[i] >= 2 && s.def[i - 1] >= 2, "entry {i}");
            }
        }
    }

    #[test]
    fn records_do_not_depend_on_the_batch() {
        let g = generator(crate::preset::DOCUMENT_SCHEMA, "");
        let mut whole = g.new_stripes();
        g.fill_stripes(100, 300, &mut whole);
        let mut pieces = g.new_stripes();
        g.fill_stripes(100, 0, &mut pieces);
        for start in (100..400).step_by(37) {
            let count = (400 - start).min(37) as usize;
            g.append_stripes(start, count, &mut pieces);
        }
        assert_eq!(whole, pieces);
        let mut other = g.new_stripes();
        let reseeded = SchemaGenerator::new(8, g.schema().clone(), &Spec::default()).unwrap();
        reseeded.fill_stripes(100, 300, &mut other);
        assert_ne!(whole, other);
    }

    #[test]
    fn map_keys_are_unique_within_each_map() {
        let g = generator(
            "message m { optional group m (MAP) { repeated group key_value {
               optional binary key (STRING); optional int64 value; } } }",
            "[fields.m]\nlength = { uniform = [1, 8] }\nempty = 0\n
             [fields.\"m.key_value.key\"]\nvalues = { enum = { a = 100, b = 10, c = 1, d = 1 } }\n",
        );
        let mut stripes = g.new_stripes();
        g.fill_stripes(0, 3000, &mut stripes);
        let keys = &stripes[0];
        let Values::ByteArray(values) = &keys.values else {
            panic!("string keys")
        };
        let mut map: Vec<&[u8]> = Vec::new();
        let mut v = 0;
        let mut longest = 0;
        for i in 0..keys.len() {
            if keys.rep[i] == 0 {
                map.clear();
            }
            if keys.def[i] == 3 {
                let key = values.get(v);
                assert!(!map.contains(&key), "entry {i}: key repeated in its map");
                map.push(key);
                longest = longest.max(map.len());
                v += 1;
            } else {
                assert!(keys.def[i] < 2, "entry {i}: a key is never null");
            }
        }
        assert_eq!(longest, 4, "maps are capped at the four distinct keys");
        let keys: std::collections::BTreeSet<&[u8]> = values.iter().collect();
        assert_eq!(keys.len(), 4, "every key is one of the words");
    }

    #[test]
    fn spec_errors_name_the_line_and_the_path() {
        let err = spec_error(LIST, "\n[fields.\"l.list\"]\nnull = 0.1\n");
        assert_eq!((err.line, err.path.as_deref()), (Some(3), Some("l.list")));
        assert!(
            err.message
                .contains("null applies to optional fields; this one is repeated")
        );
        let err = spec_error(LIST, "[fields.x]\nnull = 0.1\n");
        assert_eq!(err.line, Some(1));
        assert!(err.message.contains("no such field"), "{err}");
        assert!(err.message.contains("l.list.element"), "{err}");
        let err = spec_error(
            LIST,
            "[fields.\"l.list.element\"]\n\nvalues = { words = [\"x\"] }\n",
        );
        assert_eq!(err.line, Some(3));
        assert!(
            err.to_string()
                .starts_with("spec.toml line 3, field l.list.element: "),
            "{err}"
        );
        let err = spec_error(LIST, "[fields.l]\nlength = { uniform = [3, 1] }\n");
        assert_eq!(err.line, Some(2));
        let err = spec_error(LIST, "[fields.l]\nempty = 2\n");
        assert!(
            err.message.contains("empty = 2 is not a probability"),
            "{err}"
        );
        let err = spec_error(
            LIST,
            "[fields.\"l.list.element\"]\nlength = { fixed = 1 }\n",
        );
        assert!(
            err.message.contains("length and empty apply to repeated"),
            "{err}"
        );
        let err = spec_error(
            LIST,
            "[fields.l]\nlength = { fixed = 1 }\n[fields.\"l.list\"]\nempty = 0\n",
        );
        assert!(err.message.contains("already set at l"), "{err}");
        let err = spec_error(LIST, "[defaults]\nvalues = \"uuid\"\n");
        assert!(
            err.message.contains("[defaults] cannot set values"),
            "{err}"
        );
    }

    #[test]
    fn variant_groups_are_refused_by_path() {
        let err = spec_error(
            "message m { optional group g { optional group v (VARIANT) {
               required binary metadata; required binary value; } } }",
            "",
        );
        assert_eq!(err.path.as_deref(), Some("g.v"), "{err}");
        assert!(
            err.message.contains("VARIANT groups are not generated"),
            "{err}"
        );
    }

    #[test]
    fn bare_repeated_fields_follow_their_length() {
        let g = generator(
            "message m { repeated int64 x; }",
            "[fields.x]\nlength = { fixed = 3 }\nempty = 0\nvalues = { unique = { stride = 3 } }\n",
        );
        let mut stripes = g.new_stripes();
        g.fill_stripes(5, 2, &mut stripes);
        assert_eq!(stripes[0].rep, vec![0, 1, 1, 0, 1, 1]);
        assert_eq!(stripes[0].def, vec![1; 6]);
        assert_eq!(
            stripes[0].values,
            Values::Int64(vec![15, 16, 17, 18, 19, 20])
        );
    }
}
