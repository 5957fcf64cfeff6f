//! Ctrl-C (and SIGTERM, SIGHUP) as a request to stop, so an interrupted run cleans up.
//!
//! Output files are written under hidden temporary names and renamed only when complete
//! ([`shred::output::OutputFile`]); a process killed outright leaves its temporary files
//! behind. With [`install`], the first signal only raises a flag: the pipeline's producers
//! stop at their next row group, writers drop (and so delete) their unfinished files, and
//! the run ends with [`crate::error::GenError::Interrupted`] (exit code 130). A second
//! signal exits at once, for work that does not poll the flag.

use std::sync::atomic::{AtomicBool, Ordering};

static REQUESTED: AtomicBool = AtomicBool::new(false);

/// Installs the signal handler; false if one could not be installed (the signals then
/// keep their default effect: the process ends, leaving only hidden temporary files).
pub fn install() -> bool {
    ctrlc::set_handler(|| {
        if REQUESTED.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
    })
    .is_ok()
}

/// Whether a stop was requested.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}
