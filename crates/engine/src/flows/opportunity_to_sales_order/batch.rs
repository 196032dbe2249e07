//! One batch of `opportunity-to-sales-order`: orders built from Opportunities, compared with
//! what NetSuite holds, written, and reported back on the Opportunities.

use std::collections::{BTreeMap, BTreeSet};

use super::lines::{self, refused};
use super::writes;
use super::{ITEM_LIST, Options, SALES_ORDER};
use crate::flows::customers::{self, NotCreated, Onboarding};
use crate::flows::support::{self, StatusFields, SyncStatus};
use crate::mapping::{LookupTable, Mapping, MappingError};
use crate::one_way::{Outcome, SourceItem};
use crate::pass::{Connections, PassError};
use crate::record::{FieldValue, Fields, ObjectSpec, SourceRecord, System};
use crate::report::PassReport;

/// The connections and settings one batch uses.
pub(super) struct Run<'a> {
    pub connections: &'a Connections,
    pub options: &'a Options,
    pub mapping: &'a Mapping,
    pub status: &'a StatusFields,
    /// The sales order's own status fields.
    pub netsuite_status: &'a StatusFields,
    pub customers: &'a Onboarding,
    /// The Opportunity as read, for write-backs.
    pub opportunity: &'a ObjectSpec,
    /// Whether Opportunities carry `CurrencyIsoCode`.
    pub has_currency: bool,
}

/// An Opportunity's order: the fields it should have and the order NetSuite holds, if any.
pub(super) struct Order<'a> {
    pub index: usize,
    pub source: &'a SourceRecord,
    pub fields: Fields,
    pub existing: Option<SourceRecord>,
}

/// Returns the fields only new orders get, from the options.
pub(super) fn create_constants(options: &Options) -> Fields {
    customers::constants(&[
        ("orderStatus", options.order_status.as_deref()),
        ("department", options.department.as_deref()),
        ("location", options.location.as_deref()),
        ("class", options.class.as_deref()),
    ])
}

/// Batch-wide lookups: customers by Account, items by product, currencies by Opportunity.
struct Parents {
    customers: BTreeMap<String, Result<String, Box<Outcome>>>,
    items: BTreeMap<String, String>,
    currency_codes: BTreeMap<String, String>,
    currency_ids: BTreeMap<String, String>,
    lookups: LookupTable,
}

