//! SOQL literals for the values `find` looks for, written by the field's type as the describe
//! gives it: text quoted and escaped, numbers and booleans bare, dates and datetimes in
//! SOQL's own forms, Ids in their 18-character form.

use chrono::NaiveDate;
use serde_json::Number;

use crate::api::describe::FieldDescribe;
use crate::datetime::parse_datetime;
use crate::error::Error;
use crate::id::SalesforceId;
use crate::soql::{date_literal, datetime_literal, string_literal};

/// How the values of one field are written in SOQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LiteralKind {
    /// Quoted, escaped text of at most this many characters (0 for no known maximum).
    Text(u32),
    /// A record Id, quoted in its 18-character form.
    Id,
    /// A bare number. `integer` is true for `int` fields, whose values have no fraction.
    Number {
        integer: bool,
    },
    Bool,
    Date,
    DateTime,
}

impl LiteralKind {
    /// Returns how values of `field` are written, or a configuration error when `find` cannot
    /// compare it: the field cannot be filtered (long text areas) or has a type SOQL compares
    /// otherwise (`multipicklist` with `INCLUDES`, `address`, `location`, `base64`, `time`).
    pub(super) fn of(object: &str, field: &FieldDescribe) -> Result<LiteralKind, Error> {
        if !field.filterable {
            return Err(Error::Config {
                message: format!(
                    "{object}.{} cannot be filtered in SOQL, so records cannot be found by it; \
                     choose another field, such as an external ID",
                    field.name
                ),
            });
        }
        Ok(match field.field_type.as_str() {
            "string" | "textarea" | "email" | "phone" | "url" | "picklist" | "combobox"
            | "encryptedstring" => LiteralKind::Text(field.length),
            "id" | "reference" => LiteralKind::Id,
            "double" | "currency" | "percent" | "long" => LiteralKind::Number { integer: false },
            "int" => LiteralKind::Number { integer: true },
            "boolean" => LiteralKind::Bool,
            "date" => LiteralKind::Date,
            "datetime" => LiteralKind::DateTime,
            other => {
                return Err(Error::Config {
                    message: format!(
                        "{object}.{} is a {other} field, which the port cannot search by",
                        field.name
                    ),
                });
            }
        })
    }

    /// Writes `value` as a literal of this kind, or returns `None` when no record can hold it:
    /// blank text, text longer than the field, an invalid Id, a number, boolean, date or
    /// datetime that does not parse. Surrounding white space is ignored.
    pub(super) fn literal(self, value: &str) -> Option<String> {
        let value = value.trim();
        if value.is_empty() {
            return None;
        }
        match self {
            LiteralKind::Text(0) => Some(string_literal(value)),
            LiteralKind::Text(length) => {
                let fits = value.chars().count() <= length as usize;
                fits.then(|| string_literal(value))
            }
            LiteralKind::Id => SalesforceId::parse(value)
                .ok()
                .map(|id| string_literal(id.as_str())),
            LiteralKind::Number { integer } => number_literal(value, integer),
            LiteralKind::Bool => match value.to_ascii_lowercase().as_str() {
                "true" => Some("true".into()),
                "false" => Some("false".into()),
                _ => None,
            },
            LiteralKind::Date => NaiveDate::parse_from_str(value, "%Y-%m-%d")
                .ok()
                .map(date_literal),
            LiteralKind::DateTime => parse_datetime(value).ok().map(datetime_literal),
        }
    }
}

/// Writes a finite number as SOQL accepts it. Values of an integer field must be whole.
fn number_literal(value: &str, integer: bool) -> Option<String> {
    let number: f64 = value
        .parse()
        .ok()
        .filter(|number: &f64| number.is_finite())?;
    if integer {
        return (number.fract() == 0.0).then(|| format!("{number:.0}"));
    }
    Number::from_f64(number).map(|number| number.to_string())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn field(field_type: &str, length: u32, filterable: bool) -> FieldDescribe {
        serde_json::from_value(json!({
            "name": "Field__c",
            "type": field_type,
            "length": length,
            "filterable": filterable
        }))
        .unwrap()
    }

    fn kind(field_type: &str) -> LiteralKind {
        LiteralKind::of("Account", &field(field_type, 20, true)).unwrap()
    }

    #[test]
    fn text_is_quoted_and_escaped() {
        assert_eq!(
            kind("string").literal("O'Brien \\ Sons"),
            Some(r"'O\'Brien \\ Sons'".into())
        );
        assert_eq!(
            kind("email").literal(" a@b.example "),
            Some("'a@b.example'".into())
        );
        assert_eq!(kind("picklist").literal("Hot"), Some("'Hot'".into()));
    }

    #[test]
    fn text_longer_than_field_is_left_out() {
        assert_eq!(kind("string").literal(&"x".repeat(21)), None);
        assert!(kind("string").literal(&"x".repeat(20)).is_some());
        assert_eq!(kind("phone").literal("   "), None);
    }

    #[test]
    fn numbers_and_booleans_are_bare() {
        assert_eq!(kind("double").literal("12.5"), Some("12.5".into()));
        assert_eq!(kind("currency").literal("1e3"), Some("1000.0".into()));
        assert_eq!(kind("int").literal("42"), Some("42".into()));
        assert_eq!(kind("int").literal("42.5"), None);
        assert_eq!(kind("double").literal("12 OR Name != null"), None);
        assert_eq!(kind("double").literal("NaN"), None);
        assert_eq!(kind("boolean").literal("TRUE"), Some("true".into()));
        assert_eq!(kind("boolean").literal("yes"), None);
    }

    #[test]
    fn dates_use_soql_forms() {
        assert_eq!(
            kind("date").literal("2024-02-29"),
            Some("2024-02-29".into())
        );
        assert_eq!(kind("date").literal("29/02/2024"), None);
        assert_eq!(
            kind("datetime").literal("2024-05-06T07:08:09.000+0200"),
            Some("2024-05-06T05:08:09.000Z".into())
        );
    }

    #[test]
    fn ids_are_quoted_in_long_form() {
        assert_eq!(
            kind("reference").literal("001dM00003kS3tN"),
            Some("'001dM00003kS3tNQAS'".into())
        );
        assert_eq!(kind("id").literal("001' OR Name != '"), None);
    }

    #[test]
    fn unfilterable_field_is_config_error() {
        let error = LiteralKind::of("Account", &field("textarea", 32_000, false)).unwrap_err();
        assert!(matches!(error, Error::Config { .. }));
        assert!(
            error
                .to_string()
                .contains("Account.Field__c cannot be filtered"),
            "{error}"
        );
    }

    #[test]
    fn compound_field_is_config_error() {
        let error = LiteralKind::of("Account", &field("address", 0, true)).unwrap_err();
        assert!(error.to_string().contains("address field"), "{error}");
        assert!(LiteralKind::of("Account", &field("multipicklist", 0, true)).is_err());
    }
}
