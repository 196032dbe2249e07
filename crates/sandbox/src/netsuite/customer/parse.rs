//! Reading a `listRel:Customer` request element into the fields it sets.

use super::addressbook::check_addressbook_list;
use super::render::format_double;
use super::schema::{FieldKind, field_kind, is_read_only};
use super::{CustomField, CustomFieldValue};
use crate::netsuite::datetime::{format_pacific, parse_xsd_datetime};
use crate::netsuite::faults::Fault;
use crate::netsuite::soap::{CORE, RELATIONSHIPS};
use crate::netsuite::xml::{Element, Version};

/// The fields one write request sets on a customer. `None` and empty lists mean "not sent".
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct CustomerInput {
    pub internal_id: Option<String>,
    pub external_id: Option<String>,
    pub entity_id: Option<String>,
    pub company_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub url: Option<String>,
    pub is_inactive: Option<bool>,
    pub custom_fields: Vec<CustomField>,
    pub raw_custom_fields: Vec<Element>,
    pub extras: Vec<Element>,
    pub null_fields: Vec<String>,
    /// Read-only elements that were sent; their values are never stored.
    pub read_only_fields: Vec<String>,
}

/// Reads a Customer record element. Elements the schema does not define, values that do not
/// parse as their type and malformed custom fields are faults, as in NetSuite. Empty or
/// `xsi:nil` text elements set nothing: only `nullFieldList` clears a field.
pub(crate) fn parse_customer(record: &Element, version: Version) -> Result<CustomerInput, Fault> {
    let mut input = CustomerInput {
        internal_id: non_empty(record.attr("internalId")),
        external_id: non_empty(record.attr("externalId")),
        ..CustomerInput::default()
    };
    for field in &record.children {
        if field.is(CORE, "nullFieldList") {
            input.null_fields.extend(null_field_names(field, version)?);
            continue;
        }
        let kind = (field.ns == RELATIONSHIPS)
            .then(|| field_kind(&field.name))
            .flatten()
            .ok_or_else(|| not_on_customer(&field.name, version))?;
        read_field(&mut input, field, kind, version)?;
    }
    Ok(input)
}

fn read_field(
    input: &mut CustomerInput,
    field: &Element,
    kind: FieldKind,
    version: Version,
) -> Result<(), Fault> {
    check_value(field, kind)?;
    if is_read_only(&field.name) {
        input.read_only_fields.push(field.name.clone());
        return Ok(());
    }
    let text = non_empty(Some(field.trimmed_text())).filter(|_| !field.is_nil);
    match field.name.as_str() {
        "entityId" => input.entity_id = text.or(input.entity_id.take()),
        "companyName" => input.company_name = text.or(input.company_name.take()),
        "email" => input.email = text.or(input.email.take()),
        "phone" => input.phone = text.or(input.phone.take()),
        "url" => input.url = text.or(input.url.take()),
        "isInactive" => input.is_inactive = parse_bool(field.trimmed_text()).or(input.is_inactive),
        "customFieldList" => read_custom_fields(input, field, version)?,
        "addressbookList" => {
            let checked = check_addressbook_list(field, version, &mut input.read_only_fields)?;
            input.extras.push(checked);
        }
        _ if is_blank(field, kind) => {}
        _ => input.extras.push(canonical(field, kind)),
    }
    Ok(())
}

/// Empty and nil simple values are ignored; sublists and references always count.
fn is_blank(field: &Element, kind: FieldKind) -> bool {
    let simple = !matches!(kind, FieldKind::RecordRef | FieldKind::Sublist);
    simple && (field.is_nil || field.trimmed_text().is_empty())
}

