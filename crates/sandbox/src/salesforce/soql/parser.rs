//! Parses the SOQL subset the emulator runs:
//!
//! ```text
//! SELECT item, ... | COUNT() FROM Object
//!   [WHERE condition] [ORDER BY field [ASC|DESC] [NULLS FIRST|LAST], ...]
//!   [LIMIT n] [OFFSET n]
//! ```
//!
//! An item is a field path (`Name`, `Account.Owner.Email`) or, in the outer statement only, a
//! child subquery in parentheses whose `FROM` names a child relationship
//! (`(SELECT LastName FROM Contacts WHERE ... ORDER BY ... LIMIT n)`).
//!
//! Conditions combine comparisons (`=`, `!=`, `<>`, `<`, `<=`, `>`, `>=`), `IN (...)`,
//! `NOT IN (...)` and `LIKE` with `AND`, `OR`, `NOT` and parentheses. As in Salesforce, `AND`
//! and `OR` cannot be mixed at one level without parentheses.

use chrono::{DateTime, NaiveDate, Utc};

use super::lexer::{CompareOp, Token, TokenKind};

/// A value with the byte offset where it starts in the statement.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Spanned<T> {
    pub value: T,
    pub start: usize,
}

/// A parsed SOQL statement.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Query {
    pub selection: Selection,
    pub object: Spanned<String>,
    pub condition: Option<Condition>,
    pub order_by: Vec<OrderItem>,
    pub limit: Option<usize>,
    pub offset: Option<usize>,
}

/// Selection of a statement.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Selection {
    /// `COUNT()`: only `totalSize` is returned.
    Count,
    /// Field paths and subqueries in SELECT order.
    Fields(Vec<SelectItem>),
}

/// One item of a field list.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SelectItem {
    /// A field of the queried object or of a parent: `Name`, `Account.Name`.
    Field(Spanned<String>),
    /// A child subquery; `start` is the offset of its opening parenthesis.
    Subquery(Spanned<Box<Query>>),
}

/// A WHERE condition.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Condition {
    And(Vec<Condition>),
    Or(Vec<Condition>),
    Not(Box<Condition>),
    Compare {
        field: Spanned<String>,
        op: CompareOp,
        value: Spanned<Literal>,
    },
    In {
        field: Spanned<String>,
        values: Vec<Spanned<Literal>>,
        negated: bool,
    },
    Like {
        field: Spanned<String>,
        pattern: Spanned<Literal>,
    },
}

/// A literal value in a condition.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Literal {
    Str(String),
    Number(f64),
    Bool(bool),
    Null,
    Date(NaiveDate),
    DateTime(DateTime<Utc>),
}

/// One ORDER BY key.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OrderItem {
    pub field: Spanned<String>,
    pub descending: bool,
    pub nulls_last: bool,
}

/// A token the grammar does not allow where it appears.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UnexpectedToken {
    /// Source text of the token, or `<EOF>`.
    pub text: String,
}

/// Parses the tokens of `source` into a [`Query`].
pub(crate) fn parse(source: &str, tokens: &[Token]) -> Result<Query, UnexpectedToken> {
    let mut parser = Parser {
        source,
        tokens,
        index: 0,
        nested: false,
    };
    let query = parser.query()?;
    if parser.current().kind != TokenKind::Eof {
        return Err(parser.unexpected());
    }
    Ok(query)
}

enum Joiner {
    And,
    Or,
}

struct Parser<'a> {
    source: &'a str,
    tokens: &'a [Token],
    index: usize,
    /// Whether the parser is inside a subquery, where no further subquery may start.
    nested: bool,
}

