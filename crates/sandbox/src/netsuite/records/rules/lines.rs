//! Item lines of sales orders and invoices: checking their items, numbering them and pricing
//! them from the item's price levels.

use super::refs::{self, BASE};
use crate::netsuite::faults::StatusDetail;
use crate::netsuite::records::{RecordKind, StoredRecord, errors, format_double, record_ref};
use crate::netsuite::soap::CORE;
use crate::netsuite::state::State;
use crate::netsuite::xml::Element;
use crate::netsuite::xsd::{QName, schema};

/// The price level internal ID that stands for a custom rate sent with the line.
const CUSTOM_PRICE: &str = "-1";

/// One line as the rules read it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Line {
    pub item: String,
    pub quantity: f64,
    pub amount: f64,
    /// The line's location, or the transaction's when the line has none.
    pub location: Option<String>,
}

/// Returns the lines of a sales order or invoice.
pub(crate) fn lines(record: &StoredRecord) -> Vec<Line> {
    let body_location = record.ref_id("location").map(str::to_string);
    let Some(list) = record.field("itemList") else {
        return Vec::new();
    };
    list.children
        .iter()
        .filter_map(|line| {
            let item = line.child_named("item")?.attr("internalId")?.to_string();
            Some(Line {
                item,
                quantity: number(line, "quantity").unwrap_or(1.0),
                amount: number(line, "amount").unwrap_or(0.0),
                location: line
                    .child_named("location")
                    .and_then(|l| l.attr("internalId"))
                    .map(str::to_string)
                    .or_else(|| body_location.clone()),
            })
        })
        .collect()
}

/// Checks every line's item, numbers new lines, prices lines without a rate, and returns the
/// sum of the line amounts.
pub(crate) fn price_lines(state: &State, record: &mut StoredRecord) -> Result<f64, StatusDetail> {
    let currency = record.ref_id("currency").unwrap_or(BASE).to_string();
    let line_type = line_type(record.kind);
    let ns = record.kind.namespace().to_string();
    let Some(list) = record.field_mut("itemList") else {
        return Err(errors::no_lines());
    };
    if list.children.is_empty() {
        return Err(errors::no_lines());
    }
    let mut next_line = list
        .children
        .iter()
        .filter_map(|line| number(line, "line"))
        .fold(0.0, f64::max) as i64
        + 1;
    let mut total = 0.0;
    for line in &mut list.children {
        total += price_line(state, line, &currency, &ns)?;
        if line.child_named("line").is_none() {
            set_child(line, &ns, "line", &next_line.to_string());
            next_line += 1;
        }
        sort_children(line, &line_type);
    }
    Ok(total)
}

/// Prices one line and returns its amount.
fn price_line(
    state: &State,
    line: &mut Element,
    currency: &str,
    ns: &str,
) -> Result<f64, StatusDetail> {
    let Some(item_id) = line
        .child_named("item")
        .and_then(|i| i.attr("internalId"))
        .map(str::to_string)
    else {
        return Err(StatusDetail::required_fields(&["Item"]));
    };
    let Some(item) = refs::item(state, &item_id) else {
        return Err(errors::invalid_reference("item", &item_id));
    };

    let quantity = number(line, "quantity").unwrap_or(1.0);
    let level = line
        .child_named("price")
        .and_then(|p| p.attr("internalId"))
        .unwrap_or(BASE)
        .to_string();
    let sent_rate = line
        .child_named("rate")
        .map(|r| r.trimmed_text().to_string());
    let rate = match sent_rate {
        Some(text) => text
            .trim_end_matches('%')
            .parse::<f64>()
            .map_err(|_| errors::invalid_value(&text, "rate"))?,
        None if level == CUSTOM_PRICE => return Err(StatusDetail::required_fields(&["Rate"])),
        None => item_price(item, currency, &level, quantity).unwrap_or(0.0),
    };

    let amount = quantity * rate;
    replace_child(
        line,
        record_ref(ns, "item", &item_id, Some(&refs::display_name(item))),
    );
    set_child(line, ns, "quantity", &format_double(quantity));
    if sent_rate_is_missing(line) {
        set_child(line, ns, "rate", &format_double(rate));
    }
    set_child(line, ns, "amount", &format_double(amount));
    if level != CUSTOM_PRICE {
        let name = refs::price_level_name(state, &level);
        replace_child(line, record_ref(ns, "price", &level, name.as_deref()));
    }
    Ok(amount)
}

fn sent_rate_is_missing(line: &Element) -> bool {
    line.child_named("rate").is_none()
}

