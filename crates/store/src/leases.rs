//! Work shared by several workers on one PostgreSQL store.
//!
//! A worker runs a flow's pass only while it holds the flow's lease, a row of `flow_leases`
//! taken with `SELECT ... FOR UPDATE SKIP LOCKED` and valid until `expires_at`. The holder
//! renews it while the pass runs. A worker that dies stops renewing, so once its lease has
//! expired the next worker takes the flow over. So at most one live worker processes a
//! flow's records at a time. Lease times come from the database's clock, so the workers'
//! clocks do not have to agree.
//!
//! The NetSuite concurrency limit is shared the same way: a request in flight holds one of
//! `limit` advisory locks, so N workers together stay within the account's limit.

use std::time::Duration;

use sqlx::Row;
use tandem_engine::state::StoreError;

use crate::PostgresStore;

/// The database's current time in the store's time format (RFC 3339, UTC, microseconds).
const NOW: &str = r#"to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"#;

/// The database's time `$3` seconds from now, in the store's time format.
const NOW_PLUS_TTL: &str = r#"to_char((now() + make_interval(secs => $3)) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"#;

fn failed(what: &str) -> impl FnOnce(sqlx::Error) -> StoreError + '_ {
    move |error| StoreError::new(format!("cannot {what}"), error)
}

impl PostgresStore {
    /// Takes the lease of `flow` for `worker` for `ttl`, and returns false when another
    /// worker holds an unexpired lease on it (or is taking it at this moment).
    ///
    /// Taking a lease marks the flow's runs still recorded as running as interrupted: their
    /// worker stopped, since no other worker can run the flow while this one holds it.
    pub async fn take_flow_lease(
        &self,
        flow: &str,
        worker: &str,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let mut transaction = self.begin().await?;
        sqlx::query(
            "INSERT INTO flow_leases (flow, worker, expires_at, taken_at) VALUES ($1, NULL, '', '')
             ON CONFLICT (flow) DO NOTHING",
        )
        .bind(flow)
        .execute(&mut *transaction)
        .await
        .map_err(failed("create a flow lease"))?;

        let free = format!(
            "SELECT worker FROM flow_leases
             WHERE flow = $1 AND (worker IS NULL OR worker = $2 OR expires_at < {NOW})
             FOR UPDATE SKIP LOCKED"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(free))
            .bind(flow)
            .bind(worker)
            .fetch_optional(&mut *transaction)
            .await
            .map_err(failed("look for a free flow lease"))?;
        let Some(row) = row else {
            return Ok(false);
        };
        let previous: Option<String> = row
            .try_get("worker")
            .map_err(|error| StoreError::new("cannot read column worker", error))?;

        let take = format!(
            "UPDATE flow_leases SET worker = $2, expires_at = {NOW_PLUS_TTL}, taken_at = {NOW}
             WHERE flow = $1"
        );
        sqlx::query(sqlx::AssertSqlSafe(take))
            .bind(flow)
            .bind(worker)
            .bind(ttl.as_secs_f64())
            .execute(&mut *transaction)
            .await
            .map_err(failed("take a flow lease"))?;
        let interrupt = format!(
            "UPDATE runs SET status = 'interrupted', finished_at = {NOW},
                error = 'the worker stopped before the pass finished'
             WHERE flow = $1 AND status = 'running'"
        );
        let interrupted = sqlx::query(sqlx::AssertSqlSafe(interrupt))
            .bind(flow)
            .execute(&mut *transaction)
            .await
            .map_err(failed("close the interrupted runs of a flow"))?
            .rows_affected();
        transaction
            .commit()
            .await
            .map_err(failed("commit a flow lease"))?;

        if let Some(previous) = previous.filter(|previous| previous != worker) {
            tracing::warn!(
                flow,
                worker,
                previous,
                runs = interrupted,
                "took over the flow from a worker whose lease expired"
            );
        }
        Ok(true)
    }

    /// Extends `worker`'s lease of `flow` to `ttl` from now, and returns false when the
    /// worker no longer holds it (another worker took it over after it expired).
    pub async fn renew_flow_lease(
        &self,
        flow: &str,
        worker: &str,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let renew = format!(
            "UPDATE flow_leases SET expires_at = {NOW_PLUS_TTL} WHERE flow = $1 AND worker = $2"
        );
        let result = sqlx::query(sqlx::AssertSqlSafe(renew))
            .bind(flow)
            .bind(worker)
            .bind(ttl.as_secs_f64())
            .execute(&self.pool)
            .await
            .map_err(failed("renew a flow lease"))?;
        Ok(result.rows_affected() == 1)
    }

    /// Gives up `worker`'s lease of `flow`, so another worker may take it at once. Does
    /// nothing when the worker no longer holds it.
    pub async fn release_flow_lease(&self, flow: &str, worker: &str) -> Result<(), StoreError> {
        let release = format!(
            "UPDATE flow_leases SET worker = NULL, expires_at = {NOW} WHERE flow = $1 AND worker = $2"
        );
        sqlx::query(sqlx::AssertSqlSafe(release))
            .bind(flow)
            .bind(worker)
            .execute(&self.pool)
            .await
            .map_err(failed("release a flow lease"))?;
        Ok(())
    }
}

/// The advisory lock class of the NetSuite slots of the store in the current schema. The
/// two-key form keeps these locks apart from the store's single-key lock.
const SLOT_CLASS: &str = "hashtext('tandem-netsuite-slots:' || current_schema())";

/// One slot of the NetSuite concurrency limit shared by the workers of a store, held until
/// the value is dropped.
pub struct NetSuiteSlot {
    connection: Option<sqlx::pool::PoolConnection<sqlx::Postgres>>,
    slot: i32,
}

impl NetSuiteSlot {
    /// Returns the number of the slot, from 0 to the limit minus one.
    pub fn number(&self) -> i32 {
        self.slot
    }
}

impl Drop for NetSuiteSlot {
    fn drop(&mut self) {
        let Some(mut connection) = self.connection.take() else {
            return;
        };
        let slot = self.slot;
        let unlock = async move {
            let sql = format!("SELECT pg_advisory_unlock({SLOT_CLASS}, $1)");
            let unlocked = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(slot)
                .execute(&mut *connection)
                .await;
            if unlocked.is_err() {
                // A session that still holds the lock must not go back to the pool: closing
                // it makes PostgreSQL release the lock.
                connection.close_on_drop();
            }
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(unlock);
            }
            // Without a runtime the connection is dropped unreturned, which closes it.
            Err(_) => drop(unlock),
        }
    }
}

