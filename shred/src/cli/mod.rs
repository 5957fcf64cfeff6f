//! The command line (feature `cli`): the `shred` command, and what the three tools share in
//! what a user sees.
//!
//! [`command`] is `shred` itself: [`run`] parses a command line and runs it against a
//! writer, as `shred_inspect::run` and `shred_gen::run` do, so tests run every tool in
//! process and the binaries are thin wrappers. Its record-reading subcommands have a
//! module each ([`levels`], [`roundtrip`], [`write`]) over [`input`] (the streamed records)
//! and [`progress`] (the progress bar on stderr). Shared by `shred`, `shred-gen` and
//! `shred-inspect`: [`Format`] (`--format table|json`), [`run_with`] (a tool's
//! `run(args, out)`: clap's errors as one usage line, `--help` and `--version` written to
//! the output), [`table`] (one table
//! style, streamed tables), [`level_table`] (the `levels` table) and [`progress`] (the
//! progress bar). Only this module uses clap, tabled and indicatif; the library without
//! the `cli` feature depends on none of them.

pub mod command;
pub mod input;
pub mod level_table;
pub mod levels;
pub mod progress;
pub mod roundtrip;
pub mod table;
pub mod write;

use std::ffi::OsString;
use std::io::{self, Write};

pub use command::{Cli, run, run_cli};

/// Output formats (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Tables for people.
    Table,
    /// JSON for programs (JSON lines where the output is a stream).
    Json,
}

/// Why a command line was not parsed.
#[derive(Debug)]
pub enum ArgsError {
    /// Bad usage: clap's message, on one line (exit code 2).
    Usage(String),
    /// Writing `--help` or `--version` to the output failed.
    Output(io::Error),
}

/// Parses a command line (program name first) for `C`. `Ok(None)` when it asked for
/// `--help` or `--version`, which are then written to `out`.
pub fn parse_args<C, I, T>(args: I, out: &mut dyn Write) -> Result<Option<C>, ArgsError>
where
    C: clap::Parser,
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    match C::try_parse_from(args) {
        Ok(cli) => Ok(Some(cli)),
        Err(e) if !e.use_stderr() => {
            write!(out, "{e}").map_err(ArgsError::Output)?;
            Ok(None)
        }
        Err(e) => Err(ArgsError::Usage(
            e.to_string()
                .lines()
                .next()
                .unwrap_or("bad usage")
                .to_string(),
        )),
    }
}

/// How a tool turns a failed parse into its own error: a usage message (exit code 2), or a
/// failure to write `--help`/`--version`.
pub struct ArgsErrors<E> {
    /// The usage error.
    pub usage: fn(String) -> E,
    /// The output error.
    pub output: fn(io::Error) -> E,
}

/// A tool's `run(args, out)`: parses the command line for `C` ([`parse_args`]) and runs
/// it with `run`, writing to `out`.
pub fn run_with<C, E, I, T>(
    args: I,
    out: &mut dyn Write,
    errors: ArgsErrors<E>,
    run: fn(&C, &mut dyn Write) -> Result<(), E>,
) -> Result<(), E>
where
    C: clap::Parser,
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    match parse_args::<C, _, _>(args, out) {
        Ok(Some(cli)) => run(&cli, out),
        Ok(None) => Ok(()),
        Err(ArgsError::Usage(message)) => Err((errors.usage)(message)),
        Err(ArgsError::Output(e)) => Err((errors.output)(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, clap::Parser)]
    #[command(name = "t", version)]
    struct Args {
        #[arg(long)]
        n: u8,
    }

    #[test]
    fn bad_usage_is_one_line() {
        let mut out = Vec::new();
        let Err(ArgsError::Usage(message)) = parse_args::<Args, _, _>(["t", "--n", "x"], &mut out)
        else {
            panic!("a usage error expected")
        };
        assert_eq!(
            message,
            "error: invalid value 'x' for '--n <N>': invalid digit found in string"
        );
        assert!(out.is_empty());
    }

    #[test]
    fn help_and_version_go_to_the_output() {
        let mut out = Vec::new();
        let parsed = parse_args::<Args, _, _>(["t", "--version"], &mut out).unwrap();
        assert!(parsed.is_none());
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!("t {}\n", env!("CARGO_PKG_VERSION"))
        );
        let parsed = parse_args::<Args, _, _>(["t", "--n", "3"], &mut Vec::new()).unwrap();
        assert_eq!(parsed.unwrap().n, 3);
    }
}
