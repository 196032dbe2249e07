//! `opportunity-to-sales-order`: a won Salesforce Opportunity becomes one NetSuite sales order.
//!
//! The flow reads the Opportunity change feed. An Opportunity that is not won (`IsWon` false)
//! is skipped unless option `won_only` (default true) is false. A won one is upserted as a
//! `salesOrder` whose `externalId` is the Opportunity Id, so a create repeated after a crash
//! updates the same order. The order gets:
//!
//! - `entity`: the NetSuite customer that `account-customer` links to the Opportunity's
//!   Account. An Account with no customer gets one first, as `customer-onboarding` would create
//!   it (option `create_customer`, default true; the Account's `Type` does not matter here,
//!   because a won Opportunity makes it a customer). When the customer cannot be created, or
//!   with `create_customer` false, the Opportunity waits (a dead letter with
//!   `PARENT_NOT_LINKED`, tried again every pass) until the Account is linked.
//! - `tranDate` from `CloseDate` and `memo` from `Name` (the default mapping).
//! - `itemList`: one line per `OpportunityLineItem`, with `item` = the NetSuite item of its
//!   `Product2` (linked by `item-to-price-book`, else the product's `NetSuite_Internal_ID__c`),
//!   `quantity` = `Quantity`, `rate` = `UnitPrice`, `price` = option `custom_price_level`
//!   (default `"-1"`, NetSuite's custom price level, so the rate is kept as sent; empty leaves
//!   `price` out) and `description` = `Description`. A line whose product has no item makes the
//!   Opportunity wait until the product is linked.
//! - `currency`, in an org with multiple currencies (`CurrencyIsoCode` on Opportunity, checked
//!   with describe once per process): the NetSuite currency whose `symbol` is the
//!   Opportunity's ISO code. An Opportunity in a currency NetSuite does not have is refused.
//! - On create only: `orderStatus`, `department`, `location` and `class` from the options of
//!   those names (internal IDs; default none, which leaves NetSuite's defaults).
//!
//! Before writing, the order NetSuite holds is read and compared, and an update sends only the
//! fields that differ (a changed line replaces the whole `itemList`), so an Opportunity edit
//! that changes nothing in the order writes nothing. After each write the Opportunity gets the
//! order's internal ID in `NetSuite_Sales_Order_ID__c`, its number (`tranId`) in
//! `NetSuite_Sales_Order_Number__c` and `NetSuite_Sync_Status__c` = `Synced` with
//! `NetSuite_Sync_Error__c` cleared. These write-backs are not changes to sync.
//!
//! When NetSuite refuses an update because the order is billed or closed
//! (`TRANS_EDIT_DISALLWD`, or a message that says billed or closed), the Opportunity gets
//! `Refused` with NetSuite's message and the pass counts a dead letter; it is not tried again
//! until the Opportunity changes. Any other refusal (a customer over its credit limit,
//! `BALANCE_EXCEEDS_CREDIT_LIMIT`) gives `Error` and a dead letter. An Opportunity that waits
//! gets `Pending` with the reason. Options `status_field` and `error_field` rename the two
//! status fields; an empty string turns one off. Options `netsuite_status_field` and
//! `netsuite_error_field` (custom field script IDs, default none) keep the same status and
//! error on the sales order itself: `Synced` with every order written, and `Error` or
//! `Refused` with the message on an order whose update, or whose Opportunity's write-back,
//! was refused. The order is not read by this flow, so these writes start nothing.
//!
//! An Opportunity that stops being won, or is deleted, keeps its order; nothing is written to
//! the order then.

mod batch;
mod lines;
mod writes;

use std::sync::Mutex;

use async_trait::async_trait;

use super::Settings;
use super::customer_onboarding;
use super::customers::Onboarding;
use super::support::StatusFields;
use crate::flow::{Access, FieldUse, Flow, OneWayFlow};
use crate::mapping::{Direction, FieldPair, Mapping};
use crate::one_way::{OneWaySpec, OneWayTemplate, Outcome, SourceItem};
use crate::pass::{Connections, PassError};
use crate::record::{ObjectSpec, System};
use crate::report::PassReport;

/// The flow's name in configuration files, the store, logs and reports.
pub const FLOW: &str = "opportunity-to-sales-order";

/// The Salesforce object read.
pub const OPPORTUNITY: &str = "Opportunity";

/// The NetSuite record type written.
pub const SALES_ORDER: &str = "salesOrder";

/// The Opportunity's external ID field that receives the order's internal ID.
pub const ORDER_ID_FIELD: &str = "NetSuite_Sales_Order_ID__c";

/// The Opportunity field that receives the order's number (`tranId`).
pub const ORDER_NUMBER_FIELD: &str = "NetSuite_Sales_Order_Number__c";

/// The child relationship of the Opportunity's line items.
pub const LINE_ITEMS: &str = "OpportunityLineItems";

