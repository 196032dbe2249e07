//! Blocking: an index of match profiles by the keys that two records of one company usually
//! share, so a record is scored only against the records that share a key with it instead of
//! against every record of the other side.
//!
//! The keys are the words of the normalized name, the first three letters of each longer
//! word, each word of five letters or more with one letter left out (so one typo still
//! meets), the phone number and the web and email domains. A pair that shares none of them
//! is not scored.
//!
//! NOTE: scoring every pair also finds names that are more than one typo apart in every
//! word, differ within the first three letters of every word, and share no phone or domain
//! ("Wide" and "Alpine Winery" score 0.75 on names alone). Blocking misses such pairs, so
//! the record gets its counterpart created instead of going to review.

use std::collections::HashMap;

use super::Profile;

/// Letters of a word that form its prefix key.
const PREFIX_LETTERS: usize = 3;

/// Letters a word needs to get deletion keys. Shorter words would give keys of one to three
/// letters that a large share of all records have.
const MIN_DELETION_LETTERS: usize = 5;

/// Words that join other words in company names. They do not indicate a match on their
/// own, and as keys they would put a large share of all records in one block.
const JOINING_WORDS: &[&str] = &["and", "of", "for", "de", "la", "le", "du", "der", "und"];

/// A key that candidates must share with a record to be scored against it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BlockKey {
    /// A word of the normalized name.
    Word(String),
    /// The first letters of a longer word of the normalized name.
    Prefix(String),
    /// A longer word of the normalized name with one letter left out. Two words one typo
    /// apart (a letter replaced, added, left out or two swapped) share one of these keys,
    /// or one is the other's key.
    Deletion(String),
    /// The normalized phone number.
    Phone(String),
    /// A web or email domain.
    Domain(String),
}

/// Returns the blocking keys of a profile. A profile without a name has none, because it
/// scores 0 against every record (see [`super::score`]).
pub fn block_keys(profile: &Profile) -> Vec<BlockKey> {
    let Some(name) = &profile.name else {
        return Vec::new();
    };
    let mut keys = Vec::new();
    let words: Vec<&str> = name.split(' ').collect();
    let all_joining = words.iter().all(|word| JOINING_WORDS.contains(word));
    for word in words {
        if !all_joining && JOINING_WORDS.contains(&word) {
            continue;
        }
        let prefix: String = word.chars().take(PREFIX_LETTERS).collect();
        if prefix.len() < word.len() {
            keys.push(BlockKey::Prefix(prefix));
        }
        if word.len() >= MIN_DELETION_LETTERS {
            keys.extend(deletions(word).map(BlockKey::Deletion));
        }
        keys.push(BlockKey::Word(word.to_string()));
    }
    if let Some(phone) = &profile.phone {
        keys.push(BlockKey::Phone(phone.clone()));
    }
    for domain in &profile.domains {
        keys.push(BlockKey::Domain(domain.clone()));
    }
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Returns `word` with each of its letters left out in turn.
fn deletions(word: &str) -> impl Iterator<Item = String> + '_ {
    word.char_indices().map(|(index, letter)| {
        let mut shorter = String::with_capacity(word.len());
        shorter.push_str(&word[..index]);
        shorter.push_str(&word[index + letter.len_utf8()..]);
        shorter
    })
}

/// The positions of a list of profiles, by blocking key.
#[derive(Debug, Default)]
pub struct BlockingIndex {
    blocks: HashMap<BlockKey, Vec<usize>>,
}

impl BlockingIndex {
    /// Indexes profiles by their keys; a profile is named by its position in `profiles`.
    pub fn new<'a>(profiles: impl IntoIterator<Item = &'a Profile>) -> BlockingIndex {
        let mut blocks: HashMap<BlockKey, Vec<usize>> = HashMap::new();
        for (position, profile) in profiles.into_iter().enumerate() {
            for key in block_keys(profile) {
                blocks.entry(key).or_default().push(position);
            }
        }
        BlockingIndex { blocks }
    }

    /// Returns the positions of the indexed profiles that share a key with `profile`, in
    /// ascending order and each once.
    pub fn candidates(&self, profile: &Profile) -> Vec<usize> {
        let mut positions: Vec<usize> = block_keys(profile)
            .iter()
            .filter_map(|key| self.blocks.get(key))
            .flatten()
            .copied()
            .collect();
        positions.sort_unstable();
        positions.dedup();
        positions
    }
}

#[cfg(test)]
mod tests;
