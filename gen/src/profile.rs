//! A spec learned from a Parquet file (`--profile`): its schema, and per node the null,
//! empty and length distributions its levels show, per leaf the ranges and frequencies of
//! its values, so a look-alike of any size can be generated without the file's data.
//!
//! Every leaf column is read row group by row group, 4096 records at a time
//! ([`StripeReader`]), so memory stays at one batch per column. The levels give each node's
//! distributions (Dremel, VLDB 2010, §4.1): for an optional node `N` with repetition level
//! `r_N` and absent level `a_N` (its parent's definition level), an entry of the first leaf
//! column under `N` with `d ≥ a_N` and `r ≤ r_N` is one slot where `N` may occur, null when
//! `d = a_N`; for a repeated node, an entry with `d ≥ a_N` and `r < r_N` starts one slot,
//! empty when `d = a_N`, and its length is the number of entries from there with
//! `d ≥ d_N` and `r ≤ r_N` (each starts one occurrence). Lengths become an explicit
//! histogram (capped at [`MAX_PROFILED_LENGTH`]).
//!
//! Values: numbers keep their range (`uniform` between the smallest and largest value);
//! booleans their share of true; strings and binary values, by default, no value of the
//! file: a column with at most [`MAX_ENUM`] distinct values becomes an `enum` of synthetic
//! tokens (`v0`, `v1`, … padded with `x` to each value's length) with the same frequencies,
//! any other a `random` text of the same length range. Decimals, dates and timestamps keep
//! the types' defaults when their physical values are not plain numbers. The learned spec
//! is TOML text ([`Profile::spec_text`]), parsed back like any spec.
//!
//! ```no_run
//! let profile = shred_gen::profile::Profile::of_file("data.parquet".as_ref()).unwrap();
//! println!("{}", profile.spec_text);
//! ```

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use parquet::basic::{ConvertedType, Repetition, Type as PhysicalType};
use parquet::file::reader::{FileReader, SerializedFileReader};
use shred::Schema;
use shred::column_io::{StripeReader, stripe_for};
use shred::schema_plan::{NodeShape, SchemaPlan};
use shred::stripe::Values;

use crate::error::{GenError, Result};

/// Lengths above this are counted as this length.
pub const MAX_PROFILED_LENGTH: usize = 1000;

/// Byte columns with at most this many distinct values become enums.
pub const MAX_ENUM: usize = 64;

/// A file's schema and the spec learned from it.
#[derive(Debug, Clone)]
pub struct Profile {
    /// The file's schema (its descriptor: field ids and logical types as in the file).
    pub schema: Schema,
    /// The learned spec, as TOML.
    pub spec_text: String,
    /// Records in the file.
    pub records: u64,
}

/// Level counts of one node.
#[derive(Debug, Clone, Default)]
struct NodeCounts {
    slots: u64,
    nulls: u64,
    /// Repeated nodes: slots by length (index = length, capped).
    lengths: Vec<u64>,
    /// The length of the slot being counted.
    current: Option<usize>,
}

impl NodeCounts {
    fn finish_slot(&mut self) {
        if let Some(n) = self.current.take() {
            let n = n.min(MAX_PROFILED_LENGTH);
            if self.lengths.len() <= n {
                self.lengths.resize(n + 1, 0);
            }
            self.lengths[n] += 1;
        }
    }
}

/// Value statistics of one leaf.
#[derive(Debug, Clone, Default)]
struct LeafCounts {
    /// Integers are unsigned (INT32 holds `u32` bits, INT64 `u64` bits).
    unsigned: bool,
    min_i: Option<i64>,
    max_i: Option<i64>,
    min_f: Option<f64>,
    max_f: Option<f64>,
    trues: u64,
    values: u64,
    min_len: Option<usize>,
    max_len: Option<usize>,
    /// Distinct byte values with their counts, until there are more than [`MAX_ENUM`].
    distinct: Option<HashMap<Vec<u8>, u64>>,
}

impl LeafCounts {
    fn new(unsigned: bool) -> Self {
        LeafCounts {
            unsigned,
            distinct: Some(HashMap::new()),
            ..Default::default()
        }
    }

