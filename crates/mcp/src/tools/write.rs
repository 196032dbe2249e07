//! Write tools: run a flow, replay or discard a dead letter, resolve a review item or a
//! conflict, create the sales order of a won Opportunity. Each checks the caller's write scope
//! for the flow it acts on, then follows the tool's write policy.

use rmcp::handler::server::tool::Extension;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::{tool, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use tandem_engine::queues::{QueueError, conflict_json, dead_letter_json, review_json};
use tandem_engine::state::{ApprovalRequest, ApprovalStatus, StoredApproval};

use super::actions::{self, queue_failure, review_decision};
use super::read::parse_system;
use super::{SALES_ORDER_FLOW, ok};
use crate::gateway::{Caller, Gateway, error_result};
use crate::lookup;
use crate::policy::WritePolicy;
use crate::redact::redact;

/// The approval argument every write tool takes.
const APPROVAL_ID: &str = "approval_id";

/// Arguments of `run_flow`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct RunFlowArgs {
    /// The flow to run, as list_flows names it (for example `account-customer`).
    pub flow: String,
    /// The ID of one record to sync alone, as it is now: a one-way flow's source record (for
    /// example an Opportunity Id for opportunity-to-sales-order), or for a two-way flow
    /// (account-customer, contact-contact) a Salesforce Id or NetSuite internal ID of either
    /// side. The report's `scope` is then `record`, and the result includes the record's
    /// outcome.
    pub record: Option<String>,
    /// The approval_id of a request for this same call. This call carries out an approved
    /// request that Tandem has not carried out yet. For a request carried out already, it
    /// returns the stored outcome and does nothing again.
    pub approval_id: Option<i64>,
}

/// Arguments of the dead letter tools.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct DeadLetterArgs {
    /// The dead letter's ID, as list_dead_letters or explain_record shows it.
    pub id: i64,
    /// The approval_id of a request for this same call. This call carries out an approved
    /// request that Tandem has not carried out yet. For a request carried out already, it
    /// returns the stored outcome and does nothing again.
    pub approval_id: Option<i64>,
}

/// Arguments of `resolve_review`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ResolveReviewArgs {
    /// The review item's ID, as list_review_items shows it.
    pub id: i64,
    /// `link` (the record and target_id are the same company), `create` (the candidates are
    /// other companies: create the counterpart), or `reject` (leave the record out until it
    /// changes).
    pub decision: String,
    /// For `link`: the ID of the record on the other side, normally one of the candidates.
    pub target_id: Option<String>,
    /// The approval_id of a request for this same call. This call carries out an approved
    /// request that Tandem has not carried out yet. For a request carried out already, it
    /// returns the stored outcome and does nothing again.
    pub approval_id: Option<i64>,
}

/// Arguments of `resolve_conflict`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ResolveConflictArgs {
    /// The conflict's ID, as list_conflicts shows it.
    pub id: i64,
    /// The system whose value wins and is written to the other: `netsuite` or `salesforce`.
    pub winner: String,
    /// The approval_id of a request for this same call. This call carries out an approved
    /// request that Tandem has not carried out yet. For a request carried out already, it
    /// returns the stored outcome and does nothing again.
    pub approval_id: Option<i64>,
}

/// Arguments of `create_sales_order`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CreateSalesOrderArgs {
    /// The Salesforce Id of the Opportunity (15 or 18 characters). It must be Closed Won;
    /// otherwise the flow leaves it out and the result gives the reason.
    pub opportunity_id: String,
    /// The approval_id of a request for this same call. This call carries out an approved
    /// request that Tandem has not carried out yet. For a request carried out already, it
    /// returns the stored outcome and does nothing again.
    pub approval_id: Option<i64>,
}

/// The outcome of checking a write call against its scope and policy.
enum Gate {
    /// Carry the write out; `approval` is the approved request it carries out, if any.
    Proceed { approval: Option<i64> },
    /// Only report what would be done.
    DryRun,
    /// Return this result (a new approval request, or a refusal) without acting.
    Stop(CallToolResult),
}

