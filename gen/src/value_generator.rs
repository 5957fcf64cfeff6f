//! The values of one leaf column: a spec's `values` (or the type's default) compiled for
//! the leaf's physical and logical type, drawn from a record's random stream straight into
//! the column's stripe.
//!
//! A generator is a source and a target. Number sources (uniform, spread, normal, Zipf,
//! sequence, unique) give an integer or a float; the target stores it as the physical
//! type wants: INT32/INT64 (decimals as unscaled integers, floats rounded after scaling by
//! `10^scale`), INT96 nanoseconds, FLOAT/DOUBLE, FLOAT16 half-precision bits, or a
//! decimal's big-endian two's complement bytes (`LogicalTypes.md`, "DECIMAL"). Byte
//! sources (word lists, weighted enums, synthetic tokens, patterns, random text or bytes,
//! UUIDs) write bytes; a fixed-length column pads them with zeros or cuts them to its
//! length. Dates, timestamps and times of
//! day in `uniform` bounds are turned into the column's unit once, when the spec is
//! compiled (`LogicalTypes.md`, "DATE", "TIME", "TIMESTAMP").
//!
//! Every draw comes from the record's stream ([`RecordRng`]) and from the record index
//! and entry position, so a value is a pure function of (seed, record index, spec).
//!
//! ```
//! use shred_gen::rng::{RecordRng, mix64};
//! use shred_gen::spec::{Bound, ValueSpec};
//! use shred_gen::value_generator::{LeafValues, Position};
//! let schema = shred::Schema::parse("message m { required int32 d (DATE); }").unwrap();
//! let spec = ValueSpec::Uniform([Bound::Text("2024-01-01".into()), Bound::Text("2024-01-01".into())]);
//! let values = LeafValues::new(&schema.leaves()[0], Some(&spec)).unwrap();
//! let mut column = shred::stripe::Values::new(parquet::basic::Type::INT32);
//! values.push(&mut RecordRng::new(mix64(1), 0), Position { record: 0, k: 0 }, &mut column, &mut Vec::new());
//! assert_eq!(column, shred::stripe::Values::Int32(vec![19723]));
//! ```

use std::str::FromStr;

use parquet::basic::{ConvertedType, LogicalType, TimeUnit, Type as PhysicalType};
use shred::record::int96_from_nanos;
use shred::schema::Leaf;
use shred::stripe::{ByteValues, Values};

use crate::length_distribution::standard_normal;
use crate::names::{FIRST_NAMES, LAST_NAMES, ZipfTable};
use crate::rng::{RecordRng, mix64, threshold};
use crate::spec::{Bound, ValueSpec};
use crate::weighted::Weighted;

/// Where a value sits: the record and the entry of the column within the record.
#[derive(Debug, Clone, Copy)]
pub struct Position {
    /// Record index in the dataset.
    pub record: u64,
    /// Entries of this column already written for this record.
    pub k: u64,
}

/// An integer or a float, as a number source draws it.
#[derive(Debug, Clone, Copy)]
enum Number {
    Int(i64),
    Float(f64),
}

#[derive(Debug, Clone)]
enum NumberSource {
    Int { lo: i64, span: u64 },
    Float { lo: f64, width: f64 },
    Normal { mean: f64, std: f64 },
    Zipf { weights: Weighted, start: i64 },
    Sequence { start: i64, step: i64 },
    Unique { start: i64, stride: u64 },
    IntSpread(Spread<i64>),
    FloatSpread(Spread<f64>),
}

/// `points` evenly spaced numbers from `lo` to `lo + width`, drawn by part of the range.
#[derive(Debug, Clone)]
struct Spread<T> {
    lo: T,
    width: T,
    points: u64,
    parts: Weighted,
}

impl<T> Spread<T> {
    /// The index of a point: a part by weight, then a point of that part, uniformly (the
    /// nearest point when the part holds none).
    fn point(&self, rng: &mut RecordRng) -> u64 {
        let parts = self.parts.len();
        let part = self.parts.sample(rng);
        let points = spread_part(self.points, part, parts);
        if points.is_empty() {
            let (last, part, parts) = (u128::from(self.points - 1), part as u128, parts as u128);
            (((2 * part + 1) * last) / (2 * parts)) as u64
        } else {
            points.start + rng.below(points.end - points.start)
        }
    }
}

/// The indices of the points of a `spread` of `points` points (0 for the range's start,
/// `points - 1` for its end) that fall in part `part` of its `parts` equal parts.
pub fn spread_part(points: u64, part: usize, parts: usize) -> std::ops::Range<u64> {
    let last = u128::from(points.max(1) - 1);
    let (part, parts) = (part as u128, parts as u128);
    let first = (part * last).div_ceil(parts);
    let end = if part + 1 == parts {
        last + 1
    } else {
        ((part + 1) * last).div_ceil(parts)
    };
    first as u64..end.max(first) as u64
}

#[derive(Debug, Clone, Copy)]
enum NumberTarget {
    Int32 { scale: i32 },
    Int64 { scale: i32 },
    Int96,
    Float,
    Double,
    Float16,
    DecimalBytes { scale: i32, fixed: Option<usize> },
}

#[derive(Debug, Clone)]
enum Segment {
    Literal(Box<[u8]>),
    Id { width: usize, zero: bool },
    Record { width: usize, zero: bool },
    K { width: usize, zero: bool },
    Digits(usize),
    Letters(usize),
    Hex(usize),
    FirstName,
    LastName,
}

#[derive(Debug, Clone)]
enum BytesSource {
    Words(Vec<Box<[u8]>>),
    Enum {
        words: Vec<Box<[u8]>>,
        weights: Weighted,
    },
    Pattern(Vec<Segment>),
    Random {
        min: u32,
        span: u64,
        letters: bool,
    },
    Uuid {
        text: bool,
    },
    Tokens {
        frequent: Vec<Box<[u8]>>,
        /// The frequent strings' weights, then the tokens'.
        weights: Weighted,
        distinct: u64,
        min_length: u32,
        lengths: Weighted,
    },
}

#[derive(Debug, Clone)]
enum Kind {
    Bool(u64),
    Number {
        source: NumberSource,
        target: NumberTarget,
    },
    Bytes {
        source: BytesSource,
        fixed: Option<usize>,
    },
}

/// A leaf's compiled value generator.
#[derive(Debug, Clone)]
pub struct LeafValues {
    kind: Kind,
}

/// What a leaf's type is, for choosing and checking generators.
#[derive(Debug, Clone, Copy)]
enum LeafType {
    Bool,
    /// Integers: the range the column holds and what text bounds mean.
    Integer {
        target: NumberTarget,
        min: i64,
        max: i64,
        unit: TextUnit,
        scale: i32,
    },
    Float(NumberTarget),
    Bytes {
        fixed: Option<usize>,
        uuid: bool,
        json: bool,
        binary: bool,
    },
}

/// How `uniform` text bounds become integers.
#[derive(Debug, Clone, Copy, PartialEq)]
enum TextUnit {
    None,
    /// Days since the epoch.
    Date,
    /// Units since the epoch, with this many units per second.
    Timestamp(i64),
    /// Units since midnight, with this many units per second.
    Time(i64),
}

/// Units of a `TIME` or `TIMESTAMP` column per second.
pub fn units_per_second(unit: &TimeUnit) -> i64 {
    match unit {
        TimeUnit::MILLIS => 1_000,
        TimeUnit::MICROS => 1_000_000,
        TimeUnit::NANOS => 1_000_000_000,
    }
}

