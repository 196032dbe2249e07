//! Flows, the run history and record search.

use axum::Json;
use axum::extract::{Path, Query, State};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use tandem_engine::System;
use tandem_engine::actions::{audit_json, dead_letter_json, fields_json};
use tandem_store::{AnyStore, RunRecord};

use super::{ApiError, ApiResult};
use crate::AppState;
use crate::runner::Runner;

/// How many runs the chart of synced and failed records covers.
pub const CHART_RUNS: u32 = 200;

/// How many bars the chart has.
pub const CHART_BUCKETS: usize = 24;

/// Returns every enabled flow with its state, last run, open queue items, and the chart
/// series of records synced and failed over time.
pub async fn flows_status(runner: &Runner) -> Result<Value, ApiError> {
    let schedule = runner.schedule();
    let store = runner.store();
    let mut flows = Vec::new();
    for flow in runner.flows() {
        let name = flow.name();
        let last = store.runs(Some(name), 1).await?.into_iter().next();
        let sizes = runner.queue_sizes(name).await?;
        let state = if schedule.running.as_deref() == Some(name) {
            "running"
        } else {
            match last.as_ref().map(|run| run.status.as_str()) {
                Some("failed" | "interrupted") => "failing",
                Some(_) => "idle",
                None => "waiting",
            }
        };
        flows.push(json!({
            "name": name,
            "state": state,
            "last_run": last.as_ref().map(run_json),
            "open_dead_letters": sizes.dead_letters,
            "open_review_items": sizes.review_items,
            "open_conflicts": sizes.conflicts,
        }));
    }
    let runs = store.runs(None, CHART_RUNS).await?;
    Ok(json!({
        "flows": flows,
        "running": schedule.running,
        "last_round_end": schedule.last_round_end,
        "next_round": schedule.next_round,
        "interval_seconds": runner.interval().as_secs(),
        "chart": chart(&runs, CHART_BUCKETS),
    }))
}

/// `GET /api/flows`.
pub async fn list_flows(State(state): State<AppState>) -> ApiResult {
    Ok(Json(flows_status(&state.runner).await?))
}

/// `POST /api/passes`: starts the next round of passes now, or right after the one running.
pub async fn start_pass(State(state): State<AppState>) -> ApiResult {
    state.runner.wake();
    Ok(Json(json!({"requested": true})))
}

/// Renders a run as JSON.
pub fn run_json(run: &RunRecord) -> Value {
    let duration = run
        .finished_at
        .map(|end| (end - run.started_at).num_milliseconds() as f64 / 1000.0);
    json!({
        "id": run.id,
        "flow": run.flow,
        "status": run.status,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "duration_seconds": duration,
        "counts": run.counts,
        "error": run.error,
    })
}

/// Splits the time the runs cover into `buckets` equal spans and sums, per span, the records
/// written (`synced`) and the records refused plus failed passes (`failed`).
pub fn chart(runs: &[RunRecord], buckets: usize) -> Value {
    let finished: Vec<(&RunRecord, DateTime<Utc>)> = runs
        .iter()
        .filter_map(|run| run.finished_at.map(|end| (run, end)))
        .collect();
    let (Some(first), Some(last)) = (
        finished.iter().map(|(_, end)| *end).min(),
        finished.iter().map(|(_, end)| *end).max(),
    ) else {
        return json!({"from": null, "to": null, "buckets": []});
    };
    let span = (last - first).num_milliseconds().max(1) as f64;
    let mut synced = vec![0u64; buckets];
    let mut failed = vec![0u64; buckets];
    for (run, end) in &finished {
        let offset = (*end - first).num_milliseconds() as f64 / span;
        let index = ((offset * buckets as f64) as usize).min(buckets - 1);
        let count = |name: &str| {
            run.counts
                .as_ref()
                .and_then(|counts| counts.get(name))
                .and_then(Value::as_u64)
                .unwrap_or(0)
        };
        synced[index] += count("written");
        failed[index] += count("dead_letters") + u64::from(run.status == "failed");
    }
    let bars: Vec<Value> = synced
        .iter()
        .zip(&failed)
        .map(|(synced, failed)| json!({"synced": synced, "failed": failed}))
        .collect();
    json!({"from": first, "to": last, "buckets": bars})
}

/// The query of `GET /api/runs`.
#[derive(Debug, Deserialize)]
pub struct RunsQuery {
    pub flow: Option<String>,
    pub limit: Option<u32>,
}

