-- The first schema of a Tandem store on SQLite. Every statement is idempotent, so a store
-- created before migrations were versioned is adopted as it is.

CREATE TABLE IF NOT EXISTS identities (
        system TEXT NOT NULL PRIMARY KEY,
        identity TEXT NOT NULL,
        recorded_at TEXT NOT NULL
    );

CREATE TABLE IF NOT EXISTS watermarks (
        flow TEXT NOT NULL,
        system TEXT NOT NULL,
        object TEXT NOT NULL,
        modified_at TEXT NOT NULL,
        record_id TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (flow, system, object)
    );

CREATE TABLE IF NOT EXISTS seen_records (
        system TEXT NOT NULL,
        object TEXT NOT NULL,
        id TEXT NOT NULL,
        link TEXT,
        name_key TEXT,
        email_key TEXT,
        field_values TEXT NOT NULL,
        processed_at TEXT,
        processed_fingerprint TEXT,
        PRIMARY KEY (system, object, id)
    );

CREATE INDEX IF NOT EXISTS seen_records_by_name ON seen_records (system, object, name_key);

CREATE INDEX IF NOT EXISTS seen_records_by_email ON seen_records (system, object, email_key);

CREATE INDEX IF NOT EXISTS seen_records_by_link ON seen_records (system, object, link);

CREATE TABLE IF NOT EXISTS xrefs (
        flow TEXT NOT NULL,
        ns_id TEXT NOT NULL,
        sf_id TEXT NOT NULL,
        ns_values TEXT NOT NULL,
        sf_values TEXT NOT NULL,
        ns_written TEXT,
        sf_written TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (flow, ns_id),
        UNIQUE (flow, sf_id)
    );

CREATE TABLE IF NOT EXISTS dead_letters (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        flow TEXT NOT NULL,
        source_system TEXT NOT NULL,
        source_id TEXT NOT NULL,
        target_id TEXT,
        action TEXT NOT NULL,
        payload TEXT NOT NULL,
        error TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'open',
        attempts INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );

CREATE INDEX IF NOT EXISTS dead_letters_by_flow ON dead_letters (flow, id);

CREATE INDEX IF NOT EXISTS dead_letters_by_source
        ON dead_letters (flow, source_system, source_id, status);

CREATE TABLE IF NOT EXISTS excluded_records (
        flow TEXT NOT NULL,
        system TEXT NOT NULL,
        id TEXT NOT NULL,
        reason TEXT NOT NULL,
        excluded_at TEXT NOT NULL,
        PRIMARY KEY (flow, system, id)
    );

CREATE TABLE IF NOT EXISTS reviews (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        flow TEXT NOT NULL,
        system TEXT NOT NULL,
        record_id TEXT NOT NULL,
        field_values TEXT NOT NULL,
        candidates TEXT NOT NULL,
        status TEXT NOT NULL,
        decision TEXT NOT NULL,
        decision_target TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );

CREATE INDEX IF NOT EXISTS reviews_by_record ON reviews (flow, system, record_id, status);

CREATE TABLE IF NOT EXISTS conflicts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        flow TEXT NOT NULL,
        ns_id TEXT NOT NULL,
        sf_id TEXT NOT NULL,
        netsuite_field TEXT NOT NULL,
        salesforce_field TEXT NOT NULL,
        synced_value TEXT NOT NULL,
        netsuite_value TEXT NOT NULL,
        salesforce_value TEXT NOT NULL,
        status TEXT NOT NULL,
        winner TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );

CREATE INDEX IF NOT EXISTS conflicts_by_field ON conflicts (flow, ns_id, netsuite_field, status);

CREATE TABLE IF NOT EXISTS audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        flow TEXT NOT NULL,
        kind TEXT NOT NULL,
        ns_id TEXT,
        sf_id TEXT,
        field TEXT,
        netsuite_value TEXT,
        salesforce_value TEXT,
        decision TEXT NOT NULL
    );

CREATE TABLE IF NOT EXISTS flow_values (
        flow TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (flow, key)
    );

CREATE TABLE IF NOT EXISTS runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        flow TEXT NOT NULL,
        status TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        counts TEXT,
        error TEXT
    );
