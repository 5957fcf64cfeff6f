//! The `VARIANT` annotation in schema text: read around the `parquet` crate's parser, and printed.
//!
//! `LogicalTypes.md` writes a VARIANT column as `optional group v (VARIANT(1)) { required
//! binary metadata; optional binary value; }` (`(VARIANT)` without the specification
//! version too), but the `parquet` crate's message-type parser knows no such annotation.
//! So [`parse_message_type`] cuts each group's `(VARIANT…)` out of the text, remembering the
//! group's path, lets the crate's parser read the rest, and puts the annotation back on
//! those groups of the parsed tree. [`print_annotations`] turns the crate's printer's
//! `(VARIANT(Some(1)))` into the same notation, so printed schemas parse back.
//!
//! ```
//! use parquet::basic::LogicalType;
//! let message = shred::variant::annotation::parse_message_type(
//!     "message m { optional group v (VARIANT(1)) { required binary metadata; optional binary value; } }",
//! ).unwrap();
//! let v = &message.get_fields()[0];
//! assert!(matches!(v.get_basic_info().logical_type_ref(), Some(LogicalType::Variant(_))));
//! ```

use std::sync::Arc;

use parquet::basic::{LogicalType, VariantType};
use parquet::errors::ParquetError;
use parquet::schema::types::{Type, TypePtr};

/// One group annotated `VARIANT` in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Annotated {
    /// Field names from the message's child down to the group.
    path: Vec<String>,
    /// The specification version, when written (`VARIANT(1)`).
    version: Option<i8>,
}

/// Parses message-type text like [`parquet::schema::parser::parse_message_type`], also
/// reading the `(VARIANT)` and `(VARIANT(N))` annotations of groups.
pub fn parse_message_type(text: &str) -> Result<Type, ParquetError> {
    let (stripped, annotated) = strip(text)?;
    let message = parquet::schema::parser::parse_message_type(&stripped)?;
    if annotated.is_empty() {
        return Ok(message);
    }
    let mut path = Vec::new();
    let root = annotate(Arc::new(message), &annotated, &mut path)?;
    Ok(Arc::try_unwrap(root).unwrap_or_else(|shared| (*shared).clone()))
}

/// The `parquet` crate's printed schema with its VARIANT annotations written as
/// [`parse_message_type`] reads them: `(VARIANT(Some(1)))` → `(VARIANT(1))`,
/// `(VARIANT(None))` → `(VARIANT)`.
pub fn print_annotations(printed: &str) -> String {
    const VERSIONED: &str = "(VARIANT(Some(";
    let mut out = printed.replace("(VARIANT(None))", "(VARIANT)");
    let mut from = 0;
    while let Some(at) = out[from..].find(VERSIONED).map(|i| from + i) {
        let version_at = at + VERSIONED.len();
        let Some(len) = out[version_at..].find(")))") else {
            break;
        };
        let version = out[version_at..version_at + len].to_string();
        out.replace_range(at..version_at + len + 3, &format!("(VARIANT({version}))"));
        from = at + 1;
    }
    out
}

/// One token of schema text and where it is.
struct Token<'t> {
    text: &'t str,
    start: usize,
    end: usize,
}

fn tokens(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        let mut end = start + c.len_utf8();
        if !"{}();,=".contains(c) {
            while let Some(&(i, next)) = chars.peek() {
                if next.is_whitespace() || "{}();,=".contains(next) {
                    break;
                }
                end = i + next.len_utf8();
                chars.next();
            }
        }
        out.push(Token {
            text: &text[start..end],
            start,
            end,
        });
    }
    out
}

/// The text without its groups' VARIANT annotations, and the annotated groups.
fn strip(text: &str) -> Result<(String, Vec<Annotated>), ParquetError> {
    let tokens = tokens(text);
    let word = |i: usize| tokens.get(i).map_or("", |t| t.text);
    let is = |i: usize, w: &str| word(i).eq_ignore_ascii_case(w);
    let mut stripped = String::with_capacity(text.len());
    let mut copied = 0;
    let mut annotated = Vec::new();
    // The enclosing groups' names (`None` for the message).
    let mut open: Vec<Option<&str>> = Vec::new();
    let mut pending: Option<Option<&str>> = None;
    let mut i = 0;
    while i < tokens.len() {
        let repetition = is(i, "required") || is(i, "optional") || is(i, "repeated");
        if repetition && is(i + 1, "group") {
            let name = word(i + 2);
            pending = Some(Some(name));
            if word(i + 3) == "(" && is(i + 4, "VARIANT") {
                let (version, last) = match (word(i + 5), word(i + 7)) {
                    (")", _) => (None, i + 5),
                    ("(", ")") if word(i + 8) == ")" => {
                        let version = word(i + 6).parse::<i8>().map_err(|_| {
                            ParquetError::General(format!(
                                "group {name}: VARIANT version {} is not a number",
                                word(i + 6)
                            ))
                        })?;
                        (Some(version), i + 8)
                    }
                    _ => {
                        return Err(ParquetError::General(format!(
                            "group {name}: expected (VARIANT) or (VARIANT(N))"
                        )));
                    }
                };
                let mut path: Vec<String> = open.iter().flatten().map(|n| n.to_string()).collect();
                path.push(name.to_string());
                annotated.push(Annotated { path, version });
                stripped.push_str(&text[copied..tokens[i + 3].start]);
                copied = tokens[last].end;
                i = last + 1;
                continue;
            }
            i += 3;
            continue;
        }
        match word(i) {
            w if w.eq_ignore_ascii_case("message") => pending = Some(None),
            "{" => open.push(pending.take().flatten()),
            "}" => {
                open.pop();
            }
            _ => {}
        }
        i += 1;
    }
    stripped.push_str(&text[copied..]);
    Ok((stripped, annotated))
}

