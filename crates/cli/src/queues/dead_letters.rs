//! `tandem dead-letters list|show|edit|replay|discard`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use serde_json::{Value, json};
use tandem_engine::Fields;
use tandem_engine::pass::ReplayOutcome;
use tandem_engine::queues::{dead_letter_json, discard_dead_letter};
use tandem_engine::state::{DeadLetterStatus, StoredDeadLetter};

use super::{StoreArgs, fields_json, queue_error, shorten};
use crate::config::{FileConfig, SecretSource};
use crate::connect::{SetupError, connect};
use crate::say;

/// The dead-letter commands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List dead letters, newest last.
    List {
        #[command(flatten)]
        store: StoreArgs,
        /// Only letters with this status: open (with those whose replay is requested),
        /// requested, resolved, discarded, or all.
        #[arg(long, default_value = "open")]
        status: String,
        /// Only letters of this flow.
        #[arg(long)]
        flow: Option<String>,
    },
    /// Show one dead letter with its payload and the remote error.
    Show {
        #[command(flatten)]
        store: StoreArgs,
        id: i64,
    },
    /// Edit a dead letter's payload in $EDITOR (a JSON object of field values).
    Edit {
        #[command(flatten)]
        store: StoreArgs,
        id: i64,
    },
    /// Send a dead letter's payload again. While another tandem process holds the store, the
    /// replay is requested and its next pass does it.
    Replay {
        #[command(flatten)]
        store: StoreArgs,
        id: i64,
        /// Read secrets missing from the environment from this KEY=VALUE file.
        #[arg(long, value_name = "FILE")]
        env_file: Option<PathBuf>,
    },
    /// Drop a dead letter: nothing will be written for it.
    Discard {
        #[command(flatten)]
        store: StoreArgs,
        id: i64,
    },
}

/// Runs a dead-letter command.
pub async fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::List {
            store,
            status,
            flow,
        } => list(&store, &status, flow.as_deref()).await,
        Command::Show { store, id } => show(&store, id).await,
        Command::Edit { store, id } => edit(&store, id).await,
        Command::Replay {
            store,
            id,
            env_file,
        } => replay_letter(&store, id, env_file).await,
        Command::Discard { store, id } => discard(&store, id).await,
    }
}

