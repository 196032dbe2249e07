//! A small fake Salesforce org on 127.0.0.1 for the HTTP tests: an OAuth token endpoint and an
//! API endpoint that checks the bearer token, records every request and replies through a
//! closure that each test provides.

#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Form, OriginalUri, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use tandem_engine::Secret;
use tandem_salesforce::{SalesforceClient, SalesforceConfig};
use url::Url;

pub const CLIENT_ID: &str = "test-client-id";
pub const CLIENT_SECRET: &str = "right-secret";
pub const API: &str = "/services/data/v62.0";
/// Username that JWT bearer and password logins act as.
pub const USERNAME: &str = "sync@example.com";
pub const PASSWORD: &str = "pw+securitytoken";
pub const REFRESH_TOKEN: &str = "5Aep861-refresh";
/// Private key of JWT bearer logins, and the public key the fake org checks them with.
pub const PRIVATE_KEY: &str = include_str!("../keys/test_jwt_key.pem");
pub const PUBLIC_KEY: &str = include_str!("../keys/test_jwt_key.pub.pem");

/// One API request as the fake org received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: Method,
    pub path: String,
    /// Query string as sent, still percent-encoded.
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// True when the bearer token was the current one.
    pub authorized: bool,
}

impl Recorded {
    /// Returns the body parsed as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    /// Returns a header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|value| value.to_str().unwrap())
    }

    /// Returns the decoded value of a query parameter.
    pub fn param(&self, name: &str) -> Option<String> {
        let query = self.query.as_deref()?;
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
    }
}

/// A reply from a test's responder: status, body text, its media type, extra headers and a
/// delay of its own.
pub struct Reply {
    pub status: u16,
    pub body: String,
    pub content_type: &'static str,
    pub headers: Vec<(&'static str, String)>,
    /// Added to the org's delay before this reply is sent.
    pub delay: Duration,
}

impl Reply {
    pub fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            body: body.to_string(),
            content_type: "application/json;charset=UTF-8",
            headers: Vec::new(),
            delay: Duration::ZERO,
        }
    }

    pub fn csv(body: &str) -> Reply {
        Reply {
            status: 200,
            body: body.to_string(),
            content_type: "text/csv",
            headers: Vec::new(),
            delay: Duration::ZERO,
        }
    }

    pub fn empty(status: u16) -> Reply {
        Reply {
            status,
            body: String::new(),
            content_type: "application/json;charset=UTF-8",
            headers: Vec::new(),
            delay: Duration::ZERO,
        }
    }

    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }

    /// Delays this reply by `delay` more than the org's delay.
    pub fn with_delay(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }
}

type Responder = dyn Fn(&Recorded) -> Reply + Send + Sync;

struct OrgState {
    base_url: String,
    logins: u32,
    /// Grant types of every login attempt, in order.
    grants: Vec<String>,
    /// Versions `GET /services/data/` lists, such as `62.0`.
    versions: Vec<String>,
    version_lists: u32,
    /// Added to the request count in `Sforce-Limit-Info`, to simulate other integrations.
    usage_offset: usize,
    /// The daily allowance `Sforce-Limit-Info` reports.
    usage_max: usize,
    valid_token: Option<String>,
    requests: Vec<Recorded>,
    responder: Arc<Responder>,
    delay: Duration,
    /// API requests received whose reply has not been sent yet.
    in_flight: usize,
    /// The largest `in_flight` seen.
    max_in_flight: usize,
}

/// The fake org. It stops when the test's runtime ends.
#[derive(Clone)]
pub struct FakeOrg {
    pub base_url: Url,
    state: Arc<Mutex<OrgState>>,
}

