//! MCP gateway.
