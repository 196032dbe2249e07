//! Salesforce REST client and the engine's port for Salesforce.
//!
//! [`SalesforceClient`] logs in with one of four OAuth 2.0 flows ([`Login`]), checks that the
//! org offers the pinned API version, and sends sObject reads and writes, SOQL queries,
//! sObject Collections, composite requests, Bulk API 2.0 jobs, describes and limit reads.
//! Every response's `Sforce-Limit-Info` feeds an [`ApiBudget`]. [`SalesforcePort`] implements
//! [`tandem_engine::RecordPort`] on top of the client, so flows reach Salesforce only through
//! the engine's trait.

pub mod api;
pub mod auth;
pub mod budget;
pub mod client;
pub mod config;
pub mod datetime;
pub mod error;
pub mod fields;
pub mod id;
pub mod port;
pub mod soql;
pub mod values;

pub use api::bulk::ingest::{IngestOperation, IngestOutcome, IngestRow};
pub use api::changes::{ChangeWindow, DeletedRecords, UpdatedRecords};
pub use api::collections::{
    MAX_COLLECTION_RECORDS, RecordPatch, RecordResult, UpsertRecord, UpsertRecordResult,
};
pub use api::composite::{CompositeRequest, SubResponse};
pub use api::describe::{
    ChildRelationship, FieldDescribe, FieldUse, MappingProblem, SObjectDescribe,
};
pub use api::limits::Limits;
pub use api::query::{QueryOptions, QueryResult};
pub use api::sobjects::UpsertResult;
pub use budget::{ApiBudget, ApiUsage};
pub use client::SalesforceClient;
pub use config::{Login, SalesforceConfig};
pub use error::{Error, ErrorDetail, Remedy};
pub use fields::FieldChanges;
pub use id::{IdError, SalesforceId};
pub use port::SalesforcePort;
