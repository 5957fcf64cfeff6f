//! A Parquet file's schema as message-type text, the input `shred levels --schema` takes.
//!
//! Reads only the footer (`SerializedFileReader`) and prints the schema as
//! `shred-inspect schema --format message` does ([`shred::Schema::message_text`]).
//! [`message_type`] checks that the text parses back, so a schema the parser cannot read
//! fails here with the text rather than later inside `shred`.

use std::path::Path;

use parquet::file::reader::{FileReader, SerializedFileReader};

/// The schema of the Parquet file at `path` as message-type text.
pub fn message_type(path: &Path) -> String {
    let file =
        std::fs::File::open(path).unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
    let reader = SerializedFileReader::new(file)
        .unwrap_or_else(|e| panic!("{}: not a readable Parquet file: {e}", path.display()));
    let descriptor = reader.metadata().file_metadata().schema_descr_ptr();
    let text = shred::Schema::from_descriptor(descriptor)
        .unwrap_or_else(|e| panic!("{}: unreadable schema: {e}", path.display()))
        .message_text();
    if let Err(e) = shred::Schema::parse(&text) {
        panic!(
            "{}: the printed schema does not parse back: {e}\n{text}",
            path.display()
        );
    }
    text
}

/// The schema of the Parquet file at `path`, parsed.
pub fn schema(path: &Path) -> shred::Schema {
    shred::Schema::parse(&message_type(path)).expect("checked by message_type")
}
