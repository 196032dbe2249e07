//! The MCP server: every tool call is authenticated, rate limited, checked against the
//! client's scopes and logged before and after the tool runs.

use std::sync::Arc;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::ToolCallContext;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, ListResourcesResult,
    ListToolsResult, PaginatedRequestParams, ReadResourceRequestParams, ReadResourceResponse,
    ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, tool_handler};
use serde_json::{Value, json};
use tandem_engine::state::GatewayCall;

use crate::auth::{AuthError, Client, TokenRegistry};
use crate::host::{GatewayBackend, Host};
use crate::limit::RateLimits;
use crate::policy::PolicyTable;
use crate::redact::redact;
use crate::settings::McpSettings;
use crate::{resources, tools};

/// The client name logged for a call that came without a valid token.
const UNAUTHENTICATED: &str = "unauthenticated";

/// Authentication, rate limits and write policies, shared by every session of a gateway.
pub struct Governance {
    registry: TokenRegistry,
    pub(crate) policies: PolicyTable,
    limits: RateLimits,
}

impl Governance {
    /// Builds the governance from the settings, reading configured tokens with `lookup`.
    /// Fails with a message naming the bad setting.
    pub fn new(
        settings: &McpSettings,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Governance, String> {
        Ok(Governance {
            registry: TokenRegistry::from_settings(settings, lookup)?,
            policies: PolicyTable::new(settings.policy.clone(), tools::WRITE_TOOLS)?,
            limits: RateLimits::default(),
        })
    }
}

/// The authenticated client of a call, handed to the tools.
#[derive(Debug, Clone)]
pub struct Caller(pub Client);

/// The MCP server over a host's flows and store.
#[derive(Clone)]
pub struct Gateway {
    pub(crate) host: Arc<dyn Host>,
    pub(crate) governance: Arc<Governance>,
    /// The token of a stdio session, which has no request headers to carry one.
    session_token: Option<Arc<str>>,
    tool_router: ToolRouter<Gateway>,
}

impl Gateway {
    /// Builds a gateway whose HTTP callers send their token in the `Authorization` header.
    pub fn new(host: Arc<dyn Host>, governance: Arc<Governance>) -> Gateway {
        Gateway {
            host,
            governance,
            session_token: None,
            tool_router: Gateway::read_router() + Gateway::write_router(),
        }
    }

    /// Builds a gateway for one stdio session, whose every call uses `token`.
    pub fn for_session(
        host: Arc<dyn Host>,
        governance: Arc<Governance>,
        token: Option<String>,
    ) -> Gateway {
        Gateway {
            session_token: token.map(Arc::from),
            ..Gateway::new(host, governance)
        }
    }

    /// Returns the token of a stdio session, or `None` over HTTP or without one.
    pub(crate) fn session_token(&self) -> Option<String> {
        self.session_token.as_deref().map(str::to_string)
    }

    pub(crate) fn store(&self) -> Arc<dyn GatewayBackend> {
        self.host.store()
    }

    /// Returns the token of a call: the session's, or the HTTP request's bearer token.
    fn token(&self, context: &RequestContext<RoleServer>) -> Option<String> {
        if let Some(token) = &self.session_token {
            return Some(token.to_string());
        }
        let parts = context.extensions.get::<axum::http::request::Parts>()?;
        bearer_token(&parts.headers)
    }

    /// Checks the token of an HTTP request before the SDK handles it, and logs a rejection
    /// with the request's JSON-RPC method. Returns the rejection's message.
    pub(crate) async fn check_token(
        &self,
        token: Option<&str>,
        method: &str,
    ) -> Result<Client, String> {
        let store = self.store();
        let authenticated = self
            .governance
            .registry
            .authenticate(token, store.as_ref())
            .await;
        match authenticated {
            Ok(client) => Ok(client),
            Err(error) => {
                let outcome = match error {
                    AuthError::Store(_) => "error",
                    _ => "refused",
                };
                let message = error.to_string();
                self.log(UNAUTHENTICATED, method, &json!({}), outcome, &message)
                    .await;
                Err(message)
            }
        }
    }

    /// Authenticates the caller of a request that lists what the gateway offers; any valid
    /// token may list, and the call does not count against the rate limit. A refusal is
    /// logged and returned as an invalid request error.
    async fn authenticate(
        &self,
        request: &str,
        context: &RequestContext<RoleServer>,
    ) -> Result<Client, ErrorData> {
        let token = self.token(context);
        self.check_token(token.as_deref(), request)
            .await
            .map_err(|message| ErrorData::invalid_request(message, None))
    }

