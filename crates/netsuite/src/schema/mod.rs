//! Schema facts from NetSuite's published XSD files: the element sequence and type of every
//! record, sublist, address and search type the client builds or reads, and the namespace of
//! every record type, and the values of every enumeration those types use.
//!
//! NetSuite rejects elements out of sequence order with a fault, so writes and searches sort
//! their elements by these sequences. The facts come from the 2023_2 schema, the newest one this
//! crate was checked against, in `schema/netsuite_2023_2.txt` (written by
//! `tools/extract_schema.py`). Fields added in later versions are unknown here.

mod kind;

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use crate::namespace::Namespace;

pub use kind::{ColumnKind, CriterionKind, FieldKind};

/// The extracted schema text.
const SCHEMA_TEXT: &str = include_str!("../../schema/netsuite_2023_2.txt");

static SCHEMA: LazyLock<Schema> = LazyLock::new(|| Schema::parse(SCHEMA_TEXT));

/// Returns the schema, reading the embedded facts on first use.
pub fn schema() -> &'static Schema {
    &SCHEMA
}

/// Fields that the schema types as `xsd:dateTime` but that hold a calendar date, which
/// NetSuite shows and stores without a time.
///
/// NOTE: this list is this crate's reading of NetSuite's record pages, not a schema fact,
/// because the XSD does not tell dates from times.
const DATE_ONLY_FIELDS: &[&str] = &[
    "tranDate",
    "dueDate",
    "shipDate",
    "startDate",
    "endDate",
    "applyDate",
    "discDate",
    "expectedCloseDate",
    "closeDate",
    "openingBalanceDate",
    "revRecStartDate",
    "revRecEndDate",
];

/// Returns true for a field that holds a calendar date (`tranDate`, `dueDate`). It is read
/// and written in the web services user's time zone, so it never moves by a day.
pub fn is_date_only(name: &str) -> bool {
    DATE_ONLY_FIELDS.contains(&name)
}

/// A record type of the schema: its `RecordType` value, XSD type name and namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordInfo {
    /// The `RecordType` value (`customer`, `salesOrder`).
    pub record_type: &'static str,
    /// The XSD type name written in `xsi:type` (`Customer`, `SalesOrder`).
    pub type_name: &'static str,
    /// The namespace of the type and of its fields.
    pub namespace: Namespace,
}

/// One element of a complex type's sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Element name (`companyName`).
    pub name: &'static str,
    /// The XSD type as the schema spells it (`xsd:string`, `listRel:CustomerAddressbookList`).
    pub xsd_type: &'static str,
    /// The client's reading of the type.
    pub kind: FieldKind,
    /// True when the element may occur more than once (`maxOccurs="unbounded"`).
    pub repeated: bool,
}

/// One attribute of a complex type, such as a sublist's `replaceAll`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// Attribute name (`replaceAll`).
    pub name: &'static str,
    /// The XSD default value, if the schema gives one (`true`).
    pub default: Option<&'static str>,
}

/// A complex type: a record, a sublist, a sublist line, an address, a search or a search row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplexType {
    /// The XSD type name (`Customer`, `CustomerAddressbookList`).
    pub name: &'static str,
    /// The namespace of the type and of its elements.
    pub namespace: Namespace,
    /// The elements in sequence order.
    pub fields: Vec<Field>,
    /// The attributes.
    pub attributes: Vec<Attribute>,
    /// Position of each element by name, because readers look up every element they meet.
    positions: HashMap<&'static str, usize>,
}

impl ComplexType {
    /// Returns the position of element `name` in the sequence and its schema.
    pub fn field(&self, name: &str) -> Option<(usize, &Field)> {
        let position = *self.positions.get(name)?;
        Some((position, &self.fields[position]))
    }

    /// Returns the default of attribute `name`, if the type has one.
    pub fn attribute_default(&self, name: &str) -> Option<&'static str> {
        self.attributes
            .iter()
            .find(|attribute| attribute.name == name)
            .and_then(|attribute| attribute.default)
    }

    /// Returns the line element of a sublist type: its only element, repeated
    /// (`addressbook` in `CustomerAddressbookList`). `None` for other types.
    pub fn sublist_line(&self) -> Option<&Field> {
        match self.fields.as_slice() {
            [line] if line.repeated => Some(line),
            _ => None,
        }
    }
}

/// All schema facts.
#[derive(Debug, Default)]
pub struct Schema {
    types: HashMap<&'static str, ComplexType>,
    records: HashMap<&'static str, RecordInfo>,
    /// Record type by XSD type name.
    type_names: HashMap<&'static str, &'static str>,
    /// Enumeration values by qualified type name (`platformCommonTyp:Country`).
    enums: HashMap<&'static str, Vec<&'static str>>,
}

impl Schema {
    /// Returns the complex type named `name` (`Customer`, `Address`), if it was extracted.
    pub fn complex_type(&self, name: &str) -> Option<&ComplexType> {
        self.types.get(name)
    }

