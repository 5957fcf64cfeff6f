//! The `shred-inspect` binary: parses the command line and runs [`shred_inspect::run_cli`].
//!
//! Bad usage is reported by `clap` (exit 2). Every other failure is one line on stderr,
//! `shred-inspect: FILE: what is wrong`, with the error's exit code (2 bad input, 1
//! mismatch). Panics are caught by the library and reported as errors, so the default
//! panic hook is silenced (set `RUST_BACKTRACE` to see them). A closed output pipe
//! (`| head`) ends the command quietly.

use std::io::{BufWriter, Write};

use clap::Parser;
use shred_inspect::Cli;

fn main() {
    if std::env::var_os("RUST_BACKTRACE").is_none() {
        std::panic::set_hook(Box::new(|_| {}));
    }
    let cli = Cli::parse();
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let result =
        shred_inspect::run_cli(&cli, &mut out).and_then(|()| out.flush().map_err(Into::into));
    if let Err(e) = result {
        if e.is_broken_pipe() {
            std::process::exit(0);
        }
        let _ = out.flush();
        eprintln!("shred-inspect: {e}");
        std::process::exit(e.exit_code());
    }
}
