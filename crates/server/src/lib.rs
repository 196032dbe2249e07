//! Tandem's HTTP side, served by `tandem run` and `tandem demo`: the web UI, the JSON API it
//! uses, the login that guards both, and Prometheus metrics.
//!
//! `/healthz`, `/metrics`, `/login` and the OpenAPI file need no login, and the webhooks are
//! checked by signature instead (see [`webhooks`]); every other route needs the API token (see
//! [`auth`]).

pub mod api;
pub mod auth;
pub mod mapper;
pub mod metrics;
pub mod pages;
pub mod runner;
pub mod settings;
pub mod webhooks;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::get;
use tandem_engine::Secret;
use tokio::net::TcpListener;

pub use metrics::{MeteredPort, Metrics};
pub use runner::Runner;
pub use settings::ServerSettings;

use crate::auth::Auth;

/// The address `tandem run` and `tandem demo` serve on unless `--listen` sets another.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// The environment variable that contains the API token.
pub const TOKEN_VARIABLE: &str = "TANDEM_API_TOKEN";

/// The environment variable that contains the shared secret of the webhooks.
pub const WEBHOOK_SECRET_VARIABLE: &str = "TANDEM_WEBHOOK_SECRET";

/// The secrets the server checks requests against.
pub struct ServerSecrets {
    /// The token of the API and the login page.
    pub api_token: Secret,
    /// The shared secret that signs webhooks; without one, webhooks are off.
    pub webhook_secret: Option<Secret>,
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub runner: Arc<Runner>,
    pub auth: Arc<Auth>,
    pub pages: Arc<pages::Templates>,
    pub webhook_secret: Option<Secret>,
    pub settings: Arc<ServerSettings>,
}

/// A server bound to its address, not yet serving.
pub struct Server {
    listener: TcpListener,
    router: Router,
}

impl Server {
    /// Binds `listen` and builds the routes, plus the routes `extra` builds for the bound
    /// address, which bring their own authentication (the MCP gateway at `/mcp`). Port 0
    /// picks a free port; [`Server::address`] returns the one bound.
    pub async fn bind(
        listen: SocketAddr,
        runner: Arc<Runner>,
        secrets: ServerSecrets,
        settings: ServerSettings,
        extra: impl FnOnce(SocketAddr) -> Router,
    ) -> std::io::Result<Server> {
        let listener = TcpListener::bind(listen).await?;
        let extra = extra(listener.local_addr()?);
        let state = AppState {
            runner,
            auth: Arc::new(Auth::new(secrets.api_token)),
            pages: Arc::new(pages::Templates::new()),
            webhook_secret: secrets.webhook_secret,
            settings: Arc::new(settings),
        };
        Ok(Server {
            listener,
            router: router(state).merge(extra),
        })
    }

    /// Returns the address the server listens on.
    pub fn address(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes; requests in progress are finished first. Each
    /// request carries its peer address, which decides whether `X-Forwarded-Proto` is believed.
    pub async fn serve(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown)
            .await
    }
}

/// Builds every route: the open ones, the JSON API and the pages.
pub fn router(state: AppState) -> Router {
    let api = api::routes()
        .layer(middleware::map_response(api::json_rejections))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::require_api_access,
        ));
    let pages = pages::routes().layer(middleware::from_fn_with_state(
        state.clone(),
        auth::require_session,
    ));
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics_text))
        .route("/api/openapi.json", get(api::openapi))
        .merge(pages::login_routes())
        .merge(webhooks::routes())
        .nest("/api", api)
        .merge(pages)
        .layer(middleware::map_response(security_headers))
        .with_state(state)
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn metrics_text(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.runner.metrics().encode(),
    )
}

/// Adds headers that keep pages out of frames and stop browsers guessing content types.
async fn security_headers(mut response: axum::response::Response) -> axum::response::Response {
    let headers = response.headers_mut();
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    response
}
