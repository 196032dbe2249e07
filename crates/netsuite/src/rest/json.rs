//! Converting between [`Record`]s and the JSON of the REST record service.
//!
//! Body fields keep their names, except the sublists REST names differently (`itemList` is
//! `item`, `addressbookList` is `addressBook`). References are `{"id": "5"}`, sublists
//! `{"items": [...]}`, custom fields top-level members named by script ID, and datetimes UTC
//! (`2017-07-21T17:32:28Z`). The schema's field types decide which JSON type a text value is
//! sent as, so a phone number stays a string while a quantity becomes a number.

use chrono::{DateTime, Utc};
use serde_json::{Map, Number, Value, json};

use crate::error::Error;
use crate::port::countries::{country_value, iso_code};
use crate::records::{
    BodyValue, Complex, CustomField, CustomValue, ListOrRecordRef, Record, RecordRef, Sublist,
};
use crate::schema::{ComplexType, Field, FieldKind, schema};

/// Field names that differ between the SOAP schema and the REST record service, as
/// `(SOAP, REST)` pairs.
const RENAMED: &[(&str, &str)] = &[
    ("itemList", "item"),
    ("addressbookList", "addressBook"),
    ("addressbookAddress", "addressBookAddress"),
    ("applyList", "apply"),
];

/// Members of a REST record that are not fields.
const NOT_FIELDS: &[&str] = &["links", "id", "refName", "externalId"];

/// Returns the REST name of a SOAP field.
pub(crate) fn rest_name(soap: &str) -> &str {
    RENAMED
        .iter()
        .find(|(from, _)| *from == soap)
        .map_or(soap, |(_, to)| to)
}

fn soap_name<'a>(fields: Option<&ComplexType>, rest: &'a str) -> &'a str {
    if fields.is_some_and(|fields| fields.field(rest).is_some()) {
        return rest;
    }
    RENAMED
        .iter()
        .find(|(_, to)| *to == rest)
        .map_or(rest, |(from, _)| from)
}

/// Builds the JSON body of a write. Fields to clear are sent as `null`.
pub(crate) fn record_body(record: &Record) -> Result<Value, Error> {
    let fields = schema().record_fields(&record.record_type);
    let mut object = Map::new();
    for (name, value) in &record.fields {
        object.insert(rest_name(name).to_string(), body_json(fields, name, value)?);
    }
    for custom in &record.custom_fields {
        let script_id = custom
            .script_id
            .as_deref()
            .ok_or_else(|| Error::InvalidValue {
                field: "customFieldList".to_string(),
                message: "the REST record service names custom fields by script ID".to_string(),
            })?;
        object.insert(script_id.to_string(), custom_json(&custom.value));
    }
    for name in &record.null_fields {
        object.insert(rest_name(name).to_string(), Value::Null);
    }
    Ok(Value::Object(object))
}

fn body_json(
    type_fields: Option<&ComplexType>,
    name: &str,
    value: &BodyValue,
) -> Result<Value, Error> {
    let field = type_fields
        .and_then(|fields| fields.field(name))
        .map(|(_, f)| f);
    Ok(match value {
        BodyValue::Text(text) if field.is_some_and(is_country) => country_json(name, text)?,
        BodyValue::Text(text) => text_json(field.map(|f| &f.kind), name, text)?,
        BodyValue::Ref(reference) => reference_json(reference),
        BodyValue::RefList(references) => {
            json!({"items": references.iter().map(reference_json).collect::<Vec<_>>()})
        }
        BodyValue::Complex(complex) => {
            let nested = field.and_then(|f| match f.kind {
                FieldKind::Complex(type_name) => schema().complex_type(type_name),
                _ => None,
            });
            complex_json(nested, complex)?
        }
        BodyValue::Sublist(sublist) => {
            let line_type = field
                .and_then(|f| match f.kind {
                    FieldKind::Complex(type_name) => schema().complex_type(type_name),
                    _ => None,
                })
                .and_then(|list| list.sublist_line())
                .and_then(|line| match line.kind {
                    FieldKind::Complex(type_name) => schema().complex_type(type_name),
                    _ => None,
                });
            sublist_json(line_type, sublist)?
        }
    })
}