impl Parser<'_> {
    fn current(&self) -> &Token {
        // The lexer always ends the list with Eof and the parser never moves past it.
        &self.tokens[self.index.min(self.tokens.len() - 1)]
    }

    fn advance(&mut self) -> Token {
        let token = self.current().clone();
        if token.kind != TokenKind::Eof {
            self.index += 1;
        }
        token
    }

    fn unexpected(&self) -> UnexpectedToken {
        let token = self.current();
        let text = match token.kind {
            TokenKind::Eof => "<EOF>".to_string(),
            _ => self.source[token.start..token.end].to_string(),
        };
        UnexpectedToken { text }
    }

    fn at_keyword(&self, keyword: &str) -> bool {
        matches!(&self.current().kind, TokenKind::Ident(word) if word.eq_ignore_ascii_case(keyword))
    }

    fn expect_keyword(&mut self, keyword: &str) -> Result<(), UnexpectedToken> {
        if !self.at_keyword(keyword) {
            return Err(self.unexpected());
        }
        self.advance();
        Ok(())
    }

    fn expect(&mut self, kind: &TokenKind) -> Result<(), UnexpectedToken> {
        if &self.current().kind != kind {
            return Err(self.unexpected());
        }
        self.advance();
        Ok(())
    }

    fn query(&mut self) -> Result<Query, UnexpectedToken> {
        self.expect_keyword("SELECT")?;
        let selection = self.selection()?;
        self.expect_keyword("FROM")?;
        let object = self.name()?;
        let condition = self.where_clause()?;
        let order_by = self.order_by()?;
        let limit = self.count_clause("LIMIT")?;
        let offset = self.count_clause("OFFSET")?;
        Ok(Query {
            selection,
            object,
            condition,
            order_by,
            limit,
            offset,
        })
    }

    fn selection(&mut self) -> Result<Selection, UnexpectedToken> {
        let is_count = self.at_keyword("COUNT")
            && self.tokens.get(self.index + 1).map(|token| &token.kind) == Some(&TokenKind::LParen);
        if is_count {
            self.advance();
            self.expect(&TokenKind::LParen)?;
            self.expect(&TokenKind::RParen)?;
            return Ok(Selection::Count);
        }
        let mut items = vec![self.select_item()?];
        while self.current().kind == TokenKind::Comma {
            self.advance();
            items.push(self.select_item()?);
        }
        Ok(Selection::Fields(items))
    }

    fn select_item(&mut self) -> Result<SelectItem, UnexpectedToken> {
        if self.current().kind != TokenKind::LParen || self.nested {
            return self.name().map(SelectItem::Field);
        }
        let start = self.advance().start;
        self.nested = true;
        let query = self.query()?;
        self.nested = false;
        self.expect(&TokenKind::RParen)?;
        Ok(SelectItem::Subquery(Spanned {
            value: Box::new(query),
            start,
        }))
    }

    /// Reads an object name or field path that is not a reserved word.
    fn name(&mut self) -> Result<Spanned<String>, UnexpectedToken> {
        match &self.current().kind {
            TokenKind::Ident(word) if !is_reserved(word) => {
                let value = word.clone();
                let start = self.advance().start;
                Ok(Spanned { value, start })
            }
            _ => Err(self.unexpected()),
        }
    }

    fn where_clause(&mut self) -> Result<Option<Condition>, UnexpectedToken> {
        if !self.at_keyword("WHERE") {
            return Ok(None);
        }
        self.advance();
        self.condition().map(Some)
    }

    fn condition(&mut self) -> Result<Condition, UnexpectedToken> {
        let mut terms = vec![self.term()?];
        let mut joiner: Option<Joiner> = None;
        loop {
            let next = if self.at_keyword("AND") {
                Joiner::And
            } else if self.at_keyword("OR") {
                Joiner::Or
            } else {
                break;
            };
            let mixed = matches!(
                (&joiner, &next),
                (Some(Joiner::And), Joiner::Or) | (Some(Joiner::Or), Joiner::And)
            );
            if mixed {
                return Err(self.unexpected());
            }
            joiner = Some(next);
            self.advance();
            terms.push(self.term()?);
        }
        Ok(match joiner {
            None => terms.remove(0),
            Some(Joiner::And) => Condition::And(terms),
            Some(Joiner::Or) => Condition::Or(terms),
        })
    }

    fn term(&mut self) -> Result<Condition, UnexpectedToken> {
        if self.at_keyword("NOT") {
            self.advance();
            return Ok(Condition::Not(Box::new(self.term()?)));
        }
        if self.current().kind == TokenKind::LParen {
            self.advance();
            let inner = self.condition()?;
            self.expect(&TokenKind::RParen)?;
            return Ok(inner);
        }
        self.predicate()
    }

    fn predicate(&mut self) -> Result<Condition, UnexpectedToken> {
        let field = self.name()?;
        if let TokenKind::Op(op) = self.current().kind {
            self.advance();
            let value = self.literal()?;
            return Ok(Condition::Compare { field, op, value });
        }
        if self.at_keyword("LIKE") {
            self.advance();
            let pattern = self.literal()?;
            return Ok(Condition::Like { field, pattern });
        }
        let negated = self.at_keyword("NOT");
        if negated {
            self.advance();
        }
        self.expect_keyword("IN")?;
        let values = self.literal_list()?;
        Ok(Condition::In {
            field,
            values,
            negated,
        })
    }

    fn literal_list(&mut self) -> Result<Vec<Spanned<Literal>>, UnexpectedToken> {
        self.expect(&TokenKind::LParen)?;
        let mut values = vec![self.literal()?];
        while self.current().kind == TokenKind::Comma {
            self.advance();
            values.push(self.literal()?);
        }
        self.expect(&TokenKind::RParen)?;
        Ok(values)
    }

    fn literal(&mut self) -> Result<Spanned<Literal>, UnexpectedToken> {
        let token = self.current();
        let value = match &token.kind {
            TokenKind::Str(text) => Literal::Str(text.clone()),
            TokenKind::Number(text) => match text.parse::<f64>() {
                Ok(number) => Literal::Number(number),
                Err(_) => return Err(self.unexpected()),
            },
            TokenKind::Date(date) => Literal::Date(*date),
            TokenKind::DateTime(instant) => Literal::DateTime(*instant),
            TokenKind::Ident(word) if word.eq_ignore_ascii_case("null") => Literal::Null,
            TokenKind::Ident(word) if word.eq_ignore_ascii_case("true") => Literal::Bool(true),
            TokenKind::Ident(word) if word.eq_ignore_ascii_case("false") => Literal::Bool(false),
            _ => return Err(self.unexpected()),
        };
        let start = self.advance().start;
        Ok(Spanned { value, start })
    }

    fn order_by(&mut self) -> Result<Vec<OrderItem>, UnexpectedToken> {
        if !self.at_keyword("ORDER") {
            return Ok(Vec::new());
        }
        self.advance();
        self.expect_keyword("BY")?;
        let mut items = vec![self.order_item()?];
        while self.current().kind == TokenKind::Comma {
            self.advance();
            items.push(self.order_item()?);
        }
        Ok(items)
    }

    fn order_item(&mut self) -> Result<OrderItem, UnexpectedToken> {
        let field = self.name()?;
        let mut descending = false;
        if self.at_keyword("ASC") {
            self.advance();
        } else if self.at_keyword("DESC") {
            self.advance();
            descending = true;
        }
        // Salesforce puts nulls first in ascending order and last in descending order.
        let mut nulls_last = descending;
        if self.at_keyword("NULLS") {
            self.advance();
            if self.at_keyword("FIRST") {
                nulls_last = false;
            } else if self.at_keyword("LAST") {
                nulls_last = true;
            } else {
                return Err(self.unexpected());
            }
            self.advance();
        }
        Ok(OrderItem {
            field,
            descending,
            nulls_last,
        })
    }

    fn count_clause(&mut self, keyword: &str) -> Result<Option<usize>, UnexpectedToken> {
        if !self.at_keyword(keyword) {
            return Ok(None);
        }
        self.advance();
        let count = match &self.current().kind {
            TokenKind::Number(text) => text.parse::<usize>().ok(),
            _ => None,
        };
        let Some(count) = count else {
            return Err(self.unexpected());
        };
        self.advance();
        Ok(Some(count))
    }
}

/// Words that cannot name an object or field in this grammar.
fn is_reserved(word: &str) -> bool {
    const RESERVED: &[&str] = &[
        "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "ORDER", "BY", "ASC", "DESC",
        "NULLS", "LIMIT", "OFFSET", "NULL", "TRUE", "FALSE",
    ];
    RESERVED
        .iter()
        .any(|reserved| reserved.eq_ignore_ascii_case(word))
}
