//! Writing a stored customer as a `listRel:Customer` record element, fields in schema order.

use std::collections::BTreeSet;

use super::schema::{CUSTOMER_FIELDS, FieldKind};
use super::{CustomField, CustomFieldValue, StoredCustomer};
use crate::netsuite::datetime::format_pacific;
use crate::netsuite::soap::{CORE, RELATIONSHIPS, prefix_for};
use crate::netsuite::xml::{Element, Version, XSI, XmlWriter};

/// The name of a record element and the prefixes declared around it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RecordContext<'a> {
    /// `record` inside a get response, `platformCore:record` inside a search result.
    pub element: &'a str,
    /// True when an ancestor declares the `platformCore` prefix.
    pub core_in_scope: bool,
    /// True to leave sublists out, as search does while `bodyFieldsOnly` is true.
    pub body_fields_only: bool,
}

/// Writes one customer record.
pub(crate) fn write_customer(
    out: &mut XmlWriter,
    stored: &StoredCustomer,
    context: RecordContext,
    version: Version,
) {
    let customer = &stored.customer;
    let relationships = version.namespace(RELATIONSHIPS);
    let mut attrs = vec![("internalId", customer.internal_id.as_str())];
    if let Some(external_id) = &customer.external_id {
        attrs.push(("externalId", external_id));
    }
    attrs.push(("xsi:type", "listRel:Customer"));
    attrs.push(("xmlns:listRel", &relationships));
    out.open(context.element, &attrs);
    for (name, kind) in CUSTOMER_FIELDS {
        write_field(out, stored, name, kind, context, version);
    }
    out.close(context.element);
}

fn write_field(
    out: &mut XmlWriter,
    stored: &StoredCustomer,
    name: &str,
    kind: FieldKind,
    context: RecordContext,
    version: Version,
) {
    let customer = &stored.customer;
    let text = match name {
        "entityId" => customer.entity_id.clone(),
        "companyName" => customer.company_name.clone(),
        "phone" => customer.phone.clone(),
        "email" => customer.email.clone(),
        "url" => customer.url.clone(),
        "isInactive" => Some(customer.is_inactive.to_string()),
        "dateCreated" => Some(format_pacific(customer.date_created)),
        "lastModifiedDate" => Some(format_pacific(customer.last_modified)),
        "customFieldList" => {
            write_custom_fields(out, stored, context.core_in_scope, version);
            return;
        }
        _ => {
            write_extra(out, stored, name, kind, context, version);
            return;
        }
    };
    if let Some(text) = text {
        out.text_element(&format!("listRel:{name}"), &[], &text);
    }
}

fn write_extra(
    out: &mut XmlWriter,
    stored: &StoredCustomer,
    name: &str,
    kind: FieldKind,
    context: RecordContext,
    version: Version,
) {
    if kind == FieldKind::Sublist && context.body_fields_only {
        return;
    }
    let mut in_scope = BTreeSet::from([RELATIONSHIPS.to_string()]);
    if context.core_in_scope {
        in_scope.insert(CORE.to_string());
    }
    for extra in stored.extras.iter().filter(|e| e.name == name) {
        write_stored_element(out, extra, &in_scope, version);
    }
}

fn write_custom_fields(
    out: &mut XmlWriter,
    stored: &StoredCustomer,
    core_in_scope: bool,
    version: Version,
) {
    let fields = &stored.customer.custom_fields;
    if fields.is_empty() && stored.raw_custom_fields.is_empty() {
        return;
    }
    let core = version.namespace(CORE);
    let mut attrs = Vec::new();
    if !core_in_scope {
        attrs.push(("xmlns:platformCore", core.as_str()));
    }
    out.open("listRel:customFieldList", &attrs);
    for field in fields {
        write_custom_field(out, field);
    }
    let in_scope = BTreeSet::from([RELATIONSHIPS.to_string(), CORE.to_string()]);
    for raw in &stored.raw_custom_fields {
        write_stored_element(out, raw, &in_scope, version);
    }
    out.close("listRel:customFieldList");
}

fn write_custom_field(out: &mut XmlWriter, field: &CustomField) {
    let (type_name, value) = match &field.value {
        CustomFieldValue::String(text) => ("platformCore:StringCustomFieldRef", text.clone()),
        CustomFieldValue::Boolean(flag) => ("platformCore:BooleanCustomFieldRef", flag.to_string()),
        CustomFieldValue::Double(number) => {
            ("platformCore:DoubleCustomFieldRef", format_double(*number))
        }
        CustomFieldValue::Long(number) => ("platformCore:LongCustomFieldRef", number.to_string()),
    };
    let mut attrs = Vec::new();
    if let Some(internal_id) = &field.internal_id {
        attrs.push(("internalId", internal_id.as_str()));
    }
    attrs.push(("scriptId", field.script_id.as_str()));
    attrs.push(("xsi:type", type_name));
    out.open("platformCore:customField", &attrs);
    out.text_element("platformCore:value", &[], &value);
    out.close("platformCore:customField");
}

