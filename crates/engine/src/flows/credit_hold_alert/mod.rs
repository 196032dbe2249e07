//! `credit-hold-alert`: NetSuite customers' credit standing on their Salesforce Accounts, and
//! one Task for the Account owner when a customer gets into credit trouble.
//!
//! For every NetSuite customer that `account-customer` links to an Account, the Account gets:
//!
//! | NetSuite customer | Salesforce Account |
//! |---|---|
//! | `creditLimit` | `Credit_Limit__c` |
//! | `balance` | `Balance__c` |
//! | `overdueBalance` | `Overdue_Balance__c` |
//! | the credit hold rule below | `Credit_Hold__c` |
//!
//! A customer is on credit hold when its `creditHoldOverride` is `_on`, or when it is `_auto`
//! (NetSuite's default, also assumed when blank) and its balance is at or above a credit limit
//! greater than 0. `_off` is never on hold. Only values that differ from the Account's values
//! are written. Customers that are not linked are skipped.
//!
//! NetSuite changes a customer's balance when its transactions change without moving the
//! customer's modification time. So each pass refreshes the changed customers, the customers
//! of the invoices, sales orders and customer payments changed since the last pass, and, once
//! every `full_refresh_hours`, every linked customer. A refreshed customer whose figures did
//! not change is not written again.
//!
//! NOTE: a customer counts as unchanged when the values read from NetSuite equal those of its
//! last sync, so a credit field edited by hand on the Account is corrected only once the
//! customer's figures change again.
//!
//! A customer is in alert when it is on credit hold, or when its balance is at or above
//! `threshold` times a credit limit greater than 0. When it enters alert, the flow inserts one
//! Task on the Account. The subject gives the reason ("Credit hold: Acme Corp", "Credit limit
//! 93% used: Acme Corp"). The description gives the balance, limit, share of the limit used,
//! overdue balance and the NetSuite customer's internal ID. The Task goes to the Account's
//! owner, due today (UTC). No other Task follows until the customer has left alert and entered
//! it again.
//!
//! Options, with their defaults:
//! - `threshold = 0.9`: the share of the credit limit that puts a customer in alert;
//! - `task_priority = "High"` and `task_status = "Not Started"`: the new Task's `Priority` and
//!   `Status`;
//! - `full_refresh_hours = 24`: how often every linked customer is read again; 0 never;
//! - `alert = true`: `false` writes the credit fields only, with no Tasks.

mod credit;
mod episode;
mod refresh;
mod sync;
#[cfg(test)]
mod tests;

use async_trait::async_trait;

use super::{Settings, support};
use crate::flow::{Access, FieldUse, Flow, OneWayFlow};
use crate::mapping::{Direction, FieldPair, Mapping};
use crate::one_way::{OneWaySpec, OneWayTemplate, Outcome, SourceItem};
use crate::pass::{Connections, PassError};
use crate::record::{FieldValue, ObjectSpec, System};
use crate::report::PassReport;

/// The flow's name in configuration files, the store, logs and reports.
pub const FLOW: &str = "credit-hold-alert";

/// The Salesforce object that gets the credit fields.
pub const ACCOUNT_OBJECT: &str = "Account";

/// The Account field that records whether the customer is on credit hold.
pub const HOLD_FIELD: &str = "Credit_Hold__c";

/// The Account field whose user gets the Task.
pub const OWNER_FIELD: &str = "OwnerId";

/// The Salesforce object of the alerts.
pub const TASK_OBJECT: &str = "Task";

/// The only source object: NetSuite customers.
const CUSTOMER: usize = 0;

/// The fields of a new Task, besides `WhatId` and `Description`.
const TASK_FIELDS: [&str; 5] = ["Subject", "Priority", "Status", "OwnerId", "ActivityDate"];

/// The flow's options in its `[flows.credit-hold-alert]` table.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Options {
    /// The share of the credit limit at which a customer is in alert (0.9 is 90%), greater
    /// than 0. Default 0.9.
    #[serde(deserialize_with = "positive_share")]
    pub threshold: f64,
    /// The `Priority` of a new Task. Default `"High"`.
    pub task_priority: String,
    /// The `Status` of a new Task. Default `"Not Started"`.
    pub task_status: String,
    /// Hours between two reads of every linked customer; 0 turns them off. Default 24.
    pub full_refresh_hours: u32,
    /// Whether customers in alert get a Task; `false` writes the credit fields only.
    /// Default `true`.
    pub alert: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            threshold: 0.9,
            task_priority: "High".to_string(),
            task_status: "Not Started".to_string(),
            full_refresh_hours: 24,
            alert: true,
        }
    }
}

/// Reads a threshold, rejecting one that is not a number greater than 0: with 0 or less,
/// every customer with a credit limit would be in alert.
fn positive_share<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    let share = <f64 as serde::Deserialize>::deserialize(deserializer)?;
    if share.is_finite() && share > 0.0 {
        return Ok(share);
    }
    Err(serde::de::Error::custom(format!(
        "invalid threshold {share}: expected a share of the credit limit greater than 0, \
         such as 0.9 for 90%"
    )))
}

