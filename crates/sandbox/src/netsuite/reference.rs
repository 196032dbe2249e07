//! The account's reference lists as typed values: currencies, price levels, locations,
//! subsidiaries and terms. Seed data adds them with [`super::NetSuiteEmulator::insert_currency`]
//! and its siblings, and a new account starts with the currencies and price levels NetSuite
//! creates for every account.

use chrono::{DateTime, Utc};

use super::records::rules::refs::{self, BASE};
use super::records::{ACCOUNTING, RecordKind, StoredRecord, record_ref, text_element};
use super::soap::CORE;
use super::state::State;

/// A currency record (`listAcct:Currency`).
#[derive(Debug, Clone, PartialEq)]
pub struct Currency {
    /// The internal ID other records refer to, such as `"1"`.
    pub internal_id: String,
    /// The display name, such as `US Dollar`.
    pub name: String,
    /// The ISO 4217 code, such as `USD`.
    pub symbol: String,
    /// Units of the base currency per unit of this currency; 1.0 for the base currency.
    pub exchange_rate: f64,
    /// True for the account's base currency.
    pub is_base_currency: bool,
    /// True when the currency can no longer be chosen.
    pub is_inactive: bool,
}

/// A price level record (`listAcct:PriceLevel`).
#[derive(Debug, Clone, PartialEq)]
pub struct PriceLevel {
    /// The internal ID that pricing matrix lines and sales order lines refer to.
    pub internal_id: String,
    /// The display name, such as `Base Price`.
    pub name: String,
    /// The markup (positive) or discount (negative) on the base price in percent, written to
    /// `discountpct`; `None` for the Base Price level, which has none.
    pub discount_percent: Option<f64>,
    /// True when the level is offered in the web store.
    pub is_online: bool,
    /// True when the level can no longer be chosen.
    pub is_inactive: bool,
}

/// A location record (`listAcct:Location`).
#[derive(Debug, Clone, PartialEq)]
pub struct Location {
    /// The internal ID that items' location lines and transactions refer to.
    pub internal_id: String,
    /// The display name, such as `Warehouse East`.
    pub name: String,
    /// The internal IDs of the subsidiaries the location belongs to.
    pub subsidiary_ids: Vec<String>,
    /// True when the location can no longer be chosen.
    pub is_inactive: bool,
}

/// A subsidiary record (`listAcct:Subsidiary`).
#[derive(Debug, Clone, PartialEq)]
pub struct Subsidiary {
    /// The internal ID that customers and locations refer to.
    pub internal_id: String,
    /// The display name.
    pub name: String,
    /// The internal ID of the subsidiary's base currency.
    pub currency_id: String,
    /// The country as the schema's `Country` enumeration writes it, such as `_unitedStates`.
    pub country: String,
    /// True when the subsidiary can no longer be chosen.
    pub is_inactive: bool,
}

/// A term record (`listAcct:Term`): payment terms such as `Net 30`.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// The internal ID that customers and transactions refer to.
    pub internal_id: String,
    /// The display name, such as `Net 30`.
    pub name: String,
    /// Days from the transaction date to the due date, `None` for date-driven terms.
    pub days_until_net_due: Option<i64>,
    /// True when the term can no longer be chosen.
    pub is_inactive: bool,
}

/// The price levels of a new NetSuite account, by internal ID.
const NEW_ACCOUNT_PRICE_LEVELS: [(&str, &str); 5] = [
    ("1", "Base Price"),
    ("2", "Alternate Price 1"),
    ("3", "Alternate Price 2"),
    ("4", "Alternate Price 3"),
    ("5", "Online Price"),
];

/// The price level NetSuite offers in the web store.
const ONLINE_PRICE: &str = "5";

/// Returns the currency and price level records every new account has: the currencies of
/// [`refs::CURRENCIES`] (the first one the base currency) and the five price levels of
/// [`NEW_ACCOUNT_PRICE_LEVELS`].
// NOTE: exchange rates are 1.0 and the levels have no discount; a real account has the rates
// of the day and the discounts its administrator set.
pub(crate) fn new_account_records(now: DateTime<Utc>) -> Vec<StoredRecord> {
    let currencies = refs::CURRENCIES.iter().map(|(id, name, symbol)| Currency {
        internal_id: id.to_string(),
        name: name.to_string(),
        symbol: symbol.to_string(),
        exchange_rate: 1.0,
        is_base_currency: *id == BASE,
        is_inactive: false,
    });
    let levels = NEW_ACCOUNT_PRICE_LEVELS
        .iter()
        .map(|(id, name)| PriceLevel {
            internal_id: id.to_string(),
            name: name.to_string(),
            discount_percent: None,
            is_online: *id == ONLINE_PRICE,
            is_inactive: false,
        });
    let mut records: Vec<StoredRecord> = currencies.map(|c| c.to_record(now)).collect();
    records.extend(levels.map(|level| level.to_record(now)));
    records
}

