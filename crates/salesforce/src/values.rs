//! Field values as Salesforce writes them in JSON: dates, currency amounts with their
//! `CurrencyIsoCode`, and compound addresses, which are read whole and written by component.

use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Map, Number, Value};

use crate::error::Error;
use crate::fields::FieldChanges;

/// Field that contains a record's currency in multi-currency orgs. Single-currency orgs do not
/// have it.
pub const CURRENCY_ISO_CODE: &str = "CurrencyIsoCode";

/// Parses a date field, `YYYY-MM-DD`.
pub fn parse_date(value: &str) -> Result<NaiveDate, Error> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|error| Error::InvalidResponse {
        message: format!("invalid date {value:?}: {error}"),
    })
}

/// A currency amount and the currency it is in.
#[derive(Debug, Clone, PartialEq)]
pub struct Money {
    /// The amount as Salesforce sent it, so no digit is lost to rounding on the way through.
    pub amount: Number,
    /// ISO 4217 code from `CurrencyIsoCode`, or `None` in a single-currency org, where every
    /// amount is in the org's corporate currency.
    pub currency: Option<String>,
}

impl Money {
    /// Reads the currency field `field` of `record` with the record's `CurrencyIsoCode`.
    /// Returns `None` when the amount is null or missing.
    pub fn from_record(record: &Map<String, Value>, field: &str) -> Result<Option<Money>, Error> {
        let amount = match record.get(field) {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::Number(number)) => number.clone(),
            Some(other) => {
                return Err(Error::InvalidResponse {
                    message: format!("{field} is {other}, not a currency amount"),
                });
            }
        };
        let currency = record
            .get(CURRENCY_ISO_CODE)
            .and_then(Value::as_str)
            .map(str::to_string);
        Ok(Some(Money { amount, currency }))
    }

    /// Adds the amount as `field`, and the currency as `CurrencyIsoCode` when it is set, to
    /// `changes`.
    pub fn write_to(&self, changes: &mut FieldChanges, field: &str) {
        changes.set(field, Value::Number(self.amount.clone()));
        if let Some(currency) = &self.currency {
            changes.set(CURRENCY_ISO_CODE, currency.as_str());
        }
    }
}

/// A compound address (`BillingAddress`, `ShippingAddress`, `MailingAddress`). The compound
/// field is read-only, so it is read whole and written through its component fields.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    pub street: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    /// Set when the org uses State and Country picklists.
    pub state_code: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    /// Set when the org uses State and Country picklists.
    pub country_code: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub geocode_accuracy: Option<String>,
}

impl Address {
    /// Reads the compound field `field` (`BillingAddress`) of `record`. Returns `None` when it
    /// is null or missing.
    pub fn from_record(record: &Map<String, Value>, field: &str) -> Result<Option<Address>, Error> {
        match record.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => serde_json::from_value(value.clone())
                .map(Some)
                .map_err(|error| Error::InvalidResponse {
                    message: format!("{field} is not a compound address: {error}"),
                }),
        }
    }

    /// Writes the address to `changes` as the component fields of `prefix` (`Billing`,
    /// `Shipping`, `Mailing`): `BillingStreet`, `BillingCity`, ... A `None` component is
    /// cleared. The state and country codes are written only when set, because orgs without
    /// State and Country picklists do not have those fields. Geolocation is left alone: it is
    /// filled in by Salesforce's geocoding.
    pub fn write_to(&self, changes: &mut FieldChanges, prefix: &str) {
        let text = [
            ("Street", &self.street),
            ("City", &self.city),
            ("State", &self.state),
            ("PostalCode", &self.postal_code),
            ("Country", &self.country),
        ];
        for (part, value) in text {
            let name = format!("{prefix}{part}");
            match value {
                Some(value) => changes.set(name, value.as_str()),
                None => changes.clear(name),
            };
        }
        for (part, value) in [
            ("StateCode", &self.state_code),
            ("CountryCode", &self.country_code),
        ] {
            if let Some(value) = value {
                changes.set(format!("{prefix}{part}"), value.as_str());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const QUERY: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../corpus/salesforce/restforce__restforce/spec/fixtures/sobject/sobject_find_success_response.json"
    );

    fn recorded() -> Map<String, Value> {
        serde_json::from_slice(&std::fs::read(QUERY).unwrap()).unwrap()
    }

    #[test]
    fn parse_date_reads_recorded_date() {
        let record = recorded();
        let date = parse_date(record["Date_Label"].as_str().unwrap()).unwrap();
        assert_eq!(date, NaiveDate::from_ymd_opt(2010, 1, 1).unwrap());
        assert!(parse_date("2010-01-01T00:00:00Z").is_err());
    }

    #[test]
    fn money_reads_recorded_currency_without_iso_code() {
        let money = Money::from_record(&recorded(), "Currency_Label")
            .unwrap()
            .unwrap();
        assert_eq!(money.amount.as_f64(), Some(23.0));
        assert_eq!(
            money.currency, None,
            "a single-currency org has no CurrencyIsoCode"
        );
        assert_eq!(
            Money::from_record(&recorded(), "OtherDateTime_Label").unwrap(),
            None
        );
    }

    #[test]
    fn money_carries_currency_iso_code_both_ways() {
        let record: Map<String, Value> =
            serde_json::from_value(json!({"Amount": 1234.56, "CurrencyIsoCode": "EUR"})).unwrap();
        let money = Money::from_record(&record, "Amount").unwrap().unwrap();
        assert_eq!(money.currency.as_deref(), Some("EUR"));
        let mut changes = FieldChanges::new();
        money.write_to(&mut changes, "Amount");
        assert_eq!(changes.get("Amount"), Some(&json!(1234.56)));
        assert_eq!(changes.get("CurrencyIsoCode"), Some(&json!("EUR")));
        let text: Map<String, Value> = serde_json::from_value(json!({"Amount": "12"})).unwrap();
        assert!(Money::from_record(&text, "Amount").is_err());
    }

    #[test]
    fn address_reads_compound_and_writes_components() {
        let record: Map<String, Value> = serde_json::from_value(json!({
            "BillingAddress": {
                "street": "345 Shoreline Park", "city": "Mountain View", "state": "California",
                "stateCode": "CA", "postalCode": "94043", "country": "United States",
                "countryCode": "US", "latitude": 37.4, "longitude": -122.1,
                "geocodeAccuracy": "Address"
            }
        }))
        .unwrap();
        let address = Address::from_record(&record, "BillingAddress")
            .unwrap()
            .unwrap();
        assert_eq!(address.city.as_deref(), Some("Mountain View"));
        assert_eq!(address.state_code.as_deref(), Some("CA"));
        assert_eq!(address.latitude, Some(37.4));
        let mut changes = FieldChanges::new();
        Address {
            postal_code: None,
            ..address
        }
        .write_to(&mut changes, "Billing");
        assert_eq!(
            changes.get("BillingStreet"),
            Some(&json!("345 Shoreline Park"))
        );
        assert_eq!(changes.get("BillingPostalCode"), Some(&Value::Null));
        assert_eq!(changes.get("BillingCountryCode"), Some(&json!("US")));
        assert_eq!(
            changes.get("BillingAddress"),
            None,
            "the compound field is read-only"
        );
        assert_eq!(changes.get("BillingLatitude"), None);
    }
}
