//! Validation of a create or update body against an object's fields, in the order Salesforce
//! reports problems: unknown fields and unreadable values first, then read-only fields,
//! missing required values, lengths, restricted picklists and malformed references.
//!
//! Checks that need other records (references that must exist, unique values) live with the
//! record store.

use serde_json::{Map, Value};

use crate::salesforce::errors::ApiError;
use crate::salesforce::id;
use crate::salesforce::json_position::{PathStep, locate};
use crate::salesforce::schema::{Access, FieldDef, ObjectDef};
use crate::salesforce::values::coerce;

/// The members of one record in a request body, with what is needed to point at them.
#[derive(Debug, Clone)]
pub(crate) struct WriteBody<'a> {
    /// Field members, without `attributes` or a collection record's `Id`.
    pub fields: Map<String, Value>,
    /// The whole request body as sent, for error positions.
    pub raw: &'a str,
    /// Path from the top of `raw` to this record's object.
    pub path: Vec<PathStep<'a>>,
}

impl<'a> WriteBody<'a> {
    /// Creates a body for the top-level object of `raw`.
    pub fn top_level(fields: Map<String, Value>, raw: &'a str) -> WriteBody<'a> {
        WriteBody {
            fields,
            raw,
            path: Vec::new(),
        }
    }

    /// Returns the 1-based line and column just after the value of member `key`.
    fn position_of(&self, key: &str) -> (usize, usize) {
        let mut path = self.path.clone();
        path.push(PathStep::Key(key));
        locate(self.raw, &path).unwrap_or((1, 1))
    }
}

/// Whether a body creates a record or changes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Create,
    Update,
}

/// A validated value for one field, keyed by the field's canonical API name.
pub(crate) type FieldValues = Vec<(String, Value)>;

/// Validates `body` for `object` and returns the values to store. `objects` lists every
/// object, to check the key prefix of references.
pub(crate) fn validate(
    object: &ObjectDef,
    objects: &[ObjectDef],
    body: &WriteBody<'_>,
    mode: Mode,
) -> Result<FieldValues, ApiError> {
    let values = read_members(object, body)?;
    if mode == Mode::Create {
        check_no_id(&values)?;
    }
    check_writable(object, &values, mode)?;
    check_required(object, &values, mode)?;
    for (name, value) in &values {
        // Every name came from `object.field` in `read_members`.
        if let Some(field) = object.field(name) {
            check_value(field, value, objects)?;
        }
    }
    normalize_references(object, values)
}

fn read_members(object: &ObjectDef, body: &WriteBody<'_>) -> Result<FieldValues, ApiError> {
    let mut values = Vec::with_capacity(body.fields.len());
    for (key, value) in &body.fields {
        let Some(field) = object.field(key) else {
            let message = format!("No such column '{key}' on sobject of type {}", object.name);
            return Err(ApiError::bad_request("INVALID_FIELD", message));
        };
        let stored = coerce(field, value).map_err(|mismatch| {
            let (line, column) = body.position_of(key);
            ApiError::bad_request(
                "JSON_PARSER_ERROR",
                mismatch.message(field.field_type, line, column),
            )
        })?;
        values.push((field.name.clone(), stored));
    }
    Ok(values)
}

fn check_no_id(values: &FieldValues) -> Result<(), ApiError> {
    let has_id = values
        .iter()
        .any(|(name, value)| name == "Id" && !value.is_null());
    if !has_id {
        return Ok(());
    }
    Err(ApiError::bad_request(
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        "cannot specify Id in an insert call",
    )
    .with_fields(vec!["Id".to_string()]))
}

fn check_writable(object: &ObjectDef, values: &FieldValues, mode: Mode) -> Result<(), ApiError> {
    let read_only: Vec<String> = values
        .iter()
        .filter(|(name, _)| {
            object.field(name).is_some_and(|field| match mode {
                Mode::Create => field.access == Access::System,
                Mode::Update => !field.updateable(),
            })
        })
        .map(|(name, _)| name.clone())
        .collect();
    if read_only.is_empty() {
        return Ok(());
    }
    let message = format!(
        "Unable to create/update fields: {}. Please check the security settings of this field and \
         verify that it is read/write for your profile or permission set.",
        read_only.join(", ")
    );
    Err(ApiError::bad_request("INVALID_FIELD_FOR_INSERT_UPDATE", message).with_fields(read_only))
}

fn check_required(object: &ObjectDef, values: &FieldValues, mode: Mode) -> Result<(), ApiError> {
    let value_of = |name: &str| {
        values
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value)
    };
    let missing: Vec<String> = object
        .fields
        .iter()
        .filter(|field| match mode {
            // A defaulted field (OwnerId) gets its default when absent or null on create.
            Mode::Create => {
                matches!(field.access, Access::Required | Access::CreateOnly)
                    && field.default_value.is_none()
                    && value_of(&field.name).is_none_or(Value::is_null)
            }
            Mode::Update => field.required() && value_of(&field.name).is_some_and(Value::is_null),
        })
        .map(|field| field.name.clone())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let message = format!("Required fields are missing: [{}]", missing.join(", "));
    Err(ApiError::bad_request("REQUIRED_FIELD_MISSING", message).with_fields(missing))
}

