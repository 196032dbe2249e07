//! Composite requests: `POST /composite`, up to 25 subrequests in one round trip and one API
//! call. The response is HTTP 200 even when subrequests fail, so each subrequest's status is
//! read on its own.

use std::collections::BTreeMap;

use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::api::ApiRequest;
use crate::client::SalesforceClient;
use crate::error::{Error, ErrorDetail, error_from_status};
use crate::fields::FieldChanges;
use crate::soql::check_name;

/// Maximum subrequests in one composite request.
pub const MAX_SUBREQUESTS: usize = 25;
/// Maximum query or sObject Collections subrequests in one composite request.
pub const MAX_QUERY_SUBREQUESTS: usize = 5;

/// One subrequest: a method, a path under `/services/data/vNN.N/`, a reference Id that later
/// subrequests can use as `@{referenceId.id}`, and an optional JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct Subrequest {
    pub method: Method,
    /// Path segments after the version, each percent-encoded on its own, or a query.
    pub path: SubrequestPath,
    pub reference_id: String,
    pub body: Option<Value>,
}

/// The target of a subrequest.
#[derive(Debug, Clone, PartialEq)]
pub enum SubrequestPath {
    /// Path segments after `/services/data/vNN.N/`, such as `["sobjects", "Account"]`. A
    /// segment may be a reference such as `@{NewAccount.id}`, which is sent unencoded.
    Segments(Vec<String>),
    /// A SOQL query, sent as `query/?q=...`.
    Query(String),
}

/// A composite request under construction.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CompositeRequest {
    /// When true, a failed subrequest rolls back all others, which then report
    /// `PROCESSING_HALTED`.
    pub all_or_none: bool,
    pub subrequests: Vec<Subrequest>,
}

impl CompositeRequest {
    /// Creates an empty request.
    pub fn new(all_or_none: bool) -> CompositeRequest {
        CompositeRequest {
            all_or_none,
            subrequests: Vec::new(),
        }
    }

    /// Adds a `GET` of `segments`, such as `["sobjects", "Account", "describe"]`.
    pub fn get<S: Into<String>>(
        mut self,
        reference_id: &str,
        segments: impl IntoIterator<Item = S>,
    ) -> CompositeRequest {
        self.subrequests.push(Subrequest {
            method: Method::GET,
            path: SubrequestPath::Segments(segments.into_iter().map(Into::into).collect()),
            reference_id: reference_id.into(),
            body: None,
        });
        self
    }

    /// Adds a SOQL query.
    pub fn query(mut self, reference_id: &str, soql: impl Into<String>) -> CompositeRequest {
        self.subrequests.push(Subrequest {
            method: Method::GET,
            path: SubrequestPath::Query(soql.into()),
            reference_id: reference_id.into(),
            body: None,
        });
        self
    }

    /// Adds a create of one `sobject` record.
    pub fn create(
        mut self,
        reference_id: &str,
        sobject: &str,
        changes: &FieldChanges,
    ) -> CompositeRequest {
        self.subrequests.push(Subrequest {
            method: Method::POST,
            path: SubrequestPath::Segments(vec!["sobjects".into(), sobject.into()]),
            reference_id: reference_id.into(),
            body: Some(Value::Object(changes.to_json())),
        });
        self
    }

    /// Adds an update of the record `id` (an Id or a reference such as `@{NewAccount.id}`).
    pub fn update(
        mut self,
        reference_id: &str,
        sobject: &str,
        id: &str,
        changes: &FieldChanges,
    ) -> CompositeRequest {
        self.subrequests.push(Subrequest {
            method: Method::PATCH,
            path: SubrequestPath::Segments(vec!["sobjects".into(), sobject.into(), id.into()]),
            reference_id: reference_id.into(),
            body: Some(Value::Object(changes.to_json())),
        });
        self
    }

    /// Checks the limits and names, and returns the JSON body for `api_version`.
    pub(crate) fn to_body(&self, api_version: &str) -> Result<Value, Error> {
        self.check_limits()?;
        let items = self
            .subrequests
            .iter()
            .map(|sub| subrequest_json(sub, api_version))
            .collect::<Result<Vec<Value>, Error>>()?;
        Ok(json!({"allOrNone": self.all_or_none, "compositeRequest": items}))
    }

    fn check_limits(&self) -> Result<(), Error> {
        let count = self.subrequests.len();
        if count == 0 || count > MAX_SUBREQUESTS {
            return Err(invalid(format!(
                "a composite request takes 1 to {MAX_SUBREQUESTS} subrequests, not {count}"
            )));
        }
        let queries = self
            .subrequests
            .iter()
            .filter(|sub| is_query_or_collection(sub))
            .count();
        if queries > MAX_QUERY_SUBREQUESTS {
            return Err(invalid(format!(
                "a composite request takes at most {MAX_QUERY_SUBREQUESTS} query or collection \
                 subrequests, not {queries}"
            )));
        }
        Ok(())
    }
}

