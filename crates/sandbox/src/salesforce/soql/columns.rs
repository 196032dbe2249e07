//! The shape of a result row: the selected fields as a tree, with the fields of one parent
//! gathered under its relationship name and child subqueries as nested query results.
//!
//! Salesforce nests every field of a parent in one object keyed by the relationship name,
//! placed where the first field of that parent appears in the SELECT list:
//! `SELECT Name, Account.Name, Id, Account.Phone FROM Contact` returns
//! `{"attributes", "Name", "Account": {"attributes", "Name", "Phone"}, "Id"}`. A parent that
//! does not exist is `null`, and so is a subquery that finds no child.

use std::collections::HashMap;

use serde_json::Value;

use super::paths::{FieldPath, Hop, RecordSource};
use super::plan::ChildPlan;
use crate::salesforce::record::{Cell, ChildRows, Row, Values, attributes, record_id};
use crate::salesforce::schema::{FieldDef, ObjectDef};
use crate::salesforce::version::ApiVersion;

/// One member of a result row.
#[derive(Debug)]
pub(crate) enum Column<'s> {
    /// A field of the record.
    Field(&'s FieldDef),
    /// A parent record and the fields selected from it.
    Parent {
        hop: Hop<'s>,
        columns: Vec<Column<'s>>,
    },
    /// A child subquery, by its position in the plan's list of children.
    Children(usize),
}

/// Adds `path` to the tree. Returns `false`, adding nothing, when the path is already in it.
pub(crate) fn add_path<'s>(columns: &mut Vec<Column<'s>>, path: &FieldPath<'s>) -> bool {
    let mut level = columns;
    for hop in &path.hops {
        let existing = level.iter().position(|column| {
            matches!(column, Column::Parent { hop: known, .. } if known.reference.name == hop.reference.name)
        });
        let position = existing.unwrap_or_else(|| {
            level.push(Column::Parent {
                hop: hop.clone(),
                columns: Vec::new(),
            });
            level.len() - 1
        });
        let Column::Parent { columns, .. } = &mut level[position] else {
            return false;
        };
        level = columns;
    }
    let duplicate = level
        .iter()
        .any(|column| matches!(column, Column::Field(field) if field.name == path.field.name));
    if !duplicate {
        level.push(Column::Field(path.field));
    }
    !duplicate
}

/// The records and settings that rendering reads besides the row itself: parents, children
/// and the API version of record URLs.
pub(crate) struct RenderContext<'a, 's> {
    pub source: &'a dyn RecordSource,
    pub version: ApiVersion,
    pub children: &'a [ChildPlan<'s>],
    /// For each child subquery, the child records by the Id of their parent.
    pub child_index: Vec<HashMap<&'a str, Vec<&'a Values>>>,
}

impl<'a, 's> RenderContext<'a, 's> {
    /// Creates the context, reading the children of every subquery once.
    pub fn new(
        source: &'a dyn RecordSource,
        version: ApiVersion,
        children: &'a [ChildPlan<'s>],
    ) -> RenderContext<'a, 's> {
        let child_index = children
            .iter()
            .map(|child| {
                let mut by_parent: HashMap<&'a str, Vec<&'a Values>> = HashMap::new();
                for values in source.records(&child.plan.object.name) {
                    if let Some(parent) = values.get(&child.reference.name).and_then(Value::as_str)
                    {
                        by_parent.entry(parent).or_default().push(values);
                    }
                }
                by_parent
            })
            .collect();
        RenderContext {
            source,
            version,
            children,
            child_index,
        }
    }

    /// Renders `values`, a record of `object`, as `attributes` followed by `columns`.
    pub fn render(&self, object: &ObjectDef, values: &Values, columns: &[Column<'s>]) -> Row {
        let mut row = Row(Vec::with_capacity(columns.len() + 1));
        row.push_value(
            "attributes",
            attributes(&object.name, record_id(values), self.version),
        );
        for column in columns {
            match column {
                Column::Field(field) => {
                    let value = values.get(&field.name).cloned().unwrap_or(Value::Null);
                    row.push_value(field.name.clone(), value);
                }
                Column::Parent { hop, columns } => {
                    let cell = match hop.follow(values, self.source) {
                        Some((parent_object, parent)) => {
                            Cell::Parent(self.render(parent_object, parent, columns))
                        }
                        None => Cell::Value(Value::Null),
                    };
                    row.0.push((hop.name().to_string(), cell));
                }
                Column::Children(index) => {
                    let child = &self.children[*index];
                    let cell = self.children_of(*index, record_id(values));
                    row.0.push((child.relationship.clone(), cell));
                }
            }
        }
        row
    }

    fn children_of(&self, index: usize, parent_id: &str) -> Cell {
        let child = &self.children[index];
        let candidates = self.child_index[index]
            .get(parent_id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let selected = child.plan.select(candidates.iter().copied(), self.source);
        if selected.is_empty() {
            return Cell::Value(Value::Null);
        }
        let records: Vec<_> = selected
            .into_iter()
            .map(|values| self.render(child.plan.object, values, child.plan.columns()))
            .collect();
        Cell::Children(ChildRows {
            total_size: records.len(),
            records,
            next_records_url: None,
        })
    }
}
