//! Fuzzy match scores between two records, with the evidence behind each score.
//!
//! A score is a weighted mean, between 0 and 1, of the signals both records carry: the
//! similarity of their company names (always), whether their phone numbers are the same
//! number, and whether their web or email domains are the same. A signal that one record lacks
//! is left out instead of counting against the match.

use std::fmt;

use serde::{Deserialize, Serialize};
use strsim::jaro_winkler;

use super::{email_key, name_key};

/// Weight of the name in a score.
const NAME_WEIGHT: f64 = 0.6;
/// Weight of the phone number in a score.
const PHONE_WEIGHT: f64 = 0.2;
/// Weight of the web or email domain in a score.
const DOMAIN_WEIGHT: f64 = 0.2;

/// Email domains that many unrelated companies share, so they say nothing about a match.
const SHARED_MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "icloud.com",
    "me.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.com",
    "gmx.de",
    "web.de",
    "mail.com",
];

/// What a record offers to fuzzy matching, normalized.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    /// The normalized company name (see [`name_key`]).
    pub name: Option<String>,
    /// The phone number in E.164 form, or its digits when it cannot be parsed.
    pub phone: Option<String>,
    /// The web domain (from the website) and the email domain, lower case, without `www.`.
    pub domains: Vec<String>,
}

impl Profile {
    /// Builds a profile from raw field texts. `region` is the two-letter country assumed for
    /// phone numbers written without a country code.
    pub fn new(
        name: Option<&str>,
        phone: Option<&str>,
        website: Option<&str>,
        email: Option<&str>,
        region: &str,
    ) -> Profile {
        let mut domains = Vec::new();
        if let Some(domain) = website.and_then(web_domain) {
            domains.push(domain);
        }
        if let Some(domain) = email.and_then(email_domain)
            && !domains.contains(&domain)
        {
            domains.push(domain);
        }
        Profile {
            name: name.and_then(name_key),
            phone: phone.and_then(|phone| normalize_phone(phone, region)),
            domains,
        }
    }
}

/// One signal of a score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// `name`, `phone` or `domain`.
    pub signal: String,
    /// How well the two records agree on it, from 0 to 1.
    pub similarity: f64,
    pub weight: f64,
    /// The two values compared, for a person reviewing the match.
    pub detail: String,
}

/// A fuzzy match score with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// The weighted mean of the evidence, from 0 to 1.
    pub value: f64,
    pub evidence: Vec<Evidence>,
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.2}", self.value)?;
        for evidence in &self.evidence {
            write!(
                f,
                "; {} {:.2} (weight {:.1}): {}",
                evidence.signal, evidence.similarity, evidence.weight, evidence.detail
            )?;
        }
        Ok(())
    }
}

/// Scores two profiles. Records without a name score 0: a phone or domain alone is not a
/// company.
pub fn score(a: &Profile, b: &Profile) -> Score {
    let (Some(name_a), Some(name_b)) = (&a.name, &b.name) else {
        return Score {
            value: 0.0,
            evidence: Vec::new(),
        };
    };
    let mut evidence = vec![Evidence {
        signal: "name".to_string(),
        similarity: name_similarity(name_a, name_b),
        weight: NAME_WEIGHT,
        detail: format!("{name_a:?} and {name_b:?}"),
    }];
    if let (Some(phone_a), Some(phone_b)) = (&a.phone, &b.phone) {
        evidence.push(Evidence {
            signal: "phone".to_string(),
            similarity: if phone_a == phone_b { 1.0 } else { 0.0 },
            weight: PHONE_WEIGHT,
            detail: format!("{phone_a} and {phone_b}"),
        });
    }
    if !a.domains.is_empty() && !b.domains.is_empty() {
        let shared = a.domains.iter().find(|domain| b.domains.contains(domain));
        evidence.push(Evidence {
            signal: "domain".to_string(),
            similarity: if shared.is_some() { 1.0 } else { 0.0 },
            weight: DOMAIN_WEIGHT,
            detail: format!("{} and {}", a.domains.join(", "), b.domains.join(", ")),
        });
    }
    let weights: f64 = evidence.iter().map(|e| e.weight).sum();
    let total: f64 = evidence.iter().map(|e| e.weight * e.similarity).sum();
    Score {
        value: total / weights,
        evidence,
    }
}

/// Returns the similarity of two normalized names: the mean, over the words of each name, of
/// the best Jaro-Winkler similarity to a word of the other, taken both ways. Identical names
/// give 1, names that share no similar word give close to 0, and a differing word among
/// several lowers the score in proportion.
pub fn name_similarity(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    let words_a: Vec<&str> = a.split(' ').collect();
    let words_b: Vec<&str> = b.split(' ').collect();
    let one_way = |from: &[&str], to: &[&str]| {
        let best = |word: &&str| {
            to.iter()
                .map(|other| jaro_winkler(word, other))
                .fold(0.0, f64::max)
        };
        from.iter().map(best).sum::<f64>() / from.len() as f64
    };
    (one_way(&words_a, &words_b) + one_way(&words_b, &words_a)) / 2.0
}

