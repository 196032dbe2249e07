//! Field mappings between a NetSuite record and a Salesforce record.

use crate::record::{FieldValue, Fields, System};

/// One NetSuite field kept equal to one Salesforce field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPair {
    pub netsuite: String,
    pub salesforce: String,
}

impl FieldPair {
    /// Builds a pair from the two field names.
    pub fn new(netsuite: &str, salesforce: &str) -> FieldPair {
        FieldPair {
            netsuite: netsuite.to_string(),
            salesforce: salesforce.to_string(),
        }
    }

    /// Returns the field's name on `system`'s side.
    pub fn name(&self, system: System) -> &str {
        match system {
            System::NetSuite => &self.netsuite,
            System::Salesforce => &self.salesforce,
        }
    }
}

/// The fields a two-way flow keeps equal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    pub pairs: Vec<FieldPair>,
}

impl Mapping {
    /// Returns the mapped field names on `system`'s side, in mapping order.
    pub fn field_names(&self, system: System) -> Vec<String> {
        self.pairs
            .iter()
            .map(|pair| pair.name(system).to_string())
            .collect()
    }

    /// Returns the mapped values of a record read from `system`, with every mapped field
    /// present (missing ones as `Null`) and normalized for comparison.
    pub fn project(&self, system: System, fields: &Fields) -> Fields {
        self.pairs
            .iter()
            .map(|pair| {
                let name = pair.name(system);
                let value = fields
                    .get(name)
                    .map_or(FieldValue::Null, FieldValue::normalized);
                (name.to_string(), value)
            })
            .collect()
    }

    /// Translates values keyed by `from`'s field names into the other system's field names.
    /// Fields that the mapping does not name are left out.
    pub fn translate(&self, from: System, values: &Fields) -> Fields {
        self.pairs
            .iter()
            .filter_map(|pair| {
                let value = values.get(pair.name(from))?;
                Some((pair.name(from.other()).to_string(), value.clone()))
            })
            .collect()
    }

    /// Returns the pairs whose value on `system`'s side differs between `before` and `after`.
    pub fn changed<'a>(
        &'a self,
        system: System,
        before: &Fields,
        after: &Fields,
    ) -> Vec<&'a FieldPair> {
        self.pairs
            .iter()
            .filter(|pair| {
                let name = pair.name(system);
                normalized(before.get(name)) != normalized(after.get(name))
            })
            .collect()
    }
}

/// Returns the comparison form of an optional value: missing and blank are both `Null`.
pub fn normalized(value: Option<&FieldValue>) -> FieldValue {
    value.map_or(FieldValue::Null, FieldValue::normalized)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapping() -> Mapping {
        Mapping {
            pairs: vec![
                FieldPair::new("companyName", "Name"),
                FieldPair::new("phone", "Phone"),
            ],
        }
    }

    fn text(value: &str) -> FieldValue {
        FieldValue::Text(value.to_string())
    }

    #[test]
    fn project_fills_missing_fields_with_null() {
        let fields = Fields::from([("companyName".to_string(), text(" Acme "))]);
        let projected = mapping().project(System::NetSuite, &fields);
        assert_eq!(projected.get("companyName"), Some(&text("Acme")));
        assert_eq!(projected.get("phone"), Some(&FieldValue::Null));
    }

    #[test]
    fn translate_renames_to_other_side() {
        let fields = Fields::from([("Phone".to_string(), text("555"))]);
        let translated = mapping().translate(System::Salesforce, &fields);
        assert_eq!(
            translated,
            Fields::from([("phone".to_string(), text("555"))])
        );
    }

    #[test]
    fn changed_ignores_blank_versus_missing() {
        let before = Fields::from([("Phone".to_string(), text(" "))]);
        let after = Fields::new();
        assert!(
            mapping()
                .changed(System::Salesforce, &before, &after)
                .is_empty()
        );
    }

    #[test]
    fn changed_lists_edited_fields() {
        let before = Fields::from([("Phone".to_string(), text("1"))]);
        let after = Fields::from([("Phone".to_string(), text("2"))]);
        let mapping = mapping();
        let changed = mapping.changed(System::Salesforce, &before, &after);
        assert_eq!(changed, vec![&FieldPair::new("phone", "Phone")]);
    }
}
