//! Lookups shared by the rules: display names of referenced records, the account's
//! currencies and price levels, and the transactions of a customer.

use crate::netsuite::customer::Customer;
use crate::netsuite::records::{RecordKind, StoredRecord};
use crate::netsuite::state::State;

/// The internal ID of the account's base currency and of the `Base Price` level.
pub(crate) const BASE: &str = "1";

/// The currencies of a new NetSuite account: internal ID, name and ISO 4217 symbol.
pub(crate) const CURRENCIES: [(&str, &str, &str); 4] = [
    ("1", "US Dollar", "USD"),
    ("2", "British pound", "GBP"),
    ("3", "Canadian Dollar", "CAD"),
    ("4", "Euro", "EUR"),
];

/// The price levels of a new NetSuite account, by internal ID.
const PRICE_LEVELS: [(&str, &str); 5] = [
    ("1", "Base Price"),
    ("2", "Alternate Price 1"),
    ("3", "Alternate Price 2"),
    ("4", "Alternate Price 3"),
    ("5", "Online Price"),
];

/// Returns the name of a currency, when it is one of a new account's currencies.
pub(crate) fn currency_name(internal_id: &str) -> Option<&'static str> {
    CURRENCIES
        .iter()
        .find(|(id, _, _)| *id == internal_id)
        .map(|(_, name, _)| *name)
}

/// Returns the name of a price level, when it is one of a new account's levels.
pub(crate) fn price_level_name(internal_id: &str) -> Option<&'static str> {
    PRICE_LEVELS
        .iter()
        .find(|(id, _)| *id == internal_id)
        .map(|(_, name)| *name)
}

/// Returns the name NetSuite shows for a customer in references: the company name, else the
/// entity ID.
pub(crate) fn customer_name(customer: &Customer) -> String {
    customer
        .company_name
        .clone()
        .or_else(|| customer.entity_id.clone())
        .unwrap_or_else(|| customer.internal_id.clone())
}

/// Returns the name NetSuite shows for a record in references.
pub(crate) fn display_name(record: &StoredRecord) -> String {
    let name = match record.kind {
        RecordKind::Contact => record.text("entityId"),
        RecordKind::InventoryItem
        | RecordKind::NonInventorySaleItem
        | RecordKind::ServiceSaleItem => record.text("itemId"),
        RecordKind::SalesOrder => return format!("Sales Order #{}", tran_id(record)),
        RecordKind::Invoice => return format!("Invoice #{}", tran_id(record)),
        RecordKind::CustomerPayment => return format!("Payment #{}", tran_id(record)),
        RecordKind::Currency
        | RecordKind::PriceLevel
        | RecordKind::Location
        | RecordKind::Subsidiary
        | RecordKind::Term => record.text("name"),
    };
    name.unwrap_or(&record.internal_id).to_string()
}

fn tran_id(record: &StoredRecord) -> &str {
    record.text("tranId").unwrap_or(&record.internal_id)
}

/// Iterates over the transactions of a customer.
pub(crate) fn transactions_of<'a>(
    state: &'a State,
    customer_id: &'a str,
) -> impl Iterator<Item = &'a StoredRecord> + 'a {
    state.records.of_customer(customer_id)
}

/// Returns the item record with this internal ID, of any served item type.
pub(crate) fn item<'a>(state: &'a State, internal_id: &str) -> Option<&'a StoredRecord> {
    [
        RecordKind::InventoryItem,
        RecordKind::NonInventorySaleItem,
        RecordKind::ServiceSaleItem,
    ]
        .into_iter()
        .find_map(|kind| state.records.get(kind, internal_id))
}
