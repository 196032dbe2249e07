//! NetSuite SuiteTalk SOAP client.
//!
//! The crate builds SOAP 1.1 envelopes signed with a token passport (token-based
//! authentication) and sends them with one pooled HTTP client. It reads the responses with a
//! streaming parser that matches namespaces by URI, so responses from any endpoint version
//! read the same way (the tests cover 2011_2 to 2025_2).
//!
//! - [`NetSuiteClient`] runs the operations `get`, `add`, `update`, `upsert`, `search` and
//!   `searchMoreWithId`, and walks all pages of a search with [`NetSuiteClient::search_all`].
//! - [`NetSuitePort`] implements the engine's [`tandem_engine::RecordPort`] for customers.
//! - [`Error`] keeps NetSuite's own codes and classifies each failure with
//!   [`Error::class`].
//!
//! The module tree follows the remote API: [`operations`] contains one module per operation
//! family, [`records`] the record model and the field order of each supported record type.

pub mod client;
pub mod config;
mod envelope;
pub mod error;
pub mod namespace;
pub mod operations;
pub mod parse;
pub mod passport;
pub mod port;
pub mod records;

pub use client::NetSuiteClient;
pub use config::{NetSuiteConfig, TokenCredentials};
pub use error::{Error, Fault};
pub use operations::search::{
    Criterion, CriterionValue, DateOperator, SearchPage, SearchPreferences, SearchRecord,
    StringOperator,
};
pub use operations::{Status, StatusDetail, StatusDetailType};
pub use port::NetSuitePort;
pub use records::{BodyValue, CustomField, CustomValue, ListOrRecordRef, Record, RecordRef};
