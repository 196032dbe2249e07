//! Replaying a one-way flow's dead letter: the source record is read again and synced as it
//! is now, so a fix made to the record, to a parent or to the mapping takes effect.

use super::OneWayTemplate;
use super::run::{read_sources, record_outcomes};
use crate::pass::{Connections, PassError, PassFailure, ReplayError, ReplayOutcome, recorded_pass};
use crate::report::PassReport;
use crate::state::DeadLetterStatus;

/// Replays dead letter `id` of a one-way flow.
pub async fn replay(
    template: &dyn OneWayTemplate,
    connections: &Connections,
    id: i64,
) -> Result<ReplayOutcome, ReplayError> {
    let spec = template.spec();
    let store = connections.store.as_ref();
    let letter = |stored: Option<_>| stored.ok_or(ReplayError::NotFound(id));
    let stored = letter(store.dead_letter(id).await.map_err(PassError::from)?)?;
    if stored.status != DeadLetterStatus::Open {
        return Err(ReplayError::NotOpen {
            id,
            status: stored.status,
        });
    }
    if stored.letter.flow != spec.flow {
        return Err(ReplayError::OtherFlow {
            id,
            flow: stored.letter.flow,
        });
    }
    let items = read_sources(spec, connections, vec![stored.letter.source_id.clone()]).await?;
    if items.is_empty() {
        return Err(ReplayError::NotReplayable {
            id,
            action: stored.letter.action,
            hint: "its source record no longer exists; discard it",
        });
    }
    let mut report = PassReport::new(&spec.flow);
    let outcomes = template.sync(connections, &items, &mut report).await?;
    let deferred = record_outcomes(spec, connections, &items, outcomes, &mut report).await?;
    if !deferred.is_empty() {
        return Ok(ReplayOutcome::Deferred);
    }
    let after = letter(store.dead_letter(id).await.map_err(PassError::from)?)?;
    Ok(match after.status {
        DeadLetterStatus::Open => ReplayOutcome::Refused(after.letter.error),
        _ => ReplayOutcome::Written,
    })
}

/// Syncs the source records with these IDs as they are now, outside the change feed: the
/// watermark does not move, and the run is recorded in the run history like a pass. IDs that
/// no source object contains are left out, so a report that read nothing means none was found.
pub async fn sync_records(
    template: &dyn OneWayTemplate,
    connections: &Connections,
    ids: Vec<String>,
) -> Result<PassReport, PassFailure> {
    let spec = template.spec();
    recorded_pass(
        &spec.flow,
        connections,
        |connections, mut report| async move {
            let result = sync_ids(template, connections, ids, &mut report).await;
            (report, result)
        },
    )
    .await
}

async fn sync_ids(
    template: &dyn OneWayTemplate,
    connections: &Connections,
    ids: Vec<String>,
    report: &mut PassReport,
) -> Result<(), PassError> {
    let spec = template.spec();
    let items = read_sources(spec, connections, ids).await?;
    report.read += items.len() as u64;
    let outcomes = template.sync(connections, &items, report).await?;
    record_outcomes(spec, connections, &items, outcomes, report).await?;
    Ok(())
}
