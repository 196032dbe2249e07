//! Access control: one API token, sessions made by logging in with it, and a CSRF token per
//! session for the forms.
//!
//! Scripts send the token as `Authorization: Bearer <token>`. People type it once on the login
//! page and get a session cookie. Every form of a session carries the session's CSRF token, and
//! a JSON call made with the cookie instead of the token must send it as `X-CSRF-Token`. The
//! token and session IDs are compared in constant time and never logged.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use rand::RngExt as _;
use rand::distr::Alphanumeric;
use subtle::ConstantTimeEq;
use tandem_engine::Secret;

use crate::AppState;
use crate::api::ApiError;

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "tandem_session";

/// The header a cookie-authenticated JSON call sends its session's CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// How long a session lasts after login.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 3600);

/// The maximum number of sessions kept at once; the oldest is dropped to make room, so repeated logins
/// cannot grow memory without bound.
const MAX_SESSIONS: usize = 1000;

/// Length of generated tokens, session IDs and CSRF tokens, in alphanumeric characters
/// (about 5.95 bits each, so 43 characters carry more than 256 bits).
const TOKEN_LENGTH: usize = 43;

/// A logged-in browser session.
#[derive(Debug, Clone)]
pub struct Session {
    /// The token every form and cookie-authenticated JSON call of this session must carry.
    pub csrf: String,
    expires: Instant,
    /// A message from the last action, shown once on the next page.
    notice: Option<String>,
}

/// The API token and the live sessions.
pub struct Auth {
    token: Secret,
    sessions: Mutex<HashMap<String, Session>>,
}

impl Auth {
    /// Builds access control around the API token.
    pub fn new(token: Secret) -> Auth {
        Auth {
            token,
            sessions: Mutex::new(HashMap::new()),
        }
    }

    /// Returns true when `candidate` is the API token.
    pub fn is_token(&self, candidate: &str) -> bool {
        constant_time_equal(candidate, self.token.expose())
    }

    /// Starts a session and returns its ID, which goes in the session cookie.
    pub fn start_session(&self) -> String {
        let id = random_token();
        let session = Session {
            csrf: random_token(),
            expires: Instant::now() + SESSION_LIFETIME,
            notice: None,
        };
        let mut sessions = self.lock_sessions();
        let now = Instant::now();
        sessions.retain(|_, session| session.expires > now);
        if sessions.len() >= MAX_SESSIONS
            && let Some(oldest) = sessions
                .iter()
                .min_by_key(|(_, session)| session.expires)
                .map(|(id, _)| id.clone())
        {
            sessions.remove(&oldest);
        }
        sessions.insert(id.clone(), session);
        id
    }

    /// Returns the live session with this ID. The map finds IDs by hash rather than by comparing
    /// them character by character, so the time taken does not tell how much of a guess was right.
    pub fn session(&self, id: &str) -> Option<Session> {
        let sessions = self.lock_sessions();
        let session = sessions.get(id)?;
        (session.expires > Instant::now()).then(|| session.clone())
    }

    /// Leaves a notice for the session's next page.
    pub fn set_notice(&self, id: &str, notice: String) {
        if let Some(session) = self.lock_sessions().get_mut(id) {
            session.notice = Some(notice);
        }
    }

    /// Returns and clears the session's notice.
    pub fn take_notice(&self, id: &str) -> Option<String> {
        self.lock_sessions().get_mut(id)?.notice.take()
    }

    /// Ends a session.
    pub fn end_session(&self, id: &str) {
        self.lock_sessions().remove(id);
    }

    fn lock_sessions(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        // A panic while holding the lock leaves the map itself intact, so keep using it.
        self.sessions
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Makes a random token of [`TOKEN_LENGTH`] alphanumeric characters from the thread's
/// cryptographically secure generator.
pub fn random_token() -> String {
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(TOKEN_LENGTH)
        .map(char::from)
        .collect()
}

/// Compares two strings in time that depends only on their lengths.
pub fn constant_time_equal(left: &str, right: &str) -> bool {
    left.as_bytes().ct_eq(right.as_bytes()).into()
}

/// Returns the value of a cookie from the request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// Returns the session of the request's cookie, if it is live.
pub fn request_session(auth: &Auth, headers: &HeaderMap) -> Option<(String, Session)> {
    let id = cookie(headers, SESSION_COOKIE)?;
    let session = auth.session(id)?;
    Some((id.to_string(), session))
}

/// Returns the `Set-Cookie` value that stores a session ID. The cookie is `HttpOnly` (scripts
/// cannot read it) and `SameSite=Strict` (other sites cannot send it along), and `Secure`
/// (browsers send it over https only) when `secure` is true.
///
/// NOTE: without `Secure`, reach the server from other machines only through a TLS proxy,
/// or the cookie and token travel in clear. The `[server]` settings decide when to set it.
pub fn session_cookie(id: &str, secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        SESSION_LIFETIME.as_secs(),
        secure_attribute(secure)
    )
}

/// Returns the `Set-Cookie` value that removes the session cookie.
pub fn expired_session_cookie(secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{}",
        secure_attribute(secure)
    )
}

