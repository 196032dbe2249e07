//! The demo contacts: NetSuite contacts and Salesforce Contacts under linked companies,
//! some with a counterpart of the same email, one linked both ways, some on one side only.

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Map, Value};

use super::SeedError;
use super::companies::Companies;
use super::data::rows;
use super::xml::{NAMESPACES, escape, record_ref, text};
use crate::netsuite::NetSuiteEmulator;
use crate::salesforce::SalesforceEmulator;

const DEMO_CONTACTS: &str = include_str!("../../seed/demo-contacts.txt");

/// The sides a demo contact exists on, and whether it is linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ContactPresence {
    /// On both sides with the same email, not linked.
    EmailMatch,
    /// On both sides, each record carrying the other's ID.
    Linked,
    NetSuiteOnly,
    SalesforceOnly,
}

/// One demo contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Contact {
    pub presence: ContactPresence,
    /// The company, spelled the same on both sides.
    pub company: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub title: String,
}

/// Parses the demo contact list.
pub(super) fn demo_contacts() -> Result<Vec<Contact>, String> {
    rows::<7>(DEMO_CONTACTS)?
        .into_iter()
        .map(parse_contact)
        .collect()
}

fn parse_contact(fields: [&str; 7]) -> Result<Contact, String> {
    let [presence, company, first, last, email, phone, title] = fields;
    let presence = match presence {
        "email-match" => ContactPresence::EmailMatch,
        "linked" => ContactPresence::Linked,
        "netsuite-only" => ContactPresence::NetSuiteOnly,
        "salesforce-only" => ContactPresence::SalesforceOnly,
        other => return Err(format!("unknown contact presence {other:?}")),
    };
    Ok(Contact {
        presence,
        company: company.to_string(),
        first_name: first.to_string(),
        last_name: last.to_string(),
        email: email.to_string(),
        phone: phone.to_string(),
        title: title.to_string(),
    })
}

/// Adds the demo contacts under the companies already loaded.
pub(super) fn load(
    netsuite: &NetSuiteEmulator,
    salesforce: &SalesforceEmulator,
    companies: &Companies,
    now: DateTime<Utc>,
) -> Result<(), SeedError> {
    for (index, contact) in demo_contacts().map_err(SeedError::Data)?.iter().enumerate() {
        let at = now - TimeDelta::hours(72 - 4 * index as i64);
        let missing = || SeedError::Data(format!("no linked company {:?}", contact.company));
        let customer = companies
            .customers
            .get(&contact.company)
            .ok_or_else(missing)?;
        let account = companies
            .accounts
            .get(&contact.company)
            .ok_or_else(missing)?;
        match contact.presence {
            ContactPresence::EmailMatch => {
                add_netsuite_contact(netsuite, contact, customer, at)?;
                insert_salesforce_contact(salesforce, contact, account, None, at)?;
            }
            ContactPresence::Linked => {
                let ns_id = add_netsuite_contact(netsuite, contact, customer, at)?;
                let sf_id =
                    insert_salesforce_contact(salesforce, contact, account, Some(&ns_id), at)?;
                let link = format!(
                    r#"<record {NAMESPACES} xsi:type="listRel:Contact" internalId="{ns_id}" externalId="{}"/>"#,
                    escape(&sf_id)
                );
                netsuite
                    .update_record(&link, at)
                    .map_err(SeedError::netsuite(&contact.email))?;
            }
            ContactPresence::NetSuiteOnly => {
                add_netsuite_contact(netsuite, contact, customer, at)?;
            }
            ContactPresence::SalesforceOnly => {
                insert_salesforce_contact(salesforce, contact, account, None, at)?;
            }
        }
    }
    Ok(())
}

fn add_netsuite_contact(
    netsuite: &NetSuiteEmulator,
    contact: &Contact,
    customer: &str,
    at: DateTime<Utc>,
) -> Result<String, SeedError> {
    let xml = format!(
        r#"<record {NAMESPACES} xsi:type="listRel:Contact">{}{}{}{}{}{}</record>"#,
        record_ref("listRel:company", customer),
        text("listRel:firstName", &contact.first_name),
        text("listRel:lastName", &contact.last_name),
        text("listRel:title", &contact.title),
        text("listRel:email", &contact.email),
        text("listRel:phone", &contact.phone),
    );
    netsuite
        .add_record(&xml, at)
        .map_err(SeedError::netsuite(&contact.email))
}

fn insert_salesforce_contact(
    salesforce: &SalesforceEmulator,
    contact: &Contact,
    account: &str,
    netsuite_id: Option<&str>,
    at: DateTime<Utc>,
) -> Result<String, SeedError> {
    let mut fields = Map::new();
    for (name, value) in [
        ("AccountId", account),
        ("FirstName", &contact.first_name),
        ("LastName", &contact.last_name),
        ("Email", &contact.email),
        ("Phone", &contact.phone),
        ("Title", &contact.title),
    ] {
        fields.insert(name.into(), Value::from(value));
    }
    if let Some(netsuite_id) = netsuite_id {
        fields.insert("NetSuite_Internal_ID__c".into(), Value::from(netsuite_id));
    }
    salesforce
        .insert_record("Contact", fields, at)
        .map_err(SeedError::salesforce(&contact.email))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_contacts_cover_every_presence() {
        let contacts = demo_contacts().unwrap();
        let count = |presence| contacts.iter().filter(|c| c.presence == presence).count();
        assert!(count(ContactPresence::EmailMatch) >= 2);
        assert_eq!(count(ContactPresence::Linked), 1);
        assert!(count(ContactPresence::NetSuiteOnly) >= 1);
        assert!(count(ContactPresence::SalesforceOnly) >= 1);
    }

    #[test]
    fn demo_contact_emails_are_unique() {
        let contacts = demo_contacts().unwrap();
        let emails: std::collections::BTreeSet<&str> =
            contacts.iter().map(|c| c.email.as_str()).collect();
        assert_eq!(emails.len(), contacts.len());
    }

    #[test]
    fn unknown_contact_presence_is_rejected() {
        let fields = ["both", "A", "B", "C", "d@e.example", "1", "T"];
        assert!(parse_contact(fields).is_err());
    }
}
