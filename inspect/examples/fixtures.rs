//! Writes the two example files of the README into a directory:
//! `document.parquet` (the Dremel paper's Document records r1 and r2, written through
//! `shred`'s column writer with explicit levels) and `contacts.parquet` (1000 Contact
//! records of the benchmark generator, uncompressed, dictionary on).
//!
//! `cargo run -p shred-inspect --example fixtures -- DIR`

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).ok_or("usage: fixtures DIR")?);
    std::fs::create_dir_all(&dir)?;
    let schema = shred::Schema::parse(shred::fixtures::DOCUMENT_SCHEMA)?;
    let stripes = shred::shredder::shred_records(&schema, &shred::fixtures::document_records())?;
    let mut out = shred::output::OutputFile::create(dir.join("document.parquet"))?;
    out = shred::column_io::write_file(out, &schema, Default::default(), [stripes])?;
    out.commit()?;
    shred_inspect::bench::write_contact_file(
        &dir.join("contacts.parquet"),
        1000,
        &mut std::io::sink(),
    )?;
    println!(
        "wrote {0}/document.parquet and {0}/contacts.parquet",
        dir.display()
    );
    Ok(())
}
