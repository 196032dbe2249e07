//! `customer-onboarding`: Accounts of Type Customer become NetSuite customers with subsidiary
//! and billing address, and Prospects are left alone. A name that NetSuite rejects puts the
//! Account in Error.

use tandem_netsuite::records::typed::Customer;

use crate::common::count;
use crate::support::{Transport, flow, start, text};

const FIELDS: &str = "NetSuite_Internal_ID__c, NetSuite_Sync_Status__c, NetSuite_Sync_Error__c, \
                      BillingCity, BillingPostalCode";

async fn onboards_customer_accounts_only(transport: Transport) {
    let world = start(transport, "[flows.customer-onboarding]\n").await;

    let report = world.pass().await;

    for name in ["Blue Heron Outfitters", "Gulf Coast Marine Parts"] {
        let account = world.account(name, FIELDS).await;
        assert_eq!(
            text(&account, "NetSuite_Sync_Status__c").as_deref(),
            Some("Synced")
        );
        let ns_id = text(&account, "NetSuite_Internal_ID__c").expect("customer ID written back");
        let customer = world.get::<Customer>(&ns_id).await;
        assert_eq!(customer.external_id, text(&account, "Id"), "{name}");
        assert_eq!(customer.company_name.as_deref(), Some(name));
        let subsidiary = customer.subsidiary.and_then(|s| s.internal_id);
        assert_eq!(subsidiary.as_deref(), Some("1"), "{name}");
        let address = customer
            .addressbook
            .as_ref()
            .and_then(|book| {
                book.lines
                    .iter()
                    .find(|line| line.default_billing == Some(true))
            })
            .and_then(|line| line.address.clone())
            .expect("default billing address");
        assert_eq!(address.city, text(&account, "BillingCity"), "{name}");
        assert_eq!(address.zip, text(&account, "BillingPostalCode"), "{name}");
    }
    for name in [
        "Okanagan Trail Gear",
        "Lucerne Publishing",
        "Humongous Insurance",
    ] {
        let account = world.account(name, FIELDS).await;
        assert_eq!(text(&account, "NetSuite_Internal_ID__c"), None, "{name}");
        assert_eq!(text(&account, "NetSuite_Sync_Status__c"), None, "{name}");
    }
    let soql = "SELECT Id, NetSuite_Internal_ID__c, NetSuite_Sync_Status__c, \
                NetSuite_Sync_Error__c FROM Account WHERE Name LIKE 'Consolidated%'";
    let long_name = world.query_one(soql).await;
    assert_eq!(
        text(&long_name, "NetSuite_Sync_Status__c").as_deref(),
        Some("Error")
    );
    assert_eq!(text(&long_name, "NetSuite_Internal_ID__c"), None);
    let error = text(&long_name, "NetSuite_Sync_Error__c").unwrap_or_default();
    assert!(error.contains("companyname"), "{error}");
    let onboarding = flow(&report, "customer-onboarding");
    assert_eq!(count(onboarding, "dead_letters"), 1, "{onboarding}");
    assert_eq!(count(onboarding, "created"), 2, "{onboarding}");

    world.assert_second_pass_writes_nothing().await;
}

on_both_transports!(onboards_customer_accounts_only);
