//! shred-inspect: look inside any Parquet file, down to the repetition and definition
//! level of every value.
//!
//! Subcommands, one module each: [`schema_view`] (`schema`), [`meta`] (`meta`),
//! [`pages`] (`pages`), [`levels`] (`levels`), [`cat`] (`cat`), [`record_trace`] (`record`),
//! [`histogram`] (`histogram`), [`variant`](mod@variant) (`variant`) and [`bench`](mod@bench)
//! (`bench`). They share
//! [`parquet_file`] (opening and checking a file), [`column_chunk`] (a column chunk read
//! as `shred` stripes, batch by batch), [`page_header`] (page headers decoded from the
//! Thrift compact protocol), and from the `shred` library the fast JSON-lines writer
//! ([`shred::entry_json`]), values by logical type ([`shred::value_display`]) and the
//! tables every tool prints ([`shred::cli::table`], [`shred::cli::level_table`]).
//!
//! [`run`] is the library entry point the binary calls: it runs one command line against
//! a writer, file by file, and turns every failure into one [`Error`] that names the file.
//! A panic inside a file's inspection (the `parquet` crate can panic on some corrupt
//! input) is caught there and reported like any other corrupt-file error.
//!
//! ```
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("doc.parquet");
//! let schema = shred::Schema::parse(shred::fixtures::DOCUMENT_SCHEMA).unwrap();
//! let stripes = shred::shredder::shred_records(&schema, &shred::fixtures::document_records()).unwrap();
//! let bytes = shred::column_io::write_file(Vec::new(), &schema, Default::default(), [stripes]).unwrap();
//! std::fs::write(&path, bytes).unwrap();
//!
//! let mut out = Vec::new();
//! let path = path.to_str().unwrap();
//! shred_inspect::run(["shred-inspect", "levels", path, "--column", "DocId", "--format", "json"], &mut out).unwrap();
//! assert_eq!(
//!     String::from_utf8(out).unwrap(),
//!     "{\"column\":\"DocId\",\"row_group\":0,\"record\":0,\"r\":0,\"d\":0,\"value\":10}\n\
//!      {\"column\":\"DocId\",\"row_group\":0,\"record\":1,\"r\":0,\"d\":0,\"value\":20}\n"
//! );
//! ```

pub mod bench;
pub mod cat;
pub mod cli;
pub mod column_chunk;
pub mod error;
pub mod histogram;
pub mod levels;
pub mod meta;
pub mod page_header;
pub mod pages;
pub mod parquet_file;
pub mod record_trace;
pub mod schema_view;
pub mod variant;

use std::ffi::OsString;
use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

use shred::cli::ArgsErrors;
use shred::decryption_keys::DecryptionKeys;

pub use cli::{Cli, CliFormat, Command, Format};
pub use error::{Error, Result};
use parquet_file::{Need, ParquetFile};

/// How output is shaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Output {
    /// Tables or JSON.
    pub format: Format,
    /// Several files: tables get a heading per file, JSON objects a `"file"` key.
    pub multi: bool,
}

impl Output {
    /// Writes one JSON line: the object `fields`, after a leading `"file"` key naming `file`
    /// when several files are shown.
    pub fn json_line(
        &self,
        out: &mut dyn Write,
        file: &str,
        fields: serde_json::Value,
    ) -> std::io::Result<()> {
        let mut line = serde_json::Map::new();
        if self.multi {
            line.insert("file".into(), file.into());
        }
        match fields {
            serde_json::Value::Object(fields) => line.extend(fields),
            other => {
                line.insert("value".into(), other);
            }
        }
        writeln!(out, "{}", serde_json::Value::Object(line))
    }
}

/// Parses a command line (program name first) and runs it, writing to `out`.
pub fn run<I, T>(args: I, out: &mut dyn Write) -> Result<()>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let errors = ArgsErrors {
        usage: Error::usage,
        output: Error::Output,
    };
    shred::cli::run_with(args, out, errors, run_cli)
}

