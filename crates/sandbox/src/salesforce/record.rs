//! Records as stored and as rendered in responses.

use std::collections::BTreeMap;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};

use crate::salesforce::schema::{FieldDef, ObjectDef};
use crate::salesforce::version::ApiVersion;

/// Field values of one stored record, keyed by canonical API name. Every field of the
/// object has an entry; unset fields hold `null`.
pub(crate) type Values = BTreeMap<String, Value>;

/// A JSON object whose members keep the order they were added in, so responses list
/// `attributes` first and then the fields in SELECT or describe order.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Row(pub Vec<(String, Value)>);

impl Row {
    /// Converts the row into a `serde_json` map (whose member order is not kept).
    pub fn into_map(self) -> Map<String, Value> {
        self.0.into_iter().collect()
    }
}

impl Serialize for Row {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// Returns the `attributes` member of a record: its object and its URL path.
pub(crate) fn attributes(object: &str, id: &str, version: ApiVersion) -> Value {
    let mut attributes = Map::new();
    attributes.insert("type".to_string(), Value::String(object.to_string()));
    attributes.insert(
        "url".to_string(),
        Value::String(version.record_path(object, id)),
    );
    Value::Object(attributes)
}

/// Returns the Id of a stored record.
pub(crate) fn record_id(values: &Values) -> &str {
    values.get("Id").and_then(Value::as_str).unwrap_or_default()
}

/// Renders a record with every field, as `GET /sobjects/{object}/{id}` returns it.
pub(crate) fn full_row(object: &ObjectDef, values: &Values, version: ApiVersion) -> Row {
    let fields: Vec<&FieldDef> = object.fields.iter().collect();
    selected_row(object, values, &fields, version)
}

/// Renders a record with `attributes` and the given fields, in the given order.
pub(crate) fn selected_row(
    object: &ObjectDef,
    values: &Values,
    fields: &[&FieldDef],
    version: ApiVersion,
) -> Row {
    let mut members = Vec::with_capacity(fields.len() + 1);
    members.push((
        "attributes".to_string(),
        attributes(&object.name, record_id(values), version),
    ));
    for field in fields {
        let value = values.get(&field.name).cloned().unwrap_or(Value::Null);
        members.push((field.name.clone(), value));
    }
    Row(members)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::salesforce::schema::account;
    use crate::salesforce::version::DEFAULT_VERSION;

    #[test]
    fn selected_row_lists_attributes_then_fields_in_order() {
        let account = account();
        let mut values = Values::new();
        values.insert("Id".into(), json!("001000000000001AAA"));
        values.insert("Name".into(), json!("Acme"));
        let fields = [account.field("Name").unwrap(), account.field("Id").unwrap()];
        let row = selected_row(&account, &values, &fields, DEFAULT_VERSION);
        let text = serde_json::to_string(&row).unwrap();
        assert_eq!(
            text,
            r#"{"attributes":{"type":"Account","url":"/services/data/v62.0/sobjects/Account/001000000000001AAA"},"Name":"Acme","Id":"001000000000001AAA"}"#
        );
    }
}
