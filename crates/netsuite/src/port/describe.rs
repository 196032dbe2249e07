//! Describing a record type from the published schema the crate embeds.
//!
//! Every element of the record's XSD sequence is a field, typed by its XSD type. Text,
//! booleans and numbers keep their kind, a `RecordRef` is a reference, and an enumeration is
//! a picklist with its values. A dateTime is a date for the date-only fields
//! ([`crate::schema::is_date_only`]) and a date-time otherwise, and a sublist is a list. Each mappable line field of a sublist is
//! listed too, as `list[].field` (`itemList[].quantity`), and a customer lists its billing
//! address fields (`billingAddress.city`).
//!
//! Every field is createable and updateable except those in [`READ_ONLY`], which NetSuite
//! sets itself. The schema does not mark read-only fields, so that list is this crate's
//! reading of NetSuite's record pages: creation and modification times, totals, balances and
//! statuses NetSuite computes. Other fields that NetSuite computes may still be rejected on a
//! write. `externalId` is the only external ID. Custom fields are not in the schema: the port
//! adds those the account lists (see `custom_fields.rs`), and any other name starting with
//! `cust` is accepted unchecked.

use tandem_engine::{FieldInfo, FieldType, ObjectInfo};

use super::address;
use super::countries::iso_codes;
use super::lists::{LineField, list_schemas};
use crate::schema::{ComplexType, Field, FieldKind, is_date_only, schema};

/// Fields NetSuite computes and rejects on a write (without `ignoreReadOnlyFields`).
pub(super) const READ_ONLY: &[&str] = &[
    "createdDate",
    "dateCreated",
    "lastModifiedDate",
    "status",
    "subTotal",
    "total",
    "balance",
    "overdueBalance",
    "unbilledOrders",
    "depositBalance",
    "daysOverdue",
    "amountPaid",
    "amountRemaining",
    "applied",
    "unapplied",
    "defaultAddress",
    "quantityAvailable",
    "quantityOnHand",
    "quantityCommitted",
];

/// Describes the record type `record_type` with the fields of `record`.
pub(super) fn describe(record_type: &str, record: &ComplexType) -> ObjectInfo {
    let mut fields = vec![
        info("internalId", FieldType::Text, false),
        FieldInfo {
            external_id: true,
            ..info("externalId", FieldType::Text, true)
        },
    ];
    for field in &record.fields {
        if let Some(field_type) = field_type(field) {
            let writable = !READ_ONLY.contains(&field.name);
            fields.push(info(field.name, field_type, writable));
        }
    }
    for list in list_schemas(record) {
        for (name, line_field) in list.line_field_names() {
            let field_type = match line_field {
                LineField::Element(field) => field_type(field).unwrap_or(FieldType::Text),
                LineField::FirstPrice => FieldType::Number,
                LineField::Location(_) => FieldType::Reference(vec!["location".to_string()]),
                LineField::Id(_) => FieldType::Reference(Vec::new()),
            };
            let writable = !READ_ONLY.contains(&name.as_str());
            let full_name = format!("{}{}{name}", list.name, tandem_engine::LINE_SEPARATOR);
            fields.push(info(&full_name, field_type, writable));
        }
    }
    if record_type == address::RECORD_TYPE {
        for field in address::FIELDS {
            let field_type = match *field {
                "country" => FieldType::Picklist(iso_codes()),
                _ => FieldType::Text,
            };
            fields.push(info(
                &format!("{}{field}", address::PREFIX),
                field_type,
                true,
            ));
        }
    }
    ObjectInfo {
        name: record_type.to_string(),
        fields,
        unlisted_prefix: Some("cust".to_string()),
    }
}

fn info(name: &str, field_type: FieldType, writable: bool) -> FieldInfo {
    FieldInfo {
        name: name.to_string(),
        field_type,
        createable: writable,
        updateable: writable,
        external_id: false,
    }
}

/// Returns the engine type of an element, or `None` for the custom field list, which contains
/// the record's custom fields rather than a value.
fn field_type(field: &Field) -> Option<FieldType> {
    let field_type = match field.kind {
        FieldKind::String => FieldType::Text,
        FieldKind::Boolean => FieldType::Bool,
        FieldKind::Double | FieldKind::Long => FieldType::Number,
        FieldKind::DateTime if is_date_only(field.name) => FieldType::Date,
        FieldKind::DateTime => FieldType::DateTime,
        FieldKind::RecordRef => FieldType::Reference(Vec::new()),
        FieldKind::Enum => FieldType::Picklist(
            schema()
                .enum_values(field.xsd_type)
                .map(|values| values.iter().map(|value| value.to_string()).collect())
                .unwrap_or_default(),
        ),
        FieldKind::CustomFieldList => return None,
        FieldKind::Complex(type_name) if is_sublist(type_name) => FieldType::List,
        _ => FieldType::Other(field.xsd_type.to_string()),
    };
    Some(field_type)
}

fn is_sublist(type_name: &str) -> bool {
    schema()
        .complex_type(type_name)
        .is_some_and(|list| list.sublist_line().is_some())
}

#[cfg(test)]
mod tests;
