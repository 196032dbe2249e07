//! The REST resources the client uses, one module per resource family, and the request
//! description they share.
//!
//! Each resource module builds [`ApiRequest`] values and reads their responses. The client adds
//! the instance URL, the API version and the headers that every call carries.

pub mod batch;
pub mod bulk;
pub mod changes;
pub mod collections;
pub mod composite;
pub mod describe;
pub mod limits;
pub mod query;
pub mod records;
pub mod sobjects;
pub mod versions;

use reqwest::Method;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use serde_json::Value;
use url::Url;

use crate::auth::Session;
use crate::error::Error;

/// Header that tags writes with the calling client, so that change events caused by Tandem's
/// own writes can be recognised.
pub(crate) const CALL_OPTIONS_HEADER: &str = "Sforce-Call-Options";
/// Value of [`CALL_OPTIONS_HEADER`] on every write.
pub(crate) const CALL_OPTIONS_VALUE: &str = "client=tandem";

/// The destination of a request on the org's instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// Path segments after `/services/data/vNN.N/`, each percent-encoded on its own, so a `/`
    /// inside an external ID value stays inside its segment.
    Versioned(Vec<String>),
    /// A path that Salesforce returned (`nextRecordsUrl`), used exactly as given.
    ServerPath(String),
}

/// One REST call, independent of the session that will send it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiRequest {
    pub(crate) method: Method,
    pub(crate) target: Target,
    pub(crate) query: Vec<(&'static str, String)>,
    /// Headers beyond the ones every call carries (`Sforce-Query-Options`, ...).
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: Option<Body>,
    /// Media type of the expected response: JSON, or CSV for Bulk API results.
    pub(crate) accept: &'static str,
    /// True when the call changes data and so carries [`CALL_OPTIONS_HEADER`].
    pub(crate) is_write: bool,
}

/// The body of a request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Body {
    Json(Value),
    /// CSV text for a Bulk API 2.0 upload, sent as `text/csv`.
    Csv(String),
}

/// `Accept` value of calls that return JSON.
pub(crate) const JSON: &str = "application/json";
/// `Accept` and `Content-Type` value of Bulk API 2.0 CSV data.
pub(crate) const CSV: &str = "text/csv";

impl ApiRequest {
    /// Creates a request to the versioned path made of `segments`.
    pub(crate) fn versioned<S: Into<String>>(
        method: Method,
        segments: impl IntoIterator<Item = S>,
    ) -> ApiRequest {
        ApiRequest {
            method,
            target: Target::Versioned(segments.into_iter().map(Into::into).collect()),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            accept: JSON,
            is_write: false,
        }
    }

    /// Creates a GET request to a path that Salesforce returned.
    pub(crate) fn server_path(path: impl Into<String>) -> ApiRequest {
        ApiRequest {
            method: Method::GET,
            target: Target::ServerPath(path.into()),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            accept: JSON,
            is_write: false,
        }
    }

    /// Adds a query parameter.
    pub(crate) fn param(mut self, name: &'static str, value: impl Into<String>) -> ApiRequest {
        self.query.push((name, value.into()));
        self
    }

    /// Adds a header.
    pub(crate) fn header(mut self, name: &'static str, value: impl Into<String>) -> ApiRequest {
        self.headers.push((name, value.into()));
        self
    }

    /// Sets a JSON body and marks the request as a write.
    pub(crate) fn write_json(mut self, body: Value) -> ApiRequest {
        self.body = Some(Body::Json(body));
        self.is_write = true;
        self
    }

    /// Sets a JSON body that changes no record, such as a query job or a job state change.
    pub(crate) fn json(mut self, body: Value) -> ApiRequest {
        self.body = Some(Body::Json(body));
        self
    }

    /// Sets a CSV body and marks the request as a write.
    pub(crate) fn write_csv(mut self, csv: String) -> ApiRequest {
        self.body = Some(Body::Csv(csv));
        self.is_write = true;
        self
    }

    /// Marks the request as a write without a body, such as a delete.
    pub(crate) fn write(mut self) -> ApiRequest {
        self.is_write = true;
        self
    }

    /// Asks for a CSV response instead of JSON.
    pub(crate) fn accept_csv(mut self) -> ApiRequest {
        self.accept = CSV;
        self
    }

    /// Returns the full URL on `instance_url`.
    ///
    /// Fails when a server path would leave the instance, because the request carries the
    /// access token.
    pub(crate) fn url(&self, instance_url: &Url, api_version: &str) -> Result<Url, Error> {
        let mut url = match &self.target {
            Target::Versioned(segments) => versioned_url(instance_url, api_version, segments)?,
            Target::ServerPath(path) => server_url(instance_url, path)?,
        };
        if !self.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in &self.query {
                pairs.append_pair(name, value);
            }
        }
        Ok(url)
    }

    /// Builds the HTTP request for `session`: URL, bearer token, `Accept`, the extra headers,
    /// the body and, on writes, [`CALL_OPTIONS_HEADER`].
    pub(crate) fn build(
        &self,
        http: &reqwest::Client,
        session: &Session,
        api_version: &str,
    ) -> Result<reqwest::Request, Error> {
        let url = self.url(&session.instance_url, api_version)?;
        let mut builder = http
            .request(self.method.clone(), url)
            .header(
                AUTHORIZATION,
                format!("Bearer {}", session.access_token.expose()),
            )
            .header(ACCEPT, self.accept);
        if self.is_write {
            builder = builder.header(CALL_OPTIONS_HEADER, CALL_OPTIONS_VALUE);
        }
        for (name, value) in &self.headers {
            builder = builder.header(*name, value);
        }
        builder = match &self.body {
            Some(Body::Json(body)) => builder.json(body),
            Some(Body::Csv(text)) => builder.header(CONTENT_TYPE, CSV).body(text.clone()),
            None => builder,
        };
        builder.build().map_err(|error| Error::InvalidRequest {
            message: format!("cannot build the HTTP request: {error}"),
        })
    }
}

