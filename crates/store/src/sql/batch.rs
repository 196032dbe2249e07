// The engine's batched store calls in SQL that SQLite and PostgreSQL both run: one statement
// per chunk of rows, so a page of a thousand records costs a few round trips, not a thousand.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use sqlx::QueryBuilder;
use tandem_engine::System;
use tandem_engine::state::{AuditEntry, Processed, SeenRecord, StoreError, StoredConflict, Xref};

use super::queues::conflict_from_row;
use super::state::{SEEN_COLUMNS, column, failed, seen_from_row, xref_from_row};
use super::{Db, DbRow, Store};
use crate::codec::{fields_text, json_text, parse_time, time_text};

/// The maximum number of rows one statement reads or writes. At nine parameters per row, the
/// most any batched statement binds, a chunk stays well below the parameter limits of the
/// bundled SQLite (`SQLITE_MAX_VARIABLE_NUMBER`, 32,766 in 3.53) and of PostgreSQL's protocol
/// (65,535).
const CHUNK: usize = 500;

/// Appends `(value, value, ...)` with each value bound as a parameter.
fn push_list<'a>(query: &mut QueryBuilder<Db>, values: impl IntoIterator<Item = &'a str>) {
    query.push("(");
    let mut list = query.separated(", ");
    for value in values {
        list.push_bind(value.to_string());
    }
    list.push_unseparated(")");
}

/// Returns the column of `xrefs` that contains `system`'s record ID.
fn xref_column(system: System) -> &'static str {
    match system {
        System::NetSuite => "ns_id",
        System::Salesforce => "sf_id",
    }
}

/// Keeps the last of the items that share a key, in the order of their last occurrence. One
/// `INSERT ... ON CONFLICT DO UPDATE` may not touch a row twice, and the last write is the one
/// that sequential calls would leave.
fn last_of_each<T, K: Eq + std::hash::Hash>(items: &[T], key: impl Fn(&T) -> K) -> Vec<&T> {
    let mut last: HashMap<K, usize> = HashMap::new();
    for (index, item) in items.iter().enumerate() {
        last.insert(key(item), index);
    }
    let kept = items.iter().enumerate();
    kept.filter(|(index, item)| last.get(&key(item)) == Some(index))
        .map(|(_, item)| item)
        .collect()
}

/// A cross-reference as stored: the two IDs, when it was first saved, and the one from the
/// batch that replaces it, if any.
struct Pair {
    ns_id: String,
    sf_id: String,
    created_at: String,
    saved: Option<usize>,
}

/// The pairs of one flow as a batch of `save_xref` calls changes them, with an index by
/// either ID. Slots are never reused, so an index entry whose slot is empty is stale.
#[derive(Default)]
struct PairPlan {
    slots: Vec<Option<Pair>>,
    by_ns: HashMap<String, usize>,
    by_sf: HashMap<String, usize>,
}

impl PairPlan {
    fn place(&mut self, pair: Pair) {
        self.by_ns.insert(pair.ns_id.clone(), self.slots.len());
        self.by_sf.insert(pair.sf_id.clone(), self.slots.len());
        self.slots.push(Some(pair));
    }

    /// Removes the pairs that hold either ID and returns the oldest `created_at` among them.
    fn take(&mut self, ns_id: &str, sf_id: &str) -> Option<String> {
        let found = [self.by_ns.get(ns_id), self.by_sf.get(sf_id)];
        let slots: Vec<usize> = found.into_iter().flatten().copied().collect();
        let mut created_at: Option<String> = None;
        for slot in slots {
            let Some(pair) = self.slots[slot].take() else {
                continue;
            };
            if created_at.as_ref().is_none_or(|kept| pair.created_at < *kept) {
                created_at = Some(pair.created_at);
            }
        }
        created_at
    }
}

/// Plans a batch of `save_xref` calls on the stored pairs of one flow that hold any of the
/// batch's IDs: each xref removes the pairs holding either of its IDs and keeps the oldest
/// `created_at` among them. Returns the pairs left, which are the batch's own (every stored
/// pair contains an ID of the batch, so one of its xrefs removes it).
fn plan_xref_saves(stored: Vec<Pair>, xrefs: &[&Xref], now: &str) -> Vec<Pair> {
    let mut plan = PairPlan::default();
    for pair in stored {
        plan.place(pair);
    }
    for (index, xref) in xrefs.iter().enumerate() {
        let created_at = plan.take(&xref.ns_id, &xref.sf_id);
        plan.place(Pair {
            ns_id: xref.ns_id.clone(),
            sf_id: xref.sf_id.clone(),
            created_at: created_at.unwrap_or_else(|| now.to_string()),
            saved: Some(index),
        });
    }
    plan.slots.into_iter().flatten().collect()
}

