//! A customer's billing address as flat fields: `billingAddress.city` and the like.
//!
//! NetSuite keeps addresses as lines of the customer's `addressbookList`, each with an
//! `addressbookAddress` subrecord. The billing address is the line with `defaultBilling` set;
//! a customer without one reads as `Null` in every field.
//!
//! Countries read as ISO 3166-1 alpha-2 codes (`US`) and are written from an ISO code, a
//! `Country` value (`_unitedStates`) or an English name (see [`super::countries`]).
//!
//! An update changes the billing line in place: it sends that line alone, keyed by its
//! `internalId`, with `replaceAll="false"` so the other addresses stay. NetSuite replaces the
//! address subrecord as a whole, so the line carries every address field: the current values
//! merged with the new ones (`Null` clears one). Only the fields listed in [`FIELDS`] are
//! carried over; custom fields of the address and an overridden `addrText` are not. A create
//! sends the address as the customer's only line (`replaceAll="true"`), marked default
//! billing, so an upsert sent twice still leaves one address.

use std::collections::BTreeMap;

use tandem_engine::{FieldValue, Fields};

use super::countries::{country_value, iso_code};
use crate::error::Error;
use crate::records::{BodyValue, Complex, FieldAccess, Record, Sublist};

/// The prefix of billing address fields in requested and written field names.
pub(super) const PREFIX: &str = "billingAddress.";

/// The record type that has a billing address here.
pub(super) const RECORD_TYPE: &str = "customer";

/// The address fields that can be read and written, in `platformCommon:Address` order.
pub(super) const FIELDS: &[&str] = &[
    "country",
    "attention",
    "addressee",
    "addrPhone",
    "addr1",
    "addr2",
    "addr3",
    "city",
    "state",
    "zip",
];

/// The billing line of a customer: its key and its current address values.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct BillingLine {
    /// The line's `internalId`, the key NetSuite updates it by.
    pub internal_id: Option<String>,
    /// Current values of [`FIELDS`], as NetSuite stores them (the country as its enumeration).
    pub values: BTreeMap<&'static str, String>,
}

/// Returns the address field of a requested or written name (`billingAddress.city` gives
/// `city`), `None` for other names, or a configuration error for an unknown address field or
/// a record type without a billing address.
pub(super) fn address_field(record_type: &str, name: &str) -> Result<Option<&'static str>, Error> {
    let Some(field) = name.strip_prefix(PREFIX) else {
        return Ok(None);
    };
    if record_type != RECORD_TYPE {
        return Err(Error::Config(format!(
            "`{name}`: only NetSuite customers have billing address fields here"
        )));
    }
    FIELDS
        .iter()
        .find(|known| **known == field)
        .map(|known| Some(*known))
        .ok_or_else(|| {
            Error::Config(format!(
                "`{name}` is not a billing address field; known: {}",
                FIELDS.join(", ")
            ))
        })
}

/// Returns the default billing line of a record read with its sublists, or `None` when no
/// line has `defaultBilling` set.
pub(super) fn billing_line(record: &Record) -> Option<BillingLine> {
    let list = record.sublist("addressbookList")?;
    let line = list
        .lines
        .iter()
        .find(|line| line.text("defaultBilling").is_some_and(is_true))?;
    let mut values = BTreeMap::new();
    if let Some(address) = line.complex("addressbookAddress") {
        for field in FIELDS {
            if let Some(text) = address.text(field).filter(|text| !text.is_empty()) {
                values.insert(*field, text.to_string());
            }
        }
    }
    Some(BillingLine {
        internal_id: line.text("internalId").map(str::to_string),
        values,
    })
}

fn is_true(text: &str) -> bool {
    matches!(text.trim(), "true" | "1")
}

/// Reads the address fields `fields` of the default billing line; every field is `Null`
/// without one. A country NetSuite sends that the table does not list is kept as sent.
pub(super) fn read_billing(record: &Record, fields: &[&str]) -> Fields {
    let line = billing_line(record).unwrap_or_default();
    fields
        .iter()
        .map(|field| {
            let value = match line.values.get(field) {
                Some(country) if *field == "country" => {
                    FieldValue::text(iso_code(country).unwrap_or(country))
                }
                Some(text) => FieldValue::text(text.as_str()),
                None => FieldValue::Null,
            };
            (format!("{PREFIX}{field}"), value)
        })
        .collect()
}

/// Builds the `addressbookList` that writes `changes` (address field, value) over `current`.
/// With `current`, the line is updated in place; without, a new default billing line is
/// added (`create` replaces every line, an update keeps the others).
pub(super) fn write_billing(
    current: Option<&BillingLine>,
    changes: &[(&'static str, FieldValue)],
    create: bool,
) -> Result<BodyValue, Error> {
    let mut values = current.map(|line| line.values.clone()).unwrap_or_default();
    for (field, value) in changes {
        match value {
            FieldValue::Null => {
                values.remove(field);
            }
            FieldValue::Text(text) if *field == "country" => {
                values.insert(field, country_enum(text)?.to_string());
            }
            FieldValue::Text(text) => {
                values.insert(field, text.clone());
            }
            other => {
                return Err(Error::Config(format!(
                    "`{PREFIX}{field}` is a text field and cannot take {other:?}"
                )));
            }
        }
    }
    let mut address = Complex::new();
    for field in FIELDS {
        if let Some(value) = values.get(field) {
            address
                .fields
                .push((field.to_string(), BodyValue::Text(value.clone())));
        }
    }
    let mut line = Complex::new();
    let key = current.and_then(|line| line.internal_id.clone());
    match key {
        Some(internal_id) => line
            .fields
            .push(("internalId".to_string(), BodyValue::Text(internal_id))),
        None => line.fields.push((
            "defaultBilling".to_string(),
            BodyValue::Text("true".to_string()),
        )),
    }
    line.fields.push((
        "addressbookAddress".to_string(),
        BodyValue::Complex(address),
    ));
    Ok(BodyValue::Sublist(Sublist {
        replace_all: Some(create),
        lines: vec![line],
        line_name: Some("addressbook".to_string()),
    }))
}

fn country_enum(text: &str) -> Result<&'static str, Error> {
    country_value(text).ok_or_else(|| Error::InvalidValue {
        field: format!("{PREFIX}country"),
        message: format!("{text:?} is not an ISO 3166-1 alpha-2 code or a country NetSuite lists"),
    })
}

#[cfg(test)]
mod tests;
