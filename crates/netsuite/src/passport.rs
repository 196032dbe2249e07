//! The token passport: token-based authentication (TBA) signed with HMAC-SHA256.
//!
//! Every request carries a fresh passport. The signature is
//! `Base64(HMAC-SHA256(consumerSecret & tokenSecret, account & consumerKey & tokenId & nonce & timestamp))`,
//! with the five base values and the two key values joined raw by `&`, and standard Base64
//! with `=` padding. A hex digest, or HMAC-SHA1 (no longer accepted since NetSuite 2023.1),
//! makes NetSuite reject the request with "Invalid login attempt".

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use rand::RngExt as _;
use rand::distr::Alphanumeric;
use sha2::Sha256;

use crate::config::NetSuiteConfig;

/// The value of the signature's `algorithm` attribute.
pub const SIGNATURE_ALGORITHM: &str = "HMAC-SHA256";

/// Length of the random nonce. NetSuite accepts 6 to 64 alphanumeric characters.
pub const NONCE_LENGTH: usize = 20;

/// One signed token passport, valid for one request.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenPassport {
    /// Account ID with an upper-case suffix (`1234567_SB1`).
    pub account: String,
    /// Consumer key of the integration record.
    pub consumer_key: String,
    /// Token ID, sent in the `token` element.
    pub token_id: String,
    /// Random alphanumeric value, new for each request.
    pub nonce: String,
    /// Unix time in seconds.
    pub timestamp: u64,
    /// Base64 HMAC-SHA256 signature over the other fields.
    pub signature: String,
}

impl TokenPassport {
    /// Signs a passport for `config` with a fresh random nonce and the current Unix time.
    pub fn generate(config: &NetSuiteConfig) -> TokenPassport {
        TokenPassport::sign(config, &random_nonce(), unix_now())
    }

    /// Signs a passport for `config` with the given nonce and timestamp.
    pub fn sign(config: &NetSuiteConfig, nonce: &str, timestamp: u64) -> TokenPassport {
        let credentials = &config.credentials;
        let account = config.passport_account();
        let signature = signature(
            &account,
            &credentials.consumer_key,
            &credentials.token_id,
            nonce,
            timestamp,
            credentials.consumer_secret.expose(),
            credentials.token_secret.expose(),
        );
        TokenPassport {
            account,
            consumer_key: credentials.consumer_key.clone(),
            token_id: credentials.token_id.clone(),
            nonce: nonce.to_string(),
            timestamp,
            signature,
        }
    }
}

/// The signature proves the secrets and can be replayed with its nonce until the timestamp
/// expires, so `Debug` leaves it out.
impl fmt::Debug for TokenPassport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenPassport")
            .field("account", &self.account)
            .field("consumer_key", &self.consumer_key)
            .field("token_id", &self.token_id)
            .field("nonce", &self.nonce)
            .field("timestamp", &self.timestamp)
            .field("signature", &"[redacted]")
            .finish()
    }
}

/// Computes the Base64 HMAC-SHA256 passport signature.
pub fn signature(
    account: &str,
    consumer_key: &str,
    token_id: &str,
    nonce: &str,
    timestamp: u64,
    consumer_secret: &str,
    token_secret: &str,
) -> String {
    let base = format!("{account}&{consumer_key}&{token_id}&{nonce}&{timestamp}");
    let key = format!("{consumer_secret}&{token_secret}");
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail here.
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes())
        .expect("HMAC-SHA256 accepts keys of any length");
    mac.update(base.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

fn random_nonce() -> String {
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(NONCE_LENGTH)
        .map(char::from)
        .collect()
}

fn unix_now() -> u64 {
    // A clock before 1970 means a broken host. The zero timestamp then makes NetSuite reject
    // the passport with an authentication fault, which names the problem better than a panic.
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use tandem_engine::Secret;

    use super::*;
    use crate::config::TokenCredentials;

    /// The example values of Oracle's TBA signature documentation.
    #[test]
    fn signature_matches_oracle_example() {
        let signature = signature(
            "1234567",
            "71cc02b731f05895561ef0862d71553a3ac99498a947c3b7beaf4a1e4a29f7c4",
            "89e08d9767c5ac85b374415725567d05b54ecf0960ad2470894a52f741020d82",
            "6obMKq0tmY8ylVOdEkA1",
            1439829974,
            "7278da58caf07f5c336301a601203d10a58e948efa280f0618e25fcee1ef2abd",
            "060cd9ab3ffbbe1e3d3918e90165ffd37ab12acc76b4691046e2d29c7d7674c2",
        );
        assert_eq!(signature, "FCghIZqXNetuZY8ILWOFH0ucdfzQOmAuL+q+kF21zPs=");
    }

    /// Expected value computed with Python's hmac module:
    /// `base64.b64encode(hmac.new(key.encode(), base.encode(), hashlib.sha256).digest())`.
    const SANDBOX_SIGNATURE: &str = "Z96WVl7syY2bvC57HsnPevSyXtn0vPVdLSJGuR1Ailg=";

    #[test]
    fn sign_upper_cases_sandbox_suffix() {
        let credentials = TokenCredentials {
            consumer_key: "ck9f2a41d0e3b5c7a8".to_string(),
            consumer_secret: Secret::new("consumer-secret-4c1d"),
            token_id: "tok3b8e7d61c0f4a925".to_string(),
            token_secret: Secret::new("token-secret-93be"),
        };
        let config = NetSuiteConfig::new("TSTDRV7654321_sb2", credentials);
        let passport = TokenPassport::sign(&config, "Zx81QmPa07LwNc4RtY2e", 1767225600);
        assert_eq!(passport.account, "TSTDRV7654321_SB2");
        assert_eq!(passport.signature, SANDBOX_SIGNATURE);
    }

    #[test]
    fn generate_uses_fresh_alphanumeric_nonce() {
        let credentials = TokenCredentials {
            consumer_key: "ck".to_string(),
            consumer_secret: Secret::new("cs"),
            token_id: "ti".to_string(),
            token_secret: Secret::new("ts"),
        };
        let config = NetSuiteConfig::new("1234567", credentials);
        let first = TokenPassport::generate(&config);
        let second = TokenPassport::generate(&config);
        assert_eq!(first.nonce.len(), NONCE_LENGTH);
        assert!(first.nonce.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(first.nonce, second.nonce);
        assert!(first.timestamp > 1_700_000_000);
    }

    #[test]
    fn debug_hides_signature() {
        let credentials = TokenCredentials {
            consumer_key: "ck".to_string(),
            consumer_secret: Secret::new("cs"),
            token_id: "ti".to_string(),
            token_secret: Secret::new("ts"),
        };
        let passport = TokenPassport::sign(&NetSuiteConfig::new("1", credentials), "n", 1);
        let text = format!("{passport:?}");
        assert!(!text.contains(&passport.signature));
    }
}
