//! VARIANT conformance: parquet-testing's `shredded_variant/` and `variant/` cases.
//!
//! `shredded_variant/cases.json` lists one case per Parquet file (each written by
//! Iceberg's `TestVariantReaders`): a valid case gives the variant every record of its
//! file must unshred to (`*.variant.bin`: the metadata binary followed by the value
//! binary), an error case the error a reader must report, and three cases marked INVALID
//! leave the reader the choice to error or to read. Every file is read by our column
//! readers and the Dremel FSM and unshredded by `shred::variant`; valid cases must equal
//! their expected variants as values (the spec allows several encodings of one value, and
//! ours come from a new builder), error cases must fail, and so must the INVALID ones
//! (shredkit rejects every layout the spec forbids). `shred verify` (ours against arrow-rs's
//! `unshred_variant`) and `shred-inspect variant` must agree case by case. `variant/`
//! holds bare metadata/value pairs of every variant type: each must decode and match the
//! JSON of its `data_dictionary.json` entry. The counts are the table in
//! `tests/README.md`.

use std::path::{Path, PathBuf};

use parquet::variant::{Variant, VariantMetadata};
use serde_json::Value as Json;
use shred::assembler::Assembler;
use shred::column_io::{StripeReader, stripe_for};
use shred::decryption_keys::DecryptionKeys;
use shred::parquet_reader::ParquetReader;
use shred::variant::{OwnedVariant, RecordVariants, same_value};
use shred::{Schema, Stripe};
use shred_tests::tools::{Tool, output};

fn corpus(dir: &str) -> PathBuf {
    shred_tests::fixture("parquet-testing").join(dir)
}

/// The VARIANT values of every record of `path` (its `var` column), read and unshredded
/// by shredkit, or the first error.
fn unshredded(path: &Path) -> Result<Vec<Option<OwnedVariant>>, String> {
    let reader =
        ParquetReader::open(path, &DecryptionKeys::default(), false).map_err(|e| e.to_string())?;
    let schema = Schema::from_descriptor(reader.metadata().file_metadata().schema_descr_ptr())
        .map_err(|e| e.to_string())?;
    let variants = RecordVariants::all(&schema);
    assert_eq!(variants.columns().len(), 1, "{}", path.display());
    let mut found = Vec::new();
    for rg in 0..reader.metadata().num_row_groups() {
        let mut stripes: Vec<Stripe> = schema.leaves().iter().map(stripe_for).collect();
        for (leaf, stripe) in stripes.iter_mut().enumerate() {
            let column = reader.column_reader(rg, leaf).map_err(|e| e.to_string())?;
            StripeReader::new(column, &schema.leaves()[leaf])
                .read_records(usize::MAX, stripe)
                .map_err(|e| e.to_string())?;
        }
        for record in Assembler::all(&schema, &stripes) {
            let record = record.map_err(|e| e.to_string())?;
            let slots = variants
                .unshred(&record, found.len())
                .map_err(|e| e.to_string())?;
            found.extend(slots.into_iter().map(|s| s.variant));
        }
    }
    Ok(found)
}

/// A `*.variant.bin` file: its metadata and value binaries.
fn expected_variant(file: &str) -> OwnedVariant {
    let bytes = std::fs::read(corpus("shredded_variant").join(file)).unwrap();
    let size = VariantMetadata::try_new(&bytes).unwrap().size();
    OwnedVariant {
        metadata: bytes[..size].to_vec(),
        value: bytes[size..].to_vec(),
    }
}

fn same(ours: &Option<OwnedVariant>, expected: &Option<OwnedVariant>) -> bool {
    match (ours, expected) {
        (None, None) => true,
        (Some(a), Some(b)) => same_value(&a.variant().unwrap(), &b.variant().unwrap()),
        _ => false,
    }
}

/// How the cases came out.
#[derive(Debug, Default, PartialEq)]
struct Counts {
    valid: usize,
    errors: usize,
    invalid_rejected: usize,
}

/// The counts the table in `tests/README.md` gives, by the first words of its rows.
fn readme_counts() -> Counts {
    let readme = std::fs::read_to_string(shred_tests::crate_dir().join("README.md")).unwrap();
    let count = |row: &str| -> usize {
        let line = readme
            .lines()
            .find(|l| l.starts_with(&format!("| {row}")))
            .unwrap_or_else(|| panic!("tests/README.md has no row {row:?}"));
        line.split('|').nth(2).unwrap().trim().parse().unwrap()
    };
    Counts {
        valid: count("valid cases unshredded to their expected variants"),
        errors: count("error cases rejected"),
        invalid_rejected: count("INVALID cases rejected"),
    }
}

