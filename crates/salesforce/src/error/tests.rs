use super::*;

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../corpus/salesforce/restforce__restforce/spec/fixtures"
);

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{FIXTURES}/{name}");
    std::fs::read(&path).unwrap_or_else(|error| panic!("cannot read {path}: {error}"))
}

fn detail(code: &str, message: &str) -> ErrorDetail {
    ErrorDetail {
        code: code.into(),
        message: message.into(),
        fields: Vec::new(),
    }
}

fn api(status: u16, code: &str, message: &str) -> Error {
    Error::Api {
        status,
        errors: vec![detail(code, message)],
    }
}

#[test]
fn parse_error_array_reads_expired_session() {
    let errors = parse_error_array(&fixture("expired_session_response.json")).unwrap();
    assert_eq!(
        errors,
        vec![detail("INVALID_SESSION_ID", "Session expired or invalid")]
    );
}

#[test]
fn parse_error_array_reads_write_error() {
    let errors = parse_error_array(&fixture("sobject/write_error_response.json")).unwrap();
    assert_eq!(
        errors,
        vec![detail(
            "INVALID_FIELD",
            "No such column 'foo' on sobject of type Bar"
        )]
    );
}

#[test]
fn parse_error_array_reads_query_error() {
    let errors = parse_error_array(&fixture("sobject/query_error_response.json")).unwrap();
    assert_eq!(errors, vec![detail("INVALID_FIELD", "error_message")]);
}

#[test]
fn parse_error_array_reads_upsert_error() {
    let errors = parse_error_array(&fixture("sobject/upsert_error_response.json")).unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].code, "NOT_FOUND");
    assert_eq!(
        errors[0].message,
        "Provided external ID field does not exist or is not accessible: Namez"
    );
    assert!(is_missing_external_id_field(&errors[0]));
}

#[test]
fn parse_error_array_rejects_oauth_body() {
    assert_eq!(
        parse_error_array(&fixture("auth_error_response.json")),
        None
    );
}

#[test]
fn oauth_error_wire_reads_auth_error() {
    let wire: OAuthErrorWire =
        serde_json::from_slice(&fixture("auth_error_response.json")).unwrap();
    assert_eq!(wire.error, "invalid_grant");
    assert_eq!(
        wire.error_description,
        "authentication failure - Invalid Password"
    );
}

#[test]
fn record_error_wire_reads_status_code() {
    let body = r#"{"statusCode":"INVALID_CROSS_REFERENCE_KEY",
        "message":"invalid cross reference id","fields":["ParentId"]}"#;
    let detail: ErrorDetail = serde_json::from_str::<RecordErrorWire>(body)
        .unwrap()
        .into();
    assert_eq!(detail.code, "INVALID_CROSS_REFERENCE_KEY");
    assert_eq!(detail.message, "invalid cross reference id");
    assert_eq!(detail.fields, vec!["ParentId".to_string()]);
}

#[test]
fn record_error_wire_requires_status_code() {
    let body = r#"{"errorCode":"INVALID_FIELD","message":"x"}"#;
    assert!(serde_json::from_str::<RecordErrorWire>(body).is_err());
}

#[test]
fn error_from_status_keeps_non_json_body() {
    let error = error_from_status(502, b"<html>Bad Gateway</html>");
    assert!(
        matches!(&error, Error::Http { status: 502, body } if body == "<html>Bad Gateway</html>")
    );
    assert_eq!(error.class(), ErrorClass::Transient);
    assert_eq!(error.code(), "HTTP_502");
}

#[test]
fn body_snippet_truncates_long_bodies() {
    let snippet = body_snippet("x".repeat(1_000).as_bytes());
    assert_eq!(snippet.len(), 303);
    assert!(snippet.ends_with("..."));
}

#[test]
fn class_marks_transient_errors() {
    let transient = [
        api(
            400,
            "UNABLE_TO_LOCK_ROW",
            "unable to obtain exclusive access to this record",
        ),
        api(503, "SERVER_UNAVAILABLE", "server unavailable"),
        api(
            403,
            "REQUEST_LIMIT_EXCEEDED",
            "ConcurrentRequests (Concurrent API Requests) Limit exceeded.",
        ),
        api(500, "UNKNOWN_EXCEPTION", "An unexpected error occurred"),
        api(
            500,
            "INVALID_FIELD",
            "even a known code is transient under HTTP 5xx",
        ),
        Error::Record {
            errors: vec![detail("UNABLE_TO_LOCK_ROW", "locked")],
        },
        Error::Http {
            status: 503,
            body: String::new(),
        },
    ];
    for error in transient {
        assert_eq!(error.class(), ErrorClass::Transient, "{error}");
    }
}

