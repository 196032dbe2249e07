//! The NetSuite setup records the demo customers and items refer to: the currencies and price
//! levels, a subsidiary, the `Net 30` terms and two locations.

use chrono::{DateTime, TimeDelta, Utc};

use super::xml::{NAMESPACES, record_ref, text};
use super::{CURRENCIES, PRICE_LEVELS, SeedError};
use crate::netsuite::{Currency, NetSuiteEmulator, PriceLevel};

/// The name of the demo subsidiary.
pub const SUBSIDIARY_NAME: &str = "Tandem Demo Inc.";

/// The name of the demo customers' terms.
pub const TERMS_NAME: &str = "Net 30";

/// The names of the two locations the inventory items keep stock at.
pub const LOCATION_NAMES: [&str; 2] = ["Seattle Warehouse", "Munich Warehouse"];

/// The internal IDs of the setup records.
#[derive(Debug, Clone)]
pub(super) struct Setup {
    pub subsidiary: String,
    pub terms: String,
    pub locations: [String; 2],
}

/// The demo currencies' names and exchange rates to the base currency, by ISO code.
// NOTE: the EUR rate is an example value, not a rate of any given day.
const CURRENCY_DETAILS: [(&str, &str, f64); 2] = [("USD", "US Dollar", 1.0), ("EUR", "Euro", 1.08)];

/// Stores the currencies of [`CURRENCIES`] (the first one the base currency) and the price
/// levels of [`PRICE_LEVELS`], with each level's share of the Base Price as its discount.
fn insert_currencies_and_levels(netsuite: &NetSuiteEmulator) {
    for (index, (iso, internal_id)) in CURRENCIES.iter().enumerate() {
        let (_, name, exchange_rate) = CURRENCY_DETAILS
            .iter()
            .find(|(code, _, _)| code == iso)
            .copied()
            .unwrap_or((iso, iso, 1.0));
        netsuite.insert_currency(&Currency {
            internal_id: internal_id.to_string(),
            name: name.to_string(),
            symbol: iso.to_string(),
            exchange_rate,
            is_base_currency: index == 0,
            is_inactive: false,
        });
    }
    for (internal_id, name, share) in PRICE_LEVELS {
        let discount = ((share - 1.0) * 10_000.0).round() / 100.0;
        netsuite.insert_price_level(&PriceLevel {
            internal_id: internal_id.to_string(),
            name: name.to_string(),
            discount_percent: (discount != 0.0).then_some(discount),
            is_online: false,
            is_inactive: false,
        });
    }
}

/// Adds the setup records, dated weeks before `now`.
pub(super) fn load(netsuite: &NetSuiteEmulator, now: DateTime<Utc>) -> Result<Setup, SeedError> {
    insert_currencies_and_levels(netsuite);
    let at = now - TimeDelta::days(60);
    let add = |record_type: &str, fields: String, name: &str| {
        let xml = format!(r#"<record {NAMESPACES} xsi:type="{record_type}">{fields}</record>"#);
        netsuite
            .add_record(&xml, at)
            .map_err(SeedError::netsuite(name))
    };
    let subsidiary_fields = [
        text("listAcct:name", SUBSIDIARY_NAME),
        text("listAcct:country", "_unitedStates"),
        record_ref("listAcct:currency", CURRENCIES[0].1),
    ];
    let subsidiary = add(
        "listAcct:Subsidiary",
        subsidiary_fields.concat(),
        SUBSIDIARY_NAME,
    )?;
    let terms_fields = [
        text("listAcct:name", TERMS_NAME),
        text("listAcct:daysUntilNetDue", "30"),
    ];
    let terms = add("listAcct:Term", terms_fields.concat(), TERMS_NAME)?;
    let mut locations = [String::new(), String::new()];
    for (id, name) in locations.iter_mut().zip(LOCATION_NAMES) {
        *id = add("listAcct:Location", text("listAcct:name", name), name)?;
    }
    Ok(Setup {
        subsidiary,
        terms,
        locations,
    })
}
