//! Shared test fixtures: the Dremel paper's Document schema and records r1, r2, and a few
//! contacts in every definition state.
//!
//! From Melnik et al., "Dremel: Interactive Analysis of Web-Scale Datasets", VLDB 2010,
//! Figure 2. The striped table these records give is Figure 3 ([`document_figure_3`]);
//! `crate::shredder`'s and `crate::json_shredder`'s tests and `papers/dremel` assert it
//! entry by entry.

use arrow::record_batch::RecordBatch;
use parquet::arrow::arrow_reader::ParquetRecordBatchReader;

use crate::Schema;
use crate::contact::{Contact, Phone, PhoneType};
use crate::stripe::Stripe;

/// The Document schema of Figure 2, as Parquet message-type text.
pub const DOCUMENT_SCHEMA: &str = "message Document {
  required int64 DocId;
  optional group Links {
    repeated int64 Backward;
    repeated int64 Forward;
  }
  repeated group Name {
    repeated group Language {
      required binary Code (STRING);
      optional binary Country (STRING);
    }
    optional binary Url (STRING);
  }
}";

/// Record r1 of Figure 2, as JSON.
pub const DOCUMENT_R1: &str = r#"{"DocId": 10, "Links": {"Forward": [20, 40, 60]}, "Name": [{"Language": [{"Code": "en-us", "Country": "us"}, {"Code": "en"}], "Url": "http://A"}, {"Url": "http://B"}, {"Language": [{"Code": "en-gb", "Country": "gb"}]}]}"#;

/// Record r2 of Figure 2, as JSON.
pub const DOCUMENT_R2: &str = r#"{"DocId": 20, "Links": {"Backward": [10, 30], "Forward": [80]}, "Name": [{"Url": "http://C"}]}"#;

/// r1 and r2 parsed.
pub fn document_records() -> Vec<serde_json::Value> {
    [DOCUMENT_R1, DOCUMENT_R2]
        .iter()
        .map(|r| serde_json::from_str(r).expect("fixture is valid JSON"))
        .collect()
}

/// Lists of lists and a map of lists, each in its null, empty and populated states (with a
/// null element), as message-type text: [`nested_records`] fill it.
pub const NESTED_SCHEMA: &str = "message m {
  optional group a (LIST) { repeated group list { optional group element (LIST) {
    repeated group list { optional int32 element; } } } }
  optional group m (MAP) { repeated group key_value { required binary key (STRING);
    optional group value (LIST) { repeated group list { optional int64 element; } } } } }";

/// Records of [`NESTED_SCHEMA`]: null, empty, and populated lists and maps.
pub fn nested_records() -> Vec<serde_json::Value> {
    vec![
        serde_json::json!({"a": null, "m": null}),
        serde_json::json!({"a": [], "m": {}}),
        serde_json::json!({"a": [null, [], [null], [1, 2]],
            "m": [{"key": "x", "value": [1, null]}, {"key": "y", "value": []}]}),
    ]
}

/// Contacts that between them reach every definition state of every Contact column (null
/// and empty list, null item, item with neither, one or both fields, every phone type).
pub fn contacts_in_every_state() -> Vec<Contact> {
    let phone = |n: Option<&str>, t| {
        Some(Phone {
            number: n.map(str::to_string),
            phone_type: t,
        })
    };
    vec![
        Contact::default(),
        Contact {
            name: Some("Ada Lovelace".into()),
            phones: Some(vec![]),
        },
        Contact {
            name: None,
            phones: Some(vec![None]),
        },
        Contact {
            name: Some("Alan Turing".into()),
            phones: Some(vec![
                phone(None, Some(PhoneType::Work)),
                phone(Some("+91-0000000001"), None),
                None,
                phone(Some("+91-0000000002"), Some(PhoneType::Home)),
                phone(Some("+91-0000000003"), Some(PhoneType::Mobile)),
            ]),
        },
    ]
}

/// [`contacts_in_every_state`] as JSON records.
pub fn contact_records_in_every_state() -> Vec<serde_json::Value> {
    contacts_in_every_state()
        .iter()
        .map(Contact::to_json)
        .collect()
}

/// The records the `parquet` crate writes from `stripes` (one row group, default
/// properties), read back by arrow-rs as one batch (of at most 1024 records).
pub fn arrow_batch(schema: &Schema, stripes: &[Stripe]) -> RecordBatch {
    let props = parquet::file::properties::WriterProperties::builder().build();
    let file = crate::column_io::write_file(Vec::new(), schema, props, [stripes.to_vec()])
        .expect("the stripes write");
    ParquetRecordBatchReader::try_new(bytes::Bytes::from(file), 1024)
        .expect("arrow-rs opens the file")
        .next()
        .expect("a batch")
        .expect("arrow-rs reads the batch")
}

/// Figure 3 of the paper: for each column of [`DOCUMENT_SCHEMA`], the `(value, r, d)` of
/// every entry r1 and r2 give (`null` for an entry without a value).
pub fn document_figure_3() -> Vec<Vec<(serde_json::Value, i16, i16)>> {
    use serde_json::{Value, json};
    const NULL: Value = Value::Null;
    vec![
        vec![(json!(10), 0, 0), (json!(20), 0, 0)],
        vec![(NULL, 0, 1), (json!(10), 0, 2), (json!(30), 1, 2)],
        vec![
            (json!(20), 0, 2),
            (json!(40), 1, 2),
            (json!(60), 1, 2),
            (json!(80), 0, 2),
        ],
        vec![
            (json!("en-us"), 0, 2),
            (json!("en"), 2, 2),
            (NULL, 1, 1),
            (json!("en-gb"), 1, 2),
            (NULL, 0, 1),
        ],
        vec![
            (json!("us"), 0, 3),
            (NULL, 2, 2),
            (NULL, 1, 1),
            (json!("gb"), 1, 3),
            (NULL, 0, 1),
        ],
        vec![
            (json!("http://A"), 0, 2),
            (json!("http://B"), 1, 2),
            (NULL, 1, 1),
            (json!("http://C"), 0, 2),
        ],
    ]
}

/// Column `leaf` of `stripes` in the paper's table format: `(value as canonical JSON or
/// null, r, d)` per entry.
pub fn stripe_table(
    schema: &crate::Schema,
    stripes: &[crate::Stripe],
    leaf: usize,
) -> Vec<(serde_json::Value, i16, i16)> {
    let info = &schema.leaves()[leaf];
    let stripe = &stripes[leaf];
    stripe
        .entries(info.max_def)
        .map(|e| {
            let value = e.value.map_or(serde_json::Value::Null, |i| {
                crate::record::leaf_json(info, &stripe.values, i)
            });
            (value, e.r, e.d)
        })
        .collect()
}
