//! The metadata catalog (`GET /services/rest/record/v1/metadata-catalog/{type}` with
//! `Accept: application/schema+json`): the JSON Schema of a record type, read here for the
//! custom fields the embedded SOAP schema cannot list.

use reqwest::Method;
use serde_json::{Map, Value};
use tandem_engine::{FieldInfo, FieldType};

use super::errors::Scope;
use super::{RestClient, RestRequest};
use crate::error::Error;

/// The root of the metadata catalog.
const CATALOG_PATH: &str = "/services/rest/record/v1/metadata-catalog";

/// The operation name of a catalog request, which is also sent with an `Accept` header for
/// JSON Schema.
pub(crate) const OPERATION: &str = "record.metadata";

/// The member NetSuite marks custom fields with in a record's JSON Schema.
const CUSTOM_FIELD_MARK: &str = "x-ns-custom-field";

impl RestClient {
    /// Returns the custom fields of a record type from its JSON Schema, each named by script
    /// ID and typed by its schema type. Custom fields are writable, so each is createable and
    /// updateable.
    pub async fn custom_fields(&self, record_type: &str) -> Result<Vec<FieldInfo>, Error> {
        let path = format!("{CATALOG_PATH}/{record_type}");
        let response = self
            .send(RestRequest {
                operation: OPERATION,
                method: &Method::GET,
                path: &path,
                query: &[],
                body: None,
                scope: Scope::Request,
            })
            .await?;
        let schema: Value = serde_json::from_slice(&response.body).map_err(|error| {
            Error::InvalidResponse(format!(
                "the metadata catalog of {record_type} is not JSON: {error}"
            ))
        })?;
        let properties = schema["properties"].as_object().ok_or_else(|| {
            Error::InvalidResponse(format!(
                "the metadata catalog of {record_type} has no properties"
            ))
        })?;
        Ok(custom_fields_of(properties))
    }
}

/// Picks the custom fields out of a schema's `properties`, sorted by script ID.
fn custom_fields_of(properties: &Map<String, Value>) -> Vec<FieldInfo> {
    let mut fields: Vec<FieldInfo> = properties
        .iter()
        .filter(|(_, property)| property[CUSTOM_FIELD_MARK].as_bool() == Some(true))
        .map(|(script_id, property)| FieldInfo {
            name: script_id.clone(),
            field_type: field_type(property),
            createable: true,
            updateable: true,
            external_id: false,
        })
        .collect();
    fields.sort_by(|a, b| a.name.cmp(&b.name));
    fields
}

/// Reads a property's JSON Schema type: a `string` with `format` `date` or `date-time` is a
/// date, an `object` is a reference (a select field) unless it has `items` (a multi-select,
/// a list of references).
fn field_type(property: &Value) -> FieldType {
    let format = property["format"].as_str();
    match property["type"].as_str() {
        Some("string") if format == Some("date") => FieldType::Date,
        Some("string") if format == Some("date-time") => FieldType::DateTime,
        Some("string") => FieldType::Text,
        Some("boolean") => FieldType::Bool,
        Some("number" | "integer") => FieldType::Number,
        Some("object") if property["properties"].get("items").is_some() => FieldType::List,
        Some("object") => FieldType::Reference(Vec::new()),
        Some(other) => FieldType::Other(other.to_string()),
        None => FieldType::Other("unknown".to_string()),
    }
}

#[cfg(test)]
mod tests {
    //! Schemas here are written from the documented metadata catalog format (JSON Schema
    //! with NetSuite's `x-ns-custom-field` mark), because recorded catalog payloads are
    //! scarce.

    use serde_json::json;

    use super::*;

    #[test]
    fn custom_fields_are_typed_by_schema() {
        let schema = json!({
            "companyName": {"type": "string", "title": "Company Name"},
            "custentity_tier": {"type": "string", "title": "Tier", "x-ns-custom-field": true},
            "custentity_vip": {"type": "boolean", "x-ns-custom-field": true},
            "custentity_score": {"type": "number", "x-ns-custom-field": true},
            "custentity_since": {"type": "string", "format": "date", "x-ns-custom-field": true},
            "custentity_rep": {"type": "object", "x-ns-custom-field": true,
                "properties": {"id": {"type": "string"}}},
        });
        let fields = custom_fields_of(schema.as_object().unwrap());
        let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "custentity_rep",
                "custentity_score",
                "custentity_since",
                "custentity_tier",
                "custentity_vip"
            ]
        );
        assert_eq!(fields[0].field_type, FieldType::Reference(Vec::new()));
        assert_eq!(fields[1].field_type, FieldType::Number);
        assert_eq!(fields[2].field_type, FieldType::Date);
        assert_eq!(fields[3].field_type, FieldType::Text);
        assert_eq!(fields[4].field_type, FieldType::Bool);
        assert!(fields.iter().all(|f| f.createable && f.updateable));
    }
}
