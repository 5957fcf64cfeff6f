//! The workspace's three tools, run in process through their library entry points.
//!
//! `shred`, `shred-gen` and `shred-inspect` each expose `run(args, out)`: the command line
//! (program name first) parsed and run against a writer, exactly what the binary does
//! around its process-wide setup. [`output`] runs one and returns its [`Outcome`]: what it
//! printed, the exit code its error maps to (each tool's `Error::exit_code`) and the
//! error's text, which the binary prints on stderr after the tool's name. [`run`] asserts
//! success and returns stdout; a failure panics with the command line, the exit code and
//! the error, so a broken tool names itself in the test log. No test builds or spawns the
//! binaries: tests that need a process of their own (signals, closed pipes) live in the
//! tool's own package, where cargo provides `CARGO_BIN_EXE_<name>`.

use std::ffi::{OsStr, OsString};

/// One of the workspace's tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// `shred` (crate `shred`): levels, roundtrip, fsm, write, verify.
    Shred,
    /// `shred-gen` (crate `shred-gen`): the Contact dataset generator.
    ShredGen,
    /// `shred-inspect` (crate `shred-inspect`): schema, meta, pages, levels, record, histogram.
    ShredInspect,
}

impl Tool {
    /// The binary's name.
    pub fn name(self) -> &'static str {
        match self {
            Tool::Shred => "shred",
            Tool::ShredGen => "shred-gen",
            Tool::ShredInspect => "shred-inspect",
        }
    }
}

/// What a run of a tool gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The process exit code the run maps to: 0, or the error's exit code.
    pub code: i32,
    /// What the tool wrote to its output.
    pub stdout: String,
    /// The error's text (what the binary prints on stderr after `<tool>: `), if it failed.
    pub error: Option<String>,
}

impl Outcome {
    /// True when the run succeeded (exit code 0).
    pub fn success(&self) -> bool {
        self.code == 0
    }
}

/// Runs a tool with `args`; returns its outcome whatever it is.
pub fn output<I, S>(tool: Tool, args: I) -> Outcome
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut argv: Vec<OsString> = vec![tool.name().into()];
    argv.extend(args.into_iter().map(|a| a.as_ref().to_os_string()));
    let mut out = Vec::new();
    let error = match tool {
        Tool::Shred => shred::cli::run(argv, &mut out).map_err(|e| (e.exit_code(), e.to_string())),
        Tool::ShredGen => {
            shred_gen::run(argv, &mut out).map_err(|e| (e.exit_code(), e.to_string()))
        }
        Tool::ShredInspect => {
            shred_inspect::run(argv, &mut out).map_err(|e| (e.exit_code(), e.to_string()))
        }
    }
    .err();
    Outcome {
        code: error.as_ref().map_or(0, |(code, _)| *code),
        stdout: String::from_utf8(out)
            .unwrap_or_else(|e| panic!("{} printed non-UTF-8 output: {e}", tool.name())),
        error: error.map(|(_, text)| text),
    }
}

/// Runs a tool with `args`, asserts success and returns stdout.
pub fn run<I, S>(tool: Tool, args: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let args: Vec<OsString> = args.into_iter().map(|a| a.as_ref().into()).collect();
    let outcome = output(tool, &args);
    assert!(
        outcome.success(),
        "`{} {}` failed (exit {}): {}",
        tool.name(),
        args.iter()
            .map(|a| a.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" "),
        outcome.code,
        outcome.error.as_deref().unwrap_or_default()
    );
    outcome.stdout
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_carry_the_exit_code_and_the_error() {
        let outcome = output(Tool::Shred, ["verify", "/nonexistent/x.parquet"]);
        assert_eq!(outcome.code, 2);
        let error = outcome.error.expect("an error");
        assert!(error.contains("/nonexistent/x.parquet"), "{error}");
        let outcome = output(Tool::ShredInspect, ["frobnicate"]);
        assert_eq!(outcome.code, 2);
        let outcome = output(Tool::ShredGen, ["--compression", "zip", "--dry-run"]);
        assert_eq!(outcome.code, 2);
        assert!(
            outcome.error.unwrap().contains("expected none, snappy"),
            "the codec error"
        );
    }

    #[test]
    fn version_is_printed_to_the_output() {
        for tool in [Tool::Shred, Tool::ShredGen, Tool::ShredInspect] {
            let out = run(tool, ["--version"]);
            assert_eq!(
                out,
                format!("{} {}\n", tool.name(), env!("CARGO_PKG_VERSION"))
            );
        }
    }
}
