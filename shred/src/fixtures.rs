//! Shared test fixtures: the Dremel paper's Document schema and records r1, r2.
//!
//! From Melnik et al., "Dremel: Interactive Analysis of Web-Scale Datasets", VLDB 2010,
//! Figure 2. The striped table these records give is Figure 3; `crate::shredder`'s tests
//! and `papers/dremel` assert it entry by entry.

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
