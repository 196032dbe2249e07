//! The web UI: pages rendered on the server from the same JSON values the API returns, with
//! plain HTML forms for the actions. No script is needed.

mod chart;
mod forms;
mod mapper;

use axum::Form;
use axum::Router;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use minijinja::Environment;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::api::{ApiError, approvals, flows, queues};
use crate::auth::{self, CookieSecurity, Session};

/// The page templates, compiled once at start.
pub struct Templates {
    environment: Environment<'static>,
}

/// Every template, by name.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("login.html", include_str!("../templates/login.html")),
    (
        "dashboard.html",
        include_str!("../templates/dashboard.html"),
    ),
    ("runs.html", include_str!("../templates/runs.html")),
    ("run.html", include_str!("../templates/run.html")),
    ("records.html", include_str!("../templates/records.html")),
    (
        "dead_letters.html",
        include_str!("../templates/dead_letters.html"),
    ),
    (
        "dead_letter.html",
        include_str!("../templates/dead_letter.html"),
    ),
    ("queues.html", include_str!("../templates/queues.html")),
    ("review.html", include_str!("../templates/review.html")),
    ("conflict.html", include_str!("../templates/conflict.html")),
    ("error.html", include_str!("../templates/error.html")),
    (
        "approvals.html",
        include_str!("../templates/approvals.html"),
    ),
    ("mapper.html", include_str!("../templates/mapper.html")),
];

impl Default for Templates {
    fn default() -> Templates {
        Templates::new()
    }
}

impl Templates {
    /// Compiles every template. A template that does not compile is a build mistake, caught by
    /// the tests, so this panics with the template's error.
    pub fn new() -> Templates {
        let mut environment = Environment::new();
        for (name, source) in TEMPLATES {
            if let Err(error) = environment.add_template(name, source) {
                panic!("template {name} does not compile: {error:#}");
            }
        }
        environment.add_filter("value", value_text);
        environment.add_filter("shorten", shorten);
        environment.add_filter("time", time_text);
        Templates { environment }
    }

    /// Renders a template with its context.
    pub fn render(&self, name: &str, context: Value) -> Response {
        let rendered = self
            .environment
            .get_template(name)
            .and_then(|template| template.render(minijinja::value::Serde(&context)));
        match rendered {
            Ok(html) => Html(html).into_response(),
            Err(error) => {
                tracing::error!(template = name, error = %format!("{error:#}"), "page failed to render");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("the page {name} failed to render; the server log has the cause"),
                )
                    .into_response()
            }
        }
    }
}

/// Renders a field value for a person: text as is, blanks as `(empty)`, lists as JSON.
fn value_text(value: minijinja::Value) -> String {
    if value.is_none() || value.is_undefined() {
        return "(empty)".to_string();
    }
    if let Some(text) = value.as_str() {
        return text.to_string();
    }
    match serde_json::to_value(&value) {
        Ok(Value::Array(_) | Value::Object(_)) => serde_json::to_string(&value).unwrap_or_default(),
        _ => value.to_string(),
    }
}

/// Renders an RFC 3339 time as `2026-01-01 10:00:00 UTC`; anything else as it is, and a
/// missing time as nothing.
fn time_text(value: minijinja::Value) -> String {
    let Some(text) = value.as_str() else {
        return if value.is_none() || value.is_undefined() {
            String::new()
        } else {
            value.to_string()
        };
    };
    match chrono::DateTime::parse_from_rfc3339(text) {
        Ok(time) => time
            .with_timezone(&chrono::Utc)
            .format("%Y-%m-%d %H:%M:%S UTC")
            .to_string(),
        Err(_) => text.to_string(),
    }
}

/// Shortens text to `max` characters, ending with `…` when cut.
fn shorten(text: String, max: usize) -> String {
    if text.chars().count() <= max {
        return text;
    }
    let mut short: String = text.chars().take(max.saturating_sub(1)).collect();
    short.push('…');
    short
}

/// The session of a page request. The session middleware has already checked it, so a
/// missing one means it expired in between.
struct Page {
    id: String,
    session: Session,
}

