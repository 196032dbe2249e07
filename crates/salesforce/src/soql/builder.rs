//! A small typed SOQL builder: field lists, `WHERE` conditions with escaped literals,
//! `ORDER BY` and `LIMIT`. Every name is checked and every value is written by the literal
//! helpers, so call sites never paste values into query text.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Number;

use super::{check_name, date_literal, datetime_literal, string_literal};
use crate::error::Error;
use crate::id::SalesforceId;

/// A value on the right of a SOQL comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum SoqlValue {
    /// Text, written as a quoted and escaped string literal.
    Text(String),
    /// A datetime, written in UTC as `YYYY-MM-DDThh:mm:ss.sssZ`.
    DateTime(DateTime<Utc>),
    /// A date, written as `YYYY-MM-DD`.
    Date(NaiveDate),
    /// A number, written as JSON writes it (`12`, `12.5`).
    Number(Number),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
}

impl SoqlValue {
    /// Returns the value as SOQL literal text.
    pub fn to_literal(&self) -> String {
        match self {
            SoqlValue::Text(text) => string_literal(text),
            SoqlValue::DateTime(at) => datetime_literal(*at),
            SoqlValue::Date(date) => date_literal(*date),
            SoqlValue::Number(number) => number.to_string(),
            SoqlValue::Bool(flag) => flag.to_string(),
            SoqlValue::Null => "null".into(),
        }
    }

    /// Creates a number value, or `None` for NaN and infinities, which SOQL cannot express.
    pub fn float(value: f64) -> Option<SoqlValue> {
        Number::from_f64(value).map(SoqlValue::Number)
    }
}

impl From<&str> for SoqlValue {
    fn from(value: &str) -> SoqlValue {
        SoqlValue::Text(value.to_string())
    }
}

impl From<String> for SoqlValue {
    fn from(value: String) -> SoqlValue {
        SoqlValue::Text(value)
    }
}

impl From<&SalesforceId> for SoqlValue {
    fn from(value: &SalesforceId) -> SoqlValue {
        SoqlValue::Text(value.to_string())
    }
}

impl From<DateTime<Utc>> for SoqlValue {
    fn from(value: DateTime<Utc>) -> SoqlValue {
        SoqlValue::DateTime(value)
    }
}

impl From<NaiveDate> for SoqlValue {
    fn from(value: NaiveDate) -> SoqlValue {
        SoqlValue::Date(value)
    }
}

impl From<i64> for SoqlValue {
    fn from(value: i64) -> SoqlValue {
        SoqlValue::Number(value.into())
    }
}

impl From<bool> for SoqlValue {
    fn from(value: bool) -> SoqlValue {
        SoqlValue::Bool(value)
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// `LIKE`, where `%` and `_` in the value are wildcards.
    Like,
}

impl Operator {
    fn as_str(self) -> &'static str {
        match self {
            Operator::Eq => "=",
            Operator::Ne => "!=",
            Operator::Lt => "<",
            Operator::Le => "<=",
            Operator::Gt => ">",
            Operator::Ge => ">=",
            Operator::Like => "LIKE",
        }
    }
}

/// A `WHERE` condition. Names are checked when the query is written.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// `field op value`.
    Compare {
        field: String,
        operator: Operator,
        value: SoqlValue,
    },
    /// `field IN (values)`, or `NOT IN` when `negated`.
    In {
        field: String,
        values: Vec<SoqlValue>,
        negated: bool,
    },
    /// Every condition holds.
    And(Vec<Condition>),
    /// At least one condition holds.
    Or(Vec<Condition>),
    /// The condition does not hold.
    Not(Box<Condition>),
}

impl Condition {
    /// `field op value`.
    pub fn compare(
        field: impl Into<String>,
        operator: Operator,
        value: impl Into<SoqlValue>,
    ) -> Condition {
        Condition::Compare {
            field: field.into(),
            operator,
            value: value.into(),
        }
    }

    /// `field = value`.
    pub fn eq(field: impl Into<String>, value: impl Into<SoqlValue>) -> Condition {
        Condition::compare(field, Operator::Eq, value)
    }

    /// `field >= value`.
    pub fn ge(field: impl Into<String>, value: impl Into<SoqlValue>) -> Condition {
        Condition::compare(field, Operator::Ge, value)
    }

    /// `field < value`.
    pub fn lt(field: impl Into<String>, value: impl Into<SoqlValue>) -> Condition {
        Condition::compare(field, Operator::Lt, value)
    }

