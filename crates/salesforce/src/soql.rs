//! Building blocks for SOQL text: literals, checked names and a small typed query builder.
//!
//! Values placed in a SOQL string go through these helpers so that a quote in a company name or
//! a time zone offset in a watermark cannot change what the query means.

mod builder;

use chrono::{DateTime, NaiveDate, Utc};

pub use builder::{Condition, Direction, Operator, SoqlQuery, SoqlValue};

use crate::error::Error;

/// Formats a datetime as an unquoted SOQL literal in UTC, `YYYY-MM-DDThh:mm:ss.sssZ`.
///
/// The offset is always `Z`: a `+hh:mm` offset breaks when the `+` reaches Salesforce as a
/// space, and Salesforce rejects the space-separated form that generic formatters produce.
pub fn datetime_literal(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Formats a date as an unquoted SOQL date literal, `YYYY-MM-DD`. Date fields take only this
/// form, and datetime fields only the datetime form.
pub fn date_literal(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// Formats text as a quoted SOQL string literal.
///
/// Backslash, both quotes, new line, carriage return, tab, backspace and form feed use SOQL's
/// backslash escapes, and other control characters use `\uXXXX`. `_` and `%` are left as they are,
/// so the result matches them literally with `=` and as wildcards with `LIKE`.
pub fn string_literal(value: &str) -> String {
    let mut literal = String::with_capacity(value.len() + 2);
    literal.push('\'');
    for character in value.chars() {
        push_escaped(&mut literal, character);
    }
    literal.push('\'');
    literal
}

fn push_escaped(literal: &mut String, character: char) {
    match character {
        '\\' => literal.push_str("\\\\"),
        '\'' => literal.push_str("\\'"),
        '"' => literal.push_str("\\\""),
        '\n' => literal.push_str("\\n"),
        '\r' => literal.push_str("\\r"),
        '\t' => literal.push_str("\\t"),
        '\u{8}' => literal.push_str("\\b"),
        '\u{c}' => literal.push_str("\\f"),
        control if control.is_control() => {
            // Control characters outside the named escapes fit in four hex digits: the
            // C0 and C1 ranges end at U+009F.
            literal.push_str(&format!("\\u{:04x}", u32::from(control)));
        }
        other => literal.push(other),
    }
}

/// Checks that `name` can be placed unquoted in SOQL or in a REST path as an sObject or field
/// name: ASCII letters, digits and underscores, starting with a letter, with `.` between the
/// parts of a relationship path (`Owner.Name`).
///
/// Names come from the configuration file, so this check is what keeps a typo from turning into
/// a different query.
pub fn check_name(name: &str) -> Result<&str, Error> {
    let valid_part = |part: &str| {
        part.starts_with(|c: char| c.is_ascii_alphabetic())
            && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    if !name.is_empty() && name.split('.').all(valid_part) {
        Ok(name)
    } else {
        Err(Error::InvalidRequest {
            message: format!(
                "{name:?} is not a valid sObject or field name: use the API name, such as \
                 Account or NetSuite_Id__c"
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn datetime_literal_uses_utc_and_milliseconds() {
        let at = Utc.with_ymd_and_hms(2024, 3, 5, 7, 8, 9).unwrap();
        assert_eq!(datetime_literal(at), "2024-03-05T07:08:09.000Z");
    }

    #[test]
    fn datetime_literal_truncates_to_milliseconds() {
        let at = Utc.with_ymd_and_hms(2021, 8, 11, 12, 52, 8).unwrap()
            + chrono::Duration::microseconds(62_712);
        assert_eq!(datetime_literal(at), "2021-08-11T12:52:08.062Z");
    }

    #[test]
    fn date_literal_is_unquoted_iso_date() {
        let date = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        assert_eq!(date_literal(date), "2024-02-29");
    }

    #[test]
    fn string_literal_escapes_quotes_and_backslash() {
        assert_eq!(string_literal("Bob's BBQ"), r"'Bob\'s BBQ'");
        assert_eq!(string_literal(r"C:\data"), r"'C:\\data'");
        assert_eq!(string_literal("say \"hi\""), r#"'say \"hi\"'"#);
    }

    #[test]
    fn string_literal_escapes_white_space_controls() {
        assert_eq!(string_literal("a\nb\rc\td"), r"'a\nb\rc\td'");
        assert_eq!(string_literal("\u{8}\u{c}"), r"'\b\f'");
    }

    #[test]
    fn string_literal_escapes_other_controls_as_unicode() {
        assert_eq!(string_literal("a\u{1}b\u{7f}"), r"'a\u0001b\u007f'");
    }

    #[test]
    fn string_literal_keeps_wildcards_and_unicode() {
        assert_eq!(string_literal("50%_off é"), "'50%_off é'");
    }

    #[test]
    fn check_name_accepts_api_names() {
        for name in [
            "Account",
            "NetSuite_Id__c",
            "Owner.Name",
            "Parent__r.External_Id__c",
        ] {
            assert_eq!(check_name(name).unwrap(), name);
        }
    }

    #[test]
    fn check_name_rejects_injection_and_blanks() {
        for name in [
            "",
            "Name, Id",
            "Id FROM User--",
            "1Field",
            "Owner.",
            "Na me",
            "a'b",
        ] {
            assert!(check_name(name).is_err(), "{name:?}");
        }
    }
}
