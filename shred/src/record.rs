//! Records as JSON: checking a record against the schema, its canonical form, leaf values.
//!
//! A record is a JSON object whose keys are the message's fields. Groups are objects,
//! repeated fields and `LIST`s are arrays, a `MAP` is an array of `{"key", "value"}` entries
//! (a JSON object is accepted for string keys), a missing or `null` optional field is null,
//! and a missing or `null` bare repeated field has no occurrences (the Dremel encoding cannot
//! tell the two apart). [`normalize`] checks a record and returns its canonical form: every
//! field present, in schema order, bare repeated fields as arrays, leaf values as below. The
//! [`crate::assembler`] produces exactly this form, so a round trip compares canonical
//! records with `==`.
//!
//! Leaf values, by physical type: BOOLEAN a bool; INT32/INT64 an integer (the logical value
//! for unsigned `INT(_, false)` columns); INT96 nanoseconds since the epoch; FLOAT/DOUBLE a
//! number, or `"NaN"`, `"Infinity"`, `"-Infinity"`; BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY a
//! string when the bytes are UTF-8, else an array of byte values.
//!
//! ```
//! let schema = shred::Schema::parse("message m { required int32 a; repeated int32 b; }").unwrap();
//! let record = serde_json::json!({"a": 1});
//! let canonical = shred::record::normalize(&schema, &record, 0, None).unwrap();
//! assert_eq!(canonical, serde_json::json!({"a": 1, "b": []}));
//! ```

use parquet::basic::Repetition;
use parquet::data_type::Int96;
use serde_json::{Map, Value as Json};

use crate::error::{Error, Result};
use crate::schema::{Leaf, Node, NodeKind, Schema};
use crate::stripe::Values;

const NANOS_PER_DAY: i64 = 86_400 * 1_000_000_000;
const JULIAN_DAY_OF_EPOCH: i64 = 2_440_588;

/// Checks `record` against `schema` and returns its canonical form.
///
/// `index` and `line` only label errors: "record 3 (line 4): field Name[1].Url: ...".
pub fn normalize(
    schema: &Schema,
    record: &Json,
    index: usize,
    line: Option<usize>,
) -> Result<Json> {
    let mut n = Normalizer {
        schema,
        index,
        line,
    };
    n.present(schema.root(), record, "")
}

struct Normalizer<'a> {
    schema: &'a Schema,
    index: usize,
    line: Option<usize>,
}

impl Normalizer<'_> {
    fn error(&self, path: &str, message: String) -> Error {
        Error::Record {
            record: self.index,
            line: self.line,
            path: if path.is_empty() {
                "(record)".into()
            } else {
                path.into()
            },
            message,
        }
    }

    /// The canonical value of `node`'s JSON slot.
    fn slot(&mut self, node: &Node, slot: Option<&Json>, path: &str) -> Result<Json> {
        let slot = slot.filter(|v| !v.is_null());
        match node.repetition {
            Repetition::REPEATED => {
                let Some(value) = slot else {
                    return Ok(Json::Array(Vec::new()));
                };
                let entries;
                let items = match value {
                    Json::Array(items) => items,
                    Json::Object(map) if is_map_entry(node) => {
                        entries = map
                            .iter()
                            .map(|(k, v)| serde_json::json!({"key": k, "value": v}))
                            .collect::<Vec<_>>();
                        &entries
                    }
                    other => {
                        return Err(self.error(
                            path,
                            format!(
                                "expected a list (repeated field), found {}",
                                describe(other)
                            ),
                        ));
                    }
                };
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let item_path = format!("{path}[{i}]");
                    if node.is_leaf() && item.is_null() {
                        return Err(
                            self.error(&item_path, "a repeated value cannot be null".into())
                        );
                    }
                    out.push(self.present(node, item, &item_path)?);
                }
                Ok(Json::Array(out))
            }
            Repetition::OPTIONAL => match slot {
                None => Ok(Json::Null),
                Some(v) => self.present(node, v, path),
            },
            Repetition::REQUIRED => match slot {
                None => Err(self.error(path, "required field is missing or null".into())),
                Some(v) => self.present(node, v, path),
            },
        }
    }

    /// The canonical value of a node that is present (one occurrence of a repeated node).
    fn present(&mut self, node: &Node, value: &Json, path: &str) -> Result<Json> {
        match &node.kind {
            NodeKind::Leaf { leaf } => {
                let leaf = &self.schema.leaves()[*leaf];
                let mut scratch = Values::new(leaf.physical());
                push_leaf(leaf, value, &mut scratch).map_err(|m| self.error(path, m))?;
                Ok(leaf_json(leaf, &scratch, 0))
            }
            NodeKind::Group { children, .. } if node.is_transparent() => {
                // A LIST/MAP group or a 3-level list wrapper: the child shares the slot.
                self.slot(&children[0], Some(value), path)
            }
            NodeKind::Group { children, .. } => {
                let Json::Object(fields) = value else {
                    return Err(self.error(
                        path,
                        format!("expected an object (group), found {}", describe(value)),
                    ));
                };
                if let Some(unknown) = fields
                    .keys()
                    .find(|k| !children.iter().any(|c| &c.name == *k))
                {
                    let names: Vec<&str> = children.iter().map(|c| c.name.as_str()).collect();
                    return Err(self.error(
                        &join(path, unknown),
                        format!("unknown field (expected one of: {})", names.join(", ")),
                    ));
                }
                let mut out = Map::with_capacity(children.len());
                for child in children {
                    let value =
                        self.slot(child, fields.get(&child.name), &join(path, &child.name))?;
                    out.insert(child.name.clone(), value);
                }
                Ok(Json::Object(out))
            }
        }
    }
}

