//! Fingerprints of written values, so that a change Tandem caused is recognised when it is read
//! back (an echo) and is not written to the other side again.

use sha2::{Digest, Sha256};

use crate::record::Fields;

/// Returns a fingerprint of a record's mapped values and its link: the SHA-256 of their
/// normalized JSON form, in hex. Blank text and `Null` give the same fingerprint.
pub fn fingerprint(values: &Fields, link: Option<&str>) -> String {
    let normalized: Fields = values
        .iter()
        .map(|(name, value)| (name.clone(), value.normalized()))
        .collect();
    let link = link.map(str::trim).filter(|link| !link.is_empty());
    // A map of strings to plain values always serializes, and a BTreeMap keeps keys sorted.
    let json = serde_json::to_string(&(normalized, link)).unwrap_or_default();
    let digest = Sha256::digest(json.as_bytes());
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::FieldValue;

    fn fields(pairs: &[(&str, FieldValue)]) -> Fields {
        pairs
            .iter()
            .map(|(name, value)| (name.to_string(), value.clone()))
            .collect()
    }

    #[test]
    fn fingerprint_treats_blank_as_null() {
        let blank = fields(&[("phone", FieldValue::Text("  ".into()))]);
        let null = fields(&[("phone", FieldValue::Null)]);
        assert_eq!(
            fingerprint(&blank, Some("1")),
            fingerprint(&null, Some("1"))
        );
    }

    #[test]
    fn fingerprint_changes_with_value() {
        let one = fields(&[("phone", FieldValue::Text("555-0100".into()))]);
        let two = fields(&[("phone", FieldValue::Text("555-0199".into()))]);
        assert_ne!(fingerprint(&one, None), fingerprint(&two, None));
    }

    #[test]
    fn fingerprint_changes_with_link() {
        let values = fields(&[("phone", FieldValue::Null)]);
        assert_ne!(
            fingerprint(&values, Some("1")),
            fingerprint(&values, Some("2"))
        );
    }
}
