use super::companies::{FIRST_INTERNAL_ID, demo_companies, demo_credit};
use super::contacts::{ContactPresence, demo_contacts};
use super::items::demo_items;
use super::opportunities::demo_opportunities;
use super::*;

/// Returns the internal ID the demo seed gives the customer of this NetSuite name.
fn customer_id(ns_name: &str) -> String {
    let index = demo_companies()
        .unwrap()
        .iter()
        .position(|c| c.ns_name == ns_name)
        .unwrap_or_else(|| panic!("no company {ns_name:?}"));
    (FIRST_INTERNAL_ID + index as u32).to_string()
}

#[test]
fn unknown_seed_name_is_rejected() {
    assert!("large".parse::<Seed>().is_err());
    assert!("huge".parse::<Seed>().is_err());
}

#[test]
fn large_seed_parses_with_count() {
    assert_eq!("large:500".parse::<Seed>(), Ok(Seed::Large(500)));
    assert!("large:0".parse::<Seed>().is_err());
    assert!("large:x".parse::<Seed>().is_err());
    assert!(
        format!("large:{}", MAX_LARGE_SEED + 1)
            .parse::<Seed>()
            .is_err()
    );
}

#[test]
fn credit_hold_constant_names_the_customer_on_hold() {
    let on_hold: Vec<_> = demo_credit()
        .unwrap()
        .into_iter()
        .filter(|c| c.hold == "_on")
        .collect();
    assert_eq!(customer_id(&on_hold[0].company), CREDIT_HOLD_CUSTOMER_ID);
}

#[test]
fn customer_constants_match_the_company_list() {
    assert_eq!(
        customer_id("Fabrikam Robotics"),
        NEAR_CREDIT_LIMIT_CUSTOMER_ID
    );
    let eur = demo_companies()
        .unwrap()
        .into_iter()
        .find(|c| c.currency == "EUR" && c.ns_name == "Wingtip Outdoor Supply");
    assert!(eur.is_some());
    assert_eq!(customer_id("Wingtip Outdoor Supply"), EUR_CUSTOMER_ID);
}

#[test]
fn opportunity_constants_match_the_opportunity_list() {
    let opportunities = demo_opportunities().unwrap();
    let stage = |name: &str| {
        opportunities
            .iter()
            .find(|o| o.name == name)
            .map(|o| o.stage.clone())
            .unwrap_or_else(|| panic!("no opportunity {name:?}"))
    };
    for name in WON_OPPORTUNITIES {
        assert_eq!(stage(name), "Closed Won", "{name}");
    }
    assert_eq!(stage(ONBOARDING_OPPORTUNITY), "Closed Won");
    assert_eq!(stage(CREDIT_HOLD_OPPORTUNITY), "Closed Won");
    assert!(!stage(OPEN_OPPORTUNITY).starts_with("Closed"));
}

#[test]
fn item_constants_match_the_item_list() {
    let items = demo_items().unwrap();
    let item = |name: &str| items.iter().find(|i| i.name == name).unwrap();
    assert!(!item(INACTIVE_ITEM).active);
    assert!(item(ITEM_WITHOUT_PRODUCT).active);
    assert!(!item(ITEM_WITHOUT_PRODUCT).in_salesforce);
}

#[test]
fn linked_contact_constant_matches_the_contact_list() {
    let contacts = demo_contacts().unwrap();
    let linked = contacts
        .iter()
        .find(|c| c.presence == ContactPresence::Linked)
        .unwrap();
    assert_eq!(linked.email, LINKED_CONTACT_EMAIL);
}

#[test]
fn demo_seed_loads_into_both_emulators() {
    use crate::netsuite::NetSuiteCredentials;
    use crate::salesforce::SalesforceCredentials;

    let netsuite = NetSuiteEmulator::new(NetSuiteCredentials::generate());
    let salesforce = SalesforceEmulator::new(SalesforceCredentials::generate());
    load(Seed::Demo, &netsuite, &salesforce, Utc::now()).unwrap();
    assert_eq!(netsuite.record_count("invoice"), 8);
    assert_eq!(netsuite.record_count("serviceSaleItem"), 1);
    assert_eq!(netsuite.record_count("location"), LOCATION_NAMES.len());
    assert_eq!(netsuite.record_count("term"), 1);
    assert_eq!(netsuite.record_count("subsidiary"), 1);
    assert_eq!(salesforce.records("Opportunity").len(), 6);
}
