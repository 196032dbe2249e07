//! SuiteTalk operations: request bodies and response types, one module per operation family.
//!
//! - [`get`]: `get`, `getList` and `getAll`, which return records.
//! - [`write`]: `add`, `update`, `upsert`, `delete` and their list forms.
//! - [`search`]: `search` (basic, joined, advanced) and `searchMoreWithId`.
//! - [`other`]: `getDeleted`, `getSelectValue` and `getServerTime`.
//! - [`preferences`]: the `preferences` header of writes and reads.

pub mod get;
pub mod other;
pub mod preferences;
pub(crate) mod record_xml;
pub mod search;
pub mod write;

use std::collections::BTreeSet;
use std::io;

use quick_xml::Writer;

use crate::namespace::Namespace;

/// The operations this client sends. The name is the body element, the `SOAPAction` value
/// and, with `Response` appended, the response element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    Get,
    GetList,
    GetAll,
    Add,
    AddList,
    Update,
    UpdateList,
    Upsert,
    UpsertList,
    Delete,
    DeleteList,
    Search,
    SearchMoreWithId,
    GetDeleted,
    GetSelectValue,
    GetServerTime,
    GetCustomizationId,
}

impl Operation {
    /// Returns the operation name (`get`, `searchMoreWithId`).
    pub fn name(self) -> &'static str {
        match self {
            Operation::Get => "get",
            Operation::GetList => "getList",
            Operation::GetAll => "getAll",
            Operation::Add => "add",
            Operation::AddList => "addList",
            Operation::Update => "update",
            Operation::UpdateList => "updateList",
            Operation::Upsert => "upsert",
            Operation::UpsertList => "upsertList",
            Operation::Delete => "delete",
            Operation::DeleteList => "deleteList",
            Operation::Search => "search",
            Operation::SearchMoreWithId => "searchMoreWithId",
            Operation::GetDeleted => "getDeleted",
            Operation::GetSelectValue => "getSelectValue",
            Operation::GetServerTime => "getServerTime",
            Operation::GetCustomizationId => "getCustomizationId",
        }
    }

    /// Returns the name of the response element (`getResponse`).
    pub fn response_name(self) -> String {
        format!("{}Response", self.name())
    }

    /// Returns the single-record form of a list operation (`add` for `addList`), and the
    /// operation itself otherwise.
    pub fn single(self) -> Operation {
        match self {
            Operation::GetList => Operation::Get,
            Operation::AddList => Operation::Add,
            Operation::UpdateList => Operation::Update,
            Operation::UpsertList => Operation::Upsert,
            Operation::DeleteList => Operation::Delete,
            other => other,
        }
    }

    /// Returns NetSuite's limit of records per synchronous request of a list operation:
    /// 200 for `addList` and `deleteList`, 100 for `updateList` and `upsertList`, 1000 for
    /// `getList` (NetSuite Help Center, "Web Services Governance"). `None` for other
    /// operations.
    pub fn list_limit(self) -> Option<usize> {
        match self {
            Operation::AddList | Operation::DeleteList => Some(200),
            Operation::UpdateList | Operation::UpsertList => Some(100),
            Operation::GetList => Some(1000),
            _ => None,
        }
    }

    /// Returns true for operations that take the `preferences` header (reads and writes),
    /// as opposed to searches, which take `searchPreferences`, and `getServerTime`.
    pub fn takes_preferences(self) -> bool {
        !matches!(
            self,
            Operation::Search | Operation::SearchMoreWithId | Operation::GetServerTime
        )
    }
}

/// The kind of a status detail (`type` attribute, `ERROR` when absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusDetailType {
    Error,
    Warn,
    Info,
}

impl StatusDetailType {
    /// Reads the `type` attribute. `WARN` and any other value starting with `WARN` are
    /// warnings, `INFO` is information, anything else (and no attribute) is an error.
    pub fn parse(value: Option<&str>) -> StatusDetailType {
        match value.map(str::trim) {
            Some(value) if value.starts_with("WARN") => StatusDetailType::Warn,
            Some("INFO") => StatusDetailType::Info,
            _ => StatusDetailType::Error,
        }
    }
}

/// One `statusDetail`: a NetSuite code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusDetail {
    /// Error, warning or information.
    pub detail_type: StatusDetailType,
    /// NetSuite's code, such as `DUP_ENTITY` or `WARNING`; empty when NetSuite sent none.
    pub code: String,
    /// NetSuite's message, such as "This entity already exists."; empty when NetSuite sent
    /// none.
    pub message: String,
    /// True when the record was saved but a script that runs after saving failed.
    pub after_submit_failed: Option<bool>,
}

/// The `status` of a response or search result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// The `isSuccess` attribute. A success may still carry warnings.
    pub is_success: bool,
    /// The `statusDetail` entries in document order.
    pub details: Vec<StatusDetail>,
}

impl Status {
    /// Returns the details of type WARN.
    pub fn warnings(&self) -> impl Iterator<Item = &StatusDetail> {
        self.details
            .iter()
            .filter(|detail| detail.detail_type == StatusDetailType::Warn)
    }
}

/// The body element of one request.
pub(crate) trait RequestBody: Send + Sync {
    /// Returns the operation the body belongs to.
    fn operation(&self) -> Operation;

    /// Adds the namespaces the body uses, besides messages, core and common, which every
    /// envelope declares.
    fn namespaces(&self, _namespaces: &mut BTreeSet<Namespace>) {}

    /// Writes the body element. The value was checked when it was built, so only the writer
    /// can fail.
    fn write(&self, writer: &mut Writer<Vec<u8>>) -> io::Result<()>;
}
