//! The two transports: stdio for one local agent, streamable HTTP for any number.
//!
//! Both put a check in front of the SDK's transport. rmcp 3.11 drops a stdio line that is not
//! JSON and returns `415 Unsupported Media Type` for such an HTTP body. JSON-RPC 2.0 expects a
//! parse error (code -32700) for both, so the gateway returns it before the SDK reads the
//! message. Over HTTP the check also rejects every request
//! without a valid token, including `initialize` and `tools/list`, with `401 Unauthorized`.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use rmcp::ServiceExt;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

use crate::gateway::{Gateway, Governance};
use crate::host::Host;

/// The JSON-RPC 2.0 code of a message that is not valid JSON.
const PARSE_ERROR: i64 = -32700;

/// The code of a request rejected for a missing or invalid token, in the range JSON-RPC 2.0
/// leaves to servers.
const UNAUTHORIZED: i64 = -32001;

/// JSON-RPC's code for a message that is JSON but not a valid request.
const INVALID_REQUEST: i64 = -32600;

/// The message for a JSON value that is not one JSON-RPC object. Batches (arrays) are not
/// part of MCP since its 2025-06-18 revision.
const NOT_AN_OBJECT: &str =
    "Invalid request: send one JSON-RPC message as a JSON object; batches are not accepted";

/// The size of the pipes between the stdio check and the SDK.
const PIPE_BYTES: usize = 64 * 1024;

/// Serves one MCP session over stdin and stdout until the client closes it. Every message uses
/// `token` (the client's, from `TANDEM_MCP_TOKEN`). Without a valid one, every request
/// (`initialize` and `tools/list` included) is rejected with -32001.
pub async fn serve_stdio(
    host: Arc<dyn Host>,
    governance: Arc<Governance>,
    token: Option<String>,
) -> Result<(), std::io::Error> {
    serve_lines(
        Gateway::for_session(host, governance, token),
        tokio::io::stdin(),
        tokio::io::stdout(),
    )
    .await
}

/// Serves a session over newline-delimited JSON-RPC on `input` and `output`. Lines that are
/// not JSON get a parse error on `output`, and every other line is checked by [`check_line`]
/// before it goes to the SDK.
async fn serve_lines(
    gateway: Gateway,
    input: impl AsyncRead + Unpin + Send + 'static,
    mut output: impl AsyncWrite + Unpin + Send + 'static,
) -> Result<(), std::io::Error> {
    let (mut to_sdk, sdk_input) = tokio::io::duplex(PIPE_BYTES);
    let (sdk_output, from_sdk) = tokio::io::duplex(PIPE_BYTES);
    let (errors, mut error_lines) = mpsc::unbounded_channel::<String>();

    // Step 1: read the client's lines. Pass checked JSON on to the SDK, and reply to the rest
    // with a parse error or the check's rejection.
    let checker = gateway.clone();
    let reader = tokio::spawn(async move {
        let mut lines = BufReader::new(input).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if line.trim().is_empty() {
                continue;
            }
            let message = match serde_json::from_str::<Value>(&line) {
                Ok(message) => message,
                Err(error) => {
                    tracing::warn!(%error, "MCP message on stdin is not JSON; returned a JSON-RPC parse error");
                    let _ = errors.send(parse_error(&error).to_string());
                    continue;
                }
            };
            match check_line(&checker, &message).await {
                LineCheck::Forward => {}
                LineCheck::Reply(rejection) => {
                    let _ = errors.send(rejection.to_string());
                    continue;
                }
                LineCheck::Drop => continue,
            }
            let forwarded = async {
                to_sdk.write_all(line.as_bytes()).await?;
                to_sdk.write_all(b"\n").await
            };
            if forwarded.await.is_err() {
                break;
            }
        }
        // Dropping the pipe ends the SDK's input, which ends the session.
    });

    // Step 2: write the SDK's messages and the parse errors, one whole line at a time.
    let writer = tokio::spawn(async move {
        let mut sdk_lines = BufReader::new(from_sdk).lines();
        let (mut sdk_open, mut errors_open) = (true, true);
        while sdk_open || errors_open {
            let line = tokio::select! {
                line = sdk_lines.next_line(), if sdk_open => match line {
                    Ok(Some(line)) => line,
                    _ => {
                        sdk_open = false;
                        continue;
                    }
                },
                error = error_lines.recv(), if errors_open => match error {
                    Some(line) => line,
                    None => {
                        errors_open = false;
                        continue;
                    }
                },
            };
            let written = async {
                output.write_all(line.as_bytes()).await?;
                output.write_all(b"\n").await?;
                output.flush().await
            };
            if written.await.is_err() {
                break;
            }
        }
    });

    // Step 3: run the session over the two pipes.
    let session = async {
        let service = match gateway.serve((sdk_input, sdk_output)).await {
            Ok(service) => service,
            // The client left before an accepted `initialize`, for example after its token
            // was rejected. That ends the session; it is not a failure of the server.
            Err(rmcp::service::ServerInitializeError::ConnectionClosed(_)) => {
                tracing::info!("MCP stdio session closed before it was initialized");
                return Ok(());
            }
            Err(error) => return Err(std::io::Error::other(error)),
        };
        service.waiting().await.map_err(std::io::Error::other)?;
        Ok::<_, std::io::Error>(())
    };
    let result = session.await;
    reader.abort();
    let _ = writer.await;
    result
}

