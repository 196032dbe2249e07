//! Classification and conversion of client errors.

use super::*;

fn fault(detail_name: Option<&str>, code: Option<&str>, faultstring: &str) -> Error {
    Error::Fault(Box::new(Fault {
        http_status: 500,
        faultcode: "soapenv:Server.userException".to_string(),
        faultstring: faultstring.to_string(),
        detail_name: detail_name.map(str::to_string),
        code: code.map(str::to_string),
        message: Some(faultstring.to_string()),
    }))
}

fn detail(code: &str, message: &str) -> StatusDetail {
    StatusDetail {
        detail_type: StatusDetailType::Error,
        code: code.to_string(),
        message: message.to_string(),
        after_submit_failed: None,
    }
}

fn record_error(code: &str) -> Error {
    Error::Record {
        operation: "update",
        details: vec![detail(code, "text")],
    }
}

#[test]
fn concurrency_and_server_faults_are_transient() {
    let cases = [
        ("exceededConcurrentRequestLimitFault", "WS_REQUEST_BLOCKED"),
        ("exceededRequestLimitFault", "WS_CONCUR_SESSION_DISALLWD"),
        ("exceededUsageLimitFault", "EXCEEDED_MAX_CONCUR_RQST"),
        ("unexpectedErrorFault", "UNEXPECTED_ERROR"),
        ("invalidAccountFault", "ACCT_TEMP_UNAVAILABLE"),
    ];
    for (name, code) in cases {
        let error = fault(Some(name), Some(code), "busy");
        assert_eq!(error.class(), ErrorClass::Transient, "{name} {code}");
    }
}

#[test]
fn credential_and_version_faults_are_config() {
    let cases = [
        (
            Some("invalidCredentialsFault"),
            Some("USER_ERROR"),
            "Ambiguous authentication",
        ),
        (
            Some("invalidCredentialsFault"),
            Some("INVALID_LOGIN_ATTEMPT"),
            "Invalid login attempt.",
        ),
        (None, None, "Invalid login attempt."),
        (
            Some("insufficientPermissionFault"),
            Some("INSUFFICIENT_PERMISSION"),
            "denied",
        ),
        (
            Some("invalidAccountFault"),
            Some("INVALID_ACCT"),
            "no such account",
        ),
        (
            Some("invalidVersionFault"),
            Some("UNSUPPORTED_WS_VERSION"),
            "old version",
        ),
        (Some("invalidVersionFault"), None, "old version"),
    ];
    for (name, code, faultstring) in cases {
        let error = fault(name, code, faultstring);
        assert_eq!(error.class(), ErrorClass::Config, "{name:?} {code:?}");
    }
}

#[test]
fn oversized_request_faults_are_data() {
    let error = fault(
        Some("exceededRequestSizeFault"),
        Some("EXCEEDED_REQUEST_SIZE"),
        "big",
    );
    assert_eq!(error.class(), ErrorClass::Data);
}

#[test]
fn record_errors_classify_by_code() {
    for code in [
        "INVALID_KEY_OR_REF",
        "DUP_ENTITY",
        "USER_ERROR",
        "INVALID_FLD_VALUE",
        "MISSING_REQD_FLD",
    ] {
        assert_eq!(record_error(code).class(), ErrorClass::Data, "{code}");
    }
    for code in [
        "RCRD_HAS_BEEN_CHANGED",
        "UNEXPECTED_ERROR",
        "SEARCH_TIMED_OUT",
    ] {
        assert_eq!(record_error(code).class(), ErrorClass::Transient, "{code}");
    }
    assert_eq!(
        record_error("INSUFFICIENT_PERMISSION").class(),
        ErrorClass::Config
    );
    assert_eq!(
        record_error("INVALID_LOGIN_CREDENTIALS").class(),
        ErrorClass::Config
    );
}

#[test]
fn record_error_uses_first_error_detail() {
    let warning = StatusDetail {
        detail_type: StatusDetailType::Warn,
        ..detail("WARNING", "low stock")
    };
    let error = Error::Record {
        operation: "add",
        details: vec![warning, detail("DUP_ENTITY", "This entity already exists.")],
    };
    assert_eq!(error.code(), "DUP_ENTITY");
    assert_eq!(error.class(), ErrorClass::Data);
}

#[test]
fn search_page_error_keeps_page_index() {
    let error = Error::SearchPage {
        page_index: 7,
        details: vec![detail("SEARCH_TIMED_OUT", "The search timed out.")],
    };
    assert_eq!(error.class(), ErrorClass::Transient);
    assert_eq!(
        error.to_string(),
        "NetSuite search page 7 failed: SEARCH_TIMED_OUT: The search timed out."
    );
    let remote = RemoteError::from(error);
    assert_eq!(remote.code, "SEARCH_TIMED_OUT");
    assert_eq!(remote.message, "page 7: The search timed out.");
}

#[test]
fn http_errors_classify_by_status() {
    assert_eq!(Error::Http { status: 503 }.class(), ErrorClass::Transient);
    assert_eq!(Error::Http { status: 502 }.class(), ErrorClass::Transient);
    assert_eq!(Error::Http { status: 429 }.class(), ErrorClass::Transient);
    assert_eq!(Error::Http { status: 404 }.class(), ErrorClass::Config);
    assert_eq!(Error::Http { status: 503 }.code(), "HTTP_503");
}

#[test]
fn timeout_is_transient() {
    let error = Error::Timeout {
        timeout: Duration::from_millis(1500),
    };
    assert_eq!(error.class(), ErrorClass::Transient);
    assert_eq!(error.code(), "TIMEOUT");
    assert_eq!(error.to_string(), "NetSuite request timed out after 1.5 s");
}

#[test]
fn remote_error_keeps_fault_code_and_message() {
    let remote = RemoteError::from(fault(
        Some("exceededConcurrentRequestLimitFault"),
        Some("WS_REQUEST_BLOCKED"),
        "SuiteTalk concurrent request limit exceeded. Request blocked.",
    ));
    assert_eq!(remote.system, System::NetSuite);
    assert_eq!(remote.code, "WS_REQUEST_BLOCKED");
    assert_eq!(
        remote.message,
        "SuiteTalk concurrent request limit exceeded. Request blocked."
    );
    assert!(remote.is_transient());
}

#[test]
fn fault_display_names_detail_and_status() {
    let error = fault(
        Some("invalidCredentialsFault"),
        Some("USER_ERROR"),
        "Ambiguous authentication",
    );
    assert_eq!(
        error.to_string(),
        "NetSuite fault invalidCredentialsFault USER_ERROR: Ambiguous authentication (HTTP 500)"
    );
}

#[test]
fn not_found_names_the_endpoint_to_check() {
    let message = Error::Http { status: 404 }.to_string();
    assert!(message.contains("/services/NetSuitePort_"), "{message}");
    let other = Error::Http { status: 503 }.to_string();
    assert!(!other.contains("endpoint"), "{other}");
}
