//! The customers to refresh besides the changed ones. A customer's balance changes with its
//! transactions while its own modification time stays the same. So each pass also reads the
//! invoices, sales orders and customer payments changed since the last pass and refreshes their
//! customers. Every `full_refresh_hours`, it reads every customer.
//!
//! The flow keeps its own watermark per transaction type in the store (`since:<record type>`)
//! and the time of the last full refresh (`full-refresh-at`). Both are stored only after a pass
//! has recorded every outcome without deferring a record, so a pass that stops early, or that
//! leaves a customer for later, reads the same transactions again.

use std::collections::{BTreeSet, HashSet};
use std::sync::Mutex;

use chrono::{DateTime, TimeDelta, Utc};

use super::{CUSTOMER, FLOW};
use crate::flows::{account_customer, support};
use crate::one_way::{OneWaySpec, SourceItem};
use crate::pass::{Connections, PassError};
use crate::record::{ObjectSpec, SourceRecord, System};

/// The transactions whose changes refresh a customer, with the field that names it.
pub(super) const TRANSACTIONS: [(&str, &str); 3] = [
    ("invoice", "entity"),
    ("salesOrder", "entity"),
    ("customerPayment", "customer"),
];

const FULL_REFRESH_KEY: &str = "full-refresh-at";

/// The maximum number of customers one read by ID requests.
const READ_CHUNK: usize = 200;

/// The state a pass stores once it ends without deferring a record.
#[derive(Debug, Default)]
struct Pending {
    /// New watermarks, as `(record type, time)`.
    marks: Vec<(String, DateTime<Utc>)>,
    full_refresh_at: Option<DateTime<Utc>>,
}

/// The refresh state of the pass in progress.
#[derive(Debug, Default)]
pub(super) struct Refresh {
    pending: Mutex<Option<Pending>>,
}

impl Refresh {
    fn set_pending(&self, pending: Option<Pending>) {
        *self.pending.lock().unwrap_or_else(|p| p.into_inner()) = pending;
    }

    /// Forgets what an earlier pass that stopped early meant to store.
    pub fn reset(&self) {
        self.set_pending(None);
    }

    /// Returns the linked customers that this pass refreshes besides `changed`: those of
    /// changed transactions and, when due, every customer.
    pub async fn related(
        &self,
        spec: &OneWaySpec,
        connections: &Connections,
        full_refresh_hours: u32,
        changed: &[SourceItem],
    ) -> Result<Vec<SourceItem>, PassError> {
        let now = Utc::now();
        let mut pending = Pending::default();
        let mut queued: HashSet<String> = changed.iter().map(|i| i.record.id.clone()).collect();
        let mut found = Vec::new();

        let customers_since = connections
            .store
            .watermark(FLOW, System::NetSuite, &spec.objects[CUSTOMER].name)
            .await?
            .map(|watermark| watermark.modified_at);
        if full_refresh_due(connections, full_refresh_hours, now).await? {
            pending.full_refresh_at = Some(now);
            // The first pass reads every customer through the change feed already.
            if customers_since.is_some() {
                let all = read_all(spec, connections).await?;
                tracing::info!(flow = FLOW, customers = all.len(), "full refresh");
                found.extend(all.into_iter().filter(|r| queued.insert(r.id.clone())));
            }
        }

        let customers =
            transaction_customers(spec, connections, customers_since, &mut pending).await?;
        let ids: Vec<String> = customers
            .into_iter()
            .filter(|id| queued.insert(id.clone()))
            .collect();
        found.extend(read_customers(spec, connections, ids).await?);

        self.set_pending(Some(pending));
        let mut items = Vec::new();
        for record in found {
            if support::linked(
                connections,
                account_customer::FLOW,
                System::NetSuite,
                &record.id,
            )
            .await?
            .is_some()
            {
                items.push(SourceItem {
                    object: CUSTOMER,
                    record,
                });
            }
        }
        Ok(items)
    }

