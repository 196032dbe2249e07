//! `GET /services/data/`: the API versions the org offers, and the check that the configured
//! version is one of them.

use serde::Deserialize;
use url::Url;

use crate::auth::Session;
use crate::client::{SalesforceClient, transport_error};
use crate::error::{Error, error_from_status};

/// One API version the org offers.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ApiVersionInfo {
    /// Release name, such as `Winter '25`.
    pub label: String,
    /// Base path of the version, such as `/services/data/v62.0`.
    pub url: String,
    /// Version number without the `v`, such as `62.0`.
    pub version: String,
}

/// Returns the URL of the version list on `instance_url`.
pub(crate) fn versions_url(instance_url: &Url) -> Result<Url, Error> {
    instance_url
        .join("/services/data/")
        .map_err(|error| Error::InvalidResponse {
            message: format!("instance_url {instance_url} cannot be joined: {error}"),
        })
}

/// Parses the version list.
pub(crate) fn parse_versions(body: &[u8]) -> Result<Vec<ApiVersionInfo>, Error> {
    serde_json::from_slice(body).map_err(|error| Error::InvalidResponse {
        message: format!("the API version list is not valid: {error}"),
    })
}

/// Checks that `wanted` (`v62.0`) is among `offered`, and names the offered range when not.
pub(crate) fn check_offered(wanted: &str, offered: &[ApiVersionInfo]) -> Result<(), Error> {
    let number = wanted.trim_start_matches('v');
    if offered.iter().any(|info| info.version == number) {
        return Ok(());
    }
    let range = match (offered.first(), offered.last()) {
        (Some(first), Some(last)) => format!("v{} to v{}", first.version, last.version),
        _ => "no version".to_string(),
    };
    Err(Error::Config {
        message: format!(
            "api_version {wanted} is not offered by this org, which offers {range}; set \
             api_version to one of them"
        ),
    })
}

impl SalesforceClient {
    /// Returns the API versions the org offers, oldest first. The call needs no token and
    /// does not count against the API limits.
    pub async fn available_versions(&self) -> Result<Vec<ApiVersionInfo>, Error> {
        let session = self.org_session().await?;
        self.fetch_versions(&session).await
    }

    /// Checks that the org offers the configured API version. The client runs this once,
    /// before its first API call.
    pub(crate) async fn check_version_offered(&self, session: &Session) -> Result<(), Error> {
        let offered = self.fetch_versions(session).await?;
        check_offered(self.api_version(), &offered)?;
        tracing::debug!(
            api_version = self.api_version(),
            "the org offers the configured API version"
        );
        Ok(())
    }

    async fn fetch_versions(&self, session: &Session) -> Result<Vec<ApiVersionInfo>, Error> {
        let url = versions_url(&session.instance_url)?;
        let response = self
            .http()
            .get(url)
            .header(reqwest::header::ACCEPT, crate::api::JSON)
            .send()
            .await
            .map_err(transport_error)?;
        let status = response.status();
        let body = response.bytes().await.map_err(transport_error)?;
        if !status.is_success() {
            return Err(error_from_status(status.as_u16(), &body));
        }
        parse_versions(&body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../corpus/salesforce/restforce__restforce/spec/fixtures/services_data_success_response.json"
    );

    fn info(version: &str) -> ApiVersionInfo {
        ApiVersionInfo {
            label: String::new(),
            url: format!("/services/data/v{version}"),
            version: version.into(),
        }
    }

    #[test]
    fn parse_versions_reads_recorded_list() {
        let versions = parse_versions(&std::fs::read(FIXTURE).unwrap()).unwrap();
        assert_eq!(versions.len(), 2);
        assert_eq!(versions[0].label, "Winter '11");
        assert_eq!(versions[0].url, "/services/data/v20.0");
        assert_eq!(versions[0].version, "20.0");
        assert_eq!(versions[1].version, "100");
        assert!(check_offered("v20.0", &versions).is_ok());
        assert!(check_offered("v22.0", &versions).is_err());
    }

    #[test]
    fn check_offered_accepts_listed_version() {
        let offered = [info("61.0"), info("62.0"), info("63.0")];
        assert!(check_offered("v62.0", &offered).is_ok());
    }

    #[test]
    fn check_offered_names_offered_range() {
        let offered = [info("31.0"), info("32.0"), info("60.0")];
        let error = check_offered("v62.0", &offered).unwrap_err();
        let text = error.to_string();
        assert!(text.contains("v62.0 is not offered"), "{text}");
        assert!(text.contains("v31.0 to v60.0"), "{text}");
        assert_eq!(error.class(), tandem_engine::ErrorClass::Config);
    }

    #[test]
    fn versions_url_drops_instance_path() {
        let instance = Url::parse("https://example.my.salesforce.com/x").unwrap();
        assert_eq!(
            versions_url(&instance).unwrap().as_str(),
            "https://example.my.salesforce.com/services/data/"
        );
    }
}
