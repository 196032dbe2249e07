use super::*;

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../corpus/salesforce/restforce__restforce/spec/fixtures"
);

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).unwrap()
}

#[test]
fn parse_token_response_reads_auth_success() {
    let session = parse_token_response(&fixture("auth_success_response.json"), 3).unwrap();
    assert_eq!(session.instance_url.as_str(), "https://na1.salesforce.com/");
    assert_eq!(session.org_id.as_deref(), Some("00Dx0000000BV7z"));
    assert!(
        session
            .access_token
            .expose()
            .starts_with("00Dx0000000BV7z!AR8AQ")
    );
    assert_eq!(session.generation, 3);
}

#[test]
fn org_id_needs_an_org_id_segment() {
    assert_eq!(
        org_id_of("https://login.salesforce.com/id/005x00000012Q9P"),
        None
    );
    assert_eq!(org_id_of("not a url"), None);
}

#[test]
fn parse_token_response_reads_reauth_success() {
    let session = parse_token_response(&fixture("reauth_success_response.json"), 1).unwrap();
    assert_eq!(session.access_token.expose(), "new_access_token");
    assert_eq!(session.instance_url.as_str(), "https://na1.salesforce.com/");
}

#[test]
fn parse_token_response_hides_token_on_error() {
    let body = br#"{"access_token":"SECRET-TOKEN","instance_url":"not a url"}"#;
    let error = parse_token_response(body, 1).unwrap_err();
    assert!(matches!(error, Error::InvalidResponse { .. }));
    assert!(!error.to_string().contains("SECRET-TOKEN"), "{error}");
}

#[test]
fn parse_token_response_hides_token_on_bad_shape() {
    let body = br#"{"access_token":"SECRET-TOKEN","instance_url":42}"#;
    let error = parse_token_response(body, 1).unwrap_err();
    assert!(!error.to_string().contains("SECRET-TOKEN"), "{error}");
}

#[test]
fn parse_token_response_rejects_plain_http_instance() {
    let body = br#"{"access_token":"t","instance_url":"http://na1.salesforce.com"}"#;
    assert!(matches!(
        parse_token_response(body, 1),
        Err(Error::InvalidResponse { .. })
    ));
}

#[test]
fn login_error_reads_auth_error() {
    let error = login_error(
        "password",
        StatusCode::BAD_REQUEST,
        &fixture("auth_error_response.json"),
    );
    let Error::OAuth {
        flow,
        status,
        code,
        description,
    } = &error
    else {
        panic!("expected an OAuth error, got {error:?}");
    };
    assert_eq!(*flow, "password");
    assert_eq!(*status, 400);
    assert_eq!(code, "invalid_grant");
    assert_eq!(description, "authentication failure - Invalid Password");
}

#[test]
fn login_error_reads_refresh_error() {
    let error = login_error(
        "refresh_token",
        StatusCode::BAD_REQUEST,
        &fixture("refresh_error_response.json"),
    );
    assert!(matches!(&error, Error::OAuth { code, description, .. }
            if code == "invalid_grant" && description == "expired access/refresh token"));
}

#[test]
fn login_error_keeps_other_bodies() {
    let error = login_error(
        "client_credentials",
        StatusCode::SERVICE_UNAVAILABLE,
        b"maintenance",
    );
    assert!(matches!(error, Error::Http { status: 503, .. }));
}

fn form_value<'a>(form: &'a [(&'static str, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.as_str())
}

fn form_names(form: &[(&'static str, String)]) -> Vec<&'static str> {
    form.iter().map(|(key, _)| *key).collect()
}

#[test]
fn parse_token_response_reads_refresh_success() {
    let session = parse_token_response(&fixture("refresh_success_response.json"), 2).unwrap();
    assert_eq!(session.instance_url.as_str(), "https://na1.salesforce.com/");
    assert_eq!(session.access_token.expose(), "refreshed_access_token");
    assert_eq!(session.org_id, None, "the identity URL names no 00D org ID");
    assert_eq!(session.generation, 2);
}

#[test]
fn token_form_for_client_credentials() {
    let login = Login::ClientCredentials {
        client_id: "3MVG9".into(),
        client_secret: Secret::new("s3cret"),
    };
    let form = token_form(&login, "https://login.salesforce.com", SystemTime::now()).unwrap();
    assert_eq!(
        form_names(&form),
        ["grant_type", "client_id", "client_secret"]
    );
    assert_eq!(form_value(&form, "grant_type"), Some("client_credentials"));
    assert_eq!(form_value(&form, "client_secret"), Some("s3cret"));
}

#[test]
fn token_form_for_jwt_bearer_has_assertion_only() {
    let login = Login::JwtBearer {
        client_id: "3MVG9".into(),
        username: "sync@example.com".into(),
        private_key: Secret::new(include_str!("../../tests/keys/test_jwt_key.pem")),
        audience: None,
    };
    let form = token_form(&login, "https://login.salesforce.com", SystemTime::now()).unwrap();
    assert_eq!(form_names(&form), ["grant_type", "assertion"]);
    assert_eq!(form_value(&form, "grant_type"), Some(JWT_BEARER_GRANT));
    let assertion = form_value(&form, "assertion").unwrap();
    assert_eq!(assertion.split('.').count(), 3, "header.claims.signature");
}

#[test]
fn token_form_for_refresh_token() {
    let login = Login::RefreshToken {
        client_id: "3MVG9".into(),
        client_secret: None,
        refresh_token: Secret::new("5Aep861"),
    };
    let form = token_form(&login, "", SystemTime::now()).unwrap();
    assert_eq!(
        form_names(&form),
        ["grant_type", "refresh_token", "client_id"]
    );
    assert_eq!(form_value(&form, "refresh_token"), Some("5Aep861"));
    let with_secret = Login::RefreshToken {
        client_id: "3MVG9".into(),
        client_secret: Some(Secret::new("s3cret")),
        refresh_token: Secret::new("5Aep861"),
    };
    let form = token_form(&with_secret, "", SystemTime::now()).unwrap();
    assert_eq!(form_value(&form, "client_secret"), Some("s3cret"));
}

#[test]
fn token_form_for_password() {
    let login = Login::Password {
        client_id: "3MVG9".into(),
        client_secret: Secret::new("s3cret"),
        username: "old@example.com".into(),
        password: Secret::new("pw+securitytoken"),
    };
    let form = token_form(&login, "", SystemTime::now()).unwrap();
    assert_eq!(
        form_names(&form),
        [
            "grant_type",
            "client_id",
            "client_secret",
            "username",
            "password"
        ]
    );
    assert_eq!(form_value(&form, "grant_type"), Some("password"));
    assert_eq!(form_value(&form, "password"), Some("pw+securitytoken"));
}
