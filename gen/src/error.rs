//! The error type of `shred-gen`: what failed, where, and which exit code it maps to.
//!
//! As in every shredkit tool, bad usage or bad input (an invalid distribution, an
//! unknown compression) exits with 2; a failure of the work itself (an unwritable directory,
//! a full disk, a file that does not read back, a verification mismatch) exits with 1.

use std::path::PathBuf;

/// Errors of the generator's pipeline, verification and command line.
#[derive(Debug, thiserror::Error)]
pub enum GenError {
    /// Bad usage: flags or values that cannot be run.
    #[error("{0}")]
    Usage(String),
    /// An invalid distribution.
    #[error("invalid distribution: {0}")]
    Distribution(#[from] crate::distribution::DistributionError),
    /// A spec that cannot be used with its schema: the spec line, the schema path, why.
    #[error("invalid spec: {0}")]
    Spec(#[from] crate::spec::SpecError),
    /// An I/O error on a file.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A Parquet error while writing or reading a file.
    #[error("{}: {context}: {source}", path.display())]
    Parquet {
        /// The file concerned.
        path: PathBuf,
        /// What was being done.
        context: String,
        /// The underlying error.
        source: parquet::errors::ParquetError,
    },
    /// An error of the `shred` crate (column I/O, output files).
    #[error("{}: {source}", path.display())]
    Shred {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        source: shred::Error,
    },
    /// Work that failed for a reason without a file of its own (a bench run, a thread pool).
    #[error("{0}")]
    Failed(String),
    /// A file left unwritten because another part of the run failed first.
    #[error("{}: not written because another file failed", path.display())]
    Aborted {
        /// The file left unwritten.
        path: PathBuf,
    },
    /// Ctrl-C or a termination signal stopped the run ([`crate::interrupt`]).
    #[error("interrupted: files not yet complete were removed, complete ones kept")]
    Interrupted,
    /// A written file differs from the regenerated records.
    #[error("verification failed: {}: {message}", path.display())]
    Mismatch {
        /// The file that differs.
        path: PathBuf,
        /// The first difference: row group, record, column, entry and both values.
        message: String,
    },
}

impl GenError {
    /// Process exit code: 2 for bad usage or input, 1 for failed work.
    pub fn exit_code(&self) -> i32 {
        match self {
            GenError::Usage(_) | GenError::Distribution(_) | GenError::Spec(_) => 2,
            GenError::Interrupted => 130,
            _ => 1,
        }
    }

    /// A Parquet error on `path` while doing `context`.
    pub fn parquet(
        path: impl Into<PathBuf>,
        context: impl Into<String>,
        source: parquet::errors::ParquetError,
    ) -> Self {
        GenError::Parquet {
            path: path.into(),
            context: context.into(),
            source,
        }
    }

    /// A `shred` error on `path`.
    pub fn shred(path: impl Into<PathBuf>, source: shred::Error) -> Self {
        GenError::Shred {
            path: path.into(),
            source,
        }
    }
}

/// Result with [`GenError`].
pub type Result<T, E = GenError> = std::result::Result<T, E>;
