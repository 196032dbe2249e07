//! `POST /services/oauth2/token` for the client credentials, password, refresh token and JWT
//! bearer grants, and `POST /services/oauth2/revoke`.
//!
//! The connected app's credentials may come in the form (`client_id`, `client_secret`) or in
//! an HTTP Basic `Authorization` header, which Salesforce accepts for client credentials.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::Utc;
use serde::Serialize;

use crate::salesforce::SalesforceEmulator;
use crate::salesforce::auth::{constant_time_eq, sign};
use crate::salesforce::jwt;

/// `grant_type` of the JWT bearer flow.
const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// Scheme of the connection a request came in on. The token response's `instance_url`
/// keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scheme {
    Http,
    Https,
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

/// A rejected token request: the OAuth `error` and `error_description`.
#[derive(Debug, Serialize)]
struct OAuthError {
    error: &'static str,
    error_description: &'static str,
}

impl OAuthError {
    fn new(error: &'static str, error_description: &'static str) -> OAuthError {
        OAuthError {
            error,
            error_description,
        }
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        tracing::debug!(error = self.error, "rejected token request");
        (StatusCode::BAD_REQUEST, Json(self)).into_response()
    }
}

/// The parameters of a token request.
struct TokenRequest {
    form: HashMap<String, String>,
    client_id: String,
    client_secret: Option<String>,
}

impl TokenRequest {
    fn read(headers: &HeaderMap, body: &Bytes) -> TokenRequest {
        let form: HashMap<String, String> =
            url::form_urlencoded::parse(body).into_owned().collect();
        let (basic_id, basic_secret) = basic_credentials(headers).unzip();
        TokenRequest {
            client_id: form
                .get("client_id")
                .cloned()
                .or(basic_id)
                .unwrap_or_default(),
            client_secret: form.get("client_secret").cloned().or(basic_secret),
            form,
        }
    }

    fn parameter(&self, name: &str) -> &str {
        self.form.get(name).map(String::as_str).unwrap_or_default()
    }
}

/// Handles `POST /services/oauth2/token`.
pub(crate) async fn token(
    State(emulator): State<SalesforceEmulator>,
    scheme: Option<Extension<Scheme>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    emulator.count_request("POST /services/oauth2/token".to_string());
    let scheme = scheme.map_or(Scheme::Http, |Extension(scheme)| scheme);
    let instance_url = instance_url(&headers, scheme);
    let request = TokenRequest::read(&headers, &body);
    let user = match request.parameter("grant_type") {
        "client_credentials" => client_credentials(&emulator, &request),
        "password" => password(&emulator, &request),
        "refresh_token" => refresh_token(&emulator, &request),
        JWT_BEARER => jwt_bearer(&emulator, &request, &instance_url),
        _ => Err(OAuthError::new(
            "unsupported_grant_type",
            "grant type not supported",
        )),
    };
    match user {
        Ok(user_id) => issue(&emulator, &user_id, instance_url).into_response(),
        Err(error) => error.into_response(),
    }
}

fn check_client(
    emulator: &SalesforceEmulator,
    request: &TokenRequest,
    secret_required: bool,
) -> Result<(), OAuthError> {
    let credentials = emulator.credentials();
    if !constant_time_eq(&request.client_id, &credentials.client_id) {
        return Err(OAuthError::new(
            "invalid_client_id",
            "client identifier invalid",
        ));
    }
    let secret_ok = match &request.client_secret {
        Some(secret) => constant_time_eq(secret, &credentials.client_secret),
        None => !secret_required,
    };
    if !secret_ok {
        return Err(OAuthError::new(
            "invalid_client",
            "invalid client credentials",
        ));
    }
    Ok(())
}

fn client_credentials(
    emulator: &SalesforceEmulator,
    request: &TokenRequest,
) -> Result<String, OAuthError> {
    check_client(emulator, request, true)?;
    Ok(emulator.org().integration_user_id.clone())
}

