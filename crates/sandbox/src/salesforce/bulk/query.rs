//! Query jobs: a SOQL statement run once, its rows served as CSV pages.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use super::JobHeader;
use super::ingest::csv_text;
use crate::salesforce::record::{Cell, Row};

/// Operations a query job may run.
pub(crate) const OPERATIONS: [&str; 2] = ["query", "queryAll"];

/// A query job and its result rows.
#[derive(Debug, Clone)]
pub(crate) struct QueryJob {
    pub header: JobHeader,
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// One page of results and the locator of the next one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ResultPage {
    pub csv: String,
    pub records: usize,
    /// Locator of the next page; `None` on the last page.
    pub next_locator: Option<String>,
}

impl QueryJob {
    /// Creates a completed job from the rows of its query.
    pub fn new(header: JobHeader, columns: Vec<String>, rows: &[Row]) -> QueryJob {
        let rows = rows
            .iter()
            .map(|row| columns.iter().map(|column| cell(row, column)).collect())
            .collect();
        QueryJob {
            header,
            columns,
            rows,
        }
    }

    /// Returns the job info.
    pub fn info(&self) -> Value {
        let mut info = self.header.info();
        info.insert("jobType".into(), "V2Query".into());
        info.insert("numberRecordsProcessed".into(), self.rows.len().into());
        info.insert("retries".into(), 0.into());
        info.insert("totalProcessingTime".into(), 0.into());
        info.insert("isPkChunkingSupported".into(), true.into());
        Value::Object(info)
    }

    /// Returns the page that starts at `locator` (the first page without one) with at most
    /// `max_records` rows; `None` for a locator this job did not hand out.
    pub fn page(&self, locator: Option<&str>, max_records: usize) -> Option<ResultPage> {
        let start = match locator {
            None => 0,
            Some(locator) => decode_locator(locator).filter(|start| *start < self.rows.len())?,
        };
        let end = start
            .saturating_add(max_records.max(1))
            .min(self.rows.len());
        let slice = self.rows[start..end].iter().cloned();
        Some(ResultPage {
            csv: csv_text(&self.columns, slice),
            records: end - start,
            next_locator: (end < self.rows.len()).then(|| encode_locator(end)),
        })
    }
}

/// Reads the cell of `column` (a field path such as `Account.Name`) from a rendered row.
fn cell(row: &Row, column: &str) -> String {
    let mut current = row;
    let mut parts = column.split('.').peekable();
    while let Some(part) = parts.next() {
        let last = parts.peek().is_none();
        match current.get(part) {
            Some(Cell::Value(Value::String(text))) if last => return text.clone(),
            Some(Cell::Value(Value::Null)) | None => return String::new(),
            Some(Cell::Value(value)) if last => return value.to_string(),
            Some(Cell::Parent(parent)) if !last => current = parent,
            _ => return String::new(),
        }
    }
    String::new()
}

fn encode_locator(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(offset.to_string())
}

fn decode_locator(locator: &str) -> Option<usize> {
    let bytes = URL_SAFE_NO_PAD.decode(locator).ok()?;
    String::from_utf8(bytes).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn cell_reads_nested_relationship_values() {
        let mut parent = Row::default();
        parent.push_value("attributes", json!({}));
        parent.push_value("Name", json!("Parent"));
        let mut row = Row::default();
        row.push_value("Name", json!("Acme"));
        row.0.push(("Account".into(), Cell::Parent(parent)));
        row.push_value("Amount", json!(12.5));
        row.push_value("Owner", Value::Null);
        assert_eq!(cell(&row, "Name"), "Acme");
        assert_eq!(cell(&row, "Account.Name"), "Parent");
        assert_eq!(cell(&row, "Amount"), "12.5");
        assert_eq!(cell(&row, "Missing"), "");
        assert_eq!(cell(&row, "Owner.Name"), "");
    }

    #[test]
    fn locators_round_trip() {
        assert_eq!(decode_locator(&encode_locator(2000)), Some(2000));
        assert_eq!(decode_locator("not a locator!"), None);
    }
}