/// Returns the newest runs, of one flow or all.
pub async fn runs(store: &AnyStore, query: &RunsQuery) -> Result<Value, ApiError> {
    let limit = query.limit.unwrap_or(50).clamp(1, 1000);
    let flow = query.flow.as_deref().filter(|flow| !flow.is_empty());
    let runs = store.runs(flow, limit).await?;
    Ok(Value::from(runs.iter().map(run_json).collect::<Vec<_>>()))
}

/// `GET /api/runs`.
pub async fn list_runs(State(state): State<AppState>, Query(query): Query<RunsQuery>) -> ApiResult {
    Ok(Json(runs(state.runner.store(), &query).await?))
}

/// Returns one run with the outcome of every record it decided on or failed to write.
pub async fn run_detail(store: &AnyStore, id: i64) -> Result<Value, ApiError> {
    let run = store
        .run(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("run {id} not found")))?;
    let outcomes = store.run_outcomes(&run).await?;
    let mut value = run_json(&run);
    value["decisions"] = outcomes.decisions.iter().map(audit_json).collect();
    value["dead_letters"] = outcomes.dead_letters.iter().map(dead_letter_json).collect();
    Ok(value)
}

/// `GET /api/runs/{id}`.
pub async fn show_run(State(state): State<AppState>, Path(id): Path<i64>) -> ApiResult {
    Ok(Json(run_detail(state.runner.store(), id).await?))
}

/// The query of `GET /api/records`.
#[derive(Debug, Deserialize)]
pub struct RecordQuery {
    /// A name (or a piece of any mapped value), a Salesforce Id or a NetSuite internal ID.
    pub q: String,
}

/// Finds records and returns each with its cross-references (and the last synced values of
/// both sides) and its newest audit entries.
pub async fn record_search(store: &AnyStore, query: &str) -> Result<Value, ApiError> {
    let found = store.search_records(query).await?;
    let mut records = Vec::with_capacity(found.len());
    for record in &found {
        let xrefs = store.xrefs_of(record.system, &record.id).await?;
        let audit = store.record_audit(record.system, &record.id, 20).await?;
        let xrefs: Vec<Value> = xrefs
            .iter()
            .map(|xref| {
                json!({
                    "flow": xref.flow,
                    "ns_id": xref.ns_id,
                    "sf_id": xref.sf_id,
                    "netsuite_values": fields_json(&xref.ns_values),
                    "salesforce_values": fields_json(&xref.sf_values),
                    "echo_pending": {
                        "netsuite": xref.ns_written.is_some(),
                        "salesforce": xref.sf_written.is_some(),
                    },
                })
            })
            .collect();
        records.push(json!({
            "system": record.system,
            "system_name": system_name(record.system),
            "object": record.object,
            "id": record.id,
            "link": record.link,
            "values": fields_json(&record.values),
            "xrefs": xrefs,
            "audit": audit.iter().map(audit_json).collect::<Vec<_>>(),
        }));
    }
    Ok(json!({"query": query.trim(), "records": records}))
}

fn system_name(system: System) -> String {
    system.to_string()
}

/// `GET /api/records?q=`.
pub async fn search_records(
    State(state): State<AppState>,
    Query(query): Query<RecordQuery>,
) -> ApiResult {
    if query.q.trim().is_empty() {
        return Err(ApiError::bad_request(
            "the query q is empty; give a name, a Salesforce Id or a NetSuite internal ID",
        ));
    }
    Ok(Json(record_search(state.runner.store(), &query.q).await?))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn run(id: i64, minute: u32, written: u64, dead: u64, status: &str) -> RunRecord {
        let end = Utc.with_ymd_and_hms(2026, 1, 1, 10, minute, 0).unwrap();
        RunRecord {
            id,
            flow: "account-customer".to_string(),
            status: status.to_string(),
            started_at: end,
            finished_at: Some(end),
            counts: Some(json!({"written": written, "dead_letters": dead})),
            error: None,
        }
    }

    #[test]
    fn chart_sums_runs_into_buckets() {
        let runs = [
            run(1, 0, 5, 1, "completed"),
            run(2, 1, 2, 0, "completed"),
            run(3, 10, 4, 0, "failed"),
        ];
        let chart = chart(&runs, 2);
        assert_eq!(chart["buckets"][0]["synced"], 7);
        assert_eq!(chart["buckets"][0]["failed"], 1);
        assert_eq!(chart["buckets"][1]["synced"], 4);
        assert_eq!(chart["buckets"][1]["failed"], 1);
    }

    #[test]
    fn chart_without_runs_is_empty() {
        let chart = chart(&[], 4);
        assert_eq!(chart["buckets"], json!([]));
    }
}
