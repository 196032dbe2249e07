//! Approval requests of MCP clients: list, show, approve and reject. An approval carries the
//! write out at once when this process serves the MCP gateway (see
//! [`crate::runner::ApprovalExecutor`]). The gateway removes secrets from the arguments
//! before it stores a request.

use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::Value;
use tandem_engine::state::{ApprovalStatus, StoredApproval};

use super::{ApiError, ApiResult};
use crate::AppState;
use crate::runner::Runner;

/// The decider recorded on requests decided over HTTP.
pub const DECIDED_BY_WEB: &str = "web UI or API";

/// The query of `GET /api/approvals`.
#[derive(Debug, Default, Deserialize)]
pub struct ApprovalQuery {
    /// One status (pending, approved, rejected, running, done, failed), or `all`; pending
    /// when missing.
    pub status: Option<String>,
}

/// Returns approval requests with one status (pending unless the query sets one), oldest
/// first.
pub async fn approvals(runner: &Runner, query: &ApprovalQuery) -> Result<Value, ApiError> {
    let status = match query.status.as_deref().filter(|text| !text.is_empty()) {
        None => Some(ApprovalStatus::Pending),
        Some("all") => None,
        Some(text) => Some(text.parse().map_err(ApiError::bad_request)?),
    };
    let approvals = runner.store().gateway().approvals(status).await?;
    Ok(approvals.iter().map(StoredApproval::to_json).collect())
}

/// Returns one approval request.
pub async fn approval(runner: &Runner, id: i64) -> Result<Value, ApiError> {
    Ok(find(runner, id).await?.to_json())
}

async fn find(runner: &Runner, id: i64) -> Result<StoredApproval, ApiError> {
    runner
        .store()
        .gateway()
        .approval(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("approval {id} not found")))
}

/// Approves (`approve` true) or rejects a pending request, recording `by` as who decided.
/// When the process has an executor, it carries an approved request out at once and the
/// request comes back with its outcome. Otherwise a process serving the gateway carries it
/// out later.
pub async fn decide(runner: &Runner, id: i64, approve: bool, by: &str) -> Result<Value, ApiError> {
    let approval = find(runner, id).await?;
    if approval.status != ApprovalStatus::Pending {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            format!(
                "approval {id} is {} already; only pending requests are approved or rejected",
                approval.status
            ),
        ));
    }
    let to = if approve {
        ApprovalStatus::Approved
    } else {
        ApprovalStatus::Rejected
    };
    let store = runner.store().gateway();
    let changed = store
        .set_approval_status(id, ApprovalStatus::Pending, to, Some(by), None)
        .await?;
    if !changed {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            format!("approval {id} was decided by someone else meanwhile; show it to see how"),
        ));
    }
    tracing::info!(approval = id, status = %to, by, "approval request decided");
    if !approve {
        return approval_json(runner, id).await;
    }
    let Some(executor) = runner.approval_executor() else {
        return approval_json(runner, id).await;
    };
    let carried = executor
        .carry_out(id)
        .await
        .map_err(|message| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, message))?;
    wait_for_outcome(runner, id, carried).await
}

/// How long an approval waits for a write that another executor of this store took over
/// (the daemon's approval loop, or another worker) before it returns the request as
/// "running".
const OUTCOME_WAIT: Duration = Duration::from_secs(15);

/// Returns the request once its write has ended, or as it is after [`OUTCOME_WAIT`]. The
/// executor of this request can lose the claim to another one that found it approved first,
/// and then comes back while that one still runs the write.
async fn wait_for_outcome(runner: &Runner, id: i64, mut decided: Value) -> Result<Value, ApiError> {
    let started = Instant::now();
    while is_unfinished(&decided) && started.elapsed() < OUTCOME_WAIT {
        tokio::time::sleep(Duration::from_millis(100)).await;
        decided = approval_json(runner, id).await?;
    }
    Ok(decided)
}

fn is_unfinished(decided: &Value) -> bool {
    matches!(decided["status"].as_str(), Some("approved" | "running"))
}

async fn approval_json(runner: &Runner, id: i64) -> Result<Value, ApiError> {
    Ok(find(runner, id).await?.to_json())
}

/// `GET /api/approvals`.
pub async fn list_approvals(
    State(state): State<AppState>,
    Query(query): Query<ApprovalQuery>,
) -> ApiResult {
    Ok(Json(approvals(&state.runner, &query).await?))
}

/// `GET /api/approvals/{id}`.
pub async fn show_approval(State(state): State<AppState>, Path(id): Path<i64>) -> ApiResult {
    Ok(Json(approval(&state.runner, id).await?))
}

/// `POST /api/approvals/{id}/approve`: approves the request and carries it out.
pub async fn approve(State(state): State<AppState>, Path(id): Path<i64>) -> ApiResult {
    Ok(Json(decide(&state.runner, id, true, DECIDED_BY_WEB).await?))
}

/// `POST /api/approvals/{id}/reject`: rejects the request; nothing is done for it.
pub async fn reject(State(state): State<AppState>, Path(id): Path<i64>) -> ApiResult {
    Ok(Json(
        decide(&state.runner, id, false, DECIDED_BY_WEB).await?,
    ))
}

/// Returns the notice a page shows after a decision.
pub fn decision_notice(id: i64, decided: &Value) -> String {
    let status = decided["status"].as_str().unwrap_or_default();
    match status {
        "rejected" => format!("approval {id} rejected: nothing will be done"),
        "done" => format!("approval {id} approved and carried out"),
        "failed" => format!(
            "approval {id} approved, but the write failed: {}",
            decided["outcome"]["error"].as_str().unwrap_or_default()
        ),
        _ => format!("approval {id} approved; it is {status}, reload to see its outcome"),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn notice_names_a_failed_write() {
        let decided = json!({"status": "failed", "outcome": {"error": "flow x is not enabled"}});
        let notice = decision_notice(3, &decided);
        assert!(notice.contains("flow x is not enabled"), "{notice}");
    }

    #[test]
    fn notice_of_a_rejection_says_nothing_happens() {
        let notice = decision_notice(3, &json!({"status": "rejected"}));
        assert_eq!(notice, "approval 3 rejected: nothing will be done");
    }
}
