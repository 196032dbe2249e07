//! Converting between the REST service's JSON records and the SOAP side's record elements,
//! guided by the published schema: a field's schema type decides whether its JSON value is a
//! reference (`{"id": "5"}`), a sublist (`{"items": [...]}`), a nested object or a scalar.
//!
//! Field names are the same on both sides except for the sublists REST names differently
//! (`itemList` is `item`, `addressbookList` is `addressBook`). Custom fields are top-level
//! members named by script ID. Datetimes are written in UTC (`2017-07-21T17:32:28Z`).

use serde_json::{Map, Value, json};

use super::countries::{country_name, country_value, iso_code};
use super::errors::RestError;
use super::gateway::{element, plain_attribute};
use crate::netsuite::datetime::parse_xsd_datetime;
use crate::netsuite::records::RecordKind;
use crate::netsuite::soap::{CORE, MESSAGES, RELATIONSHIPS};
use crate::netsuite::xml::{Element, ResolvedName};
use crate::netsuite::xsd::{Field, QName, ValueKind, schema};

/// Field names that differ between the SOAP schema and the REST record service, as
/// `(SOAP, REST)` pairs.
const RENAMED: &[(&str, &str)] = &[
    ("itemList", "item"),
    ("addressbookList", "addressBook"),
    ("addressbookAddress", "addressBookAddress"),
    ("applyList", "apply"),
];

/// The schema type of address countries, an enumeration SOAP writes as `_unitedStates` and
/// REST as the ISO code `US`.
const COUNTRY_TYPE: &str = "Country";

/// Members of a JSON record that are not fields.
const NOT_FIELDS: &[&str] = &["links", "id", "refName", "externalId"];

/// Returns the REST name of a SOAP field.
pub(crate) fn rest_name(soap: &str) -> &str {
    RENAMED
        .iter()
        .find(|(from, _)| *from == soap)
        .map_or(soap, |(_, to)| to)
}

/// Returns the SOAP name of a REST field.
pub(crate) fn soap_name(rest: &str) -> &str {
    RENAMED
        .iter()
        .find(|(_, to)| *to == rest)
        .map_or(rest, |(from, _)| from)
}

/// A record type the REST service serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RestType {
    Customer,
    Record(RecordKind),
}

impl RestType {
    /// Reads a record type from a URL path, without regard to case as NetSuite does
    /// (`salesorder` and `salesOrder` are the same).
    pub fn from_path(name: &str) -> Option<RestType> {
        if name.eq_ignore_ascii_case("customer") {
            return Some(RestType::Customer);
        }
        RecordKind::ALL
            .into_iter()
            .find(|kind| kind.record_type().eq_ignore_ascii_case(name))
            .map(RestType::Record)
    }

    /// Returns the `RecordType` value (`salesOrder`).
    pub fn record_type(self) -> &'static str {
        match self {
            RestType::Customer => "customer",
            RestType::Record(kind) => kind.record_type(),
        }
    }

    /// Returns the schema type of the record.
    pub fn qname(self) -> QName {
        match self {
            RestType::Customer => QName::new(RELATIONSHIPS, "Customer"),
            RestType::Record(kind) => kind.qname(),
        }
    }
}

/// Builds the `record` element of a SOAP write from a JSON request body.
pub(crate) fn record_element(rest_type: RestType, body: &Value) -> Result<Element, RestError> {
    let object = body.as_object().ok_or_else(|| {
        RestError::bad_request(
            "INVALID_CONTENT",
            "The request body must be a JSON object of record fields.",
        )
    })?;
    let qname = rest_type.qname();
    let mut record = element(MESSAGES, "record");
    record.xsi_type = Some(ResolvedName {
        ns: qname.ns.clone(),
        name: qname.name.clone(),
    });
    if let Some(external_id) = object.get("externalId").filter(|v| !v.is_null()) {
        record.attrs.push(plain_attribute(
            "externalId",
            &scalar_text("externalId", external_id)?,
        ));
    }
    record.children = field_elements(&qname, object, true)?;
    Ok(record)
}

