// The MCP gateway's tables (client tokens, approval requests, the call log) and the look-ups
// over the engine's tables, in SQL that SQLite and PostgreSQL both run.

use async_trait::async_trait;
use chrono::Utc;
use tandem_engine::state::{
    ApprovalRequest, ApprovalStatus, GatewayCall, GatewayStore, LookupStore, RunRecord, SeenRecord,
    StoreError, StoredApproval, StoredGatewayCall, StoredToken,
};

use super::state::{column, failed, seen_from_row};
use super::{DbRow, Store};
use crate::codec::{json_text, parse_json, parse_time, time_text};

fn token_from_row(row: &DbRow) -> Result<StoredToken, StoreError> {
    let calls: Option<i64> = column(row, "calls_per_minute")?;
    Ok(StoredToken {
        id: column(row, "id")?,
        client: column(row, "client")?,
        token_hash: column(row, "token_hash")?,
        scopes: parse_json(&column::<String>(row, "scopes")?, "token scopes")?,
        calls_per_minute: calls.and_then(|calls| u32::try_from(calls).ok()),
        created_at: parse_time(&column::<String>(row, "created_at")?)?,
    })
}

fn approval_from_row(row: &DbRow) -> Result<StoredApproval, StoreError> {
    let status: String = column(row, "status")?;
    let request = ApprovalRequest {
        client: column(row, "client")?,
        tool: column(row, "tool")?,
        flow: column(row, "flow")?,
        arguments: parse_json(&column::<String>(row, "arguments")?, "approval arguments")?,
        summary: column(row, "summary")?,
    };
    Ok(StoredApproval {
        id: column(row, "id")?,
        created_at: parse_time(&column::<String>(row, "created_at")?)?,
        updated_at: parse_time(&column::<String>(row, "updated_at")?)?,
        status: status.parse().map_err(|message| StoreError {
            message,
            cause: None,
        })?,
        decided_by: column(row, "decided_by")?,
        outcome: column(row, "outcome")?,
        request,
    })
}

fn call_from_row(row: &DbRow) -> Result<StoredGatewayCall, StoreError> {
    Ok(StoredGatewayCall {
        id: column(row, "id")?,
        at: parse_time(&column::<String>(row, "at")?)?,
        call: GatewayCall {
            client: column(row, "client")?,
            tool: column(row, "tool")?,
            arguments: parse_json(&column::<String>(row, "arguments")?, "call arguments")?,
            outcome: column(row, "outcome")?,
            detail: column(row, "detail")?,
        },
    })
}

fn run_from_row(row: &DbRow) -> Result<RunRecord, StoreError> {
    let finished: Option<String> = column(row, "finished_at")?;
    let counts: Option<String> = column(row, "counts")?;
    Ok(RunRecord {
        id: column(row, "id")?,
        flow: column(row, "flow")?,
        status: column(row, "status")?,
        started_at: parse_time(&column::<String>(row, "started_at")?)?,
        finished_at: finished.as_deref().map(parse_time).transpose()?,
        counts: counts
            .as_deref()
            .map(|text| parse_json(text, "run counts"))
            .transpose()?,
        error: column(row, "error")?,
    })
}

/// Converts a row count limit to SQLite's integer, capping absurd values.
fn sql_limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

