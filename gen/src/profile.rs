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
//! Values, one column at a time in bounded memory (a few sketches per column, dropped
//! when the column is done): a [`HyperLogLog`] counts distinct values, a [`Reservoir`]
//! samples numbers, a [`FrequentValues`] summary finds frequent byte values, and byte
//! lengths are counted. Numbers (integers, floats, decimals, dates, timestamps, times)
//! become a `spread`: their range, the shape of their distribution in [`PARTS`] equal parts
//! of the range (from the sample), and as many points as make the same number of distinct
//! values for the same number of draws. Booleans keep their share of true. Strings and
//! binary values keep no value of the file unless asked ([`ProfileOptions::keep_values`]):
//! a column with at most [`MAX_ENUM`] distinct values becomes an `enum` of synthetic tokens
//! (`v0`, `v1x`, … padded with `x` to each value's length) with the same frequencies; any
//! other becomes `tokens`: its frequent values as such tokens, the rest drawn from as many
//! tokens as make the same number of distinct values, with the values' length histogram.
//! The learned spec is TOML text ([`Profile::spec_text`]), parsed back like any spec; the
//! file's key-value metadata (`ARROW:schema` among it) is kept for the look-alike's footer.
//!
//! ```no_run
//! use shred_gen::profile::{Profile, ProfileOptions};
//! let profile = Profile::of_file("data.parquet".as_ref(), ProfileOptions::default()).unwrap();
//! println!("{}", profile.spec_text);
//! ```

use std::fmt::Write as _;
use std::path::Path;

use parquet::basic::{ConvertedType, LogicalType, Repetition, Type as PhysicalType};
use parquet::file::metadata::KeyValue;
use parquet::file::reader::{FileReader, SerializedFileReader};
use shred::Schema;
use shred::column_io::{StripeReader, stripe_for};
use shred::record::int96_to_nanos;
use shred::schema::Leaf;
use shred::schema_plan::{NodeShape, SchemaPlan};
use shred::stripe::Values;

use crate::error::{GenError, Result};
use crate::frequent_values::FrequentValues;
use crate::hyperloglog::HyperLogLog;
use crate::reservoir::Reservoir;
use crate::value_generator::{spread_part, units_per_second};

/// Lengths above this are counted as this length.
pub const MAX_PROFILED_LENGTH: usize = 1000;

/// Byte columns with at most this many distinct values become enums; others keep at most
/// this many frequent values.
pub const MAX_ENUM: usize = 64;

/// Counters of the frequent-values summary of a byte column.
pub const FREQUENT_COUNTERS: usize = 256;

/// Numbers sampled per column for the shape of their distribution.
pub const SAMPLE_SIZE: usize = 4096;

/// Equal parts of a number column's range whose weights a learned spec gives.
pub const PARTS: usize = 16;

/// What to learn.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProfileOptions {
    /// Keep the file's frequent strings as they are instead of synthetic tokens.
    pub keep_values: bool,
}

