//! Authentication of REST requests: OAuth 2.0 access tokens from the client credentials flow,
//! and token-based authentication sent as an OAuth 1.0a `Authorization` header.
//!
//! The client credentials flow takes a JWT assertion signed with the private key of a
//! certificate uploaded to the integration (PS256, PS384, PS512, ES256 or ES384), whose `kid`
//! header names the certificate ID, `iss` the integration's client ID, `aud` the token
//! endpoint, `scope` includes `rest_webservices`, and whose lifetime is at most an hour.
//! Access tokens last an hour.
//!
//! The OAuth 1.0a signature is HMAC-SHA256 over the RFC 5849 signature base string (method,
//! base URL, sorted parameters including the query), keyed by `consumerSecret&tokenSecret`,
//! and the `realm` is the account ID.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, KeyInit, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use sha2::Sha256;

use crate::netsuite::NetSuiteCredentials;
use crate::netsuite::passport::{NonceCache, TIMESTAMP_WINDOW_SECS};

/// The path of the OAuth 2.0 token endpoint.
pub(crate) const TOKEN_PATH: &str = "/services/rest/auth/oauth2/v1/token";

/// How long an access token stays valid (NetSuite's documented 60 minutes).
pub(crate) const ACCESS_TOKEN_LIFETIME: Duration = Duration::minutes(60);

/// The maximum lifetime NetSuite accepts for an assertion, from `iat` to `exp`.
const MAX_ASSERTION_LIFETIME_SECS: i64 = 60 * 60;

/// The scope a token must carry to reach the REST web services.
const REST_SCOPE: &str = "rest_webservices";

/// The OAuth 2.0 state of an account: uploaded certificates and issued tokens.
#[derive(Debug, Default)]
pub(crate) struct OAuth2State {
    /// Public certificates or keys in PEM form, by certificate ID.
    certificates: HashMap<String, String>,
    /// Issued access tokens with their expiry.
    tokens: HashMap<String, DateTime<Utc>>,
}

impl OAuth2State {
    /// Stores the certificate (or public key) that assertions with `kid = certificate_id`
    /// are checked against.
    pub fn add_certificate(&mut self, certificate_id: &str, pem: &str) -> Result<(), String> {
        let rsa = DecodingKey::from_rsa_pem(pem.as_bytes()).is_ok();
        let ec = DecodingKey::from_ec_pem(pem.as_bytes()).is_ok();
        if !rsa && !ec {
            return Err(
                "the certificate is not a PEM RSA or EC certificate or public key".to_string(),
            );
        }
        self.certificates
            .insert(certificate_id.to_string(), pem.to_string());
        Ok(())
    }

    /// Returns true when `token` was issued here and has not expired.
    pub fn is_valid(&mut self, token: &str, now: DateTime<Utc>) -> bool {
        self.tokens.retain(|_, expiry| *expiry > now);
        self.tokens.contains_key(token)
    }

    /// Makes every token issued so far expire, as if an hour had passed.
    pub fn expire_tokens(&mut self) {
        self.tokens.clear();
    }

    fn issue(&mut self, now: DateTime<Utc>) -> String {
        let mut bytes = [0u8; 32];
        rand::fill(&mut bytes);
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        self.tokens
            .insert(token.clone(), now + ACCESS_TOKEN_LIFETIME);
        token
    }
}

/// Why a token request was rejected: the OAuth `error` code and a description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GrantError {
    pub error: &'static str,
    pub description: String,
}

impl GrantError {
    fn new(error: &'static str, description: impl Into<String>) -> GrantError {
        GrantError {
            error,
            description: description.into(),
        }
    }
}

/// The `scope` claim, which clients send as one space-separated string or as an array.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Scope {
    Text(String),
    List(Vec<String>),
}

impl Scope {
    fn contains(&self, wanted: &str) -> bool {
        match self {
            Scope::Text(text) => text.split([' ', ',']).any(|scope| scope == wanted),
            Scope::List(list) => list.iter().any(|scope| scope == wanted),
        }
    }
}

#[derive(Debug, Deserialize)]
struct Claims {
    iss: String,
    scope: Scope,
    aud: String,
    iat: i64,
    exp: i64,
}

