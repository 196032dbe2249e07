//! Read tools: flows and their status, record look-ups and explanations, the queues, and the
//! API budget.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::{tool, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use tandem_engine::System;
use tandem_engine::queues::{conflict_json, dead_letter_json, review_json};
use tandem_engine::state::{ConflictStatus, DeadLetterStatus, ReviewStatus};

use super::ok;
use crate::gateway::{Gateway, error_result};
use crate::{live, lookup};

/// Arguments of `find_record`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct FindRecordArgs {
    /// What to look for: a Salesforce Id (15 or 18 characters), a NetSuite internal ID, a
    /// document or entity number (for example a sales order number), a company name or an
    /// email address. Names are compared without case, punctuation or legal form (Inc, GmbH).
    pub query: String,
}

/// Arguments of `explain_record`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ExplainRecordArgs {
    /// The record: a Salesforce Id, a NetSuite internal ID, a number, a name or an email, as
    /// for find_record.
    pub query: String,
}

/// Arguments of the queue listing tools.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct QueueArgs {
    /// Only items of this flow (for example `account-customer`); all flows when omitted.
    pub flow: Option<String>,
    /// Only items with this status; `all` for every status. Dead letters: open (default),
    /// requested, resolved, discarded. Review items: pending (default), decided, done.
    /// Conflicts: open (default), decided, done.
    pub status: Option<String>,
    /// At most this many items, oldest first (default 50).
    pub limit: Option<usize>,
}

/// Arguments of `approval_status`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ApprovalStatusArgs {
    /// The approval_id a write tool returned with status approval_required.
    pub approval_id: i64,
}

/// Parses a status filter: `None` (the default status), `all`, or one status.
fn status_filter<T: std::str::FromStr<Err = String>>(
    status: Option<&str>,
    default: T,
) -> Result<Option<T>, String> {
    match status {
        None => Ok(Some(default)),
        Some("all") => Ok(None),
        Some(text) => text.parse().map(Some),
    }
}

fn limited(mut items: Vec<Value>, limit: Option<usize>) -> Value {
    let total = items.len();
    items.truncate(limit.unwrap_or(50));
    json!({"total": total, "items": items})
}

