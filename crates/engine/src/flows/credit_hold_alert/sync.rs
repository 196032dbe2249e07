//! Syncing a batch of customers: the credit fields of their Accounts first, then the alert
//! episodes and their Tasks.

use std::collections::BTreeMap;

use chrono::{SecondsFormat, Utc};

use super::credit::{self, Alert, Credit};
use super::episode::{self, DESCRIPTION, Episode, WHAT_ID};
use super::{ACCOUNT_OBJECT, FLOW, HOLD_FIELD, OWNER_FIELD, Template};
use crate::error::{ErrorClass, RemoteError};
use crate::flows::{account_customer, support};
use crate::mapping::LookupTable;
use crate::one_way::{Outcome, Refusal, SourceItem};
use crate::pass::{Connections, PassError};
use crate::record::{FieldValue, Fields, ObjectSpec, RecordUpdate, SourceRecord, System};
use crate::report::PassReport;

/// A linked customer whose Account is read and whose fields mapped.
struct Ready<'a> {
    /// The item's place in the batch.
    index: usize,
    customer: &'a SourceRecord,
    account: &'a SourceRecord,
    credit: Credit,
    /// The Account fields that differ from its values.
    changes: Fields,
    /// True once the changes are written.
    updated: bool,
}

/// Syncs a batch and returns one outcome per item, in order.
pub(super) async fn sync(
    template: &Template,
    connections: &Connections,
    items: &[SourceItem],
    report: &mut PassReport,
) -> Result<Vec<Outcome>, PassError> {
    let mut links = Vec::with_capacity(items.len());
    for item in items {
        let id = &item.record.id;
        let flow = account_customer::FLOW;
        links.push(support::linked(connections, flow, System::NetSuite, id).await?);
    }
    let object = template.account_object();
    let accounts = read_accounts(connections, &object, &links).await?;
    let keys = items
        .iter()
        .flat_map(|item| {
            template
                .mapping
                .lookup_keys(System::NetSuite, &item.record.fields)
        })
        .collect();
    let lookups = LookupTable::load(connections.store.as_ref(), keys).await?;

    let mut outcomes: Vec<Option<Outcome>> = Vec::with_capacity(items.len());
    let mut ready = Vec::new();
    for (index, (item, link)) in items.iter().zip(&links).enumerate() {
        match plan(template, &item.record, link.as_deref(), &accounts, &lookups) {
            Plan::Write(account, changes) => {
                outcomes.push(None);
                ready.push(Ready {
                    index,
                    customer: &item.record,
                    account,
                    credit: Credit::read(&item.record.fields),
                    changes,
                    updated: false,
                });
            }
            Plan::Done(outcome) => outcomes.push(Some(outcome)),
        }
    }

    write_accounts(connections, &object, &mut ready, &mut outcomes).await?;
    let tasks = if template.options.alert {
        alerts(template, connections, &ready).await?
    } else {
        BTreeMap::new()
    };
    for customer in &ready {
        outcomes[customer.index] =
            Some(final_outcome(customer, tasks.get(&customer.index), report));
    }
    Ok(outcomes
        .into_iter()
        .map(|o| o.unwrap_or(Outcome::Unchanged))
        .collect())
}

/// Reads the linked Accounts, by ID.
async fn read_accounts(
    connections: &Connections,
    object: &ObjectSpec,
    links: &[Option<String>],
) -> Result<BTreeMap<String, SourceRecord>, PassError> {
    let mut ids: Vec<String> = links.iter().flatten().cloned().collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    let port = connections.port(System::Salesforce);
    let records = connections
        .retry
        .run("Salesforce Accounts by Id", || port.read(object, &ids))
        .await?;
    Ok(records
        .into_iter()
        .map(|record| (record.id.clone(), record))
        .collect())
}

