//! Checks a parsed statement against the schema and runs it over records.
//!
//! Text comparisons ignore case, as SOQL does; Id comparisons use the 18-character form, so a
//! 15-character Id literal matches. `!=` and `NOT IN` match records whose field is null.

use std::cmp::Ordering;

use super::compare::{
    PatternPart, Scalar, compare_matches, compare_scalars, compile_like, like_matches,
    stored_scalar, unescape_like,
};
use super::lexer::CompareOp;
use super::parser::{Condition, Literal, OrderItem, Query, Selection, Spanned};
use super::schema_fault;
use crate::salesforce::errors::ApiError;
use crate::salesforce::id;
use crate::salesforce::record::{Row, Values, selected_row};
use crate::salesforce::schema::{FieldDef, FieldType, ObjectDef};
use crate::salesforce::version::ApiVersion;

/// A statement checked against the schema, ready to run.
#[derive(Debug)]
pub(crate) struct Plan<'s> {
    /// The queried object.
    pub object: &'s ObjectDef,
    /// Selected fields, or `None` for `COUNT()`.
    fields: Option<Vec<&'s FieldDef>>,
    condition: Option<Bound<'s>>,
    order: Vec<SortKey<'s>>,
    limit: Option<usize>,
    offset: usize,
}

/// Rows a statement returns.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct QueryOutcome {
    /// Number of matching rows after OFFSET and LIMIT, sent as `totalSize`.
    pub total: usize,
    /// Rendered rows; empty for `COUNT()`.
    pub rows: Vec<Row>,
    /// Field paths of the selection, in SELECT order; empty for `COUNT()`.
    pub columns: Vec<String>,
}

#[derive(Debug)]
struct SortKey<'s> {
    field: &'s FieldDef,
    descending: bool,
    nulls_last: bool,
}

#[derive(Debug)]
enum Bound<'s> {
    And(Vec<Bound<'s>>),
    Or(Vec<Bound<'s>>),
    Not(Box<Bound<'s>>),
    Compare {
        field: &'s FieldDef,
        op: CompareOp,
        value: Scalar,
    },
    In {
        field: &'s FieldDef,
        values: Vec<Scalar>,
        negated: bool,
    },
    Like {
        field: &'s FieldDef,
        pattern: Vec<PatternPart>,
    },
}

/// Checks `query` against `objects` and builds its plan.
pub(crate) fn plan<'s>(
    text: &str,
    query: Query,
    objects: &'s [ObjectDef],
) -> Result<Plan<'s>, ApiError> {
    let object = resolve_object(text, &query.object, objects)?;
    let resolver = Resolver { text, object };
    let fields = match &query.selection {
        Selection::Count => None,
        Selection::Fields(names) => Some(resolver.select_list(names)?),
    };
    let condition = query
        .condition
        .as_ref()
        .map(|condition| resolver.condition(condition))
        .transpose()?;
    let order = query
        .order_by
        .iter()
        .map(|item| resolver.sort_key(item))
        .collect::<Result<_, _>>()?;
    Ok(Plan {
        object,
        fields,
        condition,
        order,
        limit: query.limit,
        offset: query.offset.unwrap_or(0),
    })
}

fn resolve_object<'s>(
    text: &str,
    name: &Spanned<String>,
    objects: &'s [ObjectDef],
) -> Result<&'s ObjectDef, ApiError> {
    objects
        .iter()
        .find(|object| object.name.eq_ignore_ascii_case(&name.value))
        .ok_or_else(|| {
            let reason = format!(
                "sObject type '{}' is not supported. If you are attempting to use a custom object, \
                 be sure to append the '__c' after the entity name. Please reference your WSDL or \
                 the describe call for the appropriate names.",
                name.value
            );
            ApiError::bad_request("INVALID_TYPE", schema_fault(text, name.start, &reason))
        })
}

struct Resolver<'t, 's> {
    text: &'t str,
    object: &'s ObjectDef,
}

