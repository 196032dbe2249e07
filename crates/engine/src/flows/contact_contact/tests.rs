//! Passes of the contact flow between in-memory systems.

use super::*;
use crate::fake_port::TestWorld;
use crate::one_way::PARENT_NOT_LINKED;
use crate::record::FieldValue;
use crate::state::{DeadLetterStatus, DeadLetterStore};

fn text(value: &str) -> FieldValue {
    FieldValue::text(value)
}

/// Builds a world where NetSuite customer 10 and Salesforce Account 001A are linked companies.
async fn world() -> TestWorld {
    let world = TestWorld::new();
    world.link(COMPANY_FLOW, "10", "001A").await;
    world
}

async fn pass(world: &TestWorld) -> crate::PassReport {
    let flow = flow(&ContactSettings::default());
    flow.pass(&world.connections).await.unwrap()
}

#[tokio::test]
async fn email_match_links_and_rest_is_created() {
    let world = world().await;
    let ann_ns = world.netsuite.put(
        "contact",
        None,
        &[
            ("firstName", text("Ann")),
            ("lastName", text("Lee")),
            ("email", text("ann@acme.test")),
            ("company", text("10")),
        ],
    );
    let ann_sf = world.salesforce.put(
        "Contact",
        None,
        &[
            ("FirstName", text("Ann")),
            ("LastName", text("Lee-Park")),
            ("Email", text("ANN@acme.test")),
            ("AccountId", text("001A")),
        ],
    );
    world.netsuite.put(
        "contact",
        None,
        &[
            ("firstName", text("Bo")),
            ("lastName", text("Ng")),
            ("email", text("bo@acme.test")),
            ("company", text("10")),
        ],
    );

    let report = pass(&world).await;

    assert_eq!(report.linked, 1);
    assert_eq!(report.created, 1);
    let ann = world.salesforce.get("Contact", &ann_sf).unwrap();
    assert_eq!(ann["NetSuite_Internal_ID__c"], text(&ann_ns));
    let created: Vec<_> = world
        .salesforce
        .all("Contact")
        .into_iter()
        .filter(|(_, fields)| fields.get("LastName") == Some(&text("Ng")))
        .collect();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].1["AccountId"], text("001A"));

    let again = pass(&world).await;
    assert_eq!(again.written, 0, "{again:?}");
}

#[tokio::test]
async fn unlinked_company_makes_contact_wait() {
    let world = world().await;
    world.netsuite.put(
        "contact",
        None,
        &[
            ("firstName", text("Cy")),
            ("lastName", text("Ode")),
            ("email", text("cy@other.test")),
            ("company", text("11")),
        ],
    );

    let first = pass(&world).await;

    assert_eq!(first.dead_letters, 1);
    assert!(world.salesforce.all("Contact").is_empty());
    let letters = world.store.dead_letters(Some(FLOW), None).await.unwrap();
    assert_eq!(letters[0].letter.error.code, PARENT_NOT_LINKED);

    world.link(COMPANY_FLOW, "11", "001B").await;
    let second = pass(&world).await;

    assert_eq!(second.created, 1, "{second:?}");
    let contacts = world.salesforce.all("Contact");
    assert_eq!(contacts[0].1["AccountId"], text("001B"));
    let open = world
        .store
        .dead_letters(Some(FLOW), Some(DeadLetterStatus::Open))
        .await
        .unwrap();
    assert!(open.is_empty(), "{open:?}");
}

#[test]
fn default_spec_links_by_external_ids() {
    let spec = spec(&ContactSettings::default());
    assert!(spec.netsuite.fields.contains(&"company".to_string()));
    assert!(spec.salesforce.fields.contains(&"AccountId".to_string()));
    assert_eq!(spec.salesforce.link_field, "NetSuite_Internal_ID__c");
    assert!(spec.matching.link_by_email);
}

#[tokio::test]
async fn refusal_sets_then_clears_status() {
    use crate::flows::support::{SYNC_ERROR_FIELD, SYNC_STATUS_FIELD};
    let world = world().await;
    world
        .netsuite
        .refuse("lastName", text("Bad"), "INVALID_FLD_VALUE");
    let id = world.salesforce.put(
        "Contact",
        None,
        &[
            ("FirstName", text("Zed")),
            ("LastName", text("Bad")),
            ("Email", text("zed@acme.test")),
            ("AccountId", text("001A")),
        ],
    );

    let first = pass(&world).await;

    assert_eq!(first.dead_letters, 1);
    let contact = world.salesforce.get("Contact", &id).unwrap();
    assert_eq!(contact[SYNC_STATUS_FIELD], text("Error"));
    let error = contact[SYNC_ERROR_FIELD].as_text().unwrap().to_string();
    assert!(error.contains("INVALID_FLD_VALUE"), "{error}");

    let second = pass(&world).await;
    assert_eq!((second.dead_letters, second.written), (0, 0), "{second:?}");

    world
        .salesforce
        .put("Contact", Some(&id), &[("LastName", text("Good"))]);
    let third = pass(&world).await;

    assert_eq!(third.created, 1, "{third:?}");
    let contact = world.salesforce.get("Contact", &id).unwrap();
    assert_eq!(contact[SYNC_STATUS_FIELD], text("Synced"));
    assert_eq!(contact[SYNC_ERROR_FIELD], FieldValue::Null);
}
