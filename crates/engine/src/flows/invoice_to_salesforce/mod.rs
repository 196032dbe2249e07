//! `invoice-to-salesforce`: every NetSuite invoice becomes a Salesforce `NetSuite_Invoice__c`
//! record under its customer's Account, and follows the invoice as it changes.
//!
//! The Salesforce record is upserted on its external ID field `NetSuite_Internal_ID__c`, which
//! contains the invoice's internal ID. Default mapping:
//!
//! | NetSuite invoice | Salesforce `NetSuite_Invoice__c` |
//! |---|---|
//! | `tranId` | `Name` |
//! | `entity` | `Account__c`, the Account that `account-customer` links to the customer |
//! | `total` | `Amount__c` |
//! | `amountRemaining` | `Amount_Remaining__c` |
//! | `status` | `Status__c`, NetSuite's status text unchanged |
//! | `dueDate` | `Due_Date__c` |
//! | `tranDate` | `Transaction_Date__c` |
//!
//! The `Status__c` picklist values are NetSuite's invoice statuses: Open, Paid In Full, Pending
//! Approval, Rejected and Voided.
//!
//! An invoice whose customer is not linked to an Account yet waits: it is kept as a dead
//! letter with the code `PARENT_NOT_LINKED` and tried again every pass until the link exists.
//!
//! A payment applied in NetSuite changes the invoice's amount remaining and status. The flow
//! also reads the changes of customer payments, and syncs in the same pass every invoice that
//! a changed payment applies to (the `applyList` lines marked applied), so it does not depend on
//! NetSuite moving the invoice's own modification time. Payments themselves are not copied and
//! count as skipped.
//!
//! Only the fields that differ from the Salesforce record's values are written, and a pass
//! over unchanged invoices writes nothing.
//!
//! Option `currency` (default `"auto"`) sets whether `CurrencyIsoCode` is written from the
//! invoice's currency (the ISO code in the NetSuite currency record's `symbol` field): `"auto"`
//! writes it when the org uses multiple currencies, that is when `NetSuite_Invoice__c` has a
//! `CurrencyIsoCode` field (checked once per pass). `"on"` always writes it, and `"off"` never
//! does.
//!
//! Every pass also reads the invoices deleted in NetSuite (`getDeleted`) since the last pass,
//! and the `[flows.invoice-to-salesforce.deletes]` table's `from_netsuite` policy decides what
//! happens to their Salesforce records: `unlink` (the default) keeps the record as it is and
//! only stops following the invoice, `ignore` does not even read the deletions, `deactivate`
//! writes `inactive_value` (default `Deleted`) to `inactive_field` (default `Status__c`), and
//! `delete` deletes the record.

mod currency;
mod deleted;
mod sync;
#[cfg(test)]
mod tests;

use std::collections::{BTreeSet, HashSet};

use async_trait::async_trait;

use super::{Settings, account_customer, support};
use crate::flow::{Access, FieldUse, Flow, OneWayFlow};
use crate::mapping::{Direction, FieldPair, Mapping};
use crate::one_way::{OneWaySpec, OneWayTemplate, Outcome, PAGE_BATCH_SIZE, SourceItem};
use crate::pass::{Connections, PassError};
use crate::record::{FieldValue, ObjectSpec, System};
use crate::report::PassReport;

/// The flow's name in configuration files, the store, logs and reports.
pub const FLOW: &str = "invoice-to-salesforce";

/// The Salesforce object that stores the invoices.
pub const TARGET_OBJECT: &str = "NetSuite_Invoice__c";

/// The external ID field of [`TARGET_OBJECT`] that contains the invoice's internal ID.
pub const TARGET_LINK_FIELD: &str = "NetSuite_Internal_ID__c";

/// The Salesforce field of a record's currency in orgs with multiple currencies.
pub const CURRENCY_FIELD: &str = "CurrencyIsoCode";

/// The NetSuite invoice statuses, which `Status__c` takes as they are.
pub const STATUS_VALUES: [&str; 5] = [
    "Open",
    "Paid In Full",
    "Pending Approval",
    "Rejected",
    "Voided",
];

/// The invoice record type; the first source object.
const INVOICE: usize = 0;

/// The customer payment record type; the second source object, read only to find invoices.
const PAYMENT: usize = 1;

/// The invoice field that references its currency record.
const INVOICE_CURRENCY: &str = "currency";

/// The payment's applied invoices: the invoice's internal ID and whether the line is applied.
const APPLIED_DOC: &str = "applyList[].doc";
const APPLIED_FLAG: &str = "applyList[].apply";

