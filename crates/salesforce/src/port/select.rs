//! The columns of the port's queries: the record's own fields, parent fields as dotted paths,
//! and one subquery per child relationship requested as `Relationship[].Field`.

use tandem_engine::{ObjectSpec, split_line_field};

use crate::error::Error;
use crate::soql::check_name;

/// Field that orders the change feed: it changes on every write, including those made by
/// automation, unlike `LastModifiedDate`.
pub(super) const MODSTAMP_FIELD: &str = "SystemModstamp";

/// What one query of an [`ObjectSpec`] selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Selection {
    /// Columns of the record itself: `Id`, `SystemModstamp`, the link field, then the requested
    /// fields. Each appears once, compared ignoring case, because SOQL rejects a repeated
    /// column.
    pub(super) columns: Vec<String>,
    /// Child relationships in the order they were first requested.
    pub(super) children: Vec<ChildSelection>,
}

/// One child relationship and the fields its lines carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ChildSelection {
    /// The relationship name as the spec spells it (`OpportunityLineItems`). The record carries
    /// the lines under this name.
    pub(super) relationship: String,
    /// `Id`, then the requested line fields, each once.
    pub(super) fields: Vec<String>,
}

impl Selection {
    /// Splits the spec's fields into columns and child subqueries, checking every name.
    ///
    /// Names are checked because they come from the configuration file and are placed in SOQL
    /// text. A line field that names another list (`A[].B[].C`) is rejected: the port reads
    /// one level of children.
    pub(super) fn of(object: &ObjectSpec) -> Result<Selection, Error> {
        check_name(&object.name)?;
        let mut selection = Selection {
            columns: Vec::new(),
            children: Vec::new(),
        };
        let link = has_link(object).then_some(object.link_field.as_str());
        for name in ["Id", MODSTAMP_FIELD].into_iter().chain(link) {
            selection.add_column(name)?;
        }
        for name in &object.fields {
            match split_line_field(name) {
                Some((relationship, field)) => selection.add_line_field(relationship, field)?,
                None => selection.add_column(name)?,
            }
        }
        Ok(selection)
    }

    /// Returns true when the query has child subqueries, which Bulk API 2.0 query jobs do not
    /// accept.
    pub(super) fn has_children(&self) -> bool {
        !self.children.is_empty()
    }

    /// Writes the `SELECT` list: the columns, then one `(SELECT ... FROM Relationship ORDER
    /// BY Id)` per child relationship. Ordering by Id gives the lines a stable order from one
    /// read to the next, so an unchanged record reads as unchanged.
    pub(super) fn to_soql(&self) -> String {
        let mut items: Vec<String> = self.columns.clone();
        for child in &self.children {
            items.push(format!(
                "(SELECT {} FROM {} ORDER BY Id)",
                child.fields.join(", "),
                child.relationship
            ));
        }
        items.join(", ")
    }

    fn add_column(&mut self, name: &str) -> Result<(), Error> {
        check_name(name)?;
        push_once(&mut self.columns, name);
        Ok(())
    }

    fn add_line_field(&mut self, relationship: &str, field: &str) -> Result<(), Error> {
        if split_line_field(field).is_some() {
            return Err(Error::InvalidRequest {
                message: format!(
                    "{relationship}[].{field} names a list inside a list; the Salesforce port \
                     reads one level of child records"
                ),
            });
        }
        if relationship.contains('.') {
            return Err(Error::InvalidRequest {
                message: format!(
                    "{relationship}[].{field}: a child relationship is one name, such as \
                     OpportunityLineItems"
                ),
            });
        }
        check_name(relationship)?;
        check_name(field)?;
        let index = self.child_index(relationship);
        push_once(&mut self.children[index].fields, field);
        Ok(())
    }

    /// Returns the position of `relationship` among the children, adding it when new.
    fn child_index(&mut self, relationship: &str) -> usize {
        let found = self
            .children
            .iter()
            .position(|child| child.relationship.eq_ignore_ascii_case(relationship));
        found.unwrap_or_else(|| {
            self.children.push(ChildSelection {
                relationship: relationship.to_string(),
                fields: vec!["Id".to_string()],
            });
            self.children.len() - 1
        })
    }
}

/// Returns true when the spec names a link field. Objects written without an external ID
/// (a Task) leave it empty.
pub(super) fn has_link(object: &ObjectSpec) -> bool {
    !object.link_field.is_empty()
}

fn push_once(names: &mut Vec<String>, name: &str) {
    if !names.iter().any(|known| known.eq_ignore_ascii_case(name)) {
        names.push(name.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(fields: &[&str]) -> ObjectSpec {
        ObjectSpec {
            name: "Opportunity".into(),
            fields: fields.iter().map(|name| name.to_string()).collect(),
            link_field: "NetSuite_Sales_Order_ID__c".into(),
        }
    }

    #[test]
    fn selection_groups_line_fields_by_relationship() {
        let selection = Selection::of(&spec(&[
            "Name",
            "OpportunityLineItems[].Quantity",
            "Account.OwnerId",
            "opportunitylineitems[].Product2.ProductCode",
            "OpportunityContactRoles[].ContactId",
            "OpportunityLineItems[].Quantity",
        ]))
        .unwrap();

        assert_eq!(
            selection.columns,
            [
                "Id",
                "SystemModstamp",
                "NetSuite_Sales_Order_ID__c",
                "Name",
                "Account.OwnerId"
            ]
        );
        assert_eq!(selection.children.len(), 2);
        assert_eq!(selection.children[0].relationship, "OpportunityLineItems");
        assert_eq!(
            selection.children[0].fields,
            ["Id", "Quantity", "Product2.ProductCode"]
        );
        assert_eq!(selection.children[1].fields, ["Id", "ContactId"]);
        assert!(selection.has_children());
    }

    #[test]
    fn selection_writes_subqueries_after_columns() {
        let selection =
            Selection::of(&spec(&["OpportunityLineItems[].Quantity", "StageName"])).unwrap();
        assert_eq!(
            selection.to_soql(),
            "Id, SystemModstamp, NetSuite_Sales_Order_ID__c, StageName, \
             (SELECT Id, Quantity FROM OpportunityLineItems ORDER BY Id)"
        );
    }

    #[test]
    fn selection_without_link_field_skips_it() {
        let mut task = spec(&["Subject"]);
        task.name = "Task".into();
        task.link_field = String::new();
        let selection = Selection::of(&task).unwrap();
        assert_eq!(selection.columns, ["Id", "SystemModstamp", "Subject"]);
        assert!(!selection.has_children());
    }

    #[test]
    fn selection_rejects_nested_lists() {
        let error =
            Selection::of(&spec(&["OpportunityLineItems[].Schedules[].Quantity"])).unwrap_err();
        assert!(
            error.to_string().contains("one level of child records"),
            "{error}"
        );
    }

    #[test]
    fn selection_rejects_dotted_relationship() {
        assert!(Selection::of(&spec(&["Account.Contacts[].Email"])).is_err());
    }

    #[test]
    fn selection_rejects_injected_names() {
        for name in [
            "OpportunityLineItems[].Quantity FROM User",
            "Bad) FROM User--[].Id",
            "[].Quantity",
            "OpportunityLineItems[].",
        ] {
            assert!(Selection::of(&spec(&[name])).is_err(), "{name}");
        }
    }
}
