//! Sublists as the engine's list values: `itemList[].quantity` reads and writes the
//! `quantity` of each line of `itemList`.
//!
//! Line fields are named by their XSD element and typed as body fields are (a `RecordRef`
//! becomes its internal ID as text, numbers become `Number`, booleans `Bool`, dates text).
//! Two line fields have engine names of their own:
//! - `pricingMatrix[].price` is the price of the first tier of the line's `priceList`, the
//!   one with the lowest quantity. A write sends one tier at quantity 0.
//! - `locationsList[].location` is the internal ID of the line's location. The item XSDs
//!   call that reference `locationId` and use `location` for the location's name, which
//!   endpoints before 2014 also filled with the internal ID; reading falls back to that text
//!   when a line has no `locationId`, and writing sends `locationId`.
//! - `applyList[].doc` is the internal ID of the transaction a payment applies to. The XSD
//!   types it as `xsd:long`, and it reads as text like every other internal ID.
//!
//! Writing a list replaces the whole sublist (`replaceAll="true"`).

use chrono_tz::Tz;
use tandem_engine::{FieldValue, Fields};

use super::fields::{body_value, read_simple};
use crate::error::Error;
use crate::records::{BodyValue, Complex, FieldAccess, Record, Sublist};
use crate::schema::{ComplexType, Field as FieldSchema, FieldKind, schema};

/// The price tier quantity a written `pricingMatrix[].price` gets: the base tier.
const BASE_TIER_QUANTITY: &str = "0";

/// A sublist of a record type: its element, its line element and the line's type.
#[derive(Debug, Clone, Copy)]
pub(super) struct ListSchema {
    /// The sublist element (`itemList`).
    pub name: &'static str,
    /// The element of one line (`item`).
    pub line_name: &'static str,
    /// The type of a line (`SalesOrderItem`).
    pub line: &'static ComplexType,
}

