//! `customer-onboarding`: a Salesforce Account that becomes a customer gets a NetSuite customer.
//!
//! The flow reads the Account change feed. An Account is onboarded when its `Type` is one of
//! option `account_types` (default `["Customer", "Customer - Direct", "Customer - Channel"]`:
//! `Customer` as in the sandbox, and the two customer values of a standard org's picklist; an
//! empty list takes every Account), and, with
//! option `require_won_opportunity` (default false), when one of its Opportunities is won
//! (`IsWon`). With that option the flow reads the Opportunity change feed too, so an Account is
//! onboarded as soon as its first Opportunity is won, even if the Account itself did not change.
//!
//! An Account is left alone (counted as skipped) when `account-customer` has linked it already,
//! when it carries a NetSuite internal ID in `NetSuite_Internal_ID__c` (`account-customer` links
//! the two), or when an unlinked NetSuite customer has the same company name. That last rule
//! keeps duplicates out: a customer whose `companyName` equals the Account's `Name` (NetSuite
//! compares without regard to case), or a customer `account-customer` has read whose name is the
//! same once legal forms, accents and punctuation are dropped ("ACME Corp." and "Acme
//! Corporation"), is left for `account-customer` to link or send to review.
//!
//! Otherwise the customer is upserted with the Account Id as its `externalId`. The default
//! mapping writes `Name` to `companyName`, `Phone` to `phone`, `Website` to `url`, and the
//! billing address (`BillingStreet`, `BillingCity`, `BillingState`, `BillingPostalCode`,
//! `BillingCountry`) to the customer's default billing address (`billingAddress.addr1`, `.city`,
//! `.state`, `.zip`, `.country`; the country as an ISO code such as `US`). Options `subsidiary`
//! (default `"1"`), `currency` and `terms` (default none) are internal IDs written to every new
//! customer; an empty string leaves the field out.
//!
//! After the create the pair is linked as `account-customer` links it, and the Account gets the
//! customer's internal ID in `NetSuite_Internal_ID__c` and `NetSuite_Sync_Status__c` = `Synced`.
//! A customer that NetSuite refuses (a name over 83 characters) becomes a dead letter, and the
//! Account gets `Error` with the message in `NetSuite_Sync_Error__c`. Options `status_field`
//! and `error_field` rename those two fields; an empty string turns one off. Options
//! `netsuite_status_field` and `netsuite_error_field` (custom field script IDs, default none)
//! also give each new customer the status `Synced` in a custom field of its own.

mod accounts;

use async_trait::async_trait;

use super::customers::{self, ACCOUNT_LINK_FIELD, Onboarding};
use super::support::StatusFields;
use super::{Settings, account_customer};
use crate::flow::{Access, FieldUse, Flow, OneWayFlow};
use crate::mapping::{Direction, FieldPair, Mapping};
use crate::one_way::{OneWaySpec, OneWayTemplate, Outcome, SourceItem};
use crate::pass::{Connections, PassError};
use crate::record::{FieldValue, System};
use crate::report::PassReport;

/// The flow's name in configuration files, the store, logs and reports.
pub const FLOW: &str = "customer-onboarding";

/// The Account field compared with option `account_types`.
pub const TYPE_FIELD: &str = "Type";

/// How many Accounts one batch handles; Salesforce collections write up to 200 records a call.
const BATCH_SIZE: usize = 200;

/// The options of the `[flows.customer-onboarding]` table.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Options {
    /// Account `Type` values that make an Account a customer to onboard, compared without
    /// regard to case. Default `Customer`, `Customer - Direct` and `Customer - Channel`; an
    /// empty list onboards every Account.
    pub account_types: Vec<String>,
    /// Onboard an Account only once one of its Opportunities is won. Default false.
    pub require_won_opportunity: bool,
    /// Internal ID of the subsidiary of new customers. Default `"1"`; empty leaves it out.
    pub subsidiary: String,
    /// Internal ID of the currency of new customers. Default none.
    pub currency: Option<String>,
    /// Internal ID of the payment terms of new customers. Default none.
    pub terms: Option<String>,
    /// The Account field that receives the sync status. Default `NetSuite_Sync_Status__c`;
    /// empty turns it off.
    pub status_field: String,
    /// The Account field that receives the error of the last sync. Default
    /// `NetSuite_Sync_Error__c`; empty turns it off.
    pub error_field: String,
    /// The custom field (script ID) of the NetSuite customer that receives the sync status.
    /// Default none: nothing is written there.
    pub netsuite_status_field: Option<String>,
    /// The custom field (script ID) of the NetSuite customer that receives the error of the last
    /// sync. Default none.
    pub netsuite_error_field: Option<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            account_types: ["Customer", "Customer - Direct", "Customer - Channel"]
                .map(String::from)
                .to_vec(),
            require_won_opportunity: false,
            subsidiary: "1".to_string(),
            currency: None,
            terms: None,
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

    /// Returns true when an Account of this `Type` is onboarded.
    pub fn takes_type(&self, account_type: Option<&str>) -> bool {
        if self.account_types.is_empty() {
            return true;
        }
        let account_type = account_type.unwrap_or_default().trim();
        self.account_types
            .iter()
            .any(|wanted| wanted.trim().eq_ignore_ascii_case(account_type))
    }

    /// Returns how customers are created under these options, with `mapping` from the Account
    /// to the customer and `account-customer`'s default mapping as the link mapping.
    pub fn onboarding(&self, mapping: Mapping) -> Onboarding {
        let constants = customers::constants(&[
            ("subsidiary", Some(self.subsidiary.as_str())),
            ("currency", self.currency.as_deref()),
            ("terms", self.terms.as_deref()),
        ]);
        Onboarding {
            mapping,
            constants,
            status: self.status_fields(),
            netsuite_status: self.netsuite_status_fields(),
            link_mapping: account_customer::spec(&Default::default()).mapping,
        }
    }
}

