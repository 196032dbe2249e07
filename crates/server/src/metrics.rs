//! Prometheus metrics, served as OpenMetrics text on `/metrics`.
//!
//! Pass counts come from each flow's [`PassReport`]; the queue sizes are read from the store
//! after every pass; API calls, calls in flight and the remaining API allowance come from
//! [`MeteredPort`], which wraps each system's port.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use tandem_engine::{
    ApiUsage, DeletedRecord, Fields, NewRecord, ObjectInfo, ObjectSpec, PassReport, RecordPort,
    RecordUpdate, RemoteError, SourceRecord, System, WriteResult,
};

/// The `flow` label.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct FlowLabels {
    pub flow: String,
}

/// The `flow` and `outcome` (`completed` or `failed`) labels of a pass.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PassLabels {
    pub flow: String,
    pub outcome: String,
}

/// The `system` label (`netsuite` or `salesforce`).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct SystemLabels {
    pub system: String,
}

/// The `system` and `operation` labels of an API call.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CallLabels {
    pub system: String,
    pub operation: String,
}

/// The `source` label of a webhook.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct SourceLabels {
    pub source: String,
}

/// Every metric Tandem exports, registered in one registry.
pub struct Metrics {
    registry: Registry,
    records_read: Family<FlowLabels, Counter>,
    records_written: Family<FlowLabels, Counter>,
    records_created: Family<FlowLabels, Counter>,
    records_updated: Family<FlowLabels, Counter>,
    echoes_skipped: Family<FlowLabels, Counter>,
    dead_letters_added: Family<FlowLabels, Counter>,
    review_items_added: Family<FlowLabels, Counter>,
    records_deferred: Family<FlowLabels, Counter>,
    passes: Family<PassLabels, Counter>,
    pass_duration: Family<FlowLabels, Histogram>,
    last_pass_end: Family<FlowLabels, Gauge>,
    open_dead_letters: Family<FlowLabels, Gauge>,
    open_review_items: Family<FlowLabels, Gauge>,
    open_conflicts: Family<FlowLabels, Gauge>,
    api_calls: Family<CallLabels, Counter>,
    api_calls_failed: Family<CallLabels, Counter>,
    api_calls_in_flight: Family<SystemLabels, Gauge>,
    api_requests_used: Family<SystemLabels, Gauge>,
    api_requests_max: Family<SystemLabels, Gauge>,
    api_requests_remaining: Family<SystemLabels, Gauge>,
    webhooks: Family<SourceLabels, Counter>,
}

/// The open items of one flow's queues, as counted after a pass.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueSizes {
    pub dead_letters: u64,
    pub review_items: u64,
    pub conflicts: u64,
}

