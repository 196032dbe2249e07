//! Lookups shared by the rules: display names of referenced records, the account's
//! currencies and price levels, and the transactions of a customer.

use crate::netsuite::customer::Customer;
use crate::netsuite::records::{RecordKind, StoredRecord};
use crate::netsuite::state::State;

/// The internal ID of the account's base currency and of the `Base Price` level.
pub(crate) const BASE: &str = "1";

/// The currencies of a new NetSuite account: internal ID, name and ISO 4217 symbol. The
/// account starts with a record of each (see [`crate::netsuite::reference`]).
pub(crate) const CURRENCIES: [(&str, &str, &str); 4] = [
    ("1", "US Dollar", "USD"),
    ("2", "British pound", "GBP"),
    ("3", "Canadian Dollar", "CAD"),
    ("4", "Euro", "EUR"),
];

/// Returns the name of a currency record, when the account has one with this internal ID.
pub(crate) fn currency_name(state: &State, internal_id: &str) -> Option<String> {
    stored_name(state, RecordKind::Currency, internal_id)
}

/// Returns the name of a price level record, when the account has one with this internal ID.
pub(crate) fn price_level_name(state: &State, internal_id: &str) -> Option<String> {
    stored_name(state, RecordKind::PriceLevel, internal_id)
}

/// Returns the `name` of a stored record of a reference list (currency, price level...).
pub(crate) fn stored_name(state: &State, kind: RecordKind, internal_id: &str) -> Option<String> {
    state
        .records
        .get(kind, internal_id)
        .and_then(|record| record.text("name"))
        .map(str::to_string)
}

/// Returns the exchange rate of a currency record, or `None` when the account has no record
/// of that internal ID or it has no rate.
pub(crate) fn exchange_rate(state: &State, currency_id: &str) -> Option<f64> {
    state
        .records
        .get(RecordKind::Currency, currency_id)
        .and_then(|record| record.number("exchangeRate"))
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
