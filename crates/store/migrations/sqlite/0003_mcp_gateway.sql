-- The MCP gateway's tables: client tokens (only their SHA-256 hash), write calls waiting for a
-- person's approval, and the log of every tool call. Only the gateway uses them.
CREATE TABLE IF NOT EXISTS mcp_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    calls_per_minute INTEGER,
    created_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS mcp_approvals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client TEXT NOT NULL,
    tool TEXT NOT NULL,
    flow TEXT,
    arguments TEXT NOT NULL,
    summary TEXT NOT NULL,
    status TEXT NOT NULL,
    decided_by TEXT,
    outcome TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE INDEX IF NOT EXISTS mcp_approvals_by_status ON mcp_approvals (status, id);

CREATE TABLE IF NOT EXISTS mcp_calls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    client TEXT NOT NULL,
    tool TEXT NOT NULL,
    arguments TEXT NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL
);
