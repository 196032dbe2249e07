//! Parts the flow templates share: writing a batch and reading one outcome per record from the
//! results, records that wait for a parent, links through other flows' cross-references, and
//! the sync status fields Tandem keeps on Salesforce records.

use crate::error::{ErrorClass, RemoteError};
use crate::mapping::{Mapping, MappingError};
use crate::one_way::{Outcome, PARENT_NOT_LINKED, Refusal};
use crate::pass::{Connections, PassError};
use crate::port::WriteResult;
use crate::record::{FieldValue, Fields, NewRecord, ObjectSpec, RecordUpdate, System};

/// The default Salesforce field for the outcome of a record's last sync.
pub const SYNC_STATUS_FIELD: &str = "NetSuite_Sync_Status__c";

/// The default Salesforce field for the error of a record's last sync.
pub const SYNC_ERROR_FIELD: &str = "NetSuite_Sync_Error__c";

/// The outcome of a record's last sync, as written to the sync status field. The values are
/// the picklist values of the sandbox schema and of the field described in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncStatus {
    /// The counterpart has the record's current values.
    Synced,
    /// The record waits for something (a parent to be linked) before it can sync.
    Pending,
    /// The other system rejected the record, and a dead letter keeps the details.
    Error,
    /// The other system no longer allows the change (a billed sales order); it is not retried
    /// until the record changes again.
    Refused,
}

impl SyncStatus {
    /// Returns the picklist value.
    pub fn as_str(self) -> &'static str {
        match self {
            SyncStatus::Synced => "Synced",
            SyncStatus::Pending => "Pending",
            SyncStatus::Error => "Error",
            SyncStatus::Refused => "Refused",
        }
    }
}

/// The names of the sync status fields on a Salesforce object; `None` turns the status off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusFields {
    pub status: Option<String>,
    pub error: Option<String>,
}

impl Default for StatusFields {
    fn default() -> StatusFields {
        StatusFields {
            status: Some(SYNC_STATUS_FIELD.to_string()),
            error: Some(SYNC_ERROR_FIELD.to_string()),
        }
    }
}

impl StatusFields {
    /// Returns the fields as a configuration names them: a blank name turns its field off.
    pub fn named(status: Option<&str>, error: Option<&str>) -> StatusFields {
        let named = |name: Option<&str>| {
            name.map(str::trim)
                .filter(|name| !name.is_empty())
                .map(str::to_string)
        };
        StatusFields {
            status: named(status),
            error: named(error),
        }
    }

    /// Returns fields that are both off, the default on NetSuite records.
    pub fn none() -> StatusFields {
        StatusFields {
            status: None,
            error: None,
        }
    }

    /// Returns the fields to write on a new record: those of `values` that are not `Null`, so
    /// a create sends no field only to clear it.
    pub fn create_values(&self, status: SyncStatus) -> Fields {
        let mut fields = self.values(status, None);
        fields.retain(|_, value| !value.is_blank());
        fields
    }

    /// Returns the fields to write for a status: the error text, or `Null` to clear it.
    pub fn values(&self, status: SyncStatus, error: Option<&str>) -> Fields {
        let mut fields = Fields::new();
        if let Some(name) = &self.status {
            fields.insert(name.clone(), FieldValue::text(status.as_str()));
        }
        if let Some(name) = &self.error {
            let text = error.map_or(FieldValue::Null, |text| {
                FieldValue::text(truncated(text, 2000))
            });
            fields.insert(name.clone(), text);
        }
        fields
    }

    /// Returns the configured field names.
    pub fn names(&self) -> Vec<String> {
        self.status.iter().chain(&self.error).cloned().collect()
    }

    /// Returns true when `fields` already hold this status and error.
    pub fn holds(&self, fields: &Fields, status: SyncStatus, error: Option<&str>) -> bool {
        self.values(status, error)
            .iter()
            .all(|(name, value)| crate::mapping::normalized(fields.get(name)) == value.normalized())
    }
}

