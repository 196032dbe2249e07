//! SOAP 1.1 envelopes: reading a request into its headers and operation element, and writing
//! responses with the `documentInfo` header that every non-fault NetSuite response carries.

use chrono::{DateTime, Utc};

use super::faults::Fault;
use super::xml::{Element, ParseError, Version, XSI, XmlWriter, parse_document};

/// The SOAP 1.1 envelope namespace.
pub(crate) const SOAP_ENV: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// Operations, headers and response wrappers.
pub(crate) const MESSAGES: &str = "urn:messages_{V}.platform.webservices.netsuite.com";
/// Status, RecordRef, custom fields, search values and search results.
pub(crate) const CORE: &str = "urn:core_{V}.platform.webservices.netsuite.com";
/// The `*SearchBasic` criteria fields.
pub(crate) const COMMON: &str = "urn:common_{V}.platform.webservices.netsuite.com";
/// The `platformFaults:*Fault` detail elements.
pub(crate) const FAULTS: &str = "urn:faults_{V}.platform.webservices.netsuite.com";
/// Customer and CustomerSearch.
pub(crate) const RELATIONSHIPS: &str = "urn:relationships_{V}.lists.webservices.netsuite.com";

/// The prefixes NetSuite uses in its responses, by version-free namespace.
const KNOWN_PREFIXES: [(&str, &str); 20] = [
    (MESSAGES, "platformMsgs"),
    (CORE, "platformCore"),
    (COMMON, "platformCommon"),
    (FAULTS, "platformFaults"),
    (RELATIONSHIPS, "listRel"),
    (
        "urn:types.core_{V}.platform.webservices.netsuite.com",
        "platformCoreTyp",
    ),
    (
        "urn:types.common_{V}.platform.webservices.netsuite.com",
        "platformCommonTyp",
    ),
    (
        "urn:types.relationships_{V}.lists.webservices.netsuite.com",
        "listRelTyp",
    ),
    (
        "urn:sales_{V}.transactions.webservices.netsuite.com",
        "tranSales",
    ),
    (
        "urn:types.sales_{V}.transactions.webservices.netsuite.com",
        "tranSalesTyp",
    ),
    (
        "urn:customers_{V}.transactions.webservices.netsuite.com",
        "tranCust",
    ),
    (
        "urn:types.customers_{V}.transactions.webservices.netsuite.com",
        "tranCustTyp",
    ),
    (
        "urn:accounting_{V}.lists.webservices.netsuite.com",
        "listAcct",
    ),
    (
        "urn:types.accounting_{V}.lists.webservices.netsuite.com",
        "listAcctTyp",
    ),
    (
        "urn:general_{V}.transactions.webservices.netsuite.com",
        "tranGeneral",
    ),
    (
        "urn:inventory_{V}.transactions.webservices.netsuite.com",
        "tranInvt",
    ),
    (
        "urn:purchases_{V}.transactions.webservices.netsuite.com",
        "tranPurch",
    ),
    (
        "urn:employees_{V}.lists.webservices.netsuite.com",
        "listEmp",
    ),
    (
        "urn:customization_{V}.setup.webservices.netsuite.com",
        "setupCustom",
    ),
    (
        "urn:supplychain_{V}.lists.webservices.netsuite.com",
        "listScm",
    ),
];

/// A parsed request: the SOAP headers and the single element of the body.
#[derive(Debug)]
pub(crate) struct Request {
    pub headers: Vec<Element>,
    pub operation: Element,
}

impl Request {
    /// Returns the header elements with this local name in the messages namespace.
    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.headers.iter().filter(move |h| h.is(MESSAGES, name))
    }
}

/// Parses a request body. Malformed XML, foreign versions and envelopes without exactly one
/// body element become faults.
pub(crate) fn read_request(body: &str, version: Version) -> Result<Request, Fault> {
    let root = parse_document(body, version).map_err(|error| match error {
        ParseError::VersionMismatch { .. } => Fault::version_mismatch(error.to_string()),
        other => Fault::malformed(&other.to_string()),
    })?;
    if !root.is(SOAP_ENV, "Envelope") {
        return Err(Fault::request(format!(
            "The root element {{{}}}{} is not a SOAP 1.1 Envelope.",
            root.ns, root.name
        )));
    }
    let headers = root
        .child(SOAP_ENV, "Header")
        .map(|header| header.children.clone())
        .unwrap_or_default();
    let operation = single_body_element(&root)?;
    Ok(Request { headers, operation })
}

