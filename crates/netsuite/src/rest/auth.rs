//! Authentication of REST requests: OAuth 2.0 client credentials (machine to machine) with a
//! signed JWT assertion, or token-based authentication as an OAuth 1.0a header.
//!
//! The assertion is signed with the private key of the certificate uploaded to the
//! integration record, with PS256 or ES256 as NetSuite requires, and names the certificate ID
//! in its `kid` header. Access tokens last 60 minutes; a token is fetched again once less
//! than [`REFRESH_MARGIN`] of its life is left.

use std::fmt;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use jsonwebtoken::crypto::CryptoProvider;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rand::RngExt as _;
use rand::distr::Alphanumeric;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use tandem_engine::Secret;
use tokio::sync::Mutex;

use crate::config::TokenCredentials;
use crate::error::Error;

/// The token endpoint's path below the REST base URL.
pub const TOKEN_PATH: &str = "/services/rest/auth/oauth2/v1/token";

/// How long before its expiry an access token is replaced.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// The lifetime of an assertion. NetSuite accepts at most 60 minutes.
const ASSERTION_LIFETIME: Duration = Duration::from_secs(5 * 60);

/// The scope of the REST web services.
const REST_SCOPE: &str = "rest_webservices";

/// The algorithm an assertion is signed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigningAlgorithm {
    /// RSA-PSS with SHA-256; the key is an RSA private key.
    Ps256,
    /// ECDSA on P-256 with SHA-256; the key is an EC private key.
    Es256,
}

impl SigningAlgorithm {
    /// Reads `PS256` or `ES256`, without regard to case.
    pub fn parse(text: &str) -> Result<SigningAlgorithm, Error> {
        match text.to_ascii_uppercase().as_str() {
            "PS256" => Ok(SigningAlgorithm::Ps256),
            "ES256" => Ok(SigningAlgorithm::Es256),
            _ => Err(Error::Config(format!(
                "invalid NetSuite OAuth 2.0 signing algorithm {text:?}: use PS256 or ES256"
            ))),
        }
    }

    /// Chooses the algorithm a PEM private key signs with: ES256 for an EC key, PS256 for an
    /// RSA key. The error never quotes the key.
    pub fn for_key(private_key: &Secret) -> Result<SigningAlgorithm, Error> {
        let pem = private_key.expose().as_bytes();
        if EncodingKey::from_ec_pem(pem).is_ok() {
            return Ok(SigningAlgorithm::Es256);
        }
        if EncodingKey::from_rsa_pem(pem).is_ok() {
            return Ok(SigningAlgorithm::Ps256);
        }
        Err(Error::Config(
            "the NetSuite OAuth 2.0 private key is neither an EC nor an RSA private key in PEM              form: give the key of the certificate uploaded to the integration"
                .to_string(),
        ))
    }

    fn algorithm(self) -> Algorithm {
        match self {
            SigningAlgorithm::Ps256 => Algorithm::PS256,
            SigningAlgorithm::Es256 => Algorithm::ES256,
        }
    }
}

/// The OAuth 2.0 client credentials of an integration record. `Debug` leaves the key out.
#[derive(Clone, PartialEq, Eq)]
pub struct OAuth2Credentials {
    /// The integration record's client ID.
    pub client_id: String,
    /// The certificate ID NetSuite shows for the uploaded certificate, sent as `kid`.
    pub certificate_id: String,
    /// The certificate's private key in PEM form.
    pub private_key: Secret,
    pub algorithm: SigningAlgorithm,
}

impl fmt::Debug for OAuth2Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuth2Credentials")
            .field("client_id", &self.client_id)
            .field("certificate_id", &self.certificate_id)
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

impl OAuth2Credentials {
    /// Checks that the private key signs with the chosen algorithm, without sending anything.
    pub fn check(&self) -> Result<(), Error> {
        self.assertion("check", UNIX_EPOCH).map(|_| ())
    }