/// Formats a double as NetSuite does, with at least one decimal (`10.0`, `2.5`).
pub(crate) fn format_double(number: f64) -> String {
    if number.is_finite() && number.fract() == 0.0 && number.abs() < 1e15 {
        format!("{number:.1}")
    } else {
        number.to_string()
    }
}

/// Writes an element kept from a request, with prefixes chosen by namespace and declarations
/// for the namespaces that `in_scope` does not already declare.
pub(crate) fn write_stored_element(
    out: &mut XmlWriter,
    element: &Element,
    in_scope: &BTreeSet<String>,
    version: Version,
) {
    let mut used = BTreeSet::new();
    collect_namespaces(element, &mut used);
    let declarations: Vec<(String, String)> = used
        .difference(in_scope)
        .map(|ns| (format!("xmlns:{}", prefix_for(ns)), version.namespace(ns)))
        .collect();
    write_element(out, element, &declarations);
}

fn write_element(out: &mut XmlWriter, element: &Element, declarations: &[(String, String)]) {
    let name = qualified(&element.ns, &element.name);
    let mut attrs: Vec<(String, String)> = element
        .attrs
        .iter()
        .filter(|a| a.ns != XSI)
        .map(|a| (qualified(&a.ns, &a.name), a.value.clone()))
        .collect();
    if let Some(xsi_type) = &element.xsi_type {
        attrs.push((
            "xsi:type".to_string(),
            qualified(&xsi_type.ns, &xsi_type.name),
        ));
    }
    attrs.extend_from_slice(declarations);
    let borrowed: Vec<(&str, &str)> = attrs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    if element.children.is_empty() && element.text.is_empty() {
        out.empty(&name, &borrowed);
        return;
    }
    if element.children.is_empty() {
        out.text_element(&name, &borrowed, &element.text);
        return;
    }
    out.open(&name, &borrowed);
    for child in &element.children {
        write_element(out, child, &[]);
    }
    out.close(&name);
}

fn collect_namespaces(element: &Element, used: &mut BTreeSet<String>) {
    let names = std::iter::once(&element.ns)
        .chain(element.attrs.iter().filter(|a| a.ns != XSI).map(|a| &a.ns))
        .chain(element.xsi_type.iter().map(|t| &t.ns));
    used.extend(names.filter(|ns| !ns.is_empty()).cloned());
    for child in &element.children {
        collect_namespaces(child, used);
    }
}

fn qualified(ns: &str, name: &str) -> String {
    if ns.is_empty() {
        name.to_string()
    } else {
        format!("{}:{name}", prefix_for(ns))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netsuite::customer::Customer;
    use chrono::{TimeZone, Utc};

    const V: Version = Version {
        year: 2025,
        release: 2,
    };

    fn stored() -> StoredCustomer {
        let when = Utc.with_ymd_and_hms(2024, 1, 15, 18, 0, 0).unwrap();
        StoredCustomer::from_customer(Customer {
            internal_id: "42".into(),
            external_id: Some("SF-1".into()),
            entity_id: Some("CUST00042".into()),
            company_name: Some("Acme & Sons".into()),
            email: Some("ap@acme.example".into()),
            phone: None,
            url: None,
            is_inactive: false,
            date_created: when,
            last_modified: when,
            custom_fields: vec![CustomField {
                script_id: "custentity_score".into(),
                internal_id: Some("7".into()),
                value: CustomFieldValue::Double(3.0),
            }],
        })
    }

    #[test]
    fn write_customer_follows_schema_order() {
        let mut out = XmlWriter::default();
        let context = RecordContext {
            element: "record",
            core_in_scope: false,
            body_fields_only: false,
        };
        write_customer(&mut out, &stored(), context, V);
        let xml = out.finish();
        let entity = xml.find("listRel:entityId").unwrap();
        let company = xml.find("listRel:companyName").unwrap();
        let email = xml.find("listRel:email").unwrap();
        let modified = xml.find("listRel:lastModifiedDate").unwrap();
        let custom = xml.find("listRel:customFieldList").unwrap();
        assert!(entity < company);
        assert!(company < email);
        assert!(email < modified);
        assert!(modified < custom);
        assert!(xml.contains("Acme &amp; Sons"));
        assert!(xml.contains("2024-01-15T10:00:00.000-08:00"));
        assert!(xml.contains("<platformCore:value>3.0</platformCore:value>"));
        assert!(xml.contains(
            "<listRel:customFieldList xmlns:platformCore=\"urn:core_2025_2.platform.webservices.netsuite.com\">"
        ));
    }

    #[test]
    fn format_double_keeps_one_decimal() {
        assert_eq!(format_double(10.0), "10.0");
        assert_eq!(format_double(2.25), "2.25");
    }
}
