//! Salesforce record Ids: the 15-character case-sensitive form, the 18-character form with
//! its case-check suffix, and generation of new Ids.
//!
//! The suffix makes an Id unique when compared without regard to case. The 15 characters
//! are split into three chunks of five; for each chunk a 5-bit number has bit `j` set when
//! the chunk's character `j` is an uppercase `A`-`Z`, and the number indexes the alphabet
//! `ABCDEFGHIJKLMNOPQRSTUVWXYZ012345`.

const SUFFIX_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

/// Base-62 digits in ASCII order, so that Ids of one key prefix sort in creation order.
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Number of base-62 digits that hold a record's serial number.
const SERIAL_DIGITS: usize = 9;

/// Computes the three-character case-check suffix of a 15-character Id.
///
/// Returns `None` when `id15` is not 15 ASCII letters and digits.
pub fn suffix(id15: &str) -> Option<String> {
    if id15.len() != 15 || !id15.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let suffix = id15
        .as_bytes()
        .chunks(5)
        .map(|chunk| {
            let bits = chunk
                .iter()
                .enumerate()
                .filter(|(_, byte)| byte.is_ascii_uppercase())
                .fold(0usize, |acc, (position, _)| acc | (1 << position));
            char::from(SUFFIX_ALPHABET[bits])
        })
        .collect();
    Some(suffix)
}

/// Returns the canonical 18-character form of a 15- or 18-character Id.
///
/// A 15-character Id gets its suffix appended. An 18-character Id may arrive in any case,
/// because the suffix records which of the first 15 characters are uppercase: the case is
/// restored from it and the result is checked against a freshly computed suffix. Returns
/// `None` for anything else, including an 18-character value whose suffix does not match.
pub fn normalize(id: &str) -> Option<String> {
    match id.len() {
        15 => suffix(id).map(|suffix| format!("{id}{suffix}")),
        18 => normalize_18(id),
        _ => None,
    }
}

fn normalize_18(id: &str) -> Option<String> {
    if !id.is_ascii() {
        return None;
    }
    let (body, given_suffix) = id.split_at(15);
    let mut restored = String::with_capacity(18);
    for (chunk_index, suffix_char) in given_suffix.chars().enumerate() {
        let bits = suffix_bits(suffix_char)?;
        let chunk = &body[chunk_index * 5..chunk_index * 5 + 5];
        for (position, character) in chunk.chars().enumerate() {
            let uppercase = bits & (1 << position) != 0;
            if uppercase && !character.is_ascii_alphabetic() {
                return None;
            }
            if uppercase {
                restored.push(character.to_ascii_uppercase());
            } else {
                restored.push(character.to_ascii_lowercase());
            }
        }
    }
    let computed = suffix(&restored)?;
    if !computed.eq_ignore_ascii_case(given_suffix) {
        return None;
    }
    restored.push_str(&computed);
    Some(restored)
}

fn suffix_bits(character: char) -> Option<usize> {
    let upper = character.to_ascii_uppercase();
    SUFFIX_ALPHABET
        .iter()
        .position(|&candidate| char::from(candidate) == upper)
}

/// Returns the first 15 characters of an 18-character Id, the form shown in the UI and in
/// some error messages.
pub fn to_15(id18: &str) -> &str {
    id18.get(..15).unwrap_or(id18)
}

/// Builds an 18-character Id from a three-character key prefix (`001` for Account), a
/// two-character instance code and a serial number unique within the prefix.
///
/// The serial fills nine base-62 digits, so serials below 62^9 give distinct Ids that sort in
/// serial order.
pub fn build(key_prefix: &str, instance: &str, serial: u64) -> String {
    let mut digits = [b'0'; SERIAL_DIGITS];
    let mut remaining = serial;
    for slot in digits.iter_mut().rev() {
        *slot = BASE62[(remaining % 62) as usize];
        remaining /= 62;
    }
    // The sixth character is reserved by Salesforce and is `0` in every recorded Id.
    let mut id15 = format!("{key_prefix}{instance}0");
    id15.extend(digits.iter().map(|&byte| char::from(byte)));
    let suffix = suffix(&id15).unwrap_or_default();
    format!("{id15}{suffix}")
}

/// Returns `count` random characters from the base-62 alphabet.
pub fn random_base62(count: usize) -> String {
    (0..count)
        .map(|_| char::from(BASE62[rand::random_range(0..BASE62.len())]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Vectors from the published algorithm and from Ids in recorded responses.
    const VECTORS: &[(&str, &str)] = &[
        ("a0BA0000000L2ZC", "MA0"),
        ("AaaAABbbBBCccCC", "ZZZ"),
        ("ABCDEFGHIJKLMNO", "555"),
        ("AAaAAbbBBBCcCCC", "123"),
        ("70130000001tcyI", "AAQ"),
        ("001dM00003kS3tN", "QAS"),
        ("0014H00002LbR7Q", "QAV"),
        ("003dM00001wBXYD", "QA4"),
    ];

    #[test]
    fn suffix_matches_published_vectors() {
        for (id15, expected) in VECTORS {
            assert_eq!(suffix(id15).as_deref(), Some(*expected), "suffix of {id15}");
        }
    }

    #[test]
    fn normalize_appends_suffix_to_15_characters() {
        assert_eq!(
            normalize("a0BA0000000L2ZC").as_deref(),
            Some("a0BA0000000L2ZCMA0")
        );
    }

    #[test]
    fn normalize_restores_case_of_18_characters() {
        assert_eq!(
            normalize("A0Ba0000000l2zcma0").as_deref(),
            Some("a0BA0000000L2ZCMA0")
        );
    }

    #[test]
    fn normalize_rejects_impossible_suffix() {
        // `5` marks all five characters of the first chunk uppercase, but two are digits.
        assert_eq!(normalize("a0BA0000000L2ZC5A0"), None);
        assert_eq!(normalize("a0BA0000000L2ZC9A0"), None);
    }

    #[test]
    fn normalize_reads_18_characters_without_regard_to_case() {
        // The suffix, not the case of the first 15 characters, decides which are uppercase.
        assert_eq!(
            normalize("a0BA0000000L2ZCAAA").as_deref(),
            Some("a0ba0000000l2zcAAA")
        );
    }

    #[test]
    fn normalize_rejects_other_lengths_and_characters() {
        assert_eq!(normalize("a0BA0000000L2Z"), None);
        assert_eq!(normalize("a0BA0000000L2Z-"), None);
    }

    #[test]
    fn ids_differing_only_in_case_stay_distinct() {
        let lower = normalize("001dM00003kS3tn").unwrap();
        let upper = normalize("001dM00003kS3tN").unwrap();
        assert_ne!(lower, upper);
    }

    #[test]
    fn build_gives_valid_ids_in_serial_order() {
        let first = build("001", "5g", 61);
        let second = build("001", "5g", 62);
        assert_eq!(first.len(), 18);
        assert!(first.starts_with("0015g0"));
        assert_eq!(normalize(&first).as_deref(), Some(first.as_str()));
        assert!(first < second, "{first} sorts before {second}");
    }

    #[test]
    fn to_15_drops_suffix() {
        assert_eq!(to_15("a0BA0000000L2ZCMA0"), "a0BA0000000L2ZC");
    }
}
