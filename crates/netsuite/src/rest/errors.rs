//! Turning REST error responses into the client's [`Error`], with the same classification as
//! the SOAP client's errors.
//!
//! A REST error body is an RFC 9457 problem document whose `o:errorDetails` entries carry
//! NetSuite's `o:errorCode` and a `detail` message. A rejection of the request as a whole
//! (authentication, concurrency, a bad query, a server error) becomes [`Error::Fault`]; a
//! rejection of the one record a record request names becomes [`Error::Record`], so other
//! records of the same batch can still be written.

use serde_json::Value;

use crate::error::{Error, Fault};
use crate::operations::{StatusDetail, StatusDetailType};

/// The code NetSuite's REST service uses for a record ID that does not exist.
pub const NONEXISTENT_ID: &str = "NONEXISTENT_ID";

/// Whether an error response rejects the whole request or only the record it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    Request,
    Record(&'static str),
}

/// Reads an error response. A body without `o:errorDetails` becomes [`Error::Http`].
pub(crate) fn error_of(status: u16, body: &[u8], scope: Scope) -> Error {
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let detail = parsed
        .as_ref()
        .and_then(|value| value.get("o:errorDetails"))
        .and_then(|details| details.get(0));
    let Some(detail) = detail else {
        return Error::Http { status };
    };
    let code = detail["o:errorCode"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let message = detail["detail"].as_str().unwrap_or_default().to_string();
    let whole_request = status == 401 || status == 403 || status == 429 || status >= 500;
    match scope {
        Scope::Record(operation) if !whole_request => Error::Record {
            operation,
            details: vec![StatusDetail {
                detail_type: StatusDetailType::Error,
                code,
                message,
                after_submit_failed: None,
            }],
        },
        _ => {
            let title = parsed
                .as_ref()
                .and_then(|value| value["title"].as_str())
                .unwrap_or("error")
                .to_string();
            Error::Fault(Box::new(Fault {
                http_status: status,
                faultcode: format!("rest.{status}"),
                faultstring: title,
                detail_name: None,
                code: Some(code),
                message: Some(message),
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    //! Error bodies here are written from NetSuite's documented REST error format, because
    //! recorded REST payloads are scarce.

    use tandem_engine::ErrorClass;

    use super::*;

    fn body(status: u16, code: &str) -> Vec<u8> {
        serde_json::json!({
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
    fn invalid_login_is_config_error() {
        let error = error_of(401, &body(401, "INVALID_LOGIN"), Scope::Request);
        assert_eq!(error.class(), ErrorClass::Config);
        assert_eq!(error.code(), "INVALID_LOGIN");
    }

    #[test]
    fn record_rejection_is_record_level_data_error() {
        let error = error_of(
            400,
            &body(400, "DUP_ENTITY"),
            Scope::Record("record.create"),
        );
        assert!(error.is_record_level());
        assert_eq!(error.class(), ErrorClass::Data);
        assert_eq!(error.message(), "Something failed.");
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
