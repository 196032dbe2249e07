//! Replaying a dead letter: sending its (possibly edited) payload again, through the same
//! write path as a pass, so a success updates the cross-reference and resolves the letter, and
//! a failure updates the letter with the new error.

use super::plan::{PairWork, PlannedCreate};
use super::{Connections, PassError, TwoWaySpec, write};
use crate::error::{ErrorClass, RemoteError};
use crate::record::{Fields, NewRecord, System};
use crate::report::PassReport;
use crate::state::{DeadLetterStatus, StoredDeadLetter, Xref};

pub use crate::pass::{ReplayError, ReplayOutcome};

/// Replays dead letter `id` of the flow `spec`.
pub async fn replay(
    spec: &TwoWaySpec,
    connections: &Connections,
    id: i64,
) -> Result<ReplayOutcome, ReplayError> {
    let store = connections.store.as_ref();
    let stored = store
        .dead_letter(id)
        .await
        .map_err(PassError::from)?
        .ok_or(ReplayError::NotFound(id))?;
    check(spec, &stored)?;

    let work = match stored.letter.action.as_str() {
        "create" => create_work(spec, connections, &stored).await?,
        "update" | "link" => update_work(spec, connections, &stored).await?,
        other => {
            return Err(ReplayError::NotReplayable {
                id,
                action: other.to_string(),
                hint: "discard it, and change the source record to sync it again",
            });
        }
    };
    let mut report = PassReport::new(&spec.flow);
    let outcome = write::write(spec, connections, vec![work], &mut report).await?;
    let read = super::read::ChangeBatch::default();
    super::status::write_status(spec, connections, &read, &outcome, &mut report).await?;
    if !outcome.deferred.is_empty() {
        return Ok(ReplayOutcome::Deferred);
    }
    let after = store
        .dead_letter(id)
        .await
        .map_err(PassError::from)?
        .ok_or(ReplayError::NotFound(id))?;
    Ok(match after.status {
        DeadLetterStatus::Open => ReplayOutcome::Refused(after.letter.error),
        _ => ReplayOutcome::Written,
    })
}

fn check(spec: &TwoWaySpec, stored: &StoredDeadLetter) -> Result<(), ReplayError> {
    if stored.status != DeadLetterStatus::Open {
        return Err(ReplayError::NotOpen {
            id: stored.id,
            status: stored.status,
        });
    }
    if stored.letter.flow != spec.flow {
        return Err(ReplayError::OtherFlow {
            id: stored.id,
            flow: stored.letter.flow.clone(),
        });
    }
    if stored.letter.error.code == "AMBIGUOUS_MATCH" {
        return Err(ReplayError::NotReplayable {
            id: stored.id,
            action: stored.letter.action.clone(),
            hint: "set the right ID on the record, or work the review queue",
        });
    }
    Ok(())
}

/// Plans the create of a refused new record, from what the store remembers of its source.
async fn create_work(
    spec: &TwoWaySpec,
    connections: &Connections,
    stored: &StoredDeadLetter,
) -> Result<PairWork, ReplayError> {
    let letter = &stored.letter;
    let source = letter.source_system;
    let target = source.other();
    let object = &spec.object(source).name;
    let seen = connections
        .store
        .seen(source, object, &letter.source_id)
        .await
        .map_err(PassError::from)?;
    let (source_values, source_link) = match seen {
        Some(seen) => (seen.values, seen.link),
        None => (Fields::new(), None),
    };
    let (ns_id, sf_id) = match source {
        System::NetSuite => (letter.source_id.clone(), String::new()),
        System::Salesforce => (String::new(), letter.source_id.clone()),
    };
    let mut xref = Xref {
        flow: spec.flow.clone(),
        ns_id,
        sf_id,
        ns_values: Fields::new(),
        sf_values: Fields::new(),
        ns_written: None,
        sf_written: None,
    };
    *xref.values_mut(source) = source_values;
    *xref.values_mut(target) = spec.mapping.project(target, &letter.payload);
    let mut work = PairWork::new(xref);
    work.create = Some(PlannedCreate {
        source,
        record: NewRecord {
            link: letter.source_id.clone(),
            fields: letter.payload.clone(),
        },
        source_link,
    });
    Ok(work)
}

/// Plans the update of a refused change to a linked record.
async fn update_work(
    spec: &TwoWaySpec,
    connections: &Connections,
    stored: &StoredDeadLetter,
) -> Result<PairWork, ReplayError> {
    let letter = &stored.letter;
    let target = letter.source_system.other();
    let not_linked = || {
        let error = RemoteError::new(
            target,
            ErrorClass::Data,
            "NOT_LINKED",
            "the records of this dead letter are no longer linked; change the source record to sync it again",
        );
        ReplayError::Pass(PassError::Remote(error))
    };
    let target_id = letter.target_id.clone().ok_or_else(not_linked)?;
    let xref = connections
        .store
        .xref(&spec.flow, target, &target_id)
        .await
        .map_err(PassError::from)?
        .ok_or_else(not_linked)?;
    let link = (letter.action == "link").then(|| xref.id(letter.source_system).to_string());
    let mut work = PairWork::new(xref.clone());
    work.previous = Some(xref);
    let update = work.update_mut(target);
    update.fields = letter.payload.clone();
    update.is_change = letter.action == "update";
    update.link = link;
    Ok(work)
}

/// Replays the letters of the flow that a person asked to replay while another process held
/// the store. Each outcome is logged; a refused replay leaves its letter open.
pub(super) async fn replay_requested(
    spec: &TwoWaySpec,
    connections: &Connections,
) -> Result<(), PassError> {
    let store = connections.store.as_ref();
    let requested = store
        .dead_letters(Some(&spec.flow), Some(DeadLetterStatus::Requested))
        .await?;
    for stored in requested {
        store
            .set_dead_letter_status(stored.id, DeadLetterStatus::Open)
            .await?;
        match replay(spec, connections, stored.id).await {
            Ok(outcome) => {
                tracing::info!(flow = %spec.flow, dead_letter = stored.id, ?outcome, "requested replay done");
            }
            Err(ReplayError::Pass(error)) => return Err(error),
            Err(error) => {
                tracing::warn!(flow = %spec.flow, dead_letter = stored.id, %error, "requested replay not done");
            }
        }
    }
    Ok(())
}