async fn list(args: &StoreArgs, status: &str, flow: Option<&str>) -> anyhow::Result<ExitCode> {
    let status = match status {
        "all" => None,
        other => Some(
            other
                .parse::<DeadLetterStatus>()
                .map_err(anyhow::Error::msg)?,
        ),
    };
    let store = args.open().await?;
    let mut letters = store.dead_letters(flow, status).await?;
    // A letter whose replay is requested is still open until the next pass replays it.
    if status == Some(DeadLetterStatus::Open) {
        let requested = DeadLetterStatus::Requested;
        letters.extend(store.dead_letters(flow, Some(requested)).await?);
        letters.sort_by_key(|stored| stored.id);
    }
    if args.json {
        let items: Vec<Value> = letters.iter().map(dead_letter_json).collect();
        say!("{}", Value::from(items))?;
        return Ok(ExitCode::SUCCESS);
    }
    if letters.is_empty() {
        say!("no dead letters")?;
    }
    for stored in &letters {
        let letter = &stored.letter;
        say!(
            "{:>5}  {:<9}  {}  {} {} -> {}  {}  {}",
            stored.id,
            stored.status,
            letter.flow,
            letter.source_system,
            letter.source_id,
            letter.source_system.other(),
            letter.action,
            shorten(
                &format!("{} {}", letter.error.code, letter.error.message),
                90
            )
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

async fn show(args: &StoreArgs, id: i64) -> anyhow::Result<ExitCode> {
    let store = args.open().await?;
    let stored = find(&store, id).await?;
    if args.json {
        say!("{}", dead_letter_json(&stored))?;
        return Ok(ExitCode::SUCCESS);
    }
    let letter = &stored.letter;
    say!(
        "dead letter {} ({}, {} attempts)",
        stored.id,
        stored.status,
        stored.attempts
    )?;
    say!("flow      {}", letter.flow)?;
    say!("source    {} {}", letter.source_system, letter.source_id)?;
    if let Some(target) = &letter.target_id {
        say!("target    {} {}", letter.source_system.other(), target)?;
    }
    say!("action    {}", letter.action)?;
    say!("error     {}", letter.error)?;
    say!("first     {}", stored.created_at)?;
    say!("last      {}", stored.updated_at)?;
    say!(
        "payload   {}",
        serde_json::to_string_pretty(&fields_json(&letter.payload))?
    )?;
    Ok(ExitCode::SUCCESS)
}

async fn edit(args: &StoreArgs, id: i64) -> anyhow::Result<ExitCode> {
    let store = args.open().await?;
    let stored = find(&store, id).await?;
    if stored.letter.action == tandem_engine::one_way::SYNC_ACTION {
        bail!(
            "dead letter {id} of flow {} is replayed from its source record as it is then, not \
             from a payload; fix the {} record {} (or its parent) and run \
             `tandem dead-letters replay {id}`",
            stored.letter.flow,
            stored.letter.source_system,
            stored.letter.source_id
        );
    }
    let editor = std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .context("set EDITOR (or VISUAL) to the editor to use, for example EDITOR=nano")?;
    let file = tempfile::Builder::new()
        .prefix(&format!("dead-letter-{id}-"))
        .suffix(".json")
        .tempfile()
        .context("cannot create a temporary file to edit")?;
    std::fs::write(
        file.path(),
        serde_json::to_string_pretty(&fields_json(&stored.letter.payload))?,
    )?;
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("editor")
        .arg(file.path())
        .status()
        .with_context(|| format!("cannot start the editor {editor:?}"))?;
    if !status.success() {
        bail!("the editor exited with {status}; the payload is unchanged");
    }
    let text = std::fs::read_to_string(file.path())?;
    let payload: Fields = serde_json::from_str(&text).context(
        "the edited payload is not a JSON object of field values (text, numbers, true/false, \
         null); the payload is unchanged",
    )?;
    let file = FileConfig::load(&args.config)?;
    let flows = crate::flows::enabled_flows(&file)?;
    tandem_engine::actions::edit_dead_letter(&*store, &flows, id, &payload).await?;
    say!("dead letter {id}: payload saved; `tandem dead-letters replay {id}` sends it")?;
    Ok(ExitCode::SUCCESS)
}

async fn replay_letter(
    args: &StoreArgs,
    id: i64,
    env_file: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let file = FileConfig::load(&args.config)?;
    let secrets = match &env_file {
        Some(path) => SecretSource::with_env_file(path)?,
        None => SecretSource::environment(),
    };
    let dir = args.config.parent().unwrap_or(std::path::Path::new("."));
    let setup = match connect(&file, dir, &secrets).await {
        Ok(setup) => setup,
        Err(SetupError::Busy(_)) => return request_replay(args, id).await,
        Err(error) => return Err(error.into_anyhow()),
    };
    let stored = find(&setup.store, id).await?;
    let Some(flow) = setup
        .flows
        .iter()
        .find(|flow| flow.name() == stored.letter.flow)
    else {
        bail!(
            "dead letter {id} belongs to flow {}, which this configuration does not enable",
            stored.letter.flow
        );
    };
    let outcome = flow.replay(&setup.connections, id).await?;
    setup.store.close().await;
    let (outcome_name, message, code) = match &outcome {
        ReplayOutcome::Written => ("written", "written; resolved".to_string(), 0),
        ReplayOutcome::Refused(error) => ("refused", format!("refused again: {error}"), 1),
        ReplayOutcome::Deferred => (
            "deferred",
            "the other side did not answer; try again later".to_string(),
            1,
        ),
    };
    if args.json {
        let error = match &outcome {
            ReplayOutcome::Refused(error) => json!(error),
            _ => Value::Null,
        };
        say!(
            "{}",
            json!({"id": id, "outcome": outcome_name, "error": error})
        )?;
    } else {
        say!("dead letter {id}: {message}")?;
    }
    Ok(ExitCode::from(code))
}

/// Asks the process holding the store to replay the letter in its next pass.
async fn request_replay(args: &StoreArgs, id: i64) -> anyhow::Result<ExitCode> {
    let store = args.open().await?;
    let stored = find(&store, id).await?;
    if stored.status != DeadLetterStatus::Open {
        bail!(
            "dead letter {id} is {}, not open; only open letters are replayed",
            stored.status
        );
    }
    store
        .set_dead_letter_status(id, DeadLetterStatus::Requested)
        .await?;
    if args.json {
        say!(
            "{}",
            json!({"id": id, "outcome": "requested", "error": null})
        )?;
    } else {
        say!("dead letter {id}: another tandem process holds the store; its next pass replays it")?;
    }
    Ok(ExitCode::SUCCESS)
}

async fn discard(args: &StoreArgs, id: i64) -> anyhow::Result<ExitCode> {
    let store = args.open().await?;
    discard_dead_letter(&*store, id)
        .await
        .map_err(|error| queue_error(error, "tandem dead-letters list"))?;
    say!("dead letter {id}: discarded")?;
    Ok(ExitCode::SUCCESS)
}

async fn find(store: &tandem_store::AnyStore, id: i64) -> anyhow::Result<StoredDeadLetter> {
    store.dead_letter(id).await?.with_context(|| {
        format!("dead letter {id} not found; `tandem dead-letters list --status all` shows the IDs")
    })
}
