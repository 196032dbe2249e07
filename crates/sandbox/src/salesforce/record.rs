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
/// `attributes` first and then the fields in SELECT or describe order, in nested parent
/// records and child query results too.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Row(pub Vec<(String, Cell)>);

/// The value of one member of a [`Row`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    /// A field value, or `null` for a parent or child relationship with no record.
    Value(Value),
    /// A parent record reached through a relationship field.
    Parent(Row),
    /// The records of a child subquery.
    Children(ChildRows),
}

/// The result of a child subquery inside a parent record.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ChildRows {
    /// The child records of this page, in the subquery's order.
    pub records: Vec<Row>,
    /// Every child record of the parent, this page included.
    pub total_size: usize,
    /// The URL of the next page of children, when they did not fit on this one.
    pub next_records_url: Option<String>,
}

impl Row {
    /// Appends a member holding a field value.
    pub fn push_value(&mut self, name: impl Into<String>, value: Value) {
        self.0.push((name.into(), Cell::Value(value)));
    }

    /// Returns the member `name`, compared ignoring case.
    pub fn get(&self, name: &str) -> Option<&Cell> {
        self.0
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, cell)| cell)
    }

    /// Converts the row into a `serde_json` map (whose member order is not kept).
    pub fn into_map(self) -> Map<String, Value> {
        self.0
            .into_iter()
            .map(|(key, cell)| (key, cell.into_value()))
            .collect()
    }
}

impl Cell {
    /// Converts the cell into a `serde_json` value (whose member order is not kept).
    pub fn into_value(self) -> Value {
        match self {
            Cell::Value(value) => value,
            Cell::Parent(row) => Value::Object(row.into_map()),
            Cell::Children(children) => serde_json::to_value(children).unwrap_or(Value::Null),
        }
    }
}

impl Serialize for Row {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, cell) in &self.0 {
            match cell {
                Cell::Value(value) => map.serialize_entry(key, value)?,
                Cell::Parent(row) => map.serialize_entry(key, row)?,
                Cell::Children(children) => map.serialize_entry(key, children)?,
            }
        }
        map.end()
    }
}

impl Serialize for ChildRows {
    /// Writes `{"totalSize", "done", "records"}`, the shape of a query result page.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(4))?;
        map.serialize_entry("totalSize", &self.total_size)?;
        map.serialize_entry("done", &self.next_records_url.is_none())?;
        if let Some(next) = &self.next_records_url {
            map.serialize_entry("nextRecordsUrl", next)?;
        }
        map.serialize_entry("records", &self.records)?;
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
    let mut row = Row(Vec::with_capacity(fields.len() + 1));
    row.push_value(
        "attributes",
        attributes(&object.name, record_id(values), version),
    );
    for field in fields {
        let value = values.get(&field.name).cloned().unwrap_or(Value::Null);
        row.push_value(field.name.clone(), value);
    }
    row
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
