//! A small SOQL engine: lexer, parser, a planner that checks a statement against the schema,
//! and an executor that filters, sorts and renders records, with parent fields nested under
//! their relationship and child subqueries as nested query results.
//!
//! Errors carry the messages Salesforce sends. Lexer and schema errors are framed like an
//! `ApiQueryFault`: a newline, an excerpt of the statement, a caret line, `ERROR at
//! Row:R:Column:C` and the reason. Grammar errors are the bare `unexpected token: 'X'`, led by
//! the name of the feature when the statement uses valid SOQL the parser does not know.

mod columns;
mod compare;
mod execute;
mod lexer;
mod parser;
#[cfg(test)]
mod parser_tests;
mod paths;
mod plan;
#[cfg(test)]
mod statement_tests;

pub(crate) use execute::QueryOutcome;
pub(crate) use paths::RecordSource;
pub(crate) use plan::Plan;

use crate::salesforce::errors::ApiError;
use crate::salesforce::schema::ObjectDef;

/// Parses `text` and checks it against `objects`, returning a plan that can run against the
/// records of the org.
pub(crate) fn prepare<'s>(text: &str, objects: &'s [ObjectDef]) -> Result<Plan<'s>, ApiError> {
    let tokens = lexer::tokenize(text).map_err(|error| {
        ApiError::bad_request(
            "MALFORMED_QUERY",
            lexer_fault(text, error.offset, &error.message),
        )
    })?;
    let query = parser::parse(text, &tokens).map_err(|error| {
        let message = match unsupported_feature(text) {
            Some(feature) => format!(
                "{feature} is valid SOQL but not supported by this sandbox (see the sandbox \
                 README); unexpected token: '{}'",
                error.text
            ),
            None => format!("unexpected token: '{}'", error.text),
        };
        ApiError::bad_request("MALFORMED_QUERY", message)
    })?;
    plan::plan(text, query, objects)
}

/// Returns the SOQL feature the statement uses that the parser does not know, for a clearer
/// message than Salesforce's bare grammar error, which a real org would not send for them.
fn unsupported_feature(text: &str) -> Option<&'static str> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .filter(|word| !word.is_empty())
        .map(str::to_ascii_uppercase)
        .collect();
    let has = |word: &str| words.iter().any(|w| w == word);
    let compact: String = text.to_ascii_uppercase().split_whitespace().collect();
    if has("GROUP") {
        Some("GROUP BY")
    } else if has("HAVING") {
        Some("HAVING")
    } else if has("TYPEOF") {
        Some("TYPEOF")
    } else if compact.contains("IN(SELECT") {
        Some("A semi-join (IN (SELECT ...))")
    } else {
        None
    }
}

/// How many characters before the error the excerpt may show. The two values reproduce
/// recorded Salesforce messages for each kind of error.
const LEXER_WINDOW_BEFORE: usize = 40;
const SCHEMA_WINDOW_BEFORE: usize = 45;

/// How many characters after the caret the excerpt may show.
const WINDOW_AFTER: usize = 39;

/// Frames a lexer error at byte `offset`. Salesforce reports the 0-based column of the
/// offending character and draws the caret one character earlier, under the end of the
/// literal that was cut short.
fn lexer_fault(text: &str, offset: usize, reason: &str) -> String {
    let position = Position::of(text, offset);
    let column = position.chars_before;
    let caret = text[..offset]
        .char_indices()
        .next_back()
        .filter(|(index, _)| *index >= position.row_start)
        .map_or(offset, |(index, _)| index);
    let reason = format!("line {}:{column} {reason}", position.row);
    frame(
        text,
        caret,
        position.row,
        column,
        &reason,
        LEXER_WINDOW_BEFORE,
    )
}

/// Frames a schema error (unknown object or field, wrong literal type) at byte `offset`,
/// with a 1-based column.
pub(crate) fn schema_fault(text: &str, offset: usize, reason: &str) -> String {
    let position = Position::of(text, offset);
    let column = position.chars_before + 1;
    frame(
        text,
        offset,
        position.row,
        column,
        reason,
        SCHEMA_WINDOW_BEFORE,
    )
}

