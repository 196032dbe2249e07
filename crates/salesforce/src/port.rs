//! [`RecordPort`] for Salesforce: the engine's only way to read and write sObjects.

mod read;
mod write;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tandem_engine::{
    ApiUsage, DeletedRecord, NewRecord, ObjectSpec, RecordPort, RecordUpdate, RemoteError,
    SourceRecord, System, WriteResult,
};

use crate::client::SalesforceClient;

/// Reads and writes records of any sObject type named in an [`ObjectSpec`] through a
/// [`SalesforceClient`].
///
/// - `changed_since` selects `Id`, `SystemModstamp`, the link field and the spec's fields where
///   `SystemModstamp >= since`, ordered by `SystemModstamp, Id`, over all pages.
/// - `create` upserts each record on the link field, one call per record, so a repeated create
///   updates the record it created before.
/// - `update` sends sObject Collections updates of up to 200 records.
///
/// Errors that concern one record come back inside the result list. Errors of a whole call
/// (login, transport, HTTP 401, 403 or 5xx, an unknown link field) fail the whole method.
#[derive(Debug)]
pub struct SalesforcePort {
    client: SalesforceClient,
}

impl SalesforcePort {
    /// Creates a port that sends its requests through `client`.
    pub fn new(client: SalesforceClient) -> SalesforcePort {
        SalesforcePort { client }
    }

    /// Returns the client, for example to read [`SalesforceClient::limit_info`].
    pub fn client(&self) -> &SalesforceClient {
        &self.client
    }
}

#[async_trait]
impl RecordPort for SalesforcePort {
    fn system(&self) -> System {
        System::Salesforce
    }

    async fn identity(&self) -> Result<String, RemoteError> {
        self.client.org_id().await.map_err(RemoteError::from)
    }

    fn api_usage(&self) -> Option<ApiUsage> {
        let budget = self.client.budget();
        let usage = budget.usage?;
        Some(ApiUsage {
            used: usage.used,
            max: usage.max,
            remaining: budget.remaining().unwrap_or(0),
        })
    }

    async fn changed_since(
        &self,
        object: &ObjectSpec,
        since: DateTime<Utc>,
    ) -> Result<Vec<SourceRecord>, RemoteError> {
        read::changed_since(&self.client, object, since)
            .await
            .map_err(RemoteError::from)
    }

    async fn create(
        &self,
        object: &ObjectSpec,
        records: Vec<NewRecord>,
    ) -> Result<Vec<WriteResult>, RemoteError> {
        write::create(&self.client, object, records).await
    }

    async fn update(
        &self,
        object: &ObjectSpec,
        records: Vec<RecordUpdate>,
    ) -> Result<Vec<WriteResult>, RemoteError> {
        write::update(&self.client, object, records).await
    }

    async fn deleted_since(
        &self,
        object: &ObjectSpec,
        since: DateTime<Utc>,
    ) -> Result<Vec<DeletedRecord>, RemoteError> {
        read::deleted_since(&self.client, object, since)
            .await
            .map_err(RemoteError::from)
    }

    async fn delete(
        &self,
        _object: &ObjectSpec,
        ids: Vec<String>,
    ) -> Result<Vec<WriteResult>, RemoteError> {
        write::delete(&self.client, ids).await
    }
}
