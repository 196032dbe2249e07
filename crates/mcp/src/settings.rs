//! The `[mcp]` section of the configuration file: clients with their tokens and scopes, the
//! rate limit, and the policy of each write tool.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::policy::WritePolicy;

/// Calls per minute a client may make when neither it nor the section sets a limit.
pub const DEFAULT_CALLS_PER_MINUTE: u32 = 60;

/// The gateway's settings.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct McpSettings {
    /// Calls per minute each client may make, unless its own entry sets another limit.
    #[serde(default = "default_calls_per_minute")]
    pub calls_per_minute: u32,
    /// Clients whose token comes from an environment variable. Tokens made with
    /// `tandem mcp token create` live in the store instead.
    #[serde(default)]
    pub clients: Vec<ClientSettings>,
    /// What each write tool may do, by tool name: `allowed`, `dry_run` or `approval`. A write
    /// tool not named here needs approval.
    #[serde(default)]
    pub policy: BTreeMap<String, WritePolicy>,
}

impl Default for McpSettings {
    fn default() -> McpSettings {
        McpSettings {
            calls_per_minute: DEFAULT_CALLS_PER_MINUTE,
            clients: Vec::new(),
            policy: BTreeMap::new(),
        }
    }
}

fn default_calls_per_minute() -> u32 {
    DEFAULT_CALLS_PER_MINUTE
}

/// A client whose token is read from the environment.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ClientSettings {
    /// The client's name in the call log and on approval requests.
    pub name: String,
    /// The environment variable that holds the client's token.
    pub token_env: String,
    /// `read`, `write:FLOW` (write tools of one flow) or `write:*` (of every flow).
    pub scopes: Vec<String>,
    /// Calls per minute for this client, replacing the section's limit.
    pub calls_per_minute: Option<u32>,
}
