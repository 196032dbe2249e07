//! The connected app's credentials and the access and refresh tokens the token endpoint
//! issues.

use std::collections::HashMap;
use std::fmt;

use axum::http::{HeaderMap, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

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

/// An issued access token: when it was issued and for which user.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    issued_at: DateTime<Utc>,
    /// 18-character Id of the user the token acts as.
    pub user_id: String,
}

/// Access tokens that are currently valid and refresh tokens that may mint new ones.
#[derive(Debug)]
pub(crate) struct Sessions {
    issued: HashMap<String, Session>,
    /// User of each refresh token.
    refresh_tokens: HashMap<String, String>,
    /// How long a token stays valid after it is issued.
    pub timeout: Duration,
}

impl Sessions {
    /// Creates an empty session table with the default timeout.
    pub fn new() -> Sessions {
        Sessions {
            issued: HashMap::new(),
            refresh_tokens: HashMap::new(),
            timeout: DEFAULT_SESSION_TIMEOUT,
        }
    }

    /// Issues a new token for `user_id` at `now` and drops tokens that have expired.
    ///
    /// Tokens look like Salesforce's: the 15-character org Id, `!`, then random characters.
    pub fn issue(&mut self, org_id: &str, user_id: &str, now: DateTime<Utc>) -> String {
        let timeout = self.timeout;
        self.issued
            .retain(|_, session| now - session.issued_at < timeout);
        let token = format!("{}!AQ{}", to_15(org_id), random_base62(96));
        let session = Session {
            issued_at: now,
            user_id: user_id.to_string(),
        };
        self.issued.insert(token.clone(), session);
        token
    }

    /// Returns the session of `token` when it was issued and has not expired at `now`.
    pub fn session(&self, token: &str, now: DateTime<Utc>) -> Option<&Session> {
        self.issued
            .get(token)
            .filter(|session| now - session.issued_at < self.timeout)
    }

    /// Invalidates every access token, as a revoked session or an org-wide logout does.
    pub fn expire_all(&mut self) {
        self.issued.clear();
    }

    /// Revokes an access or refresh token; returns whether it existed.
    pub fn revoke(&mut self, token: &str) -> bool {
        let access = self.issued.remove(token).is_some();
        let refresh = self.refresh_tokens.remove(token).is_some();
        access || refresh
    }

    /// Issues a refresh token for `user_id`, as the web server flow does after a user
    /// approves the connected app. Refresh tokens do not expire.
    pub fn issue_refresh_token(&mut self, org_id: &str, user_id: &str) -> String {
        let token = format!(
            "5Aep{}{}",
            to_15(org_id).get(3..8).unwrap_or(""),
            random_base62(80)
        );
        self.refresh_tokens
            .insert(token.clone(), user_id.to_string());
        token
    }

    /// Returns the user of a refresh token that was issued and not revoked.
    pub fn refresh_token_user(&self, token: &str) -> Option<&str> {
        self.refresh_tokens.get(token).map(String::as_str)
    }
}

/// Signs the identity URL and issue time as Salesforce does: base64 of HMAC-SHA256 keyed
/// with the consumer secret over `id` followed by `issued_at`.
pub(crate) fn sign(secret: &str, id: &str, issued_at: &str) -> String {
    // HMAC accepts keys of any length, so creating it cannot fail.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(id.as_bytes());
    mac.update(issued_at.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Compares two strings in time that depends only on their lengths.
pub(crate) fn constant_time_eq(left: &str, right: &str) -> bool {
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
        let token = sessions.issue("00D000000000001AAA", "005000000000001AAA", now);
        assert!(token.starts_with("00D000000000001!AQ"));
        assert!(
            sessions
                .session(&token, now + Duration::seconds(4))
                .is_some()
        );
        assert!(
            sessions
                .session(&token, now + Duration::seconds(5))
                .is_none()
        );
    }

    #[test]
    fn expire_all_invalidates_tokens() {
        let mut sessions = Sessions::new();
        let now = Utc::now();
        let token = sessions.issue("00D000000000001AAA", "005000000000001AAA", now);
        sessions.expire_all();
        assert!(sessions.session(&token, now).is_none());
    }

    #[test]
    fn revoke_invalidates_access_and_refresh_tokens() {
        let mut sessions = Sessions::new();
        let now = Utc::now();
        let access = sessions.issue("00D000000000001AAA", "005000000000001AAA", now);
        let refresh = sessions.issue_refresh_token("00D000000000001AAA", "005000000000001AAA");
        assert_eq!(
            sessions.refresh_token_user(&refresh),
            Some("005000000000001AAA")
        );
        assert!(sessions.revoke(&access));
        assert!(sessions.revoke(&refresh));
        assert!(sessions.session(&access, now).is_none());
        assert!(sessions.refresh_token_user(&refresh).is_none());
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
