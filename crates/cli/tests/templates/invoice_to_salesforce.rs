//! `invoice-to-salesforce`: one `NetSuite_Invoice__c` per invoice with its amounts, status
//! and currency, following a payment applied in NetSuite.

use serde_json::{Map, Value};
use tandem_netsuite::records::typed::{CustomerPayment, Invoice, Lines, PaymentApply};
use tandem_netsuite::{SearchPreferences, SearchRecord, TypedRecord};
use tandem_sandbox::seed::EUR_CUSTOMER_ID;

use crate::common::count;
use crate::support::{Transport, World, flow, number, same_amount, start, text};

const FIELDS: &str = "Id, Name, Account__c, Amount__c, Amount_Remaining__c, Status__c, \
                      CurrencyIsoCode, NetSuite_Internal_ID__c";

/// Reads every NetSuite invoice through the client.
async fn invoices(world: &World) -> Vec<Invoice> {
    let records = world
        .netsuite
        .search_all(&SearchRecord::new("invoice"), &SearchPreferences::default())
        .await
        .expect("invoice search");
    let zone = world.netsuite.config().user_time_zone;
    records
        .iter()
        .map(|record| Invoice::from_record(record, zone).expect("typed invoice"))
        .collect()
}

async fn salesforce_invoice(world: &World, internal_id: &str) -> Map<String, Value> {
    let soql = format!(
        "SELECT {FIELDS} FROM NetSuite_Invoice__c WHERE NetSuite_Internal_ID__c = '{internal_id}'"
    );
    world.query_one(&soql).await
}

/// Checks that the Salesforce record of `invoice` has its amounts, status and currency.
async fn assert_copied(world: &World, invoice: &Invoice) {
    let id = invoice.internal_id.clone().expect("internal ID");
    let record = salesforce_invoice(world, &id).await;
    assert_eq!(text(&record, "Name"), invoice.tran_id, "{id}");
    let amount = number(&record, "Amount__c").expect("Amount__c");
    assert!(
        same_amount(amount, invoice.total.expect("total")),
        "{id}: {amount}"
    );
    let remaining = number(&record, "Amount_Remaining__c").expect("Amount_Remaining__c");
    let expected = invoice.amount_remaining.unwrap_or_default();
    assert!(
        same_amount(remaining, expected),
        "{id}: {remaining} != {expected}"
    );
    assert_eq!(text(&record, "Status__c"), invoice.status, "{id}");
    let customer = invoice.entity.as_ref().and_then(|e| e.internal_id.clone());
    let currency = if customer.as_deref() == Some(EUR_CUSTOMER_ID) {
        "EUR"
    } else {
        "USD"
    };
    assert_eq!(
        text(&record, "CurrencyIsoCode").as_deref(),
        Some(currency),
        "{id}"
    );
    let soql = format!(
        "SELECT Id FROM Account WHERE NetSuite_Internal_ID__c = '{}'",
        customer.expect("entity")
    );
    let account = world.query_one(&soql).await;
    assert_eq!(text(&record, "Account__c"), text(&account, "Id"), "{id}");
}

/// Pays the rest of `invoice` with a customer payment applied to it.
async fn pay_rest(world: &World, invoice: &Invoice) {
    let rest = invoice.amount_remaining.expect("amount remaining");
    let doc = invoice
        .internal_id
        .as_deref()
        .expect("internal ID")
        .parse()
        .expect("numeric ID");
    let payment = CustomerPayment {
        customer: invoice.entity.clone(),
        payment: Some(rest),
        apply_list: Some(Lines {
            replace_all: false,
            lines: vec![PaymentApply {
                apply: Some(true),
                doc: Some(doc),
                amount: Some(rest),
                ..PaymentApply::default()
            }],
        }),
        ..CustomerPayment::default()
    };
    let zone = world.netsuite.config().user_time_zone;
    world
        .netsuite
        .add(&payment.to_record(zone))
        .await
        .expect("payment accepted");
}

async fn copies_invoices_and_payments(transport: Transport) {
    let world = start(transport, "[flows.invoice-to-salesforce]\n").await;

    world.pass().await;

    let invoices = invoices(&world).await;
    assert_eq!(invoices.len(), 8);
    for invoice in &invoices {
        assert_copied(&world, invoice).await;
    }
    let records = world.query("SELECT Id FROM NetSuite_Invoice__c").await;
    assert_eq!(records.len(), invoices.len());
    let paid: Vec<&Invoice> = invoices
        .iter()
        .filter(|i| i.status.as_deref() == Some("Paid In Full"))
        .collect();
    assert_eq!(paid.len(), 2);
    for invoice in paid {
        let record = salesforce_invoice(&world, invoice.internal_id.as_deref().unwrap()).await;
        assert_eq!(
            number(&record, "Amount_Remaining__c"),
            Some(0.0),
            "{record:?}"
        );
        assert_eq!(text(&record, "Status__c").as_deref(), Some("Paid In Full"));
    }
    let part_paid = invoices
        .iter()
        .find(|i| {
            i.amount_paid.is_some_and(|paid| paid > 0.0) && i.status.as_deref() == Some("Open")
        })
        .expect("a part-paid invoice");
    assert!(part_paid.amount_remaining.is_some_and(|rest| rest > 0.0));
    world.assert_second_pass_writes_nothing().await;

    pay_rest(&world, part_paid).await;
    let report = world.pass().await;

    let copies = flow(&report, "invoice-to-salesforce");
    assert_eq!(count(copies, "updated"), 1, "{copies}");
    let id = part_paid.internal_id.clone().expect("internal ID");
    let record = salesforce_invoice(&world, &id).await;
    assert_eq!(number(&record, "Amount_Remaining__c"), Some(0.0));
    assert_eq!(text(&record, "Status__c").as_deref(), Some("Paid In Full"));
    let paid_now = world.get::<Invoice>(&id).await;
    assert_copied(&world, &paid_now).await;

    world.assert_second_pass_writes_nothing().await;
}

on_both_transports!(copies_invoices_and_payments);
