//! Schema files: custom objects and custom fields, in JSON, that an org loads on top of the
//! standard objects. `tandem.json` next to this file contains the ones Tandem's flows use.
//!
//! ```json
//! {
//!   "fields": {"Account": [{"name": "Credit_Limit__c", "label": "Credit Limit", "type": "currency"}]},
//!   "objects": [{"name": "NetSuite_Invoice__c", "label": "NetSuite Invoice",
//!                "labelPlural": "NetSuite Invoices", "keyPrefix": "a0I", "fields": [...]}]
//! }
//! ```
//!
//! A field has `name`, `label` and `type` (a describe type name: `string`, `textarea`,
//! `email`, `phone`, `url`, `picklist`, `reference`, `boolean`, `double`, `currency`,
//! `percent`, `int`, `date`, `datetime`), and optionally `length`, `required`,
//! `externalId`, `idLookup`, `unique`, `caseSensitive`, `picklistValues`, `restrictedPicklist`,
//! `referenceTo`, `childRelationship` and `defaultValue`. A custom object gets `Id`,
//! `IsDeleted`, `OwnerId` and the audit fields by itself.

use serde::Deserialize;
use serde_json::Value;

use super::standard::object;
use super::{Access, FieldDef, FieldType, ObjectDef};

/// Tandem's custom objects and fields, loaded into every new org.
pub(crate) const TANDEM_SCHEMA: &str = include_str!("tandem.json");

/// Error of a schema file that was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemaError {
    #[error("the schema file is not valid JSON of the expected shape: {0}")]
    Json(String),
    #[error("field {field}: unknown type {kind}")]
    UnknownType { field: String, kind: String },
    #[error("object {0} is not in the org; add it under \"objects\" first")]
    UnknownObject(String),
    #[error("{object} already has a field or object named {name}")]
    Duplicate { object: String, name: String },
}

#[derive(Debug, Deserialize)]
struct SchemaFile {
    #[serde(default)]
    objects: Vec<ObjectSpec>,
    #[serde(default)]
    fields: std::collections::BTreeMap<String, Vec<FieldSpec>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ObjectSpec {
    name: String,
    label: String,
    label_plural: String,
    key_prefix: String,
    fields: Vec<FieldSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct FieldSpec {
    name: String,
    label: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    length: Option<usize>,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    external_id: bool,
    #[serde(default)]
    id_lookup: bool,
    #[serde(default)]
    unique: bool,
    #[serde(default)]
    case_sensitive: bool,
    #[serde(default)]
    picklist_values: Vec<String>,
    #[serde(default)]
    restricted_picklist: bool,
    #[serde(default)]
    reference_to: Vec<String>,
    #[serde(default)]
    child_relationship: Option<String>,
    #[serde(default)]
    default_value: Option<Value>,
}

impl FieldSpec {
    fn build(&self) -> Result<FieldDef, SchemaError> {
        let kind = field_type(&self.kind).ok_or_else(|| SchemaError::UnknownType {
            field: self.name.clone(),
            kind: self.kind.clone(),
        })?;
        let access = if self.required {
            Access::Required
        } else {
            Access::Optional
        };
        let default_length = if kind.is_text() { 255 } else { 0 };
        let length = self
            .length
            .unwrap_or(if kind.is_id() { 18 } else { default_length });
        let mut field = FieldDef::new(&self.name, &self.label, kind, length, access);
        if self.external_id {
            field = field.external_id(self.unique);
        }
        field.id_lookup = self.id_lookup;
        field.unique = self.unique;
        field.case_sensitive = self.case_sensitive;
        let values: Vec<&str> = self.picklist_values.iter().map(String::as_str).collect();
        field = field.picklist(&values, self.restricted_picklist);
        if !self.reference_to.is_empty() {
            let targets: Vec<&str> = self.reference_to.iter().map(String::as_str).collect();
            field = field.references(&targets);
        }
        field.child_relationship = self.child_relationship.clone();
        field.default_value = self.default_value.clone();
        Ok(field)
    }
}

fn field_type(name: &str) -> Option<FieldType> {
    let kind = match name.to_ascii_lowercase().as_str() {
        "string" => FieldType::String,
        "textarea" => FieldType::TextArea,
        "phone" => FieldType::Phone,
        "url" => FieldType::Url,
        "email" => FieldType::Email,
        "picklist" => FieldType::Picklist,
        "reference" => FieldType::Reference,
        "boolean" => FieldType::Boolean,
        "double" => FieldType::Double,
        "currency" => FieldType::Currency,
        "percent" => FieldType::Percent,
        "int" => FieldType::Int,
        "date" => FieldType::Date,
        "datetime" => FieldType::DateTime,
        _ => return None,
    };
    Some(kind)
}

/// Adds the objects and fields of the schema file `text` to `objects`. Nothing is added
/// when the file has an error.
pub(crate) fn apply_schema(objects: &mut Vec<ObjectDef>, text: &str) -> Result<(), SchemaError> {
    let file: SchemaFile =
        serde_json::from_str(text).map_err(|error| SchemaError::Json(error.to_string()))?;
    let mut updated = objects.clone();
    for spec in &file.objects {
        if updated
            .iter()
            .any(|object| object.name.eq_ignore_ascii_case(&spec.name))
        {
            return Err(SchemaError::Duplicate {
                object: spec.name.clone(),
                name: spec.name.clone(),
            });
        }
        let mut fields = Vec::with_capacity(spec.fields.len() + 1);
        for field in &spec.fields {
            fields.push(field.build()?);
        }
        let owner = FieldDef::new(
            "OwnerId",
            "Owner ID",
            FieldType::Reference,
            18,
            Access::Defaulted,
        )
        .references(&["User"]);
        fields.push(owner);
        let names = (
            spec.name.as_str(),
            spec.label.as_str(),
            spec.label_plural.as_str(),
        );
        updated.push(object(names, &spec.key_prefix, true, fields));
    }
    for (object_name, specs) in &file.fields {
        let target = updated
            .iter_mut()
            .find(|object| object.name.eq_ignore_ascii_case(object_name))
            .ok_or_else(|| SchemaError::UnknownObject(object_name.clone()))?;
        for spec in specs {
            if target.field(&spec.name).is_some() {
                return Err(SchemaError::Duplicate {
                    object: target.name.clone(),
                    name: spec.name.clone(),
                });
            }
            target.fields.push(spec.build()?);
        }
    }
    *objects = updated;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::salesforce::schema::standard_objects;

    fn tandem_objects() -> Vec<ObjectDef> {
        let mut objects = standard_objects();
        apply_schema(&mut objects, TANDEM_SCHEMA).unwrap();
        objects
    }

    fn object<'o>(objects: &'o [ObjectDef], name: &str) -> &'o ObjectDef {
        objects
            .iter()
            .find(|object| object.name == name)
            .unwrap_or_else(|| panic!("{name} is in the org"))
    }

