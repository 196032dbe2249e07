//! The sync status on NetSuite records, in the custom fields a flow names: written with each
//! sync, set to the error Salesforce returned, and never read back as a change.

use tandem_engine::{FieldValue, Fields, ObjectSpec, RecordPort, RecordUpdate};
use tandem_netsuite::NetSuitePort;
use tandem_sandbox::seed::{ONBOARDING_OPPORTUNITY, WON_OPPORTUNITIES};

use crate::common::count;
use crate::support::{Transport, World, flow, literal, start, text};

const STATUS: &str = "custentity_tandem_sync_status";
const ERROR: &str = "custentity_tandem_sync_error";
const ORDER_STATUS: &str = "custbody_tandem_sync_status";

/// A customer field that the sandbox takes longer than the Account's `BillingCity` (40
/// characters).
const CITY: &str = "billingAddress.city";

/// Reads fields of one NetSuite record through the port `tandem run` uses.
async fn netsuite_fields(world: &World, record_type: &str, id: &str, fields: &[&str]) -> Fields {
    let port = NetSuitePort::new(world.netsuite.clone());
    let object = ObjectSpec {
        name: record_type.to_string(),
        fields: fields.iter().map(|field| field.to_string()).collect(),
        link_field: "externalId".to_string(),
    };
    let mut records = port
        .read(&object, &[id.to_string()])
        .await
        .unwrap_or_else(|error| panic!("read {record_type} {id}: {error}"));
    assert_eq!(records.len(), 1, "{record_type} {id} not found");
    records.remove(0).fields
}

/// Sets a customer's billing city through the port.
async fn set_city(world: &World, id: &str, city: &str) {
    let port = NetSuitePort::new(world.netsuite.clone());
    let object = ObjectSpec {
        name: "customer".to_string(),
        fields: vec![CITY.to_string()],
        link_field: "externalId".to_string(),
    };
    let update = RecordUpdate {
        id: id.to_string(),
        fields: Fields::from([(CITY.to_string(), FieldValue::text(city))]),
        link: None,
    };
    let results = port
        .update(&object, vec![update])
        .await
        .expect("update sent");
    assert!(results[0].is_ok(), "{results:?}");
}

fn field_text(fields: &Fields, name: &str) -> Option<String> {
    fields
        .get(name)
        .and_then(FieldValue::as_text)
        .map(str::to_string)
}

async fn two_way_status_follows_salesforce_outcome(transport: Transport) {
    let flows = format!(
        "[flows.account-customer]\nnetsuite_status_field = \"{STATUS}\"\n\
         netsuite_error_field = \"{ERROR}\"\n"
    );
    let world = start(transport, &flows).await;
    world.pass().await;
    let (_, customer) = world.linked_customer("Blue Heron Outfitters").await;
    let id = customer.internal_id.expect("customer ID");
    let fields = netsuite_fields(&world, "customer", &id, &[STATUS, ERROR]).await;
    assert_eq!(field_text(&fields, STATUS).as_deref(), Some("Synced"));
    assert_eq!(field_text(&fields, ERROR), None);
    world.assert_second_pass_writes_nothing().await;

    set_city(&world, &id, &"Springfield ".repeat(4)).await;
    let refused = world.pass().await;
    assert_eq!(count(flow(&refused, "account-customer"), "dead_letters"), 1);
    let fields = netsuite_fields(&world, "customer", &id, &[STATUS, ERROR]).await;
    assert_eq!(field_text(&fields, STATUS).as_deref(), Some("Error"));
    let error = field_text(&fields, ERROR).unwrap_or_default();
    assert!(error.contains("STRING_TOO_LONG"), "{error}");
    world.assert_second_pass_writes_nothing().await;

    set_city(&world, &id, "Springfield").await;
    let fixed = world.pass().await;
    assert_eq!(count(flow(&fixed, "account-customer"), "updated"), 1);
    let fields = netsuite_fields(&world, "customer", &id, &[STATUS, ERROR]).await;
    assert_eq!(field_text(&fields, STATUS).as_deref(), Some("Synced"));
    assert_eq!(field_text(&fields, ERROR), None);
    world.assert_second_pass_writes_nothing().await;
}

async fn two_way_status_is_off_by_default(transport: Transport) {
    let world = start(transport, "[flows.account-customer]\n").await;
    world.pass().await;
    let (_, customer) = world.linked_customer("Blue Heron Outfitters").await;
    let id = customer.internal_id.expect("customer ID");
    let fields = netsuite_fields(&world, "customer", &id, &[STATUS]).await;
    assert_eq!(field_text(&fields, STATUS), None);
}

async fn new_customers_and_orders_get_synced_status(transport: Transport) {
    let flows = format!(
        "[flows.customer-onboarding]\nnetsuite_status_field = \"{STATUS}\"\n\
         [flows.opportunity-to-sales-order]\nnetsuite_status_field = \"{ORDER_STATUS}\"\n\
         netsuite_error_field = \"custbody_tandem_sync_error\"\n"
    );
    let world = start(transport, &flows).await;
    world.pass().await;

    let account = world
        .account("Blue Heron Outfitters", "NetSuite_Internal_ID__c")
        .await;
    let customer = text(&account, "NetSuite_Internal_ID__c").expect("customer created");
    let fields = netsuite_fields(&world, "customer", &customer, &[STATUS]).await;
    assert_eq!(field_text(&fields, STATUS).as_deref(), Some("Synced"));
    for name in WON_OPPORTUNITIES
        .into_iter()
        .chain([ONBOARDING_OPPORTUNITY])
    {
        let soql = format!(
            "SELECT NetSuite_Sales_Order_ID__c FROM Opportunity WHERE Name = {}",
            literal(name)
        );
        let opportunity = world.query_one(&soql).await;
        let order = text(&opportunity, "NetSuite_Sales_Order_ID__c").expect("order written");
        let fields = netsuite_fields(&world, "salesOrder", &order, &[ORDER_STATUS]).await;
        assert_eq!(
            field_text(&fields, ORDER_STATUS).as_deref(),
            Some("Synced"),
            "{name}"
        );
    }
    world.assert_second_pass_writes_nothing().await;
}

async fn check_finds_missing_status_field(transport: Transport) {
    let world = start(
        transport,
        "[flows.contact-contact]\nstatus_field = \"Tandem_Status__c\"\n",
    )
    .await;

    let problems = world.check_problems().await;

    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0]["flow"], "contact-contact");
    assert_eq!(problems[0]["field"], "Tandem_Status__c");
}

on_both_transports!(
    two_way_status_follows_salesforce_outcome,
    two_way_status_is_off_by_default,
    new_customers_and_orders_get_synced_status,
    check_finds_missing_status_field
);
