//! Running a parsed query over a table's rows: filter, sort, select.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::Row;
use super::parse::{Condition, Expr, Literal, Op, Query};

/// Returns the rows that match the query's filter, in its order, with its columns.
pub(crate) fn run(query: &Query, rows: Vec<Row>) -> Vec<Row> {
    let mut matched: Vec<Row> = rows
        .into_iter()
        .filter(|row| query.filter.as_ref().is_none_or(|c| matches(c, row)))
        .collect();
    if !query.order.is_empty() {
        matched.sort_by(|a, b| {
            query
                .order
                .iter()
                .map(|(column, descending)| {
                    let ordering = compare_cells(a.get(column), b.get(column));
                    if *descending {
                        ordering.reverse()
                    } else {
                        ordering
                    }
                })
                .find(|ordering| *ordering != Ordering::Equal)
                .unwrap_or(Ordering::Equal)
        });
    }
    if query.columns.is_empty() {
        return matched;
    }
    matched
        .into_iter()
        .map(|row| {
            query
                .columns
                .iter()
                .filter_map(|column| row.get(column).map(|value| (column.clone(), value.clone())))
                .collect()
        })
        .collect()
}

fn cell(row: &Row, expr: &Expr) -> Option<String> {
    let text = |name: &str| row.get(name).and_then(Value::as_str).map(str::to_string);
    match expr {
        Expr::Column(name) => text(name),
        Expr::Lower(name) => text(name).map(|t| t.to_lowercase()),
        Expr::Upper(name) => text(name).map(|t| t.to_uppercase()),
    }
}

fn matches(condition: &Condition, row: &Row) -> bool {
    match condition {
        Condition::And(left, right) => matches(left, row) && matches(right, row),
        Condition::Or(left, right) => matches(left, row) || matches(right, row),
        Condition::Not(inner) => !matches(inner, row),
        Condition::Compare(expr, op, literal) => cell(row, expr)
            .and_then(|value| compare(&value, literal))
            .is_some_and(|ordering| holds(*op, ordering)),
        Condition::In {
            expr,
            values,
            negated,
        } => {
            let Some(value) = cell(row, expr) else {
                return false;
            };
            let found = values
                .iter()
                .any(|literal| compare(&value, literal) == Some(Ordering::Equal));
            found != *negated
        }
        Condition::IsNull { expr, negated } => cell(row, expr).is_none() != *negated,
        Condition::Like {
            expr,
            pattern,
            negated,
        } => cell(row, expr).is_some_and(|value| like(&value, pattern) != *negated),
    }
}

fn holds(op: Op, ordering: Ordering) -> bool {
    match op {
        Op::Eq => ordering == Ordering::Equal,
        Op::Ne => ordering != Ordering::Equal,
        Op::Lt => ordering == Ordering::Less,
        Op::Le => ordering != Ordering::Greater,
        Op::Gt => ordering == Ordering::Greater,
        Op::Ge => ordering != Ordering::Less,
    }
}

/// Compares a cell with a constant as the constant's type; `None` when the cell does not
/// read as that type.
fn compare(value: &str, literal: &Literal) -> Option<Ordering> {
    match literal {
        Literal::Text(text) => Some(value.cmp(text.as_str())),
        Literal::Number(number) => value.parse::<f64>().ok()?.partial_cmp(number),
        Literal::Timestamp(instant) => Some(parse_instant(value)?.cmp(instant)),
    }
}

fn parse_instant(value: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(value)
        .ok()
        .map(|instant| instant.with_timezone(&Utc))
}

/// Orders two cells: as numbers when both are numbers, else as text; missing cells last.
fn compare_cells(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    let (a, b) = match (a.and_then(Value::as_str), b.and_then(Value::as_str)) {
        (None, None) => return Ordering::Equal,
        (None, Some(_)) => return Ordering::Greater,
        (Some(_), None) => return Ordering::Less,
        (Some(a), Some(b)) => (a, b),
    };
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        _ => a.cmp(b),
    }
}

/// Matches SQL `LIKE` with `%` (any run) and `_` (one character).
fn like(value: &str, pattern: &str) -> bool {
    let value: Vec<char> = value.chars().collect();
    let pattern: Vec<char> = pattern.chars().collect();
    like_from(&value, &pattern)
}

fn like_from(value: &[char], pattern: &[char]) -> bool {
    match pattern.split_first() {
        None => value.is_empty(),
        Some(('%', rest)) => (0..=value.len()).any(|skip| like_from(&value[skip..], rest)),
        Some(('_', rest)) => !value.is_empty() && like_from(&value[1..], rest),
        Some((c, rest)) => value.first() == Some(c) && like_from(&value[1..], rest),
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse::parse;
    use super::*;

    fn row(pairs: &[(&str, &str)]) -> Row {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
            .collect()
    }

    fn rows() -> Vec<Row> {
        vec![
            row(&[
                ("id", "10"),
                ("email", "A@x.com"),
                ("lastmodifieddate", "2026-01-02T00:00:00Z"),
            ]),
            row(&[
                ("id", "9"),
                ("email", "b@x.com"),
                ("lastmodifieddate", "2026-01-01T00:00:00Z"),
            ]),
            row(&[("id", "11"), ("lastmodifieddate", "2026-01-03T00:00:00Z")]),
        ]
    }

    fn ids(sql: &str) -> Vec<String> {
        run(&parse(sql).unwrap(), rows())
            .iter()
            .map(|row| row["id"].as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn run_orders_numerically() {
        assert_eq!(ids("SELECT id FROM t ORDER BY id"), vec!["9", "10", "11"]);
    }

    #[test]
    fn run_filters_timestamps() {
        let sql = "SELECT id FROM t WHERE lastmodifieddate >= \
                   TO_TIMESTAMP('2026-01-02 00:00:00', 'YYYY-MM-DD HH24:MI:SS') ORDER BY id";
        assert_eq!(ids(sql), vec!["10", "11"]);
    }

    #[test]
    fn run_folds_case_and_skips_missing_cells() {
        let sql = "SELECT id FROM t WHERE LOWER(email) IN ('a@x.com') OR email IS NULL ORDER BY id";
        assert_eq!(ids(sql), vec!["10", "11"]);
    }

    #[test]
    fn run_selects_only_named_columns() {
        let selected = run(&parse("SELECT id FROM t WHERE id = 9").unwrap(), rows());
        assert_eq!(selected.len(), 1);
        assert!(!selected[0].contains_key("email"));
    }

    #[test]
    fn like_matches_wildcards() {
        assert!(like("acme corp", "acme%"));
        assert!(like("abc", "a_c"));
        assert!(!like("abd", "a_c"));
    }
}
