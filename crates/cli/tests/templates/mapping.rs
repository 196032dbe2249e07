//! A template's mapping changed in the configuration file: an added field arrives, and a
//! misspelt one stops `tandem check`.

use tandem_netsuite::RecordRef;

use crate::support::{Transport, start, text};

const COMMENTS: &str = "[flows.customer-onboarding]\n\
[[flows.customer-onboarding.extra_fields]]\n\
netsuite = \"comments\"\n\
expression = \"{{ Name }} ({{ BillingCity }})\"\n";

async fn extra_field_expression_arrives(transport: Transport) {
    let world = start(transport, COMMENTS).await;

    world.pass().await;

    let account = world
        .account("Blue Heron Outfitters", "NetSuite_Internal_ID__c")
        .await;
    let ns_id = text(&account, "NetSuite_Internal_ID__c").expect("customer created");
    let customer = world
        .netsuite
        .get(&RecordRef::internal("customer", ns_id))
        .await
        .expect("customer read");
    assert_eq!(
        customer.text("comments"),
        Some("Blue Heron Outfitters (Bend)")
    );

    world.assert_second_pass_writes_nothing().await;
}

const MISSPELT: &str = "[flows.invoice-to-salesforce]\n\
[[flows.invoice-to-salesforce.extra_fields]]\n\
netsuite = \"memo\"\n\
salesforce = \"Amount_Remainig__c\"\n";

async fn misspelt_template_field_fails_check(transport: Transport) {
    let world = start(transport, MISSPELT).await;

    let problems = world.check_problems().await;

    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0]["flow"], "invoice-to-salesforce");
    assert_eq!(problems[0]["field"], "Amount_Remainig__c");
}

async fn unknown_price_level_fails_check(transport: Transport) {
    let world = start(
        transport,
        "[flows.item-to-price-book]\nprice_levels = [\"wholesale\", \"Wholesal\"]\n",
    )
    .await;

    let problems = world.check_problems().await;

    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0]["flow"], "item-to-price-book");
    assert_eq!(problems[0]["object"], "priceLevel");
    let reason = problems[0]["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("\"Wholesal\""), "{reason}");
    assert!(reason.contains("Wholesale"), "{reason}");
}

on_both_transports!(
    extra_field_expression_arrives,
    misspelt_template_field_fails_check,
    unknown_price_level_fails_check
);
