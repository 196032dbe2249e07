//! Commands that work the queues people act on: dead letters, the review queue, the conflict
//! queue, and the audit log. They open the store without locking it, so they work while a
//! `tandem run` daemon is running.

pub mod audit;
pub mod conflicts;
pub mod dead_letters;
pub mod review;

use std::path::{Path, PathBuf};

use tandem_engine::FieldValue;
use tandem_engine::queues::QueueError;
use tandem_store::AnyStore;

use crate::config::{FileConfig, SecretSource};
use crate::connect::open_store;

/// Options every queue command takes.
#[derive(Debug, Clone, clap::Args)]
pub struct StoreArgs {
    /// The configuration file (for the store path).
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

impl StoreArgs {
    /// Opens the store the configuration names. A PostgreSQL password comes from the
    /// environment (`TANDEM_STORE_PASSWORD` or `TANDEM_STORE_PASSWORD_FILE`).
    pub async fn open(&self) -> anyhow::Result<AnyStore> {
        let file = FileConfig::load(&self.config)?;
        let dir = self.config.parent().unwrap_or(Path::new("."));
        Ok(open_store(&file, dir, &SecretSource::environment()).await?)
    }
}

/// Converts a queue decision's error into the command's, pointing at the list command when
/// the ID is unknown.
pub fn queue_error(error: QueueError, list_command: &str) -> anyhow::Error {
    match error {
        QueueError::NotFound { .. } => {
            anyhow::anyhow!("{error}; `{list_command} --status all` shows the IDs")
        }
        other => other.into(),
    }
}

pub use tandem_engine::queues::{fields_json, value_json};

/// Renders a field value for a person: text as is, blanks as `(empty)`.
pub fn value_text(value: &FieldValue) -> String {
    match value {
        FieldValue::Null => "(empty)".to_string(),
        FieldValue::Bool(value) => value.to_string(),
        FieldValue::Number(value) => value.to_string(),
        FieldValue::Text(text) => text.clone(),
        FieldValue::List(lines) => serde_json::to_string(lines).unwrap_or_default(),
    }
}

/// Shortens text to `max` characters, ending with `…` when cut.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut short: String = text.chars().take(max.saturating_sub(1)).collect();
    short.push('…');
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorten_cuts_long_text() {
        assert_eq!(shorten("abcdef", 4), "abc…");
        assert_eq!(shorten("abc", 4), "abc");
    }

    #[test]
    fn empty_value_reads_as_empty() {
        assert_eq!(value_text(&FieldValue::Null), "(empty)");
    }
}
