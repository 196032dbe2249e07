-- Which worker runs each flow, and until when. Only PostgreSQL stores, which several workers
-- share, use it; SQLite stores get the table too so both schemas stay the same.
CREATE TABLE IF NOT EXISTS flow_leases (
    flow TEXT NOT NULL PRIMARY KEY,
    worker TEXT,
    expires_at TEXT NOT NULL,
    taken_at TEXT NOT NULL
);
