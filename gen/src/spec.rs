//! The distribution spec of a schema-driven dataset: a TOML file keyed by field path.
//!
//! A spec says, per schema node, how often an optional node is null (`null`), how long a
//! repeated node is (`length`, one of the [`LengthSpec`] distributions, and `empty`, the
//! probability of no occurrence at all) and, per leaf, which values it takes (`values`,
//! one of the [`ValueSpec`] generators). `[defaults]` sets `null`, `empty` and `length`
//! for every node the spec does not name. The format, with examples, is in `gen/README.md`
//! ("Any schema"); this module only reads it (with the `toml` crate, keeping every
//! setting's position), and [`crate::schema_generator`] checks it against the schema.
//!
//! ```
//! use shred_gen::spec::{LengthSpec, Spec};
//! let spec = Spec::parse("spec.toml", r#"
//! [defaults]
//! null = 0.2
//!
//! [fields."Links.Forward"]
//! length = { poisson = 2.5 }
//! "#).unwrap();
//! assert_eq!(spec.defaults.null.as_ref().map(|n| *n.get_ref()), Some(0.2));
//! let forward = &spec.fields[0];
//! assert_eq!((forward.path.as_str(), forward.line), ("Links.Forward", 5));
//! assert!(matches!(forward.settings.length.as_ref().unwrap().get_ref(), LengthSpec::Poisson(_)));
//! ```

use std::collections::BTreeMap;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

/// A length distribution of a repeated node (`length = { ... }`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum LengthSpec {
    /// Always this many: `{ fixed = 3 }`.
    Fixed(u32),
    /// Uniform between the bounds, both included: `{ uniform = [1, 5] }`.
    Uniform([u32; 2]),
    /// Geometric with this mean (lengths 0, 1, 2, …): `{ geometric = 2.5 }`.
    Geometric(f64),
    /// Poisson with this mean: `{ poisson = 3.0 }`.
    Poisson(f64),
    /// Lengths `1..=max` with weights `1 / k^s`: `{ zipf = { max = 50, s = 1.2 } }`.
    Zipf {
        /// The longest length.
        max: u32,
        /// The exponent (default 1).
        #[serde(default = "one")]
        s: f64,
    },
    /// Weights of lengths 0, 1, 2, …: `{ histogram = [0.1, 0.6, 0.3] }`.
    Histogram(Vec<f64>),
}

fn one() -> f64 {
    1.0
}

/// One bound of a `uniform` range: an integer, a float, or text (a date `2024-01-31`, a
/// timestamp `2024-01-31T12:00:00Z` or a time of day `12:30:00`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Bound {
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A date, timestamp or time of day.
    Text(String),
}

