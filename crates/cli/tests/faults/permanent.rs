//! A record that the target refuses for good becomes a dead letter with the remote code and
//! message while the other records are written, and a later pass that writes it resolves the
//! letter. Salesforce refuses through a validation rule, NetSuite through its own rules (a
//! company name over 83 characters, a customer on credit hold). A refused record is tried
//! again once one of its mapped source fields changes, so each test fixes the cause and then
//! changes such a field.

use serde_json::{Value, json};
use tandem_netsuite::TypedRecord;
use tandem_netsuite::records::typed::Invoice;
use tandem_sandbox::salesforce::ValidationRule;
use tandem_sandbox::seed::{CREDIT_HOLD_CUSTOMER_ID, CREDIT_HOLD_OPPORTUNITY};

use crate::common::count;
use crate::support::{Transport, World, flow, literal, only, start, text};
use crate::transient::linked_world;

/// The message of the validation rules the tests add.
const RULE_MESSAGE: &str = "Records like this one are blocked by a test rule";

/// The error code of a Salesforce validation rule.
const VALIDATION_CODE: &str = "FIELD_CUSTOM_VALIDATION_EXCEPTION";

/// NetSuite's refusal of a `companyName` over 83 characters: its code and the start of its
/// message.
const TOO_LONG: (&str, &str) = ("USER_ERROR", "The field companyname contained more than");

/// A company name longer than the 83 characters NetSuite allows in `companyName`.
const LONG_NAME: &str =
    "Northwest Agricultural Equipment Distributors and Field Service Providers Cooperative";

/// Makes Salesforce reject every save of `object` whose `field` equals `value`.
fn reject_with_rule(world: &World, object: &str, field: &str, value: &str) {
    world
        .sandbox
        .salesforce()
        .add_validation_rule(ValidationRule {
            object: object.to_string(),
            field: field.to_string(),
            equals: Value::from(value),
            message: RULE_MESSAGE.to_string(),
        });
}

/// Runs a pass and checks that `flow_name` wrote records and left one open dead letter for
/// the source record `source_id`, whose error has `code` and a message containing `message`.
/// Returns the letter. The demo seed has refusals of its own, which are left alone.
async fn assert_one_rejection(
    world: &World,
    flow_name: &str,
    source_id: &str,
    code: &str,
    message: &str,
) -> Value {
    let report = world.pass().await;

    let flow_report = flow(&report, flow_name);
    assert!(count(flow_report, "dead_letters") >= 1, "{flow_report}");
    assert!(count(flow_report, "written") > 0, "{flow_report}");
    let letters = world.dead_letters(flow_name).await;
    let mine: Vec<&Value> = letters
        .iter()
        .filter(|letter| letter["source_id"] == source_id)
        .collect();
    assert_eq!(mine.len(), 1, "{letters:?}");
    let letter = mine[0].clone();
    assert_eq!(letter["status"], "open", "{letter}");
    assert_eq!(letter["error"]["code"], code, "{letter}");
    let text = letter["error"]["message"].as_str().unwrap_or_default();
    assert!(text.contains(message), "{letter}");
    letter
}

