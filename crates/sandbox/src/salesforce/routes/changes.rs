//! `GET /limits` and `/limits/recordCount`, and `GET /sobjects/{object}/updated` and
//! `/deleted`, which list the Ids of records changed or deleted in a window.
//!
//! As in Salesforce, `start` and `end` are cut to the minute (seconds are ignored),
//! `latestDateCovered` is `end` so cut, and a window may reach at most 30 days back.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use chrono::{DateTime, Duration, DurationRound, Utc};
use serde_json::{Map, Value, json};

use super::object_in_url;
use crate::salesforce::SalesforceEmulator;
use crate::salesforce::errors::ApiError;
use crate::salesforce::record::record_id;
use crate::salesforce::values::{parse_datetime, render_datetime};

/// How far back `updated` and `deleted` may look.
const MAX_DAYS_BACK: i64 = 30;

/// Fixed allocations `GET /limits` reports besides the daily API requests, as
/// `(name, max)`, from a Developer Edition org.
const OTHER_LIMITS: &[(&str, u64)] = &[
    ("ConcurrentAsyncGetReportInstances", 200),
    ("ConcurrentSyncReportRuns", 20),
    ("DailyAsyncApexExecutions", 250_000),
    ("DailyBulkApiBatches", 15_000),
    ("DailyBulkApiRequests", 5000),
    ("DailyBulkV2QueryFileStorageMB", 976_562),
    ("DailyBulkV2QueryJobs", 10_000),
    ("DailyDurableGenericStreamingApiEvents", 10_000),
    ("DailyDurableStreamingApiEvents", 10_000),
    ("DailyGenericStreamingApiEvents", 10_000),
    ("DailyStreamingApiEvents", 10_000),
    ("DailyWorkflowEmails", 390),
    ("DataStorageMB", 5),
    ("DurableStreamingApiConcurrentClients", 20),
    ("FileStorageMB", 20),
    ("HourlyAsyncReportRuns", 1200),
    ("HourlyDashboardRefreshes", 200),
    ("HourlyDashboardResults", 5000),
    ("HourlyDashboardStatuses", 999_999_999),
    ("HourlyODataCallout", 10_000),
    ("HourlySyncReportRuns", 500),
    ("HourlyTimeBasedWorkflow", 50),
    ("MassEmail", 10),
    ("SingleEmail", 15),
    ("StreamingApiConcurrentClients", 20),
];

/// `GET /limits`: the daily API requests used in the last 24 hours and fixed allocations.
pub(super) async fn limits(State(emulator): State<SalesforceEmulator>) -> Json<Value> {
    let (used, max) = emulator.api_usage();
    let mut limits = Map::new();
    limits.insert(
        "DailyApiRequests".into(),
        json!({"Max": max, "Remaining": max.saturating_sub(used)}),
    );
    let query_jobs = emulator.org().bulk.query.len() as u64;
    for (name, max) in OTHER_LIMITS {
        let remaining = if *name == "DailyBulkV2QueryJobs" {
            max.saturating_sub(query_jobs)
        } else {
            *max
        };
        limits.insert((*name).into(), json!({"Max": max, "Remaining": remaining}));
    }
    Json(Value::Object(limits))
}

/// `GET /limits/recordCount?sObjects=Account,Contact`: the number of live records of each
/// named object, or of every object when none is named. Objects without records and names
/// of no object are left out, as recorded responses show.
// NOTE: Salesforce documents these counts as estimates refreshed from time to time; the
// emulator counts exactly, at the time of the request.
pub(super) async fn record_count(
    State(emulator): State<SalesforceEmulator>,
    RawQuery(raw): RawQuery,
) -> Json<Value> {
    let named: Option<Vec<String>> =
        url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
            .find(|(name, _)| name == "sObjects")
            .map(|(_, value)| {
                value
                    .split(',')
                    .map(|name| name.trim().to_string())
                    .collect()
            });
    let org = emulator.org();
    let counts: Vec<Value> = org
        .objects
        .iter()
        .filter(|object| {
            named.as_ref().is_none_or(|names| {
                names
                    .iter()
                    .any(|name| name.eq_ignore_ascii_case(&object.name))
            })
        })
        .map(|object| {
            (
                object.name.as_str(),
                org.records(&object.name, false).count(),
            )
        })
        .filter(|(_, count)| *count > 0)
        .map(|(name, count)| json!({"count": count, "name": name}))
        .collect();
    Json(json!({"sObjects": counts}))
}

/// The window of an `updated` or `deleted` request, cut to the minute.
struct Window {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

fn window(raw: Option<&str>) -> Result<Window, ApiError> {
    let parameters: Vec<(String, String)> =
        url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let read = |name: &str| {
        let text = parameters
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .ok_or_else(|| {
                ApiError::bad_request("MISSING_ARGUMENT", format!("{name} not specified"))
            })?;
        let instant = parse_datetime(text).ok_or_else(|| {
            ApiError::bad_request(
                "INVALID_DATE_FORMAT",
                format!("{name}: invalid date: {text}"),
            )
        })?;
        Ok::<_, ApiError>(
            instant
                .duration_trunc(Duration::minutes(1))
                .unwrap_or(instant),
        )
    };
    let (start, end) = (read("start")?, read("end")?);
    if end < start {
        return Err(ApiError::bad_request(
            "INVALID_REPLICATION_DATE",
            "startDate must chronologically precede endDate",
        ));
    }
    if start < Utc::now() - Duration::days(MAX_DAYS_BACK) {
        return Err(ApiError::bad_request(
            "INVALID_REPLICATION_DATE",
            "startDate cannot be more than 30 days ago",
        ));
    }
    Ok(Window { start, end })
}

fn stamp_of(values: &crate::salesforce::record::Values) -> Option<DateTime<Utc>> {
    values
        .get("SystemModstamp")
        .and_then(Value::as_str)
        .and_then(parse_datetime)
}

/// `GET /sobjects/{object}/updated?start=&end=`: Ids of live records whose
/// `SystemModstamp` falls in the window.
pub(super) async fn updated(
    State(emulator): State<SalesforceEmulator>,
    Path((_version, object)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let definition = object_in_url(&emulator, &object)?;
    let window = window(raw.as_deref())?;
    let org = emulator.org();
    let ids: Vec<&str> = org
        .records(&definition.name, false)
        .filter(|values| stamp_of(values).is_some_and(|at| at >= window.start && at < window.end))
        .map(record_id)
        .collect();
    Ok(Json(
        json!({"ids": ids, "latestDateCovered": render_datetime(window.end)}),
    ))
}

/// `GET /sobjects/{object}/deleted?start=&end=`: records moved to the recycle bin in the
/// window, with the time of deletion.
pub(super) async fn deleted(
    State(emulator): State<SalesforceEmulator>,
    Path((_version, object)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let definition = object_in_url(&emulator, &object)?;
    let window = window(raw.as_deref())?;
    let org = emulator.org();
    let records: Vec<Value> = org
        .records(&definition.name, true)
        .filter(|values| values.get("IsDeleted") == Some(&Value::Bool(true)))
        .filter_map(|values| {
            let at = stamp_of(values)?;
            (at >= window.start && at < window.end)
                .then(|| json!({"id": record_id(values), "deletedDate": render_datetime(at)}))
        })
        .collect();
    let earliest = (Utc::now() - Duration::days(MAX_DAYS_BACK))
        .duration_trunc(Duration::minutes(1))
        .unwrap_or(window.start);
    Ok(Json(json!({
        "deletedRecords": records,
        "earliestDateAvailable": render_datetime(earliest),
        "latestDateCovered": render_datetime(window.end),
    })))
}
