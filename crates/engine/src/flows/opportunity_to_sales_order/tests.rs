//! Passes of `opportunity-to-sales-order` between in-memory systems.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use chrono::{DateTime, TimeDelta, Utc};

use super::*;
use crate::error::{ErrorClass, RemoteError};
use crate::fake_port::FakePort;
use crate::memory_store::MemoryStore;
use crate::port::{FieldInfo, FieldType, ObjectInfo, RecordPort, WriteResult};
use crate::record::{FieldValue, Fields, NewRecord, RecordUpdate, SourceRecord};
use crate::retry::RetryPolicy;
use crate::state::{DeadLetterStatus, DeadLetterStore, StateStore, Xref};

const OPPORTUNITY_ID: &str = "006A00000000001AAA";
const ACCOUNT_ID: &str = "001A00000000001AAA";
const CUSTOMER_ID: &str = "C1";

/// A system in memory that numbers each new sales order as NetSuite does (`tranId`) and,
/// when `currency` is set, describes Opportunity with `CurrencyIsoCode` as a multi-currency
/// org does.
struct Port {
    inner: Arc<FakePort>,
    currency: bool,
}

#[async_trait]
impl RecordPort for Port {
    fn system(&self) -> System {
        self.inner.system()
    }

    async fn identity(&self) -> Result<String, RemoteError> {
        self.inner.identity().await
    }

    async fn changed_since(
        &self,
        object: &ObjectSpec,
        since: DateTime<Utc>,
    ) -> Result<Vec<SourceRecord>, RemoteError> {
        self.inner.changed_since(object, since).await
    }

    async fn create(
        &self,
        object: &ObjectSpec,
        records: Vec<NewRecord>,
    ) -> Result<Vec<WriteResult>, RemoteError> {
        let results = self.inner.create(object, records).await?;
        for written in results.iter().flatten() {
            let fields = self
                .inner
                .get(&object.name, &written.id)
                .unwrap_or_default();
            if object.name == SALES_ORDER && !fields.contains_key("tranId") {
                let number = FieldValue::text(format!("SO{}", written.id));
                let id = Some(written.id.as_str());
                self.inner.put(SALES_ORDER, id, &[("tranId", number)]);
            }
        }
        Ok(results)
    }

    async fn update(
        &self,
        object: &ObjectSpec,
        records: Vec<RecordUpdate>,
    ) -> Result<Vec<WriteResult>, RemoteError> {
        self.inner.update(object, records).await
    }

    async fn describe(&self, object: &str) -> Result<ObjectInfo, RemoteError> {
        let field = |name: &str| FieldInfo {
            name: name.to_string(),
            field_type: FieldType::Text,
            createable: true,
            updateable: true,
            external_id: false,
        };
        let mut fields = vec![field("Name")];
        if self.currency {
            fields.push(field("CurrencyIsoCode"));
        }
        Ok(ObjectInfo {
            name: object.to_string(),
            fields,
            unlisted_prefix: None,
        })
    }

    async fn read(
        &self,
        object: &ObjectSpec,
        ids: &[String],
    ) -> Result<Vec<SourceRecord>, RemoteError> {
        self.inner.read(object, ids).await
    }

    async fn find(
        &self,
        object: &ObjectSpec,
        field: &str,
        values: &[String],
    ) -> Result<Vec<SourceRecord>, RemoteError> {
        self.inner.find(object, field, values).await
    }
}

struct World {
    netsuite: Arc<FakePort>,
    salesforce: Arc<FakePort>,
    store: Arc<MemoryStore>,
    connections: Connections,
}

async fn world() -> World {
    world_with_currency(false).await
}

async fn world_with_currency(currency: bool) -> World {
    let netsuite = Arc::new(FakePort::new(System::NetSuite));
    let salesforce = Arc::new(FakePort::new(System::Salesforce));
    let store = Arc::new(MemoryStore::new());
    let connections = Connections {
        netsuite: Arc::new(Port {
            inner: netsuite.clone(),
            currency: false,
        }),
        salesforce: Arc::new(Port {
            inner: salesforce.clone(),
            currency,
        }),
        store: store.clone(),
        retry: RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        },
    };
    let world = World {
        netsuite,
        salesforce,
        store,
        connections,
    };
    link(&world, "item-to-price-book", "I1", "01tP1").await;
    world.salesforce.put(
        "Product2",
        Some("01tP2"),
        &[("NetSuite_Internal_ID__c", text("I2"))],
    );
    world
}

