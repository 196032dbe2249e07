//! Building the records of `create` and `update` and sending them as `upsertList` and
//! `updateList` calls.

use std::collections::HashMap;

use chrono_tz::Tz;
use tandem_engine::{FieldValue, Fields, NewRecord, RecordUpdate, RemoteError, WriteResult};

use super::RecordService;
use super::address::{self, BillingLine};
use super::fields::record_from_fields;
use super::written;
use crate::error::Error;
use crate::records::{Record, RecordRef};
use crate::schema::ComplexType;

/// A record ready to send, or the reason it cannot be.
type Built = Result<Record, RemoteError>;

/// Address field changes of one record, by address field.
type AddressChanges = Vec<(&'static str, FieldValue)>;

/// Builds the records of a create: each an upsert keyed by its link as the external ID, with
/// its billing address as the customer's only address line.
pub(super) fn build_new(
    record_type: &str,
    schema: &ComplexType,
    records: Vec<NewRecord>,
    zone: Tz,
) -> Vec<Built> {
    records
        .into_iter()
        .map(|new| -> Built {
            let (body, changes) = split_address(record_type, new.fields)?;
            let mut record = record_from_fields(record_type, schema, &body, zone)?;
            if !changes.is_empty() {
                let list = address::write_billing(None, &changes, true)?;
                record.fields.push(("addressbookList".to_string(), list));
            }
            record.external_id = Some(new.link);
            Ok(record)
        })
        .collect()
}

/// Builds the records of an update by internal ID. Records that change their billing address
/// are read first with `getList`, to learn the billing line's key and current values.
pub(super) async fn build_updates(
    client: &impl RecordService,
    record_type: &str,
    schema: &ComplexType,
    records: Vec<RecordUpdate>,
) -> Result<Vec<Built>, RemoteError> {
    let zone = client.user_time_zone();
    let split: Vec<Result<(RecordUpdate, Fields, AddressChanges), RemoteError>> = records
        .into_iter()
        .map(|mut update| -> Result<_, RemoteError> {
            let fields = std::mem::take(&mut update.fields);
            let (body, changes) = split_address(record_type, fields)?;
            Ok((update, body, changes))
        })
        .collect();
    let ids: Vec<&str> = split
        .iter()
        .flatten()
        .filter(|(_, _, changes)| !changes.is_empty())
        .map(|(update, _, _)| update.id.as_str())
        .collect();
    let lines = billing_lines(client, record_type, &ids).await?;
    Ok(split
        .into_iter()
        .map(|entry| -> Built {
            let (update, body, changes) = entry?;
            let mut record = record_from_fields(record_type, schema, &body, zone)?;
            if !changes.is_empty() {
                let current = lines.get(update.id.as_str()).cloned().unwrap_or(Ok(None))?;
                let list = address::write_billing(current.as_ref(), &changes, false)?;
                record.fields.push(("addressbookList".to_string(), list));
            }
            record.internal_id = Some(update.id);
            record.external_id = update.link;
            Ok(record)
        })
        .collect())
}

/// Moves the billing address fields out of `fields`.
fn split_address(record_type: &str, fields: Fields) -> Result<(Fields, AddressChanges), Error> {
    let mut body = Fields::new();
    let mut changes = Vec::new();
    for (name, value) in fields {
        match address::address_field(record_type, &name)? {
            Some(field) => changes.push((field, value)),
            None => {
                body.insert(name, value);
            }
        }
    }
    Ok((body, changes))
}

/// Reads the default billing lines of the records `ids` with `getList`. A record NetSuite
/// cannot read keeps its error, which becomes the result of its write.
async fn billing_lines(
    client: &impl RecordService,
    record_type: &str,
    ids: &[&str],
) -> Result<HashMap<String, Result<Option<BillingLine>, RemoteError>>, RemoteError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let references: Vec<RecordRef> = ids
        .iter()
        .map(|id| RecordRef::internal(record_type, *id))
        .collect();
    let reads = client.get_list(&references).await?;
    Ok(ids
        .iter()
        .zip(reads)
        .map(|(id, read)| {
            let line = read
                .map(|record| address::billing_line(&record))
                .map_err(RemoteError::from);
            (id.to_string(), line)
        })
        .collect())
}

/// Sends the records that could be built with `upsertList` or `updateList` and puts every
/// result, or the record's own error, at its position.
pub(super) async fn write_all(
    client: &impl RecordService,
    record_type: &str,
    records: Vec<Built>,
    upsert: bool,
) -> Result<Vec<WriteResult>, RemoteError> {
    let valid: Vec<Record> = records.iter().flatten().cloned().collect();
    let mut sent = if upsert {
        client.upsert_list(&valid).await?
    } else {
        client.update_list(&valid).await?
    }
    .into_iter();
    let mut results = Vec::with_capacity(records.len());
    for record in records {
        let outcome = match record {
            Ok(_) => sent.next().ok_or_else(|| {
                Error::InvalidResponse("a list write returned too few results".to_string())
            })?,
            Err(error) => {
                results.push(Err(refused(record_type, error)));
                continue;
            }
        };
        results.push(result_of(record_type, outcome));
    }
    Ok(results)
}

/// Converts one record's outcome. A configuration error here comes from the record's own
/// fields (an unknown field, a value of the wrong type), because the client's settings were
/// checked when it was built, so other records can still be written.
pub(super) fn result_of(record_type: &str, outcome: Result<RecordRef, Error>) -> WriteResult {
    match outcome {
        Ok(reference) => Ok(written(reference)),
        Err(error) => Err(refused(record_type, error.into())),
    }
}

fn refused(record_type: &str, error: RemoteError) -> RemoteError {
    // The engine decides what a refused record means and logs it; this is detail.
    tracing::debug!(
        record_type,
        code = %error.code,
        %error,
        "NetSuite did not write a record"
    );
    error
}