#[test]
fn class_marks_config_errors() {
    let config = [
        api(
            400,
            "INVALID_FIELD",
            "No such column 'foo' on sobject of type Bar",
        ),
        api(400, "INVALID_TYPE", "sObject type 'XYZZY' is not supported"),
        api(
            403,
            "INSUFFICIENT_ACCESS_OR_READONLY",
            "insufficient access rights",
        ),
        api(
            403,
            "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY",
            "no access",
        ),
        api(
            404,
            "NOT_FOUND",
            "Provided external ID field does not exist or is not accessible: Namez",
        ),
        api(400, "MALFORMED_QUERY", "unexpected token"),
        api(401, "INVALID_SESSION_ID", "Session expired or invalid"),
        Error::OAuth {
            flow: "client_credentials",
            status: 400,
            code: "invalid_client".into(),
            description: "invalid client credentials".into(),
        },
        Error::Http {
            status: 404,
            body: "<html>".into(),
        },
    ];
    for error in config {
        assert_eq!(error.class(), ErrorClass::Config, "{error}");
    }
}

#[test]
fn class_marks_data_errors() {
    let data = [
        api(
            400,
            "REQUIRED_FIELD_MISSING",
            "Required fields are missing: [Name]",
        ),
        api(400, "STRING_TOO_LONG", "Billing City: data value too large"),
        api(400, "DUPLICATE_VALUE", "duplicate value found"),
        api(
            400,
            "INVALID_CROSS_REFERENCE_KEY",
            "invalid cross reference id",
        ),
        api(
            400,
            "FIELD_CUSTOM_VALIDATION_EXCEPTION",
            "Region is required",
        ),
        api(400, "MALFORMED_ID", "malformed id 001"),
        api(404, "NOT_FOUND", "The requested resource does not exist"),
        api(400, "ENTITY_IS_DELETED", "entity is deleted"),
        Error::MultipleChoices {
            ids: vec!["foo".into(), "bar".into()],
        },
        Error::Record {
            errors: vec![detail(
                "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                "bad value",
            )],
        },
        Error::Record {
            errors: vec![detail(
                "INVALID_FIELD",
                "a per-record INVALID_FIELD is still Config",
            )],
        },
    ];
    for error in &data[..data.len() - 1] {
        assert_eq!(error.class(), ErrorClass::Data, "{error}");
    }
    assert_eq!(data[data.len() - 1].class(), ErrorClass::Config);
}

#[test]
fn remote_error_keeps_code_message_and_fields() {
    let error = Error::Record {
        errors: vec![
            ErrorDetail {
                code: "REQUIRED_FIELD_MISSING".into(),
                message: "Required fields are missing: [Name]".into(),
                fields: vec!["Name".into()],
            },
            ErrorDetail {
                code: "STRING_TOO_LONG".into(),
                message: "Phone: data value too large".into(),
                fields: vec!["Phone".into(), "Name".into()],
            },
        ],
    };
    let remote = RemoteError::from(error);
    assert_eq!(remote.system, System::Salesforce);
    assert_eq!(remote.code, "REQUIRED_FIELD_MISSING");
    assert_eq!(
        remote.message,
        "Required fields are missing: [Name]; Phone: data value too large"
    );
    assert_eq!(remote.fields, vec!["Name".to_string(), "Phone".to_string()]);
    assert_eq!(remote.class, ErrorClass::Data);
}

#[test]
fn remote_error_names_oauth_code() {
    let remote = RemoteError::from(Error::OAuth {
        flow: "client_credentials",
        status: 400,
        code: "invalid_client".into(),
        description: "invalid client credentials".into(),
    });
    assert_eq!(remote.code, "invalid_client");
    assert_eq!(remote.message, "login failed: invalid client credentials");
    assert_eq!(remote.class, ErrorClass::Config);
}

#[test]
fn remote_error_names_multiple_choices() {
    let remote = RemoteError::from(Error::MultipleChoices {
        ids: vec!["001A".into(), "001B".into()],
    });
    assert_eq!(remote.code, "MULTIPLE_CHOICES");
    assert!(remote.message.contains("001A, 001B"), "{}", remote.message);
    assert_eq!(remote.class, ErrorClass::Data);
}

