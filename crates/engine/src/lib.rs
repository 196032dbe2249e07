//! Tandem's sync engine.
//!
//! The engine reaches NetSuite and Salesforce only through [`port::RecordPort`], which the client
//! crates implement, and keeps its state only through [`state::StateStore`], which the store
//! crate implements. A flow template ([`flows`]) defines what to sync, and [`two_way`] runs a
//! pass: read changes, match, map, drop echoes, merge, write, record the outcome.

pub mod actions;
pub mod countries;
pub mod dry_run;
pub mod error;
#[cfg(test)]
mod fake_port;
pub mod flow;
pub mod flows;
pub mod loop_guard;
pub mod mapping;
pub mod matching;
pub mod memory_store;
pub mod one_way;
pub mod pass;
pub mod port;
pub mod progress;
pub mod queues;
pub mod record;
pub mod report;
pub mod retry;
pub mod secret;
pub mod state;
pub mod two_way;
pub mod work;

pub use error::{ErrorClass, RemoteError};
pub use port::{ApiUsage, FieldInfo, FieldType, ObjectInfo, RecordPort, WriteResult};
pub use record::{
    DeletedRecord, FieldValue, Fields, LINE_SEPARATOR, NewRecord, ObjectSpec, RecordUpdate,
    SourceRecord, System, Written, split_line_field,
};
pub use report::PassReport;
pub use secret::Secret;