/// Returns the fields the flow maps when the configuration names none, all from NetSuite to
/// Salesforce. `Credit_Hold__c` is not part of the mapping: the flow computes it.
pub fn default_mapping() -> Mapping {
    Mapping::of_pairs(vec![
        to_salesforce(credit::CREDIT_LIMIT, "Credit_Limit__c"),
        to_salesforce(credit::BALANCE, "Balance__c"),
        to_salesforce(credit::OVERDUE_BALANCE, "Overdue_Balance__c"),
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

/// The customer fields the flow reads besides the mapping's. `externalId` is read so that a
/// customer skipped as unlinked is synced once `account-customer` links it, since linking
/// writes the Account's ID there.
const CUSTOMER_FIELDS: [&str; 7] = [
    credit::CREDIT_LIMIT,
    credit::BALANCE,
    credit::OVERDUE_BALANCE,
    credit::HOLD_OVERRIDE,
    credit::COMPANY_NAME,
    credit::ENTITY_ID,
    "externalId",
];

/// The flow's logic, with the refresh state of the pass in progress.
struct Template {
    spec: OneWaySpec,
    mapping: Mapping,
    options: Options,
    refresh: refresh::Refresh,
}

impl Template {
    fn new(settings: Settings<Options>) -> Template {
        let mut fields = settings.mapping.field_names(System::NetSuite);
        for name in CUSTOMER_FIELDS {
            if !fields.iter().any(|kept| kept == name) {
                fields.push(name.to_string());
            }
        }
        let spec = OneWaySpec {
            flow: FLOW.to_string(),
            source: System::NetSuite,
            objects: vec![ObjectSpec {
                name: "customer".to_string(),
                fields,
                link_field: "externalId".to_string(),
            }],
            written_back: Vec::new(),
            overlap: settings.overlap,
            batch_size: 200,
        };
        Template {
            spec,
            mapping: settings.mapping,
            options: settings.options,
            refresh: refresh::Refresh::default(),
        }
    }

    /// Returns the Account fields the mapping writes.
    fn mapped_fields(&self) -> Vec<String> {
        support::written_fields(&self.mapping, System::Salesforce)
    }

    /// Returns the Account object as the flow reads it: the written fields and the owner.
    fn account_object(&self) -> ObjectSpec {
        let mut fields = self.mapped_fields();
        for name in [HOLD_FIELD, OWNER_FIELD] {
            if !fields.iter().any(|kept| kept == name) {
                fields.push(name.to_string());
            }
        }
        ObjectSpec {
            name: ACCOUNT_OBJECT.to_string(),
            fields,
            link_field: "NetSuite_Internal_ID__c".to_string(),
        }
    }

    /// Returns the fixed fields, besides the mapping, that the flow reads and writes.
    fn fixed_field_uses(&self) -> Vec<FieldUse> {
        let mut uses: Vec<FieldUse> = CUSTOMER_FIELDS
            .iter()
            .map(|field| FieldUse::new(System::NetSuite, "customer", field, Access::Read, "credit"))
            .collect();
        for (object, field) in refresh::TRANSACTIONS {
            let purpose = "customer of a changed transaction";
            uses.push(FieldUse::new(
                System::NetSuite,
                object,
                field,
                Access::Read,
                purpose,
            ));
        }
        let account = |field: &str, access, purpose: &str| {
            FieldUse::new(System::Salesforce, ACCOUNT_OBJECT, field, access, purpose)
        };
        uses.push(account(HOLD_FIELD, Access::Write, "credit hold"));
        if !self.options.alert {
            return uses;
        }
        uses.push(account(OWNER_FIELD, Access::Read, "Task owner"));
        let task = |field: &str, access, purpose: &str| {
            FieldUse::new(System::Salesforce, TASK_OBJECT, field, access, purpose)
        };
        uses.push(task(episode::WHAT_ID, Access::ReadWrite, "alert Task"));
        uses.push(task(episode::DESCRIPTION, Access::ReadWrite, "alert Task"));
        for field in TASK_FIELDS {
            let mut used = task(field, Access::Write, "alert Task");
            used.values = match field {
                "Priority" => vec![FieldValue::text(self.options.task_priority.clone())],
                "Status" => vec![FieldValue::text(self.options.task_status.clone())],
                _ => Vec::new(),
            };
            uses.push(used);
        }
        uses
    }
}

#[async_trait]
impl OneWayTemplate for Template {
    fn spec(&self) -> &OneWaySpec {
        &self.spec
    }

    fn field_uses(&self) -> Vec<FieldUse> {
        let mut uses = self.mapping.field_uses("customer", ACCOUNT_OBJECT);
        uses.extend(self.fixed_field_uses());
        uses
    }

    async fn before(
        &self,
        _connections: &Connections,
        _report: &mut PassReport,
    ) -> Result<(), PassError> {
        self.refresh.reset();
        Ok(())
    }

    async fn related(
        &self,
        connections: &Connections,
        changed: &[SourceItem],
    ) -> Result<Vec<SourceItem>, PassError> {
        let hours = self.options.full_refresh_hours;
        self.refresh
            .related(&self.spec, connections, hours, changed)
            .await
    }

    async fn after(&self, connections: &Connections, report: &PassReport) -> Result<(), PassError> {
        self.refresh.commit(connections, report.deferred).await
    }

    async fn sync(
        &self,
        connections: &Connections,
        items: &[SourceItem],
        report: &mut PassReport,
    ) -> Result<Vec<Outcome>, PassError> {
        sync::sync(self, connections, items, report).await
    }
}
