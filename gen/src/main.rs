//! The `shred-gen` binary: process-wide setup, then [`shred_gen::cli::run_cli`].
//!
//! Bad usage is reported by `clap` (exit 2). Every other failure is one line on stderr,
//! `shred-gen: error: what is wrong`, with the error's exit code (2 bad usage, 1 failed
//! work, 130 interrupted). A closed output pipe (`| head`) ends the command quietly.

use std::io::Write;

use clap::Parser;
use shred_gen::cli::{Cli, is_broken_pipe, run_cli};

fn main() {
    // Peak RSS must not depend on the dataset size: see the function's docs.
    shred::usage::return_large_buffers_to_os();
    let cli = Cli::parse();
    if cli.command.is_none() {
        // Ctrl-C stops the pipeline and removes unfinished files (not for `bench`, whose
        // child processes get the signal themselves).
        shred_gen::interrupt::install();
    }
    let mut out = std::io::stdout().lock();
    if let Err(e) = run_cli(&cli, &mut out) {
        if is_broken_pipe(&e) {
            std::process::exit(0);
        }
        let _ = out.flush();
        eprintln!("shred-gen: error: {e}");
        std::process::exit(e.exit_code());
    }
}
