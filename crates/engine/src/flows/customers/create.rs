//! Creating customers and linking each to its Account.

use super::{CustomerLink, LINK_FLOW, NotCreated, Onboarded, Onboarding, write_status};
use crate::error::{ErrorClass, RemoteError};
use crate::flows::support::{self, SyncStatus};
use crate::loop_guard::fingerprint;
use crate::mapping::{LookupTable, MappingError};
use crate::one_way::{Outcome, Refusal};
use crate::pass::{Connections, PassError};
use crate::record::{Fields, NewRecord, RecordUpdate, SourceRecord, System};
use crate::report::PassReport;
use crate::state::Xref;

/// Creates the customers of `indexes` and links each to its Account.
pub(super) async fn create(
    connections: &Connections,
    onboarding: &Onboarding,
    accounts: &[SourceRecord],
    indexes: &[usize],
    report: &mut PassReport,
) -> Result<Vec<Onboarded>, PassError> {
    let mut results: Vec<Option<Onboarded>> = vec![None; indexes.len()];
    let mut records = Vec::new();
    let mut sent = Vec::new();
    let keys = indexes
        .iter()
        .flat_map(|&i| {
            onboarding
                .mapping
                .lookup_keys(System::Salesforce, &accounts[i].fields)
        })
        .collect();
    let lookups = LookupTable::load(connections.store.as_ref(), keys).await?;
    for (slot, &index) in indexes.iter().enumerate() {
        let account = &accounts[index];
        match customer_fields(onboarding, account, &lookups) {
            Ok(fields) => {
                records.push(NewRecord {
                    link: account.id.clone(),
                    fields,
                });
                sent.push(slot);
            }
            Err(outcome) => results[slot] = Some(Err(NotCreated::Failed(outcome))),
        }
    }
    let customer = onboarding.customer_spec(Vec::new());
    let payloads: Vec<Fields> = records.iter().map(|record| record.fields.clone()).collect();
    let written = support::create(connections, System::NetSuite, &customer, records).await?;
    let mut linked = Vec::new();
    for ((slot, payload), result) in sent.into_iter().zip(payloads).zip(written) {
        let account = &accounts[indexes[slot]];
        match support::outcome(result, true, None, payload) {
            Outcome::Created(id) => linked.push((slot, id)),
            failed => {
                if let Outcome::Refused(refusal) = &failed {
                    let status = SyncStatus::Error;
                    let message = refusal.error.to_string();
                    write_status(connections, onboarding, account, status, &message, report)
                        .await?;
                }
                results[slot] = Some(Err(NotCreated::Failed(Box::new(failed))));
            }
        }
    }
    let pairs: Vec<(&SourceRecord, String)> = linked
        .iter()
        .map(|(slot, id)| (&accounts[indexes[*slot]], id.clone()))
        .collect();
    let links = link(connections, onboarding, &pairs, report).await?;
    for ((slot, _), result) in linked.into_iter().zip(links) {
        results[slot] = Some(result);
    }
    Ok(results
        .into_iter()
        .map(|result| result.unwrap_or(Err(NotCreated::Failed(Box::new(Outcome::Unchanged)))))
        .collect())
}

/// Builds the fields of an Account's new customer: the mapping, then the constants for
/// fields the mapping left blank.
fn customer_fields(
    onboarding: &Onboarding,
    account: &SourceRecord,
    lookups: &LookupTable,
) -> Result<Fields, Box<Outcome>> {
    match onboarding
        .mapping
        .translate(System::Salesforce, &account.fields, lookups)
    {
        Ok(mut fields) => {
            for (name, value) in &onboarding.constants {
                if fields.get(name).is_none_or(|kept| kept.is_blank()) {
                    fields.insert(name.clone(), value.clone());
                }
            }
            fields.extend(onboarding.netsuite_status.create_values(SyncStatus::Synced));
            Ok(fields)
        }
        Err(error @ MappingError::NotLinked { .. }) => Err(Box::new(support::waiting(
            System::NetSuite,
            Fields::new(),
            error.to_string(),
        ))),
        Err(error) => Err(Box::new(Outcome::Refused(Refusal {
            target_id: None,
            payload: Fields::new(),
            error: RemoteError::new(
                System::NetSuite,
                ErrorClass::Data,
                "EXPRESSION_FAILED",
                error.to_string(),
            ),
        }))),
    }
}

