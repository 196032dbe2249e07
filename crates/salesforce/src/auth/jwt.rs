//! The signed assertion of the OAuth 2.0 JWT bearer flow (RFC 7523) as Salesforce expects it:
//! RS256, with `iss`, `sub`, `aud` and an `exp` less than three minutes ahead.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::crypto::CryptoProvider;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;
use tandem_engine::Secret;

use crate::error::Error;

/// Lifetime of an assertion. Salesforce rejects an `exp` more than three minutes ahead, so
/// 30 seconds are left for a clock that runs ahead of Salesforce's.
pub(crate) const ASSERTION_LIFETIME: Duration = Duration::from_secs(150);

/// The claims Salesforce reads from the assertion.
#[derive(Debug, Serialize)]
pub(crate) struct Claims<'a> {
    /// Consumer key of the connected app.
    pub(crate) iss: &'a str,
    /// Username to act as.
    pub(crate) sub: &'a str,
    /// Login host (`https://login.salesforce.com`, `https://test.salesforce.com`) or site URL.
    pub(crate) aud: &'a str,
    /// Expiry in Unix seconds.
    pub(crate) exp: u64,
}

/// Checks that `private_key` is an RSA private key in PEM form by signing a test assertion,
/// because reading the PEM alone accepts a public key too. The error never quotes the key.
pub(crate) fn check_private_key(private_key: &Secret) -> Result<(), Error> {
    assertion(private_key, "check", "check", "check", UNIX_EPOCH).map(|_| ())
}

/// Signs an assertion for `claims`, valid from `now` for [`ASSERTION_LIFETIME`].
pub(crate) fn assertion(
    private_key: &Secret,
    client_id: &str,
    username: &str,
    audience: &str,
    now: SystemTime,
) -> Result<String, Error> {
    let expiry = now + ASSERTION_LIFETIME;
    let claims = Claims {
        iss: client_id,
        sub: username,
        aud: audience,
        exp: expiry
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_secs()),
    };
    ensure_crypto_provider();
    let key = encoding_key(private_key)?;
    jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims, &key).map_err(|error| {
        Error::Config {
            message: format!(
                "cannot sign the JWT bearer assertion with the private key ({:?}): give the \
                 RSA private key whose certificate the connected app holds",
                error.kind()
            ),
        }
    })
}

fn encoding_key(private_key: &Secret) -> Result<EncodingKey, Error> {
    EncodingKey::from_rsa_pem(private_key.expose().as_bytes()).map_err(|error| Error::Config {
        message: format!(
            "the JWT private key is not an RSA private key in PEM form ({:?}): give the key \
             whose certificate the connected app holds",
            error.kind()
        ),
    })
}

/// Installs jsonwebtoken's aws-lc-rs backend when no backend is chosen yet. Another crate in
/// the same build may enable jsonwebtoken's RustCrypto backend too, and with both enabled
/// jsonwebtoken picks none by itself.
fn ensure_crypto_provider() {
    if CryptoProvider::try_get_default().is_none() {
        // Losing the race to another thread that installs a provider is fine.
        let _ = jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER.install_default();
    }
}

#[cfg(test)]
mod tests {
    use jsonwebtoken::{DecodingKey, Validation};
    use serde_json::Value;

    use super::*;

    const PRIVATE_KEY: &str = include_str!("../../tests/keys/test_jwt_key.pem");
    const PUBLIC_KEY: &str = include_str!("../../tests/keys/test_jwt_key.pub.pem");

    fn decode(token: &str) -> Value {
        let key = DecodingKey::from_rsa_pem(PUBLIC_KEY.as_bytes()).unwrap();
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_audience(&["https://login.salesforce.com"]);
        validation.validate_exp = false;
        jsonwebtoken::decode::<Value>(token, &key, &validation)
            .unwrap()
            .claims
    }

    #[test]
    fn assertion_carries_claims_and_verifies() {
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let token = assertion(
            &Secret::new(PRIVATE_KEY),
            "3MVG9-key",
            "sync@example.com",
            "https://login.salesforce.com",
            now,
        )
        .unwrap();
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.alg, Algorithm::RS256);
        let claims = decode(&token);
        assert_eq!(claims["iss"], "3MVG9-key");
        assert_eq!(claims["sub"], "sync@example.com");
        assert_eq!(claims["aud"], "https://login.salesforce.com");
        assert_eq!(claims["exp"], 1_700_000_150);
    }

    #[test]
    fn assertion_expires_within_three_minutes() {
        assert!(ASSERTION_LIFETIME <= Duration::from_secs(180));
        assert!(ASSERTION_LIFETIME >= Duration::from_secs(60));
    }

    #[test]
    fn check_private_key_rejects_public_key() {
        let error = check_private_key(&Secret::new(PUBLIC_KEY)).unwrap_err();
        assert!(matches!(error, Error::Config { .. }));
        assert!(!error.to_string().contains("BEGIN"), "{error}");
    }
}
