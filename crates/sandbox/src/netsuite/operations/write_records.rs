//! `add`, `update` and `upsert` of the record types besides the customer: internal IDs,
//! external IDs unique per record type, read-only fields, then the business rules.

use super::write::{WriteKind, WriteResult, failure};
use super::{BaseRef, Context};
use crate::netsuite::faults::StatusDetail;
use crate::netsuite::records::parse::RecordInput;
use crate::netsuite::records::{Family, RecordKind, StoredRecord, rules};
use crate::netsuite::state::State;

/// Writes one record of a schema-model type.
pub(crate) fn write_other(
    state: &mut State,
    input: &RecordInput,
    kind: WriteKind,
    context: &Context,
) -> WriteResult {
    let result = match kind {
        WriteKind::Add => add(state, input, context),
        WriteKind::Update => update(state, input, context),
        WriteKind::Upsert => upsert(state, input, context),
    };
    if let Some(error) = &result.error {
        tracing::info!(
            operation = %context.operation().name,
            record_type = input.kind.record_type(),
            code = error.code,
            "record write rejected"
        );
    }
    result
}

fn add(state: &mut State, input: &RecordInput, context: &Context) -> WriteResult {
    if input.internal_id.is_some() {
        let error = StatusDetail::new(
            "INVALID_INTERNALID",
            "The specified internal id is not allowed.",
        );
        return failure(error, None);
    }
    if let Some(external_id) = &input.external_id
        && state
            .records
            .get_by_external_id(input.kind, external_id)
            .is_some()
    {
        return failure(duplicate(input), None);
    }
    let mut record = StoredRecord::new(input.kind, String::new(), context.now);
    record.apply(input);
    if let Err(error) = check(state, None, &mut record, input, context) {
        return failure(error, None);
    }
    record.internal_id = free_internal_id(state, input.kind);
    store(state, None, record, context)
}

/// Allocates the next internal ID that no record of `kind` has. The account's currencies and
/// price levels, and reference records seeded with given IDs, hold low IDs that the counter
/// does not know of.
fn free_internal_id(state: &mut State, kind: RecordKind) -> String {
    loop {
        let id = state.allocate_internal_id();
        if state.records.get(kind, &id).is_none() {
            return id;
        }
    }
}

fn update(state: &mut State, input: &RecordInput, context: &Context) -> WriteResult {
    let keys = sent_keys(input);
    let existing = match (&input.internal_id, &input.external_id) {
        (Some(internal_id), _) => state.records.get(input.kind, internal_id),
        (None, Some(external_id)) => state.records.get_by_external_id(input.kind, external_id),
        (None, None) => return failure(StatusDetail::invalid_key(), Some(keys)),
    };
    let Some(old) = existing.cloned() else {
        return failure(StatusDetail::record_does_not_exist(), Some(keys));
    };
    if let Some(external_id) = &input.external_id
        && let Some(owner) = state.records.get_by_external_id(input.kind, external_id)
        && owner.internal_id != old.internal_id
    {
        return failure(duplicate(input), Some(keys));
    }
    let mut record = old.clone();
    record.apply(input);
    if let Err(error) = check(state, Some(&old), &mut record, input, context) {
        return failure(error, Some(keys));
    }
    record.last_modified = context.now;
    store(state, Some(old), record, context)
}

fn upsert(state: &mut State, input: &RecordInput, context: &Context) -> WriteResult {
    let keys = sent_keys(input);
    if input.internal_id.is_some() {
        return failure(StatusDetail::upsert_forbids_internal_id(), Some(keys));
    }
    let Some(external_id) = &input.external_id else {
        return failure(StatusDetail::upsert_needs_external_id(), Some(keys));
    };
    let existing = state
        .records
        .get_by_external_id(input.kind, external_id)
        .map(|record| record.internal_id.clone());
    let mut result = match existing {
        Some(internal_id) => {
            let mut keyed = input.clone();
            keyed.internal_id = Some(internal_id);
            update(state, &keyed, context)
        }
        None => add(state, input, context),
    };
    if result.error.is_some() {
        result.base_ref = Some(keys);
    }
    result
}

/// Checks read-only fields, then runs the record type's rules.
fn check(
    state: &State,
    old: Option<&StoredRecord>,
    record: &mut StoredRecord,
    input: &RecordInput,
    context: &Context,
) -> Result<(), StatusDetail> {
    if !context.preference("ignoreReadOnlyFields")
        && let Some(field) = input.read_only_fields.first()
    {
        return Err(StatusDetail::read_only(&field.to_ascii_lowercase()));
    }
    rules::prepare(state, old, record, input, context.now)
}

fn store(
    state: &mut State,
    old: Option<StoredRecord>,
    record: StoredRecord,
    context: &Context,
) -> WriteResult {
    let base_ref = BaseRef {
        internal_id: Some(record.internal_id.clone()),
        external_id: record.external_id.clone(),
        record_type: record.kind.record_type(),
    };
    if let Some(tran_id) = record.text("tranId") {
        let tran_id = tran_id.to_string();
        state.records.note_tran_id(record.kind, &tran_id);
    }
    tracing::debug!(
        operation = %context.operation().name,
        record_type = record.kind.record_type(),
        ns_id = context.ns_id,
        internal_id = %record.internal_id,
        "record written"
    );
    state.records.put(record.clone());
    rules::after_write(state, old.as_ref(), Some(&record), context.now);
    WriteResult {
        error: None,
        base_ref: Some(base_ref),
    }
}

/// Returns the duplicate error of the record's family: `DUP_ENTITY` for entities, as for
/// customers.
fn duplicate(input: &RecordInput) -> StatusDetail {
    match input.kind.family() {
        Family::Entity => StatusDetail::duplicate_entity(),
        _ => crate::netsuite::records::duplicate_record(),
    }
}

fn sent_keys(input: &RecordInput) -> BaseRef {
    BaseRef {
        internal_id: input.internal_id.clone(),
        external_id: input.external_id.clone(),
        record_type: input.kind.record_type(),
    }
}