impl FromRequestParts<AppState> for Page {
    type Rejection = Redirect;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Page, Redirect> {
        match auth::request_session(&state.auth, &parts.headers) {
            Some((id, session)) => Ok(Page { id, session }),
            None => Err(Redirect::to("/login")),
        }
    }
}

/// Returns the response to a form whose CSRF token is not its session's.
fn csrf_rejected() -> Response {
    tracing::warn!("form sent with a wrong CSRF token");
    (
        StatusCode::FORBIDDEN,
        "the form's CSRF token is wrong or missing; reload the page and try again",
    )
        .into_response()
}

impl Page {
    /// Renders a page of the navigation section `section`, with the CSRF token and any notice
    /// left by the last action.
    fn render(&self, state: &AppState, name: &str, section: &str, mut context: Value) -> Response {
        context["csrf"] = json!(self.session.csrf);
        context["section"] = json!(section);
        context["notice"] = json!(state.auth.take_notice(&self.id));
        state.pages.render(name, context)
    }

    /// Returns true when a form's CSRF token is the session's.
    fn csrf_matches(&self, sent: &str) -> bool {
        auth::constant_time_equal(sent, &self.session.csrf)
    }

    /// Leaves a notice for the next page and sends the browser there.
    fn redirect(&self, state: &AppState, to: &str, notice: String) -> Response {
        state.auth.set_notice(&self.id, notice);
        Redirect::to(to).into_response()
    }

    /// Renders an API error as a page.
    fn error(&self, state: &AppState, error: ApiError) -> Response {
        let mut response = self.render(
            state,
            "error.html",
            "",
            json!({"status": error.status.as_u16(), "message": error.message}),
        );
        *response.status_mut() = error.status;
        response
    }
}

/// Builds the login and logout routes, which need no session.
pub fn login_routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
}

/// Builds the pages and their form actions, behind the session check.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard))
        .route("/passes", post(start_pass))
        .route("/runs", get(runs))
        .route("/runs/{id}", get(run))
        .route("/records", get(records))
        .route("/dead-letters", get(dead_letters))
        .route("/dead-letters/{id}", get(dead_letter).post(save_payload))
        .route("/dead-letters/{id}/replay", post(replay))
        .route("/dead-letters/{id}/discard", post(discard))
        .route("/queues", get(queue_page))
        .route("/reviews/{id}", get(review).post(decide_review))
        .route("/conflicts/{id}", get(conflict).post(resolve_conflict))
        .route("/approvals", get(approvals_page))
        .route("/approvals/{id}/approve", post(approve))
        .route("/approvals/{id}/reject", post(reject))
        .route("/mapper", get(mapper::first_flow))
        .route("/mapper/{flow}", get(mapper::mapper_page))
}

#[derive(Debug, Deserialize)]
struct LoginQuery {
    next: Option<String>,
    failed: Option<String>,
}

async fn login_page(State(state): State<AppState>, Query(query): Query<LoginQuery>) -> Response {
    let context = json!({
        "next": auth::local_target(query.next.as_deref()),
        "failed": query.failed.is_some(),
        "section": "login",
    });
    state.pages.render("login.html", context)
}

#[derive(Deserialize)]
struct LoginForm {
    token: String,
    next: Option<String>,
}

/// Checks the token typed on the login page and starts a session. The form needs no CSRF token:
/// a forged login could only log the victim into their own server with the right token.
async fn login(
    State(state): State<AppState>,
    CookieSecurity(secure): CookieSecurity,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = auth::local_target(form.next.as_deref()).to_string();
    if !state.auth.is_token(form.token.trim()) {
        tracing::warn!("login with a wrong token");
        let target = format!("/login?failed=1&next={}", auth::percent_encode(&next));
        return Redirect::to(&target).into_response();
    }
    let id = state.auth.start_session();
    tracing::info!("login");
    (
        [(header::SET_COOKIE, auth::session_cookie(&id, secure))],
        Redirect::to(&next),
    )
        .into_response()
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: String,
}

async fn logout(
    State(state): State<AppState>,
    CookieSecurity(secure): CookieSecurity,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Some((id, session)) = auth::request_session(&state.auth, &headers)
        && auth::constant_time_equal(&form.csrf, &session.csrf)
    {
        state.auth.end_session(&id);
    }
    (
        [(header::SET_COOKIE, auth::expired_session_cookie(secure))],
        Redirect::to("/login"),
    )
        .into_response()
}