fn check_value(field: &FieldDef, value: &Value, objects: &[ObjectDef]) -> Result<(), ApiError> {
    let Some(text) = value.as_str() else {
        return Ok(());
    };
    let fields = vec![field.name.clone()];
    if field.field_type.is_text() && field.length > 0 && text.chars().count() > field.length {
        let message = format!(
            "{}: data value too large: {text} (max length={})",
            field.label, field.length
        );
        return Err(ApiError::bad_request("STRING_TOO_LONG", message).with_fields(fields));
    }
    let outside_picklist =
        field.restricted_picklist && !field.picklist_values.iter().any(|allowed| allowed == text);
    if outside_picklist {
        let message = format!(
            "{}: bad value for restricted picklist field: {text}",
            field.label
        );
        return Err(
            ApiError::bad_request("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", message)
                .with_fields(fields),
        );
    }
    if field.field_type.is_id() && reference_target(field, text, objects).is_none() {
        let message = format!("{}: id value of incorrect type: {text}", field.label);
        return Err(ApiError::bad_request("MALFORMED_ID", message).with_fields(fields));
    }
    Ok(())
}

/// Returns the canonical Id when `text` is a valid Id of one of the objects `field` refers to.
pub(crate) fn reference_target(
    field: &FieldDef,
    text: &str,
    objects: &[ObjectDef],
) -> Option<String> {
    let normalized = id::normalize(text)?;
    let allowed = objects
        .iter()
        .filter(|object| {
            field
                .reference_to
                .iter()
                .any(|target| target == &object.name)
        })
        .any(|object| normalized.starts_with(&object.key_prefix));
    allowed.then_some(normalized)
}

fn normalize_references(object: &ObjectDef, values: FieldValues) -> Result<FieldValues, ApiError> {
    let normalized = values
        .into_iter()
        .map(|(name, value)| {
            let is_id = object
                .field(&name)
                .is_some_and(|field| field.field_type.is_id());
            match value.as_str().and_then(id::normalize) {
                Some(canonical) if is_id => (name, Value::String(canonical)),
                _ => (name, value),
            }
        })
        .collect();
    Ok(normalized)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::salesforce::schema::{standard_objects, user};

    fn run(body: Value, mode: Mode) -> Result<FieldValues, ApiError> {
        let objects = standard_objects();
        let raw = body.to_string();
        let fields = body.as_object().cloned().unwrap();
        validate(
            &objects[0],
            &objects,
            &WriteBody::top_level(fields, &raw),
            mode,
        )
    }

    #[test]
    fn validate_rejects_unknown_field() {
        let error = run(json!({"Name": "a", "Foo": 1}), Mode::Create).unwrap_err();
        assert_eq!(error.error_code, "INVALID_FIELD");
        assert_eq!(
            error.message,
            "No such column 'Foo' on sobject of type Account"
        );
    }

    #[test]
    fn validate_requires_name_on_create() {
        let error = run(json!({"Phone": "1"}), Mode::Create).unwrap_err();
        assert_eq!(error.error_code, "REQUIRED_FIELD_MISSING");
        assert_eq!(error.message, "Required fields are missing: [Name]");
        assert_eq!(error.fields, vec!["Name"]);
    }

    #[test]
    fn validate_allows_update_without_name() {
        assert!(run(json!({"Phone": "1"}), Mode::Update).is_ok());
    }

    #[test]
    fn validate_rejects_clearing_name() {
        let error = run(json!({"Name": ""}), Mode::Update).unwrap_err();
        assert_eq!(error.error_code, "REQUIRED_FIELD_MISSING");
    }

    #[test]
    fn validate_rejects_long_phone() {
        let phone = "1".repeat(41);
        let error = run(json!({"Name": "a", "Phone": phone}), Mode::Create).unwrap_err();
        assert_eq!(error.error_code, "STRING_TOO_LONG");
        assert_eq!(
            error.message,
            format!("Account Phone: data value too large: {phone} (max length=40)")
        );
        assert_eq!(error.fields, vec!["Phone"]);
    }

    #[test]
    fn validate_rejects_read_only_fields() {
        let error = run(
            json!({"Name": "a", "CreatedDate": "2024-01-01T00:00:00Z"}),
            Mode::Create,
        )
        .unwrap_err();
        assert_eq!(error.error_code, "INVALID_FIELD_FOR_INSERT_UPDATE");
        assert!(
            error
                .message
                .starts_with("Unable to create/update fields: CreatedDate.")
        );
    }

    #[test]
    fn validate_rejects_id_on_create() {
        let error = run(
            json!({"Name": "a", "Id": "001000000000001AAA"}),
            Mode::Create,
        )
        .unwrap_err();
        assert_eq!(error.error_code, "INVALID_FIELD_FOR_INSERT_UPDATE");
        assert_eq!(error.message, "cannot specify Id in an insert call");
    }

    #[test]
    fn validate_reports_type_error_position() {
        let error = run(json!({"Name": ["a"]}), Mode::Create).unwrap_err();
        assert_eq!(error.error_code, "JSON_PARSER_ERROR");
        assert_eq!(
            error.message,
            "Cannot deserialize instance of string from START_ARRAY value [line:1, column:10]"
        );
    }

    #[test]
    fn validate_rejects_owner_of_wrong_object() {
        let error = run(
            json!({"Name": "a", "OwnerId": "001000000000001"}),
            Mode::Create,
        )
        .unwrap_err();
        assert_eq!(error.error_code, "MALFORMED_ID");
        assert_eq!(
            error.message,
            "Owner ID: id value of incorrect type: 001000000000001"
        );
    }

    #[test]
    fn validate_normalizes_reference_to_18_characters() {
        let values = run(
            json!({"Name": "a", "ownerid": "005000000000001"}),
            Mode::Create,
        )
        .unwrap();
        assert!(values.contains(&("OwnerId".to_string(), json!("005000000000001AAA"))));
        assert_eq!(user().key_prefix, "005");
    }

    #[test]
    fn validate_stores_empty_text_as_null() {
        let values = run(json!({"Phone": ""}), Mode::Update).unwrap();
        assert_eq!(values, vec![("Phone".to_string(), Value::Null)]);
    }
}