impl Store {
    pub(super) async fn select_processed(
        &self,
        system: System,
        object: &str,
        ids: &[String],
    ) -> Result<HashMap<String, Processed>, StoreError> {
        let mut found = HashMap::new();
        for chunk in ids.chunks(CHUNK) {
            let mut query = QueryBuilder::<Db>::new(
                "SELECT id, processed_at, processed_fingerprint FROM seen_records WHERE system = ",
            );
            query.push_bind(system.as_str().to_string());
            query.push(" AND object = ");
            query.push_bind(object.to_string());
            query.push(" AND processed_at IS NOT NULL AND id IN ");
            push_list(&mut query, chunk.iter().map(String::as_str));
            let rows = query
                .build()
                .persistent(false)
                .fetch_all(&self.pool)
                .await
                .map_err(failed("read how far records were processed"))?;
            for row in &rows {
                let processed = Processed {
                    modified_at: parse_time(&column::<String>(row, "processed_at")?)?,
                    fingerprint: column::<Option<String>>(row, "processed_fingerprint")?
                        .unwrap_or_default(),
                };
                found.insert(column(row, "id")?, processed);
            }
        }
        Ok(found)
    }

    /// Writes the processed marks of records, the last one of each ID winning, in one
    /// transaction.
    pub(super) async fn upsert_processed(
        &self,
        system: System,
        object: &str,
        records: &[(String, Processed)],
    ) -> Result<(), StoreError> {
        let records = last_of_each(records, |(id, _)| id.clone());
        let mut transaction = self.begin().await?;
        for chunk in records.chunks(CHUNK) {
            let mut query = QueryBuilder::<Db>::new(
                "INSERT INTO seen_records
                    (system, object, id, field_values, processed_at, processed_fingerprint) ",
            );
            query.push_values(chunk, |mut row, (id, processed)| {
                row.push_bind(system.as_str().to_string());
                row.push_bind(object.to_string());
                row.push_bind(id.clone());
                row.push_bind("{}");
                row.push_bind(time_text(processed.modified_at));
                row.push_bind(processed.fingerprint.clone());
            });
            query.push(
                " ON CONFLICT (system, object, id) DO UPDATE SET
                    processed_at = excluded.processed_at,
                    processed_fingerprint = excluded.processed_fingerprint",
            );
            query
                .build()
                .persistent(false)
                .execute(&mut *transaction)
                .await
                .map_err(failed("mark records processed"))?;
        }
        transaction
            .commit()
            .await
            .map_err(failed("commit processed records"))
    }

    /// Writes records to the index of seen records, the last one of each key winning, in one
    /// transaction.
    pub(super) async fn upsert_seen(&self, records: &[SeenRecord]) -> Result<(), StoreError> {
        let records = last_of_each(records, |record| {
            (record.system, record.object.clone(), record.id.clone())
        });
        let mut values = Vec::with_capacity(records.len());
        for record in &records {
            values.push(fields_text(&record.values)?);
        }
        let rows: Vec<(&SeenRecord, String)> = records.into_iter().zip(values).collect();
        let mut transaction = self.begin().await?;
        for chunk in rows.chunks(CHUNK) {
            let mut query = QueryBuilder::<Db>::new(
                "INSERT INTO seen_records
                    (system, object, id, link, name_key, email_key, field_values) ",
            );
            query.push_values(chunk, |mut row, (record, values)| {
                row.push_bind(record.system.as_str().to_string());
                row.push_bind(record.object.clone());
                row.push_bind(record.id.clone());
                row.push_bind(record.link.clone());
                row.push_bind(record.name_key.clone());
                row.push_bind(record.email_key.clone());
                row.push_bind(values.clone());
            });
            query.push(
                " ON CONFLICT (system, object, id) DO UPDATE SET
                    link = excluded.link,
                    name_key = excluded.name_key,
                    email_key = excluded.email_key,
                    field_values = excluded.field_values",
            );
            query
                .build()
                .persistent(false)
                .execute(&mut *transaction)
                .await
                .map_err(failed("remember records"))?;
        }
        transaction
            .commit()
            .await
            .map_err(failed("commit remembered records"))
    }

