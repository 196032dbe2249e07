//! The field mapper's page. The page loads the mapping through the JSON API and edits it with
//! a small script; saving goes through the API too.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

use super::Page;
use crate::AppState;
use crate::api::ApiError;

/// `GET /mapper`: the mapper of the first enabled flow.
pub(super) async fn first_flow(State(state): State<AppState>, page: Page) -> Response {
    match state.runner.flows().first() {
        Some(flow) => Redirect::to(&format!("/mapper/{}", flow.name())).into_response(),
        None => page.error(&state, ApiError::not_found("no flow is enabled")),
    }
}

/// `GET /mapper/{flow}`.
pub(super) async fn mapper_page(
    State(state): State<AppState>,
    page: Page,
    Path(flow): Path<String>,
) -> Response {
    let names: Vec<&str> = state.runner.flows().iter().map(|f| f.name()).collect();
    if !names.contains(&flow.as_str()) {
        let message = format!("flow {flow} is not enabled, so it has no mapping to edit");
        return page.error(&state, ApiError::not_found(message));
    }
    let context = json!({"flow": flow, "flows": names});
    page.render(&state, "mapper.html", "mapper", context)
}
