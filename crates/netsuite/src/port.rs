//! The engine's [`RecordPort`] for NetSuite, over the SOAP client.
//!
//! Supported record types: `customer`. Standard fields are named by element name
//! (`companyName`), custom fields by script ID (`custentity_region`); the link field is the
//! record's `externalId`.

mod fields;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tandem_engine::{
    ErrorClass, NewRecord, ObjectSpec, RecordPort, RecordUpdate, RemoteError, SourceRecord, System,
    WriteResult, Written,
};

use crate::client::NetSuiteClient;
use crate::error::Error;
use crate::operations::search::{
    Criterion, CriterionValue, DateOperator, SearchPreferences, SearchRecord,
};
use crate::records::{Record, RecordRef, RecordSchema, schema_for};

/// The record types the port reads and writes.
const SUPPORTED: &[&str] = &["customer"];

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

    async fn write_one(
        &self,
        schema: &'static RecordSchema,
        record: Result<Record, Error>,
        upsert: bool,
    ) -> Result<WriteResult, RemoteError> {
        let outcome = match record {
            Ok(record) if upsert => self.client.upsert(&record).await,
            Ok(record) => self.client.update(&record).await,
            Err(error) => Err(error),
        };
        match outcome {
            Ok(reference) => Ok(Ok(written(reference))),
            // The client's settings were checked when it was built, so a configuration error
            // here comes from this record's fields (an unknown field, a value of the wrong
            // type) and other records can still be written.
            Err(error) if error.is_record_level() || matches!(error, Error::Config(_)) => {
                // The engine decides what a refused record means and logs it; this is detail.
                tracing::debug!(
                    record_type = schema.record_type,
                    code = %error.code(),
                    %error,
                    "NetSuite did not write a record"
                );
                Ok(Err(error.into()))
            }
            Err(error) => Err(error.into()),
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
        let schema = supported_schema(object)?;
        let search = SearchRecord::new(schema.record_type).with(Criterion::new(
            "lastModifiedDate",
            CriterionValue::Date {
                operator: DateOperator::OnOrAfter,
                value: since,
                second: None,
            },
        ));
        let preferences = SearchPreferences {
            body_fields_only: true,
            page_size: self.client.config().page_size,
        };
        let records = self.client.search_all(&search, &preferences).await?;
        let changed = records
            .iter()
            .map(|record| fields::source_record(schema, &object.fields, record))
            .collect::<Result<Vec<_>, Error>>()?;
        tracing::debug!(
            record_type = schema.record_type,
            since = %since,
            records = changed.len(),
            "read changed NetSuite records"
        );
        Ok(changed)
    }

    /// Upserts each record keyed by its link as the external ID.
    ///
    /// NOTE: each record is one `upsert` call; batching into `upsertList` (up to 100
    /// records) and a limit on concurrent calls are not done yet.
    async fn create(
        &self,
        object: &ObjectSpec,
        records: Vec<NewRecord>,
    ) -> Result<Vec<WriteResult>, RemoteError> {
        let schema = supported_schema(object)?;
        let mut results = Vec::with_capacity(records.len());
        for new in records {
            let record = fields::record_from_fields(schema, &new.fields).map(|mut record| {
                record.external_id = Some(new.link.clone());
                record
            });
            results.push(self.write_one(schema, record, true).await?);
        }
        Ok(results)
    }

    /// Updates each record by internal ID; a link sets the external ID, and `Null` values
    /// clear their fields.
    async fn update(
        &self,
        object: &ObjectSpec,
        records: Vec<RecordUpdate>,
    ) -> Result<Vec<WriteResult>, RemoteError> {
        let schema = supported_schema(object)?;
        let mut results = Vec::with_capacity(records.len());
        for change in records {
            let record = fields::record_from_fields(schema, &change.fields).map(|mut record| {
                record.internal_id = Some(change.id.clone());
                record.external_id = change.link.clone();
                record
            });
            results.push(self.write_one(schema, record, false).await?);
        }
        Ok(results)
    }
}

/// Returns the schema of the object's record type, or a configuration error naming the
/// supported types and link field.
fn supported_schema(object: &ObjectSpec) -> Result<&'static RecordSchema, RemoteError> {
    let config_error = |message: String| {
        RemoteError::new(
            System::NetSuite,
            ErrorClass::Config,
            "INVALID_CONFIG",
            message,
        )
    };
    let schema = SUPPORTED
        .contains(&object.name.as_str())
        .then(|| schema_for(&object.name))
        .flatten()
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
    Ok(schema)
}

fn written(reference: RecordRef) -> Written {
    // `NetSuiteClient` rejects a successful write without an internal ID, so it is present.
    Written {
        id: reference.internal_id.unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests;
