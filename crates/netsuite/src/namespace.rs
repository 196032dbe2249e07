//! The XML namespaces of SuiteTalk messages.
//!
//! NetSuite namespace URIs carry the endpoint version (`urn:core_2025_2.platform.webservices.netsuite.com`).
//! Requests use the configured version. Responses are matched by URI with any version, because
//! prefixes are free and recorded responses declare them differently from element to element.

/// The SOAP 1.1 envelope namespace.
pub const SOAP_ENVELOPE: &str = "http://schemas.xmlsoap.org/soap/envelope/";

/// The XML Schema instance namespace, for `xsi:type`.
pub const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// The NetSuite namespaces this client writes or needs to recognise in responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Namespace {
    /// `platformMsgs`: operations, headers and response wrappers.
    Messages,
    /// `platformCore`: status, record references, custom fields, search values.
    Core,
    /// `platformCommon`: basic search criteria.
    Common,
    /// `platformFaults`: fault details.
    Faults,
    /// `listRel`: customers, contacts and their searches.
    Relationships,
}

impl Namespace {
    /// Returns the prefix this client declares for the namespace in requests.
    pub fn prefix(self) -> &'static str {
        match self {
            Namespace::Messages => "platformMsgs",
            Namespace::Core => "platformCore",
            Namespace::Common => "platformCommon",
            Namespace::Faults => "platformFaults",
            Namespace::Relationships => "listRel",
        }
    }

    /// Returns the namespace URI for an endpoint version such as `2025_2`.
    pub fn uri(self, version: &str) -> String {
        let (name, family) = self.parts();
        format!("urn:{name}_{version}.{family}.webservices.netsuite.com")
    }

    /// Recognises a NetSuite namespace URI of any version (`2025_2`, and also the old
    /// `2_5` form); `None` for other URIs.
    pub fn from_uri(uri: &str) -> Option<Namespace> {
        let rest = uri.strip_prefix("urn:")?;
        ALL.into_iter().find(|namespace| {
            let (name, family) = namespace.parts();
            rest.strip_prefix(name)
                .and_then(|rest| rest.strip_prefix('_'))
                .and_then(|rest| rest.strip_suffix(".webservices.netsuite.com"))
                .and_then(|rest| rest.strip_suffix(family))
                .and_then(|rest| rest.strip_suffix('.'))
                .is_some_and(is_version)
        })
    }

    fn parts(self) -> (&'static str, &'static str) {
        match self {
            Namespace::Messages => ("messages", "platform"),
            Namespace::Core => ("core", "platform"),
            Namespace::Common => ("common", "platform"),
            Namespace::Faults => ("faults", "platform"),
            Namespace::Relationships => ("relationships", "lists"),
        }
    }
}

/// Every namespace in [`Namespace`].
const ALL: [Namespace; 5] = [
    Namespace::Messages,
    Namespace::Core,
    Namespace::Common,
    Namespace::Faults,
    Namespace::Relationships,
];

/// Accepts a version token: digits, `_`, digits (`2025_2`, `2_5`).
fn is_version(text: &str) -> bool {
    let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    text.split_once('_')
        .is_some_and(|(major, minor)| all_digits(major) && all_digits(minor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_contains_version() {
        assert_eq!(
            Namespace::Core.uri("2025_2"),
            "urn:core_2025_2.platform.webservices.netsuite.com"
        );
        assert_eq!(
            Namespace::Relationships.uri("2025_2"),
            "urn:relationships_2025_2.lists.webservices.netsuite.com"
        );
    }

    #[test]
    fn from_uri_accepts_any_version() {
        let cases = [
            (
                "urn:messages_2011_2.platform.webservices.netsuite.com",
                Namespace::Messages,
            ),
            (
                "urn:core_2013_2.platform.webservices.netsuite.com",
                Namespace::Core,
            ),
            (
                "urn:common_2021_1.platform.webservices.netsuite.com",
                Namespace::Common,
            ),
            (
                "urn:faults_2011_2.platform.webservices.netsuite.com",
                Namespace::Faults,
            ),
            (
                "urn:relationships_2025_2.lists.webservices.netsuite.com",
                Namespace::Relationships,
            ),
            (
                "urn:messages_2_5.platform.webservices.netsuite.com",
                Namespace::Messages,
            ),
        ];
        for (uri, expected) in cases {
            assert_eq!(Namespace::from_uri(uri), Some(expected), "{uri}");
        }
    }

    #[test]
    fn from_uri_rejects_other_namespaces() {
        let others = [
            "urn:types.core_2013_2.platform.webservices.netsuite.com",
            "urn:accounting_2013_2.lists.webservices.netsuite.com",
            "urn:core_2015_1_0.platform.webservices.netsuite.com",
            "urn:core.platform.webservices.netsuite.com",
            "urn:core_2025_2.lists.webservices.netsuite.com",
            "http://schemas.xmlsoap.org/soap/envelope/",
            "",
        ];
        for uri in others {
            assert_eq!(Namespace::from_uri(uri), None, "{uri}");
        }
    }
}
