//! `tandem check`: every enabled flow's fields checked against what Salesforce describes and
//! what NetSuite's published schema holds, before anything runs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::DateTime;
use serde::Serialize;
use tandem_engine::flow::{FieldUse, Flow, NamedRecords};
use tandem_engine::{
    ErrorClass, FieldType, FieldValue, ObjectInfo, ObjectSpec, RecordPort, System, split_line_field,
};

use crate::config::{ConfigError, FileConfig, SecretSource};
use crate::connect::{netsuite_port, salesforce_port};
use crate::flows::enabled_flows;
use crate::say;

/// The options of `tandem check`.
pub struct CheckOptions {
    pub config: PathBuf,
    pub json: bool,
    pub env_file: Option<PathBuf>,
}

/// One thing wrong with a flow's configuration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    pub flow: String,
    pub system: System,
    pub object: String,
    /// The field at fault; empty when the whole object is.
    pub field: String,
    pub purpose: String,
    pub reason: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let place = if self.field.is_empty() {
            self.object.clone()
        } else {
            format!("{}.{}", self.object, self.field)
        };
        write!(
            f,
            "{}: {} {place} ({}): {}",
            self.flow, self.system, self.purpose, self.reason
        )
    }
}

/// Checks the configuration and prints every problem. Exits 0 when there is none, 2 when
/// there are problems (as for any configuration error).
pub async fn check(options: CheckOptions) -> anyhow::Result<ExitCode> {
    let file = FileConfig::load(&options.config)?;
    let secrets = match &options.env_file {
        Some(path) => SecretSource::with_env_file(path)?,
        None => SecretSource::environment(),
    };
    let flows = enabled_flows(&file)?;
    let netsuite = netsuite_port(&file, &secrets)?;
    let salesforce = salesforce_port(&file, &secrets)?;
    let found = problems(&flows, netsuite.as_ref(), &salesforce).await?;
    if options.json {
        let names: Vec<&str> = flows.iter().map(|flow| flow.name()).collect();
        let output = serde_json::json!({"ok": found.is_empty(), "flows": names, "problems": found});
        say!("{output}")?;
    } else if found.is_empty() {
        let names: Vec<&str> = flows.iter().map(|flow| flow.name()).collect();
        say!("configuration ok: {}", names.join(", "))?;
    } else {
        for problem in &found {
            say!("{problem}")?;
        }
        say!("{} problem(s) found", found.len())?;
    }
    Ok(if found.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

/// Refuses to start when a flow names a field that does not exist or cannot be written,
/// naming the first problems. An object that cannot be described (the system is unreachable,
/// the credentials are wrong) is left to the pass, which reports it with its own hint.
pub async fn reject_problems(
    flows: &[Box<dyn Flow>],
    netsuite: &dyn RecordPort,
    salesforce: &dyn RecordPort,
    config: &Path,
    env_file: Option<&Path>,
) -> anyhow::Result<()> {
    let found = match problems(flows, netsuite, salesforce).await {
        Ok(found) => found,
        Err(error) => {
            tracing::warn!(%error, "mappings not checked before the pass");
            return Ok(());
        }
    };
    let found: Vec<Problem> = found
        .into_iter()
        .filter(|problem| !problem.field.is_empty())
        .collect();
    let Some(first) = found.first() else {
        return Ok(());
    };
    let env = env_file
        .map(|path| format!(" --env-file {}", path.display()))
        .unwrap_or_default();
    let message = format!(
        "{first}{}; `tandem check --config {}{env}` lists every problem",
        match found.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        },
        config.display()
    );
    Err(ConfigError::new(format!("flows.{}", first.flow), message).into())
}

/// Returns the problems of every enabled flow. Objects a port cannot describe are not
/// checked; an object the system does not know is a problem.
pub async fn problems(
    flows: &[Box<dyn Flow>],
    netsuite: &dyn RecordPort,
    salesforce: &dyn RecordPort,
) -> anyhow::Result<Vec<Problem>> {
    let mut uses: BTreeMap<(System, String), Vec<(String, FieldUse)>> = BTreeMap::new();
    for flow in flows {
        for used in flow.fields() {
            let key = (used.system, used.object.clone());
            uses.entry(key)
                .or_default()
                .push((flow.name().to_string(), used));
        }
    }
    let mut found = Vec::new();
    for ((system, object), fields) in uses {
        let port = match system {
            System::NetSuite => netsuite,
            System::Salesforce => salesforce,
        };
        let info = match port.describe(&object).await {
            Ok(info) => info,
            Err(error) if error.code == "NOT_SUPPORTED" => continue,
            Err(error) if error.class == ErrorClass::Config || error.class == ErrorClass::Data => {
                for flow in unique_flows(&fields) {
                    found.push(Problem {
                        flow,
                        system,
                        object: object.clone(),
                        field: String::new(),
                        purpose: "object".to_string(),
                        reason: format!("cannot be described: {error}"),
                    });
                }
                continue;
            }
            Err(error) => return Err(error.into()),
        };
        for (flow, used) in &fields {
            let reason = match field_problem(&info, used) {
                None if system == System::Salesforce && info.field(&used.field).is_none() => {
                    related_problem(port, &object, used).await
                }
                reason => reason,
            };
            if let Some(reason) = reason {
                found.push(Problem {
                    flow: flow.clone(),
                    system,
                    object: object.clone(),
                    field: used.field.clone(),
                    purpose: used.purpose.clone(),
                    reason,
                });
            }
        }
    }
    for flow in flows {
        for named in flow.named_records() {
            let port = match named.system {
                System::NetSuite => netsuite,
                System::Salesforce => salesforce,
            };
            found.extend(named_problems(flow.name(), port, &named).await?);
        }
    }
    found.dedup();
    Ok(found)
}

/// Returns a problem for each name an option gives that no record of the object has.
async fn named_problems(
    flow: &str,
    port: &dyn RecordPort,
    named: &NamedRecords,
) -> anyhow::Result<Vec<Problem>> {
    let object = ObjectSpec {
        name: named.object.clone(),
        fields: vec![named.field.clone()],
        link_field: "externalId".to_string(),
    };
    let problem = |reason: String| Problem {
        flow: flow.to_string(),
        system: named.system,
        object: named.object.clone(),
        field: named.field.clone(),
        purpose: format!("option {}", named.option),
        reason,
    };
    let records = match port.changed_since(&object, DateTime::UNIX_EPOCH).await {
        Ok(records) => records,
        Err(error) if error.code == "NOT_SUPPORTED" => return Ok(Vec::new()),
        Err(error) if matches!(error.class, ErrorClass::Config | ErrorClass::Data) => {
            return Ok(vec![problem(format!("cannot be read: {error}"))]);
        }
        Err(error) => return Err(error.into()),
    };
    let existing: Vec<&str> = records
        .iter()
        .filter_map(|record| record.fields.get(&named.field)?.as_text())
        .collect();
    let missing = named.names.iter().filter(|name| {
        !existing
            .iter()
            .any(|found| found.trim().eq_ignore_ascii_case(name.trim()))
    });
    Ok(missing
        .map(|name| {
            problem(format!(
                "no {} is named {name:?}; there are: {}",
                named.object,
                existing.join(", ")
            ))
        })
        .collect())
}

/// Checks a Salesforce field reached through a relationship (`OpportunityLineItems[].Quantity`,
/// `Account.OwnerId`) against the related object, which the port describes by path.
async fn related_problem(port: &dyn RecordPort, object: &str, used: &FieldUse) -> Option<String> {
    let name = used.field.as_str();
    let (path, leaf) = match split_line_field(name) {
        Some((list, leaf)) => (format!("{object}.{list}"), leaf),
        None => {
            let (path, leaf) = name.rsplit_once('.')?;
            (format!("{object}.{path}"), leaf)
        }
    };
    let info = match port.describe(&path).await {
        Ok(info) => info,
        Err(error) if error.class == ErrorClass::Config => {
            return Some(format!("{path} cannot be described: {}", error.message));
        }
        Err(error) => {
            tracing::warn!(%error, path, "related object not checked");
            return None;
        }
    };
    let mut leaf_use = used.clone();
    leaf_use.field = leaf.to_string();
    field_problem(&info, &leaf_use).map(|reason| format!("{path}: {reason}"))
}

fn unique_flows(fields: &[(String, FieldUse)]) -> Vec<String> {
    let mut flows: Vec<String> = fields.iter().map(|(flow, _)| flow.clone()).collect();
    flows.dedup();
    flows
}

/// Returns what is wrong with one use of a field, if anything. Names the description cannot
/// settle (custom fields the account does not list, relationship paths) pass.
pub fn field_problem(info: &ObjectInfo, used: &FieldUse) -> Option<String> {
    let name = used.field.as_str();
    let Some(field) = info.field(name) else {
        if info.is_unlisted(name) {
            return None;
        }
        if let Some((list, _)) = split_line_field(name) {
            let listed = info
                .fields
                .iter()
                .any(|field| field.name.starts_with(&format!("{list}[].")));
            return match info.field(list) {
                Some(_) if !listed => None,
                Some(_) => Some(format!("{list} has no line field {name}")),
                None => Some(format!("{} has no list or relationship {list}", info.name)),
            };
        }
        if name.contains('.') {
            return None;
        }
        return Some(format!(
            "{} has no field {name}{}",
            info.name,
            suggestion(info, name)
        ));
    };
    if used.access.writes() && !field.createable && !field.updateable && !field.external_id {
        return Some(format!("{name} is read-only, but the flow writes it"));
    }
    if let FieldType::Picklist(allowed) = &field.field_type
        && !allowed.is_empty()
        && !used.access.writes()
    {
        return condition_problem(allowed, &used.values);
    }
    if let FieldType::Picklist(allowed) = &field.field_type
        && !allowed.is_empty()
    {
        let refused: Vec<String> = used
            .values
            .iter()
            .filter_map(|value| value.as_text())
            .filter(|value| !allowed.iter().any(|allowed| allowed == value))
            .map(str::to_string)
            .collect();
        if !refused.is_empty() {
            return Some(format!(
                "{} not among its picklist values ({})",
                refused.join(", "),
                allowed.join(", ")
            ));
        }
    }
    None
}

/// Returns the problem of a condition on a picklist (`account_types` on the Account `Type`)
/// when none of its values is a picklist value, so no record could ever meet it. Values are
/// compared without regard to case, as the condition compares them. One value outside the
/// list is accepted, because a picklist that is not restricted may contain other values too.
fn condition_problem(allowed: &[String], values: &[FieldValue]) -> Option<String> {
    let texts: Vec<&str> = values.iter().filter_map(FieldValue::as_text).collect();
    let known = |value: &&str| {
        allowed
            .iter()
            .any(|allowed| allowed.eq_ignore_ascii_case(value.trim()))
    };
    if texts.is_empty() || texts.iter().any(known) {
        return None;
    }
    Some(format!(
        "none of {} is among its picklist values ({}), so no record meets the condition",
        texts.join(", "),
        allowed.join(", ")
    ))
}

/// Returns ", did you mean X?" for the listed field closest in spelling, if one is close.
fn suggestion(info: &ObjectInfo, name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    info.fields
        .iter()
        .map(|field| {
            (
                strsim::jaro_winkler(&lower, &field.name.to_ascii_lowercase()),
                field,
            )
        })
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, field)| format!("; did you mean {}?", field.name))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tandem_engine::FieldInfo;
    use tandem_engine::flow::Access;

    fn info() -> ObjectInfo {
        let field = |name: &str, field_type: FieldType, writable: bool| FieldInfo {
            name: name.to_string(),
            field_type,
            createable: writable,
            updateable: writable,
            external_id: false,
        };
        ObjectInfo {
            name: "Account".to_string(),
            fields: vec![
                field("Name", FieldType::Text, true),
                field("CreatedDate", FieldType::DateTime, false),
                field(
                    "Type",
                    FieldType::Picklist(vec!["Customer".into(), "Prospect".into()]),
                    true,
                ),
                field("Contacts", FieldType::List, false),
            ],
            unlisted_prefix: None,
        }
    }

    fn used(field: &str, access: Access) -> FieldUse {
        FieldUse::new(System::Salesforce, "Account", field, access, "mapping")
    }

    #[test]
    fn missing_field_is_named_with_a_suggestion() {
        let problem = field_problem(&info(), &used("Nmae", Access::Read)).unwrap();
        assert!(problem.contains("no field Nmae"), "{problem}");
        assert!(problem.contains("did you mean Name?"), "{problem}");
    }

    #[test]
    fn writing_a_read_only_field_is_a_problem() {
        assert!(field_problem(&info(), &used("CreatedDate", Access::Write)).is_some());
        assert!(field_problem(&info(), &used("CreatedDate", Access::Read)).is_none());
    }

    #[test]
    fn value_outside_the_picklist_is_a_problem() {
        let mut type_use = used("Type", Access::Write);
        type_use.values = vec![FieldValue::text("Customer"), FieldValue::text("Partner")];
        let problem = field_problem(&info(), &type_use).unwrap();
        assert!(problem.starts_with("Partner not among"), "{problem}");
    }

    #[test]
    fn condition_needs_one_known_value() {
        let mut type_use = used("Type", Access::Read);
        type_use.values = vec![FieldValue::text("customer"), FieldValue::text("Client")];
        assert!(field_problem(&info(), &type_use).is_none());
        type_use.values = vec![FieldValue::text("Custmer")];
        let problem = field_problem(&info(), &type_use).unwrap();
        assert!(problem.starts_with("none of Custmer"), "{problem}");
    }

    #[test]
    fn line_fields_need_their_list() {
        assert!(field_problem(&info(), &used("Contacts[].Email", Access::Read)).is_none());
        let problem = field_problem(&info(), &used("Cases[].Subject", Access::Read)).unwrap();
        assert!(
            problem.contains("no list or relationship Cases"),
            "{problem}"
        );
    }

    #[test]
    fn unlisted_custom_fields_pass() {
        let mut netsuite = info();
        netsuite.unlisted_prefix = Some("cust".to_string());
        assert!(field_problem(&netsuite, &used("custentity_tier", Access::Write)).is_none());
    }

    #[test]
    fn listed_custom_fields_are_checked() {
        let mut netsuite = info();
        netsuite.unlisted_prefix = Some("cust".to_string());
        netsuite.fields.push(FieldInfo {
            name: "custentity_score".to_string(),
            field_type: FieldType::Number,
            createable: false,
            updateable: false,
            external_id: false,
        });
        let problem = field_problem(&netsuite, &used("custentity_score", Access::Write));
        assert!(problem.is_some_and(|p| p.contains("read-only")));
    }
}
