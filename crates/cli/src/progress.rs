//! The progress bar of a long pass, drawn on stderr when it is a terminal, and the log writer
//! that keeps log lines whole while a bar is drawn.
//!
//! A bar shows the flow, its phase, the records done, the total when the source reported it
//! (else a spinner with the count) and the rate. It appears only once a pass has run for
//! [`SHOW_AFTER`], so the passes of a quiet daemon draw nothing.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use tandem_engine::progress::{Progress, ProgressObserver};

/// How long a pass runs before its bar appears.
const SHOW_AFTER: Duration = Duration::from_millis(500);

/// How often the spinner moves while no count changes.
const TICK: Duration = Duration::from_millis(120);

static ENABLED: AtomicBool = AtomicBool::new(false);

/// Turns progress bars on when `terminal` is true: stderr is a terminal and logs are text.
pub fn enable(terminal: bool) {
    ENABLED.store(terminal, Ordering::Relaxed);
}

/// Returns the observer that draws bars, or `None` when bars are off.
pub fn observer() -> Option<Arc<dyn ProgressObserver>> {
    if !ENABLED.load(Ordering::Relaxed) {
        return None;
    }
    Some(Arc::new(TerminalProgress::default()))
}

/// Runs `future` with progress bars for its passes when bars are on.
pub async fn with_bars<F: Future>(future: F) -> F::Output {
    match observer() {
        Some(observer) => tandem_engine::progress::observe(observer, future).await,
        None => future.await,
    }
}

/// Returns the one set of bars on stderr, which log lines are written around.
fn bars() -> &'static MultiProgress {
    static BARS: OnceLock<MultiProgress> = OnceLock::new();
    BARS.get_or_init(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()))
}

/// A `tracing` writer to stderr that clears the bars for each log line and draws them again
/// below it.
#[derive(Clone, Copy)]
pub struct LogWriter;

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogWriter {
    type Writer = LogWriter;

    fn make_writer(&'a self) -> LogWriter {
        LogWriter
    }
}

impl Write for LogWriter {
    fn write(&mut self, buffer: &[u8]) -> std::io::Result<usize> {
        // The fmt layer writes each event in one call, so one suspend keeps a line whole.
        bars().suspend(|| std::io::stderr().write_all(buffer))?;
        Ok(buffer.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// Draws one bar per pass.
#[derive(Default)]
struct TerminalProgress {
    pass: Mutex<Option<PassBar>>,
}

/// The bar of the pass in progress, made once the pass has run for [`SHOW_AFTER`].
struct PassBar {
    flow: String,
    started: Instant,
    bar: Option<ProgressBar>,
    /// The phase and whether the total was known when the style was last set.
    shown: Option<(tandem_engine::progress::Phase, bool)>,
}

impl ProgressObserver for TerminalProgress {
    fn update(&self, progress: &Progress) {
        let mut pass = self.lock();
        if pass.as_ref().is_none_or(|pass| pass.flow != progress.flow) {
            *pass = Some(PassBar {
                flow: progress.flow.clone(),
                started: Instant::now(),
                bar: None,
                shown: None,
            });
        }
        let Some(pass) = pass.as_mut() else {
            return;
        };
        if pass.bar.is_none() && pass.started.elapsed() >= SHOW_AFTER {
            let bar = bars().add(ProgressBar::no_length());
            bar.set_prefix(progress.flow.clone());
            bar.enable_steady_tick(TICK);
            pass.bar = Some(bar);
        }
        let Some(bar) = &pass.bar else {
            return;
        };
        let shape = (progress.phase, progress.total.is_some());
        if pass.shown != Some(shape) {
            // A new phase has its own rate and estimate.
            bar.reset();
        }
        match progress.total {
            Some(total) => bar.set_length(total),
            None => bar.unset_length(),
        }
        bar.set_position(progress.done);
        if pass.shown != Some(shape) {
            // The style is set after the counts, so the first frame of a phase shows them.
            bar.set_style(style(progress.total.is_some()));
            bar.set_message(progress.phase.as_str());
            pass.shown = Some(shape);
        }
    }

    fn finished(&self, _flow: &str) {
        if let Some(pass) = self.lock().take()
            && let Some(bar) = pass.bar
        {
            bar.finish_and_clear();
            bars().remove(&bar);
        }
    }
}

impl TerminalProgress {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<PassBar>> {
        // The bar state stays usable after a panic elsewhere: at worst a bar is redrawn.
        self.pass
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Returns the style of a bar with a known total, or of a spinner with a count.
fn style(total_known: bool) -> ProgressStyle {
    let template = if total_known {
        "{spinner} {prefix}: {msg} [{bar:30}] {pos}/{len} records, {rate}, {eta} left"
    } else {
        "{spinner} {prefix}: {msg} {pos} records, {rate}"
    };
    // The templates are fixed, so a parse error is a bug caught by the tests below.
    ProgressStyle::with_template(template)
        .expect("the progress templates are valid")
        .progress_chars("=> ")
        .with_key(
            "rate",
            |state: &ProgressState, out: &mut dyn std::fmt::Write| {
                let _ = write!(out, "{:.0} records/s", state.per_sec());
            },
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_templates_parse() {
        let _ = style(true);
        let _ = style(false);
    }

    #[test]
    fn observer_is_off_unless_enabled() {
        enable(false);
        assert!(observer().is_none());
    }
}
