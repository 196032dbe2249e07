//! The engine's [`RecordPort`] for NetSuite, over the SOAP client.
//!
//! Supported record types: those with a schema sequence and a search (`customer`, `contact`,
//! `salesOrder`, `invoice`, `customerPayment`, the sale items, `priceLevel`, `subsidiary`,
//! `term`) and `currency`, which NetSuite serves through `getAll` instead of a search.
//! Standard fields are named by element name (`companyName`), custom fields by script ID
//! (`custentity_region`), sublist lines as `itemList[].quantity` (see [`lists`]) and a
//! customer's billing address as `billingAddress.city` (see [`address`]). The link field is
//! the record's `externalId`. Writes go out as `upsertList` and `updateList` calls at
//! NetSuite's limit of 100 records each. A record type without `lastModifiedDate`
//! (`currency`, `priceLevel`, `subsidiary`, `term`) reads as modified at the Unix epoch, so a
//! change feed over it returns every record each time.
//!
//! NOTE: `location` is not supported yet, although the client can search it, because the
//! emulator the port is tested against does not serve locations.

mod address;
pub(crate) mod countries;
mod custom_fields;
mod describe;
mod fields;
mod lists;
mod lookup;
mod request;
mod service;
mod write;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tandem_engine::{
    DeletedRecord, ErrorClass, NewRecord, ObjectInfo, ObjectSpec, RecordPort, RecordUpdate,
    RemoteError, SourceRecord, System, WriteResult, Written,
};

use crate::client::NetSuiteClient;
use crate::error::Error;
use crate::operations::other::DeletedFilter;
use crate::operations::search::{
    Criterion, CriterionValue, DateOperator, SearchPreferences, SearchRecord, basic_group,
};
use crate::records::RecordRef;
use crate::schema::{ComplexType, schema};
use request::Requested;
pub use service::RecordService;

/// The engine's port over NetSuite's REST web services and SuiteQL.
pub type RestPort = NetSuitePort<crate::rest::RestClient>;

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
    "currency",
];

/// The only link field NetSuite records have here: the `externalId` attribute.
const LINK_FIELD: &str = "externalId";

/// NetSuite behind the engine's [`RecordPort`], over SOAP ([`NetSuiteClient`], the default)
/// or REST ([`crate::rest::RestClient`]).
#[derive(Debug, Clone)]
pub struct NetSuitePort<S: RecordService = NetSuiteClient> {
    client: S,
}

impl<S: RecordService> NetSuitePort<S> {
    /// Wraps a client.
    pub fn new(client: S) -> NetSuitePort<S> {
        NetSuitePort { client }
    }

    /// Returns the wrapped client.
    pub fn client(&self) -> &S {
        &self.client
    }
}

#[async_trait]
impl<S: RecordService> RecordPort for NetSuitePort<S> {
    fn system(&self) -> System {
        System::NetSuite
    }

    /// Returns the account ID in its passport form (`1234567_SB1`); no request is sent.
    async fn identity(&self) -> Result<String, RemoteError> {
        Ok(self.client.account_id())
    }

    /// Searches records with `lastModifiedDate` on or after `since`, every page, with
    /// sublists only when a line or billing address field is requested. A record type whose
    /// search has no `lastModifiedDate` criterion (`term`) returns every record, and
    /// `currency` is read whole with `getAll`.
    async fn changed_since(
        &self,
        object: &ObjectSpec,
        since: DateTime<Utc>,
    ) -> Result<Vec<SourceRecord>, RemoteError> {
        let (record_type, schema) = supported_schema(object)?;
        let plan = Requested::new(record_type, schema, &object.fields)?;
        let records = if lookup::READ_WHOLE.contains(&record_type) {
            self.client.get_all(record_type).await?
        } else {
            let preferences = SearchPreferences {
                body_fields_only: !plan.needs_sublists(),
                return_search_columns: false,
                page_size: self.client.page_size(),
            };
            let search = changes_search(record_type, since)?;
            self.client.search_all(&search, &preferences).await?
        };
        let zone = self.client.user_time_zone();
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
        let zone = self.client.user_time_zone();
        let built = write::build_new(record_type, schema, records, zone);
        write::write_all(&self.client, record_type, built, true).await
    }

    /// Updates the records by internal ID with `updateList`; a link sets the external ID,
    /// and `Null` values clear their fields. Customers whose billing address changes are
    /// read first with `getList`.
    async fn update(
        &self,
        object: &ObjectSpec,
        records: Vec<RecordUpdate>,
    ) -> Result<Vec<WriteResult>, RemoteError> {
        let (record_type, schema) = supported_schema(object)?;
        let built = write::build_updates(&self.client, record_type, schema, records).await?;
        write::write_all(&self.client, record_type, built, false).await
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

    /// Describes a supported record type from the embedded schema (see [`describe`]), with
    /// the custom fields the client can list (over REST, from the metadata catalog; over SOAP,
    /// with `getCustomizationId`). Custom fields not listed are still accepted by their `cust`
    /// prefix.
    async fn describe(&self, object: &str) -> Result<ObjectInfo, RemoteError> {
        let spec = ObjectSpec {
            name: object.to_string(),
            fields: Vec::new(),
            link_field: LINK_FIELD.to_string(),
        };
        let (record_type, schema) = supported_schema(&spec)?;
        let mut info = describe::describe(record_type, schema);
        let custom = self.client.custom_fields(record_type).await?;
        info.fields.extend(custom);
        Ok(info)
    }

    /// Reads the records with these internal IDs with `getList`, or `getAll` for `currency`.
    /// IDs that do not exist are left out.
    async fn read(
        &self,
        object: &ObjectSpec,
        ids: &[String],
    ) -> Result<Vec<SourceRecord>, RemoteError> {
        let (record_type, schema) = supported_schema(object)?;
        Ok(lookup::read(&self.client, record_type, schema, object, ids).await?)
    }

    /// Finds records by `internalId`, `externalId` or a text search field (see
    /// [`lookup::find`]).
    async fn find(
        &self,
        object: &ObjectSpec,
        field: &str,
        values: &[String],
    ) -> Result<Vec<SourceRecord>, RemoteError> {
        let (record_type, schema) = supported_schema(object)?;
        Ok(lookup::find(&self.client, record_type, schema, object, field, values).await?)
    }

    /// Finds records whose text search field contains `text` (see [`lookup::search_text`]).
    async fn search_text(
        &self,
        object: &ObjectSpec,
        field: &str,
        text: &str,
        limit: usize,
    ) -> Result<Vec<SourceRecord>, RemoteError> {
        let (record_type, schema) = supported_schema(object)?;
        Ok(lookup::search_text(
            &self.client,
            record_type,
            schema,
            object,
            field,
            text,
            limit,
        )
        .await?)
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
            .map(|outcome| write::result_of(record_type, outcome))
            .collect())
    }
}

/// Builds the search for records modified at or after `since`, or for every record when the
/// record type's search has no `lastModifiedDate` criterion.
fn changes_search(record_type: &str, since: DateTime<Utc>) -> Result<SearchRecord, Error> {
    let search = SearchRecord::new(record_type);
    if basic_group(record_type)?
        .field("lastModifiedDate")
        .is_none()
    {
        return Ok(search);
    }
    Ok(search.with(Criterion::new(
        "lastModifiedDate",
        CriterionValue::Date {
            operator: DateOperator::OnOrAfter,
            value: since,
            second: None,
        },
    )))
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