fn secure_attribute(secure: bool) -> &'static str {
    if secure { "; Secure" } else { "" }
}

/// Whether the session cookie set in reply to a request must be `Secure`, as the `[server]`
/// settings decide from the public URL, the peer address and `X-Forwarded-Proto`.
pub struct CookieSecurity(pub bool);

impl FromRequestParts<AppState> for CookieSecurity {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<CookieSecurity, Infallible> {
        Ok(CookieSecurity(state.settings.cookie_is_secure_for(parts)))
    }
}

/// Lets a JSON API call through with the bearer token, or with a live session cookie (plus
/// the session's CSRF token for anything but GET and HEAD). Anything else is `401`.
pub async fn require_api_access(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(|value| value.strip_prefix("Bearer "));
        return match token {
            Some(token) if state.auth.is_token(token.trim()) => next.run(request).await,
            _ => {
                tracing::warn!(path = %request.uri().path(), "API call with a wrong token");
                ApiError::unauthorized("the bearer token is wrong").into_response()
            }
        };
    }
    let Some((_, session)) = request_session(&state.auth, headers) else {
        return ApiError::unauthorized(
            "missing credentials; send the API token as `Authorization: Bearer <token>`",
        )
        .into_response();
    };
    if !is_safe(request.method()) {
        let sent = headers
            .get(CSRF_HEADER)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        if !constant_time_equal(sent, &session.csrf) {
            return ApiError::new(
                StatusCode::FORBIDDEN,
                "missing or wrong X-CSRF-Token header for a call made with the session cookie",
            )
            .into_response();
        }
    }
    next.run(request).await
}

/// Sends a request for a page without a live session to the login page, which returns to the
/// page after login.
pub async fn require_session(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if request_session(&state.auth, request.headers()).is_some() {
        return next.run(request).await;
    }
    if !is_safe(request.method()) {
        return (StatusCode::UNAUTHORIZED, "log in first at /login").into_response();
    }
    let target = request
        .uri()
        .path_and_query()
        .map(|path| path.as_str())
        .unwrap_or("/");
    Redirect::to(&format!("/login?next={}", percent_encode(target))).into_response()
}

/// Returns true for methods that change nothing.
fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD)
}

/// Percent-encodes everything but unreserved characters and `/`, for a path in a query.
pub fn percent_encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~/".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// Returns `next` when it is a path on this server, else `/`, so the login page cannot be used
/// to send people to another site.
pub fn local_target(next: Option<&str>) -> &str {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path
        }
        _ => "/",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_comparison_needs_exact_match() {
        let auth = Auth::new(Secret::new("abc123"));
        assert!(auth.is_token("abc123"));
        assert!(!auth.is_token("abc12"));
        assert!(!auth.is_token("abc1234"));
        assert!(!auth.is_token(""));
    }

    #[test]
    fn ended_session_is_gone() {
        let auth = Auth::new(Secret::new("t"));
        let id = auth.start_session();
        assert!(auth.session(&id).is_some());
        auth.end_session(&id);
        assert!(auth.session(&id).is_none());
    }

    #[test]
    fn sessions_get_distinct_csrf_tokens() {
        let auth = Auth::new(Secret::new("t"));
        let first = auth.session(&auth.start_session()).unwrap();
        let second = auth.session(&auth.start_session()).unwrap();
        assert_ne!(first.csrf, second.csrf);
        assert_eq!(first.csrf.len(), TOKEN_LENGTH);
    }

    #[test]
    fn cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            "a=1; tandem_session=xyz; b=2".parse().unwrap(),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("xyz"));
        assert_eq!(cookie(&headers, "c"), None);
    }

    #[test]
    fn secure_cookie_has_secure_attribute() {
        assert!(session_cookie("abc", true).ends_with("; Secure"));
        assert!(expired_session_cookie(true).ends_with("; Secure"));
    }

    #[test]
    fn plain_cookie_has_no_secure_attribute() {
        assert!(!session_cookie("abc", false).contains("Secure"));
        assert!(!expired_session_cookie(false).contains("Secure"));
    }

    #[test]
    fn login_target_stays_on_this_server() {
        assert_eq!(local_target(Some("/runs?flow=a")), "/runs?flow=a");
        assert_eq!(local_target(Some("//evil.example")), "/");
        assert_eq!(local_target(Some("https://evil.example")), "/");
        assert_eq!(local_target(Some("/\\evil.example")), "/");
        assert_eq!(local_target(None), "/");
    }
}
