//! Marking records processed and advancing the watermarks.

use std::collections::HashSet;

use super::read::{ChangeBatch, ReadMark};
use super::write::WriteOutcome;
use super::{Connections, PassError, TwoWaySpec};
use crate::loop_guard::fingerprint;
use crate::record::System;
use crate::state::{Processed, Watermark};

/// Marks every changed record of the batch as processed, except the deferred ones. Then moves
/// each feed's watermark to the newest record read, or to the oldest deferred record, so that
/// the next pass reads it again.
pub(super) async fn finish(
    spec: &TwoWaySpec,
    connections: &Connections,
    batch: &ChangeBatch,
    outcome: &WriteOutcome,
) -> Result<(), PassError> {
    let store = connections.store.as_ref();
    for system in [System::NetSuite, System::Salesforce] {
        let object = &spec.object(system).name;
        let processed: Vec<(String, Processed)> = batch
            .changes
            .iter()
            .filter(|c| c.system == system)
            .filter(|c| !outcome.deferred.contains(&(system, c.record.id.clone())))
            .map(|c| {
                let processed = Processed {
                    modified_at: c.record.modified_at,
                    fingerprint: fingerprint(&c.values, c.record.link.as_deref()),
                };
                (c.record.id.clone(), processed)
            })
            .collect();
        store.mark_processed(system, object, &processed).await?;

        if let Some(watermark) = next_watermark(&batch.read, &outcome.deferred, system) {
            store
                .set_watermark(&spec.flow, system, object, &watermark)
                .await?;
        }
    }
    Ok(())
}

/// Returns the watermark of `system`'s feed after a pass (see [`crate::pass::next_watermark`]).
fn next_watermark(
    read: &[ReadMark],
    deferred: &HashSet<(System, String)>,
    system: System,
) -> Option<Watermark> {
    let marks = read
        .iter()
        .filter(|mark| mark.system == system)
        .map(|mark| (mark.modified_at, mark.id.as_str()));
    crate::pass::next_watermark(marks, |id| deferred.contains(&(system, id.to_string())))
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;

    use super::*;

    fn mark(system: System, id: &str, second: i64) -> ReadMark {
        ReadMark {
            system,
            id: id.to_string(),
            modified_at: DateTime::from_timestamp(second, 0).unwrap_or_default(),
        }
    }

    #[test]
    fn watermark_moves_to_newest_read() {
        let read = vec![
            mark(System::NetSuite, "1", 10),
            mark(System::NetSuite, "2", 30),
        ];
        let watermark = next_watermark(&read, &HashSet::new(), System::NetSuite);
        assert_eq!(watermark.map(|w| w.record_id), Some("2".to_string()));
    }

    #[test]
    fn watermark_stops_at_oldest_deferred() {
        let read = vec![
            mark(System::NetSuite, "1", 10),
            mark(System::NetSuite, "2", 20),
            mark(System::NetSuite, "3", 30),
        ];
        let deferred = HashSet::from([(System::NetSuite, "2".to_string())]);
        let watermark = next_watermark(&read, &deferred, System::NetSuite);
        assert_eq!(watermark.map(|w| w.modified_at.timestamp()), Some(20));
    }

    #[test]
    fn watermark_ignores_other_system() {
        let read = vec![mark(System::Salesforce, "1", 10)];
        assert_eq!(
            next_watermark(&read, &HashSet::new(), System::NetSuite),
            None
        );
    }
}