    /// Stores the watermarks and the full refresh time of a pass that deferred nothing.
    pub async fn commit(&self, connections: &Connections, deferred: u64) -> Result<(), PassError> {
        let pending = self
            .pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        let Some(pending) = pending else {
            return Ok(());
        };
        if deferred > 0 {
            tracing::info!(
                flow = FLOW,
                deferred,
                "transactions are read again next pass"
            );
            return Ok(());
        }
        let store = connections.store.as_ref();
        for (object, mark) in pending.marks {
            let value = mark.to_rfc3339();
            store
                .set_flow_value(FLOW, &format!("since:{object}"), Some(&value))
                .await?;
        }
        if let Some(at) = pending.full_refresh_at {
            store
                .set_flow_value(FLOW, FULL_REFRESH_KEY, Some(&at.to_rfc3339()))
                .await?;
        }
        Ok(())
    }
}

/// Returns a stored time, or `None` when it is missing or not a valid RFC 3339 time.
async fn stored_time(
    connections: &Connections,
    key: &str,
) -> Result<Option<DateTime<Utc>>, PassError> {
    let value = connections.store.flow_value(FLOW, key).await?;
    Ok(value
        .and_then(|value| DateTime::parse_from_rfc3339(&value).ok())
        .map(|time| time.with_timezone(&Utc)))
}

async fn full_refresh_due(
    connections: &Connections,
    hours: u32,
    now: DateTime<Utc>,
) -> Result<bool, PassError> {
    if hours == 0 {
        return Ok(false);
    }
    let last = stored_time(connections, FULL_REFRESH_KEY).await?;
    Ok(last.is_none_or(|last| now - last >= TimeDelta::hours(i64::from(hours))))
}

/// Reads every customer.
async fn read_all(
    spec: &OneWaySpec,
    connections: &Connections,
) -> Result<Vec<SourceRecord>, PassError> {
    let object = &spec.objects[CUSTOMER];
    let port = connections.port(System::NetSuite);
    Ok(connections
        .retry
        .run("NetSuite customers, full refresh", || {
            port.changed_since(object, DateTime::UNIX_EPOCH)
        })
        .await?)
}

/// Returns the customers of the transactions changed since each watermark, and notes the new
/// watermarks. A transaction type without a watermark of its own starts at the customers'
/// watermark (`customers_since`), which is in NetSuite's clock as the transactions' times are;
/// before the first customer is read there is nothing to refresh.
async fn transaction_customers(
    spec: &OneWaySpec,
    connections: &Connections,
    customers_since: Option<DateTime<Utc>>,
    pending: &mut Pending,
) -> Result<BTreeSet<String>, PassError> {
    let port = connections.port(System::NetSuite);
    let mut customers = BTreeSet::new();
    for (name, field) in TRANSACTIONS {
        let stored = stored_time(connections, &format!("since:{name}")).await?;
        let Some(since) = stored.or(customers_since) else {
            continue;
        };
        let object = ObjectSpec {
            name: name.to_string(),
            fields: vec![field.to_string()],
            link_field: "externalId".to_string(),
        };
        let what = format!("NetSuite {name} changes");
        let from = since - spec.overlap;
        let records = connections
            .retry
            .run(&what, || port.changed_since(&object, from))
            .await?;
        let newest = records.iter().map(|r| r.modified_at).max();
        pending
            .marks
            .push((name.to_string(), newest.map_or(since, |n| n.max(since))));
        let named = records
            .iter()
            .filter_map(|r| support::text(&r.fields, field));
        customers.extend(named.map(str::to_string));
    }
    Ok(customers)
}

/// Reads customers by internal ID, a chunk at a time.
async fn read_customers(
    spec: &OneWaySpec,
    connections: &Connections,
    ids: Vec<String>,
) -> Result<Vec<SourceRecord>, PassError> {
    let object = &spec.objects[CUSTOMER];
    let port = connections.port(System::NetSuite);
    let mut records = Vec::new();
    for chunk in ids.chunks(READ_CHUNK) {
        let found = connections
            .retry
            .run("NetSuite customers of changed transactions", || {
                port.read(object, chunk)
            })
            .await?;
        records.extend(found);
    }
    Ok(records)
}
