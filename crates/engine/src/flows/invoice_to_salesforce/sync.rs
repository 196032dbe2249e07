//! Syncing a batch of invoices: map each one, compare it with the Salesforce record that stores
//! it, then upsert the new ones and update only the changed fields of the others.

use std::collections::{BTreeMap, BTreeSet};

use super::{CURRENCY_FIELD, INVOICE, INVOICE_CURRENCY, PAYMENT, TARGET_LINK_FIELD, Template};
use crate::error::{ErrorClass, RemoteError};
use crate::flows::support;
use crate::mapping::LookupTable;
use crate::one_way::{Outcome, Refusal, SourceItem};
use crate::pass::{Connections, PassError};
use crate::record::{
    FieldValue, Fields, NewRecord, ObjectSpec, RecordUpdate, SourceRecord, System,
};

/// The work planned for one source record.
enum Plan {
    /// Nothing to write.
    Done(Outcome),
    /// A new Salesforce record, upserted on the link field.
    Create(NewRecord),
    /// The changed fields of an existing Salesforce record.
    Update(RecordUpdate),
}

/// Syncs a batch and returns one outcome per item, in order.
pub(super) async fn sync(
    template: &Template,
    connections: &Connections,
    items: &[SourceItem],
) -> Result<Vec<Outcome>, PassError> {
    let invoices: Vec<&SourceRecord> = items
        .iter()
        .filter(|item| item.object == INVOICE)
        .map(|item| &item.record)
        .collect();
    let multi_currency = template
        .currencies
        .multi_currency(connections, template.options.currency)
        .await?;
    let target = template.target(multi_currency);
    let context = Context {
        template,
        lookups: lookups(template, connections, &invoices).await?,
        codes: if multi_currency {
            currency_codes(template, connections, &invoices).await?
        } else {
            BTreeMap::new()
        },
        multi_currency,
        existing: existing(connections, &target, ids(&invoices)).await?,
    };

    let plans = items
        .iter()
        .map(|item| match item.object {
            PAYMENT => Plan::Done(Outcome::Skipped(
                "customer payments only lead to the invoices they pay".to_string(),
            )),
            _ => context.plan(&item.record),
        })
        .collect();
    write(connections, &target, plans).await
}

/// The data that planning an invoice needs, read once per batch.
struct Context<'a> {
    template: &'a Template,
    lookups: LookupTable,
    /// ISO codes by currency internal ID.
    codes: BTreeMap<String, String>,
    multi_currency: bool,
    /// The Salesforce records that store the batch's invoices, by invoice internal ID.
    existing: BTreeMap<String, SourceRecord>,
}

impl Context<'_> {
    fn plan(&self, invoice: &SourceRecord) -> Plan {
        let translated =
            self.template
                .mapping
                .translate(System::NetSuite, &invoice.fields, &self.lookups);
        let mut fields = match translated {
            Ok(fields) => fields,
            Err(error) => return Plan::Done(support::mapping_failure(System::Salesforce, error)),
        };
        if self.multi_currency {
            match self.currency_code(invoice) {
                Ok(Some(code)) => {
                    fields.insert(CURRENCY_FIELD.to_string(), FieldValue::text(code));
                }
                Ok(None) => {}
                Err(message) => return Plan::Done(currency_not_found(message)),
            }
        }
        let Some(current) = self.existing.get(&invoice.id) else {
            return Plan::Create(NewRecord {
                link: invoice.id.clone(),
                fields,
            });
        };
        // Mapped fields the invoice leaves blank are cleared on the Salesforce record.
        let mut wanted: Fields = self
            .template
            .target_fields()
            .into_iter()
            .map(|name| (name, FieldValue::Null))
            .collect();
        wanted.extend(fields);
        let changed = support::changes(&current.fields, &wanted);
        if changed.is_empty() {
            return Plan::Done(Outcome::Unchanged);
        }
        Plan::Update(RecordUpdate {
            id: current.id.clone(),
            fields: changed,
            link: None,
        })
    }

    /// Returns the invoice's ISO currency code, `None` when it names no currency, or why its
    /// currency has no code.
    fn currency_code(&self, invoice: &SourceRecord) -> Result<Option<String>, String> {
        let Some(id) = support::text(&invoice.fields, INVOICE_CURRENCY) else {
            return Ok(None);
        };
        if let Some(code) = self.codes.get(id) {
            return Ok(Some(code.clone()));
        }
        let message = format!(
            "NetSuite currency {id} of invoice {} was not found or has no ISO code in its \
             symbol field",
            invoice.id
        );
        Err(message)
    }
}