    /// Signs an assertion for the token endpoint `audience`, issued at `now`.
    pub(crate) fn assertion(&self, audience: &str, now: SystemTime) -> Result<String, Error> {
        let issued = now
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_secs());
        let claims = Claims {
            iss: &self.client_id,
            scope: [REST_SCOPE],
            aud: audience,
            iat: issued,
            exp: issued + ASSERTION_LIFETIME.as_secs(),
        };
        let mut header = Header::new(self.algorithm.algorithm());
        header.kid = Some(self.certificate_id.clone());
        ensure_crypto_provider();
        let key = self.encoding_key()?;
        jsonwebtoken::encode(&header, &claims, &key).map_err(|error| {
            Error::Config(format!(
                "cannot sign the NetSuite OAuth 2.0 assertion ({:?}): give the private key of \
                 the certificate uploaded to the integration",
                error.kind()
            ))
        })
    }

    fn encoding_key(&self) -> Result<EncodingKey, Error> {
        let pem = self.private_key.expose().as_bytes();
        let key = match self.algorithm {
            SigningAlgorithm::Ps256 => EncodingKey::from_rsa_pem(pem),
            SigningAlgorithm::Es256 => EncodingKey::from_ec_pem(pem),
        };
        key.map_err(|error| {
            Error::Config(format!(
                "the NetSuite OAuth 2.0 private key is not a {:?} private key in PEM form \
                 ({:?}): PS256 needs an RSA key, ES256 an EC P-256 key",
                self.algorithm,
                error.kind()
            ))
        })
    }
}

/// Installs jsonwebtoken's aws-lc-rs backend when none is chosen yet, because with more than
/// one backend enabled in a build jsonwebtoken picks none by itself.
fn ensure_crypto_provider() {
    if CryptoProvider::try_get_default().is_none() {
        // Another thread may install it first; either way one is installed afterwards.
        let _ = jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER.install_default();
    }
}

#[derive(Debug, Serialize)]
struct Claims<'a> {
    iss: &'a str,
    scope: [&'a str; 1],
    aud: &'a str,
    iat: u64,
    exp: u64,
}

/// The token endpoint's answer. NetSuite sends `expires_in` as a string.
#[derive(Debug, Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(deserialize_with = "seconds")]
    expires_in: u64,
}

fn seconds<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Seconds {
        Number(u64),
        Text(String),
    }
    match Seconds::deserialize(deserializer)? {
        Seconds::Number(number) => Ok(number),
        Seconds::Text(text) => text.trim().parse().map_err(serde::de::Error::custom),
    }
}

/// A cached access token with the instant it should be replaced.
#[derive(Default)]
pub(crate) struct TokenCache {
    current: Mutex<Option<(Secret, Instant)>>,
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenCache")
    }
}

impl TokenCache {
    /// Returns a valid access token, fetching a new one when none is cached or the cached one
    /// is within [`REFRESH_MARGIN`] of its expiry.
    pub async fn token(
        &self,
        http: &reqwest::Client,
        token_url: &str,
        credentials: &OAuth2Credentials,
    ) -> Result<Secret, Error> {
        let mut current = self.current.lock().await;
        if let Some((token, replace_at)) = current.as_ref()
            && Instant::now() < *replace_at
        {
            return Ok(token.clone());
        }
        let (token, lifetime) = fetch(http, token_url, credentials).await?;
        let replace_at = Instant::now() + lifetime.saturating_sub(REFRESH_MARGIN);
        *current = Some((token.clone(), replace_at));
        Ok(token)
    }

    /// Forgets the cached token, after NetSuite rejected it.
    pub async fn clear(&self) {
        *self.current.lock().await = None;
    }
}