impl Run<'_> {
    /// Syncs a batch and returns one outcome per item.
    pub(super) async fn sync(
        &self,
        items: &[SourceItem],
        report: &mut PassReport,
    ) -> Result<Vec<Outcome>, PassError> {
        let mut outcomes: Vec<Option<Outcome>> = vec![None; items.len()];
        let mut taken = Vec::new();
        for (index, item) in items.iter().enumerate() {
            if self.options.won_only && !support::flag(&item.record.fields, "IsWon") {
                outcomes[index] = Some(Outcome::Skipped("the Opportunity is not won".into()));
            } else if support::text(&item.record.fields, "AccountId").is_none() {
                let message = "the Opportunity has no Account".to_string();
                outcomes[index] = Some(refused("MISSING_ACCOUNT", message));
            } else {
                taken.push(index);
            }
        }
        let parents = self.parents(items, &taken, report).await?;
        let mut orders = Vec::new();
        for index in taken {
            match self.order_fields(&items[index].record, &parents) {
                Ok(fields) => orders.push(Order {
                    index,
                    source: &items[index].record,
                    fields,
                    existing: None,
                }),
                Err(outcome) => outcomes[index] = Some(*outcome),
            }
        }
        self.find_existing(&mut orders).await?;
        for (index, outcome) in writes::write(self, orders, report).await? {
            outcomes[index] = Some(outcome);
        }
        writes::report_failures(self, items, &outcomes, report).await?;
        Ok(outcomes
            .into_iter()
            .map(|outcome| outcome.unwrap_or(Outcome::Unchanged))
            .collect())
    }

    /// Looks up what the batch's orders point at: customers, items and currencies.
    async fn parents(
        &self,
        items: &[SourceItem],
        taken: &[usize],
        report: &mut PassReport,
    ) -> Result<Parents, PassError> {
        let records: Vec<&SourceRecord> = taken.iter().map(|&i| &items[i].record).collect();
        let accounts: BTreeSet<String> = records
            .iter()
            .filter_map(|record| support::text(&record.fields, "AccountId"))
            .map(str::to_string)
            .collect();
        let products: BTreeSet<String> = records
            .iter()
            .flat_map(|record| lines::products(&record.fields))
            .map(str::to_string)
            .collect();
        let customers = self.customers_of(accounts, report).await?;
        let items_of = lines::items_of(self.connections, products).await?;
        let ids: Vec<String> = records.iter().map(|record| record.id.clone()).collect();
        let currency_codes = match self.has_currency {
            true => lines::currency_codes(self.connections, &ids).await?,
            false => BTreeMap::new(),
        };
        let codes = currency_codes.values().cloned().collect();
        let currency_ids = lines::currency_ids(self.connections, codes).await?;
        let keys = records
            .iter()
            .flat_map(|record| self.mapping.lookup_keys(System::Salesforce, &record.fields))
            .collect();
        let lookups = LookupTable::load(self.connections.store.as_ref(), keys).await?;
        Ok(Parents {
            customers,
            items: items_of,
            currency_codes,
            currency_ids,
            lookups,
        })
    }

    /// Returns the customer of each Account: linked by `account-customer`, or created now
    /// when the options allow. An Account without one gets the outcome of its Opportunities.
    async fn customers_of(
        &self,
        accounts: BTreeSet<String>,
        report: &mut PassReport,
    ) -> Result<BTreeMap<String, Result<String, Box<Outcome>>>, PassError> {
        let mut found = BTreeMap::new();
        let mut unlinked = Vec::new();
        for account in accounts {
            let link_flow = customers::LINK_FLOW;
            match support::linked(self.connections, link_flow, System::Salesforce, &account).await?
            {
                Some(customer) => {
                    found.insert(account, Ok(customer));
                }
                None => unlinked.push(account),
            }
        }
        // NOTE: an Account whose customer NetSuite refuses (a name too long) makes its
        // Opportunities wait, and every pass sends that customer again until someone fixes
        // the Account, one refused upsert per pass and Account.
        if self.options.create_customer {
            let (connections, onboarding) = (self.connections, self.customers);
            let created =
                customers::ensure_customers_by_id(connections, onboarding, &unlinked, report)
                    .await?;
            for (account, result) in created {
                let result = match result {
                    Ok(link) => Ok(link.customer_id),
                    Err(NotCreated::Failed(outcome))
                        if matches!(*outcome, Outcome::Deferred(_)) =>
                    {
                        Err(outcome)
                    }
                    Err(reason) => Err(Box::new(not_linked(reason.reason(&account)))),
                };
                found.insert(account, result);
            }
        }
        for account in unlinked {
            found.entry(account.clone()).or_insert_with(|| {
                let message = format!(
                    "Account {account} is not linked to a NetSuite customer by {} yet",
                    customers::LINK_FLOW
                );
                Err(Box::new(not_linked(message)))
            });
        }
        Ok(found)
    }

    /// Builds the order fields of an Opportunity, or the outcome that stops it.
    fn order_fields(
        &self,
        source: &SourceRecord,
        parents: &Parents,
    ) -> Result<Fields, Box<Outcome>> {
        let account = support::text(&source.fields, "AccountId").unwrap_or_default();
        let customer = match parents.customers.get(account) {
            Some(Ok(customer)) => customer.clone(),
            Some(Err(outcome)) => return Err(outcome.clone()),
            None => {
                let message = format!("Account {account} was not found");
                return Err(Box::new(not_linked(message)));
            }
        };
        let mut fields = self
            .mapping
            .translate(System::Salesforce, &source.fields, &parents.lookups)
            .map_err(|error| Box::new(mapping_outcome(error)))?;
        fields.insert("entity".to_string(), FieldValue::text(customer));
        let price_level = &self.options.custom_price_level;
        let order_lines = lines::order_lines(&source.fields, &parents.items, price_level)?;
        fields.insert(ITEM_LIST.to_string(), order_lines);
        if let Some(code) = parents.currency_codes.get(&source.id) {
            let Some(currency) = parents.currency_ids.get(code) else {
                let message = format!("no NetSuite currency has the symbol {code}");
                return Err(Box::new(refused("CURRENCY_NOT_FOUND", message)));
            };
            fields.insert("currency".to_string(), FieldValue::text(currency.as_str()));
        }
        fields.extend(self.netsuite_status.values(SyncStatus::Synced, None));
        Ok(fields)
    }

    /// Returns the order as read back for comparing: every field the flow writes on update,
    /// and the order number.
    pub(super) fn order_spec(&self) -> ObjectSpec {
        let mut fields: Vec<String> = self
            .mapping
            .pairs
            .iter()
            .filter(|pair| pair.direction.allows_from(System::Salesforce))
            .map(|pair| pair.netsuite.clone())
            .collect();
        let derived = self.mapping.derived.iter();
        fields.extend(
            derived
                .filter(|derived| derived.target == System::NetSuite)
                .map(|derived| derived.field.clone()),
        );
        fields.extend(["entity", "tranId"].map(str::to_string));
        fields.extend(self.netsuite_status.names());
        if self.has_currency {
            fields.push("currency".to_string());
        }
        fields.extend(lines::order_line_fields(&self.options.custom_price_level));
        fields.dedup();
        ObjectSpec {
            name: SALES_ORDER.to_string(),
            fields,
            link_field: "externalId".to_string(),
        }
    }

    /// Finds each Opportunity's order: by the internal ID the Opportunity holds, else by the
    /// order's `externalId` (an order created by a pass that stopped before its write-back).
    async fn find_existing(&self, orders: &mut [Order<'_>]) -> Result<(), PassError> {
        let spec = self.order_spec();
        let port = self.connections.port(System::NetSuite);
        let linked: Vec<String> = orders
            .iter()
            .filter_map(|order| order.source.link.clone())
            .filter(|id| !id.trim().is_empty())
            .collect();
        let mut found = Vec::new();
        if !linked.is_empty() {
            let what = "NetSuite sales order by ID";
            found = self
                .connections
                .retry
                .run(what, || port.read(&spec, &linked))
                .await?;
        }
        let missing: Vec<String> = orders
            .iter()
            .map(|order| order.source.id.clone())
            .filter(|id| !found.iter().any(|order| order.link.as_deref() == Some(id)))
            .collect();
        if !missing.is_empty() {
            let what = "NetSuite sales order by external ID";
            let by_external = self
                .connections
                .retry
                .run(what, || port.find(&spec, "externalId", &missing))
                .await?;
            found.extend(by_external);
        }
        for order in orders.iter_mut() {
            let id = order.source.id.as_str();
            order.existing = found
                .iter()
                .find(|o| o.link.as_deref() == Some(id))
                .cloned();
        }
        Ok(())
    }
}

/// Returns the outcome of an Opportunity whose customer is not linked.
fn not_linked(message: String) -> Outcome {
    support::waiting(System::NetSuite, Fields::new(), message)
}

/// Turns a mapping failure into the Opportunity's outcome: a lookup waits, an expression is
/// refused.
fn mapping_outcome(error: MappingError) -> Outcome {
    match error {
        MappingError::NotLinked { .. } => not_linked(error.to_string()),
        MappingError::Expression { .. } => refused("EXPRESSION_FAILED", error.to_string()),
    }
}