/// `tp` (at `path`) with the VARIANT annotation on every annotated group under it.
fn annotate(
    tp: TypePtr,
    annotated: &[Annotated],
    path: &mut Vec<String>,
) -> Result<TypePtr, ParquetError> {
    if !tp.is_group() {
        return Ok(tp);
    }
    let mut fields = Vec::with_capacity(tp.get_fields().len());
    for field in tp.get_fields() {
        path.push(field.name().to_string());
        fields.push(annotate(field.clone(), annotated, path)?);
        path.pop();
    }
    let info = tp.get_basic_info();
    let variant = annotated
        .iter()
        .find(|a| !path.is_empty() && a.path == *path);
    let logical = match variant {
        Some(a) => Some(LogicalType::Variant(VariantType {
            specification_version: a.version,
        })),
        None => info.logical_type_ref().cloned(),
    };
    Ok(Arc::new(rebuild_group(&tp, logical, fields)?))
}

/// The group `tp` (name, repetition, id, converted type kept) with another logical type
/// and other fields.
pub(crate) fn rebuild_group(
    tp: &Type,
    logical: Option<LogicalType>,
    fields: Vec<TypePtr>,
) -> Result<Type, ParquetError> {
    let info = tp.get_basic_info();
    let mut builder = Type::group_type_builder(tp.name())
        .with_logical_type(logical)
        .with_converted_type(info.converted_type())
        .with_fields(fields);
    if info.has_repetition() {
        builder = builder.with_repetition(info.repetition());
    }
    if info.has_id() {
        builder = builder.with_id(Some(info.id()));
    }
    builder.build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variant_version(tp: &Type) -> Option<Option<i8>> {
        match tp.get_basic_info().logical_type_ref() {
            Some(LogicalType::Variant(v)) => Some(v.specification_version),
            _ => None,
        }
    }

    #[test]
    fn nested_and_unversioned_annotations() {
        let message = parse_message_type(
            "message m {
               optional group a (VARIANT(1)) { required binary metadata; optional binary value; }
               optional group l (LIST) { repeated group list {
                 required group element (variant) { required binary metadata; required binary value; } } }
               required group plain { optional int32 x; } }",
        )
        .unwrap();
        let [a, l, plain] = message.get_fields() else {
            panic!("three fields")
        };
        assert_eq!(variant_version(a), Some(Some(1)));
        let element = &l.get_fields()[0].get_fields()[0];
        assert_eq!(variant_version(element), Some(None));
        assert!(matches!(
            l.get_basic_info().logical_type_ref(),
            Some(LogicalType::List)
        ));
        assert_eq!(variant_version(plain), None);
    }

    #[test]
    fn printed_schema_parses_back() {
        let text = "message m { optional group v (VARIANT(1)) { required binary metadata; optional binary value; optional int64 typed_value; } }";
        let message = parse_message_type(text).unwrap();
        let mut printed = Vec::new();
        parquet::schema::printer::print_schema(&mut printed, &message);
        let printed = print_annotations(&String::from_utf8(printed).unwrap());
        assert!(printed.contains("group v (VARIANT(1)) {"), "{printed}");
        assert_eq!(parse_message_type(&printed).unwrap(), message);
    }

    #[test]
    fn a_field_named_like_a_keyword_is_a_name() {
        let message = parse_message_type(
            "message m { optional binary group; optional group message (VARIANT(1)) { required binary metadata; required binary value; } }",
        )
        .unwrap();
        assert_eq!(variant_version(&message.get_fields()[1]), Some(Some(1)));
    }

    #[test]
    fn bad_version_is_an_error() {
        let err = parse_message_type(
            "message m { optional group v (VARIANT(x)) { required binary metadata; } }",
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("group v: VARIANT version x"),
            "{err}"
        );
    }
}
