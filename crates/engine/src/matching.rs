//! Exact-key matching: normalized company names and email addresses.
//!
//! Two records that are the same company often differ in case, punctuation, accents or the
//! legal form ("Acme Corp." and "ACME Corporation"). Normalizing removes those differences so
//! that an exact comparison of keys links them; fuzzy scoring is a separate step.

pub mod blocking;
pub mod score;

use deunicode::deunicode;

pub use blocking::{BlockKey, BlockingIndex, block_keys};
pub use score::{Evidence, Profile, Score, score};

/// Legal forms dropped from the end of a company name before comparing, in normalized spelling.
const LEGAL_FORMS: &[&str] = &[
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "company",
    "llc",
    "llp",
    "lp",
    "ltd",
    "limited",
    "plc",
    "gmbh",
    "ag",
    "sa",
    "sas",
    "sarl",
    "srl",
    "spa",
    "bv",
    "nv",
    "oy",
    "ab",
    "as",
    "pty",
    "kg",
];

/// Returns the matching key of a company name: accents folded, lower case, `&` spelled as
/// `and`, apostrophes and dots dropped inside words (`O'Brien` is `obrien`), other punctuation
/// and white space as one space, and trailing legal forms removed. Returns `None` when nothing
/// distinctive is left.
pub fn name_key(name: &str) -> Option<String> {
    let folded = deunicode(name)
        .to_lowercase()
        .replace('&', " and ")
        .replace('\'', "");
    let mut words: Vec<String> = folded
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '.')
        .map(|word| word.replace('.', ""))
        .filter(|word| !word.is_empty())
        .collect();
    while words.len() > 1
        && words
            .last()
            .is_some_and(|w| LEGAL_FORMS.contains(&w.as_str()))
    {
        words.pop();
    }
    if words.first().is_some_and(|w| w == "the") && words.len() > 1 {
        words.remove(0);
    }
    let key = words.join(" ");
    (!key.is_empty()).then_some(key)
}

/// Returns the matching key of an email address: trimmed and lower case. Returns `None` for
/// text that has no `@` with something on both sides.
pub fn email_key(email: &str) -> Option<String> {
    let email = email.trim().to_lowercase();
    let (local, domain) = email.split_once('@')?;
    (!local.is_empty() && !domain.is_empty()).then_some(email)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_key_ignores_case_and_punctuation() {
        assert_eq!(name_key("ACME Corp."), name_key("Acme Corp"));
        assert_eq!(name_key("Acme, Inc."), Some("acme".to_string()));
    }

    #[test]
    fn name_key_drops_legal_forms() {
        assert_eq!(name_key("Acme Corporation"), Some("acme".to_string()));
        assert_eq!(name_key("Müller GmbH"), Some("muller".to_string()));
    }

    #[test]
    fn name_key_folds_accents_and_ampersand() {
        assert_eq!(name_key("Café & Co"), name_key("Cafe and Co"));
    }

    #[test]
    fn name_key_drops_apostrophes_inside_words() {
        assert_eq!(name_key("O'Brien & Sons"), name_key("OBrien and Sons"));
        assert_eq!(
            name_key("Margie’s Travel"),
            Some("margies travel".to_string())
        );
    }

    #[test]
    fn name_key_keeps_a_lone_legal_word() {
        assert_eq!(name_key("Company"), Some("company".to_string()));
    }

    #[test]
    fn name_key_of_blank_is_none() {
        assert_eq!(name_key("  ,. "), None);
    }

    #[test]
    fn name_key_keeps_distinct_companies_apart() {
        assert_ne!(name_key("Acme Industries"), name_key("Acme Logistics"));
    }

    #[test]
    fn email_key_lowercases_and_trims() {
        assert_eq!(
            email_key(" Ops@Example.COM "),
            Some("ops@example.com".to_string())
        );
    }

    #[test]
    fn email_key_rejects_text_without_at() {
        assert_eq!(email_key("not an email"), None);
        assert_eq!(email_key("@example.com"), None);
    }
}
