//! `tandem review list|show|link|create|reject`.

use std::process::ExitCode;

use anyhow::Context;
use serde_json::Value;
use tandem_engine::queues::{decide_review, review_json};
use tandem_engine::state::{ReviewDecision, ReviewStatus, StoredReview};

use super::{StoreArgs, queue_error, value_text};
use crate::say;

/// The review queue commands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List review items.
    List {
        #[command(flatten)]
        store: StoreArgs,
        /// Only items with this status: pending, decided, done, or all.
        #[arg(long, default_value = "pending")]
        status: String,
    },
    /// Show a record and its candidates side by side, with how each score was reached.
    Show {
        #[command(flatten)]
        store: StoreArgs,
        id: i64,
    },
    /// Link the record to a record on the other side (one of the candidates, or any ID).
    Link {
        #[command(flatten)]
        store: StoreArgs,
        id: i64,
        /// The ID of the record on the other side.
        target: String,
    },
    /// Create the record's counterpart: the candidates are other companies.
    Create {
        #[command(flatten)]
        store: StoreArgs,
        id: i64,
    },
    /// Leave the record out of the sync until it changes.
    Reject {
        #[command(flatten)]
        store: StoreArgs,
        id: i64,
    },
}

/// Runs a review command.
pub async fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::List { store, status } => list(&store, &status).await,
        Command::Show { store, id } => show(&store, id).await,
        Command::Link { store, id, target } => {
            decide(&store, id, ReviewDecision::Link(target)).await
        }
        Command::Create { store, id } => decide(&store, id, ReviewDecision::Create).await,
        Command::Reject { store, id } => decide(&store, id, ReviewDecision::Reject).await,
    }
}

async fn list(args: &StoreArgs, status: &str) -> anyhow::Result<ExitCode> {
    let status = match status {
        "all" => None,
        other => Some(other.parse::<ReviewStatus>().map_err(anyhow::Error::msg)?),
    };
    let store = args.open().await?;
    let items = store.reviews(None, status).await?;
    if args.json {
        let items: Vec<Value> = items.iter().map(review_json).collect();
        say!("{}", Value::from(items))?;
        return Ok(ExitCode::SUCCESS);
    }
    if items.is_empty() {
        say!("no review items")?;
    }
    for review in &items {
        let item = &review.item;
        let best = item
            .candidates
            .first()
            .map(|c| {
                format!(
                    "best {} {} ({:.2})",
                    item.system.other(),
                    c.id,
                    c.score.value
                )
            })
            .unwrap_or_default();
        say!(
            "{:>5}  {:<8}  {}  {} {}  {}  {} candidates, {}",
            review.id,
            review.status.as_str(),
            item.flow,
            item.system,
            item.record_id,
            name_of(&item.values),
            item.candidates.len(),
            best
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

async fn show(args: &StoreArgs, id: i64) -> anyhow::Result<ExitCode> {
    let store = args.open().await?;
    let review = find(&store, id).await?;
    if args.json {
        say!("{}", review_json(&review))?;
        return Ok(ExitCode::SUCCESS);
    }
    let item = &review.item;
    say!(
        "review {} ({}, decision: {})",
        review.id,
        review.status.as_str(),
        review.decision
    )?;
    say!("{} {} in flow {}", item.system, item.record_id, item.flow)?;
    for (name, value) in &item.values {
        say!("  {name:<20} {}", value_text(value))?;
    }
    for candidate in &item.candidates {
        say!("")?;
        say!(
            "candidate {} {}: score {:.2}",
            item.system.other(),
            candidate.id,
            candidate.score.value
        )?;
        for (name, value) in &candidate.values {
            say!("  {name:<20} {}", value_text(value))?;
        }
        for evidence in &candidate.score.evidence {
            say!(
                "  {} similarity {:.2}, weight {:.1}: {}",
                evidence.signal,
                evidence.similarity,
                evidence.weight,
                evidence.detail
            )?;
        }
    }
    say!("")?;
    say!("decide with: tandem review link {id} <ID> | create {id} | reject {id} (--config ...)")?;
    Ok(ExitCode::SUCCESS)
}

async fn decide(args: &StoreArgs, id: i64, decision: ReviewDecision) -> anyhow::Result<ExitCode> {
    let store = args.open().await?;
    decide_review(&*store, id, &decision, "a person")
        .await
        .map_err(|error| queue_error(error, "tandem review list"))?;
    say!("review {id}: {decision}; the next pass carries it out")?;
    Ok(ExitCode::SUCCESS)
}

async fn find(store: &tandem_store::AnyStore, id: i64) -> anyhow::Result<StoredReview> {
    store.review(id).await?.with_context(|| {
        format!("review {id} not found; `tandem review list --status all` shows the IDs")
    })
}

/// Returns the first text value of a record, which for companies is the name.
fn name_of(values: &tandem_engine::Fields) -> String {
    values
        .values()
        .find_map(|value| value.as_text().map(str::to_string))
        .unwrap_or_default()
}