/// True for a MAP's repeated key/value group (a JSON object is accepted in its place).
fn is_map_entry(node: &Node) -> bool {
    node.children().first().is_some_and(|c| c.name == "key")
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

/// A short description of a JSON value for error messages.
pub fn describe(value: &Json) -> String {
    let text = value.to_string();
    let kind = match value {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "a list",
        Json::Object(_) => "an object",
    };
    if text.len() > 40 {
        format!("{kind} {}…", text.chars().take(40).collect::<String>())
    } else {
        format!("{kind} {text}")
    }
}

fn type_name(leaf: &Leaf) -> String {
    match leaf.logical() {
        Some(l) => format!("{} ({l:?})", leaf.physical()),
        None => leaf.physical().to_string(),
    }
}

/// Converts a non-null JSON leaf value and appends it to `values`; on failure returns what
/// was expected and what was found.
pub fn push_leaf(leaf: &Leaf, value: &Json, values: &mut Values) -> Result<(), String> {
    let expected = |what: &str| {
        format!(
            "expected {what} for {}, found {}",
            type_name(leaf),
            describe(value)
        )
    };
    match values {
        Values::Boolean(v) => v.push(value.as_bool().ok_or_else(|| expected("a boolean"))?),
        Values::Int32(v) => {
            let x = if leaf.is_unsigned() {
                value
                    .as_u64()
                    .and_then(|x| u32::try_from(x).ok())
                    .map(|x| x as i32)
            } else {
                value.as_i64().and_then(|x| i32::try_from(x).ok())
            };
            v.push(x.ok_or_else(|| expected("a 32-bit integer"))?)
        }
        Values::Int64(v) => {
            let x = if leaf.is_unsigned() {
                value.as_u64().map(|x| x as i64)
            } else {
                value.as_i64()
            };
            v.push(x.ok_or_else(|| expected("a 64-bit integer"))?)
        }
        Values::Int96(v) => {
            let nanos = value
                .as_i64()
                .ok_or_else(|| expected("an integer (nanoseconds since the epoch)"))?;
            v.push(int96_from_nanos(nanos))
        }
        Values::Float(v) => v.push(json_float(value).ok_or_else(|| expected("a number"))? as f32),
        Values::Double(v) => v.push(json_float(value).ok_or_else(|| expected("a number"))?),
        Values::ByteArray(v) => v.push(&json_bytes(value).ok_or_else(|| expected("a string"))?),
        Values::FixedLenByteArray(v) => {
            let bytes = json_bytes(value).ok_or_else(|| expected("a string"))?;
            let len = leaf.descr.type_length() as usize;
            if bytes.len() != len {
                return Err(format!(
                    "expected exactly {len} bytes for FIXED_LEN_BYTE_ARRAY({len}), found {}",
                    bytes.len()
                ));
            }
            v.push(&bytes)
        }
    }
    Ok(())
}

/// Value `i` of `values` as canonical JSON for `leaf`.
pub fn leaf_json(leaf: &Leaf, values: &Values, i: usize) -> Json {
    match values {
        Values::Boolean(v) => Json::Bool(v[i]),
        Values::Int32(v) if leaf.is_unsigned() => Json::from(v[i] as u32),
        Values::Int32(v) => Json::from(v[i]),
        Values::Int64(v) if leaf.is_unsigned() => Json::from(v[i] as u64),
        Values::Int64(v) => Json::from(v[i]),
        Values::Int96(v) => Json::from(int96_to_nanos(&v[i])),
        Values::Float(v) => float_json(
            v[i].to_string().parse().unwrap_or(f64::NAN),
            v[i].is_finite(),
        ),
        Values::Double(v) => float_json(v[i], v[i].is_finite()),
        Values::ByteArray(v) | Values::FixedLenByteArray(v) => bytes_json(v.get(i)),
    }
}

fn float_json(x: f64, finite: bool) -> Json {
    if finite {
        serde_json::Number::from_f64(x).map_or(Json::Null, Json::Number)
    } else if x.is_nan() {
        Json::from("NaN")
    } else if x > 0.0 {
        Json::from("Infinity")
    } else {
        Json::from("-Infinity")
    }
}

pub(crate) fn json_float(value: &Json) -> Option<f64> {
    match value {
        Json::Number(n) => n.as_f64(),
        Json::String(s) => match s.as_str() {
            "NaN" => Some(f64::NAN),
            "Infinity" => Some(f64::INFINITY),
            "-Infinity" => Some(f64::NEG_INFINITY),
            _ => None,
        },
        _ => None,
    }
}

pub(crate) fn json_bytes(value: &Json) -> Option<Vec<u8>> {
    match value {
        Json::String(s) => Some(s.as_bytes().to_vec()),
        Json::Array(items) => items
            .iter()
            .map(|b| b.as_u64().and_then(|b| u8::try_from(b).ok()))
            .collect(),
        _ => None,
    }
}

/// Bytes as JSON: a string when they are UTF-8, else an array of byte values.
pub fn bytes_json(bytes: &[u8]) -> Json {
    match std::str::from_utf8(bytes) {
        Ok(s) => Json::from(s),
        Err(_) => Json::Array(bytes.iter().map(|&b| Json::from(b)).collect()),
    }
}

/// INT96 (Julian day + nanoseconds of day) as nanoseconds since the Unix epoch.
pub fn int96_to_nanos(v: &Int96) -> i64 {
    v.to_nanos()
}

/// Nanoseconds since the Unix epoch as INT96.
pub fn int96_from_nanos(nanos: i64) -> Int96 {
    let days = nanos.div_euclid(NANOS_PER_DAY) + JULIAN_DAY_OF_EPOCH;
    let of_day = nanos.rem_euclid(NANOS_PER_DAY) as u64;
    let mut v = Int96::new();
    v.set_data(of_day as u32, (of_day >> 32) as u32, days as u32);
    v
}

/// The first place where two canonical records differ.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    /// Field path, e.g. `Name[1].Language[0].Code` (empty for the whole record).
    pub path: String,
    /// The left value at that path (`null` when absent).
    pub left: Json,
    /// The right value at that path (`null` when absent).
    pub right: Json,
}

