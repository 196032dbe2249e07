//! The demo items: NetSuite inventory, non-inventory and service sale items with prices in two
//! currencies and three price levels, and the Salesforce products and standard prices of
//! some of them.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Map, Value};

use super::data::{number, rows, yes_no};
use super::setup::Setup;
use super::xml::{NAMESPACES, record_ref, text};
use super::{CURRENCIES, PRICE_LEVELS, SeedError};
use crate::netsuite::NetSuiteEmulator;
use crate::salesforce::SalesforceEmulator;

const DEMO_ITEMS: &str = include_str!("../../seed/demo-items.txt");

/// The NetSuite item type of a demo item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ItemType {
    Inventory,
    NonInventory,
    Service,
}

/// One demo item.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Item {
    pub name: String,
    pub item_type: ItemType,
    pub display_name: String,
    /// Base Price in USD and in EUR.
    pub base_prices: [f64; 2],
    /// Quantity on hand at each of the two demo locations, `None` for items without stock.
    pub on_hand: Option<[f64; 2]>,
    pub active: bool,
    /// Whether a Salesforce Product2 exists for the item.
    pub in_salesforce: bool,
}

/// The records made for one item.
#[derive(Debug, Clone, Default)]
pub(super) struct ItemIds {
    pub internal_id: String,
    /// The standard PricebookEntry Id and price, by ISO currency code, when the item has a
    /// Product2.
    pub entries: BTreeMap<String, (String, f64)>,
}

/// Parses the demo item list.
pub(super) fn demo_items() -> Result<Vec<Item>, String> {
    rows::<9>(DEMO_ITEMS)?.into_iter().map(parse_item).collect()
}

fn parse_item(fields: [&str; 9]) -> Result<Item, String> {
    let [
        name,
        item_type,
        display_name,
        usd,
        eur,
        first,
        second,
        active,
        product,
    ] = fields;
    let item_type = match item_type {
        "inventory" => ItemType::Inventory,
        "non-inventory" => ItemType::NonInventory,
        "service" => ItemType::Service,
        other => return Err(format!("unknown item type {other:?}")),
    };
    let on_hand = match item_type {
        ItemType::Inventory => Some([number(first, "quantity")?, number(second, "quantity")?]),
        ItemType::NonInventory | ItemType::Service => None,
    };
    Ok(Item {
        name: name.to_string(),
        item_type,
        display_name: display_name.to_string(),
        base_prices: [number(usd, "USD price")?, number(eur, "EUR price")?],
        on_hand,
        active: yes_no(active, "active")?,
        in_salesforce: yes_no(product, "Salesforce product")?,
    })
}

/// Returns an item's price at a price level: the Base Price times the level's share, in
/// cents.
pub(super) fn level_price(base: f64, share: f64) -> f64 {
    (base * share * 100.0).round() / 100.0
}

/// Adds the demo items to NetSuite, and the products, standard prices and price books to
/// Salesforce. Returns the Ids by item name.
pub(super) fn load(
    netsuite: &NetSuiteEmulator,
    salesforce: &SalesforceEmulator,
    setup: &Setup,
    now: DateTime<Utc>,
) -> Result<BTreeMap<String, ItemIds>, SeedError> {
    let standard = standard_pricebook(salesforce)?;
    let modified = now - TimeDelta::days(20);
    for (_, name, _) in PRICE_LEVELS.iter().skip(1) {
        let mut fields = Map::new();
        fields.insert("Name".into(), Value::from(*name));
        fields.insert("IsActive".into(), Value::from(true));
        salesforce
            .insert_record("Pricebook2", fields, modified)
            .map_err(SeedError::salesforce(name))?;
    }
    let mut ids = BTreeMap::new();
    for (index, item) in demo_items().map_err(SeedError::Data)?.iter().enumerate() {
        let at = modified + TimeDelta::hours(index as i64);
        let internal_id = netsuite
            .add_record(&item_xml(item, &setup.locations), at)
            .map_err(SeedError::netsuite(&item.name))?;
        let mut item_ids = ItemIds {
            internal_id,
            entries: BTreeMap::new(),
        };
        if item.in_salesforce {
            item_ids.entries =
                insert_product(salesforce, item, &item_ids.internal_id, &standard, at)?;
        }
        ids.insert(item.name.clone(), item_ids);
    }
    Ok(ids)
}

/// Returns the Id of the standard price book every org has.
pub(super) fn standard_pricebook(salesforce: &SalesforceEmulator) -> Result<String, SeedError> {
    salesforce
        .records("Pricebook2")
        .into_iter()
        .find(|book| book.get("IsStandard") == Some(&Value::Bool(true)))
        .and_then(|book| book.get("Id").and_then(Value::as_str).map(str::to_string))
        .ok_or_else(|| SeedError::Data("the org has no standard price book".to_string()))
}

