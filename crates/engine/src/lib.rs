//! Tandem's sync engine.
//!
//! The engine reaches NetSuite and Salesforce only through [`port::RecordPort`], which the client
//! crates implement, and keeps its state only through [`state::StateStore`], which the store
//! crate implements.

pub mod error;
pub mod port;
pub mod record;
pub mod secret;

pub use error::{ErrorClass, RemoteError};
pub use port::{RecordPort, WriteResult};
pub use record::{FieldValue, Fields, NewRecord, ObjectSpec, RecordUpdate, SourceRecord, System, Written};
pub use secret::Secret;