/// The write planned for a customer's Account.
enum Plan<'a> {
    /// The Account and the fields that differ from its values (maybe none).
    Write(&'a SourceRecord, Fields),
    /// The customer goes no further: not linked, its Account gone, or its fields not mapped.
    Done(Outcome),
}

/// Returns the plan for the customer's Account.
fn plan<'a>(
    template: &Template,
    customer: &SourceRecord,
    link: Option<&str>,
    accounts: &'a BTreeMap<String, SourceRecord>,
    lookups: &LookupTable,
) -> Plan<'a> {
    let Some(account_id) = link else {
        return Plan::Done(Outcome::Skipped(format!(
            "customer {} is not linked to an Account by {}",
            customer.id,
            account_customer::FLOW
        )));
    };
    let Some(account) = accounts.get(account_id) else {
        let message = format!(
            "{ACCOUNT_OBJECT} {account_id}, linked to customer {} by {}, was not found",
            customer.id,
            account_customer::FLOW
        );
        return Plan::Done(Outcome::Refused(Refusal {
            target_id: Some(account_id.to_string()),
            payload: Fields::new(),
            error: RemoteError::new(System::Salesforce, ErrorClass::Data, "NOT_FOUND", message),
        }));
    };
    let translated = match template
        .mapping
        .translate(System::NetSuite, &customer.fields, lookups)
    {
        Ok(translated) => translated,
        Err(error) => return Plan::Done(support::mapping_failure(System::Salesforce, error)),
    };
    // Mapped fields the customer leaves blank are cleared on the Account.
    let mut wanted: Fields = template
        .mapped_fields()
        .into_iter()
        .map(|name| (name, FieldValue::Null))
        .collect();
    wanted.extend(translated);
    let credit = Credit::read(&customer.fields);
    wanted.insert(HOLD_FIELD.to_string(), credit::hold_value(&credit));
    Plan::Write(account, support::changes(&account.fields, &wanted))
}

/// Writes the changed Accounts in one call. A customer whose Account write fails gets that
/// outcome and no Task in this pass.
async fn write_accounts(
    connections: &Connections,
    object: &ObjectSpec,
    ready: &mut Vec<Ready<'_>>,
    outcomes: &mut [Option<Outcome>],
) -> Result<(), PassError> {
    let updates: Vec<RecordUpdate> = ready
        .iter()
        .filter(|customer| !customer.changes.is_empty())
        .map(|customer| RecordUpdate {
            id: customer.account.id.clone(),
            fields: customer.changes.clone(),
            link: None,
        })
        .collect();
    let results = support::update(connections, System::Salesforce, object, updates).await?;
    let mut results = results.into_iter();
    for customer in ready.iter_mut().filter(|c| !c.changes.is_empty()) {
        match results.next() {
            Some(Ok(_)) => customer.updated = true,
            Some(failed) => {
                let id = Some(customer.account.id.clone());
                let outcome = support::outcome(failed, false, id, customer.changes.clone());
                outcomes[customer.index] = Some(outcome);
            }
            None => {}
        }
    }
    ready.retain(|customer| outcomes[customer.index].is_none());
    Ok(())
}

