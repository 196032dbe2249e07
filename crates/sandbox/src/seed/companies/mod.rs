//! The demo companies: Salesforce Accounts and NetSuite customers, with their billing
//! addresses, currencies, terms and credit settings.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Map, Value};

use super::data::{number, rows};
use super::setup::Setup;
use super::xml::{NAMESPACES, record_ref, text};
use super::{SeedError, netsuite_currency_id};
use crate::netsuite::{Customer, NetSuiteEmulator};
use crate::salesforce::SalesforceEmulator;

const DEMO_COMPANIES: &str = include_str!("../../../seed/demo-companies.txt");
const DEMO_ADDRESSES: &str = include_str!("../../../seed/demo-addresses.txt");
const DEMO_CREDIT: &str = include_str!("../../../seed/demo-credit.txt");

/// The internal ID of the first demo customer; each later line of the company list counts up
/// from it.
pub(super) const FIRST_INTERNAL_ID: u32 = 1201;

/// The sides a demo company exists on, and whether it is linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Presence {
    /// On both sides, each record carrying the other's ID.
    Linked,
    /// On both sides under the two names given, not linked yet.
    Unlinked,
    SalesforceOnly,
    NetSuiteOnly,
}

/// One demo company, with its Salesforce and NetSuite spellings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Company {
    pub presence: Presence,
    pub sf_name: String,
    pub ns_name: String,
    pub phone: String,
    pub website: String,
    pub email: String,
    pub hours_ago: i64,
    /// The Salesforce Account `Type`, empty for none.
    pub account_type: String,
    /// ISO 4217 code of the company's currency on both sides.
    pub currency: String,
}

/// A billing address, the same on both sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Address {
    pub company: String,
    pub street: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    /// ISO 3166 country code.
    pub country: String,
}

/// A customer's credit limit and credit hold setting.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Credit {
    pub company: String,
    pub limit: f64,
    /// NetSuite's `creditHoldOverride` value: `_auto` or `_on`.
    pub hold: &'static str,
}

/// The Ids of the records made for the demo companies.
#[derive(Debug, Default)]
pub(super) struct Companies {
    /// NetSuite customer internal IDs by NetSuite company name.
    pub customers: BTreeMap<String, String>,
    /// Salesforce Account Ids by Account name.
    pub accounts: BTreeMap<String, String>,
}

/// Parses the demo company list.
pub(super) fn demo_companies() -> Result<Vec<Company>, String> {
    rows::<9>(DEMO_COMPANIES)?
        .into_iter()
        .map(parse_company)
        .collect()
}

pub(super) fn parse_company(fields: [&str; 9]) -> Result<Company, String> {
    let [
        presence,
        sf_name,
        ns_name,
        phone,
        website,
        email,
        hours_ago,
        account_type,
        currency,
    ] = fields;
    let presence = match presence {
        "linked" => Presence::Linked,
        "unlinked" => Presence::Unlinked,
        "salesforce-only" => Presence::SalesforceOnly,
        "netsuite-only" => Presence::NetSuiteOnly,
        other => return Err(format!("unknown presence {other:?}")),
    };
    if netsuite_currency_id(currency).is_none() {
        return Err(format!("unknown currency {currency:?}"));
    }
    Ok(Company {
        presence,
        sf_name: sf_name.to_string(),
        ns_name: ns_name.to_string(),
        phone: phone.to_string(),
        website: website.to_string(),
        email: email.to_string(),
        hours_ago: number(hours_ago, "hour count")?,
        account_type: account_type.to_string(),
        currency: currency.to_string(),
    })
}

/// Parses the demo billing addresses.
pub(super) fn demo_addresses() -> Result<Vec<Address>, String> {
    rows::<6>(DEMO_ADDRESSES)?
        .into_iter()
        .map(|[company, street, city, state, postal_code, country]| {
            if netsuite_country(country).is_none() {
                return Err(format!("unknown country {country:?}"));
            }
            Ok(Address {
                company: company.to_string(),
                street: street.to_string(),
                city: city.to_string(),
                state: state.to_string(),
                postal_code: postal_code.to_string(),
                country: country.to_string(),
            })
        })
        .collect()
}

/// Parses the demo credit settings.
pub(super) fn demo_credit() -> Result<Vec<Credit>, String> {
    rows::<3>(DEMO_CREDIT)?
        .into_iter()
        .map(|[company, limit, hold]| {
            let hold = match hold {
                "auto" => "_auto",
                "on" => "_on",
                other => return Err(format!("invalid credit hold {other:?}")),
            };
            Ok(Credit {
                company: company.to_string(),
                limit: number(limit, "credit limit")?,
                hold,
            })
        })
        .collect()
}

/// Returns NetSuite's `Country` enumeration value for an ISO 3166 code the seed uses.
pub(super) fn netsuite_country(iso: &str) -> Option<&'static str> {
    match iso {
        "US" => Some("_unitedStates"),
        "CA" => Some("_canada"),
        "DE" => Some("_germany"),
        _ => None,
    }
}

