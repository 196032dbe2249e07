//! Counts of what one pass of a flow did.

use serde::{Deserialize, Serialize};

/// The counts of one pass of a flow, both directions together. The field names are part of the
/// `tandem run --json` output that scripts read; add fields, never rename them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassReport {
    pub flow: String,
    /// Records returned by both change feeds, overlap re-reads included, and the records a
    /// one-way flow reads by ID (those a change elsewhere touched, those of retried dead
    /// letters).
    pub read: u64,
    /// Records created on the other side.
    pub created: u64,
    /// Records whose mapped fields were updated on the other side.
    pub updated: u64,
    /// Pairs linked to an existing record instead of creating one.
    pub linked: u64,
    /// Changes recognised as Tandem's own earlier writes and not written back.
    pub echoes_skipped: u64,
    /// Records read again with no change to a mapped field.
    pub unchanged: u64,
    /// Records the other side refused, kept as dead letters.
    pub dead_letters: u64,
    /// Records whose match is doubtful, waiting in the review queue; nothing was written.
    pub in_review: u64,
    /// Records deleted on one side whose pair was unlinked, or whose counterpart was
    /// deactivated or deleted, as the flow's delete policy says.
    pub deleted: u64,
    /// Records left for the next pass after a transient error; the watermark stays before them.
    pub deferred: u64,
    /// Records written to either system, link write-backs included.
    pub written: u64,
    /// Records left alone because they do not meet the flow's condition (an Opportunity not
    /// won, an Account not to onboard) or because another flow creates their counterpart.
    #[serde(default)]
    pub skipped: u64,
}

impl PassReport {
    /// Returns an empty report for a flow.
    pub fn new(flow: &str) -> PassReport {
        PassReport {
            flow: flow.to_string(),
            ..PassReport::default()
        }
    }

    /// Adds the counts of `other`, another part of the same pass (the part that another
    /// worker, or another round of this one, synced).
    pub fn add(&mut self, other: &PassReport) {
        self.read += other.read;
        self.created += other.created;
        self.updated += other.updated;
        self.linked += other.linked;
        self.echoes_skipped += other.echoes_skipped;
        self.unchanged += other.unchanged;
        self.dead_letters += other.dead_letters;
        self.in_review += other.in_review;
        self.deleted += other.deleted;
        self.deferred += other.deferred;
        self.written += other.written;
        self.skipped += other.skipped;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_sums_every_count() {
        let mut total = PassReport::new("f");
        let part = PassReport {
            flow: "f".to_string(),
            read: 1,
            created: 2,
            updated: 3,
            linked: 4,
            echoes_skipped: 5,
            unchanged: 6,
            dead_letters: 7,
            in_review: 8,
            deleted: 9,
            deferred: 10,
            written: 11,
            skipped: 12,
        };

        total.add(&part);
        total.add(&part);

        let doubled = serde_json::to_value(&total).unwrap();
        let once = serde_json::to_value(&part).unwrap();
        for (name, value) in once.as_object().unwrap() {
            if let Some(count) = value.as_u64() {
                assert_eq!(doubled[name].as_u64(), Some(count * 2), "{name}");
            }
        }
        assert_eq!(total.flow, "f");
    }
}
