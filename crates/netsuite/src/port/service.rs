//! The NetSuite operations the port is built on, served by either transport: the SOAP client
//! or the REST client (record service and SuiteQL).

use async_trait::async_trait;
use chrono_tz::Tz;
use tandem_engine::FieldInfo;

use crate::client::NetSuiteClient;
use crate::error::Error;
use crate::operations::other::{DeletedFilter, DeletedRecord};
use crate::operations::search::{SearchPreferences, SearchRecord};
use crate::records::{Record, RecordRef};
use crate::rest::RestClient;

/// Reads and writes [`Record`]s of one NetSuite account. List methods return one result per
/// input item in input order; the outer `Err` fails the whole call.
#[async_trait]
pub trait RecordService: std::fmt::Debug + Clone + Send + Sync + 'static {
    /// Returns the account ID in its passport form (`1234567_SB1`).
    fn account_id(&self) -> String;

    /// Returns the web services user's time zone, for date-only fields.
    fn user_time_zone(&self) -> Tz;

    /// Returns the records per search page.
    fn page_size(&self) -> u32;

    /// Reads records by internal ID (or external ID).
    async fn get_list(&self, references: &[RecordRef])
    -> Result<Vec<Result<Record, Error>>, Error>;

    /// Reads every record of a small list type (`currency`).
    async fn get_all(&self, record_type: &str) -> Result<Vec<Record>, Error>;

    /// Returns every record a search finds, over all pages.
    async fn search_all(
        &self,
        search: &SearchRecord,
        preferences: &SearchPreferences,
    ) -> Result<Vec<Record>, Error>;

    /// Adds or updates records keyed by their external IDs.
    async fn upsert_list(&self, records: &[Record])
    -> Result<Vec<Result<RecordRef, Error>>, Error>;

    /// Updates records by internal ID.
    async fn update_list(&self, records: &[Record])
    -> Result<Vec<Result<RecordRef, Error>>, Error>;

    /// Deletes records.
    async fn delete_list(
        &self,
        references: &[RecordRef],
    ) -> Result<Vec<Result<RecordRef, Error>>, Error>;

    /// Returns the records deleted in the filter's window.
    async fn get_deleted(&self, filter: &DeletedFilter) -> Result<Vec<DeletedRecord>, Error>;

    /// Returns the custom fields of a record type that the account lists, or none when the
    /// transport cannot list them.
    async fn custom_fields(&self, record_type: &str) -> Result<Vec<FieldInfo>, Error> {
        let _ = record_type;
        Ok(Vec::new())
    }
}

#[async_trait]
impl RecordService for NetSuiteClient {
    fn account_id(&self) -> String {
        self.config().passport_account()
    }

    fn user_time_zone(&self) -> Tz {
        self.config().user_time_zone
    }

    fn page_size(&self) -> u32 {
        self.config().page_size
    }

    /// Lists the custom fields with `getCustomizationId` and `getList`. When the role may not
    /// read customizations, none are listed and a warning is logged, so `describe` still works.
    async fn custom_fields(&self, record_type: &str) -> Result<Vec<FieldInfo>, Error> {
        match super::custom_fields::discover(self, record_type).await {
            Ok(fields) => Ok(fields),
            Err(error) => {
                tracing::warn!(%error, record_type, "custom fields not listed");
                Ok(Vec::new())
            }
        }
    }

    async fn get_list(
        &self,
        references: &[RecordRef],
    ) -> Result<Vec<Result<Record, Error>>, Error> {
        NetSuiteClient::get_list(self, references).await
    }

    async fn get_all(&self, record_type: &str) -> Result<Vec<Record>, Error> {
        NetSuiteClient::get_all(self, record_type).await
    }

    async fn search_all(
        &self,
        search: &SearchRecord,
        preferences: &SearchPreferences,
    ) -> Result<Vec<Record>, Error> {
        NetSuiteClient::search_all(self, search, preferences).await
    }

    async fn upsert_list(
        &self,
        records: &[Record],
    ) -> Result<Vec<Result<RecordRef, Error>>, Error> {
        NetSuiteClient::upsert_list(self, records).await
    }

    async fn update_list(
        &self,
        records: &[Record],
    ) -> Result<Vec<Result<RecordRef, Error>>, Error> {
        NetSuiteClient::update_list(self, records).await
    }

    async fn delete_list(
        &self,
        references: &[RecordRef],
    ) -> Result<Vec<Result<RecordRef, Error>>, Error> {
        NetSuiteClient::delete_list(self, references).await
    }

    async fn get_deleted(&self, filter: &DeletedFilter) -> Result<Vec<DeletedRecord>, Error> {
        NetSuiteClient::get_deleted(self, filter).await
    }
}

/// Over REST, each record is read and written with its own request, because the record
/// service has no list operations; the requests of one call run in parallel within the
/// account's concurrency limit. Searches run as SuiteQL queries for internal IDs.
#[async_trait]
impl RecordService for RestClient {
    fn account_id(&self) -> String {
        self.config().realm()
    }

    fn user_time_zone(&self) -> Tz {
        self.config().user_time_zone
    }

    fn page_size(&self) -> u32 {
        self.config().page_size
    }

    async fn get_list(
        &self,
        references: &[RecordRef],
    ) -> Result<Vec<Result<Record, Error>>, Error> {
        self.get_records(references, true).await
    }

    async fn get_all(&self, record_type: &str) -> Result<Vec<Record>, Error> {
        self.all_records(record_type).await
    }

    async fn search_all(
        &self,
        search: &SearchRecord,
        preferences: &SearchPreferences,
    ) -> Result<Vec<Record>, Error> {
        self.search_records(search, preferences).await
    }

    async fn upsert_list(
        &self,
        records: &[Record],
    ) -> Result<Vec<Result<RecordRef, Error>>, Error> {
        self.upsert_records(records).await
    }

    async fn update_list(
        &self,
        records: &[Record],
    ) -> Result<Vec<Result<RecordRef, Error>>, Error> {
        self.update_records(records).await
    }

    async fn delete_list(
        &self,
        references: &[RecordRef],
    ) -> Result<Vec<Result<RecordRef, Error>>, Error> {
        self.delete_records(references).await
    }

    async fn get_deleted(&self, filter: &DeletedFilter) -> Result<Vec<DeletedRecord>, Error> {
        self.deleted_records(filter).await
    }

    /// Reads the custom fields from the record type's metadata catalog.
    async fn custom_fields(&self, record_type: &str) -> Result<Vec<FieldInfo>, Error> {
        RestClient::custom_fields(self, record_type).await
    }
}
