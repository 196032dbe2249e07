//! Single-record resources: upsert by external ID field and retrieve by Id.

use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::api::ApiRequest;
use crate::client::{RawResponse, SalesforceClient};
use crate::error::{Error, body_snippet};
use crate::fields::FieldChanges;
use crate::id::SalesforceId;
use crate::soql::check_name;

/// The outcome of an upsert that wrote a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpsertResult {
    /// Id of the record that was created or updated.
    pub id: SalesforceId,
    /// True when no record had the external ID value, so one was created (HTTP 201). False
    /// when the one matching record was updated (HTTP 200).
    pub created: bool,
}

/// The save result of a single-record write, `{"id","success","errors","created"}`.
#[derive(Debug, Deserialize)]
pub(crate) struct SaveResultWire {
    pub(crate) id: Option<String>,
    #[serde(default)]
    pub(crate) success: bool,
    /// Present from API v46.0 on.
    pub(crate) created: Option<bool>,
}

/// Builds `PATCH /sobjects/{sobject_type}/{external_id_field}/{external_id}`.
///
/// The body is `changes` as given, which must name neither `Id` nor the external ID field,
/// because Salesforce rejects a body that repeats the key of the URL.
pub(crate) fn upsert_request(
    sobject_type: &str,
    external_id_field: &str,
    external_id: &str,
    changes: &FieldChanges,
) -> Result<ApiRequest, Error> {
    check_name(sobject_type)?;
    check_name(external_id_field)?;
    // A URL path drops `.` and `..` segments, which would send the upsert to another resource.
    if matches!(external_id, "" | "." | "..") {
        return Err(invalid_request(format!(
            "the {external_id_field} value {external_id:?} cannot be used in an upsert URL"
        )));
    }
    for key in ["Id", external_id_field, "attributes"] {
        if let Some(name) = changes.find_ignoring_case(key) {
            return Err(invalid_request(format!(
                "an upsert by {external_id_field} cannot also set {name} in its body"
            )));
        }
    }
    // NOTE: Salesforce documents that values ending like a file extension (an email ending
    // in `.inc`) can get 404 in this URL form. Such values are sent unchanged.
    let segments = ["sobjects", sobject_type, external_id_field, external_id];
    Ok(ApiRequest::versioned(Method::PATCH, segments).write_json(Value::Object(changes.to_json())))
}

/// Builds `GET /sobjects/{sobject_type}/{id}`, with `?fields=A,B` when `fields` is not empty.
pub(crate) fn get_request(
    sobject_type: &str,
    id: &SalesforceId,
    fields: &[&str],
) -> Result<ApiRequest, Error> {
    check_name(sobject_type)?;
    for field in fields {
        check_name(field)?;
    }
    let request = ApiRequest::versioned(Method::GET, ["sobjects", sobject_type, id.as_str()]);
    Ok(match fields.is_empty() {
        true => request,
        false => request.param("fields", fields.join(",")),
    })
}

impl SalesforceClient {
    /// Creates or updates the `sobject_type` record whose `external_id_field` equals
    /// `external_id`, writing `changes`.
    ///
    /// Sending the same upsert twice leaves one record, which makes it safe to retry. Several
    /// matching records give [`Error::MultipleChoices`] with their Ids and write nothing.
    pub async fn upsert(
        &self,
        sobject_type: &str,
        external_id_field: &str,
        external_id: &str,
        changes: &FieldChanges,
    ) -> Result<UpsertResult, Error> {
        let request = upsert_request(sobject_type, external_id_field, external_id, changes)?;
        let response = self.execute(&request).await?;
        let result = read_upsert_response(response)?;
        tracing::debug!(
            record_type = sobject_type,
            sf_id = %result.id,
            created = result.created,
            "upserted Salesforce record"
        );
        Ok(result)
    }

    /// Returns the `sobject_type` record with Id `id`: the listed `fields`, or every field the
    /// integration user can read when `fields` is empty. A missing record is an
    /// [`Error::Api`] with `NOT_FOUND`.
    pub async fn get(
        &self,
        sobject_type: &str,
        id: &SalesforceId,
        fields: &[&str],
    ) -> Result<Map<String, Value>, Error> {
        let response = self
            .execute(&get_request(sobject_type, id, fields)?)
            .await?;
        if response.status != StatusCode::OK {
            return Err(response.into_error());
        }
        serde_json::from_slice(&response.body).map_err(|error| Error::InvalidResponse {
            message: format!("the record is not a JSON object: {error}"),
        })
    }
}

/// Reads an upsert response: 201 created, 200 updated, 300 several matches, else an error.
pub(crate) fn read_upsert_response(response: RawResponse) -> Result<UpsertResult, Error> {
    match response.status {
        StatusCode::CREATED | StatusCode::OK => parse_save_result(&response),
        StatusCode::MULTIPLE_CHOICES => Err(parse_multiple_choices(&response.body)),
        StatusCode::NO_CONTENT => Err(Error::InvalidResponse {
            message: "the upsert returned 204 with no record Id, as API versions before v46.0 \
                      do; configure v46.0 or later"
                .into(),
        }),
        _ => Err(response.into_error()),
    }
}

fn parse_save_result(response: &RawResponse) -> Result<UpsertResult, Error> {
    let wire: SaveResultWire =
        serde_json::from_slice(&response.body).map_err(|error| Error::InvalidResponse {
            message: format!("the upsert result is not valid: {error}"),
        })?;
    let id = wire
        .id
        .filter(|_| wire.success)
        .ok_or_else(|| Error::InvalidResponse {
            message: format!(
                "the upsert returned {} without a successful record Id",
                response.status
            ),
        })?;
    Ok(UpsertResult {
        id: parse_response_id(&id)?,
        created: wire
            .created
            .unwrap_or(response.status == StatusCode::CREATED),
    })
}

/// Reads the body of a 300 response, a JSON array of record URLs, into the matching Ids.
pub(crate) fn parse_multiple_choices(body: &[u8]) -> Error {
    match serde_json::from_slice::<Vec<String>>(body) {
        Ok(urls) => Error::MultipleChoices {
            ids: urls
                .iter()
                .map(|url| url.rsplit('/').next().unwrap_or(url).to_string())
                .collect(),
        },
        Err(_) => Error::Http {
            status: 300,
            body: body_snippet(body),
        },
    }
}

/// Parses an Id that Salesforce returned, which is always in the 18-character form.
pub(crate) fn parse_response_id(id: &str) -> Result<SalesforceId, Error> {
    SalesforceId::parse(id).map_err(|error| Error::InvalidResponse {
        message: format!("Salesforce returned an invalid record Id: {error}"),
    })
}

fn invalid_request(message: String) -> Error {
    Error::InvalidRequest { message }
}

#[cfg(test)]
mod tests;
