//! One batch of `customer-onboarding`: which Accounts meet the condition, and what became of
//! each changed Account and Opportunity.

use std::collections::{BTreeMap, BTreeSet};

use super::{Options, TYPE_FIELD};
use crate::flows::customers::{self, NotCreated, Onboarded, Onboarding};
use crate::flows::support::{self, SyncStatus};
use crate::one_way::{Outcome, SourceItem};
use crate::pass::{Connections, PassError};
use crate::record::{ObjectSpec, SourceRecord, System};
use crate::report::PassReport;

/// The Salesforce object whose won records onboard their Account.
pub(super) const OPPORTUNITY: &str = "Opportunity";

/// The index of the Opportunity feed in the spec's objects, when it is read.
const OPPORTUNITY_OBJECT: usize = 1;

/// Returns the Opportunity as read for the condition. It has no link field of its own here.
pub(super) fn opportunity_spec() -> ObjectSpec {
    ObjectSpec {
        name: OPPORTUNITY.to_string(),
        fields: vec!["AccountId".to_string(), "IsWon".to_string()],
        link_field: String::new(),
    }
}

/// The connections and settings one batch uses.
pub(super) struct Run<'a> {
    pub connections: &'a Connections,
    pub options: &'a Options,
    pub onboarding: &'a Onboarding,
}

/// An Account to consider, with the batch items whose outcome it decides (the Account
/// itself, or the won Opportunities that brought it in).
struct Candidate {
    account: SourceRecord,
    items: Vec<usize>,
}

