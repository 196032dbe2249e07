//! The engine's [`RecordPort`] for NetSuite, over the SOAP client.
//!
//! Supported record types: those with a schema sequence and a search (`customer`, `contact`,
//! `salesOrder`, `invoice`, `customerPayment`, the sale items, `priceLevel`, `subsidiary`,
//! `term`). Standard fields are named by element name (`companyName`), custom fields by
//! script ID (`custentity_region`); the link field is the record's `externalId`. Writes go
//! out as `upsertList` and `updateList` calls at NetSuite's limit of 100 records each.

mod fields;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tandem_engine::{
    DeletedRecord, ErrorClass, NewRecord, ObjectSpec, RecordPort, RecordUpdate, RemoteError,
    SourceRecord, System, WriteResult, Written,
};

use crate::client::NetSuiteClient;
use crate::error::Error;
use crate::operations::other::DeletedFilter;
use crate::operations::search::{
    Criterion, CriterionValue, DateOperator, SearchPreferences, SearchRecord,
};
use crate::records::{Record, RecordRef};
use crate::schema::{ComplexType, schema};

/// The record types the port reads and writes.
const SUPPORTED: &[&str] = &[
    "customer",
    "contact",
    "salesOrder",
    "invoice",
    "customerPayment",
    "inventoryItem",
    "nonInventorySaleItem",
    "serviceSaleItem",
    "priceLevel",
    "subsidiary",
    "term",
];

/// The only link field NetSuite records have here: the `externalId` attribute.
const LINK_FIELD: &str = "externalId";

/// NetSuite behind the engine's [`RecordPort`].
#[derive(Debug, Clone)]
pub struct NetSuitePort {
    client: NetSuiteClient,
}

impl NetSuitePort {
    /// Wraps a client.
    pub fn new(client: NetSuiteClient) -> NetSuitePort {
        NetSuitePort { client }
    }

    /// Returns the wrapped client.
    pub fn client(&self) -> &NetSuiteClient {
        &self.client
    }

    /// Sends the records that could be built with `upsertList` or `updateList` and puts
    /// every result, or the record's own error, at its position.
    async fn write_all(
        &self,
        record_type: &str,
        records: Vec<Result<Record, Error>>,
        upsert: bool,
    ) -> Result<Vec<WriteResult>, RemoteError> {
        let valid: Vec<Record> = records.iter().flatten().cloned().collect();
        let mut sent = if upsert {
            self.client.upsert_list(&valid).await?
        } else {
            self.client.update_list(&valid).await?
        }
        .into_iter();
        let mut results = Vec::with_capacity(records.len());
        for record in records {
            let outcome = match record {
                Ok(_) => sent.next().ok_or_else(|| {
                    Error::InvalidResponse("a list write returned too few results".to_string())
                })?,
                Err(error) => Err(error),
            };
            results.push(result_of(record_type, outcome));
        }
        Ok(results)
    }
}

/// Converts one record's outcome. A configuration error here comes from the record's own
/// fields (an unknown field, a value of the wrong type), because the client's settings were
/// checked when it was built, so other records can still be written.
fn result_of(record_type: &str, outcome: Result<RecordRef, Error>) -> WriteResult {
    match outcome {
        Ok(reference) => Ok(written(reference)),
        Err(error) => {
            // The engine decides what a refused record means and logs it; this is detail.
            tracing::debug!(
                record_type,
                code = %error.code(),
                %error,
                "NetSuite did not write a record"
            );
            Err(error.into())
        }
    }
}

#[async_trait]
impl RecordPort for NetSuitePort {
    fn system(&self) -> System {
        System::NetSuite
    }

    /// Returns the account ID in its passport form (`1234567_SB1`); no request is sent.
    async fn identity(&self) -> Result<String, RemoteError> {
        Ok(self.client.config().passport_account())
    }

    /// Searches records with `lastModifiedDate` on or after `since`, reading body fields
    /// only and every page.
    async fn changed_since(
        &self,
        object: &ObjectSpec,
        since: DateTime<Utc>,
    ) -> Result<Vec<SourceRecord>, RemoteError> {
        let (record_type, schema) = supported_schema(object)?;
        let search = SearchRecord::new(record_type).with(Criterion::new(
            "lastModifiedDate",
            CriterionValue::Date {
                operator: DateOperator::OnOrAfter,
                value: since,
                second: None,
            },
        ));
        let preferences = SearchPreferences {
            body_fields_only: true,
            return_search_columns: false,
            page_size: self.client.config().page_size,
        };
        let records = self.client.search_all(&search, &preferences).await?;
        let zone = self.client.config().user_time_zone;
        let changed = records
            .iter()
            .map(|record| fields::source_record(record_type, schema, &object.fields, record, zone))
            .collect::<Result<Vec<_>, Error>>()?;
        tracing::debug!(
            record_type,
            since = %since,
            records = changed.len(),
            "read changed NetSuite records"
        );
        Ok(changed)
    }

