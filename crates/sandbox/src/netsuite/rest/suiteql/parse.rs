//! A parser for the subset of SuiteQL the emulator runs. A query selects columns (each with
//! an optional `AS` name) or `*` `FROM` a table with an optional alias. Any number of
//! `[INNER] JOIN` or `LEFT [OUTER] JOIN` may follow, each with one `ON a.column = b.column`
//! equality. An optional `WHERE` contains comparisons, `IN` lists, `IS [NOT] NULL` and `LIKE`
//! joined by `AND`, `OR`, `NOT` and parentheses, and an optional `ORDER BY` ends the query. Columns are named bare (`id`) or by
//! table or alias (`c.id`), and may be wrapped in `LOWER` or `UPPER`. Timestamps are written
//! `TO_TIMESTAMP('2026-01-31 08:00:00', 'YYYY-MM-DD HH24:MI:SS')` or `TO_DATE('2026-01-31',
//! 'YYYY-MM-DD')` and read as wall time in the integration user's time zone, which the
//! emulator fixes at US Pacific time like its SOAP side.
//!
//! Anything else that SuiteQL accepts (`RIGHT` and `FULL` joins, `GROUP BY`, subqueries,
//! `BUILTIN.DF` and other functions) is rejected with an error that names it, so a test
//! never mistakes an unsupported query for an empty result.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use crate::netsuite::datetime::parse_xsd_datetime;

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Query {
    /// The selected columns; empty for `*`.
    pub columns: Vec<Selected>,
    /// The table name in lower case.
    pub table: String,
    /// The name the query gives the table, in lower case: its alias, else its name.
    pub alias: String,
    /// The joined tables, in query order.
    pub joins: Vec<Join>,
    pub filter: Option<Condition>,
    /// Columns to sort by, each with `true` for descending.
    pub order: Vec<(String, bool)>,
}

/// One selected column.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Selected {
    /// The column as named in the query, in lower case (`c.companyname`).
    pub column: String,
    /// The name of the result member: the `AS` name, else the column without its table.
    pub output: String,
}

/// One joined table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Join {
    /// The table name in lower case.
    pub table: String,
    /// The alias, else the table name, in lower case.
    pub alias: String,
    /// True for `LEFT [OUTER] JOIN`, which keeps rows without a match.
    pub left_outer: bool,
    /// The two columns of the `ON` equality, as named in the query.
    pub on: (String, String),
}

/// A column, possibly folded to one case.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    Column(String),
    Lower(String),
    Upper(String),
}

/// A constant in a condition.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Literal {
    Number(f64),
    Text(String),
    Timestamp(DateTime<Utc>),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A `WHERE` condition.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Condition {
    And(Box<Condition>, Box<Condition>),
    Or(Box<Condition>, Box<Condition>),
    Not(Box<Condition>),
    Compare(Expr, Op, Literal),
    In {
        expr: Expr,
        values: Vec<Literal>,
        negated: bool,
    },
    IsNull {
        expr: Expr,
        negated: bool,
    },
    Like {
        expr: Expr,
        pattern: String,
        negated: bool,
    },
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Number(f64),
    Text(String),
    Symbol(&'static str),
}

/// Parses a query, or returns a message that says what is wrong or not supported.
pub(crate) fn parse(text: &str) -> Result<Query, String> {
    let tokens = tokenize(text)?;
    let mut parser = Parser { tokens, at: 0 };
    let query = parser.query()?;
    if let Some(token) = parser.peek() {
        return Err(format!("unexpected {} after the query", describe(token)));
    }
    Ok(query)
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || "_.".contains(chars[i])) {
                i += 1;
            }
            tokens.push(Token::Word(chars[start..i].iter().collect()));
        } else if c.is_ascii_digit()
            || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let start = i;
            i += 1;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let number: String = chars[start..i].iter().collect();
            let value = number
                .parse()
                .map_err(|_| format!("{number} is not a number"))?;
            tokens.push(Token::Number(value));
        } else if c == '\'' {
            let (text, next) = string_literal(&chars, i)?;
            tokens.push(Token::Text(text));
            i = next;
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let symbol = ["<>", "!=", "<=", ">="]
                .into_iter()
                .find(|s| *s == two)
                .or_else(|| {
                    ["(", ")", ",", "*", "=", "<", ">"]
                        .into_iter()
                        .find(|s| s.starts_with(c))
                })
                .ok_or_else(|| format!("the character {c} is not supported"))?;
            i += symbol.len();
            tokens.push(Token::Symbol(symbol));
        }
    }
    Ok(tokens)
}

