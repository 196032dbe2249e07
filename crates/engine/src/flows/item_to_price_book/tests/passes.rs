//! Whole passes: products, entries per price book and currency, changes, deactivation.

use super::*;
use crate::error::ErrorClass;
use crate::one_way::SourceItem;
use crate::port::RecordPort;
use crate::state::{DeadLetterStore, StateStore};

#[tokio::test]
async fn two_currencies_three_levels_give_six_entries() {
    let world = world();
    add_bolt(&world);

    let report = pass(&world).await;
    assert_eq!(report.created, 1);
    assert_eq!(report.dead_letters, 0);
    let expected = vec![
        entry("Online Price", "EUR", 8.5, true),
        entry("Online Price", "USD", 9.5, true),
        entry("Standard Price Book", "EUR", 9.0, true),
        entry("Standard Price Book", "USD", 10.0, true),
        entry("Wholesale", "EUR", 7.0, true),
        entry("Wholesale", "USD", 8.0, true),
    ];
    assert_eq!(entries(&world), expected);
}

#[tokio::test]
async fn product_gets_mapped_fields_and_quantity() {
    let world = world();
    add_bolt(&world);
    pass(&world).await;

    let (id, fields) = product(&world);
    assert_eq!(fields["Name"], text("Bolt"));
    assert_eq!(fields["ProductCode"], text("BOLT-10"));
    assert_eq!(fields["Description"], text("Steel bolt"));
    assert_eq!(fields["IsActive"], FieldValue::Bool(true));
    assert_eq!(fields[QUANTITY_FIELD], FieldValue::Number(12.0));
    assert_eq!(fields[PRODUCT_LINK_FIELD], text("10"));
    let xref = world
        .store
        .xref(FLOW, System::NetSuite, "10")
        .await
        .unwrap();
    assert_eq!(xref.map(|xref| xref.sf_id), Some(id));
}

#[tokio::test]
async fn level_price_books_are_created_active_once() {
    let world = world();
    add_bolt(&world);
    pass(&world).await;

    let books = world.salesforce.all("Pricebook2");
    let names: Vec<_> = books
        .iter()
        .filter_map(|(_, fields)| fields.get("Name")?.as_text())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(names.contains(&"Wholesale"));
    let wholesale = books.iter().find(|(_, f)| f["Name"] == text("Wholesale"));
    assert_eq!(wholesale.unwrap().1["IsActive"], FieldValue::Bool(true));
}

/// Returns the item records as a pass's source items.
async fn bolt_items(world: &World, template: &Template) -> Vec<SourceItem> {
    let object = &template.spec.objects[0];
    let records = world
        .netsuite
        .read(object, &["10".to_string()])
        .await
        .unwrap();
    records
        .into_iter()
        .map(|record| SourceItem { object: 0, record })
        .collect()
}

