//! The record types served through the schema model, with the names NetSuite gives them in
//! `xsi:type` values, `RecordType` attributes and search enumerations.

use crate::netsuite::xsd::QName;

/// `urn:relationships_{V}.lists...`: contacts.
const RELATIONSHIPS: &str = crate::netsuite::soap::RELATIONSHIPS;
/// `urn:sales_{V}.transactions...`: sales orders and invoices.
pub(crate) const SALES: &str = "urn:sales_{V}.transactions.webservices.netsuite.com";
/// `urn:customers_{V}.transactions...`: customer payments.
pub(crate) const CUSTOMERS: &str = "urn:customers_{V}.transactions.webservices.netsuite.com";
/// `urn:accounting_{V}.lists...`: items and the account's reference lists (currencies, price
/// levels, locations, subsidiaries, terms).
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
    ServiceSaleItem,
    Currency,
    PriceLevel,
    Location,
    Subsidiary,
    Term,
}

/// The group of record types that share internal IDs and search records in NetSuite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    Entity,
    Transaction,
    Item,
    /// Setup lists such as currencies and terms, which other records refer to.
    Reference,
}

impl RecordKind {
    /// Every kind, in a fixed order.
    pub const ALL: [RecordKind; 12] = [
        RecordKind::Contact,
        RecordKind::SalesOrder,
        RecordKind::Invoice,
        RecordKind::CustomerPayment,
        RecordKind::InventoryItem,
        RecordKind::NonInventorySaleItem,
        RecordKind::ServiceSaleItem,
        RecordKind::Currency,
        RecordKind::PriceLevel,
        RecordKind::Location,
        RecordKind::Subsidiary,
        RecordKind::Term,
    ];

    /// Returns the version-free namespace of the record type.
    pub fn namespace(self) -> &'static str {
        match self {
            RecordKind::Contact => RELATIONSHIPS,
            RecordKind::SalesOrder | RecordKind::Invoice => SALES,
            RecordKind::CustomerPayment => CUSTOMERS,
            _ => ACCOUNTING,
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
            RecordKind::ServiceSaleItem => "ServiceSaleItem",
            RecordKind::Currency => "Currency",
            RecordKind::PriceLevel => "PriceLevel",
            RecordKind::Location => "Location",
            RecordKind::Subsidiary => "Subsidiary",
            RecordKind::Term => "Term",
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
            RecordKind::ServiceSaleItem => "serviceSaleItem",
            RecordKind::Currency => "currency",
            RecordKind::PriceLevel => "priceLevel",
            RecordKind::Location => "location",
            RecordKind::Subsidiary => "subsidiary",
            RecordKind::Term => "term",
        }
    }

    /// Returns the value of this type in transaction and item search `type` criteria
    /// (`_salesOrder`, `_inventoryItem`), or `None` for types those searches do not cover.
    pub fn search_type(self) -> Option<&'static str> {
        match self {
            RecordKind::SalesOrder => Some("_salesOrder"),
            RecordKind::Invoice => Some("_invoice"),
            RecordKind::CustomerPayment => Some("_customerPayment"),
            RecordKind::InventoryItem => Some("_inventoryItem"),
            RecordKind::NonInventorySaleItem => Some("_nonInventoryItem"),
            RecordKind::ServiceSaleItem => Some("_service"),
            _ => None,
        }
    }

    /// Returns the prefix NetSuite writes for the record's namespace.
    pub fn prefix(self) -> &'static str {
        match self {
            RecordKind::Contact => "listRel",
            RecordKind::SalesOrder | RecordKind::Invoice => "tranSales",
            RecordKind::CustomerPayment => "tranCust",
            _ => "listAcct",
        }
    }

    /// Returns the family of the record type.
    pub fn family(self) -> Family {
        match self {
            RecordKind::Contact => Family::Entity,
            RecordKind::SalesOrder | RecordKind::Invoice | RecordKind::CustomerPayment => {
                Family::Transaction
            }
            RecordKind::InventoryItem
            | RecordKind::NonInventorySaleItem
            | RecordKind::ServiceSaleItem => Family::Item,
            RecordKind::Currency
            | RecordKind::PriceLevel
            | RecordKind::Location
            | RecordKind::Subsidiary
            | RecordKind::Term => Family::Reference,
        }
    }

    /// Returns the name of the field that contains the creation date, or `None` for the
    /// reference lists, whose schema types have no date fields.
    pub fn created_field(self) -> Option<&'static str> {
        match self.family() {
            Family::Reference => None,
            _ if self == RecordKind::Contact => Some("dateCreated"),
            _ => Some("createdDate"),
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
            RecordKind::NonInventorySaleItem | RecordKind::ServiceSaleItem => {
                &["createdDate", "lastModifiedDate"]
            }
            RecordKind::Currency
            | RecordKind::PriceLevel
            | RecordKind::Location
            | RecordKind::Subsidiary
            | RecordKind::Term => &[],
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
            let has_created = fields
                .iter()
                .any(|f| Some(f.name.as_str()) == kind.created_field());
            assert_eq!(has_created, kind.created_field().is_some(), "{kind:?}");
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
