//! The Python interpreter with pyarrow and DuckDB, and the helper scripts in `tests/python/`.
//!
//! The interpreter is named by the environment variable [`PYTHON_VAR`] (`SHREDKIT_PYTHON`),
//! which `.ci/python-env` prints for a virtual environment holding the pinned packages of
//! `tests/python/requirements.txt`:
//!
//! ```text
//! eval "$(bash .ci/python-env)"   # export SHREDKIT_PYTHON=/…/venv/bin/python
//! ```
//!
//! The interop tests never skip: when the variable is unset, the interpreter does not run,
//! or `import pyarrow, duckdb` fails, [`python`] panics with a message saying what is
//! missing and how to set it up. The check runs once per test process.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The environment variable naming the Python interpreter.
pub const PYTHON_VAR: &str = "SHREDKIT_PYTHON";

const SETUP: &str = "set it up with `eval \"$(bash .ci/python-env)\"` from the workspace root \
                     (see tests/README.md)";

/// The interpreter, after checking that pyarrow and DuckDB import; panics with a clear
/// message otherwise.
pub fn python() -> &'static Path {
    static PYTHON: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let found = PYTHON.get_or_init(|| {
        let python = std::env::var_os(PYTHON_VAR)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| format!("{PYTHON_VAR} is not set: {SETUP}"))?;
        let python = PathBuf::from(python);
        let out = Command::new(&python)
            .args([
                "-c",
                "import pyarrow, duckdb; print(pyarrow.__version__, duckdb.__version__)",
            ])
            .output()
            .map_err(|e| {
                format!(
                    "{PYTHON_VAR}={}: cannot run it: {e}; {SETUP}",
                    python.display()
                )
            })?;
        if !out.status.success() {
            return Err(format!(
                "{PYTHON_VAR}={}: pyarrow and duckdb do not import ({}); {SETUP}",
                python.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(python)
    });
    match found {
        Ok(p) => p,
        Err(message) => panic!("{message}"),
    }
}

/// The path of a helper script in `tests/python/`.
pub fn script(name: &str) -> PathBuf {
    crate::crate_dir().join("python").join(name)
}

/// Runs `tests/python/<name>` with `args`, asserts success and returns stdout; a failure
/// panics with the command line and the script's stderr.
pub fn run_script<I, S>(name: &str, args: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let args: Vec<std::ffi::OsString> = args.into_iter().map(|a| a.as_ref().into()).collect();
    let out = Command::new(python())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .arg(script(name))
        .args(&args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {name}: {e}"));
    assert!(
        out.status.success(),
        "`python {name} {}` failed ({}):\n{}",
        args.iter()
            .map(|a| a.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" "),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap_or_else(|e| panic!("{name} printed non-UTF-8: {e}"))
}

/// Runs a script that prints one JSON document and parses it.
pub fn run_script_json<I, S>(name: &str, args: I) -> serde_json::Value
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let text = run_script(name, args);
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{name} printed invalid JSON ({e}):\n{text}"))
}