fn is_query_or_collection(sub: &Subrequest) -> bool {
    match &sub.path {
        SubrequestPath::Query(_) => true,
        SubrequestPath::Segments(segments) => {
            segments.first().is_some_and(|s| s == "composite")
                || segments.first().is_some_and(|s| s == "query")
        }
    }
}

fn subrequest_json(sub: &Subrequest, api_version: &str) -> Result<Value, Error> {
    if !sub
        .reference_id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_')
        || sub.reference_id.is_empty()
    {
        return Err(invalid(format!(
            "reference Id {:?} must be letters, digits and underscores",
            sub.reference_id
        )));
    }
    let url = subrequest_url(&sub.path, api_version)?;
    let mut item =
        json!({"method": sub.method.as_str(), "url": url, "referenceId": sub.reference_id});
    if let Some(body) = &sub.body {
        item["body"] = body.clone();
    }
    Ok(item)
}

fn subrequest_url(path: &SubrequestPath, api_version: &str) -> Result<String, Error> {
    let base = format!("/services/data/{api_version}");
    match path {
        SubrequestPath::Query(soql) => {
            let query: String = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("q", soql)
                .finish();
            Ok(format!("{base}/query/?{query}"))
        }
        SubrequestPath::Segments(segments) => {
            let mut url = base;
            for segment in segments {
                url.push('/');
                url.push_str(&encode_segment(segment)?);
            }
            Ok(url)
        }
    }
}

/// Percent-encodes a path segment, except a whole `@{reference.path}` reference, which
/// Salesforce resolves before routing.
fn encode_segment(segment: &str) -> Result<String, Error> {
    if let Some(reference) = segment.strip_prefix("@{").and_then(|s| s.strip_suffix('}')) {
        check_name(reference)?;
        return Ok(segment.to_string());
    }
    Ok(url::form_urlencoded::byte_serialize(segment.as_bytes())
        .collect::<String>()
        .replace('+', "%20"))
}

fn invalid(message: String) -> Error {
    Error::InvalidRequest { message }
}

/// The result of one subrequest.
#[derive(Debug, Clone, PartialEq)]
pub struct SubResponse {
    pub reference_id: String,
    pub status: u16,
    pub headers: BTreeMap<String, String>,
    /// The subrequest's body: a record, a save result, a query page, or an error array.
    pub body: Value,
}

impl SubResponse {
    /// Returns the body of a successful subrequest, or its error: [`Error::Api`] with the
    /// error array (`PROCESSING_HALTED` for a rolled-back sibling), or [`Error::Http`].
    pub fn result(&self) -> Result<&Value, Error> {
        match self.status {
            200..=299 => Ok(&self.body),
            status => {
                let text = serde_json::to_vec(&self.body).unwrap_or_default();
                Err(error_from_status(status, &text))
            }
        }
    }

    /// Returns the errors of a failed subrequest, empty on success.
    pub fn errors(&self) -> Vec<ErrorDetail> {
        match self.result() {
            Ok(_) => Vec::new(),
            Err(error) => error.details().to_vec(),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CompositeWire {
    composite_response: Vec<SubResponseWire>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SubResponseWire {
    #[serde(default)]
    body: Value,
    #[serde(default)]
    http_headers: Map<String, Value>,
    http_status_code: u16,
    reference_id: String,
}

/// Parses a composite response into one result per subrequest, in response order.
pub fn parse_composite(body: &[u8]) -> Result<Vec<SubResponse>, Error> {
    let wire: CompositeWire =
        serde_json::from_slice(body).map_err(|error| Error::InvalidResponse {
            message: format!("the composite response is not valid: {error}"),
        })?;
    Ok(wire
        .composite_response
        .into_iter()
        .map(|item| SubResponse {
            reference_id: item.reference_id,
            status: item.http_status_code,
            headers: item
                .http_headers
                .into_iter()
                .map(|(name, value)| (name, value.as_str().unwrap_or_default().to_string()))
                .collect(),
            body: item.body,
        })
        .collect())
}

impl SalesforceClient {
    /// Sends `request` as one composite call and returns one result per subrequest. HTTP 200
    /// does not mean the subrequests succeeded: read each [`SubResponse::result`].
    pub async fn composite(&self, request: &CompositeRequest) -> Result<Vec<SubResponse>, Error> {
        let body = request.to_body(self.api_version())?;
        let writes = request
            .subrequests
            .iter()
            .any(|sub| sub.method != Method::GET);
        let api_request = ApiRequest::versioned(Method::POST, ["composite"]);
        let api_request = match writes {
            true => api_request.write_json(body),
            false => api_request.json(body),
        };
        let response = self.execute(&api_request).await?;
        if response.status != StatusCode::OK {
            return Err(response.into_error());
        }
        let results = parse_composite(&response.body)?;
        let failed = results.iter().filter(|r| r.result().is_err()).count();
        tracing::debug!(
            subrequests = results.len(),
            failed,
            "composite request finished"
        );
        Ok(results)
    }
}

#[cfg(test)]
mod tests;
