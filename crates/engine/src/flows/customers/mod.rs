//! Creating the NetSuite customer of a Salesforce Account: the step `customer-onboarding` runs
//! for each Account it onboards, and `opportunity-to-sales-order` runs for the Account of a won
//! Opportunity that has no customer yet.
//!
//! A customer is created only for an Account that `account-customer` has not linked, that
//! carries no NetSuite internal ID, and whose company name no unlinked NetSuite customer has
//! (the rule is in `duplicates.rs`). It is upserted with the Account Id as its `externalId`,
//! so a create repeated after a crash updates the same customer. Afterwards the Account gets
//! the customer's internal ID and its sync status, and the pair is saved as an
//! `account-customer` cross-reference. An Account that carries the internal ID of a customer
//! whose `externalId` is the Account Id, but has no cross-reference, lost it to a pass that
//! stopped between those two steps: the cross-reference is saved then.

mod create;
mod duplicates;

use std::collections::BTreeMap;

use super::account_customer;
use super::support::{self, StatusFields, SyncStatus};
use crate::mapping::Mapping;
use crate::one_way::Outcome;
use crate::pass::{Connections, PassError};
use crate::record::{FieldValue, Fields, ObjectSpec, RecordUpdate, SourceRecord, System};
use crate::report::PassReport;

/// The flow whose cross-references link Accounts and customers.
pub const LINK_FLOW: &str = account_customer::FLOW;

/// The NetSuite record type created.
pub const CUSTOMER: &str = "customer";

/// The Salesforce object read.
pub const ACCOUNT: &str = "Account";

/// The Account field that stores the NetSuite internal ID (an external ID field).
pub const ACCOUNT_LINK_FIELD: &str = "NetSuite_Internal_ID__c";

/// The NetSuite field that stores the Salesforce Id, the key of customer upserts.
pub const CUSTOMER_LINK_FIELD: &str = "externalId";

/// The customer field compared for duplicates.
const COMPANY_NAME: &str = "companyName";

/// How customers are created for Accounts.
#[derive(Debug, Clone, PartialEq)]
pub struct Onboarding {
    /// Account fields to customer fields (pairs that travel to NetSuite, derived fields).
    pub mapping: Mapping,
    /// Fields every new customer gets (`subsidiary`, `currency`, `terms`), as internal IDs.
    pub constants: Fields,
    /// The Account's sync status fields.
    pub status: StatusFields,
    /// The new customer's sync status fields (custom fields); none by default.
    pub netsuite_status: StatusFields,
    /// `account-customer`'s mapping: the cross-reference saved after a create holds both
    /// records projected through it, so that flow reads the new pair as in sync.
    pub link_mapping: Mapping,
}

impl Onboarding {
    /// Returns the Account as read for onboarding: the mapped fields, the fields
    /// `account-customer` maps, the status fields and `extra` (the condition's fields).
    pub fn account_spec(&self, extra: &[&str]) -> ObjectSpec {
        let mut fields = self.mapping.field_names(System::Salesforce);
        let linked = self.link_mapping.field_names(System::Salesforce);
        let more = extra.iter().map(|name| name.to_string());
        for name in linked.into_iter().chain(self.status.names()).chain(more) {
            if !fields.contains(&name) {
                fields.push(name);
            }
        }
        ObjectSpec {
            name: ACCOUNT.to_string(),
            fields,
            link_field: ACCOUNT_LINK_FIELD.to_string(),
        }
    }

    /// Returns the customer as read back after a create: the fields `account-customer` maps.
    fn customer_spec(&self, fields: Vec<String>) -> ObjectSpec {
        ObjectSpec {
            name: CUSTOMER.to_string(),
            fields,
            link_field: CUSTOMER_LINK_FIELD.to_string(),
        }
    }

    /// Returns the Account field whose value becomes the customer's company name.
    fn name_field(&self) -> &str {
        self.mapping
            .pairs
            .iter()
            .find(|pair| {
                pair.netsuite == COMPANY_NAME && pair.direction.allows_from(System::Salesforce)
            })
            .map_or("Name", |pair| pair.salesforce.as_str())
    }
}

/// An Account and the NetSuite customer linked to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerLink {
    pub account_id: String,
    pub customer_id: String,
    /// True when this step created the customer; false when the pair was linked before.
    pub created: bool,
}

/// Why no customer was created for an Account.
#[derive(Debug, Clone, PartialEq)]
pub enum NotCreated {
    /// The Account carries a NetSuite internal ID that `account-customer` has not linked yet;
    /// that flow links the two.
    CarriesId(String),
    /// An unlinked NetSuite customer has the same company name; `account-customer`'s matcher
    /// links or reviews the two instead of a duplicate being created.
    Duplicate { customer_id: String },
    /// The create failed or cannot be built: the outcome for the Account (refused as a dead
    /// letter, deferred after a transient error, or waiting for a lookup).
    Failed(Box<Outcome>),
}