    pub(super) async fn select_xrefs(
        &self,
        flow: &str,
        system: System,
        ids: &[String],
    ) -> Result<HashMap<String, Xref>, StoreError> {
        let mut found = HashMap::new();
        for chunk in ids.chunks(CHUNK) {
            let mut query = QueryBuilder::<Db>::new("SELECT * FROM xrefs WHERE flow = ");
            query.push_bind(flow.to_string());
            query.push(format_args!(" AND {} IN ", xref_column(system)));
            push_list(&mut query, chunk.iter().map(String::as_str));
            let rows = query
                .build()
                .persistent(false)
                .fetch_all(&self.pool)
                .await
                .map_err(failed("read cross-references"))?;
            for row in &rows {
                let xref = xref_from_row(row)?;
                found.insert(xref.id(system).to_string(), xref);
            }
        }
        Ok(found)
    }

    /// Reads the seen records of `system` and `object` that carry any of `links`, by link, in
    /// ID order.
    pub(super) async fn select_by_links(
        &self,
        system: System,
        object: &str,
        links: &[String],
    ) -> Result<HashMap<String, Vec<SeenRecord>>, StoreError> {
        let query_of = |chunk: &[String]| {
            let mut query = QueryBuilder::<Db>::new(format!(
                "SELECT {SEEN_COLUMNS} FROM seen_records WHERE system = "
            ));
            query.push_bind(system.as_str().to_string());
            query.push(" AND object = ");
            query.push_bind(object.to_string());
            query.push(" AND link IN ");
            push_list(&mut query, chunk.iter().map(String::as_str));
            query.push(" ORDER BY id");
            query
        };
        let link_of = |seen: &SeenRecord| seen.link.clone().unwrap_or_default();
        self.select_grouped(links, "find records by link", query_of, seen_from_row, link_of)
            .await
    }

    /// Reads which of `ids` are left out of `flow` on `system`'s side.
    pub(super) async fn select_excluded(
        &self,
        flow: &str,
        system: System,
        ids: &[String],
    ) -> Result<HashSet<String>, StoreError> {
        let mut found = HashSet::new();
        for chunk in ids.chunks(CHUNK) {
            let mut query =
                QueryBuilder::<Db>::new("SELECT id FROM excluded_records WHERE flow = ");
            query.push_bind(flow.to_string());
            query.push(" AND system = ");
            query.push_bind(system.as_str().to_string());
            query.push(" AND id IN ");
            push_list(&mut query, chunk.iter().map(String::as_str));
            let ids: Vec<String> = query
                .build_query_scalar()
                .persistent(false)
                .fetch_all(&self.pool)
                .await
                .map_err(failed("read which records are left out"))?;
            found.extend(ids);
        }
        Ok(found)
    }

    /// Saves cross-references as `save_xref` would one after another, in one transaction:
    /// per flow, reads the pairs that hold any of the batch's IDs, deletes them, and inserts
    /// the batch's pairs with the `created_at` each inherits.
    pub(super) async fn replace_xrefs(&self, xrefs: &[Xref]) -> Result<(), StoreError> {
        let mut flows: Vec<&str> = Vec::new();
        for xref in xrefs {
            if !flows.contains(&xref.flow.as_str()) {
                flows.push(&xref.flow);
            }
        }
        let now = time_text(Utc::now());
        let mut transaction = self.begin().await?;
        for flow in flows {
            let batch: Vec<&Xref> = xrefs.iter().filter(|xref| xref.flow == flow).collect();
            let stored = stored_pairs(&mut transaction, flow, &batch).await?;
            delete_pairs(&mut transaction, flow, &batch).await?;
            let pairs = plan_xref_saves(stored, &batch, &now);
            insert_pairs(&mut transaction, &batch, &pairs, &now).await?;
        }
        transaction
            .commit()
            .await
            .map_err(failed("commit cross-references"))
    }

    /// Reads the open and decided conflicts of the pairs holding `ns_ids`, by NetSuite ID,
    /// oldest first.
    pub(super) async fn read_pair_conflicts(
        &self,
        flow: &str,
        ns_ids: &[String],
    ) -> Result<HashMap<String, Vec<StoredConflict>>, StoreError> {
        let query_of = |chunk: &[String]| {
            let mut query = QueryBuilder::<Db>::new("SELECT * FROM conflicts WHERE flow = ");
            query.push_bind(flow.to_string());
            query.push(" AND status != 'done' AND ns_id IN ");
            push_list(&mut query, chunk.iter().map(String::as_str));
            query.push(" ORDER BY id");
            query
        };
        let ns_id_of = |stored: &StoredConflict| stored.conflict.ns_id.clone();
        let action = "read the conflicts of pairs";
        self.select_grouped(ns_ids, action, query_of, conflict_from_row, ns_id_of)
            .await
    }