/// Checks a client credentials request (its form parameters) and issues an access token.
pub(crate) fn client_credentials(
    state: &mut OAuth2State,
    credentials: &NetSuiteCredentials,
    form: &HashMap<String, String>,
    now: DateTime<Utc>,
) -> Result<String, GrantError> {
    let parameter = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    if parameter("grant_type") != "client_credentials" {
        return Err(GrantError::new(
            "unsupported_grant_type",
            "grant_type must be client_credentials",
        ));
    }
    if parameter("client_assertion_type")
        != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    {
        return Err(GrantError::new(
            "invalid_request",
            "client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ));
    }
    let claims = verify_assertion(state, parameter("client_assertion"))?;
    check_claims(&claims, credentials, now)?;
    Ok(state.issue(now))
}

fn verify_assertion(state: &OAuth2State, assertion: &str) -> Result<Claims, GrantError> {
    let invalid = |description: &str| GrantError::new("invalid_grant", description);
    let header = jsonwebtoken::decode_header(assertion)
        .map_err(|_| invalid("the client assertion is not a JWT"))?;
    let kid = header
        .kid
        .ok_or_else(|| invalid("the assertion header has no kid (certificate ID)"))?;
    let pem = state
        .certificates
        .get(&kid)
        .ok_or_else(|| invalid("no certificate with this kid is uploaded to the integration"))?;
    let key = match header.alg {
        Algorithm::PS256 | Algorithm::PS384 | Algorithm::PS512 => {
            DecodingKey::from_rsa_pem(pem.as_bytes())
        }
        Algorithm::ES256 | Algorithm::ES384 => DecodingKey::from_ec_pem(pem.as_bytes()),
        _ => return Err(invalid("the assertion must be signed with PS256 or ES256")),
    }
    .map_err(|_| invalid("the certificate does not fit the assertion's algorithm"))?;
    let mut validation = Validation::new(header.alg);
    // `exp`, `iat` and `aud` are checked afterwards with NetSuite's rules.
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    jsonwebtoken::decode::<Claims>(assertion, &key, &validation)
        .map(|data| data.claims)
        .map_err(|_| invalid("the assertion signature does not verify or its claims are missing"))
}

fn check_claims(
    claims: &Claims,
    credentials: &NetSuiteCredentials,
    now: DateTime<Utc>,
) -> Result<(), GrantError> {
    let invalid = |description: &str| GrantError::new("invalid_grant", description);
    if claims.iss != credentials.consumer_key {
        return Err(GrantError::new(
            "invalid_client",
            "iss is not the client ID of an integration",
        ));
    }
    if !claims.aud.ends_with(TOKEN_PATH) {
        return Err(invalid("aud must be the token endpoint URL"));
    }
    if !claims.scope.contains(REST_SCOPE) {
        return Err(GrantError::new(
            "invalid_scope",
            "scope must include rest_webservices",
        ));
    }
    let now = now.timestamp();
    if claims.exp <= now || claims.iat > now + TIMESTAMP_WINDOW_SECS {
        return Err(invalid("the assertion is expired or issued in the future"));
    }
    if claims.exp - claims.iat > MAX_ASSERTION_LIFETIME_SECS {
        return Err(invalid("the assertion may live at most 60 minutes"));
    }
    Ok(())
}

/// The parts of a request an OAuth 1.0a signature covers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SignedRequest<'a> {
    pub method: &'a str,
    /// `http://host:port/path`, without the query.
    pub base_url: &'a str,
    /// The raw query string, without `?`.
    pub query: &'a str,
}

/// Checks a TBA `Authorization: OAuth ...` header; the error is the reason, for the log.
pub(crate) fn check_oauth1(
    header: &str,
    request: SignedRequest,
    credentials: &NetSuiteCredentials,
    nonces: &mut NonceCache,
    now: i64,
) -> Result<(), &'static str> {
    let parameters = read_oauth_header(header).ok_or("the OAuth header is malformed")?;
    let get = |name: &str| parameters.get(name).map(String::as_str).unwrap_or_default();
    if get("realm") != credentials.account {
        return Err("the realm is not this account ID");
    }
    if get("oauth_consumer_key") != credentials.consumer_key {
        return Err("the consumer key is not known");
    }
    if get("oauth_token") != credentials.token_id {
        return Err("the token ID is not known");
    }
    if get("oauth_signature_method") != "HMAC-SHA256" {
        return Err("the signature method is not HMAC-SHA256");
    }
    let timestamp: i64 = get("oauth_timestamp")
        .parse()
        .map_err(|_| "the timestamp is not a number")?;
    if (timestamp - now).abs() > TIMESTAMP_WINDOW_SECS {
        return Err("the timestamp is not within five minutes of the server clock");
    }
    let expected = oauth1_signature(&parameters, request, credentials);
    let sent = get("oauth_signature");
    if !constant_time_eq(sent.as_bytes(), expected.as_bytes()) {
        return Err("the signature does not match");
    }
    if !nonces.insert(get("oauth_nonce"), now) {
        return Err("the nonce was already used");
    }
    Ok(())
}

