//! OAuth 2.0 client credentials: the connected app's credentials, the token endpoint and the
//! access tokens it issues.

use std::collections::HashMap;
use std::fmt;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, KeyInit, Mac};
use serde::Serialize;
use sha2::Sha256;

use crate::salesforce::SalesforceEmulator;
use crate::salesforce::id::{random_base62, to_15};

/// Lifetime of an access token unless changed with
/// [`SalesforceEmulator::set_session_timeout`]; two hours is the default session timeout of a
/// new org.
pub(crate) const DEFAULT_SESSION_TIMEOUT: Duration = Duration::hours(2);

/// Consumer key and secret of the connected app that the client credentials flow accepts.
#[derive(Clone, PartialEq, Eq)]
pub struct SalesforceCredentials {
    /// Consumer key, sent as `client_id`.
    pub client_id: String,
    /// Consumer secret, sent as `client_secret`; never logged or printed.
    pub client_secret: String,
}

impl SalesforceCredentials {
    /// Generates random credentials shaped like a connected app's: an 85-character consumer
    /// key starting `3MVG9` and a 64-character hexadecimal consumer secret.
    pub fn generate() -> SalesforceCredentials {
        let key_alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._";
        let key_tail: String = (0..80)
            .map(|_| char::from(key_alphabet[rand::random_range(0..key_alphabet.len())]))
            .collect();
        let secret: String = (0..64)
            .map(|_| char::from(b"0123456789ABCDEF"[rand::random_range(0..16)]))
            .collect();
        SalesforceCredentials {
            client_id: format!("3MVG9{key_tail}"),
            client_secret: secret,
        }
    }
}

impl fmt::Debug for SalesforceCredentials {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("SalesforceCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .finish()
    }
}

/// Access tokens that are currently valid, with the time each was issued.
#[derive(Debug)]
pub(crate) struct Sessions {
    issued: HashMap<String, DateTime<Utc>>,
    /// How long a token stays valid after it is issued.
    pub timeout: Duration,
}

impl Sessions {
    /// Creates an empty session table with the default timeout.
    pub fn new() -> Sessions {
        Sessions {
            issued: HashMap::new(),
            timeout: DEFAULT_SESSION_TIMEOUT,
        }
    }

    /// Issues a new token at `now` and drops tokens that have expired.
    ///
    /// Tokens look like Salesforce's: the 15-character org Id, `!`, then random characters.
    pub fn issue(&mut self, org_id: &str, now: DateTime<Utc>) -> String {
        let timeout = self.timeout;
        self.issued
            .retain(|_, issued_at| now - *issued_at < timeout);
        let token = format!("{}!AQ{}", to_15(org_id), random_base62(96));
        self.issued.insert(token.clone(), now);
        token
    }

    /// Returns whether `token` was issued and has not expired at `now`.
    pub fn is_valid(&self, token: &str, now: DateTime<Utc>) -> bool {
        self.issued
            .get(token)
            .is_some_and(|issued_at| now - *issued_at < self.timeout)
    }

    /// Invalidates every token, as a revoked session or an org-wide logout does.
    pub fn expire_all(&mut self) {
        self.issued.clear();
    }
}

/// Body of a successful token response.
#[derive(Debug, Serialize)]
struct TokenResponse {
    access_token: String,
    signature: String,
    scope: &'static str,
    instance_url: String,
    id: String,
    token_type: &'static str,
    issued_at: String,
}

/// Body of a failed token response.
#[derive(Debug, Serialize)]
struct OAuthError {
    error: &'static str,
    error_description: &'static str,
}

fn oauth_error(error: &'static str, error_description: &'static str) -> Response {
    tracing::debug!(error, "rejected token request");
    (
        StatusCode::BAD_REQUEST,
        Json(OAuthError {
            error,
            error_description,
        }),
    )
        .into_response()
}

