//! Writing a batch's orders, then the order's ID, number and status back to each Opportunity.

use std::collections::BTreeMap;

use super::ORDER_NUMBER_FIELD;
use super::batch::{Order, Run, create_constants};
use super::lines;
use crate::error::RemoteError;
use crate::flows::support::{self, StatusFields, SyncStatus};
use crate::one_way::{Outcome, Refusal, SourceItem};
use crate::pass::{Connections, PassError};
use crate::record::{
    FieldValue, Fields, NewRecord, ObjectSpec, RecordUpdate, SourceRecord, System,
};
use crate::report::PassReport;

/// Creates the orders that do not exist, updates the fields that differ on those that do,
/// and writes back to the Opportunities. Returns each Opportunity's outcome by item index.
pub(super) async fn write(
    run: &Run<'_>,
    orders: Vec<Order<'_>>,
    report: &mut PassReport,
) -> Result<Vec<(usize, Outcome)>, PassError> {
    let spec = run.order_spec();
    let mut outcomes: Vec<Option<Outcome>> = vec![None; orders.len()];
    let (mut creates, mut created_at) = (Vec::new(), Vec::new());
    let (mut updates, mut updated_at) = (Vec::new(), Vec::new());
    for (position, order) in orders.iter().enumerate() {
        let Some(existing) = &order.existing else {
            creates.push(new_order(run, order));
            created_at.push(position);
            continue;
        };
        let current = lines::comparable(&existing.fields);
        let changed = support::changes(&current, &order.fields);
        if changed.is_empty() {
            outcomes[position] = Some(Outcome::Unchanged);
            continue;
        }
        updates.push(RecordUpdate {
            id: existing.id.clone(),
            fields: changed,
            link: None,
        });
        updated_at.push(position);
    }

    let connections = run.connections;
    let payloads: Vec<Fields> = creates.iter().map(|record| record.fields.clone()).collect();
    let results = support::create(connections, System::NetSuite, &spec, creates).await?;
    for ((position, payload), result) in created_at.into_iter().zip(payloads).zip(results) {
        outcomes[position] = Some(support::outcome(result, true, None, payload));
    }
    let sent: Vec<(String, Fields)> = updates
        .iter()
        .map(|update| (update.id.clone(), update.fields.clone()))
        .collect();
    let results = support::update(connections, System::NetSuite, &spec, updates).await?;
    for ((position, (id, payload)), result) in updated_at.into_iter().zip(sent).zip(results) {
        outcomes[position] = Some(support::outcome(result, false, Some(id), payload));
    }

    let numbers = order_numbers(connections, &orders, &outcomes).await?;
    write_backs(run, &orders, &mut outcomes, &numbers, report).await?;
    Ok(orders
        .iter()
        .zip(outcomes)
        .map(|(order, outcome)| (order.index, outcome.unwrap_or(Outcome::Unchanged)))
        .collect())
}

/// Returns the order ID an outcome wrote, or the existing order's when nothing was written.
fn order_id<'a>(order: &'a Order<'_>, outcome: Option<&'a Outcome>) -> Option<&'a str> {
    match outcome? {
        Outcome::Created(id) | Outcome::Updated(id) => Some(id),
        Outcome::Unchanged => order.existing.as_ref().map(|existing| existing.id.as_str()),
        _ => None,
    }
}

