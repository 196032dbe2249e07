//! SOAP faults (HTTP 500, the whole request fails) and record-level status details (HTTP 200,
//! one record or one search fails), with the codes and messages NetSuite uses.
//!
//! Messages quoted from recorded NetSuite responses or Oracle's documentation say "recorded" or
//! "documented" in their doc comment.
// NOTE: the other messages follow NetSuite's wording for similar errors but are not confirmed
// by a recording, and neither are the codes of the version, record-count and field-length
// errors.

use super::soap::{CORE, FAULTS, MESSAGES};
use super::xml::{Version, XmlWriter};

/// The `ns1:hostname` value sent in every fault detail.
const HOSTNAME: &str = "tandem-sandbox.netsuite.local";

/// The `platformFaults:*Fault` element inside a fault's `detail`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FaultDetail {
    pub element: &'static str,
    pub code: &'static str,
    pub message: String,
}

/// A SOAP fault. Schema and parser errors carry no `platformFaults` detail, as in the recorded
/// `NLSchemaBeanException` faults.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Fault {
    pub faultstring: String,
    pub detail: Option<FaultDetail>,
}

impl Fault {
    fn platform(element: &'static str, code: &'static str, message: &str) -> Fault {
        Fault {
            faultstring: message.to_string(),
            detail: Some(FaultDetail {
                element,
                code,
                message: message.to_string(),
            }),
        }
    }

    /// Returns the fault for any token passport failure. Recorded TBA login faults carry
    /// `invalidCredentialsFault` with code `USER_ERROR`. `INVALID_LOGIN_ATTEMPT` is not used
    /// because it is a status detail code, not a value of the schema's `FaultCodeType`.
    pub fn invalid_login() -> Fault {
        Fault::platform(
            "invalidCredentialsFault",
            "USER_ERROR",
            "Invalid login attempt.",
        )
    }

    /// Returns the fault for a token passport sent with `applicationInfo` or a user `passport`
    /// (recorded).
    pub fn ambiguous_authentication() -> Fault {
        Fault::platform(
            "invalidCredentialsFault",
            "USER_ERROR",
            "Ambiguous authentication",
        )
    }

    /// Returns the fault NetSuite sends for a TBA request over the account's concurrency limit.
    pub fn concurrency_limit() -> Fault {
        Fault::platform(
            "exceededConcurrentRequestLimitFault",
            "WS_REQUEST_BLOCKED",
            "SuiteTalk concurrent request limit exceeded. Request blocked.",
        )
    }

    /// Returns the fault of an internal NetSuite error, with a random error ID as NetSuite
    /// gives one to quote to support.
    // NOTE: the wording follows NetSuite's "An unexpected error occurred" messages seen in
    // public reports; no recording in the corpus shows this fault.
    pub fn unexpected_error() -> Fault {
        let error_id: u64 = rand::random_range(0x1000_0000_0000..0x10_0000_0000_0000);
        let message = format!("An unexpected error occurred. Error ID: {error_id:x}");
        Fault::platform("unexpectedErrorFault", "UNEXPECTED_ERROR", &message)
    }

    /// Returns the fault for a request whose namespaces name another version than its URL.
    pub fn version_mismatch(message: String) -> Fault {
        Fault::platform("invalidVersionFault", "INVALID_WS_VERSION", &message)
    }

    /// Returns the fault for a `*List` request with more records than the operation allows.
    pub fn record_count(limit: usize) -> Fault {
        let message = format!(
            "The request exceeds the maximum of {limit} records allowed for this operation."
        );
        Fault::platform("exceededRecordCountFault", "MAX_RCRDS_EXCEEDED", &message)
    }

    /// Returns the fault for a body that is not well-formed, namespace-aware XML.
    pub fn malformed(message: &str) -> Fault {
        Fault {
            faultstring: format!("org.xml.sax.SAXParseException: {message}"),
            detail: None,
        }
    }

    /// Returns the fault for an element that the schema does not define at this place, worded
    /// as the recorded `NLSchemaBeanException` faults (`addr1 not found on {urn:...}Type`).
    pub fn element_not_found(element: &str, parent_ns: &str, parent_type: &str) -> Fault {
        Fault {
            faultstring: format!(
                "com.netledger.util.schemabean.NLSchemaBeanException: {element} not found on \
                 {{{parent_ns}}}{parent_type}"
            ),
            detail: None,
        }
    }

    /// Returns the fault for a value that does not parse as its schema type.
    pub fn invalid_value(value: &str, element: &str, type_name: &str) -> Fault {
        Fault {
            faultstring: format!(
                "org.xml.sax.SAXException: '{value}' is not a valid {type_name} value for \
                 {element}"
            ),
            detail: None,
        }
    }

