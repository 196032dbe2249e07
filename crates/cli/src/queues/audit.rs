//! `tandem audit`: the newest decisions about records, with both values.

use std::process::ExitCode;

use serde_json::{Value, json};

use super::{StoreArgs, value_json, value_text};
use crate::say;

/// Prints the newest `limit` audit entries, of one flow or of all.
pub async fn run(args: StoreArgs, flow: Option<String>, limit: usize) -> anyhow::Result<ExitCode> {
    let store = args.open().await?;
    let entries = store.audit_entries(flow.as_deref(), limit).await?;
    if args.json {
        let items: Vec<Value> = entries
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
        say!("{}", Value::from(items))?;
        return Ok(ExitCode::SUCCESS);
    }
    for stored in &entries {
        let entry = &stored.entry;
        let mut line = format!(
            "{}  {}  {}  NetSuite {} / Salesforce {}",
            stored.at.format("%Y-%m-%d %H:%M:%S"),
            entry.flow,
            entry.kind,
            entry.ns_id.as_deref().unwrap_or("-"),
            entry.sf_id.as_deref().unwrap_or("-"),
        );
        if let Some(field) = &entry.field {
            let value = |v: &Option<tandem_engine::FieldValue>| {
                v.as_ref().map(value_text).unwrap_or_default()
            };
            line.push_str(&format!(
                "  {field}: NetSuite {:?}, Salesforce {:?}",
                value(&entry.netsuite_value),
                value(&entry.salesforce_value)
            ));
        }
        say!("{line}  {}", entry.decision)?;
    }
    Ok(ExitCode::SUCCESS)
}