impl NotCreated {
    /// Returns the reason in a person's words.
    pub fn reason(&self, account_id: &str) -> String {
        match self {
            NotCreated::CarriesId(id) => format!(
                "Account {account_id} carries NetSuite internal ID {id}; account-customer links it"
            ),
            NotCreated::Duplicate { customer_id } => format!(
                "NetSuite customer {customer_id} has the same company name as Account \
                 {account_id}; account-customer links or reviews the two"
            ),
            NotCreated::Failed(outcome) => match outcome.as_ref() {
                Outcome::Refused(refusal) | Outcome::Waiting(refusal) => format!(
                    "the customer of Account {account_id} could not be created: {}",
                    refusal.error
                ),
                Outcome::Deferred(error) => format!(
                    "the customer of Account {account_id} could not be created yet: {error}"
                ),
                _ => format!("no customer was created for Account {account_id}"),
            },
        }
    }
}

/// What the step did for one Account.
pub type Onboarded = Result<CustomerLink, NotCreated>;

/// Links or creates the customer of each Account, in order. Accounts linked already return
/// their customer without a write.
pub async fn ensure_customers(
    connections: &Connections,
    onboarding: &Onboarding,
    accounts: &[SourceRecord],
    report: &mut PassReport,
) -> Result<Vec<Onboarded>, PassError> {
    let mut results: Vec<Option<Onboarded>> = vec![None; accounts.len()];
    let mut candidates = Vec::new();
    let mut carrying = Vec::new();
    for (index, account) in accounts.iter().enumerate() {
        let linked = support::linked(connections, LINK_FLOW, System::Salesforce, &account.id);
        if let Some(customer_id) = linked.await? {
            results[index] = Some(Ok(CustomerLink {
                account_id: account.id.clone(),
                customer_id,
                created: false,
            }));
        } else if let Some(id) = account.link.as_deref().filter(|id| !id.trim().is_empty()) {
            carrying.push((index, id.to_string()));
        } else {
            candidates.push(index);
        }
    }
    let pairs: Vec<(&SourceRecord, String)> = carrying
        .iter()
        .map(|(index, id)| (&accounts[*index], id.clone()))
        .collect();
    let restored = create::restore_links(connections, onboarding, &pairs).await?;
    for ((index, customer_id), restored) in carrying.into_iter().zip(restored) {
        results[index] = Some(if restored {
            Ok(CustomerLink {
                account_id: accounts[index].id.clone(),
                customer_id,
                created: false,
            })
        } else {
            Err(NotCreated::CarriesId(customer_id))
        });
    }
    let names: Vec<Option<&str>> = candidates
        .iter()
        .map(|&index| support::text(&accounts[index].fields, onboarding.name_field()))
        .collect();
    let duplicates = duplicates::duplicate_of(connections, &names, &candidates, accounts).await?;
    let mut creates = Vec::new();
    for (&index, duplicate) in candidates.iter().zip(duplicates) {
        match duplicate {
            Some(customer_id) => results[index] = Some(Err(NotCreated::Duplicate { customer_id })),
            None => creates.push(index),
        }
    }
    let created = create::create(connections, onboarding, accounts, &creates, report).await?;
    for (index, result) in creates.into_iter().zip(created) {
        results[index] = Some(result);
    }
    Ok(results
        .into_iter()
        .map(|result| result.unwrap_or(Err(NotCreated::Failed(Box::new(Outcome::Unchanged)))))
        .collect())
}

/// Reads Accounts by Id and links or creates the customer of each; an Account that does not
/// exist is missing from the result.
pub async fn ensure_customers_by_id(
    connections: &Connections,
    onboarding: &Onboarding,
    account_ids: &[String],
    report: &mut PassReport,
) -> Result<BTreeMap<String, Onboarded>, PassError> {
    if account_ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    let spec = onboarding.account_spec(&[]);
    let port = connections.port(System::Salesforce);
    let accounts = connections
        .retry
        .run("Salesforce Account by ID", || port.read(&spec, account_ids))
        .await?;
    let results = ensure_customers(connections, onboarding, &accounts, report).await?;
    Ok(accounts
        .into_iter()
        .map(|account| account.id)
        .zip(results)
        .collect())
}

/// Writes a status and its message to an Account, unless it holds them already. A failed
/// write is logged: the outcome it reports stands either way.
pub async fn write_status(
    connections: &Connections,
    onboarding: &Onboarding,
    account: &SourceRecord,
    status: SyncStatus,
    message: &str,
    report: &mut PassReport,
) -> Result<(), PassError> {
    let fields = onboarding.status.values(status, Some(message));
    let changed = support::changes(&account.fields, &fields);
    if changed.is_empty() {
        return Ok(());
    }
    let update = RecordUpdate {
        id: account.id.clone(),
        fields: changed,
        link: None,
    };
    let spec = onboarding.account_spec(&[]);
    let written = support::update(connections, System::Salesforce, &spec, vec![update]).await?;
    match written.into_iter().next() {
        Some(Ok(_)) => report.written += 1,
        Some(Err(error)) => {
            tracing::warn!(sf_id = %account.id, %error, "sync status could not be written to the Account");
        }
        None => {}
    }
    Ok(())
}

/// Returns the constant fields of new customers from option values; blank ones are left out.
pub fn constants(values: &[(&str, Option<&str>)]) -> Fields {
    values
        .iter()
        .filter_map(|(name, value)| {
            let value = value.map(str::trim).filter(|value| !value.is_empty())?;
            Some((name.to_string(), FieldValue::text(value)))
        })
        .collect()
}
