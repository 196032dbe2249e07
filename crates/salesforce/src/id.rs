//! Salesforce record Ids in their 15-character (case-sensitive) and 18-character (case-safe)
//! forms.
//!
//! The 18-character form appends three characters that encode which of the first 15 are upper
//! case, so two Ids that differ only by case stay distinct even when compared
//! case-insensitively. The API returns 18 characters and accepts both forms, while the UI
//! shows 15.

use std::fmt;
use std::str::FromStr;

/// Characters of the suffix, indexed by a 5-bit upper-case mask.
const SUFFIX_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

/// An 18-character Salesforce record Id whose suffix matches the case of its first 15
/// characters. Two values are equal exactly when they name the same record.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SalesforceId(String);

/// The reason a string is not a Salesforce record Id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// The value has neither 15 nor 18 characters.
    #[error("invalid Salesforce Id {value:?}: expected 15 or 18 characters, found {length}")]
    Length { value: String, length: usize },
    /// The value contains a character other than an ASCII letter or digit.
    #[error("invalid Salesforce Id {value:?}: {character:?} is not an ASCII letter or digit")]
    Character { value: String, character: char },
    /// The last three characters of an 18-character value do not match its first 15.
    #[error("invalid Salesforce Id {value:?}: its suffix should be {expected:?}")]
    Suffix { value: String, expected: String },
}

impl SalesforceId {
    /// Parses a 15- or 18-character Id and returns its 18-character form.
    ///
    /// A 15-character Id gets its suffix computed. An 18-character Id is accepted only when its
    /// suffix matches the case of its first 15 characters.
    pub fn parse(value: &str) -> Result<SalesforceId, IdError> {
        check_characters(value)?;
        match value.len() {
            15 => Ok(SalesforceId(format!("{value}{}", suffix(value)))),
            18 => check_suffix(value).map(|()| SalesforceId(value.to_string())),
            // Every character is ASCII here, so the byte length is the character count.
            length => Err(IdError::Length {
                value: value.to_string(),
                length,
            }),
        }
    }

    /// Returns the 18-character Id.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Returns the 15-character case-sensitive form that the Salesforce UI shows.
    pub fn to_short(&self) -> &str {
        &self.0[..15]
    }

    /// Returns the key prefix, the first three characters, which name the sObject type
    /// (`001` Account, `003` Contact, `006` Opportunity).
    pub fn key_prefix(&self) -> &str {
        &self.0[..3]
    }
}

impl fmt::Display for SalesforceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for SalesforceId {
    type Err = IdError;

    fn from_str(value: &str) -> Result<SalesforceId, IdError> {
        SalesforceId::parse(value)
    }
}

impl AsRef<str> for SalesforceId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

fn check_characters(value: &str) -> Result<(), IdError> {
    match value.chars().find(|c| !c.is_ascii_alphanumeric()) {
        Some(character) => Err(IdError::Character {
            value: value.to_string(),
            character,
        }),
        None => Ok(()),
    }
}

fn check_suffix(value: &str) -> Result<(), IdError> {
    let expected = suffix(&value[..15]);
    if value[15..] == expected {
        Ok(())
    } else {
        Err(IdError::Suffix {
            value: value.to_string(),
            expected,
        })
    }
}

/// Computes the three suffix characters of a 15-character ASCII Id. Each 5-character chunk
/// becomes one character: bit `j` of its index is set when the chunk's `j`-th character is an
/// upper-case letter.
fn suffix(short_id: &str) -> String {
    short_id
        .as_bytes()
        .chunks(5)
        .map(|chunk| {
            let mask = chunk
                .iter()
                .enumerate()
                .filter(|(_, byte)| byte.is_ascii_uppercase())
                .fold(0usize, |mask, (bit, _)| mask | (1 << bit));
            char::from(SUFFIX_ALPHABET[mask])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_extends_short_ids_with_case_suffix() {
        let vectors = [
            ("a0BA0000000L2ZC", "a0BA0000000L2ZCMA0"),
            ("AaaAABbbBBCccCC", "AaaAABbbBBCccCCZZZ"),
            ("ABCDEFGHIJKLMNO", "ABCDEFGHIJKLMNO555"),
            ("AAaAAbbBBBCcCCC", "AAaAAbbBBBCcCCC123"),
            ("70130000001tcyI", "70130000001tcyIAAQ"),
            ("001dM00003kS3tN", "001dM00003kS3tNQAS"),
            ("0014H00002LbR7Q", "0014H00002LbR7QQAV"),
            ("003dM00001wBXYD", "003dM00001wBXYDQA4"),
        ];
        for (short, long) in vectors {
            assert_eq!(
                SalesforceId::parse(short).unwrap().as_str(),
                long,
                "{short}"
            );
        }
    }

    #[test]
    fn parse_accepts_matching_long_id() {
        let id = SalesforceId::parse("0015500001QdQWaAAN").unwrap();
        assert_eq!(id.as_str(), "0015500001QdQWaAAN");
        assert_eq!(id.to_short(), "0015500001QdQWa");
        assert_eq!(id.key_prefix(), "001");
    }

    #[test]
    fn parse_maps_both_forms_to_one_id() {
        let short = SalesforceId::parse("001dM00003kS3tN").unwrap();
        let long = SalesforceId::parse("001dM00003kS3tNQAS").unwrap();
        assert_eq!(short, long);
    }

    #[test]
    fn parse_keeps_ids_differing_by_case_apart() {
        let lower = SalesforceId::parse("001dM00003kS3tn").unwrap();
        let upper = SalesforceId::parse("001dM00003kS3tN").unwrap();
        assert_ne!(lower, upper);
        assert_ne!(
            lower.as_str().to_ascii_lowercase(),
            upper.as_str().to_ascii_lowercase()
        );
    }

    #[test]
    fn parse_rejects_wrong_suffix() {
        let error = SalesforceId::parse("001dM00003kS3tNAAA").unwrap_err();
        assert_eq!(
            error,
            IdError::Suffix {
                value: "001dM00003kS3tNAAA".into(),
                expected: "QAS".into()
            }
        );
    }

    #[test]
    fn parse_rejects_lower_cased_long_id() {
        assert!(matches!(
            SalesforceId::parse("001dm00003ks3tnqas"),
            Err(IdError::Suffix { .. })
        ));
    }

    #[test]
    fn parse_rejects_wrong_length() {
        assert_eq!(
            SalesforceId::parse("001dM00003kS3t").unwrap_err(),
            IdError::Length {
                value: "001dM00003kS3t".into(),
                length: 14
            }
        );
        assert!(matches!(
            SalesforceId::parse(""),
            Err(IdError::Length { length: 0, .. })
        ));
    }

    #[test]
    fn parse_rejects_non_alphanumeric() {
        assert_eq!(
            SalesforceId::parse("001dM00003kS3t-").unwrap_err(),
            IdError::Character {
                value: "001dM00003kS3t-".into(),
                character: '-'
            }
        );
        assert!(matches!(
            SalesforceId::parse("001dM00003kS3té"),
            Err(IdError::Character {
                character: 'é', ..
            })
        ));
    }
}