/// Handles `POST /services/oauth2/token` for the client credentials grant.
pub(crate) async fn token(
    State(emulator): State<SalesforceEmulator>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    emulator.count_request("POST /services/oauth2/token".to_string());

    let form: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let parameter = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    if parameter("grant_type") != "client_credentials" {
        return oauth_error("unsupported_grant_type", "grant type not supported");
    }
    let credentials = emulator.credentials();
    if !constant_time_eq(parameter("client_id"), &credentials.client_id) {
        return oauth_error("invalid_client_id", "client identifier invalid");
    }
    if !constant_time_eq(parameter("client_secret"), &credentials.client_secret) {
        return oauth_error("invalid_client", "invalid client credentials");
    }

    let instance_url = instance_url(&headers);
    let now = Utc::now();
    let (access_token, id) = {
        let mut org = emulator.org();
        let org_id = org.org_id.clone();
        let token = org.sessions.issue(&org_id, now);
        let id = format!(
            "{instance_url}/id/{}/{}",
            org.org_id, org.integration_user_id
        );
        (token, id)
    };

    let issued_at = now.timestamp_millis().to_string();
    let signature = sign(&credentials.client_secret, &id, &issued_at);
    tracing::debug!("issued access token");
    Json(TokenResponse {
        access_token,
        signature,
        scope: "api",
        instance_url,
        id,
        token_type: "Bearer",
        issued_at,
    })
    .into_response()
}

/// Builds `http://<host>` from the request's `Host` header.
fn instance_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("localhost");
    format!("http://{host}")
}

/// Signs the identity URL and issue time as Salesforce does: base64 of HMAC-SHA256 keyed
/// with the consumer secret over `id` followed by `issued_at`.
fn sign(secret: &str, id: &str, issued_at: &str) -> String {
    // HMAC accepts keys of any length, so creating it cannot fail.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(id.as_bytes());
    mac.update(issued_at.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Compares two strings in time that depends only on their lengths.
fn constant_time_eq(left: &str, right: &str) -> bool {
    left.len() == right.len()
        && left
            .bytes()
            .zip(right.bytes())
            .fold(0u8, |difference, (a, b)| difference | (a ^ b))
            == 0
}

/// Returns the token of an `Authorization: Bearer <token>` (or legacy `OAuth <token>`) header.
pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("OAuth "))
        .map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generate_gives_connected_app_shapes() {
        let credentials = SalesforceCredentials::generate();
        assert!(credentials.client_id.starts_with("3MVG9"));
        assert_eq!(credentials.client_id.len(), 85);
        assert_eq!(credentials.client_secret.len(), 64);
    }

    #[test]
    fn debug_hides_secret() {
        let credentials = SalesforceCredentials::generate();
        let printed = format!("{credentials:?}");
        assert!(!printed.contains(&credentials.client_secret));
    }

    #[test]
    fn sessions_expire_after_timeout() {
        let mut sessions = Sessions::new();
        sessions.timeout = Duration::seconds(5);
        let now = Utc::now();
        let token = sessions.issue("00D000000000001AAA", now);
        assert!(token.starts_with("00D000000000001!AQ"));
        assert!(sessions.is_valid(&token, now + Duration::seconds(4)));
        assert!(!sessions.is_valid(&token, now + Duration::seconds(5)));
    }

    #[test]
    fn expire_all_invalidates_tokens() {
        let mut sessions = Sessions::new();
        let now = Utc::now();
        let token = sessions.issue("00D000000000001AAA", now);
        sessions.expire_all();
        assert!(!sessions.is_valid(&token, now));
    }

    #[test]
    fn sign_is_base64_hmac() {
        let signature = sign("secret", "https://x/id/00D/005", "1278448832702");
        assert_eq!(STANDARD.decode(&signature).unwrap().len(), 32);
    }

    #[test]
    fn bearer_token_reads_both_schemes() {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, "Bearer abc".parse().unwrap());
        assert_eq!(bearer_token(&headers), Some("abc"));
        headers.insert(header::AUTHORIZATION, "OAuth def".parse().unwrap());
        assert_eq!(bearer_token(&headers), Some("def"));
    }
}
