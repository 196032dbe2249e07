//! Order lines from Opportunity line items, the NetSuite items of their products, and the
//! NetSuite currency of an Opportunity's ISO code.

use std::collections::{BTreeMap, BTreeSet};

use super::{ITEM_LIST, LINE_ITEMS, OPPORTUNITY};
use crate::error::{ErrorClass, RemoteError};
use crate::flows::support;
use crate::one_way::{Outcome, Refusal};
use crate::pass::{Connections, PassError};
use crate::record::{FieldValue, Fields, ObjectSpec, System};

/// Line item fields and the order line fields they become. `price` is set from the options.
pub(super) const LINE_FIELDS: [(&str, &str); 4] = [
    ("Product2Id", "item"),
    ("Quantity", "quantity"),
    ("UnitPrice", "rate"),
    ("Description", "description"),
];

/// The Opportunity field of an org with multiple currencies.
pub(super) const CURRENCY_FIELD: &str = "CurrencyIsoCode";

/// The flow whose cross-references link products to items.
pub const ITEM_FLOW: &str = "item-to-price-book";

/// The Salesforce product object.
const PRODUCT: &str = "Product2";

/// The product's external ID field with the NetSuite item's internal ID.
const PRODUCT_LINK_FIELD: &str = "NetSuite_Internal_ID__c";

/// Returns the product IDs of an Opportunity's line items.
pub(super) fn products(fields: &Fields) -> impl Iterator<Item = &str> {
    let lines = fields.get(LINE_ITEMS).map_or(&[][..], FieldValue::lines);
    lines
        .iter()
        .filter_map(|line| support::text(line, "Product2Id"))
}

/// Returns the NetSuite item of each product: the one `item-to-price-book` links, else the
/// product's `NetSuite_Internal_ID__c`. Products with neither are left out.
pub(super) async fn items_of(
    connections: &Connections,
    products: BTreeSet<String>,
) -> Result<BTreeMap<String, String>, PassError> {
    let mut items = BTreeMap::new();
    let mut unlinked = Vec::new();
    for product in products {
        match support::linked(connections, ITEM_FLOW, System::Salesforce, &product).await? {
            Some(item) => {
                items.insert(product, item);
            }
            None => unlinked.push(product),
        }
    }
    if unlinked.is_empty() {
        return Ok(items);
    }
    let spec = ObjectSpec {
        name: PRODUCT.to_string(),
        fields: Vec::new(),
        link_field: PRODUCT_LINK_FIELD.to_string(),
    };
    let port = connections.port(System::Salesforce);
    let read = connections
        .retry
        .run("Salesforce Product2 by ID", || port.read(&spec, &unlinked))
        .await?;
    for product in read {
        if let Some(item) = product.link.filter(|item| !item.trim().is_empty()) {
            items.insert(product.id, item.trim().to_string());
        }
    }
    Ok(items)
}

/// Builds the order's `itemList` from an Opportunity's line items. A line without a product
/// is refused; a product with no NetSuite item makes the Opportunity wait.
pub(super) fn order_lines(
    fields: &Fields,
    items: &BTreeMap<String, String>,
    price_level: &str,
) -> Result<FieldValue, Box<Outcome>> {
    let lines = fields.get(LINE_ITEMS).map_or(&[][..], FieldValue::lines);
    let mut order_lines = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let Some(product) = support::text(line, "Product2Id") else {
            let message = format!("line {} of the Opportunity has no product", index + 1);
            return Err(Box::new(refused("MISSING_PRODUCT", message)));
        };
        let Some(item) = items.get(product) else {
            let message = format!(
                "Product2 {product} is not linked to a NetSuite item: {ITEM_FLOW} has not \
                 linked it and its {PRODUCT_LINK_FIELD} is blank"
            );
            return Err(Box::new(support::waiting(
                System::NetSuite,
                Fields::new(),
                message,
            )));
        };
        let number =
            |name: &str| support::number(line, name).map_or(FieldValue::Null, FieldValue::Number);
        let mut order_line = Fields::from([
            ("item".to_string(), FieldValue::text(item.as_str())),
            ("quantity".to_string(), number("Quantity")),
            ("rate".to_string(), number("UnitPrice")),
            (
                "description".to_string(),
                FieldValue::text(support::text(line, "Description").unwrap_or_default()),
            ),
        ]);
        if !price_level.trim().is_empty() {
            let price = FieldValue::text(price_level.trim());
            order_line.insert("price".to_string(), price);
        }
        order_lines.push(order_line);
    }
    Ok(FieldValue::List(order_lines))
}