/// Builds the field elements of a record or nested value from JSON members. Custom fields
/// and `null` values (which clear a field) are only allowed on the record itself.
fn field_elements(
    type_name: &QName,
    object: &Map<String, Value>,
    top: bool,
) -> Result<Vec<Element>, RestError> {
    let mut fields = Vec::new();
    let mut custom = Vec::new();
    let mut nulls = Vec::new();
    for (key, value) in object {
        if NOT_FIELDS.contains(&key.as_str()) {
            continue;
        }
        // A line's own field keeps its name (`item` on a sales order line); only a member that
        // is not a field of the type is read as a renamed sublist.
        let name = if schema().field(type_name, key).is_some() {
            key.as_str()
        } else {
            soap_name(key)
        };
        if value.is_null() {
            // A nested `null` sets nothing: only fields of the record itself can be cleared.
            if top {
                nulls.push(name.to_string());
            }
            continue;
        }
        let known = schema()
            .field(type_name, name)
            .filter(|field| field.name != "customFieldList" && field.name != "nullFieldList");
        match known {
            Some(field) => fields.push(value_element(field, key, value)?),
            None if top && key.starts_with("cust") => custom.push(custom_field(key, value)?),
            None => {
                return Err(RestError::bad_request(
                    "INVALID_CONTENT",
                    format!(
                        "Invalid field {key}: the {} type has no field of that name.",
                        type_name.name
                    ),
                ));
            }
        }
    }
    if !custom.is_empty() {
        let ns = schema()
            .field(type_name, "customFieldList")
            .map_or(type_name.ns.clone(), |field| field.ns.clone());
        let mut list = element(&ns, "customFieldList");
        list.children = custom;
        fields.push(list);
    }
    if !nulls.is_empty() {
        let mut list = element(CORE, "nullFieldList");
        for name in nulls {
            let mut entry = element(CORE, "name");
            entry.text = name;
            list.children.push(entry);
        }
        fields.push(list);
    }
    Ok(fields)
}

fn value_element(field: &Field, key: &str, value: &Value) -> Result<Element, RestError> {
    let mut out = element(&field.ns, &field.name);
    if field.type_name.name == COUNTRY_TYPE {
        out.text = country_of(key, value)?.to_string();
        return Ok(out);
    }
    if schema().value_kind(&field.type_name) != ValueKind::Complex {
        out.text = scalar_text(key, value)?;
        return Ok(out);
    }
    if field.type_name.name == "RecordRef" {
        reference_attributes(&mut out, key, value)?;
        return Ok(out);
    }
    let object = value.as_object().ok_or_else(|| {
        RestError::bad_request(
            "INVALID_CONTENT",
            format!("The value of {key} must be a JSON object."),
        )
    })?;
    let repeated = schema()
        .fields(&field.type_name)
        .into_iter()
        .find(|child| child.repeated)
        .cloned();
    match repeated {
        Some(line) if object.contains_key("items") => {
            let items = object["items"].as_array().ok_or_else(|| {
                RestError::bad_request(
                    "INVALID_CONTENT",
                    format!("The items of {key} must be a JSON array."),
                )
            })?;
            for item in items {
                out.children.push(line_element(&line, key, item)?);
            }
        }
        _ => out.children = field_elements(&field.type_name, object, false)?,
    }
    Ok(out)
}

/// Builds one sublist line or one reference of a reference list.
fn line_element(line: &Field, key: &str, item: &Value) -> Result<Element, RestError> {
    if line.type_name.name == "RecordRef" {
        let mut out = element(&line.ns, &line.name);
        reference_attributes(&mut out, key, item)?;
        return Ok(out);
    }
    let object = item.as_object().ok_or_else(|| {
        RestError::bad_request(
            "INVALID_CONTENT",
            format!("Each line of {key} must be a JSON object."),
        )
    })?;
    let mut out = element(&line.ns, &line.name);
    out.children = field_elements(&line.type_name, object, false)?;
    Ok(out)
}