fn complex_json(fields: Option<&ComplexType>, complex: &Complex) -> Result<Value, Error> {
    let mut object = Map::new();
    for (name, value) in &complex.fields {
        object.insert(rest_name(name).to_string(), body_json(fields, name, value)?);
    }
    for custom in &complex.custom_fields {
        if let Some(script_id) = &custom.script_id {
            object.insert(script_id.clone(), custom_json(&custom.value));
        }
    }
    Ok(Value::Object(object))
}

fn sublist_json(line_type: Option<&ComplexType>, sublist: &Sublist) -> Result<Value, Error> {
    let items = sublist
        .lines
        .iter()
        .map(|line| complex_json(line_type, line))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json!({"items": items}))
}

/// Returns true for an address's `country`, an enumeration SOAP writes as `_unitedStates`
/// and REST as the ISO 3166-1 alpha-2 code `US`.
fn is_country(field: &Field) -> bool {
    field.xsd_type.rsplit(':').next() == Some("Country")
}

/// Sends a country as REST takes it, `{"id": "US"}`, from the enumeration value in the record
/// model (or from an ISO code or name, which the SOAP client takes as well).
fn country_json(name: &str, text: &str) -> Result<Value, Error> {
    let code = country_value(text)
        .and_then(iso_code)
        .ok_or_else(|| Error::InvalidValue {
            field: name.to_string(),
            message: format!("{text:?} is not a country NetSuite lists"),
        })?;
    Ok(json!({"id": code}))
}

/// Reads a country REST sends as `{"id": "US", "refName": "United States"}` or `"US"` as
/// the enumeration value SOAP uses, so one mapping works on both transports. A code the
/// table lacks is kept as sent.
fn country_of(value: &Value) -> Option<BodyValue> {
    let code = match value {
        Value::Object(object) => object.get("id").and_then(text_of)?,
        other => text_of(other)?,
    };
    let country = country_value(&code).map_or(code, str::to_string);
    Some(BodyValue::Text(country))
}

/// Sends text as the JSON type of its schema field.
fn text_json(kind: Option<&FieldKind>, name: &str, text: &str) -> Result<Value, Error> {
    let invalid = |expected: &str| Error::InvalidValue {
        field: name.to_string(),
        message: format!("{text:?} is not {expected}"),
    };
    Ok(match kind {
        Some(FieldKind::Boolean) => match text {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err(invalid("true or false")),
        },
        Some(FieldKind::Double | FieldKind::Long) => text
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| invalid("a number"))?,
        Some(FieldKind::DateTime) => Value::String(
            crate::records::parse_date_time(text)
                .map(utc_text)
                .unwrap_or_else(|| text.to_string()),
        ),
        _ => Value::String(text.to_string()),
    })
}

fn reference_json(reference: &RecordRef) -> Value {
    let mut object = Map::new();
    if let Some(id) = &reference.internal_id {
        object.insert("id".into(), Value::String(id.clone()));
    }
    if let Some(id) = &reference.external_id {
        object.insert("externalId".into(), Value::String(id.clone()));
    }
    if reference.internal_id.is_none()
        && reference.external_id.is_none()
        && let Some(name) = &reference.name
    {
        object.insert("refName".into(), Value::String(name.clone()));
    }
    Value::Object(object)
}

fn select_json(value: &ListOrRecordRef) -> Value {
    let mut object = Map::new();
    if let Some(id) = &value.internal_id {
        object.insert("id".into(), Value::String(id.clone()));
    }
    if let Some(id) = &value.external_id {
        object.insert("externalId".into(), Value::String(id.clone()));
    }
    Value::Object(object)
}

fn custom_json(value: &CustomValue) -> Value {
    match value {
        CustomValue::String(text) => Value::String(text.clone()),
        CustomValue::Boolean(flag) => Value::Bool(*flag),
        CustomValue::Double(number) => Number::from_f64(*number).map_or(Value::Null, Value::Number),
        CustomValue::Long(number) => Value::Number((*number).into()),
        CustomValue::Date(instant) => Value::String(utc_text(*instant)),
        CustomValue::Select(value) => select_json(value),
        CustomValue::MultiSelect(values) => {
            json!({"items": values.iter().map(select_json).collect::<Vec<_>>()})
        }
    }
}

