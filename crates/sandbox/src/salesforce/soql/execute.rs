//! Runs a plan: filters records, sorts them, applies OFFSET and LIMIT and renders the rows.
//!
//! Text comparisons ignore case, as SOQL does; Id comparisons use the 18-character form, so a
//! 15-character Id literal matches. `!=` and `NOT IN` match records whose field is null, and
//! a field of a missing parent reads as null.

use std::cmp::Ordering;

use super::columns::RenderContext;
use super::compare::{Scalar, compare_matches, compare_scalars, like_matches, stored_scalar};
use super::paths::{FieldPath, RecordSource};
use super::plan::{Bound, Plan, SortKey};
use crate::salesforce::record::{Row, Values};
use crate::salesforce::version::ApiVersion;

/// Rows a statement returns.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct QueryOutcome {
    /// Number of matching rows after OFFSET and LIMIT, sent as `totalSize`.
    pub total: usize,
    /// Rendered rows; empty for `COUNT()`.
    pub rows: Vec<Row>,
    /// Field paths of the selection, in SELECT order, subqueries left out; empty for
    /// `COUNT()`.
    pub columns: Vec<String>,
    /// Whether the selection has child subqueries.
    pub has_subqueries: bool,
}

impl<'s> Plan<'s> {
    /// Runs the plan over the records of its object in `source` and renders the rows for
    /// `version`.
    pub fn execute(&self, source: &dyn RecordSource, version: ApiVersion) -> QueryOutcome {
        let selected = self.select(source.records(&self.object.name), source);
        let rows = match &self.columns {
            None => Vec::new(),
            Some(columns) => {
                let context = RenderContext::new(source, version, &self.children);
                selected
                    .iter()
                    .map(|values| context.render(self.object, values, columns))
                    .collect()
            }
        };
        QueryOutcome {
            total: selected.len(),
            rows,
            columns: self.column_names.clone(),
            has_subqueries: !self.children.is_empty(),
        }
    }

    /// Returns the records among `records` that match the condition, in the statement's
    /// order, after OFFSET and LIMIT.
    pub(super) fn select<'v>(
        &self,
        records: impl Iterator<Item = &'v Values>,
        source: &'v dyn RecordSource,
    ) -> Vec<&'v Values> {
        let mut matching: Vec<&Values> = records
            .filter(|values| {
                self.condition
                    .as_ref()
                    .is_none_or(|bound| bound.matches(values, source))
            })
            .collect();
        if !self.order.is_empty() {
            matching.sort_by(|left, right| self.compare_records(left, right, source));
        }
        let limit = self.limit.unwrap_or(usize::MAX);
        matching.into_iter().skip(self.offset).take(limit).collect()
    }

    fn compare_records(
        &self,
        left: &Values,
        right: &Values,
        source: &dyn RecordSource,
    ) -> Ordering {
        for key in &self.order {
            let ordering = compare_for_sort(
                key,
                &scalar(&key.path, left, source),
                &scalar(&key.path, right, source),
            );
            if ordering != Ordering::Equal {
                return ordering;
            }
        }
        Ordering::Equal
    }
}

fn scalar(path: &FieldPath<'_>, values: &Values, source: &dyn RecordSource) -> Scalar {
    stored_scalar(path.field, path.value(values, source))
}

impl Bound<'_> {
    fn matches(&self, values: &Values, source: &dyn RecordSource) -> bool {
        match self {
            Bound::And(terms) => terms.iter().all(|term| term.matches(values, source)),
            Bound::Or(terms) => terms.iter().any(|term| term.matches(values, source)),
            Bound::Not(inner) => !inner.matches(values, source),
            Bound::Compare { path, op, value } => {
                compare_matches(&scalar(path, values, source), *op, value)
            }
            Bound::In {
                path,
                values: list,
                negated,
            } => list.contains(&scalar(path, values, source)) != *negated,
            Bound::Like { path, pattern } => match scalar(path, values, source) {
                Scalar::Text(text) => like_matches(pattern, &text.chars().collect::<Vec<_>>()),
                _ => false,
            },
        }
    }
}

fn compare_for_sort(key: &SortKey<'_>, left: &Scalar, right: &Scalar) -> Ordering {
    match (left, right) {
        (Scalar::Null, Scalar::Null) => Ordering::Equal,
        (Scalar::Null, _) if key.nulls_last => Ordering::Greater,
        (Scalar::Null, _) => Ordering::Less,
        (_, Scalar::Null) if key.nulls_last => Ordering::Less,
        (_, Scalar::Null) => Ordering::Greater,
        _ => {
            let ordering = compare_scalars(left, right).unwrap_or(Ordering::Equal);
            if key.descending {
                ordering.reverse()
            } else {
                ordering
            }
        }
    }
}