    /// Returns the record type `record_type` (`customer`, `vendorBill`), if the schema has it.
    pub fn record(&self, record_type: &str) -> Option<&RecordInfo> {
        self.records.get(record_type)
    }

    /// Returns the sequence of record type `record_type`, if it was extracted. Record types
    /// without typed models have a namespace but no sequence here.
    pub fn record_fields(&self, record_type: &str) -> Option<&ComplexType> {
        let record = self.record(record_type)?;
        self.complex_type(record.type_name)
    }

    /// Returns the record type whose XSD type name is `type_name` (`SalesOrder`).
    pub fn record_by_type_name(&self, type_name: &str) -> Option<&RecordInfo> {
        let record_type = self.type_names.get(type_name)?;
        self.record(record_type)
    }

    /// Returns the values of the enumeration an element's `xsd_type` names
    /// (`platformCommonTyp:Country`), for the enumerations the extracted types use.
    pub fn enum_values(&self, xsd_type: &str) -> Option<&[&'static str]> {
        self.enums.get(xsd_type).map(Vec::as_slice)
    }

    /// Returns the number of record types and of complex types with a sequence.
    pub fn counts(&self) -> (usize, usize) {
        (self.records.len(), self.types.len())
    }

    /// Reads the extracted text. The text is part of the crate and checked by its tests, so a
    /// malformed line is a build defect and panics with its line number.
    fn parse(text: &'static str) -> Schema {
        let mut schema = Schema::default();
        let mut current: Option<ComplexType> = None;
        for (number, line) in text.lines().enumerate() {
            let parsed = schema.parse_line(line, &mut current);
            if let Err(reason) = parsed {
                panic!("schema line {}: {reason}: {line:?}", number + 1);
            }
        }
        schema.finish_type(current.take());
        schema.resolve_kinds();
        schema
    }

    fn parse_line(
        &mut self,
        line: &'static str,
        current: &mut Option<ComplexType>,
    ) -> Result<(), &'static str> {
        if line.is_empty() || line.starts_with('#') {
            return Ok(());
        }
        if let Some(member) = line.strip_prefix("  ") {
            let complex = current.as_mut().ok_or("a member outside a type")?;
            return parse_member(member, complex);
        }
        let words: Vec<&'static str> = line.split(' ').collect();
        match words.as_slice() {
            ["record", record_type, type_name, prefix] => {
                let namespace = Namespace::from_prefix(prefix).ok_or("unknown prefix")?;
                self.add_record(record_type, type_name, namespace);
            }
            ["enum", name, values @ ..] => {
                self.finish_type(current.take());
                self.enums.insert(name, values.to_vec());
            }
            ["type", name, prefix] => {
                let namespace = Namespace::from_prefix(prefix).ok_or("unknown prefix")?;
                self.finish_type(current.take());
                *current = Some(ComplexType {
                    name,
                    namespace,
                    fields: Vec::new(),
                    attributes: Vec::new(),
                    positions: HashMap::new(),
                });
            }
            _ => return Err("unknown line"),
        }
        Ok(())
    }

    fn add_record(
        &mut self,
        record_type: &'static str,
        type_name: &'static str,
        namespace: Namespace,
    ) {
        let info = RecordInfo {
            record_type,
            type_name,
            namespace,
        };
        self.records.insert(record_type, info);
        self.type_names.insert(type_name, record_type);
    }

    fn finish_type(&mut self, complex: Option<ComplexType>) {
        if let Some(complex) = complex {
            self.types.insert(complex.name, complex);
        }
    }

    /// Marks fields whose type is an extracted complex type as [`FieldKind::Complex`].
    fn resolve_kinds(&mut self) {
        let names: HashSet<&'static str> = self.types.keys().copied().collect();
        for complex in self.types.values_mut() {
            for field in &mut complex.fields {
                let local = field.xsd_type.split_once(':').map(|(_, local)| local);
                if let Some(local) = local
                    && field.kind == FieldKind::Other
                    && let Some(name) = names.get(local)
                {
                    field.kind = FieldKind::Complex(name);
                }
            }
        }
    }
}

fn parse_member(member: &'static str, complex: &mut ComplexType) -> Result<(), &'static str> {
    let words: Vec<&'static str> = member.split(' ').collect();
    if let Some(name) = words[0].strip_prefix('@') {
        let default = words.get(2).copied();
        complex.attributes.push(Attribute { name, default });
        return Ok(());
    }
    let (name, xsd_type, repeated) = match words.as_slice() {
        [name, xsd_type] => (*name, *xsd_type, false),
        [name, xsd_type, "*"] => (*name, *xsd_type, true),
        _ => return Err("an element needs a name and a type"),
    };
    // The first of two elements with one name keeps the position, as a linear search would.
    complex
        .positions
        .entry(name)
        .or_insert(complex.fields.len());
    complex.fields.push(Field {
        name,
        xsd_type,
        kind: FieldKind::of_xsd_type(xsd_type),
        repeated,
    });
    Ok(())
}

#[cfg(test)]
mod tests;
