//! Two-way sync of one NetSuite record type with one Salesforce object.
//!
//! A pass reads both change feeds, matches each changed record to its counterpart, drops echoes
//! of Tandem's own writes, merges the changed fields of both sides and writes the result in
//! batches. Its steps live in their own modules:
//!
//! - [`read`]: read both feeds after their watermarks, remember the records, drop re-reads;
//! - [`plan`]: decide per linked record whether to update or skip it, and [`matcher`] per
//!   unlinked record whether to link it, create its counterpart or hold it as ambiguous;
//! - [`write`]: send the writes in batches and record each outcome;
//! - [`finish`]: mark records processed and advance the watermarks.

mod conflict;
mod deletes;
mod finish;
mod matcher;
mod matching_groups;
mod plan;
pub(crate) mod read;
mod replay;
mod settings;
mod status;
mod write;

use chrono::TimeDelta;

use crate::flow::{Access, FieldUse};
use crate::flows::support::StatusFields;
use crate::mapping::Mapping;
use crate::pass::recorded_pass;
use crate::progress;
use crate::record::{ObjectSpec, System};
use crate::report::PassReport;

pub use crate::pass::{Connections, PassError, PassFailure};

/// Returns every field a two-way flow reads or writes on each side.
pub fn field_uses(spec: &TwoWaySpec) -> Vec<FieldUse> {
    spec.field_uses()
}

pub use replay::{ReplayError, ReplayOutcome, replay};
pub use settings::{
    ConflictPolicy, ConflictSettings, DeletePolicy, DeleteSettings, KeyFields, MatchSettings,
};

/// The definition of a two-way flow: the two objects, the mapped fields, matching and
/// conflict settings.
#[derive(Debug, Clone, PartialEq)]
pub struct TwoWaySpec {
    /// The flow's name, as used in the store, in logs and in reports (`account-customer`).
    pub flow: String,
    /// The NetSuite record type, the fields to read and the link field (`externalId`).
    pub netsuite: ObjectSpec,
    /// The Salesforce object, the fields to read and the link field.
    pub salesforce: ObjectSpec,
    pub mapping: Mapping,
    pub netsuite_keys: KeyFields,
    pub salesforce_keys: KeyFields,
    pub matching: MatchSettings,
    pub conflicts: ConflictSettings,
    pub deletes: DeleteSettings,
    /// How far before the watermark each read starts, because modification times are coarse
    /// and a transaction may commit after its timestamp was taken.
    pub overlap: TimeDelta,
    /// The Salesforce fields that say how each record's last trip to NetSuite went.
    pub status: StatusFields,
    /// The NetSuite custom fields that say how each record's last trip to Salesforce went.
    pub netsuite_status: StatusFields,
    /// Whether an unmatched record gets its counterpart created on each side. A side turned
    /// off leaves creating to another flow (`customer-onboarding` creates customers).
    pub creates: Creates,
}

/// On which sides a two-way flow creates counterparts of unmatched records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Creates {
    pub netsuite: bool,
    pub salesforce: bool,
}

impl Default for Creates {
    fn default() -> Creates {
        Creates {
            netsuite: true,
            salesforce: true,
        }
    }
}

impl TwoWaySpec {
    /// Returns the object spec on `system`'s side.
    pub fn object(&self, system: System) -> &ObjectSpec {
        match system {
            System::NetSuite => &self.netsuite,
            System::Salesforce => &self.salesforce,
        }
    }

    /// Returns true when the flow creates records on `system`'s side.
    pub fn creates_in(&self, system: System) -> bool {
        match system {
            System::NetSuite => self.creates.netsuite,
            System::Salesforce => self.creates.salesforce,
        }
    }

