-- Which worker runs each flow, and until when (RFC 3339 text in UTC from the database's
-- clock). A worker that stops renewing its lease loses the flow to the next worker once
-- `expires_at` has passed.
CREATE TABLE IF NOT EXISTS flow_leases (
    flow TEXT NOT NULL PRIMARY KEY,
    worker TEXT,
    expires_at TEXT NOT NULL,
    taken_at TEXT NOT NULL
);
