//! Tandem's MCP gateway: sync look-ups and actions as Model Context Protocol tools for AI
//! agents, built on the official Rust SDK (`rmcp`).
//!
//! Every call is authenticated by a per-client token, rate limited per client, checked
//! against the client's scopes (`read`, `write:FLOW`), and logged with its arguments
//! (secrets removed) and outcome. Write tools follow a per-tool policy: allowed, dry run
//! only, or approval by a person first.
//!
//! Two transports serve the same [`Gateway`]: [`serve_stdio`] for desktop agents that start
//! `tandem mcp` themselves, and [`router`] for streamable HTTP at `/mcp`.

pub mod approvals;
pub mod auth;
mod gateway;
pub mod host;
pub mod limit;
pub mod live;
mod lookup;
pub mod policy;
pub mod redact;
mod resources;
pub mod settings;
mod tools;
mod transport;

pub use gateway::{Caller, Gateway, Governance};
pub use host::{GatewayBackend, Host, HostError};
pub use live::LivePorts;
pub use settings::{ClientSettings, McpSettings};
pub use tools::WRITE_TOOLS;
pub use transport::{router, serve_stdio};
