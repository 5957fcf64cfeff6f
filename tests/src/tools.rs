//! The workspace binaries under test: built once per test process, run with `assert_cmd`.
//!
//! Cargo exposes `CARGO_BIN_EXE_<name>` only to a package's own tests, and `shred`,
//! `shred-gen` and `shred-inspect` live in other packages. So the first call to [`path`]
//! runs `cargo build --workspace --bins --tests` once (a no-op when they are fresh, e.g.
//! after `cargo test --workspace` built them; building the whole workspace with its tests
//! keeps cargo's feature unification the same as `cargo test --workspace`, where a `-p`
//! selection would rebuild arrow and parquet with another feature set) with the same profile and
//! target directory as the running test binary, found from its own path
//! (`<target>/<profile>/deps/<test>`). Cargo is the one running the tests (`$CARGO`).
//!
//! [`run`] runs a tool, asserts success and returns stdout; a failure panics with the
//! command line, the exit status and stderr, so a broken tool names itself in the test log.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

/// One of the workspace binaries.
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
    /// The binary's file name (without an executable suffix).
    pub fn name(self) -> &'static str {
        match self {
            Tool::Shred => "shred",
            Tool::ShredGen => "shred-gen",
            Tool::ShredInspect => "shred-inspect",
        }
    }
}

/// The directory holding the binaries of the running profile (`target/debug`), after
/// building them once.
fn bin_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let exe = std::env::current_exe().expect("the test binary knows its path");
        // <target>/<profile>/deps/<test binary>
        let dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("test binary lives in <target>/<profile>/deps")
            .to_path_buf();
        let target = dir.parent().expect("<target>/<profile> has a parent");
        let profile = dir
            .file_name()
            .and_then(|n| n.to_str())
            .expect("profile directory name is UTF-8");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut cmd = std::process::Command::new(cargo);
        cmd.current_dir(crate::workspace_dir())
            .args(["build", "--quiet", "--workspace", "--bins", "--tests"])
            .env("CARGO_TARGET_DIR", target);
        match profile {
            "debug" => {}
            "release" => {
                cmd.arg("--release");
            }
            other => {
                cmd.args(["--profile", other]);
            }
        }
        let out = cmd
            .output()
            .unwrap_or_else(|e| panic!("cannot run cargo to build the workspace binaries: {e}"));
        assert!(
            out.status.success(),
            "building the workspace binaries failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        dir
    })
}

/// The path of a workspace binary, built on first use.
pub fn path(tool: Tool) -> PathBuf {
    let path = bin_dir().join(format!("{}{}", tool.name(), std::env::consts::EXE_SUFFIX));
    assert!(
        path.is_file(),
        "{} was not built at {}",
        tool.name(),
        path.display()
    );
    path
}

/// An `assert_cmd` command for a workspace binary.
pub fn command(tool: Tool) -> assert_cmd::Command {
    assert_cmd::Command::new(path(tool))
}

/// Runs a tool with `args`; returns its output whatever the exit status.
pub fn output<I, S>(tool: Tool, args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    command(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", tool.name()))
}

/// Runs a tool with `args`, asserts exit code 0 and returns stdout.
pub fn run<I, S>(tool: Tool, args: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let args: Vec<std::ffi::OsString> = args.into_iter().map(|a| a.as_ref().into()).collect();
    let out = output(tool, &args);
    assert!(
        out.status.success(),
        "`{} {}` failed ({}):\n{}",
        tool.name(),
        args.iter()
            .map(|a| a.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" "),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap_or_else(|e| panic!("{} printed non-UTF-8 output: {e}", tool.name()))
}
