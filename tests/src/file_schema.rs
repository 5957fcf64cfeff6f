//! A Parquet file's schema as message-type text, the input `shred levels --schema` takes.
//!
//! Reads only the footer (`SerializedFileReader`) and prints the schema with the `parquet`
//! crate's own printer (`parquet::schema::printer::print_schema`), whose output its parser
//! (`parse_message_type`, used by `shred::Schema::parse`) reads back. [`message_type`]
//! checks that round trip, so a schema the parser cannot read fails here with the text
//! rather than later inside `shred`.

use std::path::Path;

use parquet::file::reader::{FileReader, SerializedFileReader};

/// The schema of the Parquet file at `path` as message-type text.
pub fn message_type(path: &Path) -> String {
    let file =
        std::fs::File::open(path).unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
    let reader = SerializedFileReader::new(file)
        .unwrap_or_else(|e| panic!("{}: not a readable Parquet file: {e}", path.display()));
    let schema = reader.metadata().file_metadata().schema();
    let mut text = Vec::new();
    parquet::schema::printer::print_schema(&mut text, schema);
    let text = String::from_utf8(text).expect("the schema printer writes UTF-8");
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