    /// Authenticates the caller, counts the call against its rate limit and checks that its
    /// scopes allow the kind of tool. On refusal returns the outcome and the message.
    async fn admit(
        &self,
        tool: &str,
        context: &RequestContext<RoleServer>,
    ) -> Result<Client, (String, &'static str, String)> {
        let store = self.store();
        let token = self.token(context);
        let client = match self
            .governance
            .registry
            .authenticate(token.as_deref(), store.as_ref())
            .await
        {
            Ok(client) => client,
            Err(error @ AuthError::Store(_)) => {
                return Err((UNAUTHENTICATED.to_string(), "error", error.to_string()));
            }
            Err(error) => return Err((UNAUTHENTICATED.to_string(), "refused", error.to_string())),
        };
        if let Err(limited) = self
            .governance
            .limits
            .check(&client.name, client.calls_per_minute)
        {
            return Err((client.name, "rate_limited", limited.to_string()));
        }
        let write = tools::WRITE_TOOLS.contains(&tool);
        if write && !client.scopes.can_write_any() {
            let message = format!(
                "client {} may not call write tool {tool}: its token has no write scope; a \
                 token with scope write:FLOW (or write:*) can",
                client.name
            );
            return Err((client.name, "refused", message));
        }
        if !write && !client.scopes.can_read() {
            let message = format!(
                "client {} may not call read tool {tool}: its token lacks the read scope",
                client.name
            );
            return Err((client.name, "refused", message));
        }
        Ok(client)
    }

    /// Appends a call to the call log; a failure to log is logged, not returned, so the
    /// client still gets its result.
    async fn log(&self, client: &str, tool: &str, arguments: &Value, outcome: &str, detail: &str) {
        let call = GatewayCall {
            client: client.to_string(),
            tool: tool.to_string(),
            arguments: arguments.clone(),
            outcome: outcome.to_string(),
            detail: crate::tools::shorten(detail, 500),
        };
        if let Err(error) = self.store().log_call(&call).await {
            tracing::error!(%error, client, tool, "cannot log an MCP tool call");
        }
        tracing::info!(client, tool, outcome, "MCP tool call");
    }
}

/// Returns the token of an `Authorization: Bearer TOKEN` header.
pub(crate) fn bearer_token(headers: &axum::http::HeaderMap) -> Option<String> {
    let header = headers.get(axum::http::header::AUTHORIZATION)?;
    let value = header.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

/// Returns the outcome of a finished call for the log, and a short detail.
fn outcome_of(response: &Result<CallToolResponse, ErrorData>) -> (&'static str, String) {
    match response {
        Err(error) => ("error", error.message.to_string()),
        Ok(CallToolResponse::Complete(result)) => {
            let detail = result
                .structured_content
                .as_ref()
                .map(Value::to_string)
                .or_else(|| {
                    result
                        .content
                        .first()
                        .and_then(|block| block.as_text().map(|text| text.text.clone()))
                })
                .unwrap_or_default();
            if result.is_error == Some(true) {
                return ("error", detail);
            }
            let status = result
                .structured_content
                .as_ref()
                .and_then(|value| value.get("status"))
                .and_then(Value::as_str);
            let outcome = match status {
                Some("approval_required") => "approval_required",
                Some("dry_run") => "dry_run",
                _ => "ok",
            };
            (outcome, detail)
        }
        Ok(_) => ("ok", String::new()),
    }
}

/// Builds a tool result that shows the client an error message.
pub(crate) fn error_result(message: impl Into<String>) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(message.into())])
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Gateway {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .build(),
        )
        .with_server_info(rmcp::model::Implementation::new(
            "tandem",
            env!("CARGO_PKG_VERSION"),
        ))
        .with_instructions(
            "Tandem keeps NetSuite and Salesforce in sync. Use find_record and explain_record \
             to answer why a record did or did not sync; write tools may answer \
             approval_required with an approval_id: once a person approves it (`tandem \
             approvals approve ID` or the web UI), Tandem carries the call out by itself, \
             once; approval_status then shows its outcome."
                .to_string(),
        )
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        mut context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let tool = request.name.to_string();
        let arguments = redact(&Value::Object(
            request.arguments.clone().unwrap_or_default(),
        ));
        let client = match self.admit(&tool, &context).await {
            Ok(client) => client,
            Err((client, outcome, message)) => {
                self.log(&client, &tool, &arguments, outcome, &message)
                    .await;
                return Ok(error_result(message).into());
            }
        };
        let name = client.name.clone();
        context.extensions.insert(Caller(client));
        let response = self
            .tool_router
            .call(ToolCallContext::new(self, request, context))
            .await;
        let (outcome, detail) = outcome_of(&response);
        self.log(&name, &tool, &arguments, outcome, &detail).await;
        response
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        self.authenticate("tools/list", &context).await?;
        Ok(ListToolsResult::with_all_items(self.tool_router.list_all()))
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        self.authenticate("resources/list", &context).await?;
        Ok(resources::list())
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let uri = request.uri.clone();
        let arguments = json!({ "uri": uri });
        let client = match self.admit("read_resource", &context).await {
            Ok(client) => client,
            Err((client, outcome, message)) => {
                self.log(&client, "read_resource", &arguments, outcome, &message)
                    .await;
                return Err(ErrorData::invalid_request(message, None));
            }
        };
        let result = resources::read(self.store().as_ref(), &uri).await;
        let (outcome, detail) = match &result {
            Ok(_) => ("ok", format!("read {uri}")),
            Err(error) => ("error", error.message.to_string()),
        };
        self.log(&client.name, "read_resource", &arguments, outcome, &detail)
            .await;
        result.map(Into::into)
    }
}