async fn dashboard(State(state): State<AppState>, page: Page) -> Response {
    match flows::flows_status(&state.runner).await {
        Ok(mut status) => {
            let svg = chart::svg(&status["chart"]);
            status["chart_svg"] = json!(svg);
            page.render(&state, "dashboard.html", "dashboard", status)
        }
        Err(error) => page.error(&state, error),
    }
}

async fn start_pass(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !page.csrf_matches(&form.csrf) {
        return csrf_rejected();
    }
    state.runner.wake();
    page.redirect(&state, "/", "the next pass starts now".to_string())
}

async fn runs(
    State(state): State<AppState>,
    page: Page,
    Query(query): Query<flows::RunsQuery>,
) -> Response {
    let names: Vec<&str> = state.runner.flows().iter().map(|f| f.name()).collect();
    match flows::runs(state.runner.store(), &query).await {
        Ok(runs) => {
            let context = json!({"runs": runs, "flow": query.flow, "flows": names});
            page.render(&state, "runs.html", "runs", context)
        }
        Err(error) => page.error(&state, error),
    }
}

async fn run(State(state): State<AppState>, page: Page, Path(id): Path<i64>) -> Response {
    match flows::run_detail(state.runner.store(), id).await {
        Ok(run) => page.render(&state, "run.html", "runs", json!({"run": run})),
        Err(error) => page.error(&state, error),
    }
}

#[derive(Debug, Deserialize)]
struct SearchQuery {
    q: Option<String>,
}

async fn records(
    State(state): State<AppState>,
    page: Page,
    Query(query): Query<SearchQuery>,
) -> Response {
    let text = query.q.unwrap_or_default();
    if text.trim().is_empty() {
        return page.render(&state, "records.html", "records", json!({"query": ""}));
    }
    match flows::record_search(state.runner.store(), &text).await {
        Ok(found) => page.render(&state, "records.html", "records", found),
        Err(error) => page.error(&state, error),
    }
}

async fn dead_letters(
    State(state): State<AppState>,
    page: Page,
    Query(query): Query<queues::ListQuery>,
) -> Response {
    match queues::dead_letters(&state.runner, &query).await {
        Ok(letters) => {
            let context = json!({
                "letters": letters,
                "status": query.status.unwrap_or_else(|| "open".to_string()),
            });
            page.render(&state, "dead_letters.html", "dead-letters", context)
        }
        Err(error) => page.error(&state, error),
    }
}

async fn dead_letter(State(state): State<AppState>, page: Page, Path(id): Path<i64>) -> Response {
    match queues::dead_letter(&state.runner, id).await {
        Ok(letter) => {
            let fields = forms::payload_inputs(&letter["payload"]);
            let context = json!({"letter": letter, "fields": fields});
            page.render(&state, "dead_letter.html", "dead-letters", context)
        }
        Err(error) => page.error(&state, error),
    }
}

async fn save_payload(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    if !page.csrf_matches(forms::value_of(&form, "csrf")) {
        return csrf_rejected();
    }
    let to = format!("/dead-letters/{id}");
    let payload = match forms::payload_from_form(&form) {
        Ok(payload) => payload,
        Err(message) => return page.redirect(&state, &to, format!("not saved: {message}")),
    };
    let flows = state.runner.flows();
    let saved =
        tandem_engine::actions::edit_dead_letter(state.runner.state(), flows, id, &payload).await;
    match saved {
        Ok(()) => page.redirect(&state, &to, "payload saved; replay sends it".to_string()),
        Err(error) => page.redirect(&state, &to, format!("not saved: {error}")),
    }
}

async fn replay(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !page.csrf_matches(&form.csrf) {
        return csrf_rejected();
    }
    let to = format!("/dead-letters/{id}");
    let notice = match queues::replay(&state.runner, id).await {
        Ok(result) => match result["outcome"].as_str() {
            Some("written") => "replayed: written, the dead letter is resolved".to_string(),
            Some("refused") => format!(
                "replayed: refused again: {} {}",
                result["error"]["code"].as_str().unwrap_or_default(),
                result["error"]["message"].as_str().unwrap_or_default()
            ),
            _ => "replayed: the other side did not answer; try again later".to_string(),
        },
        Err(error) => format!("not replayed: {}", error.message),
    };
    page.redirect(&state, &to, notice)
}

