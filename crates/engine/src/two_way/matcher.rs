//! Planning records that have no cross-reference yet: link each to its counterpart, create the
//! counterpart, or send it to the review queue.
//!
//! Decisions that people made in the review queue are carried out first. Then IDs stored on
//! the records link them, because they are explicit. The remaining records are scored against
//! the unlinked records on the other side that share a blocking key with them (see
//! [`crate::matching::blocking`] and [`crate::matching::score`]), and grouped with
//! the candidates that reach the review threshold. A group of one record per side whose score
//! reaches the link threshold is linked; a record with no candidate gets its counterpart
//! created; every other record of a group waits in the review queue, and nothing is written for
//! it, so that a company is never created twice on a guess.

use std::collections::{HashMap, HashSet};

use super::matching_groups::{Edge, groups};
use super::plan::{PairWork, PlannedCreate, mapping_error};
use super::read::{Change, ChangeBatch};
use super::{Connections, PassError, TwoWaySpec};
use crate::mapping::{LookupTable, normalized};
use crate::matching::{BlockingIndex, Profile, email_key, score};
use crate::record::{FieldValue, Fields, NewRecord, SourceRecord, System};
use crate::report::PassReport;
use crate::state::{
    AuditEntry, Candidate, ReviewDecision, ReviewItem, ReviewStatus, SeenRecord, Xref,
};

/// A record on either side, as `(system, id)`.
pub(super) type RecordKey = (System, String);

/// Plans the unlinked records of a pass and the review decisions waiting to be carried out.
/// Records sent to review are queued here.
pub(super) async fn plan_unlinked(
    spec: &TwoWaySpec,
    connections: &Connections,
    batch: &ChangeBatch,
    unlinked: Vec<&Change>,
    lookups: LookupTable,
    report: &mut PassReport,
) -> Result<Vec<PairWork>, PassError> {
    let mut matcher = Matcher {
        spec,
        connections,
        in_batch: batch.changes.iter().map(key_of).collect(),
        claimed: HashSet::new(),
        unlinked: HashMap::new(),
        excluded: HashSet::new(),
        linking: HashMap::new(),
        lookups,
    };
    let mut work = matcher.decided_reviews(report).await?;
    matcher.load_exclusions_and_links(&unlinked).await?;
    let mut pending = Vec::new();
    for change in unlinked {
        if matcher.claimed.contains(&key_of(change)) {
            continue;
        }
        if matcher.excluded.contains(&key_of(change)) {
            report.unchanged += 1;
            continue;
        }
        let found = match matcher.linked_by_id(change).await? {
            Some(other) => Some((other, "linked by the ID stored on a record")),
            None => matcher
                .linked_by_email(change)
                .await?
                .map(|other| (other, "linked by the same email address")),
        };
        match found {
            Some((other, how)) => {
                matcher.claim(change, &other);
                report.linked += 1;
                work.push(matcher.plan_link(change, &other, how.to_string()).await?);
            }
            None => pending.push(change),
        }
    }
    pending.retain(|change| !matcher.claimed.contains(&key_of(change)));
    work.extend(matcher.plan_by_score(&pending, report).await?);
    Ok(work)
}

pub(super) fn key_of(change: &Change) -> RecordKey {
    (change.system, change.record.id.clone())
}

/// The unlinked records of one side, with their profiles and a blocking index of them.
#[derive(Default)]
struct Unlinked {
    records: Vec<(SeenRecord, Profile)>,
    index: BlockingIndex,
}

/// Finds counterparts, making sure no record is linked twice in a pass.
struct Matcher<'a> {
    spec: &'a TwoWaySpec,
    connections: &'a Connections,
    /// The records of this pass's change feed.
    in_batch: HashSet<RecordKey>,
    /// Records linked earlier in this pass.
    claimed: HashSet<RecordKey>,
    /// Unlinked records per side with their match profiles and a blocking index of the
    /// profiles, built once per pass because a profile parses a phone number and many changes
    /// are scored against the same records.
    unlinked: HashMap<System, Unlinked>,
    /// The pass's unlinked records that are left out of the flow.
    excluded: HashSet<RecordKey>,
    /// The records of the other side that carry an unlinked record's ID as their link, by
    /// that unlinked record.
    linking: HashMap<RecordKey, Vec<SeenRecord>>,
    /// Record IDs translated through other flows' cross-references.
    lookups: LookupTable,
}

