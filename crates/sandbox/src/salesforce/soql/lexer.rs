//! Splits a SOQL statement into tokens.
//!
//! Literals that start with a digit are read as one run of characters up to the next
//! delimiter and then classified as a number, a date (`2024-01-01`) or a datetime
//! (`2024-01-01T00:00:00Z`, `...+01:00`, `...-08:00`, fractional seconds allowed). A datetime
//! without its zone offset, which is what an unencoded `+` turned into a space leaves behind,
//! fails the way Salesforce fails it: "no viable alternative at character ' '".

use chrono::{DateTime, NaiveDate, Utc};

use crate::salesforce::values::{parse_date, parse_datetime};

/// Comparison operators of a WHERE condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// Kind of a token.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TokenKind {
    /// A keyword, object name or field path (`Name`, `Owner.Name`).
    Ident(String),
    /// A quoted string with escapes resolved, except `\%` and `\_`, which stay escaped for
    /// LIKE patterns.
    Str(String),
    /// A number literal, as written.
    Number(String),
    /// A date literal.
    Date(NaiveDate),
    /// A datetime literal, converted to UTC.
    DateTime(DateTime<Utc>),
    /// A run of characters that is no valid literal; the parser reports it as unexpected.
    Other(String),
    Comma,
    LParen,
    RParen,
    Op(CompareOp),
    Eof,
}

/// A token and its byte range in the statement.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub kind: TokenKind,
    pub start: usize,
    pub end: usize,
}

/// A character the lexer cannot continue from, at byte `offset`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LexError {
    pub offset: usize,
    pub message: String,
}

/// Splits `text` into tokens, ending with [`TokenKind::Eof`].
pub(crate) fn tokenize(text: &str) -> Result<Vec<Token>, LexError> {
    let mut lexer = Lexer { text, position: 0 };
    let mut tokens = Vec::new();
    loop {
        let token = lexer.next_token()?;
        let done = token.kind == TokenKind::Eof;
        tokens.push(token);
        if done {
            return Ok(tokens);
        }
    }
}

struct Lexer<'a> {
    text: &'a str,
    position: usize,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.text[self.position..].chars().next()
    }

    fn peek_second(&self) -> Option<char> {
        self.text[self.position..].chars().nth(1)
    }

    fn next_token(&mut self) -> Result<Token, LexError> {
        while self.peek().is_some_and(char::is_whitespace) {
            self.position += self.peek().map_or(0, char::len_utf8);
        }
        let start = self.position;
        let Some(first) = self.peek() else {
            return Ok(Token {
                kind: TokenKind::Eof,
                start,
                end: start,
            });
        };
        let kind = match first {
            ',' => self.single(TokenKind::Comma),
            '(' => self.single(TokenKind::LParen),
            ')' => self.single(TokenKind::RParen),
            '=' | '!' | '<' | '>' => self.operator()?,
            '\'' => self.string()?,
            '-' | '+' if self.peek_second().is_some_and(|c| c.is_ascii_digit()) => {
                self.literal()?
            }
            c if c.is_ascii_digit() => self.literal()?,
            c if c.is_ascii_alphabetic() || c == '_' => self.identifier(),
            other => return Err(no_viable_alternative(start, other)),
        };
        Ok(Token {
            kind,
            start,
            end: self.position,
        })
    }

    fn single(&mut self, kind: TokenKind) -> TokenKind {
        self.position += 1;
        kind
    }

    fn operator(&mut self) -> Result<TokenKind, LexError> {
        let rest = &self.text[self.position..];
        let (op, length) = if rest.starts_with("!=") || rest.starts_with("<>") {
            (CompareOp::Ne, 2)
        } else if rest.starts_with("<=") {
            (CompareOp::Le, 2)
        } else if rest.starts_with(">=") {
            (CompareOp::Ge, 2)
        } else if rest.starts_with('<') {
            (CompareOp::Lt, 1)
        } else if rest.starts_with('>') {
            (CompareOp::Gt, 1)
        } else if rest.starts_with('=') {
            (CompareOp::Eq, 1)
        } else {
            // A lone `!`: the character after it cannot continue an operator.
            let next = self.position + 1;
            let character = self.text[next..].chars().next().unwrap_or(' ');
            return Err(no_viable_alternative(next, character));
        };
        self.position += length;
        Ok(TokenKind::Op(op))
    }

    fn identifier(&mut self) -> TokenKind {
        let start = self.position;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        {
            self.position += 1;
        }
        TokenKind::Ident(self.text[start..self.position].to_string())
    }

    fn string(&mut self) -> Result<TokenKind, LexError> {
        self.position += 1; // the opening quote
        let mut value = String::new();
        loop {
            let Some(character) = self.peek() else {
                return Err(LexError {
                    offset: self.position,
                    message: "mismatched character '<EOF>' expecting '''".to_string(),
                });
            };
            self.position += character.len_utf8();
            match character {
                '\'' => return Ok(TokenKind::Str(value)),
                '\\' => self.escape(&mut value)?,
                other => value.push(other),
            }
        }
    }

    fn escape(&mut self, value: &mut String) -> Result<(), LexError> {
        let offset = self.position;
        let Some(escaped) = self.peek() else {
            return Err(LexError {
                offset,
                message: "mismatched character '<EOF>' expecting '''".to_string(),
            });
        };
        self.position += escaped.len_utf8();
        let resolved = match escaped {
            'n' => "\n",
            'r' => "\r",
            't' => "\t",
            'b' => "\u{8}",
            'f' => "\u{c}",
            '"' => "\"",
            '\'' => "'",
            '\\' => "\\",
            '%' => "\\%",
            '_' => "\\_",
            other => {
                return Err(LexError {
                    offset,
                    message: format!("Illegal character sequence '\\{other}' in string literal."),
                });
            }
        };
        value.push_str(resolved);
        Ok(())
    }

    /// Reads a literal that starts with a digit or a sign and classifies it.
    fn literal(&mut self) -> Result<TokenKind, LexError> {
        let start = self.position;
        while self.peek().is_some_and(|c| !is_delimiter(c)) {
            self.position += self.peek().map_or(0, char::len_utf8);
        }
        let run = &self.text[start..self.position];
        if let Some(kind) = classify(run) {
            return Ok(kind);
        }
        if looks_like_datetime_without_zone(run) {
            let character = self.peek().unwrap_or(' ');
            return Err(no_viable_alternative(self.position, character));
        }
        Ok(TokenKind::Other(run.to_string()))
    }
}

