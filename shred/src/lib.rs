//! shred: schema model, explicit Dremel shredder, record-assembly FSM, typed Contact
//! shredder, arrow-rs cross-check and Parquet column I/O with explicit levels.
//!
//! The modules follow the data: [`schema`] (fields and their levels) → [`record`] (JSON
//! records checked against the schema) → [`shredder`] (records → [`stripe`]s) →
//! [`column_io`] (stripes ↔ Parquet column chunks) → [`assembler`] (stripes → records, the
//! Dremel FSM). [`contact`] is the typed fast path for the Contact dataset and
//! [`crosscheck`] compares everything with arrow-rs.

pub mod arrow_records;
pub mod assembler;
pub mod chunk_encoder;
pub mod column_io;
pub mod contact;
pub mod crosscheck;
pub mod error;
pub mod fixtures;
pub mod input;
pub mod json_reader;
pub mod json_shredder;
pub mod output;
pub mod record;
pub mod rle_hybrid;
pub mod schema;
pub mod schema_plan;
pub mod shredder;
pub mod stripe;
pub mod verify;

pub use error::{Error, Result};
pub use schema::Schema;
pub use stripe::Stripe;
