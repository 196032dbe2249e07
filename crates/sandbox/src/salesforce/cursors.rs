//! Open query cursors: the rows of a query result that did not fit on its first page,
//! served through `nextRecordsUrl`.

use std::collections::VecDeque;

use crate::salesforce::record::Row;

/// Open cursors a user may hold; opening one more closes the oldest, as Salesforce does.
const MAX_OPEN_CURSORS: usize = 10;

/// Rows of one query result and the page size its client asked for.
#[derive(Debug, Clone)]
pub(crate) struct Cursor {
    /// Every row of the result, first page included.
    pub rows: Vec<Row>,
    /// Rows per page.
    pub batch_size: usize,
}

/// Cursors by query locator, oldest first.
#[derive(Debug, Default)]
pub(crate) struct Cursors {
    open: VecDeque<(String, Cursor)>,
}

impl Cursors {
    /// Stores a cursor under `locator`, closing the oldest one beyond the maximum.
    pub fn open(&mut self, locator: String, cursor: Cursor) {
        if self.open.len() >= MAX_OPEN_CURSORS {
            self.open.pop_front();
        }
        self.open.push_back((locator, cursor));
    }

    /// Returns the cursor stored under `locator`.
    pub fn get(&self, locator: &str) -> Option<&Cursor> {
        self.open
            .iter()
            .find(|(key, _)| key == locator)
            .map(|(_, cursor)| cursor)
    }

    /// Closes the cursor stored under `locator`.
    pub fn close(&mut self, locator: &str) {
        self.open.retain(|(key, _)| key != locator);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cursor() -> Cursor {
        Cursor {
            rows: Vec::new(),
            batch_size: 200,
        }
    }

    #[test]
    fn open_closes_oldest_beyond_maximum() {
        let mut cursors = Cursors::default();
        for index in 0..=MAX_OPEN_CURSORS {
            cursors.open(format!("c{index}"), cursor());
        }
        assert!(cursors.get("c0").is_none());
        assert!(cursors.get("c1").is_some());
    }

    #[test]
    fn close_removes_cursor() {
        let mut cursors = Cursors::default();
        cursors.open("c".into(), cursor());
        cursors.close("c");
        assert!(cursors.get("c").is_none());
    }
}
