//! Savepoints: the writes of an all-or-none call can be undone as one.
//!
//! While at least one savepoint is open, every record write keeps the record's earlier
//! state in a journal. Rolling back to a savepoint puts back, newest first, the states
//! recorded since it was taken, and drops the change notifications queued since then.
//! Savepoints nest, so a collection call with `allOrNone` inside an all-or-none composite
//! request undoes only its own writes, and the composite request can still undo them all.

use super::Org;
use crate::salesforce::record::Values;

/// A record's state before a write: `None` when the write created it.
#[derive(Debug)]
struct Entry {
    object: String,
    id: String,
    previous: Option<Values>,
}

/// Earlier record states, oldest first, and how many savepoints are open.
#[derive(Debug, Default)]
pub(super) struct Journal {
    entries: Vec<Entry>,
    open: usize,
}

impl Journal {
    /// Returns whether writes are journaled now.
    pub fn is_open(&self) -> bool {
        self.open > 0
    }

    /// Keeps the state of record `id` of `object` before a write.
    pub fn record(&mut self, object: &str, id: &str, previous: Option<Values>) {
        self.entries.push(Entry {
            object: object.to_string(),
            id: id.to_string(),
            previous,
        });
    }
}

/// The point a rollback returns to. Each savepoint must end in [`Org::release`] or
/// [`Org::rollback_to`], which take it by value.
#[derive(Debug)]
#[must_use = "a savepoint must be released or rolled back"]
pub(crate) struct Savepoint {
    entries: usize,
    notifications: usize,
}

impl Org {
    /// Opens a savepoint: writes from now on can be undone with [`Org::rollback_to`].
    pub fn savepoint(&mut self) -> Savepoint {
        self.journal.open += 1;
        Savepoint {
            entries: self.journal.entries.len(),
            notifications: self.notifier.mark(),
        }
    }

    /// Keeps the writes made since `savepoint` and closes it. The journal is emptied once no
    /// savepoint is open.
    pub fn release(&mut self, _savepoint: Savepoint) {
        self.journal.open = self.journal.open.saturating_sub(1);
        if self.journal.open == 0 {
            self.journal.entries.clear();
        }
    }

    /// Undoes every write made since `savepoint`, newest first, drops the change
    /// notifications queued since then, and closes the savepoint.
    pub fn rollback_to(&mut self, savepoint: Savepoint) {
        while self.journal.entries.len() > savepoint.entries {
            let Some(entry) = self.journal.entries.pop() else {
                break;
            };
            self.replace_record(&entry.object, &entry.id, entry.previous);
        }
        self.notifier.rollback_to(savepoint.notifications);
        self.release(savepoint);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::salesforce::state::{Lookup, empty_values};

    fn put_account(org: &mut Org, name: &str) -> String {
        let account = org.object("Account").cloned().unwrap();
        let id = org.next_id(&account);
        let mut values = empty_values(&account);
        values.insert("Id".into(), json!(id));
        values.insert("Name".into(), json!(name));
        org.put("Account", id.clone(), values);
        id
    }

    fn name_of(org: &Org, id: &str) -> Option<String> {
        match org.lookup("Account", id) {
            Lookup::Live(values) => values["Name"].as_str().map(str::to_string),
            _ => None,
        }
    }

    #[test]
    fn rollback_to_removes_created_and_restores_updated() {
        let mut org = Org::new();
        let kept = put_account(&mut org, "before");
        let savepoint = org.savepoint();
        let created = put_account(&mut org, "new");
        let mut values = match org.lookup("Account", &kept) {
            Lookup::Live(values) => values.clone(),
            _ => panic!("record {kept} is live"),
        };
        values.insert("Name".into(), json!("changed"));
        org.put("Account", kept.clone(), values);

        org.rollback_to(savepoint);

        assert_eq!(name_of(&org, &kept).as_deref(), Some("before"));
        assert!(matches!(org.lookup("Account", &created), Lookup::Missing));
    }

    #[test]
    fn nested_rollback_keeps_outer_writes() {
        let mut org = Org::new();
        let outer = org.savepoint();
        let first = put_account(&mut org, "first");
        let inner = org.savepoint();
        let second = put_account(&mut org, "second");
        org.rollback_to(inner);
        assert_eq!(name_of(&org, &first).as_deref(), Some("first"));
        assert!(matches!(org.lookup("Account", &second), Lookup::Missing));

        org.rollback_to(outer);
        assert!(matches!(org.lookup("Account", &first), Lookup::Missing));
    }

    #[test]
    fn release_of_last_savepoint_stops_journaling() {
        let mut org = Org::new();
        let savepoint = org.savepoint();
        put_account(&mut org, "kept");
        org.release(savepoint);
        assert!(!org.journal.is_open());
        assert!(org.journal.entries.is_empty());
        put_account(&mut org, "later");
        assert!(org.journal.entries.is_empty());
    }
}