/// Returns `fields` with the status fields added at the end, once each, so a read carries
/// what the record holds.
pub fn with_status(mut fields: Vec<String>, status: &StatusFields) -> Vec<String> {
    for name in status.names() {
        if !fields.contains(&name) {
            fields.push(name);
        }
    }
    fields
}

/// Cuts text to at most `max` characters, on a character boundary.
fn truncated(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// Upserts records by their link field (see [`crate::RecordPort::create`]) and returns one
/// result per record.
pub async fn create(
    connections: &Connections,
    system: System,
    object: &ObjectSpec,
    records: Vec<NewRecord>,
) -> Result<Vec<WriteResult>, PassError> {
    let count = records.len();
    if count == 0 {
        return Ok(Vec::new());
    }
    let port = connections.port(system);
    let what = format!("{system} {} upsert", object.name);
    let results = connections
        .retry
        .run(&what, || port.create(object, records.clone()))
        .await;
    per_record(system, results, count)
}

/// Updates records by ID and returns one result per record.
pub async fn update(
    connections: &Connections,
    system: System,
    object: &ObjectSpec,
    records: Vec<RecordUpdate>,
) -> Result<Vec<WriteResult>, PassError> {
    let count = records.len();
    if count == 0 {
        return Ok(Vec::new());
    }
    let port = connections.port(system);
    let what = format!("{system} {} update", object.name);
    let results = connections
        .retry
        .run(&what, || port.update(object, records.clone()))
        .await;
    per_record(system, results, count)
}

/// Inserts records of an object without a link field and returns one result per record.
/// A second insert of the same record would write it twice, so a call whose response was lost
/// is not sent again. Its records fail with the transient error and are deferred, and the next
/// pass finds what the lost call wrote before it inserts.
pub async fn insert(
    connections: &Connections,
    system: System,
    object: &ObjectSpec,
    records: Vec<Fields>,
) -> Result<Vec<WriteResult>, PassError> {
    let count = records.len();
    if count == 0 {
        return Ok(Vec::new());
    }
    let port = connections.port(system);
    let what = format!("{system} {} insert", object.name);
    let results = connections
        .retry
        .run_once_applied(&what, || port.insert(object, records.clone()))
        .await;
    per_record(system, results, count)
}

/// Spreads the result of a whole call over its records, one result per record. A
/// configuration or budget error stops the pass, because no record can succeed until it is
/// fixed or the allowance returns. Any other failed call (a transient one that outlasted the
/// retries included) fails each record with it, so transient ones are deferred.
pub(crate) fn per_record(
    system: System,
    results: Result<Vec<WriteResult>, RemoteError>,
    expected: usize,
) -> Result<Vec<WriteResult>, PassError> {
    match results {
        Ok(results) if results.len() == expected => Ok(results),
        Ok(results) => Err(PassError::Remote(RemoteError::new(
            system,
            ErrorClass::Transient,
            "INVALID_RESPONSE",
            format!(
                "a write of {expected} records returned {} results",
                results.len()
            ),
        ))),
        Err(error) if matches!(error.class, ErrorClass::Config | ErrorClass::Budget) => {
            Err(PassError::Remote(error))
        }
        Err(error) => Ok(vec![Err(error); expected]),
    }
}

/// Returns the outcome of one write: created or updated, deferred after a transient error,
/// refused otherwise (with the payload for the dead letter).
pub fn outcome(
    result: WriteResult,
    created: bool,
    target_id: Option<String>,
    payload: Fields,
) -> Outcome {
    match result {
        Ok(written) if created => Outcome::Created(written.id),
        Ok(written) => Outcome::Updated(written.id),
        Err(error) if error.is_transient() => Outcome::Deferred(error),
        Err(error) => Outcome::Refused(Refusal {
            target_id,
            payload,
            error,
        }),
    }
}

/// Returns the outcome of a record that needs a parent not linked yet. It is tried again every
/// pass until the parent is linked.
pub fn waiting(target: System, payload: Fields, message: String) -> Outcome {
    Outcome::Waiting(Refusal {
        target_id: None,
        payload,
        error: RemoteError::new(target, ErrorClass::Data, PARENT_NOT_LINKED, message),
    })
}

/// Returns the outcome of a record whose fields could not be mapped for `target`: it waits
/// when a lookup found no linked parent, and is refused when an expression failed.
pub fn mapping_failure(target: System, error: MappingError) -> Outcome {
    let message = error.to_string();
    match error {
        MappingError::NotLinked { .. } => waiting(target, Fields::new(), message),
        MappingError::Expression { .. } => Outcome::Refused(Refusal {
            target_id: None,
            payload: Fields::new(),
            error: RemoteError::new(target, ErrorClass::Data, "EXPRESSION_FAILED", message),
        }),
    }
}

/// Returns the fields a mapping writes on `target`'s side, once each, in mapping order: the
/// pairs that travel there, then the derived fields.
pub fn written_fields(mapping: &Mapping, target: System) -> Vec<String> {
    let pairs = mapping.pairs.iter();
    let paired = pairs
        .filter(|pair| pair.direction.allows_from(target.other()))
        .map(|pair| pair.name(target));
    let derived = mapping.derived.iter();
    let derived = derived
        .filter(|derived| derived.target == target)
        .map(|derived| derived.field.as_str());
    let mut names: Vec<String> = Vec::new();
    for name in paired.chain(derived) {
        if !names.iter().any(|kept| kept == name) {
            names.push(name.to_string());
        }
    }
    names
}

/// Returns the ID on the other side of the record `id` on `system`'s side, as linked by `flow`.
pub async fn linked(
    connections: &Connections,
    flow: &str,
    system: System,
    id: &str,
) -> Result<Option<String>, PassError> {
    let xref = connections.store.xref(flow, system, id).await?;
    Ok(xref.map(|xref| xref.id(system.other()).to_string()))
}

/// Returns the text of a field, trimmed, or `None` when it is blank or not text.
pub fn text<'a>(fields: &'a Fields, name: &str) -> Option<&'a str> {
    fields
        .get(name)
        .and_then(FieldValue::as_text)
        .map(str::trim)
        .filter(|text| !text.is_empty())
}