/// A file's schema and the spec learned from it.
#[derive(Debug, Clone)]
pub struct Profile {
    /// The file's schema (its descriptor: field ids and logical types as in the file).
    pub schema: Schema,
    /// The learned spec, as TOML.
    pub spec_text: String,
    /// Records in the file.
    pub records: u64,
    /// The file's key-value metadata (`ARROW:schema` among it), for the look-alike's
    /// footer.
    pub file_metadata: Vec<KeyValue>,
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

/// How a number column's values read as numbers and its bounds print in a spec.
#[derive(Debug, Clone, Copy, PartialEq)]
enum NumberKind {
    /// Integers as they are (also times of day, INT96 nanoseconds); unsigned integers
    /// read as unsigned.
    Integer { unsigned: bool },
    /// Days since the epoch, printed as dates.
    Date,
    /// Units since the epoch, with this many per second, printed as timestamps.
    Timestamp { per_second: i64 },
    /// Unscaled decimals (integers or big-endian two's complement bytes), printed scaled.
    Decimal { scale: i32 },
    /// Floats.
    Float,
}

/// What is learned of a leaf's values.
#[derive(Debug, Clone, Copy, PartialEq)]
enum LeafKind {
    Bool,
    Number(NumberKind),
    /// Strings, enums and plain binary.
    Bytes,
    /// Kept at the type's default (UUIDs, JSON, half floats, intervals).
    Default,
}

fn leaf_kind(leaf: &Leaf) -> LeafKind {
    let logical = leaf.logical();
    let converted = leaf.descr.converted_type();
    let decimal =
        matches!(logical, Some(LogicalType::Decimal { .. })) || converted == ConvertedType::DECIMAL;
    if decimal {
        return LeafKind::Number(NumberKind::Decimal {
            scale: leaf.descr.type_scale(),
        });
    }
    let integer = || {
        LeafKind::Number(match (logical, converted) {
            (Some(LogicalType::Date), _) | (None, ConvertedType::DATE) => NumberKind::Date,
            (Some(LogicalType::Timestamp(t)), _) => NumberKind::Timestamp {
                per_second: units_per_second(&t.unit),
            },
            (None, ConvertedType::TIMESTAMP_MILLIS) => NumberKind::Timestamp { per_second: 1_000 },
            (None, ConvertedType::TIMESTAMP_MICROS) => NumberKind::Timestamp {
                per_second: 1_000_000,
            },
            _ => NumberKind::Integer {
                unsigned: leaf.is_unsigned(),
            },
        })
    };
    match leaf.physical() {
        PhysicalType::BOOLEAN => LeafKind::Bool,
        PhysicalType::INT32 | PhysicalType::INT64 | PhysicalType::INT96 => integer(),
        PhysicalType::FLOAT | PhysicalType::DOUBLE => LeafKind::Number(NumberKind::Float),
        PhysicalType::BYTE_ARRAY | PhysicalType::FIXED_LEN_BYTE_ARRAY => {
            let text = matches!(logical, Some(LogicalType::String | LogicalType::Enum))
                || matches!(converted, ConvertedType::UTF8 | ConvertedType::ENUM);
            let plain = logical.is_none() && converted == ConvertedType::NONE;
            if text || plain {
                LeafKind::Bytes
            } else {
                LeafKind::Default
            }
        }
    }
}

/// A number of a column: an integer (unscaled for decimals) or a float.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Number {
    Int(i64),
    Float(f64),
}

impl Number {
    fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Float(f) => f,
        }
    }
}

/// A decimal's big-endian two's complement bytes as an integer; `None` past 64 bits.
fn decimal_bytes(bytes: &[u8]) -> Option<i64> {
    let negative = bytes.first().is_some_and(|b| b & 0x80 != 0);
    let sign = if negative { 0xFF } else { 0x00 };
    let skip = bytes.len().saturating_sub(8);
    if bytes[..skip].iter().any(|&b| b != sign) {
        return None;
    }
    let mut word = [sign; 8];
    word[8 - (bytes.len() - skip)..].copy_from_slice(&bytes[skip..]);
    let value = i64::from_be_bytes(word);
    ((value < 0) == negative || bytes.len() < 8).then_some(value)
}

/// Value statistics of one leaf, in bounded memory.
#[derive(Debug, Clone)]
struct LeafProfile {
    kind: LeafKind,
    values: u64,
    trues: u64,
    min: Option<Number>,
    max: Option<Number>,
    distinct: HyperLogLog,
    sample: Reservoir<f64>,
    frequent: FrequentValues,
    /// Byte values by length (index = length, capped at [`MAX_PROFILED_LENGTH`]).
    lengths: Vec<u64>,
}

impl LeafProfile {
    fn new(kind: LeafKind, options: ProfileOptions) -> Self {
        LeafProfile {
            kind,
            values: 0,
            trues: 0,
            min: None,
            max: None,
            distinct: HyperLogLog::new(),
            sample: Reservoir::new(SAMPLE_SIZE),
            frequent: FrequentValues::new(FREQUENT_COUNTERS, options.keep_values),
            lengths: Vec::new(),
        }
    }

    fn number(&mut self, n: Number) {
        let (bits, x) = match n {
            Number::Int(i) => (i as u64, i as f64),
            Number::Float(f) if f.is_finite() => (f.to_bits(), f),
            Number::Float(_) => return,
        };
        self.distinct.insert_bits(bits);
        self.sample.add(x);
        let less = |a: Number, b: Number| match (a, b) {
            (Number::Int(a), Number::Int(b)) => a < b,
            (a, b) => a.as_f64() < b.as_f64(),
        };
        if self.min.is_none_or(|m| less(n, m)) {
            self.min = Some(n);
        }
        if self.max.is_none_or(|m| less(m, n)) {
            self.max = Some(n);
        }
    }

