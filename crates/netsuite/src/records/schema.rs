//! Schema facts per record type: the element order and the type of each field.

use crate::namespace::Namespace;
use crate::records::customer;

/// The XSD type of a record body field, reduced to what reading and writing need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    String,
    Boolean,
    Double,
    Long,
    DateTime,
    /// An enumeration written as text (`_auto`, `_unitedStates`).
    Enum,
    RecordRef,
    /// A sublist (`addressbookList`, `currencyList`); not written by this client yet.
    Sublist,
    /// The `customFieldList`, written from [`crate::Record::custom_fields`].
    CustomFieldList,
}

/// One element of a record type's XSD sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSchema {
    /// Element name (`companyName`).
    pub name: &'static str,
    /// XSD type of the element.
    pub kind: FieldKind,
}

impl FieldSchema {
    pub(crate) const fn new(name: &'static str, kind: FieldKind) -> FieldSchema {
        FieldSchema { name, kind }
    }
}

/// The schema of one record type.
#[derive(Debug)]
pub struct RecordSchema {
    /// The `RecordType` value (`customer`).
    pub record_type: &'static str,
    /// The XSD type name written in `xsi:type` (`Customer`).
    pub type_name: &'static str,
    /// The namespace of the type and of its fields.
    pub namespace: Namespace,
    /// The body elements in XSD sequence order.
    pub fields: &'static [FieldSchema],
}

impl RecordSchema {
    /// Returns the position of field `name` in the XSD sequence and its schema.
    pub fn field(&self, name: &str) -> Option<(usize, &'static FieldSchema)> {
        self.fields
            .iter()
            .enumerate()
            .find(|(_, field)| field.name == name)
    }
}

/// The kind of a basic search criterion, after its `platformCore:Search*Field` type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CriterionKind {
    String,
    Boolean,
    Date,
    Double,
    Long,
    /// Record references, matched with `anyOf` / `noneOf`.
    MultiSelect,
    /// Enumeration values, matched with `anyOf` / `noneOf`.
    EnumMultiSelect,
}

/// One element of a `*SearchBasic` XSD sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CriterionSchema {
    /// Element name in the basic search type (`lastModifiedDate`).
    pub name: &'static str,
    /// Search field type of the element.
    pub kind: CriterionKind,
}

impl CriterionSchema {
    pub(crate) const fn new(name: &'static str, kind: CriterionKind) -> CriterionSchema {
        CriterionSchema { name, kind }
    }
}

/// The schema of one record type's search.
#[derive(Debug)]
pub struct SearchSchema {
    /// The `RecordType` value of the records the search returns (`customer`).
    pub record_type: &'static str,
    /// The XSD type name written in `xsi:type` (`CustomerSearch`).
    pub type_name: &'static str,
    /// The namespace of the search type and of its `basic` element.
    pub namespace: Namespace,
    /// The criteria of the `basic` element in XSD sequence order. They are in the
    /// `platformCommon` namespace.
    pub basic_fields: &'static [CriterionSchema],
}

impl SearchSchema {
    /// Returns the position of criterion `name` in the XSD sequence and its schema.
    pub fn criterion(&self, name: &str) -> Option<(usize, &'static CriterionSchema)> {
        self.basic_fields
            .iter()
            .enumerate()
            .find(|(_, field)| field.name == name)
    }
}

/// Returns the schema of `record_type`, or `None` for types this client cannot write yet.
pub fn schema_for(record_type: &str) -> Option<&'static RecordSchema> {
    match record_type {
        "customer" => Some(&customer::CUSTOMER),
        _ => None,
    }
}

/// Returns the search schema of `record_type`, or `None` for types this client cannot search
/// yet.
pub fn search_schema_for(record_type: &str) -> Option<&'static SearchSchema> {
    match record_type {
        "customer" => Some(&customer::CUSTOMER_SEARCH),
        _ => None,
    }
}
