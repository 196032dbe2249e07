//! NetSuite SuiteTalk clients: SOAP, and REST web services with SuiteQL.
//!
//! The crate builds SOAP 1.1 envelopes signed with a token passport (token-based
//! authentication) and sends them with one pooled HTTP client. It reads the responses with a
//! streaming parser that matches namespaces by URI, so responses from any endpoint version
//! read the same way (the tests cover 2011_2 to 2025_2).
//!
//! - [`NetSuiteClient`] runs the operations: `get`, `getList`, `getAll`, `add`, `update`,
//!   `upsert`, `delete` and their list forms, `search` (basic, joined, advanced),
//!   `searchMoreWithId`, `getDeleted`, `getSelectValue` and `getServerTime`. List operations
//!   split their input at NetSuite's limits and return one result per record.
//! - Every request goes through the account's [`governance::Scheduler`], which keeps requests
//!   within the account's concurrency limit and retries concurrency faults.
//! - [`Record`] reads and writes any record type by name, sublists included; the typed
//!   models of [`records::typed`] cover the records the flows use.
//! - [`NetSuitePort`] implements the engine's [`tandem_engine::RecordPort`] over either
//!   transport: SOAP ([`NetSuiteClient`]) or REST web services and SuiteQL ([`RestClient`],
//!   with OAuth 2.0 or token-based authentication), through [`RecordService`].
//! - [`Error`] keeps NetSuite's own codes and classifies each failure with
//!   [`Error::class`].
//!
//! The module tree follows the remote API: [`operations`] contains one module per operation
//! family, [`records`] the record model, [`schema`] the element order of each record type.

pub mod client;
pub mod config;
mod envelope;
pub mod error;
pub mod governance;
pub mod namespace;
pub mod operations;
pub mod parse;
pub mod passport;
pub mod port;
pub mod records;
pub mod rest;
pub mod schema;

pub use client::NetSuiteClient;
pub use config::{NetSuiteConfig, TokenCredentials};
pub use error::{Error, Fault};
pub use operations::other::{
    CustomizationRef, DeletedFilter, DeletedRecord, SelectField, SelectFilterOperator,
};
pub use operations::preferences::WritePreferences;
pub use operations::search::{
    AdvancedSearch, Column, Criterion, CriterionValue, CustomColumnKind, DateOperator,
    NumberOperator, SearchPage, SearchPreferences, SearchRecord, SearchRow, StringOperator,
};
pub use operations::write::DeletionReason;
pub use operations::{Status, StatusDetail, StatusDetailType};
pub use port::{NetSuitePort, RecordService, RestPort};
pub use records::typed::TypedRecord;
pub use records::{
    BodyValue, Complex, CustomField, CustomValue, FieldAccess, ListOrRecordRef, Record, RecordRef,
    Sublist,
};
pub use rest::{OAuth2Credentials, RestAuth, RestClient, RestConfig, SigningAlgorithm};

/// Compiles the Rust examples of the README as doctests, so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
