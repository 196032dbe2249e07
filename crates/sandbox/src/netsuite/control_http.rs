//! The control routes under `/__sandbox/`, a prefix no NetSuite path uses. They change the
//! same settings as the methods of [`NetSuiteEmulator`], with JSON bodies, and need no
//! authentication: the sandbox listens on 127.0.0.1 only.

use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::NetSuiteEmulator;
use super::control::{Counters, FaultPlan, Latency};

/// Builds the router of the control routes.
pub(crate) fn router(emulator: NetSuiteEmulator) -> Router {
    Router::new()
        .route("/__sandbox/settings", get(settings))
        .route("/__sandbox/latency", put(set_latency))
        .route(
            "/__sandbox/latency/{operation}",
            put(set_operation_latency).delete(remove_operation_latency),
        )
        .route(
            "/__sandbox/faults",
            get(faults).post(add_fault).delete(clear_faults),
        )
        .route("/__sandbox/concurrency-limit", put(set_concurrency_limit))
        .route("/__sandbox/search-ttl", put(set_search_ttl))
        .route("/__sandbox/counters", get(counters).delete(reset_counters))
        .route("/__sandbox/seed", axum::routing::post(seed))
        .with_state(emulator)
}

/// The body of `GET /__sandbox/settings`.
#[derive(Debug, Serialize)]
struct SettingsView {
    concurrency_limit: usize,
    search_ttl_ms: u64,
    latency: Latency,
    operation_latency: std::collections::BTreeMap<String, Latency>,
    faults: Vec<FaultPlan>,
}

async fn settings(State(emulator): State<NetSuiteEmulator>) -> Json<SettingsView> {
    let state = emulator.lock();
    Json(SettingsView {
        concurrency_limit: state.settings.concurrency_limit,
        search_ttl_ms: u64::try_from(state.settings.search_ttl.as_millis()).unwrap_or(u64::MAX),
        latency: state.settings.latency,
        operation_latency: state.settings.operation_latency.clone(),
        faults: state.faults.plans().to_vec(),
    })
}

async fn set_latency(
    State(emulator): State<NetSuiteEmulator>,
    Json(latency): Json<Latency>,
) -> StatusCode {
    emulator.set_latency(latency);
    StatusCode::NO_CONTENT
}

async fn set_operation_latency(
    State(emulator): State<NetSuiteEmulator>,
    Path(operation): Path<String>,
    Json(latency): Json<Latency>,
) -> StatusCode {
    emulator.set_operation_latency(&operation, Some(latency));
    StatusCode::NO_CONTENT
}

async fn remove_operation_latency(
    State(emulator): State<NetSuiteEmulator>,
    Path(operation): Path<String>,
) -> StatusCode {
    emulator.set_operation_latency(&operation, None);
    StatusCode::NO_CONTENT
}

async fn faults(State(emulator): State<NetSuiteEmulator>) -> Json<Vec<FaultPlan>> {
    Json(emulator.fault_plans())
}

async fn add_fault(
    State(emulator): State<NetSuiteEmulator>,
    Json(plan): Json<FaultPlan>,
) -> Response {
    if let super::control::FaultTrigger::Rate(rate) = plan.trigger
        && !(0.0..=1.0).contains(&rate)
    {
        let message = format!("rate {rate} is invalid; expected a number from 0 to 1");
        return (StatusCode::UNPROCESSABLE_ENTITY, message).into_response();
    }
    emulator.inject_fault(plan);
    StatusCode::NO_CONTENT.into_response()
}

async fn clear_faults(State(emulator): State<NetSuiteEmulator>) -> StatusCode {
    emulator.clear_faults();
    StatusCode::NO_CONTENT
}

/// The body of `PUT /__sandbox/concurrency-limit`.
#[derive(Debug, Deserialize)]
struct LimitBody {
    limit: usize,
}

async fn set_concurrency_limit(
    State(emulator): State<NetSuiteEmulator>,
    Json(body): Json<LimitBody>,
) -> StatusCode {
    emulator.set_concurrency_limit(body.limit);
    StatusCode::NO_CONTENT
}

/// The body of `PUT /__sandbox/search-ttl`.
#[derive(Debug, Deserialize)]
struct TtlBody {
    ms: u64,
}

async fn set_search_ttl(
    State(emulator): State<NetSuiteEmulator>,
    Json(body): Json<TtlBody>,
) -> StatusCode {
    emulator.set_search_ttl(Duration::from_millis(body.ms));
    StatusCode::NO_CONTENT
}

async fn counters(State(emulator): State<NetSuiteEmulator>) -> Json<Counters> {
    Json(emulator.counters())
}

async fn reset_counters(State(emulator): State<NetSuiteEmulator>) -> StatusCode {
    emulator.reset_counters();
    StatusCode::NO_CONTENT
}

/// The body of `POST /__sandbox/seed`.
#[derive(Debug, Deserialize)]
struct SeedBody {
    /// How many customers, items and invoices to add.
    large: usize,
}

async fn seed(State(emulator): State<NetSuiteEmulator>, Json(body): Json<SeedBody>) -> Response {
    match emulator.load_large_seed(body.large, chrono::Utc::now()) {
        Ok(summary) => Json(summary).into_response(),
        Err(error) => (StatusCode::UNPROCESSABLE_ENTITY, error.to_string()).into_response(),
    }
}
