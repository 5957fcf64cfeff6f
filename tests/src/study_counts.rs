//! The answers the study's DuckDB queries must give, counted from our own `Contact` records.
//!
//! `tests/python/duckdb_queries.py` runs the shredding-pipeline study's queries on a Contact
//! file (`count(*)`, `len(phones)` for null and empty lists, the recursive `UNNEST` of
//! phones, `LEFT JOIN UNNEST` keeping every contact, counts by `phone_type`) and prints them
//! as one JSON object. [`StudyCounts::of`] computes the same object from the records the
//! generator produced, by walking the Rust values (no SQL, no Parquet), so the two sides
//! share nothing but the dataset. SQL semantics spelled out: a null list has no length and
//! an empty one length 0; `UNNEST` gives one row per list item (a null item is a row of
//! NULLs) and none for null or empty lists; the `LEFT JOIN` keeps one row with a NULL phone
//! for each contact without items.
//!
//! ```
//! use shred::contact::{Contact, Phone, PhoneType};
//! use shred_tests::study_counts::StudyCounts;
//! let c = Contact { name: None, phones: Some(vec![None, Some(Phone { number: None, phone_type: Some(PhoneType::Work) })]) };
//! let counts = StudyCounts::of([c, Contact::default()].iter());
//! assert_eq!((counts.rows, counts.null_lists, counts.phones, counts.left_join_rows), (2, 1, 2, 3));
//! assert_eq!(counts.by_phone_type["Work"], 1);
//! assert_eq!(counts.by_phone_type["null"], 1);
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use shred::contact::Contact;

/// The counts of `duckdb_queries.py`, field for field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StudyCounts {
    /// `count(*)`.
    pub rows: u64,
    /// Contacts whose `len(phones)` is NULL.
    pub null_lists: u64,
    /// Contacts whose `len(phones)` is 0.
    pub empty_lists: u64,
    /// `sum(len(phones))`: list items, null items included.
    pub phones: u64,
    /// Rows of the recursive `UNNEST` of phones.
    pub unnest_rows: u64,
    /// Non-null numbers among those rows.
    pub unnest_numbers: u64,
    /// Rows of the `LEFT JOIN UNNEST`.
    pub left_join_rows: u64,
    /// Distinct contacts in that join.
    pub left_join_contacts: u64,
    /// Join rows whose phone is NULL.
    pub left_join_no_phone: u64,
    /// Unnested phones by `phone_type` (`"null"` for a null item or a null type); only
    /// types that occur are present, as in a `GROUP BY`.
    pub by_phone_type: BTreeMap<String, u64>,
}

impl StudyCounts {
    /// Counts over a sequence of contacts.
    pub fn of<'a>(contacts: impl IntoIterator<Item = &'a Contact>) -> Self {
        let mut c = StudyCounts::default();
        for contact in contacts {
            c.add(contact);
        }
        c
    }

    /// Adds one contact.
    pub fn add(&mut self, contact: &Contact) {
        self.rows += 1;
        self.left_join_contacts += 1;
        let items = match &contact.phones {
            None => {
                self.null_lists += 1;
                &[][..]
            }
            Some(items) => items.as_slice(),
        };
        if contact.phones.as_ref().is_some_and(Vec::is_empty) {
            self.empty_lists += 1;
        }
        if items.is_empty() {
            self.left_join_rows += 1;
            self.left_join_no_phone += 1;
        }
        for item in items {
            self.phones += 1;
            self.unnest_rows += 1;
            self.left_join_rows += 1;
            let kind = match item {
                None => {
                    self.left_join_no_phone += 1;
                    "null"
                }
                Some(phone) => {
                    if phone.number.is_some() {
                        self.unnest_numbers += 1;
                    }
                    phone.phone_type.map_or("null", |t| t.as_str())
                }
            };
            *self.by_phone_type.entry(kind.to_string()).or_default() += 1;
        }
    }
}