async fn fetch(
    http: &reqwest::Client,
    token_url: &str,
    credentials: &OAuth2Credentials,
) -> Result<(Secret, Duration), Error> {
    let assertion = credentials.assertion(token_url, SystemTime::now())?;
    let form = [
        ("grant_type", "client_credentials"),
        (
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ),
        ("client_assertion", assertion.as_str()),
    ];
    let response = http
        .post(token_url)
        .form(&form)
        .send()
        .await
        .map_err(Error::Connection)?;
    let status = response.status().as_u16();
    let body = response.bytes().await.map_err(Error::Connection)?;
    if !(200..300).contains(&status) {
        let reason: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        let error = reason["error"].as_str().unwrap_or("unknown");
        let description = reason["error_description"].as_str().unwrap_or_default();
        tracing::warn!(
            http_status = status,
            error,
            "NetSuite OAuth 2.0 token request rejected"
        );
        if status >= 500 {
            return Err(Error::Http { status });
        }
        return Err(Error::Config(format!(
            "NetSuite rejected the OAuth 2.0 token request ({error}: {description}); check the \
             client ID, the certificate ID and that the private key belongs to the certificate \
             uploaded to the integration"
        )));
    }
    let token: TokenResponse = serde_json::from_slice(&body).map_err(|error| {
        Error::InvalidResponse(format!(
            "the OAuth 2.0 token response is not readable: {error}"
        ))
    })?;
    tracing::debug!(
        expires_in = token.expires_in,
        "fetched a NetSuite OAuth 2.0 access token"
    );
    Ok((
        Secret::new(token.access_token),
        Duration::from_secs(token.expires_in),
    ))
}

/// The parts of a request an OAuth 1.0a signature covers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SignedRequest<'a> {
    pub method: &'a str,
    /// The URL without its query.
    pub base_url: &'a str,
    /// The query parameters, decoded.
    pub query: &'a [(String, String)],
}

/// Builds the `Authorization: OAuth ...` header of token-based authentication, signed with
/// HMAC-SHA256 over the RFC 5849 signature base string.
pub(crate) fn oauth1_header(
    account: &str,
    credentials: &TokenCredentials,
    request: SignedRequest,
    nonce: &str,
    timestamp: u64,
) -> String {
    let timestamp = timestamp.to_string();
    let oauth = [
        ("oauth_consumer_key", credentials.consumer_key.as_str()),
        ("oauth_nonce", nonce),
        ("oauth_signature_method", "HMAC-SHA256"),
        ("oauth_timestamp", timestamp.as_str()),
        ("oauth_token", credentials.token_id.as_str()),
        ("oauth_version", "1.0"),
    ];
    let mut pairs: Vec<(String, String)> = oauth
        .iter()
        .map(|(key, value)| (percent(key), percent(value)))
        .chain(request.query.iter().map(|(k, v)| (percent(k), percent(v))))
        .collect();
    pairs.sort();
    let normalized: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let base = format!(
        "{}&{}&{}",
        request.method.to_ascii_uppercase(),
        percent(request.base_url),
        percent(&normalized.join("&"))
    );
    let key = format!(
        "{}&{}",
        percent(credentials.consumer_secret.expose()),
        percent(credentials.token_secret.expose())
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes())
        .expect("HMAC-SHA256 accepts keys of any length");
    mac.update(base.as_bytes());
    let signature = STANDARD.encode(mac.finalize().into_bytes());
    let mut header = format!("OAuth realm=\"{account}\"");
    for (key, value) in oauth {
        header.push_str(&format!(", {key}=\"{}\"", percent(value)));
    }
    header.push_str(&format!(", oauth_signature=\"{}\"", percent(&signature)));
    header
}

/// Returns a fresh nonce of 20 letters and digits.
pub(crate) fn nonce() -> String {
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(20)
        .map(char::from)
        .collect()
}

