//! Field values to write to one sObject record.

use serde_json::{Map, Value};

/// Field values to write to one record, keyed by field API name.
///
/// A field that is not in the set is left unchanged by an update. A field set to JSON `null`
/// (through [`FieldChanges::clear`]) is cleared. There is no `Option` in between, so "not sent"
/// and "send null" cannot be mistaken for each other.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldChanges {
    values: Map<String, Value>,
}

impl FieldChanges {
    /// Creates an empty set, which changes nothing.
    pub fn new() -> FieldChanges {
        FieldChanges::default()
    }

    /// Sets `field` to `value`, replacing an earlier value for it. `Value::Null` clears the field,
    /// exactly like [`FieldChanges::clear`].
    pub fn set(&mut self, field: impl Into<String>, value: impl Into<Value>) -> &mut FieldChanges {
        self.values.insert(field.into(), value.into());
        self
    }

    /// Marks `field` to be cleared (sent as JSON `null`).
    pub fn clear(&mut self, field: impl Into<String>) -> &mut FieldChanges {
        self.values.insert(field.into(), Value::Null);
        self
    }

    /// Removes `field` from the set, so that it is left unchanged, and returns its value.
    pub fn remove(&mut self, field: &str) -> Option<Value> {
        self.values.remove(field)
    }

    /// Returns the value to write to `field`, or `None` when the field is left unchanged.
    pub fn get(&self, field: &str) -> Option<&Value> {
        self.values.get(field)
    }

    /// Returns the name of the first field in the set that equals `field` ignoring ASCII case,
    /// the way Salesforce compares field names.
    pub fn find_ignoring_case(&self, field: &str) -> Option<&str> {
        self.values
            .keys()
            .find(|name| name.eq_ignore_ascii_case(field))
            .map(String::as_str)
    }

    /// Returns the number of fields to write.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Returns true when the set changes no field.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Iterates over the fields to write and their values.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.values
            .iter()
            .map(|(name, value)| (name.as_str(), value))
    }

    /// Returns the JSON object sent as the request body.
    pub(crate) fn to_json(&self) -> Map<String, Value> {
        self.values.clone()
    }
}

impl<K: Into<String>, V: Into<Value>> FromIterator<(K, V)> for FieldChanges {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> FieldChanges {
        FieldChanges {
            values: iter
                .into_iter()
                .map(|(field, value)| (field.into(), value.into()))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn field_changes_keep_absent_and_null_apart() {
        let mut changes = FieldChanges::new();
        changes.set("Name", "Acme").clear("Phone");
        assert_eq!(changes.get("Name"), Some(&json!("Acme")));
        assert_eq!(changes.get("Phone"), Some(&Value::Null));
        assert_eq!(changes.get("Website"), None);
        assert_eq!(
            Value::Object(changes.to_json()),
            json!({"Name": "Acme", "Phone": null})
        );
    }

    #[test]
    fn field_changes_remove_leaves_field_alone() {
        let mut changes: FieldChanges = [("Name", json!("Acme")), ("Phone", Value::Null)]
            .into_iter()
            .collect();
        assert_eq!(changes.remove("Phone"), Some(Value::Null));
        assert_eq!(Value::Object(changes.to_json()), json!({"Name": "Acme"}));
    }

    #[test]
    fn field_changes_find_names_ignoring_case() {
        let changes: FieldChanges = [("NetSuite_Id__c", "42")].into_iter().collect();
        assert_eq!(
            changes.find_ignoring_case("netsuite_id__C"),
            Some("NetSuite_Id__c")
        );
        assert_eq!(changes.find_ignoring_case("Id"), None);
    }
}