/// Sets `internalId` or `externalId` from `{"id": ...}`, `{"externalId": ...}` or a bare ID.
fn reference_attributes(out: &mut Element, key: &str, value: &Value) -> Result<(), RestError> {
    match value {
        Value::Object(object) => {
            if let Some(id) = object.get("id").filter(|v| !v.is_null()) {
                out.attrs
                    .push(plain_attribute("internalId", &scalar_text(key, id)?));
            }
            if let Some(id) = object.get("externalId").filter(|v| !v.is_null()) {
                out.attrs
                    .push(plain_attribute("externalId", &scalar_text(key, id)?));
            }
            Ok(())
        }
        Value::String(_) | Value::Number(_) => {
            out.attrs
                .push(plain_attribute("internalId", &scalar_text(key, value)?));
            Ok(())
        }
        _ => Err(RestError::bad_request(
            "INVALID_CONTENT",
            format!("The value of {key} must be a reference such as {{\"id\": \"5\"}}."),
        )),
    }
}

/// Reads a country sent as its ISO code, `"US"` or `{"id": "US"}`, as the enumeration value
/// the SOAP side stores.
fn country_of(key: &str, value: &Value) -> Result<&'static str, RestError> {
    let code = match value {
        Value::Object(object) => object.get("id").and_then(Value::as_str),
        other => other.as_str(),
    };
    code.and_then(country_value).ok_or_else(|| {
        RestError::bad_request(
            "INVALID_CONTENT",
            format!(
                "Invalid value {value} for {key}: a country is an ISO 3166-1 alpha-2 code \
                 such as \"US\"."
            ),
        )
        .at(Some(key.to_string()))
    })
}

fn scalar_text(key: &str, value: &Value) -> Result<String, RestError> {
    match value {
        Value::String(text) => Ok(text.clone()),
        Value::Bool(flag) => Ok(flag.to_string()),
        Value::Number(number) => Ok(number.to_string()),
        _ => Err(RestError::bad_request(
            "INVALID_CONTENT",
            format!("The value of {key} must be a string, a number or a boolean."),
        )),
    }
}

/// Builds a `customField` entry; the JSON type chooses the `CustomFieldRef` kind.
fn custom_field(script_id: &str, value: &Value) -> Result<Element, RestError> {
    let mut out = element(CORE, "customField");
    out.attrs.push(plain_attribute("scriptId", script_id));
    let kind = match value {
        Value::String(text) => {
            out.children.push(text_value(text));
            "StringCustomFieldRef"
        }
        Value::Bool(flag) => {
            out.children.push(text_value(&flag.to_string()));
            "BooleanCustomFieldRef"
        }
        Value::Number(number) => {
            out.children.push(text_value(&number.to_string()));
            if number.is_f64() {
                "DoubleCustomFieldRef"
            } else {
                "LongCustomFieldRef"
            }
        }
        Value::Object(object) if object.contains_key("items") => {
            for item in object["items"].as_array().into_iter().flatten() {
                let mut entry = element(CORE, "value");
                reference_attributes(&mut entry, script_id, item)?;
                out.children.push(entry);
            }
            "MultiSelectCustomFieldRef"
        }
        Value::Object(_) => {
            let mut entry = element(CORE, "value");
            reference_attributes(&mut entry, script_id, value)?;
            out.children.push(entry);
            "SelectCustomFieldRef"
        }
        _ => {
            return Err(RestError::bad_request(
                "INVALID_CONTENT",
                format!("The custom field {script_id} has a value of an unsupported type."),
            ));
        }
    };
    out.xsi_type = Some(ResolvedName {
        ns: CORE.to_string(),
        name: kind.to_string(),
    });
    Ok(out)
}

fn text_value(text: &str) -> Element {
    let mut value = element(CORE, "value");
    value.text = text.to_string();
    value
}