/// Percent-encodes everything but RFC 3986 unreserved characters, as OAuth 1.0a requires.
fn percent(text: &str) -> String {
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

#[cfg(test)]
mod tests {
    use jsonwebtoken::{DecodingKey, Validation};
    use rcgen::{KeyPair, PKCS_ECDSA_P256_SHA256};

    use super::*;

    fn ec_credentials() -> (OAuth2Credentials, String) {
        let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
        let credentials = OAuth2Credentials {
            client_id: "client-1".to_string(),
            certificate_id: "cert-1".to_string(),
            private_key: Secret::new(key.serialize_pem()),
            algorithm: SigningAlgorithm::Es256,
        };
        (credentials, key.public_key_pem())
    }

    #[test]
    fn assertion_carries_kid_and_claims() {
        let (credentials, public) = ec_credentials();
        let token = credentials
            .assertion(
                "https://x/services/rest/auth/oauth2/v1/token",
                SystemTime::now(),
            )
            .unwrap();
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.kid.as_deref(), Some("cert-1"));
        assert_eq!(header.alg, Algorithm::ES256);
        let key = DecodingKey::from_ec_pem(public.as_bytes()).unwrap();
        let mut validation = Validation::new(Algorithm::ES256);
        validation.set_audience(&["https://x/services/rest/auth/oauth2/v1/token"]);
        let claims = jsonwebtoken::decode::<serde_json::Value>(&token, &key, &validation)
            .unwrap()
            .claims;
        assert_eq!(claims["iss"], "client-1");
        assert_eq!(claims["scope"][0], "rest_webservices");
        let lifetime = claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap();
        assert!(lifetime <= 3600);
    }

    #[test]
    fn check_rejects_key_of_other_algorithm() {
        let (mut credentials, _) = ec_credentials();
        credentials.algorithm = SigningAlgorithm::Ps256;
        let error = credentials.check().unwrap_err();
        assert!(matches!(error, Error::Config(_)));
        assert!(!error.to_string().contains("PRIVATE KEY"));
    }

    #[test]
    fn for_key_picks_es256_for_ec_key() {
        let (credentials, _) = ec_credentials();
        let algorithm = SigningAlgorithm::for_key(&credentials.private_key).unwrap();
        assert_eq!(algorithm, SigningAlgorithm::Es256);
        assert!(SigningAlgorithm::for_key(&Secret::new("not a key")).is_err());
    }

    #[test]
    fn signing_algorithm_parses_both_names() {
        assert_eq!(
            SigningAlgorithm::parse("ps256").unwrap(),
            SigningAlgorithm::Ps256
        );
        assert_eq!(
            SigningAlgorithm::parse("ES256").unwrap(),
            SigningAlgorithm::Es256
        );
        assert!(SigningAlgorithm::parse("RS256").is_err());
    }

    #[test]
    fn oauth1_header_matches_hand_computed_signature() {
        // Base string and key built by hand for these inputs, with RFC 5849 ordering.
        let credentials = TokenCredentials {
            consumer_key: "ck".to_string(),
            consumer_secret: Secret::new("cs"),
            token_id: "tk".to_string(),
            token_secret: Secret::new("ts"),
        };
        let query = vec![("limit".to_string(), "5".to_string())];
        let request = SignedRequest {
            method: "POST",
            base_url: "https://123.suitetalk.api.netsuite.com/services/rest/query/v1/suiteql",
            query: &query,
        };
        let header = oauth1_header("123", &credentials, request, "abc", 1_700_000_000);
        let base = "POST&https%3A%2F%2F123.suitetalk.api.netsuite.com%2Fservices%2Frest%2Fquery\
                    %2Fv1%2Fsuiteql&limit%3D5%26oauth_consumer_key%3Dck%26oauth_nonce%3Dabc\
                    %26oauth_signature_method%3DHMAC-SHA256%26oauth_timestamp%3D1700000000\
                    %26oauth_token%3Dtk%26oauth_version%3D1.0";
        let mut mac = Hmac::<Sha256>::new_from_slice(b"cs&ts").unwrap();
        mac.update(base.as_bytes());
        let expected = percent(&STANDARD.encode(mac.finalize().into_bytes()));
        assert!(header.starts_with("OAuth realm=\"123\""));
        assert!(
            header.ends_with(&format!("oauth_signature=\"{expected}\"")),
            "{header}"
        );
    }
}