/// Returns a copy of a simple value in the form NetSuite writes it back: dates in Pacific time
/// with their offset, doubles with a decimal, booleans as `true`/`false`.
fn canonical(field: &Element, kind: FieldKind) -> Element {
    let text = field.trimmed_text();
    let rewritten = match kind {
        FieldKind::DateTime => parse_xsd_datetime(text).map(format_pacific),
        FieldKind::Double => text.parse().ok().map(format_double),
        FieldKind::Long => text.parse::<i64>().ok().map(|number| number.to_string()),
        FieldKind::Boolean => parse_bool(text).map(|flag| flag.to_string()),
        _ => None,
    };
    let mut copy = field.clone();
    if let Some(rewritten) = rewritten {
        copy.text = rewritten;
    }
    copy
}

/// Checks that a simple value parses as its schema type.
fn check_value(field: &Element, kind: FieldKind) -> Result<(), Fault> {
    let text = field.trimmed_text();
    if field.is_nil || text.is_empty() {
        return Ok(());
    }
    let (valid, type_name) = match kind {
        FieldKind::Boolean => (parse_bool(text).is_some(), "boolean"),
        FieldKind::Double => (text.parse::<f64>().is_ok(), "double"),
        FieldKind::Long => (text.parse::<i64>().is_ok(), "long"),
        FieldKind::DateTime => (parse_xsd_datetime(text).is_some(), "dateTime"),
        _ => (true, ""),
    };
    if valid {
        Ok(())
    } else {
        Err(Fault::invalid_value(text, &field.name, type_name))
    }
}

fn null_field_names(list: &Element, version: Version) -> Result<Vec<String>, Fault> {
    list.children
        .iter()
        .map(|name| {
            if name.is(CORE, "name") {
                Ok(name.trimmed_text().to_string())
            } else {
                Err(Fault::element_not_found(
                    &name.name,
                    &version.namespace(CORE),
                    "NullField",
                ))
            }
        })
        .collect()
}

fn read_custom_fields(
    input: &mut CustomerInput,
    list: &Element,
    version: Version,
) -> Result<(), Fault> {
    for field in &list.children {
        if !field.is(CORE, "customField") {
            let core = version.namespace(CORE);
            return Err(Fault::element_not_found(
                &field.name,
                &core,
                "CustomFieldList",
            ));
        }
        match typed_custom_field(field)? {
            Some(typed) => input.custom_fields.push(typed),
            None => input.raw_custom_fields.push(canonical_date_value(field)),
        }
    }
    Ok(())
}

/// Reads a string, boolean, double or long custom field; returns `None` for the other
/// `*CustomFieldRef` types, which are stored as sent.
fn typed_custom_field(field: &Element) -> Result<Option<CustomField>, Fault> {
    let type_name = field
        .xsi_type
        .as_ref()
        .filter(|t| t.ns == CORE)
        .map(|t| t.name.as_str())
        .ok_or_else(|| Fault::invalid_value("", "customField", "CustomFieldRef"))?;
    let value_text = field
        .child(CORE, "value")
        .map(|v| v.trimmed_text().to_string())
        .unwrap_or_default();
    let value = match type_name {
        "StringCustomFieldRef" => CustomFieldValue::String(value_text.clone()),
        "BooleanCustomFieldRef" => parse_bool(&value_text)
            .map(CustomFieldValue::Boolean)
            .ok_or_else(|| Fault::invalid_value(&value_text, "value", "boolean"))?,
        "DoubleCustomFieldRef" => value_text
            .parse()
            .map(CustomFieldValue::Double)
            .map_err(|_| Fault::invalid_value(&value_text, "value", "double"))?,
        "LongCustomFieldRef" => value_text
            .parse()
            .map(CustomFieldValue::Long)
            .map_err(|_| Fault::invalid_value(&value_text, "value", "long"))?,
        "DateCustomFieldRef" => {
            parse_xsd_datetime(&value_text)
                .ok_or_else(|| Fault::invalid_value(&value_text, "value", "dateTime"))?;
            return Ok(None);
        }
        "SelectCustomFieldRef" | "MultiSelectCustomFieldRef" => return Ok(None),
        other => return Err(Fault::invalid_value(other, "customField", "CustomFieldRef")),
    };
    Ok(Some(CustomField {
        script_id: field.attr("scriptId").unwrap_or_default().to_string(),
        internal_id: non_empty(field.attr("internalId")),
        value,
    }))
}

