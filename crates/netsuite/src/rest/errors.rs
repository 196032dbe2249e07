//! Turning REST error responses into the client's [`Error`], with the same classification as
//! the SOAP client's errors.
//!
//! A REST error body is an RFC 9457 problem document whose `o:errorDetails` entries carry
//! NetSuite's `o:errorCode` and a `detail` message. A rejection of the request as a whole
//! (authentication, concurrency, a bad query, a server error) becomes [`Error::Fault`]; a
//! rejection of the one record a record request names becomes [`Error::Record`], so other
//! records of the same batch can still be written.

use serde_json::Value;

use crate::error::{Error, Fault, REST_FAULTCODE_PREFIX};
use crate::operations::{StatusDetail, StatusDetailType};

/// The code NetSuite's REST service uses for a record ID that does not exist.
pub const NONEXISTENT_ID: &str = "NONEXISTENT_ID";

/// The prefix NetSuite puts before the message of a rejected record, dropped so messages
/// read as they do over SOAP.
const RESOURCE_PREFIXES: &[&str] = &[
    "Error while accessing resource: ",
    "Error while accessing a resource. ",
];

/// The REST sublist names and the SOAP names the rest of the client uses, for error paths.
const SUBLISTS: &[(&str, &str)] = &[
    ("item", "itemList"),
    ("addressBook", "addressbookList"),
    ("apply", "applyList"),
];

/// Whether an error response rejects the whole request or only the record it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    Request,
    Record(&'static str),
}

/// Reads an error response. A body without `o:errorDetails` becomes [`Error::Http`].
///
/// Authentication (401), permission to use the service (403), the concurrency limit (429 or
/// `CONCURRENCY_LIMIT_EXCEEDED`) and server errors (5xx) reject the request as a whole and
/// become [`Error::Fault`], classified by code and then by status like SOAP faults. Any
/// other rejection of a record request (400 `USER_ERROR`, `INVALID_CONTENT`, 404
/// `NONEXISTENT_ID`...) becomes [`Error::Record`] with one status detail per error detail,
/// classified by code like a SOAP status detail.
pub(crate) fn error_of(status: u16, body: &[u8], scope: Scope) -> Error {
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let entries = parsed
        .as_ref()
        .and_then(|value| value.get("o:errorDetails"))
        .and_then(Value::as_array)
        .filter(|entries| !entries.is_empty());
    let Some(entries) = entries else {
        return Error::Http { status };
    };
    let details: Vec<StatusDetail> = entries.iter().map(status_detail).collect();
    match scope {
        Scope::Record(operation) if !rejects_request(status, &details[0].code) => {
            Error::Record { operation, details }
        }
        _ => {
            let title = parsed
                .as_ref()
                .and_then(|value| value["title"].as_str())
                .unwrap_or("error")
                .to_string();
            let first = details.into_iter().next().unwrap_or_else(|| StatusDetail {
                detail_type: StatusDetailType::Error,
                code: String::new(),
                message: String::new(),
                after_submit_failed: None,
            });
            Error::Fault(Box::new(Fault {
                http_status: status,
                faultcode: format!("{REST_FAULTCODE_PREFIX}{status}"),
                faultstring: title,
                detail_name: None,
                code: Some(first.code),
                message: Some(first.message),
            }))
        }
    }
}

/// Returns true for a response that no record of the request could get past.
fn rejects_request(status: u16, code: &str) -> bool {
    matches!(status, 401 | 403 | 429 | 500..=599)
        || code == "CONCURRENCY_LIMIT_EXCEEDED"
        || code.starts_with("INVALID_LOGIN")
}

