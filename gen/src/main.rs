//! The `shred-gen` binary: generate the Contact dataset, or `shred-gen bench`.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use shred_gen::bench::bench;
use shred_gen::cli::{Cli, Command, generate};

fn main() -> ExitCode {
    // Peak RSS must not depend on the dataset size: see the function's docs.
    shred::usage::return_large_buffers_to_os();
    let cli = Cli::parse();
    let result = match &cli.command {
        None => {
            // Ctrl-C stops the pipeline and removes unfinished files (not for `bench`,
            // whose child processes get the signal themselves).
            shred_gen::interrupt::install();
            generate(&cli.generate)
        }
        Some(Command::Bench(args)) => bench(args, &mut |line| eprintln!("{line}")).map(|report| {
            if args.json {
                format!("{}\n", serde_json::to_string_pretty(&report).expect("JSON"))
            } else {
                report.tables(args)
            }
        }),
    };
    match result {
        Ok(out) => {
            // A closed stdout (e.g. `| head`) is not an error of the work.
            let _ = std::io::stdout().write_all(out.as_bytes());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("shred-gen: error: {e}");
            ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(1))
        }
    }
}
