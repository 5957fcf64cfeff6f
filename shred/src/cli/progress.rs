//! The progress bar of long commands: on stderr, only when stderr is a terminal.
//!
//! One look for every tool (`shred-gen`, `shred-inspect cat`, ...): elapsed time, a bar,
//! done/total in the command's unit, the rate in millions of units per second and the
//! time left. Hidden with `--quiet` or when stderr is redirected, so logs and pipes never
//! see it.

use std::io::IsTerminal;

pub use indicatif::ProgressBar;
use indicatif::{ProgressDrawTarget, ProgressState, ProgressStyle};

/// A progress bar over `total` units named `unit` (plural, e.g. "records"); hidden when
/// `quiet` or when stderr is not a terminal.
pub fn progress_bar(total: u64, unit: &str, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    let rate_unit = unit.to_string();
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{elapsed_precise}} [{{bar:40}}] {{human_pos}}/{{human_len}} {unit} ({{rate}}, eta {{eta}})"
        ))
        .expect("valid template")
        .with_key(
            "rate",
            move |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.2}M {rate_unit}/s", state.per_sec() / 1e6);
            },
        )
        .progress_chars("=> "),
    );
    bar
}