/// The stdio edge's decision on one JSON message before the SDK receives it.
enum LineCheck {
    Forward,
    /// Reply with this JSON-RPC error instead of forwarding.
    Reply(Value),
    /// A notification from a client without a valid token. It is dropped, because
    /// notifications get no reply.
    Drop,
}

/// Checks a stdio message as the HTTP edge checks a request: anything but a JSON-RPC object
/// gets -32600, and every message needs the session's token to be valid, so a session
/// without one is rejected from `initialize` on with -32001.
async fn check_line(gateway: &Gateway, message: &Value) -> LineCheck {
    let id = message.get("id").cloned();
    if !message.is_object() {
        let id = id.unwrap_or(Value::Null);
        return LineCheck::Reply(rpc_error_body(id, INVALID_REQUEST, NOT_AN_OBJECT));
    }
    let method = message.get("method").and_then(Value::as_str);
    let Some(method) = method else {
        // A response to a request of the server's, which carries no method.
        return LineCheck::Forward;
    };
    let token = gateway.session_token();
    match (gateway.check_token(token.as_deref(), method).await, id) {
        (Ok(_), _) => LineCheck::Forward,
        (Err(reason), Some(id)) => LineCheck::Reply(rpc_error_body(id, UNAUTHORIZED, &reason)),
        (Err(_), None) => LineCheck::Drop,
    }
}