impl Difference {
    /// `field P: LEFT_LABEL x, RIGHT_LABEL y`, naming where each side came from.
    pub fn describe(&self, left_label: &str, right_label: &str) -> String {
        let path = if self.path.is_empty() {
            "(record)"
        } else {
            &self.path
        };
        format!(
            "field {path}: {left_label} {}, {right_label} {}",
            self.left, self.right
        )
    }
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe("left", "right"))
    }
}

/// Finds the first difference between two records, depth first in field order.
pub fn first_difference(left: &Json, right: &Json) -> Option<Difference> {
    fn walk(path: &str, left: &Json, right: &Json) -> Option<Difference> {
        match (left, right) {
            (Json::Object(a), Json::Object(b)) => {
                let keys = a.keys().chain(b.keys().filter(|k| !a.contains_key(*k)));
                for key in keys {
                    let (x, y) = (a.get(key), b.get(key));
                    let sub = join(path, key);
                    match (x, y) {
                        (Some(x), Some(y)) => {
                            if let Some(d) = walk(&sub, x, y) {
                                return Some(d);
                            }
                        }
                        _ => {
                            return Some(Difference {
                                path: sub,
                                left: x.cloned().unwrap_or(Json::Null),
                                right: y.cloned().unwrap_or(Json::Null),
                            });
                        }
                    }
                }
                None
            }
            (Json::Array(a), Json::Array(b)) => {
                for (i, (x, y)) in a.iter().zip(b).enumerate() {
                    if let Some(d) = walk(&format!("{path}[{i}]"), x, y) {
                        return Some(d);
                    }
                }
                (a.len() != b.len()).then(|| Difference {
                    path: path.to_string(),
                    left: left.clone(),
                    right: right.clone(),
                })
            }
            _ if left == right => None,
            _ => Some(Difference {
                path: path.to_string(),
                left: left.clone(),
                right: right.clone(),
            }),
        }
    }
    walk("", left, right)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema(text: &str) -> Schema {
        Schema::parse(text).unwrap()
    }

    fn err(schema: &Schema, record: Json) -> String {
        normalize(schema, &record, 7, Some(8))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn missing_required_field() {
        let s = schema("message m { required group g { required int32 a; } }");
        let e = err(&s, json!({"g": {}}));
        assert_eq!(
            e,
            "record 7 (line 8): field g.a: required field is missing or null"
        );
    }

    #[test]
    fn list_where_scalar_expected() {
        let s = schema("message m { optional binary name (STRING); }");
        let e = err(&s, json!({"name": ["a"]}));
        assert!(e.contains("field name: expected a string"), "{e}");
        assert!(e.contains("found a list"), "{e}");
    }

    #[test]
    fn unknown_field() {
        let s = schema("message m { optional int32 a; }");
        assert!(err(&s, json!({"b": 1})).contains("field b: unknown field (expected one of: a)"));
    }

    #[test]
    fn integer_out_of_range() {
        let s = schema("message m { optional int32 a; }");
        assert!(err(&s, json!({"a": 5_000_000_000_i64})).contains("expected a 32-bit integer"));
    }

    #[test]
    fn list_path_names_the_element() {
        let s = Schema::parse(crate::contact::CONTACT_SCHEMA).unwrap();
        let e = err(&s, json!({"phones": [null, {"number": 5}]}));
        assert!(e.contains("field phones[1].number:"), "{e}");
    }

    #[test]
    fn canonical_form_fills_every_field() {
        let s = Schema::parse(crate::fixtures::DOCUMENT_SCHEMA).unwrap();
        let r2 = normalize(&s, &crate::fixtures::document_records()[1], 1, None).unwrap();
        assert_eq!(
            r2,
            json!({"DocId": 20, "Links": {"Backward": [10, 30], "Forward": [80]},
                   "Name": [{"Language": [], "Url": "http://C"}]})
        );
    }

    #[test]
    fn map_as_object() {
        let s = schema(
            "message m { optional group m (MAP) { repeated group key_value {
               required binary key (STRING); optional int64 value; } } }",
        );
        let r = normalize(&s, &json!({"m": {"a": 1, "b": null}}), 0, None).unwrap();
        assert_eq!(
            r,
            json!({"m": [{"key": "a", "value": 1}, {"key": "b", "value": null}]})
        );
    }

    #[test]
    fn unsigned_and_float_values() {
        let s = schema(
            "message m { required int32 u (INTEGER(32,false)); required float f; required double d; }",
        );
        let r = normalize(
            &s,
            &json!({"u": 4_000_000_000_u64, "f": 0.1, "d": "NaN"}),
            0,
            None,
        )
        .unwrap();
        assert_eq!(r, json!({"u": 4_000_000_000_u64, "f": 0.1, "d": "NaN"}));
    }

    #[test]
    fn int96_nanos_round_trip() {
        for nanos in [0, 1, -1, 1_700_000_000_123_456_789, -86_400_000_000_001] {
            assert_eq!(int96_to_nanos(&int96_from_nanos(nanos)), nanos);
        }
    }

    #[test]
    fn first_difference_names_the_path() {
        let a = json!({"a": [{"b": 1}, {"b": 2}], "c": null});
        let b = json!({"a": [{"b": 1}, {"b": 3}], "c": null});
        let d = first_difference(&a, &b).unwrap();
        assert_eq!(d.path, "a[1].b");
        assert_eq!((d.left, d.right), (json!(2), json!(3)));
        assert_eq!(first_difference(&a, &a), None);
        let short = json!({"a": [{"b": 1}], "c": null});
        assert_eq!(first_difference(&a, &short).unwrap().path, "a");
    }

    #[test]
    fn non_utf8_bytes_are_an_array() {
        assert_eq!(bytes_json(&[0xff, 0]), json!([255, 0]));
        assert_eq!(bytes_json(b"ok"), json!("ok"));
    }
}