/// Returns a phone number in E.164 form, or its digits (at least seven) when it cannot be
/// parsed for `region`.
pub fn normalize_phone(text: &str, region: &str) -> Option<String> {
    let region = region.parse::<phonenumber::country::Id>().ok();
    if let Ok(number) = phonenumber::parse(region, text)
        && phonenumber::is_valid(&number)
    {
        return Some(number.format().mode(phonenumber::Mode::E164).to_string());
    }
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= 7).then_some(digits)
}

/// Returns the host of a website without `www.`, lower case.
fn web_domain(website: &str) -> Option<String> {
    let website = website.trim().to_lowercase();
    let without_scheme = website
        .split_once("://")
        .map_or(website.as_str(), |(_, rest)| rest);
    let host = without_scheme.split(['/', '?', '#', ':']).next()?;
    let host = host.strip_prefix("www.").unwrap_or(host);
    (host.contains('.') && !host.starts_with('.')).then(|| host.to_string())
}

/// Returns the domain of an email address, unless many companies share it.
fn email_domain(email: &str) -> Option<String> {
    let email = email_key(email)?;
    let (_, domain) = email.split_once('@')?;
    (!SHARED_MAIL_DOMAINS.contains(&domain)).then(|| domain.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(name: &str, phone: Option<&str>, website: Option<&str>) -> Profile {
        Profile::new(Some(name), phone, website, None, "US")
    }

    #[test]
    fn same_name_alone_scores_one() {
        let score = score(
            &profile("ACME Corp.", None, None),
            &profile("Acme Corporation", None, None),
        );
        assert_eq!(score.value, 1.0);
    }

    #[test]
    fn same_name_with_other_phone_falls_to_review_band() {
        let a = profile("Acme", Some("(415) 555-0100"), None);
        let b = profile("Acme", Some("(212) 555-0199"), None);
        let value = score(&a, &b).value;
        assert!((0.74..0.76).contains(&value), "{value}");
    }

    #[test]
    fn similar_name_with_same_phone_scores_high() {
        let a = profile("Northwind Traders", Some("+1 206 555 0101"), None);
        let b = profile("Northwind Trading", Some("(206) 555-0101"), None);
        let value = score(&a, &b).value;
        assert!(value >= 0.92, "{value}");
    }

    #[test]
    fn different_second_word_scores_below_link() {
        let value = score(
            &profile("Acme Logistics", None, None),
            &profile("Acme Industries", None, None),
        )
        .value;
        assert!(value < 0.92, "{value}");
        assert!(value > 0.5, "{value}");
    }

    #[test]
    fn unrelated_names_score_low() {
        let value = score(
            &profile("Fabrikam", None, None),
            &profile("Contoso Pharmaceuticals", None, None),
        )
        .value;
        assert!(value < 0.75, "{value}");
    }

    #[test]
    fn shared_website_domain_counts() {
        let a = profile(
            "Blue Heron",
            None,
            Some("https://www.blueheron.example/shop"),
        );
        let b = Profile::new(
            Some("Blue Heron Outfitters"),
            None,
            None,
            Some("ap@blueheron.example"),
            "US",
        );
        let score = score(&a, &b);
        let domain = score
            .evidence
            .iter()
            .find(|e| e.signal == "domain")
            .expect("domain evidence");
        assert_eq!(domain.similarity, 1.0);
    }

    #[test]
    fn shared_mail_provider_is_not_evidence() {
        let profile = Profile::new(
            Some("Acme"),
            None,
            None,
            Some("acme.billing@gmail.com"),
            "US",
        );
        assert!(profile.domains.is_empty());
    }

    #[test]
    fn record_without_name_scores_zero() {
        let a = Profile::new(None, Some("(415) 555-0100"), None, None, "US");
        let b = profile("Acme", Some("(415) 555-0100"), None);
        assert_eq!(score(&a, &b).value, 0.0);
    }

    #[test]
    fn phone_formats_normalize_to_e164() {
        assert_eq!(
            normalize_phone("(206) 555-0101", "US").as_deref(),
            Some("+12065550101")
        );
        assert_eq!(
            normalize_phone("+1 206.555.0101", "US").as_deref(),
            Some("+12065550101")
        );
    }

    #[test]
    fn unparsable_phone_keeps_digits() {
        assert_eq!(normalize_phone("ext 12", "US"), None);
        assert_eq!(
            normalize_phone("call 5550101 now", "XX").as_deref(),
            Some("5550101")
        );
    }

    #[test]
    fn score_display_explains_each_signal() {
        let text = score(
            &profile("Acme", Some("(415) 555-0100"), None),
            &profile("Acme", Some("(415) 555-0100"), None),
        )
        .to_string();
        assert!(text.starts_with("1.00; name 1.00"), "{text}");
        assert!(text.contains("phone 1.00"), "{text}");
    }
}
