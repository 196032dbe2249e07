//! The WSDL and XSD files a WSDL-driven client loads: Oracle's published 2023_2 files, with
//! every namespace version and the service address rewritten for the requested endpoint.
//!
//! `GET /wsdl/v{YYYY_N}_0/netsuite.wsdl` returns the WSDL, whose `soap:address` is this
//! emulator's `/services/NetSuitePort_{YYYY_N}` on the host the client used. The WSDL imports
//! `./xsd/{file}.xsd`, served from `GET /wsdl/v{YYYY_N}_0/xsd/{file}.xsd`.

mod files;

use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::xml::Version;
use files::{PUBLISHED_VERSION, WSDL, XSD_FILES};

/// The service address in the published WSDL.
const PUBLISHED_ADDRESS: &str = "https://webservices.netsuite.com/services/NetSuitePort_2023_2";

/// Serves `GET /wsdl/{directory}/netsuite.wsdl`.
pub(crate) async fn wsdl(Path(directory): Path<String>, headers: HeaderMap) -> Response {
    let Some(version) = directory_version(&directory) else {
        return not_found(&directory);
    };
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("127.0.0.1");
    let address = format!("http://{host}/services/NetSuitePort_{version}");
    let text = rewrite(WSDL, version).replace(&rewrite(PUBLISHED_ADDRESS, version), &address);
    xml(text)
}

/// Serves `GET /wsdl/{directory}/xsd/{file}`.
pub(crate) async fn xsd(Path((directory, file)): Path<(String, String)>) -> Response {
    let Some(version) = directory_version(&directory) else {
        return not_found(&directory);
    };
    match published_xsd(&file) {
        Some(text) => xml(rewrite(text, version)),
        None => not_found(&file),
    }
}

/// Returns the published text of an XSD file by its name, such as `platform.core.xsd`.
pub(crate) fn published_xsd(file: &str) -> Option<&'static str> {
    XSD_FILES
        .iter()
        .find(|(name, _)| *name == file)
        .map(|(_, text)| *text)
}

/// Returns every published XSD file with its name.
pub(crate) fn published_xsds() -> impl Iterator<Item = (&'static str, &'static str)> {
    XSD_FILES.iter().copied()
}

/// Reads the `v{YYYY_N}_0` directory name NetSuite uses for a version's WSDL.
fn directory_version(directory: &str) -> Option<Version> {
    let inner = directory.strip_prefix('v')?.strip_suffix("_0")?;
    Version::parse(inner)
}

/// Puts `version` in place of the published version and makes the published `.//file.xsd`
/// imports plain relative paths, which every HTTP client resolves the same way.
fn rewrite(text: &str, version: Version) -> String {
    text.replace(PUBLISHED_VERSION, &version.to_string())
        .replace("schemaLocation=\".//", "schemaLocation=\"./")
}

fn xml(text: String) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/xml;charset=utf-8")],
        text,
    )
        .into_response()
}

fn not_found(what: &str) -> Response {
    tracing::info!(path_part = %what, "unknown WSDL or XSD requested");
    (StatusCode::NOT_FOUND, "Unknown WSDL or XSD file").into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    const V: Version = Version {
        year: 2025,
        release: 2,
    };

    #[test]
    fn directory_version_reads_netsuite_directory_names() {
        assert_eq!(directory_version("v2025_2_0"), Some(V));
        assert_eq!(directory_version("2025_2_0"), None);
        assert_eq!(directory_version("v2025_2"), None);
    }

    #[test]
    fn rewrite_leaves_no_published_version() {
        for (name, text) in published_xsds() {
            let rewritten = rewrite(text, V);
            assert!(!rewritten.contains("2023_2"), "{name} keeps 2023_2");
            assert!(!rewritten.contains(".//"), "{name} keeps .// imports");
        }
        assert!(rewrite(WSDL, V).contains("urn:messages_2025_2.platform.webservices.netsuite.com"));
    }

    #[test]
    fn published_address_is_in_the_wsdl() {
        assert!(WSDL.contains(PUBLISHED_ADDRESS));
    }
}
