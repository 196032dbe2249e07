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

/// Returns the watermark after a pass: the oldest deferred record of `system` if any was
/// deferred, else the newest record read, else `None` (keep the old one).
fn next_watermark(
    read: &[ReadMark],
    deferred: &HashSet<(System, String)>,
    system: System,
) -> Option<Watermark> {
    let of_system = read.iter().filter(|mark| mark.system == system);
    let oldest_deferred = of_system
        .clone()
        .filter(|mark| deferred.contains(&(system, mark.id.clone())))
        .min_by(|a, b| (a.modified_at, &a.id).cmp(&(b.modified_at, &b.id)));
    let mark = match oldest_deferred {
        Some(mark) => mark,
        None => of_system.max_by(|a, b| (a.modified_at, &a.id).cmp(&(b.modified_at, &b.id)))?,
    };
    Some(Watermark {
        modified_at: mark.modified_at,
        record_id: mark.id.clone(),
    })
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