    fn add(&mut self, values: &Values) {
        let int = |s: &mut Self, v: i64| {
            s.min_i = Some(s.min_i.map_or(v, |m| m.min(v)));
            s.max_i = Some(s.max_i.map_or(v, |m| m.max(v)));
        };
        let float = |s: &mut Self, v: f64| {
            if v.is_finite() {
                s.min_f = Some(s.min_f.map_or(v, |m| m.min(v)));
                s.max_f = Some(s.max_f.map_or(v, |m| m.max(v)));
            }
        };
        self.values += values.len() as u64;
        match values {
            Values::Boolean(v) => self.trues += v.iter().filter(|b| **b).count() as u64,
            Values::Int32(v) if self.unsigned => {
                v.iter().for_each(|x| int(self, i64::from(*x as u32)))
            }
            Values::Int32(v) => v.iter().for_each(|x| int(self, i64::from(*x))),
            // Unsigned values above i64::MAX count as i64::MAX, the largest a spec names.
            Values::Int64(v) if self.unsigned => v
                .iter()
                .for_each(|x| int(self, if *x < 0 { i64::MAX } else { *x })),
            Values::Int64(v) => v.iter().for_each(|x| int(self, *x)),
            Values::Float(v) => v.iter().for_each(|x| float(self, f64::from(*x))),
            Values::Double(v) => v.iter().for_each(|x| float(self, *x)),
            Values::Int96(_) => {}
            Values::ByteArray(v) | Values::FixedLenByteArray(v) => {
                for value in v.iter() {
                    self.min_len = Some(self.min_len.map_or(value.len(), |m| m.min(value.len())));
                    self.max_len = Some(self.max_len.map_or(value.len(), |m| m.max(value.len())));
                    if let Some(distinct) = &mut self.distinct {
                        *distinct.entry(value.to_vec()).or_insert(0) += 1;
                        if distinct.len() > MAX_ENUM {
                            self.distinct = None;
                        }
                    }
                }
            }
        }
    }
}

fn io_error(path: &Path, e: impl std::fmt::Display) -> GenError {
    GenError::Usage(format!("--profile {}: {e}", path.display()))
}

impl Profile {
    /// Profiles the Parquet file at `path`.
    pub fn of_file(path: &Path) -> Result<Self> {
        let file = std::fs::File::open(path).map_err(|e| io_error(path, e))?;
        let reader = SerializedFileReader::new(file).map_err(|e| io_error(path, e))?;
        let descriptor = reader.metadata().file_metadata().schema_descr_ptr();
        let schema = Schema::from_descriptor(descriptor).map_err(|e| io_error(path, e))?;
        let records = reader.metadata().file_metadata().num_rows().max(0) as u64;
        let plan = SchemaPlan::new(&schema);
        // The nodes whose levels each column shows: those it is the first column of.
        let mut watchers: Vec<Vec<usize>> = vec![Vec::new(); schema.leaves().len()];
        for (id, node) in plan.nodes().iter().enumerate().skip(1) {
            if node.repetition != Repetition::REQUIRED && !node.columns.is_empty() {
                watchers[node.columns.start].push(id);
            }
        }
        let mut nodes = vec![NodeCounts::default(); plan.nodes().len()];
        let mut leaves: Vec<LeafCounts> = (schema.leaves().iter())
            .map(|leaf| LeafCounts::new(leaf.is_unsigned()))
            .collect();
        for (column, leaf) in schema.leaves().iter().enumerate() {
            let mut stripe = stripe_for(leaf);
            for rg in 0..reader.num_row_groups() {
                let mut column_reader = StripeReader::open(&reader, &schema, rg, column)
                    .map_err(|e| io_error(path, e))?;
                loop {
                    stripe.clear();
                    let read = column_reader
                        .read_records(4096, &mut stripe)
                        .map_err(|e| io_error(path, e))?;
                    if read == 0 {
                        break;
                    }
                    leaves[column].add(&stripe.values);
                    for i in 0..stripe.len() {
                        let r = if leaf.max_rep > 0 { stripe.rep[i] } else { 0 };
                        let d = if leaf.max_def > 0 { stripe.def[i] } else { 0 };
                        for &id in &watchers[column] {
                            count_entry(&plan, id, r, d, &mut nodes[id]);
                        }
                    }
                }
            }
            for &id in &watchers[column] {
                nodes[id].finish_slot();
            }
        }
        let spec_text = spec_text(&plan, &nodes, &leaves, path);
        Ok(Profile {
            schema,
            spec_text,
            records,
        })
    }
}