/// Runs a parsed command line, writing to `out`.
pub fn run_cli(cli: &Cli, out: &mut dyn Write) -> Result<()> {
    let (files, need, keys): (&[PathBuf], Need, &DecryptionKeys) = match &cli.command {
        Command::Schema(a) | Command::Meta(a) => (&a.files, Need::Footer, &a.keys),
        Command::Histogram(a) => (&a.files, Need::Reader, &a.keys),
        Command::Pages(a) => (&a.files, Need::PageIndex, &a.keys),
        Command::Levels(a) => (&a.files, Need::Reader, &a.keys),
        Command::Cat(a) => (&a.files, Need::Reader, &a.keys),
        Command::Record(a) => (&[], Need::Reader, &a.keys),
        Command::Variant(a) => (&a.files, Need::Reader, &a.keys),
        Command::Bench(a) => return bench::bench(a, out),
    };
    let record_files: Vec<PathBuf>;
    let (files, record_index) = match &cli.command {
        Command::Record(a) => {
            let (last, rest) = a.args.split_last().expect("clap requires two arguments");
            let n = last.parse::<u64>().map_err(|_| {
                Error::usage(format!(
                    "record: '{last}' is not a record index (usage: record FILE... N)"
                ))
            })?;
            record_files = rest.iter().map(PathBuf::from).collect();
            (record_files.as_slice(), n)
        }
        _ => (files, 0),
    };
    let format = match (cli.format, &cli.command) {
        (CliFormat::Table, _) => Format::Table,
        (CliFormat::Json, _) => Format::Json,
        (CliFormat::Message, Command::Schema(_)) => return schema_messages(files, keys, out),
        (CliFormat::Message, _) => {
            return Err(Error::usage(
                "--format message is for `schema` only (the others take table or json)",
            ));
        }
    };
    let output = Output {
        format,
        multi: files.len() > 1,
    };
    for (i, path) in files.iter().enumerate() {
        if output.multi && output.format == Format::Table {
            if i > 0 {
                writeln!(out)?;
            }
            writeln!(out, "== {} ==", path.display())?;
        }
        let name = path.display().to_string();
        let result = catch_unwind(AssertUnwindSafe(|| -> Result<()> {
            let file = ParquetFile::open(path, need, keys)?;
            match &cli.command {
                Command::Schema(_) => schema_view::schema(&file, &output, out),
                Command::Meta(_) => meta::meta(&file, &output, out),
                Command::Pages(a) => pages::pages(&file, &a.columns, &output, out),
                Command::Levels(a) => {
                    let selection = levels::Selection {
                        columns: a.columns.clone(),
                        row_group: a.row_group,
                        records: a.records.clone(),
                        limit: a.limit,
                    };
                    levels::levels(&file, &selection, &output, out)
                }
                Command::Cat(a) => {
                    let selection = cat::Selection {
                        columns: a.columns.clone(),
                        records: a.records.clone(),
                    };
                    let records = file.row_group_starts().last().copied().unwrap_or(0);
                    let total = selection
                        .records
                        .clone()
                        .map_or(records, |r| r.end.min(records).saturating_sub(r.start));
                    let progress = shred::cli::progress::progress_bar(total, "records", a.quiet);
                    let result = cat::cat(&file, &selection, &output, &progress, out);
                    progress.finish_and_clear();
                    result
                }
                Command::Record(_) => record_trace::record(&file, record_index, &output, out),
                Command::Histogram(_) => histogram::histogram(&file, &output, out),
                Command::Variant(a) => variant::variant(&file, &a.columns, &output, out),
                Command::Bench(_) => unreachable!("handled above"),
            }
        }));
        match result {
            Ok(result) => result?,
            Err(panic) => {
                let message = panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| panic.downcast_ref::<&str>().copied())
                    .unwrap_or("unknown panic");
                return Err(Error::input(
                    &name,
                    format!("corrupt file: the Parquet reader failed on it ({message})"),
                ));
            }
        }
    }
    out.flush()?;
    Ok(())
}

/// `schema --format message`: each file's schema as message-type text, which `shred` and
/// `shred-gen --schema` read. A schema the `parquet` crate's parser cannot read back is
/// still printed, with a warning on stderr that says why.
fn schema_messages(files: &[PathBuf], keys: &DecryptionKeys, out: &mut dyn Write) -> Result<()> {
    for path in files {
        let name = path.display().to_string();
        let file = ParquetFile::open(path, Need::Footer, keys)?;
        let text = file.schema.message_text();
        if files.len() > 1 {
            writeln!(out, "== {name} ==")?;
        }
        write!(out, "{text}")?;
        if let Err(e) = shred::Schema::parse(&text) {
            eprintln!("shred-inspect: {name}: warning: shred cannot read this schema back: {e}");
        }
    }
    out.flush()?;
    Ok(())
}
