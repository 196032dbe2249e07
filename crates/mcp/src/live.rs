//! Looking a record up in the live NetSuite and Salesforce APIs, for records Tandem has never
//! read (a record no flow covers, or one not changed since a flow's watermark).
//!
//! The query decides the searches. Digits are a NetSuite internal ID. A 15- or 18-character
//! Salesforce Id is read from the object its key prefix names. An email is looked up by
//! email. Any other text is searched as part of a name (Salesforce `Name LIKE`, NetSuite
//! `companyName` and `entityId` contain) and as a document number (NetSuite `tranId`). Each
//! search is one request per object, never one per record.

use std::sync::Arc;

use serde_json::{Value, json};
use tandem_engine::queues::fields_json;
use tandem_engine::{ObjectSpec, RecordPort, SourceRecord, System};

/// The maximum number of records one search of one object returns.
const MAX_PER_SEARCH: usize = 10;

/// The two systems' ports, for live look-ups.
#[derive(Clone)]
pub struct LivePorts {
    pub netsuite: Arc<dyn RecordPort>,
    pub salesforce: Arc<dyn RecordPort>,
}

/// A record found in a live API.
#[derive(Debug, Clone)]
pub struct LiveRecord {
    pub system: System,
    pub object: String,
    pub record: SourceRecord,
}

impl LiveRecord {
    /// Renders the record's ID, link and fields as the API returned them.
    pub fn to_json(&self) -> Value {
        json!({
            "object": self.object,
            "modified_at": self.record.modified_at,
            "link": self.record.link,
            "fields": fields_json(&self.record.fields),
        })
    }
}

/// The records a live look-up found, and a message for each search that failed.
#[derive(Debug, Default)]
pub struct LiveResult {
    pub records: Vec<LiveRecord>,
    pub errors: Vec<String>,
}

