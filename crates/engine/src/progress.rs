//! Progress of a running pass, for a progress bar in a terminal.
//!
//! A caller that wants progress runs a pass inside [`observe`]. The pass then reports through
//! the free functions of this module: which phase it is in, how many records it has read or
//! written, and how many it expects when the source says so (NetSuite's `totalRecords` of a
//! search, the `totalSize` of a SOQL query). Outside [`observe`] every report does nothing, so
//! passes run by the server or by tests pay nothing for it.
//!
//! The reports travel in a task-local value rather than through [`crate::RecordPort`], so a
//! port wrapped in others (metrics, dry run) reports its pages without each wrapper passing
//! them on. A pass that spawns tasks reports nothing from them.

use std::future::Future;
use std::sync::{Arc, Mutex};

/// The phase a pass is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Reading the change feeds page by page.
    Reading,
    /// Matching and planning, with no count to show.
    Planning,
    /// Writing to the other side.
    Writing,
}

impl Phase {
    /// Returns the phase as a lower-case word for a progress line.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Reading => "reading",
            Phase::Planning => "matching",
            Phase::Writing => "writing",
        }
    }
}

/// The progress of a pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub flow: String,
    pub phase: Phase,
    /// Records read so far (while reading) or records written so far (while writing).
    pub done: u64,
    /// The number of records the phase expects, when known. While reading, it is known only
    /// when every feed read so far reported its total.
    pub total: Option<u64>,
}

/// Receives the progress of the passes run inside [`observe`].
pub trait ProgressObserver: Send + Sync {
    /// Called when a pass starts, and again each time its progress changes.
    fn update(&self, progress: &Progress);

    /// Called when the pass of `flow` ends, whether it completed or failed.
    fn finished(&self, flow: &str);
}

/// The counting state of the pass in progress.
#[derive(Debug)]
struct Counter {
    progress: Progress,
    /// Records of the feeds finished in this pass.
    read_before: u64,
    /// True while a change feed is being read, so that pages of look-ups are not counted.
    in_feed: bool,
    /// True while every finished feed reported its total.
    totals_known: bool,
    /// True once the feed being read reported its total.
    feed_total_reported: bool,
}

impl Counter {
    fn new(flow: &str) -> Counter {
        Counter {
            progress: Progress {
                flow: flow.to_string(),
                phase: Phase::Reading,
                done: 0,
                total: Some(0),
            },
            read_before: 0,
            in_feed: false,
            totals_known: true,
            feed_total_reported: false,
        }
    }
}

struct Scope {
    observer: Arc<dyn ProgressObserver>,
    counter: Mutex<Option<Counter>>,
}

tokio::task_local! {
    static SCOPE: Arc<Scope>;
}

/// Runs `future` (passes of one or more flows) with `observer` receiving their progress.
pub async fn observe<F: Future>(observer: Arc<dyn ProgressObserver>, future: F) -> F::Output {
    let scope = Arc::new(Scope {
        observer,
        counter: Mutex::new(None),
    });
    SCOPE.scope(scope, future).await
}

/// Changes the counter of the pass in progress, if one is observed, and sends the observer
/// the new progress.
fn change(apply: impl FnOnce(&mut Counter)) {
    let _ = SCOPE.try_with(|scope| {
        let progress = {
            let mut counter = scope
                .counter
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let Some(counter) = counter.as_mut() else {
                return;
            };
            apply(counter);
            counter.progress.clone()
        };
        scope.observer.update(&progress);
    });
}

/// Reports the start of a pass of `flow`.
pub(crate) fn pass_started(flow: &str) {
    let _ = SCOPE.try_with(|scope| {
        let counter = Counter::new(flow);
        let progress = counter.progress.clone();
        *scope
            .counter
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(counter);
        scope.observer.update(&progress);
    });
}

/// Reports the end of the pass in progress.
pub(crate) fn pass_finished(flow: &str) {
    let _ = SCOPE.try_with(|scope| {
        scope
            .counter
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        scope.observer.finished(flow);
    });
}

/// Reports that a change feed starts being read. Its pages count until [`feed_finished`].
pub(crate) fn feed_started() {
    change(|counter| {
        counter.in_feed = true;
        counter.feed_total_reported = false;
        counter.progress.phase = Phase::Reading;
        counter.progress.done = counter.read_before;
        // Unknown until the feed's first page reports it.
        counter.progress.total = None;
    });
}

/// Reports a page of the change feed being read: `fetched` records of this query so far, and
/// the query's `total` when the source reports one. Clients call this for every query they
/// page through; pages outside a change feed (look-ups by ID or key) are not counted. A query
/// that starts again after a retry reports from zero again.
pub fn page_read(fetched: u64, total: Option<u64>) {
    change(|counter| {
        if !counter.in_feed {
            return;
        }
        counter.progress.done = counter.read_before + fetched;
        counter.feed_total_reported |= total.is_some();
        counter.progress.total = match total {
            Some(total) if counter.totals_known => Some(counter.read_before + total.max(fetched)),
            _ => None,
        };
    });
}

/// Reports that the change feed being read returned `records` records in all.
pub(crate) fn feed_finished(records: u64) {
    change(|counter| {
        counter.in_feed = false;
        counter.read_before += records;
        counter.totals_known &= counter.feed_total_reported;
        counter.progress.done = counter.read_before;
        counter.progress.total = counter.totals_known.then_some(counter.read_before);
    });
}