fn is_delimiter(character: char) -> bool {
    character.is_whitespace() || matches!(character, ',' | '(' | ')' | '\'' | '=' | '!' | '<' | '>')
}

fn classify(run: &str) -> Option<TokenKind> {
    if is_number(run) {
        return Some(TokenKind::Number(run.to_string()));
    }
    if let Some(date) = parse_date(run) {
        return Some(TokenKind::Date(date));
    }
    if is_datetime_literal(run) {
        return parse_datetime(run).map(TokenKind::DateTime);
    }
    None
}

fn is_number(run: &str) -> bool {
    let unsigned = run.strip_prefix(['-', '+']).unwrap_or(run);
    let mut parts = unsigned.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let fraction = parts.next();
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction
            .is_none_or(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
}

/// Returns whether `run` has the SOQL datetime shape: `YYYY-MM-DDThh:mm:ss`, optional
/// fractional seconds, then `Z` or `+hh:mm` / `-hh:mm`.
fn is_datetime_literal(run: &str) -> bool {
    let Some(rest) = datetime_body_rest(run) else {
        return false;
    };
    if rest == "Z" {
        return true;
    }
    let bytes = rest.as_bytes();
    bytes.len() == 6
        && matches!(bytes[0], b'+' | b'-')
        && bytes[1..3].iter().all(u8::is_ascii_digit)
        && bytes[3] == b':'
        && bytes[4..6].iter().all(u8::is_ascii_digit)
}

fn looks_like_datetime_without_zone(run: &str) -> bool {
    datetime_body_rest(run).is_some_and(str::is_empty)
}

/// Checks the date, `T`, time and fractional seconds, and returns what follows them.
fn datetime_body_rest(run: &str) -> Option<&str> {
    let bytes = run.as_bytes();
    if bytes.len() < 19 || parse_date(&run[..10]).is_none() || bytes[10] != b'T' {
        return None;
    }
    let time = &bytes[11..19];
    let time_shape = time.iter().enumerate().all(|(index, byte)| {
        if index == 2 || index == 5 {
            *byte == b':'
        } else {
            byte.is_ascii_digit()
        }
    });
    if !time_shape {
        return None;
    }
    let mut rest = &run[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = &fraction[digits..];
    }
    Some(rest)
}

fn no_viable_alternative(offset: usize, character: char) -> LexError {
    LexError {
        offset,
        message: format!("no viable alternative at character '{character}'"),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn kinds(text: &str) -> Vec<TokenKind> {
        tokenize(text)
            .unwrap()
            .into_iter()
            .map(|token| token.kind)
            .collect()
    }

    #[test]
    fn tokenize_reads_datetime_forms() {
        let expected = Utc.with_ymd_and_hms(2024, 1, 1, 8, 0, 0).unwrap();
        for text in [
            "2024-01-01T08:00:00Z",
            "2024-01-01T08:00:00+00:00",
            "2024-01-01T00:00:00-08:00",
            "2024-01-01T08:00:00.000Z",
        ] {
            assert_eq!(kinds(text)[0], TokenKind::DateTime(expected), "{text}");
        }
    }

    #[test]
    fn tokenize_rejects_datetime_whose_plus_became_space() {
        let error = tokenize("X > 2024-01-01T00:00:00 00:00").unwrap_err();
        assert_eq!(error.offset, 23);
        assert_eq!(error.message, "no viable alternative at character ' '");
    }

    #[test]
    fn tokenize_reads_date_number_and_operators() {
        assert_eq!(
            kinds("d >= 2024-02-29 AND n <> -1.5"),
            vec![
                TokenKind::Ident("d".into()),
                TokenKind::Op(CompareOp::Ge),
                TokenKind::Date(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()),
                TokenKind::Ident("AND".into()),
                TokenKind::Ident("n".into()),
                TokenKind::Op(CompareOp::Ne),
                TokenKind::Number("-1.5".into()),
                TokenKind::Eof,
            ]
        );
    }

    #[test]
    fn tokenize_resolves_string_escapes() {
        assert_eq!(
            kinds(r"'O\'Brien \\ 50\%'")[0],
            TokenKind::Str(r"O'Brien \ 50\%".into())
        );
    }

    #[test]
    fn tokenize_rejects_unknown_escape() {
        let error = tokenize(r"'a\qb'").unwrap_err();
        assert_eq!(
            error.message,
            r"Illegal character sequence '\q' in string literal."
        );
    }

    #[test]
    fn tokenize_rejects_unterminated_string() {
        assert!(tokenize("Name = 'abc").is_err());
    }

    #[test]
    fn tokenize_keeps_unclassified_run_for_parser() {
        assert_eq!(
            kinds("12:52:08.06+00:00")[0],
            TokenKind::Other("12:52:08.06+00:00".into())
        );
    }
}
