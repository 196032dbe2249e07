//! The record types served through the schema model, with the names NetSuite gives them in
//! `xsi:type` values, `RecordType` attributes and search enumerations.

use crate::netsuite::xsd::QName;

/// `urn:relationships_{V}.lists...`: contacts.
const RELATIONSHIPS: &str = crate::netsuite::soap::RELATIONSHIPS;
/// `urn:sales_{V}.transactions...`: sales orders and invoices.
pub(crate) const SALES: &str = "urn:sales_{V}.transactions.webservices.netsuite.com";
/// `urn:customers_{V}.transactions...`: customer payments.
pub(crate) const CUSTOMERS: &str = "urn:customers_{V}.transactions.webservices.netsuite.com";
/// `urn:accounting_{V}.lists...`: items.
pub(crate) const ACCOUNTING: &str = "urn:accounting_{V}.lists.webservices.netsuite.com";

/// A record type served through the schema model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum RecordKind {
    Contact,
    SalesOrder,
    Invoice,
    CustomerPayment,
    InventoryItem,
    NonInventorySaleItem,
}

/// The group of record types that share internal IDs and search records in NetSuite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    Entity,
    Transaction,
    Item,
}

impl RecordKind {
    /// Every kind, in a fixed order.
    pub const ALL: [RecordKind; 6] = [
        RecordKind::Contact,
        RecordKind::SalesOrder,
        RecordKind::Invoice,
        RecordKind::CustomerPayment,
        RecordKind::InventoryItem,
        RecordKind::NonInventorySaleItem,
    ];

    /// Returns the version-free namespace of the record type.
    pub fn namespace(self) -> &'static str {
        match self {
            RecordKind::Contact => RELATIONSHIPS,
            RecordKind::SalesOrder | RecordKind::Invoice => SALES,
            RecordKind::CustomerPayment => CUSTOMERS,
            RecordKind::InventoryItem | RecordKind::NonInventorySaleItem => ACCOUNTING,
        }
    }

    /// Returns the complex type's local name (`SalesOrder`).
    pub fn type_name(self) -> &'static str {
        match self {
            RecordKind::Contact => "Contact",
            RecordKind::SalesOrder => "SalesOrder",
            RecordKind::Invoice => "Invoice",
            RecordKind::CustomerPayment => "CustomerPayment",
            RecordKind::InventoryItem => "InventoryItem",
            RecordKind::NonInventorySaleItem => "NonInventorySaleItem",
        }
    }

    /// Returns the schema name of the record type.
    pub fn qname(self) -> QName {
        QName::new(self.namespace(), self.type_name())
    }

    /// Returns the `RecordType` value (`salesOrder`), used in RecordRef `type` attributes.
    pub fn record_type(self) -> &'static str {
        match self {
            RecordKind::Contact => "contact",
            RecordKind::SalesOrder => "salesOrder",
            RecordKind::Invoice => "invoice",
            RecordKind::CustomerPayment => "customerPayment",
            RecordKind::InventoryItem => "inventoryItem",
            RecordKind::NonInventorySaleItem => "nonInventorySaleItem",
        }
    }

    /// Returns the value of this type in transaction and item search `type` criteria
    /// (`_salesOrder`, `_inventoryItem`), or `None` for contacts.
    pub fn search_type(self) -> Option<&'static str> {
        match self {
            RecordKind::Contact => None,
            RecordKind::SalesOrder => Some("_salesOrder"),
            RecordKind::Invoice => Some("_invoice"),
            RecordKind::CustomerPayment => Some("_customerPayment"),
            RecordKind::InventoryItem => Some("_inventoryItem"),
            RecordKind::NonInventorySaleItem => Some("_nonInventoryItem"),
        }
    }

    /// Returns the prefix NetSuite writes for the record's namespace.
    pub fn prefix(self) -> &'static str {
        match self {
            RecordKind::Contact => "listRel",
            RecordKind::SalesOrder | RecordKind::Invoice => "tranSales",
            RecordKind::CustomerPayment => "tranCust",
            RecordKind::InventoryItem | RecordKind::NonInventorySaleItem => "listAcct",
        }
    }

    /// Returns the family of the record type.
    pub fn family(self) -> Family {
        match self {
            RecordKind::Contact => Family::Entity,
            RecordKind::SalesOrder | RecordKind::Invoice | RecordKind::CustomerPayment => {
                Family::Transaction
            }
            RecordKind::InventoryItem | RecordKind::NonInventorySaleItem => Family::Item,
        }
    }

    /// Returns the name of the field that contains the creation date.
    pub fn created_field(self) -> &'static str {
        match self {
            RecordKind::Contact => "dateCreated",
            _ => "createdDate",
        }
    }

    /// Finds the kind of an `xsi:type` name.
    pub fn from_qname(ns: &str, name: &str) -> Option<RecordKind> {
        RecordKind::ALL
            .into_iter()
            .find(|kind| kind.namespace() == ns && kind.type_name() == name)
    }

    /// Finds the kind of a `RecordType` value.
    pub fn from_record_type(record_type: &str) -> Option<RecordKind> {
        RecordKind::ALL
            .into_iter()
            .find(|kind| kind.record_type() == record_type)
    }

    /// Fields NetSuite computes itself; a client that sets them needs the
    /// `ignoreReadOnlyFields` preference.
    // NOTE: the schema does not mark read-only fields. These are the totals, balances,
    // statuses and quantities the emulator computes; NetSuite has more.
    pub fn read_only_fields(self) -> &'static [&'static str] {
        match self {
            RecordKind::Contact => &["dateCreated", "lastModifiedDate", "defaultAddress"],
            RecordKind::SalesOrder => &[
                "createdDate",
                "lastModifiedDate",
                "status",
                "subTotal",
                "total",
                "balance",
            ],
            RecordKind::Invoice => &[
                "createdDate",
                "lastModifiedDate",
                "status",
                "subTotal",
                "total",
                "amountPaid",
                "amountRemaining",
                "balance",
            ],
            RecordKind::CustomerPayment => &[
                "createdDate",
                "lastModifiedDate",
                "status",
                "total",
                "applied",
                "unapplied",
                "balance",
            ],
            RecordKind::InventoryItem => &[
                "createdDate",
                "lastModifiedDate",
                "quantityAvailable",
                "quantityOnHand",
                "quantityCommitted",
            ],
            RecordKind::NonInventorySaleItem => &["createdDate", "lastModifiedDate"],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netsuite::xsd::schema;

    #[test]
    fn every_kind_is_a_schema_type_with_its_created_field() {
        for kind in RecordKind::ALL {
            let fields = schema().fields(&kind.qname());
            assert!(!fields.is_empty(), "{kind:?} is not in the schema");
            assert!(
                fields.iter().any(|f| f.name == kind.created_field()),
                "{kind:?} has no {}",
                kind.created_field()
            );
            for name in kind.read_only_fields() {
                assert!(
                    fields.iter().any(|f| f.name == *name),
                    "{kind:?} has no {name}"
                );
            }
        }
    }

    #[test]
    fn from_record_type_finds_each_kind() {
        for kind in RecordKind::ALL {
            assert_eq!(RecordKind::from_record_type(kind.record_type()), Some(kind));
        }
    }
}