/// Writes an instant as REST does: UTC with a `Z`, whole seconds.
pub(crate) fn utc_text(instant: DateTime<Utc>) -> String {
    instant.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Reads a record of `record_type` from the record service's JSON.
pub(crate) fn record_from_json(record_type: &str, value: &Value) -> Result<Record, Error> {
    let object = value.as_object().ok_or_else(|| {
        Error::InvalidResponse(format!("a {record_type} record is not a JSON object"))
    })?;
    let fields = schema().record_fields(record_type);
    let mut record = Record::new(record_type);
    record.internal_id = object.get("id").and_then(text_of);
    record.external_id = object.get("externalId").and_then(text_of);
    for (key, member) in object {
        if NOT_FIELDS.contains(&key.as_str()) || member.is_null() {
            continue;
        }
        let name = soap_name(fields, key);
        let known = fields.and_then(|fields| fields.field(name)).map(|(_, f)| f);
        match known {
            Some(field) => {
                if let Some(value) = field_value(field, member) {
                    record.fields.push((name.to_string(), value));
                }
            }
            None if key.starts_with("cust") => {
                record
                    .custom_fields
                    .push(CustomField::new(key, custom_value(member)));
            }
            None => {
                if let Some(value) = loose_value(member) {
                    record.fields.push((name.to_string(), value));
                }
            }
        }
    }
    Ok(record)
}

fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number_text(number)),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

/// Writes a JSON number as NetSuite writes doubles: `100.0` for whole numbers.
fn number_text(number: &Number) -> String {
    match number.as_f64() {
        Some(value) if value.fract() == 0.0 && value.abs() < 1e15 => format!("{value:.1}"),
        _ => number.to_string(),
    }
}

fn reference_of(value: &Value) -> Option<RecordRef> {
    let object = value.as_object()?;
    let reference = RecordRef {
        record_type: None,
        internal_id: object.get("id").and_then(text_of),
        external_id: object.get("externalId").and_then(text_of),
        name: object.get("refName").and_then(text_of),
    };
    reference.is_resolvable().then_some(reference)
}

/// Reads a member of a known field.
fn field_value(field: &Field, value: &Value) -> Option<BodyValue> {
    if is_country(field) {
        return country_of(value);
    }
    body_value(&field.kind, value)
}

fn body_value(kind: &FieldKind, value: &Value) -> Option<BodyValue> {
    match kind {
        FieldKind::RecordRef => reference_of(value).map(BodyValue::Ref),
        FieldKind::RecordRefList => {
            let items = value.get("items")?.as_array()?;
            Some(BodyValue::RefList(
                items.iter().filter_map(reference_of).collect(),
            ))
        }
        FieldKind::Complex(type_name) => {
            let complex = schema().complex_type(type_name);
            let line = complex.and_then(|c| c.sublist_line());
            match line {
                Some(line) => {
                    // A sublist that was not expanded comes as links only, and reads as absent.
                    let items = value.get("items")?.as_array()?;
                    let line_type = match line.kind {
                        FieldKind::Complex(name) => schema().complex_type(name),
                        _ => None,
                    };
                    let lines = items
                        .iter()
                        .filter_map(|item| complex_of(line_type, item))
                        .collect();
                    Some(BodyValue::Sublist(Sublist {
                        replace_all: None,
                        lines,
                        line_name: Some(line.name.to_string()),
                    }))
                }
                None => complex_of(complex, value).map(BodyValue::Complex),
            }
        }
        // A long (an internal ID such as a payment line's `doc`, a count) is whole.
        FieldKind::Long => match value {
            Value::Number(number) => number
                .as_f64()
                .map(|whole| BodyValue::Text(format!("{whole:.0}"))),
            other => text_of(other).map(BodyValue::Text),
        },
        _ => text_of(value).map(BodyValue::Text),
    }
}

