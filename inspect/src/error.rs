//! The error type of `shred-inspect`: one line naming the file and what is wrong with it.
//!
//! Every error a user can cause (a missing, truncated, corrupt or non-Parquet file, an
//! unknown column path, a record index out of range, a bad option) is [`Error::Input`] and
//! exits with code 2; a file whose own metadata disagrees with its data (e.g. a level
//! histogram that does not match the levels) is [`Error::Mismatch`] and exits with 1, the
//! convention of every shredkit tool. Messages never span lines: the
//! `parquet` crate's multi-line texts are folded into one.

use std::fmt;

/// What went wrong, always with the file it concerns when there is one.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input: a file that cannot be read as Parquet, or a bad option. Exit code 2.
    #[error("{}", join(file, message))]
    Input {
        /// The file, as the user named it (absent for usage errors).
        file: Option<String>,
        /// What is wrong, on one line.
        message: String,
    },
    /// The file's metadata disagrees with its data. Exit code 1.
    #[error("{}", join(&Some(file.clone()), message))]
    Mismatch {
        /// The file.
        file: String,
        /// The first disagreement, fully described.
        message: String,
    },
    /// Writing the output failed (a full disk, a closed pipe). Exit code 1.
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
}

fn join(file: &Option<String>, message: &str) -> String {
    match file {
        Some(file) => format!("{file}: {message}"),
        None => message.to_string(),
    }
}

impl Error {
    /// Process exit code: 2 for bad input, 1 for a mismatch or an output failure.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input { .. } => 2,
            Error::Mismatch { .. } | Error::Output(_) => 1,
        }
    }

    /// Bad input concerning `file`.
    pub fn input(file: &str, message: impl fmt::Display) -> Self {
        Error::Input {
            file: Some(file.to_string()),
            message: one_line(&message.to_string()),
        }
    }

    /// A usage error not tied to a file.
    pub fn usage(message: impl fmt::Display) -> Self {
        Error::Input {
            file: None,
            message: one_line(&message.to_string()),
        }
    }

    /// A disagreement between the file's metadata and its data.
    pub fn mismatch(file: &str, message: impl fmt::Display) -> Self {
        Error::Mismatch {
            file: file.to_string(),
            message: one_line(&message.to_string()),
        }
    }

    /// A `shred` error while reading `file` at `place` (e.g. "row group 0, column a").
    /// Always bad input here: inspecting never writes files, so even I/O errors are about
    /// the file being read.
    pub fn shred(file: &str, place: &str, error: shred::Error) -> Self {
        let message = match &error {
            // The context repeats what `place` says; keep the cause.
            shred::Error::Parquet { source, .. } => strip_prefix(&source.to_string()).to_string(),
            other => other.to_string(),
        };
        Error::input(file, format!("{place}: {message}"))
    }

    /// A `parquet` error while reading `file`, with what was being read.
    pub fn parquet(file: &str, context: &str, error: parquet::errors::ParquetError) -> Self {
        Error::input(
            file,
            format!("{context}: {}", strip_prefix(&error.to_string())),
        )
    }

    /// True when the output was closed early (`shred-inspect levels f | head`): not a failure.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Output(e) if e.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

/// The `parquet` crate prefixes its messages with "Parquet error: "; the context says it.
fn strip_prefix(message: &str) -> &str {
    message.strip_prefix("Parquet error: ").unwrap_or(message)
}

/// Folds a message onto one line.
fn one_line(message: &str) -> String {
    if message.contains(['\n', '\r']) {
        message.split_whitespace().collect::<Vec<_>>().join(" ")
    } else {
        message.to_string()
    }
}

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_error_names_the_file_and_exits_2() {
        let e = Error::input("a.parquet", "not a Parquet file");
        assert_eq!(e.to_string(), "a.parquet: not a Parquet file");
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn multi_line_messages_are_folded() {
        let e = Error::input("f", "first\n  second\r\nthird");
        assert_eq!(e.to_string(), "f: first second third");
    }

    #[test]
    fn parquet_prefix_is_dropped() {
        let e = Error::parquet(
            "f",
            "reading footer",
            parquet::errors::ParquetError::General("bad".into()),
        );
        assert_eq!(e.to_string(), "f: reading footer: bad");
    }

    #[test]
    fn mismatch_exits_1() {
        let e = Error::mismatch("f", "histogram differs");
        assert_eq!(e.to_string(), "f: histogram differs");
        assert_eq!(e.exit_code(), 1);
    }
}
