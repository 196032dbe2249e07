//! Changes since a time: SOQL over `SystemModstamp` in half-open windows, and the
//! `sobjects/{Type}/updated` and `sobjects/{Type}/deleted` resources.

use chrono::{DateTime, TimeDelta, Utc};
use reqwest::{Method, StatusCode};
use serde::Deserialize;

use crate::api::ApiRequest;
use crate::api::query::{QueryOptions, QueryResult};
use crate::client::SalesforceClient;
use crate::datetime::parse_datetime;
use crate::error::Error;
use crate::id::SalesforceId;
use crate::soql::{Condition, Direction, SoqlQuery, check_name};

/// Field that orders change reads: it changes on every write, including those made by
/// automation, unlike `LastModifiedDate`.
pub const MODSTAMP_FIELD: &str = "SystemModstamp";

/// A half-open time window `[start, end)`. Windows that share a bound never both contain an
/// instant, so consecutive windows read each change once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangeWindow {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl ChangeWindow {
    /// Returns the window from `start` to `now - lag`. The lag leaves time for transactions
    /// that set their `SystemModstamp` before `now` but commit after it, which a read up to
    /// `now` would miss for good. Store the returned `end` as the next window's `start`.
    ///
    /// Returns `None` while `now - lag` is not after `start`.
    pub fn until_lag(start: DateTime<Utc>, now: DateTime<Utc>, lag: TimeDelta) -> Option<Self> {
        let end = now - lag;
        (end > start).then_some(ChangeWindow { start, end })
    }

    /// Returns true when `at` lies inside the window.
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.start <= at && at < self.end
    }
}

/// Builds `SELECT <fields> FROM <sobject> WHERE <field> >= start AND <field> < end ORDER BY
/// <field>, Id`, where `field` is the change-tracking field (normally `SystemModstamp`).
/// `Id` and `field` are always selected.
pub fn window_query(
    sobject: &str,
    fields: &[&str],
    field: &str,
    window: &ChangeWindow,
) -> SoqlQuery {
    let columns = ["Id", field].into_iter().chain(fields.iter().copied());
    SoqlQuery::select(columns)
        .from(sobject)
        .filter(Condition::ge(field, window.start))
        .filter(Condition::lt(field, window.end))
        .order_by(field, Direction::Asc)
        .order_by("Id", Direction::Asc)
}

/// Ids of records changed in a window, from `sobjects/{Type}/updated`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdatedRecords {
    pub ids: Vec<SalesforceId>,
    /// Last instant the response covers, where the next window starts.
    pub latest_date_covered: DateTime<Utc>,
}

/// One deleted record, from `sobjects/{Type}/deleted`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletedRecord {
    pub id: SalesforceId,
    pub deleted_date: DateTime<Utc>,
}

/// Records deleted in a window, from `sobjects/{Type}/deleted`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletedRecords {
    pub records: Vec<DeletedRecord>,
    /// Oldest instant Salesforce still keeps deletes for; older ones are gone.
    pub earliest_date_available: DateTime<Utc>,
    /// Last instant the response covers, where the next window starts.
    pub latest_date_covered: DateTime<Utc>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdatedWire {
    ids: Vec<String>,
    latest_date_covered: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeletedWire {
    deleted_records: Vec<DeletedItemWire>,
    earliest_date_available: String,
    latest_date_covered: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeletedItemWire {
    id: String,
    deleted_date: String,
}

/// Builds `GET /sobjects/{sobject}/{updated|deleted}/?start=...&end=...`. Times are sent in
/// UTC as `YYYY-MM-DDThh:mm:ss+00:00`, percent-encoded; Salesforce ignores the seconds.
pub(crate) fn window_request(
    sobject: &str,
    resource: &'static str,
    window: &ChangeWindow,
) -> Result<ApiRequest, Error> {
    check_name(sobject)?;
    let format = "%Y-%m-%dT%H:%M:%S+00:00";
    Ok(
        ApiRequest::versioned(Method::GET, ["sobjects", sobject, resource, ""])
            .param("start", window.start.format(format).to_string())
            .param("end", window.end.format(format).to_string()),
    )
}

pub(crate) fn parse_updated(body: &[u8]) -> Result<UpdatedRecords, Error> {
    let wire: UpdatedWire = serde_json::from_slice(body).map_err(invalid("updated"))?;
    let ids = wire
        .ids
        .iter()
        .map(|id| crate::api::sobjects::parse_response_id(id))
        .collect::<Result<_, _>>()?;
    Ok(UpdatedRecords {
        ids,
        latest_date_covered: datetime(&wire.latest_date_covered)?,
    })
}

pub(crate) fn parse_deleted(body: &[u8]) -> Result<DeletedRecords, Error> {
    let wire: DeletedWire = serde_json::from_slice(body).map_err(invalid("deleted"))?;
    let records = wire
        .deleted_records
        .iter()
        .map(|item| {
            Ok(DeletedRecord {
                id: crate::api::sobjects::parse_response_id(&item.id)?,
                deleted_date: datetime(&item.deleted_date)?,
            })
        })
        .collect::<Result<_, Error>>()?;
    Ok(DeletedRecords {
        records,
        earliest_date_available: datetime(&wire.earliest_date_available)?,
        latest_date_covered: datetime(&wire.latest_date_covered)?,
    })
}

fn datetime(text: &str) -> Result<DateTime<Utc>, Error> {
    parse_datetime(text).map_err(|error| Error::InvalidResponse {
        message: format!("invalid datetime {text:?}: {error}"),
    })
}

fn invalid(resource: &'static str) -> impl Fn(serde_json::Error) -> Error {
    move |error| Error::InvalidResponse {
        message: format!("the {resource} records result is not valid: {error}"),
    }
}

impl SalesforceClient {
    /// Reads every `sobject` record whose `SystemModstamp` lies in `window`, ordered by
    /// `SystemModstamp` and then `Id`, with `fields` besides `Id` and `SystemModstamp`. With
    /// `include_deleted`, deleted rows come too (`queryAll`, `IsDeleted = true`).
    pub async fn changed_in(
        &self,
        sobject: &str,
        fields: &[&str],
        window: &ChangeWindow,
        include_deleted: bool,
    ) -> Result<QueryResult, Error> {
        let soql = window_query(sobject, fields, MODSTAMP_FIELD, window).to_soql()?;
        let options = QueryOptions {
            include_deleted,
            ..QueryOptions::default()
        };
        self.query_with(&soql, &options).await
    }

    /// Returns the Ids of `sobject` records changed in `window` (minute grain, at most 30
    /// days back).
    pub async fn get_updated(
        &self,
        sobject: &str,
        window: &ChangeWindow,
    ) -> Result<UpdatedRecords, Error> {
        let response = self
            .execute(&window_request(sobject, "updated", window)?)
            .await?;
        if response.status != StatusCode::OK {
            return Err(response.into_error());
        }
        parse_updated(&response.body)
    }

    /// Returns the `sobject` records deleted in `window` (minute grain, while the recycle bin
    /// keeps them).
    pub async fn get_deleted(
        &self,
        sobject: &str,
        window: &ChangeWindow,
    ) -> Result<DeletedRecords, Error> {
        let response = self
            .execute(&window_request(sobject, "deleted", window)?)
            .await?;
        if response.status != StatusCode::OK {
            return Err(response.into_error());
        }
        parse_deleted(&response.body)
    }
}

#[cfg(test)]
mod tests;
