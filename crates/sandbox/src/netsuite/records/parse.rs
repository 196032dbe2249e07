//! Reading a request's record element against the published schema: every element must be
//! one the type defines, every simple value must parse as its type, and values are kept in
//! the form NetSuite writes them back.

use super::{RecordKind, format_double};
use crate::netsuite::customer::parse_bool;
use crate::netsuite::datetime::{format_pacific, parse_xsd_datetime};
use crate::netsuite::faults::Fault;
use crate::netsuite::soap::CORE;
use crate::netsuite::xml::{Element, Version};
use crate::netsuite::xsd::{QName, ValueKind, schema};

/// The fields one write request sets on a record. Empty lists mean "not sent".
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RecordInput {
    pub kind: RecordKind,
    pub internal_id: Option<String>,
    pub external_id: Option<String>,
    /// Fields in the order sent, checked and in NetSuite's written form.
    pub fields: Vec<Element>,
    pub null_fields: Vec<String>,
    /// Read-only fields that were sent; their values are never stored.
    pub read_only_fields: Vec<String>,
}

/// Reads a record element of a known kind. Elements the schema does not define and values
/// that do not parse as their type are faults, as in NetSuite. Empty or `xsi:nil` simple
/// values set nothing: only `nullFieldList` clears a field.
pub(crate) fn parse_record(
    record: &Element,
    kind: RecordKind,
    version: Version,
) -> Result<RecordInput, Fault> {
    let mut input = RecordInput {
        kind,
        internal_id: non_empty(record.attr("internalId")),
        external_id: non_empty(record.attr("externalId")),
        fields: Vec::new(),
        null_fields: Vec::new(),
        read_only_fields: Vec::new(),
    };
    let type_name = kind.qname();
    for field in &record.children {
        if field.is(CORE, "nullFieldList") {
            input.null_fields.extend(null_field_names(field, version)?);
            continue;
        }
        let known = schema()
            .field(&type_name, &field.name)
            .filter(|f| f.ns == field.ns && f.name != "nullFieldList");
        let Some(definition) = known else {
            return Err(not_found(&field.name, &type_name, version));
        };
        if kind.read_only_fields().contains(&field.name.as_str()) {
            input.read_only_fields.push(field.name.clone());
            continue;
        }
        if let Some(checked) = check(field, &definition.type_name, version)? {
            input.fields.push(checked);
        }
    }
    Ok(input)
}

/// Checks one element against its type and returns it in written form, or `None` for an
/// empty simple value.
fn check(element: &Element, type_name: &QName, version: Version) -> Result<Option<Element>, Fault> {
    let kind = schema().value_kind(type_name);
    if kind == ValueKind::Complex {
        return check_complex(element, type_name, version).map(Some);
    }
    let text = element.trimmed_text();
    if element.is_nil || text.is_empty() {
        return Ok(None);
    }
    let written = match kind {
        ValueKind::Boolean => parse_bool(text).map(|flag| flag.to_string()),
        ValueKind::Double => text.parse::<f64>().ok().map(format_double),
        ValueKind::Long => text.parse::<i64>().ok().map(|n| n.to_string()),
        ValueKind::DateTime => parse_xsd_datetime(text).map(format_pacific),
        ValueKind::Enumeration(values) => values.iter().find(|v| *v == text).cloned(),
        ValueKind::String | ValueKind::Unknown | ValueKind::Complex => Some(text.to_string()),
    };
    let Some(written) = written else {
        return Err(Fault::invalid_value(text, &element.name, &type_name.name));
    };
    let mut copy = element.clone();
    copy.text = written;
    copy.children.clear();
    Ok(Some(copy))
}

/// Checks the children of a complex value. Custom field lists are kept as sent (each
/// `customField` carries its own `xsi:type`), and so are the contents of types the schema
/// model cannot check, such as abstract references with an `xsi:type`.
fn check_complex(element: &Element, type_name: &QName, version: Version) -> Result<Element, Fault> {
    if type_name.name == "CustomFieldList" || element.xsi_type.is_some() {
        return Ok(element.clone());
    }
    let mut copy = element.clone();
    copy.children.clear();
    for child in &element.children {
        if child.is(CORE, "nullFieldList") {
            copy.children.push(child.clone());
            continue;
        }
        let definition = schema()
            .field(type_name, &child.name)
            .filter(|f| f.ns == child.ns);
        let Some(definition) = definition else {
            return Err(not_found(&child.name, type_name, version));
        };
        if let Some(checked) = check(child, &definition.type_name, version)? {
            copy.children.push(checked);
        }
    }
    copy.text.clear();
    Ok(copy)
}

fn null_field_names(list: &Element, version: Version) -> Result<Vec<String>, Fault> {
    list.children
        .iter()
        .map(|name| {
            if name.is(CORE, "name") {
                Ok(name.trimmed_text().to_string())
            } else {
                let core = version.namespace(CORE);
                Err(Fault::element_not_found(&name.name, &core, "NullField"))
            }
        })
        .collect()
}

fn not_found(name: &str, type_name: &QName, version: Version) -> Fault {
    Fault::element_not_found(name, &version.namespace(&type_name.ns), &type_name.name)
}

fn non_empty(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netsuite::xml::parse_document;

    const V: Version = Version {
        year: 2025,
        release: 2,
    };

    fn order(fields: &str) -> Element {
        let doc = format!(
            r#"<r xmlns:tranSales="urn:sales_2025_2.transactions.webservices.netsuite.com"
                xmlns:platformCore="urn:core_2025_2.platform.webservices.netsuite.com"
                externalId="OPP-1">{fields}</r>"#
        );
        parse_document(&doc, V).unwrap()
    }

    #[test]
    fn parse_record_reads_nested_item_list() {
        let element = order(
            r#"<tranSales:entity internalId="5"/>
            <tranSales:itemList><tranSales:item>
              <tranSales:item internalId="9"/><tranSales:quantity>2</tranSales:quantity>
            </tranSales:item></tranSales:itemList>"#,
        );
        let input = parse_record(&element, RecordKind::SalesOrder, V).unwrap();
        assert_eq!(input.external_id.as_deref(), Some("OPP-1"));
        assert_eq!(input.fields.len(), 2);
        let line = &input.fields[1].children[0];
        assert_eq!(line.children[1].text, "2.0");
    }

    #[test]
    fn parse_record_faults_on_unknown_line_field() {
        let element = order(
            "<tranSales:itemList><tranSales:item><tranSales:sku>1</tranSales:sku>\
             </tranSales:item></tranSales:itemList>",
        );
        let fault = parse_record(&element, RecordKind::SalesOrder, V).unwrap_err();
        assert_eq!(
            fault.faultstring,
            "com.netledger.util.schemabean.NLSchemaBeanException: sku not found on \
             {urn:sales_2025_2.transactions.webservices.netsuite.com}SalesOrderItem"
        );
    }

    #[test]
    fn parse_record_checks_enumerations() {
        let element = order("<tranSales:orderStatus>_approved</tranSales:orderStatus>");
        assert!(parse_record(&element, RecordKind::SalesOrder, V).is_err());
        let element = order("<tranSales:orderStatus>_pendingFulfillment</tranSales:orderStatus>");
        assert!(parse_record(&element, RecordKind::SalesOrder, V).is_ok());
    }

    #[test]
    fn parse_record_sets_read_only_fields_apart() {
        let element = order("<tranSales:total>5</tranSales:total>");
        let input = parse_record(&element, RecordKind::SalesOrder, V).unwrap();
        assert_eq!(input.read_only_fields, vec!["total".to_string()]);
        assert!(input.fields.is_empty());
    }
}