async fn discard(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !page.csrf_matches(&form.csrf) {
        return csrf_rejected();
    }
    let notice = match tandem_engine::actions::discard_dead_letter(state.runner.state(), id).await {
        Ok(()) => format!("dead letter {id} discarded"),
        Err(error) => format!("not discarded: {error}"),
    };
    page.redirect(&state, &format!("/dead-letters/{id}"), notice)
}

async fn queue_page(State(state): State<AppState>, page: Page) -> Response {
    let query = queues::ListQuery::default();
    let reviews = queues::reviews(&state.runner, &query).await;
    let conflicts = queues::conflicts(&state.runner, &query).await;
    match (reviews, conflicts) {
        (Ok(reviews), Ok(conflicts)) => {
            let context = json!({"reviews": reviews, "conflicts": conflicts});
            page.render(&state, "queues.html", "queues", context)
        }
        (Err(error), _) | (_, Err(error)) => page.error(&state, error),
    }
}

async fn review(State(state): State<AppState>, page: Page, Path(id): Path<i64>) -> Response {
    match queues::review(&state.runner, id).await {
        Ok(review) => {
            let fields = forms::side_by_side(&review);
            let context = json!({"review": review, "rows": fields});
            page.render(&state, "review.html", "queues", context)
        }
        Err(error) => page.error(&state, error),
    }
}

#[derive(Deserialize)]
struct DecisionForm {
    csrf: String,
    /// `link`, `create` or `reject`.
    decision: String,
    target: Option<String>,
}

async fn decide_review(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    Form(form): Form<DecisionForm>,
) -> Response {
    if !page.csrf_matches(&form.csrf) {
        return csrf_rejected();
    }
    use tandem_engine::state::ReviewDecision;
    let decision = match form.decision.as_str() {
        "link" => queues::link_decision(form.target.as_deref().unwrap_or_default()),
        "create" => Ok(ReviewDecision::Create),
        "reject" => Ok(ReviewDecision::Reject),
        other => Err(ApiError::bad_request(format!("unknown decision {other:?}"))),
    };
    let result = match decision {
        Ok(decision) => queues::decide(&state.runner, id, decision).await,
        Err(error) => Err(error),
    };
    let notice = match result {
        Ok(review) => format!(
            "review {id}: {}; the next pass carries it out",
            review["decision"].as_str().unwrap_or_default()
        ),
        Err(error) => format!("not decided: {}", error.message),
    };
    page.redirect(&state, &format!("/reviews/{id}"), notice)
}

async fn conflict(State(state): State<AppState>, page: Page, Path(id): Path<i64>) -> Response {
    match queues::conflict(&state.runner, id).await {
        Ok(conflict) => page.render(
            &state,
            "conflict.html",
            "queues",
            json!({"conflict": conflict}),
        ),
        Err(error) => page.error(&state, error),
    }
}

#[derive(Deserialize)]
struct ResolveForm {
    csrf: String,
    take: String,
}

async fn resolve_conflict(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    Form(form): Form<ResolveForm>,
) -> Response {
    if !page.csrf_matches(&form.csrf) {
        return csrf_rejected();
    }
    let result = match queues::parse_side(&form.take) {
        Ok(winner) => queues::resolve(&state.runner, id, winner).await,
        Err(error) => Err(error),
    };
    let notice = match result {
        Ok(_) => format!(
            "conflict {id}: the {} value wins; the next pass writes it",
            form.take
        ),
        Err(error) => format!("not resolved: {}", error.message),
    };
    page.redirect(&state, &format!("/conflicts/{id}"), notice)
}

/// How many decided approval requests the approvals page shows, newest first.
const DECIDED_SHOWN: usize = 50;