fn versioned_url(instance_url: &Url, api_version: &str, segments: &[String]) -> Result<Url, Error> {
    let mut url = instance_url.clone();
    url.set_query(None);
    url.set_fragment(None);
    url.path_segments_mut()
        .map_err(|()| Error::InvalidResponse {
            message: format!("instance_url {instance_url} cannot have a path"),
        })?
        .clear()
        .extend(["services", "data", api_version])
        .extend(segments);
    Ok(url)
}

fn server_url(instance_url: &Url, path: &str) -> Result<Url, Error> {
    let url = instance_url
        .join(path)
        .map_err(|error| Error::InvalidResponse {
            message: format!("Salesforce returned an invalid path {path:?}: {error}"),
        })?;
    if url.origin() != instance_url.origin() {
        return Err(Error::InvalidResponse {
            message: format!("Salesforce returned a path outside the instance: {path:?}"),
        });
    }
    Ok(url)
}

#[cfg(test)]
pub(crate) mod test_support {
    //! A fixed session and helpers to inspect built requests.

    use super::*;
    use tandem_engine::Secret;

    pub(crate) const VERSION: &str = "v62.0";

    pub(crate) fn session() -> Session {
        Session {
            access_token: Secret::new("test-token"),
            instance_url: Url::parse("https://example.my.salesforce.com").unwrap(),
            generation: 1,
            org_id: None,
        }
    }

    /// Builds `request` for the fixed session.
    pub(crate) fn build(request: &ApiRequest) -> reqwest::Request {
        request
            .build(&reqwest::Client::new(), &session(), VERSION)
            .unwrap()
    }

    /// Returns a header's value, or `None` when the request does not carry it.
    pub(crate) fn header<'a>(request: &'a reqwest::Request, name: &str) -> Option<&'a str> {
        request
            .headers()
            .get(name)
            .map(|value| value.to_str().unwrap())
    }

    /// Returns the request body parsed as JSON.
    pub(crate) fn json_body(request: &reqwest::Request) -> Value {
        serde_json::from_str(&text_body(request)).unwrap()
    }

    /// Returns the request body as text.
    pub(crate) fn text_body(request: &reqwest::Request) -> String {
        let bytes = request.body().and_then(|body| body.as_bytes()).unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    /// Returns the decoded query parameters in order.
    pub(crate) fn params(request: &reqwest::Request) -> Vec<(String, String)> {
        request.url().query_pairs().into_owned().collect()
    }

    /// Returns a response with `status`, `body` and no headers.
    pub(crate) fn response(status: u16, body: &[u8]) -> crate::client::RawResponse {
        crate::client::RawResponse {
            status: reqwest::StatusCode::from_u16(status).unwrap(),
            headers: reqwest::header::HeaderMap::new(),
            body: body.to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;

    #[test]
    fn build_adds_bearer_token_and_accept() {
        let request = build(&ApiRequest::versioned(Method::GET, ["limits"]));
        assert_eq!(request.method(), Method::GET);
        assert_eq!(
            request.url().as_str(),
            "https://example.my.salesforce.com/services/data/v62.0/limits"
        );
        assert_eq!(header(&request, "authorization"), Some("Bearer test-token"));
        assert_eq!(header(&request, "accept"), Some("application/json"));
        assert_eq!(header(&request, "sforce-call-options"), None);
        assert!(request.body().is_none());
    }

    #[test]
    fn build_tags_writes_with_call_options() {
        let request = build(
            &ApiRequest::versioned(Method::POST, ["sobjects", "Account"])
                .write_json(serde_json::json!({"Name": "Acme"})),
        );
        assert_eq!(
            header(&request, "sforce-call-options"),
            Some("client=tandem")
        );
        assert_eq!(header(&request, "content-type"), Some("application/json"));
        assert_eq!(json_body(&request), serde_json::json!({"Name": "Acme"}));
    }

    #[test]
    fn url_encodes_each_segment() {
        let request = ApiRequest::versioned(Method::GET, ["sobjects", "Account", "a/b c?d#e%"]);
        let url = request.url(&session().instance_url, VERSION).unwrap();
        assert_eq!(
            url.path(),
            "/services/data/v62.0/sobjects/Account/a%2Fb%20c%3Fd%23e%25"
        );
    }

    #[test]
    fn url_keeps_server_path_verbatim() {
        let request = ApiRequest::server_path("/services/data/v26.0/query/01gD-2000");
        let url = request.url(&session().instance_url, VERSION).unwrap();
        assert_eq!(
            url.as_str(),
            "https://example.my.salesforce.com/services/data/v26.0/query/01gD-2000"
        );
    }

    #[test]
    fn url_rejects_server_path_to_other_host() {
        let request = ApiRequest::server_path("https://attacker.example/services/data/");
        assert!(matches!(
            request.url(&session().instance_url, VERSION),
            Err(Error::InvalidResponse { .. })
        ));
        let request = ApiRequest::server_path("//attacker.example/services/data/");
        assert!(request.url(&session().instance_url, VERSION).is_err());
    }
}