/// One request of a look-up.
#[derive(Debug, Clone, PartialEq)]
enum Search {
    ById(String),
    Equals(&'static str, String),
    Contains(&'static str, String),
}

/// An object a look-up reads, with the standard fields it returns.
struct Target {
    system: System,
    object: &'static str,
    fields: &'static [&'static str],
}

impl Target {
    fn spec(&self) -> ObjectSpec {
        ObjectSpec {
            name: self.object.to_string(),
            fields: self.fields.iter().map(|field| field.to_string()).collect(),
            // NetSuite's link is the `externalId` attribute every record has. Salesforce's is
            // a custom field that each flow configures, so it is not requested here.
            link_field: match self.system {
                System::NetSuite => "externalId".to_string(),
                System::Salesforce => String::new(),
            },
        }
    }
}

const SF_ACCOUNT: Target = Target {
    system: System::Salesforce,
    object: "Account",
    fields: &["Name", "Phone", "Website"],
};
const SF_CONTACT: Target = Target {
    system: System::Salesforce,
    object: "Contact",
    fields: &["Name", "Email", "AccountId"],
};
const SF_OPPORTUNITY: Target = Target {
    system: System::Salesforce,
    object: "Opportunity",
    fields: &["Name", "StageName", "AccountId"],
};
const NS_CUSTOMER: Target = Target {
    system: System::NetSuite,
    object: "customer",
    fields: &["entityId", "companyName", "email"],
};
const NS_CONTACT: Target = Target {
    system: System::NetSuite,
    object: "contact",
    fields: &["entityId", "email"],
};
const NS_SALES_ORDER: Target = Target {
    system: System::NetSuite,
    object: "salesOrder",
    fields: &["tranId"],
};
const NS_INVOICE: Target = Target {
    system: System::NetSuite,
    object: "invoice",
    fields: &["tranId"],
};

/// Returns the searches a query needs, per object.
fn plan(query: &str) -> Vec<(Target, Search)> {
    let query = query.trim();
    if query.chars().all(|c| c.is_ascii_digit()) {
        let id = || Search::ById(query.to_string());
        return vec![
            (NS_CUSTOMER, id()),
            (NS_CONTACT, id()),
            (NS_SALES_ORDER, id()),
            (NS_INVOICE, id()),
        ];
    }
    if let Some(target) = salesforce_object(query) {
        return vec![(target, Search::ById(query.to_string()))];
    }
    if query.contains('@') {
        let email = || query.to_string();
        return vec![
            (SF_CONTACT, Search::Equals("Email", email())),
            (NS_CUSTOMER, Search::Equals("email", email())),
            (NS_CONTACT, Search::Equals("email", email())),
        ];
    }
    let text = || query.to_string();
    vec![
        (SF_ACCOUNT, Search::Contains("Name", text())),
        (SF_CONTACT, Search::Contains("Name", text())),
        (SF_OPPORTUNITY, Search::Contains("Name", text())),
        (NS_CUSTOMER, Search::Contains("companyName", text())),
        (NS_CUSTOMER, Search::Contains("entityId", text())),
        (NS_CONTACT, Search::Contains("entityId", text())),
        (NS_SALES_ORDER, Search::Equals("tranId", text())),
        (NS_INVOICE, Search::Equals("tranId", text())),
    ]
}

/// Returns the object of a Salesforce Id by its key prefix, for the objects Tandem syncs.
fn salesforce_object(text: &str) -> Option<Target> {
    let is_id = matches!(text.len(), 15 | 18)
        && text.chars().all(|c| c.is_ascii_alphanumeric())
        && text.chars().any(|c| c.is_ascii_digit());
    if !is_id {
        return None;
    }
    match &text[..3] {
        "001" => Some(SF_ACCOUNT),
        "003" => Some(SF_CONTACT),
        "006" => Some(SF_OPPORTUNITY),
        _ => None,
    }
}

/// Looks `query` up in both live APIs. A search that fails (an object the account does not
/// have, a port that cannot search) is reported in `errors` and the others still run.
pub async fn search(ports: &LivePorts, query: &str) -> LiveResult {
    let mut result = LiveResult::default();
    for (target, search) in plan(query) {
        let port = match target.system {
            System::NetSuite => &ports.netsuite,
            System::Salesforce => &ports.salesforce,
        };
        let spec = target.spec();
        let found = match &search {
            Search::ById(id) => port.read(&spec, std::slice::from_ref(id)).await,
            Search::Equals(field, value) => {
                port.find(&spec, field, std::slice::from_ref(value)).await
            }
            Search::Contains(field, text) => {
                port.search_text(&spec, field, text, MAX_PER_SEARCH).await
            }
        };
        match found {
            Ok(records) => {
                for record in records.into_iter().take(MAX_PER_SEARCH) {
                    let known = result.records.iter().any(|live| {
                        live.system == target.system
                            && live.object == target.object
                            && live.record.id == record.id
                    });
                    if !known {
                        result.records.push(LiveRecord {
                            system: target.system,
                            object: target.object.to_string(),
                            record,
                        });
                    }
                }
            }
            Err(error) => {
                tracing::warn!(%error, object = target.object, "live look-up failed");
                result.errors.push(format!(
                    "{} {} look-up failed: {} {}",
                    target.system, target.object, error.code, error.message
                ));
            }
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn objects(query: &str) -> Vec<(&'static str, Search)> {
        plan(query)
            .into_iter()
            .map(|(target, search)| (target.object, search))
            .collect()
    }

    #[test]
    fn digits_read_netsuite_records_by_internal_id() {
        let searches = objects("1042");
        assert_eq!(searches.len(), 4);
        assert!(
            searches
                .iter()
                .all(|(_, search)| *search == Search::ById("1042".into()))
        );
    }

    #[test]
    fn salesforce_id_reads_the_object_of_its_prefix() {
        let searches = objects("006Ho00000AbCdE1");
        assert!(
            !searches
                .iter()
                .any(|(_, search)| matches!(search, Search::ById(_)))
        );
        let searches = objects("006Ho00000AbCdEAA2");
        assert_eq!(
            searches,
            vec![("Opportunity", Search::ById("006Ho00000AbCdEAA2".into()))]
        );
    }

    #[test]
    fn email_is_looked_up_by_email() {
        let searches = objects("ana@example.com");
        assert!(searches.contains(&("Contact", Search::Equals("Email", "ana@example.com".into()))));
        assert!(searches.contains(&(
            "customer",
            Search::Equals("email", "ana@example.com".into())
        )));
    }

    #[test]
    fn name_is_searched_as_part_of_names() {
        let searches = objects("Tailspin");
        assert!(searches.contains(&("Account", Search::Contains("Name", "Tailspin".into()))));
        assert!(searches.contains(&(
            "customer",
            Search::Contains("companyName", "Tailspin".into())
        )));
        assert!(searches.contains(&("salesOrder", Search::Equals("tranId", "Tailspin".into()))));
    }
}
