//! `tandem approvals list|approve|reject`: write calls of MCP clients that wait for a person.
//! Approving a request carries it out at once (see [`crate::mcp::carry_out_approval`]).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use serde_json::json;
use tandem_engine::state::{ApprovalStatus, StoredApproval};
use tandem_mcp::approvals::CarryOut;

use crate::mcp::ApprovalRun;
use crate::queues::{StoreArgs, shorten};
use crate::say;

/// The approval commands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List approval requests, oldest first.
    List {
        #[command(flatten)]
        store: StoreArgs,
        /// Only requests with this status: pending, approved, rejected, running, done, failed,
        /// or all.
        #[arg(long, default_value = "pending")]
        status: String,
    },
    /// Approve a pending request and carry it out now, once. While a `tandem run` daemon
    /// holds the store, the daemon carries it out instead, within a few seconds.
    Approve {
        #[command(flatten)]
        store: StoreArgs,
        id: i64,
        /// Read the NetSuite and Salesforce secrets missing from the environment from this
        /// KEY=VALUE file (as `tandem run --env-file`).
        #[arg(long, value_name = "FILE")]
        env_file: Option<PathBuf>,
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
        Command::Approve {
            store,
            id,
            env_file,
        } => {
            decide(&store, id, ApprovalStatus::Approved).await?;
            carry_out(&store, id, env_file).await
        }
        Command::Reject { store, id } => {
            decide(&store, id, ApprovalStatus::Rejected).await?;
            say!("approval {id} rejected: nothing will be done")?;
            Ok(ExitCode::SUCCESS)
        }
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
        let approvals: Vec<_> = approvals.iter().map(StoredApproval::to_json).collect();
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
        if let Some(outcome) = &approval.outcome {
            say!("       outcome: {}", shorten(outcome, 200))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Moves a pending request to `to`, recording the person who decided.
async fn decide(args: &StoreArgs, id: i64, to: ApprovalStatus) -> anyhow::Result<()> {
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
    if to == ApprovalStatus::Approved {
        say!("approval {id} approved: {}", approval.request.summary)?;
    }
    Ok(())
}

/// Carries out an approved request, or leaves it to the daemon that holds the store, and
/// prints what happened. Exits with status 1 when the write failed.
async fn carry_out(
    args: &StoreArgs,
    id: i64,
    env_file: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let run = crate::mcp::carry_out_approval(&args.config, env_file.as_deref(), id).await?;
    let carried = match run {
        ApprovalRun::LeftToDaemon => {
            say!(
                "a running tandem process holds the store and carries it out within a few \
                 seconds; `tandem approvals list --status all` shows the outcome"
            )?;
            return Ok(ExitCode::SUCCESS);
        }
        ApprovalRun::Here(carried) => *carried,
    };
    let approval = match carried {
        CarryOut::NotApproved(approval) => {
            say!(
                "approval {id} is {} now: another process took it, so nothing was done here",
                approval.status
            )?;
            return Ok(ExitCode::SUCCESS);
        }
        CarryOut::Finished(approval) => approval,
    };
    if args.json {
        say!("{}", approval.to_json())?;
    } else {
        say!(
            "approval {id} carried out: {}: {}",
            approval.status,
            shorten(approval.outcome.as_deref().unwrap_or_default(), 400)
        )?;
    }
    match approval.status {
        ApprovalStatus::Failed => Ok(ExitCode::FAILURE),
        _ => Ok(ExitCode::SUCCESS),
    }
}
