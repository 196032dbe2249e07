//! Values as SOQL compares them: stored values and literals reduced to one scalar type per
//! field type, the comparison operators and LIKE patterns.

use std::cmp::Ordering;
use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use super::lexer::CompareOp;
use crate::salesforce::schema::{FieldDef, FieldType};
use crate::salesforce::values::{parse_date, parse_datetime};

/// A value reduced to what comparisons need; text is lowercased unless it is an Id.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scalar {
    Null,
    Text(String),
    Number(f64),
    Bool(bool),
    Date(NaiveDate),
    DateTime(DateTime<Utc>),
}

/// One element of a compiled LIKE pattern.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum PatternPart {
    AnySequence,
    AnyCharacter,
    Character(char),
}

/// Removes the backslashes the lexer keeps before `%` and `_` for LIKE patterns.
pub(crate) fn unescape_like(text: &str) -> String {
    text.replace("\\%", "%").replace("\\_", "_")
}

/// Compiles a LIKE pattern: `%` matches any sequence, `_` one character, and a backslash
/// makes the next character literal. Matching ignores case.
pub(crate) fn compile_like(text: &str) -> Vec<PatternPart> {
    let mut parts = Vec::new();
    let mut characters = text.chars();
    while let Some(character) = characters.next() {
        let part = match character {
            '%' => PatternPart::AnySequence,
            '_' => PatternPart::AnyCharacter,
            '\\' => match characters.next() {
                Some(escaped) => {
                    PatternPart::Character(escaped.to_lowercase().next().unwrap_or(escaped))
                }
                None => PatternPart::Character('\\'),
            },
            other => PatternPart::Character(other.to_lowercase().next().unwrap_or(other)),
        };
        parts.push(part);
    }
    parts
}

pub(crate) fn like_matches(pattern: &[PatternPart], text: &[char]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((PatternPart::AnySequence, rest)) => {
            (0..=text.len()).any(|skip| like_matches(rest, &text[skip..]))
        }
        Some((PatternPart::AnyCharacter, rest)) => {
            !text.is_empty() && like_matches(rest, &text[1..])
        }
        Some((PatternPart::Character(expected), rest)) => {
            text.first() == Some(expected) && like_matches(rest, &text[1..])
        }
    }
}

/// Reads a stored value of `field` as a scalar of the field's type; `None` (a missing
/// parent) reads as null.
pub(crate) fn stored_scalar(field: &FieldDef, value: Option<&Value>) -> Scalar {
    let Some(value) = value.filter(|value| !value.is_null()) else {
        return Scalar::Null;
    };
    let kind = field.field_type;
    let scalar = match value {
        Value::String(text) if kind.is_id() => Some(Scalar::Text(text.clone())),
        Value::String(text) if kind == FieldType::Date => parse_date(text).map(Scalar::Date),
        Value::String(text) if kind == FieldType::DateTime => {
            parse_datetime(text).map(Scalar::DateTime)
        }
        Value::String(text) => Some(Scalar::Text(text.to_lowercase())),
        Value::Bool(flag) => Some(Scalar::Bool(*flag)),
        Value::Number(number) => number.as_f64().map(Scalar::Number),
        _ => None,
    };
    scalar.unwrap_or(Scalar::Null)
}

pub(crate) fn compare_scalars(left: &Scalar, right: &Scalar) -> Option<Ordering> {
    match (left, right) {
        (Scalar::Text(a), Scalar::Text(b)) => Some(a.cmp(b)),
        (Scalar::Number(a), Scalar::Number(b)) => a.partial_cmp(b),
        (Scalar::Bool(a), Scalar::Bool(b)) => Some(a.cmp(b)),
        (Scalar::Date(a), Scalar::Date(b)) => Some(a.cmp(b)),
        (Scalar::DateTime(a), Scalar::DateTime(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

pub(crate) fn compare_matches(stored: &Scalar, op: CompareOp, literal: &Scalar) -> bool {
    let either_null = *stored == Scalar::Null || *literal == Scalar::Null;
    match op {
        CompareOp::Eq if either_null => stored == literal,
        CompareOp::Ne if either_null => stored != literal,
        _ if either_null => false,
        CompareOp::Eq => compare_scalars(stored, literal) == Some(Ordering::Equal),
        CompareOp::Ne => compare_scalars(stored, literal) != Some(Ordering::Equal),
        CompareOp::Lt => compare_scalars(stored, literal) == Some(Ordering::Less),
        CompareOp::Le => matches!(
            compare_scalars(stored, literal),
            Some(Ordering::Less | Ordering::Equal)
        ),
        CompareOp::Gt => compare_scalars(stored, literal) == Some(Ordering::Greater),
        CompareOp::Ge => matches!(
            compare_scalars(stored, literal),
            Some(Ordering::Greater | Ordering::Equal)
        ),
    }
}

/// The values of an `IN` list. Its text values (Ids and lower-cased text) are kept in a set,
/// so that a list of hundreds of values costs one lookup per record, not one comparison per
/// value.
#[derive(Debug)]
pub(crate) struct InList {
    texts: HashSet<String>,
    others: Vec<Scalar>,
}

impl InList {
    pub(crate) fn new(values: Vec<Scalar>) -> Self {
        let mut texts = HashSet::new();
        let mut others = Vec::new();
        for value in values {
            match value {
                Scalar::Text(text) => {
                    texts.insert(text);
                }
                other => others.push(other),
            }
        }
        InList { texts, others }
    }

    /// Returns true when `stored` equals one of the values, as `=` compares them.
    pub(crate) fn contains(&self, stored: &Scalar) -> bool {
        if let Scalar::Text(text) = stored
            && self.texts.contains(text)
        {
            return true;
        }
        self.others
            .iter()
            .any(|value| compare_matches(stored, CompareOp::Eq, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_matches_wildcards_and_escapes() {
        let text: Vec<char> = "50% off_x".chars().collect();
        assert!(like_matches(&compile_like("50\\%%"), &text));
        assert!(like_matches(&compile_like("%off\\__"), &text));
        assert!(!like_matches(&compile_like("50\\%x%"), &text));
    }

    #[test]
    fn in_list_matches_as_equality_does() {
        let list = InList::new(vec![
            Scalar::Text("acme".into()),
            Scalar::Number(2.0),
            Scalar::Null,
        ]);
        assert!(list.contains(&Scalar::Text("acme".into())));
        assert!(list.contains(&Scalar::Number(2.0)));
        assert!(list.contains(&Scalar::Null));
        assert!(!list.contains(&Scalar::Text("2".into())));
        assert!(!list.contains(&Scalar::Bool(true)));
        let texts_only = InList::new(vec![Scalar::Text("a".into())]);
        assert!(!texts_only.contains(&Scalar::Null));
    }
}