async fn link(world: &World, flow: &str, ns_id: &str, sf_id: &str) {
    let xref = Xref {
        flow: flow.to_string(),
        ns_id: ns_id.to_string(),
        sf_id: sf_id.to_string(),
        ns_values: Fields::new(),
        sf_values: Fields::new(),
        ns_written: None,
        sf_written: None,
    };
    world.store.save_xref(&xref).await.unwrap();
}

fn text(value: &str) -> FieldValue {
    FieldValue::text(value)
}

fn line(product: &str, quantity: f64, price: f64, description: &str) -> Fields {
    Fields::from([
        ("Product2Id".to_string(), text(product)),
        ("Quantity".to_string(), FieldValue::Number(quantity)),
        ("UnitPrice".to_string(), FieldValue::Number(price)),
        ("Description".to_string(), text(description)),
    ])
}

fn add_opportunity(world: &World, won: bool, lines: Vec<Fields>) {
    world.salesforce.put(
        OPPORTUNITY,
        Some(OPPORTUNITY_ID),
        &[
            ("Name", text("Acme rollout")),
            ("IsWon", FieldValue::Bool(won)),
            ("AccountId", text(ACCOUNT_ID)),
            ("CloseDate", text("2026-03-01")),
            (LINE_ITEMS, FieldValue::List(lines)),
        ],
    );
}

fn two_lines() -> Vec<Fields> {
    vec![
        line("01tP1", 2.0, 10.5, "Bolts"),
        line("01tP2", 1.0, 99.0, ""),
    ]
}

fn edit_opportunity(world: &World, field: &str, value: FieldValue) {
    world
        .salesforce
        .put(OPPORTUNITY, Some(OPPORTUNITY_ID), &[(field, value)]);
}

async fn pass_with(world: &World, options: Options) -> PassReport {
    let settings = Settings {
        mapping: default_mapping(),
        overlap: TimeDelta::zero(),
        options,
    };
    flow(settings).pass(&world.connections).await.unwrap()
}

async fn pass(world: &World) -> PassReport {
    pass_with(world, Options::default()).await
}

fn orders(world: &World) -> Vec<(String, Fields)> {
    world.netsuite.all(SALES_ORDER)
}

fn opportunity(world: &World) -> Fields {
    world.salesforce.get(OPPORTUNITY, OPPORTUNITY_ID).unwrap()
}

fn writes(world: &World) -> (i64, i64) {
    (
        world.netsuite.writes.load(Ordering::SeqCst),
        world.salesforce.writes.load(Ordering::SeqCst),
    )
}

async fn linked_world() -> World {
    let world = world().await;
    link(&world, "account-customer", CUSTOMER_ID, ACCOUNT_ID).await;
    world
}

#[tokio::test]
async fn won_opportunity_creates_one_order_with_lines() {
    let world = linked_world().await;
    add_opportunity(&world, true, two_lines());

    let report = pass(&world).await;
    assert_eq!(report.created, 1);

    let orders = orders(&world);
    assert_eq!(orders.len(), 1);
    let (order_id, order) = &orders[0];
    assert_eq!(order["externalId"], text(OPPORTUNITY_ID));
    assert_eq!(order["entity"], text(CUSTOMER_ID));
    assert_eq!(order["tranDate"], text("2026-03-01"));
    assert_eq!(order["memo"], text("Acme rollout"));
    let lines = order[ITEM_LIST].lines();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["item"], text("I1"));
    assert_eq!(lines[0]["quantity"], FieldValue::Number(2.0));
    assert_eq!(lines[0]["rate"], FieldValue::Number(10.5));
    assert_eq!(lines[0]["price"], text("-1"));
    assert_eq!(lines[0]["description"], text("Bolts"));
    assert_eq!(lines[1]["item"], text("I2"));
    assert_eq!(lines[1]["description"], FieldValue::Null);

    let opportunity = opportunity(&world);
    assert_eq!(opportunity[ORDER_ID_FIELD], text(order_id));
    assert_eq!(
        opportunity[ORDER_NUMBER_FIELD],
        text(&format!("SO{order_id}"))
    );
    assert_eq!(opportunity["NetSuite_Sync_Status__c"], text("Synced"));
    let error = opportunity.get("NetSuite_Sync_Error__c");
    assert_eq!(crate::mapping::normalized(error), FieldValue::Null);
}

