//! Dead letters, the review queue and the conflict queue: list, show, and the actions of the
//! command line.

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use serde_json::{Value, json};
use tandem_engine::actions::{self, conflict_json, dead_letter_json, review_json};
use tandem_engine::pass::ReplayOutcome;
use tandem_engine::state::{ConflictStatus, DeadLetterStatus, ReviewDecision, ReviewStatus};
use tandem_engine::{Fields, System};

use super::{ApiError, ApiResult};
use crate::AppState;
use crate::runner::Runner;

/// The query of the list routes.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    /// One status, or `all`; each queue has its own default.
    pub status: Option<String>,
    pub flow: Option<String>,
}

fn status_filter<T>(text: Option<&str>, default: T) -> Result<Option<T>, ApiError>
where
    T: std::str::FromStr<Err = String>,
{
    match text.filter(|text| !text.is_empty()) {
        None => Ok(Some(default)),
        Some("all") => Ok(None),
        Some(other) => other.parse().map(Some).map_err(ApiError::bad_request),
    }
}

fn flow_filter(query: &ListQuery) -> Option<&str> {
    query.flow.as_deref().filter(|flow| !flow.is_empty())
}

/// Returns dead letters (open ones unless the query sets a status), oldest first.
pub async fn dead_letters(runner: &Runner, query: &ListQuery) -> Result<Value, ApiError> {
    let status = status_filter(query.status.as_deref(), DeadLetterStatus::Open)?;
    let letters = runner
        .store()
        .dead_letters(flow_filter(query), status)
        .await?;
    Ok(letters.iter().map(dead_letter_json).collect())
}

/// `GET /api/dead-letters`.
pub async fn list_dead_letters(
    State(state): State<AppState>,
    Query(query): Query<ListQuery>,
) -> ApiResult {
    Ok(Json(dead_letters(&state.runner, &query).await?))
}

/// Returns one dead letter.
pub async fn dead_letter(runner: &Runner, id: i64) -> Result<Value, ApiError> {
    let stored = actions::find_dead_letter(runner.state(), id).await?;
    Ok(dead_letter_json(&stored))
}

/// `GET /api/dead-letters/{id}`.
pub async fn show_dead_letter(State(state): State<AppState>, Path(id): Path<i64>) -> ApiResult {
    Ok(Json(dead_letter(&state.runner, id).await?))
}

/// `PUT /api/dead-letters/{id}/payload`: replaces the payload with the JSON object sent.
pub async fn edit_dead_letter(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Json(payload): Json<Value>,
) -> ApiResult {
    let payload: Fields = serde_json::from_value(payload).map_err(|error| {
        ApiError::bad_request(format!(
            "the payload must be a JSON object of field values (text, numbers, true/false, \
             null, or lists of such objects): {error}"
        ))
    })?;
    let flows = state.runner.flows();
    actions::edit_dead_letter(state.runner.state(), flows, id, &payload).await?;
    Ok(Json(dead_letter(&state.runner, id).await?))
}

/// Replays a dead letter and returns what happened, with the letter as it is afterwards.
pub async fn replay(runner: &Runner, id: i64) -> Result<Value, ApiError> {
    let outcome = runner.replay(id).await?;
    let (name, error) = match &outcome {
        ReplayOutcome::Written => ("written", Value::Null),
        ReplayOutcome::Refused(error) => ("refused", json!(error)),
        ReplayOutcome::Deferred => ("deferred", Value::Null),
    };
    Ok(json!({
        "id": id,
        "outcome": name,
        "error": error,
        "dead_letter": dead_letter(runner, id).await?,
    }))
}

/// `POST /api/dead-letters/{id}/replay`.
pub async fn replay_dead_letter(State(state): State<AppState>, Path(id): Path<i64>) -> ApiResult {
    Ok(Json(replay(&state.runner, id).await?))
}

/// `POST /api/dead-letters/{id}/discard`.
pub async fn discard_dead_letter(State(state): State<AppState>, Path(id): Path<i64>) -> ApiResult {
    actions::discard_dead_letter(state.runner.state(), id).await?;
    Ok(Json(dead_letter(&state.runner, id).await?))
}

/// Returns review items (pending ones unless the query sets a status), oldest first.
pub async fn reviews(runner: &Runner, query: &ListQuery) -> Result<Value, ApiError> {
    let status = status_filter(query.status.as_deref(), ReviewStatus::Pending)?;
    let items = runner.store().reviews(flow_filter(query), status).await?;
    Ok(items.iter().map(review_json).collect())
}

/// `GET /api/reviews`.
pub async fn list_reviews(
    State(state): State<AppState>,
    Query(query): Query<ListQuery>,
) -> ApiResult {
    Ok(Json(reviews(&state.runner, &query).await?))
}

/// Returns one review item with its candidates and their score evidence.
pub async fn review(runner: &Runner, id: i64) -> Result<Value, ApiError> {
    let stored = actions::find_review(runner.state(), id).await?;
    Ok(review_json(&stored))
}

/// `GET /api/reviews/{id}`.
pub async fn show_review(State(state): State<AppState>, Path(id): Path<i64>) -> ApiResult {
    Ok(Json(review(&state.runner, id).await?))
}

