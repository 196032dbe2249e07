//! `tandem approvals list|approve|reject`: write calls of MCP clients that wait for a person.

use std::process::ExitCode;

use anyhow::{Context, bail};
use serde_json::json;
use tandem_engine::state::{ApprovalStatus, StoredApproval};

use crate::queues::{StoreArgs, shorten};
use crate::say;

/// The approval commands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List approval requests, oldest first.
    List {
        #[command(flatten)]
        store: StoreArgs,
        /// Only requests with this status: pending, approved, rejected, done, or all.
        #[arg(long, default_value = "pending")]
        status: String,
    },
    /// Approve a pending request; the client's repeated call then carries it out.
    Approve {
        #[command(flatten)]
        store: StoreArgs,
        id: i64,
    },
    /// Reject a pending request; nothing is done for it.
    Reject {
        #[command(flatten)]
        store: StoreArgs,
        id: i64,
    },
}

/// Runs an approval command.
pub async fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::List { store, status } => list(&store, &status).await,
        Command::Approve { store, id } => decide(&store, id, ApprovalStatus::Approved).await,
        Command::Reject { store, id } => decide(&store, id, ApprovalStatus::Rejected).await,
    }
}

async fn list(args: &StoreArgs, status: &str) -> anyhow::Result<ExitCode> {
    let status = match status {
        "all" => None,
        other => Some(
            other
                .parse::<ApprovalStatus>()
                .map_err(anyhow::Error::msg)?,
        ),
    };
    let approvals = args.open().await?.gateway().approvals(status).await?;
    if args.json {
        say!("{}", json!(approvals))?;
        return Ok(ExitCode::SUCCESS);
    }
    if approvals.is_empty() {
        say!("no approval requests")?;
    }
    for approval in &approvals {
        say!(
            "{:>5}  {:<8}  {:<16}  {:<20}  {}",
            approval.id,
            approval.status,
            approval.request.client,
            approval.request.tool,
            shorten(&approval.request.summary, 80)
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

async fn decide(args: &StoreArgs, id: i64, to: ApprovalStatus) -> anyhow::Result<ExitCode> {
    let store = args.open().await?.gateway();
    let approval: StoredApproval = store.approval(id).await?.with_context(|| {
        format!("approval {id} not found; `tandem approvals list --status all` shows the IDs")
    })?;
    if approval.status != ApprovalStatus::Pending {
        bail!(
            "approval {id} is {} already; only pending requests are approved or rejected",
            approval.status
        );
    }
    let person = std::env::var("USER").unwrap_or_else(|_| "a person".to_string());
    let decided_by = format!("{person} (command line)");
    let changed = store
        .set_approval_status(id, ApprovalStatus::Pending, to, Some(&decided_by), None)
        .await?;
    if !changed {
        bail!("approval {id} was decided by someone else meanwhile; list it to see the result");
    }
    match to {
        ApprovalStatus::Approved => say!(
            "approval {id} approved: {}; client {} carries it out when it calls {} again",
            approval.request.summary,
            approval.request.client,
            approval.request.tool
        )?,
        _ => say!("approval {id} rejected: nothing will be done")?,
    }
    Ok(ExitCode::SUCCESS)
}