#[tokio::test]
async fn second_pass_writes_nothing() {
    let world = linked_world().await;
    add_opportunity(&world, true, two_lines());
    pass(&world).await;
    let before = writes(&world);

    let report = pass(&world).await;
    assert_eq!(report.written, 0);
    assert_eq!(writes(&world), before);
}

#[tokio::test]
async fn opportunity_not_won_is_skipped() {
    let world = linked_world().await;
    add_opportunity(&world, false, two_lines());

    let report = pass(&world).await;
    assert_eq!(report.skipped, 1);
    assert!(orders(&world).is_empty());
}

#[tokio::test]
async fn open_opportunity_makes_an_order_when_not_won_only() {
    let world = linked_world().await;
    add_opportunity(&world, false, two_lines());
    let options = Options {
        won_only: false,
        ..Options::default()
    };

    let report = pass_with(&world, options).await;
    assert_eq!(report.created, 1);
}

#[tokio::test]
async fn edit_updates_only_changed_fields() {
    let world = linked_world().await;
    add_opportunity(&world, true, two_lines());
    pass(&world).await;
    world
        .netsuite
        .refuse("entity", text(CUSTOMER_ID), "ENTITY_SENT_AGAIN");

    edit_opportunity(&world, "Name", text("Acme rollout, phase 2"));
    let report = pass(&world).await;
    assert_eq!(report.updated, 1);
    assert_eq!(report.dead_letters, 0);
    let orders = orders(&world);
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].1["memo"], text("Acme rollout, phase 2"));
}

#[tokio::test]
async fn rate_read_back_as_text_is_unchanged() {
    let world = linked_world().await;
    add_opportunity(&world, true, two_lines());
    pass(&world).await;
    let (order_id, order) = orders(&world).remove(0);
    let sent = order[ITEM_LIST].clone();
    world
        .netsuite
        .refuse(ITEM_LIST, sent.clone(), "LINES_SENT_AGAIN");
    let mut as_text = sent.lines().to_vec();
    for line in &mut as_text {
        let rate = line["rate"].as_number().unwrap_or_default();
        line.insert("rate".to_string(), text(&rate.to_string()));
    }
    let stored = [(ITEM_LIST, FieldValue::List(as_text))];
    world.netsuite.put(SALES_ORDER, Some(&order_id), &stored);

    edit_opportunity(&world, "Name", text("Acme rollout, renamed"));
    let report = pass(&world).await;
    assert_eq!(report.updated, 1);
    assert_eq!(report.dead_letters, 0);
}

#[tokio::test]
async fn line_edit_replaces_the_item_list() {
    let world = linked_world().await;
    add_opportunity(&world, true, two_lines());
    pass(&world).await;

    let lines = vec![line("01tP1", 5.0, 10.5, "Bolts")];
    edit_opportunity(&world, LINE_ITEMS, FieldValue::List(lines));
    let report = pass(&world).await;
    assert_eq!(report.updated, 1);
    let order = &orders(&world)[0].1;
    assert_eq!(order[ITEM_LIST].lines().len(), 1);
    assert_eq!(
        order[ITEM_LIST].lines()[0]["quantity"],
        FieldValue::Number(5.0)
    );
}

#[tokio::test]
async fn billed_order_refusal_is_refused_once() {
    let world = linked_world().await;
    add_opportunity(&world, true, two_lines());
    pass(&world).await;
    world
        .netsuite
        .refuse("memo", text("Late change"), "TRANS_EDIT_DISALLWD");

    edit_opportunity(&world, "Name", text("Late change"));
    let report = pass(&world).await;
    assert_eq!(report.dead_letters, 1);
    let opportunity = opportunity(&world);
    assert_eq!(opportunity["NetSuite_Sync_Status__c"], text("Refused"));
    let error = opportunity["NetSuite_Sync_Error__c"]
        .as_text()
        .unwrap_or_default();
    assert!(error.contains("TRANS_EDIT_DISALLWD"), "{error}");

    let before = writes(&world);
    let report = pass(&world).await;
    assert_eq!(report.dead_letters, 0);
    assert_eq!(report.written, 0);
    assert_eq!(writes(&world), before);
}