/// Returns a custom field whose `value` child, when it is a date, is written in Pacific time.
fn canonical_date_value(field: &Element) -> Element {
    let mut copy = field.clone();
    for value in copy.children.iter_mut().filter(|v| v.is(CORE, "value")) {
        if let Some(instant) = parse_xsd_datetime(value.trimmed_text()) {
            value.text = format_pacific(instant);
        }
    }
    copy
}

fn not_on_customer(name: &str, version: Version) -> Fault {
    Fault::element_not_found(name, &version.namespace(RELATIONSHIPS), "Customer")
}

pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    match text.trim() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
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

    fn record(fields: &str) -> Element {
        let doc = format!(
            r#"<r xmlns:listRel="urn:relationships_2025_2.lists.webservices.netsuite.com"
                xmlns:platformCore="urn:core_2025_2.platform.webservices.netsuite.com"
                xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                externalId="SF-1">{fields}</r>"#
        );
        parse_document(&doc, V).unwrap()
    }

    #[test]
    fn parse_customer_reads_fields_and_custom_fields() {
        let element = record(
            r#"<listRel:companyName>Acme</listRel:companyName>
            <listRel:isPerson>false</listRel:isPerson>
            <listRel:customFieldList>
              <platformCore:customField scriptId="custentity_a"
                  xsi:type="platformCore:DoubleCustomFieldRef">
                <platformCore:value>2.5</platformCore:value>
              </platformCore:customField>
            </listRel:customFieldList>"#,
        );
        let input = parse_customer(&element, V).unwrap();
        assert_eq!(input.external_id.as_deref(), Some("SF-1"));
        assert_eq!(input.company_name.as_deref(), Some("Acme"));
        assert_eq!(input.extras.len(), 1);
        assert_eq!(input.extras[0].text, "false");
        assert_eq!(input.custom_fields[0].value, CustomFieldValue::Double(2.5));
    }

    #[test]
    fn parse_customer_writes_values_back_as_netsuite_does() {
        let element = record(
            "<listRel:startDate>2024-07-01T12:00:00Z</listRel:startDate>\
             <listRel:creditLimit>5000</listRel:creditLimit>\
             <listRel:taxable>1</listRel:taxable>",
        );
        let input = parse_customer(&element, V).unwrap();
        let texts: Vec<&str> = input.extras.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(
            texts,
            vec!["2024-07-01T05:00:00.000-07:00", "5000.0", "true"]
        );
    }

    #[test]
    fn parse_customer_faults_on_unknown_element() {
        let element = record("<listRel:addr1>1 Main St</listRel:addr1>");
        let fault = parse_customer(&element, V).unwrap_err();
        assert_eq!(
            fault.faultstring,
            "com.netledger.util.schemabean.NLSchemaBeanException: addr1 not found on \
             {urn:relationships_2025_2.lists.webservices.netsuite.com}Customer"
        );
    }

    #[test]
    fn parse_customer_faults_on_bad_boolean() {
        let element = record("<listRel:isInactive>maybe</listRel:isInactive>");
        assert!(parse_customer(&element, V).is_err());
    }

    #[test]
    fn parse_customer_ignores_nil_and_empty_text() {
        let element = record(r#"<listRel:phone xsi:nil="true"/><listRel:email/>"#);
        let input = parse_customer(&element, V).unwrap();
        assert_eq!(input.phone, None);
        assert_eq!(input.email, None);
    }

    #[test]
    fn parse_customer_collects_null_fields_and_read_only() {
        let element = record(
            "<platformCore:nullFieldList><platformCore:name>phone</platformCore:name>\
             </platformCore:nullFieldList>\
             <listRel:lastModifiedDate>2024-01-01T00:00:00Z</listRel:lastModifiedDate>",
        );
        let input = parse_customer(&element, V).unwrap();
        assert_eq!(input.null_fields, vec!["phone".to_string()]);
        assert_eq!(input.read_only_fields, vec!["lastModifiedDate".to_string()]);
    }
}
