//! [`RecordPort`] for Salesforce: the engine's only way to read and write sObjects.

mod convert;
mod describe;
mod errors;
mod literal;
mod lookup;
mod read;
mod select;
mod write;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tandem_engine::{
    ApiUsage, DeletedRecord, Fields, NewRecord, ObjectInfo, ObjectSpec, RecordPort, RecordUpdate,
    RemoteError, SourceRecord, System, WriteResult,
};

use crate::client::SalesforceClient;
use errors::remote_error;

/// Reads and writes records of any sObject type named in an [`ObjectSpec`] through a
/// [`SalesforceClient`].
///
/// - Fields: a plain name (`Name`) or a parent relationship path (`Account.OwnerId`,
///   `Owner.Name`) reads as a scalar. `Relationship[].Field` (`OpportunityLineItems[].Quantity`)
///   becomes a child subquery `(SELECT Id, Field FROM Relationship ORDER BY Id)`, and the record
///   carries `Relationship` as a [`tandem_engine::FieldValue::List`] of lines with `Id` and the
///   requested fields, or an empty list when it has no children. Child results that span
///   several pages are read to their end.
/// - `changed_since` selects `Id`, `SystemModstamp`, the link field and the spec's fields where
///   `SystemModstamp >= since`, ordered by `SystemModstamp, Id`, over all pages.
/// - `read` and `find` select the same columns `WHERE Id IN (...)` or `WHERE Field IN (...)`,
///   in as many queries as the URL limit needs (about 500 Ids a query; see
///   `lookup::MAX_ENCODED_SOQL_BYTES`). `find` writes each value as the field's type asks,
///   from the describe.
/// - `create` upserts on the link field through sObject Collections, 200 records a call, so a
///   repeated create updates the record it created before.
/// - `insert` creates through sObject Collections, 200 records a call, for objects without an
///   external ID; `update` and `delete` use sObject Collections too. The calls of one write
///   run concurrently, up to the client's `collection_concurrency`.
/// - `describe` accepts an object name or a relationship path; see [`SalesforcePort::describe`].
///
/// Errors that concern one record come back inside the result list. Errors of a whole call
/// (login, transport, HTTP 401, 403 or 5xx, an unknown link field) fail the whole method. The
/// exception is a write of several sObject Collections calls in which some calls succeed. A
/// transient or data error of another call then comes back for that call's records only. A
/// field, relationship or object that does not exist (`INVALID_FIELD`, `INVALID_TYPE`) is a
/// configuration error whose message names the object and the name.
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
            .map_err(|error| remote_error(&object.name, error))
    }

    async fn create(
        &self,
        object: &ObjectSpec,
        records: Vec<NewRecord>,
    ) -> Result<Vec<WriteResult>, RemoteError> {
        write::create(&self.client, object, records)
            .await
            .map_err(|error| remote_error(&object.name, error))
    }

    async fn update(
        &self,
        object: &ObjectSpec,
        records: Vec<RecordUpdate>,
    ) -> Result<Vec<WriteResult>, RemoteError> {
        write::update(&self.client, object, records)
            .await
            .map_err(|error| remote_error(&object.name, error))
    }

    async fn deleted_since(
        &self,
        object: &ObjectSpec,
        since: DateTime<Utc>,
    ) -> Result<Vec<DeletedRecord>, RemoteError> {
        read::deleted_since(&self.client, object, since)
            .await
            .map_err(|error| remote_error(&object.name, error))
    }

    /// Describes an object (`Opportunity`) or the object at the end of a relationship path
    /// (`Opportunity.OpportunityLineItems` describes `OpportunityLineItem`, `Contact.Account`
    /// describes `Account`).
    ///
    /// The fields are the describe's fields, then one [`tandem_engine::FieldType::List`] entry
    /// per named child relationship (`OpportunityLineItems`). The line fields of a child
    /// relationship are not listed on the parent, because that would take one describe per
    /// child object (an Account has over a hundred). Instead, `OpportunityLineItems[].Quantity`
    /// is checked as `Quantity` in the describe of `Opportunity.OpportunityLineItems`, and
    /// `Account.OwnerId` on a Contact as `OwnerId` in the describe of `Contact.Account`.
    /// Describes are cached by the client, so each object costs one request per port.
    async fn describe(&self, object: &str) -> Result<ObjectInfo, RemoteError> {
        describe::describe_path(&self.client, object)
            .await
            .map(|describe| describe::object_info(&describe))
            .map_err(|error| remote_error(object, error))
    }

    async fn read(
        &self,
        object: &ObjectSpec,
        ids: &[String],
    ) -> Result<Vec<SourceRecord>, RemoteError> {
        lookup::read(&self.client, object, ids)
            .await
            .map_err(|error| remote_error(&object.name, error))
    }

    async fn find(
        &self,
        object: &ObjectSpec,
        field: &str,
        values: &[String],
    ) -> Result<Vec<SourceRecord>, RemoteError> {
        lookup::find(&self.client, object, field, values)
            .await
            .map_err(|error| remote_error(&object.name, error))
    }

    async fn search_text(
        &self,
        object: &ObjectSpec,
        field: &str,
        text: &str,
        limit: usize,
    ) -> Result<Vec<SourceRecord>, RemoteError> {
        lookup::search_text(&self.client, object, field, text, limit)
            .await
            .map_err(|error| remote_error(&object.name, error))
    }

    async fn insert(
        &self,
        object: &ObjectSpec,
        records: Vec<Fields>,
    ) -> Result<Vec<WriteResult>, RemoteError> {
        write::insert(&self.client, object, records)
            .await
            .map_err(|error| remote_error(&object.name, error))
    }

    async fn delete(
        &self,
        object: &ObjectSpec,
        ids: Vec<String>,
    ) -> Result<Vec<WriteResult>, RemoteError> {
        write::delete(&self.client, ids)
            .await
            .map_err(|error| remote_error(&object.name, error))
    }
}
