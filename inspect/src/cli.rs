//! The command line: subcommands, their options, and the output format.
//!
//! Parsed by `clap` (derive). Every inspecting subcommand takes one or more files and
//! `--format table|json` (tables by default) and the keys of encrypted files
//! (`--footer-key`, `--column-key`, `--aad-prefix`: [`DecryptionKeys`], the options
//! `shred verify` takes too); `record` takes its files followed by the record index.
//! `bench` measures `levels --format json`.

use std::ops::Range;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
pub use shred::cli::Format;
use shred::decryption_keys::DecryptionKeys;

/// Shows what is inside any Parquet file: schema, metadata, pages, the repetition and
/// definition levels of every value, one record traced, level histograms.
#[derive(Debug, Parser)]
#[command(name = "shred-inspect", version, about, long_about = None)]
pub struct Cli {
    /// Output format (`message`: `schema` only, the schema as message-type text).
    #[arg(long, global = true, value_enum, default_value_t = CliFormat::Table)]
    pub format: CliFormat,
    /// What to show.
    #[command(subcommand)]
    pub command: Command,
}

/// What `--format` accepts: the tools' [`Format`]s, and for `schema` the message-type text
/// that `shred --schema` and `shred-gen --schema` read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CliFormat {
    /// Tables for people.
    Table,
    /// JSON for programs (JSON lines where the output is a stream).
    Json,
    /// `schema` only: message-type text.
    Message,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The schema tree: repetition, physical and logical types, and for every leaf its
    /// dotted path, column index and maximum repetition/definition levels.
    Schema(FilesArgs),
    /// File metadata, then every row group and column chunk: sizes, encodings,
    /// compression, offsets, statistics, level histograms.
    Meta(FilesArgs),
    /// Every page of every column chunk: type, values, rows, encodings, sizes, first row.
    Pages(PagesArgs),
    /// Every entry (value or null, r, d) of the selected leaf columns.
    Levels(LevelsArgs),
    /// One record traced: its entries in every column (with their page), then the record
    /// reassembled by the Dremel assembly FSM.
    Record(RecordArgs),
    /// The records, assembled from the selected columns by the Dremel FSM: JSON lines in
    /// the canonical form `shred write` reads, or a table with values by logical type.
    /// VARIANT values are unshredded and printed as JSON, which loses the variant types
    /// JSON lacks (int widths, dates, binaries).
    Cat(CatArgs),
    /// Per column, the number of entries at each definition and repetition level, checked
    /// against the file's own level histograms where it has them.
    Histogram(FilesArgs),
    /// Per VARIANT column, its shredding: per path the typed_value's type and how often
    /// each state occurs (missing, value only, typed only, partially shredded), and the
    /// layouts the spec forbids with the first record that has each (exit 1).
    Variant(PagesArgs),
    /// Benchmark: `levels --format json` on a Contact file, written to /dev/null.
    Bench(BenchArgs),
}

/// One or more files.
#[derive(Debug, Args)]
pub struct FilesArgs {
    /// Parquet files.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Keys of encrypted files.
    #[command(flatten)]
    pub keys: DecryptionKeys,
}

/// Options of `pages` and `variant`: files, and columns to show (for `variant`, a VARIANT
/// group path or a path inside it).
#[derive(Debug, Args)]
pub struct PagesArgs {
    /// Parquet files.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Keys of encrypted files.
    #[command(flatten)]
    pub keys: DecryptionKeys,
    /// Only this column (a dotted leaf path, or a group path for all leaves under it);
    /// repeat for more.
    #[arg(long = "column", value_name = "PATH")]
    pub columns: Vec<String>,
}

/// Options of `levels`.
#[derive(Debug, Args)]
pub struct LevelsArgs {
    /// Parquet files.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Keys of encrypted files.
    #[command(flatten)]
    pub keys: DecryptionKeys,
    /// Only this column (a dotted leaf path, or a group path for all leaves under it);
    /// repeat for more.
    #[arg(long = "column", value_name = "PATH")]
    pub columns: Vec<String>,
    /// Only this row group.
    #[arg(long, value_name = "N")]
    pub row_group: Option<usize>,
    /// Only these records (file-wide indexes): `A..B` (B excluded), `A..`, `..B` or `N`.
    #[arg(long, value_name = "A..B", value_parser = parse_records)]
    pub records: Option<Range<u64>>,
    /// At most N entries per column.
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,
}

/// Options of `cat`.
#[derive(Debug, Args)]
pub struct CatArgs {
    /// Parquet files.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Only these columns (dotted leaf or group paths, comma-separated or repeated); the
    /// records hold just the fields above them.
    #[arg(long, alias = "column", value_delimiter = ',', value_name = "PATH,...")]
    pub columns: Vec<String>,
    /// Only these records (file-wide indexes): `A..B` (B excluded), `A..`, `..B` or `N`.
    #[arg(long, value_name = "A..B", value_parser = parse_records)]
    pub records: Option<Range<u64>>,
    /// No progress bar (it is shown only when stderr is a terminal).
    #[arg(long, short)]
    pub quiet: bool,
    /// Keys of encrypted files.
    #[command(flatten)]
    pub keys: DecryptionKeys,
}

/// Options of `record`.
#[derive(Debug, Args)]
pub struct RecordArgs {
    /// Parquet files, then the record index (file-wide, from 0).
    #[arg(required = true, num_args = 2.., value_name = "FILE... N")]
    pub args: Vec<String>,
    /// Keys of encrypted files.
    #[command(flatten)]
    pub keys: DecryptionKeys,
}

/// Options of `bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// The Contact file to benchmark (written by shred-gen, e.g. by
    /// inspect/bench/levels_json.sh).
    #[arg(long, value_name = "FILE")]
    pub file: PathBuf,
    /// Timed runs per measurement; the table shows the median.
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
}

/// Parses `A..B`, `A..`, `..B` or `N` into a half-open range of record indexes.
pub fn parse_records(text: &str) -> Result<Range<u64>, String> {
    let number = |s: &str| {
        s.trim()
            .parse::<u64>()
            .map_err(|_| format!("'{s}' is not a record index (expected A..B, A.., ..B or N)"))
    };
    let range = match text.split_once("..") {
        Some((a, b)) => {
            let start = if a.trim().is_empty() { 0 } else { number(a)? };
            let end = if b.trim().is_empty() {
                u64::MAX
            } else {
                number(b)?
            };
            start..end
        }
        None => {
            let n = number(text)?;
            n..n.saturating_add(1)
        }
    };
    if range.start > range.end {
        return Err(format!("empty range {text}: the start is after the end"));
    }
    Ok(range)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_ranges() {
        assert_eq!(parse_records("3..7"), Ok(3..7));
        assert_eq!(parse_records("3.."), Ok(3..u64::MAX));
        assert_eq!(parse_records("..7"), Ok(0..7));
        assert_eq!(parse_records("5"), Ok(5..6));
        assert!(parse_records("7..3").is_err());
        assert!(parse_records("x..3").unwrap_err().contains("'x'"));
    }

    #[test]
    fn cli_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
