//! Scopes and write policies: what a client may call, and what a write tool does when called.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;

/// What a write tool does when a client with the right scope calls it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WritePolicy {
    /// The write happens at once.
    Allowed,
    /// The tool only reports what it would do; nothing is written.
    DryRun,
    /// The call becomes a pending request that a person approves or rejects; only an approved
    /// request is carried out.
    Approval,
}

impl fmt::Display for WritePolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WritePolicy::Allowed => "allowed",
            WritePolicy::DryRun => "dry_run",
            WritePolicy::Approval => "approval",
        })
    }
}

/// The policy of every write tool: the configured ones, and approval for the rest.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicyTable {
    by_tool: BTreeMap<String, WritePolicy>,
}

impl PolicyTable {
    /// Builds the table from the configured policies, rejecting names that are not write
    /// tools, so a misspelt tool cannot silently keep the default.
    pub fn new(
        by_tool: BTreeMap<String, WritePolicy>,
        write_tools: &[&str],
    ) -> Result<PolicyTable, String> {
        if let Some(unknown) = by_tool.keys().find(|t| !write_tools.contains(&t.as_str())) {
            return Err(format!(
                "mcp.policy names {unknown:?}, which is not a write tool; expected one of {}",
                write_tools.join(", ")
            ));
        }
        Ok(PolicyTable { by_tool })
    }

    /// Returns the policy of a write tool.
    pub fn policy(&self, tool: &str) -> WritePolicy {
        self.by_tool
            .get(tool)
            .copied()
            .unwrap_or(WritePolicy::Approval)
    }
}

/// A client's scopes: reading, and writing per flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scopes {
    read: bool,
    write_all: bool,
    write_flows: Vec<String>,
}

impl Scopes {
    /// Parses scope names: `read`, `write:FLOW`, `write:*`.
    pub fn parse(names: &[String]) -> Result<Scopes, String> {
        let mut scopes = Scopes {
            read: false,
            write_all: false,
            write_flows: Vec::new(),
        };
        for name in names {
            match name.as_str() {
                "read" => scopes.read = true,
                "write:*" => scopes.write_all = true,
                other => match other.strip_prefix("write:") {
                    Some(flow) if !flow.is_empty() => scopes.write_flows.push(flow.to_string()),
                    _ => {
                        return Err(format!(
                            "unknown scope {other:?}; expected read, write:FLOW or write:*"
                        ));
                    }
                },
            }
        }
        Ok(scopes)
    }

    /// Returns true when the client may call read tools.
    pub fn can_read(&self) -> bool {
        self.read
    }

    /// Returns true when the client may write in `flow`.
    pub fn can_write(&self, flow: &str) -> bool {
        self.write_all || self.write_flows.iter().any(|f| f == flow)
    }

    /// Returns true when the client may write in some flow.
    pub fn can_write_any(&self) -> bool {
        self.write_all || !self.write_flows.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn unnamed_write_tool_needs_approval() {
        let table = PolicyTable::new(BTreeMap::new(), &["run_flow"]).unwrap();
        assert_eq!(table.policy("run_flow"), WritePolicy::Approval);
    }

    #[test]
    fn configured_policy_applies() {
        let by_tool = BTreeMap::from([("run_flow".to_string(), WritePolicy::DryRun)]);
        let table = PolicyTable::new(by_tool, &["run_flow", "replay_dead_letter"]).unwrap();
        assert_eq!(table.policy("run_flow"), WritePolicy::DryRun);
        assert_eq!(table.policy("replay_dead_letter"), WritePolicy::Approval);
    }

    #[test]
    fn policy_for_unknown_tool_is_rejected() {
        let by_tool = BTreeMap::from([("run_flows".to_string(), WritePolicy::Allowed)]);
        let error = PolicyTable::new(by_tool, &["run_flow"]).unwrap_err();
        assert!(error.contains("\"run_flows\""), "{error}");
    }

    #[test]
    fn write_scope_is_per_flow() {
        let scopes = Scopes::parse(&names(&["read", "write:account-customer"])).unwrap();
        assert!(scopes.can_read());
        assert!(scopes.can_write("account-customer"));
        assert!(!scopes.can_write("opportunity-to-sales-order"));
    }

    #[test]
    fn wildcard_write_scope_covers_every_flow() {
        let scopes = Scopes::parse(&names(&["write:*"])).unwrap();
        assert!(scopes.can_write("contact-contact"));
        assert!(!scopes.can_read());
    }

    #[test]
    fn read_scope_cannot_write() {
        let scopes = Scopes::parse(&names(&["read"])).unwrap();
        assert!(!scopes.can_write_any());
    }

    #[test]
    fn unknown_scope_is_rejected() {
        assert!(Scopes::parse(&names(&["admin"])).is_err());
        assert!(Scopes::parse(&names(&["write:"])).is_err());
    }
}