    /// Runs the query that `query_of` builds for each chunk of `keys`, decodes its rows, and
    /// groups them by `key_of`, in the order of the rows. `action` names the read in errors.
    async fn select_grouped<T>(
        &self,
        keys: &[String],
        action: &str,
        query_of: impl Fn(&[String]) -> QueryBuilder<Db>,
        decode: impl Fn(&DbRow) -> Result<T, StoreError>,
        key_of: impl Fn(&T) -> String,
    ) -> Result<HashMap<String, Vec<T>>, StoreError> {
        let mut found: HashMap<String, Vec<T>> = HashMap::new();
        for chunk in keys.chunks(CHUNK) {
            let rows = query_of(chunk)
                .build()
                .persistent(false)
                .fetch_all(&self.pool)
                .await
                .map_err(failed(action))?;
            for row in &rows {
                let value = decode(row)?;
                found.entry(key_of(&value)).or_default().push(value);
            }
        }
        Ok(found)
    }

    /// Marks the open dead letters of the source records and action resolved, and returns
    /// the source ID of each letter resolved. Reads the letters first, so that a batch
    /// without any, the usual case, writes nothing.
    pub(super) async fn resolve_letters(
        &self,
        flow: &str,
        source_system: System,
        source_ids: &[String],
        action: &str,
    ) -> Result<Vec<String>, StoreError> {
        let mut resolved = Vec::new();
        for chunk in source_ids.chunks(CHUNK) {
            let mut query = QueryBuilder::<Db>::new("SELECT id FROM dead_letters WHERE flow = ");
            query.push_bind(flow.to_string());
            query.push(" AND source_system = ");
            query.push_bind(source_system.as_str().to_string());
            query.push(" AND action = ");
            query.push_bind(action.to_string());
            query.push(" AND status = 'open' AND source_id IN ");
            push_list(&mut query, chunk.iter().map(String::as_str));
            let ids: Vec<i64> = query
                .build_query_scalar()
                .persistent(false)
                .fetch_all(&self.pool)
                .await
                .map_err(failed("find the dead letters to resolve"))?;
            if ids.is_empty() {
                continue;
            }
            let mut query =
                QueryBuilder::<Db>::new("UPDATE dead_letters SET status = 'resolved', updated_at = ");
            query.push_bind(time_text(Utc::now()));
            // The status is tested again: a person may have discarded a letter meanwhile.
            query.push(" WHERE status = 'open' AND id IN (");
            let mut list = query.separated(", ");
            for id in ids {
                list.push_bind(id);
            }
            list.push_unseparated(") RETURNING source_id");
            let source_ids: Vec<String> = query
                .build_query_scalar()
                .persistent(false)
                .fetch_all(&self.pool)
                .await
                .map_err(failed("resolve dead letters"))?;
            resolved.extend(source_ids);
        }
        Ok(resolved)
    }

    /// Appends entries to the audit log in order, in one transaction.
    pub(super) async fn insert_audit(&self, entries: &[AuditEntry]) -> Result<(), StoreError> {
        let value = |value: &Option<tandem_engine::FieldValue>| {
            value
                .as_ref()
                .map(|value| json_text(value, "a field value"))
                .transpose()
        };
        let mut rows = Vec::with_capacity(entries.len());
        for entry in entries {
            let values = (value(&entry.netsuite_value)?, value(&entry.salesforce_value)?);
            rows.push((entry, values));
        }
        let at = time_text(Utc::now());
        let mut transaction = self.begin().await?;
        for chunk in rows.chunks(CHUNK) {
            let mut query = QueryBuilder::<Db>::new(
                "INSERT INTO audit_log (at, flow, kind, ns_id, sf_id, field, netsuite_value,
                                        salesforce_value, decision) ",
            );
            query.push_values(chunk, |mut row, (entry, (netsuite, salesforce))| {
                row.push_bind(at.clone());
                row.push_bind(entry.flow.clone());
                row.push_bind(entry.kind.clone());
                row.push_bind(entry.ns_id.clone());
                row.push_bind(entry.sf_id.clone());
                row.push_bind(entry.field.clone());
                row.push_bind(netsuite.clone());
                row.push_bind(salesforce.clone());
                row.push_bind(entry.decision.clone());
            });
            query
                .build()
                .persistent(false)
                .execute(&mut *transaction)
                .await
                .map_err(failed("append to the audit log"))?;
        }
        transaction
            .commit()
            .await
            .map_err(failed("commit audit entries"))
    }
}