fn leaf_type(leaf: &Leaf) -> LeafType {
    let logical = leaf.logical().cloned();
    let converted = leaf.descr.converted_type();
    let scale = leaf.descr.type_scale();
    let precision = leaf.descr.type_precision();
    let decimal =
        matches!(logical, Some(LogicalType::Decimal(_))) || converted == ConvertedType::DECIMAL;
    let integer = |target: NumberTarget, min: i64, max: i64| {
        let (unit, scale) = match &logical {
            Some(LogicalType::Date) => (TextUnit::Date, 0),
            Some(LogicalType::Timestamp(t)) => (TextUnit::Timestamp(units_per_second(&t.unit)), 0),
            Some(LogicalType::Time(t)) => (TextUnit::Time(units_per_second(&t.unit)), 0),
            _ => match converted {
                ConvertedType::DATE => (TextUnit::Date, 0),
                ConvertedType::TIMESTAMP_MILLIS => (TextUnit::Timestamp(1_000), 0),
                ConvertedType::TIMESTAMP_MICROS => (TextUnit::Timestamp(1_000_000), 0),
                ConvertedType::TIME_MILLIS => (TextUnit::Time(1_000), 0),
                ConvertedType::TIME_MICROS => (TextUnit::Time(1_000_000), 0),
                _ if decimal => (TextUnit::None, scale),
                _ => (TextUnit::None, 0),
            },
        };
        let (min, max) = if decimal && (1..=18).contains(&precision) {
            let limit = 10i64.pow(precision as u32) - 1;
            (min.max(-limit), max.min(limit))
        } else {
            (min, max)
        };
        LeafType::Integer {
            target,
            min,
            max,
            unit,
            scale,
        }
    };
    let int_bits = match &logical {
        Some(LogicalType::Integer(int)) => Some((int.bit_width, int.is_signed)),
        _ => match converted {
            ConvertedType::INT_8 => Some((8, true)),
            ConvertedType::INT_16 => Some((16, true)),
            ConvertedType::UINT_8 => Some((8, false)),
            ConvertedType::UINT_16 => Some((16, false)),
            ConvertedType::UINT_32 => Some((32, false)),
            ConvertedType::UINT_64 => Some((64, false)),
            _ => None,
        },
    };
    let (min, max) = match int_bits {
        Some((64, false)) => (0, i64::MAX),
        Some((64, true)) | None if leaf.physical() == PhysicalType::INT64 => (i64::MIN, i64::MAX),
        Some((bits, true)) => (-(1i64 << (bits - 1)), (1i64 << (bits - 1)) - 1),
        Some((bits, false)) => (0, (1i64 << bits) - 1),
        None => (i64::from(i32::MIN), i64::from(i32::MAX)),
    };
    match leaf.physical() {
        PhysicalType::BOOLEAN => LeafType::Bool,
        PhysicalType::INT32 => integer(NumberTarget::Int32 { scale }, min, max),
        PhysicalType::INT64 => integer(NumberTarget::Int64 { scale }, min, max),
        PhysicalType::INT96 => LeafType::Integer {
            target: NumberTarget::Int96,
            min: i64::MIN,
            max: i64::MAX,
            unit: TextUnit::Timestamp(1_000_000_000),
            scale: 0,
        },
        PhysicalType::FLOAT => LeafType::Float(NumberTarget::Float),
        PhysicalType::DOUBLE => LeafType::Float(NumberTarget::Double),
        PhysicalType::BYTE_ARRAY | PhysicalType::FIXED_LEN_BYTE_ARRAY => {
            let fixed = (leaf.physical() == PhysicalType::FIXED_LEN_BYTE_ARRAY)
                .then(|| leaf.descr.type_length().max(0) as usize);
            if decimal {
                let limit = if (1..=18).contains(&precision) {
                    10i64.pow(precision as u32) - 1
                } else {
                    i64::MAX
                };
                let limit = match fixed {
                    Some(len @ 1..=7) => limit.min((1i64 << (8 * len - 1)) - 1),
                    _ => limit,
                };
                return LeafType::Integer {
                    target: NumberTarget::DecimalBytes { scale, fixed },
                    min: -limit,
                    max: limit,
                    unit: TextUnit::None,
                    scale,
                };
            }
            if matches!(logical, Some(LogicalType::Float16)) && fixed == Some(2) {
                return LeafType::Float(NumberTarget::Float16);
            }
            let string = matches!(
                logical,
                Some(LogicalType::String | LogicalType::Enum | LogicalType::Json)
            ) || matches!(
                converted,
                ConvertedType::UTF8 | ConvertedType::ENUM | ConvertedType::JSON
            );
            LeafType::Bytes {
                fixed,
                uuid: matches!(logical, Some(LogicalType::Uuid)),
                json: matches!(logical, Some(LogicalType::Json))
                    || converted == ConvertedType::JSON,
                binary: !string,
            }
        }
    }
}

