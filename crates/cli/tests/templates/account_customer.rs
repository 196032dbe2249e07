//! `account-customer`: a customer created from an Account carries its billing address, and
//! with `customer-onboarding` enabled the unlinked customer Accounts are left to it.

use crate::common::count;
use crate::support::{Transport, flow, start, text};

async fn created_customer_has_billing_address(transport: Transport) {
    let world = start(transport, "[flows.account-customer]\n").await;

    let report = world.pass().await;

    let companies = flow(&report, "account-customer");
    assert!(count(companies, "created") > 0, "{companies}");
    let fields = "NetSuite_Internal_ID__c, BillingCity, BillingPostalCode, BillingCountry";
    let account = world.account("Blue Heron Outfitters", fields).await;
    let (_, customer) = world.linked_customer("Blue Heron Outfitters").await;
    assert_eq!(customer.external_id, text(&account, "Id"));
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
    assert_eq!(address.city, text(&account, "BillingCity"));
    assert_eq!(address.zip, text(&account, "BillingPostalCode"));
    assert_eq!(text(&account, "BillingCountry").as_deref(), Some("US"));
    assert_eq!(address.country.as_deref(), Some("_unitedStates"));

    world.assert_second_pass_writes_nothing().await;
}

async fn customer_accounts_left_to_onboarding(transport: Transport) {
    let world = start(
        transport,
        "[flows.account-customer]\n[flows.customer-onboarding]\n",
    )
    .await;

    let report = world.pass().await;

    let companies = flow(&report, "account-customer");
    let onboarding = flow(&report, "customer-onboarding");
    // The eight Salesforce-only Accounts: with onboarding enabled, `account-customer` creates
    // no customer. Three are of Type Customer, and onboarding creates two of them (NetSuite
    // rejects the third's name); the Prospects and the Other stay without a customer.
    assert_eq!(count(companies, "skipped"), 8, "{companies}");
    assert_eq!(count(companies, "dead_letters"), 0, "{companies}");
    assert_eq!(count(onboarding, "created"), 2, "{onboarding}");
    assert_eq!(count(onboarding, "dead_letters"), 1, "{onboarding}");
    let (account, customer) = world.linked_customer("Gulf Coast Marine Parts").await;
    assert_eq!(customer.external_id, text(&account, "Id"));
    for name in ["Okanagan Trail Gear", "Trey Research"] {
        let account = world.account(name, "NetSuite_Internal_ID__c").await;
        assert_eq!(text(&account, "NetSuite_Internal_ID__c"), None, "{name}");
    }

    world.assert_second_pass_writes_nothing().await;
}

on_both_transports!(
    created_customer_has_billing_address,
    customer_accounts_left_to_onboarding
);

/// The same template over REST with OAuth 2.0 client credentials in place of TBA.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn created_customer_over_oauth2() {
    created_customer_has_billing_address(Transport::RestOAuth2).await;
}
