//! The `shred` binary: parses the command line and runs [`shred::cli::run_cli`].
//!
//! Bad usage is reported by `clap` (exit 2). Every other failure is one line on stderr,
//! `shred: what is wrong`, with the error's exit code (2 bad input, 1 a failed check or
//! failed work, 3 a check that could not compare). A closed output pipe (`| head`) ends
//! the command quietly.

use std::io::{BufWriter, Write};

use clap::Parser;
use shred::cli::Cli;
use shred::cli::command::is_broken_pipe;

fn main() {
    // Row groups are freed and refilled: give their large buffers back to the kernel so
    // peak RSS stays the live row groups, whatever the input size.
    shred::usage::return_large_buffers_to_os();
    let cli = Cli::parse();
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let result = shred::cli::run_cli(&cli, &mut out);
    if let Err(e) = result {
        if is_broken_pipe(&e) {
            std::process::exit(0);
        }
        let _ = out.flush();
        eprintln!("shred: {e}");
        std::process::exit(e.exit_code());
    }
}