    fn field_type_of(objects: &[ObjectDef], object_name: &str, field: &str) -> FieldType {
        object(objects, object_name)
            .field(field)
            .unwrap_or_else(|| panic!("{object_name}.{field} exists"))
            .field_type
    }

    #[test]
    fn tandem_schema_adds_unique_netsuite_ids() {
        let objects = tandem_objects();
        for (object_name, field) in [
            ("Account", "NetSuite_Internal_ID__c"),
            ("Contact", "NetSuite_Internal_ID__c"),
            ("Opportunity", "NetSuite_Sales_Order_ID__c"),
            ("Product2", "NetSuite_Internal_ID__c"),
            ("NetSuite_Invoice__c", "NetSuite_Internal_ID__c"),
        ] {
            let key = object(&objects, object_name).field(field).unwrap();
            assert!(key.external_id, "{object_name}.{field} is an external ID");
            assert!(key.unique, "{object_name}.{field} is unique");
        }
    }

    #[test]
    fn tandem_schema_adds_credit_and_sync_fields() {
        let objects = tandem_objects();
        for field in ["Credit_Limit__c", "Balance__c", "Overdue_Balance__c"] {
            assert_eq!(
                field_type_of(&objects, "Account", field),
                FieldType::Currency
            );
        }
        assert_eq!(
            field_type_of(&objects, "Account", "Credit_Hold__c"),
            FieldType::Boolean
        );
        for object_name in ["Account", "Contact", "Opportunity"] {
            let status = object(&objects, object_name)
                .field("NetSuite_Sync_Status__c")
                .unwrap();
            assert_eq!(
                status.picklist_values,
                ["Synced", "Pending", "Error", "Refused"]
            );
            assert!(!status.restricted_picklist);
            let error = object(&objects, object_name)
                .field("NetSuite_Sync_Error__c")
                .unwrap();
            assert_eq!(error.field_type, FieldType::TextArea);
            assert_eq!(error.length, 32768);
            assert!(!error.filterable());
        }
        assert_eq!(
            field_type_of(&objects, "Opportunity", "NetSuite_Sales_Order_Number__c"),
            FieldType::String
        );
        assert_eq!(
            field_type_of(&objects, "Product2", "Quantity_Available__c"),
            FieldType::Double
        );
    }

    #[test]
    fn tandem_schema_adds_netsuite_invoice_object() {
        let objects = tandem_objects();
        let invoice = object(&objects, "NetSuite_Invoice__c");
        let lookup = invoice.field("Account__c").unwrap();
        assert_eq!(lookup.reference_to, ["Account"]);
        assert_eq!(lookup.relationship_name.as_deref(), Some("Account__r"));
        assert_eq!(
            lookup.child_relationship.as_deref(),
            Some("NetSuite_Invoices__r")
        );
        for (field, kind) in [
            ("Name", FieldType::String),
            ("Amount__c", FieldType::Currency),
            ("Amount_Remaining__c", FieldType::Currency),
            ("Status__c", FieldType::Picklist),
            ("Due_Date__c", FieldType::Date),
            ("Transaction_Date__c", FieldType::Date),
            ("CreatedDate", FieldType::DateTime),
        ] {
            assert_eq!(field_type_of(&objects, "NetSuite_Invoice__c", field), kind);
        }
        let status = invoice.field("Status__c").unwrap();
        assert_eq!(
            status.picklist_values,
            [
                "Open",
                "Paid In Full",
                "Pending Approval",
                "Rejected",
                "Voided",
                "Deleted"
            ]
        );
        assert!(objects.iter().all(|object| object.name != "Invoice__c"));
    }

    #[test]
    fn apply_schema_rejects_unknown_type_and_keeps_objects() {
        let mut objects = standard_objects();
        let before = objects.len();
        let text = r#"{"fields":{"Account":[{"name":"X__c","label":"X","type":"blob"}]}}"#;
        let error = apply_schema(&mut objects, text).unwrap_err();
        assert!(matches!(error, SchemaError::UnknownType { .. }));
        assert_eq!(objects.len(), before);
        assert!(objects[0].field("X__c").is_none());
    }

    #[test]
    fn apply_schema_rejects_duplicate_field() {
        let mut objects = tandem_objects();
        let text = r#"{"fields":{"Account":[{"name":"netsuite_internal_id__c","label":"X","type":"string"}]}}"#;
        let error = apply_schema(&mut objects, text).unwrap_err();
        assert!(matches!(error, SchemaError::Duplicate { .. }));
    }
}