/// The values of a leaf (`values = { ... }`, or `values = "uuid"`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum ValueSpec {
    /// Uniform between the bounds, both included for integers: numbers, dates,
    /// timestamps, times, decimals: `{ uniform = [0, 100] }`.
    Uniform([Bound; 2]),
    /// Normal: `{ normal = { mean = 0.0, std = 1.0 } }` (floats; integers and decimals
    /// are rounded).
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        std: f64,
    },
    /// Integers `start + rank`, rank in `0..n` with weights `1 / (rank + 1)^s`:
    /// `{ zipf = { n = 1000, s = 1.1, start = 1 } }`.
    Zipf {
        /// Number of distinct values.
        n: u64,
        /// The exponent (default 1).
        #[serde(default = "one")]
        s: f64,
        /// The value of rank 0 (default 0).
        #[serde(default)]
        start: i64,
    },
    /// `start + step · record index`: `{ sequence = { start = 10, step = 10 } }`.
    Sequence {
        /// The value of record 0 (default 0).
        #[serde(default)]
        start: i64,
        /// The increment per record (default 1).
        #[serde(default = "one_i64")]
        step: i64,
    },
    /// `start + stride · record index + k` for the record's `k`-th entry of the column:
    /// unique while no record has more than `stride` entries: `{ unique = { stride = 16 } }`.
    Unique {
        /// The value of record 0's first entry (default 0).
        #[serde(default)]
        start: i64,
        /// Ids per record (default 16).
        #[serde(default = "sixteen")]
        stride: u64,
    },
    /// Booleans, true with this probability: `{ bernoulli = 0.3 }`.
    Bernoulli(f64),
    /// One of these strings, uniformly: `{ words = ["red", "green", "blue"] }`.
    Words(Vec<String>),
    /// One of these strings with these weights: `{ enum = { Mobile = 55, Work = 35 } }`.
    Enum(BTreeMap<String, f64>),
    /// Text from a pattern: literal text and `{id}`, `{id:010}`, `{record}`, `{k}`,
    /// `{digits:N}`, `{letters:N}`, `{hex:N}`, `{first_name}`, `{last_name}`; `{{` and `}}`
    /// are braces: `{ pattern = "+91-{id:010}" }`.
    Pattern(String),
    /// Random lowercase letters (strings) or random bytes (binary), length uniform between
    /// the bounds: `{ random = [4, 12] }`.
    Random([u32; 2]),
    /// Random version-4 UUIDs: `"uuid"`.
    Uuid,
    /// Numbers at `distinct` evenly spaced points of `range` (both ends included); the
    /// range is cut into `weights.len()` equal parts drawn with these weights (one part
    /// when empty), a point uniform within its part: what `--profile` learns of a number,
    /// date, timestamp or decimal column:
    /// `{ spread = { range = [0, 1000], distinct = 50, weights = [3, 1] } }`.
    Spread {
        /// The smallest and largest value.
        range: [Bound; 2],
        /// Points in the range.
        distinct: u64,
        /// Weights of equal parts of the range.
        #[serde(default)]
        weights: Vec<f64>,
    },
    /// Synthetic text: the `frequent` strings with their weights, else (weight `rest`) one
    /// of `distinct` tokens, uniformly, each with a fixed length drawn from `lengths`
    /// (weights of the lengths `min_length`, `min_length + 1`, …): what `--profile` learns
    /// of a string column with many distinct values:
    /// `{ tokens = { frequent = { v0x = 40 }, rest = 60, distinct = 500, min_length = 2, lengths = [1, 3] } }`.
    Tokens {
        /// Strings and their weights.
        #[serde(default)]
        frequent: BTreeMap<String, f64>,
        /// The weight of the tokens.
        #[serde(default)]
        rest: f64,
        /// Number of tokens.
        distinct: u64,
        /// The shortest token length.
        #[serde(default)]
        min_length: u32,
        /// Weights of the token lengths from `min_length` on (every token `min_length`
        /// long when empty).
        #[serde(default)]
        lengths: Vec<f64>,
    },
}

fn one_i64() -> i64 {
    1
}

fn sixteen() -> u64 {
    16
}

/// The settings of one node (a `[fields."PATH"]` table or `[defaults]`), each with its
/// position in the spec text.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeSettings {
    /// Probability that an optional node is null.
    pub null: Option<Spanned<f64>>,
    /// Probability that a repeated node has no occurrence (an empty list).
    pub empty: Option<Spanned<f64>>,
    /// Length distribution of a repeated node when it is not empty.
    pub length: Option<Spanned<LengthSpec>>,
    /// Value generator of a leaf.
    pub values: Option<Spanned<ValueSpec>>,
}

/// The settings of one field path.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldSpec {
    /// Dotted schema path, as `shred` prints it (`phones.list.item.number`).
    pub path: String,
    /// Line of the field's key in the spec (1-based).
    pub line: usize,
    /// The settings.
    pub settings: NodeSettings,
}

/// A parsed spec: defaults and per-path settings, with positions for error messages.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Spec {
    /// Name of the spec (its file name), for messages.
    pub name: String,
    /// The spec's text, to turn positions into lines.
    text: String,
    /// Settings for every node the spec does not name.
    pub defaults: NodeSettings,
    /// Per-path settings, in path order.
    pub fields: Vec<FieldSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SpecFile {
    #[serde(default)]
    defaults: NodeSettings,
    #[serde(default)]
    fields: BTreeMap<Spanned<String>, NodeSettings>,
}

