//! Whole-call errors of the port as the engine's [`RemoteError`], with the object and field
//! named when Salesforce reports one that does not exist.

use tandem_engine::{ErrorClass, RemoteError};

use crate::error::Error;

/// Converts an error of a call about `object`.
///
/// `INVALID_FIELD` and `INVALID_TYPE` (an unknown field, relationship or object in a query or
/// a write) become configuration errors whose message names the object and the name
/// Salesforce quoted, and whose `fields` hold that name. Every other error converts as
/// [`RemoteError::from`] does.
pub(super) fn remote_error(object: &str, error: Error) -> RemoteError {
    let Some(detail) = error.details().first() else {
        return error.into();
    };
    let code = detail.code.clone();
    let reason = last_line(&detail.message).to_string();
    let name = quoted_name(&reason).map(str::to_string);
    let message = match (code.as_str(), name.as_deref()) {
        ("INVALID_FIELD", Some(name)) => format!(
            "{object} has no field or relationship {name} that the integration user can see; \
             check the API name (custom fields end in __c, custom relationships in __r) and \
             its field-level security. Salesforce: {reason}"
        ),
        ("INVALID_TYPE", Some(name)) if reason.contains("sObject type") => format!(
            "Salesforce has no object {name} that the integration user can see; check the API \
             name (custom objects end in __c) and the user's object permissions. Salesforce: \
             {reason}"
        ),
        ("INVALID_TYPE", Some(name)) => format!(
            "{object} has no child relationship {name} that the integration user can see; \
             check the relationship name in the describe of {object}. Salesforce: {reason}"
        ),
        ("INVALID_FIELD" | "INVALID_TYPE", None) => format!("{object}: {reason}"),
        _ => return error.into(),
    };
    let mut remote = RemoteError::new(
        tandem_engine::System::Salesforce,
        ErrorClass::Config,
        code,
        message,
    );
    remote.fields = name.into_iter().collect();
    remote
}

/// Returns the last non-blank line. Query errors start with the statement and a caret under
/// the failing token, and end with the reason.
fn last_line(message: &str) -> &str {
    message
        .lines()
        .rev()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or_default()
}

/// Returns the first API name that the text puts between single quotes, such as `Foo__c` in
/// `No such column 'Foo__c' on entity 'Account'`. An apostrophe (as in "Didn't") is not taken
/// for a quote, because the text it opens is not a name.
fn quoted_name(text: &str) -> Option<&str> {
    let parts: Vec<&str> = text.split('\'').collect();
    let inner = parts.get(1..parts.len().saturating_sub(1))?;
    inner.iter().copied().find(|part| is_api_name(part))
}

fn is_api_name(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_alphabetic())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorDetail;

    fn api_error(code: &str, message: &str) -> Error {
        Error::Api {
            status: 400,
            errors: vec![ErrorDetail {
                code: code.into(),
                message: message.into(),
                fields: Vec::new(),
            }],
        }
    }

    #[test]
    fn remote_error_names_unknown_field() {
        let error = api_error(
            "INVALID_FIELD",
            "\nSELECT Id, Colour__c FROM Account\n           ^\nERROR at Row:1:Column:12\n\
             No such column 'Colour__c' on entity 'Account'. If you are attempting to use a \
             custom field, be sure to append the '__c' after the custom field name.",
        );
        let remote = remote_error("Account", error);
        assert_eq!(remote.code, "INVALID_FIELD");
        assert_eq!(remote.class, ErrorClass::Config);
        assert_eq!(remote.fields, ["Colour__c"]);
        assert!(
            remote
                .message
                .starts_with("Account has no field or relationship Colour__c"),
            "{}",
            remote.message
        );
        assert!(!remote.message.contains("SELECT"), "{}", remote.message);
    }

    #[test]
    fn remote_error_skips_apostrophes() {
        let error = api_error(
            "INVALID_FIELD",
            "Didn't understand relationship 'Acount' in field path. If you are attempting to \
             use a custom relationship, be sure to append the '__r' after the custom \
             relationship name.",
        );
        let remote = remote_error("Contact", error);
        assert_eq!(remote.fields, ["Acount"]);
    }

    #[test]
    fn remote_error_names_unknown_object() {
        let error = api_error(
            "INVALID_TYPE",
            "\nSELECT Id FROM Invoice__c\n               ^\nERROR at Row:1:Column:16\n\
             sObject type 'Invoice__c' is not supported.",
        );
        let remote = remote_error("Invoice__c", error);
        assert_eq!(remote.class, ErrorClass::Config);
        assert!(
            remote
                .message
                .starts_with("Salesforce has no object Invoice__c"),
            "{}",
            remote.message
        );
    }

    #[test]
    fn remote_error_names_unknown_child_relationship() {
        let error = api_error(
            "INVALID_TYPE",
            "Didn't understand relationship 'LineItems' in FROM part of query call.",
        );
        let remote = remote_error("Opportunity", error);
        assert!(
            remote
                .message
                .starts_with("Opportunity has no child relationship LineItems"),
            "{}",
            remote.message
        );
    }

    #[test]
    fn remote_error_keeps_other_errors() {
        let error = api_error("UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access");
        let remote = remote_error("Account", error);
        assert_eq!(remote.code, "UNABLE_TO_LOCK_ROW");
        assert_eq!(remote.class, ErrorClass::Transient);
        assert_eq!(remote.message, "unable to obtain exclusive access");
    }

    #[test]
    fn quoted_name_needs_both_quotes() {
        assert_eq!(quoted_name("No such column 'A_b__c' here"), Some("A_b__c"));
        assert_eq!(quoted_name("Didn't work"), None);
        assert_eq!(quoted_name("'unterminated"), None);
    }
}
