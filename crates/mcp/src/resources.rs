//! Resources: the run history, the gateway's call log and the audit log of decisions about
//! records, each as a JSON document of the newest entries.

use rmcp::ErrorData;
use rmcp::model::{ListResourcesResult, ReadResourceResult, Resource, ResourceContents};
use serde_json::{Value, json};
use tandem_engine::queues::value_json;

use crate::host::GatewayBackend;

/// How many entries a resource holds, newest first.
const ENTRIES: usize = 200;

/// The run history of every flow.
pub const RUNS: &str = "tandem://runs";
/// Every MCP tool call: client, tool, arguments without secrets, outcome, time.
pub const CALLS: &str = "tandem://audit/calls";
/// Decisions about records: links, creates, reviews, conflicts, dead letters.
pub const DECISIONS: &str = "tandem://audit/decisions";

/// Lists the resources.
pub fn list() -> ListResourcesResult {
    let resource = |uri: &str, name: &str, description: &str| {
        Resource::new(uri, name)
            .with_description(description)
            .with_mime_type("application/json")
    };
    let resources = vec![
        resource(
            RUNS,
            "run history",
            "The newest 200 runs of every flow, newest first: flow, status (running, \
             completed, failed, interrupted), start and end time, counts, error.",
        ),
        resource(
            CALLS,
            "MCP call log",
            "The newest 200 MCP tool calls, newest first: client, tool, arguments with \
             secrets removed, outcome (ok, error, refused, rate_limited, dry_run, \
             approval_required) and time.",
        ),
        resource(
            DECISIONS,
            "decision audit log",
            "The newest 200 decisions about records, newest first: links, creates, review \
             and conflict decisions, with both systems' values and who decided.",
        ),
    ];
    ListResourcesResult {
        resources,
        ..ListResourcesResult::default()
    }
}

/// Reads one resource as JSON text.
pub async fn read(store: &dyn GatewayBackend, uri: &str) -> Result<ReadResourceResult, ErrorData> {
    let internal = |error: tandem_engine::state::StoreError| {
        ErrorData::internal_error(error.to_string(), None)
    };
    let document: Value = match uri {
        RUNS => json!(store.runs(None, ENTRIES).await.map_err(internal)?),
        CALLS => json!(store.calls(ENTRIES).await.map_err(internal)?),
        DECISIONS => {
            let entries = store.audit_entries(None, ENTRIES).await.map_err(internal)?;
            let rendered: Vec<Value> = entries
                .iter()
                .map(|stored| {
                    let entry = &stored.entry;
                    json!({
                        "id": stored.id,
                        "at": stored.at,
                        "flow": entry.flow,
                        "kind": entry.kind,
                        "ns_id": entry.ns_id,
                        "sf_id": entry.sf_id,
                        "field": entry.field,
                        "netsuite_value": entry.netsuite_value.as_ref().map(value_json),
                        "salesforce_value": entry.salesforce_value.as_ref().map(value_json),
                        "decision": entry.decision,
                    })
                })
                .collect();
            Value::from(rendered)
        }
        other => {
            return Err(ErrorData::resource_not_found(
                format!("no resource {other:?}; the resources are {RUNS}, {CALLS} and {DECISIONS}"),
                None,
            ));
        }
    };
    let contents = ResourceContents::TextResourceContents {
        uri: uri.to_string(),
        mime_type: Some("application/json".to_string()),
        text: document.to_string(),
        meta: None,
    };
    Ok(ReadResourceResult::new(vec![contents]))
}