/// A spec that cannot be used: where (spec line, schema path) and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{spec}{}{}: {message}", line.map(|l| format!(" line {l}")).unwrap_or_default(), path.as_ref().map(|p| format!(", field {p}")).unwrap_or_default())]
pub struct SpecError {
    /// The spec's name.
    pub spec: String,
    /// The line in the spec, when known.
    pub line: Option<usize>,
    /// The schema path concerned, when there is one.
    pub path: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl Spec {
    /// Parses spec text; `name` names it in errors (usually the file name).
    pub fn parse(name: &str, text: &str) -> Result<Self, SpecError> {
        let file: SpecFile = toml::from_str(text).map_err(|e| SpecError {
            spec: name.to_string(),
            line: e.span().map(|span| line_of(text, span.start)),
            path: None,
            message: e.message().trim().to_string(),
        })?;
        let fields = file
            .fields
            .into_iter()
            .map(|(path, settings)| FieldSpec {
                line: line_of(text, path.span().start),
                path: path.into_inner(),
                settings,
            })
            .collect();
        Ok(Spec {
            name: name.to_string(),
            text: text.to_string(),
            defaults: file.defaults,
            fields,
        })
    }

    /// Reads and parses a spec file.
    pub fn from_file(path: &std::path::Path) -> Result<Self, SpecError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| SpecError {
            spec: name.clone(),
            line: None,
            path: None,
            message: format!("cannot read the spec: {e}"),
        })?;
        Self::parse(&name, &text)
    }

    /// The line (1-based) of a position in the spec text.
    pub fn line(&self, span: Range<usize>) -> usize {
        line_of(&self.text, span.start)
    }

    /// An error at `span` about the node at `path`.
    pub fn error(
        &self,
        span: Option<Range<usize>>,
        path: Option<&str>,
        message: impl Into<String>,
    ) -> SpecError {
        SpecError {
            spec: self.name.clone(),
            line: span.map(|s| self.line(s)),
            path: path.map(str::to_string),
            message: message.into(),
        }
    }
}

/// The 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_distribution_and_generator_parses() {
        let spec = Spec::parse(
            "s.toml",
            r#"
[defaults]
null = 0
empty = 0.05
length = { uniform = [1, 4] }

[fields]
a = { length = { fixed = 3 } }
b = { length = { geometric = 2.5 } }
c = { length = { zipf = { max = 50 } } }
d = { length = { histogram = [0.1, 0.6, 0.3] }, values = { enum = { x = 1, y = 3 } } }
e = { values = { uniform = ["2020-01-01", "2024-12-31"] } }
f = { values = { normal = { mean = 1.5, std = 2 } } }
g = { values = "uuid" }
h = { values = { pattern = "+91-{id:010}" } }
i = { values = { unique = {} } }
j = { values = { uniform = [0, 1.5] } }
"#,
        )
        .unwrap();
        assert_eq!(spec.fields.len(), 10);
        let by = |p: &str| &spec.fields.iter().find(|f| f.path == p).unwrap().settings;
        assert_eq!(
            by("c").length.as_ref().unwrap().get_ref(),
            &LengthSpec::Zipf { max: 50, s: 1.0 }
        );
        assert_eq!(by("g").values.as_ref().unwrap().get_ref(), &ValueSpec::Uuid);
        assert_eq!(
            by("i").values.as_ref().unwrap().get_ref(),
            &ValueSpec::Unique {
                start: 0,
                stride: 16
            }
        );
        assert_eq!(
            by("j").values.as_ref().unwrap().get_ref(),
            &ValueSpec::Uniform([Bound::Int(0), Bound::Float(1.5)])
        );
        assert_eq!(spec.fields[0].line, 8);
        assert_eq!(*spec.defaults.null.as_ref().unwrap().get_ref(), 0.0);
    }

    #[test]
    fn a_syntax_error_names_the_line() {
        let err =
            Spec::parse("s.toml", "[fields.a]\nnull = 0.1\nlength = { poisson = }\n").unwrap_err();
        assert_eq!(err.line, Some(3), "{err}");
        assert!(err.to_string().starts_with("s.toml line 3: "), "{err}");
    }

    #[test]
    fn an_unknown_key_names_the_line_and_the_choices() {
        let err = Spec::parse("s.toml", "[fields.a]\n\nnul = 0.1\n").unwrap_err();
        assert_eq!(err.line, Some(3), "{err}");
        assert!(err.message.contains("unknown field `nul`"), "{err}");
        let err = Spec::parse("s.toml", "[fields.a]\nlength = { normal = 1 }\n").unwrap_err();
        assert_eq!(err.line, Some(2), "{err}");
        assert!(err.message.contains("unknown variant `normal`"), "{err}");
    }
}