/// Writes a record element as the JSON the record service returns. Sublists are expanded
/// when `expand` is true (`expandSubResources=true`), and otherwise given as links.
pub(crate) fn record_json(record: &Element, rest_type: RestType, url: &str, expand: bool) -> Value {
    let mut object = Map::new();
    object.insert("links".into(), json!([{"rel": "self", "href": url}]));
    if let Some(id) = record.attr("internalId") {
        object.insert("id".into(), Value::String(id.to_string()));
    }
    if let Some(external_id) = record.attr("externalId") {
        object.insert("externalId".into(), Value::String(external_id.to_string()));
    }
    let links = Links { url, expand };
    members(
        &rest_type.qname(),
        &record.children,
        &mut object,
        Some(links),
    );
    Value::Object(object)
}

/// Where a record's sublist links point, and whether sublists are expanded instead.
#[derive(Debug, Clone, Copy)]
struct Links<'a> {
    url: &'a str,
    expand: bool,
}

fn members(
    type_name: &QName,
    children: &[Element],
    object: &mut Map<String, Value>,
    links: Option<Links>,
) {
    for child in children {
        if child.name == "customFieldList" {
            for custom in &child.children {
                if let Some(script_id) = custom.attr("scriptId") {
                    object.insert(script_id.to_string(), custom_json(custom));
                }
            }
            continue;
        }
        if child.name == "nullFieldList" {
            continue;
        }
        let name = rest_name(&child.name);
        let field = schema().field(type_name, &child.name);
        let value = match field {
            Some(field) => field_json(child, field, name, links),
            None => Some(reference_or_text(child)),
        };
        if let Some(value) = value {
            object.insert(name.to_string(), value);
        }
    }
}

fn field_json(element: &Element, field: &Field, name: &str, links: Option<Links>) -> Option<Value> {
    let text = element.trimmed_text();
    if field.type_name.name == COUNTRY_TYPE && !text.is_empty() {
        let code = iso_code(text).unwrap_or(text);
        return Some(json!({"id": code, "refName": country_name(text)}));
    }
    match schema().value_kind(&field.type_name) {
        ValueKind::Complex => Some(complex_json(element, field, name, links)),
        ValueKind::Boolean => Some(Value::Bool(text == "true")),
        ValueKind::Double | ValueKind::Long => Some(number_or_text(text)),
        ValueKind::DateTime => Some(Value::String(utc_text(text))),
        _ if text.is_empty() => None,
        _ => Some(Value::String(text.to_string())),
    }
}

fn complex_json(element: &Element, field: &Field, name: &str, links: Option<Links>) -> Value {
    if element.attr("internalId").is_some() || element.attr("externalId").is_some() {
        return reference_or_text(element);
    }
    let line = schema()
        .fields(&field.type_name)
        .into_iter()
        .find(|child| child.repeated)
        .cloned();
    let Some(line) = line else {
        let mut object = Map::new();
        members(&field.type_name, &element.children, &mut object, None);
        return Value::Object(object);
    };
    if let Some(links) = links.filter(|links| !links.expand) {
        let href = format!("{}/{name}", links.url);
        return json!({"links": [{"rel": "self", "href": href}]});
    }
    let items: Vec<Value> = element
        .children
        .iter()
        .map(|child| {
            if line.type_name.name == "RecordRef" {
                return reference_or_text(child);
            }
            let mut object = Map::new();
            members(&line.type_name, &child.children, &mut object, None);
            Value::Object(object)
        })
        .collect();
    json!({"items": items, "totalResults": items.len(), "count": items.len(), "hasMore": false, "offset": 0})
}

/// Writes a reference as `{"id", "refName"}`, or an element of unknown type as its text.
fn reference_or_text(element: &Element) -> Value {
    let Some(id) = element.attr("internalId") else {
        return Value::String(element.trimmed_text().to_string());
    };
    let mut object = Map::new();
    object.insert("id".into(), Value::String(id.to_string()));
    if let Some(name) = element.child_named("name") {
        object.insert(
            "refName".into(),
            Value::String(name.trimmed_text().to_string()),
        );
    }
    Value::Object(object)
}

