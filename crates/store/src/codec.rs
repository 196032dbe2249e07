//! Conversions between the engine's values and the text columns they are stored in.

use chrono::{DateTime, SecondsFormat, Utc};
use tandem_engine::state::StoreError;
use tandem_engine::{Fields, RemoteError, System};

/// Formats a time as RFC 3339 in UTC with microseconds, so text order is time order.
pub fn time_text(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Parses a time written by [`time_text`].
pub fn parse_time(text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|time| time.with_timezone(&Utc))
        .map_err(|error| StoreError::new(format!("invalid stored time {text:?}"), error))
}

/// Parses a system name written by [`System::as_str`].
pub fn parse_system(text: &str) -> Result<System, StoreError> {
    match text {
        "netsuite" => Ok(System::NetSuite),
        "salesforce" => Ok(System::Salesforce),
        other => Err(StoreError {
            message: format!("invalid stored system name {other:?}"),
            cause: None,
        }),
    }
}

/// Serializes field values to JSON text.
pub fn fields_text(fields: &Fields) -> Result<String, StoreError> {
    serde_json::to_string(fields).map_err(|error| StoreError::new("cannot encode fields", error))
}

/// Parses field values written by [`fields_text`].
pub fn parse_fields(text: &str) -> Result<Fields, StoreError> {
    serde_json::from_str(text).map_err(|error| StoreError::new("invalid stored fields", error))
}

/// Serializes any value to JSON text.
pub fn json_text<T: serde::Serialize>(value: &T, what: &str) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|error| StoreError::new(format!("cannot encode {what}"), error))
}

/// Parses JSON text written by [`json_text`].
pub fn parse_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T, StoreError> {
    serde_json::from_str(text)
        .map_err(|error| StoreError::new(format!("invalid stored {what}"), error))
}

/// Serializes a remote error to JSON text.
pub fn error_text(error: &RemoteError) -> Result<String, StoreError> {
    serde_json::to_string(error).map_err(|e| StoreError::new("cannot encode an error", e))
}

/// Parses a remote error written by [`error_text`].
pub fn parse_error(text: &str) -> Result<RemoteError, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::new("invalid stored error", e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tandem_engine::FieldValue;

    #[test]
    fn time_text_round_trips_and_sorts() {
        let early = DateTime::from_timestamp(1_700_000_000, 5_000).unwrap();
        let late = DateTime::from_timestamp(1_700_000_001, 0).unwrap();
        assert_eq!(parse_time(&time_text(early)).unwrap(), early);
        assert!(time_text(early) < time_text(late));
    }

    #[test]
    fn fields_round_trip_with_every_kind() {
        let fields = Fields::from([
            ("a".to_string(), FieldValue::Null),
            ("b".to_string(), FieldValue::Bool(true)),
            ("c".to_string(), FieldValue::Number(1.5)),
            ("d".to_string(), FieldValue::Text("x".to_string())),
        ]);
        assert_eq!(
            parse_fields(&fields_text(&fields).unwrap()).unwrap(),
            fields
        );
    }

    #[test]
    fn unknown_system_is_an_error() {
        assert!(parse_system("sap").is_err());
    }
}