    /// `field IN (values)`.
    pub fn is_in<V: Into<SoqlValue>>(
        field: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> Condition {
        Condition::In {
            field: field.into(),
            values: values.into_iter().map(Into::into).collect(),
            negated: false,
        }
    }

    /// Writes the condition as SOQL text. `AND` and `OR` groups are parenthesised.
    pub fn to_soql(&self) -> Result<String, Error> {
        Ok(match self {
            Condition::Compare {
                field,
                operator,
                value,
            } => format!(
                "{} {} {}",
                check_name(field)?,
                operator.as_str(),
                value.to_literal()
            ),
            Condition::In {
                field,
                values,
                negated,
            } => in_list(field, values, *negated)?,
            Condition::And(parts) => join(parts, " AND ")?,
            Condition::Or(parts) => join(parts, " OR ")?,
            Condition::Not(inner) => format!("(NOT {})", inner.to_soql()?),
        })
    }
}

fn in_list(field: &str, values: &[SoqlValue], negated: bool) -> Result<String, Error> {
    if values.is_empty() {
        return Err(Error::InvalidRequest {
            message: format!("an IN list on {field} needs at least one value"),
        });
    }
    let literals: Vec<String> = values.iter().map(SoqlValue::to_literal).collect();
    let keyword = if negated { "NOT IN" } else { "IN" };
    Ok(format!(
        "{} {keyword} ({})",
        check_name(field)?,
        literals.join(", ")
    ))
}

fn join(parts: &[Condition], separator: &str) -> Result<String, Error> {
    let texts = parts
        .iter()
        .map(Condition::to_soql)
        .collect::<Result<Vec<_>, _>>()?;
    match texts.len() {
        0 => Err(Error::InvalidRequest {
            message: "an AND or OR group needs at least one condition".into(),
        }),
        1 => Ok(texts.into_iter().next().unwrap_or_default()),
        _ => Ok(format!("({})", texts.join(separator))),
    }
}

/// Sort direction of an `ORDER BY` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Asc,
    Desc,
}

/// A `SELECT` statement under construction.
///
/// ```
/// use tandem_salesforce::soql::{Condition, Direction, SoqlQuery};
///
/// let soql = SoqlQuery::select(["Id", "Name"])
///     .from("Account")
///     .filter(Condition::eq("Name", "Bob's BBQ"))
///     .order_by("Name", Direction::Asc)
///     .limit(10)
///     .to_soql()
///     .unwrap();
/// assert_eq!(
///     soql,
///     r"SELECT Id, Name FROM Account WHERE Name = 'Bob\'s BBQ' ORDER BY Name ASC LIMIT 10"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SoqlQuery {
    fields: Vec<String>,
    sobject: String,
    conditions: Vec<Condition>,
    order: Vec<(String, Direction)>,
    limit: Option<u32>,
}

impl SoqlQuery {
    /// Starts a query of `fields`, which are selected in order with repeats (ignoring case)
    /// dropped, because SOQL rejects a repeated column.
    pub fn select<S: Into<String>>(fields: impl IntoIterator<Item = S>) -> SoqlQuery {
        let mut query = SoqlQuery::default();
        for field in fields {
            let field = field.into();
            if !query.fields.iter().any(|f| f.eq_ignore_ascii_case(&field)) {
                query.fields.push(field);
            }
        }
        query
    }

    /// Sets the sObject to query.
    pub fn from(mut self, sobject: impl Into<String>) -> SoqlQuery {
        self.sobject = sobject.into();
        self
    }

    /// Adds a condition. Several conditions are joined with `AND`.
    pub fn filter(mut self, condition: Condition) -> SoqlQuery {
        self.conditions.push(condition);
        self
    }

    /// Adds a sort field after the ones already set.
    pub fn order_by(mut self, field: impl Into<String>, direction: Direction) -> SoqlQuery {
        self.order.push((field.into(), direction));
        self
    }

    /// Sets the maximum number of rows.
    pub fn limit(mut self, rows: u32) -> SoqlQuery {
        self.limit = Some(rows);
        self
    }

    /// Returns the sObject the query reads.
    pub fn sobject(&self) -> &str {
        &self.sobject
    }

    /// Writes the query as SOQL text, after checking every name.
    pub fn to_soql(&self) -> Result<String, Error> {
        if self.fields.is_empty() {
            return Err(Error::InvalidRequest {
                message: "a SOQL query needs at least one field".into(),
            });
        }
        let fields = self
            .fields
            .iter()
            .map(|field| check_name(field))
            .collect::<Result<Vec<_>, _>>()?;
        let mut soql = format!(
            "SELECT {} FROM {}",
            fields.join(", "),
            check_name(&self.sobject)?
        );
        if !self.conditions.is_empty() {
            let condition = Condition::And(self.conditions.clone()).to_soql()?;
            let condition = strip_outer_parentheses(&condition, self.conditions.len());
            soql.push_str(&format!(" WHERE {condition}"));
        }
        if !self.order.is_empty() {
            let order = self
                .order
                .iter()
                .map(|(field, direction)| order_item(field, *direction))
                .collect::<Result<Vec<_>, _>>()?;
            soql.push_str(&format!(" ORDER BY {}", order.join(", ")));
        }
        if let Some(rows) = self.limit {
            soql.push_str(&format!(" LIMIT {rows}"));
        }
        Ok(soql)
    }
}

/// Drops the parentheses that [`join`] puts around a top-level `AND` of several conditions.
fn strip_outer_parentheses(condition: &str, parts: usize) -> &str {
    match parts {
        1 => condition,
        _ => condition
            .strip_prefix('(')
            .and_then(|inner| inner.strip_suffix(')'))
            .unwrap_or(condition),
    }
}

fn order_item(field: &str, direction: Direction) -> Result<String, Error> {
    let direction = match direction {
        Direction::Asc => "ASC",
        Direction::Desc => "DESC",
    };
    Ok(format!("{} {direction}", check_name(field)?))
}

#[cfg(test)]
mod tests;