fn custom_json(custom: &Element) -> Value {
    let kind = custom.xsi_type.as_ref().map(|t| t.name.as_str());
    let values: Vec<&Element> = custom
        .children
        .iter()
        .filter(|c| c.name == "value")
        .collect();
    let text = values.first().map_or("", |value| value.trimmed_text());
    match kind {
        Some("BooleanCustomFieldRef") => Value::Bool(text == "true"),
        Some("DoubleCustomFieldRef" | "LongCustomFieldRef") => number_or_text(text),
        Some("DateCustomFieldRef") => Value::String(utc_text(text)),
        Some("SelectCustomFieldRef") => values
            .first()
            .map_or(Value::Null, |value| reference_or_text(value)),
        Some("MultiSelectCustomFieldRef") => {
            let items: Vec<Value> = values.iter().map(|v| reference_or_text(v)).collect();
            json!({"items": items})
        }
        _ => Value::String(text.to_string()),
    }
}

fn number_or_text(text: &str) -> Value {
    text.parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map_or_else(|| Value::String(text.to_string()), Value::Number)
}

/// Converts an XSD dateTime with any offset into UTC with a `Z`.
pub(crate) fn utc_text(text: &str) -> String {
    parse_xsd_datetime(text).map_or_else(
        || text.to_string(),
        |instant| instant.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rest_names_of_sublists_round_trip() {
        assert_eq!(rest_name("itemList"), "item");
        assert_eq!(soap_name("addressBook"), "addressbookList");
        assert_eq!(rest_name("companyName"), "companyName");
    }

    #[test]
    fn rest_type_reads_path_without_case() {
        assert_eq!(
            RestType::from_path("salesorder"),
            Some(RestType::Record(RecordKind::SalesOrder))
        );
        assert_eq!(RestType::from_path("Customer"), Some(RestType::Customer));
        assert_eq!(RestType::from_path("vendor"), None);
    }

    #[test]
    fn record_element_builds_refs_customs_and_nulls() {
        let body = json!({
            "companyName": "Acme",
            "subsidiary": {"id": "1"},
            "custentity_region": "West",
            "phone": null,
        });
        let record = record_element(RestType::Customer, &body).unwrap();
        let subsidiary = record.child_named("subsidiary").unwrap();
        assert_eq!(subsidiary.attr("internalId"), Some("1"));
        let custom = record.child_named("customFieldList").unwrap();
        assert_eq!(
            custom.children[0].attr("scriptId"),
            Some("custentity_region")
        );
        let nulls = record.child_named("nullFieldList").unwrap();
        assert_eq!(nulls.children[0].text, "phone");
    }

    #[test]
    fn record_element_rejects_unknown_field() {
        let body = json!({"noSuchField": 1});
        let error = record_element(RestType::Customer, &body).unwrap_err();
        assert_eq!(error.code, "INVALID_CONTENT");
        assert!(error.detail.contains("noSuchField"));
    }

    #[test]
    fn sales_order_lines_become_item_list() {
        let body = json!({"entity": {"id": "7"}, "item": {"items": [{"item": {"id": "3"}, "quantity": 2}]}});
        let record = record_element(RestType::Record(RecordKind::SalesOrder), &body).unwrap();
        let list = record.child_named("itemList").unwrap();
        assert_eq!(list.children.len(), 1);
        let line = &list.children[0];
        assert_eq!(line.child_named("quantity").unwrap().text, "2");
        assert_eq!(
            line.child_named("item").unwrap().attr("internalId"),
            Some("3")
        );
    }

    #[test]
    fn utc_text_converts_pacific_offset() {
        assert_eq!(
            utc_text("2014-05-05T07:44:43.000-07:00"),
            "2014-05-05T14:44:43Z"
        );
    }
}
