//! The record types of the published 2023_2 XSD files, read once from the embedded files: each
//! complex type's elements in sequence order with their types, its base type and attributes,
//! and each simple type's enumeration. Records of every type except the customer are checked
//! and written through this model.

mod read;

use std::collections::HashMap;
use std::sync::OnceLock;

/// The XML Schema namespace, home of the built-in types (`xsd:string`...).
pub(crate) const XML_SCHEMA: &str = "http://www.w3.org/2001/XMLSchema";

/// A type or element name with its version-free namespace URI.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct QName {
    pub ns: String,
    pub name: String,
}

impl QName {
    /// Creates a name from a version-free namespace and a local name.
    pub fn new(ns: &str, name: &str) -> QName {
        QName {
            ns: ns.to_string(),
            name: name.to_string(),
        }
    }
}

/// One element of a complex type's sequence.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Field {
    /// The namespace of the schema that declares the element: elements are qualified.
    pub ns: String,
    pub name: String,
    pub type_name: QName,
    /// True when `maxOccurs` is above one.
    pub repeated: bool,
}

/// A complex type: its own sequence and the name of the type it extends.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ComplexType {
    pub base: Option<QName>,
    pub fields: Vec<Field>,
    pub attributes: Vec<String>,
}

/// The value a simple type allows.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SimpleType {
    pub base: QName,
    /// The allowed values; empty when the type is not an enumeration.
    pub enumeration: Vec<String>,
}

/// The kind of check a value of some type gets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum ValueKind<'a> {
    String,
    Boolean,
    Double,
    Long,
    DateTime,
    /// A simple type restricted to these values.
    Enumeration(&'a [String]),
    /// A complex type, with child elements.
    Complex,
    /// A type the model does not know; its value is not checked.
    Unknown,
}

/// Every type of the published schema.
#[derive(Debug, Default)]
pub(crate) struct Schema {
    complex: HashMap<QName, ComplexType>,
    simple: HashMap<QName, SimpleType>,
}

/// Returns the schema, reading the embedded files on first use.
pub(crate) fn schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(read::read_published)
}

impl Schema {
    /// Returns the elements of a complex type, those of its base types first.
    pub fn fields(&self, name: &QName) -> Vec<&Field> {
        let mut chain = Vec::new();
        let mut current = self.complex.get(name);
        while let Some(complex) = current {
            chain.push(complex);
            current = complex
                .base
                .as_ref()
                .and_then(|base| self.complex.get(base));
            if chain.len() > 16 {
                break;
            }
        }
        chain
            .iter()
            .rev()
            .flat_map(|complex| complex.fields.iter())
            .collect()
    }

    /// Returns the element of a complex type (or of its base types) with this local name.
    pub fn field(&self, type_name: &QName, name: &str) -> Option<&Field> {
        self.fields(type_name).into_iter().find(|f| f.name == name)
    }

    /// Returns true when the complex type, or a base type, declares this attribute.
    pub fn has_attribute(&self, type_name: &QName, attribute: &str) -> bool {
        let mut current = self.complex.get(type_name);
        let mut depth = 0;
        while let Some(complex) = current {
            if complex.attributes.iter().any(|a| a == attribute) {
                return true;
            }
            current = complex
                .base
                .as_ref()
                .and_then(|base| self.complex.get(base));
            depth += 1;
            if depth > 16 {
                break;
            }
        }
        false
    }

    /// Returns true for sublist types, the ones with a `replaceAll` attribute, which search
    /// leaves out while `bodyFieldsOnly` is true.
    pub fn is_sublist(&self, type_name: &QName) -> bool {
        self.has_attribute(type_name, "replaceAll")
    }

    /// Returns how values of a type are checked.
    pub fn value_kind(&self, type_name: &QName) -> ValueKind<'_> {
        if type_name.ns == XML_SCHEMA {
            return builtin_kind(&type_name.name);
        }
        if self.complex.contains_key(type_name) {
            return ValueKind::Complex;
        }
        match self.simple.get(type_name) {
            Some(simple) if !simple.enumeration.is_empty() => {
                ValueKind::Enumeration(&simple.enumeration)
            }
            Some(simple) if simple.base.ns == XML_SCHEMA => builtin_kind(&simple.base.name),
            _ => ValueKind::Unknown,
        }
    }
}

fn builtin_kind(name: &str) -> ValueKind<'static> {
    match name {
        "boolean" => ValueKind::Boolean,
        "double" | "float" | "decimal" => ValueKind::Double,
        "long" | "int" | "integer" | "short" => ValueKind::Long,
        "dateTime" => ValueKind::DateTime,
        _ => ValueKind::String,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SALES: &str = "urn:sales_{V}.transactions.webservices.netsuite.com";
    const CORE: &str = "urn:core_{V}.platform.webservices.netsuite.com";

    #[test]
    fn schema_reads_sales_order_in_sequence_order() {
        let fields = schema().fields(&QName::new(SALES, "SalesOrder"));
        let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names[0], "nullFieldList");
        assert_eq!(names[1], "createdDate");
        assert!(names.contains(&"itemList"));
        assert_eq!(names.last(), Some(&"customFieldList"));
        assert_eq!(fields[0].ns, CORE);
        assert_eq!(fields[1].ns, SALES);
    }

    #[test]
    fn schema_knows_value_kinds() {
        let schema = schema();
        let order = QName::new(SALES, "SalesOrder");
        let status = schema.field(&order, "orderStatus").unwrap();
        let ValueKind::Enumeration(values) = schema.value_kind(&status.type_name) else {
            panic!("orderStatus is not an enumeration");
        };
        assert!(values.iter().any(|v| v == "_pendingApproval"));
        let date = schema.field(&order, "tranDate").unwrap();
        assert_eq!(schema.value_kind(&date.type_name), ValueKind::DateTime);
        let entity = schema.field(&order, "entity").unwrap();
        assert_eq!(schema.value_kind(&entity.type_name), ValueKind::Complex);
    }

    #[test]
    fn schema_marks_item_list_as_sublist() {
        let schema = schema();
        let order = QName::new(SALES, "SalesOrder");
        let items = schema.field(&order, "itemList").unwrap();
        assert!(schema.is_sublist(&items.type_name));
        let entity = schema.field(&order, "entity").unwrap();
        assert!(!schema.is_sublist(&entity.type_name));
        let line = schema.field(&items.type_name, "item").unwrap();
        assert!(line.repeated);
    }

    #[test]
    fn record_ref_has_its_attributes() {
        let record_ref = QName::new(CORE, "RecordRef");
        assert!(schema().has_attribute(&record_ref, "internalId"));
        assert!(schema().has_attribute(&record_ref, "type"));
    }
}