/// Returns the order line fields read back for comparing, as `itemList[].field`.
pub(super) fn order_line_fields(price_level: &str) -> Vec<String> {
    let mut names: Vec<&str> = LINE_FIELDS.iter().map(|(_, netsuite)| *netsuite).collect();
    if !price_level.trim().is_empty() {
        names.push("price");
    }
    names
        .into_iter()
        .map(|name| format!("{ITEM_LIST}[].{name}"))
        .collect()
}

/// Returns the order as read, with the numeric line fields as numbers. NetSuite types a
/// line's `rate` as text, because it may hold a percentage, so a rate of 10.5 reads back as
/// the text "10.5" and would otherwise differ from the number sent.
pub(super) fn comparable(order: &Fields) -> Fields {
    let mut order = order.clone();
    let Some(FieldValue::List(lines)) = order.get_mut(ITEM_LIST) else {
        return order;
    };
    for line in lines {
        for name in ["quantity", "rate"] {
            let number = match line.get(name) {
                Some(FieldValue::Text(text)) => text.trim().parse::<f64>().ok(),
                _ => None,
            };
            if let Some(number) = number {
                line.insert(name.to_string(), FieldValue::Number(number));
            }
        }
    }
    order
}

/// Returns the ISO currency code of each Opportunity that has one.
pub(super) async fn currency_codes(
    connections: &Connections,
    ids: &[String],
) -> Result<BTreeMap<String, String>, PassError> {
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    let spec = ObjectSpec {
        name: OPPORTUNITY.to_string(),
        fields: vec![CURRENCY_FIELD.to_string()],
        link_field: String::new(),
    };
    let port = connections.port(System::Salesforce);
    let read = connections
        .retry
        .run("Salesforce Opportunity currency", || port.read(&spec, ids))
        .await?;
    Ok(read
        .into_iter()
        .filter_map(|record| {
            let code = support::text(&record.fields, CURRENCY_FIELD)?.to_uppercase();
            Some((record.id, code))
        })
        .collect())
}

/// Returns the internal ID of the NetSuite currency of each ISO code, by the currency's
/// `symbol`. Codes NetSuite does not have are left out.
pub(super) async fn currency_ids(
    connections: &Connections,
    codes: BTreeSet<String>,
) -> Result<BTreeMap<String, String>, PassError> {
    if codes.is_empty() {
        return Ok(BTreeMap::new());
    }
    let spec = ObjectSpec {
        name: "currency".to_string(),
        fields: vec!["symbol".to_string()],
        link_field: "externalId".to_string(),
    };
    let codes: Vec<String> = codes.into_iter().collect();
    let port = connections.port(System::NetSuite);
    let found = connections
        .retry
        .run("NetSuite currency by symbol", || {
            port.find(&spec, "symbol", &codes)
        })
        .await?;
    Ok(found
        .into_iter()
        .filter_map(|currency| {
            let symbol = support::text(&currency.fields, "symbol")?.to_uppercase();
            Some((symbol, currency.id))
        })
        .collect())
}

/// Returns the outcome of an Opportunity whose data cannot make an order.
pub(super) fn refused(code: &str, message: String) -> Outcome {
    Outcome::Refused(Refusal {
        target_id: None,
        payload: Fields::new(),
        error: RemoteError::new(System::NetSuite, ErrorClass::Data, code, message),
    })
}