#[tool_router(router = read_router, vis = "pub(crate)")]
impl Gateway {
    /// Lists the enabled flows with their last run and open queue items.
    #[tool(
        description = "List the enabled sync flows in run order, each with its last run \
                       (status, start and end time, counts, error) and how many dead letters, \
                       review items and conflicts are open. Start here to see whether the \
                       sync is healthy.",
        annotations(read_only_hint = true)
    )]
    async fn list_flows(&self) -> CallToolResult {
        let store = self.store();
        let mut flows = Vec::new();
        for flow in self.host.flows() {
            let result = async {
                let last_run = store.runs(Some(&flow), 1).await?.into_iter().next();
                let letters = store
                    .dead_letters(Some(&flow), Some(DeadLetterStatus::Open))
                    .await?
                    .len();
                let reviews = store
                    .reviews(Some(&flow), Some(ReviewStatus::Pending))
                    .await?
                    .len();
                let conflicts = store
                    .conflicts(Some(&flow), Some(ConflictStatus::Open))
                    .await?
                    .len();
                Ok::<_, tandem_engine::state::StoreError>(json!({
                    "flow": flow,
                    "last_run": last_run,
                    "open_dead_letters": letters,
                    "pending_review_items": reviews,
                    "open_conflicts": conflicts,
                }))
            }
            .await;
            match result {
                Ok(value) => flows.push(value),
                Err(error) => return error_result(error.to_string()),
            }
        }
        ok(json!({ "flows": flows }))
    }

    /// Finds records across both systems.
    #[tool(
        description = "Find a record in NetSuite or Salesforce by Salesforce Id, NetSuite \
                       internal ID, document number (tranId), email, or part of a name. Looks \
                       in the live APIs (Salesforce Accounts, Contacts and Opportunities; \
                       NetSuite customers, contacts, sales orders and invoices) and among the \
                       records Tandem has read. Returns each match with its system and \
                       object, its values (`live` holds the record as the API returned it), \
                       its cross-references (the linked record on the other side, per flow), \
                       its sync status (synced, dead_letter, review, conflict, excluded, \
                       filtered, not_synced, unknown when Tandem never read it), the reasons \
                       and the last decision. `source` says where it was found.",
        annotations(read_only_hint = true)
    )]
    async fn find_record(&self, Parameters(args): Parameters<FindRecordArgs>) -> CallToolResult {
        if args.query.trim().is_empty() {
            return error_result("query is empty: give an ID, number, name or email");
        }
        let (found, live_errors) = match self.find_everywhere(&args.query).await {
            Ok(found) => found,
            Err(error) => return error_result(error),
        };
        let records: Vec<Value> = found.into_iter().map(|(_, value)| value).collect();
        ok(json!({ "query": args.query, "records": records, "live_errors": live_errors }))
    }

    /// Explains why a record did or did not sync.
    #[tool(
        description = "Explain why a record did not sync (or confirm that it did): a write \
                       the other system refused (dead letter, with the remote error), a \
                       doubtful match waiting for review, a field changed on both sides \
                       waiting in the conflict queue, a record left out after a deletion, a \
                       record the flow's filter leaves out, or a record that exists in the \
                       live API but that Tandem never read. Each reason says which tool fixes \
                       it.",
        annotations(read_only_hint = true)
    )]
    async fn explain_record(
        &self,
        Parameters(args): Parameters<ExplainRecordArgs>,
    ) -> CallToolResult {
        if args.query.trim().is_empty() {
            return error_result("query is empty: give an ID, number, name or email");
        }
        let (found, live_errors) = match self.find_everywhere(&args.query).await {
            Ok(found) => found,
            Err(error) => return error_result(error),
        };
        if found.is_empty() {
            return ok(json!({
                "query": args.query,
                "status": "unknown",
                "reasons": ["Neither the live APIs nor Tandem's store have a record with this \
                    ID, number, name or email: the query may be misspelt, or the record is of \
                    an object no flow covers. list_flows shows what runs."],
                "live_errors": live_errors,
            }));
        }
        let explanations: Vec<Value> = found
            .iter()
            .map(|(facts, value)| {
                json!({
                    "system": facts.system,
                    "object": facts.object,
                    "id": facts.id,
                    "source": value["source"],
                    "status": facts.status(),
                    "reasons": facts.reasons(),
                })
            })
            .collect();
        ok(json!({ "query": args.query, "records": explanations, "live_errors": live_errors }))
    }

    /// Lists dead letters.
    #[tool(
        description = "List dead letters: writes the other system refused, each with its \
                       flow, source record, target record, action (create, update, link, \
                       sync), the payload and the remote error code and message. Open letters \
                       wait for replay_dead_letter or discard_dead_letter.",
        annotations(read_only_hint = true)
    )]
    async fn list_dead_letters(&self, Parameters(args): Parameters<QueueArgs>) -> CallToolResult {
        let status = match status_filter(args.status.as_deref(), DeadLetterStatus::Open) {
            Ok(status) => status,
            Err(message) => return error_result(message),
        };
        match self
            .store()
            .dead_letters(args.flow.as_deref(), status)
            .await
        {
            Ok(letters) => ok(limited(
                letters.iter().map(dead_letter_json).collect(),
                args.limit,
            )),
            Err(error) => error_result(error.to_string()),
        }
    }

    /// Lists review items.
    #[tool(
        description = "List review items: records whose best match on the other side is \
                       doubtful, each with its values and the candidates with their scores. \
                       Nothing is written for them until resolve_review decides.",
        annotations(read_only_hint = true)
    )]
    async fn list_review_items(&self, Parameters(args): Parameters<QueueArgs>) -> CallToolResult {
        let status = match status_filter(args.status.as_deref(), ReviewStatus::Pending) {
            Ok(status) => status,
            Err(message) => return error_result(message),
        };
        match self.store().reviews(args.flow.as_deref(), status).await {
            Ok(items) => ok(limited(items.iter().map(review_json).collect(), args.limit)),
            Err(error) => error_result(error.to_string()),
        }
    }

    /// Lists conflicts.
    #[tool(
        description = "List conflicts: fields changed in both systems since the last sync \
                       under the manual policy, each with the last synced value and both new \
                       values. Neither value is written until resolve_conflict picks a side.",
        annotations(read_only_hint = true)
    )]
    async fn list_conflicts(&self, Parameters(args): Parameters<QueueArgs>) -> CallToolResult {
        let status = match status_filter(args.status.as_deref(), ConflictStatus::Open) {
            Ok(status) => status,
            Err(message) => return error_result(message),
        };
        match self.store().conflicts(args.flow.as_deref(), status).await {
            Ok(items) => ok(limited(
                items.iter().map(conflict_json).collect(),
                args.limit,
            )),
            Err(error) => error_result(error.to_string()),
        }
    }

    /// Reports the API budget and concurrency of both systems.
    #[tool(
        description = "Show the API budget and concurrency: Salesforce's daily API requests \
                       used and allowed (from the org's limits) with the share Tandem keeps \
                       in reserve, and NetSuite's concurrency limit with the requests in \
                       flight now: across every worker when the store is a shared PostgreSQL \
                       store (in_flight_all_workers), and those of the serving daemon's own \
                       passes when the gateway runs inside `tandem run` \
                       (in_flight_this_process). The note says which figures apply.",
        annotations(read_only_hint = true)
    )]
    async fn api_budget(&self) -> CallToolResult {
        match self.host.budget().await {
            Ok(budget) => ok(budget),
            Err(error) => error_result(error.message),
        }
    }

    /// Reports the status of an approval request.
    #[tool(
        description = "Show where an approval request stands: pending (a person has not \
                       decided), approved (Tandem carries it out shortly), running, rejected, \
                       done or failed. Done and failed requests include the outcome of the \
                       write: the same result the write tool returns, or its error.",
        annotations(read_only_hint = true)
    )]
    async fn approval_status(
        &self,
        Parameters(args): Parameters<ApprovalStatusArgs>,
    ) -> CallToolResult {
        match self.store().approval(args.approval_id).await {
            Ok(Some(approval)) => ok(approval.to_json()),
            Ok(None) => error_result(format!("approval {} not found", args.approval_id)),
            Err(error) => error_result(error.to_string()),
        }
    }
}