/// Counts one entry `(r, d)` of node `id`'s first column.
fn count_entry(plan: &SchemaPlan, id: usize, r: i16, d: i16, counts: &mut NodeCounts) {
    let node = &plan.nodes()[id];
    match node.repetition {
        Repetition::OPTIONAL => {
            if d >= node.absent_def && r <= node.rep {
                counts.slots += 1;
                counts.nulls += u64::from(d == node.absent_def);
            }
        }
        Repetition::REPEATED => {
            if d >= node.absent_def && r < node.rep {
                counts.finish_slot();
                counts.slots += 1;
                counts.nulls += u64::from(d == node.absent_def);
                counts.current = Some(0);
            }
            if d >= node.def
                && r <= node.rep
                && let Some(n) = &mut counts.current
            {
                *n += 1;
            }
        }
        Repetition::REQUIRED => {}
    }
}

/// A float as TOML (always with a decimal point or exponent).
fn toml_float(x: f64) -> String {
    let text = format!("{x:?}");
    if text.contains(['.', 'e', 'E']) {
        text
    } else {
        format!("{text}.0")
    }
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn spec_text(
    plan: &SchemaPlan,
    nodes: &[NodeCounts],
    leaves: &[LeafCounts],
    path: &Path,
) -> String {
    let mut out = format!(
        "# Learned by shred-gen --profile from {} (levels and value ranges; no value of the file).\n",
        path.display()
    );
    for (id, node) in plan.nodes().iter().enumerate().skip(1) {
        let counts = &nodes[id];
        let mut lines = Vec::new();
        match node.repetition {
            Repetition::OPTIONAL if counts.slots > 0 => {
                let null = counts.nulls as f64 / counts.slots as f64;
                lines.push(format!("null = {}", toml_float(null)));
            }
            Repetition::REPEATED if counts.slots > 0 => {
                let empty = counts.nulls as f64 / counts.slots as f64;
                lines.push(format!("empty = {}", toml_float(empty)));
                let mut weights = counts.lengths.clone();
                if let Some(w) = weights.first_mut() {
                    *w = 0;
                }
                if weights.iter().any(|w| *w > 0) {
                    let listed: Vec<String> = weights.iter().map(u64::to_string).collect();
                    lines.push(format!(
                        "length = {{ histogram = [{}] }}",
                        listed.join(", ")
                    ));
                } else {
                    lines.push("length = { fixed = 1 }".into());
                }
            }
            _ => {}
        }
        if let NodeShape::Leaf { column, .. } = node.shape
            && let Some(values) = leaf_values(plan, column, &leaves[column])
        {
            lines.push(format!("values = {values}"));
        }
        if !lines.is_empty() {
            let _ = write!(
                out,
                "\n[fields.{}]\n{}\n",
                toml_string(&node.path),
                lines.join("\n")
            );
        }
    }
    out
}

/// The learned value generator of a leaf, as TOML, or `None` for the type's default.
fn leaf_values(plan: &SchemaPlan, column: usize, counts: &LeafCounts) -> Option<String> {
    if counts.values == 0 {
        return None;
    }
    let leaf = &plan.schema().leaves()[column];
    let plain = leaf.logical().is_none() && leaf.descr.converted_type() == ConvertedType::NONE;
    match leaf.physical() {
        PhysicalType::BOOLEAN => Some(format!(
            "{{ bernoulli = {} }}",
            toml_float(counts.trues as f64 / counts.values as f64)
        )),
        PhysicalType::INT32 | PhysicalType::INT64 if plain || leaf.is_unsigned() => {
            let (lo, hi) = (counts.min_i?, counts.max_i?);
            Some(format!("{{ uniform = [{lo}, {hi}] }}"))
        }
        PhysicalType::FLOAT | PhysicalType::DOUBLE => {
            let (lo, hi) = (counts.min_f?, counts.max_f?);
            Some(format!(
                "{{ uniform = [{}, {}] }}",
                toml_float(lo),
                toml_float(hi)
            ))
        }
        PhysicalType::BYTE_ARRAY
            if plain
                || leaf.logical().is_some_and(|l| {
                    matches!(
                        l,
                        parquet::basic::LogicalType::String | parquet::basic::LogicalType::Enum
                    )
                })
                || leaf.descr.converted_type() == ConvertedType::UTF8 =>
        {
            if let Some(distinct) = &counts.distinct {
                let mut by_count: Vec<(&Vec<u8>, &u64)> = distinct.iter().collect();
                by_count.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
                let tokens: Vec<String> = by_count
                    .iter()
                    .enumerate()
                    .map(|(i, (value, count))| {
                        let mut token = format!("v{i}");
                        while token.len() < value.len() {
                            token.push('x');
                        }
                        format!("{} = {count}", toml_string(&token))
                    })
                    .collect();
                Some(format!("{{ enum = {{ {} }} }}", tokens.join(", ")))
            } else {
                let (lo, hi) = (counts.min_len?, counts.max_len?);
                Some(format!("{{ random = [{lo}, {hi}] }}"))
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema_generator::SchemaGenerator;
    use crate::spec::Spec;

    #[test]
    fn toml_text_is_valid() {
        assert_eq!(toml_float(1.0), "1.0");
        assert_eq!(toml_float(0.25), "0.25");
        assert_eq!(toml_string("a\"b\\c\n"), "\"a\\\"b\\\\c\\u000A\"");
        let spec = format!(
            "[fields.{}]\nnull = {}\n",
            toml_string("a.b"),
            toml_float(0.0)
        );
        assert_eq!(Spec::parse("t", &spec).unwrap().fields[0].path, "a.b");
    }

    #[test]
    fn unsigned_ranges_are_read_as_unsigned() {
        let mut u32s = LeafCounts::new(true);
        u32s.add(&Values::Int32(vec![1, 3_000_000_000u32 as i32, -1]));
        assert_eq!(
            (u32s.min_i, u32s.max_i),
            (Some(1), Some(i64::from(u32::MAX)))
        );
        let mut u64s = LeafCounts::new(true);
        u64s.add(&Values::Int64(vec![5, -1]));
        assert_eq!((u64s.min_i, u64s.max_i), (Some(5), Some(i64::MAX)));
    }

    #[test]
    fn counted_levels_are_the_generated_ones() {
        let schema = Schema::parse(
            "message m { optional group l (LIST) { repeated group list {
               optional binary element (STRING); } } }",
        )
        .unwrap();
        let spec = Spec::parse(
            "s",
            "[fields.l]\nnull = 0.2\nempty = 0.1\nlength = { histogram = [0, 1, 1] }\n
             [fields.\"l.list.element\"]\nnull = 0.3\nvalues = { words = [\"ab\", \"cde\"] }\n",
        )
        .unwrap();
        let g = SchemaGenerator::new(3, schema.clone(), &spec).unwrap();
        let mut stripes = g.new_stripes();
        g.fill_stripes(0, 10_000, &mut stripes);
        let plan = SchemaPlan::new(&schema);
        let mut nodes = vec![NodeCounts::default(); plan.nodes().len()];
        let stripe = &stripes[0];
        for id in 1..plan.nodes().len() {
            for i in 0..stripe.len() {
                count_entry(&plan, id, stripe.rep[i], stripe.def[i], &mut nodes[id]);
            }
            nodes[id].finish_slot();
        }
        let share = |c: &NodeCounts| c.nulls as f64 / c.slots as f64;
        let l = &nodes[1];
        assert_eq!(l.slots, 10_000);
        assert!((share(l) - 0.2).abs() < 0.02, "{}", share(l));
        let list = &nodes[2];
        assert!((share(list) - 0.1).abs() < 0.02, "{}", share(list));
        let (one, two) = (list.lengths[1] as f64, list.lengths[2] as f64);
        assert!((one / (one + two) - 0.5).abs() < 0.02);
        let element = &nodes[3];
        assert!((share(element) - 0.3).abs() < 0.02, "{}", share(element));
        let mut leaf = LeafCounts::new(false);
        leaf.add(&stripe.values);
        let text = leaf_values(&plan, 0, &leaf).unwrap();
        assert!(
            text.starts_with("{ enum = { \"v0x\" = ") || text.starts_with("{ enum = { \"v0\" = "),
            "{text}"
        );
        assert!(
            !text.contains("ab") && !text.contains("cde"),
            "no value of the file: {text}"
        );
    }
}