/// The type's default generator (see `gen/README.md`, "Any schema").
fn default_spec(leaf_type: LeafType) -> ValueSpec {
    let uniform =
        |lo: &str, hi: &str| ValueSpec::Uniform([Bound::Text(lo.into()), Bound::Text(hi.into())]);
    match leaf_type {
        LeafType::Bool => ValueSpec::Bernoulli(0.5),
        LeafType::Integer {
            unit,
            target,
            min,
            max,
            ..
        } => match unit {
            TextUnit::Date => uniform("2000-01-01", "2030-12-31"),
            TextUnit::Timestamp(_) => uniform("2000-01-01T00:00:00Z", "2030-12-31T23:59:59Z"),
            TextUnit::Time(_) => uniform("00:00:00", "23:59:59"),
            TextUnit::None => {
                let hi = match target {
                    NumberTarget::Int64 { .. } | NumberTarget::DecimalBytes { .. } => 1_000_000,
                    _ => 1_000,
                };
                ValueSpec::Uniform([Bound::Int(min.max(0)), Bound::Int(max.min(hi))])
            }
        },
        LeafType::Float(_) => ValueSpec::Uniform([Bound::Float(0.0), Bound::Float(1.0)]),
        LeafType::Bytes {
            fixed, uuid, json, ..
        } => {
            if uuid {
                ValueSpec::Uuid
            } else if json {
                ValueSpec::Pattern(r#"{{"id":{id}}}"#.into())
            } else if let Some(len) = fixed {
                let len = u32::try_from(len).unwrap_or(u32::MAX);
                ValueSpec::Random([len, len])
            } else {
                ValueSpec::Random([4, 12])
            }
        }
    }
}

impl LeafValues {
    /// The generator `spec` asks for (the type's default when `None`), compiled for
    /// `leaf`, or why it does not fit the leaf's type.
    pub fn new(leaf: &Leaf, spec: Option<&ValueSpec>) -> Result<Self, String> {
        let leaf_type = leaf_type(leaf);
        let default;
        let spec = match spec {
            Some(spec) => spec,
            None => {
                default = default_spec(leaf_type);
                &default
            }
        };
        let kind = compile(leaf_type, spec).map_err(|e| {
            format!(
                "{e} (the column is {})",
                describe(leaf.physical(), leaf.logical(), leaf.descr.converted_type())
            )
        })?;
        Ok(LeafValues { kind })
    }

    /// How many distinct values the generator can give, when that is small enough to
    /// matter (a map's keys): `None` for practically unbounded generators.
    pub fn cardinality(&self) -> Option<u64> {
        match &self.kind {
            Kind::Bool(t) => Some(if *t == 0 || *t >= 1 << 32 { 1 } else { 2 }),
            Kind::Number { source, .. } => match source {
                NumberSource::Int { span, .. } => (*span != 0).then_some(*span),
                NumberSource::Zipf { weights, .. } => Some(weights.support() as u64),
                NumberSource::Sequence { .. } => Some(1),
                NumberSource::IntSpread(spread) => Some(spread.points),
                _ => None,
            },
            Kind::Bytes { source, .. } => match source {
                BytesSource::Words(words) => {
                    let distinct: std::collections::BTreeSet<_> = words.iter().collect();
                    Some(distinct.len() as u64)
                }
                BytesSource::Enum { weights, .. } => Some(weights.support() as u64),
                BytesSource::Tokens {
                    frequent, distinct, ..
                } => Some(frequent.len() as u64 + distinct),
                BytesSource::Pattern(segments) => segments
                    .iter()
                    .all(|s| matches!(s, Segment::Literal(_) | Segment::Record { .. }))
                    .then_some(1),
                BytesSource::Random {
                    min: 0, span: 1, ..
                } => Some(1),
                _ => None,
            },
        }
    }

    /// True when the values depend on [`Position::k`], the entry's index within its
    /// record (`unique` numbers, `{id}` and `{k}` in patterns): the drawer then counts a
    /// record's entries per column.
    pub fn uses_k(&self) -> bool {
        match &self.kind {
            Kind::Number {
                source: NumberSource::Unique { .. },
                ..
            } => true,
            Kind::Bytes {
                source: BytesSource::Pattern(segments),
                ..
            } => segments
                .iter()
                .any(|s| matches!(s, Segment::Id { .. } | Segment::K { .. })),
            _ => false,
        }
    }

    /// Appends the first value of the generator's finite list (words, enum keys, an integer
    /// range, Zipf ranks, booleans) that is not among `values[from..]`, and returns true;
    /// false, appending nothing, when the generator has no such list or every value is
    /// taken. A map key that kept being drawn again takes this value.
    pub fn push_unused(&self, values: &mut Values, from: usize, scratch: &mut Vec<u8>) -> bool {
        const LIMIT: u64 = 1 << 16;
        let mut try_value = |push: &mut dyn FnMut(&mut Values, &mut Vec<u8>)| {
            push(values, scratch);
            if last_repeats(values, from) {
                pop_last(values);
                false
            } else {
                true
            }
        };
        match &self.kind {
            Kind::Bool(_) => [false, true].into_iter().any(|b| {
                try_value(&mut |v, _| {
                    if let Values::Boolean(v) = v {
                        v.push(b)
                    }
                })
            }),
            Kind::Number { source, target } => {
                let (start, count) = match source {
                    NumberSource::Int { lo, span } => (*lo, *span),
                    NumberSource::Zipf { weights, start } => (*start, weights.len() as u64),
                    _ => return false,
                };
                (0..count.min(LIMIT)).any(|i| {
                    let number = Number::Int(start.wrapping_add(i as i64));
                    try_value(&mut |v, s| store_number(number, *target, v, s))
                })
            }
            Kind::Bytes { source, fixed } => {
                let words = match source {
                    BytesSource::Words(words) | BytesSource::Enum { words, .. } => words,
                    _ => return false,
                };
                words.iter().any(|word| {
                    try_value(&mut |v, s| {
                        s.clear();
                        s.extend_from_slice(word);
                        if let Some(len) = fixed {
                            s.resize(*len, 0);
                        }
                        if let Values::ByteArray(v) | Values::FixedLenByteArray(v) = v {
                            v.push(s);
                        }
                    })
                })
            }
        }
    }

    /// Draws one value for `at` and appends it to `values` (the column's stripe values);
    /// `scratch` is a reusable buffer.
    #[inline(always)]
    pub fn push(
        &self,
        rng: &mut RecordRng,
        at: Position,
        values: &mut Values,
        scratch: &mut Vec<u8>,
    ) {
        match &self.kind {
            Kind::Bool(t) => {
                let value = rng.chance(*t);
                if let Values::Boolean(v) = values {
                    v.push(value);
                }
            }
            Kind::Number { source, target } => {
                let number = draw_number(source, rng, at);
                store_number(number, *target, values, scratch);
            }
            Kind::Bytes { source, fixed } => {
                // Drawn straight into the stripe's value bytes, then closed by an offset.
                if let Values::ByteArray(v) | Values::FixedLenByteArray(v) = values {
                    let start = v.data.len();
                    draw_bytes(source, rng, at, &mut v.data);
                    if let Some(len) = fixed {
                        v.data.resize(start + *len, 0);
                    }
                    v.offsets.push(v.data.len());
                }
            }
        }
    }
}

fn describe(
    physical: PhysicalType,
    logical: Option<&LogicalType>,
    converted: ConvertedType,
) -> String {
    match (logical, converted) {
        (Some(l), _) => format!("{physical} ({l:?})"),
        (None, ConvertedType::NONE) => physical.to_string(),
        (None, c) => format!("{physical} ({c})"),
    }
}

fn compile(leaf_type: LeafType, spec: &ValueSpec) -> Result<Kind, String> {
    let number = |source, target| Ok(Kind::Number { source, target });
    match (leaf_type, spec) {
        (LeafType::Bool, ValueSpec::Bernoulli(p)) => {
            if !(0.0..=1.0).contains(p) {
                return Err(format!("bernoulli {p} is not a probability in [0, 1]"));
            }
            Ok(Kind::Bool(threshold(*p)))
        }
        (LeafType::Bool, _) => Err("a boolean column takes { bernoulli = P }".into()),
        (
            LeafType::Integer {
                target,
                min,
                max,
                unit,
                scale,
            },
            spec,
        ) => {
            let in_range = |v: i64, what: &str| {
                if v < min || v > max {
                    Err(format!(
                        "{what} {v} is outside the column's range [{min}, {max}]"
                    ))
                } else {
                    Ok(v)
                }
            };
            match spec {
                ValueSpec::Uniform([lo, hi]) => {
                    let lo = in_range(integer_bound(lo, unit, scale)?, "bound")?;
                    let hi = in_range(integer_bound(hi, unit, scale)?, "bound")?;
                    if lo > hi {
                        return Err(format!(
                            "uniform [{lo}, {hi}]: the minimum exceeds the maximum"
                        ));
                    }
                    let span = (hi as i128 - lo as i128 + 1) as u128;
                    let span = if span > u128::from(u64::MAX) {
                        0
                    } else {
                        span as u64
                    };
                    number(NumberSource::Int { lo, span }, target)
                }
                ValueSpec::Normal { mean, std } => number(normal(*mean, *std)?, target),
                ValueSpec::Zipf { n, s, start } => {
                    let n = usize::try_from(*n)
                        .ok()
                        .filter(|n| (1..=10_000_000).contains(n))
                        .ok_or_else(|| format!("zipf: n = {n} is not in 1..=10000000"))?;
                    in_range(*start, "zipf start")?;
                    in_range(start.saturating_add(n as i64 - 1), "zipf's largest value")?;
                    let weights = Weighted::zipf(n, *s).map_err(|e| format!("zipf: {e}"))?;
                    number(
                        NumberSource::Zipf {
                            weights,
                            start: *start,
                        },
                        target,
                    )
                }
                ValueSpec::Sequence { start, step } => number(
                    NumberSource::Sequence {
                        start: *start,
                        step: *step,
                    },
                    target,
                ),
                ValueSpec::Spread {
                    range: [lo, hi],
                    distinct,
                    weights,
                } => {
                    let lo = in_range(integer_bound(lo, unit, scale)?, "bound")?;
                    let hi = in_range(integer_bound(hi, unit, scale)?, "bound")?;
                    if lo > hi {
                        return Err(format!(
                            "spread [{lo}, {hi}]: the minimum exceeds the maximum"
                        ));
                    }
                    let width = (hi as i128 - lo as i128) as u64;
                    if *distinct == 0 || u128::from(*distinct) > u128::from(width) + 1 {
                        return Err(format!(
                            "spread: distinct = {distinct} is not in 1..={} (the integers of the range)",
                            u128::from(width) + 1
                        ));
                    }
                    number(
                        NumberSource::IntSpread(Spread {
                            lo,
                            width: width as i64,
                            points: *distinct,
                            parts: parts(weights)?,
                        }),
                        target,
                    )
                }
                ValueSpec::Unique { start, stride } => {
                    if *stride == 0 {
                        return Err("unique: stride must be at least 1".into());
                    }
                    number(
                        NumberSource::Unique {
                            start: *start,
                            stride: *stride,
                        },
                        target,
                    )
                }
                _ => Err(format!(
                    "{} does not fit a number column: use uniform, spread, normal, zipf, sequence or unique",
                    spec_name(spec)
                )),
            }
        }
        (LeafType::Float(target), spec) => match spec {
            ValueSpec::Uniform([lo, hi]) => {
                let (lo, hi) = (float_bound(lo)?, float_bound(hi)?);
                if lo > hi {
                    return Err(format!(
                        "uniform [{lo}, {hi}]: the minimum exceeds the maximum"
                    ));
                }
                number(NumberSource::Float { lo, width: hi - lo }, target)
            }
            ValueSpec::Spread {
                range: [lo, hi],
                distinct,
                weights,
            } => {
                let (lo, hi) = (float_bound(lo)?, float_bound(hi)?);
                if lo > hi {
                    return Err(format!(
                        "spread [{lo}, {hi}]: the minimum exceeds the maximum"
                    ));
                }
                if *distinct == 0 {
                    return Err("spread: distinct must be at least 1".into());
                }
                number(
                    NumberSource::FloatSpread(Spread {
                        lo,
                        width: hi - lo,
                        points: *distinct,
                        parts: parts(weights)?,
                    }),
                    target,
                )
            }
            ValueSpec::Normal { mean, std } => number(normal(*mean, *std)?, target),
            ValueSpec::Zipf { .. } | ValueSpec::Sequence { .. } | ValueSpec::Unique { .. } => {
                let integers = LeafType::Integer {
                    target,
                    min: i64::MIN,
                    max: i64::MAX,
                    unit: TextUnit::None,
                    scale: 0,
                };
                compile(integers, spec)
            }
            _ => Err(format!(
                "{} does not fit a float column: use uniform, spread, normal, zipf, sequence or unique",
                spec_name(spec)
            )),
        },
        (
            LeafType::Bytes {
                fixed,
                uuid: _,
                json: _,
                binary,
            },
            spec,
        ) => {
            let words = |list: &[String]| -> Vec<Box<[u8]>> {
                list.iter().map(|w| w.as_bytes().into()).collect()
            };
            let source = match spec {
                ValueSpec::Words(list) => {
                    if list.is_empty() {
                        return Err("words: the list is empty".into());
                    }
                    BytesSource::Words(words(list))
                }
                ValueSpec::Enum(map) => {
                    let (names, weights): (Vec<String>, Vec<f64>) =
                        map.iter().map(|(k, v)| (k.clone(), *v)).unzip();
                    let weights = Weighted::new(&weights).map_err(|e| format!("enum: {e}"))?;
                    BytesSource::Enum {
                        words: words(&names),
                        weights,
                    }
                }
                ValueSpec::Pattern(text) => BytesSource::Pattern(parse_pattern(text)?),
                ValueSpec::Random([lo, hi]) => {
                    if lo > hi {
                        return Err(format!(
                            "random [{lo}, {hi}]: the minimum exceeds the maximum"
                        ));
                    }
                    if *hi > 1 << 20 {
                        return Err(format!("random: length {hi} is over 1 MiB"));
                    }
                    BytesSource::Random {
                        min: *lo,
                        span: u64::from(hi - lo) + 1,
                        letters: !binary,
                    }
                }
                ValueSpec::Tokens {
                    frequent,
                    rest,
                    distinct,
                    min_length,
                    lengths,
                } => {
                    if *distinct == 0 && *rest > 0.0 {
                        return Err("tokens: rest > 0 needs distinct ≥ 1".into());
                    }
                    let (names, mut weights): (Vec<String>, Vec<f64>) =
                        frequent.iter().map(|(k, v)| (k.clone(), *v)).unzip();
                    weights.push(*rest);
                    let weights = Weighted::new(&weights).map_err(|e| format!("tokens: {e}"))?;
                    let lengths = if lengths.is_empty() {
                        Weighted::new(&[1.0])
                    } else {
                        Weighted::new(lengths)
                    }
                    .map_err(|e| format!("tokens: lengths: {e}"))?;
                    if u64::from(*min_length) + lengths.len() as u64 > 1 << 20 {
                        return Err("tokens: lengths over 1 MiB".into());
                    }
                    BytesSource::Tokens {
                        frequent: words(&names),
                        weights,
                        distinct: *distinct,
                        min_length: *min_length,
                        lengths,
                    }
                }
                ValueSpec::Uuid => match fixed {
                    Some(16) => BytesSource::Uuid { text: false },
                    None => BytesSource::Uuid { text: !binary },
                    Some(len) => {
                        return Err(format!(
                            "uuid needs 16 bytes, the column is fixed_len_byte_array({len})"
                        ));
                    }
                },
                _ => {
                    return Err(format!(
                        "{} does not fit a string or binary column: use words, enum, tokens, pattern, random or uuid",
                        spec_name(spec)
                    ));
                }
            };
            Ok(Kind::Bytes { source, fixed })
        }
    }
}

fn spec_name(spec: &ValueSpec) -> &'static str {
    match spec {
        ValueSpec::Uniform(_) => "uniform",
        ValueSpec::Normal { .. } => "normal",
        ValueSpec::Zipf { .. } => "zipf",
        ValueSpec::Sequence { .. } => "sequence",
        ValueSpec::Unique { .. } => "unique",
        ValueSpec::Bernoulli(_) => "bernoulli",
        ValueSpec::Words(_) => "words",
        ValueSpec::Enum(_) => "enum",
        ValueSpec::Pattern(_) => "pattern",
        ValueSpec::Random(_) => "random",
        ValueSpec::Uuid => "uuid",
        ValueSpec::Spread { .. } => "spread",
        ValueSpec::Tokens { .. } => "tokens",
    }
}

