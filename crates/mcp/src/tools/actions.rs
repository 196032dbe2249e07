//! The actions behind the write tools, apart from their scope and policy checks, so that a
//! tool call and an approved request (see [`crate::approvals`]) act the same way.

use rmcp::model::CallToolResult;
use serde::Deserialize;
use serde_json::{Value, json};
use tandem_engine::queues::{self, QueueError};
use tandem_engine::state::ReviewDecision;

use super::read::parse_system;
use super::{SALES_ORDER_FLOW, ok};
use crate::gateway::error_result;
use crate::host::Host;
use crate::lookup;

/// Runs `flow` (one record of it with `record`) and returns the pass's report, plus the
/// record's facts after the run when a record was named.
pub(crate) async fn run_and_report(
    host: &dyn Host,
    flow: &str,
    dry_run: bool,
    record: Option<&str>,
) -> CallToolResult {
    let report = match host.run_flow(flow, record, dry_run).await {
        Ok(report) => report,
        Err(error) => return error_result(error.message),
    };
    let mut result = json!({
        "status": if dry_run { "dry_run" } else { "done" },
        "report": report,
    });
    if let Some(record) = record {
        let flows = host.flows();
        match lookup::find(host.store().as_ref(), &flows, record).await {
            Ok(found) => {
                let records: Vec<Value> = found.iter().map(lookup::RecordFacts::to_json).collect();
                result["records"] = Value::from(records);
            }
            Err(error) => return error_result(error.to_string()),
        }
    }
    ok(result)
}

/// Replays dead letter `id` through the host.
pub(crate) async fn replay(host: &dyn Host, id: i64) -> CallToolResult {
    match host.replay(id).await {
        Ok(outcome) => ok(json!({"status": "done", "dead_letter": id, "outcome": outcome})),
        Err(error) => error_result(error.message),
    }
}

/// Discards dead letter `id`.
pub(crate) async fn discard(host: &dyn Host, id: i64) -> CallToolResult {
    match queues::discard_dead_letter(host.store().as_ref(), id).await {
        Ok(_) => ok(json!({"status": "done", "dead_letter": id, "outcome": "discarded"})),
        Err(error) => queue_failure(error, "list_dead_letters"),
    }
}

/// Records a decision on review item `id`, audited as made by `by`.
pub(crate) async fn decide_review(
    host: &dyn Host,
    id: i64,
    decision: &ReviewDecision,
    by: &str,
) -> CallToolResult {
    match queues::decide_review(host.store().as_ref(), id, decision, by).await {
        Ok(_) => ok(json!({
            "status": "done",
            "review_item": id,
            "decision": decision.to_string(),
            "next": "the flow's next pass carries it out",
        })),
        Err(error) => queue_failure(error, "list_review_items"),
    }
}

/// Resolves conflict `id` for `winner`, audited as decided by `by`.
pub(crate) async fn resolve_conflict(
    host: &dyn Host,
    id: i64,
    winner: tandem_engine::System,
    by: &str,
) -> CallToolResult {
    match queues::resolve_conflict(host.store().as_ref(), id, winner, by).await {
        Ok(_) => ok(json!({
            "status": "done",
            "conflict": id,
            "winner": winner,
            "next": "the flow's next pass writes it",
        })),
        Err(error) => queue_failure(error, "list_conflicts"),
    }
}

/// Parses a review decision as `resolve_review` takes it.
pub(crate) fn review_decision(
    decision: &str,
    target_id: Option<&str>,
) -> Result<ReviewDecision, String> {
    match (decision, target_id.map(str::trim)) {
        ("link", Some(target)) if !target.is_empty() => Ok(ReviewDecision::Link(target.into())),
        ("link", _) => {
            Err("decision link needs target_id: the ID of the record on the other side".into())
        }
        ("create", _) => Ok(ReviewDecision::Create),
        ("reject", _) => Ok(ReviewDecision::Reject),
        (other, _) => Err(format!(
            "unknown decision {other:?}; expected link, create or reject"
        )),
    }
}

/// Turns a queue decision's error into a tool error with the next step.
pub(crate) fn queue_failure(error: QueueError, list_tool: &str) -> CallToolResult {
    match error {
        QueueError::NotFound { .. } => error_result(format!(
            "{error}; {list_tool} with status all shows the IDs"
        )),
        other => error_result(other.to_string()),
    }
}

/// The stored arguments of an approved write call, as the tools record them.
#[derive(Debug, Deserialize)]
struct StoredArguments {
    flow: Option<String>,
    record: Option<String>,
    id: Option<i64>,
    decision: Option<String>,
    target_id: Option<String>,
    winner: Option<String>,
    opportunity_id: Option<String>,
}

/// Carries out write tool `tool` with the arguments its approval request stored. `by` names
/// who decided, for the audit of review and conflict decisions.
pub(crate) async fn perform(
    host: &dyn Host,
    tool: &str,
    arguments: &Value,
    by: &str,
) -> CallToolResult {
    let args: StoredArguments = match serde_json::from_value(arguments.clone()) {
        Ok(args) => args,
        Err(error) => {
            return error_result(format!(
                "the stored arguments of {tool} are invalid: {error}"
            ));
        }
    };
    let missing = |name: &str| error_result(format!("the stored call to {tool} has no {name}"));
    match tool {
        "run_flow" => match &args.flow {
            Some(flow) => run_and_report(host, flow, false, args.record.as_deref()).await,
            None => missing("flow"),
        },
        "create_sales_order" => match &args.opportunity_id {
            Some(id) => run_and_report(host, SALES_ORDER_FLOW, false, Some(id)).await,
            None => missing("opportunity_id"),
        },
        "replay_dead_letter" => match args.id {
            Some(id) => replay(host, id).await,
            None => missing("id"),
        },
        "discard_dead_letter" => match args.id {
            Some(id) => discard(host, id).await,
            None => missing("id"),
        },
        "resolve_review" => {
            let Some(id) = args.id else {
                return missing("id");
            };
            let decision = args.decision.as_deref().unwrap_or_default();
            match review_decision(decision, args.target_id.as_deref()) {
                Ok(decision) => decide_review(host, id, &decision, by).await,
                Err(message) => error_result(message),
            }
        }
        "resolve_conflict" => {
            let Some(id) = args.id else {
                return missing("id");
            };
            match parse_system(args.winner.as_deref().unwrap_or_default()) {
                Ok(winner) => resolve_conflict(host, id, winner, by).await,
                Err(message) => error_result(message),
            }
        }
        other => error_result(format!("{other} is not a write tool; nothing was done")),
    }
}