struct Position {
    row: usize,
    row_start: usize,
    chars_before: usize,
}

impl Position {
    fn of(text: &str, offset: usize) -> Position {
        let before = &text[..offset];
        let row_start = before.rfind('\n').map_or(0, |newline| newline + 1);
        Position {
            row: before.matches('\n').count() + 1,
            row_start,
            chars_before: before[row_start..].chars().count(),
        }
    }
}

fn frame(
    text: &str,
    caret_offset: usize,
    row: usize,
    column: usize,
    reason: &str,
    before: usize,
) -> String {
    let row_start = text[..caret_offset]
        .rfind('\n')
        .map_or(0, |newline| newline + 1);
    let row_end = text[caret_offset..]
        .find('\n')
        .map_or(text.len(), |newline| caret_offset + newline);
    let line: Vec<char> = text[row_start..row_end].chars().collect();
    let caret = text[row_start..caret_offset].chars().count();
    let start = window_start(&line, caret, before);
    let end = window_end(&line, caret);
    let excerpt: String = line[start..end].iter().collect();
    let padding = " ".repeat(caret - start);
    format!("\n{excerpt}\n{padding}^\nERROR at Row:{row}:Column:{column}\n{reason}")
}

fn is_token_char(character: char) -> bool {
    character.is_alphanumeric() || matches!(character, '_' | '.' | ':' | '-' | '+')
}

/// Starts the excerpt at most `before` characters ahead of the caret, on a token boundary.
fn window_start(line: &[char], caret: usize, before: usize) -> usize {
    if caret <= before {
        return 0;
    }
    let mut start = caret - before;
    if is_token_char(line[start]) && is_token_char(line[start - 1]) {
        while start < caret && is_token_char(line[start]) {
            start += 1;
        }
    }
    while start < caret && !is_token_char(line[start]) {
        start += 1;
    }
    start
}

/// Ends the excerpt before the token that crosses the limit after the caret, without trailing
/// separators.
fn window_end(line: &[char], caret: usize) -> usize {
    let limit = caret + WINDOW_AFTER;
    if limit >= line.len() {
        return line.len();
    }
    let mut end = limit;
    if is_token_char(line[end]) {
        while end > caret + 1 && is_token_char(line[end - 1]) {
            end -= 1;
        }
    }
    while end > caret + 1 && !is_token_char(line[end - 1]) {
        end -= 1;
    }
    end.max(caret + 1).min(line.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexer_fault_matches_recorded_message() {
        let text = "SELECT id, name, description FROM Account WHERE LastModifiedDate >= \
                    2013-12-01T12:00:00 00:00";
        let message = lexer_fault(text, 87, "no viable alternative at character ' '");
        let expected = format!(
            "\nLastModifiedDate >= 2013-12-01T12:00:00 00:00\n{}^\nERROR at Row:1:Column:87\n\
             line 1:87 no viable alternative at character ' '",
            " ".repeat(38)
        );
        assert_eq!(message, expected);
    }

    #[test]
    fn schema_fault_matches_recorded_message() {
        let text = "select count() from XYZZY";
        let message = schema_fault(text, 20, "sObject type 'XYZZY' is not supported.");
        assert_eq!(
            message,
            "\nselect count() from XYZZY\n                    ^\nERROR at Row:1:Column:21\n\
             sObject type 'XYZZY' is not supported."
        );
    }

    #[test]
    fn schema_fault_cuts_long_statement_on_token_boundaries() {
        let text = "select Id, Company,Email,LastName,SF_date__c, ConvertedContactId from Lead \
                    where IsConverted = false";
        let message = schema_fault(text, 34, "No such column");
        assert!(message.starts_with(
            "\nselect Id, Company,Email,LastName,SF_date__c, ConvertedContactId from\n"
        ));
        assert!(message.contains("ERROR at Row:1:Column:35\n"));
    }
}
