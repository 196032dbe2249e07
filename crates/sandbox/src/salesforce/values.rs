//! Field values on the wire: turning request JSON into stored values by field type, and
//! rendering times the way Salesforce does.

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use serde_json::Value;

use crate::salesforce::schema::{FieldDef, FieldType};

/// Returns the current time cut to whole milliseconds, the precision Salesforce stores.
pub(crate) fn now_millis() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(3)
}

/// Renders an instant as Salesforce does in JSON: `2024-03-05T17:14:02.000+0000` (UTC, no
/// colon in the offset).
pub(crate) fn render_datetime(instant: DateTime<Utc>) -> String {
    instant.format("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string()
}

/// Parses a datetime as stored or as a client may send it: RFC 3339 (`Z` or `+hh:mm`) or the
/// Salesforce form with a `+hhmm` offset, with or without fractional seconds.
pub(crate) fn parse_datetime(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(parsed) = DateTime::parse_from_rfc3339(text) {
        return Some(parsed.with_timezone(&Utc));
    }
    DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z")
        .ok()
        .map(|parsed| parsed.with_timezone(&Utc))
}

/// Parses a `YYYY-MM-DD` date.
pub(crate) fn parse_date(text: &str) -> Option<NaiveDate> {
    if text.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// A JSON value that cannot be read as the field's type, described with the names of the
/// JSON parser Salesforce uses (`VALUE_STRING`, `START_ARRAY`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TypeMismatch {
    /// Token kind of the offending value.
    pub token: &'static str,
    /// Text of a scalar value; `None` for arrays and objects.
    pub text: Option<String>,
}

impl TypeMismatch {
    fn of(value: &Value) -> TypeMismatch {
        let (token, text) = match value {
            Value::Null => ("VALUE_NULL", Some("null".to_string())),
            Value::Bool(true) => ("VALUE_TRUE", Some("true".to_string())),
            Value::Bool(false) => ("VALUE_FALSE", Some("false".to_string())),
            Value::Number(number) if number.is_f64() => {
                ("VALUE_NUMBER_FLOAT", Some(number.to_string()))
            }
            Value::Number(number) => ("VALUE_NUMBER_INT", Some(number.to_string())),
            Value::String(text) => ("VALUE_STRING", Some(text.clone())),
            Value::Array(_) => ("START_ARRAY", None),
            Value::Object(_) => ("START_OBJECT", None),
        };
        TypeMismatch { token, text }
    }

    /// Builds the `JSON_PARSER_ERROR` message for a value of `field_type` found at the given
    /// 1-based line and column of the request body.
    pub fn message(&self, field_type: FieldType, line: usize, column: usize) -> String {
        let type_name = field_type.describe_name();
        match &self.text {
            Some(text) => format!(
                "Cannot deserialize instance of {type_name} from {} value {text} or request may be \
                 missing a required field at [line:{line}, column:{column}]",
                self.token
            ),
            None => format!(
                "Cannot deserialize instance of {type_name} from {} value [line:{line}, column:{column}]",
                self.token
            ),
        }
    }
}

/// Converts a request value to the value stored for `field`.
///
/// Text-like fields store `""` as null, as Salesforce does. Numbers and booleans sent to a
/// text field are stored as their text.
// NOTE: the number-to-text conversion follows the lenient scalar coercion of the JSON parser
// Salesforce uses; no recorded response confirms it.
pub(crate) fn coerce(field: &FieldDef, value: &Value) -> Result<Value, TypeMismatch> {
    if value.is_null() {
        return Ok(null_value(field.field_type));
    }
    match field.field_type {
        FieldType::Boolean => coerce_boolean(value),
        FieldType::Date => coerce_date(value),
        FieldType::DateTime => coerce_datetime(value),
        kind if kind.is_number() => coerce_number(kind, value),
        _ => coerce_text(value),
    }
}

fn null_value(field_type: FieldType) -> Value {
    // A checkbox has no null state: clearing it stores false.
    if field_type == FieldType::Boolean {
        Value::Bool(false)
    } else {
        Value::Null
    }
}

fn coerce_text(value: &Value) -> Result<Value, TypeMismatch> {
    match value {
        Value::String(text) if text.is_empty() => Ok(Value::Null),
        Value::String(text) => Ok(Value::String(text.clone())),
        Value::Number(number) => Ok(Value::String(number.to_string())),
        Value::Bool(flag) => Ok(Value::String(flag.to_string())),
        other => Err(TypeMismatch::of(other)),
    }
}

fn coerce_boolean(value: &Value) -> Result<Value, TypeMismatch> {
    match value {
        Value::Bool(flag) => Ok(Value::Bool(*flag)),
        Value::String(text) if text.eq_ignore_ascii_case("true") => Ok(Value::Bool(true)),
        Value::String(text) if text.eq_ignore_ascii_case("false") => Ok(Value::Bool(false)),
        other => Err(TypeMismatch::of(other)),
    }
}

fn coerce_number(kind: FieldType, value: &Value) -> Result<Value, TypeMismatch> {
    let number = match value {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => text.trim().parse::<f64>().ok(),
        _ => None,
    };
    let Some(number) = number.filter(|number| number.is_finite()) else {
        return Err(TypeMismatch::of(value));
    };
    if kind == FieldType::Int {
        if number.fract() != 0.0 {
            return Err(TypeMismatch::of(value));
        }
        return Ok(Value::from(number as i64));
    }
    Ok(serde_json::Number::from_f64(number).map_or(Value::Null, Value::Number))
}

fn coerce_date(value: &Value) -> Result<Value, TypeMismatch> {
    match value {
        Value::String(text) if parse_date(text).is_some() => Ok(Value::String(text.clone())),
        other => Err(TypeMismatch::of(other)),
    }
}

fn coerce_datetime(value: &Value) -> Result<Value, TypeMismatch> {
    let parsed = value.as_str().and_then(parse_datetime);
    match parsed {
        Some(instant) => Ok(Value::String(render_datetime(instant.trunc_subsecs(3)))),
        None => Err(TypeMismatch::of(value)),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use serde_json::json;

    use super::*;
    use crate::salesforce::schema::Access;

    fn field(field_type: FieldType) -> FieldDef {
        FieldDef::new("F__c", "F", field_type, 40, Access::Optional)
    }

    #[test]
    fn render_datetime_uses_offset_without_colon() {
        let instant = Utc.with_ymd_and_hms(2024, 3, 5, 17, 14, 2).unwrap();
        assert_eq!(render_datetime(instant), "2024-03-05T17:14:02.000+0000");
    }

    #[test]
    fn parse_datetime_reads_both_offset_forms() {
        let expected = Utc.with_ymd_and_hms(2024, 1, 1, 8, 0, 0).unwrap();
        assert_eq!(parse_datetime("2024-01-01T00:00:00-08:00"), Some(expected));
        assert_eq!(
            parse_datetime("2024-01-01T08:00:00.000+0000"),
            Some(expected)
        );
        assert_eq!(parse_datetime("2024-01-01 08:00:00"), None);
    }

    #[test]
    fn coerce_text_stores_empty_as_null() {
        assert_eq!(
            coerce(&field(FieldType::String), &json!("")),
            Ok(Value::Null)
        );
    }

    #[test]
    fn coerce_text_accepts_number() {
        assert_eq!(
            coerce(&field(FieldType::String), &json!(42)),
            Ok(json!("42"))
        );
    }

    #[test]
    fn coerce_text_rejects_array() {
        let mismatch = coerce(&field(FieldType::String), &json!(["a"])).unwrap_err();
        assert_eq!(mismatch.token, "START_ARRAY");
        assert_eq!(
            mismatch.message(FieldType::String, 1, 9),
            "Cannot deserialize instance of string from START_ARRAY value [line:1, column:9]"
        );
    }

    #[test]
    fn coerce_number_rejects_text() {
        let mismatch = coerce(&field(FieldType::Double), &json!("N01")).unwrap_err();
        assert_eq!(
            mismatch.message(FieldType::Double, 1, 20),
            "Cannot deserialize instance of double from VALUE_STRING value N01 or request may be \
             missing a required field at [line:1, column:20]"
        );
    }

    #[test]
    fn coerce_datetime_normalizes_to_utc() {
        let value = coerce(
            &field(FieldType::DateTime),
            &json!("2024-01-01T00:00:00-08:00"),
        );
        assert_eq!(value, Ok(json!("2024-01-01T08:00:00.000+0000")));
    }

    #[test]
    fn coerce_date_rejects_empty_text() {
        assert!(coerce(&field(FieldType::Date), &json!("")).is_err());
    }
}