/// Runs `read`, the read of one change feed, between [`feed_started`] and [`feed_finished`].
pub(crate) async fn read_feed<T, E, F>(read: F) -> Result<Vec<T>, E>
where
    F: Future<Output = Result<Vec<T>, E>>,
{
    feed_started();
    let result = read.await;
    let records = result.as_ref().map_or(0, |records| records.len() as u64);
    feed_finished(records);
    result
}

/// Reports that the pass matches and plans, which has no count to show.
pub(crate) fn planning() {
    change(|counter| {
        counter.progress.phase = Phase::Planning;
        counter.progress.done = 0;
        counter.progress.total = None;
    });
}

/// Reports that the pass starts writing `total` records.
pub(crate) fn writing(total: u64) {
    change(|counter| {
        counter.progress.phase = Phase::Writing;
        counter.progress.done = 0;
        counter.progress.total = Some(total);
    });
}

/// Reports that `count` more records were written, refused or left for the next pass.
pub(crate) fn written(count: u64) {
    change(|counter| counter.progress.done += count);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keeps every progress it receives.
    #[derive(Default)]
    pub(crate) struct Recorder {
        pub updates: Mutex<Vec<Progress>>,
        pub finished: Mutex<Vec<String>>,
    }

    impl ProgressObserver for Recorder {
        fn update(&self, progress: &Progress) {
            self.updates.lock().unwrap().push(progress.clone());
        }

        fn finished(&self, flow: &str) {
            self.finished.lock().unwrap().push(flow.to_string());
        }
    }

    fn last(recorder: &Recorder) -> Progress {
        recorder.updates.lock().unwrap().last().cloned().unwrap()
    }

    #[tokio::test]
    async fn reports_outside_observe_do_nothing() {
        pass_started("a");
        page_read(5, Some(10));
        written(3);
        pass_finished("a");
    }

    #[tokio::test]
    async fn pages_count_toward_reported_total() {
        let recorder = Arc::new(Recorder::default());
        observe(recorder.clone(), async {
            pass_started("account-customer");
            feed_started();
            page_read(1000, Some(2500));
            let after_page = last(&recorder);
            assert_eq!(after_page.done, 1000);
            assert_eq!(after_page.total, Some(2500));
            page_read(2000, Some(2500));
            page_read(2500, Some(2500));
            feed_finished(2500);
            feed_started();
            page_read(200, Some(300));
            let second_feed = last(&recorder);
            assert_eq!(second_feed.done, 2700);
            assert_eq!(second_feed.total, Some(2800));
        })
        .await;
    }

    #[tokio::test]
    async fn feed_without_total_makes_total_unknown() {
        let recorder = Arc::new(Recorder::default());
        observe(recorder.clone(), async {
            pass_started("item-to-price-book");
            feed_started();
            page_read(400, None);
            assert_eq!(last(&recorder).total, None);
            assert_eq!(last(&recorder).done, 400);
            feed_finished(400);
            feed_started();
            page_read(10, Some(20));
            assert_eq!(
                last(&recorder).total,
                None,
                "one unknown feed hides the total"
            );
            assert_eq!(last(&recorder).done, 410);
        })
        .await;
    }

    #[tokio::test]
    async fn pages_outside_a_feed_are_not_counted() {
        let recorder = Arc::new(Recorder::default());
        observe(recorder.clone(), async {
            pass_started("opportunity-to-sales-order");
            page_read(50, Some(50));
            assert_eq!(last(&recorder).done, 0);
        })
        .await;
    }

    #[tokio::test]
    async fn retried_query_counts_from_zero() {
        let recorder = Arc::new(Recorder::default());
        observe(recorder.clone(), async {
            pass_started("contact-contact");
            feed_started();
            page_read(1000, Some(3000));
            page_read(1000, Some(3000));
            assert_eq!(last(&recorder).done, 1000);
        })
        .await;
    }

    #[tokio::test]
    async fn writes_count_toward_planned_total() {
        let recorder = Arc::new(Recorder::default());
        observe(recorder.clone(), async {
            pass_started("invoice-to-salesforce");
            planning();
            assert_eq!(last(&recorder).phase, Phase::Planning);
            writing(450);
            written(200);
            written(200);
            written(50);
            let done = last(&recorder);
            assert_eq!(done.phase, Phase::Writing);
            assert_eq!(done.done, 450);
            assert_eq!(done.total, Some(450));
            pass_finished("invoice-to-salesforce");
        })
        .await;
        assert_eq!(
            *recorder.finished.lock().unwrap(),
            ["invoice-to-salesforce"]
        );
    }

    #[tokio::test]
    async fn read_feed_counts_records_returned() {
        let recorder = Arc::new(Recorder::default());
        observe(recorder.clone(), async {
            pass_started("account-customer");
            let read: Result<Vec<u8>, ()> = read_feed(async {
                page_read(3, Some(3));
                Ok(vec![1, 2, 3])
            })
            .await;
            assert_eq!(read.unwrap().len(), 3);
            assert_eq!(last(&recorder).done, 3);
            assert_eq!(last(&recorder).total, Some(3));
        })
        .await;
    }
}
