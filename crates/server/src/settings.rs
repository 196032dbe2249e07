//! The `[server]` section of the configuration: how people reach the server, which decides
//! whether the session cookie is marked `Secure`.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use serde::Deserialize;

/// The header a reverse proxy sets to the scheme the browser used.
pub const FORWARDED_PROTO_HEADER: &str = "x-forwarded-proto";

/// The server's settings from the `[server]` section of the configuration file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// The URL people open the web UI at, such as `https://tandem.example.com`. When it is an
    /// https URL, every session cookie is marked `Secure`.
    pub public_url: Option<String>,
    /// The IP addresses of reverse proxies whose `X-Forwarded-Proto` header is believed. A
    /// request from one of them with `X-Forwarded-Proto: https` gets a `Secure` session cookie.
    /// The header is ignored from every other address, since any client can send it.
    #[serde(default)]
    pub trusted_proxies: Vec<IpAddr>,
}

impl ServerSettings {
    /// Returns true when the configured public URL uses https.
    pub fn public_url_is_https(&self) -> bool {
        self.public_url.as_deref().is_some_and(|url| {
            url.get(..8)
                .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
        })
    }

    /// Returns true when a session cookie sent in reply to a request from `peer` with
    /// `headers` must be `Secure`: the public URL is https, or `peer` is a trusted proxy that
    /// reports that the browser used https.
    pub fn cookie_is_secure(&self, headers: &HeaderMap, peer: Option<IpAddr>) -> bool {
        if self.public_url_is_https() {
            return true;
        }
        let Some(peer) = peer else {
            return false;
        };
        if !self.trusted_proxies.contains(&peer) {
            return false;
        }
        forwarded_proto_is_https(headers)
    }

    /// Returns [`ServerSettings::cookie_is_secure`] for a request's parts. The peer address
    /// is known when the server runs with connection info, as [`crate::Server`] does.
    pub fn cookie_is_secure_for(&self, parts: &Parts) -> bool {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip());
        self.cookie_is_secure(&parts.headers, peer)
    }
}

/// Returns true when the first `X-Forwarded-Proto` value is `https`. A proxy that appends to
/// the header puts the scheme the browser used first.
fn forwarded_proto_is_https(headers: &HeaderMap) -> bool {
    headers
        .get(FORWARDED_PROTO_HEADER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(',').next())
        .is_some_and(|scheme| scheme.trim().eq_ignore_ascii_case("https"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROXY: &str = "10.0.0.5";

    fn settings(public_url: Option<&str>) -> ServerSettings {
        ServerSettings {
            public_url: public_url.map(str::to_string),
            trusted_proxies: vec![PROXY.parse().unwrap()],
        }
    }

    fn forwarded(proto: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(FORWARDED_PROTO_HEADER, proto.parse().unwrap());
        headers
    }

    fn ip(text: &str) -> Option<IpAddr> {
        Some(text.parse().unwrap())
    }

    #[test]
    fn https_public_url_makes_cookie_secure() {
        let settings = settings(Some("HTTPS://tandem.example.com"));
        assert!(settings.cookie_is_secure(&HeaderMap::new(), None));
    }

    #[test]
    fn http_public_url_leaves_cookie_plain() {
        let settings = settings(Some("http://tandem.example.com"));
        assert!(!settings.cookie_is_secure(&HeaderMap::new(), ip("127.0.0.1")));
    }

    #[test]
    fn trusted_proxy_forwarding_https_makes_cookie_secure() {
        let settings = settings(None);
        assert!(settings.cookie_is_secure(&forwarded("https"), ip(PROXY)));
        assert!(settings.cookie_is_secure(&forwarded("https, http"), ip(PROXY)));
    }

    #[test]
    fn trusted_proxy_forwarding_http_leaves_cookie_plain() {
        let settings = settings(None);
        assert!(!settings.cookie_is_secure(&forwarded("http"), ip(PROXY)));
        assert!(!settings.cookie_is_secure(&HeaderMap::new(), ip(PROXY)));
    }

    #[test]
    fn forwarded_proto_from_other_address_is_ignored() {
        let settings = settings(None);
        assert!(!settings.cookie_is_secure(&forwarded("https"), ip("10.0.0.6")));
        assert!(!settings.cookie_is_secure(&forwarded("https"), None));
    }
}