impl FakeOrg {
    /// Starts the org on a free port of 127.0.0.1 with `responder` for API requests.
    pub async fn start(responder: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> FakeOrg {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(OrgState {
            base_url: base_url.clone(),
            logins: 0,
            grants: Vec::new(),
            versions: ["60.0", "61.0", "62.0"].map(String::from).to_vec(),
            version_lists: 0,
            usage_offset: 0,
            usage_max: 15_000,
            valid_token: None,
            requests: Vec::new(),
            responder: Arc::new(responder),
            delay: Duration::ZERO,
            in_flight: 0,
            max_in_flight: 0,
        }));
        let app = Router::new()
            .route("/services/oauth2/token", post(token))
            .route("/services/data/", get(versions))
            .fallback(api)
            .with_state(Arc::clone(&state));
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FakeOrg {
            base_url: Url::parse(&base_url).unwrap(),
            state,
        }
    }

    /// Returns a client for this org with the right secret.
    pub fn client(&self) -> SalesforceClient {
        self.client_with_secret(CLIENT_SECRET)
    }

    /// Returns a client for this org that logs in with `secret`.
    pub fn client_with_secret(&self, secret: &str) -> SalesforceClient {
        SalesforceClient::new(self.config(secret)).unwrap()
    }

    /// Returns a configuration for this org that logs in with `secret`.
    pub fn config(&self, secret: &str) -> SalesforceConfig {
        SalesforceConfig {
            login_url: self.base_url.clone(),
            timeout: Duration::from_secs(10),
            ..SalesforceConfig::new(CLIENT_ID, Secret::new(secret))
        }
    }

    /// Returns a client for this org that logs in with `login`.
    pub fn client_with_login(&self, login: tandem_salesforce::Login) -> SalesforceClient {
        let config = SalesforceConfig {
            login_url: self.base_url.clone(),
            timeout: Duration::from_secs(10),
            ..SalesforceConfig::with_login(login)
        };
        SalesforceClient::new(config).unwrap()
    }

    /// Replaces the versions `GET /services/data/` lists.
    pub fn set_versions(&self, versions: &[&str]) {
        self.state.lock().unwrap().versions = versions.iter().map(|v| v.to_string()).collect();
    }

    /// Makes `Sforce-Limit-Info` report `offset` more requests than this org received, out of
    /// `max`.
    pub fn set_usage(&self, offset: usize, max: usize) {
        let mut state = self.state.lock().unwrap();
        state.usage_offset = offset;
        state.usage_max = max;
    }

    /// Returns how many times the version list was read.
    pub fn version_lists(&self) -> u32 {
        self.state.lock().unwrap().version_lists
    }

    /// Returns the grant type of every login attempt, in order.
    pub fn grants(&self) -> Vec<String> {
        self.state.lock().unwrap().grants.clone()
    }

    /// Returns how many logins succeeded.
    pub fn logins(&self) -> u32 {
        self.state.lock().unwrap().logins
    }

    /// Invalidates the current token, as a session timeout or a revocation does.
    pub fn expire_token(&self) {
        self.state.lock().unwrap().valid_token = None;
    }

    /// Delays every API reply by `delay`.
    pub fn set_delay(&self, delay: Duration) {
        self.state.lock().unwrap().delay = delay;
    }

    /// Returns the largest number of API requests that were in flight at once.
    pub fn max_in_flight(&self) -> usize {
        self.state.lock().unwrap().max_in_flight
    }

    /// Returns every API request received so far, rejected ones included.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state.lock().unwrap().requests.clone()
    }

    /// Returns the API requests that carried the current token.
    pub fn authorized_requests(&self) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|request| request.authorized)
            .collect()
    }
}