/// Returns the number of a field, reading numeric text too; blank is `None`.
pub fn number(fields: &Fields, name: &str) -> Option<f64> {
    match fields.get(name)? {
        FieldValue::Number(number) => Some(*number),
        FieldValue::Text(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// Returns the flag of a field, reading `true`/`false` text too; blank is `false`.
pub fn flag(fields: &Fields, name: &str) -> bool {
    match fields.get(name) {
        Some(FieldValue::Bool(flag)) => *flag,
        Some(FieldValue::Text(text)) => text.trim().eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// Returns the fields of `wanted` whose values differ from `current` (compared normalized),
/// so an update sends only what changed; empty when nothing did.
pub fn changes(current: &Fields, wanted: &Fields) -> Fields {
    wanted
        .iter()
        .filter(|(name, value)| {
            crate::mapping::normalized(current.get(*name)) != value.normalized()
        })
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Written;

    #[test]
    fn status_values_clear_the_error_on_success() {
        let fields = StatusFields::default().values(SyncStatus::Synced, None);
        assert_eq!(fields[SYNC_STATUS_FIELD], FieldValue::text("Synced"));
        assert_eq!(fields[SYNC_ERROR_FIELD], FieldValue::Null);
    }

    #[test]
    fn status_turned_off_writes_nothing() {
        let fields = StatusFields {
            status: None,
            error: None,
        };
        assert!(fields.values(SyncStatus::Error, Some("boom")).is_empty());
    }

    #[test]
    fn status_holds_when_values_match() {
        let status = StatusFields::default();
        let current = status.values(SyncStatus::Refused, Some("billed"));
        assert!(status.holds(&current, SyncStatus::Refused, Some("billed")));
        assert!(!status.holds(&current, SyncStatus::Synced, None));
    }

    #[test]
    fn transient_error_defers_and_data_error_refuses() {
        let transient = RemoteError::new(System::NetSuite, ErrorClass::Transient, "T", "later");
        let data = RemoteError::new(System::NetSuite, ErrorClass::Data, "D", "bad");
        let deferred = outcome(Err(transient), true, None, Fields::new());
        assert!(matches!(deferred, Outcome::Deferred(_)));
        let refused = outcome(Err(data), true, Some("7".to_string()), Fields::new());
        assert!(matches!(refused, Outcome::Refused(r) if r.target_id.as_deref() == Some("7")));
        let created = outcome(Ok(Written { id: "9".into() }), true, None, Fields::new());
        assert_eq!(created, Outcome::Created("9".to_string()));
    }

    #[test]
    fn failed_call_fails_each_record_unless_config() {
        let data = RemoteError::new(System::Salesforce, ErrorClass::Data, "D", "bad");
        let results = per_record(System::Salesforce, Err(data), 2).unwrap();
        assert_eq!(results.len(), 2);
        let config = RemoteError::new(System::Salesforce, ErrorClass::Config, "C", "no");
        assert!(per_record(System::Salesforce, Err(config), 2).is_err());
        assert!(per_record(System::Salesforce, Ok(vec![]), 1).is_err());
    }

    #[test]
    fn changes_keep_only_differing_fields() {
        let current = Fields::from([
            ("A".to_string(), FieldValue::text("x")),
            ("B".to_string(), FieldValue::Number(1.0)),
        ]);
        let wanted = Fields::from([
            ("A".to_string(), FieldValue::text(" x ")),
            ("B".to_string(), FieldValue::Number(2.0)),
            ("C".to_string(), FieldValue::Null),
        ]);
        let changed = changes(&current, &wanted);
        assert_eq!(changed.keys().collect::<Vec<_>>(), vec!["B"]);
    }

    #[test]
    fn mapping_failure_waits_for_parent_and_refuses_expression() {
        let not_linked = MappingError::NotLinked {
            flow: "account-customer".to_string(),
            system: System::NetSuite,
            id: "7".to_string(),
            field: "Account__c".to_string(),
        };
        let waiting = mapping_failure(System::Salesforce, not_linked);
        assert!(matches!(waiting, Outcome::Waiting(r) if r.error.code == PARENT_NOT_LINKED));
        let failed = MappingError::Expression {
            field: "Name".to_string(),
            error: crate::mapping::ExpressionError {
                expression: "{{ name | nope }}".to_string(),
                message: "unknown filter".to_string(),
            },
        };
        let refused = mapping_failure(System::Salesforce, failed);
        assert!(matches!(refused, Outcome::Refused(r) if r.error.code == "EXPRESSION_FAILED"));
    }

    #[test]
    fn written_fields_follow_direction_once_each() {
        let mut to_netsuite = crate::mapping::FieldPair::new("memo", "Description");
        to_netsuite.direction = crate::mapping::Direction::ToNetSuite;
        let mut mapping = Mapping::of_pairs(vec![
            crate::mapping::FieldPair::new("companyName", "Name"),
            to_netsuite,
        ]);
        mapping.derived.push(crate::mapping::Derived {
            target: System::Salesforce,
            field: "Name".to_string(),
            rule: crate::mapping::DerivedRule::Constant(FieldValue::text("x")),
        });
        assert_eq!(written_fields(&mapping, System::Salesforce), vec!["Name"]);
        let netsuite = written_fields(&mapping, System::NetSuite);
        assert_eq!(netsuite, vec!["companyName", "memo"]);
    }

    #[test]
    fn numbers_read_from_text() {
        let fields = Fields::from([("n".to_string(), FieldValue::text("12.5"))]);
        assert_eq!(number(&fields, "n"), Some(12.5));
        assert_eq!(number(&fields, "missing"), None);
    }
}