fn pass_histogram() -> Histogram {
    // 0.1 s to about 55 minutes: a quiet pass takes a fraction of a second, an initial sync of
    // a large account can take most of an hour.
    Histogram::new(exponential_buckets(0.1, 2.0, 16))
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

impl Metrics {
    /// Builds and registers every metric under the `tandem_` prefix.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("tandem");
        let metrics = Metrics {
            records_read: Family::default(),
            records_written: Family::default(),
            records_created: Family::default(),
            records_updated: Family::default(),
            echoes_skipped: Family::default(),
            dead_letters_added: Family::default(),
            review_items_added: Family::default(),
            records_deferred: Family::default(),
            passes: Family::default(),
            pass_duration: Family::new_with_constructor(pass_histogram),
            last_pass_end: Family::default(),
            open_dead_letters: Family::default(),
            open_review_items: Family::default(),
            open_conflicts: Family::default(),
            api_calls: Family::default(),
            api_calls_failed: Family::default(),
            api_calls_in_flight: Family::default(),
            api_requests_used: Family::default(),
            api_requests_max: Family::default(),
            api_requests_remaining: Family::default(),
            webhooks: Family::default(),
            registry: Registry::default(),
        };
        metrics.register(&mut registry);
        Metrics {
            registry,
            ..metrics
        }
    }

    fn register(&self, registry: &mut Registry) {
        let counters = [
            (
                "records_read",
                "Records returned by the change feeds, overlap re-reads included",
                &self.records_read,
            ),
            (
                "records_written",
                "Records written to either system, link write-backs included",
                &self.records_written,
            ),
            (
                "records_created",
                "Records created on the other side",
                &self.records_created,
            ),
            (
                "records_updated",
                "Records whose mapped fields were updated on the other side",
                &self.records_updated,
            ),
            (
                "echoes_skipped",
                "Changes recognised as Tandem's own earlier writes and not written back",
                &self.echoes_skipped,
            ),
            (
                "dead_letters",
                "Records the other side refused, stored as dead letters",
                &self.dead_letters_added,
            ),
            (
                "review_items",
                "Records sent to the review queue because their match is doubtful",
                &self.review_items_added,
            ),
            (
                "records_deferred",
                "Records left for the next pass after a transient error",
                &self.records_deferred,
            ),
        ];
        for (name, help, family) in counters {
            registry.register(name, help, family.clone());
        }
        registry.register(
            "passes",
            "Passes of a flow, by outcome (completed or failed)",
            self.passes.clone(),
        );
        registry.register_with_unit(
            "pass_duration",
            "Duration of a flow's pass",
            prometheus_client::registry::Unit::Seconds,
            self.pass_duration.clone(),
        );
        registry.register(
            "last_pass_end_timestamp",
            "Unix time at which the flow's last pass ended",
            self.last_pass_end.clone(),
        );
        let gauges = [
            (
                "open_dead_letters",
                "Dead letters waiting for a person (open or replay requested)",
                &self.open_dead_letters,
            ),
            (
                "open_review_items",
                "Review items waiting for a decision",
                &self.open_review_items,
            ),
            (
                "open_conflicts",
                "Conflicts waiting for a person",
                &self.open_conflicts,
            ),
        ];
        for (name, help, family) in gauges {
            registry.register(name, help, family.clone());
        }
        self.register_api(registry);
    }

    fn register_api(&self, registry: &mut Registry) {
        registry.register(
            "api_calls",
            "Calls Tandem made to a system's API, by operation; one call may page through \
             several HTTP requests",
            self.api_calls.clone(),
        );
        registry.register(
            "api_calls_failed",
            "Calls to a system's API that returned an error",
            self.api_calls_failed.clone(),
        );
        registry.register(
            "api_calls_in_flight",
            "Calls to a system's API in progress now: the concurrency in use",
            self.api_calls_in_flight.clone(),
        );
        registry.register(
            "api_requests_used",
            "API requests the system counts in its current period (Salesforce: rolling 24 hours)",
            self.api_requests_used.clone(),
        );
        registry.register(
            "api_requests_max",
            "The system's API request allowance for the period",
            self.api_requests_max.clone(),
        );
        registry.register(
            "api_requests_remaining",
            "API requests Tandem may still send before it stops to leave the rest to others",
            self.api_requests_remaining.clone(),
        );
        registry.register(
            "webhooks",
            "Webhooks accepted, by source; each one starts the next pass early",
            self.webhooks.clone(),
        );
    }

    /// Counts one pass of a flow: its report, how long it took and whether it stopped early.
    pub fn record_pass(&self, report: &PassReport, duration: Duration, failed: bool) {
        let labels = FlowLabels {
            flow: report.flow.clone(),
        };
        let counts = [
            (&self.records_read, report.read),
            (&self.records_written, report.written),
            (&self.records_created, report.created),
            (&self.records_updated, report.updated),
            (&self.echoes_skipped, report.echoes_skipped),
            (&self.dead_letters_added, report.dead_letters),
            (&self.review_items_added, report.in_review),
            (&self.records_deferred, report.deferred),
        ];
        for (family, count) in counts {
            family.get_or_create(&labels).inc_by(count);
        }
        let outcome = if failed { "failed" } else { "completed" };
        self.passes
            .get_or_create(&PassLabels {
                flow: report.flow.clone(),
                outcome: outcome.to_string(),
            })
            .inc();
        self.pass_duration
            .get_or_create(&labels)
            .observe(duration.as_secs_f64());
        self.last_pass_end
            .get_or_create(&labels)
            .set(Utc::now().timestamp());
    }

    /// Returns how many API calls to `system` are in flight now, counted through the ports
    /// that [`MeteredPort`] wraps.
    pub fn calls_in_flight(&self, system: tandem_engine::System) -> i64 {
        self.api_calls_in_flight
            .get_or_create(&system_labels(system))
            .get()
    }

    /// Counts an accepted webhook.
    pub fn count_webhook(&self, source: &str) {
        self.webhooks
            .get_or_create(&SourceLabels {
                source: source.to_string(),
            })
            .inc();
    }

    /// Sets the sizes of a flow's queues.
    pub fn set_queue_sizes(&self, flow: &str, sizes: QueueSizes) {
        let labels = FlowLabels {
            flow: flow.to_string(),
        };
        let gauges = [
            (&self.open_dead_letters, sizes.dead_letters),
            (&self.open_review_items, sizes.review_items),
            (&self.open_conflicts, sizes.conflicts),
        ];
        for (family, size) in gauges {
            family
                .get_or_create(&labels)
                .set(i64::try_from(size).unwrap_or(i64::MAX));
        }
    }

    fn set_api_usage(&self, system: System, usage: &ApiUsage) {
        let labels = system_labels(system);
        let gauges = [
            (&self.api_requests_used, usage.used),
            (&self.api_requests_max, usage.max),
            (&self.api_requests_remaining, usage.remaining),
        ];
        for (family, value) in gauges {
            family
                .get_or_create(&labels)
                .set(i64::try_from(value).unwrap_or(i64::MAX));
        }
    }

    /// Returns every metric in the OpenMetrics text format.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        // `fmt::Write` for String never returns an error, so the result carries no information.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

fn system_labels(system: System) -> SystemLabels {
    SystemLabels {
        system: system.as_str().to_string(),
    }
}

/// A port that counts the calls made through it, and the calls in flight, into [`Metrics`],
/// and copies the system's reported API usage after each call.
pub struct MeteredPort {
    inner: Arc<dyn RecordPort>,
    metrics: Arc<Metrics>,
}

impl MeteredPort {
    /// Wraps a port.
    pub fn new(inner: Arc<dyn RecordPort>, metrics: Arc<Metrics>) -> MeteredPort {
        MeteredPort { inner, metrics }
    }

    async fn metered<T>(
        &self,
        operation: &str,
        call: impl Future<Output = Result<T, RemoteError>>,
    ) -> Result<T, RemoteError> {
        let system = self.inner.system();
        let labels = CallLabels {
            system: system.as_str().to_string(),
            operation: operation.to_string(),
        };
        // A clone shares the gauge's value; the family's guard must not be held across the call.
        let in_flight = self
            .metrics
            .api_calls_in_flight
            .get_or_create(&system_labels(system))
            .clone();
        in_flight.inc();
        let started = Instant::now();
        let result = call.await;
        in_flight.dec();
        self.metrics.api_calls.get_or_create(&labels).inc();
        if result.is_err() {
            self.metrics.api_calls_failed.get_or_create(&labels).inc();
        }
        if let Some(usage) = self.inner.api_usage() {
            self.metrics.set_api_usage(system, &usage);
        }
        tracing::trace!(
            system = %system,
            operation,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "API call"
        );
        result
    }
}

#[async_trait]
impl RecordPort for MeteredPort {
    fn system(&self) -> System {
        self.inner.system()
    }

    fn api_usage(&self) -> Option<ApiUsage> {
        self.inner.api_usage()
    }

    async fn identity(&self) -> Result<String, RemoteError> {
        self.metered("identity", self.inner.identity()).await
    }

    async fn changed_since(
        &self,
        object: &ObjectSpec,
        since: DateTime<Utc>,
    ) -> Result<Vec<SourceRecord>, RemoteError> {
        let call = self.inner.changed_since(object, since);
        self.metered("changed_since", call).await
    }

    async fn create(
        &self,
        object: &ObjectSpec,
        records: Vec<NewRecord>,
    ) -> Result<Vec<WriteResult>, RemoteError> {
        self.metered("create", self.inner.create(object, records))
            .await
    }

    async fn update(
        &self,
        object: &ObjectSpec,
        records: Vec<RecordUpdate>,
    ) -> Result<Vec<WriteResult>, RemoteError> {
        self.metered("update", self.inner.update(object, records))
            .await
    }

    async fn deleted_since(
        &self,
        object: &ObjectSpec,
        since: DateTime<Utc>,
    ) -> Result<Vec<DeletedRecord>, RemoteError> {
        let call = self.inner.deleted_since(object, since);
        self.metered("deleted_since", call).await
    }

    async fn describe(&self, object: &str) -> Result<ObjectInfo, RemoteError> {
        self.metered("describe", self.inner.describe(object)).await
    }

    async fn read(
        &self,
        object: &ObjectSpec,
        ids: &[String],
    ) -> Result<Vec<SourceRecord>, RemoteError> {
        self.metered("read", self.inner.read(object, ids)).await
    }

    async fn find(
        &self,
        object: &ObjectSpec,
        field: &str,
        values: &[String],
    ) -> Result<Vec<SourceRecord>, RemoteError> {
        self.metered("find", self.inner.find(object, field, values))
            .await
    }

    async fn insert(
        &self,
        object: &ObjectSpec,
        records: Vec<Fields>,
    ) -> Result<Vec<WriteResult>, RemoteError> {
        self.metered("insert", self.inner.insert(object, records))
            .await
    }

    async fn delete(
        &self,
        object: &ObjectSpec,
        ids: Vec<String>,
    ) -> Result<Vec<WriteResult>, RemoteError> {
        self.metered("delete", self.inner.delete(object, ids)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pass_counts_reach_the_text() {
        let metrics = Metrics::new();
        let mut report = PassReport::new("account-customer");
        report.read = 7;
        report.written = 3;
        metrics.record_pass(&report, Duration::from_millis(250), false);
        let text = metrics.encode();
        assert!(
            text.contains("tandem_records_read_total{flow=\"account-customer\"} 7"),
            "{text}"
        );
        assert!(
            text.contains("tandem_records_written_total{flow=\"account-customer\"} 3"),
            "{text}"
        );
        assert!(
            text.contains("tandem_passes_total{flow=\"account-customer\",outcome=\"completed\"} 1"),
            "{text}"
        );
    }

    #[test]
    fn queue_sizes_replace_earlier_ones() {
        let metrics = Metrics::new();
        let sizes = QueueSizes {
            dead_letters: 4,
            review_items: 1,
            conflicts: 2,
        };
        metrics.set_queue_sizes("contact-contact", sizes);
        metrics.set_queue_sizes("contact-contact", QueueSizes::default());
        let text = metrics.encode();
        assert!(
            text.contains("tandem_open_dead_letters{flow=\"contact-contact\"} 0"),
            "{text}"
        );
    }
}