#[async_trait]
impl GatewayStore for Store {
    async fn add_token(
        &self,
        client: &str,
        token_hash: &str,
        scopes: &[String],
        calls_per_minute: Option<u32>,
    ) -> Result<i64, StoreError> {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO mcp_tokens (client, token_hash, scopes, calls_per_minute, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(client)
        .bind(token_hash)
        .bind(json_text(&scopes, "token scopes")?)
        .bind(calls_per_minute.map(i64::from))
        .bind(time_text(Utc::now()))
        .fetch_one(&self.pool)
        .await
        .map_err(failed("store a client token"))
    }

    async fn token_by_hash(&self, token_hash: &str) -> Result<Option<StoredToken>, StoreError> {
        let row = sqlx::query("SELECT * FROM mcp_tokens WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await
            .map_err(failed("read a client token"))?;
        row.as_ref().map(token_from_row).transpose()
    }

    async fn tokens(&self) -> Result<Vec<StoredToken>, StoreError> {
        let rows = sqlx::query("SELECT * FROM mcp_tokens ORDER BY id")
            .fetch_all(&self.pool)
            .await
            .map_err(failed("read the client tokens"))?;
        rows.iter().map(token_from_row).collect()
    }

    async fn revoke_tokens(&self, client: &str) -> Result<u64, StoreError> {
        let result = sqlx::query("DELETE FROM mcp_tokens WHERE client = $1")
            .bind(client)
            .execute(&self.pool)
            .await
            .map_err(failed("revoke client tokens"))?;
        Ok(result.rows_affected())
    }

    async fn add_approval(&self, request: &ApprovalRequest) -> Result<i64, StoreError> {
        let now = time_text(Utc::now());
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO mcp_approvals
                (client, tool, flow, arguments, summary, status, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(&request.client)
        .bind(&request.tool)
        .bind(&request.flow)
        .bind(request.arguments.to_string())
        .bind(&request.summary)
        .bind(ApprovalStatus::Pending.as_str())
        .bind(&now)
        .bind(&now)
        .fetch_one(&self.pool)
        .await
        .map_err(failed("store an approval request"))
    }

    async fn approvals(
        &self,
        status: Option<ApprovalStatus>,
    ) -> Result<Vec<StoredApproval>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM mcp_approvals WHERE ($1 IS NULL OR status = $1) ORDER BY id",
        )
        .bind(status.map(ApprovalStatus::as_str))
        .fetch_all(&self.pool)
        .await
        .map_err(failed("read approval requests"))?;
        rows.iter().map(approval_from_row).collect()
    }

    async fn approval(&self, id: i64) -> Result<Option<StoredApproval>, StoreError> {
        let row = sqlx::query("SELECT * FROM mcp_approvals WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(failed("read an approval request"))?;
        row.as_ref().map(approval_from_row).transpose()
    }

    async fn set_approval_status(
        &self,
        id: i64,
        from: ApprovalStatus,
        to: ApprovalStatus,
        decided_by: Option<&str>,
        outcome: Option<&str>,
    ) -> Result<bool, StoreError> {
        let result = sqlx::query(
            "UPDATE mcp_approvals SET status = $1, updated_at = $2,
                decided_by = COALESCE($3, decided_by), outcome = COALESCE($4, outcome)
             WHERE id = $5 AND status = $6",
        )
        .bind(to.as_str())
        .bind(time_text(Utc::now()))
        .bind(decided_by)
        .bind(outcome)
        .bind(id)
        .bind(from.as_str())
        .execute(&self.pool)
        .await
        .map_err(failed("change an approval request"))?;
        Ok(result.rows_affected() == 1)
    }

    async fn log_call(&self, call: &GatewayCall) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO mcp_calls (at, client, tool, arguments, outcome, detail)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(time_text(Utc::now()))
        .bind(&call.client)
        .bind(&call.tool)
        .bind(call.arguments.to_string())
        .bind(&call.outcome)
        .bind(&call.detail)
        .execute(&self.pool)
        .await
        .map_err(failed("log a tool call"))?;
        Ok(())
    }

    async fn calls(&self, limit: usize) -> Result<Vec<StoredGatewayCall>, StoreError> {
        let rows = sqlx::query("SELECT * FROM mcp_calls ORDER BY id DESC LIMIT $1")
            .bind(sql_limit(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(failed("read the call log"))?;
        rows.iter().map(call_from_row).collect()
    }
}

#[async_trait]
impl LookupStore for Store {
    async fn runs(&self, flow: Option<&str>, limit: usize) -> Result<Vec<RunRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM runs WHERE ($1 IS NULL OR flow = $1) ORDER BY id DESC LIMIT $2",
        )
        .bind(flow)
        .bind(sql_limit(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(failed("read the run history"))?;
        rows.iter().map(run_from_row).collect()
    }

    async fn search_seen(
        &self,
        text: &str,
        name_key: Option<&str>,
        email_key: Option<&str>,
        limit: usize,
    ) -> Result<Vec<SeenRecord>, StoreError> {
        // Mapped values are stored as a JSON object, so a whole text value appears quoted. The
        // length test finds it as a substring in both databases (SQLite has no `strpos`).
        let quoted = serde_json::Value::from(text).to_string();
        let rows = sqlx::query(
            "SELECT * FROM seen_records
             WHERE id = $1 OR link = $1 OR name_key = $2 OR email_key = $3
                OR length(field_values) <> length(replace(field_values, $4, ''))
             ORDER BY system, object, id LIMIT $5",
        )
        .bind(text)
        .bind(name_key)
        .bind(email_key)
        .bind(quoted)
        .bind(sql_limit(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(failed("search the seen records"))?;
        rows.iter().map(seen_from_row).collect()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use tandem_engine::state::StateStore;
    use tandem_engine::{FieldValue, Fields, System};

    use super::*;

    async fn store() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("t.db")).await.unwrap();
        (dir, store)
    }

    fn request() -> ApprovalRequest {
        ApprovalRequest {
            client: "desk".to_string(),
            tool: "run_flow".to_string(),
            flow: Some("account-customer".to_string()),
            arguments: json!({"flow": "account-customer"}),
            summary: "run one pass".to_string(),
        }
    }

    #[tokio::test]
    async fn approval_moves_only_from_expected_status() {
        let (_dir, store) = store().await;
        let id = store.add_approval(&request()).await.unwrap();
        let approved = store
            .set_approval_status(
                id,
                ApprovalStatus::Pending,
                ApprovalStatus::Approved,
                Some("ana"),
                None,
            )
            .await
            .unwrap();
        assert!(approved);
        let again = store
            .set_approval_status(
                id,
                ApprovalStatus::Pending,
                ApprovalStatus::Rejected,
                Some("bo"),
                None,
            )
            .await
            .unwrap();
        assert!(!again);
        let stored = store.approval(id).await.unwrap().unwrap();
        assert_eq!(stored.status, ApprovalStatus::Approved);
        assert_eq!(stored.decided_by.as_deref(), Some("ana"));
        assert_eq!(stored.request, request());
    }

    #[tokio::test]
    async fn approvals_filter_by_status() {
        let (_dir, store) = store().await;
        store.add_approval(&request()).await.unwrap();
        let pending = store
            .approvals(Some(ApprovalStatus::Pending))
            .await
            .unwrap();
        let done = store.approvals(Some(ApprovalStatus::Done)).await.unwrap();
        assert_eq!(pending.len(), 1);
        assert!(done.is_empty());
    }

    #[tokio::test]
    async fn token_found_by_hash_and_revoked() {
        let (_dir, store) = store().await;
        let scopes = vec!["read".to_string()];
        store
            .add_token("desk", "abc", &scopes, Some(9))
            .await
            .unwrap();
        let token = store.token_by_hash("abc").await.unwrap().unwrap();
        assert_eq!(token.client, "desk");
        assert_eq!(token.scopes, scopes);
        assert_eq!(token.calls_per_minute, Some(9));
        assert_eq!(store.revoke_tokens("desk").await.unwrap(), 1);
        assert!(store.token_by_hash("abc").await.unwrap().is_none());
    }

    #[tokio::test]
    async fn calls_come_newest_first() {
        let (_dir, store) = store().await;
        for tool in ["first", "second"] {
            let call = GatewayCall {
                client: "desk".to_string(),
                tool: tool.to_string(),
                arguments: json!({}),
                outcome: "ok".to_string(),
                detail: String::new(),
            };
            store.log_call(&call).await.unwrap();
        }
        let calls = store.calls(10).await.unwrap();
        assert_eq!(calls[0].call.tool, "second");
        assert_eq!(calls.len(), 2);
    }

    #[tokio::test]
    async fn search_finds_by_id_key_and_value() {
        let (_dir, store) = store().await;
        let mut values = Fields::new();
        values.insert(
            "tranId".to_string(),
            FieldValue::Text("SO-1042".to_string()),
        );
        let record = SeenRecord {
            system: System::NetSuite,
            object: "salesOrder".to_string(),
            id: "77".to_string(),
            link: Some("006A".to_string()),
            name_key: Some("acme".to_string()),
            email_key: None,
            values,
        };
        store.remember(&[record]).await.unwrap();
        for (text, name_key) in [
            ("77", None),
            ("006A", None),
            ("SO-1042", None),
            ("x", Some("acme")),
        ] {
            let found = store.search_seen(text, name_key, None, 5).await.unwrap();
            assert_eq!(found.len(), 1, "search for {text:?}");
        }
        let none = store.search_seen("SO-10", None, None, 5).await.unwrap();
        assert!(none.is_empty(), "a part of a value is no match");
    }

    #[tokio::test]
    async fn runs_come_newest_first() {
        let (_dir, store) = store().await;
        let first = store.start_run("account-customer").await.unwrap();
        store
            .finish_run(
                first,
                tandem_engine::state::RunStatus::Completed,
                &json!({"read": 3}),
                None,
            )
            .await
            .unwrap();
        store.start_run("contact-contact").await.unwrap();
        let runs = store.runs(None, 10).await.unwrap();
        assert_eq!(runs[0].flow, "contact-contact");
        let one = store.runs(Some("account-customer"), 10).await.unwrap();
        assert_eq!(one[0].counts, Some(json!({"read": 3})));
        assert_eq!(one[0].status, "completed");
    }
}
