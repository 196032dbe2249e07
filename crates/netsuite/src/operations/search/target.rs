//! Which NetSuite search type searches a record type.
//!
//! Transactions share `TransactionSearch` and items share `ItemSearch`; a search for one kind
//! adds a `type anyOf` criterion so that only that kind comes back.

use crate::error::Error;
use crate::namespace::Namespace;
use crate::schema::{ComplexType, schema};

/// A search type and the `type` filter a record type adds to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SearchTarget {
    /// The search type (`TransactionSearch`).
    pub search_type: &'static str,
    /// The value of the basic `type` criterion that keeps one kind (`_salesOrder`).
    pub type_filter: Option<&'static str>,
}

/// Record types and the search each one uses.
const TARGETS: &[(&str, &str, Option<&str>)] = &[
    ("customer", "CustomerSearch", None),
    ("contact", "ContactSearch", None),
    ("transaction", "TransactionSearch", None),
    ("salesOrder", "TransactionSearch", Some("_salesOrder")),
    ("invoice", "TransactionSearch", Some("_invoice")),
    (
        "customerPayment",
        "TransactionSearch",
        Some("_customerPayment"),
    ),
    ("item", "ItemSearch", None),
    ("inventoryItem", "ItemSearch", Some("_inventoryItem")),
    // NOTE: `_nonInventoryItem` and `_service` also match the purchase and resale forms of
    // these items; the records come back with their own xsi:type, which tells them apart.
    (
        "nonInventorySaleItem",
        "ItemSearch",
        Some("_nonInventoryItem"),
    ),
    ("serviceSaleItem", "ItemSearch", Some("_service")),
    ("priceLevel", "PriceLevelSearch", None),
    ("subsidiary", "SubsidiarySearch", None),
    ("term", "TermSearch", None),
    ("location", "LocationSearch", None),
];

/// Returns the search for `record_type`, or a configuration error naming the searchable
/// types.
pub(crate) fn target_of(record_type: &str) -> Result<SearchTarget, Error> {
    TARGETS
        .iter()
        .find(|(name, _, _)| *name == record_type)
        .map(|(_, search_type, type_filter)| SearchTarget {
            search_type,
            type_filter: *type_filter,
        })
        .ok_or_else(|| {
            let names: Vec<&str> = TARGETS.iter().map(|(name, _, _)| *name).collect();
            Error::Config(format!(
                "NetSuite record type `{record_type}` cannot be searched here; searchable: {}",
                names.join(", ")
            ))
        })
}

/// Returns the `basic` criteria group of the search for `record_type` (`CustomerSearchBasic`),
/// or a configuration error when the record type cannot be searched here.
pub(crate) fn basic_group(record_type: &str) -> Result<&'static ComplexType, Error> {
    let target = target_of(record_type)?;
    let search = search_type(target.search_type)?;
    let (_, group, _) = group_of(search, "basic")?;
    Ok(group)
}

/// Returns the schema of complex type `name`, which the extracted schema must contain.
pub(crate) fn search_type(name: &str) -> Result<&'static ComplexType, Error> {
    schema().complex_type(name).ok_or_else(|| {
        Error::Config(format!(
            "the schema has no search type {name}; extend tools/extract_schema.py"
        ))
    })
}

/// Returns the schema of the group `group` (`basic`, `customerJoin`) of `search`, and the
/// namespace of its fields.
pub(crate) fn group_of(
    search: &ComplexType,
    group: &str,
) -> Result<(usize, &'static ComplexType, Namespace), Error> {
    let (position, field) = search
        .field(group)
        .ok_or_else(|| Error::Config(format!("NetSuite {} has no join `{group}`", search.name)))?;
    let crate::schema::FieldKind::Complex(type_name) = field.kind else {
        return Err(Error::Config(format!(
            "`{group}` of {} is not a search group",
            search.name
        )));
    };
    let group_type = search_type(type_name)?;
    Ok((position, group_type, group_type.namespace))
}