fn password(emulator: &SalesforceEmulator, request: &TokenRequest) -> Result<String, OAuthError> {
    check_client(emulator, request, true)?;
    let org = emulator.org();
    let user_id = org.user_by_username(request.parameter("username"));
    let accepted = user_id.as_deref().is_some_and(|user_id| {
        org.passwords
            .get(user_id)
            .is_some_and(|password| constant_time_eq(request.parameter("password"), password))
    });
    match user_id {
        Some(user_id) if accepted => Ok(user_id),
        _ => Err(OAuthError::new("invalid_grant", "authentication failure")),
    }
}

fn refresh_token(
    emulator: &SalesforceEmulator,
    request: &TokenRequest,
) -> Result<String, OAuthError> {
    // A refresh needs the consumer secret only when the connected app asks for it, so a
    // request without one is accepted; a wrong one is not.
    check_client(emulator, request, false)?;
    let org = emulator.org();
    org.sessions
        .refresh_token_user(request.parameter("refresh_token"))
        .map(str::to_string)
        .ok_or_else(|| OAuthError::new("invalid_grant", "expired access/refresh token"))
}

fn jwt_bearer(
    emulator: &SalesforceEmulator,
    request: &TokenRequest,
    instance_url: &str,
) -> Result<String, OAuthError> {
    let org = emulator.org();
    let claims = jwt::verify(
        request.parameter("assertion"),
        org.jwt_certificate.as_deref(),
        instance_url,
        Utc::now(),
    )
    .map_err(|error| OAuthError::new("invalid_grant", error.description()))?;
    if !constant_time_eq(&claims.iss, &emulator.credentials().client_id) {
        return Err(OAuthError::new(
            "invalid_client_id",
            "client identifier invalid",
        ));
    }
    org.user_by_username(&claims.sub)
        .ok_or_else(|| OAuthError::new("invalid_grant", "user hasn't approved this consumer"))
}

/// Issues an access token for `user_id` and builds the success response.
fn issue(
    emulator: &SalesforceEmulator,
    user_id: &str,
    instance_url: String,
) -> Json<TokenResponse> {
    let now = Utc::now();
    let (access_token, id) = {
        let mut org = emulator.org();
        let org_id = org.org_id.clone();
        let token = org.sessions.issue(&org_id, user_id, now);
        (token, format!("{instance_url}/id/{org_id}/{user_id}"))
    };
    let issued_at = now.timestamp_millis().to_string();
    let signature = sign(&emulator.credentials().client_secret, &id, &issued_at);
    tracing::debug!(user_id, "issued access token");
    Json(TokenResponse {
        access_token,
        signature,
        scope: "api",
        instance_url,
        id,
        token_type: "Bearer",
        issued_at,
    })
}

/// Handles `POST /services/oauth2/revoke`: revokes the access or refresh token in `token`.
pub(crate) async fn revoke(State(emulator): State<SalesforceEmulator>, body: Bytes) -> Response {
    emulator.count_request("POST /services/oauth2/revoke".to_string());
    let token = url::form_urlencoded::parse(&body)
        .find(|(name, _)| name == "token")
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default();
    if emulator.org().sessions.revoke(&token) {
        StatusCode::OK.into_response()
    } else {
        OAuthError::new("unsupported_token_type", "this token type is not supported")
            .into_response()
    }
}

/// Builds `http://<host>` or `https://<host>` from the request's `Host` header.
pub(crate) fn instance_url(headers: &HeaderMap, scheme: Scheme) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("localhost");
    match scheme {
        Scheme::Http => format!("http://{host}"),
        Scheme::Https => format!("https://{host}"),
    }
}

/// Reads `client_id:client_secret` from an `Authorization: Basic` header.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?.trim();
    let decoded = String::from_utf8(STANDARD.decode(encoded).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_reads_id_and_secret() {
        let mut headers = HeaderMap::new();
        let encoded = STANDARD.encode("key:secret");
        headers.insert(
            header::AUTHORIZATION,
            format!("Basic {encoded}").parse().unwrap(),
        );
        assert_eq!(
            basic_credentials(&headers),
            Some(("key".to_string(), "secret".to_string()))
        );
    }

    #[test]
    fn instance_url_keeps_scheme() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, "127.0.0.1:9443".parse().unwrap());
        assert_eq!(
            instance_url(&headers, Scheme::Https),
            "https://127.0.0.1:9443"
        );
    }
}
