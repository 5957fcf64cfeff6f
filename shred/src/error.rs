//! The error type of the `shred` crate: what went wrong, with where it went wrong.
//!
//! Every variant carries enough context for a one-line message a user can act on (file,
//! record, field path, what was expected). [`Error::exit_code`] maps the variants onto the
//! command-line convention every shredkit tool follows: 0 success, 1 for a failed check, 2 for
//! bad usage or bad input; 3 for a check that could not compare (`shred verify` on a file
//! our readers read but arrow-rs cannot).

/// Errors of the schema model, shredder, assembler and column I/O.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The schema text could not be parsed or is not a valid Parquet schema.
    #[error("invalid schema: {message}")]
    Schema {
        /// What is wrong.
        message: String,
    },
    /// Input that cannot be read or parsed (JSON, files).
    #[error("{message}")]
    Input {
        /// What is wrong, naming the file or line.
        message: String,
    },
    /// A record that does not fit the schema.
    #[error("record {record}{line}: field {path}: {message}", line = line.map(|l| format!(" (line {l})")).unwrap_or_default())]
    Record {
        /// Zero-based record index.
        record: usize,
        /// One-based input line, when the input is line-delimited.
        line: Option<usize>,
        /// Field path inside the record, e.g. `Name[1].Language[0].Code`.
        path: String,
        /// What was expected and what was found.
        message: String,
    },
    /// Levels that no valid record can produce (corrupt or inconsistent stripes).
    #[error("column {column}, entry {entry}: {message}")]
    Levels {
        /// Dotted leaf path.
        column: String,
        /// Entry index in the stripe.
        entry: usize,
        /// What is inconsistent.
        message: String,
    },
    /// An error from the `parquet` crate, with the file it concerns.
    #[error("{context}: {source}")]
    Parquet {
        /// File or operation.
        context: String,
        /// The underlying error.
        source: parquet::errors::ParquetError,
    },
    /// An I/O error, with the file it concerns.
    #[error("{context}: {source}")]
    Io {
        /// File or operation.
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A check that found a difference (round trip, verify, cross-check).
    #[error("{message}")]
    Mismatch {
        /// The first difference, fully described.
        message: String,
    },
    /// A check with nothing to compare with: our side was checked, the other side cannot
    /// read the input (`shred verify` on a file arrow-rs cannot read).
    #[error("{message}")]
    NotCompared {
        /// Why, and what our side checked.
        message: String,
    },
}

impl Error {
    /// Process exit code: 1 for a failed check or failed work, 2 for bad input, 3 for a
    /// check that could not compare.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Mismatch { .. } | Error::Io { .. } => 1,
            Error::NotCompared { .. } => 3,
            _ => 2,
        }
    }

    /// Wraps a `parquet` error with its context.
    pub fn parquet(context: impl Into<String>, source: parquet::errors::ParquetError) -> Self {
        Error::Parquet {
            context: context.into(),
            source,
        }
    }

    /// Wraps an I/O error with its context.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }
}

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