    /// Returns a fault without platform detail for any other request-level problem, such as
    /// a missing body, an unknown operation or a mismatched SOAPAction.
    pub fn request(message: String) -> Fault {
        Fault {
            faultstring: message,
            detail: None,
        }
    }

    /// Renders the fault envelope. Faults carry no `documentInfo` header (recorded).
    pub fn render(&self, version: Version) -> String {
        let mut out = XmlWriter::default();
        super::soap::open_envelope(&mut out);
        out.open("soapenv:Body", &[]);
        out.open("soapenv:Fault", &[]);
        out.text_element("faultcode", &[], "soapenv:Server.userException");
        out.text_element("faultstring", &[], &self.faultstring);
        out.open("detail", &[]);
        if let Some(detail) = &self.detail {
            write_fault_detail(&mut out, detail, version);
        }
        let axis = [("xmlns:ns1", "http://xml.apache.org/axis/")];
        out.text_element("ns1:hostname", &axis, HOSTNAME);
        out.close("detail");
        out.close("soapenv:Fault");
        out.close("soapenv:Body");
        out.close("soapenv:Envelope");
        out.finish()
    }
}

fn write_fault_detail(out: &mut XmlWriter, detail: &FaultDetail, version: Version) {
    let name = format!("platformFaults:{}", detail.element);
    let ns = version.namespace(FAULTS);
    out.open(&name, &[("xmlns:platformFaults", &ns)]);
    out.text_element("platformFaults:code", &[], detail.code);
    out.text_element("platformFaults:message", &[], &detail.message);
    out.close(&name);
}

/// One `platformCore:statusDetail` of a failed (or warned) record or search.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StatusDetail {
    pub code: &'static str,
    pub message: String,
}

impl StatusDetail {
    pub(crate) fn new(code: &'static str, message: impl Into<String>) -> StatusDetail {
        StatusDetail {
            code,
            message: message.into(),
        }
    }

    /// Returns the error for a write whose external ID or entity ID is taken (recorded).
    pub fn duplicate_entity() -> StatusDetail {
        StatusDetail::new("DUP_ENTITY", "This entity already exists.")
    }

    /// Returns the error for a key that matches no record (recorded).
    pub fn invalid_key() -> StatusDetail {
        StatusDetail::new("INVALID_KEY_OR_REF", "The specified key is invalid.")
    }

    /// Returns the error for an update of a record that does not exist.
    pub fn record_does_not_exist() -> StatusDetail {
        StatusDetail::new("RCRD_DSNT_EXIST", "That record does not exist.")
    }

    /// Returns the error for required fields left empty, listed by their UI labels (recorded
    /// wording).
    pub fn required_fields(labels: &[&str]) -> StatusDetail {
        let message = format!("Please enter value(s) for: {}", labels.join(", "));
        StatusDetail::new("USER_ERROR", message)
    }

    /// Returns the error for a value the field does not accept, named by its lower-case field
    /// ID.
    pub fn invalid_field_value(value: &str, field_id: &str) -> StatusDetail {
        let message = format!(
            "You have entered an Invalid Field Value {value} for the following field: {field_id}"
        );
        StatusDetail::new("INVALID_FLD_VALUE", message)
    }

    /// Returns the error for a text value longer than the field allows.
    pub fn too_long(field_id: &str, max: usize) -> StatusDetail {
        let message = format!(
            "The field {field_id} contained more than the maximum number ( {max} ) of \
             characters allowed."
        );
        StatusDetail::new("USER_ERROR", message)
    }

    /// Returns the error for a read-only field sent without the `ignoreReadOnlyFields`
    /// preference (recorded).
    pub fn read_only(field_id: &str) -> StatusDetail {
        let message = format!(
            "You do not have permissions to set a value for element {field_id} due to one of \
             the following reasons: 1) The field is read-only; 2) An associated feature is \
             disabled; 3) The field is available either when a record is created or updated, \
             but not in both cases."
        );
        StatusDetail::new("INSUFFICIENT_PERMISSION", message)
    }

    /// Returns the error for a record type this emulator does not store (recorded for a get
    /// of an unknown record).
    pub fn unknown_record_type() -> StatusDetail {
        StatusDetail::new("UNKNOWN_RCRD_TYPE", "Unknown record type")
    }

    /// Returns the error for an upsert without an external ID (documented, spelling included).
    pub fn upsert_needs_external_id() -> StatusDetail {
        StatusDetail::new(
            "USER_ERROR",
            "This operation requies a value for externalId.",
        )
    }

    /// Returns the error for an upsert that sets an internal ID (documented).
    pub fn upsert_forbids_internal_id() -> StatusDetail {
        StatusDetail::new("USER_ERROR", "You cannot set internalId with upsert.")
    }