/// Returns an item's price in a currency and price level for a quantity: the price of the
/// highest quantity break at or below the quantity. Non-inventory items without a matching
/// price level use their `rate`.
pub(crate) fn item_price(
    item: &StoredRecord,
    currency: &str,
    level: &str,
    quantity: f64,
) -> Option<f64> {
    let from_matrix = item.field("pricingMatrix").and_then(|matrix| {
        let pricing = matrix.children.iter().find(|pricing| {
            ref_of(pricing, "currency").unwrap_or(BASE) == currency
                && ref_of(pricing, "priceLevel").unwrap_or(BASE) == level
        })?;
        let prices = pricing.child_named("priceList")?;
        prices
            .children
            .iter()
            .filter_map(|price| {
                let value = number(price, "value")?;
                let from = number(price, "quantity").unwrap_or(0.0);
                (from <= quantity).then_some((from, value))
            })
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, value)| value)
    });
    from_matrix.or_else(|| item.number("rate"))
}

/// Returns true when a sales order or invoice line refers to the item.
pub(crate) fn item_is_used(state: &State, item_id: &str) -> bool {
    [RecordKind::SalesOrder, RecordKind::Invoice]
        .into_iter()
        .flat_map(|kind| state.records.of_kind(kind))
        .any(|record| lines(record).iter().any(|line| line.item == item_id))
}

fn line_type(kind: RecordKind) -> QName {
    let list = schema()
        .field(&kind.qname(), "itemList")
        .map(|f| f.type_name.clone());
    list.and_then(|list| schema().field(&list, "item").map(|f| f.type_name.clone()))
        .unwrap_or_else(|| QName::new(kind.namespace(), "SalesOrderItem"))
}

fn ref_of<'a>(element: &'a Element, name: &str) -> Option<&'a str> {
    element.child_named(name).and_then(|c| c.attr("internalId"))
}

pub(crate) fn number(element: &Element, name: &str) -> Option<f64> {
    element
        .child_named(name)
        .and_then(|c| c.trimmed_text().parse().ok())
}

/// Sets a child's text, adding the child when it is missing.
pub(crate) fn set_child(element: &mut Element, ns: &str, name: &str, text: &str) {
    match element.children.iter_mut().find(|c| c.name == name) {
        Some(child) => {
            child.text = text.to_string();
            child.children.clear();
        }
        None => element
            .children
            .push(crate::netsuite::records::text_element(ns, name, text)),
    }
}

/// Replaces a child with the same name, or adds it.
pub(crate) fn replace_child(element: &mut Element, child: Element) {
    element.children.retain(|c| c.name != child.name);
    element.children.push(child);
}

/// Sorts an element's children into the order of a schema type.
pub(crate) fn sort_children(element: &mut Element, type_name: &QName) {
    let order: Vec<String> = schema()
        .fields(type_name)
        .iter()
        .map(|f| f.name.clone())
        .collect();
    element.children.sort_by_key(|child| {
        order
            .iter()
            .position(|name| *name == child.name)
            .unwrap_or(order.len())
    });
}

/// Returns the `name` child text of a RecordRef element, used to keep names on references.
pub(crate) fn ref_name(element: &Element) -> Option<&str> {
    element.child(CORE, "name").map(Element::trimmed_text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netsuite::records::ACCOUNTING;
    use chrono::Utc;

    fn price(value: f64, quantity: f64) -> Element {
        let mut price = crate::netsuite::records::text_element(ACCOUNTING, "price", "");
        set_child(&mut price, ACCOUNTING, "value", &value.to_string());
        set_child(&mut price, ACCOUNTING, "quantity", &quantity.to_string());
        price
    }

    fn item_with_breaks() -> StoredRecord {
        let mut pricing = crate::netsuite::records::text_element(ACCOUNTING, "pricing", "");
        pricing
            .children
            .push(record_ref(ACCOUNTING, "currency", "1", None));
        pricing
            .children
            .push(record_ref(ACCOUNTING, "priceLevel", "1", None));
        let mut list = crate::netsuite::records::text_element(ACCOUNTING, "priceList", "");
        list.children = vec![price(10.0, 0.0), price(8.0, 100.0)];
        pricing.children.push(list);
        let mut matrix = crate::netsuite::records::text_element(ACCOUNTING, "pricingMatrix", "");
        matrix.children.push(pricing);
        let mut item = StoredRecord::new(RecordKind::InventoryItem, "9".into(), Utc::now());
        item.set(matrix);
        item
    }

    #[test]
    fn item_price_uses_quantity_breaks() {
        let item = item_with_breaks();
        assert_eq!(item_price(&item, "1", "1", 5.0), Some(10.0));
        assert_eq!(item_price(&item, "1", "1", 150.0), Some(8.0));
        assert_eq!(item_price(&item, "4", "1", 5.0), None);
    }
}