/// When the flow writes `CurrencyIsoCode`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CurrencyMode {
    /// When `NetSuite_Invoice__c` has a `CurrencyIsoCode` field (the org uses multiple
    /// currencies).
    #[default]
    Auto,
    /// Always.
    On,
    /// Never.
    Off,
}

/// The flow's options in its `[flows.invoice-to-salesforce]` table.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Options {
    /// When `CurrencyIsoCode` is written: `"auto"` (default), `"on"` or `"off"`.
    pub currency: CurrencyMode,
    /// What an invoice deleted in NetSuite does to its Salesforce record, in the
    /// `[flows.invoice-to-salesforce.deletes]` table.
    pub deletes: deleted::Deletes,
}

/// Returns the fields the flow maps when the configuration names none, all from NetSuite to
/// Salesforce.
pub fn default_mapping() -> Mapping {
    let mut account = to_salesforce("entity", "Account__c");
    account.lookup = Some(account_customer::FLOW.to_string());
    Mapping::of_pairs(vec![
        to_salesforce("tranId", "Name"),
        account,
        to_salesforce("total", "Amount__c"),
        to_salesforce("amountRemaining", "Amount_Remaining__c"),
        to_salesforce("status", "Status__c"),
        to_salesforce("dueDate", "Due_Date__c"),
        to_salesforce("tranDate", "Transaction_Date__c"),
    ])
}

fn to_salesforce(netsuite: &str, salesforce: &str) -> FieldPair {
    FieldPair {
        direction: Direction::ToSalesforce,
        ..FieldPair::new(netsuite, salesforce)
    }
}

/// Builds the runnable flow.
pub fn flow(settings: Settings<Options>) -> Box<dyn Flow> {
    Box::new(OneWayFlow {
        template: Box::new(Template::new(settings)),
    })
}

/// The flow's logic, with the currencies it has looked up in the current pass.
struct Template {
    spec: OneWaySpec,
    mapping: Mapping,
    options: Options,
    currencies: currency::Currencies,
}

impl Template {
    fn new(settings: Settings<Options>) -> Template {
        let mut invoice_fields = settings.mapping.field_names(System::NetSuite);
        if settings.options.currency != CurrencyMode::Off
            && !invoice_fields.iter().any(|name| name == INVOICE_CURRENCY)
        {
            invoice_fields.push(INVOICE_CURRENCY.to_string());
        }
        let spec = OneWaySpec {
            flow: FLOW.to_string(),
            source: System::NetSuite,
            objects: vec![
                netsuite_object("invoice", invoice_fields),
                netsuite_object(
                    "customerPayment",
                    vec![APPLIED_DOC.to_string(), APPLIED_FLAG.to_string()],
                ),
            ],
            written_back: Vec::new(),
            overlap: settings.overlap,
            batch_size: PAGE_BATCH_SIZE,
        };
        Template {
            spec,
            mapping: settings.mapping,
            options: settings.options,
            currencies: currency::Currencies::default(),
        }
    }

    /// Returns the Salesforce fields the mapping writes.
    fn target_fields(&self) -> Vec<String> {
        support::written_fields(&self.mapping, System::Salesforce)
    }

    /// Returns the Salesforce object as the flow reads and writes it.
    fn target(&self, multi_currency: bool) -> ObjectSpec {
        let mut fields = self.target_fields();
        if multi_currency && !fields.iter().any(|name| name == CURRENCY_FIELD) {
            fields.push(CURRENCY_FIELD.to_string());
        }
        ObjectSpec {
            name: TARGET_OBJECT.to_string(),
            fields,
            link_field: TARGET_LINK_FIELD.to_string(),
        }
    }

    /// Returns the fixed fields, besides the mapping, that the flow reads and writes.
    fn fixed_field_uses(&self) -> Vec<FieldUse> {
        let ns = |object: &str, field: &str, purpose: &str| {
            FieldUse::new(System::NetSuite, object, field, Access::Read, purpose)
        };
        let sf = |field: &str, purpose: &str| {
            FieldUse::new(
                System::Salesforce,
                TARGET_OBJECT,
                field,
                Access::Write,
                purpose,
            )
        };
        let mut uses = vec![
            ns("customerPayment", APPLIED_DOC, "applied invoices"),
            ns("customerPayment", APPLIED_FLAG, "applied invoices"),
            sf(TARGET_LINK_FIELD, "link field"),
        ];
        if self.options.currency != CurrencyMode::Off {
            uses.push(ns("invoice", INVOICE_CURRENCY, "currency"));
            uses.push(ns("currency", currency::ISO_CODE_FIELD, "currency"));
        }
        if let Some((field, value)) = self.options.deletes.inactive() {
            let mut used = sf(&field, "deleted invoice mark");
            used.values.push(value);
            uses.push(used);
        }
        // With "auto" the field may be missing on purpose: single-currency orgs have none.
        if self.options.currency == CurrencyMode::On {
            uses.push(sf(CURRENCY_FIELD, "currency"));
        }
        uses
    }
}