/// Returns the number (`tranId`) of every order written: read back for new orders, as read
/// before for the others.
async fn order_numbers(
    connections: &Connections,
    orders: &[Order<'_>],
    outcomes: &[Option<Outcome>],
) -> Result<BTreeMap<String, String>, PassError> {
    let mut numbers = BTreeMap::new();
    let mut new_ids = Vec::new();
    for (order, outcome) in orders.iter().zip(outcomes) {
        let Some(id) = order_id(order, outcome.as_ref()) else {
            continue;
        };
        let known = order.existing.as_ref().filter(|existing| existing.id == id);
        match known.and_then(|existing| support::text(&existing.fields, "tranId")) {
            Some(number) => {
                numbers.insert(id.to_string(), number.to_string());
            }
            None => new_ids.push(id.to_string()),
        }
    }
    if new_ids.is_empty() {
        return Ok(numbers);
    }
    let spec = ObjectSpec {
        name: super::SALES_ORDER.to_string(),
        fields: vec!["tranId".to_string()],
        link_field: "externalId".to_string(),
    };
    let port = connections.port(System::NetSuite);
    let read = connections
        .retry
        .run("NetSuite sales order number", || port.read(&spec, &new_ids))
        .await?;
    for order in read {
        if let Some(number) = support::text(&order.fields, "tranId") {
            numbers.insert(order.id.clone(), number.to_string());
        }
    }
    Ok(numbers)
}

/// Writes each written order's ID, number and the status `Synced` to its Opportunity. A
/// write-back that fails turns the outcome into a deferral (transient) or a dead letter.
async fn write_backs(
    run: &Run<'_>,
    orders: &[Order<'_>],
    outcomes: &mut [Option<Outcome>],
    numbers: &BTreeMap<String, String>,
    report: &mut PassReport,
) -> Result<(), PassError> {
    let mut updates = Vec::new();
    let mut positions = Vec::new();
    for (position, order) in orders.iter().enumerate() {
        let Some(id) = order_id(order, outcomes[position].as_ref()) else {
            continue;
        };
        let number = numbers.get(id).map(String::as_str);
        if let Some(update) = write_back(run.status, order.source, id, number) {
            updates.push(update);
            positions.push((position, id.to_string()));
        }
    }
    let sent: Vec<Fields> = updates.iter().map(|update| update.fields.clone()).collect();
    let (connections, spec) = (run.connections, run.opportunity);
    let results = support::update(connections, System::Salesforce, spec, updates).await?;
    for (((position, order_id), payload), result) in positions.into_iter().zip(sent).zip(results) {
        match result {
            Ok(_) => report.written += 1,
            Err(error) if error.is_transient() => {
                outcomes[position] = Some(Outcome::Deferred(error))
            }
            Err(error) => {
                outcomes[position] = Some(Outcome::Refused(Refusal {
                    target_id: Some(order_id),
                    payload,
                    error,
                }));
            }
        }
    }
    Ok(())
}

/// Writes the status of Opportunities that were refused or wait, and of the orders whose
/// update or write-back was refused.
pub(super) async fn report_failures(
    run: &Run<'_>,
    items: &[SourceItem],
    outcomes: &[Option<Outcome>],
    report: &mut PassReport,
) -> Result<(), PassError> {
    let mut updates = Vec::new();
    let mut order_updates = Vec::new();
    for (item, outcome) in items.iter().zip(outcomes) {
        let (status, refusal) = match outcome {
            Some(Outcome::Refused(refusal)) if is_locked(&refusal.error) => {
                (SyncStatus::Refused, refusal)
            }
            Some(Outcome::Refused(refusal)) => (SyncStatus::Error, refusal),
            Some(Outcome::Waiting(refusal)) => (SyncStatus::Pending, refusal),
            _ => continue,
        };
        let message = refusal.error.to_string();
        let wanted = run.status.values(status, Some(&message));
        let fields = support::changes(&item.record.fields, &wanted);
        if !fields.is_empty() {
            let id = item.record.id.clone();
            updates.push(RecordUpdate {
                id,
                fields,
                link: None,
            });
        }
        let order_fields = run.netsuite_status.values(status, Some(&message));
        if let (Some(order_id), false) = (&refusal.target_id, order_fields.is_empty()) {
            order_updates.push(RecordUpdate {
                id: order_id.clone(),
                fields: order_fields,
                link: None,
            });
        }
    }
    let (connections, spec) = (run.connections, run.opportunity);
    send_status(connections, System::Salesforce, spec, updates, report).await?;
    let order = run.order_spec();
    send_status(connections, System::NetSuite, &order, order_updates, report).await
}

/// Sends status updates and counts those written. A refused one is logged, because the
/// outcome it reports is kept either way.
async fn send_status(
    connections: &Connections,
    system: System,
    object: &ObjectSpec,
    updates: Vec<RecordUpdate>,
    report: &mut PassReport,
) -> Result<(), PassError> {
    let ids: Vec<String> = updates.iter().map(|update| update.id.clone()).collect();
    let results = support::update(connections, system, object, updates).await?;
    for (id, result) in ids.iter().zip(results) {
        match result {
            Ok(_) => report.written += 1,
            Err(error) => {
                tracing::warn!(flow = super::FLOW, %system, object = %object.name, id = %id, %error,
                    "sync status could not be written");
            }
        }
    }
    Ok(())
}

/// Returns true when NetSuite refused a change because the order is billed or closed, which
/// no retry can fix until someone changes the Opportunity or the order.
pub(super) fn is_locked(error: &RemoteError) -> bool {
    if error.system != System::NetSuite {
        return false;
    }
    let message = error.message.to_lowercase();
    error.code == "TRANS_EDIT_DISALLWD" || message.contains("billed") || message.contains("closed")
}

/// Returns the Opportunity's write-back after its order was written: the order's ID and number
/// and the status `Synced`, only the parts that differ from what it holds.
fn write_back(
    status: &StatusFields,
    source: &SourceRecord,
    order_id: &str,
    number: Option<&str>,
) -> Option<RecordUpdate> {
    let mut wanted = status.values(SyncStatus::Synced, None);
    let number = FieldValue::text(number.unwrap_or_default());
    wanted.insert(ORDER_NUMBER_FIELD.to_string(), number);
    let fields = support::changes(&source.fields, &wanted);
    let link =
        (source.link.as_deref().map(str::trim) != Some(order_id)).then(|| order_id.to_string());
    if fields.is_empty() && link.is_none() {
        return None;
    }
    Some(RecordUpdate {
        id: source.id.clone(),
        fields,
        link,
    })
}

/// Returns a new order for an Opportunity: its fields and the constants of new orders. A
/// status field that would only be cleared is left out.
fn new_order(run: &Run<'_>, order: &Order<'_>) -> NewRecord {
    let mut fields = order.fields.clone();
    let status = run.netsuite_status.names();
    fields.retain(|name, value| !(status.contains(name) && value.is_blank()));
    for (name, value) in create_constants(run.options) {
        fields.entry(name).or_insert(value);
    }
    NewRecord {
        link: order.source.id.clone(),
        fields,
    }
}
