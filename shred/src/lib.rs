//! shred: schema model, explicit Dremel shredder, record-assembly FSM, typed Contact
//! shredder, arrow-rs cross-check and Parquet column I/O with explicit levels.
//!
//! The modules follow the data: [`schema`] (fields and their levels) → [`record`] (JSON
//! records checked against the schema) → [`shredder`] (records → [`stripe`]s) →
//! [`column_io`] (stripes ↔ Parquet column chunks; [`row_group_writer`] encodes a row
//! group's columns in parallel, [`chunk_decoder`] decodes byte-array chunks) → [`assembler`] (stripes → records, the
//! Dremel FSM). [`contact`] is the typed fast path for the Contact dataset and
//! [`contact_arrow`] its Arrow form; [`arrow_read`] reads records through arrow-rs and
//! [`stripe_diff`] compares stripes. [`schema_plan`] compiles a schema once for the hot
//! loops, [`json_shredder`] parses JSON bytes straight into stripes through it and
//! [`json_reader`] streams NDJSON or a JSON array as row groups of stripes. [`entry_json`]
//! (with [`line_buffer`]) and [`value_display`] print level entries and values, [`codec`]
//! spells compression codecs, [`writer_settings`] the writer controls of every writing command, [`footer`] reads footers other implementations tolerate,
//! [`parquet_reader`] opens a file for our column readers, decrypting Parquet modular
//! encryption with [`decryption_keys`], [`decryption`] and [`decrypted_chunk`], and
//! `cli` (default feature `cli`, the only user of clap and tabled) is the `shred` command
//! line and the tables every tool prints. The test oracles (`fixtures`, the Dremel paper's
//! Document example, and `crosscheck`, the level-by-level comparison with arrow-rs) are
//! built with the `testing` feature.

pub mod arrow_entries;
pub mod arrow_levels;
pub mod arrow_read;
pub mod assembler;
pub mod chunk_decoder;
pub mod chunk_encoder;
pub mod column_io;
pub mod contact;
pub mod contact_arrow;
#[cfg(any(test, feature = "testing"))]
pub mod crosscheck;
pub mod decrypted_chunk;
pub mod decryption;
pub mod decryption_keys;
pub mod error;
#[cfg(any(test, feature = "testing"))]
pub mod fixtures;
pub mod footer;
pub mod input;
mod json_escape;
pub mod json_reader;
pub mod json_shredder;
mod json_tokenizer;
pub mod output;
pub mod page_decompressor;
pub mod parquet_reader;
pub mod quantity;
pub mod record;
mod record_json;
pub mod rle_hybrid;
pub mod row_group_writer;
pub mod schema;
pub mod schema_plan;
pub mod short_bytes;
pub mod shredder;
pub mod stripe;
pub mod stripe_diff;
pub mod thrift_compact;
pub mod usage;
pub mod verify;
pub mod writer_settings;

// How levels, values and codecs are spelled for people and programs, and the command line.
pub mod buffered_out;
#[cfg(feature = "cli")]
pub mod cli;
pub mod codec;
pub mod entry_json;
pub mod leaf_json_writer;
pub mod line_buffer;
pub mod value_display;
pub mod variant;

pub use error::{Error, Result};

/// Records per row group unless told otherwise, for every tool that writes row groups
/// (`shred write`, `shred-gen`) and for [`json_reader`]: 2^20, large enough that per-row-group
/// overheads vanish, small enough that a few row groups in flight bound memory.
pub const DEFAULT_ROW_GROUP_SIZE: usize = 1 << 20;

pub use schema::Schema;
pub use stripe::Stripe;