impl Run<'_> {
    /// Onboards the Accounts of a batch and returns one outcome per item.
    pub(super) async fn sync(
        &self,
        items: &[SourceItem],
        report: &mut PassReport,
    ) -> Result<Vec<Outcome>, PassError> {
        let mut outcomes: Vec<Option<Outcome>> = vec![None; items.len()];
        let mut candidates: Vec<Candidate> = items
            .iter()
            .enumerate()
            .filter(|(_, item)| item.object != OPPORTUNITY_OBJECT)
            .map(|(index, item)| Candidate {
                account: item.record.clone(),
                items: vec![index],
            })
            .collect();
        let won = self
            .won_opportunities(items, &mut candidates, &mut outcomes)
            .await?;
        let mut onboard = Vec::new();
        for (index, candidate) in candidates.iter().enumerate() {
            match self.condition(&candidate.account) {
                Some(reason) => assign(&mut outcomes, &candidate.items, Outcome::Skipped(reason)),
                None => onboard.push(index),
            }
        }
        let onboard = self
            .with_won_opportunity(candidates, onboard, &won, &mut outcomes)
            .await?;
        let accounts: Vec<SourceRecord> = onboard.iter().map(|c| c.account.clone()).collect();
        let results =
            customers::ensure_customers(self.connections, self.onboarding, &accounts, report)
                .await?;
        for (candidate, result) in onboard.iter().zip(results) {
            let outcome = self.outcome(&candidate.account, result, report).await?;
            assign(&mut outcomes, &candidate.items, outcome);
        }
        Ok(outcomes
            .into_iter()
            .map(|outcome| outcome.unwrap_or(Outcome::Unchanged))
            .collect())
    }

    /// Settles the Opportunities of the batch: those not won are skipped, and the Accounts of
    /// won ones become candidates. Returns the Accounts known to have a won Opportunity.
    async fn won_opportunities(
        &self,
        items: &[SourceItem],
        candidates: &mut Vec<Candidate>,
        outcomes: &mut [Option<Outcome>],
    ) -> Result<BTreeSet<String>, PassError> {
        let mut won = BTreeSet::new();
        let mut wanted: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (index, item) in items.iter().enumerate() {
            if item.object != OPPORTUNITY_OBJECT {
                continue;
            }
            let fields = &item.record.fields;
            let account_id = support::text(fields, "AccountId");
            let skipped = match account_id {
                _ if !support::flag(fields, "IsWon") => {
                    Some("the Opportunity is not won".to_string())
                }
                None => Some("the Opportunity has no Account".to_string()),
                Some(id) if candidates.iter().any(|c| c.account.id == id) => Some(format!(
                    "its Account {id} changed too and is handled on its own"
                )),
                Some(_) => None,
            };
            if let Some(id) = account_id.filter(|_| support::flag(fields, "IsWon")) {
                won.insert(id.to_string());
            }
            match (skipped, account_id) {
                (Some(reason), _) => outcomes[index] = Some(Outcome::Skipped(reason)),
                (None, Some(id)) => wanted.entry(id.to_string()).or_default().push(index),
                (None, None) => {}
            }
        }
        let ids: Vec<String> = wanted.keys().cloned().collect();
        for account in self.read_accounts(&ids).await? {
            let owners = wanted.remove(&account.id).unwrap_or_default();
            candidates.push(Candidate {
                account,
                items: owners,
            });
        }
        for (id, owners) in wanted {
            let reason = format!("its Account {id} was not found");
            assign(outcomes, &owners, Outcome::Skipped(reason));
        }
        Ok(won)
    }

    async fn read_accounts(&self, ids: &[String]) -> Result<Vec<SourceRecord>, PassError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let spec = self.onboarding.account_spec(&[TYPE_FIELD]);
        let port = self.connections.port(System::Salesforce);
        let what = "Salesforce Account by ID";
        Ok(self
            .connections
            .retry
            .run(what, || port.read(&spec, ids))
            .await?)
    }

    /// Returns why an Account does not meet the `Type` condition, or `None` when it does.
    fn condition(&self, account: &SourceRecord) -> Option<String> {
        let account_type = support::text(&account.fields, TYPE_FIELD);
        if self.options.takes_type(account_type) {
            return None;
        }
        Some(format!(
            "Account Type is {:?}, not one of {:?}",
            account_type.unwrap_or_default(),
            self.options.account_types
        ))
    }

    /// Keeps the candidates of `indexes` that have a won Opportunity, when the options ask for
    /// one, and skips the others.
    async fn with_won_opportunity(
        &self,
        candidates: Vec<Candidate>,
        indexes: Vec<usize>,
        won: &BTreeSet<String>,
        outcomes: &mut [Option<Outcome>],
    ) -> Result<Vec<Candidate>, PassError> {
        let mut kept: Vec<Candidate> = candidates
            .into_iter()
            .enumerate()
            .filter(|(index, _)| indexes.contains(index))
            .map(|(_, candidate)| candidate)
            .collect();
        if !self.options.require_won_opportunity {
            return Ok(kept);
        }
        let unknown: Vec<String> = kept
            .iter()
            .map(|candidate| candidate.account.id.clone())
            .filter(|id| !won.contains(id))
            .collect();
        let mut won = won.clone();
        if !unknown.is_empty() {
            let spec = opportunity_spec();
            let port = self.connections.port(System::Salesforce);
            let what = "Salesforce Opportunity by Account";
            let found = self
                .connections
                .retry
                .run(what, || port.find(&spec, "AccountId", &unknown))
                .await?;
            for opportunity in found {
                if support::flag(&opportunity.fields, "IsWon")
                    && let Some(id) = support::text(&opportunity.fields, "AccountId")
                {
                    won.insert(id.to_string());
                }
            }
        }
        kept.retain(|candidate| {
            let has_won = won.contains(&candidate.account.id);
            if !has_won {
                let reason = "the Account has no won Opportunity".to_string();
                assign(outcomes, &candidate.items, Outcome::Skipped(reason));
            }
            has_won
        });
        Ok(kept)
    }

    /// Returns the outcome of an Account, and marks one that waits as `Pending`.
    async fn outcome(
        &self,
        account: &SourceRecord,
        result: Onboarded,
        report: &mut PassReport,
    ) -> Result<Outcome, PassError> {
        Ok(match result {
            Ok(link) if link.created => Outcome::Created(link.customer_id),
            Ok(link) => Outcome::Skipped(format!(
                "the Account is linked to customer {} already",
                link.customer_id
            )),
            Err(NotCreated::Failed(outcome)) => match *outcome {
                Outcome::Waiting(refusal) => {
                    let message = refusal.error.message.clone();
                    let (connections, onboarding) = (self.connections, self.onboarding);
                    customers::write_status(
                        connections,
                        onboarding,
                        account,
                        SyncStatus::Pending,
                        &message,
                        report,
                    )
                    .await?;
                    Outcome::Waiting(refusal)
                }
                other => other,
            },
            Err(other) => Outcome::Skipped(other.reason(&account.id)),
        })
    }
}

/// Gives the first item the outcome, and the others a skip that points at it.
fn assign(outcomes: &mut [Option<Outcome>], items: &[usize], outcome: Outcome) {
    let Some((&first, rest)) = items.split_first() else {
        return;
    };
    for &item in rest {
        let reason = "its Account is handled with another record of this pass".to_string();
        outcomes[item] = Some(Outcome::Skipped(reason));
    }
    outcomes[first] = Some(outcome);
}