    /// Upserts the records with `upsertList`, each keyed by its link as the external ID.
    async fn create(
        &self,
        object: &ObjectSpec,
        records: Vec<NewRecord>,
    ) -> Result<Vec<WriteResult>, RemoteError> {
        let (record_type, schema) = supported_schema(object)?;
        let zone = self.client.config().user_time_zone;
        let built = records
            .into_iter()
            .map(|new| {
                let built = fields::record_from_fields(record_type, schema, &new.fields, zone);
                built.map(|mut record| {
                    record.external_id = Some(new.link);
                    record
                })
            })
            .collect();
        self.write_all(record_type, built, true).await
    }

    /// Updates the records by internal ID with `updateList`; a link sets the external ID,
    /// and `Null` values clear their fields.
    async fn update(
        &self,
        object: &ObjectSpec,
        records: Vec<RecordUpdate>,
    ) -> Result<Vec<WriteResult>, RemoteError> {
        let (record_type, schema) = supported_schema(object)?;
        let zone = self.client.config().user_time_zone;
        let built = records
            .into_iter()
            .map(|change| {
                let built = fields::record_from_fields(record_type, schema, &change.fields, zone);
                built.map(|mut record| {
                    record.internal_id = Some(change.id);
                    record.external_id = change.link;
                    record
                })
            })
            .collect();
        self.write_all(record_type, built, false).await
    }

    /// Reads `getDeleted` for the record type from `since` on, every page.
    async fn deleted_since(
        &self,
        object: &ObjectSpec,
        since: DateTime<Utc>,
    ) -> Result<Vec<DeletedRecord>, RemoteError> {
        let (record_type, _) = supported_schema(object)?;
        let filter = DeletedFilter {
            deleted_from: since,
            deleted_to: None,
            record_types: vec![record_type.to_string()],
        };
        let deleted = self.client.get_deleted(&filter).await?;
        Ok(deleted
            .into_iter()
            .filter_map(|record| {
                Some(DeletedRecord {
                    id: record.record.internal_id?,
                    deleted_at: record.deleted_at.unwrap_or(since),
                    merged_into: None,
                })
            })
            .collect())
    }

    /// Deletes the records by internal ID with `deleteList`.
    async fn delete(
        &self,
        object: &ObjectSpec,
        ids: Vec<String>,
    ) -> Result<Vec<WriteResult>, RemoteError> {
        let (record_type, _) = supported_schema(object)?;
        let references: Vec<RecordRef> = ids
            .iter()
            .map(|id| RecordRef::internal(record_type, id.clone()))
            .collect();
        let outcomes = self.client.delete_list(&references).await?;
        Ok(outcomes
            .into_iter()
            .map(|outcome| result_of(record_type, outcome))
            .collect())
    }
}

/// Returns the record type and schema of the object, or a configuration error naming the
/// supported types and link field.
fn supported_schema(
    object: &ObjectSpec,
) -> Result<(&'static str, &'static ComplexType), RemoteError> {
    let config_error = |message: String| {
        RemoteError::new(
            System::NetSuite,
            ErrorClass::Config,
            "INVALID_CONFIG",
            message,
        )
    };
    let record_type = SUPPORTED.iter().find(|name| **name == object.name).copied();
    let schema = record_type
        .and_then(|record_type| schema().record_fields(record_type))
        .zip(record_type)
        .ok_or_else(|| {
            config_error(format!(
                "NetSuite record type `{}` is not supported; supported: {}",
                object.name,
                SUPPORTED.join(", ")
            ))
        })?;
    if object.link_field != LINK_FIELD {
        return Err(config_error(format!(
            "NetSuite link field `{}` is not supported; use `{LINK_FIELD}`",
            object.link_field
        )));
    }
    let (schema, record_type) = schema;
    Ok((record_type, schema))
}

fn written(reference: RecordRef) -> Written {
    // `NetSuiteClient` rejects a successful write without an internal ID, so it is present.
    Written {
        id: reference.internal_id.unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests;