async fn token(
    State(state): State<Arc<Mutex<OrgState>>>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let value = |name: &str| {
        form.iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    let grant = value("grant_type").unwrap_or_default().to_string();
    state.lock().unwrap().grants.push(grant.clone());
    let valid = match grant.as_str() {
        "client_credentials" => {
            value("client_id") == Some(CLIENT_ID) && value("client_secret") == Some(CLIENT_SECRET)
        }
        "urn:ietf:params:oauth:grant-type:jwt-bearer" => {
            value("assertion").is_some_and(valid_assertion)
        }
        "refresh_token" => {
            value("client_id") == Some(CLIENT_ID) && value("refresh_token") == Some(REFRESH_TOKEN)
        }
        "password" => {
            value("client_id") == Some(CLIENT_ID)
                && value("client_secret") == Some(CLIENT_SECRET)
                && value("username") == Some(USERNAME)
                && value("password") == Some(PASSWORD)
        }
        _ => false,
    };
    if !valid {
        let body =
            json!({"error": "invalid_client", "error_description": "invalid client credentials"});
        return (StatusCode::BAD_REQUEST, axum::Json(body)).into_response();
    }
    let mut state = state.lock().unwrap();
    state.logins += 1;
    let token = format!("00Dxx0000001gPF!token-{}", state.logins);
    state.valid_token = Some(token.clone());
    let body = json!({
        "access_token": token,
        "instance_url": state.base_url,
        "id": "https://login.salesforce.com/id/00Dxx0000001gPFEAY/005xx000001Sv6eAAC",
        "token_type": "Bearer",
        "issued_at": "1700000000000",
        "signature": "c2lnbmF0dXJl"
    });
    axum::Json(body).into_response()
}

/// Checks a JWT bearer assertion as Salesforce does: RS256 with the app's certificate,
/// `iss` the consumer key, `sub` the user, `aud` the login host, and `exp` at most three
/// minutes ahead.
fn valid_assertion(assertion: &str) -> bool {
    let key = jsonwebtoken::DecodingKey::from_rsa_pem(PUBLIC_KEY.as_bytes()).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&["https://login.salesforce.com"]);
    validation.set_issuer(&[CLIENT_ID]);
    validation.set_required_spec_claims(&["iss", "sub", "aud", "exp"]);
    let Ok(data) = jsonwebtoken::decode::<Value>(assertion, &key, &validation) else {
        return false;
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let exp = data.claims["exp"].as_u64().unwrap_or(0);
    data.claims["sub"] == USERNAME && exp > now && exp <= now + 180
}

async fn versions(State(state): State<Arc<Mutex<OrgState>>>) -> Response {
    let mut state = state.lock().unwrap();
    state.version_lists += 1;
    let list: Vec<Value> = state
        .versions
        .iter()
        .map(|v| json!({"label": "Release", "url": format!("/services/data/v{v}"), "version": v}))
        .collect();
    axum::Json(Value::Array(list)).into_response()
}

async fn api(
    State(state): State<Arc<Mutex<OrgState>>>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (reply, delay, used) = {
        let mut state = state.lock().unwrap();
        let expected = state
            .valid_token
            .as_ref()
            .map(|token| format!("Bearer {token}"));
        let sent = headers
            .get("authorization")
            .and_then(|value| value.to_str().ok());
        let recorded = Recorded {
            method,
            path: uri.path().to_string(),
            query: uri.query().map(str::to_string),
            headers: headers.clone(),
            body,
            authorized: expected.is_some() && sent == expected.as_deref(),
        };
        let reply = if recorded.authorized {
            (state.responder)(&recorded)
        } else {
            let error =
                json!({"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"});
            Reply::json(401, json!([error]))
        };
        state.requests.push(recorded);
        state.in_flight += 1;
        state.max_in_flight = state.max_in_flight.max(state.in_flight);
        (reply, state.delay, state.requests.len())
    };
    let delay = delay + reply.delay;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    state.lock().unwrap().in_flight -= 1;
    let status = StatusCode::from_u16(reply.status).unwrap();
    let mut response = (status, reply.body).into_response();
    let headers = response.headers_mut();
    headers.insert("content-type", reply.content_type.parse().unwrap());
    let usage = state.lock().unwrap().usage_max;
    let limit_info = format!(
        "api-usage={}/{}",
        used + state.lock().unwrap().usage_offset,
        usage
    );
    headers.insert("sforce-limit-info", limit_info.parse().unwrap());
    for (name, value) in reply.headers {
        headers.insert(name, value.parse().unwrap());
    }
    response
}

/// Returns a valid 18-character Account Id made from `number`.
pub fn account_id(number: usize) -> String {
    tandem_salesforce::SalesforceId::parse(&format!("001dM{number:010}"))
        .unwrap()
        .to_string()
}