impl PostgresStore {
    /// Counts the slots of the shared NetSuite concurrency limit held now, by every worker on
    /// this store: the NetSuite requests in flight across all of them.
    pub async fn netsuite_slots_in_use(&self) -> Result<usize, StoreError> {
        // pg_locks shows the two keys of an advisory lock as classid and objid, with objsubid
        // 2; casting the int4 key to oid keeps its bits, as pg_locks does.
        let sql = format!(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
               AND objsubid = 2 AND classid = ({SLOT_CLASS})::oid
               AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        );
        let count: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(&self.pool)
            .await
            .map_err(failed("count the NetSuite slots in use"))?;
        Ok(usize::try_from(count).unwrap_or_default())
    }

    /// Waits for a free slot of the NetSuite concurrency limit shared by every worker on this
    /// store, `limit` slots in all, and returns it. A slot is a session advisory lock held on
    /// a pooled connection, so a worker that dies frees its slots with its sessions.
    ///
    /// NOTE: each slot in use keeps one of the pool's 16 connections, so a limit near 16
    /// leaves few connections for the store's own queries and slows them down.
    pub async fn netsuite_slot(&self, limit: usize) -> Result<NetSuiteSlot, StoreError> {
        let limit = i32::try_from(limit.max(1)).unwrap_or(i32::MAX);
        let sql = format!("SELECT pg_try_advisory_lock({SLOT_CLASS}, $1)");
        let mut wait = Duration::from_millis(5);
        loop {
            let mut connection = self
                .pool
                .acquire()
                .await
                .map_err(failed("get a connection for a NetSuite slot"))?;
            // Start at a different slot each time, so workers do not all probe slot 0 first.
            let start = std::process::id() as i32 % limit;
            for offset in 0..limit {
                let slot = (start + offset) % limit;
                let taken: bool = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()))
                    .bind(slot)
                    .fetch_one(&mut *connection)
                    .await
                    .map_err(failed("take a NetSuite slot"))?;
                if taken {
                    return Ok(NetSuiteSlot {
                        connection: Some(connection),
                        slot,
                    });
                }
            }
            drop(connection);
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(Duration::from_millis(200));
        }
    }
}