fn complex_of(fields: Option<&ComplexType>, value: &Value) -> Option<Complex> {
    let object = value.as_object()?;
    let mut complex = Complex::new();
    for (key, member) in object {
        if NOT_FIELDS.contains(&key.as_str()) || member.is_null() {
            continue;
        }
        let name = soap_name(fields, key);
        let known = fields.and_then(|fields| fields.field(name)).map(|(_, f)| f);
        let value = match known {
            Some(field) => field_value(field, member),
            None if key.starts_with("cust") => {
                complex
                    .custom_fields
                    .push(CustomField::new(key, custom_value(member)));
                continue;
            }
            None => loose_value(member),
        };
        if let Some(value) = value {
            complex.fields.push((name.to_string(), value));
        }
    }
    Some(complex)
}

/// Reads a member the schema does not know: a reference, or a scalar as text.
fn loose_value(value: &Value) -> Option<BodyValue> {
    if value.is_object() {
        return reference_of(value).map(BodyValue::Ref);
    }
    text_of(value).map(BodyValue::Text)
}

/// Reads a custom field's value; the JSON type chooses the kind, since REST sends no type.
fn custom_value(value: &Value) -> CustomValue {
    match value {
        Value::Bool(flag) => CustomValue::Boolean(*flag),
        Value::Number(number) if number.is_i64() => {
            CustomValue::Long(number.as_i64().unwrap_or_default())
        }
        Value::Number(number) => CustomValue::Double(number.as_f64().unwrap_or_default()),
        Value::Object(object) if object.contains_key("items") => CustomValue::MultiSelect(
            object["items"]
                .as_array()
                .into_iter()
                .flatten()
                .map(select_of)
                .collect(),
        ),
        Value::Object(_) => CustomValue::Select(select_of(value)),
        other => CustomValue::String(text_of(other).unwrap_or_default()),
    }
}

fn select_of(value: &Value) -> ListOrRecordRef {
    ListOrRecordRef {
        internal_id: value.get("id").and_then(text_of),
        external_id: value.get("externalId").and_then(text_of),
        type_id: None,
        name: value.get("refName").and_then(text_of),
    }
}

#[cfg(test)]
mod tests {
    //! Fixtures here are written from the documented REST record format (references as
    //! `{"id", "refName"}`, sublists as `{"items": [...]}`, UTC datetimes), because recorded
    //! REST payloads are scarce.

    use super::*;

    #[test]
    fn record_body_types_values_by_schema() {
        let mut record = Record::new("customer");
        record
            .fields
            .push(("phone".into(), BodyValue::Text("5550100".into())));
        record
            .fields
            .push(("isInactive".into(), BodyValue::Text("false".into())));
        record
            .fields
            .push(("subsidiary".into(), BodyValue::Ref(RecordRef::id("1"))));
        record.custom_fields.push(CustomField::new(
            "custentity_tier",
            CustomValue::String("Gold".into()),
        ));
        record.null_fields.push("url".into());
        let body = record_body(&record).unwrap();
        assert_eq!(body["phone"], "5550100");
        assert_eq!(body["isInactive"], false);
        assert_eq!(body["subsidiary"]["id"], "1");
        assert_eq!(body["custentity_tier"], "Gold");
        assert!(body["url"].is_null());
    }

    #[test]
    fn record_body_renames_item_sublist() {
        let mut line = Complex::new();
        line.fields
            .push(("item".into(), BodyValue::Ref(RecordRef::id("3"))));
        line.fields
            .push(("quantity".into(), BodyValue::Text("2".into())));
        let mut record = Record::new("salesOrder");
        record.fields.push((
            "itemList".into(),
            BodyValue::Sublist(Sublist::new(true, vec![line])),
        ));
        let body = record_body(&record).unwrap();
        assert_eq!(body["item"]["items"][0]["item"]["id"], "3");
        assert_eq!(body["item"]["items"][0]["quantity"], 2.0);
    }