impl Currency {
    /// Returns the record NetSuite stores for this currency.
    pub(crate) fn to_record(&self, now: DateTime<Utc>) -> StoredRecord {
        let mut record = StoredRecord::new(RecordKind::Currency, self.internal_id.clone(), now);
        record.set_text("name", &self.name);
        record.set_text("symbol", &self.symbol);
        record.set_text("isBaseCurrency", &self.is_base_currency.to_string());
        record.set_text("isInactive", &self.is_inactive.to_string());
        record.set_number("exchangeRate", self.exchange_rate);
        record
    }
}

impl PriceLevel {
    /// Returns the record NetSuite stores for this price level.
    pub(crate) fn to_record(&self, now: DateTime<Utc>) -> StoredRecord {
        let mut record = StoredRecord::new(RecordKind::PriceLevel, self.internal_id.clone(), now);
        record.set_text("name", &self.name);
        if let Some(discount) = self.discount_percent {
            record.set_number("discountpct", discount);
        }
        record.set_text("isOnline", &self.is_online.to_string());
        record.set_text("isInactive", &self.is_inactive.to_string());
        record
    }
}

impl Location {
    /// Returns the record NetSuite stores for this location, with the subsidiaries' names
    /// on their references when the account has them.
    pub(crate) fn to_record(&self, state: &State, now: DateTime<Utc>) -> StoredRecord {
        let mut record = StoredRecord::new(RecordKind::Location, self.internal_id.clone(), now);
        record.set_text("name", &self.name);
        if !self.subsidiary_ids.is_empty() {
            let mut list = text_element(ACCOUNTING, "subsidiaryList", "");
            for id in &self.subsidiary_ids {
                let name = refs::stored_name(state, RecordKind::Subsidiary, id);
                list.children
                    .push(record_ref(CORE, "recordRef", id, name.as_deref()));
            }
            record.set(list);
        }
        record.set_text("isInactive", &self.is_inactive.to_string());
        record
    }
}

impl Subsidiary {
    /// Returns the record NetSuite stores for this subsidiary, with the currency's name on
    /// its reference when the account has it.
    pub(crate) fn to_record(&self, state: &State, now: DateTime<Utc>) -> StoredRecord {
        let mut record = StoredRecord::new(RecordKind::Subsidiary, self.internal_id.clone(), now);
        record.set_text("name", &self.name);
        record.set_text("isInactive", &self.is_inactive.to_string());
        record.set_text("country", &self.country);
        let currency = refs::currency_name(state, &self.currency_id);
        record.set_ref("currency", &self.currency_id, currency.as_deref());
        record
    }
}

impl Term {
    /// Returns the record NetSuite stores for this term.
    pub(crate) fn to_record(&self, now: DateTime<Utc>) -> StoredRecord {
        let mut record = StoredRecord::new(RecordKind::Term, self.internal_id.clone(), now);
        record.set_text("name", &self.name);
        if let Some(days) = self.days_until_net_due {
            record.set_text("daysUntilNetDue", &days.to_string());
        }
        record.set_text("isInactive", &self.is_inactive.to_string());
        record
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_account_records_have_one_base_currency() {
        let records = new_account_records(Utc::now());
        let bases: Vec<&str> = records
            .iter()
            .filter(|r| r.kind == RecordKind::Currency)
            .filter(|r| r.text("isBaseCurrency") == Some("true"))
            .map(|r| r.internal_id.as_str())
            .collect();
        assert_eq!(bases, vec![BASE]);
        let levels = records.iter().filter(|r| r.kind == RecordKind::PriceLevel);
        assert_eq!(levels.count(), 5);
    }

    #[test]
    fn currency_record_keeps_schema_order() {
        let currency = Currency {
            internal_id: "4".into(),
            name: "Euro".into(),
            symbol: "EUR".into(),
            exchange_rate: 1.08,
            is_base_currency: false,
            is_inactive: false,
        };
        let record = currency.to_record(Utc::now());
        let names: Vec<&str> = record.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "name",
                "symbol",
                "isBaseCurrency",
                "isInactive",
                "exchangeRate"
            ]
        );
        assert_eq!(record.text("exchangeRate"), Some("1.08"));
    }

    #[test]
    fn location_record_lists_subsidiaries() {
        let mut state = State::default();
        let subsidiary = Subsidiary {
            internal_id: "1".into(),
            name: "Tandem Bikes Inc.".into(),
            currency_id: "1".into(),
            country: "_unitedStates".into(),
            is_inactive: false,
        };
        state.records.put(subsidiary.to_record(&state, Utc::now()));
        let location = Location {
            internal_id: "2".into(),
            name: "Warehouse West".into(),
            subsidiary_ids: vec!["1".into()],
            is_inactive: false,
        };
        let record = location.to_record(&state, Utc::now());
        let list = record.field("subsidiaryList").unwrap();
        assert_eq!(list.children.len(), 1);
        assert_eq!(list.children[0].attr("internalId"), Some("1"));
        let name = list.children[0].child(CORE, "name").unwrap();
        assert_eq!(name.trimmed_text(), "Tandem Bikes Inc.");
    }
}
