//! Seed data: the companies a new sandbox starts with.
//!
//! The demo seed (`seed/demo-companies.txt`) is shaped like a real first sync: some companies
//! are already linked on both sides, some exist on both sides under slightly different
//! spellings, some exist on one side only, and one Account has a name too long for a NetSuite
//! customer, so NetSuite refuses it. The large seed (`large:N`) fills NetSuite alone with N
//! customers, items and invoices, for benchmarks.

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Map, Value};

use crate::netsuite::{Customer, MAX_LARGE_SEED, NetSuiteEmulator, RecordError};
use crate::salesforce::{ApiError, SalesforceEmulator};

const DEMO_COMPANIES: &str = include_str!("../seed/demo-companies.txt");

/// The internal ID of the first demo customer; later ones count up from it.
const FIRST_INTERNAL_ID: u32 = 1201;

/// Which records a sandbox starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seed {
    /// Tens of companies in the states a first sync meets.
    Demo,
    /// No records.
    Empty,
    /// N NetSuite customers, N inventory items and N invoices (every fourth one paid), and
    /// no Salesforce records. Written `large:N` on the command line.
    Large(usize),
}

impl std::str::FromStr for Seed {
    type Err = String;

    fn from_str(text: &str) -> Result<Seed, String> {
        if let Some(count) = text.strip_prefix("large:") {
            return match count.parse::<usize>() {
                Ok(count) if (1..=MAX_LARGE_SEED).contains(&count) => Ok(Seed::Large(count)),
                _ => Err(format!(
                    "invalid seed {text:?}; large:N needs N from 1 to {MAX_LARGE_SEED}"
                )),
            };
        }
        match text {
            "demo" => Ok(Seed::Demo),
            "empty" => Ok(Seed::Empty),
            other => Err(format!(
                "unknown seed {other:?}; expected demo, empty or large:N"
            )),
        }
    }
}

/// The reason a seed could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("the Salesforce emulator refused a seed record: {0}")]
    Salesforce(ApiError),
    #[error("the NetSuite emulator refused a seed record: {0}")]
    NetSuite(RecordError),
}

/// Where a demo company exists and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Presence {
    /// On both sides, each record carrying the other's ID.
    Linked,
    /// On both sides under the two names given, not linked yet.
    Unlinked,
    SalesforceOnly,
    NetSuiteOnly,
}

/// One demo company, with its Salesforce and NetSuite spellings.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Company {
    presence: Presence,
    sf_name: String,
    ns_name: String,
    phone: String,
    website: String,
    email: String,
    hours_ago: i64,
}

/// Parses the demo company list: one company per line, fields separated by `|`, `#` comments.
fn demo_companies() -> Vec<Company> {
    DEMO_COMPANIES
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|line| parse_company(line).unwrap_or_else(|error| panic!("{error}: {line}")))
        .collect()
}

fn parse_company(line: &str) -> Result<Company, String> {
    let parts: Vec<&str> = line.split('|').collect();
    let [presence, sf_name, ns_name, phone, website, email, hours_ago] = parts[..] else {
        return Err(format!("expected 7 fields, found {}", parts.len()));
    };
    let presence = match presence {
        "linked" => Presence::Linked,
        "unlinked" => Presence::Unlinked,
        "salesforce-only" => Presence::SalesforceOnly,
        "netsuite-only" => Presence::NetSuiteOnly,
        other => return Err(format!("unknown presence {other:?}")),
    };
    let hours_ago = hours_ago
        .parse()
        .map_err(|_| format!("invalid hour count {hours_ago:?}"))?;
    Ok(Company {
        presence,
        sf_name: sf_name.to_string(),
        ns_name: ns_name.to_string(),
        phone: phone.to_string(),
        website: website.to_string(),
        email: email.to_string(),
        hours_ago,
    })
}

/// Loads a seed into both emulators. `now` anchors the records' modification times, which lie
/// hours to weeks in the past.
pub fn load(
    seed: Seed,
    netsuite: &NetSuiteEmulator,
    salesforce: &SalesforceEmulator,
    now: DateTime<Utc>,
) -> Result<(), SeedError> {
    match seed {
        Seed::Empty => Ok(()),
        Seed::Demo => load_demo(netsuite, salesforce, now).map_err(SeedError::Salesforce),
        Seed::Large(count) => netsuite
            .load_large_seed(count, now)
            .map(|_| ())
            .map_err(SeedError::NetSuite),
    }
}

fn load_demo(
    netsuite: &NetSuiteEmulator,
    salesforce: &SalesforceEmulator,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    for (company, internal_id) in demo_companies().iter().zip(FIRST_INTERNAL_ID..) {
        let modified = now - TimeDelta::hours(company.hours_ago);
        let internal_id = internal_id.to_string();
        match company.presence {
            Presence::Linked => {
                let sf_id = insert_account(salesforce, company, Some(&internal_id), modified)?;
                insert_customer(netsuite, company, &internal_id, Some(sf_id), modified);
            }
            Presence::Unlinked => {
                insert_account(salesforce, company, None, modified)?;
                insert_customer(netsuite, company, &internal_id, None, modified);
            }
            Presence::SalesforceOnly => {
                insert_account(salesforce, company, None, modified)?;
            }
            Presence::NetSuiteOnly => {
                insert_customer(netsuite, company, &internal_id, None, modified);
            }
        }
    }
    Ok(())
}

fn insert_account(
    salesforce: &SalesforceEmulator,
    company: &Company,
    netsuite_id: Option<&str>,
    modified: DateTime<Utc>,
) -> Result<String, ApiError> {
    let mut fields = Map::new();
    fields.insert("Name".into(), Value::from(company.sf_name.as_str()));
    fields.insert("Type".into(), Value::from("Customer"));
    for (name, value) in [("Phone", &company.phone), ("Website", &company.website)] {
        if !value.is_empty() {
            fields.insert(name.into(), Value::from(value.as_str()));
        }
    }
    if let Some(netsuite_id) = netsuite_id {
        fields.insert("NetSuite_Internal_ID__c".into(), Value::from(netsuite_id));
    }
    salesforce.insert_record("Account", fields, modified)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_list_parses_with_every_presence() {
        let companies = demo_companies();
        let count = |presence| companies.iter().filter(|c| c.presence == presence).count();
        assert!(companies.len() >= 30, "{} companies", companies.len());
        assert!(count(Presence::Linked) > 0);
        assert!(count(Presence::Unlinked) > 0);
        assert!(count(Presence::SalesforceOnly) > 0);
        assert!(count(Presence::NetSuiteOnly) > 0);
    }

    #[test]
    fn demo_list_has_one_name_too_long_for_netsuite() {
        let too_long = demo_companies()
            .iter()
            .filter(|c| c.sf_name.chars().count() > 83)
            .count();
        assert_eq!(too_long, 1);
    }

    #[test]
    fn line_with_missing_field_is_rejected() {
        assert!(parse_company("linked|A|A|1|w|e").is_err());
    }

    #[test]
    fn unknown_seed_name_is_rejected() {
        assert!("large".parse::<Seed>().is_err());
        assert!("huge".parse::<Seed>().is_err());
    }

    #[test]
    fn large_seed_parses_with_count() {
        assert_eq!("large:500".parse::<Seed>(), Ok(Seed::Large(500)));
        assert!("large:0".parse::<Seed>().is_err());
        assert!("large:x".parse::<Seed>().is_err());
        assert!(
            format!("large:{}", MAX_LARGE_SEED + 1)
                .parse::<Seed>()
                .is_err()
        );
    }
}
