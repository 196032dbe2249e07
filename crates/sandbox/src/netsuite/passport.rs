//! Token-based authentication: checking the `tokenPassport` header of a request.
//!
//! The signature is `Base64(HMAC-SHA256(consumerSecret&tokenSecret,
//! account&consumerKey&tokenId&nonce&timestamp))`, the rule of NetSuite's SOAP TBA
//! documentation. Every failure returns the same fault, as NetSuite does; the reason is only
//! logged.

use std::collections::{HashSet, VecDeque};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::NetSuiteCredentials;
use super::faults::Fault;
use super::soap::{CORE, Request};
use super::xml::Element;

/// How far a passport timestamp may be from the server clock, in seconds.
pub(crate) const TIMESTAMP_WINDOW_SECS: i64 = 5 * 60;

/// How long a nonce is remembered, in seconds. A replay needs a timestamp inside the window,
/// so after twice the window a remembered nonce can no longer be accepted anyway.
const NONCE_RETENTION_SECS: i64 = 2 * TIMESTAMP_WINDOW_SECS;

/// The reason a request failed authentication. Clients only see [`Fault::invalid_login`] or
/// [`Fault::ambiguous_authentication`], and the reason goes to the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum PassportError {
    #[error("the request has no tokenPassport header")]
    Missing,
    #[error("the request has more than one tokenPassport header")]
    Multiple,
    #[error("the request uses a user passport, which this endpoint does not accept")]
    UserPassport,
    #[error("a tokenPassport was sent together with applicationInfo or a user passport")]
    Ambiguous,
    #[error("the tokenPassport lacks the element {0}")]
    MissingElement(&'static str),
    #[error("the account does not match this account (the comparison is case-sensitive)")]
    Account,
    #[error("the consumer key is not known")]
    ConsumerKey,
    #[error("the token ID is not known")]
    Token,
    #[error("the signature algorithm is not HMAC-SHA256")]
    Algorithm,
    #[error("the timestamp is not within five minutes of the server clock")]
    Timestamp,
    #[error("the nonce is not 6 to 64 letters and digits")]
    NonceFormat,
    #[error("the nonce was already used")]
    NonceReused,
    #[error("the signature does not match")]
    Signature,
}

impl PassportError {
    /// Returns the fault NetSuite sends for this failure.
    pub fn fault(self) -> Fault {
        match self {
            PassportError::Ambiguous => Fault::ambiguous_authentication(),
            _ => Fault::invalid_login(),
        }
    }
}

/// Nonces seen recently, oldest first.
#[derive(Debug, Default)]
pub(crate) struct NonceCache {
    seen: HashSet<String>,
    order: VecDeque<(i64, String)>,
}

impl NonceCache {
    /// Records a nonce at `now` (Unix seconds). Returns false when it was already seen.
    pub fn insert(&mut self, nonce: &str, now: i64) -> bool {
        while let Some((seen_at, _)) = self.order.front() {
            if now - *seen_at <= NONCE_RETENTION_SECS {
                break;
            }
            if let Some((_, old)) = self.order.pop_front() {
                self.seen.remove(&old);
            }
        }
        if !self.seen.insert(nonce.to_string()) {
            return false;
        }
        self.order.push_back((now, nonce.to_string()));
        true
    }
}

/// The six values of a `tokenPassport`.
struct TokenPassport<'a> {
    account: &'a str,
    consumer_key: &'a str,
    token: &'a str,
    nonce: &'a str,
    timestamp: &'a str,
    signature: &'a Element,
}

/// Checks the authentication headers of a request against the account's credentials at
/// `now` (Unix seconds), recording the nonce when everything else is valid.
pub(crate) fn check_passport(
    request: &Request,
    credentials: &NetSuiteCredentials,
    now: i64,
    nonces: &mut NonceCache,
) -> Result<(), PassportError> {
    let passports: Vec<&Element> = request.headers_named("tokenPassport").collect();
    let has_user_passport = request.headers_named("passport").next().is_some();
    let has_application_info = request.headers_named("applicationInfo").next().is_some()
        || request.headers_named("ApplicationInfo").next().is_some();
    let passport = match passports.as_slice() {
        [] if has_user_passport => return Err(PassportError::UserPassport),
        [] => return Err(PassportError::Missing),
        [_] if has_user_passport || has_application_info => {
            return Err(PassportError::Ambiguous);
        }
        [passport] => read_passport(passport)?,
        _ => return Err(PassportError::Multiple),
    };
    check_identity(&passport, credentials)?;
    check_freshness(&passport, now)?;
    check_signature(&passport, credentials)?;
    if !nonces.insert(passport.nonce, now) {
        return Err(PassportError::NonceReused);
    }
    Ok(())
}