/// Reads one `o:errorDetails` entry. The message keeps NetSuite's text without its
/// "Error while accessing resource" prefix, and names the field of `o:errorPath` in the
/// SOAP form the mappings use (`itemList[0].item` for REST's `item.items[0].item`).
fn status_detail(entry: &Value) -> StatusDetail {
    let code = entry["o:errorCode"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let detail = entry["detail"].as_str().unwrap_or_default();
    let mut message = RESOURCE_PREFIXES
        .iter()
        .find_map(|prefix| detail.strip_prefix(prefix))
        .unwrap_or(detail)
        .to_string();
    if let Some(path) = entry["o:errorPath"]
        .as_str()
        .filter(|path| !path.is_empty())
    {
        message = format!("{message} (field {})", soap_path(path));
    }
    StatusDetail {
        detail_type: StatusDetailType::Error,
        code,
        message,
        after_submit_failed: None,
    }
}

/// Turns a REST JSON path (`item.items[0].item`) into the SOAP field path
/// (`itemList[0].item`).
fn soap_path(path: &str) -> String {
    let (head, rest) = path.split_once('.').unwrap_or((path, ""));
    let renamed = SUBLISTS
        .iter()
        .find(|(rest_name, _)| *rest_name == head)
        .map(|(_, soap)| *soap);
    match (renamed, rest.strip_prefix("items")) {
        (Some(soap), Some(lines)) => format!("{soap}{lines}"),
        _ => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    //! Error bodies here are written from NetSuite's documented REST error format (an RFC 9457
    //! problem document with `o:errorDetails` entries of `detail`, `o:errorCode` and an
    //! optional `o:errorPath`), because recorded REST payloads are scarce.

    use serde_json::json;
    use tandem_engine::ErrorClass;

    use super::*;

    fn body(status: u16, code: &str) -> Vec<u8> {
        json!({
            "type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1",
            "title": "Bad Request",
            "status": status,
            "o:errorDetails": [{"detail": "Something failed.", "o:errorCode": code}],
        })
        .to_string()
        .into_bytes()
    }

    #[test]
    fn status_429_is_concurrency_fault() {
        let error = error_of(
            429,
            &body(429, "CONCURRENCY_LIMIT_EXCEEDED"),
            Scope::Record("get"),
        );
        assert!(error.is_concurrency_limit());
        assert_eq!(error.class(), ErrorClass::Transient);
    }

    #[test]
    fn status_429_with_other_code_is_still_concurrency() {
        let error = error_of(429, &body(429, "USER_ERROR"), Scope::Request);
        assert!(error.is_concurrency_limit());
        assert_eq!(error.class(), ErrorClass::Transient);
    }

    #[test]
    fn concurrency_code_on_400_rejects_request() {
        let error = error_of(
            400,
            &body(400, "CONCURRENCY_LIMIT_EXCEEDED"),
            Scope::Record("record.upsert"),
        );
        assert!(!error.is_record_level());
        assert!(error.is_concurrency_limit());
    }

    #[test]
    fn invalid_login_is_config_error() {
        let error = error_of(401, &body(401, "INVALID_LOGIN"), Scope::Record("get"));
        assert!(!error.is_record_level());
        assert_eq!(error.class(), ErrorClass::Config);
        assert_eq!(error.code(), "INVALID_LOGIN");
    }

    #[test]
    fn forbidden_is_config_fault() {
        let error = error_of(
            403,
            &body(403, "INSUFFICIENT_PERMISSION"),
            Scope::Record("record.update"),
        );
        assert!(!error.is_record_level());
        assert_eq!(error.class(), ErrorClass::Config);
    }

    #[test]
    fn server_error_with_unknown_code_is_transient() {
        let error = error_of(500, &body(500, "SOME_NEW_CODE"), Scope::Request);
        assert_eq!(error.class(), ErrorClass::Transient);
        let unavailable = error_of(503, &body(503, "SOME_NEW_CODE"), Scope::Record("get"));
        assert_eq!(unavailable.class(), ErrorClass::Transient);
        assert!(!unavailable.is_record_level());
    }

    #[test]
    fn record_codes_classify_as_soap_details() {
        let cases = [
            ("USER_ERROR", 400, ErrorClass::Data),
            ("INVALID_CONTENT", 400, ErrorClass::Data),
            ("RCRD_DSNT_EXIST", 400, ErrorClass::Data),
            ("NONEXISTENT_ID", 404, ErrorClass::Data),
            ("DUP_ENTITY", 400, ErrorClass::Data),
            ("INSUFFICIENT_PERMISSION", 400, ErrorClass::Config),
            ("RCRD_HAS_BEEN_CHANGED", 400, ErrorClass::Transient),
        ];
        for (code, status, class) in cases {
            let error = error_of(status, &body(status, code), Scope::Record("record.update"));
            assert!(error.is_record_level(), "{code} is about one record");
            assert_eq!(error.class(), class, "class of {code}");
            assert_eq!(error.code(), code);
        }
    }

    #[test]
    fn record_message_names_field_of_error_path() {
        let body = json!({
            "type": "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.1",
            "title": "Bad Request",
            "status": 400,
            "o:errorDetails": [{
                "detail": "Error while accessing resource: You have entered an Invalid Field \
                           Value 9999 for the following field: item",
                "o:errorCode": "INVALID_CONTENT",
                "o:errorPath": "item.items[0].item",
            }],
        });
        let error = error_of(
            400,
            body.to_string().as_bytes(),
            Scope::Record("record.create"),
        );
        assert_eq!(
            error.message(),
            "You have entered an Invalid Field Value 9999 for the following field: item \
             (field itemList[0].item)"
        );
        assert_eq!(error.class(), ErrorClass::Data);
    }

    #[test]
    fn every_error_detail_is_kept() {
        let body = json!({
            "status": 400,
            "o:errorDetails": [
                {"detail": "Please enter value(s) for: Customer", "o:errorCode": "USER_ERROR"},
                {"detail": "Bad phone.", "o:errorCode": "INVALID_CONTENT", "o:errorPath": "phone"},
            ],
        });
        let error = error_of(
            400,
            body.to_string().as_bytes(),
            Scope::Record("record.create"),
        );
        let Error::Record { details, .. } = &error else {
            panic!("expected a record error, got {error:?}");
        };
        assert_eq!(details.len(), 2);
        assert_eq!(details[1].message, "Bad phone. (field phone)");
    }

    #[test]
    fn bad_query_is_config_fault() {
        let error = error_of(400, &body(400, "INVALID_PARAMETER"), Scope::Request);
        assert!(!error.is_record_level());
        assert_eq!(error.class(), ErrorClass::Config);
    }

    #[test]
    fn body_without_details_is_http_error() {
        let error = error_of(503, b"<html>down</html>", Scope::Request);
        assert!(matches!(error, Error::Http { status: 503 }));
        assert_eq!(error.class(), ErrorClass::Transient);
    }
}
