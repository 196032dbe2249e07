//! Checks a parsed statement against the schema and builds its plan: the queried object,
//! the result columns, the condition with literals converted to the fields' types, the sort
//! keys and the child subqueries.

use super::columns::{Column, add_path};
use super::compare::{InList, PatternPart, Scalar, compile_like, unescape_like};
use super::lexer::CompareOp;
use super::parser::{Condition, Literal, OrderItem, Query, SelectItem, Selection, Spanned};
use super::paths::{FieldPath, PathResolver};
use crate::salesforce::errors::ApiError;
use crate::salesforce::id;
use crate::salesforce::schema::{FieldDef, FieldType, ObjectDef};

/// A statement checked against the schema, ready to run.
#[derive(Debug)]
pub(crate) struct Plan<'s> {
    /// The queried object.
    pub object: &'s ObjectDef,
    /// Result columns, or `None` for `COUNT()`.
    pub(super) columns: Option<Vec<Column<'s>>>,
    /// Field paths of the selection in SELECT order, subqueries left out.
    pub(super) column_names: Vec<String>,
    pub(super) condition: Option<Bound<'s>>,
    pub(super) order: Vec<SortKey<'s>>,
    pub(super) limit: Option<usize>,
    pub(super) offset: usize,
    /// Child subqueries, which [`Column::Children`] refers to by position.
    pub(super) children: Vec<ChildPlan<'s>>,
}

impl<'s> Plan<'s> {
    /// Returns the result columns; empty for `COUNT()`.
    pub(super) fn columns(&self) -> &[Column<'s>] {
        self.columns.as_deref().unwrap_or_default()
    }
}

/// A child subquery: the records of another object that point to the parent row.
#[derive(Debug)]
pub(crate) struct ChildPlan<'s> {
    /// The child relationship name, as the describe of the parent spells it (`Contacts`).
    pub relationship: String,
    /// The child's reference field that points to the parent (`AccountId`).
    pub reference: &'s FieldDef,
    /// The subquery's own plan, over the child object.
    pub plan: Plan<'s>,
}

/// One ORDER BY key.
#[derive(Debug)]
pub(super) struct SortKey<'s> {
    pub path: FieldPath<'s>,
    pub descending: bool,
    pub nulls_last: bool,
}

