//! Single-record create, update, delete and read by external ID:
//! `POST /sobjects/{Type}`, `PATCH` and `DELETE /sobjects/{Type}/{Id}`, and
//! `GET /sobjects/{Type}/{Field}/{value}`.

use reqwest::{Method, StatusCode};
use serde_json::{Map, Value};

use crate::api::ApiRequest;
use crate::api::sobjects::{SaveResultWire, parse_multiple_choices, parse_response_id};
use crate::client::SalesforceClient;
use crate::error::Error;
use crate::fields::FieldChanges;
use crate::id::SalesforceId;
use crate::soql::check_name;

/// Builds `POST /sobjects/{sobject_type}` with `changes` as the body.
pub(crate) fn create_request(
    sobject_type: &str,
    changes: &FieldChanges,
) -> Result<ApiRequest, Error> {
    check_name(sobject_type)?;
    reject_keys(changes, &["Id", "attributes"], "a create")?;
    Ok(
        ApiRequest::versioned(Method::POST, ["sobjects", sobject_type])
            .write_json(Value::Object(changes.to_json())),
    )
}

/// Builds `PATCH /sobjects/{sobject_type}/{id}` with only the fields in `changes`.
pub(crate) fn update_request(
    sobject_type: &str,
    id: &SalesforceId,
    changes: &FieldChanges,
) -> Result<ApiRequest, Error> {
    check_name(sobject_type)?;
    reject_keys(changes, &["Id", "attributes"], "an update")?;
    Ok(
        ApiRequest::versioned(Method::PATCH, ["sobjects", sobject_type, id.as_str()])
            .write_json(Value::Object(changes.to_json())),
    )
}

/// Builds `DELETE /sobjects/{sobject_type}/{id}`.
pub(crate) fn delete_request(sobject_type: &str, id: &SalesforceId) -> Result<ApiRequest, Error> {
    check_name(sobject_type)?;
    Ok(ApiRequest::versioned(Method::DELETE, ["sobjects", sobject_type, id.as_str()]).write())
}

/// Builds `GET /sobjects/{sobject_type}/{field}/{value}`, with `?fields=` when `fields` is
/// not empty.
pub(crate) fn get_by_external_id_request(
    sobject_type: &str,
    external_id_field: &str,
    external_id: &str,
    fields: &[&str],
) -> Result<ApiRequest, Error> {
    check_name(sobject_type)?;
    check_name(external_id_field)?;
    for field in fields {
        check_name(field)?;
    }
    if matches!(external_id, "" | "." | "..") {
        return Err(Error::InvalidRequest {
            message: format!(
                "the {external_id_field} value {external_id:?} cannot be used in a URL"
            ),
        });
    }
    let segments = ["sobjects", sobject_type, external_id_field, external_id];
    let request = ApiRequest::versioned(Method::GET, segments);
    Ok(match fields.is_empty() {
        true => request,
        false => request.param("fields", fields.join(",")),
    })
}

fn reject_keys(changes: &FieldChanges, keys: &[&str], action: &str) -> Result<(), Error> {
    for key in keys {
        if let Some(name) = changes.find_ignoring_case(key) {
            return Err(Error::InvalidRequest {
                message: format!("{action} cannot set {name} among its fields"),
            });
        }
    }
    Ok(())
}

impl SalesforceClient {
    /// Creates one `sobject_type` record and returns its Id.
    ///
    /// A create is not idempotent: when the response is lost, sending it again creates a
    /// second record. Syncs write through [`SalesforceClient::upsert`] on an external ID
    /// instead, and use this for records that have none.
    pub async fn create(
        &self,
        sobject_type: &str,
        changes: &FieldChanges,
    ) -> Result<SalesforceId, Error> {
        let response = self
            .execute(&create_request(sobject_type, changes)?)
            .await?;
        if response.status != StatusCode::CREATED {
            return Err(response.into_error());
        }
        let wire: SaveResultWire =
            serde_json::from_slice(&response.body).map_err(|error| Error::InvalidResponse {
                message: format!("the create result is not valid: {error}"),
            })?;
        let id = wire
            .id
            .filter(|_| wire.success)
            .ok_or_else(|| Error::InvalidResponse {
                message: "the create returned 201 without a successful record Id".into(),
            })?;
        parse_response_id(&id)
    }

    /// Writes the fields in `changes` to the record `id`, leaving every other field as it is.
    pub async fn update(
        &self,
        sobject_type: &str,
        id: &SalesforceId,
        changes: &FieldChanges,
    ) -> Result<(), Error> {
        let request = update_request(sobject_type, id, changes)?;
        expect_no_content(self.execute(&request).await?)
    }

    /// Deletes the record `id`. A record already deleted is an [`Error::Api`] with
    /// `ENTITY_IS_DELETED`, and a missing one with `NOT_FOUND`.
    pub async fn delete(&self, sobject_type: &str, id: &SalesforceId) -> Result<(), Error> {
        let request = delete_request(sobject_type, id)?;
        expect_no_content(self.execute(&request).await?)
    }

    /// Returns the `sobject_type` record whose `external_id_field` equals `external_id`.
    /// Several matches give [`Error::MultipleChoices`], and none an [`Error::Api`] with
    /// `NOT_FOUND`.
    pub async fn get_by_external_id(
        &self,
        sobject_type: &str,
        external_id_field: &str,
        external_id: &str,
        fields: &[&str],
    ) -> Result<Map<String, Value>, Error> {
        let request =
            get_by_external_id_request(sobject_type, external_id_field, external_id, fields)?;
        let response = self.execute(&request).await?;
        match response.status {
            StatusCode::OK => {
                serde_json::from_slice(&response.body).map_err(|error| Error::InvalidResponse {
                    message: format!("the record is not a JSON object: {error}"),
                })
            }
            StatusCode::MULTIPLE_CHOICES => Err(parse_multiple_choices(&response.body)),
            _ => Err(response.into_error()),
        }
    }
}

fn expect_no_content(response: crate::client::RawResponse) -> Result<(), Error> {
    match response.status {
        StatusCode::NO_CONTENT | StatusCode::OK => Ok(()),
        _ => Err(response.into_error()),
    }
}

#[cfg(test)]
mod tests;