fn read_passport(element: &Element) -> Result<TokenPassport<'_>, PassportError> {
    let text = |name: &'static str| {
        element
            .child(CORE, name)
            .map(|child| child.trimmed_text())
            .ok_or(PassportError::MissingElement(name))
    };
    Ok(TokenPassport {
        account: text("account")?,
        consumer_key: text("consumerKey")?,
        token: text("token")?,
        nonce: text("nonce")?,
        timestamp: text("timestamp")?,
        signature: element
            .child(CORE, "signature")
            .ok_or(PassportError::MissingElement("signature"))?,
    })
}

fn check_identity(
    passport: &TokenPassport,
    credentials: &NetSuiteCredentials,
) -> Result<(), PassportError> {
    if passport.account != credentials.account {
        return Err(PassportError::Account);
    }
    if passport.consumer_key != credentials.consumer_key {
        return Err(PassportError::ConsumerKey);
    }
    if passport.token != credentials.token_id {
        return Err(PassportError::Token);
    }
    Ok(())
}

fn check_freshness(passport: &TokenPassport, now: i64) -> Result<(), PassportError> {
    let timestamp: i64 = passport
        .timestamp
        .parse()
        .map_err(|_| PassportError::Timestamp)?;
    if (now - timestamp).abs() > TIMESTAMP_WINDOW_SECS {
        return Err(PassportError::Timestamp);
    }
    let nonce = passport.nonce;
    let alphanumeric = nonce.bytes().all(|b| b.is_ascii_alphanumeric());
    if !(6..=64).contains(&nonce.len()) || !alphanumeric {
        return Err(PassportError::NonceFormat);
    }
    Ok(())
}

fn check_signature(
    passport: &TokenPassport,
    credentials: &NetSuiteCredentials,
) -> Result<(), PassportError> {
    let algorithm = passport.signature.attr("algorithm").unwrap_or_default();
    if algorithm != "HMAC-SHA256" {
        return Err(PassportError::Algorithm);
    }
    let sent = STANDARD
        .decode(passport.signature.trimmed_text())
        .map_err(|_| PassportError::Signature)?;
    let mut mac = signing_mac(credentials);
    mac.update(signature_base(credentials, passport.nonce, passport.timestamp).as_bytes());
    mac.verify_slice(&sent)
        .map_err(|_| PassportError::Signature)
}

fn signing_mac(credentials: &NetSuiteCredentials) -> Hmac<Sha256> {
    let key = format!(
        "{}&{}",
        credentials.consumer_secret, credentials.token_secret
    );
    // HMAC is defined for keys of any length (longer keys are hashed first), so
    // `new_from_slice` has no error case for it.
    Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes keys of any length")
}

fn signature_base(credentials: &NetSuiteCredentials, nonce: &str, timestamp: &str) -> String {
    format!(
        "{}&{}&{}&{nonce}&{timestamp}",
        credentials.account, credentials.consumer_key, credentials.token_id
    )
}

/// Computes the Base64 signature of a token passport with these credentials.
#[cfg(test)]
pub(crate) fn sign(credentials: &NetSuiteCredentials, nonce: &str, timestamp: i64) -> String {
    let mut mac = signing_mac(credentials);
    mac.update(signature_base(credentials, nonce, &timestamp.to_string()).as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values from the worked signature example in NetSuite's TBA documentation.
    fn oracle_example() -> NetSuiteCredentials {
        NetSuiteCredentials {
            account: "1234567".into(),
            consumer_key: "71cc02b731f05895561ef0862d71553a3ac99498a947c3b7beaf4a1e4a29f7c4".into(),
            consumer_secret: "7278da58caf07f5c336301a601203d10a58e948efa280f0618e25fcee1ef2abd"
                .into(),
            token_id: "89e08d9767c5ac85b374415725567d05b54ecf0960ad2470894a52f741020d82".into(),
            token_secret: "060cd9ab3ffbbe1e3d3918e90165ffd37ab12acc76b4691046e2d29c7d7674c2".into(),
        }
    }

    #[test]
    fn sign_matches_documented_example() {
        let signature = sign(&oracle_example(), "6obMKq0tmY8ylVOdEkA1", 1439829974);
        assert_eq!(signature, "FCghIZqXNetuZY8ILWOFH0ucdfzQOmAuL+q+kF21zPs=");
    }

    #[test]
    fn nonce_cache_rejects_replay_and_forgets_old_nonces() {
        let mut cache = NonceCache::default();
        assert!(cache.insert("abcdef", 1000));
        assert!(!cache.insert("abcdef", 1001));
        assert!(cache.insert("other1", 1000 + NONCE_RETENTION_SECS + 1));
        assert!(cache.insert("abcdef", 1000 + NONCE_RETENTION_SECS + 1));
    }
}