/// Returns the refusal of an invoice whose currency has no ISO code.
fn currency_not_found(message: String) -> Outcome {
    let code = "CURRENCY_NOT_FOUND";
    Outcome::Refused(Refusal {
        target_id: None,
        payload: Fields::new(),
        error: RemoteError::new(System::NetSuite, ErrorClass::Data, code, message),
    })
}

/// Reads the cross-references the batch's lookups need (the customers' Accounts).
async fn lookups(
    template: &Template,
    connections: &Connections,
    invoices: &[&SourceRecord],
) -> Result<LookupTable, PassError> {
    let keys = invoices
        .iter()
        .flat_map(|invoice| {
            template
                .mapping
                .lookup_keys(System::NetSuite, &invoice.fields)
        })
        .collect();
    Ok(LookupTable::load(connections.store.as_ref(), keys).await?)
}

async fn currency_codes(
    template: &Template,
    connections: &Connections,
    invoices: &[&SourceRecord],
) -> Result<BTreeMap<String, String>, PassError> {
    let ids: BTreeSet<String> = invoices
        .iter()
        .filter_map(|invoice| support::text(&invoice.fields, INVOICE_CURRENCY))
        .map(str::to_string)
        .collect();
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    template.currencies.codes(connections, ids).await
}

fn ids(invoices: &[&SourceRecord]) -> Vec<String> {
    invoices.iter().map(|invoice| invoice.id.clone()).collect()
}

/// Returns the Salesforce records that store the invoices of these internal IDs, by invoice
/// internal ID.
pub(super) async fn existing(
    connections: &Connections,
    target: &ObjectSpec,
    ids: Vec<String>,
) -> Result<BTreeMap<String, SourceRecord>, PassError> {
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    let port = connections.port(System::Salesforce);
    let what = format!("Salesforce {} by {TARGET_LINK_FIELD}", target.name);
    let found = connections
        .retry
        .run(&what, || port.find(target, TARGET_LINK_FIELD, &ids))
        .await?;
    Ok(found
        .into_iter()
        .filter_map(|record| {
            let link = record
                .link
                .clone()
                .or_else(|| support::text(&record.fields, TARGET_LINK_FIELD).map(str::to_string))?;
            Some((link, record))
        })
        .collect())
}

/// Sends the batch's creates and updates, one call each, and returns one outcome per plan.
async fn write(
    connections: &Connections,
    target: &ObjectSpec,
    plans: Vec<Plan>,
) -> Result<Vec<Outcome>, PassError> {
    let mut outcomes: Vec<Option<Outcome>> = Vec::with_capacity(plans.len());
    let mut creates = Vec::new();
    let mut updates = Vec::new();
    for (index, plan) in plans.into_iter().enumerate() {
        match plan {
            Plan::Done(outcome) => outcomes.push(Some(outcome)),
            Plan::Create(record) => {
                outcomes.push(None);
                creates.push((index, record));
            }
            Plan::Update(record) => {
                outcomes.push(None);
                updates.push((index, record));
            }
        }
    }

    let records = creates.iter().map(|(_, record)| record.clone()).collect();
    let results = support::create(connections, System::Salesforce, target, records).await?;
    for ((index, record), result) in creates.into_iter().zip(results) {
        outcomes[index] = Some(support::outcome(result, true, None, record.fields));
    }

    let records = updates.iter().map(|(_, record)| record.clone()).collect();
    let results = support::update(connections, System::Salesforce, target, records).await?;
    for ((index, record), result) in updates.into_iter().zip(results) {
        let outcome = support::outcome(result, false, Some(record.id), record.fields);
        outcomes[index] = Some(outcome);
    }
    Ok(outcomes
        .into_iter()
        .map(|outcome| outcome.unwrap_or(Outcome::Unchanged))
        .collect())
}
