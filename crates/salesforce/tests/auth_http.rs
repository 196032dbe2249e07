//! Logins of every flow and the API version check, against a fake org on 127.0.0.1.

mod support;

use serde_json::json;
use support::{
    CLIENT_ID, CLIENT_SECRET, FakeOrg, PASSWORD, PRIVATE_KEY, REFRESH_TOKEN, Reply, USERNAME,
};
use tandem_engine::{ErrorClass, Secret};
use tandem_salesforce::{Error, Login};

fn empty_query(_: &support::Recorded) -> Reply {
    Reply::json(200, json!({"totalSize": 0, "done": true, "records": []}))
}

fn jwt_login() -> Login {
    Login::JwtBearer {
        client_id: CLIENT_ID.into(),
        username: USERNAME.into(),
        private_key: Secret::new(PRIVATE_KEY),
        audience: None,
    }
}

#[tokio::test]
async fn jwt_bearer_login_reaches_api() {
    let org = FakeOrg::start(empty_query).await;
    let client = org.client_with_login(jwt_login());

    client.query("SELECT Id FROM Account").await.unwrap();

    assert_eq!(
        org.grants(),
        ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
    );
    assert_eq!(org.logins(), 1);
    assert_eq!(org.authorized_requests().len(), 1);
}

#[tokio::test]
async fn jwt_bearer_login_signs_fresh_assertion_after_expiry() {
    let org = FakeOrg::start(empty_query).await;
    let client = org.client_with_login(jwt_login());
    client.query("SELECT Id FROM Account").await.unwrap();
    org.expire_token();

    client.query("SELECT Id FROM Account").await.unwrap();

    assert_eq!(org.logins(), 2, "no refresh token: the JWT flow runs again");
    assert!(
        org.grants()
            .iter()
            .all(|grant| grant.ends_with("jwt-bearer"))
    );
}

#[tokio::test]
async fn jwt_bearer_with_wrong_user_is_oauth_error() {
    let org = FakeOrg::start(empty_query).await;
    let client = org.client_with_login(Login::JwtBearer {
        client_id: CLIENT_ID.into(),
        username: "someone-else@example.com".into(),
        private_key: Secret::new(PRIVATE_KEY),
        audience: None,
    });

    let error = client.query("SELECT Id FROM Account").await.unwrap_err();

    assert!(
        matches!(
            &error,
            Error::OAuth {
                flow: "jwt_bearer",
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.class(), ErrorClass::Config);
    let text = error.to_string();
    assert!(text.contains("pre-approved"), "{text}");
    assert!(!text.contains("PRIVATE KEY"), "{text}");
}

#[tokio::test]
async fn refresh_token_login_reaches_api() {
    let org = FakeOrg::start(empty_query).await;
    let client = org.client_with_login(Login::RefreshToken {
        client_id: CLIENT_ID.into(),
        client_secret: None,
        refresh_token: Secret::new(REFRESH_TOKEN),
    });

    client.query("SELECT Id FROM Account").await.unwrap();

    assert_eq!(org.grants(), ["refresh_token"]);
}

#[tokio::test]
async fn password_login_reaches_api() {
    let org = FakeOrg::start(empty_query).await;
    let client = org.client_with_login(Login::Password {
        client_id: CLIENT_ID.into(),
        client_secret: Secret::new(CLIENT_SECRET),
        username: USERNAME.into(),
        password: Secret::new(PASSWORD),
    });

    client.query("SELECT Id FROM Account").await.unwrap();

    assert_eq!(org.grants(), ["password"]);
}

#[tokio::test]
async fn wrong_password_message_hides_secret() {
    let org = FakeOrg::start(empty_query).await;
    let client = org.client_with_login(Login::Password {
        client_id: CLIENT_ID.into(),
        client_secret: Secret::new(CLIENT_SECRET),
        username: USERNAME.into(),
        password: Secret::new("wrong-password-123"),
    });

    let error = client.query("SELECT Id FROM Account").await.unwrap_err();

    let text = format!("{error} {error:?}");
    assert!(!text.contains("wrong-password-123"), "{text}");
    assert!(!text.contains(CLIENT_SECRET), "{text}");
    assert!(text.contains("security token"), "{text}");
}

#[tokio::test]
async fn version_not_offered_is_refused_before_first_call() {
    let org = FakeOrg::start(empty_query).await;
    org.set_versions(&["58.0", "59.0", "60.0"]);
    let client = org.client();

    let error = client.query("SELECT Id FROM Account").await.unwrap_err();

    assert!(matches!(error, Error::Config { .. }), "{error:?}");
    let text = error.to_string();
    assert!(text.contains("v62.0 is not offered"), "{text}");
    assert!(text.contains("v58.0 to v60.0"), "{text}");
    assert!(org.requests().is_empty(), "no API call is sent");
}

#[tokio::test]
async fn version_list_is_read_once_per_client() {
    let org = FakeOrg::start(empty_query).await;
    let client = org.client();

    for _ in 0..3 {
        client.query("SELECT Id FROM Account").await.unwrap();
    }
    org.expire_token();
    client.query("SELECT Id FROM Account").await.unwrap();

    assert_eq!(org.version_lists(), 1);
    let versions = client.available_versions().await.unwrap();
    assert_eq!(versions.last().unwrap().version, "62.0");
}
