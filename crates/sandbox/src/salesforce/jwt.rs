//! The JWT bearer flow's assertion: an RS256-signed token whose `iss` is the consumer key,
//! `sub` the username to act as, `aud` the login server and `exp` a near expiry.

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

/// Audiences Salesforce accepts for production and sandbox logins.
const LOGIN_AUDIENCES: [&str; 2] = [
    "https://login.salesforce.com",
    "https://test.salesforce.com",
];

/// How far ahead `exp` may be. Salesforce asks for an expiry within three minutes; one more
/// minute allows for clock skew.
const MAX_EXPIRY_AHEAD_SECONDS: i64 = 4 * 60;

/// The claims Salesforce reads from an assertion.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(crate) struct Claims {
    /// Consumer key of the connected app.
    pub iss: String,
    /// Username of the user to act as.
    pub sub: String,
    /// Login server the assertion is meant for.
    pub aud: String,
    /// Expiry in Unix seconds; some clients send it as a string.
    #[serde(deserialize_with = "seconds")]
    pub exp: i64,
}

/// Reason an assertion was rejected, sent as the `error_description` of `invalid_grant`.
// NOTE: the descriptions follow Salesforce's wording where it is documented; the texts for a
// bad audience and an expired assertion are not taken from a recorded response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AssertionError {
    /// Malformed token, wrong algorithm or a signature that the certificate does not verify.
    Invalid,
    /// `aud` is not one of the accepted login servers.
    Audience,
    /// `exp` is in the past or too far ahead.
    Expired,
    /// No certificate is configured, so no assertion can be checked.
    NoCertificate,
}

impl AssertionError {
    /// Returns the `error_description` Salesforce sends for this rejection.
    pub fn description(self) -> &'static str {
        match self {
            AssertionError::Invalid => "invalid assertion",
            AssertionError::Audience => "audience is invalid",
            AssertionError::Expired => "expired authorization code",
            AssertionError::NoCertificate => "invalid assertion",
        }
    }
}

/// Checks the signature of `assertion` against the PEM `certificate` and its `aud` and `exp`
/// claims; `own_audience` (the emulator's base URL) is accepted besides the login servers.
pub(crate) fn verify(
    assertion: &str,
    certificate: Option<&str>,
    own_audience: &str,
    now: DateTime<Utc>,
) -> Result<Claims, AssertionError> {
    let certificate = certificate.ok_or(AssertionError::NoCertificate)?;
    let key = DecodingKey::from_rsa_pem(certificate.as_bytes())
        .map_err(|_| AssertionError::NoCertificate)?;
    let mut validation = Validation::new(Algorithm::RS256);
    // `exp` and `aud` are checked below, with Salesforce's rules and messages.
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let claims = jsonwebtoken::decode::<Claims>(assertion, &key, &validation)
        .map_err(|_| AssertionError::Invalid)?
        .claims;
    let audience = claims.aud.trim_end_matches('/');
    let known = LOGIN_AUDIENCES.contains(&audience) || audience == own_audience;
    if !known {
        return Err(AssertionError::Audience);
    }
    let remaining = claims.exp - now.timestamp();
    if remaining <= 0 || remaining > MAX_EXPIRY_AHEAD_SECONDS {
        return Err(AssertionError::Expired);
    }
    Ok(claims)
}

fn seconds<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Seconds {
        Number(i64),
        Text(String),
    }
    match Seconds::deserialize(deserializer)? {
        Seconds::Number(number) => Ok(number),
        Seconds::Text(text) => text.trim().parse().map_err(serde::de::Error::custom),
    }
}

#[cfg(test)]
mod tests {
    use jsonwebtoken::{EncodingKey, Header};
    use rcgen::{CertificateParams, KeyPair, PKCS_RSA_SHA256};
    use serde_json::json;

    use super::*;

    fn signer() -> (String, EncodingKey) {
        let key = KeyPair::generate_for(&PKCS_RSA_SHA256).unwrap();
        let certificate = CertificateParams::new(Vec::<String>::new())
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let encoding = EncodingKey::from_rsa_pem(key.serialize_pem().as_bytes()).unwrap();
        (certificate.pem(), encoding)
    }

    fn assertion(key: &EncodingKey, aud: &str, exp: serde_json::Value) -> String {
        let claims = json!({"iss": "3MVG9key", "sub": "a@b.c", "aud": aud, "exp": exp});
        jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims, key).unwrap()
    }

    #[test]
    fn verify_accepts_signed_assertion_with_text_expiry() {
        let (certificate, key) = signer();
        let now = Utc::now();
        let exp = json!((now.timestamp() + 180).to_string());
        let token = assertion(&key, "https://login.salesforce.com", exp);
        let claims = verify(&token, Some(&certificate), "http://x", now).unwrap();
        assert_eq!(claims.sub, "a@b.c");
        assert_eq!(claims.iss, "3MVG9key");
    }

    #[test]
    fn verify_rejects_other_signer() {
        let (certificate, _) = signer();
        let (_, other_key) = signer();
        let now = Utc::now();
        let token = assertion(
            &other_key,
            "https://login.salesforce.com",
            json!(now.timestamp() + 60),
        );
        let error = verify(&token, Some(&certificate), "http://x", now).unwrap_err();
        assert_eq!(error, AssertionError::Invalid);
    }

    #[test]
    fn verify_rejects_unknown_audience_and_expiry() {
        let (certificate, key) = signer();
        let now = Utc::now();
        let token = assertion(&key, "https://example.com", json!(now.timestamp() + 60));
        let error = verify(&token, Some(&certificate), "http://x", now).unwrap_err();
        assert_eq!(error, AssertionError::Audience);
        let token = assertion(&key, "http://x", json!(now.timestamp() - 1));
        let error = verify(&token, Some(&certificate), "http://x", now).unwrap_err();
        assert_eq!(error, AssertionError::Expired);
    }

    #[test]
    fn verify_needs_a_certificate() {
        let (_, key) = signer();
        let now = Utc::now();
        let token = assertion(&key, "http://x", json!(now.timestamp() + 60));
        let error = verify(&token, None, "http://x", now).unwrap_err();
        assert_eq!(error, AssertionError::NoCertificate);
    }
}