    /// Returns every field the flow reads or writes on each side.
    pub fn field_uses(&self) -> Vec<FieldUse> {
        let (netsuite, salesforce) = (&self.netsuite.name, &self.salesforce.name);
        let mut uses = self.mapping.field_uses(netsuite, salesforce);
        for system in [System::NetSuite, System::Salesforce] {
            let object = &self.object(system).name;
            for key in self.keys(system).names() {
                uses.push(FieldUse::new(
                    system,
                    object,
                    key,
                    Access::Read,
                    "matching key",
                ));
            }
            let link = &self.object(system).link_field;
            uses.push(FieldUse::new(
                system,
                object,
                link,
                Access::ReadWrite,
                "link field",
            ));
            for field in self.status_fields(system).names() {
                uses.push(FieldUse::new(
                    system,
                    object,
                    &field,
                    Access::ReadWrite,
                    "sync status",
                ));
            }
            if let Some((field, value)) = self.deletes.inactive(system) {
                let mut used = FieldUse::new(system, object, field, Access::Write, "inactive flag");
                used.values.push(value.clone());
                uses.push(used);
            }
        }
        uses
    }

    /// Returns the sync status fields on `system`'s side.
    pub fn status_fields(&self, system: System) -> &StatusFields {
        match system {
            System::NetSuite => &self.netsuite_status,
            System::Salesforce => &self.status,
        }
    }

    /// Returns the key fields on `system`'s side.
    pub fn keys(&self, system: System) -> &KeyFields {
        match system {
            System::NetSuite => &self.netsuite_keys,
            System::Salesforce => &self.salesforce_keys,
        }
    }
}

/// Runs one pass of a two-way flow and records it in the run history.
///
/// Returns the pass's counts. A failure means the pass stopped early. What it wrote before
/// stopping is recorded, and the watermarks stay before anything unprocessed, so the next pass
/// repeats the rest.
pub async fn run_pass(
    spec: &TwoWaySpec,
    connections: &Connections,
) -> Result<PassReport, PassFailure> {
    recorded_pass(
        &spec.flow,
        connections,
        |connections, mut report| async move {
            let result = run_steps(spec, connections, &mut report).await;
            (report, result)
        },
    )
    .await
}

/// Syncs only the records with these IDs (Salesforce Ids or NetSuite internal IDs, on either
/// side), as they are now, and records the run. The records are matched, mapped and written
/// as in a pass, and decisions that people made in the review and conflict queues are
/// carried out as a pass does. The feeds' watermarks, deletions and requested replays are
/// left to the passes.
pub async fn sync_records(
    spec: &TwoWaySpec,
    connections: &Connections,
    ids: Vec<String>,
) -> Result<PassReport, PassFailure> {
    recorded_pass(
        &spec.flow,
        connections,
        |connections, mut report| async move {
            let result = sync_steps(spec, connections, &ids, &mut report).await;
            (report, result)
        },
    )
    .await
}

async fn sync_steps(
    spec: &TwoWaySpec,
    connections: &Connections,
    ids: &[String],
    report: &mut PassReport,
) -> Result<(), PassError> {
    let batch = read::read_records(spec, connections, ids, report).await?;
    let work = plan::plan(spec, connections, &batch, report).await?;
    let outcome = write::write(spec, connections, work, report).await?;
    status::write_status(spec, connections, &batch, &outcome, report).await?;
    finish::finish(spec, connections, &batch, &outcome).await
}

async fn run_steps(
    spec: &TwoWaySpec,
    connections: &Connections,
    report: &mut PassReport,
) -> Result<(), PassError> {
    replay::replay_requested(spec, connections).await?;
    deletes::apply_deletes(spec, connections, report).await?;
    let batch = read::read_changes(spec, connections, report).await?;
    progress::planning();
    let work = plan::plan(spec, connections, &batch, report).await?;
    // NOTE: the writes go to the ports in one call per step, so progress moves once, at the end.
    let planned = work.len() as u64;
    progress::writing(planned);
    let outcome = write::write(spec, connections, work, report).await?;
    progress::written(planned);
    status::write_status(spec, connections, &batch, &outcome, report).await?;
    finish::finish(spec, connections, &batch, &outcome).await
}

#[cfg(test)]
mod tests;
