//! `tandem conflicts list|show|resolve`.

use std::process::ExitCode;

use anyhow::Context;
use serde_json::Value;
use tandem_engine::System;
use tandem_engine::queues::{conflict_json, resolve_conflict};
use tandem_engine::state::{ConflictStatus, StoredConflict};

use super::{StoreArgs, queue_error, value_text};
use crate::say;

/// The side whose value a person chooses.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Side {
    Netsuite,
    Salesforce,
}

/// The conflict queue commands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List conflicts.
    List {
        #[command(flatten)]
        store: StoreArgs,
        /// Only conflicts with this status: open, decided, done, or all.
        #[arg(long, default_value = "open")]
        status: String,
    },
    /// Show a conflict with the value at the last sync and both new values.
    Show {
        #[command(flatten)]
        store: StoreArgs,
        id: i64,
    },
    /// Choose the side whose value wins; the next pass writes it to the other side.
    Resolve {
        #[command(flatten)]
        store: StoreArgs,
        id: i64,
        #[arg(long, value_enum)]
        take: Side,
    },
}

/// Runs a conflict command.
pub async fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::List { store, status } => list(&store, &status).await,
        Command::Show { store, id } => show(&store, id).await,
        Command::Resolve { store, id, take } => resolve(&store, id, take).await,
    }
}

async fn list(args: &StoreArgs, status: &str) -> anyhow::Result<ExitCode> {
    let status = match status {
        "all" => None,
        other => Some(
            other
                .parse::<ConflictStatus>()
                .map_err(anyhow::Error::msg)?,
        ),
    };
    let store = args.open().await?;
    let conflicts = store.conflicts(None, status).await?;
    if args.json {
        let items: Vec<Value> = conflicts.iter().map(conflict_json).collect();
        say!("{}", Value::from(items))?;
        return Ok(ExitCode::SUCCESS);
    }
    if conflicts.is_empty() {
        say!("no conflicts")?;
    }
    for stored in &conflicts {
        let conflict = &stored.conflict;
        say!(
            "{:>5}  {:<7}  {}  NetSuite {} / Salesforce {}  {}/{}: NetSuite {:?}, Salesforce {:?}",
            stored.id,
            stored.status.as_str(),
            conflict.flow,
            conflict.ns_id,
            conflict.sf_id,
            conflict.netsuite_field,
            conflict.salesforce_field,
            value_text(&conflict.netsuite_value),
            value_text(&conflict.salesforce_value)
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

async fn show(args: &StoreArgs, id: i64) -> anyhow::Result<ExitCode> {
    let store = args.open().await?;
    let stored = find(&store, id).await?;
    if args.json {
        say!("{}", conflict_json(&stored))?;
        return Ok(ExitCode::SUCCESS);
    }
    let conflict = &stored.conflict;
    say!("conflict {} ({})", stored.id, stored.status.as_str())?;
    say!("flow        {}", conflict.flow)?;
    say!(
        "records     NetSuite {}, Salesforce {}",
        conflict.ns_id,
        conflict.sf_id
    )?;
    say!(
        "field       {} / {}",
        conflict.netsuite_field,
        conflict.salesforce_field
    )?;
    say!("last synced {}", value_text(&conflict.synced_value))?;
    say!("NetSuite    {}", value_text(&conflict.netsuite_value))?;
    say!("Salesforce  {}", value_text(&conflict.salesforce_value))?;
    if let Some(winner) = stored.winner {
        say!("chosen      {winner}")?;
    }
    Ok(ExitCode::SUCCESS)
}

async fn resolve(args: &StoreArgs, id: i64, take: Side) -> anyhow::Result<ExitCode> {
    let store = args.open().await?;
    let winner = match take {
        Side::Netsuite => System::NetSuite,
        Side::Salesforce => System::Salesforce,
    };
    resolve_conflict(&*store, id, winner, "a person")
        .await
        .map_err(|error| queue_error(error, "tandem conflicts list"))?;
    say!("conflict {id}: {winner} wins; the next pass writes it")?;
    Ok(ExitCode::SUCCESS)
}

async fn find(store: &tandem_store::AnyStore, id: i64) -> anyhow::Result<StoredConflict> {
    store.conflict(id).await?.with_context(|| {
        format!("conflict {id} not found; `tandem conflicts list --status all` shows the IDs")
    })
}
