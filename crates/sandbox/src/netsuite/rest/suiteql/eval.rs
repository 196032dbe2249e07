//! Running a parsed query over a table's rows: join, filter, sort, select.

use std::cmp::Ordering;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::Row;
use super::parse::{Condition, Expr, Join, Literal, Op, Query};

/// Names every cell of a table's rows also as `alias.column`, so qualified names find it.
pub(crate) fn qualify(rows: Vec<Row>, alias: &str) -> Vec<Row> {
    rows.into_iter()
        .map(|row| {
            let mut qualified = row.clone();
            for (column, value) in row {
                qualified.insert(format!("{alias}.{column}"), value);
            }
            qualified
        })
        .collect()
}

/// Joins `rows` with a table's rows on the join's equality. Each combined row contains
/// both rows' cells under `alias.column`, and under the bare name where the left row did not
/// already have it. A left outer join keeps a row without a match, with the joined table's
/// cells missing (`NULL`).
pub(crate) fn join(rows: Vec<Row>, join: &Join, joined: Vec<Row>) -> Result<Vec<Row>, String> {
    let joined = qualify(joined, &join.alias);
    let prefix = format!("{}.", join.alias);
    let (left_column, right_column) = match &join.on {
        (left, right) if right.starts_with(&prefix) => (left, right),
        (left, right) if left.starts_with(&prefix) => (right, left),
        (left, right) => {
            return Err(format!(
                "the join condition {left} = {right} does not name a column of {} as {prefix}...",
                join.table
            ));
        }
    };
    let mut by_key: HashMap<&str, Vec<&Row>> = HashMap::new();
    for row in &joined {
        if let Some(key) = row.get(right_column).and_then(Value::as_str) {
            by_key.entry(key).or_default().push(row);
        }
    }
    let mut combined = Vec::new();
    for row in rows {
        let key = row.get(left_column.as_str()).and_then(Value::as_str);
        let matches = key.and_then(|key| by_key.get(key));
        match matches {
            Some(matches) => {
                for other in matches {
                    let mut merged = row.clone();
                    for (column, value) in other.iter() {
                        if column.contains('.') || !merged.contains_key(column) {
                            merged.insert(column.clone(), value.clone());
                        }
                    }
                    combined.push(merged);
                }
            }
            None if join.left_outer => combined.push(row),
            None => {}
        }
    }
    Ok(combined)
}

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
        // `*` returns each column once, by its bare name.
        return matched
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .filter(|(column, _)| !column.contains('.'))
                    .collect()
            })
            .collect();
    }
    matched
        .into_iter()
        .map(|row| {
            query
                .columns
                .iter()
                .filter_map(|selected| {
                    let value = row.get(&selected.column)?;
                    Some((selected.output.clone(), value.clone()))
                })
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
    fn run_filters_timestamps_in_user_time_zone() {
        // 2026-01-01 16:00 Pacific standard time is 2026-01-02 00:00 UTC.
        let sql = "SELECT id FROM t WHERE lastmodifieddate >= \
                   TO_TIMESTAMP('2026-01-01 16:00:00', 'YYYY-MM-DD HH24:MI:SS') ORDER BY id";
        assert_eq!(ids(sql), vec!["10", "11"]);
        let utc_reading = "SELECT id FROM t WHERE lastmodifieddate >= \
                   TO_TIMESTAMP('2026-01-02 00:00:00', 'YYYY-MM-DD HH24:MI:SS') ORDER BY id";
        assert_eq!(ids(utc_reading), vec!["11"]);
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
    fn join_combines_rows_on_equality() {
        let orders = vec![
            row(&[("id", "1"), ("entity", "10")]),
            row(&[("id", "2"), ("entity", "99")]),
        ];
        let customers = vec![row(&[("id", "10"), ("companyname", "Acme")])];
        let inner = parse(
            "SELECT t.id, c.companyname FROM transaction t JOIN customer c ON t.entity = c.id",
        )
        .unwrap();
        let joined = join(
            qualify(orders.clone(), "t"),
            &inner.joins[0],
            customers.clone(),
        );
        let selected = run(&inner, joined.unwrap());
        assert_eq!(selected.len(), 1);
        assert_eq!(selected[0]["id"], "1");
        assert_eq!(selected[0]["companyname"], "Acme");

        let left = parse(
            "SELECT t.id, c.companyname FROM transaction t \
             LEFT JOIN customer c ON c.id = t.entity ORDER BY t.id",
        )
        .unwrap();
        let joined = join(qualify(orders, "t"), &left.joins[0], customers);
        let selected = run(&left, joined.unwrap());
        assert_eq!(selected.len(), 2);
        assert!(!selected[1].contains_key("companyname"));
    }

    #[test]
    fn join_needs_a_column_of_the_joined_table() {
        let query =
            parse("SELECT t.id FROM transaction t JOIN customer c ON t.entity = t.id").unwrap();
        let error = join(Vec::new(), &query.joins[0], Vec::new()).unwrap_err();
        assert!(error.contains("customer"), "{error}");
    }

    #[test]
    fn like_matches_wildcards() {
        assert!(like("acme corp", "acme%"));
        assert!(like("abc", "a_c"));
        assert!(!like("abd", "a_c"));
    }
}