/// Moves each customer's episode on and inserts the Tasks of episodes that start or whose
/// Task is not confirmed yet. Returns the outcome of each Task insert, by batch index.
async fn alerts(
    template: &Template,
    connections: &Connections,
    ready: &[Ready<'_>],
) -> Result<BTreeMap<usize, Outcome>, PassError> {
    let start = Utc::now();
    let mut due = Vec::new();
    for customer in ready {
        let id = &customer.customer.id;
        let current = episode::load(connections, id).await?;
        let alert = customer.credit.alert(template.options.threshold);
        match (alert, current) {
            (None, Some(_)) => {
                tracing::info!(flow = FLOW, ns_id = %id, "credit alert cleared");
                episode::save(connections, id, None).await?;
            }
            (Some(alert), None) => {
                let started = Episode {
                    start: start.to_rfc3339_opts(SecondsFormat::Micros, true),
                    task: None,
                };
                // Stored before the insert, so a retry after a crash looks for this marker.
                episode::save(connections, id, Some(&started)).await?;
                due.push((customer, alert, started));
            }
            (Some(alert), Some(open)) if open.task.is_none() => due.push((customer, alert, open)),
            _ => {}
        }
    }
    insert_tasks(template, connections, due).await
}

/// Inserts a Task for each episode, unless a Task with its marker exists already.
async fn insert_tasks(
    template: &Template,
    connections: &Connections,
    due: Vec<(&Ready<'_>, Alert, Episode)>,
) -> Result<BTreeMap<usize, Outcome>, PassError> {
    let accounts = due.iter().map(|(c, _, _)| c.account.id.clone()).collect();
    let marked = episode::marked_tasks(connections, accounts).await?;
    let today = Utc::now().date_naive().to_string();
    let mut inserts = Vec::new();
    for (customer, alert, mut open) in due {
        let id = &customer.customer.id;
        match marked.get(&open.marker(id)) {
            Some(task) => {
                tracing::info!(flow = FLOW, ns_id = %id, sf_id = %task, "alert Task found");
                open.task = Some(task.clone());
                episode::save(connections, id, Some(&open)).await?;
            }
            None => {
                let fields = task_fields(template, customer, alert, &open, &today);
                inserts.push((customer, open, fields));
            }
        }
    }

    let records = inserts
        .iter()
        .map(|(_, _, fields)| fields.clone())
        .collect();
    let object = episode::task_object();
    let results = support::insert(connections, System::Salesforce, &object, records).await?;
    let mut outcomes = BTreeMap::new();
    for ((customer, mut open, fields), result) in inserts.into_iter().zip(results) {
        let id = &customer.customer.id;
        if let Ok(written) = &result {
            tracing::info!(flow = FLOW, ns_id = %id, sf_id = %written.id, "alert Task inserted");
            open.task = Some(written.id.clone());
            episode::save(connections, id, Some(&open)).await?;
        }
        outcomes.insert(customer.index, support::outcome(result, true, None, fields));
    }
    Ok(outcomes)
}

/// Builds a new Task for the Account's owner.
fn task_fields(
    template: &Template,
    customer: &Ready<'_>,
    alert: Alert,
    open: &Episode,
    today: &str,
) -> Fields {
    let id = &customer.customer.id;
    let name = credit::customer_name(id, &customer.customer.fields);
    let description = credit::description(&customer.credit, alert, id, &open.marker(id));
    let options = &template.options;
    let mut fields = Fields::from([
        (
            "Subject".to_string(),
            FieldValue::text(credit::subject(alert, &name)),
        ),
        (DESCRIPTION.to_string(), FieldValue::text(description)),
        (
            "Priority".to_string(),
            FieldValue::text(options.task_priority.clone()),
        ),
        (
            "Status".to_string(),
            FieldValue::text(options.task_status.clone()),
        ),
        (
            WHAT_ID.to_string(),
            FieldValue::text(customer.account.id.clone()),
        ),
        ("ActivityDate".to_string(), FieldValue::text(today)),
    ]);
    // Without an owner, Salesforce assigns the Task to the integration user.
    if let Some(owner) = support::text(&customer.account.fields, OWNER_FIELD) {
        fields.insert(OWNER_FIELD.to_string(), FieldValue::text(owner));
    }
    fields
}

/// Returns what became of a customer whose Account write, if any, succeeded. A new Task
/// counts as created; when its Account was updated too, that write is counted in `written`.
fn final_outcome(customer: &Ready<'_>, task: Option<&Outcome>, report: &mut PassReport) -> Outcome {
    match task {
        Some(task) => {
            if customer.updated {
                report.written += 1;
            }
            task.clone()
        }
        None if customer.updated => Outcome::Updated(customer.account.id.clone()),
        None => Outcome::Unchanged,
    }
}