#[test]
fn display_lists_every_error() {
    let error = Error::Api {
        status: 400,
        errors: vec![
            detail("INVALID_FIELD", "No such column 'foo'"),
            ErrorDetail {
                code: "REQUIRED_FIELD_MISSING".into(),
                message: "Required fields are missing: [Name]".into(),
                fields: vec!["Name".into()],
            },
        ],
    };
    assert_eq!(
        error.to_string(),
        "Salesforce rejected the request with HTTP 400: INVALID_FIELD No such column 'foo'; \
         REQUIRED_FIELD_MISSING Required fields are missing: [Name] (fields: Name)"
    );
}

#[test]
fn is_invalid_session_needs_status_and_code() {
    assert!(api(401, "INVALID_SESSION_ID", "Session expired or invalid").is_invalid_session());
    assert!(!api(400, "INVALID_SESSION_ID", "odd status").is_invalid_session());
    assert!(!api(401, "INVALID_AUTH_HEADER", "other code").is_invalid_session());
}

fn remedies(errors: Vec<Error>) -> Vec<Remedy> {
    errors.iter().map(Error::remedy).collect()
}

#[test]
fn remedy_waits_for_budget_on_daily_limit() {
    let daily = api(
        403,
        "REQUEST_LIMIT_EXCEEDED",
        "TotalRequests Limit exceeded.",
    );
    assert_eq!(daily.remedy(), Remedy::WaitForBudget);
    assert_eq!(daily.class(), ErrorClass::Budget);
    let reserve = Error::BudgetExhausted {
        used: 13_600,
        max: 15_000,
        reserve_percent: 10,
    };
    assert_eq!(reserve.remedy(), Remedy::WaitForBudget);
    assert_eq!(reserve.code(), "API_BUDGET_EXHAUSTED");
    assert!(reserve.to_string().contains("13600 of 15000"), "{reserve}");
}

#[test]
fn remedy_retries_locks_outages_and_rollbacks() {
    let errors = vec![
        api(
            400,
            "UNABLE_TO_LOCK_ROW",
            "unable to obtain exclusive access",
        ),
        api(503, "SERVER_UNAVAILABLE", "down"),
        api(400, "PROCESSING_HALTED", "The transaction was rolled back"),
        Error::Http {
            status: 503,
            body: String::new(),
        },
    ];
    assert!(remedies(errors).iter().all(|r| *r == Remedy::RetryLater));
}

#[test]
fn remedy_fixes_data_for_record_faults() {
    let codes = [
        "REQUIRED_FIELD_MISSING",
        "DUPLICATE_VALUE",
        "INVALID_CROSS_REFERENCE_KEY",
        "FIELD_CUSTOM_VALIDATION_EXCEPTION",
        "STRING_TOO_LONG",
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
        "ENTITY_IS_DELETED",
        "DUPLICATES_DETECTED",
    ];
    for code in codes {
        let error = Error::Record {
            errors: vec![detail(code, "x")],
        };
        assert_eq!(error.remedy(), Remedy::FixData, "{code}");
    }
}

#[test]
fn remedy_fixes_config_for_fields_access_and_login() {
    let errors = vec![
        api(400, "INVALID_FIELD", "No such column"),
        api(403, "INSUFFICIENT_ACCESS", "insufficient access"),
        api(
            400,
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            "Unable to create/update fields",
        ),
        Error::OAuth {
            flow: "jwt_bearer",
            status: 400,
            code: "invalid_grant".into(),
            description: "user hasn't approved this consumer".into(),
        },
    ];
    assert!(remedies(errors).iter().all(|r| *r == Remedy::FixConfig));
}

#[test]
fn oauth_message_gives_hint_for_flow() {
    let error = Error::OAuth {
        flow: "jwt_bearer",
        status: 400,
        code: "invalid_grant".into(),
        description: "audience is invalid".into(),
    };
    let text = error.to_string();
    assert!(text.contains("jwt_bearer login failed"), "{text}");
    assert!(text.contains("pre-approved"), "{text}");
}

#[test]
fn remedy_of_bulk_job_depends_on_state() {
    let failed = Error::BulkJob {
        job_id: "7508".into(),
        state: "Failed".into(),
        message: "InvalidBatch : Field name not found : Foo__c".into(),
    };
    assert_eq!(failed.remedy(), Remedy::FixConfig);
    let slow = Error::BulkJob {
        job_id: "7508".into(),
        state: "InProgress".into(),
        message: "still running after 30 minutes".into(),
    };
    assert_eq!(slow.remedy(), Remedy::RetryLater);
}
