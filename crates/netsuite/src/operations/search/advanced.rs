//! Advanced searches: a saved search by ID, criteria, and the columns each result row carries.
//!
//! An advanced search returns rows (`searchRowList`) with the requested columns instead of
//! records, when the `returnSearchColumns` search preference is true (its default).

use std::io;

use quick_xml::Writer;

use crate::envelope::{check_xml_text, qualified};
use crate::error::Error;
use crate::namespace::Namespace;
use crate::schema::{ComplexType, FieldKind};

use super::criteria::SearchRecord;
use super::groups::CheckedCriteria;
use super::target::{group_of, search_type, target_of};

/// The kind of a custom field column, which names its `xsi:type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomColumnKind {
    String,
    Boolean,
    Date,
    Double,
    Long,
    Select,
    MultiSelect,
}

impl CustomColumnKind {
    fn xsi_type(self) -> &'static str {
        match self {
            CustomColumnKind::String => "platformCore:SearchColumnStringCustomField",
            CustomColumnKind::Boolean => "platformCore:SearchColumnBooleanCustomField",
            CustomColumnKind::Date => "platformCore:SearchColumnDateCustomField",
            CustomColumnKind::Double => "platformCore:SearchColumnDoubleCustomField",
            CustomColumnKind::Long => "platformCore:SearchColumnLongCustomField",
            CustomColumnKind::Select => "platformCore:SearchColumnSelectCustomField",
            CustomColumnKind::MultiSelect => "platformCore:SearchColumnMultiSelectCustomField",
        }
    }
}

/// One result column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    /// A standard field of a group: `basic` for the searched record, or a join
    /// (`customerJoin`).
    Field {
        /// `basic` or the join element.
        group: String,
        /// The column field (`tranId`, `entity`).
        field: String,
    },
    /// A custom field of a group, by script ID.
    Custom {
        /// `basic` or the join element.
        group: String,
        /// The custom field's script ID.
        script_id: String,
        /// The custom field's kind.
        kind: CustomColumnKind,
    },
}

impl Column {
    /// Builds a column of the searched record's own field.
    pub fn basic(field: impl Into<String>) -> Column {
        Column::Field {
            group: "basic".to_string(),
            field: field.into(),
        }
    }

    /// Builds a column of a joined record's field.
    pub fn joined(join: impl Into<String>, field: impl Into<String>) -> Column {
        Column::Field {
            group: join.into(),
            field: field.into(),
        }
    }

    fn group(&self) -> &str {
        match self {
            Column::Field { group, .. } | Column::Custom { group, .. } => group,
        }
    }
}

/// An advanced search: a saved search, criteria, columns, or a mix of them.
#[derive(Debug, Clone, PartialEq)]
pub struct AdvancedSearch {
    /// The `RecordType` value of the searched records, as in [`SearchRecord::record_type`].
    pub record_type: String,
    /// The internal ID of a saved search to run (`savedSearchId`).
    pub saved_search_id: Option<String>,
    /// The script ID of a saved search to run (`savedSearchScriptId`, `customsearch_open`).
    pub saved_search_script_id: Option<String>,
    /// Criteria added to the saved search's own, or the only criteria without one.
    pub criteria: Option<SearchRecord>,
    /// Result columns; empty keeps the saved search's columns.
    pub columns: Vec<Column>,
}

impl AdvancedSearch {
    /// Builds an advanced search over `record_type` with no saved search, criteria or column.
    pub fn new(record_type: impl Into<String>) -> AdvancedSearch {
        AdvancedSearch {
            record_type: record_type.into(),
            saved_search_id: None,
            saved_search_script_id: None,
            criteria: None,
            columns: Vec::new(),
        }
    }

    /// Runs the saved search with internal ID `id`.
    pub fn saved(mut self, id: impl Into<String>) -> AdvancedSearch {
        self.saved_search_id = Some(id.into());
        self
    }

    /// Adds a column.
    pub fn column(mut self, column: Column) -> AdvancedSearch {
        self.columns.push(column);
        self
    }
}

/// An advanced search checked against its schema.
#[derive(Debug, Clone)]
pub(crate) struct CheckedAdvanced {
    /// The `*SearchAdvanced` type.
    pub advanced: &'static ComplexType,
    pub saved_search_id: Option<String>,
    pub saved_search_script_id: Option<String>,
    criteria: Option<CheckedCriteria>,
    columns: Vec<ColumnGroup>,
}

#[derive(Debug, Clone)]
struct ColumnGroup {
    position: usize,
    name: String,
    namespace: Namespace,
    /// Field columns in sequence order.
    fields: Vec<String>,
    custom: Vec<(String, CustomColumnKind)>,
}