fn netsuite_object(name: &str, fields: Vec<String>) -> ObjectSpec {
    ObjectSpec {
        name: name.to_string(),
        fields,
        link_field: "externalId".to_string(),
    }
}

#[async_trait]
impl OneWayTemplate for Template {
    fn spec(&self) -> &OneWaySpec {
        &self.spec
    }

    fn field_uses(&self) -> Vec<FieldUse> {
        let mut uses = self.mapping.field_uses("invoice", TARGET_OBJECT);
        for used in &mut uses {
            let is_status = used.system == System::Salesforce && used.field == "Status__c";
            if is_status && used.access.writes() && used.values.is_empty() {
                used.values = STATUS_VALUES.iter().map(|v| FieldValue::text(*v)).collect();
            }
        }
        uses.extend(self.fixed_field_uses());
        uses
    }

    async fn before(
        &self,
        connections: &Connections,
        report: &mut PassReport,
    ) -> Result<(), PassError> {
        self.currencies.reset();
        let invoice = &self.spec.objects[INVOICE];
        let mut target = self.target(false);
        if let Some((field, _)) = self.options.deletes.inactive()
            && !target.fields.contains(&field)
        {
            target.fields.push(field);
        }
        deleted::apply(
            &self.options.deletes,
            invoice,
            &target,
            self.spec.overlap,
            connections,
            report,
        )
        .await
    }

    /// Returns the invoices that changed payments apply to, besides those already queued.
    async fn related(
        &self,
        connections: &Connections,
        changed: &[SourceItem],
    ) -> Result<Vec<SourceItem>, PassError> {
        let queued: HashSet<&str> = changed
            .iter()
            .filter(|item| item.object == INVOICE)
            .map(|item| item.record.id.as_str())
            .collect();
        let applied: BTreeSet<String> = changed
            .iter()
            .filter(|item| item.object == PAYMENT)
            .flat_map(|item| applied_invoices(&item.record.fields))
            .filter(|id| !queued.contains(id.as_str()))
            .collect();
        if applied.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<String> = applied.into_iter().collect();
        let object = &self.spec.objects[INVOICE];
        let port = connections.port(System::NetSuite);
        let records = connections
            .retry
            .run("NetSuite invoices of changed payments", || {
                port.read(object, &ids)
            })
            .await?;
        tracing::debug!(
            flow = FLOW,
            invoices = records.len(),
            "invoices of changed payments"
        );
        Ok(records
            .into_iter()
            .map(|record| SourceItem {
                object: INVOICE,
                record,
            })
            .collect())
    }

    async fn sync(
        &self,
        connections: &Connections,
        items: &[SourceItem],
        _report: &mut PassReport,
    ) -> Result<Vec<Outcome>, PassError> {
        sync::sync(self, connections, items).await
    }
}

/// Returns the internal IDs of the invoices a payment's `applyList` lines apply to. A line
/// counts unless its `apply` flag is false.
///
/// NOTE: an invoice taken off a payment (its line's `apply` set to false) is left to its own
/// change feed, since a payment's list may also name every other open invoice of the customer.
fn applied_invoices(fields: &crate::record::Fields) -> Vec<String> {
    let lines = fields.get("applyList").map_or(&[][..], FieldValue::lines);
    lines
        .iter()
        .filter(|line| line.get("apply").and_then(FieldValue::as_bool) != Some(false))
        .filter_map(|line| record_id(line.get("doc")?))
        .collect()
}

/// Returns a record ID read as text or as a whole number.
fn record_id(value: &FieldValue) -> Option<String> {
    match value {
        FieldValue::Text(text) if !text.trim().is_empty() => Some(text.trim().to_string()),
        FieldValue::Number(number) if number.fract() == 0.0 && *number >= 0.0 => {
            Some(format!("{number:.0}"))
        }
        _ => None,
    }
}