/// The order's sublist of lines.
pub const ITEM_LIST: &str = "itemList";

/// How many Opportunities one batch handles.
const BATCH_SIZE: usize = 100;

/// The options of the `[flows.opportunity-to-sales-order]` table.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Options {
    /// Sync only won Opportunities (`IsWon`). Default true.
    pub won_only: bool,
    /// Create the NetSuite customer of an Account that has none, before its first order.
    /// Default true; false makes the Opportunity wait until `account-customer` links it.
    pub create_customer: bool,
    /// Internal ID of the price level of order lines. Default `"-1"`, the custom price level,
    /// which keeps the Opportunity's unit price; empty leaves `price` out.
    pub custom_price_level: String,
    /// `orderStatus` of new orders (`_pendingApproval`, `_pendingFulfillment`). Default none.
    pub order_status: Option<String>,
    /// Internal ID of the department of new orders. Default none.
    pub department: Option<String>,
    /// Internal ID of the location of new orders. Default none.
    pub location: Option<String>,
    /// Internal ID of the class of new orders. Default none.
    pub class: Option<String>,
    /// The Opportunity field that receives the sync status. Default `NetSuite_Sync_Status__c`;
    /// empty turns it off.
    pub status_field: String,
    /// The Opportunity field that receives the error of the last sync. Default
    /// `NetSuite_Sync_Error__c`; empty turns it off.
    pub error_field: String,
    /// The custom field (script ID) of the NetSuite sales order that receives the sync status.
    /// Default none: nothing is written there.
    pub netsuite_status_field: Option<String>,
    /// The custom field (script ID) of the NetSuite sales order that receives the error of the last
    /// sync. Default none.
    pub netsuite_error_field: Option<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            won_only: true,
            create_customer: true,
            custom_price_level: "-1".to_string(),
            order_status: None,
            department: None,
            location: None,
            class: None,
            status_field: super::support::SYNC_STATUS_FIELD.to_string(),
            error_field: super::support::SYNC_ERROR_FIELD.to_string(),
            netsuite_status_field: None,
            netsuite_error_field: None,
        }
    }
}

impl Options {
    /// Returns the Salesforce status fields the options name; an empty name turns its field off.
    pub fn status_fields(&self) -> StatusFields {
        StatusFields::named(Some(&self.status_field), Some(&self.error_field))
    }

    /// Returns the NetSuite status fields the options name; none by default.
    pub fn netsuite_status_fields(&self) -> StatusFields {
        StatusFields::named(
            self.netsuite_status_field.as_deref(),
            self.netsuite_error_field.as_deref(),
        )
    }
}

/// Returns the order fields the template maps when the configuration names none.
pub fn default_mapping() -> Mapping {
    let to_netsuite = |netsuite: &str, salesforce: &str| FieldPair {
        direction: Direction::ToNetSuite,
        ..FieldPair::new(netsuite, salesforce)
    };
    Mapping::of_pairs(vec![
        to_netsuite("tranDate", "CloseDate"),
        to_netsuite("memo", "Name"),
    ])
}

/// Builds the runnable flow. Customers it creates get `customer-onboarding`'s default options
/// and mapping; [`flow_with_onboarding`] takes that flow's settings instead.
pub fn flow(settings: Settings<Options>) -> Box<dyn Flow> {
    let onboarding = customer_onboarding::Options::default();
    let customers = onboarding.onboarding(customer_onboarding::default_mapping());
    flow_with_onboarding(settings, customers)
}

/// Builds the runnable flow with the settings customers are created with, so that customers
/// created for Opportunities get the subsidiary, currency and terms `customer-onboarding` is
/// configured with.
pub fn flow_with_onboarding(settings: Settings<Options>, customers: Onboarding) -> Box<dyn Flow> {
    Box::new(OneWayFlow {
        template: Box::new(Template::new(settings, customers)),
    })
}

/// The flow's template.
struct Template {
    spec: OneWaySpec,
    settings: Settings<Options>,
    status: StatusFields,
    /// The sales order's own status fields; none by default.
    netsuite_status: StatusFields,
    customers: Onboarding,
    /// Whether the org has `CurrencyIsoCode` on Opportunity, once describe has said.
    currency: Mutex<Option<bool>>,
}

impl Template {
    fn new(settings: Settings<Options>, customers: Onboarding) -> Template {
        let status = settings.options.status_fields();
        let netsuite_status = settings.options.netsuite_status_fields();
        let mut written_back = vec![ORDER_ID_FIELD.to_string(), ORDER_NUMBER_FIELD.to_string()];
        written_back.extend(status.names());
        let spec = OneWaySpec {
            flow: FLOW.to_string(),
            source: System::Salesforce,
            objects: vec![opportunity_spec(&settings.mapping, &status)],
            written_back,
            overlap: settings.overlap,
            batch_size: BATCH_SIZE,
        };
        Template {
            spec,
            settings,
            status,
            netsuite_status,
            customers,
            currency: Mutex::new(None),
        }
    }
}