fn book_names(world: &World) -> Vec<String> {
    let books = world.salesforce.all("Pricebook2");
    let mut names: Vec<String> = books
        .iter()
        .filter_map(|(_, fields)| Some(fields.get("Name")?.as_text()?.to_string()))
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn prepare_creates_price_books_before_batches() {
    let world = world();
    add_bolt(&world);
    let coordinator = template(Options::default());
    let items = bolt_items(&world, &coordinator).await;

    coordinator
        .prepare(&world.connections, &items)
        .await
        .unwrap();

    let expected = ["Online Price", "Standard Price Book", "Wholesale"];
    assert_eq!(book_names(&world), expected);
    assert!(world.salesforce.all("PricebookEntry").is_empty());

    // Another worker's batch of the same pass finds the books instead of creating them.
    let worker = template(Options::default());
    let mut report = PassReport::new(FLOW);
    let outcomes = worker
        .sync(&world.connections, &items, &mut report)
        .await
        .unwrap();
    assert!(
        matches!(outcomes[..], [Outcome::Created(_)]),
        "{outcomes:?}"
    );
    assert_eq!(book_names(&world), expected);
    assert_eq!(entries(&world).len(), 6);
}

#[tokio::test]
async fn existing_price_book_with_level_name_is_used() {
    let world = world();
    let wholesale = [
        ("Name", text("Wholesale")),
        ("IsActive", FieldValue::Bool(true)),
    ];
    world
        .salesforce
        .put("Pricebook2", Some("01s-wholesale"), &wholesale);
    add_bolt(&world);
    pass(&world).await;

    assert_eq!(world.salesforce.all("Pricebook2").len(), 3);
    let in_book = world
        .salesforce
        .all("PricebookEntry")
        .into_iter()
        .filter(|(_, fields)| fields["Pricebook2Id"] == text("01s-wholesale"))
        .count();
    assert_eq!(in_book, 2);
}

#[tokio::test]
async fn second_pass_writes_nothing() {
    let world = world();
    add_bolt(&world);
    pass(&world).await;
    let before = writes(&world);

    let report = pass(&world).await;
    assert_eq!(report.written, 0);
    assert_eq!(writes(&world), before);
}

#[tokio::test]
async fn sync_of_unchanged_item_writes_nothing() {
    let world = world();
    add_bolt(&world);
    pass(&world).await;
    let before = writes(&world);

    let template = template(Options::default());
    let items = bolt_items(&world, &template).await;
    let mut report = PassReport::new(FLOW);
    let outcomes = template
        .sync(&world.connections, &items, &mut report)
        .await
        .unwrap();
    assert_eq!(outcomes, vec![Outcome::Unchanged]);
    assert_eq!(writes(&world), before);
}

#[tokio::test]
async fn price_change_updates_one_entry_only() {
    let world = world();
    add_bolt(&world);
    pass(&world).await;
    let before = writes(&world);

    let mut lines = six_prices().lines().to_vec();
    lines[4] = price("2", "2", 6.5);
    let changed = FieldValue::List(lines);
    world
        .netsuite
        .put("inventoryItem", Some("10"), &[("pricingMatrix", changed)]);
    let report = pass(&world).await;

    assert_eq!(report.updated, 1);
    assert_eq!(writes(&world), before + 1);
    assert!(entries(&world).contains(&entry("Wholesale", "EUR", 6.5, true)));
}

#[tokio::test]
async fn inactive_item_deactivates_product_and_entries() {
    let world = world();
    add_bolt(&world);
    pass(&world).await;

    let inactive = [("isInactive", FieldValue::Bool(true))];
    world.netsuite.put("inventoryItem", Some("10"), &inactive);
    let report = pass(&world).await;

    assert_eq!(report.dead_letters, 0);
    assert_eq!(product(&world).1["IsActive"], FieldValue::Bool(false));
    let entries = entries(&world);
    assert_eq!(entries.len(), 6);
    assert!(entries.iter().all(|entry| !entry.3), "{entries:?}");
}

#[tokio::test]
async fn reactivated_item_activates_entries() {
    let world = world();
    add_bolt(&world);
    pass(&world).await;
    let inactive = [("isInactive", FieldValue::Bool(true))];
    world.netsuite.put("inventoryItem", Some("10"), &inactive);
    pass(&world).await;

    let active = [("isInactive", FieldValue::Bool(false))];
    world.netsuite.put("inventoryItem", Some("10"), &active);
    let report = pass(&world).await;

    assert_eq!(report.dead_letters, 0);
    assert_eq!(product(&world).1["IsActive"], FieldValue::Bool(true));
    assert!(entries(&world).iter().all(|entry| entry.3));
}

#[tokio::test]
async fn removed_price_deactivates_its_entry() {
    let world = world();
    add_bolt(&world);
    pass(&world).await;

    let mut lines = six_prices().lines().to_vec();
    lines.remove(2);
    let changed = FieldValue::List(lines);
    world
        .netsuite
        .put("inventoryItem", Some("10"), &[("pricingMatrix", changed)]);
    pass(&world).await;

    let entries = entries(&world);
    assert!(entries.contains(&entry("Online Price", "USD", 9.5, false)));
    assert_eq!(entries.iter().filter(|entry| entry.3).count(), 5);
}

#[tokio::test]
async fn removed_level_deactivates_its_entries() {
    let world = world();
    add_bolt(&world);
    pass(&world).await;

    let lines: Vec<Fields> = six_prices()
        .lines()
        .iter()
        .filter(|line| line["priceLevel"] != text("3"))
        .cloned()
        .collect();
    let changed = FieldValue::List(lines);
    world
        .netsuite
        .put("inventoryItem", Some("10"), &[("pricingMatrix", changed)]);
    pass(&world).await;

    let entries = entries(&world);
    assert!(entries.contains(&entry("Online Price", "EUR", 8.5, false)));
    assert!(entries.contains(&entry("Online Price", "USD", 9.5, false)));
    assert_eq!(entries.iter().filter(|entry| entry.3).count(), 4);
}

#[tokio::test]
async fn entries_in_other_price_books_stay_active() {
    let world = world();
    add_bolt(&world);
    pass(&world).await;
    let (product_id, _) = product(&world);
    let book = [
        ("Name", text("Partner")),
        ("IsActive", FieldValue::Bool(true)),
    ];
    world
        .salesforce
        .put("Pricebook2", Some("01s-partner"), &book);
    let entry_fields = [
        ("Pricebook2Id", text("01s-partner")),
        ("Product2Id", text(&product_id)),
        ("CurrencyIsoCode", text("USD")),
        ("UnitPrice", FieldValue::Number(7.5)),
        ("IsActive", FieldValue::Bool(true)),
    ];
    world
        .salesforce
        .put("PricebookEntry", Some("01u-partner"), &entry_fields);

    let mut lines = six_prices().lines().to_vec();
    lines[0] = price("1", "1", 11.0);
    let changed = FieldValue::List(lines);
    world
        .netsuite
        .put("inventoryItem", Some("10"), &[("pricingMatrix", changed)]);
    pass(&world).await;

    assert!(entries(&world).contains(&entry("Partner", "USD", 7.5, true)));
}

#[tokio::test]
async fn deleted_item_deactivates_product_and_entries() {
    let world = world();
    add_bolt(&world);
    pass(&world).await;

    world.netsuite.delete("inventoryItem", "10");
    let report = pass(&world).await;
    assert_eq!(report.deleted, 1);
    assert_eq!(product(&world).1["IsActive"], FieldValue::Bool(false));
    assert!(entries(&world).iter().all(|entry| !entry.3));

    let before = writes(&world);
    let again = pass(&world).await;
    assert_eq!(again.deleted, 0);
    assert_eq!(writes(&world), before);
}

#[tokio::test]
async fn deleted_item_stays_active_when_option_is_off() {
    let world = world();
    add_bolt(&world);
    pass(&world).await;

    world.netsuite.delete("inventoryItem", "10");
    let options = Options {
        deactivate_deleted: false,
        ..Options::default()
    };
    let report = pass_with(&world, options).await;
    assert_eq!(report.deleted, 0);
    assert_eq!(product(&world).1["IsActive"], FieldValue::Bool(true));
}

#[tokio::test]
async fn missing_standard_price_book_is_configuration_error() {
    let world = world();
    world.salesforce.put(
        "Pricebook2",
        Some(STANDARD),
        &[("IsStandard", FieldValue::Bool(false))],
    );
    add_bolt(&world);

    let failure = run_pass(&template(Options::default()), &world.connections)
        .await
        .unwrap_err();
    let PassError::Remote(error) = &failure.error else {
        panic!("expected a remote error, got {}", failure.error);
    };
    assert_eq!(error.class, ErrorClass::Config);
    assert_eq!(error.code, "STANDARD_PRICE_BOOK_NOT_FOUND");
    assert!(error.message.contains("standard_price_book"), "{error}");
    assert!(world.salesforce.all("Product2").is_empty());
}

#[tokio::test]
async fn configured_standard_price_book_must_exist() {
    let world = world();
    add_bolt(&world);
    let options = Options {
        standard_price_book: Some("01s-missing".to_string()),
        ..Options::default()
    };
    let failure = run_pass(&template(options), &world.connections)
        .await
        .unwrap_err();
    assert!(
        failure.error.to_string().contains("01s-missing"),
        "{}",
        failure.error
    );
}

#[tokio::test]
async fn level_price_without_base_price_is_refused() {
    let world = world();
    let prices = FieldValue::List(vec![price("1", "1", 10.0), price("2", "2", 7.0)]);
    let fields = [("itemId", text("NUT-11")), ("pricingMatrix", prices)];
    world.netsuite.put("serviceSaleItem", Some("11"), &fields);

    let report = pass(&world).await;
    assert_eq!(report.dead_letters, 1);
    let letters = world.store.dead_letters(Some(FLOW), None).await.unwrap();
    assert_eq!(letters[0].letter.error.code, "STANDARD_PRICE_NOT_DEFINED");
    assert!(world.salesforce.all("PricebookEntry").is_empty());
}

#[tokio::test]
async fn single_currency_org_gets_one_entry_per_book() {
    let world = world();
    world.rules.set_single_currency();
    add_bolt(&world);
    pass(&world).await;

    let expected = vec![
        entry("Online Price", "", 9.5, true),
        entry("Standard Price Book", "", 10.0, true),
        entry("Wholesale", "", 8.0, true),
    ];
    assert_eq!(entries(&world), expected);
}

#[tokio::test]
async fn price_levels_option_limits_price_books() {
    let world = world();
    add_bolt(&world);
    let options = Options {
        price_levels: vec!["Online Price".to_string()],
        currency: CurrencyMode::On,
        ..Options::default()
    };
    pass_with(&world, options).await;

    let books: Vec<_> = entries(&world).into_iter().map(|entry| entry.0).collect();
    assert!(!books.iter().any(|book| book == "Wholesale"), "{books:?}");
    assert_eq!(books.len(), 4);
}

/// Adds service item 12 (`SETUP`) with no display name and one base price.
fn add_setup(world: &World) {
    let prices = FieldValue::List(vec![price("1", "1", 50.0)]);
    let fields = [("itemId", text("SETUP")), ("pricingMatrix", prices)];
    world.netsuite.put("serviceSaleItem", Some("12"), &fields);
}

#[tokio::test]
async fn service_item_has_no_quantity() {
    let world = world();
    add_setup(&world);
    pass(&world).await;

    let (_, fields) = product(&world);
    assert_eq!(fields.get(QUANTITY_FIELD), None);
    assert_eq!(fields["IsActive"], FieldValue::Bool(true));
}

#[tokio::test]
async fn blank_display_name_gives_item_id() {
    let world = world();
    add_setup(&world);
    pass(&world).await;

    assert_eq!(product(&world).1["Name"], text("SETUP"));
}

#[tokio::test]
async fn cleared_description_is_cleared_on_product() {
    let world = world();
    add_bolt(&world);
    pass(&world).await;

    let cleared = [("salesDescription", FieldValue::Null)];
    world.netsuite.put("inventoryItem", Some("10"), &cleared);
    pass(&world).await;
    assert_eq!(product(&world).1["Description"], FieldValue::Null);
}

/// Adds a product with code `BOLT-10` and no NetSuite internal ID, as made before Tandem.
fn add_unlinked_bolt_product(world: &World) {
    let fields = [
        ("Name", text("Bolt (old)")),
        ("ProductCode", text("BOLT-10")),
    ];
    world.salesforce.put("Product2", Some("01t-old"), &fields);
}

#[tokio::test]
async fn unlinked_product_with_same_code_is_linked() {
    let world = world();
    add_unlinked_bolt_product(&world);
    add_bolt(&world);

    let report = pass(&world).await;
    assert_eq!(report.linked, 1);
    let (id, fields) = product(&world);
    assert_eq!(id, "01t-old");
    assert_eq!(fields[PRODUCT_LINK_FIELD], text("10"));
    assert_eq!(fields["Name"], text("Bolt"));
}

#[tokio::test]
async fn product_code_matching_can_be_turned_off() {
    let world = world();
    add_unlinked_bolt_product(&world);
    add_bolt(&world);
    let options = Options {
        match_product_code: false,
        ..Options::default()
    };

    let report = pass_with(&world, options).await;
    assert_eq!(report.linked, 0);
    assert_eq!(world.salesforce.all("Product2").len(), 2);
}

#[tokio::test]
async fn shared_product_code_links_nothing() {
    let world = world();
    add_unlinked_bolt_product(&world);
    let fields = [
        ("Name", text("Bolt (copy)")),
        ("ProductCode", text("BOLT-10")),
    ];
    world.salesforce.put("Product2", Some("01t-copy"), &fields);
    add_bolt(&world);

    let report = pass(&world).await;
    assert_eq!(report.linked, 0);
    assert_eq!(world.salesforce.all("Product2").len(), 3);
}

#[tokio::test]
async fn inactive_item_deactivates_product_without_mapped_flag() {
    let world = world();
    add_bolt(&world);
    let mut mapping = default_mapping();
    mapping.pairs.retain(|pair| pair.netsuite != "isInactive");
    let template = Template::new(Settings {
        mapping,
        overlap: TimeDelta::zero(),
        options: Options::default(),
    });
    run_pass(&template, &world.connections).await.unwrap();
    assert_eq!(product(&world).1["IsActive"], FieldValue::Bool(true));

    let inactive = [("isInactive", FieldValue::Bool(true))];
    world.netsuite.put("inventoryItem", Some("10"), &inactive);
    run_pass(&template, &world.connections).await.unwrap();
    assert_eq!(product(&world).1["IsActive"], FieldValue::Bool(false));
}
