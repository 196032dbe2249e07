//! Source records for the crash tests that the large seed does not hold, added through the
//! emulators' own record methods, as data loading would add them.

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::Value;
use tandem_sandbox::Sandbox;

use crate::support::World;

/// The NetSuite namespaces the added records declare.
const NAMESPACES: &str = concat!(
    r#"xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" "#,
    r#"xmlns:listRel="urn:relationships_2025_2.lists.webservices.netsuite.com""#
);

/// Returns a time an hour ago, before any pass of a test starts.
pub fn an_hour_ago() -> DateTime<Utc> {
    Utc::now() - TimeDelta::hours(1)
}

/// Inserts one Salesforce record with the fields of the JSON object `fields` and returns its
/// Id.
pub fn insert(sandbox: &Sandbox, object: &str, fields: Value) -> String {
    let Value::Object(fields) = fields else {
        panic!("the fields of a {object} must be a JSON object: {fields}");
    };
    sandbox
        .salesforce()
        .insert_record(object, fields, an_hour_ago())
        .unwrap_or_else(|error| panic!("{object} inserted: {error:?}"))
}

/// Returns the Id of the standard price book.
pub fn standard_pricebook(sandbox: &Sandbox) -> String {
    let books = sandbox.salesforce().records("Pricebook2");
    let standard = books.iter().find(|book| book["IsStandard"] == true);
    let id = standard.and_then(|book| book["Id"].as_str());
    id.expect("a standard price book").to_string()
}

/// Puts every second NetSuite customer on credit hold (`creditHoldOverride` `_on`) and returns
/// their internal IDs.
pub fn hold_every_second_customer(world: &World) -> Vec<String> {
    let netsuite = world.sandbox.netsuite();
    let held: Vec<String> = netsuite
        .customers()
        .iter()
        .step_by(2)
        .map(|customer| customer.internal_id.clone())
        .collect();
    for id in &held {
        let xml = format!(
            r#"<record {NAMESPACES} xsi:type="listRel:Customer" internalId="{id}">
               <listRel:creditHoldOverride>_on</listRel:creditHoldOverride></record>"#
        );
        netsuite
            .update_record(&xml, an_hour_ago())
            .unwrap_or_else(|error| panic!("customer {id} put on hold: {error:?}"));
    }
    held
}

/// Adds `per_customer` NetSuite contacts to every customer and returns their internal IDs.
pub fn add_contacts(world: &World, per_customer: usize) -> Vec<String> {
    let netsuite = world.sandbox.netsuite();
    let mut ids = Vec::new();
    for customer in netsuite.customers() {
        let company = &customer.internal_id;
        for n in 0..per_customer {
            let xml = format!(
                r#"<record {NAMESPACES} xsi:type="listRel:Contact">
                   <listRel:company internalId="{company}"/>
                   <listRel:firstName>Pat {n}</listRel:firstName>
                   <listRel:lastName>Buyer {company}</listRel:lastName>
                   <listRel:email>pat{n}.{company}@contacts.example</listRel:email>
                   </record>"#
            );
            let id = netsuite
                .add_record(&xml, an_hour_ago())
                .unwrap_or_else(|error| panic!("contact of {company} added: {error:?}"));
            ids.push(id);
        }
    }
    ids
}
