//! OAuth 2.0 client credentials login and the shared access token.
//!
//! One [`Authenticator`] keeps the org's access token for every request of a client. When
//! Salesforce rejects the token, the first caller logs in again while the others wait for its
//! result, so a burst of expired requests causes one login, not one per request.

use std::sync::Arc;

use reqwest::StatusCode;
use serde::Deserialize;
use tandem_engine::Secret;
use tokio::sync::Mutex;
use url::Url;

use crate::config::{SalesforceConfig, check_base_url};
use crate::error::{Error, OAuthErrorWire, error_from_status};

/// An access token and the instance that issued it.
#[derive(Debug)]
pub(crate) struct Session {
    pub(crate) access_token: Secret,
    /// Base URL of the org's instance, the target of every API call.
    pub(crate) instance_url: Url,
    /// Number of the login that produced this session, counted from 1.
    pub(crate) generation: u64,
    /// The org's ID, from the identity URL of the token response
    /// (`https://login.salesforce.com/id/<org ID>/<user ID>`), when it has one.
    pub(crate) org_id: Option<String>,
}

/// Logs in with the client credentials flow and keeps the current session.
#[derive(Debug)]
pub(crate) struct Authenticator {
    http: reqwest::Client,
    token_url: Url,
    client_id: String,
    client_secret: Secret,
    state: Mutex<TokenState>,
}

#[derive(Debug, Default)]
struct TokenState {
    session: Option<Arc<Session>>,
    logins: u64,
}

/// The fields of a successful token response that the client uses.
#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    instance_url: String,
    id: Option<String>,
}

impl Authenticator {
    /// Creates an authenticator for `config`, which must already be valid.
    pub(crate) fn new(http: reqwest::Client, config: &SalesforceConfig) -> Result<Self, Error> {
        let token_url = config
            .login_url
            .join("/services/oauth2/token")
            .map_err(|error| Error::Config {
                message: format!("login_url {} cannot be joined: {error}", config.login_url),
            })?;
        Ok(Authenticator {
            http,
            token_url,
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
            state: Mutex::new(TokenState::default()),
        })
    }

    /// Returns the current session, logging in first when there is none.
    pub(crate) async fn session(&self) -> Result<Arc<Session>, Error> {
        let mut state = self.state.lock().await;
        match &state.session {
            Some(session) => Ok(Arc::clone(session)),
            None => self.login_into(&mut state).await,
        }
    }

    /// Replaces `stale`, a session that Salesforce rejected, with a new one.
    ///
    /// When another caller already replaced it, returns that newer session without logging in.
    pub(crate) async fn renew(&self, stale: &Session) -> Result<Arc<Session>, Error> {
        let mut state = self.state.lock().await;
        match &state.session {
            Some(current) if current.generation != stale.generation => Ok(Arc::clone(current)),
            _ => self.login_into(&mut state).await,
        }
    }

    /// Logs in and stores the new session. The caller holds the state lock, so concurrent
    /// callers wait for this login instead of starting their own.
    async fn login_into(&self, state: &mut TokenState) -> Result<Arc<Session>, Error> {
        state.session = None;
        let generation = state.logins + 1;
        tracing::info!(token_url = %self.token_url, generation, "logging in to Salesforce");
        let result = self.request_token(generation).await;
        // A failed attempt still counts, so a later success gets a generation of its own.
        state.logins = generation;
        let session = Arc::new(result?);
        tracing::info!(instance_url = %session.instance_url, generation, "logged in to Salesforce");
        state.session = Some(Arc::clone(&session));
        Ok(session)
    }

    async fn request_token(&self, generation: u64) -> Result<Session, Error> {
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.expose()),
        ];
        let response = self
            .http
            .post(self.token_url.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&form)
            .send()
            .await
            .map_err(crate::client::transport_error)?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(crate::client::transport_error)?;
        match status {
            StatusCode::OK => parse_token_response(&body, generation),
            _ => Err(login_error(status, &body)),
        }
    }
}

/// Reads a successful token response. Error messages never quote the body, which contains
/// the access token.
fn parse_token_response(body: &[u8], generation: u64) -> Result<Session, Error> {
    let response: TokenResponse =
        serde_json::from_slice(body).map_err(|error| Error::InvalidResponse {
            message: format!(
                "the token response is not JSON with access_token and instance_url \
                 ({:?} error at line {}, column {})",
                error.classify(),
                error.line(),
                error.column()
            ),
        })?;
    let instance_url =
        Url::parse(&response.instance_url).map_err(|error| Error::InvalidResponse {
            message: format!("the token response has an invalid instance_url: {error}"),
        })?;
    check_base_url("instance_url", &instance_url).map_err(|error| Error::InvalidResponse {
        message: error.to_string(),
    })?;
    Ok(Session {
        access_token: Secret::new(response.access_token),
        instance_url,
        generation,
        org_id: response.id.as_deref().and_then(org_id_of),
    })
}

/// Returns the org ID from an identity URL, the second-to-last path segment.
fn org_id_of(identity_url: &str) -> Option<String> {
    let url = Url::parse(identity_url).ok()?;
    let mut segments: Vec<&str> = url.path_segments()?.filter(|s| !s.is_empty()).collect();
    segments.pop()?;
    let org_id = segments.pop()?;
    org_id.starts_with("00D").then(|| org_id.to_string())
}

/// Builds the error for a rejected login: the OAuth error when the body is one.
fn login_error(status: StatusCode, body: &[u8]) -> Error {
    match serde_json::from_slice::<OAuthErrorWire>(body) {
        Ok(wire) => Error::OAuth {
            status: status.as_u16(),
            code: wire.error,
            description: wire.error_description,
        },
        Err(_) => error_from_status(status.as_u16(), body),
    }
}

#[cfg(test)]
mod tests {
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
            StatusCode::BAD_REQUEST,
            &fixture("auth_error_response.json"),
        );
        let Error::OAuth {
            status,
            code,
            description,
        } = &error
        else {
            panic!("expected an OAuth error, got {error:?}");
        };
        assert_eq!(*status, 400);
        assert_eq!(code, "invalid_grant");
        assert_eq!(description, "authentication failure - Invalid Password");
    }

    #[test]
    fn login_error_reads_refresh_error() {
        let error = login_error(
            StatusCode::BAD_REQUEST,
            &fixture("refresh_error_response.json"),
        );
        assert!(matches!(&error, Error::OAuth { code, description, .. }
                if code == "invalid_grant" && description == "expired access/refresh token"));
    }

    #[test]
    fn login_error_keeps_other_bodies() {
        let error = login_error(StatusCode::SERVICE_UNAVAILABLE, b"maintenance");
        assert!(matches!(error, Error::Http { status: 503, .. }));
    }
}
