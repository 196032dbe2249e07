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