impl CheckedAdvanced {
    /// Checks the saved search IDs, the criteria and every column.
    pub fn new(search: &AdvancedSearch) -> Result<CheckedAdvanced, Error> {
        let target = target_of(&search.record_type)?;
        let advanced = search_type(&format!("{}Advanced", target.search_type))?;
        let row = search_type(&format!("{}Row", target.search_type))?;
        let saved_ids = [&search.saved_search_id, &search.saved_search_script_id];
        for id in saved_ids.into_iter().flatten() {
            check_xml_text("savedSearchId", id)?;
        }
        let criteria = match &search.criteria {
            Some(criteria) if criteria.record_type != search.record_type => {
                return Err(Error::Config(format!(
                    "the criteria search {} records, the advanced search {}",
                    criteria.record_type, search.record_type
                )));
            }
            Some(criteria) => Some(CheckedCriteria::new(criteria)?),
            None => None,
        };
        Ok(CheckedAdvanced {
            advanced,
            saved_search_id: search.saved_search_id.clone(),
            saved_search_script_id: search.saved_search_script_id.clone(),
            criteria,
            columns: check_columns(row, &search.columns)?,
        })
    }

    /// Writes `criteria` and `columns` as children of the `searchRecord` element.
    pub fn write_children(&self, writer: &mut Writer<Vec<u8>>) -> io::Result<()> {
        let namespace = self.advanced.namespace;
        if let Some(criteria) = &self.criteria
            && !criteria.is_empty()
        {
            let element = qualified(namespace, "criteria");
            writer
                .create_element(element.as_str())
                .write_inner_content(|writer| criteria.write_groups(writer))?;
        }
        if self.columns.is_empty() {
            return Ok(());
        }
        let element = qualified(namespace, "columns");
        writer
            .create_element(element.as_str())
            .write_inner_content(|writer| {
                self.columns
                    .iter()
                    .try_for_each(|group| write_column_group(writer, namespace, group))
            })?;
        Ok(())
    }

    /// Returns true when there is nothing to write inside `searchRecord`.
    pub fn has_no_children(&self) -> bool {
        self.criteria.as_ref().is_none_or(CheckedCriteria::is_empty) && self.columns.is_empty()
    }
}

fn check_columns(row: &ComplexType, columns: &[Column]) -> Result<Vec<ColumnGroup>, Error> {
    let mut groups: Vec<(ColumnGroup, Vec<(usize, String)>)> = Vec::new();
    for column in columns {
        let index = match groups
            .iter()
            .position(|(group, _)| group.name == column.group())
        {
            Some(index) => index,
            None => {
                let (position, _, namespace) = group_of(row, column.group())?;
                let group = ColumnGroup {
                    position,
                    name: column.group().to_string(),
                    namespace,
                    fields: Vec::new(),
                    custom: Vec::new(),
                };
                groups.push((group, Vec::new()));
                groups.len() - 1
            }
        };
        let (group, fields) = &mut groups[index];
        let (_, group_schema, _) = group_of(row, &group.name)?;
        add_column(group_schema, group, fields, column)?;
    }
    let mut checked: Vec<ColumnGroup> = groups
        .into_iter()
        .map(|(mut group, mut fields)| {
            fields.sort_by_key(|(position, _)| *position);
            fields.dedup_by_key(|(position, _)| *position);
            group.fields = fields.into_iter().map(|(_, name)| name).collect();
            group
        })
        .collect();
    checked.sort_by_key(|group| group.position);
    Ok(checked)
}

fn add_column(
    group_schema: &ComplexType,
    group: &mut ColumnGroup,
    fields: &mut Vec<(usize, String)>,
    column: &Column,
) -> Result<(), Error> {
    match column {
        Column::Field { field, .. } => {
            let (position, schema_field) = group_schema.field(field).ok_or_else(|| {
                Error::Config(format!(
                    "NetSuite {} has no column `{field}`",
                    group_schema.name
                ))
            })?;
            if !matches!(schema_field.kind, FieldKind::Column(_)) {
                return Err(Error::Config(format!(
                    "`{field}` of {} is not a column",
                    group_schema.name
                )));
            }
            fields.push((position, field.clone()));
        }
        Column::Custom {
            script_id, kind, ..
        } => {
            check_xml_text("customField.scriptId", script_id)?;
            group.custom.push((script_id.clone(), *kind));
        }
    }
    Ok(())
}

fn write_column_group(
    writer: &mut Writer<Vec<u8>>,
    search_namespace: Namespace,
    group: &ColumnGroup,
) -> io::Result<()> {
    let element = qualified(search_namespace, &group.name);
    writer
        .create_element(element.as_str())
        .write_inner_content(|writer| {
            for field in &group.fields {
                let element = qualified(group.namespace, field);
                writer.create_element(element.as_str()).write_empty()?;
            }
            if group.custom.is_empty() {
                return Ok(());
            }
            let list = qualified(group.namespace, "customFieldList");
            writer
                .create_element(list.as_str())
                .write_inner_content(|writer| {
                    for (script_id, kind) in &group.custom {
                        writer
                            .create_element("platformCore:customField")
                            .with_attribute(("xsi:type", kind.xsi_type()))
                            .with_attribute(("scriptId", script_id.as_str()))
                            .write_empty()?;
                    }
                    Ok(())
                })?;
            Ok(())
        })?;
    Ok(())
}
