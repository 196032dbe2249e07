//! The bench's printed table: figures per template and pass, and the calls per operation.

use std::fmt::Write as _;
use std::time::Duration;

use super::minimum::Template;
use super::{BenchOptions, Calls, PassFigures, Phase};

/// The columns of the table, in order.
pub const COLUMNS: [&str; 12] = [
    "template",
    "pass",
    "changed",
    "calls",
    "minimum",
    "calls ratio",
    "wall s",
    "bound s",
    "wall ratio",
    "cpu us/record",
    "cpu s",
    "peak rss MB",
];

/// One line of the table.
pub struct Row {
    template: Template,
    phase: Phase,
    changed: usize,
    calls: u64,
    minimum: u64,
    wall: Duration,
    bound: Duration,
    /// CPU time of the pass without latency.
    cpu: Duration,
    peak_rss: u64,
}

impl Row {
    /// Builds a row from the pass with latency (`timed`) and the one without (`untimed`).
    pub fn new(
        template: Template,
        phase: Phase,
        options: &BenchOptions,
        timed: &PassFigures,
        untimed: &PassFigures,
    ) -> Row {
        let minimum = template
            .minimum(phase, options.records, timed.changed, timed.entries)
            .iter()
            .map(|step| step.calls)
            .sum();
        Row {
            template,
            phase,
            changed: timed.changed,
            calls: timed.calls.netsuite_total() + timed.calls.salesforce_total(),
            minimum,
            wall: timed.usage.wall,
            bound: latency_bound(&timed.calls, options),
            cpu: untimed.usage.cpu,
            peak_rss: timed.usage.peak_rss.max(untimed.usage.peak_rss),
        }
    }

    fn cells(&self) -> Vec<String> {
        let cpu_per_record = if self.changed == 0 {
            "-".to_string()
        } else {
            format!("{:.0}", self.cpu.as_secs_f64() * 1e6 / self.changed as f64)
        };
        vec![
            self.template.name().to_string(),
            self.phase.name().to_string(),
            self.changed.to_string(),
            self.calls.to_string(),
            self.minimum.to_string(),
            ratio(self.calls as f64, self.minimum as f64),
            format!("{:.2}", self.wall.as_secs_f64()),
            format!("{:.2}", self.bound.as_secs_f64()),
            ratio(self.wall.as_secs_f64(), self.bound.as_secs_f64()),
            cpu_per_record,
            format!("{:.2}", self.cpu.as_secs_f64()),
            format!("{:.1}", self.peak_rss as f64 / (1024.0 * 1024.0)),
        ]
    }
}

/// Returns the wall time the calls need at the least: NetSuite calls spread over the
/// concurrency budget, Salesforce sObject Collections calls spread over the collection
/// concurrency, and other Salesforce calls one after another.
pub fn latency_bound(calls: &Calls, options: &BenchOptions) -> Duration {
    let netsuite = options.netsuite_latency.as_secs_f64() * calls.netsuite_total() as f64
        / options.netsuite_concurrency.max(1) as f64;
    let collections: u64 = calls
        .salesforce
        .iter()
        .filter(|(route, _)| is_collection_route(route))
        .map(|(_, count)| count)
        .sum();
    let sequential = calls.salesforce_total() - collections;
    let salesforce = options.salesforce_latency.as_secs_f64()
        * (sequential as f64 + collections as f64 / options.collection_concurrency.max(1) as f64);
    Duration::from_secs_f64(netsuite + salesforce)
}

/// Returns whether a route, as the emulator counts it (`POST /composite/sobjects`), is an
/// sObject Collections write, the calls the engine overlaps.
fn is_collection_route(route: &str) -> bool {
    route
        .split_once(' ')
        .is_some_and(|(method, path)| method != "GET" && path.starts_with("/composite/sobjects"))
}

fn ratio(measured: f64, baseline: f64) -> String {
    if baseline <= 0.0 {
        "-".to_string()
    } else {
        format!("{:.2}", measured / baseline)
    }
}

/// Renders the rows as a Markdown table.
pub fn render(rows: &[Row]) -> String {
    let mut text = format!("| {} |\n", COLUMNS.join(" | "));
    let _ = writeln!(text, "|{}", "---|".repeat(COLUMNS.len()));
    for row in rows {
        let _ = writeln!(text, "| {} |", row.cells().join(" | "));
    }
    text
}

/// Renders the calls of each timed pass per system and operation.
pub fn render_breakdown(passes: &[(Template, Phase, Calls)]) -> String {
    let mut text = String::from("calls per operation (passes with latency):\n");
    for (template, phase, calls) in passes {
        let operations: Vec<String> = calls
            .netsuite
            .iter()
            .map(|(operation, count)| format!("netsuite {operation} {count}"))
            .chain(
                calls
                    .salesforce
                    .iter()
                    .map(|(route, count)| format!("salesforce {route} {count}")),
            )
            .collect();
        let _ = writeln!(
            text,
            "  {} {}: {}",
            template.name(),
            phase.name(),
            operations.join(", ")
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> BenchOptions {
        BenchOptions {
            records: 10,
            templates: vec![Template::AccountCustomer],
            netsuite_latency: Duration::from_millis(150),
            salesforce_latency: Duration::from_millis(60),
            netsuite_concurrency: 5,
            collection_concurrency: 4,
            latency_samples: 0,
        }
    }

    #[test]
    fn bound_spreads_netsuite_calls_over_concurrency() {
        let mut calls = Calls::default();
        calls.netsuite.insert("search".into(), 10);
        calls.salesforce.insert("GET /query".into(), 2);
        let bound = latency_bound(&calls, &options());
        // 10 x 150 ms / 5 + 2 x 60 ms
        assert_eq!(bound.as_millis(), 420);
    }

    #[test]
    fn bound_spreads_collection_writes() {
        let mut calls = Calls::default();
        calls
            .salesforce
            .insert("POST /composite/sobjects".into(), 6);
        calls.salesforce.insert(
            "PATCH /composite/sobjects/Product2/NetSuite_Internal_ID__c".into(),
            2,
        );
        calls
            .salesforce
            .insert("GET /composite/sobjects/Product2".into(), 1);
        calls.salesforce.insert("GET /query".into(), 3);
        let bound = latency_bound(&calls, &options());
        // (1 + 3) x 60 ms one at a time + 8 x 60 ms / 4
        assert_eq!(bound.as_millis(), 360);
    }

    #[test]
    fn ratio_of_zero_baseline_is_dash() {
        assert_eq!(ratio(3.0, 0.0), "-");
        assert_eq!(ratio(3.0, 2.0), "1.50");
    }

    #[test]
    fn table_has_every_column() {
        let text = render(&[]);
        for column in COLUMNS {
            assert!(text.contains(column), "missing {column}");
        }
    }
}