/// Runs a pass after the cause of `letter` is fixed and its record changed again, and checks
/// that the pass wrote and resolved the letter, and that the pass after it writes nothing.
async fn assert_resolved(world: &World, flow_name: &str, letter: &Value) {
    let report = world.pass().await;

    let flow_report = flow(&report, flow_name);
    assert!(count(flow_report, "written") >= 1, "{flow_report}");
    let letters = world.dead_letters(flow_name).await;
    let resolved = letters
        .iter()
        .find(|l| l["id"] == letter["id"])
        .unwrap_or_else(|| panic!("letter {} missing: {letters:?}", letter["id"]));
    assert_eq!(resolved["status"], "resolved", "{resolved}");
    world.assert_second_pass_writes_nothing().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_customer_letter_resolves() {
    let world = start(Transport::Soap, "").await;
    let account = world.insert_salesforce("Account", json!({"Name": LONG_NAME}));

    let (code, message) = TOO_LONG;
    let letter = assert_one_rejection(&world, "account-customer", &account, code, message).await;

    world.edit_salesforce(
        "Account",
        &account,
        json!({"Name": "Northwest Agricultural"}),
    );
    assert_resolved(&world, "account-customer", &letter).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_onboarding_letter_resolves() {
    let flow_name = "customer-onboarding";
    let world = start(Transport::Soap, &only(flow_name)).await;
    let account =
        world.insert_salesforce("Account", json!({"Name": LONG_NAME, "Type": "Customer"}));

    let (code, message) = TOO_LONG;
    let letter = assert_one_rejection(&world, flow_name, &account, code, message).await;

    world.edit_salesforce(
        "Account",
        &account,
        json!({"Name": "Northwest Agricultural"}),
    );
    assert_resolved(&world, flow_name, &letter).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contact_contact_letter_resolves() {
    let flow_name = "contact-contact";
    let world = linked_world(flow_name).await;
    let fields = format!(
        r#"<listRel:company internalId="{CREDIT_HOLD_CUSTOMER_ID}"/>
           <listRel:firstName>Robin</listRel:firstName>
           <listRel:lastName>Refused</listRel:lastName>
           <listRel:email>robin.refused@contacts.example</listRel:email>"#
    );
    let contact = world.add_netsuite("listRel:Contact", &fields);
    reject_with_rule(&world, "Contact", "LastName", "Refused");

    let letter =
        assert_one_rejection(&world, flow_name, &contact, VALIDATION_CODE, RULE_MESSAGE).await;

    world.sandbox.salesforce().clear_validation_rules();
    let title = "<listRel:title>Buyer</listRel:title>";
    world.update_netsuite("listRel:Contact", &contact, title);
    assert_resolved(&world, flow_name, &letter).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn item_to_price_book_letter_resolves() {
    let flow_name = "item-to-price-book";
    let world = linked_world(flow_name).await;
    let fields = "<listAcct:itemId>REFUSED-ITEM</listAcct:itemId>\
                  <listAcct:displayName>Refused item</listAcct:displayName>";
    let item = world.add_netsuite("listAcct:InventoryItem", fields);
    reject_with_rule(&world, "Product2", "ProductCode", "REFUSED-ITEM");

    let letter =
        assert_one_rejection(&world, flow_name, &item, VALIDATION_CODE, RULE_MESSAGE).await;

    world.sandbox.salesforce().clear_validation_rules();
    let description = "<listAcct:salesDescription>Sold again</listAcct:salesDescription>";
    world.update_netsuite("listAcct:InventoryItem", &item, description);
    assert_resolved(&world, flow_name, &letter).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invoice_to_salesforce_letter_resolves() {
    let flow_name = "invoice-to-salesforce";
    let world = linked_world(flow_name).await;
    let invoices = world.search_netsuite("invoice").await;
    let zone = world.netsuite.config().user_time_zone;
    let invoice = Invoice::from_record(&invoices[0], zone).expect("typed invoice");
    let id = invoice.internal_id.expect("internal ID");
    reject_with_rule(
        &world,
        "NetSuite_Invoice__c",
        "Name",
        &invoice.tran_id.expect("tranId"),
    );

    let letter = assert_one_rejection(&world, flow_name, &id, VALIDATION_CODE, RULE_MESSAGE).await;

    world.sandbox.salesforce().clear_validation_rules();
    let due = (chrono::Utc::now() + chrono::TimeDelta::days(45)).date_naive();
    let due = format!("<tranSales:dueDate>{due}T00:00:00.000-08:00</tranSales:dueDate>");
    world.update_netsuite("tranSales:Invoice", &id, &due);
    assert_resolved(&world, flow_name, &letter).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credit_hold_alert_letter_resolves() {
    let flow_name = "credit-hold-alert";
    let world = linked_world(flow_name).await;
    let soql = format!(
        "SELECT Id FROM Account WHERE NetSuite_Internal_ID__c = {}",
        literal(CREDIT_HOLD_CUSTOMER_ID)
    );
    let account = text(&world.query_one(&soql).await, "Id").expect("Id");
    reject_with_rule(&world, "Task", "WhatId", &account);

    let customer = CREDIT_HOLD_CUSTOMER_ID;
    let letter =
        assert_one_rejection(&world, flow_name, customer, VALIDATION_CODE, RULE_MESSAGE).await;

    world.sandbox.salesforce().clear_validation_rules();
    let limit = "<listRel:creditLimit>1000</listRel:creditLimit>";
    world.update_netsuite("listRel:Customer", customer, limit);
    assert_resolved(&world, flow_name, &letter).await;
    let tasks = world
        .query(&format!("SELECT Id FROM Task WHERE WhatId = '{account}'"))
        .await;
    assert_eq!(tasks.len(), 1, "{tasks:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opportunity_to_sales_order_letter_resolves() {
    let flow_name = "opportunity-to-sales-order";
    let world = linked_world(flow_name).await;
    let soql = format!(
        "SELECT Id FROM Opportunity WHERE Name = {}",
        literal(CREDIT_HOLD_OPPORTUNITY)
    );
    let opportunity = text(&world.query_one(&soql).await, "Id").expect("Id");

    let code = "BALANCE_EXCEEDS_CREDIT_LIMIT";
    let letter = assert_one_rejection(&world, flow_name, &opportunity, code, "").await;

    let release = "<listRel:creditHoldOverride>_off</listRel:creditHoldOverride>";
    world.update_netsuite("listRel:Customer", CREDIT_HOLD_CUSTOMER_ID, release);
    let name = format!("{CREDIT_HOLD_OPPORTUNITY} (hold released)");
    world.edit_salesforce("Opportunity", &opportunity, json!({"Name": name}));
    assert_resolved(&world, flow_name, &letter).await;
    let soql =
        format!("SELECT NetSuite_Sales_Order_ID__c FROM Opportunity WHERE Id = '{opportunity}'");
    let order = world.query_one(&soql).await;
    assert!(text(&order, "NetSuite_Sales_Order_ID__c").is_some());
}