/// A WHERE condition with its paths resolved and literals converted.
#[derive(Debug)]
pub(super) enum Bound<'s> {
    And(Vec<Bound<'s>>),
    Or(Vec<Bound<'s>>),
    Not(Box<Bound<'s>>),
    Compare {
        path: FieldPath<'s>,
        op: CompareOp,
        value: Scalar,
    },
    In {
        path: FieldPath<'s>,
        values: InList,
        negated: bool,
    },
    Like {
        path: FieldPath<'s>,
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
    let resolver = Resolver {
        paths: PathResolver {
            text,
            object,
            objects,
        },
    };
    resolver.plan(&query)
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
            let message = super::schema_fault(text, name.start, &reason);
            ApiError::bad_request("INVALID_TYPE", message)
        })
}

struct Resolver<'t, 's> {
    paths: PathResolver<'t, 's>,
}

impl<'s> Resolver<'_, 's> {
    fn fault(&self, code: &str, offset: usize, reason: &str) -> ApiError {
        self.paths.fault(code, offset, reason)
    }

    fn path(&self, name: &Spanned<String>) -> Result<FieldPath<'s>, ApiError> {
        self.paths.resolve(&name.value, name.start)
    }

    fn plan(&self, query: &Query) -> Result<Plan<'s>, ApiError> {
        let mut plan = Plan {
            object: self.paths.object,
            columns: None,
            column_names: Vec::new(),
            condition: None,
            order: Vec::new(),
            limit: query.limit,
            offset: query.offset.unwrap_or(0),
            children: Vec::new(),
        };
        if let Selection::Fields(items) = &query.selection {
            let mut columns = Vec::with_capacity(items.len());
            for item in items {
                self.select_item(item, &mut columns, &mut plan)?;
            }
            plan.columns = Some(columns);
        }
        plan.condition = query
            .condition
            .as_ref()
            .map(|condition| self.condition(condition))
            .transpose()?;
        plan.order = query
            .order_by
            .iter()
            .map(|item| self.sort_key(item))
            .collect::<Result<_, _>>()?;
        Ok(plan)
    }

    fn select_item(
        &self,
        item: &SelectItem,
        columns: &mut Vec<Column<'s>>,
        plan: &mut Plan<'s>,
    ) -> Result<(), ApiError> {
        match item {
            SelectItem::Field(name) => {
                let path = self.path(name)?;
                if !add_path(columns, &path) {
                    let reason = format!("duplicate field selected: {}", path.name());
                    return Err(self.fault("MALFORMED_QUERY", name.start, &reason));
                }
                plan.column_names.push(path.name());
            }
            SelectItem::Subquery(subquery) => {
                let child = self.child_plan(&subquery.value)?;
                columns.push(Column::Children(plan.children.len()));
                plan.children.push(child);
            }
        }
        Ok(())
    }

    /// Plans a subquery whose `FROM` names a child relationship of the queried object.
    fn child_plan(&self, query: &Query) -> Result<ChildPlan<'s>, ApiError> {
        let parent = self.paths.object;
        let name = &query.object;
        let found = self.paths.objects.iter().find_map(|object| {
            object
                .fields
                .iter()
                .find(|field| {
                    field
                        .reference_to
                        .iter()
                        .any(|target| target == &parent.name)
                        && field
                            .child_relationship
                            .as_deref()
                            .is_some_and(|child| child.eq_ignore_ascii_case(&name.value))
                })
                .map(|field| (object, field))
        });
        let Some((object, reference)) = found else {
            let reason = format!(
                "Didn't understand relationship '{}' in FROM part of query call. If you are \
                 attempting to use a custom relationship, be sure to append the '__r' after the \
                 custom relationship name. Please reference your WSDL or the describe call for \
                 the appropriate names.",
                name.value
            );
            return Err(self.fault("INVALID_TYPE", name.start, &reason));
        };
        if query.selection == Selection::Count {
            // NOTE: the wording is not taken from a recorded response.
            let reason = "COUNT() is not allowed in a subquery";
            return Err(self.fault("MALFORMED_QUERY", name.start, reason));
        }
        let child = Resolver {
            paths: PathResolver {
                text: self.paths.text,
                object,
                objects: self.paths.objects,
            },
        };
        Ok(ChildPlan {
            relationship: reference.child_relationship.clone().unwrap_or_default(),
            reference,
            plan: child.plan(query)?,
        })
    }

    fn sort_key(&self, item: &OrderItem) -> Result<SortKey<'s>, ApiError> {
        let path = self.path(&item.field)?;
        if !path.field.filterable() {
            let reason = format!(
                "field '{}' can not be sorted in a query call",
                path.field.name
            );
            return Err(self.fault("INVALID_FIELD", item.field.start, &reason));
        }
        Ok(SortKey {
            path,
            descending: item.descending,
            nulls_last: item.nulls_last,
        })
    }

    /// Resolves the field of a condition, which must be filterable.
    fn filter_path(&self, name: &Spanned<String>) -> Result<FieldPath<'s>, ApiError> {
        let path = self.path(name)?;
        if !path.field.filterable() {
            let reason = format!(
                "field '{}' can not be filtered in a query call",
                path.field.name
            );
            return Err(self.fault("INVALID_FIELD", name.start, &reason));
        }
        Ok(path)
    }

    fn condition(&self, condition: &Condition) -> Result<Bound<'s>, ApiError> {
        Ok(match condition {
            Condition::And(terms) => Bound::And(self.conditions(terms)?),
            Condition::Or(terms) => Bound::Or(self.conditions(terms)?),
            Condition::Not(inner) => Bound::Not(Box::new(self.condition(inner)?)),
            Condition::Compare { field, op, value } => {
                let path = self.filter_path(field)?;
                let value = self.literal(path.field, value)?;
                Bound::Compare {
                    path,
                    op: *op,
                    value,
                }
            }
            Condition::In {
                field,
                values,
                negated,
            } => {
                let path = self.filter_path(field)?;
                let values = values
                    .iter()
                    .map(|value| self.literal(path.field, value))
                    .collect::<Result<_, _>>()?;
                Bound::In {
                    path,
                    values: InList::new(values),
                    negated: *negated,
                }
            }
            Condition::Like { field, pattern } => {
                let path = self.filter_path(field)?;
                let pattern = self.like_pattern(path.field, pattern)?;
                Bound::Like { path, pattern }
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