/// Saves the cross-references of new customers and writes each customer's internal ID and the
/// status Synced to its Account.
///
/// The cross-reference holds both records projected through `account-customer`'s mapping, with
/// their fingerprints as pending writes, so that flow reads the new customer and the updated
/// Account as echoes instead of changes to copy back.
async fn link(
    connections: &Connections,
    onboarding: &Onboarding,
    pairs: &[(&SourceRecord, String)],
    report: &mut PassReport,
) -> Result<Vec<Onboarded>, PassError> {
    if pairs.is_empty() {
        return Ok(Vec::new());
    }
    let read = read_customers(connections, onboarding, pairs).await?;
    let updates = pairs
        .iter()
        .map(|(account, customer_id)| RecordUpdate {
            id: account.id.clone(),
            fields: support::changes(
                &account.fields,
                &onboarding.status.values(SyncStatus::Synced, None),
            ),
            link: Some(customer_id.clone()),
        })
        .collect();
    let account_spec = onboarding.account_spec(&[]);
    let written = support::update(connections, System::Salesforce, &account_spec, updates).await?;
    let mut results = Vec::new();
    for ((account, customer_id), result) in pairs.iter().zip(written) {
        if let Err(error) = &result {
            tracing::warn!(flow = LINK_FLOW, sf_id = %account.id, ns_id = %customer_id, %error,
                "the new customer's internal ID could not be written to its Account; account-customer writes it");
        } else {
            report.written += 1;
        }
        let read_back = read.iter().find(|record| &record.id == customer_id);
        let xref = new_xref(onboarding, account, customer_id, read_back);
        connections.store.save_xref(&xref).await?;
        tracing::info!(flow = LINK_FLOW, sf_id = %account.id, ns_id = %customer_id, "customer created for Account");
        results.push(Ok(CustomerLink {
            account_id: account.id.clone(),
            customer_id: customer_id.clone(),
            created: true,
        }));
    }
    Ok(results)
}

/// Saves the cross-reference of each Account that carries the internal ID of a customer
/// created for it (the customer's `externalId` is the Account Id) but is not linked in the
/// store. That happens when a pass stops after writing the ID to the Account and before saving
/// the link. Returns, per pair, true when the pair is linked now.
pub(super) async fn restore_links(
    connections: &Connections,
    onboarding: &Onboarding,
    pairs: &[(&SourceRecord, String)],
) -> Result<Vec<bool>, PassError> {
    if pairs.is_empty() {
        return Ok(Vec::new());
    }
    let read = read_customers(connections, onboarding, pairs).await?;
    let mut restored = Vec::new();
    for (account, customer_id) in pairs {
        let created_for_account = read.iter().find(|record| {
            &record.id == customer_id && record.link.as_deref() == Some(account.id.as_str())
        });
        if let Some(record) = created_for_account {
            let xref = new_xref(onboarding, account, customer_id, Some(record));
            connections.store.save_xref(&xref).await?;
            tracing::info!(flow = LINK_FLOW, sf_id = %account.id, ns_id = %customer_id,
                "link of the customer created for the Account restored");
        }
        restored.push(created_for_account.is_some());
    }
    Ok(restored)
}

/// Reads the customers of `pairs` with the fields `account-customer` maps.
async fn read_customers(
    connections: &Connections,
    onboarding: &Onboarding,
    pairs: &[(&SourceRecord, String)],
) -> Result<Vec<SourceRecord>, PassError> {
    let customer_fields = onboarding.link_mapping.field_names(System::NetSuite);
    let customer = onboarding.customer_spec(customer_fields);
    let ids: Vec<String> = pairs.iter().map(|(_, id)| id.clone()).collect();
    let port = connections.port(System::NetSuite);
    let read = connections
        .retry
        .run("NetSuite customer by ID", || port.read(&customer, &ids))
        .await?;
    Ok(read)
}

/// Builds the `account-customer` cross-reference of a new pair.
fn new_xref(
    onboarding: &Onboarding,
    account: &SourceRecord,
    customer_id: &str,
    customer: Option<&SourceRecord>,
) -> Xref {
    let mapping = &onboarding.link_mapping;
    let sf_values = mapping.project(System::Salesforce, &account.fields);
    let ns_values = customer.map_or_else(Fields::new, |customer| {
        mapping.project(System::NetSuite, &customer.fields)
    });
    let ns_written = customer.map(|_| fingerprint(&ns_values, Some(&account.id)));
    Xref {
        flow: LINK_FLOW.to_string(),
        ns_id: customer_id.to_string(),
        sf_id: account.id.clone(),
        sf_written: Some(fingerprint(&sf_values, Some(customer_id))),
        ns_values,
        sf_values,
        ns_written,
    }
}
