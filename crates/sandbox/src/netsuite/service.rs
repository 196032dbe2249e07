//! The HTTP side of the emulator: one POST route per endpoint version, the account's
//! concurrency limit, and the steps every request goes through before its operation runs.

use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State as AxumState};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;

use super::NetSuiteEmulator;
use super::control::{FaultKind, InjectedFault};
use super::datetime::whole_seconds;
use super::faults::Fault;
use super::operations::{self, Context};
use super::passport::check_passport;
use super::soap::{Request, new_ns_id, read_request};
use super::xml::Version;

/// NetSuite's maximum SOAP request size.
const MAX_REQUEST_BYTES: usize = 100 * 1024 * 1024;

/// Builds the router for `POST /services/NetSuitePort_{version}` and the WSDL files.
pub(crate) fn router(emulator: NetSuiteEmulator) -> Router {
    Router::new()
        .route("/services/{port}", post(handle))
        .route("/wsdl/{directory}/netsuite.wsdl", get(super::wsdl::wsdl))
        .route("/wsdl/{directory}/xsd/{file}", get(super::wsdl::xsd))
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        .with_state(emulator)
}

async fn handle(
    AxumState(emulator): AxumState<NetSuiteEmulator>,
    Path(port): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(version) = port.strip_prefix("NetSuitePort_").and_then(Version::parse) else {
        return (StatusCode::NOT_FOUND, "Unknown SuiteTalk endpoint").into_response();
    };
    let Some(_slot) = InFlight::acquire(&emulator) else {
        emulator.lock().counters.blocked += 1;
        tracing::info!(%version, "concurrency limit reached; request blocked");
        return fault_response(&Fault::concurrency_limit(), version);
    };
    let parsed = parse(&body, version);
    let operation = parsed.as_ref().ok().map(|r| r.operation.name.clone());
    let (injected, delay) = {
        let mut state = emulator.lock();
        let injected = state.faults.pick(operation.as_deref());
        if let Some(fault) = injected {
            *state
                .counters
                .injected_faults
                .entry(fault.kind)
                .or_default() += 1;
        }
        let delay = state.settings.latency_for(operation.as_deref()).sample();
        (injected, delay)
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if let Some(fault) = injected {
        tracing::info!(%version, kind = ?fault.kind, operation = ?operation, "injecting a fault");
        if let Some(response) = refuse(fault.kind, version) {
            return response;
        }
    }
    let served = parsed.and_then(|request| serve(&emulator, version, &headers, &request));
    emulator.send_webhooks();
    let response = match served {
        Ok(document) => xml_response(StatusCode::OK, document),
        Err(fault) => {
            tracing::info!(%version, faultstring = %fault.faultstring, "request failed with a SOAP fault");
            return fault_response(&fault, version);
        }
    };
    match injected {
        Some(fault) => spoil(fault, response).await,
        None => response,
    }
}

/// Returns the response of an injected fault that stops a request before its operation runs.
fn refuse(kind: FaultKind, version: Version) -> Option<Response> {
    match kind {
        FaultKind::Concurrency => Some(fault_response(&Fault::concurrency_limit(), version)),
        FaultKind::UnexpectedError => Some(fault_response(&Fault::unexpected_error(), version)),
        FaultKind::Http503 => Some(StatusCode::SERVICE_UNAVAILABLE.into_response()),
        FaultKind::Timeout | FaultKind::MalformedXml => None,
    }
}

/// Applies an injected fault that lets the operation run: delays the response, or cuts its
/// body in half.
pub(crate) async fn spoil(fault: InjectedFault, response: Response) -> Response {
    match fault.kind {
        FaultKind::Timeout => {
            tokio::time::sleep(fault.hold).await;
            response
        }
        FaultKind::MalformedXml => {
            let (parts, body) = response.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            let cut = bytes.slice(..bytes.len() / 2);
            Response::from_parts(parts, axum::body::Body::from(cut))
        }
        _ => response,
    }
}

fn parse(body: &[u8], version: Version) -> Result<Request, Fault> {
    let text = std::str::from_utf8(body)
        .map_err(|_| Fault::malformed("Invalid byte sequence in UTF-8 request body."))?;
    read_request(text, version)
}

/// Runs the request steps in NetSuite's order once the body is parsed: check SOAPAction,
/// authenticate, then run the operation.
fn serve(
    emulator: &NetSuiteEmulator,
    version: Version,
    headers: &HeaderMap,
    request: &Request,
) -> Result<String, Fault> {
    check_soap_action(headers, request)?;
    authenticate(emulator, request)?;
    let name = request.operation.name.clone();
    if !operations::is_supported(&name) || request.operation.ns != super::soap::MESSAGES {
        return Err(Fault::request(format!("No such operation '{name}'")));
    }
    let now = whole_seconds(Utc::now());
    let ns_id = new_ns_id(&emulator.credentials().account, now);
    let context = Context {
        request,
        version,
        ns_id: &ns_id,
        now,
    };
    let mut state = emulator.lock();
    state.count_operation(&name);
    let result = operations::dispatch(&mut state, &context);
    tracing::debug!(operation = %name, ns_id = %ns_id, ok = result.is_ok(), "request served");
    result
}

/// Accepts a missing or empty `SOAPAction`, quoted or not; any other value must name the
/// operation in the body.
fn check_soap_action(headers: &HeaderMap, request: &Request) -> Result<(), Fault> {
    let Some(value) = headers.get("SOAPAction") else {
        return Ok(());
    };
    let action = value.to_str().unwrap_or_default().trim().trim_matches('"');
    if action.is_empty() || action == request.operation.name {
        return Ok(());
    }
    Err(Fault::request(format!(
        "The SOAPAction header \"{action}\" does not match the operation {} in the body.",
        request.operation.name
    )))
}

fn authenticate(emulator: &NetSuiteEmulator, request: &Request) -> Result<(), Fault> {
    let now = Utc::now().timestamp();
    let mut state = emulator.lock();
    check_passport(request, emulator.credentials(), now, &mut state.nonces).map_err(|error| {
        tracing::info!(reason = %error, operation = %request.operation.name, "token passport rejected");
        error.fault()
    })
}

fn fault_response(fault: &Fault, version: Version) -> Response {
    xml_response(StatusCode::INTERNAL_SERVER_ERROR, fault.render(version))
}

fn xml_response(status: StatusCode, document: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/xml;charset=utf-8")],
        document,
    )
        .into_response()
}

/// One request counted against the account's concurrency limit until dropped.
pub(crate) struct InFlight<'a> {
    counter: &'a AtomicUsize,
}

impl<'a> InFlight<'a> {
    pub(crate) fn acquire(emulator: &'a NetSuiteEmulator) -> Option<InFlight<'a>> {
        let limit = emulator.lock().settings.concurrency_limit;
        let counter = emulator.in_flight();
        let previous = counter.fetch_add(1, Ordering::SeqCst);
        if previous >= limit {
            counter.fetch_sub(1, Ordering::SeqCst);
            return None;
        }
        Some(InFlight { counter })
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.counter.fetch_sub(1, Ordering::SeqCst);
    }
}
