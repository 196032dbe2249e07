//! `opportunity-to-sales-order`: won Opportunities become sales orders with their lines, the
//! order's ID and number go back to the Opportunity, and an edit after billing is refused once.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use tandem_netsuite::records::typed::{Invoice, SalesOrder};
use tandem_netsuite::{RecordRef, SearchPreferences, SearchRecord, TypedRecord};
use tandem_salesforce::FieldChanges;
use tandem_sandbox::seed::{
    CREDIT_HOLD_OPPORTUNITY, ONBOARDING_OPPORTUNITY, OPEN_OPPORTUNITY, WON_OPPORTUNITIES,
};

use crate::common::count;
use crate::support::{Transport, World, flow, literal, number, start, text};

const FLOW: &str = "opportunity-to-sales-order";

const FIELDS: &str = "Id, AccountId, NetSuite_Sales_Order_ID__c, NetSuite_Sales_Order_Number__c, \
                      NetSuite_Sync_Status__c, NetSuite_Sync_Error__c";

async fn opportunity(world: &World, name: &str) -> Map<String, Value> {
    let soql = format!(
        "SELECT {FIELDS} FROM Opportunity WHERE Name = {}",
        literal(name)
    );
    world.query_one(&soql).await
}

/// Returns an Opportunity's lines as NetSuite item internal ID to quantity, through the
/// products' `NetSuite_Internal_ID__c`.
async fn opportunity_lines(world: &World, opportunity_id: &str) -> BTreeMap<String, f64> {
    let products: BTreeMap<String, String> = world
        .query("SELECT Id, NetSuite_Internal_ID__c FROM Product2")
        .await
        .iter()
        .filter_map(|p| Some((text(p, "Id")?, text(p, "NetSuite_Internal_ID__c")?)))
        .collect();
    let soql = format!(
        "SELECT Id, Product2Id, Quantity FROM OpportunityLineItem \
         WHERE OpportunityId = '{opportunity_id}'"
    );
    world
        .query(&soql)
        .await
        .iter()
        .map(|line| {
            let product = text(line, "Product2Id").expect("Product2Id");
            (
                products[&product].clone(),
                number(line, "Quantity").expect("Quantity"),
            )
        })
        .collect()
}

/// Returns a sales order's lines as item internal ID to quantity.
fn order_lines(order: &SalesOrder) -> BTreeMap<String, f64> {
    let lines = order
        .items
        .as_ref()
        .map(|l| l.lines.as_slice())
        .unwrap_or_default();
    lines
        .iter()
        .map(|line| {
            let item = line.item.as_ref().and_then(|i| i.internal_id.clone());
            (
                item.expect("line item"),
                line.quantity.expect("line quantity"),
            )
        })
        .collect()
}

/// Checks that a won Opportunity has exactly its order, and returns the order.
async fn assert_order_of(world: &World, name: &str) -> SalesOrder {
    let opportunity = opportunity(world, name).await;
    let order_id = text(&opportunity, "NetSuite_Sales_Order_ID__c")
        .unwrap_or_else(|| panic!("{name} has no order: {opportunity:?}"));
    let order = world.get::<SalesOrder>(&order_id).await;
    let opportunity_id = text(&opportunity, "Id").expect("Id");
    assert_eq!(
        order.external_id.as_deref(),
        Some(opportunity_id.as_str()),
        "{name}"
    );
    let by_external = world
        .netsuite
        .get(&RecordRef::external("salesOrder", &opportunity_id))
        .await
        .expect("order by external ID");
    assert_eq!(
        by_external.internal_id.as_deref(),
        Some(order_id.as_str()),
        "{name}"
    );
    assert_eq!(
        order.tran_id,
        text(&opportunity, "NetSuite_Sales_Order_Number__c"),
        "{name}"
    );
    assert_eq!(
        text(&opportunity, "NetSuite_Sync_Status__c").as_deref(),
        Some("Synced")
    );
    let expected = opportunity_lines(world, &opportunity_id).await;
    assert_eq!(order_lines(&order), expected, "{name}");
    order
}