fn single_body_element(envelope: &Element) -> Result<Element, Fault> {
    let body = envelope
        .child(SOAP_ENV, "Body")
        .ok_or_else(|| Fault::request("The SOAP envelope has no Body.".to_string()))?;
    match body.children.as_slice() {
        [operation] => Ok(operation.clone()),
        [] => Err(Fault::request("The SOAP Body is empty.".to_string())),
        _ => Err(Fault::request(
            "The SOAP Body contains more than one operation.".to_string(),
        )),
    }
}

/// Writes the XML declaration and opens `soapenv:Envelope` with the recorded declarations.
pub(crate) fn open_envelope(out: &mut XmlWriter) {
    out.raw(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    out.open(
        "soapenv:Envelope",
        &[
            ("xmlns:soapenv", SOAP_ENV),
            ("xmlns:xsd", "http://www.w3.org/2001/XMLSchema"),
            ("xmlns:xsi", XSI),
        ],
    );
}

/// Writes a complete non-fault response: the `documentInfo/nsId` header, then the body content
/// written by `body`.
pub(crate) fn response(ns_id: &str, version: Version, body: impl FnOnce(&mut XmlWriter)) -> String {
    let mut out = XmlWriter::default();
    open_envelope(&mut out);
    out.open("soapenv:Header", &[]);
    let messages = version.namespace(MESSAGES);
    out.open(
        "platformMsgs:documentInfo",
        &[("xmlns:platformMsgs", &messages)],
    );
    out.text_element("platformMsgs:nsId", &[], ns_id);
    out.close("platformMsgs:documentInfo");
    out.close("soapenv:Header");
    out.open("soapenv:Body", &[]);
    body(&mut out);
    out.close("soapenv:Body");
    out.close("soapenv:Envelope");
    out.finish()
}

/// Creates a `documentInfo/nsId` value in the recorded form
/// `WEBSERVICES_<account>_<MMDDYYYY><digits>_<hex>`.
pub(crate) fn new_ns_id(account: &str, now: DateTime<Utc>) -> String {
    let date = now.format("%m%d%Y");
    let digits: u64 = rand::random_range(10_000_000_000..100_000_000_000);
    let hex: u64 = rand::random_range(0x1_0000_0000..0x10_0000_0000);
    format!("WEBSERVICES_{account}_{date}{digits}_{hex:x}")
}

/// Returns the prefix to write for a version-free namespace: NetSuite's own prefix when it has
/// one, otherwise one made from the namespace's name (`urn:sales_{V}...` gives `nsSales`).
pub(crate) fn prefix_for(ns: &str) -> String {
    if let Some((_, prefix)) = KNOWN_PREFIXES.iter().find(|(uri, _)| *uri == ns) {
        return (*prefix).to_string();
    }
    let name: String = ns
        .trim_start_matches("urn:")
        .split(['_', ':', '/'])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => format!("ns{}{}", first.to_ascii_uppercase(), chars.as_str()),
        None => "ns".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const V: Version = Version {
        year: 2025,
        release: 2,
    };

    fn envelope(body: &str) -> String {
        format!(
            r#"<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"
                xmlns:m="urn:messages_2025_2.platform.webservices.netsuite.com">
                <e:Header><m:preferences/></e:Header><e:Body>{body}</e:Body></e:Envelope>"#
        )
    }

    #[test]
    fn read_request_finds_headers_and_operation() {
        let request = read_request(&envelope("<m:getServerTime/>"), V).unwrap();
        assert!(request.operation.is(MESSAGES, "getServerTime"));
        assert_eq!(request.headers_named("preferences").count(), 1);
    }

    #[test]
    fn read_request_rejects_empty_body() {
        let fault = read_request(&envelope(""), V).unwrap_err();
        assert_eq!(fault.faultstring, "The SOAP Body is empty.");
    }

    #[test]
    fn read_request_reports_version_mismatch() {
        let body = envelope("<m:get/>").replace("2025_2", "2024_2");
        let fault = read_request(&body, V).unwrap_err();
        assert_eq!(fault.detail.unwrap().code, "INVALID_WS_VERSION");
    }

    #[test]
    fn new_ns_id_has_recorded_form() {
        let id = new_ns_id("TSTDRV1234567", Utc::now());
        let parts: Vec<&str> = id.split('_').collect();
        assert_eq!(parts.len(), 4);
        assert_eq!(parts[0], "WEBSERVICES");
        assert!(parts[2].bytes().all(|b| b.is_ascii_digit()));
        assert!(parts[3].bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn prefix_for_uses_netsuite_prefixes() {
        assert_eq!(prefix_for(CORE), "platformCore");
        assert_eq!(
            prefix_for("urn:sales_{V}.transactions.webservices.netsuite.com"),
            "tranSales"
        );
        assert_eq!(
            prefix_for("urn:marketing_{V}.lists.webservices.netsuite.com"),
            "nsMarketing"
        );
    }
}
