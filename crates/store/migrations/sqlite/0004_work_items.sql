-- Work passes and their items: the records of one pass of a flow, in batches that workers
-- lease. A SQLite store has one process, so one worker, but it runs the same code as the
-- workers of a PostgreSQL store. An item is free while `worker` is NULL or `expires_at` has
-- passed, and done once `result` is set.
CREATE TABLE IF NOT EXISTS work_passes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    flow TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS work_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pass_id INTEGER NOT NULL REFERENCES work_passes (id) ON DELETE CASCADE,
    payload TEXT NOT NULL,
    worker TEXT,
    expires_at TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 0,
    result TEXT
);

CREATE INDEX IF NOT EXISTS work_items_by_pass ON work_items (pass_id, id);