async fn won_opportunities_become_orders(transport: Transport) {
    let world = start(transport, "[flows.opportunity-to-sales-order]\n").await;

    let report = world.pass().await;

    for name in WON_OPPORTUNITIES {
        assert_order_of(&world, name).await;
    }
    let orders = world
        .netsuite
        .search_all(
            &SearchRecord::new("salesOrder"),
            &SearchPreferences::default(),
        )
        .await
        .expect("sales order search");
    assert_eq!(
        orders.len(),
        WON_OPPORTUNITIES.len() + 1,
        "one order per won Opportunity"
    );
    let open = opportunity(&world, OPEN_OPPORTUNITY).await;
    assert_eq!(text(&open, "NetSuite_Sales_Order_ID__c"), None);
    assert_eq!(text(&open, "NetSuite_Sync_Status__c"), None);
    let credit_hold = opportunity(&world, CREDIT_HOLD_OPPORTUNITY).await;
    assert_eq!(text(&credit_hold, "NetSuite_Sales_Order_ID__c"), None);
    assert_eq!(
        text(&credit_hold, "NetSuite_Sync_Status__c").as_deref(),
        Some("Error")
    );
    let orders = flow(&report, FLOW);
    assert_eq!(count(orders, "dead_letters"), 1, "{orders}");

    let order = assert_order_of(&world, ONBOARDING_OPPORTUNITY).await;
    let onboarded = opportunity(&world, ONBOARDING_OPPORTUNITY).await;
    let account_id = text(&onboarded, "AccountId").expect("AccountId");
    let soql = format!("SELECT Id, NetSuite_Internal_ID__c FROM Account WHERE Id = '{account_id}'");
    let account = world.query_one(&soql).await;
    let customer = order.entity.and_then(|entity| entity.internal_id);
    assert!(customer.is_some());
    assert_eq!(text(&account, "NetSuite_Internal_ID__c"), customer);

    world.assert_second_pass_writes_nothing().await;
}

/// Sets the quantity of the first line of the Opportunity named `name`.
async fn set_first_quantity(world: &World, name: &str, quantity: f64) {
    let opportunity_id = text(&opportunity(world, name).await, "Id").expect("Id");
    let soql = format!(
        "SELECT Id FROM OpportunityLineItem WHERE OpportunityId = '{opportunity_id}' \
         ORDER BY Id LIMIT 1"
    );
    let line = world.query_one(&soql).await;
    let mut changes = FieldChanges::new();
    changes.set("Quantity", quantity);
    world
        .update(
            "OpportunityLineItem",
            &text(&line, "Id").expect("Id"),
            &changes,
        )
        .await;
}

/// Approves an order and bills it in full with an invoice created from it.
async fn bill(world: &World, order_id: &str) {
    let zone = world.netsuite.config().user_time_zone;
    let approval = SalesOrder {
        internal_id: Some(order_id.to_string()),
        order_status: Some("_pendingFulfillment".to_string()),
        ..SalesOrder::default()
    };
    world
        .netsuite
        .update(&approval.to_record(zone))
        .await
        .expect("order approved");
    let invoice = Invoice {
        created_from: Some(RecordRef::id(order_id)),
        ..Invoice::default()
    };
    world
        .netsuite
        .add(&invoice.to_record(zone))
        .await
        .expect("invoice created from the order");
}

async fn edit_updates_order_until_billed(transport: Transport) {
    let world = start(transport, "[flows.opportunity-to-sales-order]\n").await;
    world.pass().await;
    let name = WON_OPPORTUNITIES[0];

    set_first_quantity(&world, name, 7.0).await;
    let report = world.pass().await;

    let orders = flow(&report, FLOW);
    assert_eq!(count(orders, "updated"), 1, "{orders}");
    let order = assert_order_of(&world, name).await;
    assert!(
        order_lines(&order)
            .values()
            .any(|quantity| *quantity == 7.0)
    );

    bill(&world, order.internal_id.as_deref().expect("order ID")).await;
    set_first_quantity(&world, name, 8.0).await;
    let report = world.pass().await;

    let orders = flow(&report, FLOW);
    assert_eq!(count(orders, "dead_letters"), 1, "{orders}");
    let refused = opportunity(&world, name).await;
    assert_eq!(
        text(&refused, "NetSuite_Sync_Status__c").as_deref(),
        Some("Refused")
    );
    assert!(text(&refused, "NetSuite_Sync_Error__c").is_some_and(|e| e.contains("billed")));
    let billed = world
        .get::<SalesOrder>(&order.internal_id.expect("order ID"))
        .await;
    assert!(
        order_lines(&billed)
            .values()
            .all(|quantity| *quantity != 8.0)
    );

    let report = world.assert_second_pass_writes_nothing().await;
    let orders = flow(&report, FLOW);
    assert_eq!(count(orders, "dead_letters"), 0, "{orders}");
}

on_both_transports!(
    won_opportunities_become_orders,
    edit_updates_order_until_billed
);
