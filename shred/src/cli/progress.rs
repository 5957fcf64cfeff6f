//! Progress bars of long commands, on stderr: only when stderr is a terminal and the
//! command was not given `--quiet`, so logs and pipes never see them.
//!
//! Two kinds, one look (indicatif; elapsed time, a bar, the rate in millions per second):
//! - [`progress_bar`]: a count the command advances itself (`shred-gen`'s records,
//!   `shred-inspect cat`'s records);
//! - [`ReadBar`]: a read of input bytes (of the file's size, when known) and records per
//!   second, for `shred write`, `levels` and `roundtrip`. A watcher thread copies the
//!   reader's [`ReadProgress`] into the bar every 100 ms, so the reader's threads never
//!   touch it. The bar appears only once a read has lasted a second (a short input shows
//!   nothing), and is erased when the read ends, whether it succeeded or not.

use std::io::IsTerminal;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
pub use indicatif::ProgressBar;
use indicatif::{ProgressDrawTarget, ProgressState, ProgressStyle};

use crate::json_reader::ReadProgress;

/// How long a read runs before its bar appears.
const SHOW_AFTER: Duration = Duration::from_secs(1);
/// How often the bar is updated.
const TICK: Duration = Duration::from_millis(100);

/// A progress bar following a read; erased when dropped.
pub struct ReadBar {
    bar: ProgressBar,
    /// Dropping it stops the watcher at once.
    stop: Option<Sender<()>>,
    watcher: Option<JoinHandle<()>>,
}

impl ReadBar {
    /// Follows `progress`; `total_bytes` is the input's size when known (not for stdin).
    /// Hidden with `quiet` or when stderr is not a terminal.
    pub fn start(progress: ReadProgress, total_bytes: Option<u64>, quiet: bool) -> Self {
        if quiet || !std::io::stderr().is_terminal() {
            return ReadBar {
                bar: ProgressBar::hidden(),
                stop: None,
                watcher: None,
            };
        }
        let bar = ProgressBar::with_draw_target(total_bytes, ProgressDrawTarget::hidden());
        let template = if total_bytes.is_some() {
            "{elapsed_precise} [{bar:40}] {binary_bytes}/{binary_total_bytes} ({msg})"
        } else {
            "{elapsed_precise} {spinner} {binary_bytes} ({msg})"
        };
        bar.set_style(
            ProgressStyle::with_template(template)
                .expect("valid template")
                .progress_chars("=> "),
        );
        let (stop, stopped) = crossbeam_channel::bounded(0);
        let watcher = {
            let bar = bar.clone();
            std::thread::Builder::new()
                .name("shred-progress".into())
                .spawn(move || watch(&bar, &progress, &stopped))
                .ok()
        };
        ReadBar {
            bar,
            stop: Some(stop),
            watcher,
        }
    }
}

/// Copies `progress` into `bar` every tick until `stopped` closes.
fn watch(bar: &ProgressBar, progress: &ReadProgress, stopped: &Receiver<()>) {
    let start = Instant::now();
    let mut shown = false;
    while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(TICK) {
        let elapsed = start.elapsed();
        if !shown && elapsed >= SHOW_AFTER {
            bar.set_draw_target(ProgressDrawTarget::stderr());
            shown = true;
        }
        let records = progress.records();
        let rate = records as f64 / elapsed.as_secs_f64().max(1e-9);
        bar.set_position(progress.bytes());
        bar.set_message(format!(
            "{:.2}M records, {:.2}M records/s",
            records as f64 / 1e6,
            rate / 1e6
        ));
    }
}

impl Drop for ReadBar {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(watcher) = self.watcher.take() {
            let _ = watcher.join();
        }
        self.bar.finish_and_clear();
    }
}

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