/// Reads `OAuth k="v", ...` into decoded parameters.
fn read_oauth_header(header: &str) -> Option<HashMap<String, String>> {
    let rest = header.trim().strip_prefix("OAuth ")?;
    let mut parameters = HashMap::new();
    for pair in rest.split(',') {
        let (key, value) = pair.trim().split_once('=')?;
        let value = value.trim().strip_prefix('"')?.strip_suffix('"')?;
        let decoded = url::form_urlencoded::parse(format!("v={value}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())?;
        // `form_urlencoded` turns `+` into a space; OAuth encodes a space as %20 and a plus
        // as %2B, so a literal `+` here is a plus.
        let decoded = if value.contains('+') {
            decoded.replace(' ', "+")
        } else {
            decoded
        };
        parameters.insert(key.trim().to_string(), decoded);
    }
    Some(parameters)
}

/// Computes the signature a request with these OAuth parameters must carry.
pub(crate) fn oauth1_signature(
    parameters: &HashMap<String, String>,
    request: SignedRequest,
    credentials: &NetSuiteCredentials,
) -> String {
    let mut pairs: Vec<(String, String)> = parameters
        .iter()
        .filter(|(key, _)| key.as_str() != "realm" && key.as_str() != "oauth_signature")
        .map(|(key, value)| (percent(key), percent(value)))
        .collect();
    pairs.extend(
        url::form_urlencoded::parse(request.query.as_bytes())
            .map(|(key, value)| (percent(&key), percent(&value))),
    );
    pairs.sort();
    let normalized: Vec<String> = pairs
        .iter()
        .map(|(key, value)| format!("{key}={value}"))
        .collect();
    let base = format!(
        "{}&{}&{}",
        request.method.to_ascii_uppercase(),
        percent(request.base_url),
        percent(&normalized.join("&"))
    );
    let key = format!(
        "{}&{}",
        percent(&credentials.consumer_secret),
        percent(&credentials.token_secret)
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(base.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Percent-encodes everything but RFC 3986 unreserved characters, as OAuth 1.0a requires.
pub(crate) fn percent(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credentials() -> NetSuiteCredentials {
        NetSuiteCredentials {
            account: "TSTDRV1".to_string(),
            consumer_key: "ck".to_string(),
            consumer_secret: "cs".to_string(),
            token_id: "tk".to_string(),
            token_secret: "ts".to_string(),
        }
    }

    fn header(signature: &str, nonce: &str, timestamp: i64) -> String {
        format!(
            "OAuth realm=\"TSTDRV1\", oauth_consumer_key=\"ck\", oauth_token=\"tk\", \
             oauth_signature_method=\"HMAC-SHA256\", oauth_timestamp=\"{timestamp}\", \
             oauth_nonce=\"{nonce}\", oauth_version=\"1.0\", oauth_signature=\"{}\"",
            percent(signature)
        )
    }

    fn signed_header(request: SignedRequest, nonce: &str, timestamp: i64) -> String {
        let unsigned = read_oauth_header(&header("x", nonce, timestamp)).unwrap();
        let signature = oauth1_signature(&unsigned, request, &credentials());
        header(&signature, nonce, timestamp)
    }

    const REQUEST: SignedRequest = SignedRequest {
        method: "GET",
        base_url: "http://127.0.0.1:9/services/rest/record/v1/customer/5",
        query: "expandSubResources=true",
    };

    #[test]
    fn oauth1_accepts_signed_header_once() {
        let mut nonces = NonceCache::default();
        let header = signed_header(REQUEST, "abc123", 1000);
        check_oauth1(&header, REQUEST, &credentials(), &mut nonces, 1000).unwrap();
        let replay = check_oauth1(&header, REQUEST, &credentials(), &mut nonces, 1000);
        assert_eq!(replay, Err("the nonce was already used"));
    }

    #[test]
    fn oauth1_signature_covers_query() {
        let mut nonces = NonceCache::default();
        let header = signed_header(REQUEST, "abc124", 1000);
        let other = SignedRequest {
            query: "expandSubResources=false",
            ..REQUEST
        };
        let error = check_oauth1(&header, other, &credentials(), &mut nonces, 1000);
        assert_eq!(error, Err("the signature does not match"));
    }

    #[test]
    fn oauth1_rejects_old_timestamp() {
        let mut nonces = NonceCache::default();
        let header = signed_header(REQUEST, "abc125", 1000);
        let error = check_oauth1(&header, REQUEST, &credentials(), &mut nonces, 2000);
        assert!(error.unwrap_err().contains("timestamp"));
    }

    #[test]
    fn percent_keeps_unreserved_only() {
        assert_eq!(percent("a b+c/~"), "a%20b%2Bc%2F~");
    }
}