async fn approvals_page(State(state): State<AppState>, page: Page) -> Response {
    let all = approvals::ApprovalQuery {
        status: Some("all".to_string()),
    };
    let listed = match approvals::approvals(&state.runner, &all).await {
        Ok(Value::Array(items)) => items,
        Ok(_) => Vec::new(),
        Err(error) => return page.error(&state, error),
    };
    let (pending, mut decided): (Vec<Value>, Vec<Value>) = listed
        .into_iter()
        .partition(|approval| approval["status"] == "pending");
    decided.reverse();
    decided.truncate(DECIDED_SHOWN);
    let context = json!({"pending": pending, "decided": decided});
    page.render(&state, "approvals.html", "approvals", context)
}

async fn approve(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Response {
    decide_approval(state, page, id, true, &form.csrf).await
}

async fn reject(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Response {
    decide_approval(state, page, id, false, &form.csrf).await
}

async fn decide_approval(
    state: AppState,
    page: Page,
    id: i64,
    approve: bool,
    csrf: &str,
) -> Response {
    if !page.csrf_matches(csrf) {
        return csrf_rejected();
    }
    let by = approvals::DECIDED_BY_WEB;
    let notice = match approvals::decide(&state.runner, id, approve, by).await {
        Ok(decided) => approvals::decision_notice(id, &decided),
        Err(error) => format!("not decided: {}", error.message),
    };
    page.redirect(&state, "/approvals", notice)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles() {
        let templates = Templates::new();
        for (name, _) in TEMPLATES {
            assert!(templates.environment.get_template(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn times_read_as_utc_seconds() {
        let time = minijinja::Value::from("2026-01-01T10:00:00.123456Z");
        assert_eq!(time_text(time), "2026-01-01 10:00:00 UTC");
        assert_eq!(time_text(minijinja::Value::from(())), "");
        assert_eq!(time_text(minijinja::Value::from("soon")), "soon");
    }

    #[test]
    fn long_text_is_shortened() {
        assert_eq!(shorten("abcdef".to_string(), 4), "abc…");
        assert_eq!(shorten("abc".to_string(), 4), "abc");
    }

    #[test]
    fn blank_value_reads_as_empty() {
        assert_eq!(value_text(minijinja::Value::from(())), "(empty)");
        assert_eq!(value_text(minijinja::Value::from("Acme")), "Acme");
    }
}

#[cfg(test)]
mod render_tests {
    use super::*;

    fn render(name: &str, mut context: Value) -> String {
        context["csrf"] = json!("token");
        context["section"] = json!("queues");
        let templates = Templates::new();
        let template = templates.environment.get_template(name).unwrap();
        template
            .render(minijinja::value::Serde(&context))
            .unwrap_or_else(|error| panic!("{name}: {error:#}"))
    }

    fn review() -> Value {
        json!({
            "id": 3, "status": "pending", "decision": "pending", "flow": "account-customer",
            "system": "salesforce", "record_id": "001A", "values": {"Name": "Acme"},
            "candidates": [{"id": "42", "values": {"Name": "ACME Inc"}, "score": {
                "value": 0.8123,
                "evidence": [{"signal": "name", "similarity": 0.9, "weight": 3.0,
                              "detail": "acme = acme"}],
            }}],
        })
    }

    #[test]
    fn review_page_shows_scores_and_actions() {
        let review = review();
        let rows = forms::side_by_side(&review);
        let html = render("review.html", json!({"review": review, "rows": rows}));
        assert!(html.contains("score 0.81"), "{html}");
        assert!(html.contains("Link to 42"), "{html}");
        assert!(html.contains("acme = acme"), "{html}");
    }

    #[test]
    fn queue_page_lists_both_queues() {
        let conflict = json!({
            "id": 5, "status": "open", "flow": "account-customer", "ns_id": "42",
            "sf_id": "001A", "netsuite_field": "phone", "salesforce_field": "Phone",
            "synced_value": null, "netsuite_value": "1", "salesforce_value": "2",
        });
        let html = render(
            "queues.html",
            json!({"reviews": [review()], "conflicts": [conflict.clone()]}),
        );
        assert!(html.contains("/reviews/3"), "{html}");
        assert!(html.contains("/conflicts/5"), "{html}");
        let html = render("conflict.html", json!({"conflict": conflict}));
        assert!(html.contains("Keep the NetSuite value"), "{html}");
        assert!(html.contains("(empty)"), "{html}");
    }

    #[test]
    fn run_page_lists_counts_and_outcomes() {
        let run = json!({
            "id": 9, "flow": "account-customer", "status": "completed",
            "started_at": "2026-01-01T10:00:00Z", "finished_at": "2026-01-01T10:00:02Z",
            "duration_seconds": 2.0, "counts": {"flow": "account-customer", "read": 4},
            "error": null,
            "decisions": [{"at": "2026-01-01T10:00:01Z", "kind": "link", "ns_id": "42",
                           "sf_id": "001A", "field": null, "decision": "linked by email"}],
            "dead_letters": [],
        });
        let html = render("run.html", json!({"run": run}));
        assert!(html.contains("linked by email"), "{html}");
        assert!(html.contains("<th>read</th>"), "{html}");
    }

    fn letter() -> Value {
        json!({
            "id": 4, "status": "open", "attempts": 2, "flow": "account-customer",
            "created_at": "2026-01-01T10:00:00Z", "updated_at": "2026-01-01T10:05:00Z",
            "source_system": "salesforce", "source_id": "001A", "target_id": null,
            "action": "create", "payload_editable": true,
            "payload": {"companyName": "Acme", "creditLimit": 10.0, "isInactive": false},
            "error": {"system": "netsuite", "class": "data", "code": "USER_ERROR",
                      "message": "The field companyname contained more than the maximum"},
        })
    }

    #[test]
    fn dead_letter_list_shows_the_error() {
        let html = render(
            "dead_letters.html",
            json!({"letters": [letter()], "status": "open"}),
        );
        assert!(html.contains("USER_ERROR"), "{html}");
        assert!(html.contains("/dead-letters/4"), "{html}");
    }

    #[test]
    fn dead_letter_page_has_one_input_per_field() {
        let letter = letter();
        let fields = forms::payload_inputs(&letter["payload"]);
        let html = render(
            "dead_letter.html",
            json!({"letter": letter, "fields": fields}),
        );
        assert!(html.contains("name=\"field:companyName\""), "{html}");
        assert!(
            html.contains("name=\"kind:creditLimit\" value=\"number\""),
            "{html}"
        );
        assert!(html.contains("id=\"replay\""), "{html}");
    }

    #[test]
    fn approvals_page_has_buttons_for_pending_requests() {
        let pending = json!({
            "id": 7, "status": "pending", "client": "desk", "tool": "run_flow",
            "flow": "account-customer", "arguments": {"flow": "account-customer"},
            "summary": "run one pass of flow account-customer",
            "created_at": "2026-01-01T10:00:00Z", "updated_at": "2026-01-01T10:00:00Z",
            "decided_by": null, "outcome": null,
        });
        let mut done = pending.clone();
        done["id"] = json!(6);
        done["status"] = json!("done");
        done["decided_by"] = json!("web UI or API");
        done["outcome"] = json!({"status": "done", "report": {"written": 2}});
        let html = render(
            "approvals.html",
            json!({"pending": [pending], "decided": [done]}),
        );
        assert!(html.contains("action=\"/approvals/7/approve\""), "{html}");
        assert!(html.contains("action=\"/approvals/7/reject\""), "{html}");
        assert!(!html.contains("/approvals/6/approve"), "{html}");
        assert!(html.contains("&quot;written&quot;:2"), "{html}");
    }

    #[test]
    fn record_page_shows_both_sides_of_a_xref() {
        let found = json!({"query": "acme", "records": [{
            "system": "netsuite", "system_name": "NetSuite", "object": "customer", "id": "42",
            "link": "001A", "values": {"companyName": "Acme"},
            "xrefs": [{"flow": "account-customer", "ns_id": "42", "sf_id": "001A",
                       "netsuite_values": {"companyName": "Acme"},
                       "salesforce_values": {"Name": "Acme"}}],
            "audit": [],
        }]});
        let html = render("records.html", found);
        assert!(html.contains("NetSuite 42 ↔ Salesforce 001A"), "{html}");
        assert!(html.contains("Salesforce, last synced"), "{html}");
    }
}