type Transaction = sqlx::Transaction<'static, Db>;

/// Appends ` WHERE flow = ... AND (ns_id IN (...) OR sf_id IN (...))` for a chunk of xrefs.
fn push_pair_filter(query: &mut QueryBuilder<Db>, flow: &str, chunk: &[&Xref]) {
    query.push(" WHERE flow = ");
    query.push_bind(flow.to_string());
    query.push(" AND (ns_id IN ");
    push_list(query, chunk.iter().map(|xref| xref.ns_id.as_str()));
    query.push(" OR sf_id IN ");
    push_list(query, chunk.iter().map(|xref| xref.sf_id.as_str()));
    query.push(")");
}

/// Reads the stored pairs of `flow` that hold an ID of the batch.
async fn stored_pairs(
    transaction: &mut Transaction,
    flow: &str,
    batch: &[&Xref],
) -> Result<Vec<Pair>, StoreError> {
    let mut pairs: Vec<Pair> = Vec::new();
    let mut found: HashSet<String> = HashSet::new();
    for chunk in batch.chunks(CHUNK) {
        let mut query = QueryBuilder::<Db>::new("SELECT ns_id, sf_id, created_at FROM xrefs");
        push_pair_filter(&mut query, flow, chunk);
        let rows = query
            .build()
            .persistent(false)
            .fetch_all(&mut **transaction)
            .await
            .map_err(failed("read cross-references"))?;
        for row in &rows {
            let ns_id: String = column(row, "ns_id")?;
            // Two chunks can find the same pair.
            if !found.insert(ns_id.clone()) {
                continue;
            }
            pairs.push(Pair {
                ns_id,
                sf_id: column(row, "sf_id")?,
                created_at: column(row, "created_at")?,
                saved: None,
            });
        }
    }
    Ok(pairs)
}

/// Deletes the stored pairs of `flow` that hold an ID of the batch.
async fn delete_pairs(
    transaction: &mut Transaction,
    flow: &str,
    batch: &[&Xref],
) -> Result<(), StoreError> {
    for chunk in batch.chunks(CHUNK) {
        let mut query = QueryBuilder::<Db>::new("DELETE FROM xrefs");
        push_pair_filter(&mut query, flow, chunk);
        query
            .build()
            .persistent(false)
            .execute(&mut **transaction)
            .await
            .map_err(failed("replace cross-references"))?;
    }
    Ok(())
}

/// Inserts the pairs of the batch that `plan_xref_saves` left.
async fn insert_pairs(
    transaction: &mut Transaction,
    batch: &[&Xref],
    pairs: &[Pair],
    now: &str,
) -> Result<(), StoreError> {
    let mut rows = Vec::with_capacity(pairs.len());
    for pair in pairs {
        let Some(index) = pair.saved else { continue };
        let xref = batch[index];
        let values = (fields_text(&xref.ns_values)?, fields_text(&xref.sf_values)?);
        rows.push((xref, values, pair.created_at.clone()));
    }
    for chunk in rows.chunks(CHUNK) {
        let mut query = QueryBuilder::<Db>::new(
            "INSERT INTO xrefs (flow, ns_id, sf_id, ns_values, sf_values, ns_written,
                                sf_written, created_at, updated_at) ",
        );
        query.push_values(chunk, |mut row, (xref, (ns_values, sf_values), created_at)| {
            row.push_bind(xref.flow.clone());
            row.push_bind(xref.ns_id.clone());
            row.push_bind(xref.sf_id.clone());
            row.push_bind(ns_values.clone());
            row.push_bind(sf_values.clone());
            row.push_bind(xref.ns_written.clone());
            row.push_bind(xref.sf_written.clone());
            row.push_bind(created_at.clone());
            row.push_bind(now.to_string());
        });
        query
            .build()
            .persistent(false)
            .execute(&mut **transaction)
            .await
            .map_err(failed("store cross-references"))?;
    }
    Ok(())
}