#[tokio::test]
async fn credit_hold_refusal_sets_error_status() {
    let world = linked_world().await;
    world
        .netsuite
        .refuse("entity", text(CUSTOMER_ID), "BALANCE_EXCEEDS_CREDIT_LIMIT");
    add_opportunity(&world, true, two_lines());

    let report = pass(&world).await;
    assert_eq!(report.dead_letters, 1);
    let letters = world.store.dead_letters(Some(FLOW), None).await.unwrap();
    assert_eq!(letters[0].letter.error.code, "BALANCE_EXCEEDS_CREDIT_LIMIT");
    assert_eq!(
        opportunity(&world)["NetSuite_Sync_Status__c"],
        text("Error")
    );
}

#[tokio::test]
async fn unlinked_account_gets_customer_then_order() {
    let world = world().await;
    world.salesforce.put(
        "Account",
        Some(ACCOUNT_ID),
        &[("Name", text("Acme")), ("Type", text("Prospect"))],
    );
    add_opportunity(&world, true, two_lines());

    let report = pass(&world).await;
    assert_eq!(report.created, 1);
    let customers = world.netsuite.all("customer");
    assert_eq!(customers.len(), 1);
    let (customer_id, customer) = &customers[0];
    assert_eq!(customer["externalId"], text(ACCOUNT_ID));
    assert_eq!(orders(&world)[0].1["entity"], text(customer_id));
    let account = world.salesforce.get("Account", ACCOUNT_ID).unwrap();
    assert_eq!(account["NetSuite_Internal_ID__c"], text(customer_id));
}

#[tokio::test]
async fn unlinked_account_waits_without_create_customer() {
    let world = world().await;
    world
        .salesforce
        .put("Account", Some(ACCOUNT_ID), &[("Name", text("Acme"))]);
    add_opportunity(&world, true, two_lines());
    let options = || Options {
        create_customer: false,
        ..Options::default()
    };

    let report = pass_with(&world, options()).await;
    assert_eq!(report.dead_letters, 1);
    assert!(world.netsuite.all("customer").is_empty());
    assert_eq!(
        opportunity(&world)["NetSuite_Sync_Status__c"],
        text("Pending")
    );

    link(&world, "account-customer", CUSTOMER_ID, ACCOUNT_ID).await;
    let report = pass_with(&world, options()).await;
    assert_eq!(report.created, 1);
    assert_eq!(
        opportunity(&world)["NetSuite_Sync_Status__c"],
        text("Synced")
    );
}

#[tokio::test]
async fn unlinked_product_waits_then_succeeds() {
    let world = linked_world().await;
    add_opportunity(&world, true, vec![line("01tP3", 1.0, 5.0, "Nuts")]);

    let report = pass(&world).await;
    assert_eq!(report.dead_letters, 1);
    assert!(orders(&world).is_empty());

    link(&world, "item-to-price-book", "I3", "01tP3").await;
    let report = pass(&world).await;
    assert_eq!(report.created, 1);
    assert_eq!(
        orders(&world)[0].1[ITEM_LIST].lines()[0]["item"],
        text("I3")
    );
    let letters = world.store.dead_letters(Some(FLOW), None).await.unwrap();
    assert_eq!(letters[0].status, DeadLetterStatus::Resolved);
}

#[tokio::test]
async fn order_of_an_interrupted_pass_is_found_by_external_id() {
    let world = linked_world().await;
    add_opportunity(&world, true, two_lines());
    pass(&world).await;
    edit_opportunity(&world, ORDER_ID_FIELD, FieldValue::Null);
    edit_opportunity(&world, "Name", text("Acme rollout, again"));

    let report = pass(&world).await;
    assert_eq!(report.updated, 1);
    assert_eq!(orders(&world).len(), 1);
    let order_id = &orders(&world)[0].0;
    assert_eq!(opportunity(&world)[ORDER_ID_FIELD], text(order_id));
}