/// Returns a router that serves the gateway over streamable HTTP at `/mcp`. Each request
/// authenticates with its `Authorization: Bearer TOKEN` header.
///
/// The SDK accepts only requests whose `Host` is a loopback name unless `allowed_hosts`
/// names others (for example the server's public host name), which guards a local server
/// against DNS rebinding.
pub fn router(
    host: Arc<dyn Host>,
    governance: Arc<Governance>,
    allowed_hosts: &[String],
) -> axum::Router {
    let gateway = Gateway::new(host, governance);
    let mut config = StreamableHttpServerConfig::default();
    if !allowed_hosts.is_empty() {
        config = config.with_allowed_hosts(allowed_hosts.iter().cloned());
    }
    let max_body = config.max_request_body_bytes;
    let service_gateway = gateway.clone();
    let service = StreamableHttpService::new(
        move || Ok(service_gateway.clone()),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    let guard = middleware::from_fn_with_state((gateway, max_body), check_request);
    axum::Router::new()
        .nest_service("/mcp", service)
        .layer(guard)
}

/// Rejects a request whose body is not JSON (parse error) or that has no valid token (401),
/// before the SDK reads it.
async fn check_request(
    State((gateway, max_body)): State<(Gateway, usize)>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, max_body).await {
        Ok(bytes) => bytes,
        Err(_) => {
            let message = format!("the request body is larger than {max_body} bytes or unreadable");
            return rpc_error(StatusCode::PAYLOAD_TOO_LARGE, Value::Null, -32600, &message);
        }
    };
    let mut method = parts.method.to_string();
    let mut id = Value::Null;
    if parts.method == Method::POST {
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(message) if !message.is_object() => {
                tracing::warn!(
                    "MCP request body is not a JSON-RPC object; returned invalid request"
                );
                return rpc_error(
                    StatusCode::BAD_REQUEST,
                    Value::Null,
                    INVALID_REQUEST,
                    NOT_AN_OBJECT,
                );
            }
            Ok(message) => {
                if let Some(name) = message.get("method").and_then(Value::as_str) {
                    method = name.to_string();
                }
                id = message.get("id").cloned().unwrap_or(Value::Null);
            }
            Err(error) => {
                tracing::warn!(%error, "MCP request body is not JSON; returned a JSON-RPC parse error");
                return (StatusCode::BAD_REQUEST, axum::Json(parse_error(&error))).into_response();
            }
        }
    }
    let token = crate::gateway::bearer_token(&parts.headers);
    if let Err(message) = gateway.check_token(token.as_deref(), &method).await {
        let mut response = rpc_error(StatusCode::UNAUTHORIZED, id, UNAUTHORIZED, &message);
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return response;
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Builds the JSON-RPC parse error for a message that is not JSON.
fn parse_error(error: &serde_json::Error) -> Value {
    json!({
        "jsonrpc": "2.0",
        "id": null,
        "error": {"code": PARSE_ERROR, "message": format!("Parse error: the message is not valid JSON ({error})")},
    })
}

fn rpc_error(status: StatusCode, id: Value, code: i64, message: &str) -> Response {
    (status, axum::Json(rpc_error_body(id, code, message))).into_response()
}

fn rpc_error_body(id: Value, code: i64, message: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

#[cfg(test)]
mod tests {
    use async_trait::async_trait;
    use tokio::io::AsyncReadExt;

    use super::*;
    use crate::host::{GatewayBackend, HostError};
    use crate::settings::McpSettings;

    /// A host with a store and no flows; its actions fail.
    struct StoreOnly(Arc<dyn GatewayBackend>);

    #[async_trait]
    impl Host for StoreOnly {
        fn store(&self) -> Arc<dyn GatewayBackend> {
            self.0.clone()
        }

        fn flows(&self) -> Vec<String> {
            Vec::new()
        }

        async fn run_flow(&self, _: &str, _: Option<&str>, _: bool) -> Result<Value, HostError> {
            Err(HostError::new("no flows"))
        }

        async fn replay(&self, _: i64) -> Result<Value, HostError> {
            Err(HostError::new("no flows"))
        }

        async fn budget(&self) -> Result<Value, HostError> {
            Err(HostError::new("no systems"))
        }
    }

    /// Sends `lines` to a session without a token and returns the messages it writes back.
    async fn exchange(lines: &[&str]) -> Vec<Value> {
        let dir = tempfile::tempdir().unwrap();
        let store = tandem_store::SqliteStore::open(dir.path().join("t.db"))
            .await
            .unwrap();
        let host: Arc<dyn Host> = Arc::new(StoreOnly(Arc::new(store)));
        let governance = Arc::new(Governance::new(&McpSettings::default(), |_| None).unwrap());
        let gateway = Gateway::for_session(host, governance, None);
        let input: String = lines.iter().map(|line| format!("{line}\n")).collect();
        let (output, mut written) = tokio::io::duplex(PIPE_BYTES);
        let session = serve_lines(gateway, std::io::Cursor::new(input.into_bytes()), output);
        tokio::time::timeout(std::time::Duration::from_secs(20), session)
            .await
            .expect("the session ends when its input ends")
            .unwrap();
        let mut text = String::new();
        written.read_to_string(&mut text).await.unwrap();
        text.lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }

    const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"test","version":"1"}}}"#;

    #[tokio::test]
    async fn line_that_is_not_json_gets_parse_error() {
        let answers = exchange(&[INITIALIZE, "{not json"]).await;
        let error = answers
            .iter()
            .find(|answer| answer["error"]["code"] == PARSE_ERROR)
            .unwrap_or_else(|| panic!("no parse error in {answers:?}"));
        assert_eq!(error["id"], Value::Null);
    }

    #[tokio::test]
    async fn requests_without_token_are_rejected() {
        let initialized = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;
        let list = r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#;
        let answers = exchange(&[INITIALIZE, initialized, list]).await;
        for id in [1, 2] {
            let answer = answers
                .iter()
                .find(|answer| answer["id"] == id)
                .unwrap_or_else(|| panic!("no answer to request {id} in {answers:?}"));
            assert_eq!(answer["error"]["code"], UNAUTHORIZED, "{answer}");
            let message = answer["error"]["message"].as_str().unwrap_or_default();
            assert!(message.contains("missing token"), "{answer}");
            assert!(answer.get("result").is_none(), "{answer}");
        }
        assert_eq!(
            answers.len(),
            2,
            "the notification gets no answer: {answers:?}"
        );
    }

    #[tokio::test]
    async fn array_line_is_invalid_request() {
        let answers = exchange(&["[]"]).await;
        assert_eq!(answers.len(), 1, "{answers:?}");
        assert_eq!(answers[0]["error"]["code"], INVALID_REQUEST);
        assert_eq!(answers[0]["id"], Value::Null);
    }
}
