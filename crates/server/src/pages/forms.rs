//! Form fields for a dead letter's payload, and the side-by-side rows of a review item.
//!
//! A payload is edited one input per field. Each input carries the field's kind (`text`,
//! `number`, `bool`, `list`), so the saved payload keeps the types the target expects: a
//! number stays a number, a sublist stays a list.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use tandem_engine::{FieldValue, Fields};

/// The prefix of a payload input's name; the field name follows.
pub const FIELD_PREFIX: &str = "field:";

/// The prefix of the hidden input holding a payload field's kind.
pub const KIND_PREFIX: &str = "kind:";

/// Returns the value of the first form entry named `name`, or `""`.
pub fn value_of<'a>(form: &'a [(String, String)], name: &str) -> &'a str {
    form.iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
        .unwrap_or_default()
}

/// Returns one input description per payload field: its name, kind and current value as text.
pub fn payload_inputs(payload: &Value) -> Vec<Value> {
    let Some(fields) = payload.as_object() else {
        return Vec::new();
    };
    fields
        .iter()
        .map(|(name, value)| {
            let (kind, text) = match value {
                Value::Null => ("text", String::new()),
                Value::Bool(flag) => ("bool", flag.to_string()),
                Value::Number(number) => ("number", number.to_string()),
                Value::String(text) => ("text", text.clone()),
                other => (
                    "list",
                    serde_json::to_string_pretty(other).unwrap_or_default(),
                ),
            };
            json!({"name": name, "kind": kind, "text": text})
        })
        .collect()
}

/// Builds a payload from the submitted form: every `field:NAME` input read by its kind, plus
/// a new field from `new_name`/`new_value` when a name is given. A blank input clears the
/// field (`null`). Fails with a message naming the field whose value does not fit its kind.
pub fn payload_from_form(form: &[(String, String)]) -> Result<Fields, String> {
    let mut payload = Fields::new();
    for (key, text) in form {
        let Some(name) = key.strip_prefix(FIELD_PREFIX) else {
            continue;
        };
        let kind = value_of(form, &format!("{KIND_PREFIX}{name}"));
        payload.insert(name.to_string(), parse_value(name, kind, text)?);
    }
    let new_name = value_of(form, "new_name").trim();
    if !new_name.is_empty() {
        if payload.contains_key(new_name) {
            return Err(format!(
                "the payload has a field {new_name} already; edit it in place"
            ));
        }
        let text = value_of(form, "new_value");
        payload.insert(new_name.to_string(), parse_value(new_name, "text", text)?);
    }
    Ok(payload)
}

fn parse_value(name: &str, kind: &str, text: &str) -> Result<FieldValue, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Ok(FieldValue::Null);
    }
    match kind {
        "number" => trimmed
            .parse::<f64>()
            .ok()
            .filter(|number| number.is_finite())
            .map(FieldValue::Number)
            .ok_or_else(|| format!("{name} must be a number, not {trimmed:?}")),
        "bool" => match trimmed {
            "true" => Ok(FieldValue::Bool(true)),
            "false" => Ok(FieldValue::Bool(false)),
            other => Err(format!("{name} must be true or false, not {other:?}")),
        },
        "list" => serde_json::from_str::<FieldValue>(trimmed)
            .ok()
            .filter(|value| matches!(value, FieldValue::List(_)))
            .ok_or_else(|| {
                format!("{name} must be a JSON list of line objects, like [{{\"item\": \"1\"}}]")
            }),
        _ => Ok(FieldValue::Text(text.to_string())),
    }
}

/// Returns one row per field of a review item and its candidates, for a side-by-side table:
/// `{"field": name, "record": value, "candidates": [value, ...]}`.
pub fn side_by_side(review: &Value) -> Vec<Value> {
    let empty = serde_json::Map::new();
    let record = review["values"].as_object().unwrap_or(&empty);
    let candidates: Vec<&serde_json::Map<String, Value>> = review["candidates"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|c| c["values"].as_object().unwrap_or(&empty))
                .collect()
        })
        .unwrap_or_default();
    let mut names: BTreeSet<&String> = record.keys().collect();
    for candidate in &candidates {
        names.extend(candidate.keys());
    }
    names
        .into_iter()
        .map(|name| {
            let values: Vec<&Value> = candidates
                .iter()
                .map(|c| c.get(name).unwrap_or(&Value::Null))
                .collect();
            json!({
                "field": name,
                "record": record.get(name).unwrap_or(&Value::Null),
                "candidates": values,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn payload_keeps_each_kind() {
        let form = form(&[
            ("csrf", "x"),
            ("field:companyName", "Acme"),
            ("kind:companyName", "text"),
            ("field:creditLimit", "1500.5"),
            ("kind:creditLimit", "number"),
            ("field:isInactive", "false"),
            ("kind:isInactive", "bool"),
            ("field:phone", " "),
            ("kind:phone", "text"),
        ]);
        let payload = payload_from_form(&form).unwrap();
        assert_eq!(payload["companyName"], FieldValue::Text("Acme".into()));
        assert_eq!(payload["creditLimit"], FieldValue::Number(1500.5));
        assert_eq!(payload["isInactive"], FieldValue::Bool(false));
        assert_eq!(payload["phone"], FieldValue::Null);
        assert!(!payload.contains_key("csrf"));
    }

    #[test]
    fn bad_number_names_the_field() {
        let form = form(&[
            ("field:creditLimit", "lots"),
            ("kind:creditLimit", "number"),
        ]);
        let error = payload_from_form(&form).unwrap_err();
        assert!(error.contains("creditLimit must be a number"), "{error}");
    }

    #[test]
    fn new_field_is_added_as_text() {
        let form = form(&[("new_name", "email"), ("new_value", "a@example.com")]);
        let payload = payload_from_form(&form).unwrap();
        assert_eq!(payload["email"], FieldValue::Text("a@example.com".into()));
    }

    #[test]
    fn inputs_round_trip_through_the_form() {
        let payload = json!({"qty": 3, "name": "Acme", "lines": [{"item": "7"}]});
        let inputs = payload_inputs(&payload);
        let mut pairs = Vec::new();
        for input in &inputs {
            let name = input["name"].as_str().unwrap();
            pairs.push((
                format!("field:{name}"),
                input["text"].as_str().unwrap().to_string(),
            ));
            pairs.push((
                format!("kind:{name}"),
                input["kind"].as_str().unwrap().to_string(),
            ));
        }
        let parsed = payload_from_form(&pairs).unwrap();
        let expected: Fields = serde_json::from_value(payload).unwrap();
        assert_eq!(parsed, expected);
    }

    #[test]
    fn rows_cover_fields_of_every_side() {
        let review = json!({
            "values": {"name": "Acme"},
            "candidates": [{"values": {"name": "ACME Inc", "phone": "1"}}],
        });
        let rows = side_by_side(&review);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0]["field"], "name");
        assert_eq!(rows[1]["record"], Value::Null);
    }
}
