//! OAuth 2.0 logins (client credentials, JWT bearer, refresh token, username-password) and
//! the shared access token.
//!
//! One [`Authenticator`] keeps the org's access token for every request of a client. When
//! Salesforce rejects the token, the first caller logs in again while the others wait for its
//! result, so a burst of expired requests causes one login, not one per request. The token is
//! never revoked by the client, because a revocation ends the session for every holder.

pub(crate) mod jwt;

use std::sync::Arc;
use std::time::SystemTime;

use reqwest::StatusCode;
use serde::Deserialize;
use tandem_engine::Secret;
use tokio::sync::Mutex;
use url::Url;

use crate::config::{Login, SalesforceConfig, check_base_url};
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

/// Logs in with the configured OAuth flow and keeps the current session.
#[derive(Debug)]
pub(crate) struct Authenticator {
    http: reqwest::Client,
    token_url: Url,
    login: Login,
    /// The `aud` claim of JWT bearer assertions.
    jwt_audience: String,
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
            login: config.login.clone(),
            jwt_audience: config.jwt_audience(),
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
        let flow = self.login.flow_name();
        tracing::info!(token_url = %self.token_url, flow, generation, "logging in to Salesforce");
        let result = self.request_token(generation).await;
        // A failed attempt still counts, so a later success gets a generation of its own.
        state.logins = generation;
        let session = Arc::new(result?);
        tracing::info!(instance_url = %session.instance_url, generation, "logged in to Salesforce");
        state.session = Some(Arc::clone(&session));
        Ok(session)
    }

    async fn request_token(&self, generation: u64) -> Result<Session, Error> {
        let form = token_form(&self.login, &self.jwt_audience, SystemTime::now())?;
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
            _ => Err(login_error(self.login.flow_name(), status, &body)),
        }
    }
}

/// Builds the form of a token request for `login`. The values include secrets, so the form is
/// only ever sent, never logged.
pub(crate) fn token_form(
    login: &Login,
    jwt_audience: &str,
    now: SystemTime,
) -> Result<Vec<(&'static str, String)>, Error> {
    let form = match login {
        Login::ClientCredentials {
            client_id,
            client_secret,
        } => vec![
            ("grant_type", "client_credentials".to_string()),
            ("client_id", client_id.clone()),
            ("client_secret", client_secret.expose().to_string()),
        ],
        Login::JwtBearer {
            client_id,
            username,
            private_key,
            ..
        } => {
            let assertion = jwt::assertion(private_key, client_id, username, jwt_audience, now)?;
            vec![
                ("grant_type", JWT_BEARER_GRANT.to_string()),
                ("assertion", assertion),
            ]
        }
        Login::RefreshToken {
            client_id,
            client_secret,
            refresh_token,
        } => {
            let mut form = vec![
                ("grant_type", "refresh_token".to_string()),
                ("refresh_token", refresh_token.expose().to_string()),
                ("client_id", client_id.clone()),
            ];
            if let Some(secret) = client_secret {
                form.push(("client_secret", secret.expose().to_string()));
            }
            form
        }
        Login::Password {
            client_id,
            client_secret,
            username,
            password,
        } => vec![
            ("grant_type", "password".to_string()),
            ("client_id", client_id.clone()),
            ("client_secret", client_secret.expose().to_string()),
            ("username", username.clone()),
            ("password", password.expose().to_string()),
        ],
    };
    Ok(form)
}

/// The `grant_type` of the JWT bearer flow (RFC 7523).
pub(crate) const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

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
fn login_error(flow: &'static str, status: StatusCode, body: &[u8]) -> Error {
    match serde_json::from_slice::<OAuthErrorWire>(body) {
        Ok(wire) => Error::OAuth {
            flow,
            status: status.as_u16(),
            code: wire.error,
            description: wire.error_description,
        },
        Err(_) => error_from_status(status.as_u16(), body),
    }
}

#[cfg(test)]
mod tests;
