//! The tools: look-ups in [`read`], actions in [`write`].

pub(crate) mod actions;
pub mod read;
pub mod write;

use rmcp::model::CallToolResult;
use serde_json::Value;

/// The tools that change something. They need a write scope for the flow they act on and
/// follow the write policy; every other tool needs the read scope.
pub const WRITE_TOOLS: &[&str] = &[
    "run_flow",
    "replay_dead_letter",
    "discard_dead_letter",
    "resolve_review",
    "resolve_conflict",
    "create_sales_order",
];

/// The flow that creates sales orders from won Opportunities.
pub const SALES_ORDER_FLOW: &str = "opportunity-to-sales-order";

/// Builds a successful tool result carrying `value` as structured content.
pub(crate) fn ok(value: Value) -> CallToolResult {
    CallToolResult::structured(value)
}

/// Shortens text to `max` characters, ending with `…` when cut.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut short: String = text.chars().take(max.saturating_sub(1)).collect();
    short.push('…');
    short
}