/// A line field as the engine names it.
#[derive(Debug, Clone, Copy)]
pub(super) enum LineField {
    /// An element of the line's type.
    Element(&'static FieldSchema),
    /// `pricingMatrix[].price`: the first tier of the line's `priceList`.
    FirstPrice,
    /// `locationsList[].location`: the `locationId` reference (this element), or the
    /// `location` text.
    Location(&'static FieldSchema),
    /// An internal ID the XSD types as a number (`applyList[].doc`), read as text.
    Id(&'static FieldSchema),
}

/// Line fields that hold an internal ID although the XSD types them as `xsd:long`, by
/// sublist.
const ID_FIELDS: &[(&str, &str)] = &[("applyList", "doc")];

/// Returns the sublist `name` of a record type, or `None` when `name` is not one of its
/// sublists.
pub(super) fn list_schema(record: &ComplexType, name: &str) -> Option<ListSchema> {
    let (_, field) = record.field(name)?;
    let FieldKind::Complex(list_type) = field.kind else {
        return None;
    };
    let line = schema().complex_type(list_type)?.sublist_line()?;
    let FieldKind::Complex(line_type) = line.kind else {
        return None;
    };
    Some(ListSchema {
        name: field.name,
        line_name: line.name,
        line: schema().complex_type(line_type)?,
    })
}

/// Returns the sublists of a record type.
pub(super) fn list_schemas(record: &ComplexType) -> Vec<ListSchema> {
    record
        .fields
        .iter()
        .filter_map(|field| list_schema(record, field.name))
        .collect()
}

impl ListSchema {
    /// Resolves a line field by its engine name. A field that is not in the line's type, or
    /// that is a nested value or a reference list, is a configuration error naming the list.
    pub fn line_field(&self, name: &str) -> Result<LineField, Error> {
        if self.name == "pricingMatrix" && name == "price" {
            return Ok(LineField::FirstPrice);
        }
        if name == "location"
            && let Some((_, location)) = self.line.field("locationId")
        {
            return Ok(LineField::Location(location));
        }
        let field = self.line.field(name).map(|(_, field)| field);
        match field {
            Some(field) if self.is_id_field(name) => Ok(LineField::Id(field)),
            Some(field) if is_mappable(field.kind) => Ok(LineField::Element(field)),
            Some(_) => Err(Error::Config(format!(
                "line field `{name}` of NetSuite {} holds a nested value, which the engine \
                 cannot map",
                self.name
            ))),
            None => Err(Error::Config(format!(
                "NetSuite {} lines ({}) have no field `{name}`",
                self.name, self.line.name
            ))),
        }
    }

    /// Returns the line fields that can be mapped, by their engine names.
    pub fn line_field_names(&self) -> Vec<(String, LineField)> {
        let mut names: Vec<(String, LineField)> = self
            .line
            .fields
            .iter()
            .filter(|field| is_mappable(field.kind))
            .map(|field| {
                let line_field = if self.is_id_field(field.name) {
                    LineField::Id(field)
                } else {
                    LineField::Element(field)
                };
                (field.name.to_string(), line_field)
            })
            .collect();
        if self.name == "pricingMatrix" {
            names.push(("price".to_string(), LineField::FirstPrice));
        }
        if let Some((_, location)) = self.line.field("locationId") {
            names.retain(|(name, _)| name != "location");
            names.push(("location".to_string(), LineField::Location(location)));
        }
        names
    }

    fn is_id_field(&self, name: &str) -> bool {
        ID_FIELDS.contains(&(self.name, name))
    }
}

/// True for the element kinds a line field can hold as one engine value.
fn is_mappable(kind: FieldKind) -> bool {
    matches!(
        kind,
        FieldKind::String
            | FieldKind::Boolean
            | FieldKind::Double
            | FieldKind::Long
            | FieldKind::DateTime
            | FieldKind::Enum
            | FieldKind::RecordRef
    )
}

/// Reads the sublist of `list` as a list value with the fields `names` on each line. A
/// record without the sublist has no lines.
pub(super) fn read_list(
    record: &Record,
    list: &ListSchema,
    names: &[&str],
    zone: Tz,
) -> Result<FieldValue, Error> {
    let resolved = names
        .iter()
        .map(|name| list.line_field(name).map(|field| (*name, field)))
        .collect::<Result<Vec<_>, Error>>()?;
    let Some(BodyValue::Sublist(sublist)) = record.field(list.name) else {
        return Ok(FieldValue::List(Vec::new()));
    };
    let lines = sublist
        .lines
        .iter()
        .map(|line| read_line(line, &resolved, zone))
        .collect::<Result<Vec<_>, Error>>()?;
    Ok(FieldValue::List(lines))
}

fn read_line(line: &Complex, fields: &[(&str, LineField)], zone: Tz) -> Result<Fields, Error> {
    let mut values = Fields::new();
    for (name, field) in fields {
        let value = match field {
            LineField::Element(schema) => read_simple(schema, line.field(schema.name), zone)?,
            LineField::FirstPrice => first_price(line)?,
            LineField::Location(_) => location_id(line),
            LineField::Id(schema) => line
                .text(schema.name)
                .map_or(FieldValue::Null, FieldValue::text),
        };
        values.insert(name.to_string(), value);
    }
    Ok(values)
}

/// Returns the value of the price tier with the lowest quantity (a tier without a quantity
/// counts as 0).
fn first_price(line: &Complex) -> Result<FieldValue, Error> {
    let tiers: Vec<&Complex> = match line.field("priceList") {
        Some(BodyValue::Sublist(list)) => list.lines.iter().collect(),
        Some(BodyValue::Complex(list)) => list
            .fields
            .iter()
            .filter_map(|(name, value)| match value {
                BodyValue::Complex(tier) if name == "price" => Some(tier),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let mut lowest: Option<(f64, f64)> = None;
    for tier in tiers {
        let quantity = tier.double("quantity")?.unwrap_or(0.0);
        let Some(value) = tier.double("value")? else {
            continue;
        };
        if lowest.is_none_or(|(low, _)| quantity < low) {
            lowest = Some((quantity, value));
        }
    }
    Ok(lowest.map_or(FieldValue::Null, |(_, value)| FieldValue::Number(value)))
}

fn location_id(line: &Complex) -> FieldValue {
    let id = line
        .reference("locationId")
        .and_then(|reference| reference.internal_id.as_deref())
        .or_else(|| line.text("location"));
    id.map_or(FieldValue::Null, FieldValue::text)
}

/// Builds the sublist of `list` from a list value, replacing every line of the record. A
/// `Null` value writes an empty sublist.
pub(super) fn write_list(
    list: &ListSchema,
    value: &FieldValue,
    zone: Tz,
) -> Result<BodyValue, Error> {
    let lines = match value {
        FieldValue::List(lines) => lines.as_slice(),
        FieldValue::Null => &[],
        other => {
            return Err(Error::Config(format!(
                "NetSuite {} is a sublist and takes a list of lines, not {other:?}",
                list.name
            )));
        }
    };
    let lines = lines
        .iter()
        .map(|line| write_line(list, line, zone))
        .collect::<Result<Vec<_>, Error>>()?;
    Ok(BodyValue::Sublist(Sublist {
        replace_all: Some(true),
        lines,
        line_name: Some(list.line_name.to_string()),
    }))
}

fn write_line(list: &ListSchema, line: &Fields, zone: Tz) -> Result<Complex, Error> {
    let mut complex = Complex::new();
    for (name, value) in line {
        if matches!(value, FieldValue::Null) {
            // The line is sent whole, so a field left out has no value.
            list.line_field(name)?;
            continue;
        }
        let (element, written) = match list.line_field(name)? {
            LineField::Element(field) => (field.name, line_value(field, value, zone)?),
            LineField::FirstPrice => ("priceList", price_list(value)?),
            LineField::Location(field) | LineField::Id(field) => {
                (field.name, body_value(field, value, zone)?)
            }
        };
        complex.fields.push((element.to_string(), written));
    }
    Ok(complex)
}

/// Converts a line value by its XSD type. A text field also takes a number, because
/// NetSuite types some numeric line fields as text (`rate`, which may hold `10%`).
fn line_value(field: &FieldSchema, value: &FieldValue, zone: Tz) -> Result<BodyValue, Error> {
    match (field.kind, value) {
        (FieldKind::String, FieldValue::Number(number)) => Ok(BodyValue::Text(number.to_string())),
        _ => body_value(field, value, zone),
    }
}

fn price_list(value: &FieldValue) -> Result<BodyValue, Error> {
    let FieldValue::Number(price) = value else {
        return Err(Error::Config(format!(
            "pricingMatrix[].price is a number and cannot take {value:?}"
        )));
    };
    let mut tier = Complex::new();
    tier.fields
        .push(("value".to_string(), BodyValue::Text(price.to_string())));
    tier.fields.push((
        "quantity".to_string(),
        BodyValue::Text(BASE_TIER_QUANTITY.to_string()),
    ));
    Ok(BodyValue::Sublist(Sublist {
        replace_all: None,
        lines: vec![tier],
        line_name: Some("price".to_string()),
    }))
}

#[cfg(test)]
mod tests;