/// Returns a call's arguments as stored on an approval request: secrets removed, and
/// without the approval ID, so the approved call and its repeat compare equal.
fn approval_arguments(arguments: Value) -> Value {
    let mut arguments = redact(&arguments);
    if let Value::Object(map) = &mut arguments {
        map.remove(APPROVAL_ID);
    }
    arguments
}

impl Gateway {
    /// Checks the caller's scope for `flow` and applies the tool's write policy.
    async fn gate(
        &self,
        caller: &Caller,
        tool: &str,
        flow: &str,
        arguments: Value,
        approval_id: Option<i64>,
        summary: String,
    ) -> Gate {
        let client = &caller.0;
        if !client.scopes.can_write(flow) {
            return Gate::Stop(error_result(format!(
                "client {} may not write in flow {flow}: its token needs scope write:{flow} \
                 or write:*",
                client.name
            )));
        }
        match self.governance.policies.policy(tool) {
            WritePolicy::Allowed => Gate::Proceed { approval: None },
            WritePolicy::DryRun => Gate::DryRun,
            WritePolicy::Approval => {
                let arguments = approval_arguments(arguments);
                match approval_id {
                    Some(id) => {
                        self.check_approval(&client.name, tool, &arguments, id)
                            .await
                    }
                    None => {
                        self.request_approval(&client.name, tool, flow, arguments, summary)
                            .await
                    }
                }
            }
        }
    }

    async fn request_approval(
        &self,
        client: &str,
        tool: &str,
        flow: &str,
        arguments: Value,
        summary: String,
    ) -> Gate {
        let request = ApprovalRequest {
            client: client.to_string(),
            tool: tool.to_string(),
            flow: Some(flow.to_string()),
            arguments,
            summary: summary.clone(),
        };
        match self.store().add_approval(&request).await {
            Ok(id) => Gate::Stop(ok(json!({
                "status": "approval_required",
                "approval_id": id,
                "summary": summary,
                "message": format!(
                    "Nothing was done yet: {tool} needs a person's approval. Ask them to run \
                     `tandem approvals approve {id}` or approve it in the web UI (or reject \
                     it). Once approved, Tandem carries the call out by itself, once; \
                     approval_status {id} shows where it stands and the outcome."
                ),
            }))),
            Err(error) => Gate::Stop(error_result(error.to_string())),
        }
    }

    /// Lets an approved request through once, after checking that it is this client's
    /// request for this same call.
    async fn check_approval(&self, client: &str, tool: &str, arguments: &Value, id: i64) -> Gate {
        let store = self.store();
        let approval = match store.approval(id).await {
            Ok(Some(approval)) => approval,
            Ok(None) => return Gate::Stop(error_result(format!("approval {id} not found"))),
            Err(error) => return Gate::Stop(error_result(error.to_string())),
        };
        let request = &approval.request;
        if request.client != client || request.tool != tool || &request.arguments != arguments {
            return Gate::Stop(error_result(format!(
                "approval {id} is for {} by client {} with arguments {}, not this call; call \
                 without approval_id to request a new approval",
                request.tool, request.client, request.arguments
            )));
        }
        match approval.status {
            ApprovalStatus::Approved => {}
            ApprovalStatus::Pending => {
                return Gate::Stop(error_result(format!(
                    "approval {id} is still pending: a person must run `tandem approvals \
                     approve {id}` (or approve it in the web UI) first"
                )));
            }
            ApprovalStatus::Rejected => {
                let by = approval
                    .decided_by
                    .unwrap_or_else(|| "a person".to_string());
                return Gate::Stop(error_result(format!(
                    "approval {id} was rejected by {by}; nothing will be done"
                )));
            }
            ApprovalStatus::Running => {
                return Gate::Stop(error_result(format!(
                    "approval {id} is being carried out now by the process that claimed it; \
                     approval_status shows its outcome once it is done"
                )));
            }
            ApprovalStatus::Done | ApprovalStatus::Failed => {
                return Gate::Stop(carried_out_already(&approval));
            }
        }
        // Claim the request before acting, so that of all the callers and processes that try
        // to carry it out, only one acts.
        match store
            .set_approval_status(
                id,
                ApprovalStatus::Approved,
                ApprovalStatus::Running,
                None,
                None,
            )
            .await
        {
            Ok(true) => Gate::Proceed { approval: Some(id) },
            Ok(false) => Gate::Stop(error_result(format!(
                "approval {id} was taken by another process meanwhile; approval_status shows \
                 its outcome"
            ))),
            Err(error) => Gate::Stop(error_result(error.to_string())),
        }
    }

