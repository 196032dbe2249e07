//! Items deleted in NetSuite: their products and price book entries are deactivated.
//!
//! Each item record type has its own deletion watermark, kept as a flow value: the latest
//! deletion time handled. Every pass reads the deletions from that time less the read
//! overlap; deactivating is idempotent, so reading a deletion twice writes nothing.

use chrono::{DateTime, Utc};

use super::FLOW;
use super::catalog;
use crate::flows::support;
use crate::one_way::OneWaySpec;
use crate::pass::{Connections, PassError};
use crate::port::WriteResult;
use crate::record::{FieldValue, Fields, ObjectSpec, RecordUpdate, System};
use crate::report::PassReport;

/// Deactivates the products and entries of the items deleted since each record type's
/// deletion watermark, and advances the watermark unless a write must be tried again.
pub(super) async fn deactivate_deleted(
    spec: &OneWaySpec,
    connections: &Connections,
    report: &mut PassReport,
) -> Result<(), PassError> {
    let store = connections.store.as_ref();
    let port = connections.port(System::NetSuite);
    for object in &spec.objects {
        let key = watermark_key(&object.name);
        let watermark = store
            .flow_value(FLOW, &key)
            .await?
            .and_then(|text| DateTime::parse_from_rfc3339(&text).ok())
            .map(|time| time.with_timezone(&Utc));
        let since = watermark.map_or(DateTime::UNIX_EPOCH, |time| time - spec.overlap);
        let what = format!("NetSuite {} deletions", object.name);
        let deleted = connections
            .retry
            .run(&what, || port.deleted_since(object, since))
            .await?;
        let Some(latest) = deleted.iter().map(|record| record.deleted_at).max() else {
            continue;
        };
        let ids: Vec<String> = deleted.into_iter().map(|record| record.id).collect();
        let done = deactivate(connections, &ids, report).await?;
        if done && watermark.is_none_or(|time| latest > time) {
            store
                .set_flow_value(FLOW, &key, Some(&latest.to_rfc3339()))
                .await?;
        }
    }
    Ok(())
}

fn watermark_key(object: &str) -> String {
    format!("deleted-since:{object}")
}

/// Deactivates the products linked to the deleted items and all their entries. Returns
/// false when a write failed for a reason that may pass, so the deletions are read again.
async fn deactivate(
    connections: &Connections,
    ns_ids: &[String],
    report: &mut PassReport,
) -> Result<bool, PassError> {
    let mut products = Vec::new();
    for id in ns_ids {
        if let Some(product) = support::linked(connections, FLOW, System::NetSuite, id).await? {
            products.push(product);
        }
    }

    let entry_object = object("PricebookEntry", &["Product2Id", "IsActive"]);
    let entries = catalog::find(connections, &entry_object, "Product2Id", &products).await?;
    let product_object = object("Product2", &["IsActive"]);
    let current =
        catalog::read(connections, System::Salesforce, &product_object, &products).await?;

    let mut done = true;
    let mut deactivated = std::collections::BTreeSet::new();
    let active_entries = entries
        .iter()
        .filter(|entry| support::flag(&entry.fields, "IsActive"));
    let entry_results = turn_off(connections, &entry_object, active_entries.clone()).await?;
    for (entry, result) in active_entries.zip(entry_results) {
        match result {
            Ok(_) => {
                let product = support::text(&entry.fields, "Product2Id").unwrap_or_default();
                deactivated.insert(product.to_string());
            }
            Err(error) => done &= !error.is_transient(),
        }
    }

    let active_products = current
        .iter()
        .filter(|product| support::flag(&product.fields, "IsActive"));
    let product_results = turn_off(connections, &product_object, active_products.clone()).await?;
    for (product, result) in active_products.zip(product_results) {
        match result {
            Ok(_) => {
                deactivated.insert(product.id.clone());
            }
            Err(error) => done &= !error.is_transient(),
        }
    }

    report.deleted += deactivated.len() as u64;
    report.written += deactivated.len() as u64;
    Ok(done)
}

/// Sets `IsActive` to false on the records and returns one result per record. Failures are
/// logged with the record's Id.
async fn turn_off<'a>(
    connections: &Connections,
    object: &ObjectSpec,
    records: impl Iterator<Item = &'a crate::record::SourceRecord>,
) -> Result<Vec<WriteResult>, PassError> {
    let updates: Vec<RecordUpdate> = records
        .map(|record| RecordUpdate {
            id: record.id.clone(),
            fields: Fields::from([("IsActive".to_string(), FieldValue::Bool(false))]),
            link: None,
        })
        .collect();
    let ids: Vec<String> = updates.iter().map(|update| update.id.clone()).collect();
    let results = support::update(connections, System::Salesforce, object, updates).await?;
    for (id, result) in ids.iter().zip(&results) {
        if let Err(error) = result {
            tracing::warn!(flow = FLOW, object = %object.name, sf_id = %id, %error,
                "failed to deactivate the record of a deleted item");
        }
    }
    Ok(results)
}

fn object(name: &str, fields: &[&str]) -> ObjectSpec {
    ObjectSpec {
        name: name.to_string(),
        fields: fields.iter().map(|field| field.to_string()).collect(),
        link_field: String::new(),
    }
}