/// Reads a quoted string starting at `start`, where `''` stands for one quote.
fn string_literal(chars: &[char], start: usize) -> Result<(String, usize), String> {
    let mut text = String::new();
    let mut i = start + 1;
    while i < chars.len() {
        if chars[i] == '\'' {
            if chars.get(i + 1) == Some(&'\'') {
                text.push('\'');
                i += 2;
                continue;
            }
            return Ok((text, i + 1));
        }
        text.push(chars[i]);
        i += 1;
    }
    Err("a string literal is not closed".to_string())
}

fn describe(token: &Token) -> String {
    match token {
        Token::Word(word) => word.clone(),
        Token::Number(number) => number.to_string(),
        Token::Text(text) => format!("'{text}'"),
        Token::Symbol(symbol) => (*symbol).to_string(),
    }
}

/// Clauses and functions of SuiteQL this parser names when it meets them.
const UNSUPPORTED_WORDS: &[&str] = &[
    "GROUP", "HAVING", "UNION", "DISTINCT", "CASE", "EXISTS", "BETWEEN", "FETCH", "RIGHT", "FULL",
    "CROSS",
];

/// Words that end a table reference, so they are never read as its alias.
const CLAUSE_WORDS: &[&str] = &[
    "WHERE", "ORDER", "JOIN", "INNER", "LEFT", "RIGHT", "FULL", "CROSS", "ON", "GROUP", "HAVING",
    "UNION", "FETCH", "FROM", "AS",
];

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn is_keyword(&self, keyword: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(word)) if word.eq_ignore_ascii_case(keyword))
    }

    fn eat_keyword(&mut self, keyword: &str) -> bool {
        let found = self.is_keyword(keyword);
        if found {
            self.at += 1;
        }
        found
    }

    fn expect_keyword(&mut self, keyword: &str) -> Result<(), String> {
        if self.eat_keyword(keyword) {
            return Ok(());
        }
        Err(format!("expected {keyword}, found {}", self.found()))
    }

    fn eat_symbol(&mut self, symbol: &str) -> bool {
        let found = matches!(self.peek(), Some(Token::Symbol(s)) if *s == symbol);
        if found {
            self.at += 1;
        }
        found
    }

    fn expect_symbol(&mut self, symbol: &str) -> Result<(), String> {
        if self.eat_symbol(symbol) {
            return Ok(());
        }
        Err(format!("expected {symbol}, found {}", self.found()))
    }

    fn found(&self) -> String {
        self.peek()
            .map_or_else(|| "the end of the query".to_string(), describe)
    }

    /// Reads a column or table name, rejecting clauses this parser does not support.
    fn name(&mut self) -> Result<String, String> {
        match self.next() {
            Some(Token::Word(word)) => {
                let upper = word.to_ascii_uppercase();
                if UNSUPPORTED_WORDS.contains(&upper.as_str()) {
                    return Err(format!("{upper} is not supported by the sandbox's SuiteQL"));
                }
                if upper.starts_with("BUILTIN.") {
                    return Err(format!("{word} is not supported by the sandbox's SuiteQL"));
                }
                Ok(word.to_ascii_lowercase())
            }
            other => Err(format!(
                "expected a name, found {}",
                other.map_or_else(|| "the end of the query".to_string(), |t| describe(&t))
            )),
        }
    }

    fn query(&mut self) -> Result<Query, String> {
        self.expect_keyword("SELECT")?;
        let columns = self.columns()?;
        self.expect_keyword("FROM")?;
        let (table, alias) = self.table()?;
        if matches!(self.peek(), Some(Token::Symbol(","))) {
            return Err(
                "tables listed with commas are not supported by the sandbox's SuiteQL; use JOIN"
                    .to_string(),
            );
        }
        let mut joins = Vec::new();
        while let Some(left_outer) = self.join_keyword()? {
            joins.push(self.join(left_outer)?);
        }
        let filter = if self.eat_keyword("WHERE") {
            Some(self.or()?)
        } else {
            None
        };
        let order = if self.eat_keyword("ORDER") {
            self.expect_keyword("BY")?;
            self.order()?
        } else {
            Vec::new()
        };
        for keyword in UNSUPPORTED_WORDS {
            if self.is_keyword(keyword) {
                return Err(format!(
                    "{keyword} is not supported by the sandbox's SuiteQL"
                ));
            }
        }
        Ok(Query {
            columns,
            table,
            alias,
            joins,
            filter,
            order,
        })
    }

    /// Reads a table name and its optional alias (`customer c` or `customer AS c`).
    fn table(&mut self) -> Result<(String, String), String> {
        let table = self.name()?;
        let alias = if self.eat_keyword("AS") {
            self.name()?
        } else {
            match self.peek() {
                Some(Token::Word(word))
                    if !CLAUSE_WORDS.contains(&word.to_ascii_uppercase().as_str()) =>
                {
                    self.name()?
                }
                _ => table.clone(),
            }
        };
        Ok((table, alias))
    }

    /// Reads the keywords that start a join: `Some(false)` for an inner join, `Some(true)`
    /// for a left outer join, `None` when no join follows.
    fn join_keyword(&mut self) -> Result<Option<bool>, String> {
        if self.eat_keyword("JOIN") {
            return Ok(Some(false));
        }
        if self.eat_keyword("INNER") {
            self.expect_keyword("JOIN")?;
            return Ok(Some(false));
        }
        if self.eat_keyword("LEFT") {
            self.eat_keyword("OUTER");
            self.expect_keyword("JOIN")?;
            return Ok(Some(true));
        }
        Ok(None)
    }

    fn join(&mut self, left_outer: bool) -> Result<Join, String> {
        let (table, alias) = self.table()?;
        self.expect_keyword("ON")?;
        let left = self.name()?;
        self.expect_symbol("=")?;
        let right = self.name()?;
        if self.is_keyword("AND") || self.is_keyword("OR") {
            return Err(
                "a join condition other than one column = column equality is not supported by \
                 the sandbox's SuiteQL"
                    .to_string(),
            );
        }
        Ok(Join {
            table,
            alias,
            left_outer,
            on: (left, right),
        })
    }

    fn columns(&mut self) -> Result<Vec<Selected>, String> {
        if self.eat_symbol("*") {
            return Ok(Vec::new());
        }
        let mut columns = vec![self.selected()?];
        while self.eat_symbol(",") {
            columns.push(self.selected()?);
        }
        Ok(columns)
    }

    fn selected(&mut self) -> Result<Selected, String> {
        let column = self.name()?;
        if matches!(self.peek(), Some(Token::Symbol("("))) {
            return Err(format!(
                "the function {} in the select list is not supported by the sandbox's SuiteQL",
                column.to_ascii_uppercase()
            ));
        }
        let output = if self.eat_keyword("AS") {
            self.name()?
        } else {
            match column.rsplit_once('.') {
                Some((_, bare)) => bare.to_string(),
                None => column.clone(),
            }
        };
        Ok(Selected { column, output })
    }

    fn order(&mut self) -> Result<Vec<(String, bool)>, String> {
        let mut order = Vec::new();
        loop {
            let column = self.name()?;
            let descending = if self.eat_keyword("DESC") {
                true
            } else {
                self.eat_keyword("ASC");
                false
            };
            order.push((column, descending));
            if !self.eat_symbol(",") {
                return Ok(order);
            }
        }
    }

    fn or(&mut self) -> Result<Condition, String> {
        let mut left = self.and()?;
        while self.eat_keyword("OR") {
            let right = self.and()?;
            left = Condition::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Condition, String> {
        let mut left = self.unary()?;
        while self.eat_keyword("AND") {
            let right = self.unary()?;
            left = Condition::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Condition, String> {
        if self.eat_keyword("NOT") {
            return Ok(Condition::Not(Box::new(self.unary()?)));
        }
        if self.eat_symbol("(") {
            let inner = self.or()?;
            self.expect_symbol(")")?;
            return Ok(inner);
        }
        self.predicate()
    }

    fn expr(&mut self) -> Result<Expr, String> {
        let name = self.name()?;
        if !self.eat_symbol("(") {
            return Ok(Expr::Column(name));
        }
        let inner = self.name()?;
        self.expect_symbol(")")?;
        match name.as_str() {
            "lower" => Ok(Expr::Lower(inner)),
            "upper" => Ok(Expr::Upper(inner)),
            other => Err(format!(
                "the function {} is not supported by the sandbox's SuiteQL",
                other.to_ascii_uppercase()
            )),
        }
    }

    fn predicate(&mut self) -> Result<Condition, String> {
        let expr = self.expr()?;
        if self.eat_keyword("IS") {
            let negated = self.eat_keyword("NOT");
            self.expect_keyword("NULL")?;
            return Ok(Condition::IsNull { expr, negated });
        }
        let negated = self.eat_keyword("NOT");
        if self.eat_keyword("IN") {
            return self.in_list(expr, negated);
        }
        if self.eat_keyword("LIKE") {
            return match self.literal()? {
                Literal::Text(pattern) => Ok(Condition::Like {
                    expr,
                    pattern,
                    negated,
                }),
                _ => Err("LIKE takes a string pattern".to_string()),
            };
        }
        if negated {
            return Err(format!(
                "expected IN or LIKE after NOT, found {}",
                self.found()
            ));
        }
        let op = match self.next() {
            Some(Token::Symbol("=")) => Op::Eq,
            Some(Token::Symbol("<>" | "!=")) => Op::Ne,
            Some(Token::Symbol("<")) => Op::Lt,
            Some(Token::Symbol("<=")) => Op::Le,
            Some(Token::Symbol(">")) => Op::Gt,
            Some(Token::Symbol(">=")) => Op::Ge,
            other => {
                return Err(format!(
                    "expected a comparison operator, found {}",
                    other.map_or_else(|| "the end of the query".to_string(), |t| describe(&t))
                ));
            }
        };
        Ok(Condition::Compare(expr, op, self.literal()?))
    }

    fn in_list(&mut self, expr: Expr, negated: bool) -> Result<Condition, String> {
        self.expect_symbol("(")?;
        if self.is_keyword("SELECT") {
            return Err("subqueries are not supported by the sandbox's SuiteQL".to_string());
        }
        let mut values = vec![self.literal()?];
        while self.eat_symbol(",") {
            values.push(self.literal()?);
        }
        self.expect_symbol(")")?;
        Ok(Condition::In {
            expr,
            values,
            negated,
        })
    }

    fn literal(&mut self) -> Result<Literal, String> {
        match self.next() {
            Some(Token::Number(number)) => Ok(Literal::Number(number)),
            Some(Token::Text(text)) => Ok(Literal::Text(text)),
            Some(Token::Word(word))
                if word.eq_ignore_ascii_case("TO_TIMESTAMP")
                    || word.eq_ignore_ascii_case("TO_DATE") =>
            {
                self.timestamp()
            }
            other => Err(format!(
                "expected a value, found {}",
                other.map_or_else(|| "the end of the query".to_string(), |t| describe(&t))
            )),
        }
    }

    fn timestamp(&mut self) -> Result<Literal, String> {
        self.expect_symbol("(")?;
        let Some(Token::Text(value)) = self.next() else {
            return Err("TO_TIMESTAMP and TO_DATE take a string value".to_string());
        };
        self.expect_symbol(",")?;
        let Some(Token::Text(format)) = self.next() else {
            return Err("TO_TIMESTAMP and TO_DATE take a format string".to_string());
        };
        self.expect_symbol(")")?;
        let mismatch = || format!("'{value}' does not match the format '{format}'");
        let wall_time = match format.to_ascii_uppercase().as_str() {
            "YYYY-MM-DD HH24:MI:SS" => NaiveDateTime::parse_from_str(&value, "%Y-%m-%d %H:%M:%S")
                .map_err(|_| mismatch())?,
            "YYYY-MM-DD" => NaiveDate::parse_from_str(&value, "%Y-%m-%d")
                .map(|date| date.and_hms_opt(0, 0, 0).unwrap_or_default())
                .map_err(|_| mismatch())?,
            _ => {
                return Err(format!(
                    "the date format '{format}' is not supported by the sandbox's SuiteQL; use \
                     'YYYY-MM-DD HH24:MI:SS' or 'YYYY-MM-DD'"
                ));
            }
        };
        let instant = user_time(wall_time).ok_or_else(mismatch)?;
        Ok(Literal::Timestamp(instant))
    }
}

/// Reads a wall time in the integration user's time zone, US Pacific time here.
fn user_time(wall_time: NaiveDateTime) -> Option<DateTime<Utc>> {
    parse_xsd_datetime(&wall_time.format("%Y-%m-%dT%H:%M:%S").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_reads_columns_filter_and_order() {
        let query = parse(
            "SELECT id, companyName FROM customer WHERE lastmodifieddate >= \
             TO_TIMESTAMP('2026-01-31 08:00:00', 'YYYY-MM-DD HH24:MI:SS') AND id > 5 \
             ORDER BY id DESC",
        )
        .unwrap();
        let columns: Vec<&str> = query.columns.iter().map(|c| c.column.as_str()).collect();
        assert_eq!(columns, vec!["id", "companyname"]);
        assert_eq!(query.table, "customer");
        assert_eq!(query.order, vec![("id".to_string(), true)]);
        let Some(Condition::And(left, _)) = query.filter else {
            panic!("expected AND");
        };
        let Condition::Compare(_, op, Literal::Timestamp(instant)) = *left else {
            panic!("expected a timestamp comparison");
        };
        assert_eq!(op, Op::Ge);
        assert_eq!(
            instant.to_rfc3339(),
            "2026-01-31T16:00:00+00:00",
            "08:00 Pacific standard time"
        );
    }

    #[test]
    fn parse_reads_in_list_and_lower() {
        let query =
            parse("select * from customer where lower(email) in ('a@b.c', 'x''y') or id is null")
                .unwrap();
        assert!(query.columns.is_empty());
        let Some(Condition::Or(left, right)) = query.filter else {
            panic!("expected OR");
        };
        let Condition::In { expr, values, .. } = *left else {
            panic!("expected IN");
        };
        assert_eq!(expr, Expr::Lower("email".to_string()));
        assert_eq!(values[1], Literal::Text("x'y".to_string()));
        assert!(matches!(*right, Condition::IsNull { negated: false, .. }));
    }

    #[test]
    fn parse_names_unsupported_clauses() {
        let right = parse("SELECT id FROM customer c RIGHT JOIN contact k ON k.company = c.id")
            .unwrap_err();
        assert!(right.contains("RIGHT"), "{right}");
        let comma = parse("SELECT c.id FROM customer c, contact k").unwrap_err();
        assert!(comma.contains("JOIN"), "{comma}");
        let two = parse("SELECT c.id FROM customer c JOIN contact k ON k.company = c.id AND 1 = 1")
            .unwrap_err();
        assert!(two.contains("join condition"), "{two}");
        let group = parse("SELECT id FROM transaction GROUP BY id").unwrap_err();
        assert!(group.contains("GROUP"), "{group}");
        let builtin = parse("SELECT BUILTIN.DF(entity) FROM transaction").unwrap_err();
        assert!(builtin.contains("BUILTIN.DF"), "{builtin}");
        let sub =
            parse("SELECT id FROM customer WHERE id IN (SELECT id FROM contact)").unwrap_err();
        assert!(sub.contains("subqueries"), "{sub}");
    }

    #[test]
    fn parse_reads_joins_and_aliases() {
        let query = parse(
            "SELECT t.id, c.companyname AS customer FROM transaction t \
             INNER JOIN customer c ON t.entity = c.id \
             LEFT OUTER JOIN contact AS k ON k.company = c.id WHERE t.type = 'SalesOrd'",
        )
        .unwrap();
        assert_eq!(query.alias, "t");
        assert_eq!(query.joins.len(), 2);
        assert_eq!(query.joins[0].table, "customer");
        assert!(!query.joins[0].left_outer);
        assert_eq!(
            query.joins[0].on,
            ("t.entity".to_string(), "c.id".to_string())
        );
        assert_eq!(query.joins[1].alias, "k");
        assert!(query.joins[1].left_outer);
        assert_eq!(query.columns[0].output, "id");
        assert_eq!(query.columns[1].column, "c.companyname");
        assert_eq!(query.columns[1].output, "customer");
    }

    #[test]
    fn parse_rejects_unclosed_string() {
        let error = parse("SELECT id FROM customer WHERE email = 'a").unwrap_err();
        assert!(error.contains("not closed"));
    }
}
