//! The two transports: stdio for one local agent, streamable HTTP for any number.

use std::sync::Arc;

use rmcp::ServiceExt;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};

use crate::gateway::{Gateway, Governance};
use crate::host::Host;

/// Serves one MCP session over stdin and stdout until the client closes it. Every call uses
/// `token` (the client's, from `TANDEM_MCP_TOKEN`); without one, every call is refused.
pub async fn serve_stdio(
    host: Arc<dyn Host>,
    governance: Arc<Governance>,
    token: Option<String>,
) -> Result<(), std::io::Error> {
    let gateway = Gateway::for_session(host, governance, token);
    let service = gateway
        .serve(rmcp::transport::stdio())
        .await
        .map_err(std::io::Error::other)?;
    service.waiting().await.map_err(std::io::Error::other)?;
    Ok(())
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
    let service = StreamableHttpService::new(
        move || Ok(gateway.clone()),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    axum::Router::new().nest_service("/mcp", service)
}