/// Returns the customer fields the template maps when the configuration names none.
pub fn default_mapping() -> Mapping {
    let to_netsuite = |netsuite: &str, salesforce: &str| FieldPair {
        direction: Direction::ToNetSuite,
        ..FieldPair::new(netsuite, salesforce)
    };
    Mapping::of_pairs(vec![
        to_netsuite("companyName", "Name"),
        to_netsuite("phone", "Phone"),
        to_netsuite("url", "Website"),
        to_netsuite("billingAddress.addr1", "BillingStreet"),
        to_netsuite("billingAddress.city", "BillingCity"),
        to_netsuite("billingAddress.state", "BillingState"),
        to_netsuite("billingAddress.zip", "BillingPostalCode"),
        to_netsuite("billingAddress.country", "BillingCountry"),
    ])
}

/// Builds the runnable flow, for `account-customer` with its default mapping.
pub fn flow(settings: Settings<Options>) -> Box<dyn Flow> {
    let link_mapping = account_customer::spec(&Default::default()).mapping;
    flow_with_link_mapping(settings, link_mapping)
}

/// Builds the runnable flow for an `account-customer` flow that maps `link_mapping`, so the
/// pairs it links hold the values that flow compares (see [`Onboarding::link_mapping`]).
pub fn flow_with_link_mapping(settings: Settings<Options>, link_mapping: Mapping) -> Box<dyn Flow> {
    Box::new(OneWayFlow {
        template: Box::new(Template::new(settings, link_mapping)),
    })
}

/// The flow's template: its spec and how it creates customers.
struct Template {
    spec: OneWaySpec,
    settings: Settings<Options>,
    onboarding: Onboarding,
}

impl Template {
    fn new(settings: Settings<Options>, link_mapping: Mapping) -> Template {
        let mut onboarding = settings.options.onboarding(settings.mapping.clone());
        onboarding.link_mapping = link_mapping;
        let mut objects = vec![onboarding.account_spec(&[TYPE_FIELD])];
        if settings.options.require_won_opportunity {
            objects.push(accounts::opportunity_spec());
        }
        let mut written_back = vec![ACCOUNT_LINK_FIELD.to_string()];
        written_back.extend(onboarding.status.names());
        let spec = OneWaySpec {
            flow: FLOW.to_string(),
            source: System::Salesforce,
            objects,
            written_back,
            overlap: settings.overlap,
            batch_size: BATCH_SIZE,
        };
        Template {
            spec,
            settings,
            onboarding,
        }
    }
}

#[async_trait]
impl OneWayTemplate for Template {
    fn spec(&self) -> &OneWaySpec {
        &self.spec
    }

    fn field_uses(&self) -> Vec<FieldUse> {
        let mut uses = self
            .settings
            .mapping
            .field_uses(customers::CUSTOMER, customers::ACCOUNT);
        for (name, value) in &self.onboarding.constants {
            let mut used = FieldUse::new(
                System::NetSuite,
                customers::CUSTOMER,
                name,
                Access::Write,
                "constant",
            );
            used.values.push(value.clone());
            uses.push(used);
        }
        let mut fixed = vec![
            (
                System::NetSuite,
                customers::CUSTOMER,
                customers::CUSTOMER_LINK_FIELD,
                Access::Write,
                "link field",
            ),
            (
                System::NetSuite,
                customers::CUSTOMER,
                "companyName",
                Access::Read,
                "duplicate check",
            ),
            (
                System::Salesforce,
                customers::ACCOUNT,
                ACCOUNT_LINK_FIELD,
                Access::ReadWrite,
                "link field",
            ),
            (
                System::Salesforce,
                customers::ACCOUNT,
                TYPE_FIELD,
                Access::Read,
                "condition",
            ),
        ];
        if self.settings.options.require_won_opportunity {
            fixed.push((
                System::Salesforce,
                accounts::OPPORTUNITY,
                "AccountId",
                Access::Read,
                "condition",
            ));
            fixed.push((
                System::Salesforce,
                accounts::OPPORTUNITY,
                "IsWon",
                Access::Read,
                "condition",
            ));
        }
        for (system, object, field, access, purpose) in fixed {
            let mut used = FieldUse::new(system, object, field, access, purpose);
            if field == TYPE_FIELD {
                let types = self.settings.options.account_types.iter();
                used.values = types.map(|name| FieldValue::text(name.as_str())).collect();
            }
            uses.push(used);
        }
        for name in self.onboarding.status.names() {
            uses.push(FieldUse::new(
                System::Salesforce,
                customers::ACCOUNT,
                &name,
                Access::ReadWrite,
                "sync status",
            ));
        }
        for name in self.onboarding.netsuite_status.names() {
            uses.push(FieldUse::new(
                System::NetSuite,
                customers::CUSTOMER,
                &name,
                Access::Write,
                "sync status",
            ));
        }
        uses
    }

    async fn sync(
        &self,
        connections: &Connections,
        items: &[SourceItem],
        report: &mut PassReport,
    ) -> Result<Vec<Outcome>, PassError> {
        let run = accounts::Run {
            connections,
            options: &self.settings.options,
            onboarding: &self.onboarding,
        };
        run.sync(items, report).await
    }
}

#[cfg(test)]
mod tests;
