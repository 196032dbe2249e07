use super::*;

const TEST_KEY: &str = include_str!("../../tests/keys/test_jwt_key.pem");

fn config() -> SalesforceConfig {
    SalesforceConfig::new("client-id", Secret::new("client-secret"))
}

fn jwt(private_key: &str, audience: Option<&str>) -> SalesforceConfig {
    SalesforceConfig::with_login(Login::JwtBearer {
        client_id: "client-id".into(),
        username: "integration@example.com".into(),
        private_key: Secret::new(private_key),
        audience: audience.map(str::to_string),
    })
}

fn message(result: Result<(), Error>) -> String {
    match result {
        Err(Error::Config { message }) => message,
        other => panic!("expected a configuration error, got {other:?}"),
    }
}

#[test]
fn new_uses_documented_defaults() {
    let config = config();
    assert_eq!(config.login_url.as_str(), "https://login.salesforce.com/");
    assert_eq!(config.api_version, "v62.0");
    assert_eq!(config.timeout, Duration::from_secs(120));
    assert_eq!(config.bulk_threshold, 10_000);
    assert_eq!(config.query_batch_size, None);
    assert_eq!(config.api_reserve_percent, 10);
    assert_eq!(config.collection_concurrency, 4);
    assert_eq!(config.login.flow_name(), "client_credentials");
    assert!(config.validate().is_ok());
}

#[test]
fn validate_accepts_version_forms() {
    for version in ["v46.0", "v62.0", "v66.0", "v100.0"] {
        let config = SalesforceConfig {
            api_version: version.into(),
            ..config()
        };
        assert!(config.validate().is_ok(), "{version}");
    }
}

#[test]
fn validate_rejects_malformed_versions() {
    for version in [
        "62.0", "v62", "v62.00", "v6.0", "v62.x", "vab.0", "v62.0 ", "V62.0", "",
    ] {
        let config = SalesforceConfig {
            api_version: version.into(),
            ..config()
        };
        let message = message(config.validate());
        assert!(
            message.contains("use the form vNN.N"),
            "{version}: {message}"
        );
    }
}

#[test]
fn validate_rejects_versions_before_46() {
    let config = SalesforceConfig {
        api_version: "v45.0".into(),
        ..config()
    };
    assert!(message(config.validate()).contains("v46.0 or later"));
}

#[test]
fn validate_rejects_plain_http_to_remote_host() {
    let config = SalesforceConfig {
        login_url: Url::parse("http://login.salesforce.com").unwrap(),
        ..config()
    };
    assert!(message(config.validate()).contains("use https"));
}

#[test]
fn validate_accepts_plain_http_to_loopback() {
    for url in [
        "http://127.0.0.1:8080",
        "http://[::1]:8080",
        "http://localhost:1",
    ] {
        let config = SalesforceConfig {
            login_url: Url::parse(url).unwrap(),
            ..config()
        };
        assert!(config.validate().is_ok(), "{url}");
    }
}

#[test]
fn validate_rejects_empty_credentials_and_timeout() {
    let no_id = SalesforceConfig::new(" ", Secret::new("secret"));
    assert!(message(no_id.validate()).contains("client_id"));
    let no_secret = SalesforceConfig::new("id", Secret::new(""));
    assert!(message(no_secret.validate()).contains("client_secret"));
    let no_timeout = SalesforceConfig {
        timeout: Duration::ZERO,
        ..config()
    };
    assert!(message(no_timeout.validate()).contains("timeout"));
}

#[test]
fn validate_checks_batch_size_and_reserve() {
    for size in [199, 2001] {
        let config = SalesforceConfig {
            query_batch_size: Some(size),
            ..config()
        };
        assert!(message(config.validate()).contains("200 to 2000"), "{size}");
    }
    let sized = SalesforceConfig {
        query_batch_size: Some(500),
        ..config()
    };
    assert!(sized.validate().is_ok());
    let greedy = SalesforceConfig {
        api_reserve_percent: 100,
        ..config()
    };
    assert!(message(greedy.validate()).contains("api_reserve_percent"));
}

#[test]
fn validate_bounds_collection_concurrency() {
    for concurrency in [0, 26] {
        let config = SalesforceConfig {
            collection_concurrency: concurrency,
            ..config()
        };
        let message = message(config.validate());
        assert!(message.contains("collection_concurrency"), "{message}");
        assert!(message.contains("1 to 25"), "{message}");
    }
    for concurrency in [1, 25] {
        let config = SalesforceConfig {
            collection_concurrency: concurrency,
            ..config()
        };
        assert!(config.validate().is_ok(), "{concurrency}");
    }
}

#[test]
fn validate_accepts_jwt_with_pem_key() {
    assert!(jwt(TEST_KEY, None).validate().is_ok());
}

#[test]
fn validate_rejects_jwt_key_that_is_not_pem() {
    let message = message(jwt("not a key", None).validate());
    assert!(message.contains("private key"), "{message}");
    assert!(!message.contains("not a key"), "{message}");
}

#[test]
fn validate_rejects_jwt_without_username() {
    let mut config = jwt(TEST_KEY, None);
    if let Login::JwtBearer { username, .. } = &mut config.login {
        username.clear();
    }
    assert!(message(config.validate()).contains("username"));
}

#[test]
fn validate_rejects_plain_http_jwt_audience() {
    let config = jwt(TEST_KEY, Some("http://login.salesforce.com"));
    assert!(message(config.validate()).contains("audience"));
}

#[test]
fn jwt_audience_follows_login_host() {
    let production = jwt(TEST_KEY, None);
    assert_eq!(production.jwt_audience(), "https://login.salesforce.com");
    let sandbox = SalesforceConfig {
        login_url: Url::parse("https://test.salesforce.com").unwrap(),
        ..jwt(TEST_KEY, None)
    };
    assert_eq!(sandbox.jwt_audience(), "https://test.salesforce.com");
    let site = jwt(TEST_KEY, Some("https://community.example.com"));
    assert_eq!(site.jwt_audience(), "https://community.example.com");
}

#[test]
fn validate_checks_password_and_refresh_logins() {
    let password = SalesforceConfig::with_login(Login::Password {
        client_id: "id".into(),
        client_secret: Secret::new("secret"),
        username: "user@example.com".into(),
        password: Secret::new(""),
    });
    assert!(message(password.validate()).contains("password"));
    let refresh = SalesforceConfig::with_login(Login::RefreshToken {
        client_id: "id".into(),
        client_secret: None,
        refresh_token: Secret::new("5Aep861..."),
    });
    assert!(refresh.validate().is_ok());
}

#[test]
fn debug_hides_every_secret() {
    let texts = [
        format!("{:?}", config()),
        format!("{:?}", jwt(TEST_KEY, None)),
    ];
    for text in texts {
        assert!(!text.contains("client-secret"), "{text}");
        assert!(!text.contains("PRIVATE KEY"), "{text}");
    }
}