    fn bytes(&mut self, value: &[u8]) {
        self.distinct.insert_bytes(value);
        self.frequent.insert(value);
        let len = value.len().min(MAX_PROFILED_LENGTH);
        if self.lengths.len() <= len {
            self.lengths.resize(len + 1, 0);
        }
        self.lengths[len] += 1;
    }

    fn add(&mut self, values: &Values) {
        self.values += values.len() as u64;
        let unsigned = matches!(
            self.kind,
            LeafKind::Number(NumberKind::Integer { unsigned: true })
        );
        match (self.kind, values) {
            (LeafKind::Bool, Values::Boolean(v)) => {
                self.trues += v.iter().filter(|b| **b).count() as u64
            }
            (LeafKind::Number(_), Values::Int32(v)) if unsigned => v
                .iter()
                .for_each(|x| self.number(Number::Int(i64::from(*x as u32)))),
            (LeafKind::Number(_), Values::Int32(v)) => v
                .iter()
                .for_each(|x| self.number(Number::Int(i64::from(*x)))),
            // Unsigned values above i64::MAX count as i64::MAX, the largest a spec names.
            (LeafKind::Number(_), Values::Int64(v)) if unsigned => v
                .iter()
                .for_each(|x| self.number(Number::Int(if *x < 0 { i64::MAX } else { *x }))),
            (LeafKind::Number(_), Values::Int64(v)) => {
                v.iter().for_each(|x| self.number(Number::Int(*x)))
            }
            (LeafKind::Number(_), Values::Int96(v)) => v
                .iter()
                .for_each(|x| self.number(Number::Int(int96_to_nanos(x)))),
            (LeafKind::Number(_), Values::Float(v)) => v
                .iter()
                .for_each(|x| self.number(Number::Float(f64::from(*x)))),
            (LeafKind::Number(_), Values::Double(v)) => {
                v.iter().for_each(|x| self.number(Number::Float(*x)))
            }
            (LeafKind::Number(_), Values::ByteArray(v) | Values::FixedLenByteArray(v)) => {
                for value in v.iter() {
                    if let Some(i) = decimal_bytes(value) {
                        self.number(Number::Int(i));
                    }
                }
            }
            (LeafKind::Bytes, Values::ByteArray(v) | Values::FixedLenByteArray(v)) => {
                for value in v.iter() {
                    self.bytes(value);
                }
            }
            _ => {}
        }
    }
}

fn io_error(path: &Path, e: impl std::fmt::Display) -> GenError {
    GenError::Usage(format!("--profile {}: {e}", path.display()))
}