/// The Opportunity fields the flow always reads, besides the mapping's.
const FIXED_FIELDS: [&str; 3] = ["IsWon", "AccountId", ORDER_NUMBER_FIELD];

/// Returns the Opportunity as read: the condition, the mapping's fields, the line items and
/// the fields the flow writes back.
fn opportunity_spec(mapping: &Mapping, status: &StatusFields) -> ObjectSpec {
    let mut fields = mapping.field_names(System::Salesforce);
    let fixed = FIXED_FIELDS.iter().map(|name| name.to_string());
    let lines = lines::LINE_FIELDS
        .iter()
        .map(|(salesforce, _)| format!("{LINE_ITEMS}[].{salesforce}"));
    for name in fixed.chain(lines).chain(status.names()) {
        if !fields.contains(&name) {
            fields.push(name);
        }
    }
    ObjectSpec {
        name: OPPORTUNITY.to_string(),
        fields,
        link_field: ORDER_ID_FIELD.to_string(),
    }
}

#[async_trait]
impl OneWayTemplate for Template {
    fn spec(&self) -> &OneWaySpec {
        &self.spec
    }

    fn field_uses(&self) -> Vec<FieldUse> {
        let mut uses = self.settings.mapping.field_uses(SALES_ORDER, OPPORTUNITY);
        let read = |field: &str, purpose: &str| {
            FieldUse::new(
                System::Salesforce,
                OPPORTUNITY,
                field,
                Access::Read,
                purpose,
            )
        };
        uses.push(read("IsWon", "condition"));
        uses.push(read("AccountId", "customer"));
        for (salesforce, _) in lines::LINE_FIELDS {
            uses.push(read(&format!("{LINE_ITEMS}[].{salesforce}"), "order lines"));
        }
        let written = [ORDER_ID_FIELD, ORDER_NUMBER_FIELD]
            .into_iter()
            .map(str::to_string);
        for name in written.chain(self.status.names()) {
            let purpose = if name.starts_with("NetSuite_Sales") {
                "order link"
            } else {
                "sync status"
            };
            uses.push(FieldUse::new(
                System::Salesforce,
                OPPORTUNITY,
                &name,
                Access::ReadWrite,
                purpose,
            ));
        }
        let order = |field: &str, access: Access, purpose: &str| {
            FieldUse::new(System::NetSuite, SALES_ORDER, field, access, purpose)
        };
        uses.push(order("externalId", Access::Write, "link field"));
        uses.push(order("entity", Access::ReadWrite, "customer"));
        uses.push(order("tranId", Access::Read, "order number"));
        let price_level = &self.settings.options.custom_price_level;
        for field in lines::order_line_fields(price_level) {
            uses.push(order(&field, Access::ReadWrite, "order lines"));
        }
        for name in self.netsuite_status.names() {
            uses.push(order(&name, Access::ReadWrite, "sync status"));
        }
        for (field, value) in batch::create_constants(&self.settings.options) {
            let mut used = order(&field, Access::Write, "constant");
            used.values.push(value);
            uses.push(used);
        }
        uses
    }

    async fn sync(
        &self,
        connections: &Connections,
        items: &[SourceItem],
        report: &mut PassReport,
    ) -> Result<Vec<Outcome>, PassError> {
        let has_currency = self.has_currency(connections).await?;
        let run = batch::Run {
            connections,
            options: &self.settings.options,
            mapping: &self.settings.mapping,
            status: &self.status,
            netsuite_status: &self.netsuite_status,
            customers: &self.customers,
            opportunity: &self.spec.objects[0],
            has_currency,
        };
        run.sync(items, report).await
    }
}

impl Template {
    /// Returns whether Opportunities carry `CurrencyIsoCode`, asking describe once. A port
    /// that cannot describe counts as an org with one currency; any other failure stops the
    /// pass, because orders written without their currency would take the customer's.
    async fn has_currency(&self, connections: &Connections) -> Result<bool, PassError> {
        if let Some(known) = *self.currency.lock().unwrap_or_else(|e| e.into_inner()) {
            return Ok(known);
        }
        let port = connections.port(System::Salesforce);
        let described = connections
            .retry
            .run("Salesforce Opportunity describe", || {
                port.describe(OPPORTUNITY)
            })
            .await;
        let known = match described {
            Ok(info) => info.field(lines::CURRENCY_FIELD).is_some(),
            Err(error) if error.code == "NOT_SUPPORTED" => false,
            Err(error) => return Err(error.into()),
        };
        *self.currency.lock().unwrap_or_else(|e| e.into_inner()) = Some(known);
        Ok(known)
    }
}

#[cfg(test)]
mod tests;