impl Matcher<'_> {
    fn claim(&mut self, change: &Change, other: &SeenRecord) {
        self.claimed.insert(key_of(change));
        self.claimed.insert((other.system, other.id.clone()));
    }

    /// Reads which of the unlinked records are left out of the flow, and which records of the
    /// other side carry their IDs, with one store call per side for each.
    async fn load_exclusions_and_links(&mut self, unlinked: &[&Change]) -> Result<(), PassError> {
        let store = self.connections.store.as_ref();
        for system in [System::NetSuite, System::Salesforce] {
            let ids: Vec<String> = unlinked
                .iter()
                .filter(|change| change.system == system)
                .map(|change| change.record.id.clone())
                .collect();
            if ids.is_empty() {
                continue;
            }
            let excluded = store.excluded_batch(&self.spec.flow, system, &ids).await?;
            self.excluded
                .extend(excluded.into_iter().map(|id| (system, id)));

            let other = system.other();
            let object = &self.spec.object(other).name;
            let linking = store.find_by_link_batch(other, object, &ids).await?;
            self.linking.extend(
                linking
                    .into_iter()
                    .map(|(id, records)| ((system, id), records)),
            );
        }
        Ok(())
    }

    /// Carries out the review decisions people made since the last pass.
    async fn decided_reviews(
        &mut self,
        report: &mut PassReport,
    ) -> Result<Vec<PairWork>, PassError> {
        let store = self.connections.store.as_ref();
        let decided = store
            .reviews(Some(&self.spec.flow), Some(ReviewStatus::Decided))
            .await?;
        let mut work = Vec::new();
        for review in decided {
            let item = &review.item;
            let object = &self.spec.object(item.system).name;
            let seen = store.seen(item.system, object, &item.record_id).await?;
            let planned = match (&review.decision, seen) {
                (ReviewDecision::Link(target), Some(seen)) => {
                    self.decided_link(&seen, target, review.id, report).await?
                }
                (ReviewDecision::Create, Some(seen)) if self.is_free(&seen).await? => {
                    let change = change_from_seen(&seen);
                    self.load_lookups(&change).await?;
                    self.claimed.insert(key_of(&change));
                    Some(
                        self.plan_create(
                            &change,
                            format!("created as decided in review {}", review.id),
                        )
                        .await?,
                    )
                }
                _ => None,
            };
            work.extend(planned);
            store.finish_review(review.id).await?;
        }
        Ok(work)
    }

    async fn decided_link(
        &mut self,
        seen: &SeenRecord,
        target: &str,
        review_id: i64,
        report: &mut PassReport,
    ) -> Result<Option<PairWork>, PassError> {
        let other = seen.system.other();
        let object = &self.spec.object(other).name;
        let target = self.connections.store.seen(other, object, target).await?;
        let Some(target) = target else {
            tracing::warn!(flow = %self.spec.flow, review_id, "review decision names an unknown record; nothing linked");
            return Ok(None);
        };
        if !self.is_free(seen).await? || !self.is_free(&target).await? {
            tracing::warn!(flow = %self.spec.flow, review_id, "a record of the review decision is linked already");
            return Ok(None);
        }
        let change = change_from_seen(seen);
        self.load_lookups(&change).await?;
        self.claim(&change, &target);
        report.linked += 1;
        let how = format!("linked as decided in review {review_id}");
        Ok(Some(self.plan_link(&change, &target, how).await?))
    }

    /// Adds the lookups a record built outside the change feed needs.
    async fn load_lookups(&mut self, change: &Change) -> Result<(), PassError> {
        let keys = self.spec.mapping.lookup_keys(change.system, &change.values);
        let loaded = LookupTable::load(self.connections.store.as_ref(), keys).await?;
        self.lookups.extend(loaded);
        Ok(())
    }

    /// Returns the counterpart named by an ID: the one this record stores, or one that stores
    /// this record's ID. Either must be free.
    async fn linked_by_id(&self, change: &Change) -> Result<Option<SeenRecord>, PassError> {
        let store = self.connections.store.as_ref();
        let other = change.system.other();
        let object = &self.spec.object(other).name;

        if let Some(link) = change
            .record
            .link
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            if let Some(seen) = store.seen(other, object, link).await?
                && self.is_free(&seen).await?
            {
                return Ok(Some(seen));
            }
            tracing::warn!(flow = %self.spec.flow, system = %change.system, id = %change.record.id,
                link, "stored link points to no free record; matching by score");
        }

        let by_link = self.linking.get(&key_of(change)).into_iter().flatten();
        let mut free = Vec::new();
        for record in by_link {
            if self.is_free(record).await? {
                free.push(record);
            }
        }
        match free.as_slice() {
            [only] => Ok(Some((*only).clone())),
            _ => Ok(None),
        }
    }

    /// Returns the one free record on the other side with the same email address, when the
    /// flow links by email. With several, scoring decides.
    async fn linked_by_email(&self, change: &Change) -> Result<Option<SeenRecord>, PassError> {
        if !self.spec.matching.link_by_email {
            return Ok(None);
        }
        let field = self.spec.keys(change.system).email.as_deref();
        let Some(key) = field
            .and_then(|field| change.record.fields.get(field)?.as_text())
            .and_then(email_key)
        else {
            return Ok(None);
        };
        let other = change.system.other();
        let object = &self.spec.object(other).name;
        let store = self.connections.store.as_ref();
        let mut free = Vec::new();
        for record in store.find_by_key(other, object, None, Some(&key)).await? {
            if record.email_key.as_deref() == Some(key.as_str()) && self.is_free(&record).await? {
                free.push(record);
            }
        }
        Ok(match free.as_slice() {
            [only] => Some(only.clone()),
            _ => None,
        })
    }

    /// Returns true when a record is neither linked in the store nor claimed in this pass.
    async fn is_free(&self, record: &SeenRecord) -> Result<bool, PassError> {
        if self.claimed.contains(&(record.system, record.id.clone())) {
            return Ok(false);
        }
        let xref = self
            .connections
            .store
            .xref(&self.spec.flow, record.system, &record.id)
            .await?;
        Ok(xref.is_none())
    }

    /// Reads the unlinked records of `system` from the store and indexes their profiles,
    /// once per pass.
    async fn load_unlinked(&mut self, system: System) -> Result<(), PassError> {
        if self.unlinked.contains_key(&system) {
            return Ok(());
        }
        let object = &self.spec.object(system).name;
        let records = self
            .connections
            .store
            .unlinked(&self.spec.flow, system, object)
            .await?;
        let records: Vec<(SeenRecord, Profile)> = records
            .into_iter()
            .map(|record| {
                let email = record.email_key.as_deref();
                let profile = profile_of(self.spec, system, &record.values, email);
                (record, profile)
            })
            .collect();
        let index = BlockingIndex::new(records.iter().map(|(_, profile)| profile));
        self.unlinked.insert(system, Unlinked { records, index });
        Ok(())
    }

    /// Returns the candidates of a change: unlinked, unclaimed records of the other side
    /// that share a blocking key with it and score at least the review threshold, best
    /// first.
    async fn candidates(
        &mut self,
        change: &Change,
    ) -> Result<Vec<(SeenRecord, crate::matching::Score)>, PassError> {
        let profile = self.profile(change.system, &change.record.fields, None);
        let threshold = self.spec.matching.review_threshold;
        let other = change.system.other();
        self.load_unlinked(other).await?;
        let Some(unlinked) = self.unlinked.get(&other) else {
            return Ok(Vec::new());
        };
        let claimed = &self.claimed;
        let mut scored: Vec<(SeenRecord, crate::matching::Score)> = unlinked
            .index
            .candidates(&profile)
            .into_iter()
            .map(|position| &unlinked.records[position])
            .filter(|(record, _)| !claimed.contains(&(record.system, record.id.clone())))
            .filter_map(|(record, candidate)| {
                let score = score(&profile, candidate);
                (score.value >= threshold).then(|| (record.clone(), score))
            })
            .collect();
        scored.sort_by(|a, b| b.1.value.total_cmp(&a.1.value).then(a.0.id.cmp(&b.0.id)));
        Ok(scored)
    }

    fn profile(&self, system: System, fields: &Fields, email: Option<&str>) -> Profile {
        let email_field = self.spec.keys(system).email.as_deref();
        let email = email.map(str::to_string).or_else(|| {
            email_field.and_then(|field| fields.get(field)?.as_text().map(str::to_string))
        });
        profile_of(self.spec, system, fields, email.as_deref())
    }

    /// Scores the pending changes, groups them with their candidates and plans each group.
    async fn plan_by_score(
        &mut self,
        pending: &[&Change],
        report: &mut PassReport,
    ) -> Result<Vec<PairWork>, PassError> {
        let mut edges = Vec::new();
        for (index, change) in pending.iter().enumerate() {
            for (candidate, score) in self.candidates(change).await? {
                edges.push(Edge {
                    change: index,
                    candidate,
                    score,
                });
            }
        }
        let mut work = Vec::new();
        for group in groups(pending, &edges) {
            let netsuite = group
                .records
                .iter()
                .filter(|key| key.0 == System::NetSuite)
                .count();
            let salesforce = group.records.len() - netsuite;
            let best = group
                .edges
                .iter()
                .map(|&i| edges[i].score.value)
                .fold(0.0, f64::max);
            match (netsuite, salesforce) {
                (1, 0) | (0, 1)
                    if !self
                        .spec
                        .creates_in(pending[group.changes[0]].system.other()) =>
                {
                    let change = pending[group.changes[0]];
                    tracing::debug!(flow = %self.spec.flow, system = %change.system,
                        id = %change.record.id, "no match; creating on the other side is left to another flow");
                    report.skipped += 1;
                }
                (1, 0) | (0, 1) => {
                    let change = pending[group.changes[0]];
                    work.push(
                        self.plan_create(
                            change,
                            "created: no record on the other side matched".to_string(),
                        )
                        .await?,
                    );
                }
                (1, 1) if best >= self.spec.matching.link_threshold => {
                    let edge = &edges[group.edges[0]];
                    let change = pending[edge.change];
                    let other = edge.candidate.clone();
                    self.claim(change, &other);
                    report.linked += 1;
                    let how = format!("linked with score {}", edge.score);
                    work.push(self.plan_link(change, &other, how).await?);
                }
                _ => {
                    for &index in &group.changes {
                        let own: Vec<&Edge> =
                            edges.iter().filter(|edge| edge.change == index).collect();
                        self.queue_review(pending[index], &own).await?;
                        report.in_review += 1;
                    }
                }
            }
        }
        Ok(work)
    }

    /// Links two existing records: each gets the other's ID, and a mapped field that is blank
    /// on one side is filled from the other. Fields set on both sides are left as they are.
    async fn plan_link(
        &self,
        change: &Change,
        other: &SeenRecord,
        how: String,
    ) -> Result<PairWork, PassError> {
        let this_side = change.system;
        let other_side = other.system;
        let (ns_id, sf_id) = match this_side {
            System::NetSuite => (change.record.id.clone(), other.id.clone()),
            System::Salesforce => (other.id.clone(), change.record.id.clone()),
        };
        let mut xref = new_xref(&self.spec.flow, ns_id, sf_id);
        *xref.values_mut(this_side) = change.values.clone();
        *xref.values_mut(other_side) = other.values.clone();

        let mut work = PairWork::new(xref);
        fill_blanks(self.spec, &self.lookups, &mut work, this_side);
        if change.record.link.as_deref() != Some(other.id.as_str()) {
            work.update_mut(this_side).link = Some(other.id.clone());
        }
        if other.link.as_deref() != Some(change.record.id.as_str()) {
            work.update_mut(other_side).link = Some(change.record.id.clone());
        }
        work.records.push((this_side, change.record.id.clone()));
        if self.in_batch(other) {
            work.records.push((other_side, other.id.clone()));
        }
        tracing::debug!(flow = %self.spec.flow, ns_id = %work.xref.ns_id,
            sf_id = %work.xref.sf_id, how = %how, "linked existing records");
        self.close_reviews(&[
            (this_side, change.record.id.as_str()),
            (other_side, other.id.as_str()),
        ])
        .await?;
        self.audit("link", Some(&work.xref.ns_id), Some(&work.xref.sf_id), how)
            .await?;
        Ok(work)
    }

    fn in_batch(&self, record: &SeenRecord) -> bool {
        self.in_batch.contains(&(record.system, record.id.clone()))
    }

    /// Plans the creation of the counterpart, keyed by this record's ID so that a repeated
    /// create updates instead of duplicating.
    async fn plan_create(&self, change: &Change, why: String) -> Result<PairWork, PassError> {
        let target = change.system.other();
        let (fields, error) =
            match self
                .spec
                .mapping
                .translate(change.system, &change.values, &self.lookups)
            {
                Ok(fields) => (fields, None),
                Err(error) => (Fields::new(), Some((target, mapping_error(target, error)))),
            };

        let (ns_id, sf_id) = match change.system {
            System::NetSuite => (change.record.id.clone(), String::new()),
            System::Salesforce => (String::new(), change.record.id.clone()),
        };
        let mut xref = new_xref(&self.spec.flow, ns_id, sf_id);
        *xref.values_mut(change.system) = change.values.clone();
        *xref.values_mut(target) = self.spec.mapping.project(target, &fields);

        let mut work = PairWork::new(xref);
        work.error = error;
        work.create = Some(PlannedCreate {
            source: change.system,
            record: NewRecord {
                link: change.record.id.clone(),
                fields,
            },
            source_link: change.record.link.clone(),
        });
        work.records.push((change.system, change.record.id.clone()));
        self.close_reviews(&[(change.system, change.record.id.as_str())])
            .await?;
        let (ns_id, sf_id) = match change.system {
            System::NetSuite => (Some(change.record.id.as_str()), None),
            System::Salesforce => (None, Some(change.record.id.as_str())),
        };
        self.audit("create", ns_id, sf_id, why).await?;
        Ok(work)
    }

    /// Queues a change for review with its candidates; nothing is written for it.
    async fn queue_review(&self, change: &Change, edges: &[&Edge]) -> Result<(), PassError> {
        let candidates: Vec<Candidate> = edges
            .iter()
            .map(|edge| Candidate {
                id: edge.candidate.id.clone(),
                values: edge.candidate.values.clone(),
                score: edge.score.clone(),
            })
            .collect();
        let item = ReviewItem {
            flow: self.spec.flow.clone(),
            system: change.system,
            record_id: change.record.id.clone(),
            values: change.values.clone(),
            candidates,
        };
        let id = self.connections.store.add_review(&item).await?;
        let names: Vec<String> = edges
            .iter()
            .map(|edge| format!("{} ({:.2})", edge.candidate.id, edge.score.value))
            .collect();
        tracing::warn!(flow = %self.spec.flow, system = %change.system, id = %change.record.id,
            review_id = id, candidates = %names.join(", "), "doubtful match; queued for review");
        let (ns_id, sf_id) = match change.system {
            System::NetSuite => (Some(change.record.id.as_str()), None),
            System::Salesforce => (None, Some(change.record.id.as_str())),
        };
        let text = format!("queued for review {id}; candidates {}", names.join(", "));
        self.audit("review", ns_id, sf_id, text).await
    }

    /// Finishes pending review items of records that a pass has now linked or created.
    async fn close_reviews(&self, records: &[(System, &str)]) -> Result<(), PassError> {
        let store = self.connections.store.as_ref();
        for (system, id) in records {
            if let Some(open) = store.open_review(&self.spec.flow, *system, id).await?
                && open.status == ReviewStatus::Pending
            {
                store.finish_review(open.id).await?;
            }
        }
        Ok(())
    }

    async fn audit(
        &self,
        kind: &str,
        ns_id: Option<&str>,
        sf_id: Option<&str>,
        decision: String,
    ) -> Result<(), PassError> {
        let entry = AuditEntry {
            flow: self.spec.flow.clone(),
            kind: kind.to_string(),
            ns_id: ns_id.map(str::to_string),
            sf_id: sf_id.map(str::to_string),
            field: None,
            netsuite_value: None,
            salesforce_value: None,
            decision,
        };
        self.connections.store.audit(&entry).await?;
        Ok(())
    }
}