impl Gateway {
    /// Finds a query in the store and the live APIs. A live API that cannot be reached adds a
    /// message to the second list instead of failing the look-up.
    async fn find_everywhere(
        &self,
        query: &str,
    ) -> Result<(Vec<(lookup::RecordFacts, Value)>, Vec<String>), String> {
        let (live, mut errors) = match self.host.live_ports().await {
            Ok(ports) => {
                let result = live::search(&ports, query).await;
                (Some(result.records), result.errors)
            }
            Err(error) => (None, vec![format!("live look-up skipped: {error}")]),
        };
        let live = live.map(|records| live::LiveResult {
            records,
            errors: Vec::new(),
        });
        let flows = self.host.flows();
        let found = lookup::find_merged(self.store().as_ref(), &flows, query, live.as_ref())
            .await
            .map_err(|error| error.to_string())?;
        errors.dedup();
        Ok((found, errors))
    }
}

/// Parses a system name as tools accept it.
pub(crate) fn parse_system(text: &str) -> Result<System, String> {
    match text.to_ascii_lowercase().as_str() {
        "netsuite" => Ok(System::NetSuite),
        "salesforce" => Ok(System::Salesforce),
        other => Err(format!(
            "unknown system {other:?}; expected netsuite or salesforce"
        )),
    }
}