    /// Returns the error for an expired or unknown search ID. The code is documented.
    pub fn invalid_search_id(search_id: &str) -> StatusDetail {
        let message = format!("The search ID {search_id} is invalid or has expired.");
        StatusDetail::new("INVALID_JOB_ID", message)
    }

    /// Returns the error for a page index outside the pages of a search.
    pub fn invalid_page_index(index: i64, total_pages: usize) -> StatusDetail {
        let message = format!(
            "The page index {index} is invalid. The page index must be between 1 and \
             {total_pages}."
        );
        StatusDetail::new("INVALID_SEARCH_PAGE_INDEX", message)
    }

    /// Returns the error for a search page size outside 5..=1000.
    pub fn invalid_page_size(size: i64) -> StatusDetail {
        let message =
            format!("The page size {size} is invalid. The page size must be between 5 and 1000.");
        StatusDetail::new("INVALID_SEARCH_PAGE_SIZE", message)
    }

    /// Returns the error for a search criterion this emulator does not evaluate.
    pub fn unsupported_search_field(field: &str) -> StatusDetail {
        let message = format!("The search field {field} is not supported by this sandbox.");
        StatusDetail::new("INVALID_SEARCH_FIELD_NAME", message)
    }

    /// Returns the error for a search value that does not fit its field, such as a malformed
    /// date.
    pub fn invalid_search_value(field: &str, value: &str) -> StatusDetail {
        let message = format!("The search value {value} is not valid for the field {field}.");
        StatusDetail::new("INVALID_SEARCH_VALUE", message)
    }

    /// Returns the error for a search operator this field does not accept.
    pub fn invalid_search_operator(field: &str, operator: &str) -> StatusDetail {
        let message = format!("The operator {operator} is not valid for the field {field}.");
        StatusDetail::new("INVALID_SEARCH_OPERATOR", message)
    }
}

/// Writes `platformCore:status`, declaring the core prefix on it unless it is in scope.
pub(crate) fn write_status(
    out: &mut XmlWriter,
    details: &[StatusDetail],
    core_in_scope: bool,
    version: Version,
) {
    let ns = version.namespace(CORE);
    let success = if details.is_empty() { "true" } else { "false" };
    let mut attrs = vec![("isSuccess", success)];
    if !core_in_scope {
        attrs.push(("xmlns:platformCore", &ns));
    }
    if details.is_empty() {
        out.empty("platformCore:status", &attrs);
        return;
    }
    out.open("platformCore:status", &attrs);
    for detail in details {
        out.open("platformCore:statusDetail", &[("type", "ERROR")]);
        out.text_element("platformCore:code", &[], detail.code);
        out.text_element("platformCore:message", &[], &detail.message);
        out.close("platformCore:statusDetail");
    }
    out.close("platformCore:status");
}

/// The messages namespace of a version, for the default namespace of response wrappers.
pub(crate) fn messages_ns(version: Version) -> String {
    version.namespace(MESSAGES)
}

#[cfg(test)]
mod tests {
    use super::*;

    const V: Version = Version {
        year: 2025,
        release: 2,
    };

    #[test]
    fn invalid_login_renders_recorded_shape() {
        let xml = Fault::invalid_login().render(V);
        assert!(xml.contains("<faultcode>soapenv:Server.userException</faultcode>"));
        assert!(xml.contains("<faultstring>Invalid login attempt.</faultstring>"));
        assert!(xml.contains(
            "<platformFaults:invalidCredentialsFault \
             xmlns:platformFaults=\"urn:faults_2025_2.platform.webservices.netsuite.com\">"
        ));
        assert!(xml.contains("<ns1:hostname xmlns:ns1=\"http://xml.apache.org/axis/\">"));
        assert!(!xml.contains("soapenv:Header"));
    }

    #[test]
    fn schema_fault_has_no_platform_detail() {
        let xml = Fault::element_not_found("foo", "urn:x", "Customer").render(V);
        assert!(xml.contains("NLSchemaBeanException: foo not found on {urn:x}Customer"));
        assert!(!xml.contains("platformFaults"));
    }

    #[test]
    fn write_status_lists_details() {
        let mut out = XmlWriter::default();
        write_status(&mut out, &[StatusDetail::duplicate_entity()], true, V);
        assert_eq!(
            out.finish(),
            "<platformCore:status isSuccess=\"false\"><platformCore:statusDetail type=\"ERROR\">\
             <platformCore:code>DUP_ENTITY</platformCore:code><platformCore:message>This entity \
             already exists.</platformCore:message></platformCore:statusDetail>\
             </platformCore:status>"
        );
    }
}
