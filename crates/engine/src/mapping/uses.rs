//! The fields a mapping reads and writes on each side, for checking it against the systems.

use super::{DerivedRule, Mapping};
use crate::flow::{Access, FieldUse};
use crate::record::System;

impl Mapping {
    /// Returns every field the mapping reads or writes, with the values a value map or a
    /// constant writes. `netsuite` and `salesforce` name the two objects.
    pub fn field_uses(&self, netsuite: &str, salesforce: &str) -> Vec<FieldUse> {
        let object = |system: System| match system {
            System::NetSuite => netsuite,
            System::Salesforce => salesforce,
        };
        let mut uses = Vec::new();
        for pair in &self.pairs {
            for system in [System::NetSuite, System::Salesforce] {
                let reads = pair.direction.allows_from(system);
                let writes = pair.direction.allows_from(system.other());
                let access = match (reads, writes) {
                    (true, true) => Access::ReadWrite,
                    (false, _) => Access::Write,
                    (true, false) => Access::Read,
                };
                let mut used =
                    FieldUse::new(system, object(system), pair.name(system), access, "mapping");
                if writes && pair.lookup.is_none() {
                    if let Some(values) = &pair.values {
                        used.values = values
                            .pairs
                            .iter()
                            .map(|(sf, ns)| match system {
                                System::NetSuite => ns.clone(),
                                System::Salesforce => sf.clone(),
                            })
                            .collect();
                    }
                    used.values.extend(pair.default_for(system).cloned());
                }
                uses.push(used);
            }
        }
        for derived in &self.derived {
            let mut used = FieldUse::new(
                derived.target,
                object(derived.target),
                &derived.field,
                Access::Write,
                "derived field",
            );
            if let DerivedRule::Constant(value) = &derived.rule {
                used.values.push(value.clone());
            }
            uses.push(used);
            let source = derived.target.other();
            for input in derived.inputs() {
                uses.push(FieldUse::new(
                    source,
                    object(source),
                    input,
                    Access::Read,
                    "expression input",
                ));
            }
        }
        uses
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::{Direction, FieldPair, ValueMap};
    use crate::record::FieldValue;

    #[test]
    fn one_way_pair_reads_one_side_and_writes_the_other() {
        let mut pair = FieldPair::new("status", "Status__c");
        pair.direction = Direction::ToSalesforce;
        let uses = Mapping::of_pairs(vec![pair]).field_uses("invoice", "NetSuite_Invoice__c");
        assert_eq!(uses[0].access, Access::Read);
        assert_eq!(uses[0].object, "invoice");
        assert_eq!(uses[1].access, Access::Write);
        assert_eq!(uses[1].field, "Status__c");
    }

    #[test]
    fn value_map_values_are_listed_for_the_side_written() {
        let mut pair = FieldPair::new("custentity_tier", "Tier__c");
        pair.values = Some(ValueMap {
            pairs: vec![(FieldValue::text("Gold"), FieldValue::text("1"))],
        });
        let uses = Mapping::of_pairs(vec![pair]).field_uses("customer", "Account");
        assert_eq!(uses[0].values, vec![FieldValue::text("1")]);
        assert_eq!(uses[1].values, vec![FieldValue::text("Gold")]);
    }
}