/// Builds a matching profile from a record's fields, using the side's key fields.
fn profile_of(spec: &TwoWaySpec, system: System, fields: &Fields, email: Option<&str>) -> Profile {
    let keys = spec.keys(system);
    let text = |field: &Option<String>| -> Option<String> {
        let value = fields.get(field.as_deref()?)?;
        value.as_text().map(str::to_string)
    };
    Profile::new(
        keys.name_text(fields).as_deref(),
        text(&keys.phone).as_deref(),
        text(&keys.website).as_deref(),
        email,
        &spec.matching.phone_region,
    )
}

/// Builds a change from what the store remembers of a record, for decisions made outside a
/// pass (its modification time is unknown and not needed to link or create it).
fn change_from_seen(seen: &SeenRecord) -> Change {
    Change {
        system: seen.system,
        record: SourceRecord {
            id: seen.id.clone(),
            modified_at: chrono::DateTime::UNIX_EPOCH,
            link: seen.link.clone(),
            fields: seen.values.clone(),
        },
        values: seen.values.clone(),
    }
}

fn new_xref(flow: &str, ns_id: String, sf_id: String) -> Xref {
    Xref {
        flow: flow.to_string(),
        ns_id,
        sf_id,
        ns_values: Fields::new(),
        sf_values: Fields::new(),
        ns_written: None,
        sf_written: None,
    }
}

/// Copies each mapped value that is blank on one side from the other side, where the pair
/// travels that way and the value converts.
fn fill_blanks(spec: &TwoWaySpec, lookups: &LookupTable, work: &mut PairWork, first: System) {
    for pair in &spec.mapping.pairs {
        for side in [first, first.other()] {
            let from = side.other();
            if !pair.direction.allows_from(from) {
                continue;
            }
            let own = normalized(work.xref.values(side).get(pair.name(side)));
            let other: FieldValue = normalized(work.xref.values(from).get(pair.name(from)));
            if !own.is_blank() || other.is_blank() {
                continue;
            }
            if let Ok(value) = spec.mapping.convert(pair, from, &other, lookups) {
                let name = pair.name(side).to_string();
                work.update_mut(side).fields.insert(name, value);
            }
        }
    }
}