impl<'s> Resolver<'_, 's> {
    fn fault(&self, code: &str, offset: usize, reason: &str) -> ApiError {
        ApiError::bad_request(code, schema_fault(self.text, offset, reason))
    }

    fn field(&self, name: &Spanned<String>) -> Result<&'s FieldDef, ApiError> {
        let mut path = name.value.as_str();
        if let Some((head, rest)) = path.split_once('.') {
            // A path may start with the queried object's own name: `Account.Name`.
            if !head.eq_ignore_ascii_case(&self.object.name) || rest.contains('.') {
                let reason = format!(
                    "Didn't understand relationship '{head}' in field path. If you are attempting \
                     to use a custom relationship, be sure to append the '__r' after the custom \
                     relationship name. Please reference your WSDL or the describe call for the \
                     appropriate names."
                );
                return Err(self.fault("INVALID_FIELD", name.start, &reason));
            }
            path = rest;
        }
        self.object.field(path).ok_or_else(|| {
            let reason = format!(
                "No such column '{path}' on entity '{}'. If you are attempting to use a custom \
                 field, be sure to append the '__c' after the custom field name. Please reference \
                 your WSDL or the describe call for the appropriate names.",
                self.object.name
            );
            self.fault("INVALID_FIELD", name.start, &reason)
        })
    }

    fn select_list(&self, names: &[Spanned<String>]) -> Result<Vec<&'s FieldDef>, ApiError> {
        let mut fields: Vec<&'s FieldDef> = Vec::with_capacity(names.len());
        for name in names {
            let field = self.field(name)?;
            if fields.iter().any(|chosen| chosen.name == field.name) {
                let reason = format!("duplicate field selected: {}", field.name);
                return Err(self.fault("MALFORMED_QUERY", name.start, &reason));
            }
            fields.push(field);
        }
        Ok(fields)
    }

    fn sort_key(&self, item: &OrderItem) -> Result<SortKey<'s>, ApiError> {
        Ok(SortKey {
            field: self.field(&item.field)?,
            descending: item.descending,
            nulls_last: item.nulls_last,
        })
    }

    fn condition(&self, condition: &Condition) -> Result<Bound<'s>, ApiError> {
        Ok(match condition {
            Condition::And(terms) => Bound::And(self.conditions(terms)?),
            Condition::Or(terms) => Bound::Or(self.conditions(terms)?),
            Condition::Not(inner) => Bound::Not(Box::new(self.condition(inner)?)),
            Condition::Compare { field, op, value } => {
                let field = self.field(field)?;
                let value = self.literal(field, value)?;
                Bound::Compare {
                    field,
                    op: *op,
                    value,
                }
            }
            Condition::In {
                field,
                values,
                negated,
            } => {
                let field = self.field(field)?;
                let values = values
                    .iter()
                    .map(|value| self.literal(field, value))
                    .collect::<Result<_, _>>()?;
                Bound::In {
                    field,
                    values,
                    negated: *negated,
                }
            }
            Condition::Like { field, pattern } => {
                let field = self.field(field)?;
                Bound::Like {
                    field,
                    pattern: self.like_pattern(field, pattern)?,
                }
            }
        })
    }

    fn conditions(&self, terms: &[Condition]) -> Result<Vec<Bound<'s>>, ApiError> {
        terms.iter().map(|term| self.condition(term)).collect()
    }

    /// Converts a literal to the field's type, rejecting literals of another type.
    fn literal(&self, field: &FieldDef, literal: &Spanned<Literal>) -> Result<Scalar, ApiError> {
        let kind = field.field_type;
        let scalar = match (&literal.value, kind) {
            (Literal::Null, _) => Some(Scalar::Null),
            (Literal::Str(text), kind) if kind.is_id() => {
                let plain = unescape_like(text);
                let normalized = id::normalize(&plain).ok_or_else(|| {
                    let reason = format!("invalid ID field: {plain}");
                    self.fault("INVALID_QUERY_FILTER_OPERATOR", literal.start, &reason)
                })?;
                Some(Scalar::Text(normalized))
            }
            (Literal::Str(text), kind) if kind.is_text() => {
                Some(Scalar::Text(unescape_like(text).to_lowercase()))
            }
            (Literal::Bool(flag), FieldType::Boolean) => Some(Scalar::Bool(*flag)),
            (Literal::Number(number), kind) if kind.is_number() => Some(Scalar::Number(*number)),
            (Literal::Date(date), FieldType::Date) => Some(Scalar::Date(*date)),
            (Literal::DateTime(instant), FieldType::DateTime) => Some(Scalar::DateTime(*instant)),
            _ => None,
        };
        scalar.ok_or_else(|| self.type_mismatch(field, literal.start))
    }

    fn type_mismatch(&self, field: &FieldDef, offset: usize) -> ApiError {
        let (type_name, quoting) = match field.field_type {
            kind if kind.is_id() => ("id", "should be enclosed in quotes"),
            kind if kind.is_text() => ("string", "should be enclosed in quotes"),
            FieldType::Boolean => ("boolean", "should not be enclosed in quotes"),
            FieldType::Date => ("date", "should not be enclosed in quotes"),
            FieldType::DateTime => ("dateTime", "should not be enclosed in quotes"),
            other => (other.describe_name(), "should not be enclosed in quotes"),
        };
        let reason = format!(
            "value of filter criterion for field '{}' must be of type {type_name} and {quoting}",
            field.name
        );
        self.fault("INVALID_FIELD", offset, &reason)
    }

    fn like_pattern(
        &self,
        field: &FieldDef,
        literal: &Spanned<Literal>,
    ) -> Result<Vec<PatternPart>, ApiError> {
        match &literal.value {
            Literal::Str(text) => Ok(compile_like(text)),
            _ => Err(self.type_mismatch(field, literal.start)),
        }
    }
}