#[tokio::test]
async fn options_set_constants_on_new_orders() {
    let world = linked_world().await;
    add_opportunity(&world, true, two_lines());
    let options = Options {
        order_status: Some("_pendingFulfillment".to_string()),
        department: Some("3".to_string()),
        custom_price_level: String::new(),
        ..Options::default()
    };

    pass_with(&world, options).await;
    let order = &orders(&world)[0].1;
    assert_eq!(order["orderStatus"], text("_pendingFulfillment"));
    assert_eq!(order["department"], text("3"));
    assert!(!order.contains_key("location"));
    assert!(!order[ITEM_LIST].lines()[0].contains_key("price"));
}

#[tokio::test]
async fn currency_follows_the_opportunity_iso_code() {
    let world = world_with_currency(true).await;
    link(&world, "account-customer", CUSTOMER_ID, ACCOUNT_ID).await;
    world
        .netsuite
        .put("currency", Some("2"), &[("symbol", text("EUR"))]);
    add_opportunity(&world, true, two_lines());
    edit_opportunity(&world, "CurrencyIsoCode", text("EUR"));

    let report = pass(&world).await;
    assert_eq!(report.created, 1);
    assert_eq!(orders(&world)[0].1["currency"], text("2"));
}

#[tokio::test]
async fn unknown_currency_is_refused() {
    let world = world_with_currency(true).await;
    link(&world, "account-customer", CUSTOMER_ID, ACCOUNT_ID).await;
    add_opportunity(&world, true, two_lines());
    edit_opportunity(&world, "CurrencyIsoCode", text("JPY"));

    let report = pass(&world).await;
    assert_eq!(report.dead_letters, 1);
    assert!(orders(&world).is_empty());
    let letters = world.store.dead_letters(Some(FLOW), None).await.unwrap();
    assert_eq!(letters[0].letter.error.code, "CURRENCY_NOT_FOUND");
    assert_eq!(
        opportunity(&world)["NetSuite_Sync_Status__c"],
        text("Error")
    );
}

#[tokio::test]
async fn single_currency_org_writes_no_currency() {
    let world = linked_world().await;
    add_opportunity(&world, true, two_lines());
    edit_opportunity(&world, "CurrencyIsoCode", text("EUR"));

    pass(&world).await;
    assert!(!orders(&world)[0].1.contains_key("currency"));
}

#[test]
fn billed_and_closed_refusals_are_locked() {
    let error = |code: &str, message: &str| {
        RemoteError::new(System::NetSuite, ErrorClass::Data, code, message)
    };
    assert!(writes::is_locked(&error("TRANS_EDIT_DISALLWD", "")));
    assert!(writes::is_locked(&error(
        "USER_ERROR",
        "The order is closed."
    )));
    assert!(writes::is_locked(&error(
        "USER_ERROR",
        "It has been billed."
    )));
    let credit = error("BALANCE_EXCEEDS_CREDIT_LIMIT", "Customer is on credit hold");
    assert!(!writes::is_locked(&credit));
}

#[test]
fn field_uses_name_the_written_back_fields() {
    let settings = Settings {
        mapping: default_mapping(),
        overlap: TimeDelta::zero(),
        options: Options::default(),
    };
    let fields = flow(settings).fields();
    let written: Vec<&str> = fields
        .iter()
        .filter(|used| used.system == System::Salesforce && used.access.writes())
        .map(|used| used.field.as_str())
        .collect();
    for name in [
        ORDER_ID_FIELD,
        ORDER_NUMBER_FIELD,
        "NetSuite_Sync_Status__c",
    ] {
        assert!(written.contains(&name), "{name} missing from {written:?}");
    }
    let lines = fields
        .iter()
        .filter(|used| used.field == "itemList[].price")
        .count();
    assert_eq!(lines, 1);
}

#[test]
fn field_uses_leave_out_price_without_level() {
    let settings = Settings {
        mapping: default_mapping(),
        overlap: TimeDelta::zero(),
        options: Options {
            custom_price_level: String::new(),
            ..Options::default()
        },
    };
    let fields = flow(settings).fields();
    assert!(fields.iter().all(|used| used.field != "itemList[].price"));
    assert!(fields.iter().any(|used| used.field == "itemList[].rate"));
}