/// Adds every demo company to the sides it exists on.
pub(super) fn load(
    netsuite: &NetSuiteEmulator,
    salesforce: &SalesforceEmulator,
    setup: &Setup,
    now: DateTime<Utc>,
) -> Result<Companies, SeedError> {
    let addresses = demo_addresses().map_err(SeedError::Data)?;
    let credit = demo_credit().map_err(SeedError::Data)?;
    let mut companies = Companies::default();
    for (company, internal_id) in demo_companies()
        .map_err(SeedError::Data)?
        .iter()
        .zip(FIRST_INTERNAL_ID..)
    {
        let modified = now - TimeDelta::hours(company.hours_ago);
        let internal_id = internal_id.to_string();
        let address = addresses
            .iter()
            .find(|a| a.company == company.sf_name || a.company == company.ns_name);
        let in_salesforce = company.presence != Presence::NetSuiteOnly;
        let in_netsuite = company.presence != Presence::SalesforceOnly;
        let link = company.presence == Presence::Linked;
        if in_salesforce {
            let netsuite_id = link.then_some(internal_id.as_str());
            let account_id = insert_account(salesforce, company, address, netsuite_id, modified)?;
            companies
                .accounts
                .insert(company.sf_name.clone(), account_id);
        }
        if in_netsuite {
            let external_id = link.then(|| companies.accounts[&company.sf_name].clone());
            insert_customer(netsuite, company, &internal_id, external_id, modified);
            let credit = credit.iter().find(|c| c.company == company.ns_name);
            let settings = settings_xml(company, &internal_id, setup, address, credit);
            netsuite
                .update_record(&settings, modified)
                .map_err(SeedError::netsuite(&company.ns_name))?;
            companies
                .customers
                .insert(company.ns_name.clone(), internal_id);
        }
    }
    Ok(companies)
}

fn insert_account(
    salesforce: &SalesforceEmulator,
    company: &Company,
    address: Option<&Address>,
    netsuite_id: Option<&str>,
    modified: DateTime<Utc>,
) -> Result<String, SeedError> {
    let mut fields = Map::new();
    fields.insert("Name".into(), Value::from(company.sf_name.as_str()));
    fields.insert(
        "CurrencyIsoCode".into(),
        Value::from(company.currency.as_str()),
    );
    let optional = [
        ("Type", &company.account_type),
        ("Phone", &company.phone),
        ("Website", &company.website),
    ];
    for (name, value) in optional {
        if !value.is_empty() {
            fields.insert(name.into(), Value::from(value.as_str()));
        }
    }
    if let Some(address) = address {
        for (name, value) in [
            ("BillingStreet", &address.street),
            ("BillingCity", &address.city),
            ("BillingState", &address.state),
            ("BillingPostalCode", &address.postal_code),
            ("BillingCountry", &address.country),
        ] {
            fields.insert(name.into(), Value::from(value.as_str()));
        }
    }
    if let Some(netsuite_id) = netsuite_id {
        fields.insert("NetSuite_Internal_ID__c".into(), Value::from(netsuite_id));
    }
    salesforce
        .insert_record("Account", fields, modified)
        .map_err(SeedError::salesforce(&company.sf_name))
}

fn insert_customer(
    netsuite: &NetSuiteEmulator,
    company: &Company,
    internal_id: &str,
    external_id: Option<String>,
    modified: DateTime<Utc>,
) {
    let some = |value: &str| (!value.is_empty()).then(|| value.to_string());
    netsuite.insert_customer(Customer {
        internal_id: internal_id.to_string(),
        external_id,
        entity_id: Some(format!("CUST{internal_id}")),
        company_name: some(&company.ns_name),
        email: some(&company.email),
        phone: some(&company.phone),
        url: some(&company.website),
        is_inactive: false,
        date_created: modified - TimeDelta::days(30),
        last_modified: modified,
        custom_fields: Vec::new(),
    });
}

/// Returns the update that gives a customer its subsidiary, terms, currency, credit settings
/// and default billing address.
fn settings_xml(
    company: &Company,
    internal_id: &str,
    setup: &Setup,
    address: Option<&Address>,
    credit: Option<&Credit>,
) -> String {
    let currency = netsuite_currency_id(&company.currency).unwrap_or("1");
    let mut fields = vec![
        record_ref("listRel:subsidiary", &setup.subsidiary),
        record_ref("listRel:terms", &setup.terms),
    ];
    if let Some(credit) = credit {
        fields.push(text("listRel:creditLimit", &credit.limit.to_string()));
        fields.push(text("listRel:creditHoldOverride", credit.hold));
    }
    fields.push(record_ref("listRel:currency", currency));
    if let Some(address) = address {
        fields.push(addressbook_xml(&company.ns_name, address));
    }
    format!(
        r#"<record {NAMESPACES} xsi:type="listRel:Customer" internalId="{internal_id}">{}</record>"#,
        fields.concat()
    )
}

fn addressbook_xml(addressee: &str, address: &Address) -> String {
    let country = netsuite_country(&address.country).unwrap_or_default();
    let address_fields = [
        text("platformCommon:country", country),
        text("platformCommon:addressee", addressee),
        text("platformCommon:addr1", &address.street),
        text("platformCommon:city", &address.city),
        text("platformCommon:state", &address.state),
        text("platformCommon:zip", &address.postal_code),
    ];
    format!(
        r#"<listRel:addressbookList replaceAll="true"><listRel:addressbook>{}{}{}<listRel:addressbookAddress>{}</listRel:addressbookAddress></listRel:addressbook></listRel:addressbookList>"#,
        text("listRel:defaultShipping", "true"),
        text("listRel:defaultBilling", "true"),
        text("listRel:label", "Billing"),
        address_fields.concat()
    )
}

#[cfg(test)]
mod tests;