fn insert_product(
    salesforce: &SalesforceEmulator,
    item: &Item,
    internal_id: &str,
    standard: &str,
    at: DateTime<Utc>,
) -> Result<BTreeMap<String, (String, f64)>, SeedError> {
    let mut fields = Map::new();
    fields.insert("Name".into(), Value::from(item.display_name.as_str()));
    fields.insert("ProductCode".into(), Value::from(item.name.as_str()));
    fields.insert("IsActive".into(), Value::from(item.active));
    fields.insert("NetSuite_Internal_ID__c".into(), Value::from(internal_id));
    let product = salesforce
        .insert_record("Product2", fields, at)
        .map_err(SeedError::salesforce(&item.name))?;
    let mut entries = BTreeMap::new();
    for ((iso, _), price) in CURRENCIES.iter().zip(item.base_prices) {
        let mut fields = Map::new();
        fields.insert("Pricebook2Id".into(), Value::from(standard));
        fields.insert("Product2Id".into(), Value::from(product.as_str()));
        fields.insert("UnitPrice".into(), Value::from(price));
        fields.insert("IsActive".into(), Value::from(true));
        fields.insert("CurrencyIsoCode".into(), Value::from(*iso));
        let entry = salesforce
            .insert_record("PricebookEntry", fields, at)
            .map_err(SeedError::salesforce(&item.name))?;
        entries.insert(iso.to_string(), (entry, price));
    }
    Ok(entries)
}

/// Returns the `add` record of an item, with a pricing matrix line per currency and price
/// level and, for inventory items, the quantity on hand at each location.
fn item_xml(item: &Item, locations: &[String; 2]) -> String {
    let record_type = match item.item_type {
        ItemType::Inventory => "listAcct:InventoryItem",
        ItemType::NonInventory => "listAcct:NonInventorySaleItem",
        ItemType::Service => "listAcct:ServiceSaleItem",
    };
    let mut pricing = String::new();
    for ((_, currency_id), base) in CURRENCIES.iter().zip(item.base_prices) {
        for (level_id, _, share) in PRICE_LEVELS {
            pricing.push_str(&pricing_xml(
                currency_id,
                level_id,
                level_price(base, share),
            ));
        }
    }
    let locations = item.on_hand.map_or(String::new(), |on_hand| {
        let lines: String = locations
            .iter()
            .zip(on_hand)
            .map(|(location, quantity)| {
                format!(
                    "<listAcct:locations>{}{}</listAcct:locations>",
                    record_ref("listAcct:locationId", location),
                    text("listAcct:quantityOnHand", &quantity.to_string())
                )
            })
            .collect();
        format!("<listAcct:locationsList>{lines}</listAcct:locationsList>")
    });
    format!(
        r#"<record {NAMESPACES} xsi:type="{record_type}">{}{}{}<listAcct:pricingMatrix>{pricing}</listAcct:pricingMatrix>{locations}</record>"#,
        text("listAcct:displayName", &item.display_name),
        text("listAcct:itemId", &item.name),
        text("listAcct:isInactive", &(!item.active).to_string()),
    )
}

fn pricing_xml(currency_id: &str, level_id: &str, price: f64) -> String {
    format!(
        "<listAcct:pricing>{}{}<listAcct:priceList><listAcct:price>{}{}</listAcct:price></listAcct:priceList></listAcct:pricing>",
        record_ref("listAcct:currency", currency_id),
        record_ref("listAcct:priceLevel", level_id),
        text("listAcct:value", &format!("{price:.2}")),
        text("listAcct:quantity", "0"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_items_cover_each_case() {
        let items = demo_items().unwrap();
        assert!((6..=8).contains(&items.len()), "{} items", items.len());
        let inventory = items.iter().filter(|i| i.item_type == ItemType::Inventory);
        assert!(inventory.count() >= 2);
        assert!(items.iter().any(|i| i.item_type == ItemType::NonInventory));
        assert!(items.iter().any(|i| i.item_type == ItemType::Service));
        assert_eq!(items.iter().filter(|i| !i.active).count(), 1);
        assert!(items.iter().any(|i| i.in_salesforce));
        assert!(items.iter().any(|i| !i.in_salesforce && i.active));
    }

    #[test]
    fn inventory_items_have_stock_at_both_locations() {
        for item in demo_items().unwrap() {
            let has_stock = item.on_hand.is_some();
            assert_eq!(
                has_stock,
                item.item_type == ItemType::Inventory,
                "{}",
                item.name
            );
        }
    }

    #[test]
    fn unknown_item_type_is_rejected() {
        let fields = ["X", "kit", "X", "1", "1", "", "", "yes", "no"];
        assert!(parse_item(fields).is_err());
    }

    #[test]
    fn level_price_rounds_to_cents() {
        assert_eq!(level_price(45.0, 0.9), 40.5);
        assert_eq!(level_price(42.0, 0.85), 35.7);
        assert_eq!(level_price(1.0, 1.0 / 3.0), 0.33);
    }

    #[test]
    fn item_xml_prices_every_currency_and_level() {
        let item = demo_items().unwrap().remove(0);
        let locations = ["7".to_string(), "8".to_string()];
        let xml = item_xml(&item, &locations);
        let lines = xml.matches("<listAcct:pricing>").count();
        assert_eq!(lines, CURRENCIES.len() * PRICE_LEVELS.len());
        assert_eq!(xml.matches("<listAcct:locations>").count(), 2);
        assert!(xml.contains(r#"<listAcct:locationId internalId="8"/>"#));
    }
}