impl Bound<'_> {
    fn matches(&self, values: &Values) -> bool {
        match self {
            Bound::And(terms) => terms.iter().all(|term| term.matches(values)),
            Bound::Or(terms) => terms.iter().any(|term| term.matches(values)),
            Bound::Not(inner) => !inner.matches(values),
            Bound::Compare { field, op, value } => {
                compare_matches(&stored_scalar(field, values), *op, value)
            }
            Bound::In {
                field,
                values: list,
                negated,
            } => {
                let stored = stored_scalar(field, values);
                let found = list
                    .iter()
                    .any(|item| compare_matches(&stored, CompareOp::Eq, item));
                found != *negated
            }
            Bound::Like { field, pattern } => match stored_scalar(field, values) {
                Scalar::Text(text) => like_matches(pattern, &text.chars().collect::<Vec<_>>()),
                _ => false,
            },
        }
    }
}

impl Plan<'_> {
    /// Runs the plan over `records`, given in Id order, and renders the rows for `version`.
    pub fn execute<'r>(
        &self,
        records: impl Iterator<Item = &'r Values>,
        version: ApiVersion,
    ) -> QueryOutcome {
        let mut matching: Vec<&Values> = records
            .filter(|values| {
                self.condition
                    .as_ref()
                    .is_none_or(|bound| bound.matches(values))
            })
            .collect();
        if !self.order.is_empty() {
            matching.sort_by(|left, right| self.compare_records(left, right));
        }
        let limit = self.limit.unwrap_or(usize::MAX);
        let selected: Vec<&Values> = matching.into_iter().skip(self.offset).take(limit).collect();
        let rows = match &self.fields {
            None => Vec::new(),
            Some(fields) => selected
                .iter()
                .map(|values| selected_row(self.object, values, fields, version))
                .collect(),
        };
        let columns = self
            .fields
            .iter()
            .flatten()
            .map(|field| field.name.clone())
            .collect();
        QueryOutcome {
            total: selected.len(),
            rows,
            columns,
        }
    }

    fn compare_records(&self, left: &Values, right: &Values) -> Ordering {
        for key in &self.order {
            let ordering = compare_for_sort(
                key,
                &stored_scalar(key.field, left),
                &stored_scalar(key.field, right),
            );
            if ordering != Ordering::Equal {
                return ordering;
            }
        }
        Ordering::Equal
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

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::super::prepare;
    use super::*;
    use crate::salesforce::schema::account;
    use crate::salesforce::version::DEFAULT_VERSION;

    fn record(id: &str, name: Option<&str>, stamp: &str) -> Values {
        let mut values = Values::new();
        values.insert("Id".into(), json!(id));
        values.insert("Name".into(), name.map_or(Value::Null, |name| json!(name)));
        values.insert("SystemModstamp".into(), json!(stamp));
        values
    }

    fn sample() -> Vec<Values> {
        vec![
            record(
                "001000000000001AAA",
                Some("Acme"),
                "2024-01-01T00:00:00.000+0000",
            ),
            record(
                "001000000000002AAA",
                Some("beta"),
                "2024-02-01T00:00:00.000+0000",
            ),
            record("001000000000003AAA", None, "2024-03-01T00:00:00.000+0000"),
        ]
    }

    fn run(text: &str) -> Result<QueryOutcome, ApiError> {
        let objects = vec![account()];
        let plan = prepare(text, &objects)?;
        let records = sample();
        Ok(plan.execute(records.iter(), DEFAULT_VERSION))
    }

    fn names(outcome: &QueryOutcome) -> Vec<Value> {
        outcome
            .rows
            .iter()
            .map(|row| {
                row.0
                    .iter()
                    .find(|(key, _)| key == "Name")
                    .map(|(_, v)| v.clone())
                    .unwrap()
            })
            .collect()
    }

    #[test]
    fn execute_filters_on_datetime_literal_with_offset() {
        let outcome =
            run("SELECT Name FROM Account WHERE SystemModstamp >= 2024-01-31T16:00:00-08:00")
                .unwrap();
        assert_eq!(names(&outcome), vec![json!("beta"), Value::Null]);
    }

    #[test]
    fn execute_compares_text_without_case() {
        let outcome = run("SELECT Name FROM Account WHERE Name = 'ACME'").unwrap();
        assert_eq!(names(&outcome), vec![json!("Acme")]);
    }

    #[test]
    fn execute_not_equal_includes_nulls() {
        let outcome = run("SELECT Name FROM Account WHERE Name != 'acme'").unwrap();
        assert_eq!(outcome.total, 2);
    }

    #[test]
    fn execute_like_and_in_and_not() {
        let outcome = run("SELECT Name FROM Account WHERE (Name LIKE 'b%' OR Name IN ('acme')) AND NOT Name = null")
            .unwrap();
        assert_eq!(names(&outcome), vec![json!("Acme"), json!("beta")]);
    }

    #[test]
    fn execute_orders_with_nulls_and_limits() {
        let outcome = run("SELECT Name FROM Account ORDER BY Name DESC LIMIT 2").unwrap();
        assert_eq!(names(&outcome), vec![json!("beta"), json!("Acme")]);
        let outcome = run("SELECT Name FROM Account ORDER BY Name ASC").unwrap();
        assert_eq!(names(&outcome)[0], Value::Null);
    }

    #[test]
    fn execute_matches_15_character_id_literal() {
        let outcome = run("SELECT Name FROM Account WHERE Id = '001000000000002'").unwrap();
        assert_eq!(names(&outcome), vec![json!("beta")]);
    }

    #[test]
    fn execute_counts() {
        let outcome = run("SELECT COUNT() FROM Account WHERE Name LIKE '%e%'").unwrap();
        assert_eq!(outcome.total, 2);
        assert!(outcome.rows.is_empty());
    }

    #[test]
    fn prepare_rejects_unknown_field() {
        let error = run("SELECT Id, Foo FROM Account").unwrap_err();
        assert_eq!(error.error_code, "INVALID_FIELD");
        assert!(error.message.ends_with(
            "No such column 'Foo' on entity 'Account'. If you are attempting to use a custom field, \
             be sure to append the '__c' after the custom field name. Please reference your WSDL \
             or the describe call for the appropriate names."
        ));
        assert!(error.message.contains("ERROR at Row:1:Column:12"));
    }

    #[test]
    fn prepare_rejects_unknown_object() {
        let error = run("SELECT Id FROM Acount").unwrap_err();
        assert_eq!(error.error_code, "INVALID_TYPE");
        assert!(
            error
                .message
                .contains("sObject type 'Acount' is not supported.")
        );
    }

    #[test]
    fn prepare_rejects_quoted_datetime() {
        let error = run("SELECT Id FROM Account WHERE SystemModstamp > '2024-01-01T00:00:00Z'")
            .unwrap_err();
        assert_eq!(error.error_code, "INVALID_FIELD");
        assert!(error.message.ends_with(
            "value of filter criterion for field 'SystemModstamp' must be of type dateTime and \
             should not be enclosed in quotes"
        ));
    }

    #[test]
    fn prepare_rejects_invalid_id_literal() {
        let error = run("SELECT Id FROM Account WHERE Id = 'abc'").unwrap_err();
        assert_eq!(error.error_code, "INVALID_QUERY_FILTER_OPERATOR");
    }

    #[test]
    fn prepare_rejects_duplicate_field() {
        let error = run("SELECT Name, name FROM Account").unwrap_err();
        assert!(error.message.ends_with("duplicate field selected: Name"));
    }
}