/// The weights of a spread's parts (one part when none are given).
fn parts(weights: &[f64]) -> Result<Weighted, String> {
    if weights.is_empty() {
        Weighted::new(&[1.0])
    } else {
        Weighted::new(weights)
    }
    .map_err(|e| format!("spread: {e}"))
}

fn normal(mean: f64, std: f64) -> Result<NumberSource, String> {
    if !mean.is_finite() || !std.is_finite() || std < 0.0 {
        return Err(format!(
            "normal: mean {mean} and std {std} must be finite, std ≥ 0"
        ));
    }
    Ok(NumberSource::Normal { mean, std })
}

fn float_bound(bound: &Bound) -> Result<f64, String> {
    match bound {
        Bound::Int(i) => Ok(*i as f64),
        Bound::Float(f) if f.is_finite() => Ok(*f),
        Bound::Float(f) => Err(format!("bound {f} is not finite")),
        Bound::Text(t) => Err(format!("bound {t:?} is text; this column takes numbers")),
    }
}

/// A `uniform` bound as the column's integer: scaled for decimals, a date, timestamp or
/// time of day in the column's unit.
fn integer_bound(bound: &Bound, unit: TextUnit, scale: i32) -> Result<i64, String> {
    let factor = 10f64.powi(scale);
    match bound {
        Bound::Int(i) if scale > 0 => {
            let v = *i as f64 * factor;
            if v.abs() < 9.2e18 {
                Ok(v as i64)
            } else {
                Err(format!("bound {i} does not fit the column"))
            }
        }
        Bound::Int(i) => Ok(*i),
        Bound::Float(f) if scale > 0 => Ok((f * factor).round() as i64),
        Bound::Float(f) => Err(format!("bound {f} is a float; this column takes integers")),
        Bound::Text(text) => text_bound(text, unit),
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn text_bound(text: &str, unit: TextUnit) -> Result<i64, String> {
    let parsed = toml::value::Datetime::from_str(text)
        .map_err(|e| format!("bound {text:?} is not a date, timestamp or time of day: {e}"))?;
    let seconds_of_day = |t: &toml::value::Time| {
        i64::from(t.hour) * 3600 + i64::from(t.minute) * 60 + i64::from(t.second.unwrap_or(0))
    };
    let nanos = |t: &toml::value::Time| i64::from(t.nanosecond.unwrap_or(0));
    match unit {
        TextUnit::Date => match (parsed.date, parsed.time) {
            (Some(d), None) => Ok(days_from_civil(
                i64::from(d.year),
                i64::from(d.month),
                i64::from(d.day),
            )),
            _ => Err(format!(
                "bound {text:?}: a DATE column takes dates (2024-01-31)"
            )),
        },
        TextUnit::Timestamp(per_second) => {
            let Some(d) = parsed.date else {
                return Err(format!(
                    "bound {text:?}: a timestamp column takes dates or timestamps"
                ));
            };
            let days = days_from_civil(i64::from(d.year), i64::from(d.month), i64::from(d.day));
            let (mut seconds, fraction) = match &parsed.time {
                Some(t) => (days * 86_400 + seconds_of_day(t), nanos(t)),
                None => (days * 86_400, 0),
            };
            if let Some(toml::value::Offset::Custom { minutes }) = parsed.offset {
                seconds -= i64::from(minutes) * 60;
            }
            seconds
                .checked_mul(per_second)
                .and_then(|s| s.checked_add(fraction * per_second / 1_000_000_000))
                .ok_or_else(|| format!("bound {text:?} does not fit the column"))
        }
        TextUnit::Time(per_second) => match (parsed.date, parsed.time) {
            (None, Some(t)) => {
                Ok(seconds_of_day(&t) * per_second + nanos(&t) * per_second / 1_000_000_000)
            }
            _ => Err(format!(
                "bound {text:?}: a TIME column takes times of day (12:30:00)"
            )),
        },
        TextUnit::None => Err(format!("bound {text:?} is text; this column takes numbers")),
    }
}

fn parse_pattern(text: &str) -> Result<Vec<Segment>, String> {
    let mut segments = Vec::new();
    let mut literal = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("{{") {
            literal.push(b'{');
            rest = after;
        } else if let Some(after) = rest.strip_prefix("}}") {
            literal.push(b'}');
            rest = after;
        } else if let Some(after) = rest.strip_prefix('{') {
            let end = after
                .find('}')
                .ok_or_else(|| format!("pattern {text:?}: an unclosed {{"))?;
            let (name, argument) = match after[..end].split_once(':') {
                Some((n, a)) => (n.trim(), Some(a.trim())),
                None => (after[..end].trim(), None),
            };
            if !literal.is_empty() {
                segments.push(Segment::Literal(std::mem::take(&mut literal).into()));
            }
            segments
                .push(placeholder(name, argument).map_err(|e| format!("pattern {text:?}: {e}"))?);
            rest = &after[end + 1..];
        } else if rest.starts_with('}') {
            return Err(format!(
                "pattern {text:?}: a lone }} (write }}}} for a brace)"
            ));
        } else {
            let c = rest.chars().next().expect("not empty");
            let mut buffer = [0u8; 4];
            literal.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
            rest = &rest[c.len_utf8()..];
        }
    }
    if !literal.is_empty() {
        segments.push(Segment::Literal(literal.into()));
    }
    Ok(segments)
}

fn placeholder(name: &str, argument: Option<&str>) -> Result<Segment, String> {
    let width = |argument: Option<&str>| -> Result<(usize, bool), String> {
        match argument {
            None => Ok((0, false)),
            Some(a) => a
                .parse::<usize>()
                .ok()
                .filter(|w| *w <= 64)
                .map(|w| (w, a.starts_with('0')))
                .ok_or_else(|| format!("{{{name}:{a}}}: the width is not a number up to 64")),
        }
    };
    let count = |argument: Option<&str>| -> Result<usize, String> {
        argument
            .and_then(|a| a.parse::<usize>().ok())
            .filter(|n| (1..=1024).contains(n))
            .ok_or_else(|| format!("{{{name}:N}} needs a count N in 1..=1024"))
    };
    Ok(match name {
        "id" => {
            let (width, zero) = width(argument)?;
            Segment::Id { width, zero }
        }
        "record" => {
            let (width, zero) = width(argument)?;
            Segment::Record { width, zero }
        }
        "k" => {
            let (width, zero) = width(argument)?;
            Segment::K { width, zero }
        }
        "digits" => Segment::Digits(count(argument)?),
        "letters" => Segment::Letters(count(argument)?),
        "hex" => Segment::Hex(count(argument)?),
        "first_name" => Segment::FirstName,
        "last_name" => Segment::LastName,
        other => {
            return Err(format!(
                "unknown placeholder {{{other}}} (id, record, k, digits:N, letters:N, hex:N, first_name, last_name)"
            ));
        }
    })
}

#[inline]
fn draw_number(source: &NumberSource, rng: &mut RecordRng, at: Position) -> Number {
    match source {
        NumberSource::Int { lo, span } => Number::Int(lo.wrapping_add(rng.below(*span) as i64)),
        NumberSource::Float { lo, width } => Number::Float(lo + width * rng.unit()),
        NumberSource::Normal { mean, std } => Number::Float(mean + std * standard_normal(rng)),
        NumberSource::Zipf { weights, start } => {
            Number::Int(start.wrapping_add(weights.sample(rng) as i64))
        }
        NumberSource::Sequence { start, step } => {
            Number::Int(start.wrapping_add(step.wrapping_mul(at.record as i64)))
        }
        NumberSource::Unique { start, stride } => Number::Int(
            start
                .wrapping_add(stride.wrapping_mul(at.record) as i64)
                .wrapping_add(at.k as i64),
        ),
        NumberSource::IntSpread(spread) => {
            let j = spread.point(rng);
            let offset = match spread.points {
                1 => 0,
                n => u128::from(j) * u128::from(spread.width as u64) / u128::from(n - 1),
            };
            Number::Int(spread.lo.wrapping_add(offset as i64))
        }
        NumberSource::FloatSpread(spread) => {
            let j = spread.point(rng);
            let at = match spread.points {
                1 => 0.0,
                n => j as f64 / (n - 1) as f64,
            };
            Number::Float(spread.lo + spread.width * at)
        }
    }
}

fn scaled(number: Number, scale: i32) -> i64 {
    match number {
        Number::Int(i) => i,
        Number::Float(f) => (f * 10f64.powi(scale)).round() as i64,
    }
}

#[inline]
fn store_number(number: Number, target: NumberTarget, values: &mut Values, scratch: &mut Vec<u8>) {
    let as_float = |n: Number| match n {
        Number::Int(i) => i as f64,
        Number::Float(f) => f,
    };
    match (target, values) {
        (NumberTarget::Int32 { scale }, Values::Int32(v)) => v.push(scaled(number, scale) as i32),
        (NumberTarget::Int64 { scale }, Values::Int64(v)) => v.push(scaled(number, scale)),
        (NumberTarget::Int96, Values::Int96(v)) => v.push(int96_from_nanos(scaled(number, 0))),
        (NumberTarget::Float, Values::Float(v)) => v.push(as_float(number) as f32),
        (NumberTarget::Double, Values::Double(v)) => v.push(as_float(number)),
        (NumberTarget::Float16, Values::FixedLenByteArray(v)) => {
            v.push(&f16_bits(as_float(number) as f32).to_le_bytes())
        }
        (NumberTarget::DecimalBytes { scale, fixed }, Values::ByteArray(v))
        | (NumberTarget::DecimalBytes { scale, fixed }, Values::FixedLenByteArray(v)) => {
            decimal_bytes(scaled(number, scale), fixed, scratch);
            v.push(scratch);
        }
        _ => {}
    }
}

/// The big-endian two's complement of `unscaled`: `fixed` bytes (sign-extended), or the
/// fewest bytes that hold it.
fn decimal_bytes(unscaled: i64, fixed: Option<usize>, out: &mut Vec<u8>) {
    out.clear();
    let bytes = unscaled.to_be_bytes();
    match fixed {
        Some(len) => {
            let sign = if unscaled < 0 { 0xFF } else { 0 };
            out.extend(std::iter::repeat_n(sign, len.saturating_sub(8)));
            out.extend_from_slice(&bytes[8usize.saturating_sub(len)..]);
        }
        None => {
            let mut start = 0;
            while start < 7 {
                let (b, next) = (bytes[start], bytes[start + 1]);
                let redundant = (b == 0 && next & 0x80 == 0) || (b == 0xFF && next & 0x80 != 0);
                if !redundant {
                    break;
                }
                start += 1;
            }
            out.extend_from_slice(&bytes[start..]);
        }
    }
}

/// IEEE 754 half-precision bits of `x`, rounded to nearest (subnormals flushed to zero).
fn f16_bits(x: f32) -> u16 {
    let bits = x.to_bits();
    let sign = ((bits >> 16) & 0x8000) as u16;
    let exponent = ((bits >> 23) & 0xFF) as i32;
    let mantissa = bits & 0x7F_FFFF;
    if exponent == 0xFF {
        return sign | 0x7C00 | if mantissa != 0 { 0x200 } else { 0 };
    }
    let e = exponent - 127 + 15;
    if e >= 0x1F {
        return sign | 0x7C00;
    }
    if e <= 0 {
        return sign;
    }
    let rounded = (u32::try_from(e).unwrap_or(0) << 10) + ((mantissa + 0x1000) >> 13);
    sign | rounded.min(0x7C00) as u16
}

static FIRST: std::sync::LazyLock<ZipfTable> =
    std::sync::LazyLock::new(|| ZipfTable::new(FIRST_NAMES.len()));
static LAST: std::sync::LazyLock<ZipfTable> =
    std::sync::LazyLock::new(|| ZipfTable::new(LAST_NAMES.len()));

fn write_number(out: &mut Vec<u8>, value: i64, width: usize, zero: bool) {
    use std::io::Write;
    let _ = if zero {
        write!(out, "{value:0width$}")
    } else {
        write!(out, "{value:width$}")
    };
}

#[inline]
fn draw_bytes(source: &BytesSource, rng: &mut RecordRng, at: Position, out: &mut Vec<u8>) {
    const LETTERS: &[u8; 26] = b"abcdefghijklmnopqrstuvwxyz";
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match source {
        BytesSource::Words(words) => {
            out.extend_from_slice(&words[rng.below(words.len() as u64) as usize])
        }
        BytesSource::Enum { words, weights } => out.extend_from_slice(&words[weights.sample(rng)]),
        BytesSource::Tokens {
            frequent,
            weights,
            distinct,
            min_length,
            lengths,
        } => {
            let pick = weights.sample(rng);
            if let Some(word) = frequent.get(pick) {
                out.extend_from_slice(word);
            } else {
                push_token(rng.below(*distinct), *min_length, lengths, out);
            }
        }
        BytesSource::Random { min, span, letters } => {
            let len = u64::from(*min) + rng.below(*span);
            for _ in 0..len {
                let bits = rng.draw();
                out.push(if *letters {
                    LETTERS[(bits % 26) as usize]
                } else {
                    bits as u8
                });
            }
        }
        BytesSource::Uuid { text } => {
            let mut bytes = [0u8; 16];
            bytes[..8].copy_from_slice(&rng.draw().to_be_bytes());
            bytes[8..].copy_from_slice(&rng.draw().to_be_bytes());
            bytes[6] = (bytes[6] & 0x0F) | 0x40;
            bytes[8] = (bytes[8] & 0x3F) | 0x80;
            if *text {
                for (i, b) in bytes.iter().enumerate() {
                    if matches!(i, 4 | 6 | 8 | 10) {
                        out.push(b'-');
                    }
                    out.push(HEX[usize::from(b >> 4)]);
                    out.push(HEX[usize::from(b & 0xF)]);
                }
            } else {
                out.extend_from_slice(&bytes);
            }
        }
        BytesSource::Pattern(segments) => {
            for segment in segments {
                match segment {
                    Segment::Literal(bytes) => out.extend_from_slice(bytes),
                    Segment::Id { width, zero } => {
                        let id = at.record.wrapping_mul(16).wrapping_add(at.k);
                        write_number(out, id as i64, *width, *zero)
                    }
                    Segment::Record { width, zero } => {
                        write_number(out, at.record as i64, *width, *zero)
                    }
                    Segment::K { width, zero } => write_number(out, at.k as i64, *width, *zero),
                    Segment::Digits(n) => {
                        for _ in 0..*n {
                            out.push(b'0' + rng.below(10) as u8);
                        }
                    }
                    Segment::Letters(n) => {
                        for _ in 0..*n {
                            out.push(LETTERS[rng.below(26) as usize]);
                        }
                    }
                    Segment::Hex(n) => {
                        for _ in 0..*n {
                            out.push(HEX[rng.below(16) as usize]);
                        }
                    }
                    Segment::FirstName => {
                        out.extend_from_slice(FIRST_NAMES[FIRST.pick(rng.draw())].as_bytes())
                    }
                    Segment::LastName => {
                        out.extend_from_slice(LAST_NAMES[LAST.pick(rng.draw())].as_bytes())
                    }
                }
            }
        }
    }
}

/// True when the last value of `values` equals one at or after index `from` (a map key
/// drawn twice in one map).
pub fn last_repeats(values: &Values, from: usize) -> bool {
    fn repeats<T: PartialEq>(v: &[T], from: usize) -> bool {
        match v.split_last() {
            Some((last, rest)) => rest.get(from..).is_some_and(|r| r.contains(last)),
            None => false,
        }
    }
    fn bytes_repeat(v: &ByteValues, from: usize) -> bool {
        let n = v.len();
        n > 0 && (from..n - 1).any(|i| v.get(i) == v.get(n - 1))
    }
    match values {
        Values::Boolean(v) => repeats(v, from),
        Values::Int32(v) => repeats(v, from),
        Values::Int64(v) => repeats(v, from),
        Values::Int96(v) => repeats(v, from),
        Values::Float(v) => repeats(v, from),
        Values::Double(v) => repeats(v, from),
        Values::ByteArray(v) | Values::FixedLenByteArray(v) => bytes_repeat(v, from),
    }
}

/// Removes the last value of `values`.
pub fn pop_last(values: &mut Values) {
    match values {
        Values::Boolean(v) => drop(v.pop()),
        Values::Int32(v) => drop(v.pop()),
        Values::Int64(v) => drop(v.pop()),
        Values::Int96(v) => drop(v.pop()),
        Values::Float(v) => drop(v.pop()),
        Values::Double(v) => drop(v.pop()),
        Values::ByteArray(v) | Values::FixedLenByteArray(v) => {
            if v.offsets.len() > 1 {
                v.offsets.pop();
                let end = *v.offsets.last().unwrap_or(&0);
                v.data.truncate(end);
            }
        }
    }
}

/// Token `j` of a `tokens` generator: `j` in base 31 (`0`–`9`, `a`–`u`), padded with `x`
/// to its length, a fixed draw from `lengths` (so tokens never contain `v`, the first
/// letter of `--profile`'s frequent tokens, and distinct `j` give distinct tokens).
fn push_token(j: u64, min_length: u32, lengths: &Weighted, out: &mut Vec<u8>) {
    let digits = base_31_digits(j);
    let length = min_length as usize
        + if lengths.len() == 1 {
            0
        } else {
            lengths.pick(mix64(j ^ 0x746f_6b65_6e73))
        };
    // All 14 digit places (leading zeros included), two at a time from the right, in one
    // word built in registers (bytes stored one by one and read back as a word would
    // stall, and a loop over the digits would branch on their number), shifted down to
    // the token's digits; then whole words appended and cut to length.
    let mut places = 0u128;
    let mut rest = j;
    for pair in (0..7).rev() {
        let two = u16::from_le_bytes(DIGIT_PAIRS[(rest % (31 * 31)) as usize]);
        places |= u128::from(two) << (16 * pair);
        rest /= 31 * 31;
    }
    let digit_bytes = places >> (8 * (14 - digits));
    let digit_mask = (1u128 << (8 * digits)) - 1;
    let head = (u128::from_le_bytes([b'x'; 16]) & !digit_mask) | digit_bytes;
    let end = out.len() + length.max(digits);
    if length <= TOKEN_BUFFER {
        out.extend_from_slice(&head.to_le_bytes());
        out.extend_from_slice(&[b'x'; TOKEN_BUFFER - 16]);
        out.truncate(end);
    } else {
        out.extend_from_slice(&head.to_le_bytes()[..digits]);
        out.resize(end, b'x');
    }
}

/// The longest token [`push_token`] appends as whole words (longer ones are padded in
/// place); the digits (at most 13) fit the first 16 bytes.
const TOKEN_BUFFER: usize = 32;

/// The number of base-31 digits of `j` (1 to 13). Numbers of one bit length span less
/// than a factor of 31, so they have the digits of the bit length's smallest number or
/// one more.
fn base_31_digits(j: u64) -> usize {
    let bits = (64 - j.leading_zeros()) as usize;
    let digits = DIGITS_AT_BIT_LENGTH[bits];
    digits + usize::from(digits < POWERS_OF_31.len() && j >= POWERS_OF_31[digits])
}

/// `POWERS_OF_31[k]` = 31^k, the smallest number of `k + 1` digits (k ≤ 12).
const POWERS_OF_31: [u64; 13] = {
    let mut powers = [1u64; 13];
    let mut k = 1;
    while k < 13 {
        powers[k] = powers[k - 1] * 31;
        k += 1;
    }
    powers
};

/// `DIGITS_AT_BIT_LENGTH[b]`: the base-31 digits of the smallest number of bit length `b`
/// (0 has one digit).
const DIGITS_AT_BIT_LENGTH: [usize; 65] = {
    let mut digits = [1usize; 65];
    let mut b = 2;
    while b <= 64 {
        let smallest = 1u64 << (b - 1);
        let mut n = 1;
        while n < 13 && smallest >= POWERS_OF_31[n] {
            n += 1;
        }
        digits[b] = n;
        b += 1;
    }
    digits
};

/// The digits of a token, base 31.
const TOKEN_DIGITS: &[u8; 31] = b"0123456789abcdefghijklmnopqrstu";

/// `DIGIT_PAIRS[n]`: the two base-31 digits of `n < 31²`.
const DIGIT_PAIRS: [[u8; 2]; 31 * 31] = {
    let mut pairs = [[0u8; 2]; 31 * 31];
    let mut n = 0;
    while n < 31 * 31 {
        pairs[n] = [TOKEN_DIGITS[n / 31], TOKEN_DIGITS[n % 31]];
        n += 1;
    }
    pairs
};

/// Makes the last value of `values` differ from every value at or after `from`, without
/// drawing: numbers become one more than the largest, byte values get `#k` appended (or,
/// fixed-length, their last bytes replaced by `k`). The fallback of a map key that kept
/// repeating.
pub fn make_last_unique(values: &mut Values, from: usize, k: u64) {
    match values {
        Values::Int32(v) => {
            let max = v[from..].iter().copied().max().unwrap_or(0);
            if let Some(last) = v.last_mut() {
                *last = max.wrapping_add(1);
            }
        }
        Values::Int64(v) => {
            let max = v[from..].iter().copied().max().unwrap_or(0);
            if let Some(last) = v.last_mut() {
                *last = max.wrapping_add(1);
            }
        }
        Values::Float(v) => {
            let max = v[from..].iter().copied().fold(f32::MIN, f32::max);
            if let Some(last) = v.last_mut() {
                *last = max + 1.0;
            }
        }
        Values::Double(v) => {
            let max = v[from..].iter().copied().fold(f64::MIN, f64::max);
            if let Some(last) = v.last_mut() {
                *last = max + 1.0;
            }
        }
        Values::ByteArray(v) => {
            let mut last = v.get(v.len() - 1).to_vec();
            last.extend_from_slice(format!("#{k}").as_bytes());
            pop_bytes(v);
            v.push(&last);
        }
        Values::FixedLenByteArray(v) => {
            let mut last = v.get(v.len() - 1).to_vec();
            let tag = k.to_be_bytes();
            let n = last.len().min(8);
            let at = last.len() - n;
            last[at..].copy_from_slice(&tag[8 - n..]);
            pop_bytes(v);
            v.push(&last);
        }
        Values::Boolean(_) | Values::Int96(_) => {}
    }
}

fn pop_bytes(v: &mut ByteValues) {
    v.offsets.pop();
    let end = *v.offsets.last().unwrap_or(&0);
    v.data.truncate(end);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::mix64;

    fn column(schema: &str) -> shred::Schema {
        shred::Schema::parse(&format!("message m {{ {schema} }}")).unwrap()
    }

    fn draw(schema: &str, spec: Option<ValueSpec>, n: u64) -> Values {
        let schema = column(schema);
        let leaf = &schema.leaves()[0];
        let values = LeafValues::new(leaf, spec.as_ref()).unwrap();
        let mut out = Values::new(leaf.physical());
        let mut scratch = Vec::new();
        for i in 0..n {
            let mut rng = RecordRng::new(mix64(9), i);
            values.push(
                &mut rng,
                Position { record: i, k: 0 },
                &mut out,
                &mut scratch,
            );
        }
        out
    }

    fn strings(values: &Values) -> Vec<String> {
        let Values::ByteArray(v) = values else {
            panic!("byte values")
        };
        v.iter()
            .map(|b| String::from_utf8(b.to_vec()).unwrap())
            .collect()
    }

    #[test]
    fn spread_draws_its_points_by_part() {
        // 5 points of [0, 100] (0, 25, 50, 75, 100); the upper half weighs 3 times the lower.
        let spec = ValueSpec::Spread {
            range: [Bound::Int(0), Bound::Int(100)],
            distinct: 5,
            weights: vec![1.0, 3.0],
        };
        let Values::Int32(v) = draw("required int32 x;", Some(spec), 20_000) else {
            panic!("int32 values")
        };
        let mut seen: Vec<i32> = v.clone();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen, [0, 25, 50, 75, 100]);
        let upper = v.iter().filter(|&&x| x > 50).count() as f64 / v.len() as f64;
        assert!((upper - 0.75 * 2.0 / 3.0).abs() < 0.02, "{upper}");
        let dates = ValueSpec::Spread {
            range: [
                Bound::Text("2024-01-01".into()),
                Bound::Text("2024-01-03".into()),
            ],
            distinct: 3,
            weights: vec![],
        };
        let Values::Int32(d) = draw("required int32 d (DATE);", Some(dates), 1000) else {
            panic!("dates")
        };
        assert!(d.iter().all(|x| (19_723..=19_725).contains(x)));
        let floats = ValueSpec::Spread {
            range: [Bound::Float(1.0), Bound::Float(2.0)],
            distinct: 1 << 40,
            weights: vec![],
        };
        let Values::Double(f) = draw("required double f;", Some(floats), 1000) else {
            panic!("doubles")
        };
        assert!(f.iter().all(|x| (1.0..=2.0).contains(x)));
    }

    #[test]
    fn spread_refuses_more_points_than_integers() {
        let schema = column("required int32 x;");
        let spec = ValueSpec::Spread {
            range: [Bound::Int(0), Bound::Int(9)],
            distinct: 11,
            weights: vec![],
        };
        let error = LeafValues::new(&schema.leaves()[0], Some(&spec)).unwrap_err();
        assert!(error.contains("distinct = 11 is not in 1..=10"), "{error}");
    }

    #[test]
    fn token_is_its_index_in_base_31_padded_with_x() {
        let lengths = Weighted::new(&[1.0]).unwrap();
        let base_31 = |mut j: u64| {
            let mut digits = Vec::new();
            loop {
                digits.push(TOKEN_DIGITS[(j % 31) as usize]);
                j /= 31;
                if j == 0 {
                    break;
                }
            }
            digits.reverse();
            digits
        };
        let edges = [
            0,
            1,
            30,
            31,
            32,
            960,
            961,
            962,
            29_790,
            29_791,
            923_521,
            u64::MAX,
        ];
        let powers = (1..13).flat_map(|k| {
            let p = 31u64.pow(k);
            [
                p - 1,
                p,
                p + 1,
                p.next_power_of_two(),
                p.next_power_of_two() - 1,
            ]
        });
        for j in edges
            .into_iter()
            .chain(powers)
            .chain((0..3000).map(|k| k * 7919))
        {
            let mut token = b"prefix".to_vec();
            push_token(j, 4, &lengths, &mut token);
            let mut expected = b"prefix".to_vec();
            expected.extend(base_31(j));
            expected.resize(expected.len().max(6 + 4), b'x');
            assert_eq!(token, expected, "token {j}");
        }
    }

    #[test]
    fn long_tokens_are_padded_past_the_buffer() {
        let lengths = Weighted::new(&[1.0]).unwrap();
        let mut token = b"p".to_vec();
        push_token(31 * 31 + 5, 40, &lengths, &mut token);
        assert_eq!(token.len(), 41);
        assert_eq!(&token[..4], b"p105");
        assert!(token[4..].iter().all(|&b| b == b'x'), "{token:?}");
    }

    #[test]
    fn tokens_are_distinct_per_index_and_never_frequent_ones() {
        let lengths = Weighted::new(&[1.0, 1.0]).unwrap();
        let mut seen = std::collections::HashSet::new();
        for j in 0..5000 {
            let mut token = Vec::new();
            push_token(j, 2, &lengths, &mut token);
            assert!(token.len() >= 2 && !token.contains(&b'v'), "{token:?}");
            assert!(seen.insert(token), "token {j} repeats");
        }
        let spec = ValueSpec::Tokens {
            frequent: [("v0xx".to_owned(), 1.0)].into(),
            rest: 3.0,
            distinct: 50,
            min_length: 3,
            lengths: vec![0.0, 1.0],
        };
        let got = strings(&draw("required binary s (STRING);", Some(spec), 4000));
        let frequent = got.iter().filter(|s| *s == "v0xx").count() as f64 / 4000.0;
        assert!((frequent - 0.25).abs() < 0.03, "{frequent}");
        let mut tokens: Vec<&String> = got.iter().filter(|s| *s != "v0xx").collect();
        assert!(tokens.iter().all(|t| t.len() == 4 && t.ends_with('x')));
        tokens.sort();
        tokens.dedup();
        assert_eq!(tokens.len(), 50);
    }

    #[test]
    fn pattern_ids_are_contacts_numbers() {
        let spec = ValueSpec::Pattern("+91-{id:010}".into());
        let got = strings(&draw("required binary n (STRING);", Some(spec), 3));
        assert_eq!(got, ["+91-0000000000", "+91-0000000016", "+91-0000000032"]);
        let spec = ValueSpec::Pattern("{{{record}}}-{hex:4}-{first_name}".into());
        let got = strings(&draw("required binary n (STRING);", Some(spec), 2));
        assert!(got[1].starts_with("{1}-"), "{got:?}");
        assert_eq!(got[1].split('-').nth(1).unwrap().len(), 4);
    }

    #[test]
    fn dates_timestamps_and_times_take_text_bounds() {
        let text = |lo: &str, hi: &str| {
            Some(ValueSpec::Uniform([
                Bound::Text(lo.into()),
                Bound::Text(hi.into()),
            ]))
        };
        let dates = draw(
            "required int32 d (DATE);",
            text("1970-01-02", "1970-01-02"),
            2,
        );
        assert_eq!(dates, Values::Int32(vec![1, 1]));
        let ts = draw(
            "required int64 t (TIMESTAMP(MILLIS,true));",
            text("1970-01-01T00:00:01Z", "1970-01-01T00:00:01Z"),
            1,
        );
        assert_eq!(ts, Values::Int64(vec![1000]));
        let time = draw(
            "required int32 t (TIME(MILLIS,false));",
            text("00:01:00", "00:01:00"),
            1,
        );
        assert_eq!(time, Values::Int32(vec![60_000]));
        assert_eq!(days_from_civil(2024, 1, 1), 19_723);
    }

    #[test]
    fn decimals_are_scaled_and_stored_as_the_type_wants() {
        let spec = Some(ValueSpec::Uniform([
            Bound::Float(12.34),
            Bound::Float(12.34),
        ]));
        let v = draw("required int32 d (DECIMAL(9,2));", spec.clone(), 1);
        assert_eq!(v, Values::Int32(vec![1234]));
        let v = draw(
            "required fixed_len_byte_array(5) d (DECIMAL(10,2));",
            spec.clone(),
            1,
        );
        let Values::FixedLenByteArray(b) = v else {
            panic!()
        };
        assert_eq!(b.get(0), &[0, 0, 0, 0x04, 0xD2]);
        let mut out = Vec::new();
        decimal_bytes(-1, None, &mut out);
        assert_eq!(out, [0xFF]);
        decimal_bytes(128, None, &mut out);
        assert_eq!(out, [0x00, 0x80]);
    }

    #[test]
    fn defaults_fit_every_type() {
        for schema in [
            "required boolean x;",
            "required int32 x (INTEGER(8,true));",
            "required int64 x (TIMESTAMP(MICROS,true));",
            "required int96 x;",
            "required float x;",
            "required double x;",
            "required binary x (STRING);",
            "required binary x (JSON);",
            "required binary x;",
            "required fixed_len_byte_array(16) x (UUID);",
            "required fixed_len_byte_array(2) x (FLOAT16);",
            "required fixed_len_byte_array(3) x;",
            "required binary x (DECIMAL(20,4));",
        ] {
            let v = draw(schema, None, 50);
            assert_eq!(v.len(), 50, "{schema}");
        }
        let small = draw("required int32 x (INTEGER(8,true));", None, 500);
        let Values::Int32(small) = small else {
            panic!()
        };
        assert!(small.iter().all(|x| (0..=127).contains(x)));
        let uuids = strings(&draw(
            "required binary x (STRING);",
            Some(ValueSpec::Uuid),
            2,
        ));
        assert_eq!(uuids[0].len(), 36);
        assert_eq!(&uuids[0][14..15], "4");
    }

    #[test]
    fn generators_that_do_not_fit_say_so() {
        let schema =
            column("required int32 x (DATE); required binary s (STRING); required boolean b;");
        let err = |leaf: usize, spec: ValueSpec| {
            LeafValues::new(&schema.leaves()[leaf], Some(&spec)).unwrap_err()
        };
        assert!(err(1, ValueSpec::Bernoulli(0.5)).contains("bernoulli does not fit a string"));
        assert!(err(0, ValueSpec::Words(vec!["a".into()])).contains("INT32 (Date)"));
        let e = err(
            0,
            ValueSpec::Uniform([Bound::Text("2024-13-01".into()), Bound::Int(0)]),
        );
        assert!(e.contains("2024-13-01"), "{e}");
        assert!(err(2, ValueSpec::Bernoulli(2.0)).contains("not a probability"));
        let e = err(1, ValueSpec::Pattern("{nope}".into()));
        assert!(e.contains("unknown placeholder {nope}"), "{e}");
        let small = column("required int32 x (INTEGER(8,true));");
        let e = LeafValues::new(
            &small.leaves()[0],
            Some(&ValueSpec::Uniform([Bound::Int(0), Bound::Int(300)])),
        )
        .unwrap_err();
        assert!(e.contains("outside the column's range [-128, 127]"), "{e}");
    }

    #[test]
    fn half_precision_bits() {
        assert_eq!(f16_bits(1.0), 0x3C00);
        assert_eq!(f16_bits(-2.0), 0xC000);
        assert_eq!(f16_bits(0.5), 0x3800);
        assert_eq!(f16_bits(1e9), 0x7C00);
    }

    #[test]
    fn unused_values_come_from_the_finite_list() {
        let schema = column("required binary k (STRING); required int32 n;");
        let words = ValueSpec::Words(vec!["a".into(), "b".into()]);
        let g = LeafValues::new(&schema.leaves()[0], Some(&words)).unwrap();
        let mut v = Values::ByteArray(ByteValues::default());
        let mut scratch = Vec::new();
        assert!(g.push_unused(&mut v, 0, &mut scratch));
        assert!(g.push_unused(&mut v, 0, &mut scratch));
        assert!(!g.push_unused(&mut v, 0, &mut scratch), "both taken");
        let Values::ByteArray(b) = &v else { panic!() };
        assert_eq!(b.iter().collect::<Vec<_>>(), [b"a", b"b"]);
        let range = ValueSpec::Uniform([Bound::Int(5), Bound::Int(9)]);
        let g = LeafValues::new(&schema.leaves()[1], Some(&range)).unwrap();
        let mut n = Values::Int32(vec![5, 6]);
        assert!(g.push_unused(&mut n, 0, &mut scratch));
        assert_eq!(n, Values::Int32(vec![5, 6, 7]));
        let random =
            LeafValues::new(&schema.leaves()[0], Some(&ValueSpec::Random([1, 3]))).unwrap();
        assert!(!random.push_unused(&mut v, 0, &mut scratch));
    }

    #[test]
    fn repeated_values_are_found_and_made_unique() {
        let mut v = Values::Int64(vec![5, 1, 2, 1]);
        assert!(last_repeats(&v, 1));
        assert!(!last_repeats(&v, 2));
        make_last_unique(&mut v, 1, 3);
        assert_eq!(v, Values::Int64(vec![5, 1, 2, 3]));
        let mut b = Values::ByteArray(ByteValues::default());
        if let Values::ByteArray(bytes) = &mut b {
            bytes.push(b"a");
            bytes.push(b"a");
        }
        assert!(last_repeats(&b, 0));
        make_last_unique(&mut b, 0, 1);
        assert!(!last_repeats(&b, 0));
        pop_last(&mut b);
        assert_eq!(b.len(), 1);
    }
}