    #[test]
    fn record_from_json_reads_refs_lines_and_customs() {
        let value = json!({
            "links": [],
            "id": "7",
            "externalId": "SF-7",
            "companyName": "Acme",
            "lastModifiedDate": "2026-01-02T03:04:05Z",
            "subsidiary": {"id": "1", "refName": "HQ"},
            "custentity_tier": "Gold",
            "addressBook": {"items": [{"defaultBilling": true,
                "addressBookAddress": {"city": "Austin"}}]},
        });
        let record = record_from_json("customer", &value).unwrap();
        assert_eq!(record.internal_id.as_deref(), Some("7"));
        assert_eq!(record.external_id.as_deref(), Some("SF-7"));
        assert_eq!(record.text("companyName"), Some("Acme"));
        assert_eq!(
            record.last_modified().unwrap().unwrap().to_rfc3339(),
            "2026-01-02T03:04:05+00:00"
        );
        assert_eq!(
            record
                .field("subsidiary")
                .unwrap()
                .as_ref()
                .unwrap()
                .name
                .as_deref(),
            Some("HQ")
        );
        assert_eq!(
            record.custom_field("custentity_tier").unwrap().value,
            CustomValue::String("Gold".into())
        );
        let Some(BodyValue::Sublist(list)) = record.field("addressbookList") else {
            panic!("expected the address book sublist");
        };
        assert_eq!(list.lines.len(), 1);
        assert!(
            list.lines[0]
                .fields
                .iter()
                .any(|(name, _)| name == "addressbookAddress")
        );
    }

    #[test]
    fn long_fields_read_as_whole_numbers() {
        let value = json!({"id": "3", "applyList": {"items": [{"doc": 1247, "amount": 5}]}});
        let record = record_from_json("customerPayment", &value).unwrap();
        let Some(BodyValue::Sublist(list)) = record.field("applyList") else {
            panic!("expected the apply sublist");
        };
        let line = &list.lines[0].fields;
        assert!(line.contains(&("doc".to_string(), BodyValue::Text("1247".to_string()))));
        assert!(line.contains(&("amount".to_string(), BodyValue::Text("5.0".to_string()))));
    }

    #[test]
    fn address_country_is_iso_code_on_rest() {
        let mut address = Complex::new();
        address
            .fields
            .push(("country".into(), BodyValue::Text("_unitedStates".into())));
        address
            .fields
            .push(("city".into(), BodyValue::Text("Austin".into())));
        let mut line = Complex::new();
        line.fields
            .push(("addressbookAddress".into(), BodyValue::Complex(address)));
        let mut record = Record::new("customer");
        record.fields.push((
            "addressbookList".into(),
            BodyValue::Sublist(Sublist {
                replace_all: None,
                lines: vec![line],
                line_name: Some("addressbook".into()),
            }),
        ));
        let body = record_body(&record).unwrap();
        let sent = &body["addressBook"]["items"][0]["addressBookAddress"];
        assert_eq!(sent["country"], json!({"id": "US"}));
        assert_eq!(sent["city"], "Austin");
    }

    #[test]
    fn unknown_country_is_invalid_value() {
        let mut address = Complex::new();
        address
            .fields
            .push(("country".into(), BodyValue::Text("Atlantis".into())));
        let mut record = Record::new("salesOrder");
        record
            .fields
            .push(("billingAddress".into(), BodyValue::Complex(address)));
        let error = record_body(&record).unwrap_err();
        assert!(error.to_string().contains("Atlantis"), "{error}");
    }

    #[test]
    fn address_country_reads_as_enumeration() {
        let value = json!({"id": "7", "addressBook": {"items": [{"addressBookAddress":
            {"country": {"id": "GB", "refName": "United Kingdom"}, "city": "Leeds"}}]}});
        let record = record_from_json("customer", &value).unwrap();
        let Some(BodyValue::Sublist(list)) = record.field("addressbookList") else {
            panic!("expected the address book sublist");
        };
        let Some((_, BodyValue::Complex(address))) = list.lines[0]
            .fields
            .iter()
            .find(|(name, _)| name == "addressbookAddress")
        else {
            panic!("expected the address");
        };
        assert!(address.fields.contains(&(
            "country".to_string(),
            BodyValue::Text("_unitedKingdom".into())
        )));
    }

    #[test]
    fn unexpanded_sublist_reads_as_absent() {
        let value = json!({"id": "1", "addressBook": {"links": [{"rel": "self", "href": "x"}]}});
        let record = record_from_json("customer", &value).unwrap();
        assert!(record.field("addressbookList").is_none());
    }
}
