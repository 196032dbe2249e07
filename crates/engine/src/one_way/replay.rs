//! Replaying a one-way flow's dead letter: the source record is read again and synced as it
//! is now, so a fix made to the record, to a parent or to the mapping takes effect.

use super::OneWayTemplate;
use super::run::{read_sources, record_outcomes};
use crate::pass::{Connections, PassError, ReplayError, ReplayOutcome};
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