impl Profile {
    /// Profiles the Parquet file at `path`.
    pub fn of_file(path: &Path, options: ProfileOptions) -> Result<Self> {
        let file = std::fs::File::open(path).map_err(|e| io_error(path, e))?;
        let reader = SerializedFileReader::new(file).map_err(|e| io_error(path, e))?;
        let file_metadata = reader.metadata().file_metadata();
        let descriptor = file_metadata.schema_descr_ptr();
        let schema = Schema::from_descriptor(descriptor).map_err(|e| io_error(path, e))?;
        let records = file_metadata.num_rows().max(0) as u64;
        let key_values = file_metadata
            .key_value_metadata()
            .cloned()
            .unwrap_or_default();
        let plan = SchemaPlan::new(&schema);
        // The nodes whose levels each column shows: those it is the first column of.
        let mut watchers: Vec<Vec<usize>> = vec![Vec::new(); schema.leaves().len()];
        for (id, node) in plan.nodes().iter().enumerate().skip(1) {
            if node.repetition != Repetition::REQUIRED && !node.columns.is_empty() {
                watchers[node.columns.start].push(id);
            }
        }
        let mut nodes = vec![NodeCounts::default(); plan.nodes().len()];
        let mut leaf_specs = Vec::with_capacity(schema.leaves().len());
        for (column, leaf) in schema.leaves().iter().enumerate() {
            let mut values = LeafProfile::new(leaf_kind(leaf), options);
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
                    values.add(&stripe.values);
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
            leaf_specs.push(leaf_values(&values, options, leaf.max_rep == 0));
        }
        let spec_text = spec_text(&plan, &nodes, &leaf_specs, path, options);
        Ok(Profile {
            schema,
            spec_text,
            records,
            file_metadata: key_values,
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
    leaf_specs: &[Option<String>],
    path: &Path,
    options: ProfileOptions,
) -> String {
    let kept = if options.keep_values {
        "frequent values kept"
    } else {
        "no value of the file but ranges"
    };
    let mut out = format!(
        "# Learned by shred-gen --profile from {} (levels, distinct counts, ranges; {kept}).\n",
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
            && let Some(values) = &leaf_specs[column]
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
/// `one_per_record`: the leaf is not repeated (at most one value per record).
fn leaf_values(
    profile: &LeafProfile,
    options: ProfileOptions,
    one_per_record: bool,
) -> Option<String> {
    if profile.values == 0 {
        return None;
    }
    match profile.kind {
        LeafKind::Bool => Some(format!(
            "{{ bernoulli = {} }}",
            toml_float(profile.trues as f64 / profile.values as f64)
        )),
        LeafKind::Number(kind) => number_values(profile, kind, one_per_record),
        LeafKind::Bytes => Some(byte_values(profile, options)),
        LeafKind::Default => None,
    }
}

/// Days since 1970-01-01 as a proleptic Gregorian `(year, month, day)` (Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// A bound of a number column as a spec writes it: dates and timestamps as text,
/// decimals scaled, the rest as numbers.
fn bound_text(n: Number, kind: NumberKind) -> String {
    match (kind, n) {
        (NumberKind::Date, Number::Int(days)) => {
            let (y, m, d) = civil_from_days(days);
            format!("\"{y:04}-{m:02}-{d:02}\"")
        }
        (NumberKind::Timestamp { per_second }, Number::Int(units)) => {
            let seconds = units.div_euclid(per_second);
            let fraction = units.rem_euclid(per_second);
            let (y, m, d) = civil_from_days(seconds.div_euclid(86_400));
            let of_day = seconds.rem_euclid(86_400);
            let digits = per_second.ilog10() as usize;
            format!(
                "\"{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{fraction:0digits$}Z\"",
                of_day / 3600,
                of_day / 60 % 60,
                of_day % 60
            )
        }
        (NumberKind::Decimal { scale }, Number::Int(unscaled)) if scale > 0 => {
            toml_float(unscaled as f64 / 10f64.powi(scale))
        }
        (_, Number::Int(i)) => i.to_string(),
        (_, Number::Float(f)) => toml_float(f),
    }
}

/// The expected number of distinct values among `draws` draws of a `spread` of `points`
/// points whose parts have the shares `shares`.
fn expected_distinct(points: u64, shares: &[f64], draws: f64) -> f64 {
    (shares.iter().enumerate())
        .map(|(part, share)| {
            let range = spread_part(points, part, shares.len());
            let n = (range.end - range.start) as f64;
            if n == 0.0 {
                0.0
            } else {
                n * (1.0 - (-draws * share / n).exp())
            }
        })
        .sum()
}

/// The fewest points (at most `max_points`) whose `draws` draws are expected to give
/// `distinct` distinct values (to the nearest value).
fn points_for(distinct: f64, shares: &[f64], draws: f64, max_points: u64) -> u64 {
    let (mut lo, mut hi) = ((distinct.max(1.0) as u64).min(max_points), max_points);
    let distinct = distinct - 0.5;
    if expected_distinct(hi, shares, draws) < distinct {
        return hi;
    }
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if expected_distinct(mid, shares, draws) >= distinct {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo
}

/// The most points of a float column's spread, or tokens of a byte column: as good as
/// unbounded.
const MAX_POINTS: u64 = 1 << 50;

fn number_values(profile: &LeafProfile, kind: NumberKind, one_per_record: bool) -> Option<String> {
    let (lo, hi) = (profile.min?, profile.max?);
    let draws = profile.sample.seen() as f64;
    let distinct = profile.distinct.estimate().round().clamp(1.0, draws);
    let max_points = match (lo, hi) {
        (Number::Int(lo), Number::Int(hi)) => {
            u64::try_from(hi as i128 - lo as i128 + 1).unwrap_or(u64::MAX)
        }
        _ if lo == hi => 1,
        _ => MAX_POINTS,
    };
    let (lo_f, width) = (lo.as_f64(), hi.as_f64() - lo.as_f64());
    let mut weights = vec![0u64; if width > 0.0 { PARTS } else { 1 }];
    for x in profile.sample.items() {
        let part = if width > 0.0 {
            ((x - lo_f) / width * PARTS as f64) as usize
        } else {
            0
        };
        let last = weights.len() - 1;
        weights[part.min(last)] += 1;
    }
    let total = weights.iter().sum::<u64>().max(1) as f64;
    let shares: Vec<f64> = weights.iter().map(|w| *w as f64 / total).collect();
    let points = points_for(distinct, &shares, draws, max_points);
    // Values nearly all distinct and too dense for random draws to stay so (ids): one
    // per record, evenly spaced from the smallest, as many as there are records.
    let unique = distinct >= 0.97 * draws && draws > 1.0;
    if let (true, true, Number::Int(start), Number::Int(end)) = (
        unique && one_per_record,
        expected_distinct(max_points, &shares, draws) < 0.9 * distinct,
        lo,
        hi,
    ) {
        let step = ((end as i128 - start as i128) / (draws as i128 - 1)).max(1);
        return Some(format!(
            "{{ sequence = {{ start = {start}, step = {step} }} }}"
        ));
    }
    let weights = if weights.len() > 1 {
        let listed: Vec<String> = weights.iter().map(u64::to_string).collect();
        format!(", weights = [{}]", listed.join(", "))
    } else {
        String::new()
    };
    Some(format!(
        "{{ spread = {{ range = [{}, {}], distinct = {points}{weights} }} }}",
        bound_text(lo, kind),
        bound_text(hi, kind),
    ))
}

/// A synthetic token for the `i`-th most frequent value, as long as the value (`v`, then
/// `i`, padded with `x`).
fn frequent_token(i: usize, len: usize) -> String {
    let mut token = format!("v{i}");
    while token.len() < len {
        token.push('x');
    }
    token
}

fn byte_values(profile: &LeafProfile, options: ProfileOptions) -> String {
    let frequent = &profile.frequent;
    let values = profile.values;
    // Counts of at least this many are frequent whatever the summary discounted.
    let threshold = if frequent.exact() {
        1
    } else {
        (values / (FREQUENT_COUNTERS as u64 + 1)).max(2)
    };
    let top: Vec<_> = (frequent.top(MAX_ENUM).into_iter())
        .filter(|c| c.count >= threshold)
        .collect();
    let named: Vec<String> = (top.iter().enumerate())
        .map(|(i, counted)| {
            let kept = counted.value.as_deref().filter(|_| options.keep_values);
            let real = kept.and_then(|v| std::str::from_utf8(v).ok());
            let name = match real {
                Some(text) => text.to_owned(),
                None => frequent_token(i, counted.len),
            };
            format!("{} = {}", toml_string(&name), counted.count)
        })
        .collect();
    if frequent.exact() && frequent.len() <= MAX_ENUM {
        return format!("{{ enum = {{ {} }} }}", named.join(", "));
    }
    // The rest: its lengths (all lengths less the frequent values'), its draws and
    // distinct values.
    let mut lengths = profile.lengths.clone();
    let mut rest = values;
    for counted in &top {
        let len = counted.len.min(MAX_PROFILED_LENGTH);
        lengths[len] = lengths[len].saturating_sub(counted.count);
        rest = rest.saturating_sub(counted.count);
    }
    let distinct =
        (profile.distinct.estimate().round() - top.len() as f64).clamp(1.0, rest.max(1) as f64);
    let tokens = points_for(distinct, &[1.0], rest as f64, MAX_POINTS);
    let min_length = lengths.iter().position(|n| *n > 0).unwrap_or(0);
    let max_length = lengths.iter().rposition(|n| *n > 0).unwrap_or(0);
    let mut listed: Vec<String> = lengths[min_length..=max_length]
        .iter()
        .map(u64::to_string)
        .collect();
    if rest == 0 {
        listed = vec!["1".into()];
    }
    format!(
        "{{ tokens = {{ frequent = {{{}}}, rest = {rest}, distinct = {tokens}, min_length = {min_length}, lengths = [{}] }} }}",
        if named.is_empty() {
            String::new()
        } else {
            format!(" {} ", named.join(", "))
        },
        listed.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema_generator::SchemaGenerator;
    use crate::spec::Spec;
    use crate::value_generator::LeafValues;

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
        let unsigned = LeafKind::Number(NumberKind::Integer { unsigned: true });
        let mut u32s = LeafProfile::new(unsigned, ProfileOptions::default());
        u32s.add(&Values::Int32(vec![1, 3_000_000_000u32 as i32, -1]));
        assert_eq!(
            (u32s.min, u32s.max),
            (Some(Number::Int(1)), Some(Number::Int(i64::from(u32::MAX))))
        );
        let mut u64s = LeafProfile::new(unsigned, ProfileOptions::default());
        u64s.add(&Values::Int64(vec![5, -1]));
        assert_eq!(
            (u64s.min, u64s.max),
            (Some(Number::Int(5)), Some(Number::Int(i64::MAX)))
        );
    }

    #[test]
    fn decimal_bytes_are_big_endian_twos_complement() {
        assert_eq!(decimal_bytes(&[0x01, 0x00]), Some(256));
        assert_eq!(decimal_bytes(&[0xFF, 0xFE]), Some(-2));
        assert_eq!(decimal_bytes(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 0x05]), Some(5));
        assert_eq!(decimal_bytes(&[0xFF; 12]), Some(-1));
        assert_eq!(decimal_bytes(&[0x01, 0, 0, 0, 0, 0, 0, 0, 0]), None);
        assert_eq!(decimal_bytes(&[0x00, 0x80, 0, 0, 0, 0, 0, 0, 0]), None);
    }

    #[test]
    fn dates_and_timestamps_print_as_the_spec_reads_them() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(
            bound_text(Number::Int(19_723), NumberKind::Date),
            "\"2024-01-01\""
        );
        let micros = NumberKind::Timestamp {
            per_second: 1_000_000,
        };
        assert_eq!(
            bound_text(Number::Int(1_704_067_200_000_123), micros),
            "\"2024-01-01T00:00:00.000123Z\""
        );
        assert_eq!(
            bound_text(Number::Int(-1), micros),
            "\"1969-12-31T23:59:59.999999Z\""
        );
        assert_eq!(
            bound_text(Number::Int(12_345), NumberKind::Decimal { scale: 2 }),
            "123.45"
        );
    }

    #[test]
    fn learned_ranges_compile_back_to_the_same_bounds() {
        let schema = Schema::parse(
            "message m { required int32 d (DATE); required int64 t (TIMESTAMP(MICROS,true));
               required int64 p (DECIMAL(12,2)); required double x; }",
        )
        .unwrap();
        let columns: [(Values, Values); 4] = [
            (Values::Int32(vec![19_000, 19_723]), Values::Int32(vec![])),
            (
                Values::Int64(vec![1_704_067_200_000_123, 1_704_067_200_999_999]),
                Values::Int64(vec![]),
            ),
            (Values::Int64(vec![-5, 12_345]), Values::Int64(vec![])),
            (Values::Double(vec![0.5, 2.25]), Values::Double(vec![])),
        ];
        for (leaf, (values, mut drawn)) in schema.leaves().iter().zip(columns) {
            let mut profile = LeafProfile::new(leaf_kind(leaf), ProfileOptions::default());
            // Each value 100 times: two distinct values, not two unique ones.
            for _ in 0..100 {
                profile.add(&values);
            }
            let text = leaf_values(&profile, ProfileOptions::default(), true).unwrap();
            assert!(text.contains("distinct = 2"), "{text}");
            let spec =
                Spec::parse("t", &format!("[fields.{}]\nvalues = {text}\n", leaf.path)).unwrap();
            let settings = &spec.fields[0].settings;
            let compiled = LeafValues::new(leaf, settings.values.as_ref().map(|v| v.get_ref()))
                .unwrap_or_else(|e| panic!("{text}: {e}"));
            let mut rng = crate::rng::RecordRng::new(7, 0);
            for k in 0..200 {
                let at = crate::value_generator::Position { record: 0, k };
                compiled.push(&mut rng, at, &mut drawn, &mut Vec::new());
            }
            // Two points: the smallest and the largest value, both drawn.
            let mut seen = Vec::new();
            for i in 0..200 {
                let v = match &drawn {
                    Values::Int32(v) => v[i] as f64,
                    Values::Int64(v) => v[i] as f64,
                    Values::Double(v) => v[i],
                    _ => unreachable!(),
                };
                if !seen.contains(&v) {
                    seen.push(v);
                }
            }
            seen.sort_by(f64::total_cmp);
            let expected: Vec<f64> = match &values {
                Values::Int32(v) => v.iter().map(|x| *x as f64).collect(),
                Values::Int64(v) => v.iter().map(|x| *x as f64).collect(),
                Values::Double(v) => v.clone(),
                _ => unreachable!(),
            };
            assert_eq!(seen, expected, "{}: {text}", leaf.path);
        }
    }

    #[test]
    fn many_distinct_strings_become_tokens_with_as_many_distinct_values() {
        let leaf_schema = Schema::parse("message m { required binary s (STRING); }").unwrap();
        let leaf = &leaf_schema.leaves()[0];
        for keep_values in [false, true] {
            let options = ProfileOptions { keep_values };
            let mut profile = LeafProfile::new(leaf_kind(leaf), options);
            // "hot" a quarter of the values; the rest from 3000 names drawn at random.
            let mut rng = crate::rng::RecordRng::new(1, 0);
            let mut values = shred::stripe::ByteValues::default();
            for i in 0..40_000u64 {
                if i % 4 == 0 {
                    values.push(b"hot");
                } else {
                    values.push(format!("name-{}", rng.below(3000)).as_bytes());
                }
            }
            profile.add(&Values::ByteArray(values));
            let text = leaf_values(&profile, options, true).unwrap();
            assert!(text.starts_with("{ tokens = "), "{text}");
            assert_eq!(text.contains("\"hot\""), keep_values, "{text}");
            assert!(!text.contains("name-"), "{text}");
            let spec = Spec::parse("t", &format!("[fields.s]\nvalues = {text}\n")).unwrap();
            let compiled = LeafValues::new(
                leaf,
                spec.fields[0].settings.values.as_ref().map(|v| v.get_ref()),
            )
            .unwrap();
            let mut drawn = Values::new(PhysicalType::BYTE_ARRAY);
            let mut rng = crate::rng::RecordRng::new(9, 0);
            for k in 0..40_000 {
                let at = crate::value_generator::Position { record: 0, k };
                compiled.push(&mut rng, at, &mut drawn, &mut Vec::new());
            }
            let Values::ByteArray(drawn) = drawn else {
                unreachable!()
            };
            let mut distinct = std::collections::HashSet::new();
            let mut hot = 0;
            for v in drawn.iter() {
                distinct.insert(v.to_vec());
                hot += usize::from(v.len() == 3 && v[0] == if keep_values { b'h' } else { b'v' });
            }
            let original = 2999.0 + 1.0;
            assert!(
                (distinct.len() as f64 - original).abs() <= 0.1 * original,
                "{} distinct drawn for about {original}: {text}",
                distinct.len()
            );
            assert!((9_000..11_000).contains(&hot), "{hot} hot values");
        }
    }

    #[test]
    fn profile_state_stays_bounded_whatever_the_column() {
        let mut strings = LeafProfile::new(LeafKind::Bytes, ProfileOptions { keep_values: true });
        let mut numbers = LeafProfile::new(
            LeafKind::Number(NumberKind::Float),
            ProfileOptions::default(),
        );
        for batch in 0..20u64 {
            let mut values = shred::stripe::ByteValues::default();
            let mut floats = Vec::new();
            for i in 0..4096 {
                let n = batch * 4096 + i;
                values.push(format!("{n:0width$}", width = (n % 1500) as usize).as_bytes());
                floats.push(n as f64);
            }
            strings.add(&Values::ByteArray(values));
            numbers.add(&Values::Double(floats));
        }
        assert_eq!(strings.values, 20 * 4096);
        assert!(strings.frequent.len() <= FREQUENT_COUNTERS);
        assert!(strings.lengths.len() <= MAX_PROFILED_LENGTH + 1);
        assert_eq!(numbers.sample.items().len(), SAMPLE_SIZE);
        let distinct = numbers.distinct.estimate();
        assert!(
            (distinct / (20.0 * 4096.0) - 1.0).abs() < 0.05,
            "{distinct}"
        );
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
        let mut leaf = LeafProfile::new(LeafKind::Bytes, ProfileOptions::default());
        leaf.add(&stripe.values);
        let text = leaf_values(&leaf, ProfileOptions::default(), false).unwrap();
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
