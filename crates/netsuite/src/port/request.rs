//! Sorting the field names an [`tandem_engine::ObjectSpec`] requests by where their values
//! come from.

use tandem_engine::split_line_field;

use super::address;
use super::lists::{self, ListSchema};
use crate::error::Error;
use crate::schema::ComplexType;

/// Requested field names sorted by where their values come from.
#[derive(Debug, Default)]
pub(super) struct Requested<'a> {
    /// Body fields, custom fields and the `internalId` and `externalId` keys.
    pub body: Vec<&'a str>,
    /// Sublists with the line fields requested of each, in order of first mention.
    pub lists: Vec<(ListSchema, Vec<&'a str>)>,
    /// Billing address fields, without their prefix.
    pub address: Vec<&'static str>,
}

impl<'a> Requested<'a> {
    /// Sorts `requested` and checks every line and address field; unknown body fields are
    /// found when they are read.
    pub fn new(
        record_type: &str,
        schema: &ComplexType,
        requested: &'a [String],
    ) -> Result<Requested<'a>, Error> {
        let mut plan = Requested::default();
        for name in requested {
            if let Some((list_name, line_field)) = split_line_field(name) {
                let list = lists::list_schema(schema, list_name).ok_or_else(|| {
                    Error::Config(format!(
                        "NetSuite {} has no sublist `{list_name}` (requested as `{name}`)",
                        schema.name
                    ))
                })?;
                list.line_field(line_field)?;
                match plan
                    .lists
                    .iter_mut()
                    .find(|(known, _)| known.name == list.name)
                {
                    Some((_, names)) => names.push(line_field),
                    None => plan.lists.push((list, vec![line_field])),
                }
            } else if let Some(field) = address::address_field(record_type, name)? {
                plan.address.push(field);
            } else {
                plan.body.push(name);
            }
        }
        Ok(plan)
    }

    /// Returns true when reading needs the records' sublists: a search must then send
    /// `bodyFieldsOnly` false.
    pub fn needs_sublists(&self) -> bool {
        !self.lists.is_empty() || !self.address.is_empty()
    }
}
