//! `contact-contact`: contacts with the same email are linked, and a contact on one side only
//! is created on the other under the linked company.

use serde_json::{Map, Value};
use tandem_netsuite::records::typed::Contact;

use crate::support::{Transport, World, literal, start, text};

const FIELDS: &str = "Id, AccountId, NetSuite_Internal_ID__c";

/// Returns the Salesforce Contact with `email` and the NetSuite contact its link names,
/// checking that the NetSuite contact names the Contact back.
async fn linked_contact(world: &World, email: &str) -> (Map<String, Value>, Contact) {
    let soql = format!(
        "SELECT {FIELDS} FROM Contact WHERE Email = {}",
        literal(email)
    );
    let contact = world.query_one(&soql).await;
    let ns_id = text(&contact, "NetSuite_Internal_ID__c")
        .unwrap_or_else(|| panic!("Contact {email} is not linked: {contact:?}"));
    let ns_contact = world.get::<Contact>(&ns_id).await;
    assert_eq!(ns_contact.external_id, text(&contact, "Id"), "{email}");
    assert_eq!(ns_contact.email.as_deref(), Some(email));
    (contact, ns_contact)
}

/// Returns the Salesforce Id and NetSuite internal ID of the Account named `name`.
async fn company(world: &World, name: &str) -> (Option<String>, Option<String>) {
    let account = world.account(name, "NetSuite_Internal_ID__c").await;
    (
        text(&account, "Id"),
        text(&account, "NetSuite_Internal_ID__c"),
    )
}

async fn links_by_email_and_creates_missing(transport: Transport) {
    let world = start(transport, "[flows.contact-contact]\n").await;

    world.pass().await;

    // The same email on both sides, not linked before the first pass.
    let (contact, ns_contact) = linked_contact(&world, "nancy.davolio@northwind.example").await;
    let (account_id, customer_id) = company(&world, "Northwind Traders").await;
    assert_eq!(text(&contact, "AccountId"), account_id);
    assert_eq!(ns_contact.company.and_then(|c| c.internal_id), customer_id);

    // Salesforce only: created in NetSuite under the linked customer.
    let (_, ns_contact) = linked_contact(&world, "kim.abercrombie@adventure-works.example").await;
    let (_, customer_id) = company(&world, "Adventure Works Cycles").await;
    assert!(customer_id.is_some());
    assert_eq!(ns_contact.company.and_then(|c| c.internal_id), customer_id);

    // NetSuite only: created in Salesforce under the linked Account.
    let (contact, _) = linked_contact(&world, "luis.bonifaz@tailspin.example").await;
    let (account_id, _) = company(&world, "Tailspin Toys").await;
    assert_eq!(text(&contact, "AccountId"), account_id);

    world.assert_second_pass_writes_nothing().await;
}

on_both_transports!(links_by_email_and_creates_missing);
