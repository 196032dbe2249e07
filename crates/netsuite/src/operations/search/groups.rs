//! The criteria of a search, checked and grouped: the `basic` group of the searched record and
//! one group per join, each in XSD sequence order.

use std::io;

use quick_xml::Writer;

use crate::envelope::qualified;
use crate::error::Error;
use crate::namespace::Namespace;
use crate::schema::{ComplexType, FieldKind};

use super::criteria::{
    Criterion, CriterionValue, CustomCriterion, SearchRecord, check_criterion,
    check_custom_criterion, write_criterion, write_custom_criteria,
};
use super::target::{SearchTarget, group_of, search_type, target_of};

/// A search record checked against its search type.
#[derive(Debug, Clone)]
pub(crate) struct CheckedCriteria {
    /// The search type (`CustomerSearch`).
    pub search: &'static ComplexType,
    /// Groups in sequence order.
    groups: Vec<Group>,
}

#[derive(Debug, Clone)]
struct Group {
    position: usize,
    name: String,
    namespace: Namespace,
    criteria: Vec<Criterion>,
    custom: Vec<CustomCriterion>,
}

impl CheckedCriteria {
    /// Checks `search`: its record type, every criterion of every group, and the custom field
    /// criteria. A record type that shares its search type with others gets the `type`
    /// criterion that keeps its own kind, unless the search already has one.
    pub fn new(search: &SearchRecord) -> Result<CheckedCriteria, Error> {
        let target = target_of(&search.record_type)?;
        let search_schema = search_type(target.search_type)?;
        let mut groups = Vec::with_capacity(search.joins.len() + 1);
        let basic = basic_criteria(search, target);
        if !basic.is_empty() || !search.custom_criteria.is_empty() {
            let mut group = check_group(search_schema, "basic", &basic)?;
            group.custom = check_custom(&group, search_schema, &search.custom_criteria)?;
            groups.push(group);
        }
        for join in &search.joins {
            groups.push(check_group(search_schema, &join.name, &join.criteria)?);
        }
        groups.sort_by_key(|group| group.position);
        if groups
            .windows(2)
            .any(|pair| pair[0].position == pair[1].position)
        {
            return Err(Error::Config("a join is given twice".to_string()));
        }
        Ok(CheckedCriteria {
            search: search_schema,
            groups,
        })
    }

    /// Returns true when the search has no criterion at all.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// Writes the groups as children of the current element.
    pub fn write_groups(&self, writer: &mut Writer<Vec<u8>>) -> io::Result<()> {
        for group in &self.groups {
            let element = qualified(self.search.namespace, &group.name);
            writer
                .create_element(element.as_str())
                .write_inner_content(|writer| {
                    for criterion in &group.criteria {
                        write_criterion(writer, group.namespace, criterion)?;
                    }
                    write_custom_criteria(writer, group.namespace, &group.custom)
                })?;
        }
        Ok(())
    }
}

/// Returns the basic criteria with the kind filter of `target` added when needed.
fn basic_criteria(search: &SearchRecord, target: SearchTarget) -> Vec<Criterion> {
    let mut criteria = search.criteria.clone();
    let has_type = criteria.iter().any(|criterion| criterion.field == "type");
    if let Some(kind) = target.type_filter
        && !has_type
    {
        criteria.push(Criterion::new(
            "type",
            CriterionValue::EnumMultiSelect {
                none_of: false,
                values: vec![kind.to_string()],
            },
        ));
    }
    criteria
}

fn check_group(search: &ComplexType, name: &str, criteria: &[Criterion]) -> Result<Group, Error> {
    let (position, group_schema, namespace) = group_of(search, name)?;
    let mut positioned = Vec::with_capacity(criteria.len());
    for criterion in criteria {
        positioned.push((check_criterion(group_schema, criterion)?, criterion.clone()));
    }
    positioned.sort_by_key(|(position, _)| *position);
    if positioned.windows(2).any(|pair| pair[0].0 == pair[1].0) {
        return Err(Error::Config(format!(
            "a criterion field of `{name}` is given twice"
        )));
    }
    Ok(Group {
        position,
        name: name.to_string(),
        namespace,
        criteria: positioned
            .into_iter()
            .map(|(_, criterion)| criterion)
            .collect(),
        custom: Vec::new(),
    })
}

fn check_custom(
    group: &Group,
    search: &ComplexType,
    custom: &[CustomCriterion],
) -> Result<Vec<CustomCriterion>, Error> {
    if custom.is_empty() {
        return Ok(Vec::new());
    }
    let (_, basic, _) = group_of(search, &group.name)?;
    let has_list = basic
        .field("customFieldList")
        .is_some_and(|(_, field)| field.kind == FieldKind::CriterionCustomFields);
    if !has_list {
        return Err(Error::Config(format!(
            "NetSuite {} has no custom field criteria",
            basic.name
        )));
    }
    custom.iter().try_for_each(check_custom_criterion)?;
    Ok(custom.to_vec())
}