#[test]
fn shredded_variant_cases_unshred_to_their_expected_variants_or_fail() {
    let cases: Vec<Json> = serde_json::from_str(
        &std::fs::read_to_string(corpus("shredded_variant").join("cases.json")).unwrap(),
    )
    .unwrap();
    let mut counts = Counts::default();
    let mut failures = Vec::new();
    for case in &cases {
        let Some(file) = case["parquet_file"].as_str() else {
            continue; // a numbered case with no file (case 3)
        };
        let path = corpus("shredded_variant").join(file);
        let expected: Option<Vec<Option<OwnedVariant>>> =
            if let Some(v) = case["variant_file"].as_str() {
                Some(vec![Some(expected_variant(v))])
            } else {
                case["variant_files"].as_array().map(|files| {
                    files
                        .iter()
                        .map(|f| f.as_str().map(expected_variant))
                        .collect()
                })
            };
        let invalid = file.contains("INVALID");
        let ours = unshredded(&path);
        let verify = shred::verify::verify_file(
            &path,
            &shred::verify::VerifyOptions::new(1024, &DecryptionKeys::default()),
        );
        let census = output(Tool::ShredInspect, ["variant", path.to_str().unwrap()]);
        match (&expected, &ours) {
            (Some(expected), Ok(ours)) if !invalid => {
                if ours.len() != expected.len()
                    || ours.iter().zip(expected).any(|(o, e)| !same(o, e))
                {
                    failures.push(format!(
                        "{file}: unshredded values differ from the expected variants"
                    ));
                } else if let Err(e) = &verify {
                    failures.push(format!("{file}: verify fails: {e}"));
                } else if !census.success() {
                    failures.push(format!(
                        "{file}: shred-inspect variant fails: {}",
                        census.error.as_deref().unwrap_or("")
                    ));
                } else {
                    counts.valid += 1;
                }
            }
            (_, Err(e)) if invalid || expected.is_none() => {
                if verify.is_ok() {
                    failures.push(format!("{file}: we reject it ({e}) but verify passes"));
                } else if census.success() {
                    failures.push(format!(
                        "{file}: we reject it ({e}) but shred-inspect variant passes"
                    ));
                } else if invalid {
                    counts.invalid_rejected += 1;
                } else {
                    counts.errors += 1;
                }
            }
            (_, Ok(_)) => failures.push(format!("{file}: must be rejected, but reads")),
            (_, Err(e)) => failures.push(format!("{file}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(counts, readme_counts());
    assert_eq!(counts.valid + counts.errors + counts.invalid_rejected, 137);
}

/// Where `data_dictionary.json` (Spark's rendering) and `parquet-variant-json` print the
/// same value differently: a 17-digit decimal16 as the nearest double, a float by its
/// exact value, a time's fraction after a dot, timestamps in UTC (ISO 8601) where Spark
/// used its session time zone.
const SPARK_RENDERING: &[&str] = &[
    "primitive_decimal16: 1.234567891234568e+16 where the dictionary has 1.2345678912345678e+16",
    "primitive_float: 1234567936.0 where the dictionary has 1234567940.0",
    "primitive_time: \"12:33:54.123456\" where the dictionary has \"12:33:54:123456\"",
    "primitive_timestamp: \"2025-04-16T16:34:56.780+00:00\" where the dictionary has \"2025-04-16 12:34:56.78-04:00\"",
    "primitive_timestampntz: \"2025-04-16T12:34:56.780000\" where the dictionary has \"2025-04-16 12:34:56.78\"",
];

#[test]
fn variant_binaries_decode_to_their_dictionary_values() {
    let dir = corpus("variant");
    let text = std::fs::read_to_string(dir.join("data_dictionary.json")).unwrap();
    let dictionary: serde_json::Map<String, Json> =
        serde_json::from_str(&without_trailing_commas(&text)).unwrap();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".metadata").map(str::to_string)
        })
        .collect();
    names.sort();
    let mut differ = Vec::new();
    for name in &names {
        let metadata = std::fs::read(dir.join(format!("{name}.metadata"))).unwrap();
        let value = std::fs::read(dir.join(format!("{name}.value"))).unwrap();
        let variant = Variant::try_new(&metadata, &value).unwrap_or_else(|e| panic!("{name}: {e}"));
        let json = shred::variant::to_json(&variant).unwrap();
        if let Some(expected) = dictionary.get(name)
            && *expected != json
        {
            differ.push(format!(
                "{name}: {json} where the dictionary has {expected}"
            ));
        }
    }
    assert_eq!(names.len(), 29);
    assert_eq!(differ, SPARK_RENDERING, "{}", differ.join("\n"));
}

/// `text` without the commas before a closing bracket (`data_dictionary.json` has one,
/// which JSON does not allow).
fn without_trailing_commas(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let closes = chars[i + 1..]
            .iter()
            .find(|c| !c.is_whitespace())
            .is_some_and(|&n| n == '}' || n == ']');
        if !(c == ',' && closes) {
            out.push(c);
        }
    }
    out
}