    /// Records the outcome of a carried out approval and returns the result.
    async fn finish(&self, approval: Option<i64>, result: CallToolResult) -> CallToolResult {
        if let Some(id) = approval {
            crate::approvals::finish(self.store().as_ref(), id, &result).await;
        }
        result
    }

    fn check_flow(&self, flow: &str) -> Result<(), CallToolResult> {
        let flows = self.host.flows();
        if flows.iter().any(|f| f == flow) {
            return Ok(());
        }
        Err(error_result(format!(
            "flow {flow:?} is not enabled; the enabled flows are {}",
            flows.join(", ")
        )))
    }
}

/// Returns the stored outcome of a request that was carried out before, without acting again.
fn carried_out_already(approval: &StoredApproval) -> CallToolResult {
    ok(json!({
        "status": approval.status,
        "approval_id": approval.id,
        "outcome": approval.to_json()["outcome"],
        "message": format!(
            "approval {} was carried out already, so nothing was done again; this is its \
             stored outcome",
            approval.id
        ),
    }))
}

fn arguments_of<T: serde::Serialize>(args: &T) -> Value {
    serde_json::to_value(args).unwrap_or(Value::Null)
}

#[tool_router(router = write_router, vis = "pub(crate)")]
impl Gateway {
    /// Runs one pass of a flow now.
    #[tool(
        description = "Run one pass of a flow now: read what changed in both systems since \
                       the flow's watermark, match, map and write. Returns the pass's counts \
                       (created, updated, linked, dead letters, reviews, conflicts). With \
                       `record` (a Salesforce Id or NetSuite internal ID), the flow syncs only \
                       that record, and the result includes the record's outcome. May answer approval_required or run as \
                       a dry run, by the tool's policy.",
        annotations(destructive_hint = false, idempotent_hint = true)
    )]
    async fn run_flow(
        &self,
        Extension(caller): Extension<Caller>,
        Parameters(args): Parameters<RunFlowArgs>,
    ) -> CallToolResult {
        if let Err(result) = self.check_flow(&args.flow) {
            return result;
        }
        let arguments = json!({"flow": args.flow, "record": args.record});
        let summary = format!("run one pass of flow {}", args.flow);
        match self
            .gate(
                &caller,
                "run_flow",
                &args.flow,
                arguments,
                args.approval_id,
                summary,
            )
            .await
        {
            Gate::Stop(result) => result,
            Gate::DryRun => {
                actions::run_and_report(
                    self.host.as_ref(),
                    &args.flow,
                    true,
                    args.record.as_deref(),
                )
                .await
            }
            Gate::Proceed { approval } => {
                let host = self.host.as_ref();
                let record = args.record.as_deref();
                let result = actions::run_and_report(host, &args.flow, false, record).await;
                self.finish(approval, result).await
            }
        }
    }

    /// Replays a dead letter.
    #[tool(
        description = "Replay a dead letter: send the refused write again (two-way flows send \
                       its payload; one-way flows re-read the source record and write it as it \
                       is now). Fix the data the error names first. Returns written, refused \
                       (with the new error), deferred (the system did not answer), or \
                       requested (a running tandem process replays it in its next pass).",
        annotations(destructive_hint = false)
    )]
    async fn replay_dead_letter(
        &self,
        Extension(caller): Extension<Caller>,
        Parameters(args): Parameters<DeadLetterArgs>,
    ) -> CallToolResult {
        let letter = match self.store().dead_letter(args.id).await {
            Ok(Some(letter)) => letter,
            Ok(None) => {
                return queue_failure(
                    QueueError::NotFound {
                        kind: "dead letter",
                        id: args.id,
                    },
                    "list_dead_letters",
                );
            }
            Err(error) => return error_result(error.to_string()),
        };
        let flow = letter.letter.flow.clone();
        let summary = format!(
            "replay dead letter {} of flow {} ({} {} {})",
            args.id,
            flow,
            letter.letter.action,
            letter.letter.source_system,
            letter.letter.source_id
        );
        let arguments = json!({"id": args.id});
        match self
            .gate(
                &caller,
                "replay_dead_letter",
                &flow,
                arguments,
                args.approval_id,
                summary.clone(),
            )
            .await
        {
            Gate::Stop(result) => result,
            Gate::DryRun => ok(
                json!({"status": "dry_run", "would": summary, "dead_letter": dead_letter_json(&letter)}),
            ),
            Gate::Proceed { approval } => {
                let result = actions::replay(self.host.as_ref(), args.id).await;
                self.finish(approval, result).await
            }
        }
    }

    /// Discards a dead letter.
    #[tool(
        description = "Discard a dead letter: nothing will be written for it. Use when the \
                       refused write is no longer wanted (the record was fixed by hand, or is \
                       a test).",
        annotations(destructive_hint = true)
    )]
    async fn discard_dead_letter(
        &self,
        Extension(caller): Extension<Caller>,
        Parameters(args): Parameters<DeadLetterArgs>,
    ) -> CallToolResult {
        let letter = match self.store().dead_letter(args.id).await {
            Ok(Some(letter)) => letter,
            Ok(None) => {
                return queue_failure(
                    QueueError::NotFound {
                        kind: "dead letter",
                        id: args.id,
                    },
                    "list_dead_letters",
                );
            }
            Err(error) => return error_result(error.to_string()),
        };
        let flow = letter.letter.flow.clone();
        let summary = format!("discard dead letter {} of flow {flow}", args.id);
        match self
            .gate(
                &caller,
                "discard_dead_letter",
                &flow,
                json!({"id": args.id}),
                args.approval_id,
                summary.clone(),
            )
            .await
        {
            Gate::Stop(result) => result,
            Gate::DryRun => ok(
                json!({"status": "dry_run", "would": summary, "dead_letter": dead_letter_json(&letter)}),
            ),
            Gate::Proceed { approval } => {
                let result = actions::discard(self.host.as_ref(), args.id).await;
                self.finish(approval, result).await
            }
        }
    }

    /// Decides a review item.
    #[tool(
        description = "Decide a review item: link the record to target_id on the other side, \
                       create its counterpart, or reject it (leave it out until it changes). \
                       The next pass of the flow carries the decision out; run_flow does it \
                       now.",
        annotations(destructive_hint = false)
    )]
    async fn resolve_review(
        &self,
        Extension(caller): Extension<Caller>,
        Parameters(args): Parameters<ResolveReviewArgs>,
    ) -> CallToolResult {
        let decision = match review_decision(&args.decision, args.target_id.as_deref()) {
            Ok(decision) => decision,
            Err(message) => return error_result(message),
        };
        let review = match self.store().review(args.id).await {
            Ok(Some(review)) => review,
            Ok(None) => {
                return queue_failure(
                    QueueError::NotFound {
                        kind: "review",
                        id: args.id,
                    },
                    "list_review_items",
                );
            }
            Err(error) => return error_result(error.to_string()),
        };
        let flow = review.item.flow.clone();
        let summary = format!("decide review item {} of flow {flow}: {decision}", args.id);
        let arguments =
            json!({"id": args.id, "decision": args.decision, "target_id": args.target_id});
        match self
            .gate(
                &caller,
                "resolve_review",
                &flow,
                arguments,
                args.approval_id,
                summary.clone(),
            )
            .await
        {
            Gate::Stop(result) => result,
            Gate::DryRun => ok(
                json!({"status": "dry_run", "would": summary, "review_item": review_json(&review)}),
            ),
            Gate::Proceed { approval } => {
                let by = format!("MCP client {}", caller.0.name);
                let result =
                    actions::decide_review(self.host.as_ref(), args.id, &decision, &by).await;
                self.finish(approval, result).await
            }
        }
    }

    /// Resolves a conflict.
    #[tool(
        description = "Resolve a conflict by choosing the system whose value wins: netsuite or \
                       salesforce. The next pass of the flow writes the winning value to the \
                       other system; run_flow does it now.",
        annotations(destructive_hint = false)
    )]
    async fn resolve_conflict(
        &self,
        Extension(caller): Extension<Caller>,
        Parameters(args): Parameters<ResolveConflictArgs>,
    ) -> CallToolResult {
        let winner = match parse_system(&args.winner) {
            Ok(winner) => winner,
            Err(message) => return error_result(message),
        };
        let conflict = match self.store().conflict(args.id).await {
            Ok(Some(conflict)) => conflict,
            Ok(None) => {
                return queue_failure(
                    QueueError::NotFound {
                        kind: "conflict",
                        id: args.id,
                    },
                    "list_conflicts",
                );
            }
            Err(error) => return error_result(error.to_string()),
        };
        let flow = conflict.conflict.flow.clone();
        let summary = format!("resolve conflict {} of flow {flow}: {winner} wins", args.id);
        let arguments = json!({"id": args.id, "winner": args.winner});
        match self
            .gate(
                &caller,
                "resolve_conflict",
                &flow,
                arguments,
                args.approval_id,
                summary.clone(),
            )
            .await
        {
            Gate::Stop(result) => result,
            Gate::DryRun => ok(
                json!({"status": "dry_run", "would": summary, "conflict": conflict_json(&conflict)}),
            ),
            Gate::Proceed { approval } => {
                let by = format!("MCP client {}", caller.0.name);
                let result =
                    actions::resolve_conflict(self.host.as_ref(), args.id, winner, &by).await;
                self.finish(approval, result).await
            }
        }
    }

    /// Creates the sales order of a won Opportunity.
    #[tool(
        description = "Create the NetSuite sales order for a Closed Won Salesforce \
                       Opportunity now, by syncing that Opportunity alone through the \
                       opportunity-to-sales-order flow, and \
                       return the Opportunity's outcome: the sales order's internal ID when \
                       it exists, or why it was not created (not Closed Won, refused by \
                       NetSuite with the error, waiting in a queue). An Opportunity that \
                       already has its order is not ordered twice.",
        annotations(destructive_hint = false, idempotent_hint = true)
    )]
    async fn create_sales_order(
        &self,
        Extension(caller): Extension<Caller>,
        Parameters(args): Parameters<CreateSalesOrderArgs>,
    ) -> CallToolResult {
        if let Err(result) = self.check_flow(SALES_ORDER_FLOW) {
            return result;
        }
        let id = args.opportunity_id.trim().to_string();
        if !matches!(id.len(), 15 | 18) || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
            return error_result(format!(
                "opportunity_id {id:?} is not a Salesforce Id: expected 15 or 18 letters and \
                 digits (find_record finds it by name)"
            ));
        }
        let existing = lookup::facts(
            self.store().as_ref(),
            &[SALES_ORDER_FLOW.to_string()],
            tandem_engine::System::Salesforce,
            &id,
            None,
        )
        .await;
        match existing {
            Ok(facts) if facts.written_counterpart(SALES_ORDER_FLOW).is_some() => {
                return ok(
                    json!({"status": "done", "outcome": "exists", "opportunity": facts.to_json()}),
                );
            }
            Ok(_) => {}
            Err(error) => return error_result(error.to_string()),
        }
        let summary = format!(
            "create the NetSuite sales order of Opportunity {id} (syncs it through flow {SALES_ORDER_FLOW})"
        );
        let arguments = arguments_of(&json!({"opportunity_id": id}));
        match self
            .gate(
                &caller,
                "create_sales_order",
                SALES_ORDER_FLOW,
                arguments,
                args.approval_id,
                summary,
            )
            .await
        {
            Gate::Stop(result) => result,
            Gate::DryRun => {
                actions::run_and_report(self.host.as_ref(), SALES_ORDER_FLOW, true, Some(&id)).await
            }
            Gate::Proceed { approval } => {
                let host = self.host.as_ref();
                let result =
                    actions::run_and_report(host, SALES_ORDER_FLOW, false, Some(&id)).await;
                self.finish(approval, result).await
            }
        }
    }
}
