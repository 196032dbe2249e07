//! Salesforce REST client and the engine's port for Salesforce.
//!
//! [`SalesforceClient`] logs in with the OAuth 2.0 client credentials flow and sends SOQL
//! queries, sObject Collections creates and updates, upserts by external ID field and
//! single-record reads, all pinned to one API version. [`SalesforcePort`] implements
//! [`tandem_engine::RecordPort`] on top of the client, so flows reach Salesforce only through the
//! engine's trait.

pub mod api;
pub mod auth;
pub mod client;
pub mod config;
pub mod datetime;
pub mod error;
pub mod fields;
pub mod id;
pub mod port;
pub mod soql;

pub use api::collections::{MAX_COLLECTION_RECORDS, RecordPatch, RecordResult};
pub use api::query::QueryResult;
pub use api::sobjects::UpsertResult;
pub use client::{ApiUsage, SalesforceClient};
pub use config::SalesforceConfig;
pub use error::{Error, ErrorDetail};
pub use fields::FieldChanges;
pub use id::{IdError, SalesforceId};
pub use port::SalesforcePort;
