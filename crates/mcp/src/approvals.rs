//! Carrying out approved write requests.
//!
//! A request moves `pending` → `approved` (a person decides) → `running` → `done` or `failed`.
//! The move to `running` is one conditional update in the store. Several processes may try to
//! carry out the same request (the approving command, a daemon's approval loop, the client's
//! call with its `approval_id`), but exactly one wins and acts. The others find it taken and
//! do nothing.

use rmcp::model::CallToolResult;
use serde_json::{Value, json};
use tandem_engine::state::{ApprovalStatus, GatewayCall, StoredApproval};

use crate::host::{GatewayBackend, Host, HostError};
use crate::tools::actions;

/// The maximum number of characters of an outcome kept on the approval request.
const MAX_OUTCOME: usize = 64 * 1024;

/// The result of one process's attempt to carry out a request.
#[derive(Debug, Clone)]
pub enum CarryOut {
    /// This process carried it out; the request as stored afterwards, with its outcome.
    Finished(StoredApproval),
    /// The request was not `approved` (still pending, rejected, or taken by another process),
    /// so nothing was done here; the request as stored.
    NotApproved(StoredApproval),
}

/// Carries out approved request `id` through `host`, once: claims it, runs the write, stores
/// the outcome on the request and in the call log. `executor` names who ran it (for example
/// `command line` or `daemon`), for the call log.
///
/// Fails only when the store cannot be read or written; a failed write is an outcome, kept
/// with status `failed`.
pub async fn carry_out(host: &dyn Host, id: i64, executor: &str) -> Result<CarryOut, HostError> {
    let store = host.store();

    // Step 1: claim the request, unless it is not approved or another process claimed it.
    let approval = load(store.as_ref(), id).await?;
    if approval.status != ApprovalStatus::Approved {
        return Ok(CarryOut::NotApproved(approval));
    }
    let claimed = store
        .set_approval_status(
            id,
            ApprovalStatus::Approved,
            ApprovalStatus::Running,
            None,
            None,
        )
        .await
        .map_err(|error| HostError::new(error.to_string()))?;
    if !claimed {
        return Ok(CarryOut::NotApproved(load(store.as_ref(), id).await?));
    }
    tracing::info!(approval = id, tool = %approval.request.tool, executor, "carrying out an approved request");

    // Step 2: act, and store the outcome on the request.
    let by = decided_by(&approval);
    let request = &approval.request;
    let result = actions::perform(host, &request.tool, &request.arguments, &by).await;
    finish(store.as_ref(), id, &result).await;

    // Step 3: add the write to the call log.
    let (outcome, detail) = call_outcome(&result);
    let call = GatewayCall {
        client: request.client.clone(),
        tool: request.tool.clone(),
        arguments: request.arguments.clone(),
        outcome: outcome.to_string(),
        detail: crate::tools::shorten(
            &format!("approval {id}, approved by {by}, carried out by {executor}: {detail}"),
            500,
        ),
    };
    if let Err(error) = store.log_call(&call).await {
        tracing::error!(%error, approval = id, "cannot log a carried out approval");
    }
    Ok(CarryOut::Finished(load(store.as_ref(), id).await?))
}

/// Carries out every approved request, oldest first, and returns how many this process
/// carried out. A request that fails to be carried out is logged and left to the others.
pub async fn carry_out_approved(host: &dyn Host, executor: &str) -> Result<usize, HostError> {
    let approved = host
        .store()
        .approvals(Some(ApprovalStatus::Approved))
        .await
        .map_err(|error| HostError::new(error.to_string()))?;
    let mut carried = 0;
    for approval in approved {
        match carry_out(host, approval.id, executor).await {
            Ok(CarryOut::Finished(_)) => carried += 1,
            Ok(CarryOut::NotApproved(_)) => {}
            Err(error) => {
                tracing::error!(%error, approval = approval.id, "cannot carry out an approved request");
            }
        }
    }
    Ok(carried)
}

/// Stores a finished request's outcome: `running` → `done`, or `failed` for an error result.
pub(crate) async fn finish(store: &dyn GatewayBackend, id: i64, result: &CallToolResult) {
    let failed = result.is_error == Some(true);
    let to = if failed {
        ApprovalStatus::Failed
    } else {
        ApprovalStatus::Done
    };
    let outcome = crate::tools::shorten(&outcome_json(result).to_string(), MAX_OUTCOME);
    let recorded = store
        .set_approval_status(id, ApprovalStatus::Running, to, None, Some(&outcome))
        .await;
    match recorded {
        Ok(true) => {}
        Ok(false) => tracing::error!(approval = id, "an approval left running before its outcome"),
        Err(error) => tracing::error!(%error, approval = id, "cannot store an approval's outcome"),
    }
}

/// Returns a tool result as the JSON kept on the request: the structured result, or
/// `{"error": MESSAGE}`.
pub(crate) fn outcome_json(result: &CallToolResult) -> Value {
    let text = || {
        result
            .content
            .iter()
            .filter_map(|block| block.as_text().map(|text| text.text.clone()))
            .collect::<Vec<_>>()
            .join(" ")
    };
    if result.is_error == Some(true) {
        return json!({"error": text()});
    }
    result
        .structured_content
        .clone()
        .unwrap_or_else(|| Value::from(text()))
}

fn call_outcome(result: &CallToolResult) -> (&'static str, String) {
    let outcome = if result.is_error == Some(true) {
        "error"
    } else {
        "ok"
    };
    (outcome, outcome_json(result).to_string())
}

/// Returns who decided, for the audit of decisions made through an approved request.
pub(crate) fn decided_by(approval: &StoredApproval) -> String {
    let person = approval.decided_by.as_deref().unwrap_or("a person");
    format!(
        "MCP client {}, approved by {person}",
        approval.request.client
    )
}

async fn load(store: &dyn GatewayBackend, id: i64) -> Result<StoredApproval, HostError> {
    store
        .approval(id)
        .await
        .map_err(|error| HostError::new(error.to_string()))?
        .ok_or_else(|| HostError::new(format!("approval {id} not found")))
}