/// Records a review decision, wakes the pass loop so it is carried out soon, and returns the
/// item as it is now.
pub async fn decide(runner: &Runner, id: i64, decision: ReviewDecision) -> Result<Value, ApiError> {
    actions::decide_review(runner.state(), id, &decision).await?;
    runner.wake();
    review(runner, id).await
}

/// The body of `POST /api/reviews/{id}/link`.
#[derive(Debug, Deserialize)]
pub struct LinkBody {
    /// The ID of the record on the other side: a candidate's, or any other.
    pub target: String,
}

/// Checks a link target and turns it into a decision.
pub fn link_decision(target: &str) -> Result<ReviewDecision, ApiError> {
    let target = target.trim();
    if target.is_empty() {
        return Err(ApiError::bad_request(
            "the link target is empty; give the ID of the record on the other side",
        ));
    }
    Ok(ReviewDecision::Link(target.to_string()))
}

/// `POST /api/reviews/{id}/link`.
pub async fn link_review(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Json(body): Json<LinkBody>,
) -> ApiResult {
    let decision = link_decision(&body.target)?;
    Ok(Json(decide(&state.runner, id, decision).await?))
}

/// `POST /api/reviews/{id}/create`.
pub async fn create_review(State(state): State<AppState>, Path(id): Path<i64>) -> ApiResult {
    Ok(Json(
        decide(&state.runner, id, ReviewDecision::Create).await?,
    ))
}

/// `POST /api/reviews/{id}/reject`.
pub async fn reject_review(State(state): State<AppState>, Path(id): Path<i64>) -> ApiResult {
    Ok(Json(
        decide(&state.runner, id, ReviewDecision::Reject).await?,
    ))
}

/// Returns conflicts (open ones unless the query sets a status), oldest first.
pub async fn conflicts(runner: &Runner, query: &ListQuery) -> Result<Value, ApiError> {
    let status = status_filter(query.status.as_deref(), ConflictStatus::Open)?;
    let items = runner.store().conflicts(flow_filter(query), status).await?;
    Ok(items.iter().map(conflict_json).collect())
}

/// `GET /api/conflicts`.
pub async fn list_conflicts(
    State(state): State<AppState>,
    Query(query): Query<ListQuery>,
) -> ApiResult {
    Ok(Json(conflicts(&state.runner, &query).await?))
}

/// Returns one conflict.
pub async fn conflict(runner: &Runner, id: i64) -> Result<Value, ApiError> {
    let stored = actions::find_conflict(runner.state(), id).await?;
    Ok(conflict_json(&stored))
}

/// `GET /api/conflicts/{id}`.
pub async fn show_conflict(State(state): State<AppState>, Path(id): Path<i64>) -> ApiResult {
    Ok(Json(conflict(&state.runner, id).await?))
}

/// Parses the side whose value wins: `netsuite` or `salesforce`.
pub fn parse_side(text: &str) -> Result<System, ApiError> {
    match text {
        "netsuite" => Ok(System::NetSuite),
        "salesforce" => Ok(System::Salesforce),
        other => Err(ApiError::bad_request(format!(
            "unknown side {other:?}; take netsuite or salesforce"
        ))),
    }
}

/// Resolves a conflict, wakes the pass loop so the value is written soon, and returns the
/// conflict as it is now.
pub async fn resolve(runner: &Runner, id: i64, winner: System) -> Result<Value, ApiError> {
    actions::resolve_conflict(runner.state(), id, winner).await?;
    runner.wake();
    conflict(runner, id).await
}

/// The body of `POST /api/conflicts/{id}/resolve`.
#[derive(Debug, Deserialize)]
pub struct ResolveBody {
    /// The side whose value wins: `netsuite` or `salesforce`.
    pub take: String,
}

/// `POST /api/conflicts/{id}/resolve`.
pub async fn resolve_conflict(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Json(body): Json<ResolveBody>,
) -> ApiResult {
    let winner = parse_side(&body.take)?;
    Ok(Json(resolve(&state.runner, id, winner).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_defaults_and_all() {
        let default = status_filter(None, DeadLetterStatus::Open).unwrap();
        assert_eq!(default, Some(DeadLetterStatus::Open));
        let all = status_filter(Some("all"), DeadLetterStatus::Open).unwrap();
        assert_eq!(all, None);
    }

    #[test]
    fn unknown_status_is_bad_request() {
        let error = status_filter(Some("gone"), ReviewStatus::Pending).unwrap_err();
        assert_eq!(error.status, axum::http::StatusCode::BAD_REQUEST);
        assert!(
            error.message.contains("expected pending"),
            "{}",
            error.message
        );
    }

    #[test]
    fn side_names_parse() {
        assert_eq!(parse_side("netsuite").unwrap(), System::NetSuite);
        assert!(parse_side("NetSuite ").is_err());
    }

    #[test]
    fn blank_link_target_is_rejected() {
        assert!(link_decision("  ").is_err());
        assert_eq!(
            link_decision(" 42 ").unwrap(),
            ReviewDecision::Link("42".to_string())
        );
    }
}
